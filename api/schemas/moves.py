"""The bodies of moves (flytting, R28): a move offered to a resident, the answer, the move
carried out, and a new decision on the place type for a resident (a change of need)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from api.schemas.common import In, IsoDate, Text
from domain.values import FacilityKind, MoveReason, PlaceType


class MoveOfferIn(In):
    """A move offered to a resident: another own place, for one of four reasons."""

    place_id: UUID
    reason: MoveReason = Field(description=(
        "R28: change_of_need (to a place of the type a new decision gives), "
        "spouses_together (to the facility where the spouse lives or is offered a place, "
        "R10), free_choice (to a facility wished for before the present one, R20), "
        "bought_to_own (from a bought place to an own place)"))
    type_reason: Text | None = Field(
        None, description="R7: why a place between ordinary and screened that the decision "
        "does not give")


class MoveAnswerIn(In):
    """The resident's answer to a move offer. Declining costs nothing (R28)."""

    answer: Literal["accept", "decline"]
    reason: Text | None = Field(None, description="why the move was declined (optional)")


class MoveCarriedOutIn(In):
    """The move: out of the old place and into the new one on the same day."""

    moved_on: IsoDate | None = Field(
        None, description="the move day (R24): the old place is vacant and the new one "
        "occupied from it; ahead, it is planned. Default: today, or the day the new place is "
        "available")


class PlaceTypeDecisionIn(In):
    """R28: a new decision (vedtak) on the place type for a resident, who keeps their place
    and is from then on a mover to a place of that type. Checked like a grant (R8's § 2-2
    items for the type, R14's grounds, R24's date). The decision maker is you."""

    place_type: PlaceType
    facility_kind: FacilityKind | None = None
    grounds: Text
    decided_on: IsoDate | None = Field(None, description="R24: the decision date; default "
                                       "today")
