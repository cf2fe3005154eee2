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
    """One run in the list of runs, without its problem or plan (read from the read
    models: the list never decodes a run)."""

    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    persons: int = Field(description="persons on the waiting list the run considered")
    vacancies: int
    purchasable: int = Field(description="other providers' places it could buy")
    proposed: int = Field(description="offers proposed")
    unplaced: int
    approved: int = Field(description="proposals approved as proposed so far")
    changed: int = Field(description="proposals approved with another place so far")
    rejected: int


class RunPerson(BaseModel):
    """One person of a run: the outcome, the proposed offer (if any) with the officer's
    answer, and the reasons as recorded."""

    case_id: str
    rank: int = Field(description="place on the waiting list (1 = first)")
    outcome: str = Field(description="own, purchase or none")
    kind: str | None = Field(None, description="the proposed offer: own or purchase")
    place_id: str | None = Field(None, description="the proposed place or provider offer")
    facility_id: str | None = None
    place_type: str | None = None
    room: str | None = None
    price_per_day_ore: int | None = None
    status: str | None = Field(None, description="proposed, approved, changed or rejected; "
                               "none without a proposal")
    offer_id: str | None = Field(None, description="the offer made when approved")
    explanation: dict[str, Any] = Field(description="the optimizer's reasons (R21)")


class Paged(BaseModel):
    """A page of persons: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    total: int
    offset: int
    limit: int


class RunView(Paged):
    """An allocation run: what it considered, and a page of its persons — those proposed an
    offer first, then the others, each by rank — with the proposal, the officer's answer to
    it (R17) and the reasons."""

    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    solver: dict[str, Any]
    plan_status: str
    summary: dict[str, int] = Field(description="persons, vacancies, purchasable, proposed, "
                                    "unplaced")
    read_position: int | None = Field(None, description="the read models' position the "
                                      "problem was built from")
    items: list[RunPerson]


class RerunPerson(BaseModel):
    case_id: str
    same: bool = Field(description="the same outcome, place and reasons as recorded")
    recorded: dict[str, Any] = Field(description="outcome, place_id and reasons recorded")
    rerun: dict[str, Any] = Field(description="outcome, place_id and reasons now")


class RerunOut(Paged):
    """R21: the recorded problem solved again; a page of its persons compared."""

    run_id: UUID
    identical: bool
    problem_hash: str
    recorded_problem_hash: str
    differing: int = Field(description="persons whose outcome, place or reasons differ")
    items: list[RerunPerson]
