"""R28 through the allocation run: movers are proposed after the waiting list, each move with
its explanation, approved by an officer like an offer (R17), then answered and carried out."""

from __future__ import annotations

from decimal import Decimal

from domain.case import CaseStatus
from domain.values import FacilityKind, PlaceType
from tests.builders import MUNICIPALITY, document, person_number, place, waiting_case

M = MUNICIPALITY


def bought_resident(svc):
    ola = svc.receive_application(M, identity_number=person_number(), name="Ola")
    document(svc, ola)
    svc.decide(M, ola, kind="grant", grounds="Kan ikke bo hjemme", decided_by="TE",
               place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False,
               alternatives_at_home="Prøvd")
    po = svc.register_provider_offer(
        M, provider="Privat AS", reference=f"K-{ola}", facility_name="Lindegården",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3000"))
    offer = svc.make_offer(M, ola, made_by="TE", provider_offer_id=po)
    svc.accept_offer(M, ola, offer)
    svc.admit(M, ola, offer)
    return ola, po


def test_r28_run_proposes_a_move_from_a_bought_place_when_nobody_waiting_can_use_it(
        memory_service, clock):
    svc = memory_service
    ola, po = bought_resident(svc)
    clock.advance(days=3)
    own = place(svc)
    run_id = svc.run_allocation(M, started_by="TE")
    run = svc.get_allocation_run(M, run_id)
    assert set(run.moves) == {str(ola)}
    mover = run.movers()[0]
    assert mover["outcome"] == "move" and "kjøper" in mover["explanation"]["text"]
    move = svc.approve_proposal(M, run_id, ola, approved_by="TE")
    assert svc.approve_proposal(M, run_id, ola, approved_by="TE") == move  # a retry
    svc.accept_move(M, ola, move)
    svc.carry_out_move(M, ola, move)
    case = svc.get_case(M, ola)
    assert case.residence.target_id == own and not case.residence.purchased
    assert svc.get_provider_offer(M, po).purchase_ended_on == clock.now().date()


def test_r28_a_waiting_person_who_can_use_the_place_gets_it_and_no_move_is_proposed(
        memory_service, clock):
    svc = memory_service
    ola, _ = bought_resident(svc)
    kari = waiting_case(svc, name="Kari")
    svc.assess_priority(M, kari, factors={"function": 1}, need_score=5, assessor="Spl")
    p = place(svc)
    run_id = svc.run_allocation(M, started_by="TE", confirm_unassessed=True)
    run = svc.get_allocation_run(M, run_id)
    assert run.proposed[str(kari)]["place_id"] == str(p)
    assert run.moves == {}
    assert run.movers()[0]["outcome"] == "none"
    assert svc.get_case(M, ola).status is CaseStatus.RESIDENT
