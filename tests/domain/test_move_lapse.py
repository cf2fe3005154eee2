"""R26 for moves (R28): a move offer has an answer deadline, and one not answered by it lapses
like an offer — its place released in the same save, the resident keeping their place,
recorded once however often the check runs. The bad orders change nothing: an answer after
the lapse, a lapse after the answer, a lapse after the resident died."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.base import local_date
from domain.case import CaseStatus
from domain.errors import InvalidState
from domain.values import OfferStatus, RoomKind, StayEndReason
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, person_number, place, waiting_case
from tests.domain import test_moves as moves

M = MUNICIPALITY


def unchanged(svc):
    """A context that asserts nothing was written."""
    class _Same:
        def __enter__(self):
            self.before = svc.recorder.max_notification_id()

        def __exit__(self, *exc):
            assert svc.recorder.max_notification_id() == self.before
            return False
    return _Same()


def offered_move(svc):
    """A resident at Fjellheim offered a free-choice move to Solbakken: (case, old, new,
    offer)."""
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola, old = moves.resident(svc)
    svc.record_wishes(M, ola, facility_ids=["solbakken", "fjellheim"])
    new = place(svc, facility_id="solbakken")
    offer = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    return ola, old, new, offer


def test_r26_r28_an_unanswered_move_offer_lapses_and_its_place_is_released(
        memory_service, clock):
    svc = memory_service
    ola, old, new, offer = offered_move(svc)
    made = svc.get_case(M, ola).offers[offer]
    assert made.answer_by == local_date(clock.now()) + timedelta(days=3)
    clock.advance(days=3)
    assert svc.lapse_offers(M) == []  # the answer deadline day itself: not yet
    with unchanged(svc), pytest.raises(InvalidState, match="not passed"):
        svc.lapse_move(M, ola, offer)
    clock.advance(days=1)
    assert svc.lapse_offers(M) == [ola]
    case = svc.get_case(M, ola)
    assert case.offers[offer].status is OfferStatus.LAPSED
    assert svc.get_place(M, new).is_vacant  # released in the same save
    assert case.status is CaseStatus.RESIDENT and case.residence.target_id == old
    assert ola in svc.get_place(M, old).occupants  # the resident keeps their place
    with unchanged(svc):  # recorded once
        assert svc.lapse_offers(M) == []
        svc.lapse_move(M, ola, offer, command_id=f"lapse/{offer}")  # the check's retry


def test_r26_r28_a_move_answered_after_it_lapsed_is_refused(memory_service, clock):
    svc = memory_service
    ola, _old, new, offer = offered_move(svc)
    clock.advance(days=4)
    svc.lapse_offers(M)
    for answer in (lambda: svc.accept_move(M, ola, offer),
                   lambda: svc.decline_move(M, ola, offer, reason="For sent"),
                   lambda: svc.withdraw_move(M, ola, offer, reason="r"),
                   lambda: svc.carry_out_move(M, ola, offer)):
        with unchanged(svc), pytest.raises(InvalidState, match="lapsed"):
            answer()
    # a new move offer may be made afterwards: the lapse cost the resident nothing
    again = svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    assert svc.get_case(M, ola).offers[again].status is OfferStatus.MADE


def test_r26_r28_an_accepted_move_does_not_lapse(memory_service, clock):
    svc = memory_service
    ola, old, new, offer = offered_move(svc)
    svc.accept_move(M, ola, offer)
    clock.advance(days=10)
    with unchanged(svc):
        assert svc.lapse_offers(M) == []
    with unchanged(svc), pytest.raises(InvalidState, match="accepted"):
        svc.lapse_move(M, ola, offer)
    svc.carry_out_move(M, ola, offer)
    assert ola in svc.get_place(M, new).occupants
    assert svc.get_place(M, old).is_vacant
    clock.advance(days=10)
    with unchanged(svc):  # carried out: nothing to lapse
        assert svc.lapse_offers(M) == []
        with pytest.raises(InvalidState):
            svc.lapse_move(M, ola, offer)


def test_r26_r28_no_lapse_after_the_resident_died(memory_service, clock):
    svc = memory_service
    ola, _old, new, offer = offered_move(svc)
    svc.end_stay(M, ola, reason=StayEndReason.DIED)  # withdraws the move offer (R9)
    clock.advance(days=10)
    with unchanged(svc):
        assert svc.lapse_offers(M) == []
        with pytest.raises(InvalidState):
            svc.lapse_move(M, ola, offer)
    case = svc.get_case(M, ola)
    assert case.status is CaseStatus.CLOSED
    assert case.offers[offer].status is OfferStatus.WITHDRAWN
    assert svc.get_place(M, new).is_vacant


def test_r11_r26_the_accompanying_spouses_move_lapses_with_the_residents(memory_service,
                                                                          clock):
    svc = memory_service
    svc.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    ola = waiting_case(svc, name="Ola")
    kari = svc.receive_application(M, identity_number=person_number(), name="Kari",
                                   spouse_case_id=ola)
    svc.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Begge ønsker det",
                                 grounds="Ektefelle", decided_by="TE")
    old = place(svc, room_kind=RoomKind.DOUBLE)
    first = svc.make_offer(M, ola, made_by="TE", place_id=old)
    svc.accept_offer(M, ola, first)
    svc.admit(M, ola, first)
    svc.record_wishes(M, ola, facility_ids=["solbakken"])
    new = place(svc, facility_id="solbakken", room_kind=RoomKind.DOUBLE)
    svc.offer_move(M, ola, place_id=new, reason="free_choice", made_by="TE")
    assert svc.get_place(M, new).free_beds == 0
    clock.advance(days=4)
    assert svc.lapse_offers(M) == [ola]  # the spouse's offer follows, it does not lapse
    assert svc.get_place(M, new).free_beds == 2  # both beds released in the same save
    assert svc.get_case(M, kari).outstanding_move is None
    assert set(svc.get_place(M, old).occupants) == {ola, kari}


def test_r26_r28_the_scheduled_round_finds_move_offers_through_the_read_side(service, clock):
    """The server's and the projector's round (:meth:`deadline_round`) takes its cases from
    the read side: residents are not on the waiting list, yet their move offers lapse."""
    svc = service
    ola, _old, new, offer = offered_move(svc)
    read = ReadSide(svc)
    read.catch_up()
    assert svc.deadline_round(read) == ([], [])
    clock.advance(days=4)
    read.catch_up()
    assert read.overdue_answer_case_ids(M, local_date(clock.now())) == [ola]
    assert read.overdue_answer_case_ids("0301", local_date(clock.now())) == []
    lapsed, _ = svc.deadline_round(read)
    assert lapsed == [ola]
    assert svc.get_place(M, new).is_vacant
    read.catch_up()
    assert svc.deadline_round(read) == ([], [])  # recorded once
    doc = read.case_docs(M, [str(ola)])[0]
    assert doc["offers"][str(offer)]["status"] == "lapsed"
