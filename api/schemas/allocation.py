"""The bodies of allocation runs: a run, the officer's approval or change of a proposed offer
(R17), and the run as recorded and as solved again (R21)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import In, Text


class ApproveIn(In):
    """R17: approve the proposed offer as proposed."""

    type_reason: Text | None = Field(None, description="R7, if not proposed with one")
    unsuitable_reason: Text | None = Field(None, description="R18")
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


class ChangeIn(In):
    """R17: approve with another place than the one proposed; the reason is required."""

    place_id: UUID | None = None
    provider_offer_id: UUID | None = None
    reason: Text
    type_reason: Text | None = None
    unsuitable_reason: Text | None = None
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


class RunIn(In):
    """An allocation run. R16, R17: when persons on the list are not assessed, the run is
    refused (409 ``unassessed_persons`` naming them) until it is sent with
    ``confirm_unassessed``."""

    confirm_unassessed: bool = False


class RunSummary(BaseModel):
    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    proposed: int


class RunView(BaseModel):
    """An allocation run: the proposal with its explanation and the officer's answer to
    each proposed offer (R17)."""

    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    solver: dict[str, Any]
    plan: dict[str, Any]
    items: list[dict[str, Any]] = Field(
        description="one per proposed offer: case_id, proposed target, status "
        "(proposed/approved/changed/rejected), offer_id once approved")


class RerunOut(BaseModel):
    """R21: the recorded problem solved again."""

    run_id: UUID
    identical: bool
    problem_hash: str
    recorded_problem_hash: str
    recorded_plan: dict[str, Any]
    plan: dict[str, Any]
