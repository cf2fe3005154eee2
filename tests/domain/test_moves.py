"""R28 (§ 2-3; memo 2.3): moves. A resident is offered another place, may accept or decline
(declining costs nothing), and the move is one transaction: out of the old place and into the
new one on the same day. R10 (spouses together), R11 (the accompanying spouse moves too), R20
(free choice) and bought-to-own are the reasons. Bad orders and bad input change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.case import CaseStatus
from domain.errors import InvalidState, InvalidValue, RuleViolation
from domain.values import (
    FacilityKind,
    MoveReason,
    OfferStatus,
    PlaceType,
    RoomKind,
    StayEndReason,
)
from tests.builders import MUNICIPALITY, document, person_number, place, waiting_case

M = MUNICIPALITY


def resident(svc, *, facility_id: str = "fjellheim", place_type=PlaceType.ORDINARY,
             room_kind=RoomKind.SINGLE, name: str = "Ola", spouse_case_id=None,
             dementia: bool = False):
    """A person on the waiting list, offered a place and admitted: (case, place)."""
    case_id = waiting_case(svc, name=name, place_type=place_type, spouse_case_id=spouse_case_id,
                           dementia=dementia)
    p = place(svc, facility_id=facility_id, place_type=place_type, room_kind=room_kind)
    offer = svc.make_offer(M, case_id, made_by="TE", place_id=p)
    svc.accept_offer(M, case_id, offer)
    svc.admit(M, case_id, offer)
    return case_id, p


def in_a_bought_place(svc, *, reference: str):
    """A person granted a stay at once and admitted to a place bought from another
    provider (no own place free): (case, the provider's offer)."""
    ola = svc.receive_application(M, identity_number=person_number(), name="Ola")
    document(svc, ola)
    svc.decide(M, ola, kind="grant", grounds="Kan ikke bo hjemme", decided_by="TE",
               place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False,
               alternatives_at_home="Prøvd")
    bought = svc.register_provider_offer(
        M, provider="Privat AS", reference=reference, facility_name="Lindegården",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3200"))
    offer = svc.make_offer(M, ola, made_by="TE", provider_offer_id=bought)
    svc.accept_offer(M, ola, offer)
    svc.admit(M, ola, offer)
    return ola, bought


def versions(svc, *ids):
    return [svc.get_case(M, i).version if i in _cases(svc, ids) else svc.get_place(M, i).version
            for i in ids]


def _cases(svc, ids):
    from domain.case import Case
    return {i for i in ids if isinstance(svc._exists(i), Case)}


def test_r28_move_offer_reserves_the_new_place_and_declining_costs_nothing(memory_service):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola, old = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken", "fjellheim"])
    new = place(svc, facility_id="solbakken")
    offer = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    assert not svc.get_place(M, new).is_vacant  # reserved in the same save
    svc.decline_move(M, ola, offer, reason="Vil bli boende")
    case = svc.get_case(M, ola)
    assert case.status is CaseStatus.RESIDENT
    assert case.residence.target_id == old  # keeps the place
    assert case.offers[offer].status is OfferStatus.DECLINED
    assert svc.get_place(M, new).is_vacant  # released
    assert case.id in svc.get_place(M, old).occupants


def test_r20_free_choice_move_after_wished_place_falls_vacant(memory_service, clock):
    """Ola accepted Fjellheim though he wished for Solbakken first; when a place at
    Solbakken falls vacant (its resident dies) he is offered a move there, and moves: out of
    Fjellheim and into Solbakken the same day, Fjellheim vacant from that day."""
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    per, solbakken = resident(svc, facility_id="solbakken", name="Per")
    ola, fjellheim = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken", "fjellheim"])
    assert MoveReason.FREE_CHOICE in svc.get_case(M, ola).move_reasons
    clock.advance(days=30)
    svc.end_stay(M, per, reason=StayEndReason.DIED)
    offer = svc.offer_move(M, ola, place_id=solbakken, reason=MoveReason.FREE_CHOICE,
                           made_by="TE", command_id="m1")
    assert svc.offer_move(M, ola, place_id=solbakken, reason=MoveReason.FREE_CHOICE,
                          made_by="TE", command_id="m1") == offer  # idempotent
    svc.accept_move(M, ola, offer, command_id="a1")
    svc.accept_move(M, ola, offer, command_id="a1")  # a retry writes nothing
    clock.advance(days=2)
    svc.carry_out_move(M, ola, offer, command_id="c1")
    svc.carry_out_move(M, ola, offer, command_id="c1")
    today = clock.now().date()
    case = svc.get_case(M, ola)
    assert case.residence.target_id == solbakken
    assert case.residence.facility_id == "solbakken"
    assert case.residence.admitted_on == today
    assert case.move_reasons == ()  # lives at the first wish now
    old, new = svc.get_place(M, fjellheim), svc.get_place(M, solbakken)
    assert ola not in old.occupants and old.is_vacant and old.vacated_on == today
    assert ola in new.occupants and not new.is_vacant


def test_r20_free_choice_move_needs_the_policy_and_a_better_wish(memory_service):
    svc = memory_service
    ola, _ = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    new = place(svc, facility_id="solbakken")
    before = svc.get_case(M, ola).version
    with pytest.raises(RuleViolation) as err:  # no free choice in this municipality
        svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    assert (err.value.rule, err.value.field) == ("R28", "reason")
    with pytest.raises(InvalidValue) as bad:
        svc.offer_move(M, ola, place_id=new, reason="because", made_by="TE")
    assert bad.value.field == "reason"
    assert svc.get_case(M, ola).version == before
    assert svc.get_place(M, new).is_vacant


def test_r28_bought_place_given_up_for_an_own_place(memory_service, clock):
    """A person granted a stay at once is placed in a bought place (no own place free);
    when an own place is free, they are offered it and move: the purchase ends on the move
    day, and from then the municipality saves the price per day."""
    svc = memory_service
    ola, bought = in_a_bought_place(svc, reference="K-1")
    assert svc.get_case(M, ola).move_reasons == (MoveReason.BOUGHT_TO_OWN,)
    clock.advance(days=40)
    own = place(svc)
    move = svc.offer_move(M, ola, place_id=own, reason="bought_to_own", made_by="TE")
    svc.accept_move(M, ola, move)
    svc.carry_out_move(M, ola, move)
    today = clock.now().date()
    case = svc.get_case(M, ola)
    assert not case.residence.purchased and case.residence.target_id == own
    po = svc.get_provider_offer(M, bought)
    assert po.purchase_ended_on == today
    assert ola in svc.get_place(M, own).occupants


def test_r28_bought_to_own_only_from_a_bought_place(memory_service):
    svc = memory_service
    ola, _ = resident(svc)
    with pytest.raises(RuleViolation) as err:
        svc.offer_move(M, ola, place_id=place(svc), reason="bought_to_own", made_by="TE")
    assert err.value.rule == "R28"


def test_r10_couple_reunited_in_a_double_room(memory_service):
    """Ola and Kari live at Fjellheim in two single rooms; a double room there falls free.
    Each is offered a move to it (spouses together), both accept and move: they share the
    double room and both single rooms are vacant."""
    svc = memory_service
    ola, ola_room = resident(svc)
    kari, kari_room = resident(svc, name="Kari", spouse_case_id=ola)
    svc.link_spouses(M, ola, kari)
    double = place(svc, room_kind=RoomKind.DOUBLE)
    m1 = svc.offer_move(M, ola, place_id=double, reason="spouses_together", made_by="TE")
    m2 = svc.offer_move(M, kari, place_id=double, reason="spouses_together", made_by="TE")
    assert svc.get_place(M, double).free_beds == 0
    for case_id, offer in ((ola, m1), (kari, m2)):
        svc.accept_move(M, case_id, offer)
        svc.carry_out_move(M, case_id, offer)
    room = svc.get_place(M, double)
    assert set(room.occupants) == {ola, kari}
    assert svc.get_place(M, ola_room).is_vacant and svc.get_place(M, kari_room).is_vacant


def test_r10_move_to_the_spouses_facility(memory_service):
    svc = memory_service
    ola, _ = resident(svc, facility_id="solbakken")
    kari, _ = resident(svc, name="Kari")
    svc.link_spouses(M, ola, kari)  # she lives at Fjellheim, he at Solbakken
    elsewhere = place(svc, facility_id="havtun")
    with pytest.raises(RuleViolation) as err:  # not to where the spouse is
        svc.offer_move(M, ola, place_id=elsewhere, reason="spouses_together", made_by="TE")
    assert err.value.rule in ("R10", "R28")
    near = place(svc, facility_id="fjellheim")
    offer = svc.offer_move(M, ola, place_id=near, reason="spouses_together", made_by="TE")
    svc.accept_move(M, ola, offer)
    svc.carry_out_move(M, ola, offer)
    assert svc.get_case(M, ola).residence.facility_id == "fjellheim"


def test_r11_accompanying_spouse_moves_with_the_resident_to_a_double_room(memory_service):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola = waiting_case(svc, name="Ola")
    kari = svc.receive_application(M, identity_number=person_number(), name="Kari",
                                   spouse_case_id=ola)
    svc.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Begge ønsker det",
                                 grounds="Ektefelle", decided_by="TE")
    old = place(svc, room_kind=RoomKind.DOUBLE)
    offer = svc.make_offer(M, ola, made_by="TE", place_id=old)
    svc.accept_offer(M, ola, offer)
    svc.admit(M, ola, offer)
    assert set(svc.get_place(M, old).occupants) == {ola, kari}
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    single = place(svc, facility_id="solbakken")
    with pytest.raises(RuleViolation) as err:  # a single room would part them
        svc.offer_move(M, ola, place_id=single, reason="free_choice", made_by="TE")
    assert (err.value.rule, err.value.field) == ("R11", "place_id")
    with pytest.raises(RuleViolation):  # she moves with him, not on her own
        svc.offer_move(M, kari, place_id=single, reason="free_choice", made_by="TE")
    new = place(svc, facility_id="solbakken", room_kind=RoomKind.DOUBLE)
    move = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    assert svc.get_place(M, new).free_beds == 0  # both beds reserved
    svc.accept_move(M, ola, move)
    svc.carry_out_move(M, ola, move)
    assert set(svc.get_place(M, new).occupants) == {ola, kari}
    assert svc.get_place(M, old).occupants == {}
    assert svc.get_case(M, kari).residence.target_id == new


def test_r28_death_withdraws_the_move_offer_and_releases_its_place(memory_service):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola, old = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    new = place(svc, facility_id="solbakken")
    offer = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    svc.end_stay(M, ola, reason=StayEndReason.DIED)
    case = svc.get_case(M, ola)
    assert case.status is CaseStatus.CLOSED
    assert case.offers[offer].status is OfferStatus.WITHDRAWN
    assert svc.get_place(M, new).is_vacant and svc.get_place(M, old).is_vacant
    with pytest.raises(InvalidState):  # a closed case cannot move
        svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")


def test_r28_only_residents_move_and_every_step_checks_the_state(memory_service):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    waiting = waiting_case(svc)
    p = place(svc)
    with pytest.raises(InvalidState):  # not a resident
        svc.offer_move(M, waiting, place_id=p, reason="free_choice", made_by="TE")
    ola, old = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["fjellheim"])
    with pytest.raises(RuleViolation):  # lives at the first wish already
        svc.offer_move(M, ola, place_id=p, reason="free_choice", made_by="TE")
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    with pytest.raises(InvalidValue):  # the same place
        svc.offer_move(M, ola, place_id=old, reason="free_choice", made_by="TE")
    new = place(svc, facility_id="solbakken")
    offer = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    with pytest.raises(InvalidState):  # not accepted yet
        svc.carry_out_move(M, ola, offer)
    with pytest.raises(InvalidState):  # one move offer at a time
        svc.offer_move(M, ola, place_id=place(svc, facility_id="solbakken"),
                       reason="free_choice", made_by="TE")
    with pytest.raises(InvalidState):  # a move offer is not an offer of a first place
        svc.accept_offer(M, ola, offer)
    with pytest.raises(InvalidValue):
        svc.withdraw_move(M, ola, offer, reason=" ")
    svc.withdraw_move(M, ola, offer, reason="Feil plass")
    assert svc.get_place(M, new).is_vacant
    with pytest.raises(InvalidState):
        svc.accept_move(M, ola, offer)


def test_r28_a_planned_move_keeps_the_old_place_until_the_day(memory_service, clock):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola, old = resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    new = place(svc, facility_id="solbakken")
    offer = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    svc.accept_move(M, ola, offer)
    day = clock.now().date() + timedelta(days=5)
    with pytest.raises(InvalidValue) as err:
        svc.carry_out_move(M, ola, offer, moved_on=clock.now().date() - timedelta(days=400))
    assert err.value.field == "moved_on"
    svc.carry_out_move(M, ola, offer, moved_on=day)
    assert svc.get_place(M, old).free_from(clock.now().date()) == day


def test_r8_r28_a_residents_iplos_is_renewed_and_a_new_place_type_decided(memory_service,
                                                                         clock):
    """A resident's need grows a year and more after admission: the IPLOS registration is
    renewed (documentation is not only for applicants) and the new decision on a screened
    place, which needs it current (R8 (2)), is made."""
    from tests.builders import FULL_IPLOS

    svc = memory_service
    case_id, _ = resident(svc)
    clock.advance(days=500)  # the registration from the application is now too old
    with pytest.raises(RuleViolation) as refused:
        svc.decide_new_place_type(M, case_id, place_type=PlaceType.SCREENED,
                                  grounds="Utagerende atferd ved demens", decided_by="TE")
    assert refused.value.rule == "R8" and "iplos" in str(refused.value.missing)
    svc.register_iplos(M, case_id, scores=dict(FULL_IPLOS), assessed_by="Sykepleier på avd.")
    svc.decide_new_place_type(M, case_id, place_type=PlaceType.SCREENED,
                              grounds="Utagerende atferd ved demens", decided_by="TE")
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.RESIDENT and case.place_type is PlaceType.SCREENED


def test_r19_a_death_in_a_bought_place_ends_its_purchase(memory_service, clock):
    """The municipality pays another provider for a bought place while the person lives
    there: the stay's end (here a death) ends the purchase on the same day, once."""
    svc = memory_service
    ola, bought = in_a_bought_place(svc, reference="K-2")
    clock.advance(days=75)
    svc.end_stay(M, ola, reason=StayEndReason.DIED, command_id="death-1")
    po = svc.get_provider_offer(M, bought)
    assert po.purchase_ended_on == clock.now().date()
    svc.end_stay(M, ola, reason=StayEndReason.DIED, command_id="death-1")  # a retry
    assert svc.get_provider_offer(M, bought).version == po.version
    assert svc.get_case(M, ola).status is CaseStatus.CLOSED
