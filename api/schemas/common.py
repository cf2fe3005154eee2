"""What every body shares: the bounded text types (:data:`Text`, :data:`Short`,
:data:`IdentityText`), the strict time types (:data:`IsoDate`, :data:`IsoMoment`), :class:`In`
(a request body that forbids unknown fields), :func:`mask` for the identity number, and the
two bodies any group of routes uses: :class:`ReasonIn` and :class:`Recorded`."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: A line or a paragraph of text (no control characters but tab and line breaks).
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_NO_CONTROL)]
#: A name, a facility id, a reference.
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
#: The identity number: 11 digits (spaces allowed); the domain checks the check digits.
IdentityText = Annotated[str, StringConstraints(min_length=11, max_length=13,
                                                pattern=r"^[0-9 ]+$")]

#: Whole numbers by name (an IPLOS variable's score, a § 3-3 factor's severity): each name
#: is :data:`Short` text. Published with the names' rules as ``propertyNames`` (pydantic
#: would publish them as ``patternProperties``, which leaves any other name allowed).
ScoresByName = Annotated[dict[Short, int], WithJsonSchema({
    "type": "object", "additionalProperties": {"type": "integer"},
    "propertyNames": {"minLength": 1, "maxLength": 200, "pattern": _NO_CONTROL}})]

#: A price in NOK per day: above 0, below a million, to the øre; a JSON number or its text.
PricePerDay = Annotated[Decimal, Field(gt=0, lt=1_000_000, max_digits=12, decimal_places=2),
                        WithJsonSchema({"anyOf": [
                            {"type": "number", "exclusiveMinimum": 0,
                             "exclusiveMaximum": 1_000_000, "multipleOf": 0.01},
                            {"type": "string", "pattern": r"^(?:[1-9][0-9]{0,5}(?:\.[0-9]{1,2})?"
                             r"|0\.(?:[1-9][0-9]?|0[1-9]))$"}]})]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date(value: Any) -> Any:
    """A date in a body is a calendar date written YYYY-MM-DD: pydantic would also take the
    number ``0`` (or ``"0"``) as 1 January 1970, and a moment at midnight as its date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("a date written YYYY-MM-DD, e.g. 2026-03-02")


def _iso_moment(value: Any) -> Any:
    """A moment in a body is ISO 8601 with date and time, never a number (a Unix time)."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_MOMENT.match(value)):
        return value
    raise ValueError("a moment written in ISO 8601, e.g. 2026-03-02T08:00:00+01:00")


#: Every date field of every body: a real calendar date, written YYYY-MM-DD.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: Every moment field of every body: ISO 8601 with date and time.
IsoMoment = Annotated[datetime, BeforeValidator(_iso_moment)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def mask(identity_number: str) -> str:
    """The birth-date part and five stars: enough to tell two persons apart on a screen,
    never the whole number."""
    return identity_number[:6] + "*****"


class ReasonIn(In):
    reason: Text


class Recorded(BaseModel):
    """A write that creates nothing new to name."""

    recorded: Literal[True] = True
    case_id: UUID | None = None
