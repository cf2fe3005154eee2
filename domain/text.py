"""Free text that users give: no control characters, and not longer than a case needs.

Text is checked once, in the domain, whatever way it came in (JSON, a page form, the seed):
a NUL byte or a 100,000-character name is refused with an error naming the field.
"""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidValue

#: The longest text of a kind (characters).
SHORT = 200  # a name, a facility, a relation, an officer
LONG = 10_000  # an account, grounds, a summary


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
        if ch in "\n\t\r" and multiline:
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in "\u2028\u2029":
            raise InvalidValue(field, "contains a control character")
    return value
