"""Allocation runs (tildelingsrunder): the optimizer proposes, an officer approves, changes
(with a reason) or rejects each proposed offer (R17); a complaint handler re-runs a recorded
run and sees the identical plan (R21). Plans name cases, so these routes are in the access
log (each call lists the cases it showed)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Path, Request

from api.audit import note_cases
from api.deps import CurrentRuntime, Officer, OfficerOrHandler
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import actor
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset
from api.routing import AuditedRoute
from api.schemas import (
    ApproveIn,
    ChangeIn,
    OfferOut,
    ReasonIn,
    Recorded,
    RerunOut,
    RunIn,
    RunSummary,
    RunView,
    type_reason,
)
from api.schemas.allocation import RerunPerson, RunPerson
from application import memory
from domain.allocation import AllocationRun
from domain.errors import InvalidValue, NotFound

router = APIRouter(tags=["Tildeling (allocation runs)"], route_class=AuditedRoute,
                   responses=ERROR_RESPONSES)

RunId = Annotated[UUID, Path(description="an allocation run")]
CaseId = Annotated[UUID, Path(description="the case of a proposed offer")]


def run_view(run: AllocationRun, offset: int = 0, limit: int = DEFAULT_LIMIT) -> RunView:
    people = run.people()
    return RunView(run_id=run.id, at=run.created_on, as_of=run.as_of,
                   started_by=run.started_by, problem_hash=run.problem_hash,
                   solver=run.solver, plan_status=str(run.plan.get("status", "")),
                   summary=run.summary, read_position=run.read_position,
                   total=len(people), offset=offset, limit=limit,
                   items=[RunPerson(**p) for p in people[offset:offset + limit]])


@router.post("/allocation-runs", status_code=201, response_model=RunView,
             summary="Start an allocation run: the optimizer's proposal, with its explanation")
def start_allocation_run(request: Request, p: Officer, rt: CurrentRuntime, cid: CommandId,
                         after: BackgroundTasks, body: RunIn | None = None,
                         limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> RunView:
    """Nothing is offered yet: each proposed offer waits for an officer (R17). When persons
    on the list have no priority assessment, the run answers 409 ``unassessed_persons``
    with their ``case_ids``, until it is sent again with ``confirm_unassessed`` (R16).
    The answer is the run's first page of persons (``limit``, ``offset``)."""
    run = rt.service.start_allocation_run(
        p.municipality, started_by=actor(p),
        confirm_unassessed=body.confirm_unassessed if body else False, command_id=cid)
    view = run_view(run, offset, limit)
    note_cases(request, [i.case_id for i in view.items])
    after.add_task(memory.give_back)  # a run's problem is large: its memory back when sent
    return view


@router.get("/allocation-runs", response_model=list[RunSummary],
            summary="The municipality's allocation runs, oldest first")
def list_allocation_runs(p: OfficerOrHandler, rt: CurrentRuntime) -> list[RunSummary]:
    """Each run's summary, from the read models (no run is decoded)."""
    return [RunSummary(**row) for row in rt.fresh().allocation_runs(p.municipality)]


@router.get("/allocation-runs/{run_id}", response_model=RunView,
            summary="A run: a page of its persons, with the proposal, each item's status "
            "and the reasons")
def read_allocation_run(run_id: RunId, request: Request, p: OfficerOrHandler,
                        rt: CurrentRuntime, limit: Limit = DEFAULT_LIMIT,
                        offset: Offset = 0) -> RunView:
    """Persons proposed an offer first, then the others, each by rank; ``total`` persons
    in all. Only the persons on the page are shown (and logged)."""
    run = rt.service.get_allocation_run(p.municipality, run_id)
    view = run_view(run, offset, limit)
    note_cases(request, [i.case_id for i in view.items])
    return view


@router.get("/allocation-runs/{run_id}/rerun", response_model=RerunOut,
            summary="R21: solve the recorded problem again; the plan must be identical")
def rerun_allocation_run(run_id: RunId, request: Request, p: OfficerOrHandler,
                         rt: CurrentRuntime, limit: Limit = DEFAULT_LIMIT,
                         offset: Offset = 0) -> RerunOut:
    """``identical`` compares the whole plan; ``items`` compare a page of its persons
    (recorded and now), ``differing`` counts those that differ."""
    run = rt.service.get_allocation_run(p.municipality, run_id)
    result = rt.service.rerun_allocation(p.municipality, run_id)
    persons = result.persons()
    page = persons[offset:offset + limit]
    note_cases(request, [i["case_id"] for i in page])
    return RerunOut(run_id=result.run_id, identical=result.identical,
                    problem_hash=result.problem_hash, recorded_problem_hash=run.problem_hash,
                    differing=sum(1 for i in persons if not i["same"]),
                    total=len(persons), offset=offset, limit=limit,
                    items=[RerunPerson(**i) for i in page])


def _target(place_id: UUID | None, provider_offer_id: UUID | None) -> None:
    if place_id is not None and provider_offer_id is not None:
        raise InvalidValue("place_id", "name either an own place or another provider's")


@router.post("/allocation-runs/{run_id}/items/{case_id}/approve", status_code=201,
             response_model=OfferOut, summary="R17: approve the proposed offer as proposed")
def approve_proposed_offer(run_id: RunId, case_id: CaseId, body: ApproveIn, p: Officer,
                           rt: CurrentRuntime) -> OfferOut:
    """The offer is made as a manual one would be (R7, R10, R19, capacity checked again);
    case, place and run saved together. Safe to retry (the run remembers the item)."""
    offer_id = rt.service.approve_proposal(
        p.municipality, run_id, case_id, approved_by=actor(p),
        type_reason=type_reason(body),
        unsuitable_reason=body.unsuitable_reason)
    return OfferOut(case_id=case_id, offer_id=offer_id)


@router.post("/allocation-runs/{run_id}/items/{case_id}/change", status_code=201,
             response_model=OfferOut,
             summary="R17: approve with another place than proposed, with the reason")
def change_proposed_offer(run_id: RunId, case_id: CaseId, body: ChangeIn, p: Officer,
                          rt: CurrentRuntime) -> OfferOut:
    _target(body.place_id, body.provider_offer_id)
    if body.place_id is None and body.provider_offer_id is None:
        raise InvalidValue("place_id", "name the place to offer instead")
    offer_id = rt.service.approve_proposal(
        p.municipality, run_id, case_id, approved_by=actor(p), place_id=body.place_id,
        provider_offer_id=body.provider_offer_id, reason=body.reason,
        type_reason=type_reason(body),
        unsuitable_reason=body.unsuitable_reason)
    return OfferOut(case_id=case_id, offer_id=offer_id)


@router.post("/allocation-runs/{run_id}/items/{case_id}/reject", response_model=Recorded,
             summary="R17: reject the proposed offer, with the reason")
def reject_proposed_offer(run_id: RunId, case_id: CaseId, body: ReasonIn, p: Officer,
                          rt: CurrentRuntime, cid: CommandId) -> Recorded:
    run = rt.service.get_allocation_run(p.municipality, run_id)
    if str(case_id) not in run.proposed:
        raise NotFound("the run proposed no offer for this case", field="case_id")
    rt.service.reject_proposal(p.municipality, run_id, case_id, rejected_by=actor(p),
                               reason=body.reason, command_id=cid)
    return Recorded(case_id=case_id)
