"""Finding a case and the case worker's worklists (issue 17).

``POST /case-search`` takes what to look for in its **body** — a case number, a name, or an
identity number — so an identity number is never in a URL, a query string or a log line.
Exactly one of the three is given. The answer is a page of cases (case number, name,
status; never the identity number). Every search is access-logged like any read of persons:
the cases shown are named, the search term never is (:mod:`api.deps`).

``GET /worklists`` gives each worklist's total; ``GET /worklists/{worklist}`` a page of one
(:mod:`projections.casework`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.audit import note_cases
from api.deps import CurrentRuntime, Officer, OfficerOrHandler
from api.errors import ERROR_RESPONSES
from api.routes.common import today
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset
from api.routing import AuditedRoute
from api.schemas.common import IdentityText, In
from domain.case_number import CaseNumber
from domain.errors import InvalidValue
from projections.casework import WORKLISTS
from projections.casework_rows import missing_items

router = APIRouter(tags=["Finne saker og arbeidslister (finding cases, worklists)"],
                   route_class=AuditedRoute, responses=ERROR_RESPONSES)


class CaseSearchIn(In):
    """Exactly one of the three (two or none: 422 naming a field)."""

    case_number: str | None = Field(None, min_length=1, max_length=20,
                                    description="saksnummer, e.g. 2026/0042")
    name: str | None = Field(None, min_length=1, max_length=200,
                             pattern=r"^[^\x00-\x1f\x7f]*$",
                             description="every word must be a word of the person's name")
    identity_number: IdentityText | None = Field(
        None, description="fødselsnummer or D-number (in the body only, never in a URL)")


class FoundCase(BaseModel):
    case_id: UUID
    case_number: str | None
    name: str
    status: str
    received_on: str


class CaseSearchOut(BaseModel):
    cases: list[FoundCase]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class Found:
    """The cases a search found (documents of the read models), and how many in all."""

    docs: list[dict[str, Any]]
    total: int


def find_cases(rt: Any, municipality: str, *, case_number: str | None = None,
               name: str | None = None, identity_number: str | None = None,
               offset: int = 0, limit: int = DEFAULT_LIMIT) -> Found:
    """The one search behind the route and the pages. A malformed case number or identity
    number raises :class:`InvalidValue` naming the field (never echoing the value)."""
    given = [f for f, v in (("case_number", case_number), ("name", name),
                            ("identity_number", identity_number)) if v is not None]
    if len(given) != 1:
        raise InvalidValue(given[1] if given else "name", "give exactly one of case_number, "
                           "name and identity_number")
    read = rt.fresh()
    if case_number is not None:
        doc = read.find_by_case_number(municipality, str(CaseNumber.parse(case_number)))
        return Found([doc] if doc is not None and offset == 0 else [], int(doc is not None))
    if identity_number is not None:
        ids = rt.service.cases_of_person(municipality, "".join(identity_number.split()))
        docs = read.case_docs(municipality, [str(i) for i in ids])
        return Found(docs[offset:offset + limit], len(docs))
    if name is None or not name.strip():
        raise InvalidValue("name", "write a name to search for")
    found = read.search_by_name(municipality, name, offset, limit)
    return Found(found.docs, found.total)


@router.post("/case-search", response_model=CaseSearchOut,
             summary="Find cases by case number, name or identity number (in the body)")
def search_cases(body: CaseSearchIn, request: Request, p: OfficerOrHandler,
                 rt: CurrentRuntime, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
                 ) -> CaseSearchOut:
    """Newest case first for an identity number; by name otherwise. The cases shown are in
    the access log; what was searched for is not."""
    found = find_cases(rt, p.municipality, case_number=body.case_number, name=body.name,
                       identity_number=body.identity_number, offset=offset, limit=limit)
    note_cases(request, [d["case_id"] for d in found.docs])
    return CaseSearchOut(cases=[FoundCase(
        case_id=d["case_id"], case_number=d.get("case_number"), name=d["name"],
        status=d["status"], received_on=d["received_on"]) for d in found.docs],
        total=found.total, offset=offset, limit=limit)


class WorklistRow(BaseModel):
    case_id: UUID
    case_number: str | None
    name: str
    status: str
    day: str = Field(description="what the list is sorted by: received, review due, answer "
                     "deadline, admission day, or the complaint's receipt")
    missing_documentation: list[str] = Field(
        description="R8: what the application still lacks (investigation and ready lists)")
    complaint_id: UUID | None = None


class WorklistOut(BaseModel):
    worklist: str
    rows: list[WorklistRow]
    total: int
    offset: int
    limit: int


class WorklistsOut(BaseModel):
    totals: dict[str, int]


Worklist = Literal["investigation", "ready", "review", "answer", "admission", "complaints"]
assert set(Worklist.__args__) == set(WORKLISTS)  # type: ignore[attr-defined]


@router.get("/worklists", response_model=WorklistsOut,
            summary="How many each of the case worker's worklists holds")
def read_worklists(p: Officer, rt: CurrentRuntime) -> WorklistsOut:
    """No person is shown: only the totals."""
    return WorklistsOut(totals=rt.fresh().worklist_counts(p.municipality, today(rt)))


@router.get("/worklists/{worklist}", response_model=WorklistOut,
            summary="A page of one worklist: under investigation, ready for decision, "
                    "reviews due, offers awaiting an answer, planned admissions, complaints")
def read_worklist(worklist: Worklist, request: Request, p: Officer, rt: CurrentRuntime,
                  offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> WorklistOut:
    day = today(rt)
    page = rt.fresh().worklist_page(p.municipality, worklist, offset, limit, day)
    rows: list[WorklistRow] = []
    if worklist == "complaints":
        cases = {d["case_id"]: d for d in rt.fresh().case_docs(
            p.municipality, [c["case_id"] for c, _ in page.rows])}
        for complaint, received in page.rows:
            case = cases.get(complaint["case_id"])
            if case is not None:
                rows.append(WorklistRow(
                    case_id=case["case_id"], case_number=case.get("case_number"),
                    name=case["name"], status=str(complaint.get("status")), day=received,
                    missing_documentation=[], complaint_id=complaint["complaint_id"]))
    else:
        rows = [WorklistRow(case_id=d["case_id"], case_number=d.get("case_number"),
                            name=d["name"], status=d["status"], day=when,
                            missing_documentation=missing_items(d, day)
                            if d["status"] == "received" else [])
                for d, when in page.rows]
    note_cases(request, [r.case_id for r in rows])
    return WorklistOut(worklist=worklist, rows=rows, total=page.total, offset=offset,
                       limit=limit)
