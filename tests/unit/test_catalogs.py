"""Every kk and ru entry is translated, not fuzzy, and keeps the msgid's placeholders and tags."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")


def load(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _strings(message) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strs = message.string if isinstance(message.string, tuple) else (message.string,)
    return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strs)]


def test_template_matches_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every string in the code is in the template (re-extract and compare msgids)."""
    from babel.messages.extract import extract_from_dir

    root = LOCALES_DIR.parent
    in_code = set()
    keywords = {"_": None, "__": None, "gettext": None, "ngettext": (1, 2)}
    for folder in ("bot", "handlers", "scheduler", "console"):
        for _, _, message, _, _ in extract_from_dir(root / folder, method_map=[("**.py", "python")], keywords=keywords):
            in_code.add(message[0] if isinstance(message, tuple) else message)
    # The console's templates (Jinja2's own Babel extractor, as babel.cfg says).
    for _, _, message, _, _ in extract_from_dir(
        root / "console" / "templates", method_map=[("**.html", "jinja2")], keywords=keywords,
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        in_code.add(message[0] if isinstance(message, tuple) else message)
    assert "Live alerts" in in_code and "Sign in to the AnaBala console" in in_code  # both kinds were read
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    assert in_code - template == set(), "run the pybabel extract/update commands in the README"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_catalog_complete(lang: str) -> None:
    catalog = load(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        for msgid, msgstr in _strings(message):
            if not msgstr:
                problems.append(f"untranslated: {msgid!r}")
                continue
            if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
                problems.append(f"placeholders differ: {msgid!r}")
            if sorted(TAG.findall(msgid)) != sorted(TAG.findall(msgstr)):
                problems.append(f"HTML tags differ: {msgid!r}")
            if sorted(COMMAND.findall(msgid)) != sorted(COMMAND.findall(msgstr)):
                problems.append(f"commands differ: {msgid!r}")
            # str.format must accept the translation with the msgid's names.
            names = {field for _, field, _, _ in string.Formatter().parse(msgid) if field}
            try:
                msgstr.format(**{name: "x" for name in names})
            except (KeyError, IndexError, ValueError):
                problems.append(f"does not format: {msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalog_in_sync_with_template(lang: str) -> None:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = load(lang)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert not missing, f"run pybabel update (see README): {missing[:5]}"

