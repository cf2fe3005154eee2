"""Complaints (klage, R21) on rejections and on the priority given, through the
application's own commands (:mod:`application.complaints`).

A share of the rejected (``complaint_share``) complain within the four weeks (R14); the
allocation unit reconsiders after some days (fvl. § 33) and upholds a share
(``complaint_upheld_share``): a new decision, the waiting list, and the person joins it.
The rest are forwarded to the State Administrator (Statsforvalteren), whose outcome comes
after ``state_administrator_days`` or so: the decision changed for the complainant
(``complaint_changed_share``: the waiting list) or confirmed.

A share of the persons put on the list (``priority_complaint_share``) complain of the
priority given them (§ 3-3) some weeks after the assessment. Upheld by the unit, or found
for by the State Administrator, the complaint makes no decision of its own: the unit
assesses the priority again with the ordinary command (a higher need), as a complaint
about a priority is followed up.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

from application.complaints import NewDecision
from domain.case import ON_LIST, CaseStatus
from domain.complaint import ComplainantRole, ComplaintOutcome, ComplaintStatus, ComplaintSubject
from domain.values import InterimService
from simulator.draws import Need
from simulator.people import People
from simulator.stage import Process

_INTERIM = [InterimService("hjemmesykepleie", "tre besøk daglig")]
_GROUNDS = "Datteren mener moren ikke er trygg hjemme og ber om langtidsopphold"
_CHANGED = "Omgjort etter klage: ny informasjon viser varig behov for heldøgns omsorg; " \
    "kan ivaretas forsvarlig hjemme til plass tilbys"
_NOT_UPHELD = "Ny vurdering gir samme resultat; klagen sendes Statsforvalteren"
_CONFIRMED = "Statsforvalteren stadfester kommunens vedtak"
_STATE_CHANGED = "Statsforvalteren omgjør vedtaket: vilkårene for langtidsopphold er oppfylt"
_PRIORITY_GROUNDS = "Sønnen mener faren har større behov enn prioriteringen viser"
_PRIORITY_UPHELD = "Klagen tas til følge: behovet vurderes på nytt etter ny kartlegging"
_PRIORITY_CHANGED = "Statsforvalteren finner at behovet er vurdert for lavt; kommunen " \
    "vurderer prioriteringen på nytt"


class Complaints(People):
    """Rejected applicants who complain, and the complaints' way through the unit and the
    State Administrator."""

    def decide(self, case_id: UUID, need: Need) -> None:
        super().decide(case_id, need)
        p = self.profile
        if need.decision == "rejection" and not p.plain_queue and p.complaint_share > 0 \
                and self.rng_later.random() < p.complaint_share:
            self.env.process(self.complaint(case_id, need))

    def join_list(self, case_id: UUID, need: Need) -> None:
        super().join_list(case_id, need)
        share = self.profile.priority_complaint_share
        if share > 0 and not self.profile.plain_queue and self.rng_priority.random() < share:
            self.env.process(self.priority_complaint(case_id))

    def priority_complaint(self, case_id: UUID) -> Process:
        """R21: the priority complained of; upheld, it is assessed again (higher)."""
        rng, p, m = self.rng_priority, self.profile, self.m
        yield self.env.timeout(rng.uniform(14, 60))
        if self.case(case_id).status not in ON_LIST:
            return  # admitted, died or withdrawn meanwhile: nothing to complain of
        complaint_id = self.do(
            "register_complaint", m, case_id, against=ComplaintSubject.PRIORITY,
            subject_id=None, received_on=self.today, grounds=_PRIORITY_GROUNDS,
            registered_by=self.officer_name, complainant_role=ComplainantRole.RELATIVE,
            complainant_name="Sønnen", case=case_id)
        yield self.env.timeout(self.around(p.reconsider_days, rng))
        if self.upheld(complaint_id, rng) and self.case(case_id).status in ON_LIST:
            self.do("record_reconsideration", m, complaint_id, upheld=True,
                    reasoning=_PRIORITY_UPHELD, decided_by=self.officer_name, decided_on=self.today,
                    case=case_id)
            self.assess_again(case_id)
            return
        yield from self.to_state_administrator(complaint_id, case_id, rng)
        changed = self.changed(complaint_id, rng)
        self.do("record_complaint_outcome", m, complaint_id,
                outcome=ComplaintOutcome.CHANGED if changed else ComplaintOutcome.CONFIRMED,
                decided_on=self.today, summary=_PRIORITY_CHANGED if changed else _CONFIRMED,
                case=case_id)
        if changed and self.case(case_id).status in ON_LIST:
            self.assess_again(case_id)

    def assess_again(self, case_id: UUID) -> None:
        self.assess(case_id, min(100, (self.case(case_id).need_score or 40) + 20))
        self.at_once()

    def around(self, days: int, rng: random.Random | None = None) -> float:
        """A delay drawn around its mean (±70 %), from ``rng`` (the later draws' stream)."""
        return (rng or self.rng_later).uniform(0.3, 1.7) * days

    def to_state_administrator(self, complaint_id: UUID, case_id: UUID,
                               rng: random.Random) -> Process:
        """Not upheld by the unit: recorded, forwarded after a day or so, and the State
        Administrator's outcome due after about ``state_administrator_days``."""
        self.do("record_reconsideration", self.m, complaint_id, upheld=False,
                reasoning=_NOT_UPHELD, decided_by=self.officer_name, decided_on=self.today,
                late_reason=self.late_reasons.get(complaint_id), case=case_id)
        yield self.env.timeout(rng.uniform(1, 3))
        self.do("forward_complaint", self.m, complaint_id, forwarded_on=self.today,
                forwarded_by=self.officer_name, case=case_id)
        yield self.env.timeout(self.around(self.profile.state_administrator_days, rng))

    def complaint(self, case_id: UUID, need: Need) -> Process:
        rng, p, m = self.rng_later, self.profile, self.m
        decision = self.case(case_id).current_decision
        assert decision is not None
        late_reason = self.late_reason()
        yield self.env.timeout(rng.uniform(3, 25) + (35 if late_reason else 0))  # R14
        complaint_id = self.do(
            "register_complaint", m, case_id, against=ComplaintSubject.DECISION,
            subject_id=decision.decision_id, received_on=self.today, grounds=_GROUNDS,
            registered_by=self.officer_name, complainant_role=ComplainantRole.RELATIVE,
            complainant_name="Datteren", case=case_id)
        if late_reason:
            self.late_reasons[complaint_id] = late_reason
        yield self.env.timeout(self.around(p.reconsider_days))
        if self.upheld(complaint_id, rng) and self.still_rejected(case_id):
            self.do("record_reconsideration", m, complaint_id, upheld=True,
                    reasoning="Klagen tas til følge: ny medisinsk informasjon viser varig "
                    "behov for heldøgns omsorg", decided_by=self.officer_name,
                    decided_on=self.today, late_reason=self.late_reasons.get(complaint_id),
                    new_decision=self.new_decision(need), case=case_id)
            self.join_list(case_id, need)
            self.at_once()
            return
        yield from self.to_state_administrator(complaint_id, case_id, rng)
        changed = self.changed(complaint_id, rng) and self.still_rejected(case_id)
        self.do("record_complaint_outcome", m, complaint_id,
                outcome=ComplaintOutcome.CHANGED if changed else ComplaintOutcome.CONFIRMED,
                decided_on=self.today, summary=_STATE_CHANGED if changed else _CONFIRMED,
                new_decision=self.new_decision(need) if changed else None, case=case_id)
        if changed:
            self.join_list(case_id, need)
            self.at_once()

    def upheld(self, complaint_id: UUID, rng: random.Random) -> bool:
        """Whether the unit upholds the complaint on its reconsideration (a draw)."""
        return rng.random() < self.profile.complaint_upheld_share

    def changed(self, complaint_id: UUID, rng: random.Random) -> bool:
        """Whether the State Administrator decides for the complainant (a draw)."""
        return rng.random() < self.profile.complaint_changed_share

    @property
    def late_reasons(self) -> dict[UUID, str]:
        """Complaints received after the deadline, and why the unit takes them up (fvl.
        § 31)."""
        if not hasattr(self, "_late_reasons"):
            self._late_reasons: dict[UUID, str] = {}
        return self._late_reasons

    def late_reason(self) -> str | None:
        """Whether the next complaint on a rejection comes late, and why it is taken up
        all the same: never here (the demo's sometimes does)."""
        return None

    def still_rejected(self, case_id: UUID) -> bool:
        return self.case(case_id).status is CaseStatus.REJECTED

    @staticmethod
    def new_decision(need: Need) -> NewDecision:
        """R21: the decision a complaint upheld makes: the waiting list, keeping the
        waiting-list date (the service's rule, R23)."""
        return NewDecision(kind="waiting_list", grounds=_CHANGED, place_type=need.place_type,
                           can_be_cared_for_safely_at_home=True,
                           alternatives_at_home="Utvidet hjemmetjeneste prøvd",
                           interim_services=list(_INTERIM))

    def complaint_measures(self, first: date) -> dict[str, Any]:
        """The complaints received from ``first`` on, and what became of them."""
        counts: Counter[str] = Counter()
        for complaint_id in self.svc.complaint_ids():
            c = self.svc.get_complaint(self.m, complaint_id)
            if c.received_on < first:
                continue
            if c.against is ComplaintSubject.PRIORITY:
                counts["priority_complaints"] += 1
                counts["priority_complaints_upheld"] += (
                    c.status is ComplaintStatus.UPHELD or c.outcome is ComplaintOutcome.CHANGED)
                continue
            counts["complaints"] += 1
            if c.status is ComplaintStatus.UPHELD:
                counts["complaints_upheld_by_unit"] += 1
            elif c.status is ComplaintStatus.DECIDED:
                key = "changed" if c.outcome is ComplaintOutcome.CHANGED else "confirmed"
                counts[f"complaints_{key}_by_state_administrator"] += 1
            else:
                counts["complaints_open"] += 1
        return {k: counts[k] for k in (
            "complaints", "complaints_upheld_by_unit",
            "complaints_changed_by_state_administrator",
            "complaints_confirmed_by_state_administrator", "complaints_open",
            "priority_complaints", "priority_complaints_upheld")}


__all__ = ["Complaints"]
