"""The decision letter (vedtaksbrev), printable: legal basis, grounds, the services while
waiting, the offer deadline, and the right to complain with its deadline and where to send
the complaint (R14, § 3-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.auth import Role
from api.pages import timeline
from api.pages.web import Page, PageRoute, not_found, page_for, parse_id
from domain.case import Case

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
