"""What a complaint's outcome does to the case (R21, R23; forvaltningsloven §§ 33–34).

An outcome that *changes* a decision (omgjøring, by the allocation unit on reconsideration
or by Statsforvalteren) is a new decision on the case, made through
:meth:`~domain.case.decisions.Decisions.decide` like any other — every rule of an ordinary
decision holds — linked to the complaint and keeping the person's waiting-list date
(:meth:`AfterComplaint.waiting_date_to_keep`). An outcome that *quashes* the decision in
force (opphevet og sendt tilbake) sends the case back for a new assessment:
:meth:`AfterComplaint.quash_decision`. The new decision the unit then makes is again an
ordinary decision, linked to the complaint, and continues the waiting period.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.base import Base
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import CaseState
from domain.errors import InvalidState


class AfterComplaint(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class DecisionQuashed(Base.Event):
        """R21: the decision in force was quashed (opphevet) after a complaint; the case is
        back under assessment (received). ``waiting_since_kept``: the waiting-list date the
        new decision keeps (R23); for a quashed rejection, the date of the waiting period
        the rejection ended, if it ended one."""

        decision_id: UUID
        complaint_id: UUID
        quashed_on: date
        quashed_by: str
        kind: str
        waiting_since_kept: date | None

        def on(self, case: AfterComplaint) -> None:
            case.status = CaseStatus.RECEIVED
            case.urgency_reason = None
            case.guarantee.quashed(self.kind, self.waiting_since_kept)

    def waiting_date_to_keep(self) -> date | None:
        """R23: the waiting-list date a decision after a complaint keeps, where the waiting
        period continues: the person's date while on the list (or granted); after a
        rejection, the date of the waiting period the rejection ended, if any. None where
        no period continues (a rejected application never put on the list): the new
        decision starts one."""
        if self.guarantee.waiting_since is not None:
            return self.guarantee.waiting_since
        if len(self.decisions) >= 2 and self.decisions[-1].kind == "rejection":
            return self.decisions[-2].waiting_since
        return None

    def quash_decision(self, now: datetime, *, decision_id: UUID, complaint_id: UUID,
                       quashed_on: date, quashed_by: str,
                       command_id: str | None = None) -> None:
        """R21: the decision ``decision_id`` — it must be the decision in force — is quashed:
        every outstanding offer made under it is withdrawn (nobody is admitted without a
        decision in force, R9) and the case goes back to assessment."""
        require(self.status, "quash_decision")
        current = self.decisions[-1] if self.decisions else None
        if current is None or current.decision_id != decision_id:
            raise InvalidState(
                "R21: the decision complained of is no longer the decision in force; a later "
                "decision has replaced it", rule="R21", field="outcome")
        kept = self.waiting_date_to_keep()
        for offer in list(self.offers.values()):
            if offer.outstanding:
                self.trigger_event(self.OfferWithdrawn,  # type: ignore[attr-defined]
                                   timestamp=now, command_id=command_id,
                                   offer_id=offer.offer_id, reason="decision:quashed",
                                   by_municipality=True)
        self.trigger_event(self.DecisionQuashed, timestamp=now, command_id=command_id,
                           decision_id=decision_id, complaint_id=complaint_id,
                           quashed_on=quashed_on, quashed_by=quashed_by, kind=current.kind,
                           waiting_since_kept=kept)


__all__ = ["AfterComplaint"]
