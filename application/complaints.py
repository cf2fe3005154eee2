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
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.base import ServiceBase, derived_id
from domain.access import AccessLogEntry, ListView
from domain.complaint import Complaint, ComplaintOutcome, ComplaintSubject

log = logging.getLogger(__name__)


class ComplaintCommands(ServiceBase):
    """Complaints (klage) on decisions and offers, R21 (pbrl. § 7-2, fvl. §§ 28–34)."""

    def get_complaint(self, municipality: str, complaint_id: UUID
                      ) -> Complaint:
        return self._load(Complaint, complaint_id, municipality, "complaint")

    def register_complaint(
        self, municipality: str, case_id: UUID, *,
        against: ComplaintSubject | str, subject_id: UUID, received_on: date, grounds: str,
        registered_by: str, command_id: str | None = None,
    ) -> UUID:
        """Register a complaint against a decision (vedtak) or an offer on the case. One
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
            registered_by=registered_by, command_id=command_id)
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
        command_id: str | None = None,
    ) -> None:
        """The allocation unit's own reconsideration (fvl. § 33). Upheld in full: the
        complaint is closed and the unit makes a new decision through the ordinary
        commands. Not upheld: it awaits forwarding to Statsforvalteren. A complaint received
        after the deadline is taken up only with ``late_reason`` (fvl. § 31)."""
        complaint = self.get_complaint(municipality, complaint_id)
        if complaint.has_handled(command_id):
            return
        complaint.reconsider(self._now(), upheld=upheld, reasoning=reasoning,
                             decided_by=decided_by, decided_on=decided_on,
                             late_reason=late_reason, command_id=command_id)
        self._commit(complaint)

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
        command_id: str | None = None,
    ) -> None:
        """Statsforvalteren's outcome: confirmed (stadfestet), changed (omgjort) or
        quashed and sent back (opphevet)."""
        complaint = self.get_complaint(municipality, complaint_id)
        if complaint.has_handled(command_id):
            return
        complaint.record_outcome(self._now(), outcome=outcome, decided_on=decided_on,
                                 summary=summary, command_id=command_id)
        self._commit(complaint)

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
            self.save(entry)
        except IntegrityError:
            if command_id and self._exists(entry_id) is not None:
                return entry_id
            raise
        return entry.id

    def get_access_log_entry(self, municipality: str, entry_id: UUID
                             ) -> AccessLogEntry:
        return self._load(AccessLogEntry, entry_id, municipality, "access_log_entry")


__all__ = ["AccessLogCommands", "ComplaintCommands"]
