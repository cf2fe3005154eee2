"""The people: applications arriving (Poisson), the § 2-2 documentation (R8), the decision
(vedtak: grant, waiting list, rejection), the priority assessment (R16, R17) and its
reviews as needs grow (R27), a short-term stay meanwhile (R2), urgency (R15), death or
withdrawal while waiting; answers to offers (R26), admission (R24), and the stay's end
(death or a move) drawn from the admission cohort's survival."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.seed import CaseDocumentation, document_case
from domain.case import ON_LIST, CaseStatus
from domain.identity import synthetic_identity_number
from domain.values import (
    ClosureReason,
    DementiaFinding,
    InterimService,
    OfferStatus,
    PlaceType,
    PriorityFactor,
    StayEndReason,
)
from simulator import draws
from simulator.draws import Need
from simulator.stage import Process, Stage

START_BORN = date(1938, 1, 1)
_INTERIM = [InterimService("hjemmesykepleie", "tre besøk daglig")]
_F = PriorityFactor


class People(Stage):
    """Applicants, persons on the list and residents."""

    #: where bridging short-term stays are (facility, unit; R2)
    short_term = ("Korttidsavdelingen", "K")

    def arrivals(self) -> Process:
        rate = self.profile.applications_per_year
        while True:
            yield self.env.timeout(draws.days_until(self.rng, rate))
            self.env.process(self.applicant(draws.need(self.rng, self.profile)))

    def apply(self, need: Need, spouse_id: UUID | None = None) -> UUID:
        """The application; the case's id derived from the person's number in the run
        (a command id), so that a seed gives the same ids and so the same run: the
        service and the optimizer break ties by id."""
        self.births += 1
        born = START_BORN + timedelta(days=self.births // 90)
        case_id: UUID = self.do(
            "receive_application", self.m,
            identity_number=synthetic_identity_number(born, self.births % 90),
            name=f"Person {self.births}", spouse_case_id=spouse_id,
            command_id=f"sim/application/{self.births}")
        self.cases.append(case_id)
        return case_id

    def document(self, case_id: UUID, need: Need) -> None:
        """Every § 2-2 item (R8) the investigation found."""
        document_case(self.commands, self.m, case_id, CaseDocumentation(
            dementia_diagnosis=need.dementia,
            specialist_summary="Behov for tett oppfølging"
            if need.place_type is PlaceType.REINFORCED else None,
            dementia_finding=DementiaFinding.CONFIRMED if need.dementia else None,
            case_worker="simulert saksbehandler"))

    def decide(self, case_id: UUID, need: Need) -> None:
        kind = need.decision
        decision_id = self.do(
            "decide", self.m, case_id, kind=kind, decided_by=self.officer_name,
            place_type=None if kind == "rejection" else need.place_type,
            can_be_cared_for_safely_at_home=None if kind == "rejection"
            else kind == "waiting_list", **self.decision_words(case_id, kind))
        self.decision_made(case_id, decision_id)
        if kind != "rejection":
            self.listed[case_id] = None

    def decision_words(self, case_id: UUID, kind: str) -> dict[str, Any]:
        """The decision's grounds, the services while waiting (R14) and the alternatives
        at home (R6); the demo's words are richer (:mod:`simulator.demo`)."""
        return {"grounds": "Vurdert etter forskriften",
                "interim_services": _INTERIM if kind == "waiting_list" else None,
                "alternatives_at_home": "Utvidet hjemmetjeneste prøvd"}

    def decision_made(self, case_id: UUID, decision_id: UUID) -> None:
        """After a decision (the demo records the letter sent, R14)."""

    def assessor(self) -> str:
        return "sykepleier"

    def urgency(self) -> tuple[str, str]:
        """Why a person on the list is no longer safe at home (R15), and who assessed it."""
        return "Kan ikke lenger bo trygt hjemme", "lege"

    def decline_reason(self) -> str:
        return "Ønsker å vente"

    def admission_delay(self) -> int:
        """Days from the acceptance to a planned admission (R24): none here."""
        return 0

    def notice_days(self, moved: bool) -> int:
        """Days ahead a stay's end is recorded (R24: a move planned): none here."""
        return 0

    def applicant(self, need: Need) -> Process:
        """From the application to the decision, and the life on the list after it."""
        case_id = self.apply(need)
        spouse = None
        if need.couple:  # spouses apply together (R10)
            spouse = self.apply(need, case_id)
        yield self.env.timeout(self.rng.uniform(0.5, 1.5) * self.profile.documentation_days)
        for who in (case_id, spouse):
            if who is not None:
                self.document(who, need)
                self.decide(who, need)
                if need.decision != "rejection":
                    self.join_list(who, need)
        self.at_once()

    def join_list(self, case_id: UUID, need: Need) -> None:
        """After a grant or a waiting-list decision: the assessment and the life on the
        list."""
        self.listed[case_id] = None
        self.assess(case_id, need.need_score)
        self.decided_at[case_id] = self.env.now
        self.env.process(self.waiting(case_id))

    def assess(self, case_id: UUID, score: int) -> None:
        """R16, R17: the factors and a need score (the policy's suggestion when the
        priorities are off, so that everyone ranks by date)."""
        case = self.case(case_id)
        factors = {_F.FUNCTION.value: min(4, score // 20), _F.MEDICAL.value: 2}
        if case.has_dementia:
            factors[_F.COGNITIVE_FAILURE.value] = 3
        suggested, _ = self.svc.suggested_need_score(self.m, factors, self.today)
        self.do("assess_priority", self.m, case_id, factors=factors, need_score=suggested,
                assessor=self.assessor())

    def waiting(self, case_id: UUID) -> Process:
        """A person on the list: a short-term stay meanwhile, reviews every few months
        as needs grow (R27), and perhaps urgency, withdrawal or death."""
        p = self.profile
        if not p.plain_queue and self.rng.random() < p.short_term_share:
            facility, unit = self.short_term
            self.do("record_bridging_stay", self.m, case_id, facility_name=facility,
                    unit=unit, from_on=self.today, recorded_by=self.officer_name)
        if p.plain_queue:
            return
        death = draws.days_until(self.rng, p.died_waiting_per_year)
        urgent = self.rng.uniform(10, 150) if self.rng.random() < p.urgent_later_share \
            else float("inf")
        withdraw = self.rng.uniform(10, 150) if self.rng.random() < p.withdrawn_share \
            else float("inf")
        review = 91.0
        elapsed = 0.0
        while True:
            step = min(death, urgent, withdraw, review) - elapsed
            yield self.env.timeout(step)
            elapsed += step
            case = self.case(case_id)
            if case.status not in ON_LIST:
                return
            if elapsed >= death:
                self.do("close_case", self.m, case_id, reason=ClosureReason.DIED)
                return
            if elapsed >= withdraw:
                self.do("close_case", self.m, case_id, reason=ClosureReason.WITHDRAWN)
                return
            if elapsed >= urgent:
                urgent = float("inf")
                if case.status is CaseStatus.WAITING:
                    reason, doctor = self.urgency()
                    self.do("mark_urgent", self.m, case_id, reason=reason, assessed_by=doctor)
            if elapsed >= review:
                review += 91.0
                self.assess(case_id, min(100, (case.need_score or 40) + self.rng.randint(0, 15)))

    # --- offers: the answer, the admission, the stay ---------------------------------

    def answer_later(self, case_id: UUID, offer_id: UUID) -> None:
        case = self.case(case_id)
        p = self.profile
        if case.status is CaseStatus.RESIDENT:  # a move offer (R28): yes or no, in time
            declines = self.rng_later.random() < p.move_decline_share
            delay = self.rng_later.randint(0, p.answer_days) + 0.05
            self.env.process(self.answer(case_id, offer_id, declines, delay))
            return
        keen = p.plain_queue or case.status is CaseStatus.GRANTED or \
            case.spouse_case_id is not None
        draw = self.rng.random()
        if not keen and draw < p.no_answer_share:
            return  # the offer lapses (R26)
        declines = not keen and draw < p.no_answer_share + p.decline_share
        delay = 0 if p.plain_queue else self.rng.randint(0, p.answer_days) + 0.05
        self.env.process(self.answer(case_id, offer_id, declines, delay))

    def answer(self, case_id: UUID, offer_id: UUID, declines: bool, delay: float) -> Process:
        yield self.env.timeout(delay)
        offer = self.case(case_id).offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.MADE:
            return  # withdrawn or lapsed meanwhile
        if self.case(case_id).status is CaseStatus.RESIDENT:  # a move offer (R28)
            yield from self.move(case_id, offer_id, offer.available_on, declines)
            return
        if declines:
            self.do("decline_offer", self.m, case_id, offer_id, reason=self.decline_reason())
            return
        self.do("accept_offer", self.m, case_id, offer_id)
        day = max(offer.available_on or self.today, self.today) + \
            timedelta(days=self.admission_delay())
        self.do("admit", self.m, case_id, offer_id, admitted_on=day)
        self.residents.add(case_id)
        if case_id in self.decided_at:
            at = self.decided_at.pop(case_id)
            self.tally.waits.append((at, self.env.now - at))
        wait = (day - self.today).days + draws.stay_days(self.rng, self.profile)
        self.env.process(self.stay(case_id, wait))

    def move(self, case_id: UUID, offer_id: UUID, available_on: date | None,
             declines: bool) -> Process:
        """A resident's answer to a move offer (R28): no, or yes and the move on the day
        the new place is available."""
        if declines:
            self.do("decline_move", self.m, case_id, offer_id, reason="Ønsker å bli")
            return
        self.do("accept_move", self.m, case_id, offer_id)
        day = max(available_on or self.today, self.today)
        yield self.until((day - self.today).days + self.day_number, 10)
        case = self.case(case_id)
        if case.status is CaseStatus.RESIDENT and offer_id in case.offers:
            self.do("carry_out_move", self.m, case_id, offer_id, moved_on=self.today)

    def stay(self, case_id: UUID, days: float) -> Process:
        yield self.env.timeout(days)
        if self.case(case_id).status is not CaseStatus.RESIDENT:
            return
        moved = self.rng.random() < self.profile.moved_out_share
        self.do("end_stay", self.m, case_id,
                reason=StayEndReason.MOVED if moved else StayEndReason.DIED,
                ended_on=self.today + timedelta(days=self.notice_days(moved)))
        self.residents.discard(case_id)
        self.at_once()

    def at_once(self) -> None:
        """Allocation at once (``run_every_days`` 0): whenever a person is decided or a bed
        frees."""
        if self.scenario.run_every_days == 0:
            self.allocate()

    def allocate(self) -> None:  # the officer's (officer.py)
        raise NotImplementedError

