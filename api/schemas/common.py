"""What every body shares: the bounded text types (:data:`Text`, :data:`Short`,
:data:`IdentityText`), :class:`In` (a request body that forbids unknown fields), :func:`mask`
for the identity number, and the two bodies any group of routes uses: :class:`ReasonIn` and
:class:`Recorded`."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: A line or a paragraph of text (no control characters but tab and line breaks).
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_NO_CONTROL)]
#: A name, a facility id, a reference.
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
#: The identity number: 11 digits (spaces allowed); the domain checks the check digits.
IdentityText = Annotated[str, StringConstraints(min_length=11, max_length=13,
                                                pattern=r"^[0-9 ]+$")]


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
