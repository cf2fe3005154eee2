"""A complaint (klage) on a case: R21. It is against a decision (vedtak), an offer (tilbud),
a breach of the waiting-list guarantee or the priority given — pbrl § 7-2 covers the
non-fulfilment of a right as well as decisions — and names who complains: the person, a
relative, a guardian (verge) or a lawyer (fullmektig), with their role.

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

An outcome that changes a decision is a new decision on the case, made in the same
transaction as the outcome and linked to the complaint; one that quashes it sends the case
back for a new assessment, and the unit's new decision is linked to the complaint when it is
made (:mod:`domain.case.after_complaint`; the combinations are listed in the README).

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
from domain.values import OfferStatus

#: Where a complaint goes when the unit does not uphold it (fvl. § 33 fourth paragraph).
APPEAL_BODY = "Statsforvalteren"


class ComplaintSubject(Enum):
    """What the complaint is against."""

    DECISION = "decision"  # vedtak: grant, waiting list or rejection
    OFFER = "offer"  # tilbud om en bestemt plass
    BREACH = "breach"  # fristbrudd: the guarantee not fulfilled (pbrl § 7-2)
    PRIORITY = "priority"  # the priority given on the waiting list (§ 3-3)


class ComplainantRole(Enum):
    """Who complains (fvl. § 28: a party, or someone on the party's behalf, § 12)."""

    PERSON = "person"  # personen selv
    RELATIVE = "relative"  # pårørende
    GUARDIAN = "guardian"  # verge
    LAWYER = "lawyer"  # advokat eller annen fullmektig


class ComplaintOutcome(Enum):
    """The outcome (fvl. §§ 33–34): by the unit on reconsideration (changed or quashed when
    it upholds the complaint), or by the State Administrator (any of the three)."""

    CONFIRMED = "confirmed"  # stadfestet
    CHANGED = "changed"  # omgjort (endret)
    QUASHED = "quashed"  # opphevet og sendt tilbake til ny behandling


class ComplaintStatus(Enum):
    RECEIVED = "received"  # registered, awaiting the unit's reconsideration
    UPHELD = "upheld"  # closed: the unit upheld the complaint in full (omgjøring)
    AWAITING_FORWARDING = "awaiting_forwarding"  # not upheld: to go to Statsforvalteren
    FORWARDED = "forwarded"  # with Statsforvalteren
    DECIDED = "decided"  # Statsforvalteren's outcome recorded


def complaint_subject(case: Case, against: ComplaintSubject, subject_id: UUID | None
                      ) -> tuple[date, ComplaintDeadline]:
    """The day the decision was made (the offer given, the breach recorded, the priority
    assessed) and its complaint deadline as far as the case knows it (R14: from the receipt,
    else the sending plus the usual delivery time, else unknown). An offer's sending is not
    recorded, and a breach or a priority is a state that lasts, so their deadline is unknown.
    A subject that is not on this case is "not found", naming the field."""
    if against is ComplaintSubject.DECISION:
        for decision in case.decisions:
            if decision.decision_id == subject_id:
                return decision.decided_on, deadline_of(decision)
        raise NotFound("no decision with that id on this case", field="subject_id")
    if against is ComplaintSubject.OFFER:
        offer = case.offers.get(subject_id) if subject_id is not None else None
        if offer is None:
            raise NotFound("no offer with that id on this case", field="subject_id")
        if offer.status is OfferStatus.WITHDRAWN:
            raise RuleViolation(
                "R21", "the offer was withdrawn and binds no one: there is no offer to "
                "complain of (complain of the decision or the breach instead)",
                field="subject_id")
        return offer.made_on, UNKNOWN_DEADLINE
    if against is ComplaintSubject.BREACH:
        if case.breached_on is None:
            raise RuleViolation("R21", "no breach of the waiting-list guarantee is recorded "
                                "on this case", field="against")
        return case.breached_on, UNKNOWN_DEADLINE
    if case.priority is None:
        raise RuleViolation("R21", "no priority has been assessed on this case",
                            field="against")
    return case.priority.assessed_on, UNKNOWN_DEADLINE


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
        as unknown (never late by guess). Version 3 added who complains
        (``complainant_role``; ``complainant_name`` unless it is the person): None for the
        earlier versions, which did not record it; and ``subject_id`` is None for a
        complaint about a breach or the priority."""

        class_version = 3

        case_id: UUID
        against: ComplaintSubject
        subject_id: UUID | None
        subject_date: date
        complaint_deadline: date | None
        deadline_basis: str
        received_on: date
        late: bool | None
        grounds: str
        registered_by: str
        complainant_role: ComplainantRole | None
        complainant_name: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(complaint_deadline=None, deadline_basis="unknown", late=None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.update(complainant_role=None, complainant_name=None)

    class Reconsidered(Base.Event):
        """The unit's own reconsideration (underinstansens behandling, fvl. § 33). Version 2
        added ``late_reason``: why a complaint received after the deadline is taken up all
        the same (fvl. § 31). Version 3 added the ``outcome`` of a complaint upheld
        (changed or quashed; the earlier versions' upheld complaints read as changed, the
        unit's new decision made by the ordinary commands) and ``new_decision_id``: the
        decision a change made on the case."""

        class_version = 3

        upheld: bool
        reasoning: str
        decided_by: str
        decided_on: date
        late_reason: str | None
        outcome: ComplaintOutcome | None
        new_decision_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["late_reason"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.update(outcome=ComplaintOutcome.CHANGED if state["upheld"] else None,
                         new_decision_id=None)

        def on(self, complaint: Complaint) -> None:
            complaint.reconsideration = (self.upheld, self.decided_on)
            complaint.status = (ComplaintStatus.UPHELD if self.upheld
                                else ComplaintStatus.AWAITING_FORWARDING)
            if self.upheld:
                complaint.result = (self.outcome, "unit")
                complaint.new_decision_id = self.new_decision_id

    class Forwarded(Base.Event):
        """Oversendt Statsforvalteren."""

        forwarded_on: date
        forwarded_by: str
        to: str

        def on(self, complaint: Complaint) -> None:
            complaint.forwarded_on = self.forwarded_on
            complaint.status = ComplaintStatus.FORWARDED

    class OutcomeRecorded(Base.Event):
        """Statsforvalteren's outcome. Version 2 added ``new_decision_id``: the decision a
        change made on the case (None for the earlier version)."""

        class_version = 2

        outcome: ComplaintOutcome
        decided_on: date
        summary: str
        new_decision_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["new_decision_id"] = None

        def on(self, complaint: Complaint) -> None:
            complaint.outcome = self.outcome
            complaint.status = ComplaintStatus.DECIDED
            complaint.result = (self.outcome, "state_administrator")
            complaint.new_decision_id = self.new_decision_id

    class NewDecisionLinked(Base.Event):
        """R21: after a quashed decision, the unit's new decision on the case."""

        decision_id: UUID
        decided_on: date

        def on(self, complaint: Complaint) -> None:
            complaint.new_decision_id = self.decision_id

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
        complainant_role: ComplainantRole | None = None,
        complainant_name: str | None = None,
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
        self.complainant_role = complainant_role
        self.complainant_name = complainant_name
        self.status = ComplaintStatus.RECEIVED
        self.reconsideration: tuple[bool, date] | None = None
        self.forwarded_on: date | None = None
        self.outcome: ComplaintOutcome | None = None
        #: the outcome's kind and who gave it ("unit" or "state_administrator")
        self.result: tuple[ComplaintOutcome | None, str] | None = None
        self.new_decision_id: UUID | None = None

    @property
    def awaiting_new_decision(self) -> bool:
        """R21: a decision quashed after this complaint, and the unit's new decision on the
        case not made yet."""
        return (self.against is ComplaintSubject.DECISION and self.result is not None
                and self.result[0] is ComplaintOutcome.QUASHED
                and self.new_decision_id is None)

    # --- commands -------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        now: datetime,
        *,
        complaint_id: UUID,
        case: Case,
        against: ComplaintSubject | str,
        subject_id: UUID | None,
        received_on: date,
        grounds: str,
        registered_by: str,
        complainant_role: ComplainantRole | str = ComplainantRole.PERSON,
        complainant_name: str | None = None,
        command_id: str | None = None,
    ) -> Complaint:
        """R21: register a complaint on a decision, an offer, the breach or the priority of
        ``case``, by the person or by a relative, guardian or lawyer (named). Late
        complaints are registered too, with ``late`` set; ``late`` is None when the deadline
        is not known (R14: neither the receipt nor the sending of the decision is
        recorded)."""
        check_municipality(case.municipality)
        try:
            subject = ComplaintSubject(against)
        except ValueError:
            raise InvalidValue("against", "a complaint is against a 'decision', an 'offer', "
                               "a 'breach' or the 'priority'") from None
        try:
            role = ComplainantRole(complainant_role)
        except ValueError:
            raise InvalidValue("complainant_role", "the complainant is the 'person', a "
                               "'relative', a 'guardian' or a 'lawyer'") from None
        name = None
        if role is not ComplainantRole.PERSON or complainant_name:
            name = _text("complainant_name", complainant_name or "",
                         "name the relative, guardian or lawyer who complains")
        needs_id = subject in (ComplaintSubject.DECISION, ComplaintSubject.OFFER)
        if needs_id and not isinstance(subject_id, UUID):
            raise InvalidValue("subject_id", "the id of the decision or offer complained of")
        if not needs_id and subject_id is not None:
            raise InvalidValue("subject_id", "a complaint about the breach or the priority "
                               "names no decision or offer")
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
            complainant_role=role,
            complainant_name=name,
        )

    def reconsider(self, now: datetime, *, upheld: bool, reasoning: str, decided_by: str,
                   decided_on: date, late_reason: str | None = None,
                   outcome: ComplaintOutcome | str | None = None,
                   new_decision_id: UUID | None = None,
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
        result = self.unit_outcome(upheld, outcome)
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
            outcome=result, new_decision_id=new_decision_id,
            late_reason=late_reason.strip() if late_reason else None,
            reasoning=_text("reasoning", reasoning, "give the reasons (begrunnelse)"),
            decided_by=_text("decided_by", decided_by, "name who reconsidered it"),
            decided_on=_day("decided_on", decided_on, not_before=self.received_on,
                            today=local_date(now), before_what="the complaint was received"),
        )

    @staticmethod
    def unit_outcome(upheld: bool, outcome: ComplaintOutcome | str | None
                     ) -> ComplaintOutcome | None:
        """The outcome of the unit's reconsideration: a complaint upheld changes the decision
        (the default) or quashes it; one not upheld has none (it goes to Statsforvalteren)."""
        if not upheld:
            if outcome is not None:
                raise InvalidValue("outcome", "a complaint not upheld has no outcome here: "
                                   "it is forwarded to Statsforvalteren")
            return None
        try:
            result = ComplaintOutcome(outcome or ComplaintOutcome.CHANGED)
        except ValueError:
            result = ComplaintOutcome.CONFIRMED
        if result is ComplaintOutcome.CONFIRMED:
            raise InvalidValue("outcome", "a complaint upheld changes the decision "
                               "('changed') or quashes it ('quashed')")
        return result

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
                       decided_on: date, summary: str, new_decision_id: UUID | None = None,
                       command_id: str | None = None) -> None:
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
            new_decision_id=new_decision_id,
        )

    def link_new_decision(self, now: datetime, *, decision_id: UUID, decided_on: date,
                          command_id: str | None = None) -> None:
        """R21: the unit's new decision on the case after the decision was quashed."""
        if not self.awaiting_new_decision:
            raise InvalidState(
                "R21: a new decision is linked to a complaint whose outcome quashed the "
                "decision, once; this complaint awaits none", rule="R21",
                field="complaint_id")
        self.trigger_event(self.NewDecisionLinked, timestamp=now, command_id=command_id,
                           decision_id=decision_id, decided_on=decided_on)
