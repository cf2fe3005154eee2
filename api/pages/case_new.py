"""The new-application page (søknad): the form that receives an application, and R25: a
second application for a person with an open case opens nothing, the page names that case
and links to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import words as w
from api.pages.case_options import OPTIONS
from api.pages.web import (
    Form,
    FormInvalid,
    Need,
    Page,
    PageRoute,
    form_for,
    page_for,
    refuse,
    status_of,
)
from domain.errors import DomainError
from domain.person import CaseAlreadyOpen
from domain.values import Channel

router = APIRouter(route_class=PageRoute)
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@dataclass(frozen=True)
class OpenCase:
    """R25: the person's open case, as the page points to it."""

    case_id: str
    case_number: str | None
    name: str
    status: str


def _new_page(page: Page, form: Form | None = None, status: int = 200,
              open_case: OpenCase | None = None) -> HTMLResponse:
    return page.render("new_case.html", status=status, forms={"apply": form} if form else {},
                       title="Ny søknad", options=OPTIONS, today=page.today,
                       open_case=open_case)


@router.get("/saker/ny", name="page_new_case")
def new_case(page: OfficerPage) -> HTMLResponse:
    return _new_page(page)


def _already_open(page: Page, form: Form, case_id: UUID) -> HTMLResponse:
    """R25: a second application for a person with an open case opens nothing; the page
    names that case and links to it."""
    case = page.service.get_case(page.municipality, case_id)
    page.audit("read_case", [case_id], detail="the person's open case, named on a second "
               "application")
    form.refuse(None, w.error_text(CaseAlreadyOpen(case_id)))
    return _new_page(page, form, 409, OpenCase(str(case_id), case.case_number,
                                               case.person.name,
                                               w.label(w.CASE_STATUSES, case.status)))


@router.post("/saker/ny", name="page_new_case_post")
def receive(page: OfficerForm) -> Response:
    form = page.form("apply")
    need = Need(form)
    try:
        number = "".join(need.text("identity_number", "Skriv fødselsnummeret (11 siffer).")
                         .split())
        name = need.text("name", "Skriv søkerens navn.")
        received = need.day("received_on", "Skriv datoen som dd.mm.åååå.", required=False)
        channel = need.choice("channel", w.CHANNELS, "Velg hvordan søknaden kom inn.")
        need.done()
        assert channel is not None
        case_id = page.service.receive_application(
            page.municipality, identity_number=number, name=name, received_on=received,
            channel=Channel(channel),
            receives_other_services=form.checked("receives_other_services"),
            dementia_suspected=form.checked("dementia_suspected"), command_id=form.command)
    except FormInvalid:
        return _new_page(page, form, 422)
    except CaseAlreadyOpen as exc:
        return _already_open(page, form, exc.case_id)
    except DomainError as exc:
        refuse(form, exc)
        return _new_page(page, form, status_of(exc))
    page.audit("write_case", [case_id], detail="received the application")
    return page.done(f"/saker/{case_id}", "soknad")
