"""Self-screening questionnaires and when to offer them, read from ``questionnaires.toml`` next to this file.

Danger-sign checklists (pregnancy, after birth, newborn, sick child), mood and anxiety (PHQ-2/9, GAD-2/7),
safety at home, smoking and alcohol, and child development red flags; each with its texts in Kazakh,
Russian and English, its scoring data and its advice per result band. The file's header comment documents
the format (and how to add EPDS once it is licensed).

Plain data, validated once on load: a broken file raises ``QuestionnaireContentError`` naming the
questionnaire, question or option at fault, so a bad edit fails at startup instead of in a conversation.
The rules that use this data (scoring, next question, schedule) live in ``bot.domain.screening``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar

from bot.content.care import Status
from bot.content.common import LANGUAGES, ContentError, pick_language, read_packaged
from bot.domain.calendar import Track

__all__ = [
    "AUDIENCE_LIMITS",
    "MAX_ADVICE",
    "MAX_DETAIL",
    "MAX_INTRO",
    "MAX_LABEL",
    "MAX_OPTION_ID",
    "MAX_QUESTION",
    "MAX_QUESTIONNAIRE_ID",
    "MAX_QUESTION_ID",
    "MAX_TITLE",
    "QUESTIONNAIRES_FILE",
    "Audience",
    "Band",
    "BandRule",
    "Condition",
    "Option",
    "Question",
    "Questionnaire",
    "QuestionnaireCatalog",
    "QuestionnaireContentError",
    "ScheduleEntry",
    "Scoring",
    "Status",
    "Topic",
    "load_questionnaires",
    "parse_questionnaires",
    "questionnaire",
    "questionnaires",
]

QUESTIONNAIRES_FILE = "questionnaires.toml"

# Ids travel in callback data (64 bytes in all), e.g. "sc:danger_newborn:signs:breath".
MAX_QUESTIONNAIRE_ID = 16
MAX_QUESTION_ID = 12
MAX_OPTION_ID = 8
MAX_LABEL_ID = 16  # a band's staff label, e.g. "mod_severe"

MAX_TITLE = 60
MAX_INTRO = 300
MAX_QUESTION = 600
MAX_LABEL = 40  # option labels go on Telegram buttons: short, the rest goes in `detail`
MAX_DETAIL = 300
MAX_ADVICE = 600

# Sent with HTML parse mode and sometimes through str.format: markup and placeholders are refused.
_FORBIDDEN = ("<", ">", "&", "{", "}")
_ID = re.compile(r"[a-z0-9_]+")
_HOTLINE = re.compile(r"[0-9]{2,6}")
_E = TypeVar("_E", bound=StrEnum)


class QuestionnaireContentError(ContentError):
    """The questionnaires file is missing something or contradicts itself (a ``ValueError``)."""


class Band(StrEnum):
    """What a result means for her and for the nurse, from most to least pressing."""

    URGENT = "urgent"  # act now: 103 / 112 / emergency department (or the self-harm pathway)
    HIGH = "high"  # the nurse contacts her
    MODERATE = "moderate"  # advice; shown to the nurse on the family card
    NONE = "none"  # reassurance


class Audience(StrEnum):
    PREGNANCY = "pregnancy"  # window in days of gestation
    POSTPARTUM = "postpartum"  # the mother, window in days since the birth
    NEWBORN = "newborn"  # the child, window in days of age
    CHILD = "child"  # the child, window in days of age


# Allowed windows per audience (both ends inclusive), as in care_plans.toml.
AUDIENCE_LIMITS: Mapping[Audience, tuple[int, int]] = MappingProxyType(
    {
        Audience.PREGNANCY: (0, 300),
        Audience.POSTPARTUM: (0, 1826),
        Audience.NEWBORN: (0, 59),
        Audience.CHILD: (0, 1826),
    }
)
_ABOUT_MOTHER = frozenset({Audience.PREGNANCY, Audience.POSTPARTUM})


class Scoring(StrEnum):
    SUM = "sum"  # options carry scores; bands by the total (PHQ, GAD, EPDS)
    FLAGS = "flags"  # options marked `positive` raise `positive_band` (checklists, yes/no red flags)


class Topic(StrEnum):
    DANGER = "danger"
    MOOD = "mood"  # "the last mood result" for the monthly re-check counts only these
    ANXIETY = "anxiety"
    SAFETY = "safety"
    HABITS = "habits"
    DEVELOPMENT = "development"


class Condition(StrEnum):
    ALWAYS = "always"
    MOOD_POSITIVE = "mood_positive"  # only while her last mood result was positive


@dataclass(frozen=True)
class Option:
    id: str
    labels: Mapping[str, str] = field(hash=False)
    details: Mapping[str, str] | None = field(default=None, hash=False)
    score: int = 0
    positive: bool = False  # raises the questionnaire's positive_band (flags scoring)
    red_flag: bool = False  # urgent, whatever the total
    self_harm: bool = False  # urgent and the self-harm pathway; the score is never shown
    harm_baby: bool = False  # thoughts of harming the baby: urgent, with its own advice
    serious: bool = False  # a positive finding that alone raises the result to `serious_band`
    exclusive: bool = False  # "none of these": cannot be chosen together with another option
    days: tuple[int, int] | None = None  # offered only on these days of its subject (e.g. weeks 18–36+6)

    def label(self, lang: str) -> str:
        return pick_language(self.labels, lang)

    def detail(self, lang: str) -> str | None:
        return None if self.details is None else pick_language(self.details, lang)

    @property
    def alerts(self) -> bool:
        return self.positive or self.red_flag or self.self_harm or self.harm_baby

    @property
    def urgent(self) -> bool:
        """Urgent whatever the rest of the answers say."""
        return self.red_flag or self.self_harm or self.harm_baby


@dataclass(frozen=True)
class Question:
    id: str
    multi: bool  # several options may be chosen (a checklist)
    texts: Mapping[str, str] = field(hash=False)
    options: tuple[Option, ...]
    in_total: bool = True  # sum scoring: False keeps it out of the total (a safety item beside a short screen)

    def text(self, lang: str) -> str:
        return pick_language(self.texts, lang)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def max_score(self) -> int:
        return max(o.score for o in self.options)


@dataclass(frozen=True)
class BandRule:
    low: int  # total, inclusive
    high: int  # inclusive
    band: Band
    label: str | None  # for staff, an English code: "minimal", "mod_severe" …


@dataclass(frozen=True)
class Questionnaire:
    id: str
    topic: Topic
    scoring: Scoring
    status: Status
    source: str
    note: str
    audience: Mapping[Audience, tuple[int, int]] = field(hash=False)
    titles: Mapping[str, str] = field(hash=False)
    intros: Mapping[str, str] = field(hash=False)
    questions: tuple[Question, ...]
    bands: tuple[BandRule, ...]  # sum scoring: covers 0..max_total, in order
    positive_band: Band | None  # flags scoring
    step_to: str | None  # sum scoring: continue with this questionnaire when total ≥ step_at
    step_at: int | None
    consent_to_share: bool  # the nurse sees a non-"none" result only if she agrees
    hotline: str | None  # a number for the renderer to show or link (the advice also names it)
    advices: Mapping[Band, Mapping[str, str]] = field(hash=False)
    self_harm_advices: Mapping[str, str] | None = field(hash=False)  # set when any option is self_harm
    harm_baby_advices: Mapping[str, str] | None = field(default=None, hash=False)  # set when any is harm_baby
    serious_band: Band | None = None  # flags scoring: the band of a serious finding, or of `serious_count`
    serious_count: int | None = None  # this many positive findings together also reach `serious_band`
    unvalidated: frozenset[str] = frozenset()  # languages whose wording is our own, unvalidated translation

    def title(self, lang: str) -> str:
        return pick_language(self.titles, lang)

    def intro(self, lang: str) -> str:
        return pick_language(self.intros, lang)

    def advice(self, band: Band, lang: str) -> str:
        """The advice for ``band``; KeyError for a band this questionnaire cannot reach."""
        return pick_language(self.advices[band], lang)

    def self_harm_advice(self, lang: str) -> str:
        if self.self_harm_advices is None:
            raise KeyError(f"{self.id} has no self-harm option")
        return pick_language(self.self_harm_advices, lang)

    def harm_baby_advice(self, lang: str) -> str:
        if self.harm_baby_advices is None:
            raise KeyError(f"{self.id} has no harm_baby option")
        return pick_language(self.harm_baby_advices, lang)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def max_total(self) -> int:
        return sum(q.max_score for q in self.questions if q.in_total)

    @property
    def about_child(self) -> bool:
        """About the child (newborn, child) rather than the mother (pregnancy, postpartum)."""
        return not (set(self.audience) & _ABOUT_MOTHER)

    @property
    def has_self_harm(self) -> bool:
        return any(o.self_harm for q in self.questions for o in q.options)


@dataclass(frozen=True)
class ScheduleEntry:
    """Offer ``questionnaire_id`` on these days of ``track`` (pregnancy: gestation; child: age)."""

    questionnaire_id: str
    track: Track
    days: tuple[int, ...]
    only_if: Condition


@dataclass(frozen=True)
class QuestionnaireCatalog:
    """Everything in the file. Iterating it gives the questionnaires in file order."""

    questionnaires: tuple[Questionnaire, ...]
    schedule: tuple[ScheduleEntry, ...]
    _by_id: Mapping[str, Questionnaire] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({q.id: q for q in self.questionnaires}))

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.questionnaires)

    def __len__(self) -> int:
        return len(self.questionnaires)

    def get(self, questionnaire_id: str) -> Questionnaire | None:
        return self._by_id.get(questionnaire_id)


# --- parsing --------------------------------------------------------------------------------


def _fail(where: str, message: str) -> QuestionnaireContentError:
    return QuestionnaireContentError(f"{where}: {message}")


def _keys(entry: Mapping[str, Any], required: tuple[str, ...], optional: frozenset[str], where: str) -> None:
    unknown = sorted(set(entry) - set(required) - optional)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(map(repr, unknown))}")
    missing = [key for key in required if key not in entry]
    if missing:
        raise _fail(where, f"missing key(s) {', '.join(map(repr, missing))}")


def _id(value: Any, limit: int, what: str, where: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value) or len(value) > limit:
        raise _fail(where, f"{what} must be 1–{limit} characters of a–z, 0–9 and '_', got {value!r}")
    return value


def _enum(enum: type[_E], value: Any, key: str, where: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in enum)
        raise _fail(where, f"unknown {key} {value!r}; expected one of {allowed}") from None


def _int(value: Any, key: str, where: str) -> int:
    # bool is an int subclass: "score = true" must not pass as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, f"{key!r} must be a whole number, got {value!r}")
    return value


def _bool(entry: Mapping[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _fail(where, f"{key!r} must be true or false, got {value!r}")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise _fail(where, f"{key!r} must be text, got {value!r}")
    return value.strip()


def _texts(table: Any, key: str, limit: int, where: str) -> MappingProxyType[str, str]:
    if not isinstance(table, dict):
        raise _fail(where, f"{key!r} must be a table with kk, ru and en")
    unknown = sorted(set(table) - set(LANGUAGES))
    if unknown:
        raise _fail(where, f"{key} has unknown language(s) {', '.join(map(repr, unknown))}")
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        value = table.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise _fail(where, f"missing or empty {key} in {lang!r}")
        value = value.strip()
        if len(value) > limit:
            raise _fail(where, f"{key} in {lang!r} is {len(value)} characters, at most {limit} allowed")
        bad = [char for char in _FORBIDDEN if char in value]
        if bad:
            raise _fail(where, f"{key} in {lang!r} contains {bad[0]!r}; plain text only")
        texts[lang] = value
    return MappingProxyType(texts)


_OPTION_KEYS = frozenset({"detail", "score", "positive", "red_flag", "self_harm", "harm_baby", "serious",
                          "exclusive", "days"})
_FLAG_LISTS = ("positive", "red_flag", "self_harm", "harm_baby", "serious")  # question-level: option ids given that flag


def _option(entry: Any, where: str) -> tuple[Option, bool]:
    """The option, and whether it stated its score (a sum questionnaire needs every score stated)."""
    if not isinstance(entry, dict):
        raise _fail(where, "an option must be a table")
    option_id = _id(entry.get("id"), MAX_OPTION_ID, "option 'id'", where)
    where = f"{where} option {option_id}"
    _keys(entry, ("id", "label"), _OPTION_KEYS, where)
    score = _int(entry.get("score", 0), "score", where)
    if score < 0:
        raise _fail(where, f"'score' must be 0 or more, got {score}")
    days = entry.get("days")
    if days is not None:
        if not isinstance(days, list) or len(days) != 2:
            raise _fail(where, f"'days' must be [first_day, last_day], got {days!r}")
        low, high = (_int(day, "days", where) for day in days)
        if not 0 <= low <= high:
            raise _fail(where, f"'days' must be 0 ≤ first ≤ last, got {days!r}")
        days = (low, high)
    option = Option(
        id=option_id,
        labels=_texts(entry["label"], "label", MAX_LABEL, where),
        details=_texts(entry["detail"], "detail", MAX_DETAIL, where) if "detail" in entry else None,
        score=score,
        positive=_bool(entry, "positive", where),
        red_flag=_bool(entry, "red_flag", where),
        self_harm=_bool(entry, "self_harm", where),
        harm_baby=_bool(entry, "harm_baby", where),
        serious=_bool(entry, "serious", where),
        exclusive=_bool(entry, "exclusive", where),
        days=days,
    )
    return option, "score" in entry


OptionSets = Mapping[str, tuple[tuple[Option, bool], ...]]


def _option_sets(raw: Any) -> OptionSets:
    if not isinstance(raw, dict):
        raise _fail(QUESTIONNAIRES_FILE, "'option_sets' must hold [[option_sets.<name>]] arrays")
    sets: dict[str, tuple[tuple[Option, bool], ...]] = {}
    for name, entries in raw.items():
        where = f"{QUESTIONNAIRES_FILE}: option_sets.{name}"
        _id(name, 32, "an option set's name", where)
        if not isinstance(entries, list):
            raise _fail(where, "must be an array of option tables ([[option_sets.<name>]])")
        sets[name] = tuple(_option(entry, where) for entry in entries)
    return sets


def _question(entry: Any, where: str, sets: OptionSets, scoring: Scoring) -> Question:
    if not isinstance(entry, dict):
        raise _fail(where, "a question must be a table ([[questionnaires.questions]])")
    question_id = _id(entry.get("id"), MAX_QUESTION_ID, "question 'id'", where)
    where = f"{where} question {question_id}"
    _keys(entry, ("id", "text", "options"), frozenset({"kind", "in_total", *_FLAG_LISTS}), where)
    kind = entry.get("kind", "single")
    if kind not in ("single", "multi"):
        raise _fail(where, f"'kind' must be 'single' or 'multi', got {kind!r}")
    multi = kind == "multi"

    raw = entry["options"]
    if isinstance(raw, str):
        if raw not in sets:
            raise _fail(where, f"unknown option set {raw!r}")
        pairs = list(sets[raw])
    elif isinstance(raw, list):
        pairs = [_option(option, where) for option in raw]
    else:
        raise _fail(where, "'options' must be an option set's name or an array of option tables")
    if len(pairs) < 2:
        raise _fail(where, "needs at least 2 options")
    ids = [option.id for option, _ in pairs]
    if len(set(ids)) != len(ids):
        raise _fail(where, f"duplicate option id(s) {sorted({i for i in ids if ids.count(i) > 1})}")

    # Question-level lists flag options of a shared set, e.g. positive = ["no"], self_harm = ["1", "2", "3"].
    flagged: dict[str, set[str]] = {}
    for key in _FLAG_LISTS:
        listed = entry.get(key, [])
        if not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
            raise _fail(where, f"{key!r} must be a list of option ids")
        unknown = sorted(set(listed) - set(ids))
        if unknown:
            raise _fail(where, f"{key!r} names unknown option(s) {', '.join(map(repr, unknown))}")
        flagged[key] = set(listed)
    pairs = [
        (
            replace(
                o,
                positive=o.positive or o.id in flagged["positive"],
                red_flag=o.red_flag or o.id in flagged["red_flag"],
                self_harm=o.self_harm or o.id in flagged["self_harm"],
                harm_baby=o.harm_baby or o.id in flagged["harm_baby"],
                serious=o.serious or o.id in flagged["serious"],
            ),
            stated,
        )
        for o, stated in pairs
    ]

    for option, stated_score in pairs:
        at = f"{where} option {option.id}"
        if option.exclusive and not multi:
            raise _fail(at, "'exclusive' only makes sense in a multi question")
        if option.exclusive and (option.alerts or option.serious):
            raise _fail(at, "an exclusive option ('none of these') cannot be positive, serious, red_flag, "
                        "self_harm or harm_baby")
        if option.serious and not option.positive:
            raise _fail(at, "a 'serious' option must also be 'positive'")
        if scoring is Scoring.SUM and not stated_score:
            raise _fail(at, "every option of a sum questionnaire needs a 'score'")
        if scoring is Scoring.SUM and option.positive:
            raise _fail(at, "'positive' is for flags questionnaires; a sum questionnaire uses bands")
        if scoring is Scoring.FLAGS and stated_score:
            raise _fail(at, "'score' is for sum questionnaires; a flags questionnaire uses 'positive'")
    if scoring is Scoring.SUM and multi:
        raise _fail(where, "a sum questionnaire's questions must be single choice")
    in_total = entry.get("in_total", True)
    if not isinstance(in_total, bool):
        raise _fail(where, f"'in_total' must be true or false, got {in_total!r}")
    if not in_total and scoring is not Scoring.SUM:
        raise _fail(where, "'in_total' is for sum questionnaires")
    return Question(
        id=question_id,
        multi=multi,
        texts=_texts(entry["text"], "text", MAX_QUESTION, where),
        options=tuple(option for option, _ in pairs),
        in_total=in_total,
    )


def _audience(raw: Any, where: str) -> MappingProxyType[Audience, tuple[int, int]]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(where, "'audience' must be a table such as { pregnancy = [0, 300] }")
    windows: dict[Audience, tuple[int, int]] = {}
    for key, value in raw.items():
        audience = _enum(Audience, key, "audience", where)
        if not isinstance(value, list) or len(value) != 2:
            raise _fail(where, f"audience {key!r} must be [first_day, last_day], got {value!r}")
        low, high = (_int(day, f"audience {key}", where) for day in value)
        min_day, max_day = AUDIENCE_LIMITS[audience]
        if not min_day <= low <= high <= max_day:
            raise _fail(where, f"audience {key!r} window {low}–{high} must lie within {min_day}–{max_day}")
        windows[audience] = (low, high)
    if set(windows) & _ABOUT_MOTHER and set(windows) - _ABOUT_MOTHER:
        raise _fail(where, "a questionnaire is about the mother (pregnancy, postpartum) or the child, not both")
    return MappingProxyType(windows)


def _bands(raw: Any, max_total: int, where: str) -> tuple[BandRule, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(b, dict) for b in raw):
        raise _fail(where, "a sum questionnaire needs [[questionnaires.bands]] tables")
    rules: list[BandRule] = []
    for index, entry in enumerate(raw):
        at = f"{where} bands[{index}]"
        _keys(entry, ("min", "max", "band"), frozenset({"label"}), at)
        low, high = _int(entry["min"], "min", at), _int(entry["max"], "max", at)
        label = entry.get("label")
        if label is not None:
            label = _id(label, MAX_LABEL_ID, "'label'", at)
        rules.append(BandRule(low, high, _enum(Band, entry["band"], "band", at), label))
    rules.sort(key=lambda rule: rule.low)
    expected = 0
    for rule in rules:
        if rule.low != expected or rule.high < rule.low:
            raise _fail(where, f"bands must cover totals 0–{max_total} without gaps or overlaps; "
                        f"expected a band from {expected}, got {rule.low}–{rule.high}")
        expected = rule.high + 1
    if expected != max_total + 1:
        raise _fail(where, f"bands end at {expected - 1}, but the highest possible total is {max_total}")
    return tuple(rules)


Advice = Mapping[Band, Mapping[str, str]]


def _advice_table(raw: Any, where: str) -> dict[Band, Mapping[str, str]]:
    if not isinstance(raw, dict):
        raise _fail(where, "advice must be a table of bands, e.g. [questionnaires.advice.none]")
    return {
        _enum(Band, band, "advice band", where): _texts(texts, f"advice.{band}", MAX_ADVICE, where)
        for band, texts in raw.items()
    }


def _advice_sets(raw: Any) -> dict[str, Advice]:
    if not isinstance(raw, dict):
        raise _fail(QUESTIONNAIRES_FILE, "'advice_sets' must hold [advice_sets.<name>.<band>] tables")
    return {
        _id(name, 32, "an advice set's name", f"{QUESTIONNAIRES_FILE}: advice_sets"): MappingProxyType(
            _advice_table(table, f"{QUESTIONNAIRES_FILE}: advice_sets.{name}")
        )
        for name, table in raw.items()
    }


def _reachable(
    questions: tuple[Question, ...], bands: tuple[BandRule, ...], positive: Band | None, serious: Band | None
) -> set[Band]:
    """Bands that need advice. Urgent through self-harm or harm_baby alone gets their own text instead."""
    reachable = {rule.band for rule in bands} | {Band.NONE}
    reachable |= {band for band in (positive, serious) if band is not None}
    if any(o.red_flag for q in questions for o in q.options):
        reachable.add(Band.URGENT)
    return reachable


_QUESTIONNAIRE_REQUIRED = ("id", "topic", "scoring", "status", "source", "title", "intro", "audience",
                           "questions", "advice")
_QUESTIONNAIRE_OPTIONAL = frozenset({"note", "bands", "positive_band", "step_to", "step_at",
                                     "consent_to_share", "hotline", "serious_band", "serious_count",
                                     "unvalidated"})


def _questionnaire(
    entry: Any, where: str, sets: OptionSets, advice_sets: Mapping[str, Advice],
    self_harm: Mapping[str, str] | None,
    harm_baby: Mapping[str, str] | None = None,
) -> Questionnaire:
    if not isinstance(entry, dict):
        raise _fail(where, "must be a table ([[questionnaires]])")
    questionnaire_id = _id(entry.get("id"), MAX_QUESTIONNAIRE_ID, "'id'", where)
    where = f"{where} ({questionnaire_id})"
    _keys(entry, _QUESTIONNAIRE_REQUIRED, _QUESTIONNAIRE_OPTIONAL, where)
    scoring = _enum(Scoring, entry["scoring"], "scoring", where)
    source = _text(entry, "source", where)
    if not source:
        raise _fail(where, "'source' must name the reference, e.g. 'clinical-content.md §6c [S33]'")

    raw_questions = entry["questions"]
    if not isinstance(raw_questions, list) or not raw_questions:
        raise _fail(where, "needs [[questionnaires.questions]]")
    questions = tuple(_question(q, where, sets, scoring) for q in raw_questions)
    question_ids = [q.id for q in questions]
    if len(set(question_ids)) != len(question_ids):
        raise _fail(where, "duplicate question ids")
    options = [o for q in questions for o in q.options]

    bands: tuple[BandRule, ...] = ()
    positive_band: Band | None = None
    step_to: str | None = None
    step_at: int | None = None
    serious_band: Band | None = None
    serious_count: int | None = None
    if scoring is Scoring.SUM:
        if "serious_band" in entry or "serious_count" in entry or any(o.serious for o in options):
            raise _fail(where, "'serious' findings are for flags questionnaires")
        if "positive_band" in entry:
            raise _fail(where, "'positive_band' is for flags questionnaires; a sum questionnaire uses bands")
        max_total = sum(q.max_score for q in questions if q.in_total)
        bands = _bands(entry.get("bands"), max_total, where)
        if ("step_to" in entry) != ("step_at" in entry):
            raise _fail(where, "'step_to' and 'step_at' go together")
        if "step_to" in entry:
            step_to = _id(entry["step_to"], MAX_QUESTIONNAIRE_ID, "'step_to'", where)
            step_at = _int(entry["step_at"], "step_at", where)
            if not 1 <= step_at <= max_total:
                raise _fail(where, f"'step_at' must be 1–{max_total}, got {step_at}")
    else:
        for key in ("bands", "step_to", "step_at"):
            if key in entry:
                raise _fail(where, f"{key!r} is for sum questionnaires")
        if any(o.positive for o in options):
            if "positive_band" not in entry:
                raise _fail(where, "has positive options but no 'positive_band'")
            positive_band = _enum(Band, entry["positive_band"], "positive_band", where)
            if positive_band is Band.NONE:
                raise _fail(where, "'positive_band' cannot be 'none'")
        elif "positive_band" in entry:
            raise _fail(where, "'positive_band' is set but no option is positive")
        if not any(o.alerts for o in options):
            raise _fail(where, "no option is positive, red_flag or self_harm: nothing could ever be found")
        if "serious_count" in entry:
            serious_count = _int(entry["serious_count"], "serious_count", where)
            if serious_count < 2:
                raise _fail(where, "'serious_count' must be 2 or more")
        if (any(o.serious for o in options) or serious_count is not None) and (
            "serious_band" not in entry or positive_band is None
        ):
            raise _fail(where, "serious findings need 'serious_band' and 'positive_band'")
        if "serious_band" in entry:
            serious_band = _enum(Band, entry["serious_band"], "serious_band", where)
            order = list(Band)  # most pressing first
            if positive_band is None or order.index(serious_band) >= order.index(positive_band):
                raise _fail(where, "'serious_band' must be more pressing than 'positive_band'")

    raw_advice = entry["advice"]
    if isinstance(raw_advice, str):
        if raw_advice not in advice_sets:
            raise _fail(where, f"unknown advice set {raw_advice!r}")
        advice = dict(advice_sets[raw_advice])
    else:
        advice = _advice_table(raw_advice, where)
    reachable = _reachable(questions, bands, positive_band, serious_band)
    missing = sorted(band.value for band in reachable - set(advice))
    if missing:
        raise _fail(where, f"missing advice for band(s) {', '.join(map(repr, missing))}")
    extra = sorted(band.value for band in set(advice) - reachable)
    if extra:
        raise _fail(where, f"advice for band(s) {', '.join(map(repr, extra))} that no answer can reach")

    has_self_harm = any(o.self_harm for o in options)
    if has_self_harm and self_harm is None:
        raise _fail(where, "has a self_harm option, so the file needs a [self_harm.advice] table")
    has_harm_baby = any(o.harm_baby for o in options)
    if has_harm_baby and harm_baby is None:
        raise _fail(where, "has a harm_baby option, so the file needs a [harm_baby.advice] table")
    unvalidated = entry.get("unvalidated", [])
    if not isinstance(unvalidated, list) or not set(unvalidated) <= set(LANGUAGES):
        raise _fail(where, f"'unvalidated' must be a list of languages from {LANGUAGES}, got {unvalidated!r}")
    hotline = entry.get("hotline")
    if hotline is not None and (not isinstance(hotline, str) or not _HOTLINE.fullmatch(hotline)):
        raise _fail(where, f"'hotline' must be a short number such as \"111\", got {hotline!r}")

    return Questionnaire(
        id=questionnaire_id,
        topic=_enum(Topic, entry["topic"], "topic", where),
        scoring=scoring,
        status=_enum(Status, entry["status"], "status", where),
        source=source,
        note=_text(entry, "note", where),
        audience=_audience(entry["audience"], where),
        titles=_texts(entry["title"], "title", MAX_TITLE, where),
        intros=_texts(entry["intro"], "intro", MAX_INTRO, where),
        questions=questions,
        bands=bands,
        positive_band=positive_band,
        step_to=step_to,
        step_at=step_at,
        consent_to_share=_bool(entry, "consent_to_share", where),
        hotline=hotline,
        advices=MappingProxyType(advice),
        self_harm_advices=self_harm if has_self_harm else None,
        harm_baby_advices=harm_baby if has_harm_baby else None,
        serious_band=serious_band,
        serious_count=serious_count,
        unvalidated=frozenset(unvalidated),
    )


def _check_step(source: Questionnaire, by_id: Mapping[str, Questionnaire], where: str) -> None:
    """Stepping (phq2 → phq9) keeps the answers given: every question of the short screen must be in the
    long one, with the same id, options and scores (any position: a safety item may come last)."""
    target = by_id.get(source.step_to or "")
    if target is None:
        raise _fail(where, f"'step_to' names unknown questionnaire {source.step_to!r}")
    if target.scoring is not Scoring.SUM or target.step_to is not None:
        raise _fail(where, f"'step_to' {target.id!r} must be a sum questionnaire that does not step on")
    if len(target.questions) <= len(source.questions):
        raise _fail(where, f"{target.id!r} must have more questions than {source.id!r}")
    for mine in source.questions:
        theirs = target.question(mine.id)
        same = theirs is not None and (
            [(o.id, o.score, o.self_harm, o.harm_baby) for o in mine.options]
            == [(o.id, o.score, o.self_harm, o.harm_baby) for o in theirs.options]
        )
        if not same:
            raise _fail(where, f"question {mine.id!r} must be repeated, with the same options and scores, "
                        f"in {target.id!r}, so that her answers carry over")


_SCHEDULE_OPTIONAL = frozenset({"days", "from_day", "to_day", "every_days", "only_if", "note"})
_RANGE_KEYS = ("from_day", "to_day", "every_days")


def _schedule_entry(entry: Any, where: str, by_id: Mapping[str, Questionnaire]) -> ScheduleEntry:
    if not isinstance(entry, dict):
        raise _fail(where, "must be a table ([[schedule]])")
    questionnaire_id = entry.get("questionnaire")
    where = f"{where} ({questionnaire_id})"
    _keys(entry, ("questionnaire", "track"), _SCHEDULE_OPTIONAL, where)
    target = by_id.get(questionnaire_id) if isinstance(questionnaire_id, str) else None
    if target is None:
        raise _fail(where, f"unknown questionnaire {questionnaire_id!r}")
    track = _enum(Track, entry["track"], "track", where)
    if track is Track.PLANNING:
        raise _fail(where, "only the 'pregnancy' and 'child' tracks have a schedule")

    has_range = [key in entry for key in _RANGE_KEYS]
    if "days" in entry and any(has_range):
        raise _fail(where, "give either 'days' or 'from_day'/'to_day'/'every_days', not both")
    if "days" in entry:
        raw = entry["days"]
        if not isinstance(raw, list) or not raw:
            raise _fail(where, "'days' must be a non-empty list of days")
        days = tuple(_int(day, "days", where) for day in raw)
    elif all(has_range):
        first, last, every = (_int(entry[key], key, where) for key in _RANGE_KEYS)
        if every < 1 or first > last:
            raise _fail(where, "need from_day ≤ to_day and every_days ≥ 1")
        days = tuple(range(first, last + 1, every))
    else:
        raise _fail(where, "needs 'days', or all of 'from_day', 'to_day' and 'every_days'")
    if list(days) != sorted(set(days)):
        raise _fail(where, "days must be in increasing order, each once")

    # Every scheduled day must be one on which /check would offer it too.
    kinds = (Audience.PREGNANCY,) if track is Track.PREGNANCY else (
        Audience.POSTPARTUM, Audience.NEWBORN, Audience.CHILD)
    windows = [target.audience[kind] for kind in kinds if kind in target.audience]
    if not windows:
        raise _fail(where, f"questionnaire {target.id!r} is not for the {track.value!r} track")
    outside = [day for day in days if not any(low <= day <= high for low, high in windows)]
    if outside:
        raise _fail(where, f"day(s) {outside} fall outside {target.id!r}'s audience window {windows}")
    return ScheduleEntry(
        questionnaire_id=target.id,
        track=track,
        days=days,
        only_if=_enum(Condition, entry.get("only_if", "always"), "only_if", where),
    )


_TOP_LEVEL = frozenset({"source", "status", "option_sets", "advice_sets", "self_harm", "harm_baby",
                        "questionnaires", "schedule"})


def _pathway_advice(doc: Mapping[str, Any], key: str) -> Mapping[str, str] | None:
    """The one text shown after any answer of that kind ([self_harm.advice], [harm_baby.advice])."""
    if key not in doc:
        return None
    where = f"{QUESTIONNAIRES_FILE}: {key}"
    table = doc[key]
    if not isinstance(table, dict):
        raise _fail(where, f"must be a table with an [{key}.advice] table")
    _keys(table, ("advice",), frozenset(), where)
    return _texts(table["advice"], "advice", MAX_ADVICE, where)


def parse_questionnaires(text: str) -> QuestionnaireCatalog:
    """Parse and validate the file's text. Raises ``QuestionnaireContentError`` naming the item at fault."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireContentError(f"{QUESTIONNAIRES_FILE}: not valid TOML: {exc}") from exc
    unknown = sorted(set(doc) - _TOP_LEVEL)
    if unknown:
        raise _fail(QUESTIONNAIRES_FILE, f"unknown top-level key(s) {', '.join(map(repr, unknown))}")

    sets = _option_sets(doc.get("option_sets", {}))
    advice_sets = _advice_sets(doc.get("advice_sets", {}))
    self_harm = _pathway_advice(doc, "self_harm")
    harm_baby = _pathway_advice(doc, "harm_baby")

    raw = doc.get("questionnaires")
    if not isinstance(raw, list) or not raw:
        raise _fail(QUESTIONNAIRES_FILE, "'questionnaires' must be a non-empty array of tables")
    found: list[Questionnaire] = []
    by_id: dict[str, Questionnaire] = {}
    for index, entry in enumerate(raw):
        item = _questionnaire(entry, f"{QUESTIONNAIRES_FILE}: questionnaires[{index}]", sets, advice_sets,
                              self_harm, harm_baby)
        if item.id in by_id:
            raise _fail(f"{QUESTIONNAIRES_FILE}: questionnaires[{index}] ({item.id})", f"duplicate id {item.id!r}")
        by_id[item.id] = item
        found.append(item)
    for index, item in enumerate(found):
        if item.step_to is not None:
            _check_step(item, by_id, f"{QUESTIONNAIRES_FILE}: questionnaires[{index}] ({item.id})")

    raw_schedule = doc.get("schedule", [])
    if not isinstance(raw_schedule, list):
        raise _fail(QUESTIONNAIRES_FILE, "'schedule' must be an array of tables ([[schedule]])")
    schedule: list[ScheduleEntry] = []
    seen: set[tuple[str, Track, int]] = set()
    for index, entry in enumerate(raw_schedule):
        where = f"{QUESTIONNAIRES_FILE}: schedule[{index}]"
        planned = _schedule_entry(entry, where, by_id)
        # The occurrence label ("d196") is part of an idempotency key: unique per questionnaire and track.
        for day in planned.days:
            key = (planned.questionnaire_id, planned.track, day)
            if key in seen:
                raise _fail(f"{where} ({planned.questionnaire_id})", f"day {day} is already scheduled")
            seen.add(key)
        schedule.append(planned)
    return QuestionnaireCatalog(questionnaires=tuple(found), schedule=tuple(schedule))


def _read() -> str:
    return read_packaged(QUESTIONNAIRES_FILE, QuestionnaireContentError)


@cache
def load_questionnaires() -> QuestionnaireCatalog:
    """The packaged questionnaires and schedule, loaded and validated once."""
    return parse_questionnaires(_read())


def questionnaires() -> tuple[Questionnaire, ...]:
    """All packaged questionnaires, in file order."""
    return load_questionnaires().questionnaires


def questionnaire(questionnaire_id: str) -> Questionnaire | None:
    """A packaged questionnaire by id, or None (ids come from the database and callback data)."""
    return load_questionnaires().get(questionnaire_id)
