"""More letters, printable and as PDF from the same template (:mod:`api.pages.pdf`), beside
those of :mod:`api.pages.letters`:

- the **breach letter** (brev om fristbrudd, § 3-4 second paragraph): the guarantee's
  deadline was not met; the person chooses between an available place at another provider,
  bought by the municipality (the other providers' offers on the vacancy board at the moment
  the breach was recorded, with their price and terms), and waiting on for a municipal
  place; how to answer and by when; the right to complain;
- the **decision letter on an accompanying stay** (§ 2-3 second paragraph), and on the new
  decision that concludes it: the legal basis, that the spouse need not meet the criteria,
  the grounds, the payment and the right to complain, four weeks from receipt;
- the **move offer letter** (flytting): the new place, why it is offered, the answer
  deadline, and that declining changes nothing.

Each is read by the allocation unit and the complaint handlers of the case's municipality,
and every read is access-logged like the other letters'.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import timeline
from api.pages.letters import _back, _pdf
from api.pages.pdf import pdf_response
from api.pages.web import Page, PageRoute, not_found, page_for, parse_id
from domain.case import MUNICIPAL_DUTY, REGULATION, Case, Offer
from domain.errors import DomainError
from projections.vacancy_board import ProviderOfferRow

router = APIRouter(route_class=PageRoute)
LetterPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER, Role.COMPLAINT_HANDLER))]

#: The time the breach letter gives the person to say what they choose (our choice: the
#: regulation sets none; until they answer they stay on the list, see the letter).
BREACH_ANSWER_DAYS = 14


def _case_number(case: Case) -> str:
    return case.case_number or "ikke tildelt"


# --- the breach letter (§ 3-4 second paragraph) -----------------------------------------------


def breach_alternatives(page: Page, case: Case, event: Any) -> list[ProviderOfferRow]:
    """The other providers' places on the vacancy board as it stood when the breach was
    recorded (the read models as of that moment): available, and of the place type decided
    for the person where one is decided."""
    board = page.read.as_of(event.timestamp).vacancy_board(page.municipality)
    wanted = case.place_type.value if case.place_type is not None else None
    return [o for o in board.provider_offers
            if o.status == "available" and (wanted is None or o.place_type == wanted)]


def _breach_letter(page: Page, case_id: str, period: str, action: str
                   ) -> tuple[UUID, dict[str, Any]]:
    cid = parse_id(case_id)
    if not period.isdigit():
        raise not_found()
    case = page.load_case(cid, action)
    breach = next((e for e in timeline.case_events(page.service, cid)
                   if isinstance(e, Case.DeadlineBreached) and e.period == int(period)), None)
    if breach is None:
        raise not_found()
    alternatives = breach_alternatives(page, case, breach)
    page.audit(action, [cid])
    profile = page.service.municipality_profile(case.municipality)
    return cid, {"case": case, "b": breach, "profile": profile,
                 "case_number": _case_number(case), "alternatives": alternatives,
                 "answer_by": breach.breached_on + timedelta(days=BREACH_ANSWER_DAYS),
                 "months": case.guarantee.months}


@router.get("/fristbruddbrev/{case_id}/{period}", name="page_breach_letter")
def breach_letter(case_id: str, period: str, page: LetterPage) -> HTMLResponse:
    """§ 3-4 second paragraph: the guarantee was not met; the person's choice."""
    cid, context = _breach_letter(page, case_id, period, "read_breach_letter")
    return page.render("letter_page.html", title="Brev om fristbrudd", back=_back(page, cid),
                       body="_breach_letter.html",
                       pdf=f"/fristbruddbrev/{case_id}/{period}/pdf", **context)


@router.get("/fristbruddbrev/{case_id}/{period}/pdf", name="page_breach_letter_pdf")
def breach_letter_pdf(case_id: str, period: str, page: LetterPage) -> Response:
    _, context = _breach_letter(page, case_id, period, "read_breach_letter_pdf")
    pdf = _pdf("_breach_letter.html", "Brev om fristbrudd", context)
    return pdf_response(pdf, f"fristbrudd-{context['b'].breached_on.isoformat()}.pdf")


# --- the accompanying stay's decision letter (§ 2-3 second paragraph) ------------------------


def _accompanying_letter(page: Page, case_id: str, decision_id: str, action: str
                         ) -> tuple[UUID, dict[str, Any]]:
    cid, did = parse_id(case_id), parse_id(decision_id)
    case = page.load_case(cid, action)
    events = timeline.case_events(page.service, cid)
    decision = next((e for e in events
                     if isinstance(e, Case.AccompanyingStayDecided
                                   | Case.AccompanyingStayConcluded)
                     and e.decision_id == did), None)
    if decision is None:
        raise not_found()
    resident_id = case.accompanying.resident_case_id if case.accompanying else None
    if isinstance(decision, Case.AccompanyingStayDecided):
        resident_id = decision.resident_case_id
    resident = None
    if resident_id is not None:
        try:
            resident = page.service.get_case(page.municipality, resident_id)
        except DomainError:
            resident = None
    page.audit(action, [cid, *([resident_id] if resident is not None and resident_id else [])])
    profile = page.service.municipality_profile(case.municipality)
    return cid, {"case": case, "d": decision, "profile": profile,
                 "case_number": _case_number(case),
                 "concluded": isinstance(decision, Case.AccompanyingStayConcluded),
                 "resident_name": resident.person.name if resident is not None else None,
                 "duty": MUNICIPAL_DUTY,
                 "regulation": f"{REGULATION} for {profile.name}"}


@router.get("/vedtak-medfolgende/{case_id}/{decision_id}", name="page_accompanying_letter")
def accompanying_letter(case_id: str, decision_id: str, page: LetterPage) -> HTMLResponse:
    cid, context = _accompanying_letter(page, case_id, decision_id,
                                        "read_accompanying_letter")
    return page.render("letter_page.html", title="Vedtaksbrev", back=_back(page, cid),
                       body="_accompanying_letter.html",
                       pdf=f"/vedtak-medfolgende/{case_id}/{decision_id}/pdf", **context)


@router.get("/vedtak-medfolgende/{case_id}/{decision_id}/pdf",
            name="page_accompanying_letter_pdf")
def accompanying_letter_pdf(case_id: str, decision_id: str, page: LetterPage) -> Response:
    _, context = _accompanying_letter(page, case_id, decision_id,
                                      "read_accompanying_letter_pdf")
    pdf = _pdf("_accompanying_letter.html", "Vedtak om medfølgende opphold", context)
    return pdf_response(pdf, f"vedtak-medfolgende-{context['d'].decided_on.isoformat()}.pdf")


# --- the move offer letter --------------------------------------------------------------------

#: Why a move is offered, in the words of the letter to the resident.
MOVE_LETTER_REASONS = {
    "change_of_need": "Kommunen har fattet nytt vedtak om hvilken type plass du skal ha, "
                      "fordi behovet ditt har endret seg. Den nye plassen er av den typen "
                      "vedtaket gir deg.",
    "spouses_together": "Du får bo sammen med ektefellen eller samboeren din på samme "
                        "institusjon (forskriften § 2-3).",
    "free_choice": "Plassen er ved den institusjonen du ønsket deg.",
    "bought_to_own": "Du bor i dag på en plass kommunen kjøper hos en annen leverandør. Nå "
                     "kan du få en plass i kommunens egen institusjon.",
}
FOLLOWS_SPOUSE = ("Du bor sammen med ektefellen eller samboeren din i medfølgende opphold, og "
                  "tilbys å flytte sammen med henne eller ham til et dobbeltrom.")


def present_place(case: Case, offer: Offer) -> str | None:
    """The facility the resident lived in when the move was offered: the latest place moved
    into before it, by an offer of the case."""
    before = [o for o in case.offers.values() if o.offer_id != offer.offer_id
              and o.admitted_on is not None and o.admitted_on <= offer.made_on]
    return max(before, key=lambda o: o.admitted_on or date.min).facility_name \
        if before else None


def _move_letter(page: Page, case_id: str, offer_id: str, action: str
                 ) -> tuple[UUID, dict[str, Any]]:
    cid, oid = parse_id(case_id), parse_id(offer_id)
    case = page.load_case(cid, action)
    offer = case.offers.get(oid)
    if offer is None or offer.move_reason is None:
        raise not_found()
    page.audit(action, [cid])
    reason = FOLLOWS_SPOUSE if offer.accompanies is not None \
        else MOVE_LETTER_REASONS[offer.move_reason.value]
    profile = page.service.municipality_profile(case.municipality)
    return cid, {"case": case, "o": offer, "profile": profile,
                 "case_number": _case_number(case), "reason": reason,
                 "present": present_place(case, offer)}


@router.get("/flyttebrev/{case_id}/{offer_id}", name="page_move_letter")
def move_letter(case_id: str, offer_id: str, page: LetterPage) -> HTMLResponse:
    cid, context = _move_letter(page, case_id, offer_id, "read_move_letter")
    return page.render("letter_page.html", title="Tilbud om flytting", back=_back(page, cid),
                       body="_move_letter.html",
                       pdf=f"/flyttebrev/{case_id}/{offer_id}/pdf", **context)


@router.get("/flyttebrev/{case_id}/{offer_id}/pdf", name="page_move_letter_pdf")
def move_letter_pdf(case_id: str, offer_id: str, page: LetterPage) -> Response:
    _, context = _move_letter(page, case_id, offer_id, "read_move_letter_pdf")
    pdf = _pdf("_move_letter.html", "Tilbud om flytting", context)
    return pdf_response(pdf, f"flytting-{context['o'].made_on.isoformat()}.pdf")
