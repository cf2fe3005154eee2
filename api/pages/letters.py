"""The letters, printable and as PDF: the decision letter (vedtaksbrev: legal basis — the
municipality's duty, the person's right and the regulation by its name —, grounds, the
services while waiting, the offer deadline, the payment, and the right to complain: the
deadline four weeks from receipt, where and how, R14, § 3-2) and the offer letter
(tilbudsbrev: the place, the day it is available, the answer deadline, what declining means
for the guarantee and the right to complain, R26). Each page links its PDF, rendered from
the same template (:mod:`api.pages.pdf`). The municipality's name and the unit's address come
from its profile (:mod:`application.municipalities`)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import timeline
from api.pages.pdf import pdf_response, render_pdf
from api.pages.web import TEMPLATES, Page, PageRoute, not_found, page_for, parse_id
from application.municipalities import MunicipalityProfile
from domain.case import (
    EARLIER_LEGAL_BASIS,
    LEGAL_BASIS,
    MUNICIPAL_DUTY,
    PERSONS_RIGHT,
    REGULATION,
    REGULATION_PARAGRAPHS,
    Case,
    CaseStatus,
    Offer,
)

router = APIRouter(route_class=PageRoute)
LetterPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER, Role.COMPLAINT_HANDLER))]


def _back(page: Page, case_id: UUID) -> str:
    return f"/saker/{case_id}" if page.user.role is Role.ALLOCATION_OFFICER \
        else f"/klage/saker/{case_id}"


def _pdf(template: str, title: str, context: dict[str, Any]) -> bytes:
    html = TEMPLATES.get_template("letter_document.html").render(
        body=template, title=title, **context)
    return render_pdf(html)


# --- the decision letter (R14) ---------------------------------------------------------------


def legal_basis(kind: str, profile: MunicipalityProfile) -> dict[str, str]:
    """R14: the basis every decision states: the municipality's duty, the person's right,
    and the regulation by its name (the municipality's own) with the paragraphs of its
    kind."""
    return {"duty": MUNICIPAL_DUTY, "right": PERSONS_RIGHT,
            "regulation": f"{REGULATION} for {profile.name}",
            "paragraphs": REGULATION_PARAGRAPHS.get(kind, "§ 2-1")}


def _decision_letter(page: Page, case_id: str, decision_id: str, action: str
                     ) -> tuple[UUID, dict[str, Any]]:
    cid, did = parse_id(case_id), parse_id(decision_id)
    case = page.load_case(cid, action)
    events = timeline.case_events(page.service, cid)
    decision = next((e for e in events
                     if isinstance(e, Case.DecisionMade) and e.decision_id == did), None)
    if decision is None:
        raise not_found()
    page.audit(action, [cid])
    profile = page.service.municipality_profile(case.municipality)
    standard = decision.legal_basis in EARLIER_LEGAL_BASIS or \
        decision.legal_basis == LEGAL_BASIS.get(decision.kind)
    return cid, {"case": case, "d": decision, "profile": profile,
                 "case_number": case.case_number or "ikke tildelt",
                 "basis": legal_basis(decision.kind, profile),
                 "extra_basis": None if standard else decision.legal_basis}


@router.get("/vedtak/{case_id}/{decision_id}", name="page_decision_letter")
def letter(case_id: str, decision_id: str, page: LetterPage) -> HTMLResponse:
    cid, context = _decision_letter(page, case_id, decision_id, "read_decision_letter")
    return page.render("letter.html", title="Vedtaksbrev", back=_back(page, cid),
                       pdf=f"/vedtak/{case_id}/{decision_id}/pdf", **context)


@router.get("/vedtak/{case_id}/{decision_id}/pdf", name="page_decision_letter_pdf")
def letter_pdf(case_id: str, decision_id: str, page: LetterPage) -> Response:
    """The decision letter as PDF, from the same template as the page."""
    _, context = _decision_letter(page, case_id, decision_id, "read_decision_letter_pdf")
    pdf = _pdf("_decision_letter.html", "Vedtaksbrev", context)
    return pdf_response(pdf, f"vedtak-{context['d'].decided_on.isoformat()}.pdf")


# --- the offer letter (R26) -------------------------------------------------------------------


def declining_means(case: Case, offer: Offer) -> str:
    """R18, R20, R26: what saying no to this offer does to the person's guarantee, in the
    words of the letter (the case's own rule: :meth:`Case.decline_effect_of`)."""
    if case.status is CaseStatus.GRANTED:
        return ("Takker du nei, gjelder vedtaket om langtidsopphold fortsatt, og kommunen "
                "tilbyr deg en annen plass så snart som mulig.")
    if not offer.suitable:
        return ("Plassen svarer ikke helt til vedtaket ditt, og tilbudet oppfyller derfor ikke "
                "ventelistegarantien. Takker du nei, står du fortsatt på ventelisten, og "
                "fristen for tilbud løper videre.")
    effect = case.decline_effect_of(offer)
    if effect == "lost":
        return ("Plassen er ikke ditt førsteønske. Takker du nei, står du fortsatt på "
                "ventelisten, men ventelistegarantien gjelder ikke lenger for deg (kommunens "
                "ordning med fritt valg av institusjon).")
    if effect == "continues":
        return ("Takker du nei, står du fortsatt på ventelisten, og en ny frist for tilbud på "
                f"{case.guarantee.months} måneder løper fra den dagen du takker nei "
                "(forskriften § 3-4).")
    if effect == "fulfilled":
        return ("Tilbudet oppfyller ventelistegarantien (forskriften § 3-4). Takker du nei, "
                "står du fortsatt på ventelisten, men kommunen har oppfylt garantien.")
    return "Takker du nei, står du fortsatt på ventelisten."


def _offer_letter(page: Page, case_id: str, offer_id: str, action: str
                  ) -> tuple[UUID, dict[str, Any]]:
    cid, oid = parse_id(case_id), parse_id(offer_id)
    case = page.load_case(cid, action)
    offer = case.offers.get(oid)
    if offer is None:
        raise not_found()
    _, _, policy = page.service.policy_on(page.municipality, offer.made_on)
    page.audit(action, [cid])
    profile = page.service.municipality_profile(case.municipality)
    return cid, {"case": case, "o": offer, "profile": profile,
                 "case_number": case.case_number or "ikke tildelt",
                 "declining": declining_means(case, offer),
                 "lapsed_counts_as_declined": policy.lapsed_offer_counts_as_declined}


@router.get("/tilbudsbrev/{case_id}/{offer_id}", name="page_offer_letter")
def offer_letter(case_id: str, offer_id: str, page: LetterPage) -> HTMLResponse:
    """R26: the offer as a letter: the place, the facility, the day it is available, the
    answer deadline, what declining means for the guarantee, and the complaint right."""
    cid, context = _offer_letter(page, case_id, offer_id, "read_offer_letter")
    return page.render("offer_letter.html", title="Tilbud om plass", back=_back(page, cid),
                       pdf=f"/tilbudsbrev/{case_id}/{offer_id}/pdf", **context)


@router.get("/tilbudsbrev/{case_id}/{offer_id}/pdf", name="page_offer_letter_pdf")
def offer_letter_pdf(case_id: str, offer_id: str, page: LetterPage) -> Response:
    """The offer letter as PDF, from the same template as the page."""
    _, context = _offer_letter(page, case_id, offer_id, "read_offer_letter_pdf")
    pdf = _pdf("_offer_letter.html", "Tilbud om langtidsopphold", context)
    return pdf_response(pdf, f"tilbud-{context['o'].made_on.isoformat()}.pdf")
