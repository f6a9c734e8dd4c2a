"""What a patronage nurse asks first after a birth: how many weeks the pregnancy lasted and how much
the baby weighed. Pure rules: reading her answers, and what they mean.

Thresholds: preterm is before 37 completed weeks and low birth weight under 2,500 g (WHO definitions,
clinical-content.md §6g ✅). Retinopathy-of-prematurity eye screening before 34 weeks or under
2,000 g is our guidance: the national cut-offs are not in the reference (§5 ❌), so the calendar item
says it as guidance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "INFANT_DAYS",
    "BirthFacts",
    "asks_birth_facts",
    "fits_pregnancy",
    "parse_birth_weight",
    "parse_gestation_weeks",
]

PRETERM_WEEKS = 37  # born before 37 completed weeks: preterm (WHO)
LOW_WEIGHT_G = 2500  # under 2,500 g: low birth weight (WHO)
ROP_WEEKS = 34  # our guidance for the eye screening (national cut-off unconfirmed)
ROP_WEIGHT_G = 2000
INFANT_DAYS = 365  # the questions are asked for a baby under one year

GESTATION_RANGE = (22, 44)
WEIGHT_RANGE_G = (300, 6500)

_NUMBER = re.compile(r"^\s*(\d{1,4}(?:[.,]\d{1,3})?)\s*([^\d\s.,]*)\.?\s*$")
_ANY_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_GRAMS_WORD = re.compile(r"\s*(?:грамм(?:ов|а)?|граммов|gram(?:me)?s?|гр)\.?(?=\s|$)")
_KILOS_AND_GRAMS = re.compile(r"\s*(\d)\s*(?:kg|кг)\.?\s*(\d{1,3})\s*g?\s*")


@dataclass(frozen=True, slots=True)
class BirthFacts:
    gestation_weeks: int | None  # None: she did not know
    birth_weight_g: int | None

    @property
    def preterm(self) -> bool:
        return self.gestation_weeks is not None and self.gestation_weeks < PRETERM_WEEKS

    @property
    def low_weight(self) -> bool:
        return self.birth_weight_g is not None and self.birth_weight_g < LOW_WEIGHT_G

    @property
    def early_or_small(self) -> bool:
        """Her nurse is told at once and progressive patronage is suggested."""
        return self.preterm or self.low_weight

    @property
    def rop_risk(self) -> bool:
        """An eye screening for retinopathy of prematurity goes into the calendar."""
        return (self.gestation_weeks is not None and self.gestation_weeks < ROP_WEEKS) or (
            self.birth_weight_g is not None and self.birth_weight_g < ROP_WEIGHT_G
        )


# A new pregnancy begins (day 0 = her last period, about two weeks before conception) at the earliest a few
# weeks after a birth: a child born later than this before it does not fit the pregnancy's dates.
NEW_PREGNANCY_GAP = timedelta(days=14)


def fits_pregnancy(birth: date, pregnancy_start: date) -> bool:
    """Whether a child born on ``birth`` can be an older sibling of a pregnancy that began (day 0 of
    gestation) on ``pregnancy_start``. False, e.g., "week 12 with a 4-week-old baby": ask her again."""
    return birth <= pregnancy_start - NEW_PREGNANCY_GAP


def asks_birth_facts(birth: date, today: date) -> bool:
    return 0 <= (today - birth).days < INFANT_DAYS


def parse_gestation_weeks(text: str) -> int | None:
    """"33", "33 weeks", "33 апта", "38.5", "36+5", "36 недель 5 дней" (→ completed weeks). None: not a
    plausible number of weeks."""
    numbers = [float(n.replace(",", ".")) for n in _ANY_NUMBER.findall(text or "")]
    if not numbers or (len(numbers) > 1 and not (len(numbers) == 2 and numbers[1] <= 6)):
        return None  # a second number is only the days of the week ("36+5")
    weeks = int(numbers[0])
    low, high = GESTATION_RANGE
    return weeks if low <= weeks <= high else None


def parse_birth_weight(text: str) -> int | None:
    """Grams from "1800", "1 800", "1800 g", "3,2 kg" or "3.2" (a small number is read as kilograms).
    None: not a plausible birth weight."""
    raw = (text or "").strip().lower().replace("\u00a0", " ")
    raw = _GRAMS_WORD.sub("g", raw)
    kilos_and_grams = _KILOS_AND_GRAMS.fullmatch(raw)  # "3 кг 200", "3kg 200 g"
    if kilos_and_grams:
        raw = str(int(kilos_and_grams.group(1)) * 1000 + int(kilos_and_grams.group(2)))
    # "1 800" and "3 200 г": a space between thousands.
    raw = re.sub(r"(?<=\d) (?=\d{3}\b)", "", raw)
    match = _NUMBER.match(raw)
    if match is None:
        return None
    value = float(match.group(1).replace(",", "."))
    unit = match.group(2).lower()
    if unit in ("kg", "кг") or (not unit and value < 10):
        value *= 1000
    elif unit not in ("", "g", "г", "gr", "гр"):
        return None
    grams = round(value)
    low, high = WEIGHT_RANGE_G
    return grams if low <= grams <= high else None
