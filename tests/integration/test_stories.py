"""Whole stories through the application layer, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.case import CaseStatus
from domain.values import (
    BreachChoice,
    ClosureReason,
    FacilityKind,
    OfferStatus,
    PlaceType,
    PriorityFactor,
    StayEndReason,
)
from tests.builders import INTERIM, MUNICIPALITY, document, person_number, place, waiting_case

M = MUNICIPALITY


def test_story_application_to_admission(service, clock):
    """Application → documentation → waiting-list decision → priority → vacancy → offer →
    acceptance → admission (R5, R8, R12, R14, R16–R18)."""
    case_id = service.receive_application(M, identity_number=person_number(), name="Ingrid",
                                          command_id="soknad-1")
    document(service, case_id)
    service.decide(M, case_id, kind="waiting_list", grounds="Varig behov for heldøgns omsorg",
                   decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                   can_be_cared_for_safely_at_home=True, interim_services=INTERIM)
    service.assess_priority(M, case_id, factors={PriorityFactor.FUNCTION.value: 3,
                                                 PriorityFactor.HOME_SITUATION.value: 2},
                            need_score=20, assessor="Sykepleier Hansen")
    clock.advance(days=30)
    # a resident elsewhere dies: the vacancy appears
    p = place(service, facility_id="fjellheim")
    offer = service.make_offer(M, case_id, made_by="Saksbehandler", place_id=p)
    clock.advance(days=2)
    service.accept_offer(M, case_id, offer)
    clock.advance(days=5)
    service.admit(M, case_id, offer)

    case = service.get_case(M, case_id)
    assert case.status is CaseStatus.RESIDENT
    assert case.offers[offer].status is OfferStatus.ACCEPTED
    assert case.residence is not None and case.residence.facility_id == "fjellheim"
    assert case.closure is None and case.status.value == "resident"
    assert not service.get_place(M, p).is_vacant
    names = [type(e).__name__ for e in service.events.get(case_id)]
    assert names[0] == "ApplicationReceived"
    assert names[-3:] == ["OfferMade", "OfferAccepted", "Admitted"]
    assert service.check_deadlines() == []  # placed in time

    # later the resident dies: the place is vacant again
    clock.advance(days=400)
    service.end_stay(M, case_id, reason=StayEndReason.DIED)
    assert service.get_place(M, p).is_vacant
    assert service.get_case(M, case_id).status is CaseStatus.CLOSED


def test_story_deadline_breach_then_purchase(service, clock):
    """No own place within three months: breach (R18), the person chooses a purchase (R19),
    the place at another provider is bought and the person admitted."""
    case_id = waiting_case(service)
    decided = service.get_case(M, case_id).decisions[0].decided_on
    po = service.register_provider_offer(
        M, provider="Omsorg AS", reference="2026-17", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3850.00"))
    clock.advance(days=93)
    assert service.check_deadlines() == [case_id]
    assert service.check_deadlines() == []
    service.record_breach_choice(M, case_id, choice=BreachChoice.PURCHASE, recorded_by="TE")
    offer = service.make_offer(M, case_id, made_by="TE", provider_offer_id=po)
    service.accept_offer(M, case_id, offer)
    service.admit(M, case_id, offer)

    case = service.get_case(M, case_id)
    assert case.breached_on == decided + timedelta(days=93)
    assert case.status is CaseStatus.RESIDENT and case.residence is not None
    assert case.residence.purchased is True
    bought = service.get_provider_offer(M, po)
    assert bought.purchased_for == case_id
    assert bought.purchased_on == date.fromisoformat(str(clock.now().date()))


def test_closing_a_case_releases_its_offered_place(service):
    case_id = waiting_case(service)
    p = place(service)
    service.make_offer(M, case_id, made_by="TE", place_id=p)
    service.close_case(M, case_id, reason=ClosureReason.DIED)
    assert service.get_place(M, p).is_vacant
    assert service.get_case(M, case_id).status is CaseStatus.CLOSED
