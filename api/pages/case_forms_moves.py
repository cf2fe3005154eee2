"""The case page's move forms (flytting, R28): a move offered to a resident ("Tilby
flytting"), the answer, the withdrawal, the move carried out, and a new decision on the place
type for a resident (a change of need)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages import words as w
from api.pages.case_page import MOVE_REASONS, post_form
from api.pages.web import Form, Need, Page, PageRoute, form_for, parse_id
from domain.values import PlaceType

router = APIRouter(route_class=PageRoute)
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]



@router.post("/saker/{case_id}/flytting", name="page_case_move_offer")
def offer_move(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        reason = need.choice("reason", MOVE_REASONS, "Velg hvorfor personen tilbys flytting.")
        kind, _, raw = form.get("target").partition(":")
        try:
            place_id = UUID(raw) if kind == "place" else None
        except ValueError:
            place_id = None
        if place_id is None:
            form.refuse("target", "Velg en ledig kommunal plass.")
        need.done()
        assert reason is not None and place_id is not None
        page.service.offer_move(page.municipality, cid, place_id=place_id, reason=reason,
                                made_by=page.user.name,
                                type_reason=form.get("type_reason").strip() or None,
                                command_id=form.command)

    return post_form(page, cid, "move", run,
                     {"place_id": "target", "reason": "reason", "case_id": "target"},
                     message="flytting")


@router.post("/saker/{case_id}/flytting/{offer_id}/svar", name="page_case_move_answer")
def answer_move(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), parse_id(offer_id)

    def run(form: Form, need: Need) -> None:
        said = need.choice("answer", ("ja", "nei"), "Velg om personen takket ja eller nei.")
        need.done()
        if said == "ja":
            page.service.accept_move(page.municipality, cid, oid, command_id=form.command)
        else:
            page.service.decline_move(page.municipality, cid, oid,
                                      reason=form.get("reason").strip(),
                                      command_id=form.command)

    return post_form(page, cid, f"move-answer-{oid}", run, {"offer_id": "answer"},
                     message="svar")


@router.post("/saker/{case_id}/flytting/{offer_id}/trekk", name="page_case_move_withdraw")
def withdraw_move(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), parse_id(offer_id)

    def run(form: Form, need: Need) -> None:
        reason = need.text("reason", "Skriv hvorfor tilbudet om flytting trekkes.")
        need.done()
        page.service.withdraw_move(page.municipality, cid, oid, reason=reason,
                                   command_id=form.command)

    return post_form(page, cid, f"move-withdraw-{oid}", run, {"offer_id": "reason"})


@router.post("/saker/{case_id}/flytting/{offer_id}/gjennomfor", name="page_case_move_carry_out")
def carry_out_move(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), parse_id(offer_id)

    def run(form: Form, need: Need) -> None:
        day = need.day("moved_on", "Skriv flyttedatoen.", required=False)
        need.done()
        page.service.carry_out_move(page.municipality, cid, oid, moved_on=day,
                                    command_id=form.command)

    return post_form(page, cid, f"move-carry-{oid}", run,
                     {"offer_id": "moved_on", "moved_on": "moved_on"}, message="flyttet")


@router.post("/saker/{case_id}/ny-plasstype", name="page_case_new_place_type")
def new_place_type(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        place_type = need.choice("place_type", w.PLACE_TYPES, "Velg plasstype.")
        grounds = need.text("grounds", "Skriv begrunnelsen for vedtaket.")
        need.done()
        assert place_type is not None
        page.service.decide_new_place_type(page.municipality, cid,
                                           place_type=PlaceType(place_type), grounds=grounds,
                                           decided_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "new_place_type", run,
                     {"place_type": "place_type", "grounds": "grounds", "case_id": "place_type"},
                     message="vedtak")
