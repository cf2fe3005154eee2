"""A complaint (klage) against a decision (vedtak) or an offer (tilbud) on a case: R21.

The right to complain is pasient- og brukerrettighetsloven § 7-2; the complaint deadline
(klagefrist) is four weeks from when the person *received* the decision (§ 7-5, fvl. § 29),
stated in every decision (R14) and counted by :mod:`domain.case.delivery`: from the receipt
recorded, else from the sending plus the usual delivery time, else unknown — and a complaint
whose deadline is unknown is never late by guess. An offer's sending is not recorded yet, so
a complaint against an offer has an unknown deadline. The procedure follows forvaltningsloven
chapter VI (§§ 28–34):

1. the complaint is registered with the allocation unit that decided (underinstansen);
   one received after the deadline is still registered, flagged late; the unit may take it
   up all the same (fvl. § 31), and then records why (``late_reason`` with the
   reconsideration: refused without one);
2. the unit reconsiders (underinstansens behandling, fvl. § 33 second paragraph): it either
   upholds the complaint in full and makes a new decision itself (omgjøring — the new
   decision is an ordinary command on the case), or it does not;
3. a complaint not upheld in full is forwarded to the State Administrator
   (Statsforvalteren);
4. the State Administrator's outcome is recorded: confirmed (stadfestet), changed
   (omgjort) or quashed and sent back (opphevet og sendt tilbake).

A complaint is its own aggregate, so registering one never contends with work on the case.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from domain.base import Base, check_municipality, local_date
from domain.case import UNKNOWN_DEADLINE, Case, ComplaintDeadline, deadline_of
from domain.errors import InvalidState, InvalidValue, NotFound, RuleViolation

#: Where a complaint goes when the unit does not uphold it (fvl. § 33 fourth paragraph).
APPEAL_BODY = "Statsforvalteren"


class ComplaintSubject(Enum):
    """What the complaint is against."""

    DECISION = "decision"  # vedtak: grant, waiting list or rejection
    OFFER = "offer"  # tilbud om en bestemt plass


class ComplaintOutcome(Enum):
    """The State Administrator's outcome (klageinstansens vedtak, fvl. § 34)."""

    CONFIRMED = "confirmed"  # stadfestet
    CHANGED = "changed"  # omgjort (endret)
    QUASHED = "quashed"  # opphevet og sendt tilbake til ny behandling


class ComplaintStatus(Enum):
    RECEIVED = "received"  # registered, awaiting the unit's reconsideration
    UPHELD = "upheld"  # closed: the unit upheld the complaint in full (omgjøring)
    AWAITING_FORWARDING = "awaiting_forwarding"  # not upheld: to go to Statsforvalteren
    FORWARDED = "forwarded"  # with Statsforvalteren
    DECIDED = "decided"  # Statsforvalteren's outcome recorded


def complaint_subject(case: Case, against: ComplaintSubject, subject_id: UUID
                      ) -> tuple[date, ComplaintDeadline]:
    """The day the decision was made (or the offer given) and its complaint deadline as far as
    the case knows it (R14: from the receipt, else the sending plus the usual delivery time,
    else unknown). An offer's sending is not recorded, so its deadline is unknown. A subject
    that is not on this case is "not found", naming the field."""
    if against is ComplaintSubject.DECISION:
        for decision in case.decisions:
            if decision.decision_id == subject_id:
                return decision.decided_on, deadline_of(decision)
        raise NotFound("no decision with that id on this case", field="subject_id")
    offer = case.offers.get(subject_id)
    if offer is None:
        raise NotFound("no offer with that id on this case", field="subject_id")
    return offer.made_on, UNKNOWN_DEADLINE


def _text(field: str, value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, what)
    return value.strip()


def _day(field: str, value: date, *, not_before: date | None, today: date,
         before_what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValue(field, "a calendar date is required")
    if value > today:
        raise InvalidValue(field, "cannot be in the future")
    if not_before is not None and value < not_before:
        raise InvalidValue(field, f"cannot be before {before_what} ({not_before})")
    return value


class Complaint(Base):
    """Lifecycle: received → upheld by the unit (closed), or → awaiting forwarding →
    forwarded to Statsforvalteren → decided."""

    class Registered(Base.Created):
        """Klage mottatt. Version 2 counts the deadline from the person's receipt of the
        decision (R14): ``deadline_basis`` says from what ("received", "sent" or "unknown"),
        and ``complaint_deadline`` and ``late`` are None while it is unknown. Version 1
        counted four weeks from the decision date, which is not the law: those are read
        as unknown (never late by guess)."""

        class_version = 2

        case_id: UUID
        against: ComplaintSubject
        subject_id: UUID
        subject_date: date
        complaint_deadline: date | None
        deadline_basis: str
        received_on: date
        late: bool | None
        grounds: str
        registered_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(complaint_deadline=None, deadline_basis="unknown", late=None)

    class Reconsidered(Base.Event):
        """The unit's own reconsideration (underinstansens behandling, fvl. § 33). Version 2
        added ``late_reason``: why a complaint received after the deadline is taken up all
        the same (fvl. § 31)."""

        class_version = 2

        upheld: bool
        reasoning: str
        decided_by: str
        decided_on: date
        late_reason: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["late_reason"] = None

        def on(self, complaint: Complaint) -> None:
            complaint.reconsideration = (self.upheld, self.decided_on)
            complaint.status = (ComplaintStatus.UPHELD if self.upheld
                                else ComplaintStatus.AWAITING_FORWARDING)

    class Forwarded(Base.Event):
        """Oversendt Statsforvalteren."""

        forwarded_on: date
        forwarded_by: str
        to: str

        def on(self, complaint: Complaint) -> None:
            complaint.forwarded_on = self.forwarded_on
            complaint.status = ComplaintStatus.FORWARDED

    class OutcomeRecorded(Base.Event):
        """Statsforvalteren's outcome."""

        outcome: ComplaintOutcome
        decided_on: date
        summary: str

        def on(self, complaint: Complaint) -> None:
            complaint.outcome = self.outcome
            complaint.status = ComplaintStatus.DECIDED

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        case_id: UUID,
        against: ComplaintSubject,
        subject_id: UUID,
        subject_date: date,
        complaint_deadline: date | None,
        deadline_basis: str,
        received_on: date,
        late: bool | None,
        grounds: str,
        registered_by: str,
        **_: Any,
    ) -> None:
        super().__init__(municipality, command_id)
        self.case_id = case_id
        self.against = against
        self.subject_id = subject_id
        self.subject_date = subject_date
        self.complaint_deadline = complaint_deadline
        self.deadline_basis = deadline_basis
        self.received_on = received_on
        self.late = late
        self.grounds = grounds
        self.registered_by = registered_by
        self.status = ComplaintStatus.RECEIVED
        self.reconsideration: tuple[bool, date] | None = None
        self.forwarded_on: date | None = None
        self.outcome: ComplaintOutcome | None = None

    # --- commands -------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        now: datetime,
        *,
        complaint_id: UUID,
        case: Case,
        against: ComplaintSubject | str,
        subject_id: UUID,
        received_on: date,
        grounds: str,
        registered_by: str,
        command_id: str | None = None,
    ) -> Complaint:
        """R21: register a complaint on a decision or offer of ``case``. Late complaints
        are registered too, with ``late`` set; ``late`` is None when the deadline is not
        known (R14: neither the receipt nor the sending of the decision is recorded)."""
        check_municipality(case.municipality)
        try:
            subject = ComplaintSubject(against)
        except ValueError:
            raise InvalidValue("against", "a complaint is against a 'decision' or an "
                               "'offer'") from None
        if not isinstance(subject_id, UUID):
            raise InvalidValue("subject_id", "the id of the decision or offer complained of")
        subject_date, deadline = complaint_subject(case, subject, subject_id)
        received = _day("received_on", received_on, not_before=subject_date,
                        today=local_date(now), before_what=f"the {subject.value}")
        return cls._create(
            cls.Registered,
            id=complaint_id,
            timestamp=now,
            municipality=case.municipality,
            command_id=command_id,
            case_id=case.id,
            against=subject,
            subject_id=subject_id,
            subject_date=subject_date,
            complaint_deadline=deadline.deadline,
            deadline_basis=deadline.basis,
            received_on=received,
            late=deadline.late(received),
            grounds=_text("grounds", grounds, "state what the complaint is about"),
            registered_by=_text("registered_by", registered_by, "name who registered it"),
        )

    def reconsider(self, now: datetime, *, upheld: bool, reasoning: str, decided_by: str,
                   decided_on: date, late_reason: str | None = None,
                   command_id: str | None = None) -> None:
        """The unit's reconsideration (fvl. § 33). ``upheld`` means upheld in full: the
        complaint is then closed and the unit makes a new decision on the case; otherwise
        it awaits forwarding to Statsforvalteren (R21). A complaint received after the
        deadline is taken up only with ``late_reason``: why (fvl. § 31)."""
        if self.status is not ComplaintStatus.RECEIVED:
            raise InvalidState(
                f"R21: the complaint has already been reconsidered (it is "
                f"{self.status.value})", rule="R21", field="complaint_id")
        if not isinstance(upheld, bool):
            raise InvalidValue("upheld", "say whether the complaint is upheld in full")
        if late_reason is not None and not isinstance(late_reason, str):
            raise InvalidValue("late_reason", "must be text")
        if late_reason is not None and not late_reason.strip():
            late_reason = None
        if self.late and late_reason is None:
            deadline = self.complaint_deadline.isoformat() if self.complaint_deadline else ""
            raise RuleViolation(
                "R21", f"the complaint came after the deadline ({deadline}); it may still be "
                "taken up (forvaltningsloven § 31): say why", field="late_reason",
                missing=("late_reason",))
        self.trigger_event(
            self.Reconsidered, timestamp=now, command_id=command_id, upheld=upheld,
            late_reason=late_reason.strip() if late_reason else None,
            reasoning=_text("reasoning", reasoning, "give the reasons (begrunnelse)"),
            decided_by=_text("decided_by", decided_by, "name who reconsidered it"),
            decided_on=_day("decided_on", decided_on, not_before=self.received_on,
                            today=local_date(now), before_what="the complaint was received"),
        )

    def forward(self, now: datetime, *, forwarded_on: date, forwarded_by: str,
                command_id: str | None = None) -> None:
        """R21: a complaint the unit did not uphold in full goes to Statsforvalteren."""
        if self.status is not ComplaintStatus.AWAITING_FORWARDING:
            why = {
                ComplaintStatus.RECEIVED: "the allocation unit must reconsider it first",
                ComplaintStatus.UPHELD: "the allocation unit upheld it; there is nothing to "
                                        "forward",
            }.get(self.status, f"it has already been forwarded (it is {self.status.value})")
            raise InvalidState(f"R21: the complaint cannot be forwarded: {why}", rule="R21",
                               field="complaint_id")
        assert self.reconsideration is not None
        self.trigger_event(
            self.Forwarded, timestamp=now, command_id=command_id,
            forwarded_on=_day("forwarded_on", forwarded_on,
                              not_before=self.reconsideration[1], today=local_date(now),
                              before_what="the reconsideration"),
            forwarded_by=_text("forwarded_by", forwarded_by, "name who forwarded it"),
            to=APPEAL_BODY,
        )

    def record_outcome(self, now: datetime, *, outcome: ComplaintOutcome | str,
                       decided_on: date, summary: str, command_id: str | None = None) -> None:
        """R21: Statsforvalteren's outcome, once the complaint has been forwarded."""
        if self.status is not ComplaintStatus.FORWARDED:
            raise InvalidState(
                "R21: Statsforvalteren decides a complaint that has been forwarded to it; "
                f"this one is {self.status.value}", rule="R21", field="complaint_id")
        try:
            result = ComplaintOutcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "the outcome is 'confirmed' (stadfestet), "
                               "'changed' (omgjort) or 'quashed' (opphevet)") from None
        assert self.forwarded_on is not None
        self.trigger_event(
            self.OutcomeRecorded, timestamp=now, command_id=command_id, outcome=result,
            decided_on=_day("decided_on", decided_on, not_before=self.forwarded_on,
                            today=local_date(now), before_what="the forwarding"),
            summary=_text("summary", summary, "summarise Statsforvalteren's decision"),
        )
