"""The letter on a complaint's outcome (R21; forvaltningsloven §§ 24–25, 28, 31, 33–34;
pasient- og brukerrettighetsloven § 7-2): to the person, and to whoever complained for them,
saying what was complained of and when it came in, who decided, the outcome (upheld —
stadfestet —, changed or quashed) with its grounds and legal basis, the new decision a change
made (its content, the waiting-list date it keeps and the guarantee's deadline), what happens
next after a quash, whether the outcome can be complained of, and the right to see the
documents. Printable from the complaint's page and as PDF, from the same template."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import timeline
from api.pages.letters import _pdf, legal_basis
from api.pages.pdf import pdf_response
from api.pages.web import Page, PageRoute, not_found, page_for, parse_id
from domain.case import Case
from domain.complaint import Complaint, ComplaintOutcome, ComplaintStatus
from domain.errors import NotFound

router = APIRouter(route_class=PageRoute)
LetterPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER, Role.COMPLAINT_HANDLER))]


def _events(page: Page, complaint: Complaint) -> dict[str, Any]:
    return {type(e).__name__: e for e in page.service.repository.event_store.get(complaint.id)}


def outcome_letter(page: Page, complaint_id: UUID, action: str) -> dict[str, Any]:
    """What the letter says, from the complaint's and the case's own events. Not found
    until the complaint has an outcome (upheld by the unit, or decided by Statsforvalteren)."""
    try:
        complaint = page.service.get_complaint(page.municipality, complaint_id)
    except NotFound:
        raise not_found() from None
    if complaint.status not in (ComplaintStatus.UPHELD, ComplaintStatus.DECIDED):
        raise not_found()
    case = page.load_case(complaint.case_id, action)
    events = _events(page, complaint)
    by_unit = complaint.status is ComplaintStatus.UPHELD
    reconsidered = events.get("Reconsidered")
    decided = events.get("OutcomeRecorded")
    case_events = timeline.case_events(page.service, case.id)
    decisions = {e.decision_id: e for e in case_events if isinstance(e, Case.DecisionMade)}
    new = decisions.get(complaint.new_decision_id) if complaint.new_decision_id else None
    subject = decisions.get(complaint.subject_id) if complaint.subject_id else None
    outcome = complaint.result[0] if complaint.result else ComplaintOutcome.CHANGED
    profile = page.service.municipality_profile(case.municipality)
    page.audit(action, [case.id])
    return {
        "c": complaint, "case": case, "profile": profile,
        "case_number": case.case_number or "ikke tildelt",
        "by_unit": by_unit, "outcome": outcome.value, "subject_decision": subject,
        "reconsidered": reconsidered, "decided": decided, "new": new,
        "letter_date": (reconsidered.decided_on if by_unit else decided.decided_on),
        "basis": legal_basis(new.kind, profile) if new is not None else None,
        "kept": new.waiting_since_kept if new is not None else None,
        "against": complaint.against.value,
        "role": complaint.complainant_role.value if complaint.complainant_role else None,
    }


@router.get("/klage/klager/{complaint_id}/brev", name="page_complaint_letter")
def letter(complaint_id: str, page: LetterPage) -> HTMLResponse:
    kid = parse_id(complaint_id)
    context = outcome_letter(page, kid, "read_complaint_letter")
    back = f"/klage/klager/{kid}" if page.user.role is Role.COMPLAINT_HANDLER \
        else f"/saker/{context['case'].id}"
    return page.render("complaint_letter.html", title="Svar på klage", back=back,
                       pdf=f"/klage/klager/{kid}/brev/pdf", **context)


@router.get("/klage/klager/{complaint_id}/brev/pdf", name="page_complaint_letter_pdf")
def letter_pdf(complaint_id: str, page: LetterPage) -> Response:
    context = outcome_letter(page, parse_id(complaint_id), "read_complaint_letter_pdf")
    pdf = _pdf("_complaint_letter.html", "Svar på klage", context)
    return pdf_response(pdf, f"klage-{context['letter_date'].isoformat()}.pdf")
