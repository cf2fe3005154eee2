"""What follows an offer and a decision: the answer, the admission and the stay's end
(a death, or a move recorded ahead, R24); complaints against a decision (R21), how each
goes, and the decision made anew after one.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from uuid import UUID

from application.demo.stage import Stage
from domain.case import CaseStatus
from domain.complaint import ComplaintOutcome, ComplaintSubject
from domain.values import OfferStatus, StayEndReason

_WAITING = CaseStatus.WAITING
_OUTCOME = {"confirmed": ComplaintOutcome.CONFIRMED, "changed": ComplaintOutcome.CHANGED,
            "late": ComplaintOutcome.QUASHED}


class Outcomes(Stage):
    """Answers, admissions, stays ending; complaints."""

    # --- answers, admissions, stays ending --------------------------------------------

    def answer(self, case_id: UUID, offer_id: UUID, resident: bool = False,
               declines: bool = False) -> None:
        """Accept and move in — on the day it is free, or a few days later (R24) — or say
        no. An offer withdrawn meanwhile (R9) needs no answer."""
        offer = self.case(case_id).offers[offer_id]
        if offer.status is not OfferStatus.MADE:
            return
        if declines:
            self.do("decline_offer", self.m, case_id, offer_id,
                    reason=self.rng.choice(self.w.declines))
            return
        self.do("accept_offer", self.m, case_id, offer_id)
        day = max(offer.available_on or self.today, self.today)
        if not resident and self.rng.random() < self.s.planned_admission:
            day += timedelta(days=self.rng.randint(1, 5))
        self.do("admit", self.m, case_id, offer_id, admitted_on=day)
        early, mean = self.town.early_stay_days, self.town.mean_stay_days
        if resident:  # living there at the start: the rest of a stay already under way
            stay = max(7, int(self.rng.expovariate(1 / self.town.mean_remaining_stay_days)))
        elif self.rng.random() < self.s.early_end:
            stay = self.rng.randint(*early)
        else:
            stay = early[1] + int(self.rng.expovariate(1 / (mean - early[1])))
        if day + timedelta(days=stay) < self.end:
            self.at(day + timedelta(days=stay), 7 * 60 + 30, self.end_stay, case_id)

    def end_stay(self, case_id: UUID) -> None:
        """A death, recorded the same day; or a move, recorded a few days ahead (R24)."""
        if self.case(case_id).status is not CaseStatus.RESIDENT:
            return
        moves = self.rng.random() < self.s.moved
        self.do("end_stay", self.m, case_id,
                reason=StayEndReason.MOVED if moves else StayEndReason.DIED,
                ended_on=self.today + timedelta(days=self.rng.randint(2, 7) if moves else 0))

    # --- complaints (R21) ----------------------------------------------------------------

    def complain(self, case_id: UUID, decision_id: UUID) -> None:
        """A complaint, and how it goes: the description's next path — "upheld" by the unit
        (fvl. § 33), or forwarded to Statsforvalteren, who "confirmed" or "changed" it, or
        quashed it when it came "late"."""
        paths, rng = self.town.complaint_paths, self.rng
        path = paths[self.complaints_planned % len(paths)]
        self.complaints_planned += 1
        # R14: sent to the digital mailbox on the decision's day, so a complaint 33 days on
        # is late (four weeks from the receipt)
        self.later(rng.randint(33, 45) if path == "late" else rng.randint(5, 20), 15 * 60,
                   self.register_complaint, case_id, decision_id, path)

    def register_complaint(self, case_id: UUID, decision_id: UUID, path: str) -> None:
        w, rng, m = self.w, self.rng, self.m
        kind = next(d.kind for d in self.case(case_id).decisions if d.decision_id == decision_id)
        late = f". {w.complaint['late']}" if path == "late" else ""
        complaint_id = self.do("register_complaint", m, case_id, received_on=self.today,
                               against=ComplaintSubject.DECISION, subject_id=decision_id,
                               grounds=w.complaint[kind] + late, registered_by=self.officer())
        self.complaints.append(complaint_id)
        day, upheld = self.today + timedelta(days=rng.randint(7, 14)), path == "upheld"
        self.at(day, 15 * 60, partial(
            self.do, "record_reconsideration", m, complaint_id, upheld=upheld,
            reasoning=w.complaint["upheld" if upheld else "not_upheld"],
            decided_by=w.head_of_unit, decided_on=day,
            late_reason=w.complaint["late_taken_up"] if path == "late" else None))
        if not upheld:
            day += timedelta(days=rng.randint(1, 3))
            self.at(day, 15 * 60, partial(self.do, "forward_complaint", m, complaint_id,
                                          forwarded_on=day, forwarded_by=self.officer()))
            day += timedelta(days=rng.randint(30, 70))
            outcome = _OUTCOME[path]
            self.at(day, 15 * 60, partial(self.do, "record_complaint_outcome", m, complaint_id,
                                          outcome=outcome, decided_on=day,
                                          summary=w.complaint[outcome.value]))
        if path != "confirmed":
            self.at(day, 15 * 60 + 30, self.redecide, case_id)

    def redecide(self, case_id: UUID) -> None:
        """A decision upheld, changed or quashed on complaint is made anew: a waiting-list
        decision after a rejection, a grant after a waiting-list decision."""
        case = self.case(case_id)
        kind = {CaseStatus.REJECTED: "waiting_list", _WAITING: "grant"}.get(case.status)
        if kind is not None:  # placed or gone meanwhile: nothing left to change
            self.decide(case_id, kind, grounds=self.w.grounds[f"{kind}_after_complaint"],
                        complaints=False)
