"""The bodies of a complaint (klage, R21): the complaint, the allocation unit's
reconsideration, the forwarding to Statsforvalteren and its outcome."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import In, IsoDate, Text


class ComplaintIn(In):
    """R21: a complaint (klage) against a decision or an offer."""

    case_id: UUID
    against: Literal["decision", "offer"]
    subject_id: UUID = Field(description="the decision's or the offer's id")
    received_on: IsoDate
    grounds: Text


class ReconsiderationIn(In):
    """The allocation unit's reconsideration: upheld in full, or not (then forward it)."""

    upheld: bool
    reasoning: Text
    decided_on: IsoDate | None = Field(None, description="default: today")
    late_reason: Text | None = Field(
        None, description="why a complaint received after the deadline is taken up all the "
        "same (forvaltningsloven § 31); required when the complaint is late")


class ForwardIn(In):
    forwarded_on: IsoDate | None = Field(None, description="default: today")


class OutcomeIn(In):
    """Statsforvalteren's outcome."""

    outcome: Literal["confirmed", "changed", "quashed"]
    decided_on: IsoDate
    summary: Text


class ComplaintCreated(BaseModel):
    complaint_id: UUID
    case_id: UUID
