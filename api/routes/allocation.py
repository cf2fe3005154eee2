"""Allocation runs (tildelingsrunder): the optimizer proposes, an officer approves, changes
(with a reason) or rejects each proposed offer (R17); a complaint handler re-runs a recorded
run and sees the identical plan (R21). Plans name cases, so these routes are in the access
log (each call lists the cases it showed)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from eventsourcing.utils import get_topic
from fastapi import APIRouter, Path, Request

from api.deps import (
    AuditedRoute,
    CommandId,
    CurrentRuntime,
    Officer,
    OfficerOrHandler,
    note_cases,
)
from api.errors import ERROR_RESPONSES
from api.routes.common import actor
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
from application.service import AllocationService
from domain.allocation import AllocationRun
from domain.errors import InvalidValue, NotFound

router = APIRouter(tags=["Tildeling (allocation runs)"], route_class=AuditedRoute,
                   responses=ERROR_RESPONSES)

RunId = Annotated[UUID, Path(description="an allocation run")]
CaseId = Annotated[UUID, Path(description="the case of a proposed offer")]


def run_view(run: AllocationRun) -> RunView:
    items: list[dict[str, Any]] = []
    for case_id, item in run.proposed.items():
        offer_id = run.offer_ids.get(case_id)
        items.append({**item, "status": run.item_status[case_id],
                      "offer_id": str(offer_id) if offer_id else None})
    return RunView(run_id=run.id, at=run.created_on, as_of=run.as_of,
                   started_by=run.started_by, problem_hash=run.problem_hash,
                   solver=run.solver, plan=run.plan, items=items)


def _plan_cases(run: AllocationRun) -> list[str]:
    """Every case the run's problem and plan name (the waiting persons it considered)."""
    persons = run.problem.get("persons", [])
    return list(dict.fromkeys([str(p["case_id"]) for p in persons if "case_id" in p]
                              + list(run.proposed)))


def _runs(service: AllocationService, municipality: str) -> list[RunSummary]:
    """The municipality's runs, oldest first, from their creation events."""
    out: list[RunSummary] = []
    start = 1
    topic = get_topic(AllocationRun.Proposed)
    while True:
        batch = service.recorder.select_notifications(start=start, limit=500, topics=[topic])
        for n in batch:
            e = service.mapper.to_domain_event(n)
            if isinstance(e, AllocationRun.Proposed) and e.municipality == municipality:
                out.append(RunSummary(
                    run_id=e.originator_id, at=e.timestamp, as_of=e.as_of,
                    started_by=e.started_by, problem_hash=e.problem_hash,
                    proposed=len(e.plan.get("assignments", []))))
        if len(batch) < 500:
            return out
        start = batch[-1].id + 1


@router.post("/allocation-runs", status_code=201, response_model=RunView,
             summary="Start an allocation run: the optimizer's proposal, with its explanation")
def start_allocation_run(request: Request, p: Officer, rt: CurrentRuntime, cid: CommandId,
                         body: RunIn | None = None) -> RunView:
    """Nothing is offered yet: each proposed offer waits for an officer (R17). When persons
    on the list have no priority assessment, the run answers 409 ``unassessed_persons``
    with their ``case_ids``, until it is sent again with ``confirm_unassessed`` (R16)."""
    run_id = rt.service.run_allocation(
        p.municipality, started_by=actor(p),
        confirm_unassessed=body.confirm_unassessed if body else False, command_id=cid)
    run = rt.service.get_allocation_run(p.municipality, run_id)
    note_cases(request, _plan_cases(run))
    return run_view(run)


@router.get("/allocation-runs", response_model=list[RunSummary],
            summary="The municipality's allocation runs, oldest first")
def list_allocation_runs(p: OfficerOrHandler, rt: CurrentRuntime) -> list[RunSummary]:
    return _runs(rt.service, p.municipality)


@router.get("/allocation-runs/{run_id}", response_model=RunView,
            summary="A run: its proposal, explanation and each item's status")
def read_allocation_run(run_id: RunId, request: Request, p: OfficerOrHandler,
                        rt: CurrentRuntime) -> RunView:
    run = rt.service.get_allocation_run(p.municipality, run_id)
    note_cases(request, _plan_cases(run))
    return run_view(run)


@router.get("/allocation-runs/{run_id}/rerun", response_model=RerunOut,
            summary="R21: solve the recorded problem again; the plan must be identical")
def rerun_allocation_run(run_id: RunId, request: Request, p: OfficerOrHandler,
                         rt: CurrentRuntime) -> RerunOut:
    run = rt.service.get_allocation_run(p.municipality, run_id)
    note_cases(request, _plan_cases(run))
    result = rt.service.rerun_allocation(p.municipality, run_id)
    return RerunOut(run_id=result.run_id, identical=result.identical,
                    problem_hash=result.problem_hash, recorded_problem_hash=run.problem_hash,
                    recorded_plan=result.recorded_plan, plan=result.plan)


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
