"""Free text that users give: no control characters, and not longer than a case needs.

Text is checked once, in the domain, whatever way it came in (JSON, a page form, the seed,
the command line): :class:`~domain.base.Base` checks every text an event is about to carry
— in the event's own fields and inside its lists and records — before the event exists, so
a NUL byte or a 100,000-character name is refused with an error naming the field, and
nothing is written.

A field is *short* (a name, an officer, a facility, a code: one line, at most
:data:`SHORT` characters) unless it is one of :data:`LONG_FIELDS` (an account, grounds, a
summary: line breaks and tabs allowed, at most :data:`LONG` characters).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from domain.errors import InvalidValue

#: The longest text of a kind (characters).
SHORT = 200
LONG = 10_000
#: Fields that hold prose (line breaks allowed); every other text field is short.
LONG_FIELDS = frozenset({
    "account", "what_matters", "information", "summary", "conclusion", "statement", "grounds",
    "legal_basis", "alternatives_at_home", "reason", "reasoning", "departure_reason",
    "type_reason", "unsuitable_reason", "outcome", "extent", "complaint_right",
    "complaint_to", "detail", "text", "late_reason",
})
#: Fields the domain writes itself (codes, hashes, ids): not checked as user text.
_NOT_TEXT = frozenset({"command_id", "problem_hash", "originator_topic", "problem", "plan",
                       "solver", "record", "assignments"})


def check_text(field: str, value: str | None, max_length: int = SHORT, *,
               multiline: bool = False) -> str | None:
    """``value`` unchanged if it is acceptable text; :class:`InvalidValue` otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    if len(value) > max_length:
        raise InvalidValue(field, f"at most {max_length} characters")
    for ch in value:
        if multiline and ch in "\n\t\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in "\u2028\u2029":
            raise InvalidValue(field, "contains a control character")
    return value


def check_texts(values: dict[str, Any]) -> None:
    """Check every text among an event's ``values`` (see the module docstring)."""
    for name, value in values.items():
        if name not in _NOT_TEXT:
            _check(name, name, value)


def _check(path: str, name: str, value: Any) -> None:
    if isinstance(value, str):
        long = name in LONG_FIELDS
        check_text(path, value, LONG if long else SHORT, multiline=long)
    elif isinstance(value, list | tuple):
        for item in value:
            _check(path, name, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _check(f"{path}.{f.name}", f.name, getattr(value, f.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(path, key)
            _check(path, name, item)
