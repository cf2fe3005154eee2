"""Complaints (klage, R21): registered against a decision or an offer, reconsidered by the
allocation unit, forwarded to Statsforvalteren when not upheld in full, and the outcome
recorded. The complaint handler registers and follows them; the allocation unit reads them.
A complaint is about a person's case, so every route here is in the access log."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.audit import note_cases
from api.casefile import contents, documents
from api.casefile.package import package
from api.deps import ComplaintHandler, CurrentRuntime, OfficerOrHandler
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import actor, plain, today
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset, page
from api.routing import AuditedRoute
from api.schemas import (
    ComplaintCreated,
    ComplaintIn,
    ForwardIn,
    NewDecisionIn,
    OutcomeIn,
    OutcomeOut,
    PagedReportOut,
    ReconsiderationIn,
    Recorded,
    ReportOut,
)
from application.complaints import NewDecision
from domain.complaint import ComplaintOutcome, ComplaintSubject
from domain.errors import NotFound
from domain.values import InterimService

router = APIRouter(tags=["Klage (complaints)"], route_class=AuditedRoute,
                   responses=ERROR_RESPONSES)

ComplaintId = Annotated[UUID, Path(description="a complaint (klage)")]


def _new_decision(body: NewDecisionIn | None) -> NewDecision | None:
    if body is None:
        return None
    return NewDecision(
        kind=body.kind.value, grounds=body.grounds, place_type=body.place_type,
        facility_kind=body.facility_kind,
        can_be_cared_for_safely_at_home=body.can_be_cared_for_safely_at_home,
        alternatives_at_home=body.alternatives_at_home,
        interim_services=[InterimService(s.service, s.extent)
                          for s in body.interim_services or []])


def _case_of(request: Request, rt: Any, municipality: str, complaint_id: UUID) -> UUID:
    """Load the complaint (404 unless it is the caller's municipality's) and name its case
    in the access log."""
    complaint = rt.service.get_complaint(municipality, complaint_id)
    note_cases(request, [complaint.case_id])
    return complaint.case_id  # type: ignore[no-any-return]


@router.post("/complaints", status_code=201, response_model=ComplaintCreated,
             summary="R21: register a complaint against a decision, an offer, the breach of "
                     "the guarantee or the priority given")
def register_complaint(body: ComplaintIn, request: Request, p: ComplaintHandler,
                       rt: CurrentRuntime, cid: CommandId) -> ComplaintCreated:
    """One received after the deadline (four weeks from the person's receipt of the
    decision, R14) is registered and flagged late; ``late`` is null while the decision's
    sending and receipt are not recorded."""
    note_cases(request, [body.case_id])
    complaint_id = rt.service.register_complaint(
        p.municipality, body.case_id, against=ComplaintSubject(body.against),
        subject_id=body.subject_id, received_on=body.received_on, grounds=body.grounds,
        registered_by=actor(p), complainant_role=body.complainant_role,
        complainant_name=body.complainant_name, command_id=cid)
    return ComplaintCreated(complaint_id=complaint_id, case_id=body.case_id)


@router.get("/complaints", response_model=PagedReportOut,
            summary="The municipality's complaints (of one case if given), oldest first, a "
                    "page at a time")
def list_complaints(request: Request, p: OfficerOrHandler, rt: CurrentRuntime,
                    case_id: Annotated[UUID | None, Query()] = None, offset: Offset = 0,
                    limit: Limit = DEFAULT_LIMIT) -> PagedReportOut:
    """The access log names the cases of the page shown (at most ``limit``)."""
    if case_id is not None:
        rt.service.get_case(p.municipality, case_id)
    every = rt.fresh().complaints(p.municipality, case_id)
    rows = plain(page(every, offset, limit))
    note_cases(request, [r["case_id"] for r in rows])
    return PagedReportOut(municipality=p.municipality, today=today(rt), data=rows,
                          total=len(every), offset=offset, limit=limit)


@router.get("/complaints/{complaint_id}", response_model=ReportOut,
            summary="A complaint: status, subject, dates, reconsideration, outcome, history")
def read_complaint(complaint_id: ComplaintId, request: Request, p: OfficerOrHandler,
                   rt: CurrentRuntime) -> ReportOut:
    _case_of(request, rt, p.municipality, complaint_id)
    row = rt.fresh().complaint(p.municipality, complaint_id)
    if row is None:
        raise NotFound("no complaint with that id", field="complaint_id")
    return ReportOut(municipality=p.municipality, today=today(rt), data=plain(row))


@router.post("/complaints/{complaint_id}/reconsideration", response_model=OutcomeOut,
             summary="The allocation unit's reconsideration: upheld in full (the decision "
                     "changed — a new decision on the case — or quashed), or not; a late "
                     "complaint is taken up with `late_reason` (fvl § 31)")
def record_reconsideration(complaint_id: ComplaintId, body: ReconsiderationIn,
                           request: Request, p: ComplaintHandler, rt: CurrentRuntime,
                           cid: CommandId) -> OutcomeOut:
    """R21: a change states `new_decision`, made on the case in the same transaction,
    linked to the complaint and keeping the waiting-list date where the period continues
    (R23); every rule of an ordinary decision holds (422 naming it). A quash sends the case
    back to assessment. 409 when the decision complained of is no longer in force or the
    case cannot take a decision (closed, placed)."""
    case_id = _case_of(request, rt, p.municipality, complaint_id)
    made = rt.service.record_reconsideration(
        p.municipality, complaint_id, upheld=body.upheld, reasoning=body.reasoning,
        decided_by=actor(p), decided_on=body.decided_on or today(rt),
        late_reason=body.late_reason, outcome=body.outcome,
        new_decision=_new_decision(body.new_decision), command_id=cid)
    return OutcomeOut(case_id=case_id, new_decision_id=made)


@router.post("/complaints/{complaint_id}/forward", response_model=Recorded,
             summary="Forward a complaint not upheld to Statsforvalteren")
def forward_complaint(complaint_id: ComplaintId, body: ForwardIn, request: Request,
                      p: ComplaintHandler, rt: CurrentRuntime, cid: CommandId) -> Recorded:
    case_id = _case_of(request, rt, p.municipality, complaint_id)
    rt.service.forward_complaint(p.municipality, complaint_id,
                                 forwarded_on=body.forwarded_on or today(rt),
                                 forwarded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/complaints/{complaint_id}/outcome", response_model=OutcomeOut,
             summary="Statsforvalteren's outcome: confirmed, changed (with the new "
                     "decision) or quashed")
def record_complaint_outcome(complaint_id: ComplaintId, body: OutcomeIn, request: Request,
                             p: ComplaintHandler, rt: CurrentRuntime,
                             cid: CommandId) -> OutcomeOut:
    """R21: as the reconsideration's change and quash, with Statsforvalteren as the
    decision maker."""
    case_id = _case_of(request, rt, p.municipality, complaint_id)
    made = rt.service.record_complaint_outcome(
        p.municipality, complaint_id, outcome=ComplaintOutcome(body.outcome),
        decided_on=body.decided_on, summary=body.summary,
        new_decision=_new_decision(body.new_decision), command_id=cid)
    return OutcomeOut(case_id=case_id, new_decision_id=made)


# --- the case file for Statsforvalteren ---------------------------------------------------

_PDF = {200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                          "format": "binary"}}},
              "description": "the case file as one PDF"}}
_ZIP = {200: {"content": {"application/zip": {"schema": {"type": "string",
                                                          "format": "binary"}}},
              "description": "the Noark 5 package (zip)"}}


def _case_file(request: Request, rt: CurrentRuntime, municipality: str,
               complaint_id: UUID) -> contents.CaseFile:
    _case_of(request, rt, municipality, complaint_id)
    names = {f.facility_id: f.facility_name for f in rt.fresh().facilities(municipality)}
    return contents.gather(rt.service, municipality, complaint_id, names)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@router.get("/complaints/{complaint_id}/case-file.pdf", response_class=Response,
            responses=_PDF,
            summary="The case file for Statsforvalteren as one PDF (once forwarded)")
def read_case_file_pdf(complaint_id: ComplaintId, request: Request, p: ComplaintHandler,
                       rt: CurrentRuntime) -> Response:
    """R21, forvaltningsloven § 33 fourth paragraph: the cover letter to Statsforvalteren,
    the decision complained of, the complaint, the unit's reconsideration, the
    documentation and the case's history, as the case stood when the complaint was
    forwarded. 404 until the complaint has been forwarded."""
    file = _case_file(request, rt, p.municipality, complaint_id)
    return _download(documents.whole_pdf(file), "application/pdf",
                     documents.file_name(file, "saksdokumenter", "pdf"))


@router.get("/complaints/{complaint_id}/case-file.zip", response_class=Response,
            responses=_ZIP,
            summary="The case file for Statsforvalteren as a Noark 5 package (once "
                    "forwarded)")
def read_case_file_package(complaint_id: ComplaintId, request: Request, p: ComplaintHandler,
                           rt: CurrentRuntime) -> Response:
    """``arkivstruktur.xml`` (Noark 5 v5.0, validated against the schema) with a
    journalpost for each document and the PDFs it names; the identity number only as the
    person's ``partID``. 404 until the complaint has been forwarded."""
    file = _case_file(request, rt, p.municipality, complaint_id)
    return _download(package(file), "application/zip",
                     documents.file_name(file, "arkivpakke", "zip"))
