"""The demo generator's Swedish sample texts, kept as data: one TOML file per demo module in this folder
(`care.toml`, `quality.toml`, `governance.toml`, `rostering.toml`), read with the standard library's `tomllib`.

`load(name)` reads a file once (cached). The modules build their typed constants from it at import with
`strings`, `mapping` and `records`, which check the shape of every entry: a missing or unknown field, a
section that is not there, a value of the wrong type or a placeholder (`{namn}` …) the module does not fill
fails loudly at import, naming the file and the entry. Each call also records what it read (`USED`), so the
tests can check that every section of every file is read by some module and nothing in a file is left over.

To add a text, add an entry to the section in the module's file; the tests in `bista/demo/tests/test_texts.py`
check it. A new section needs a line in the module that reads it.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Any, ForwardRef, NamedTuple, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])


class TextDataError(ValueError):
    """A demo text file does not have the shape its module expects."""


class Use(NamedTuple):
    """What a module read from a text file: a section, its kind and the placeholders its texts may use."""

    kind: str  # "strings", "text", "mapping" or "records"
    record: type | None
    placeholders: frozenset[str]


# (file, section) -> how it was read; filled as the demo modules are imported.
USED: dict[tuple[str, str], Use] = {}


def files() -> list[str]:
    """The names of the text files in this folder (without .toml)."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(".toml")
    )


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed contents of `<name>.toml` (read once)."""
    path = resources.files(__name__) / f"{name}.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise TextDataError(f"bista/demo/texts/{name}.toml: {error}") from error


def where(name: str, section: str, index: int | str | None = None) -> str:
    """Where an entry is, for error messages: the file, the section and the entry's number or key."""
    at = f"bista/demo/texts/{name}.toml, [{section}]"
    return at if index is None else f"{at} entry {index}"


def placeholders_in(text: str) -> set[str]:
    """The names of the `{…}` placeholders in a text (raises ValueError for a lone brace)."""
    return {field for _literal, field, _spec, _conversion in string.Formatter().parse(text) if field is not None}


def _check_text(value: Any, placeholders: frozenset[str], at: str) -> str:
    if not isinstance(value, str):
        raise TextDataError(f"{at}: expected a text, found {type(value).__name__} {value!r}")
    try:
        used = placeholders_in(value)
    except ValueError as error:
        raise TextDataError(f"{at}: {error} in {value!r}") from error
    unknown = used - placeholders
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in sorted(placeholders)) or "none"
        raise TextDataError(f"{at}: unknown placeholder {sorted(unknown)} (allowed: {allowed}) in {value!r}")
    return value


def _check_texts(value: Any, placeholders: frozenset[str], at: str) -> None:
    """Every text in a value (a text, or texts inside lists, tuples and tables) uses only `placeholders`."""
    if isinstance(value, str):
        _check_text(value, placeholders, at)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_texts(item, placeholders, at)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_texts(item, placeholders, f"{at}.{key}")


def _annotation(hint: Any) -> Any:
    """A field's annotation as written: NamedTuple turns the strings of `from __future__ import annotations`
    into ForwardRefs."""
    return hint.__forward_arg__ if isinstance(hint, ForwardRef) else hint


# The field types `records` checks itself (annotations are strings under `from __future__ import annotations`).
_SIMPLE_TYPES: dict[Any, type | tuple[type, ...]] = {
    "str": str,
    str: str,
    "int": int,
    int: int,
    "bool": bool,
    bool: bool,
}


def _section(name: str, section: str, kind: str, record: type | None, placeholders: Iterable[str]) -> Any:
    data = load(name)
    if section not in data:
        raise TextDataError(f"bista/demo/texts/{name}.toml: the section [{section}] is missing")
    USED[(name, section)] = Use(kind, record, frozenset(placeholders))
    return data[section]


def strings(name: str, section: str, *, placeholders: Iterable[str] = ()) -> tuple[str, ...]:
    """A list of texts: `section = ["…", …]`."""
    allowed = frozenset(placeholders)
    values = _section(name, section, "strings", None, allowed)
    if isinstance(values, str):
        return (_check_text(values, allowed, where(name, section)),)
    if not isinstance(values, list) or not values:
        raise TextDataError(f"{where(name, section)}: expected a non-empty list of texts")
    return tuple(_check_text(value, allowed, where(name, section, i + 1)) for i, value in enumerate(values))


def text(name: str, section: str, *, placeholders: Iterable[str] = ()) -> str:
    """A single text: `section = "…"`."""
    allowed = frozenset(placeholders)
    return _check_text(_section(name, section, "text", None, allowed), allowed, where(name, section))


def mapping(
    name: str,
    section: str,
    *,
    keys: Iterable[str] | None = None,
    all_keys: bool = False,
    placeholders: Iterable[str] = (),
) -> dict[str, Any]:
    """A table of texts (or lists of texts) by key: `[section]` with `key = "…"`; with `keys`, every key must
    be one of them (and, with `all_keys`, each of them must be there)."""
    allowed = frozenset(placeholders)
    values = _section(name, section, "mapping", None, allowed)
    if not isinstance(values, dict) or not values:
        raise TextDataError(f"{where(name, section)}: expected a non-empty table")
    if keys is not None:
        keys = list(keys)
        unknown = set(values) - set(keys)
        missing = set(keys) - set(values) if all_keys else set()
        if unknown or missing:
            raise TextDataError(
                f"{where(name, section)}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)} "
                f"(expected: {', '.join(keys)})"
            )
    result: dict[str, Any] = {}
    for key, value in values.items():
        at = where(name, section, repr(key))
        if isinstance(value, list):
            result[key] = tuple(_check_text(item, allowed, at) for item in value)
        else:
            result[key] = _check_text(value, allowed, at)
    return result


def records(
    name: str,
    section: str,
    record: type[T],
    *,
    placeholders: Iterable[str] = (),
    convert: Callable[[str, Any], Any] | None = None,
) -> tuple[T, ...]:
    """A list of `record`s (a NamedTuple): `[[section]]` tables with the record's fields as keys. Fields with a
    default may be left out; every text field may use `placeholders`; `convert(field, value)` turns a
    value into the record's type (an enum, a Decimal …) and raises ValueError for one it does not accept."""
    allowed = frozenset(placeholders)
    entries = _section(name, section, "records", record, allowed)
    if not isinstance(entries, list) or not entries:
        raise TextDataError(f"{where(name, section)}: expected [[{section}]] tables")
    fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]
    defaults: dict[str, Any] = record._field_defaults  # type: ignore[attr-defined]
    hints: dict[str, Any] = record.__annotations__
    built = []
    for i, entry in enumerate(entries, start=1):
        at = where(name, section, i)
        if not isinstance(entry, dict):
            raise TextDataError(f"{at}: expected a table")
        unknown = set(entry) - set(fields)
        missing = [field for field in fields if field not in entry and field not in defaults]
        if unknown or missing:
            raise TextDataError(
                f"{at}: unknown fields {sorted(unknown)}, missing fields {missing} (a {record.__name__} has "
                f"{', '.join(fields)})"
            )
        values: dict[str, Any] = {}
        for field, value in entry.items():
            if convert is not None:
                try:
                    value = convert(field, value)
                except (ValueError, KeyError, TypeError) as error:
                    raise TextDataError(f"{at}, {field}: {error} ({value!r})") from error
            expected = _SIMPLE_TYPES.get(_annotation(hints.get(field)))
            if expected is not None and (
                not isinstance(value, expected) or (expected is int and isinstance(value, bool))
            ):
                raise TextDataError(f"{at}, {field}: expected {_annotation(hints[field])}, found {value!r}")
            _check_texts(value, allowed, f"{at}, {field}")
            values[field] = value
        built.append(record(**values))
    return tuple(built)


def check_keys(name: str, section: str, found: Iterable[Any], expected: Iterable[Any], what: str) -> None:
    """The entries of a section cover exactly the keys a module draws from (`expected`, described by `what`):
    each key drawn needs a text, and a text for a key never drawn would never be used."""
    found, expected = set(found), set(expected)
    missing, unused = expected - found, found - expected
    if missing or unused:
        raise TextDataError(
            f"{where(name, section)}: no entry for {sorted(missing, key=str)} and entries for "
            f"{sorted(unused, key=str)}, which are not in {what}"
        )
