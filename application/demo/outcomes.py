"""What follows an offer and a decision: the answer, the admission and the stay's end
(a death, or a move recorded ahead, R24); complaints against a decision (R21), how each
goes, and the decision made anew after one.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from uuid import UUID

from application.complaints import NewDecision
from application.demo.stage import Stage
from domain.case import YOUNGER_PERSON_AGE, CaseStatus
from domain.complaint import ComplaintOutcome, ComplaintSubject
from domain.identity import age_on
from domain.values import DeliveryChannel, OfferStatus, StayEndReason

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
        self.at(day, 15 * 60, partial(self.reconsider, complaint_id, case_id, decision_id,
                                      upheld, day, path == "late"))
        if not upheld:
            day += timedelta(days=rng.randint(1, 3))
            self.at(day, 15 * 60, partial(self.do, "forward_complaint", m, complaint_id,
                                          forwarded_on=day, forwarded_by=self.officer()))
            day += timedelta(days=rng.randint(30, 70))
            self.at(day, 15 * 60, partial(self.state_administrator, complaint_id, case_id,
                                          decision_id, _OUTCOME[path], day))

    def _new_kind(self, case_id: UUID) -> str | None:
        """R21: the decision a change or a new assessment makes: a waiting-list decision
        after a rejection, a grant after a waiting-list decision; None when the case has
        moved on (placed or gone meanwhile)."""
        return {CaseStatus.REJECTED: "waiting_list", _WAITING: "grant"}.get(
            self.case(case_id).status)

    def _in_force(self, case_id: UUID, decision_id: UUID) -> bool:
        current = self.case(case_id).current_decision
        return current is not None and current.decision_id == decision_id

    def _new_decision(self, case_id: UUID, kind: str, *, draw_officer: bool = True
                      ) -> NewDecision:
        """The new decision, drawn as the ordinary decision is (the officer, then the
        services): the story's later draws stay as they were."""
        if draw_officer:
            self.officer()
        waiting, case = kind == "waiting_list", self.case(case_id)
        young = age_on(case.person.birth_date, self.today) < YOUNGER_PERSON_AGE
        return NewDecision(
            kind=kind, grounds=self.w.grounds[f"{kind}_after_complaint"],
            place_type=self.people[case_id].place_type,
            can_be_cared_for_safely_at_home=waiting,
            alternatives_at_home=self.w.alternatives_at_home if young else None,
            interim_services=list(self.rng.choice(self.w.interim)) if waiting else [])

    def _after_new_decision(self, case_id: UUID, decision_id: UUID | None, kind: str) -> None:
        """What follows a decision made with an outcome, as after any decision. The step
        count moves on as if the decision had been a command of its own, so the ids the
        story derives from it stay as they were."""
        if decision_id is None:
            return
        self.serial += 1
        self.do("record_decision_sent", self.m, case_id, decision_id, sent_on=self.today,
                channel=DeliveryChannel.DIGITAL_MAILBOX, recorded_by="Tildelingsenheten",
                with_id=False, command_id=self.sequel_id("sent"))
        self.watch[case_id] = None
        self.after_decision(case_id, decision_id, kind, False)

    def reconsider(self, complaint_id: UUID, case_id: UUID, decision_id: UUID,
                   upheld: bool, day: date, late: bool) -> None:
        """The unit's reconsideration (fvl. § 33): upheld, it changes the decision with a new
        one made now (R21). Where the decision complained of is no longer in force, the
        complaint is not upheld and the unit decides anew by the ordinary command."""
        kind = self._new_kind(case_id) if upheld else None
        acts = kind is not None and self._in_force(case_id, decision_id)
        made = self.do(
            "record_reconsideration", self.m, complaint_id, upheld=acts,
            reasoning=self.w.complaint["upheld" if acts else "not_upheld"],
            decided_by=self.w.head_of_unit, decided_on=day,
            late_reason=self.w.complaint["late_taken_up"] if late else None,
            new_decision=self._new_decision(case_id, kind) if acts and kind else None)
        if acts and kind is not None:
            self._after_new_decision(case_id, made, kind)
        elif kind is not None:
            self.at(day, 15 * 60 + 30, partial(self.redecide, case_id, kind, None))

    def state_administrator(self, complaint_id: UUID, case_id: UUID, decision_id: UUID,
                            outcome: ComplaintOutcome, day: date) -> None:
        """Statsforvalteren's outcome: a change is a new decision made with it; a quash
        sends the case back and the unit decides anew, naming the complaint (R21). Where the
        decision complained of is no longer in force, the outcome is recorded as confirmed
        and the unit decides anew by the ordinary command."""
        kind = self._new_kind(case_id) if outcome is not ComplaintOutcome.CONFIRMED else None
        acts = kind is not None and self._in_force(case_id, decision_id)
        if not acts:
            outcome = ComplaintOutcome.CONFIRMED
        changed = outcome is ComplaintOutcome.CHANGED
        made = self.do("record_complaint_outcome", self.m, complaint_id, outcome=outcome,
                       decided_on=day, summary=self.w.complaint[outcome.value],
                       new_decision=self._new_decision(case_id, kind)
                       if changed and kind else None)
        if changed and kind is not None:
            self._after_new_decision(case_id, made, kind)
        elif kind is not None:
            linked = complaint_id if outcome is ComplaintOutcome.QUASHED else None
            self.at(day, 15 * 60 + 30, partial(self.redecide, case_id, kind, linked))

    def redecide(self, case_id: UUID, kind: str, complaint_id: UUID | None) -> None:
        """The unit's new decision after a complaint: after a quash, linked to it (R21)."""
        status = self.case(case_id).status
        if status not in (CaseStatus.RECEIVED, CaseStatus.REJECTED, _WAITING):
            return  # placed or gone meanwhile: nothing left to decide
        officer = self.officer()
        new = self._new_decision(case_id, kind, draw_officer=False)
        made = self.do(
            "decide", self.m, case_id, kind=kind, grounds=new.grounds,
            decided_by=f"Tildelingsenheten v/ {officer}", place_type=new.place_type,
            can_be_cared_for_safely_at_home=new.can_be_cared_for_safely_at_home,
            alternatives_at_home=new.alternatives_at_home,
            interim_services=new.interim_services or None, complaint_id=complaint_id)
        self.serial -= 1  # _after_new_decision counts the decision's step
        self._after_new_decision(case_id, made, kind)
