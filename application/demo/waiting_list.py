"""A person on the list: priority assessments (R16, R17) and reviews with a new IPLOS
registration (R27, R8 (2)), a short-term stay bridging the wait (R2, R15), urgency (R15);
and the early-morning checks — the guarantee's deadline (§ 3-4, R18) with the person's
choice after a breach (R19), and offers not answered in time (R26).
"""

from __future__ import annotations

from uuid import UUID

from application.demo.stage import Stage
from domain.case import ON_LIST, CaseStatus, GuaranteeStatus
from domain.values import BreachChoice, DeliveryChannel, PlaceType, PriorityFactor

_ORD, _REI = PlaceType.ORDINARY, PlaceType.REINFORCED
_WAITING = CaseStatus.WAITING


class WaitingList(Stage):
    """What happens to a person while on the list."""

    # --- on the list: priority, reviews, short-term stays, urgency --------------------

    def assess(self, case_id: UUID) -> None:
        """R16, R17: the factors, and a need score near what the policy suggests."""
        case, rng, f = self.case(case_id), self.rng, PriorityFactor
        if case.status not in ON_LIST:
            return
        factors = {f.FUNCTION.value: rng.randint(1, 4), f.MEDICAL.value: rng.randint(1, 3),
                   f.HOME_SITUATION.value: rng.randint(0, 4),
                   f.NUTRITION.value: rng.randint(0, 2), f.OTHER_SERVICES.value: rng.randint(1, 3)}
        if case.has_dementia:
            factors[f.COGNITIVE_FAILURE.value] = rng.randint(3, 4)
        if rng.random() < 0.06:
            factors[f.END_OF_LIFE.value] = 4
        if case.place_type is _REI or rng.random() < 0.15:
            factors[f.OTHER_SPECIAL_NEEDS.value] = rng.randint(2, 4)
        spouse = self.spouse(case)
        if spouse is not None and spouse.status is CaseStatus.RESIDENT:
            factors[f.SPOUSE_IN_LONG_TERM_STAY.value] = 4
        suggested, _ = self.svc.suggested_need_score(self.m, factors, self.today)
        spread = min(5, self.policy().score_tolerance)
        reason = self.w.departure if rng.random() < 0.1 else None
        self.do("assess_priority", self.m, case_id, factors=factors, departure_reason=reason,
                need_score=max(0, min(100, suggested + (20 if reason else
                                                        rng.randint(-spread, spread)))),
                assessor=rng.choice(self.w.nurses))

    def review(self, case_id: UUID) -> None:
        """R27: a new assessment; now and then, and before it is outdated (R8 (2)), a new
        IPLOS registration."""
        case = self.case(case_id)
        if (case.review_due_on() or self.end) > self.today:
            return
        if case.iplos_outdated(self.today, self.policy().iplos_max_age_months - 3) or \
                self.rng.random() < 0.3:
            self.do("register_iplos", self.m, case_id, scores=self.iplos(case.place_type or _ORD),
                    assessed_by=self.rng.choice(self.w.nurses))
        self.assess(case_id)

    def bridge(self, case_id: UUID) -> None:
        """R2, R15: a short-term stay while the long-term place is awaited."""
        case = self.case(case_id)
        if case.status in ON_LIST and case.bridging_stay_on(self.today) is None:
            facility, unit = self.town.short_term
            self.do("record_bridging_stay", self.m, case_id, facility_name=facility, unit=unit,
                    from_on=self.today, recorded_by=self.officer())

    def urgent(self, case_id: UUID, bridge: bool = True) -> None:
        """R15: no longer safe at home: a grant, first on the list."""
        if self.case(case_id).status is _WAITING:
            granted = self.do("mark_urgent", self.m, case_id,
                              reason=self.rng.choice(self.w.urgency),
                              assessed_by=self.rng.choice(self.w.doctors))
            if granted is not None:  # R14: handed over at the visit that found it
                self.do("record_decision_sent", self.m, case_id, granted, sent_on=self.today,
                        channel=DeliveryChannel.HANDED_OVER, recorded_by="Tildelingsenheten",
                        with_id=False, command_id=self.sequel_id("sent"))
            if bridge and self.rng.random() < self.s.bridging_grant:
                self.bridge(case_id)

    # --- the guarantee (§ 3-4) and the answer deadline (R26) ----------------------------

    def check_deadlines(self) -> None:
        due = [case.id for case in self.listed() if case.breach_due(self.today)]
        if due:
            for case_id in self.do("check_deadlines", self.m, case_ids=due, with_id=False):
                self.later(self.rng.randint(2, 5), 10 * 60 + 30, self.choose, case_id)

    def choose(self, case_id: UUID) -> None:
        """R19: a place bought from another provider, or waiting on (spouses wait)."""
        case = self.case(case_id)
        if case.status is _WAITING and case.breach_choice is None and \
                case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED:
            wait = case.spouse_case_id or self.rng.random() >= self.s.purchase_after_breach
            self.do("record_breach_choice", self.m, case_id, recorded_by=self.officer(),
                    choice=BreachChoice.WAIT if wait else BreachChoice.PURCHASE)

    def lapse_offers(self) -> None:
        due = [case.id for case in self.listed() if case.lapsed_offers(self.today)]
        if due:
            self.do("lapse_offers", self.m, case_ids=due, with_id=False)
