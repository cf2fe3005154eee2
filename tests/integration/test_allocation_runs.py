"""Allocation runs through the application layer: the optimizer proposes, an officer
approves each offer (R17), and a recorded run re-runs to the identical plan (R21)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.allocation import APPROVED, CHANGED, REJECTED
from domain.errors import RuleViolation
from domain.values import BreachChoice, FacilityKind, OfferKind, PlaceType, PriorityFactor
from tests.builders import MUNICIPALITY, place, waiting_case

M = MUNICIPALITY


def assess(service, case_id, need):
    service.assess_priority(M, case_id, factors={PriorityFactor.FUNCTION.value: 2},
                            need_score=need, assessor="sykepleier",
                            departure_reason="faglig skjønn")


def test_r16_r17_run_proposes_by_need_and_officer_approves(service):
    high = waiting_case(service, name="Høy")
    low = waiting_case(service, name="Lav")
    assess(service, high, 90)
    assess(service, low, 40)
    only = place(service)
    run_id = service.run_allocation(M, started_by="Saksbehandler")
    run = service.get_allocation_run(M, run_id)
    assert set(run.proposed) == {str(high)}
    assert run.plan["problem_hash"] == run.problem_hash
    assert service.get_case(M, high).offers == {}  # nothing offered before approval (R17)

    offer_id = service.approve_proposal(M, run_id, high, approved_by="Saksbehandler")
    assert service.approve_proposal(M, run_id, high, approved_by="Saksbehandler") == offer_id
    case = service.get_case(M, high)
    assert case.offers[offer_id].kind is OfferKind.OWN
    assert not service.get_place(M, only).is_vacant
    assert service.get_allocation_run(M, run_id).item_status[str(high)] == APPROVED


def test_r17_changing_a_proposal_needs_a_reason(service):
    a = waiting_case(service)
    assess(service, a, 70)
    place(service, facility_id="fjellheim")
    other = place(service, facility_id="solbakken")
    run_id = service.run_allocation(M, started_by="TE")
    proposed = service.get_allocation_run(M, run_id).proposed[str(a)]["place_id"]
    alternative = other if str(other) != proposed else place(service, facility_id="lia")
    with pytest.raises(RuleViolation) as err:
        service.approve_proposal(M, run_id, a, approved_by="TE", place_id=alternative)
    assert err.value.rule == "R17"
    assert service.get_place(M, alternative).is_vacant  # nothing half-written
    service.approve_proposal(M, run_id, a, approved_by="TE", place_id=alternative,
                             reason="Ønsker å bo nær datteren")
    assert service.get_allocation_run(M, run_id).item_status[str(a)] == CHANGED


def test_rejected_proposal_makes_no_offer(service):
    a = waiting_case(service)
    place(service)
    run_id = service.run_allocation(M, started_by="TE", confirm_unassessed=True)
    service.reject_proposal(M, run_id, a, rejected_by="TE", reason="Innlagt på sykehus")
    assert service.get_allocation_run(M, run_id).item_status[str(a)] == REJECTED
    assert service.get_case(M, a).offers == {}


def test_r21_recorded_run_reruns_to_the_identical_plan(service):
    for need in (80, 60, 50):
        assess(service, waiting_case(service), need)
    place(service)
    place(service, place_type=PlaceType.SCREENED)
    run_id = service.run_allocation(M, started_by="TE", command_id="run-1")
    assert service.run_allocation(M, started_by="TE", command_id="run-1") == run_id
    again = service.rerun_allocation(M, run_id)
    assert again.identical
    assert again.problem_hash == service.get_allocation_run(M, run_id).problem_hash


def test_r10_run_keeps_spouses_at_one_facility(service):
    husband = waiting_case(service, name="Ola")
    wife = waiting_case(service, name="Kari", spouse_case_id=husband)
    assess(service, husband, 80)
    assess(service, wife, 75)
    place(service, facility_id="fjellheim")
    place(service, facility_id="solbakken")
    place(service, facility_id="solbakken")
    run_id = service.run_allocation(M, started_by="TE")
    run = service.get_allocation_run(M, run_id)
    facilities = {run.proposed[str(c)]["facility_id"] for c in (husband, wife)
                  if str(c) in run.proposed}
    assert len(facilities) == 1 and len(run.proposed) == 2
    for c in (husband, wife):
        service.approve_proposal(M, run_id, c, approved_by="TE")


def test_r18_r19_run_proposes_purchase_after_breach(service, clock):
    a = waiting_case(service)
    assess(service, a, 50)
    po = service.register_provider_offer(
        M, provider="Omsorg AS", reference="K-1", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3900"))
    clock.advance(days=95)
    service.check_deadlines()
    service.record_breach_choice(M, a, choice=BreachChoice.PURCHASE, recorded_by="TE")
    run_id = service.run_allocation(M, started_by="TE")
    item = service.get_allocation_run(M, run_id).proposed[str(a)]
    assert item["kind"] == "purchase" and item["place_id"] == str(po)
    offer_id = service.approve_proposal(M, run_id, a, approved_by="TE")
    assert service.get_case(M, a).offers[offer_id].kind is OfferKind.PURCHASE


def test_r19_no_purchase_proposed_to_a_person_who_chose_to_wait(service, clock):
    a = waiting_case(service)
    assess(service, a, 50)
    service.register_provider_offer(
        M, provider="Omsorg AS", reference="K-2", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3900"))
    clock.advance(days=95)
    service.check_deadlines()
    service.record_breach_choice(M, a, choice=BreachChoice.WAIT, recorded_by="TE")
    run = service.get_allocation_run(M, service.run_allocation(M, started_by="TE"))
    assert str(a) not in run.proposed
    why = next(e for e in run.plan["explanations"] if e["case_id"] == str(a))
    assert "valgt å vente" in why["text"]


def test_r11_run_gives_the_couple_a_whole_double_room_and_never_its_second_bed(service):
    """A couple (the resident and a spouse with a decision on an accompanying stay), a
    stranger of higher need and one of lower; one double room and one single room. The
    couple is proposed the whole double room with the reason "a double room with the
    spouse"; the strangers get the single room or nothing, never the double room's second
    bed; approving reserves both beds, and after the admission the next run proposes
    nothing in that room."""
    from domain.case import CaseStatus
    from domain.values import RoomKind
    from tests.builders import person_number

    ola = waiting_case(service, name="Ola Par")
    assess(service, ola, 50)
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Par",
                                       spouse_case_id=ola)
    service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Begge ønsker det",
                                     grounds="Ektefelle", decided_by="TE")
    strangers = [waiting_case(service, name=f"Fremmed {n}") for n in (1, 2)]
    for s, need in zip(strangers, (90, 30), strict=True):
        assess(service, s, need)
    double = place(service, room_kind=RoomKind.DOUBLE)
    single = place(service)

    run = service.get_allocation_run(M, service.run_allocation(M, started_by="TE"))
    assert run.proposed[str(ola)]["place_id"] == str(double)
    assert str(kari) not in run.proposed  # she is not on the list: she follows his offer
    for s in strangers:
        item = run.proposed.get(str(s))
        assert item is None or item["place_id"] == str(single)
    explained = next(e for e in run.plan["explanations"] if e["case_id"] == str(ola))
    assert "double_room_with_spouse" in {f["kind"] for f in explained["facts"]}

    offer = service.approve_proposal(M, run.id, ola, approved_by="TE")
    room = service.get_place(M, double)
    assert set(room.reservations.values()) == {ola, kari} and room.free_beds == 0
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    assert set(service.get_place(M, double).occupants) == {ola, kari}
    assert service.get_case(M, kari).status is CaseStatus.RESIDENT

    latecomer = waiting_case(service, name="Sen")
    assess(service, latecomer, 99)
    again = service.get_allocation_run(M, service.run_allocation(M, started_by="TE"))
    assert all(item["place_id"] != str(double) for item in again.proposed.values())
