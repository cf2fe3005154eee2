"""When and how a decision (vedtak) was sent and received (R14), and the complaint deadline
that follows from it (klagefrist: pasient- og brukerrettighetsloven § 7-5, forvaltningsloven
§ 29).

The complaint deadline is four weeks *from when the person received the decision*, so it is
never a date computed from the decision date. What the unit knows decides it:

- the day the person received it (``received_on``): that day plus four weeks;
- else the day it was sent and how: the sending day plus the usual delivery time
  (:data:`DELIVERY_WORKING_DAYS`: a letter by post three working days, Monday to Friday; the
  digital mailbox and a letter handed over the same day), plus four weeks;
- else nothing: the deadline is unknown, and no complaint is late by guess.

A decision handed over (overlevert) is received the day it is handed over. The dates are
facts of their own (R24): not in the future, not before the decision, and a receipt not
before the sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.base import Base, add_weeks, local_date
from domain.case.lifecycle import require
from domain.case.state import CaseState, Decision
from domain.errors import InvalidState, InvalidValue, NotFound
from domain.values import DeliveryChannel

#: § 7-5: the complaint deadline is four weeks from receipt.
COMPLAINT_WEEKS = 4

#: The usual delivery time, in working days (Monday–Friday; public holidays are not counted
#: out, a simplification that errs towards the person only by a holiday's day): where only the
#: sending is known, the decision is taken as received this long after it was sent.
DELIVERY_WORKING_DAYS: dict[DeliveryChannel, int] = {
    DeliveryChannel.POST: 3,
    DeliveryChannel.DIGITAL_MAILBOX: 0,
    DeliveryChannel.HANDED_OVER: 0,
}


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday–Friday) after ``start``; ``start`` itself for 0."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass(frozen=True)
class ComplaintDeadline:
    """The complaint deadline of a decision as far as the unit knows it.

    ``basis``: "received" (counted from the recorded receipt), "sent" (from the sending plus
    the usual delivery time) or "unknown" (neither recorded: ``deadline`` is None)."""

    basis: str
    received_on: date | None  # the day of receipt, recorded or taken as the usual one
    deadline: date | None

    def late(self, complaint_received_on: date) -> bool | None:
        """Whether a complaint received on that day came after the deadline; None when the
        deadline is unknown (never late by guess)."""
        if self.deadline is None:
            return None
        return complaint_received_on > self.deadline


UNKNOWN_DEADLINE = ComplaintDeadline("unknown", None, None)


def complaint_deadline(sent_on: date | None, channel: DeliveryChannel | None,
                       received_on: date | None) -> ComplaintDeadline:
    """R14 (§ 7-5, fvl § 29): four weeks from the receipt recorded, else from the sending
    plus the usual delivery time, else unknown."""
    if received_on is not None:
        return ComplaintDeadline("received", received_on, add_weeks(received_on,
                                                                    COMPLAINT_WEEKS))
    if sent_on is not None and channel is not None:
        received = add_working_days(sent_on, DELIVERY_WORKING_DAYS[channel])
        return ComplaintDeadline("sent", received, add_weeks(received, COMPLAINT_WEEKS))
    return UNKNOWN_DEADLINE


def deadline_of(decision: Decision) -> ComplaintDeadline:
    """The complaint deadline of one of the case's decisions."""
    return complaint_deadline(decision.sent_on, decision.channel, decision.received_on)


class Delivery(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class DecisionSent(Base.Event):
        """R14: the decision was sent (sendt) on a day by post, to the digital mailbox, or
        handed over; ``received_on`` where the receipt is known already (always for a
        decision handed over)."""

        decision_id: UUID
        sent_on: date
        channel: DeliveryChannel
        received_on: date | None
        recorded_by: str

        def on(self, case: Delivery) -> None:
            decision = case.decision(self.decision_id)
            decision.sent_on, decision.channel = self.sent_on, self.channel
            if self.received_on is not None:
                decision.received_on = self.received_on

    class DecisionReceived(Base.Event):
        """R14: the day the person received the decision (mottatt), once known."""

        decision_id: UUID
        received_on: date
        recorded_by: str

        def on(self, case: Delivery) -> None:
            case.decision(self.decision_id).received_on = self.received_on

    # --- derived ---------------------------------------------------------------------------

    def decision(self, decision_id: UUID) -> Decision:
        """One of the case's decisions; "not found" (naming the field) otherwise."""
        for decision in self.decisions:
            if decision.decision_id == decision_id:
                return decision
        raise NotFound("no decision with that id on this case", field="decision_id")

    # --- commands -------------------------------------------------------------------------

    @staticmethod
    def _delivery_day(field: str, day: date, today: date, *, not_before: date,
                      before_what: str) -> date:
        """R24: a date the officer gives: a real date, not in the future, not before
        ``not_before``."""
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InvalidValue(field, "a calendar date is required")
        if day > today:
            raise InvalidValue(field, "cannot be in the future")
        if day < not_before:
            raise InvalidValue(field, f"cannot be before {before_what} "
                                      f"({not_before.isoformat()})")
        return day

    def record_decision_sent(self, now: datetime, *, decision_id: UUID, sent_on: date,
                             channel: DeliveryChannel | str, recorded_by: str,
                             received_on: date | None = None,
                             command_id: str | None = None) -> None:
        """R14: record when and how the decision was sent, and the receipt if known. A
        decision handed over is received that day. Recorded once per decision."""
        require(self.status, "record_delivery")
        decision = self.decision(decision_id)
        try:
            how = DeliveryChannel(channel)
        except ValueError:
            raise InvalidValue("channel", "a decision is sent by 'post', to the "
                               "'digital_mailbox' or 'handed_over'") from None
        if decision.sent_on is not None:
            raise InvalidState("R14: the sending of this decision is already recorded "
                               f"({decision.sent_on.isoformat()})", rule="R14",
                               field="sent_on")
        today = local_date(now)
        sent = self._delivery_day("sent_on", sent_on, today, not_before=decision.decided_on,
                                  before_what="the decision")
        if decision.received_on is not None and sent > decision.received_on:
            raise InvalidValue("sent_on", "cannot be after the decision was received "
                                          f"({decision.received_on.isoformat()})")
        if received_on is None and how is DeliveryChannel.HANDED_OVER and \
                decision.received_on is None:
            received_on = sent
        if received_on is not None:
            if decision.received_on is not None:
                raise InvalidState("R14: the receipt of this decision is already recorded "
                                   f"({decision.received_on.isoformat()})", rule="R14",
                                   field="received_on")
            received_on = self._delivery_day("received_on", received_on, today,
                                              not_before=sent,
                                              before_what="the decision was sent")
        if not recorded_by or not recorded_by.strip():
            raise InvalidValue("recorded_by", "name who recorded it")
        self.trigger_event(self.DecisionSent, timestamp=now, command_id=command_id,
                           decision_id=decision_id, sent_on=sent, channel=how,
                           received_on=received_on, recorded_by=recorded_by)

    def record_decision_received(self, now: datetime, *, decision_id: UUID,
                                 received_on: date, recorded_by: str,
                                 command_id: str | None = None) -> None:
        """R14: record the day the person received the decision (once per decision); not
        before the decision, nor before it was sent where that is recorded."""
        require(self.status, "record_delivery")
        decision = self.decision(decision_id)
        if decision.received_on is not None:
            raise InvalidState("R14: the receipt of this decision is already recorded "
                               f"({decision.received_on.isoformat()})", rule="R14",
                               field="received_on")
        if decision.sent_on is not None:
            not_before, what = decision.sent_on, "the decision was sent"
        else:
            not_before, what = decision.decided_on, "the decision"
        day = self._delivery_day("received_on", received_on, local_date(now),
                                 not_before=not_before, before_what=what)
        if not recorded_by or not recorded_by.strip():
            raise InvalidValue("recorded_by", "name who recorded it")
        self.trigger_event(self.DecisionReceived, timestamp=now, command_id=command_id,
                           decision_id=decision_id, received_on=day, recorded_by=recorded_by)


__all__ = ["COMPLAINT_WEEKS", "DELIVERY_WORKING_DAYS", "UNKNOWN_DEADLINE",
           "ComplaintDeadline", "Delivery", "add_working_days", "complaint_deadline",
           "deadline_of"]
