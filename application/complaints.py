"""Oversight commands: complaints (klage, R21) and the access log (tilgangslogg).

Both are part of :class:`~application.service.AllocationService`. A complaint and an
access-log entry are aggregates of their own: registering either reads the case (to check
the subject and the tenancy) but never writes to it, so complaints and busy reading never
contend with the allocation unit's work on the case. Retried commands write nothing: the
ids are derived from the ``command_id``, and an aggregate remembers the commands it handled.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.base import ServiceBase, derived_id
from application.cases import CaseCommands, _Work
from domain.access import AccessLogEntry, ListView
from domain.complaint import (
    ComplainantRole,
    Complaint,
    ComplaintOutcome,
    ComplaintSubject,
)
from domain.complaint_outcome import Effect, outcome_effect
from domain.policy import Policy
from domain.values import FacilityKind, InterimService, PlaceType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewDecision:
    """R21: the new decision an outcome that changes a decision states — what an ordinary
    decision (:meth:`CaseCommands.decide`) is given; its maker and date are the outcome's."""

    kind: str
    grounds: str
    place_type: PlaceType | None = None
    facility_kind: FacilityKind | None = None
    can_be_cared_for_safely_at_home: bool | None = None
    alternatives_at_home: str | None = None
    interim_services: list[InterimService] = field(default_factory=list)


@dataclass
class _CaseChange:
    """What an outcome changed on the case, to be saved with the complaint."""

    work: _Work
    decision_id: UUID | None = None
    policy: Policy | None = None


class ComplaintCommands(CaseCommands):
    """Complaints (klage) on decisions, offers, breaches and the priority given, R21
    (pbrl. § 7-2, fvl. §§ 28–34). An outcome that changes or quashes a decision acts on the
    case in the same transaction (:mod:`domain.complaint_outcome`)."""

    def get_complaint(self, municipality: str, complaint_id: UUID
                      ) -> Complaint:
        return self._load(Complaint, complaint_id, municipality, "complaint")

    def register_complaint(
        self, municipality: str, case_id: UUID, *,
        against: ComplaintSubject | str, subject_id: UUID | None, received_on: date,
        grounds: str, registered_by: str,
        complainant_role: ComplainantRole | str = ComplainantRole.PERSON,
        complainant_name: str | None = None, command_id: str | None = None,
    ) -> UUID:
        """Register a complaint against a decision (vedtak), an offer, the breach of the
        guarantee or the priority given, by the person or (named) a relative, guardian or
        lawyer. One
        received after the complaint deadline (klagefrist: four weeks from the person's
        receipt of the decision, R14) is registered and flagged late; while the deadline is
        unknown (the decision's sending not recorded) it is not flagged.
        Returns the complaint's id (derived from ``command_id``: a retry returns it again
        and writes nothing)."""
        complaint_id = derived_id("complaint", case_id, command_id)
        if command_id and self._exists(complaint_id) is not None:
            return self.get_complaint(municipality, complaint_id).id
        case = self.get_case(municipality, case_id)
        complaint = Complaint.register(
            self._now(), complaint_id=complaint_id, case=case, against=against,
            subject_id=subject_id, received_on=received_on, grounds=grounds,
            registered_by=registered_by, complainant_role=complainant_role,
            complainant_name=complainant_name, command_id=command_id)
        try:
            self.save(complaint)
        except IntegrityError:
            if command_id and self._exists(complaint_id) is not None:
                return complaint_id  # a concurrent retry of the same command
            raise
        log.info("complaint registered complaint=%s case=%s late=%s", complaint.id, case.id,
                 complaint.late)
        return complaint.id

    def record_reconsideration(
        self, municipality: str, complaint_id: UUID, *, upheld: bool,
        reasoning: str, decided_by: str, decided_on: date, late_reason: str | None = None,
        outcome: ComplaintOutcome | str | None = None,
        new_decision: NewDecision | None = None, command_id: str | None = None,
    ) -> UUID | None:
        """The allocation unit's own reconsideration (fvl. § 33). Upheld in full, it
        changes the decision (``new_decision``, made now by ``decided_by``) or quashes it
        (the case goes back to assessment). Not upheld: it awaits forwarding to
        Statsforvalteren. A complaint received after the deadline is taken up only with
        ``late_reason`` (fvl. § 31). Returns the new decision's id, if one was made."""
        complaint = self.get_complaint(municipality, complaint_id)
        decision_id = derived_id("decision", complaint.case_id, command_id)
        if complaint.has_handled(command_id):
            return complaint.new_decision_id
        result = Complaint.unit_outcome(upheld, outcome) if isinstance(upheld, bool) \
            else None
        change = None
        if complaint.status.value == "received":
            change = self._act_on_case(
                complaint, result, decided_on=decided_on, decided_by=decided_by,
                new_decision=new_decision, decision_id=decision_id, command_id=command_id)
        made = change.decision_id if change is not None else None
        complaint.reconsider(self._now(), upheld=upheld, reasoning=reasoning,
                             decided_by=decided_by, decided_on=decided_on,
                             late_reason=late_reason, outcome=result, new_decision_id=made,
                             command_id=command_id)
        self._save_with_case(complaint, change, command_id)
        return made

    def forward_complaint(
        self, municipality: str, complaint_id: UUID, *,
        forwarded_on: date, forwarded_by: str, command_id: str | None = None,
    ) -> None:
        """Send a complaint not upheld to Statsforvalteren (R21)."""
        complaint = self.get_complaint(municipality, complaint_id)
        if complaint.has_handled(command_id):
            return
        complaint.forward(self._now(), forwarded_on=forwarded_on, forwarded_by=forwarded_by,
                          command_id=command_id)
        self._commit(complaint)

    def record_complaint_outcome(
        self, municipality: str, complaint_id: UUID, *,
        outcome: ComplaintOutcome | str, decided_on: date, summary: str,
        new_decision: NewDecision | None = None, command_id: str | None = None,
    ) -> UUID | None:
        """Statsforvalteren's outcome: confirmed (stadfestet), changed (omgjort: the new
        decision, ``new_decision``, is made on the case now, by Statsforvalteren) or quashed
        and sent back (opphevet: the case goes back to assessment). Returns the new
        decision's id, if one was made."""
        complaint = self.get_complaint(municipality, complaint_id)
        decision_id = derived_id("decision", complaint.case_id, command_id)
        if complaint.has_handled(command_id):
            return complaint.new_decision_id
        try:
            result: ComplaintOutcome | None = ComplaintOutcome(outcome)
        except ValueError:
            result = None  # the complaint names the field below
        change = None
        if result is not None and complaint.status.value == "forwarded":
            change = self._act_on_case(
                complaint, result, decided_on=decided_on, decided_by="Statsforvalteren",
                new_decision=new_decision, decision_id=decision_id, command_id=command_id)
        made = change.decision_id if change is not None else None
        complaint.record_outcome(self._now(), outcome=outcome, decided_on=decided_on,
                                 summary=summary, new_decision_id=made,
                                 command_id=command_id)
        self._save_with_case(complaint, change, command_id)
        return made

    def _act_on_case(self, complaint: Complaint, outcome: ComplaintOutcome | None, *,
                     decided_on: date, decided_by: str, new_decision: NewDecision | None,
                     decision_id: UUID, command_id: str | None) -> _CaseChange | None:
        """R21: what the outcome does to the case (:func:`outcome_effect`): nothing (None),
        a new decision linked to the complaint keeping the waiting-list date (R23), or the
        decision quashed. The complaint's own checks (its step, the dates, the texts) are
        the complaint's, made after this and before anything is saved."""
        case_work = self._begin(complaint.municipality, complaint.case_id, command_id)
        case = case_work.case
        effect = outcome_effect(complaint, outcome, case,
                                new_decision=new_decision is not None)
        if effect is Effect.NONE:
            return None
        now = self._now()
        if effect is Effect.QUASH:
            assert complaint.subject_id is not None
            case.quash_decision(now, decision_id=complaint.subject_id,
                                complaint_id=complaint.id, quashed_on=decided_on,
                                quashed_by=decided_by, command_id=command_id)
            return _CaseChange(case_work)
        assert new_decision is not None
        policy, version, settings = self.policy_on(complaint.municipality, decided_on)
        case.decide(
            now, kind=new_decision.kind, grounds=new_decision.grounds, decided_by=decided_by,
            policy_version=version, policy=settings, place_type=new_decision.place_type,
            facility_kind=new_decision.facility_kind,
            can_be_cared_for_safely_at_home=new_decision.can_be_cared_for_safely_at_home,
            alternatives_at_home=new_decision.alternatives_at_home,
            interim_services=list(new_decision.interim_services), decided_on=decided_on,
            keep_waiting_since=case.waiting_date_to_keep(), complaint_id=complaint.id,
            decision_id=decision_id, command_id=command_id)
        return _CaseChange(case_work, decision_id, policy)

    def _save_with_case(self, complaint: Complaint, change: _CaseChange | None,
                        command_id: str | None) -> None:
        """The complaint, and the case it changed with what that change asks of places and
        the person's register (R9, R25), in one transaction."""
        if change is None:
            self._commit(complaint)
            return
        self._finish(change.work, complaint, change.policy, command_id=command_id)

    def complaint_ids(self) -> list[UUID]:
        """Every complaint in the log (the read side keeps the queryable list)."""
        from eventsourcing.utils import get_topic

        return list(self._ids_with_topics([get_topic(Complaint.Registered)]))


class AccessLogCommands(ServiceBase):
    """The access log (tilgangslogg, pasientjournalloven § 18)."""

    def record_access(
        self, municipality: str, *, actor: str, role: str, action: str,
        case_ids: Sequence[UUID], allowed: bool, detail: str = "",
        command_id: str | None = None, views: Sequence[ListView] = (),
    ) -> UUID:
        """Log one request: who (``actor`` in ``role``) did what (``action``, such as
        "read_case", "write_case", "read_waiting_list") to which cases' personal data —
        named one by one (``case_ids``), or as the lists of persons shown (``views``: one
        small record per list, however long) — and whether it was allowed. Returns the
        entry's id."""
        entry_id = derived_id("access", municipality, command_id)
        if command_id and self._exists(entry_id) is not None:
            return self.get_access_log_entry(municipality, entry_id).id
        entry = AccessLogEntry.record(
            self._now(), entry_id=entry_id, municipality=municipality, actor=actor,
            role=role, action=action, case_ids=case_ids, allowed=allowed, detail=detail,
            command_id=command_id, views=views)
        try:
            self.grouped.save(entry)  # with other requests' entries (group commit)
        except IntegrityError:
            if command_id and self._exists(entry_id) is not None:
                return entry_id
            raise
        return entry.id

    def get_access_log_entry(self, municipality: str, entry_id: UUID
                             ) -> AccessLogEntry:
        return self._load(AccessLogEntry, entry_id, municipality, "access_log_entry")


__all__ = ["AccessLogCommands", "ComplaintCommands"]
