"""kk and ru texts use the terms fixed in locales/GLOSSARY.md, never a forbidden variant.

Checked: every kk / ru msgstr in the catalogs and every string under a `kk` / `ru` key anywhere in
bot/content/*.toml (nested tables, arrays of tables, inline tables such as
`label = { kk = "...", ru = "..." }`). Forbidden variants are case-insensitive substrings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR

ROOT = LOCALES_DIR.parent
GLOSSARY = LOCALES_DIR / "GLOSSARY.md"
CONTENT_DIR = ROOT / "bot" / "content"
LANGS = ("kk", "ru")
COLUMNS = ["en", "kk", "ru", "forbidden kk", "forbidden ru"]


@dataclass(frozen=True)
class Term:
    en: str
    kk: str
    ru: str
    forbidden: dict[str, tuple[str, ...]]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse_glossary(text: str) -> list[Term]:
    """Rows of the first Markdown table whose header is exactly COLUMNS."""
    lines = text.splitlines()
    for start, line in enumerate(lines):  # noqa: B007 - `start` is read after the loop
        if line.lstrip().startswith("|") and [c.lower() for c in _cells(line)] == COLUMNS:
            break
    else:
        raise AssertionError(f"{GLOSSARY}: no table with columns {COLUMNS}")
    terms = []
    for line in lines[start + 2 :]:  # skip the header and the |---| separator
        if not line.lstrip().startswith("|"):
            break
        cells = _cells(line)
        assert len(cells) == len(COLUMNS), f"{GLOSSARY}: row must have {len(COLUMNS)} cells: {line!r}"
        en, kk, ru, forbidden_kk, forbidden_ru = cells
        forbidden = {
            lang: tuple(v.strip().lower() for v in cell.split(";") if v.strip())
            for lang, cell in (("kk", forbidden_kk), ("ru", forbidden_ru))
        }
        terms.append(Term(en, kk, ru, forbidden))
    return terms


@pytest.fixture(scope="module")
def terms() -> list[Term]:
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


def _offences(text: str, lang: str, terms: list[Term]) -> Iterator[tuple[Term, str]]:
    lowered = text.lower()
    for term in terms:
        for variant in term.forbidden[lang]:
            if variant in lowered:
                yield term, variant


def _snippet(text: str, variant: str, width: int = 50) -> str:
    at = text.lower().find(variant)
    start, end = max(0, at - width), min(len(text), at + len(variant) + width)
    return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")


def _toml_strings(node: Any, path: str = "", lang: str | None = None) -> Iterator[tuple[str, str, str]]:
    """(lang, dotted path, text) for every string under a kk/ru key, at any depth (a `kk` key may also hold
    an array or a table of strings: everything below it is Kazakh)."""
    if isinstance(node, str):
        if lang is not None:
            yield lang, path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            yield from _toml_strings(value, sub, key if key in LANGS else lang)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _toml_strings(value, f"{path}[{index}]", lang)


def _line_of(source: list[str], text: str, after: int = 0) -> int | None:
    """Best-effort 1-based line number of a toml value: the first line from `after` on (else from the top)
    that contains the value's first non-empty line."""
    first = next((line for line in text.splitlines() if line.strip()), text).strip()
    needle = first[:60]
    if not needle:
        return None
    for start in (after, 0):
        for number in range(start, len(source)):
            if needle in source[number]:
                return number + 1
    return None


def test_glossary_table_parses(terms: list[Term]) -> None:
    filled = [t for t in terms if t.en and t.kk and t.ru]
    assert len(filled) >= 20, f"only {len(filled)} glossary rows have en, kk and ru filled"
    ens = [t.en.lower() for t in terms]
    assert len(ens) == len(set(ens)), "duplicate en terms in the glossary"
    for lang in LANGS:
        preferred = {t.en: getattr(t, lang).lower() for t in terms}
        for term in terms:
            for variant in term.forbidden[lang]:
                clashes = [en for en, word in preferred.items() if variant in word]
                assert not clashes, f"{term.en!r}: forbidden {lang} {variant!r} matches the glossary's own term for {clashes}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_uses_glossary_terms(lang: str, terms: list[Term]) -> None:
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        for text in strings:
            for term, variant in _offences(text or "", lang, terms):
                problems.append(
                    f"{path.relative_to(ROOT)}: msgid {msgid[:60]!r}: {variant!r} (use {getattr(term, lang)!r} "
                    f"for {term.en!r}): {_snippet(text, variant)!r}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("toml_path", sorted(CONTENT_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_content_uses_glossary_terms(toml_path: Path, terms: list[Term]) -> None:
    raw = toml_path.read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    source = raw.splitlines()
    problems = []
    cursor = 0  # values come in document order: search onwards so repeated texts get their own line
    for lang, where, text in _toml_strings(data):
        start = _line_of(source, text, cursor)
        cursor = start if start else cursor
        for term, variant in _offences(text, lang, terms):
            # Point at the line holding the variant itself when the value spans several lines.
            line = None
            for part in text.splitlines() or [text]:
                if variant in part.lower():
                    line = _line_of(source, part, (start or 1) - 1)
                    break
            line = line or start
            problems.append(
                f"{toml_path.relative_to(ROOT)}:{line or '?'} {where}: {variant!r} (use {getattr(term, lang)!r} "
                f"for {term.en!r}): {_snippet(text, variant)!r}"
            )
    assert not problems, "\n".join(problems)
