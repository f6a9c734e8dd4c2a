"""The care calendar, read from ``care_plans.toml`` next to this file.

Each item is something the bot reminds a family about (an antenatal contact, a screening, a vaccination,
a patronage home visit …) with a window in days counted from the track's anchor: day 0 of gestation for a
pregnancy, birth for a child, the day she said she is planning for a planning track.

The file is loaded once and validated on load; a broken file raises ``CareContentError`` naming the item
at fault, so a bad edit fails at startup instead of in a conversation. Plain data: no Telegram, no
database.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar

from bot.content.common import LANGUAGES, ContentError, pick_language, read_packaged
from bot.domain.calendar import Track  # the calendar's tracks: an item belongs to one

__all__ = [
    "CARE_PLANS_FILE",
    "DAY_LIMITS",
    "MAX_ABOUT",
    "MAX_TITLE",
    "CareContentError",
    "CareItem",
    "CareKind",
    "Status",
    "Track",
    "care_item",
    "care_items",
    "load_care_plans",
    "parse_care_plans",
]

CARE_PLANS_FILE = "care_plans.toml"
MAX_TITLE = 60
MAX_ABOUT = 300
_ID = re.compile(r"[a-z0-9_]{1,32}")
_E = TypeVar("_E", bound=StrEnum)


class CareKind(StrEnum):
    ANTENATAL_VISIT = "antenatal_visit"
    ULTRASOUND = "ultrasound"
    LAB_TEST = "lab_test"
    VACCINATION = "vaccination"
    PATRONAGE_VISIT = "patronage_visit"
    NEWBORN_SCREENING = "newborn_screening"
    DEVELOPMENT_CHECK = "development_check"
    PREPREGNANCY_CHECKUP = "prepregnancy_checkup"
    POSTNATAL_CARE = "postnatal_care"  # the mother's own check-ups after the birth (child track)


class Condition(StrEnum):
    """Who an item is for beyond its track (`only_if`); the planner knows each child's facts."""

    ROP_RISK = "rop_risk"  # born before 34 weeks or under 2,000 g: retinopathy eye screening


class Status(StrEnum):
    CONFIRMED = "confirmed"  # ✅ a source states it, timing included
    SECONDARY = "secondary"  # ⚠️ secondary source or partly stated
    UNCONFIRMED = "unconfirmed"  # ❌ not confirmed, or a default timing chosen by us


# Allowed window per track, in days from the track's anchor (both ends inclusive).
DAY_LIMITS: Mapping[Track, tuple[int, int]] = MappingProxyType(
    {
        Track.PREGNANCY: (0, 300),  # gestational age
        Track.CHILD: (0, 1826),  # age: birth to 5 years
        Track.PLANNING: (0, 365),  # days since she registered as planning
    }
)

_REQUIRED_KEYS = ("id", "track", "kind", "start_day", "end_day", "status", "source", "title", "about")
_KNOWN_KEYS = frozenset(_REQUIRED_KEYS) | {"note", "only_if"}


class CareContentError(ContentError):
    """The care calendar file is missing something or contradicts itself (a ``ValueError``)."""




@dataclass(frozen=True)
class CareItem:
    id: str
    track: Track
    kind: CareKind
    start_day: int  # inclusive, days from the track's anchor
    end_day: int  # inclusive
    status: Status
    source: str
    note: str
    titles: Mapping[str, str] = field(hash=False)
    abouts: Mapping[str, str] = field(hash=False)
    only_if: Condition | None = None  # only for a child (track) with this condition

    @property
    def for_mother(self) -> bool:
        """Her own check-up, on the child track: shown without the child's name, once for twins."""
        return self.kind is CareKind.POSTNATAL_CARE

    def title(self, lang: str) -> str:
        """The title in ``lang`` ("kk", "ru", "en"); unknown languages fall back en → ru → kk."""
        return pick_language(self.titles, lang)

    def about(self, lang: str) -> str:
        """The explanation in ``lang`` ("kk", "ru", "en"); unknown languages fall back en → ru → kk."""
        return pick_language(self.abouts, lang)

    @property
    def is_official(self) -> bool:
        """Only confirmed items may be shown as plain dates; the rest are guidance ("usually around …")."""
        return self.status is Status.CONFIRMED


def _enum(enum: type[_E], entry: Mapping[str, Any], key: str, where: str) -> _E:
    value = entry.get(key)
    if isinstance(value, str) and value in {member.value for member in enum}:
        return enum(value)
    allowed = ", ".join(repr(member.value) for member in enum)
    raise CareContentError(f"{where}: unknown {key} {value!r}; expected one of {allowed}")


def _day(entry: Mapping[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CareContentError(f"{where}: {key!r} must be a whole number of days, got {value!r}")
    return value


def _texts(entry: Mapping[str, Any], key: str, limit: int, where: str) -> MappingProxyType[str, str]:
    table = entry.get(key)
    if not isinstance(table, dict):
        raise CareContentError(f"{where}: missing [items.{key}] table with kk, ru and en")
    unknown = sorted(set(table) - set(LANGUAGES))
    if unknown:
        raise CareContentError(f"{where}: {key} has unknown language(s) {', '.join(map(repr, unknown))}")
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        value = table.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise CareContentError(f"{where}: missing or empty {key} in {lang!r}")
        value = value.strip()
        if len(value) > limit:
            raise CareContentError(
                f"{where}: {key} in {lang!r} is {len(value)} characters, at most {limit} allowed"
            )
        texts[lang] = value
    return MappingProxyType(texts)


def _item(entry: Mapping[str, Any], where: str) -> CareItem:
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not _ID.fullmatch(item_id):
        raise CareContentError(f"{where}: 'id' must be 1–32 characters of a–z, 0–9 and '_', got {item_id!r}")
    where = f"{where} ({item_id})"
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise CareContentError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    missing = [key for key in _REQUIRED_KEYS if key not in entry]
    if missing:
        raise CareContentError(f"{where}: missing key(s) {', '.join(map(repr, missing))}")

    track = _enum(Track, entry, "track", where)
    kind = _enum(CareKind, entry, "kind", where)
    status = _enum(Status, entry, "status", where)
    start_day = _day(entry, "start_day", where)
    end_day = _day(entry, "end_day", where)
    if start_day < 0 or start_day > end_day:
        raise CareContentError(
            f"{where}: need 0 ≤ start_day ≤ end_day, got start_day={start_day}, end_day={end_day}"
        )
    low, high = DAY_LIMITS[track]
    if start_day < low or end_day > high:
        raise CareContentError(
            f"{where}: window {start_day}–{end_day} is outside {low}–{high} days "
            f"allowed for track {track.value!r}"
        )

    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CareContentError(f"{where}: 'source' must name the reference keys, e.g. '[S17]'")
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise CareContentError(f"{where}: 'note' must be text, got {note!r}")
    only_if = _enum(Condition, entry, "only_if", where) if "only_if" in entry else None
    if only_if is not None and track is not Track.CHILD:
        raise CareContentError(f"{where}: 'only_if' conditions are about a child: use track 'child'")

    return CareItem(
        id=item_id,
        track=track,
        kind=kind,
        start_day=start_day,
        end_day=end_day,
        status=status,
        source=source.strip(),
        note=note.strip(),
        titles=_texts(entry, "title", MAX_TITLE, where),
        abouts=_texts(entry, "about", MAX_ABOUT, where),
        only_if=only_if,
    )


def _sort_key(item: CareItem) -> tuple[str, int, str]:
    return (item.track.value, item.start_day, item.id)


def parse_care_plans(text: str) -> tuple[CareItem, ...]:
    """Parse and validate the file's text. Items are sorted by (track, start_day, id).

    Raises ``CareContentError`` naming the item at fault.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CareContentError(f"{CARE_PLANS_FILE}: not valid TOML: {exc}") from exc
    raw = doc.get("items")
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise CareContentError(f"{CARE_PLANS_FILE}: 'items' must be an array of tables ([[items]])")
    if not raw:
        raise CareContentError(f"{CARE_PLANS_FILE}: no items")

    items: list[CareItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        item = _item(entry, f"{CARE_PLANS_FILE}: items[{index}]")
        if item.id in seen:
            where = f"{CARE_PLANS_FILE}: items[{index}] ({item.id})"
            raise CareContentError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return tuple(sorted(items, key=_sort_key))


def _read() -> str:
    return read_packaged(CARE_PLANS_FILE, CareContentError)


@cache
def load_care_plans() -> tuple[CareItem, ...]:
    """The packaged care calendar, loaded and validated once."""
    return parse_care_plans(_read())


@cache
def _by_id() -> dict[str, CareItem]:
    return {item.id: item for item in load_care_plans()}


@cache
def _by_track() -> dict[Track, tuple[CareItem, ...]]:
    return {track: tuple(i for i in load_care_plans() if i.track is track) for track in Track}


def care_items(track: Track | None = None) -> tuple[CareItem, ...]:
    """All items, or one track's, sorted by (track, start_day, id)."""
    if track is None:
        return load_care_plans()
    return _by_track()[Track(track)]


def care_item(item_id: str) -> CareItem | None:
    return _by_id().get(item_id)
