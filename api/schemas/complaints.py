"""The bodies of a complaint (klage, R21): the complaint, the allocation unit's
reconsideration, the forwarding to Statsforvalteren and its outcome."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.cases import InterimServiceIn
from api.schemas.common import In, IsoDate, Short, Text
from domain.values import DecisionKind, FacilityKind, PlaceType


class ComplaintIn(In):
    """R21: a complaint (klage) against a decision, an offer, the breach of the guarantee or
    the priority given (pbrl § 7-2), by the person or on their behalf."""

    case_id: UUID
    against: Literal["decision", "offer", "breach", "priority"]
    subject_id: UUID | None = Field(
        None, description="the decision's or the offer's id; none for a breach or the "
        "priority")
    received_on: IsoDate
    grounds: Text
    complainant_role: Literal["person", "relative", "guardian", "lawyer"] = Field(
        "person", description="who complains: the person, a relative, a guardian (verge) or "
        "a lawyer (fullmektig)")
    complainant_name: Short | None = Field(
        None, description="required unless the person complains")


class NewDecisionIn(In):
    """R21: the new decision an outcome that changes a decision states. Every rule of an
    ordinary decision holds (§ 2-2 documentation, R4/R5/R6/R14); its maker and date are the
    outcome's."""

    kind: DecisionKind
    grounds: Text
    place_type: PlaceType | None = None
    facility_kind: FacilityKind | None = None
    can_be_cared_for_safely_at_home: bool | None = Field(
        None, description="R4 grant: false; R5 waiting list: true")
    alternatives_at_home: Text | None = Field(None, description="R6 for a younger person")
    interim_services: list[InterimServiceIn] | None = Field(None, max_length=20)


class ReconsiderationIn(In):
    """The allocation unit's reconsideration: upheld in full, or not (then forward it)."""

    upheld: bool
    outcome: Literal["changed", "quashed"] | None = Field(
        None, description="upheld: the decision changed (default: `new_decision` is made on "
        "the case now) or quashed (the case goes back to assessment)")
    new_decision: NewDecisionIn | None = Field(
        None, description="required when a complaint about a decision is upheld as changed")
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
    new_decision: NewDecisionIn | None = Field(
        None, description="required when a decision is changed: Statsforvalteren's new "
        "decision, made on the case now and linked to the complaint")


class OutcomeOut(BaseModel):
    """R21: an outcome recorded; ``new_decision_id``: the decision it made on the case."""

    recorded: Literal[True] = True
    case_id: UUID
    new_decision_id: UUID | None = None


class ComplaintCreated(BaseModel):
    complaint_id: UUID
    case_id: UUID
