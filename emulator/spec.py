"""The Bot API spec (telegram-bot-api-10.1.json) compiled into request validators.

Every method gets one validator, built once per process. Top-level parameters arrive as strings
(query string, urlencoded or multipart form) or as JSON values (JSON body) and are converted the
way the Bot API server does; nested objects (reply_markup, entities, scope, ...) are JSON and are
checked strictly against their type definitions, including required fields and subtypes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from emulator.errors import ApiError, bad_request

SPEC_PATH = Path(__file__).with_name("telegram-bot-api-10.1.json")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


class _Bad(Exception):
    """A nested validation failure; containers prepend their key to ``path`` on the way up."""

    def __init__(self, kind: str, detail: str, path: list[str | int] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind  # "missing" | "type" | "value" | "json"
        self.detail = detail  # expected type for "type", a phrase for "value"
        self.path: list[str | int] = path or []


Validator = Callable[[Any, Mapping[str, UploadedFile]], Any]

_INT_RE = re.compile(r"^[+-]?\d{1,19}$")
_PRIMITIVES = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})
_DISCRIMINATOR_RE = re.compile(r'(?:always|must be) "?([a-z0-9_]+)"?\.?$')
_DISCRIMINATOR_FIELDS = ("type", "status", "source")


def _discriminator(fields: list[dict[str, Any]]) -> tuple[str, str] | None:
    """(field, constant) for subtypes such as BotCommandScopeChat: type "must be chat"."""
    for f in fields:
        if f["name"] in _DISCRIMINATOR_FIELDS and f["required"]:
            m = _DISCRIMINATOR_RE.search(f["description"])
            return (f["name"], m.group(1)) if m else None
    return None


def _type_label(alternatives: list[str]) -> str:
    return " or ".join(alternatives)


class _NestedCompiler:
    """Compiles nested (JSON) type expressions into validators, with a cache for recursion."""

    def __init__(self, types: dict[str, Any]) -> None:
        self.types = types
        self.cache: dict[str, Validator] = {}

    def union(self, alternatives: list[str]) -> Validator:
        if len(alternatives) == 1:
            return self.compile(alternatives[0])
        compiled = [(alt, self.compile(alt)) for alt in alternatives]
        required = [self._required_keys(alt) for alt in alternatives]
        label = _type_label(alternatives)

        def validate_union(value: Any, files: Mapping[str, UploadedFile]) -> Any:
            order = compiled
            if isinstance(value, dict):
                # Try the object types whose required fields are all present first (reply_markup).
                keys = value.keys()
                likely = [c for c, req in zip(compiled, required, strict=True) if req is not None and req <= keys]
                order = likely + [c for c in compiled if c not in likely]
            failures: list[_Bad] = []
            for _alt, validator in order:
                try:
                    return validator(value, files)
                except _Bad as exc:
                    failures.append(exc)
            deepest = max(failures, key=lambda e: len(e.path))
            if not deepest.path and deepest.kind == "type":
                raise _Bad("type", label)
            raise deepest

        return validate_union

    def _required_keys(self, expr: str) -> frozenset[str] | None:
        spec = self.types.get(expr)
        if spec is None or "fields" not in spec:
            return None
        return frozenset(f["name"] for f in spec["fields"] if f["required"])

    def compile(self, expr: str) -> Validator:
        cached = self.cache.get(expr)
        if cached is not None:
            return cached
        # A forwarder first, so recursive types (RichText, Message...) terminate.
        slot: list[Validator] = []

        def forward(value: Any, files: Mapping[str, UploadedFile]) -> Any:
            return slot[0](value, files)

        self.cache[expr] = forward
        real = self._build(expr)
        slot.append(real)
        self.cache[expr] = real
        return real

    def _build(self, expr: str) -> Validator:
        if expr.startswith("Array of "):
            return self._array(self.compile(expr[len("Array of ") :]), expr)
        if expr in _PRIMITIVES:
            return _NESTED_PRIMITIVES[expr]
        spec = self.types.get(expr)
        if spec is None:
            raise KeyError(f"unknown type in spec: {expr}")
        if "subtypes" in spec:
            return self._subtypes(expr, spec["subtypes"])
        fields = spec.get("fields")
        if not fields:
            return _any_object(expr)
        validator = self._object(expr, fields)
        if expr == "KeyboardButton":
            # "For simple text buttons, String can be used instead of this object."
            def keyboard_button(value: Any, files: Mapping[str, UploadedFile]) -> Any:
                if isinstance(value, str):
                    return {"text": value}
                return validator(value, files)

            return keyboard_button
        return validator

    def _array(self, item: Validator, expr: str) -> Validator:
        def validate_array(value: Any, files: Mapping[str, UploadedFile]) -> list[Any]:
            if not isinstance(value, list):
                raise _Bad("type", expr)
            result = []
            for index, element in enumerate(value):
                try:
                    result.append(item(element, files))
                except _Bad as exc:
                    exc.path.insert(0, index)
                    raise
            return result

        return validate_array

    def _object(self, expr: str, fields: list[dict[str, Any]]) -> Validator:
        compiled = [(f["name"], f["required"], self.union(f["types"])) for f in fields]
        constant = _discriminator(fields)

        def validate_object(value: Any, files: Mapping[str, UploadedFile]) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _Bad("type", expr)
            if constant is not None and value.get(constant[0], constant[1]) != constant[1]:
                # A concrete subtype (InputMediaPhoto...) must carry its own tag.
                raise _Bad("value", f'must be "{constant[1]}" for {expr}', [constant[0]])
            result: dict[str, Any] = {}
            for name, required, validator in compiled:
                item = value.get(name)
                if item is None:  # null means absent, as in tdlib's JSON reader
                    if required:
                        raise _Bad("missing", name, [name])
                    continue
                try:
                    result[name] = validator(item, files)
                except _Bad as exc:
                    exc.path.insert(0, name)
                    raise
            return result

        return validate_object

    def _subtypes(self, expr: str, subtypes: list[str]) -> Validator:
        discriminated: dict[str, Validator] = {}
        key: str | None = None
        for sub in subtypes:
            sub_spec = self.types.get(sub)
            if sub_spec is None:
                return self.union(subtypes)  # e.g. RichText: String | Array of RichText | ...
            found = _discriminator(sub_spec.get("fields", []))
            if found is None or (key is not None and found[0] != key):
                return self.union(subtypes)  # no common discriminator: try each subtype
            key = found[0]
            discriminated[found[1]] = self.compile(sub)
        assert key is not None
        disc = key

        def validate_subtype(value: Any, files: Mapping[str, UploadedFile]) -> Any:
            if not isinstance(value, dict):
                raise _Bad("type", expr)
            tag = value.get(disc)
            if tag is None:
                raise _Bad("missing", disc, [disc])
            validator = discriminated.get(tag) if isinstance(tag, str) else None
            if validator is None:
                raise _Bad("value", f"has unsupported value {json.dumps(tag)} for {expr}", [disc])
            return validator(value, files)

        return validate_subtype


def _any_object(expr: str) -> Validator:
    def validate_any(value: Any, files: Mapping[str, UploadedFile]) -> Any:
        if not isinstance(value, dict):
            raise _Bad("type", expr)
        return value

    return validate_any


def _nested_integer(value: Any, files: Mapping[str, UploadedFile]) -> int:
    if type(value) is int:
        return value
    raise _Bad("type", "Integer")


def _nested_float(value: Any, files: Mapping[str, UploadedFile]) -> float | int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise _Bad("type", "Float")


def _nested_string(value: Any, files: Mapping[str, UploadedFile]) -> str:
    if isinstance(value, str):
        return value
    raise _Bad("type", "String")


def _nested_boolean(value: Any, files: Mapping[str, UploadedFile]) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad("type", "Boolean")


def _nested_true(value: Any, files: Mapping[str, UploadedFile]) -> bool:
    if value is True:
        return True
    raise _Bad("type", "True")


def _nested_input_file(value: Any, files: Mapping[str, UploadedFile]) -> UploadedFile:
    if isinstance(value, UploadedFile):
        return value
    if isinstance(value, str) and value.startswith("attach://"):
        found = files.get(value[len("attach://") :])
        if found is None:
            raise _Bad("value", f"refers to a missing multipart part {json.dumps(value)}")
        return found
    raise _Bad("type", "InputFile")


_NESTED_PRIMITIVES: dict[str, Validator] = {
    "Integer": _nested_integer,
    "Float": _nested_float,
    "String": _nested_string,
    "Boolean": _nested_boolean,
    "True": _nested_true,
    "InputFile": _nested_input_file,
}


# --- top level: strings from forms/query, or JSON values from a JSON body ---------------------


def _top_integer(value: Any, files: Mapping[str, UploadedFile]) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value)
    raise _Bad("type", "Integer")


def _top_float(value: Any, files: Mapping[str, UploadedFile]) -> float:
    if type(value) in (int, float):
        return float(value)
    if isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            pass
        else:
            if result == result and result not in (float("inf"), float("-inf")):
                return result
    raise _Bad("type", "Float")


_BOOL_WORDS = {"true": True, "1": True, "false": False, "0": False}


def _top_boolean(value: Any, files: Mapping[str, UploadedFile]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        found = _BOOL_WORDS.get(value.lower())
        if found is not None:
            return found
    raise _Bad("type", "Boolean")


def _top_true(value: Any, files: Mapping[str, UploadedFile]) -> bool:
    if _top_boolean(value, files) is True:
        return True
    raise _Bad("type", "True")


def _top_string(value: Any, files: Mapping[str, UploadedFile]) -> str:
    if isinstance(value, str):
        return value
    if type(value) in (int, float):
        return str(value)  # the Bot API server stringifies JSON numbers
    raise _Bad("type", "String")


def _top_input_file(value: Any, files: Mapping[str, UploadedFile]) -> UploadedFile:
    return _nested_input_file(value, files)


_TOP_PRIMITIVES: dict[str, Validator] = {
    "Integer": _top_integer,
    "Float": _top_float,
    "String": _top_string,
    "Boolean": _top_boolean,
    "True": _top_true,
    "InputFile": _top_input_file,
}
# Try the strict conversions before the catch-all String (chat_id: "123" -> 123, "@x" -> "@x").
_TOP_ORDER = {"InputFile": 0, "Integer": 1, "Float": 2, "Boolean": 3, "True": 3, "String": 9}


def _json_top(name: str, nested: Validator) -> Validator:
    def validate_json(value: Any, files: Mapping[str, UploadedFile]) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise _Bad("json", name) from None
        return nested(value, files)

    return validate_json


# Telegram's own wording for some missing parameters.
_MISSING: dict[tuple[str | None, str], str] = {
    (None, "chat_id"): "chat_id is empty",
    ("sendMessage", "text"): "message text is empty",
    ("editMessageText", "text"): "message text is empty",
    (None, "message_id"): "message identifier is not specified",
    (None, "photo"): "there is no photo in the request",
    (None, "document"): "there is no document in the request",
    (None, "video"): "there is no video in the request",
    (None, "audio"): "there is no audio in the request",
    (None, "voice"): "there is no voice in the request",
    (None, "animation"): "there is no animation in the request",
    (None, "sticker"): "there is no sticker in the request",
    (None, "callback_query_id"): "QUERY_ID_INVALID",
    (None, "from_chat_id"): "from_chat_id is empty",
    (None, "commands"): "commands must be non-empty",
    (None, "action"): "action is empty",
}


def _format_path(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass
class MethodSpec:
    name: str
    returns: list[str]
    fields: list[tuple[str, bool, Validator]]
    labels: dict[str, str]

    @property
    def returns_true(self) -> bool:
        return bool({"Boolean", "True"} & set(self.returns))

    def validate(self, params: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> dict[str, Any]:
        """Convert and check the parameters; unknown ones are dropped, as Telegram ignores them."""
        result: dict[str, Any] = {}
        for name, required, validator in self.fields:
            value = params.get(name)
            if value is None or value == "":
                if required:
                    raise self._missing(name)
                continue
            try:
                result[name] = validator(value, files)
            except _Bad as exc:
                raise self._error(name, exc) from None
        return result

    def _missing(self, name: str) -> ApiError:
        reason = _MISSING.get((self.name, name)) or _MISSING.get((None, name))
        return bad_request(reason or f'parameter "{name}" is required')

    def _error(self, name: str, exc: _Bad) -> ApiError:
        if exc.kind == "json":
            if name == "reply_markup":
                return bad_request("can't parse reply keyboard markup JSON object")
            return bad_request(f"can't parse {name} JSON object")
        if not exc.path:
            if exc.kind == "type":
                return bad_request(f'field "{name}" must be of type {self.labels[name]}')
            return bad_request(f'field "{name}" {exc.detail}')
        leaf = next((p for p in reversed(exc.path) if isinstance(p, str)), name)
        if exc.kind == "missing":
            detail = f'Can\'t find field "{leaf}"'
        elif exc.kind == "type":
            detail = f'Field "{leaf}" must be of type {exc.detail}'
        else:
            detail = f'Field "{leaf}" {exc.detail}'
        where = _format_path([name, *exc.path])
        return bad_request(f"{_context(name, exc.path)}: {detail} (at {where})")


def _context(name: str, path: list[str | int]) -> str:
    if name == "reply_markup" and len(path) >= 3:
        if path[0] == "inline_keyboard":
            return "can't parse inline keyboard button"
        if path[0] == "keyboard":
            return "can't parse keyboard button"
    if name == "reply_markup":
        return "can't parse reply keyboard markup JSON object"
    if name.endswith("entities"):
        return "can't parse entities"
    return f"can't parse {name} JSON object"


class BotApiSpec:
    """The loaded spec plus one compiled validator per method (name lookups are case-insensitive)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.types: dict[str, Any] = raw["types"]
        self.raw_methods: dict[str, Any] = raw["methods"]
        self._nested = _NestedCompiler(self.types)
        self.methods: dict[str, MethodSpec] = {}
        self._by_lower: dict[str, str] = {}
        for name, method in self.raw_methods.items():
            self.methods[name] = self._compile_method(name, method)
            self._by_lower[name.lower()] = name

    def canonical(self, method: str) -> str | None:
        return self._by_lower.get(method.lower())

    def nested_validator(self, type_name: str) -> Validator:
        return self._nested.compile(type_name)

    def _compile_method(self, name: str, method: dict[str, Any]) -> MethodSpec:
        fields = []
        labels = {}
        for f in method.get("fields", []):
            fields.append((f["name"], f["required"], self._top(f["name"], f["types"])))
            labels[f["name"]] = _type_label(f["types"])
        return MethodSpec(name=name, returns=list(method.get("returns", [])), fields=fields, labels=labels)

    def _top(self, name: str, alternatives: list[str]) -> Validator:
        ordered = sorted(alternatives, key=lambda t: _TOP_ORDER.get(t, 5))
        converters = [
            _TOP_PRIMITIVES[alt] if alt in _TOP_PRIMITIVES else _json_top(name, self._nested.compile(alt))
            for alt in ordered
        ]
        if len(converters) == 1:
            return converters[0]
        label = _type_label(alternatives)

        def validate_top_union(value: Any, files: Mapping[str, UploadedFile]) -> Any:
            failures: list[_Bad] = []
            for converter in converters:
                try:
                    return converter(value, files)
                except _Bad as exc:
                    failures.append(exc)
            if all(exc.kind == "json" for exc in failures):
                raise failures[0]
            deepest = max(failures, key=lambda e: len(e.path))
            if not deepest.path and deepest.kind in ("type", "json"):
                raise _Bad("type", label)
            raise deepest

        return validate_top_union


@lru_cache(maxsize=1)
def load_spec() -> BotApiSpec:
    """Load and compile once per process: validators are reused by every emulator instance."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return BotApiSpec(json.load(fh))
