"""R11 (§ 2-3 second paragraph): the accompanying stay (medfølgende ektefelle/samboer).

The accompanying stay is a decision on the spouse's own case; an offer of a double room to the
resident reserves both beds, admission occupies both, and the stay continues when the resident
dies until a new decision on it. Bad orders and bad input are refused and change nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case import CaseStatus
from domain.errors import InvalidState, InvalidValue, RuleViolation
from domain.values import ClosureReason, RoomKind, StayEndReason
from tests.builders import MUNICIPALITY, person_number, place, waiting_case

M = MUNICIPALITY


def couple(svc, *, decide: bool = True):
    """Ola on the waiting list; Kari, his wife, who does not meet the criteria, with a
    decision on an accompanying stay on her own case."""
    ola = waiting_case(svc, name="Ola")
    kari = svc.receive_application(M, identity_number=person_number(), name="Kari",
                                   spouse_case_id=ola)
    if decide:
        svc.decide_accompanying_stay(M, kari, resident_case_id=ola,
                                     wish="Begge ønsker å bo sammen",
                                     grounds="Ektefelle til beboer", decided_by="TE")
    return ola, kari


def versions(svc, *ids):
    return [svc.get_case(M, c).version for c in ids]


def test_r11_accompanying_stay_is_a_decision_on_the_spouses_own_case(memory_service):
    ola, kari = couple(memory_service)
    case = memory_service.get_case(M, kari)
    assert case.status is CaseStatus.ACCOMPANYING
    assert case.current_decision.kind == "accompanying_stay"
    assert case.accompanying.resident_case_id == ola
    assert not case.on_waiting_list  # not on the list, no guarantee of its own
    assert case.deadline is None
    # no § 2-2 checklist was asked of her: the criteria do not apply (R8 stays out of it)
    assert not case.docs.own_account


def test_r11_accompanying_stay_needs_the_link_the_wish_and_a_resident_spouse(memory_service):
    ola = waiting_case(memory_service, name="Ola")
    stranger = memory_service.receive_application(M, identity_number=person_number(),
                                                  name="Per")
    before = versions(memory_service, ola, stranger)
    with pytest.raises(RuleViolation) as err:  # not linked (R10)
        memory_service.decide_accompanying_stay(M, stranger, resident_case_id=ola, wish="Ja",
                                                grounds="G", decided_by="TE")
    assert (err.value.rule, err.value.field) == ("R11", "resident_case_id")
    assert versions(memory_service, ola, stranger) == before
    kari = memory_service.receive_application(M, identity_number=person_number(),
                                              name="Kari", spouse_case_id=ola)
    before = versions(memory_service, ola, kari)
    with pytest.raises(RuleViolation) as err:  # both must wish it
        memory_service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish=" ",
                                                grounds="G", decided_by="TE")
    assert (err.value.rule, err.value.field) == ("R11", "wish")
    with pytest.raises(RuleViolation) as err:  # R14: grounds
        memory_service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Ja",
                                                grounds="", decided_by="TE")
    assert err.value.rule == "R14"
    with pytest.raises(InvalidValue) as verr:  # R24: not in the future
        memory_service.decide_accompanying_stay(
            M, kari, resident_case_id=ola, wish="Ja", grounds="G", decided_by="TE",
            decided_on=memory_service._today() + timedelta(days=1))
    assert verr.value.field == "decided_on"
    assert versions(memory_service, ola, kari) == before
    # a resident spouse without a long-term stay (application still investigated)
    per = memory_service.receive_application(M, identity_number=person_number(), name="Per")
    eva = memory_service.receive_application(M, identity_number=person_number(), name="Eva",
                                             spouse_case_id=per)
    with pytest.raises(RuleViolation) as err:
        memory_service.decide_accompanying_stay(M, eva, resident_case_id=per, wish="Ja",
                                                grounds="G", decided_by="TE")
    assert (err.value.rule, err.value.field) == ("R11", "resident_case_id")
    assert memory_service.get_case(M, eva).status is CaseStatus.RECEIVED


def test_r11_offer_of_a_double_room_reserves_both_beds(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    room = memory_service.get_place(M, double)
    assert sorted(map(str, room.reservations.values())) == sorted([str(ola), str(kari)])
    assert room.free_beds == 0
    mine = memory_service.get_case(M, kari).outstanding_offer
    assert mine is not None and mine.accompanies == offer and mine.target_id == double


def test_r11_a_single_room_offered_to_a_couple_is_refused_without_a_reason(memory_service):
    ola, kari = couple(memory_service)
    single = place(memory_service)
    before = versions(memory_service, ola, kari)
    with pytest.raises(RuleViolation) as err:
        memory_service.make_offer(M, ola, made_by="TE", place_id=single)
    assert (err.value.rule, err.value.field) == ("R11", "single_room_reason")
    assert versions(memory_service, ola, kari) == before
    assert memory_service.get_place(M, single).is_vacant
    # a double room with one bed taken does not house the couple either
    half = place(memory_service, room_kind=RoomKind.DOUBLE)
    other = waiting_case(memory_service, name="Per")
    memory_service.make_offer(M, other, made_by="TE", place_id=half)
    with pytest.raises(RuleViolation) as err:
        memory_service.make_offer(M, ola, made_by="TE", place_id=half)
    assert (err.value.rule, err.value.field) == ("R11", "place_id")
    # with a recorded reason (they choose to live apart for now) it is made, for him alone
    memory_service.make_offer(M, ola, made_by="TE", place_id=single,
                              single_room_reason="Ønsker egne rom inntil videre")
    assert memory_service.get_case(M, kari).outstanding_offer is None
    assert list(memory_service.get_place(M, single).reservations.values()) == [ola]


def test_r11_withdrawn_or_declined_offer_releases_both_beds(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.decline_offer(M, ola, offer, reason="Vil vente")
    room = memory_service.get_place(M, double)
    assert room.reservations == {} and room.free_beds == 2
    assert memory_service.get_case(M, kari).outstanding_offer is None
    # offered again, accepted, then withdrawn by the municipality: both released
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.accept_offer(M, ola, offer)
    assert memory_service.get_case(M, kari).outstanding_offer.status.value == "accepted"
    memory_service.withdraw_offer(M, ola, offer, reason="Feil rom")
    assert memory_service.get_place(M, double).free_beds == 2
    # offered again, and the resident dies before the admission (R9): both released
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.close_case(M, ola, reason=ClosureReason.DIED)
    assert memory_service.get_place(M, double).free_beds == 2
    assert memory_service.get_case(M, kari).status is CaseStatus.ACCOMPANYING


def test_r11_the_spouse_answers_through_the_residents_offer_only(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    mine = memory_service.get_case(M, kari).outstanding_offer
    before = versions(memory_service, ola, kari)
    with pytest.raises(InvalidState):
        memory_service.accept_offer(M, kari, mine.offer_id)
    with pytest.raises(InvalidState):
        memory_service.admit(M, kari, mine.offer_id)
    assert versions(memory_service, ola, kari) == before


def test_r11_the_spouse_dying_before_admission_releases_only_her_bed(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.close_case(M, kari, reason=ClosureReason.DIED)
    room = memory_service.get_place(M, double)
    assert list(room.reservations.values()) == [ola] and room.free_beds == 1
    memory_service.accept_offer(M, ola, offer)
    memory_service.admit(M, ola, offer)
    assert memory_service.get_case(M, ola).status is CaseStatus.RESIDENT


def test_r11_admission_occupies_both_beds_and_the_run_never_offers_the_second(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.accept_offer(M, ola, offer)
    memory_service.admit(M, ola, offer)
    room = memory_service.get_place(M, double)
    assert set(room.occupants) == {ola, kari} and room.free_beds == 0
    spouse = memory_service.get_case(M, kari)
    assert spouse.status is CaseStatus.RESIDENT and spouse.in_accompanying_stay
    assert spouse.residence.target_id == double
    # a stranger waiting with a high need: the run proposes nothing in the couple's room
    stranger = waiting_case(memory_service, name="Per")
    memory_service.assess_priority(M, stranger, factors={}, need_score=90, assessor="TE",
                                  departure_reason="Stort behov")
    run = memory_service.get_allocation_run(
        M, memory_service.run_allocation(M, started_by="TE", confirm_unassessed=True))
    assert all(item["place_id"] != str(double) for item in run.proposed.values())
    with pytest.raises(InvalidState):  # and a manual offer of it is refused by the room
        memory_service.make_offer(M, stranger, made_by="TE", place_id=double)


def test_r11_accompanying_stay_continues_when_the_resident_dies(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.accept_offer(M, ola, offer)
    memory_service.admit(M, ola, offer)
    memory_service.end_stay(M, ola, reason=StayEndReason.DIED)
    room = memory_service.get_place(M, double)
    assert set(room.occupants) == {kari}  # her bed stays occupied
    spouse = memory_service.get_case(M, kari)
    assert spouse.status is CaseStatus.RESIDENT and spouse.in_accompanying_stay
    # a new decision: it ends on a date ahead (R24): the bed is hers until then
    ends = memory_service._today() + timedelta(days=30)
    with pytest.raises(InvalidValue) as err:
        memory_service.conclude_accompanying_stay(M, kari, outcome="ended", grounds="G",
                                                  decided_by="TE")
    assert err.value.field == "ended_on"
    with pytest.raises(InvalidValue) as err:
        memory_service.conclude_accompanying_stay(M, kari, outcome="perhaps", grounds="G",
                                                  decided_by="TE")
    assert err.value.field == "outcome"
    memory_service.conclude_accompanying_stay(M, kari, outcome="ended", ended_on=ends,
                                              grounds="Flytter hjem", decided_by="TE")
    spouse = memory_service.get_case(M, kari)
    assert spouse.current_decision.kind == "accompanying_stay_ended"
    assert spouse.status is CaseStatus.CLOSED
    room = memory_service.get_place(M, double)
    assert kari in room.occupants  # hers until the day it ends (R24)
    assert room.free_beds_on(ends - timedelta(days=1)) == 1
    assert room.free_beds_on(ends) == 2


def test_r11_accompanying_stay_may_continue_as_an_ordinary_stay(memory_service):
    ola, kari = couple(memory_service)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    offer = memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    memory_service.accept_offer(M, ola, offer)
    memory_service.admit(M, ola, offer)
    memory_service.end_stay(M, ola, reason=StayEndReason.DIED)
    memory_service.conclude_accompanying_stay(M, kari, outcome="ordinary_stay",
                                              grounds="Fyller nå vilkårene", decided_by="TE")
    spouse = memory_service.get_case(M, kari)
    assert spouse.status is CaseStatus.RESIDENT and not spouse.in_accompanying_stay
    assert spouse.current_decision.kind == "ordinary_stay"
    assert kari in memory_service.get_place(M, double).occupants
    with pytest.raises(InvalidState):  # no second conclusion of a stay no longer accompanying
        memory_service.conclude_accompanying_stay(M, kari, outcome="ordinary_stay",
                                                  grounds="G", decided_by="TE")


def test_r11_without_the_decision_the_wish_alone_reserves_one_bed(memory_service):
    ola, kari = couple(memory_service, decide=False)
    double = place(memory_service, room_kind=RoomKind.DOUBLE)
    memory_service.make_offer(M, ola, made_by="TE", place_id=double)
    assert memory_service.get_place(M, double).free_beds == 1
    with pytest.raises(InvalidState):  # the decision now would find nothing to follow
        memory_service.conclude_accompanying_stay(M, kari, outcome="ordinary_stay",
                                                  grounds="G", decided_by="TE")


def test_r11_an_offer_recorded_before_the_single_room_reason_is_upcast(memory_service):
    """OfferMade v2 (before R11's ``single_room_reason``) loads as v3 without a reason; a
    case of such events, the application's wish flag among them, reads as before."""
    import json
    import uuid

    from eventsourcing.persistence import StoredEvent

    ola, _ = couple(memory_service, decide=False)
    memory_service.make_offer(M, ola, made_by="TE", place_id=place(memory_service))
    new_id = uuid.uuid4()
    copies = []
    for stored in memory_service.recorder.select_events(ola):
        state = json.loads(stored.state)
        if stored.topic.endswith("Case.OfferMade"):
            assert state["class_version"] == 3
            state["class_version"] = 2
            del state["single_room_reason"]
        copies.append(StoredEvent(originator_id=new_id,
                                  originator_version=stored.originator_version,
                                  topic=stored.topic, state=json.dumps(state).encode()))
    memory_service.recorder.insert_events(copies)
    old = memory_service.get_case(M, new_id)
    assert old.outstanding_offer is not None and old.accompanying is None
    assert old.accompanying_spouse is False
