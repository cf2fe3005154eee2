"""The bodies of an offer: a manual offer (R7, R18), the person's answer, the admission,
and :func:`type_reason`, which reads the reason for another place type from an offer or from
an allocation run's approval."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.allocation import ApproveIn, ChangeIn
from api.schemas.common import In, IsoDate, Text


class OfferIn(In):
    """A manual offer: an own place or another provider's place (exactly one)."""

    place_id: UUID | None = None
    provider_offer_id: UUID | None = None
    type_reason: Text | None = Field(
        None, description="R7: why a place of another type than the decided one (e.g. not "
        "screened for a person with dementia, to live with the spouse)")
    unsuitable_reason: Text | None = Field(
        None, description="R18: why a place that does not meet the decision is offered all "
        "the same (it does not meet the guarantee)")
    single_room_reason: Text | None = Field(
        None, description="R11: why a room of one bed is offered to a person whose spouse "
        "has a decision on an accompanying stay (the couple is otherwise offered a whole "
        "double room)")
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


def type_reason(body: OfferIn | ApproveIn | ChangeIn) -> str | None:
    """R7: the reason for another place type, under its name or its earlier one."""
    if body.type_reason is not None:
        return body.type_reason
    if "non_screened_reason" in body.model_fields_set:
        return body.__dict__.get("non_screened_reason")
    return None


class AnswerIn(In):
    """The person's answer to an offer."""

    answer: Literal["accept", "decline"]
    reason: Text | None = Field(None, description="required when declining")


class AdmissionIn(In):
    admitted_on: IsoDate | None = Field(None, description="default: today")


class OfferOut(BaseModel):
    case_id: UUID
    offer_id: UUID
