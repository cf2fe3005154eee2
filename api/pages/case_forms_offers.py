"""The case page's offer forms: a manual offer, the person's answer, the withdrawal, the
admission and the lapse (R26) of an offer; and, after a deadline breach, the person's choice
between a purchased place and waiting on (R19)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages import words as w
from api.pages.case_page import post_form
from api.pages.web import Form, Need, Page, PageRoute, form_for, parse_id
from domain.values import BreachChoice

router = APIRouter(route_class=PageRoute)
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@router.post("/saker/{case_id}/tilbud", name="page_case_offer")
def offer(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        target = form.get("target")
        kind, _, raw = target.partition(":")
        try:
            target_id = UUID(raw)
        except ValueError:
            form.refuse("target", "Velg en ledig plass eller en plass hos annen leverandør.")
            need.done()
            return
        page.service.make_offer(
            page.municipality, cid, made_by=page.user.name,
            place_id=target_id if kind == "place" else None,
            provider_offer_id=target_id if kind == "offer" else None,
            type_reason=form.get("type_reason").strip() or None,
            unsuitable_reason=form.get("unsuitable_reason").strip() or None,
            single_room_reason=form.get("single_room_reason").strip() or None,
            command_id=form.command)

    return post_form(page, cid, "offer", run,
                     {"place_id": "target", "provider_offer_id": "target", "kind": "target"},
                     message="tilbud")


def _offer_id(raw: str) -> UUID:
    return parse_id(raw)


@router.post("/saker/{case_id}/tilbud/{offer_id}/svar", name="page_case_answer")
def answer(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        said = need.choice("answer", ("ja", "nei"), "Velg om personen takket ja eller nei.")
        reason = need.text("reason", "Skriv hvorfor personen takket nei.",
                           required=said == "nei")
        need.done()
        if said == "ja":
            page.service.accept_offer(page.municipality, cid, oid, command_id=form.command)
        else:
            page.service.decline_offer(page.municipality, cid, oid, reason=reason,
                                       command_id=form.command)

    return post_form(page, cid, f"answer-{oid}", run, {"offer_id": "answer"}, message="svar")


@router.post("/saker/{case_id}/tilbud/{offer_id}/trekk", name="page_case_withdraw")
def withdraw(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        reason = need.text("reason", "Skriv hvorfor tilbudet trekkes.")
        need.done()
        page.service.withdraw_offer(page.municipality, cid, oid, reason=reason,
                                    command_id=form.command)

    return post_form(page, cid, f"withdraw-{oid}", run, {"offer_id": "reason"})


@router.post("/saker/{case_id}/tilbud/{offer_id}/innflytting", name="page_case_admit")
def admit(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        day = need.day("admitted_on", "Skriv innflyttingsdatoen.", required=False)
        need.done()
        page.service.admit(page.municipality, cid, oid, admitted_on=day,
                           command_id=form.command)

    return post_form(page, cid, f"admit-{oid}", run, {"offer_id": "admitted_on"},
                     message="innflytting")


@router.post("/saker/{case_id}/tilbud/{offer_id}/bortfalt", name="page_case_lapse")
def lapse(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    """R26: the offer was not answered by its answer deadline: it lapses, the place is
    released."""
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        page.service.lapse_offer(page.municipality, cid, oid, command_id=form.command)

    return post_form(page, cid, f"lapse-{oid}", run, {"offer_id": "lapse"}, message="bortfalt")


@router.post("/saker/{case_id}/fristvalg", name="page_case_breach_choice")
def breach_choice(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        choice = need.choice("choice", w.BREACH_CHOICES, "Velg hva personen ønsker.")
        need.done()
        assert choice is not None
        page.service.record_breach_choice(page.municipality, cid, choice=BreachChoice(choice),
                                          recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "breach_choice", run)
