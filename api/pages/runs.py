"""Recorded allocation runs (tildelingsrunder) as the pages show them: who was proposed which
place, in words, with the optimizer's reasons (R17, R21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from api.pages import words as w
from domain.allocation import AllocationRun
from domain.errors import DomainError


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    at: datetime
    started_by: str
    as_of: Any
    proposed: int
    waiting: int


def recorded_runs(service: Any, municipality: str, *, until: datetime | None = None,
                  limit: int = 15) -> list[RunSummary]:
    """The municipality's latest runs (recorded at or before ``until``), newest first.
    Only the newest are decoded: a run holds its whole problem."""
    topic = get_topic(AllocationRun.Proposed)
    found = []
    start = 1
    while True:
        batch = service.recorder.select_notifications(start=start, limit=1000, topics=[topic])
        if not batch:
            break
        found.extend(batch)
        start = batch[-1].id + 1
    out: list[RunSummary] = []
    for n in reversed(found):
        e = service.mapper.to_domain_event(n)
        if e.municipality != municipality or (until is not None and e.timestamp > until):
            continue
        out.append(RunSummary(str(e.originator_id), e.timestamp, e.started_by, e.as_of,
                              len(e.plan.get("assignments", [])),
                              len(e.problem.get("persons", []))))
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class RunItem:
    case_id: str
    name: str
    outcome: str  # "own", "purchase" or "none"
    place_words: str | None
    place_id: str | None
    status: str | None  # the officer's answer, for proposed offers
    explanation: str
    rank: int


def _place_words(service: Any, municipality: str, assignment: dict[str, Any]) -> str:
    try:
        if assignment["kind"] == "own":
            p = service.get_place(municipality, UUID(assignment["place_id"]))
            return (f"{p.facility_name}, avdeling {p.unit}, rom {p.room} "
                    f"({w.label(w.PLACE_TYPES, p.place_type)}, "
                    f"{w.label(w.ROOM_KINDS, p.room_kind)})")
        o = service.get_provider_offer(municipality, UUID(assignment["place_id"]))
        return (f"kjøp: {o.facility_name} hos {o.provider} "
                f"({w.label(w.PLACE_TYPES, o.place_type)}, {w.kroner(o.price_per_day)} "
                "per døgn)")
    except DomainError:
        kind = w.label(w.PLACE_TYPES, assignment.get("place_type"))
        return f"{assignment.get('facility_id', '?')} ({kind})"


def run_items(service: Any, run: AllocationRun, names: dict[str, str]) -> list[RunItem]:
    """Every person in the run's problem: the proposed offer (if any) and the reasons."""
    explanations = {e["case_id"]: e for e in run.plan.get("explanations", [])}
    items = []
    for case_id, e in explanations.items():
        assignment = run.proposed.get(case_id)
        words = _place_words(service, run.municipality, assignment) if assignment else None
        items.append(RunItem(
            case_id=case_id, name=names.get(case_id) or _name(service, run.municipality, case_id),
            outcome=e.get("outcome", "none"), place_words=words,
            place_id=assignment["place_id"] if assignment else None,
            status=run.item_status.get(case_id), explanation=w.explanation_text(e, words),
            rank=int(e.get("waiting_list_rank") or 0)))
    items.sort(key=lambda i: (i.outcome == "none", i.rank))
    return items


def _name(service: Any, municipality: str, case_id: str) -> str:
    try:
        return str(service.get_case(municipality, UUID(case_id)).person.name)
    except (DomainError, ValueError):
        return "(ukjent sak)"
