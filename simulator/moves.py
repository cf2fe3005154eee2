"""Moves of residents (flytting, R28), through the application's own commands
(:mod:`application.moves`).

A resident's need changes (``need_change_per_year``: a resident of an ordinary place whose
dementia now needs a screened unit): the unit makes a new decision on the place type, and
the resident is a *mover* for a change of need. The allocation's movers stage offers the
move on a place the waiting list cannot use (R28: a move never takes a place from a person
waiting who can use it) — in the optimizer's run, approved as any proposal; by hand, the
same stage on what the officer's offers left. The resident says yes or no
(``move_decline_share``; declining costs nothing) and, if yes, moves on the day the place is
free (:meth:`~simulator.people.People.move`). Movers for the other reasons (spouses
together, from a bought place to an own place, a type other than decided at admission) come
from the rest of the run as they arise.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

import optimizer as opt
from application.seed import FULL_IPLOS
from domain.case import CaseStatus
from domain.errors import DomainError
from domain.values import OfferStatus, PlaceType
from optimizer.moves import plan_moves
from simulator import draws
from simulator.complaints import Complaints
from simulator.stage import Process

_NEW_NEED = "Demenssykdommen har utviklet seg; trenger skjermet enhet"
_TYPE_REASONS = ("ordinary_for_dementia", "screened_not_needed")


class Moves(Complaints):
    """Residents whose need changes, and moves offered by hand."""

    def stay(self, case_id: UUID, days: float) -> Process:
        p = self.profile
        if p.need_change_per_year > 0 and not p.plain_queue:
            change = draws.days_until(self.rng_later, p.need_change_per_year)
            if change < days:
                self.env.process(self.need_changes(case_id, change))
        yield from super().stay(case_id, days)

    def need_changes(self, case_id: UUID, after: float) -> Process:
        """R28: the new decision on the place type, for a resident of an ordinary place
        decided an ordinary place; the movers stage does the rest."""
        yield self.env.timeout(after)
        case = self.case(case_id)
        res = case.residence
        if case.status is not CaseStatus.RESIDENT or res is None or \
                case.place_type is not PlaceType.ORDINARY or \
                res.place_type is not PlaceType.ORDINARY or res.admitted_on > self.today or \
                case.move_reasons or case.outstanding_move is not None or \
                (case.accompanying is not None and case.accompanying.concluded is None):
            return
        months = self.policy().iplos_max_age_months
        if case.iplos_outdated(self.today, months):
            # R8 (2): the nursing home's renewed IPLOS registration, recorded on the case
            self.do("register_iplos", self.m, case_id, scores=dict(FULL_IPLOS),
                    assessed_by="sykepleier ved sykehjemmet")
            case = self.case(case_id)
        if case.missing_documentation(PlaceType.SCREENED, self.today, months):
            self.tally.need_changes_blocked += 1  # R8: the service would refuse it
            return
        self.do("decide_new_place_type", self.m, case_id, place_type=PlaceType.SCREENED,
                grounds=_NEW_NEED, decided_by=self.officer_name)

    def moves_by_hand(self, problem: opt.AllocationProblem,
                      assignments: tuple[opt.Assignment, ...]) -> None:
        """R28 by hand: the movers stage on the places the waiting list's offers left,
        each move offered as a manual move offer; one the service refuses is left."""
        if not problem.movers:
            return
        moves, explanations = plan_moves(problem, assignments)
        reasons = {m.case_id: m.reason.value for m in problem.movers}
        type_reasons = {e.case_id: e.text for e in explanations if e.type_fit in _TYPE_REASONS}
        for a in moves:
            case_id = UUID(a.case_id)
            offer_id = self.attempt("offer_move", self.m, case_id, place_id=UUID(a.place_id),
                                    reason=reasons[a.case_id], made_by=self.officer_name,
                                    type_reason=type_reasons.get(a.case_id))
            if isinstance(offer_id, DomainError):
                self.tally.refused_offers += 1
                continue
            self.env.process(self.after_offer(case_id, offer_id))

    def after_offer(self, case_id: UUID, offer_id: UUID) -> Process:  # the officer's
        raise NotImplementedError

    def move_measures(self, first: date) -> dict[str, Any]:
        """Moves carried out and declined from ``first`` on (every resident's, those of
        the first day too), and the residents' new decisions on the place type."""
        counts: Counter[str] = Counter()
        by_reason: Counter[str] = Counter()
        for case_id in self.cases:
            case = self.case(case_id)
            for offer in case.offers.values():
                if offer.move_reason is None or offer.made_on < first:
                    continue
                counts["move_offers"] += 1
                if offer.admitted_on is not None:
                    counts["moves"] += 1
                    by_reason[offer.move_reason.value] += 1
                elif offer.status is OfferStatus.DECLINED:
                    counts["moves_declined"] += 1
            counts["need_changes"] += sum(
                d.kind == "place_type_change" and d.decided_on >= first for d in case.decisions)
        return {k: counts[k] for k in ("moves", "moves_declined", "move_offers",
                                       "need_changes")} | {
            "need_changes_blocked": self.tally.need_changes_blocked,
            "moves_by_reason": dict(sorted(by_reason.items()))}


__all__ = ["Moves"]
