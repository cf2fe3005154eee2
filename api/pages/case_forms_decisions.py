"""The case page's decision forms: the decision (vedtak: a grant, R4; the waiting list, R5;
a rejection, R9), the priority assessment (R16, R17) and urgency (R15: a grant to be carried
out at once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages import words as w
from api.pages.case_page import post_form
from api.pages.web import Form, Need, Page, PageRoute, form_for, parse_id
from domain.values import (
    FACTOR_MAX,
    DeliveryChannel,
    FacilityKind,
    InterimService,
    PlaceType,
    PriorityFactor,
)

router = APIRouter(route_class=PageRoute)
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@router.post("/saker/{case_id}/vedtak", name="page_case_decide")
def decide(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        kind = need.choice("kind", w.DECISION_KINDS, "Velg vedtakstype.")
        grounds = need.text("grounds", "Skriv begrunnelsen: de faktiske forholdene og "
                                       "hovedhensynene (§ 3-2).")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        decided_by = need.text("decided_by", "Skriv hvem som fatter vedtaket.")
        place_type = need.choice("place_type", w.PLACE_TYPES, "Velg plasstype.",
                                 required=kind != "rejection")
        facility_kind = need.choice("facility_kind", w.FACILITY_KINDS,
                                    "Velg type institusjon.", required=False)
        safe = need.choice("safe_at_home", ("ja", "nei"),
                           "Svar på om personen kan få forsvarlig hjelp hjemme til plass "
                           "tilbys.", required=kind != "rejection")
        need.done()
        services = [InterimService(form.get(f"service_{i}").strip(),
                                   form.get(f"extent_{i}").strip())
                    for i in (1, 2) if form.get(f"service_{i}").strip()]
        complaint = form.get("complaint_id").strip()  # R21: after a quashed decision
        page.service.decide(
            page.municipality, cid, kind=kind or "", grounds=grounds, decided_by=decided_by,
            complaint_id=parse_id(complaint) if complaint else None,
            place_type=PlaceType(place_type) if place_type and kind != "rejection" else None,
            facility_kind=FacilityKind(facility_kind) if facility_kind else None,
            can_be_cared_for_safely_at_home=None if safe is None else safe == "ja",
            alternatives_at_home=form.get("alternatives_at_home").strip() or None,
            interim_services=services, decided_on=decided_on, command_id=form.command)

    return post_form(page, cid, "decide", run,
                     {"can_be_cared_for_safely_at_home": "safe_at_home",
                      "interim_services": "service_1"}, message="vedtak")


@router.post("/saker/{case_id}/vedtak/{decision_id}/sendt", name="page_decision_sent")
def decision_sent(case_id: str, decision_id: str, page: OfficerForm) -> Response:
    """R14: when and how the decision was sent, and the receipt if known."""
    cid, did = parse_id(case_id), parse_id(decision_id)

    def run(form: Form, need: Need) -> None:
        sent_on = need.day("sent_on", "Skriv datoen vedtaket ble sendt, som dd.mm.åååå.")
        channel = need.choice("channel", w.DELIVERY_CHANNELS, "Velg hvordan vedtaket ble "
                                                              "sendt.")
        received_on = need.day("received_on", "Skriv mottaksdatoen som dd.mm.åååå.",
                               required=False)
        need.done()
        assert sent_on is not None and channel is not None
        page.service.record_decision_sent(
            page.municipality, cid, did, sent_on=sent_on, channel=DeliveryChannel(channel),
            received_on=received_on, recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, f"sendt-{did}", run, message="sendt")


@router.post("/saker/{case_id}/vedtak/{decision_id}/mottatt", name="page_decision_received")
def decision_received(case_id: str, decision_id: str, page: OfficerForm) -> Response:
    """R14: the day the person received the decision."""
    cid, did = parse_id(case_id), parse_id(decision_id)

    def run(form: Form, need: Need) -> None:
        received_on = need.day("received_on", "Skriv mottaksdatoen som dd.mm.åååå.")
        need.done()
        assert received_on is not None
        page.service.record_decision_received(
            page.municipality, cid, did, received_on=received_on,
            recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, f"mottatt-{did}", run, message="mottatt")


@router.post("/saker/{case_id}/prioritet", name="page_case_priority")
def priority(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        factors: dict[str, int] = {}
        for f in PriorityFactor:
            value = need.integer(f"factor_{f.value}", f"Velg 0–{FACTOR_MAX}.", 0, FACTOR_MAX,
                                 required=False)
            if value:
                factors[f.value] = value
        score = need.integer("need_score", "Skriv behovspoeng som et tall fra 0 til 100.",
                             0, 100)
        assessor = need.text("assessor", "Skriv hvem som har gjort den faglige vurderingen "
                                         "(§ 3-3 tredje ledd).")
        assessed_on = need.day("assessed_on", "Skriv datoen som dd.mm.åååå.", required=False)
        need.done()
        assert score is not None
        page.service.assess_priority(
            page.municipality, cid, factors=factors, need_score=score, assessor=assessor,
            departure_reason=form.get("departure_reason").strip() or None,
            assessed_on=assessed_on, command_id=form.command)

    return post_form(page, cid, "priority", run)


@router.post("/saker/{case_id}/hast", name="page_case_urgent")
def urgent(case_id: str, page: OfficerForm) -> Response:
    """R15 (§ 3-3 first paragraph): the person on the list can no longer be cared for safely
    at home: a grant to be carried out at once. It ends only with a new waiting-list
    decision (the decision form), never from here."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        reason = need.text("reason", "Skriv hvorfor personen ikke lenger kan få forsvarlig "
                                     "hjelp hjemme (§ 3-3 første ledd).")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        need.done()
        page.service.mark_urgent(page.municipality, cid, reason=reason,
                                 assessed_by=page.user.name, decided_on=decided_on,
                                 command_id=form.command)

    return post_form(page, cid, "urgent", run, message="straks")
