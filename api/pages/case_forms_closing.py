"""The case page's forms that end a case (the application withdrawn, the person dead or
moved from the municipality) or, after the admission, a stay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages.case_page import post_form
from api.pages.web import Form, Need, Page, PageRoute, form_for, parse_id, validated
from api.schemas import CloseCaseIn, EndStayIn

router = APIRouter(route_class=PageRoute)
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@router.post("/saker/{case_id}/avslutt", name="page_case_close")
def close(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)
    why = "Velg hvorfor saken avsluttes: søknaden trukket, død eller flyttet fra kommunen."

    def run(form: Form, need: Need) -> None:
        body = validated(form, CloseCaseIn, {"reason": form.get("reason")}, {"reason": why})
        page.service.close_case(page.municipality, cid, reason=body.reason,
                                command_id=form.command)

    return post_form(page, cid, "close", run, message="avsluttet", texts={"reason": why})


@router.post("/saker/{case_id}/avslutt-opphold", name="page_case_end_stay")
def end_stay(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        data: dict[str, Any] = {"reason": form.get("reason")}
        if form.get("ended_on").strip():
            data["ended_on"] = form.get("ended_on").strip()
        body = validated(form, EndStayIn, data,
                         {"reason": "Velg hvorfor oppholdet avsluttes.",
                          "ended_on": "Skriv datoen som dd.mm.åååå."})
        page.service.end_stay(page.municipality, cid, reason=body.reason,
                              ended_on=body.ended_on, command_id=form.command)

    return post_form(page, cid, "end_stay", run, message="opphold")
