"""The letters, printable: the decision letter (vedtaksbrev: legal basis, grounds, the
services while waiting, the offer deadline, and the right to complain, R14, § 3-2) and the
offer letter (tilbudsbrev: the place, the day it is available, the answer deadline, what
declining means for the guarantee and the right to complain, R26)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.auth import Role
from api.pages import timeline
from api.pages.web import Page, PageRoute, not_found, page_for, parse_id
from domain.case import Case, CaseStatus, Offer

router = APIRouter(route_class=PageRoute)
LetterPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER, Role.COMPLAINT_HANDLER))]


@router.get("/vedtak/{case_id}/{decision_id}", name="page_decision_letter")
def letter(case_id: str, decision_id: str, page: LetterPage) -> HTMLResponse:
    cid, did = parse_id(case_id), parse_id(decision_id)
    case = page.load_case(cid, "read_decision_letter")
    events = timeline.case_events(page.service, cid)
    decision = next((e for e in events
                     if isinstance(e, Case.DecisionMade) and e.decision_id == did), None)
    if decision is None:
        raise not_found()
    page.audit("read_decision_letter", [cid])
    back = f"/saker/{cid}" if page.user.role is Role.ALLOCATION_OFFICER else f"/klage/saker/{cid}"
    return page.render("letter.html", title="Vedtaksbrev", case=case, d=decision,
                       case_id=str(cid), back=back)


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


@router.get("/tilbudsbrev/{case_id}/{offer_id}", name="page_offer_letter")
def offer_letter(case_id: str, offer_id: str, page: LetterPage) -> HTMLResponse:
    """R26: the offer as a letter: the place, the facility, the day it is available, the
    answer deadline, what declining means for the guarantee, and the complaint right."""
    cid, oid = parse_id(case_id), parse_id(offer_id)
    case = page.load_case(cid, "read_offer_letter")
    offer = case.offers.get(oid)
    if offer is None:
        raise not_found()
    _, _, policy = page.service.policy_on(page.municipality, offer.made_on)
    page.audit("read_offer_letter", [cid])
    back = f"/saker/{cid}" if page.user.role is Role.ALLOCATION_OFFICER else f"/klage/saker/{cid}"
    return page.render("offer_letter.html", title="Tilbud om plass", case=case, o=offer,
                       declining=declining_means(case, offer),
                       lapsed_counts_as_declined=policy.lapsed_offer_counts_as_declined,
                       back=back)
