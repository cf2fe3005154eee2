"""R14: when and how a decision was sent (post, digital mailbox, handed over) and received;
the dates are facts of their own (R24). The complaint deadline that follows is in
test_complaints.py."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.base import local_date
from domain.case import add_working_days, complaint_deadline
from domain.errors import InvalidState, InvalidValue, NotFound
from domain.values import DeliveryChannel
from tests.builders import MUNICIPALITY as M
from tests.builders import OTHER_MUNICIPALITY, waiting_case

POST, DIGITAL, HANDED = (DeliveryChannel.POST, DeliveryChannel.DIGITAL_MAILBOX,
                         DeliveryChannel.HANDED_OVER)


def events(svc) -> int:
    return svc.recorder.max_notification_id() or 0


@pytest.fixture
def decided(memory_service, clock):
    """A waiting-list decision of Monday 2 March 2026, and the clock a week later."""
    case_id = waiting_case(memory_service)
    clock.advance(days=7)
    return case_id, memory_service.get_case(M, case_id).decisions[0].decision_id


def test_r14_sending_and_receipt_are_recorded_on_the_decision(memory_service, decided):
    case_id, decision_id = decided
    memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 3),
                                        channel=POST, recorded_by="Saksbehandler Lie")
    decision = memory_service.get_case(M, case_id).decision(decision_id)
    assert (decision.sent_on, decision.channel, decision.received_on) == \
        (date(2026, 3, 3), POST, None)
    memory_service.record_decision_received(M, case_id, decision_id,
                                            received_on=date(2026, 3, 6), recorded_by="x")
    assert memory_service.get_case(M, case_id).decision(decision_id).received_on == \
        date(2026, 3, 6)


def test_r14_a_decision_handed_over_is_received_that_day(memory_service, decided):
    case_id, decision_id = decided
    memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 4),
                                        channel=HANDED, recorded_by="x")
    assert memory_service.get_case(M, case_id).decision(decision_id).received_on == \
        date(2026, 3, 4)


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"sent_on": date(2026, 3, 10)}, "sent_on", "future"),
    ({"sent_on": date(2026, 3, 1)}, "sent_on", "before the decision"),
    ({"received_on": date(2026, 3, 10)}, "received_on", "future"),
    ({"received_on": date(2026, 3, 2)}, "received_on", "before the decision was sent"),
    ({"channel": "pigeon"}, "channel", "post"),
    ({"recorded_by": " "}, "recorded_by", "name"),
])
def test_r24_sending_dates_are_facts_of_their_own(memory_service, decided, kw, field, words):
    """Not in the future, not before the decision, a receipt not before the sending; a
    refusal names the field and writes nothing."""
    case_id, decision_id = decided
    args = dict(sent_on=date(2026, 3, 3), channel=POST, recorded_by="x")
    args.update(kw)
    before = events(memory_service)
    with pytest.raises(InvalidValue, match=words) as err:
        memory_service.record_decision_sent(M, case_id, decision_id, **args)
    assert err.value.field == field
    assert events(memory_service) == before


def test_r24_a_receipt_alone_is_not_before_the_decision_nor_in_the_future(
        memory_service, decided, clock):
    case_id, decision_id = decided
    today = local_date(clock.now())
    for day, words in ((date(2026, 3, 1), "before the decision"),
                       (today + timedelta(days=1), "future")):
        with pytest.raises(InvalidValue, match=words) as err:
            memory_service.record_decision_received(M, case_id, decision_id, received_on=day,
                                                    recorded_by="x")
        assert err.value.field == "received_on"


def test_r14_sending_and_receipt_are_recorded_once(memory_service, decided):
    case_id, decision_id = decided
    memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 3),
                                        channel=DIGITAL, received_on=date(2026, 3, 3),
                                        recorded_by="x")
    before = events(memory_service)
    with pytest.raises(InvalidState) as err:
        memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 4),
                                            channel=POST, recorded_by="x")
    assert err.value.field == "sent_on"
    with pytest.raises(InvalidState) as err:
        memory_service.record_decision_received(M, case_id, decision_id,
                                                received_on=date(2026, 3, 5), recorded_by="x")
    assert err.value.field == "received_on"
    assert events(memory_service) == before


def test_r14_a_retried_sending_writes_nothing(memory_service, decided):
    case_id, decision_id = decided
    for _ in range(2):
        memory_service.record_decision_sent(M, case_id, decision_id,
                                            sent_on=date(2026, 3, 3), channel=POST,
                                            recorded_by="x", command_id="send-1")
    sent = [e for e in memory_service.events.get(case_id)
            if type(e).__name__ == "DecisionSent"]
    assert len(sent) == 1


def test_r14_an_unknown_decision_or_another_municipalitys_case_is_not_found(
        memory_service, decided):
    case_id, decision_id = decided
    with pytest.raises(NotFound) as err:
        memory_service.record_decision_sent(M, case_id, uuid4(), sent_on=date(2026, 3, 3),
                                            channel=POST, recorded_by="x")
    assert err.value.field == "decision_id"
    with pytest.raises(NotFound):
        memory_service.record_decision_sent(OTHER_MUNICIPALITY, case_id, decision_id,
                                            sent_on=date(2026, 3, 3), channel=POST,
                                            recorded_by="x")


def test_r14_sending_is_recorded_after_the_case_has_moved_on(memory_service, decided):
    """A rejection's letter is sent after the rejection; a closed case's decisions were
    still sent when they were."""
    from domain.values import ClosureReason

    case_id, decision_id = decided
    memory_service.close_case(M, case_id, reason=ClosureReason.WITHDRAWN)
    memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 3),
                                        channel=POST, recorded_by="x")
    assert memory_service.get_case(M, case_id).decision(decision_id).sent_on == \
        date(2026, 3, 3)


def test_r14_the_usual_delivery_time_counts_working_days() -> None:
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2026, 3, 9)
    assert add_working_days(friday, 3) == date(2026, 3, 11)
    assert complaint_deadline(None, None, None).deadline is None
    assert complaint_deadline(friday, POST, None).received_on == date(2026, 3, 11)
    assert complaint_deadline(friday, POST, date(2026, 3, 7)).deadline == date(2026, 4, 4)


def test_r14_a_receipt_known_first_and_the_sending_after(memory_service, decided):
    """The person says when it came; the sending is found later: it is not after the
    receipt, and a letter handed over keeps the receipt recorded."""
    case_id, decision_id = decided
    memory_service.record_decision_received(M, case_id, decision_id,
                                            received_on=date(2026, 3, 4), recorded_by="x")
    with pytest.raises(InvalidValue, match="after the decision was received") as err:
        memory_service.record_decision_sent(M, case_id, decision_id,
                                            sent_on=date(2026, 3, 5), channel=POST,
                                            recorded_by="x")
    assert err.value.field == "sent_on"
    memory_service.record_decision_sent(M, case_id, decision_id, sent_on=date(2026, 3, 3),
                                        channel=HANDED, recorded_by="x")
    decision = memory_service.get_case(M, case_id).decision(decision_id)
    assert (decision.sent_on, decision.received_on) == (date(2026, 3, 3), date(2026, 3, 4))
