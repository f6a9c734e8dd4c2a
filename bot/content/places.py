"""Regions and polyclinics, read from ``regions.toml`` and ``polyclinics.toml`` next to this file.

Both files are loaded once and validated on load; a broken file raises ``ContentError`` with the
file and entry at fault, so a bad edit fails at startup instead of in a conversation.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bot.content.common import LANGUAGES, ContentError, pick_language, read_packaged

__all__ = [
    "LANGUAGES",
    "ContentError",
    "Places",
    "Polyclinic",
    "Region",
    "load_places",
    "parse_places",
    "polyclinic",
    "polyclinics",
    "region",
    "regions",
]


_CODE = re.compile(r"[a-z0-9_]{1,24}")
REGIONS_FILE = "regions.toml"
POLYCLINICS_FILE = "polyclinics.toml"




@dataclass(frozen=True)
class Region:
    code: str
    names: dict[str, str] = field(hash=False)

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "ru", "en"); unknown languages fall back en → ru → kk."""
        return pick_language(self.names, lang)


@dataclass(frozen=True)
class Polyclinic:
    code: str
    region: str  # a Region code
    names: dict[str, str] = field(hash=False)
    # How families reach it, shown with "my nurse" when the operator has filled them in.
    phone: str | None = None
    address: str | None = None

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("kk", "ru", "en"); unknown languages fall back en → ru → kk."""
        return pick_language(self.names, lang)


@dataclass(frozen=True)
class Places:
    regions: tuple[Region, ...]
    polyclinics: tuple[Polyclinic, ...]


def _code(entry: Mapping[str, Any], where: str) -> str:
    code = entry.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ContentError(
            f"{where}: 'code' must be 1–24 characters of a–z, 0–9 and '_', got {code!r}"
        )
    return code


def _names(entry: Mapping[str, Any], where: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        value = entry.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{where}: missing or empty name in {lang!r}")
        names[lang] = value.strip()
    return names


def _table_list(value: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ContentError(f"{where}: expected an array of tables ([[...]])")
    return value


def parse_places(regions_toml: str, polyclinics_toml: str) -> Places:
    """Parse and validate the two files' text. Raises ``ContentError``."""
    try:
        regions_doc = tomllib.loads(regions_toml)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{REGIONS_FILE}: not valid TOML: {exc}") from exc
    try:
        clinics_doc = tomllib.loads(polyclinics_toml)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{POLYCLINICS_FILE}: not valid TOML: {exc}") from exc

    region_list: list[Region] = []
    region_codes: set[str] = set()
    raw_regions = _table_list(regions_doc.get("regions"), f"{REGIONS_FILE}: 'regions'")
    if not raw_regions:
        raise ContentError(f"{REGIONS_FILE}: no regions")
    for index, entry in enumerate(raw_regions):
        where = f"{REGIONS_FILE}: regions[{index}]"
        code = _code(entry, where)
        if code in region_codes:
            raise ContentError(f"{where}: duplicate region code {code!r}")
        region_codes.add(code)
        region_list.append(Region(code=code, names=_names(entry, f"{where} ({code})")))

    clinic_list: list[Polyclinic] = []
    clinic_codes: set[str] = set()
    by_region = clinics_doc.get("polyclinics", {})
    if not isinstance(by_region, dict):
        raise ContentError(f"{POLYCLINICS_FILE}: 'polyclinics' must be a table keyed by region code")
    for region_code, entries in by_region.items():
        if region_code not in region_codes:
            raise ContentError(
                f"{POLYCLINICS_FILE}: polyclinics.{region_code}: no such region in {REGIONS_FILE}"
            )
        for index, entry in enumerate(_table_list(entries, f"{POLYCLINICS_FILE}: polyclinics.{region_code}")):
            where = f"{POLYCLINICS_FILE}: polyclinics.{region_code}[{index}]"
            code = _code(entry, where)
            if code in clinic_codes:
                raise ContentError(f"{where}: duplicate polyclinic code {code!r}")
            clinic_codes.add(code)
            contact = {}
            for key in ("phone", "address"):
                value = entry.get(key)
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise ContentError(f"{where} ({code}): {key!r} must be a non-empty string when given")
                contact[key] = value.strip() if isinstance(value, str) else None
            clinic_list.append(
                Polyclinic(code=code, region=region_code, names=_names(entry, f"{where} ({code})"), **contact)
            )
    return Places(regions=tuple(region_list), polyclinics=tuple(clinic_list))


def _read(name: str) -> str:
    return read_packaged(name)


@cache
def load_places() -> Places:
    """The packaged content, loaded and validated once."""
    return parse_places(_read(REGIONS_FILE), _read(POLYCLINICS_FILE))


@cache
def _regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in load_places().regions}


@cache
def _polyclinics_by_code() -> dict[str, Polyclinic]:
    return {p.code: p for p in load_places().polyclinics}


@cache
def _polyclinics_by_region() -> dict[str, tuple[Polyclinic, ...]]:
    grouped: dict[str, list[Polyclinic]] = {}
    for clinic in load_places().polyclinics:
        grouped.setdefault(clinic.region, []).append(clinic)
    return {code: tuple(items) for code, items in grouped.items()}


def regions() -> tuple[Region, ...]:
    """All regions in display order."""
    return load_places().regions


def region(code: str) -> Region | None:
    return _regions_by_code().get(code)


def polyclinics(region_code: str) -> tuple[Polyclinic, ...]:
    """The region's polyclinics in file order; empty for an unknown region or one with none."""
    return _polyclinics_by_region().get(region_code, ())


def polyclinic(code: str) -> Polyclinic | None:
    return _polyclinics_by_code().get(code)
