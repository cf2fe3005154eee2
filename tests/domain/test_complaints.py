"""R21 complaints (klage; pbrl. § 7-2, fvl. §§ 28–34): the order of the steps, the complaint
deadline (klagefrist, four weeks from the person's receipt of the decision: R14), a late
complaint taken up with a reason (fvl. § 31), tenancy, bad input and retries.

These run the application layer on an in-memory SQLite store, like test_rules.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from application.complaints import NewDecision
from domain.base import local_date
from domain.complaint import ComplaintOutcome, ComplaintStatus, ComplaintSubject
from domain.errors import InvalidState, InvalidValue, NotFound, RuleViolation
from domain.values import DeliveryChannel
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY, place, waiting_case

M = MUNICIPALITY
DECISION, OFFER = ComplaintSubject.DECISION, ComplaintSubject.OFFER


def events(svc) -> int:
    return svc.recorder.max_notification_id() or 0


def today(clock):
    return local_date(clock.now())


@pytest.fixture
def decided(memory_service, clock):
    """A waiting-list decision made today (Monday 2 March 2026); its sending is not
    recorded, so its complaint deadline is not known yet."""
    case_id = waiting_case(memory_service)
    return case_id, memory_service.get_case(M, case_id).decisions[0]


def register(svc, clock, case_id, subject_id, against=DECISION, **kw):
    args = dict(against=against, subject_id=subject_id, received_on=today(clock),
                grounds="Ønsker plass straks", registered_by="Saksbehandler Lie")
    args.update(kw)
    return svc.register_complaint(M, case_id, **args)


def sent(svc, case_id, decision, **kw):
    args = dict(sent_on=decision.decided_on, channel=DeliveryChannel.POST,
                recorded_by="Saksbehandler Lie")
    args.update(kw)
    svc.record_decision_sent(M, case_id, decision.decision_id, **args)


def test_r14_complaint_deadline_counts_from_receipt(memory_service, clock, decided):
    """Four weeks from the day the person received the decision (pbrl. § 7-5, fvl. § 29),
    not from the decision date: sent on 2 March, received on Friday 6 March, the deadline is
    3 April; a complaint received that day is in time, one the day after is late."""
    case_id, decision = decided
    clock.advance(days=4)
    sent(memory_service, case_id, decision, received_on=date(2026, 3, 6))
    clock.advance(days=29)  # 4 April
    in_time = memory_service.get_complaint(M, register(
        memory_service, clock, case_id, decision.decision_id, received_on=date(2026, 4, 3)))
    assert in_time.complaint_deadline == date(2026, 4, 3)
    assert in_time.deadline_basis == "received" and in_time.late is False
    assert in_time.status is ComplaintStatus.RECEIVED
    assert in_time.case_id == case_id and in_time.against is DECISION
    late = memory_service.get_complaint(M, register(
        memory_service, clock, case_id, decision.decision_id, received_on=date(2026, 4, 4)))
    assert late.late is True
    assert late.status is ComplaintStatus.RECEIVED  # registered all the same (fvl. § 31)


def test_r14_a_receipt_recorded_later_counts(memory_service, clock, decided):
    case_id, decision = decided
    sent(memory_service, case_id, decision)  # by post: taken as received on 5 March
    clock.advance(days=10)
    memory_service.record_decision_received(M, case_id, decision.decision_id,
                                            received_on=date(2026, 3, 9), recorded_by="x")
    clock.advance(days=30)
    complaint = memory_service.get_complaint(M, register(
        memory_service, clock, case_id, decision.decision_id, received_on=date(2026, 4, 6)))
    assert complaint.deadline_basis == "received"
    assert complaint.complaint_deadline == date(2026, 4, 6) and complaint.late is False


@pytest.mark.parametrize(("sent_on", "channel", "deadline"), [
    # Monday by post: three working days, Thursday 5 March, + 4 weeks
    (date(2026, 3, 2), DeliveryChannel.POST, date(2026, 4, 2)),
    # Friday by post: Monday, Tuesday, Wednesday 11 March, + 4 weeks
    (date(2026, 3, 6), DeliveryChannel.POST, date(2026, 4, 8)),
    # the digital mailbox and a letter handed over: the same day
    (date(2026, 3, 6), DeliveryChannel.DIGITAL_MAILBOX, date(2026, 4, 3)),
    (date(2026, 3, 6), DeliveryChannel.HANDED_OVER, date(2026, 4, 3)),
])
def test_r14_late_only_against_receipt_or_sending_plus_delivery(
        memory_service, clock, decided, sent_on, channel, deadline):
    """Only the sending known: the sending day plus the usual delivery time, plus four
    weeks. A letter handed over is received the day it is handed over."""
    case_id, decision = decided
    clock.advance(days=(sent_on - today(clock)).days)
    sent(memory_service, case_id, decision, sent_on=sent_on, channel=channel)
    clock.advance(days=60)
    on_time = memory_service.get_complaint(M, register(
        memory_service, clock, case_id, decision.decision_id, received_on=deadline))
    basis = "received" if channel is DeliveryChannel.HANDED_OVER else "sent"
    assert (on_time.complaint_deadline, on_time.deadline_basis) == (deadline, basis)
    assert on_time.late is False
    late = memory_service.get_complaint(M, register(
        memory_service, clock, case_id, decision.decision_id,
        received_on=deadline + timedelta(days=1)))
    assert late.late is True


def test_r14_never_late_by_guess_when_neither_sending_nor_receipt_is_recorded(
        memory_service, clock, decided):
    case_id, decision = decided
    clock.advance(days=120)
    complaint = memory_service.get_complaint(M, register(memory_service, clock, case_id,
                                                         decision.decision_id))
    assert complaint.deadline_basis == "unknown"
    assert complaint.complaint_deadline is None and complaint.late is None


def test_r14_complaint_against_an_offer_has_no_deadline_from_the_offer_date(
        memory_service, clock, decided):
    """An offer's sending is not recorded: its deadline is unknown, never four weeks from
    the day it was made."""
    case_id, _ = decided
    clock.advance(days=20)
    offer_id = memory_service.make_offer(M, case_id, made_by="TE",
                                         place_id=place(memory_service))
    clock.advance(days=60)
    complaint = memory_service.get_complaint(M, register(memory_service, clock, case_id,
                                                         offer_id, against="offer"))
    assert complaint.against is OFFER and complaint.subject_id == offer_id
    assert complaint.subject_date == today(clock) - timedelta(days=60)
    assert complaint.late is None and complaint.complaint_deadline is None


def test_r21_late_complaint_taken_up_with_a_reason(memory_service, clock, decided):
    """A complaint received after the deadline may still be taken up (fvl. § 31): the
    reconsideration records why, and is refused without it (nothing written)."""
    case_id, decision = decided
    sent(memory_service, case_id, decision, channel=DeliveryChannel.HANDED_OVER)
    clock.advance(days=40)
    complaint_id = register(memory_service, clock, case_id, decision.decision_id)
    assert memory_service.get_complaint(M, complaint_id).late is True
    before = events(memory_service)
    for reason in (None, "   "):
        with pytest.raises(RuleViolation) as err:
            memory_service.record_reconsideration(
                M, complaint_id, upheld=False, reasoning="Ingen nye opplysninger",
                decided_by="Leder", decided_on=today(clock), late_reason=reason)
        assert err.value.rule == "R21" and err.value.field == "late_reason"
        assert err.value.missing == ("late_reason",)
    assert events(memory_service) == before
    memory_service.record_reconsideration(
        M, complaint_id, upheld=False, reasoning="Ingen nye opplysninger",
        decided_by="Leder", decided_on=today(clock),
        late_reason="Vedtaket ble sendt til feil adresse")
    reconsidered = [e for e in memory_service.events.get(complaint_id)
                    if type(e).__name__ == "Reconsidered"]
    assert reconsidered[0].late_reason == "Vedtaket ble sendt til feil adresse"
    assert memory_service.get_complaint(M, complaint_id).status is \
        ComplaintStatus.AWAITING_FORWARDING


def test_r21_a_complaint_in_time_needs_no_late_reason(memory_service, clock, decided):
    case_id, decision = decided
    complaint_id = register(memory_service, clock, case_id, decision.decision_id)
    memory_service.record_reconsideration(M, complaint_id, upheld=True, reasoning="Omgjøres",
                                          decided_by="Leder", decided_on=today(clock),
                                          outcome="quashed")
    assert memory_service.get_complaint(M, complaint_id).status is ComplaintStatus.UPHELD


def test_r21_subject_must_be_on_that_case(memory_service, clock, decided):
    case_id, _ = decided
    other_case = waiting_case(memory_service)
    other_decision = memory_service.get_case(M, other_case).decisions[0].decision_id
    before = events(memory_service)
    with pytest.raises(NotFound) as err:
        register(memory_service, clock, case_id, other_decision)
    assert err.value.field == "subject_id"
    with pytest.raises(NotFound) as err:
        register(memory_service, clock, case_id, uuid4(), against=OFFER)
    assert err.value.field == "subject_id"
    with pytest.raises(NotFound) as err:
        register(memory_service, clock, uuid4(), other_decision)
    assert err.value.field == "case_id"
    assert events(memory_service) == before  # nothing written


@pytest.mark.parametrize(("change", "field"), [
    ({"against": "appeal"}, "against"),
    ({"grounds": "  "}, "grounds"),
    ({"registered_by": ""}, "registered_by"),
    ({"received_on": "2026-03-02"}, "received_on"),
])
def test_r21_bad_input_names_the_field_and_writes_nothing(memory_service, clock, decided,
                                                          change, field):
    case_id, decision = decided
    before = events(memory_service)
    with pytest.raises(InvalidValue) as err:
        register(memory_service, clock, case_id, decision.decision_id, **change)
    assert err.value.field == field
    assert events(memory_service) == before


def test_r21_received_on_between_the_decision_and_today(memory_service, clock, decided):
    case_id, decision = decided
    with pytest.raises(InvalidValue, match="future") as err:
        register(memory_service, clock, case_id, decision.decision_id,
                 received_on=today(clock) + timedelta(days=1))
    assert err.value.field == "received_on"
    with pytest.raises(InvalidValue, match="before") as err:
        register(memory_service, clock, case_id, decision.decision_id,
                 received_on=decision.decided_on - timedelta(days=1))
    assert err.value.field == "received_on"


def test_r21_the_whole_path_received_reconsidered_forwarded_decided(memory_service, clock,
                                                                    decided):
    case_id, decision = decided
    svc = memory_service
    clock.advance(days=7)
    k = register(svc, clock, case_id, decision.decision_id)
    clock.advance(days=10)
    svc.record_reconsideration(M, k, upheld=False, reasoning="Vedtaket opprettholdes",
                               decided_by="Leder", decided_on=today(clock))
    assert svc.get_complaint(M, k).status is ComplaintStatus.AWAITING_FORWARDING
    clock.advance(days=2)
    svc.forward_complaint(M, k, forwarded_on=today(clock), forwarded_by="Leder")
    assert svc.get_complaint(M, k).status is ComplaintStatus.FORWARDED
    clock.advance(days=40)
    svc.record_complaint_outcome(M, k, outcome="quashed", decided_on=today(clock),
                                 summary="Opphevet; sendt tilbake til ny behandling")
    complaint = svc.get_complaint(M, k)
    assert complaint.status is ComplaintStatus.DECIDED
    assert complaint.outcome is ComplaintOutcome.QUASHED
    names = [type(e).__name__ for e in svc.events.get(k)]
    assert names == ["Registered", "Reconsidered", "Forwarded", "OutcomeRecorded"]
    assert all(e.command_id is None for e in svc.events.get(k))


def test_r21_forwarding_only_after_a_reconsideration_not_upheld(memory_service, clock,
                                                                decided):
    case_id, decision = decided
    svc = memory_service
    k = register(svc, clock, case_id, decision.decision_id)
    with pytest.raises(InvalidState) as err:
        svc.forward_complaint(M, k, forwarded_on=today(clock), forwarded_by="Leder")
    assert err.value.rule == "R21" and err.value.field == "complaint_id"
    with pytest.raises(InvalidState) as err:
        svc.record_complaint_outcome(M, k, outcome=ComplaintOutcome.CONFIRMED,
                                     decided_on=today(clock), summary="Stadfestet")
    assert err.value.rule == "R21"
    assert [type(e).__name__ for e in svc.events.get(k)] == ["Registered"]


def test_r21_upheld_by_the_unit_closes_the_complaint(memory_service, clock, decided):
    case_id, decision = decided
    svc = memory_service
    k = register(svc, clock, case_id, decision.decision_id)
    svc.record_reconsideration(
        M, k, upheld=True, reasoning="Ny informasjon; tas til følge", decided_by="Leder",
        decided_on=today(clock), new_decision=NewDecision(
            kind="grant", grounds="Omgjort etter klage",
            place_type=svc.get_case(M, case_id).place_type,
            can_be_cared_for_safely_at_home=False))
    assert svc.get_complaint(M, k).status is ComplaintStatus.UPHELD
    with pytest.raises(InvalidState) as err:
        svc.forward_complaint(M, k, forwarded_on=today(clock), forwarded_by="Leder")
    assert err.value.rule == "R21"
    with pytest.raises(InvalidState) as err:
        svc.record_reconsideration(M, k, upheld=False, reasoning="Likevel ikke",
                                   decided_by="Leder", decided_on=today(clock))
    assert err.value.rule == "R21"
    # the unit's new decision was made with the reconsideration, linked to the complaint
    case = svc.get_case(M, case_id)
    assert [d.kind for d in case.decisions] == ["waiting_list", "grant"]
    assert case.current_decision.complaint_id == k


def test_r21_each_step_keeps_the_order_of_dates(memory_service, clock, decided):
    case_id, decision = decided
    svc = memory_service
    clock.advance(days=10)
    k = register(svc, clock, case_id, decision.decision_id)
    with pytest.raises(InvalidValue) as err:
        svc.record_reconsideration(M, k, upheld=False, reasoning="Nei", decided_by="Leder",
                                   decided_on=today(clock) - timedelta(days=1))
    assert err.value.field == "decided_on"
    svc.record_reconsideration(M, k, upheld=False, reasoning="Nei", decided_by="Leder",
                               decided_on=today(clock))
    with pytest.raises(InvalidValue) as err:
        svc.forward_complaint(M, k, forwarded_on=today(clock) - timedelta(days=1),
                              forwarded_by="Leder")
    assert err.value.field == "forwarded_on"
    svc.forward_complaint(M, k, forwarded_on=today(clock), forwarded_by="Leder")
    with pytest.raises(InvalidValue) as err:
        svc.record_complaint_outcome(M, k, outcome="confirmed",
                                     decided_on=today(clock) + timedelta(days=1),
                                     summary="Stadfestet")
    assert err.value.field == "decided_on"
    with pytest.raises(InvalidValue) as err:
        svc.record_complaint_outcome(M, k, outcome="withdrawn", decided_on=today(clock),
                                     summary="?")
    assert err.value.field == "outcome"
    assert svc.get_complaint(M, k).status is ComplaintStatus.FORWARDED


def test_r21_another_municipality_finds_nothing(memory_service, clock, decided):
    case_id, decision = decided
    svc = memory_service
    before = events(svc)
    with pytest.raises(NotFound) as err:
        svc.register_complaint(OTHER_MUNICIPALITY, case_id, against=DECISION,
                               subject_id=decision.decision_id, received_on=today(clock),
                               grounds="x", registered_by="y")
    assert err.value.field == "case_id"
    assert events(svc) == before
    k = register(svc, clock, case_id, decision.decision_id, command_id="klage-1")
    for call in (
        lambda: svc.get_complaint(OTHER_MUNICIPALITY, k),
        lambda: svc.record_reconsideration(OTHER_MUNICIPALITY, k, upheld=False,
                                           reasoning="Nei", decided_by="Leder",
                                           decided_on=today(clock)),
        # a retry from another municipality does not reveal the complaint either
        lambda: svc.register_complaint(OTHER_MUNICIPALITY, case_id, against=DECISION,
                                       subject_id=decision.decision_id,
                                       received_on=today(clock), grounds="x",
                                       registered_by="y", command_id="klage-1"),
    ):
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.field in ("complaint_id", "case_id")


def test_r21_retried_commands_write_nothing(memory_service, clock, decided):
    case_id, decision = decided
    svc = memory_service
    first = register(svc, clock, case_id, decision.decision_id, command_id="klage-7")
    after_register = events(svc)
    again = register(svc, clock, case_id, decision.decision_id, command_id="klage-7",
                     grounds="sendt på nytt")
    assert again == first and events(svc) == after_register
    steps = [
        lambda: svc.record_reconsideration(M, first, upheld=False, reasoning="Nei",
                                           decided_by="Leder", decided_on=today(clock),
                                           command_id="klage-7/r"),
        lambda: svc.forward_complaint(M, first, forwarded_on=today(clock),
                                      forwarded_by="Leder", command_id="klage-7/f"),
        lambda: svc.record_complaint_outcome(M, first, outcome=ComplaintOutcome.CONFIRMED,
                                             decided_on=today(clock), summary="Stadfestet",
                                             command_id="klage-7/o"),
    ]
    for step in steps:
        step()
        written = events(svc)
        step()  # the retry: recognised, nothing written, no error
        assert events(svc) == written
    assert [e.command_id for e in svc.events.get(first)] == [
        "klage-7", "klage-7/r", "klage-7/f", "klage-7/o"]
