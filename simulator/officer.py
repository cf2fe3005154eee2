"""The allocation unit's day: the deadline check (R18) and lapsed offers (R26) in the early
morning, the person's choice after a breach (R19), the allocation on the unit's schedule
by the scenario's method — the optimizer's run approved by an officer (R17), the by-hand
``greedy_baseline``, or first come, first served — and places bought from another provider
for grants not carried out (R4, R15) and for those who chose it after a breach (R19)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

import optimizer as opt
from domain.case import Case, CaseStatus, GuaranteeStatus
from domain.errors import DomainError, RuleViolation
from domain.values import BreachChoice, FacilityKind, PlaceType
from simulator.moves import Moves
from simulator.stage import Process, SimulationError

_TYPE_REASONS = ("ordinary_for_dementia", "screened_not_needed")


def first_come_first_served(problem: opt.AllocationProblem) -> opt.AllocationPlan:
    """One vacancy at a time to the person who has waited longest (the waiting-list date
    only: no urgency, no need score), as the by-hand greedy does it."""
    plain = tuple(replace(p, urgent=False, need_score=0) for p in problem.persons)
    return opt.greedy_baseline(replace(problem, persons=plain))


class Officer(Moves):
    """The allocation unit's morning."""

    def mornings(self) -> Process:
        every = self.scenario.run_every_days
        for day in range(self.days):
            yield self.until(day, 6)
            self.deadlines()
            yield self.until(day, 9)
            if every and day % every == 0:
                self.allocate()
            self.purchases()
            hook = self.hooks.get(day)
            if hook is not None:
                yield self.until(day, 12)
                hook(self)
            yield self.until(day, 23)
            self.end_of_day()

    def end_of_day(self) -> None:  # the world's checks and tallies (world.py)
        raise NotImplementedError

    # --- the guarantee (R18, R19) and the answer deadline (R26) -------------------------

    def deadlines(self) -> None:
        for case_id in self.do("check_deadlines", self.m):
            self.env.process(self.choose(case_id))
        self.do("lapse_offers", self.m)

    def choose(self, case_id: UUID) -> Process:
        """R19: a place bought from another provider, or waiting on (spouses wait)."""
        yield self.env.timeout(self.rng.uniform(2, 5))
        case = self.case(case_id)
        if case.status is CaseStatus.WAITING and case.breach_choice is None and \
                case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED:
            wait = case.spouse_case_id is not None or \
                self.rng.random() >= self.profile.purchase_after_breach_share
            self.do("record_breach_choice", self.m, case_id, recorded_by=self.officer_name,
                    choice=BreachChoice.WAIT if wait else BreachChoice.PURCHASE)

    # --- allocation -------------------------------------------------------------------

    def allocate(self) -> None:
        self.tally.runs += 1
        if self.scenario.method == "optimizer":
            self.optimizer_run()
        else:
            self.by_hand()

    def optimizer_run(self) -> None:
        """The run (R17), checked by the explanation checker, each proposal approved."""
        if not self.worth_a_run():
            return
        run = self.do("start_allocation_run", self.m, started_by=self.officer_name,
                      confirm_unassessed=True)
        if not run.proposed:
            return
        problem = opt.AllocationProblem.from_dict(run.problem)
        faults = opt.check_explanations(problem, opt.AllocationPlan.from_dict(run.plan))
        self.tally.plan_checks += 1
        if faults:
            from simulator.stage import InvariantViolation
            raise InvariantViolation(self.today, None, "the plan passes the explanation "
                                     "checker", "; ".join(faults[:3]))
        for key in sorted(run.proposed):
            self.env.process(self.after_offer(UUID(key), self.approve(run, key)))

    def worth_a_run(self) -> bool:
        """Whether the morning's run is worth starting (the demo's officer starts none
        when nothing is free)."""
        return True

    def approve(self, run: Any, key: str) -> UUID:
        """The officer approves the proposal; where the service asks for an R7 reason the
        proposal did not give (a bought place of the decided type for a person with
        dementia), the officer writes it, and it is counted."""
        offer_id = self.attempt("approve_proposal", self.m, run.id, UUID(key),
                                approved_by=self.officer_name)
        if not isinstance(offer_id, DomainError):
            return UUID(str(offer_id))
        if not isinstance(offer_id, RuleViolation) or offer_id.field != "type_reason":
            raise SimulationError(self.today, key, "approve_proposal", str(offer_id))
        self.tally.reasons_written += 1
        return self.do("approve_proposal", self.m, run.id, UUID(key), approved_by=self.officer_name,
                       type_reason="Plass av den typen vedtaket gjelder", case=UUID(key))

    def by_hand(self) -> None:
        """Greedy or first come, first served: offers made one by one as manual offers;
        an offer the service refuses (R10: spouses apart) is left, as an officer would;
        then the moves (R28) on the places the list left."""
        candidates = self.svc.candidates(self.m)
        if not candidates.cases and not candidates.facts.movers:
            return
        problem = self.svc.build_problem(self.m, self.today, candidates)
        if not problem.vacancies:
            return
        plan = opt.greedy_baseline(problem) if self.scenario.method == "greedy" \
            else first_come_first_served(problem)
        reasons = {e.case_id: e.text for e in plan.explanations if e.type_fit in _TYPE_REASONS}
        for a in plan.assignments:
            case_id = UUID(a.case_id)
            offer_id = self.attempt("make_offer", self.m, case_id, made_by=self.officer_name,
                                    place_id=UUID(a.place_id),
                                    type_reason=reasons.get(a.case_id))
            if isinstance(offer_id, DomainError):
                self.tally.refused_offers += 1
                continue
            self.env.process(self.after_offer(case_id, offer_id))
        self.moves_by_hand(problem, plan.assignments)  # R28: on what the list left

    def after_offer(self, case_id: UUID, offer_id: UUID) -> Process:
        yield self.env.timeout(0)
        self.answer_later(case_id, offer_id)

    # --- purchases (R4, R15, R19) -------------------------------------------------------

    def needs_purchase(self, case: Case) -> bool:
        if case.outstanding_offer is not None or case.place_type is None:
            return False
        spouse = self.case(case.spouse_case_id) if case.spouse_case_id else None
        if spouse is not None and spouse.facility_held is not None:
            return False  # R10: to the spouse's facility, not a bought place
        if case.status is CaseStatus.GRANTED:
            overdue = case.grant_overdue(self.today)
            return overdue is not None and overdue >= self.profile.purchase_after_days
        return case.breach_choice is BreachChoice.PURCHASE and \
            case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED

    def purchases(self) -> None:
        for case in self.on_list():
            if self.needs_purchase(case):
                assert case.place_type is not None
                reason = None if case.place_type is PlaceType.SCREENED or \
                    not case.has_dementia else "Kjøpt plass av den typen vedtaket gjelder"
                self.buy(case.id, case.place_type, reason)

    def buy(self, case_id: UUID, place_type: PlaceType, type_reason: str | None) -> None:
        """Another provider's place at the profile's price, offered at once."""
        po = self.do("register_provider_offer", self.m, provider="Privat leverandør AS",
                     reference=f"sim-{case_id.hex[:8]}-{self.day_number}",
                     facility_name="Privat sykehjem", facility_kind=FacilityKind.NURSING_HOME,
                     place_type=place_type, available_from=self.today,
                     price_per_day=self.profile.purchase_price_per_day,
                     valid_until=self.today + timedelta(days=30))
        self.offer_bought(case_id, po, type_reason)

    def offer_bought(self, case_id: UUID, po: UUID, type_reason: str | None) -> None:
        """Offer the place bought from another provider (R4, R15, R19)."""
        offer_id = self.do("make_offer", self.m, case_id, made_by=self.officer_name,
                           provider_offer_id=po, type_reason=type_reason, case=case_id)
        self.env.process(self.after_offer(case_id, offer_id))
