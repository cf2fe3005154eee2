"""Exactness: brute force, scipy's linear_sum_assignment and the matroid-greedy oracle."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from optimizer import (
    AllocationProblem,
    AssignmentKind,
    PlaceType,
    WaitingPerson,
    allocation_key,
    greedy_baseline,
    person_class,
    solve,
)

from .helpers import brute_plan, fits, plan_where, random_problem, wish_rank


def _check_against_brute_force(prob: AllocationProblem) -> None:
    plan = solve(prob)
    obj = dict(plan.objective)
    own, bought, where = brute_plan(prob)
    assert set(plan.own) == own
    assert set(plan.purchases) == bought
    assert plan_where(prob, plan) == where
    assert obj["purchase_price_per_day_ore"] == where[3]
    _check_feasible(prob, plan)


def _check_feasible(prob: AllocationProblem, plan: object) -> None:
    from optimizer import AllocationPlan

    assert isinstance(plan, AllocationPlan)
    by_id = {p.case_id: p for p in prob.persons}
    cap = {v.place_id: v.capacity for v in prob.vacancies}
    cap.update({o.offer_id: o.capacity for o in prob.purchasable})
    used: dict[str, int] = {}
    fac = {}
    for a in plan.assignments:
        p = by_id[a.case_id]
        used[a.place_id] = used.get(a.place_id, 0) + (2 if p.accompanying_spouse else 1)
        fac[a.case_id] = a.facility_id
    assert all(used[k] <= cap[k] for k in used)
    assert len({a.case_id for a in plan.assignments}) == len(plan.assignments)
    for a in plan.assignments:
        p = by_id[a.case_id]
        if p.spouse_case_id in fac:
            assert fac[p.spouse_case_id] == a.facility_id  # R10
        if p.spouse_resident_facility_id is not None:
            assert a.facility_id == p.spouse_resident_facility_id  # R10
        if a.place_type is PlaceType.REINFORCED:
            assert p.reinforced_assessed
        kinds = {v.place_id: v.facility_kind for v in prob.vacancies}
        kinds.update({o.offer_id: o.facility_kind for o in prob.purchasable})
        if p.decided_facility_kind is not None:
            assert kinds[a.place_id] is p.decided_facility_kind


@pytest.mark.parametrize("seed", range(200))
def test_r16_plan_equals_brute_force_optimum(seed: int) -> None:
    rng = random.Random(seed)
    prob = random_problem(rng, n_persons=rng.randint(2, 5), n_places=rng.randint(1, 3),
                          n_offers=rng.randint(0, 2))
    _check_against_brute_force(prob)


@pytest.mark.parametrize("seed", range(150))
def test_r10_plan_with_spouse_pairs_equals_brute_force_optimum(seed: int) -> None:
    rng = random.Random(10_000 + seed)
    prob = random_problem(rng, n_persons=rng.randint(2, 5), n_places=rng.randint(1, 3),
                          n_offers=rng.randint(0, 2), pairs=True)
    _check_against_brute_force(prob)


def _slots(prob: AllocationProblem) -> list[tuple[str, str, PlaceType]]:
    return [(v.place_id, v.facility_id, v.place_type) for v in prob.vacancies
            for _ in range(v.capacity)]


def _plain(seed: int, n: int, m: int) -> AllocationProblem:
    return random_problem(random.Random(seed), n_persons=n, n_places=m, extras=False)


@pytest.mark.parametrize("seed", range(60))
def test_assignment_objective_equals_linear_sum_assignment(seed: int) -> None:
    rng = random.Random(50_000 + seed)
    prob = _plain(50_000 + seed, rng.randint(3, 40), rng.randint(1, 25))
    plan = solve(prob)
    obj = dict(plan.objective)
    order = sorted(prob.persons, key=allocation_key)
    n = len(order)
    slots = _slots(prob)
    w = np.zeros((n, len(slots)), dtype=np.int64)
    for i, p in enumerate(order):
        for j, (_, fac, pt) in enumerate(slots):
            if fits(p, pt, fac, 1, None)[0]:
                w[i, j] = n - i
    r, c = linear_sum_assignment(w, maximize=True)
    assert obj["own_who_weight"] == int(w[r, c].sum())


@pytest.mark.parametrize("seed", range(60))
def test_r16_wishes_equal_serial_dictatorship_by_matching(seed: int) -> None:
    """Without couples: each placed person, in allocation order, gets the best wished facility
    that a bipartite matching of everyone placed still allows, given those before."""
    rng = random.Random(55_000 + seed)
    prob = _plain(55_000 + seed, rng.randint(3, 30), rng.randint(1, 18))
    plan = solve(prob)
    slots = _slots(prob)
    placed = sorted((p for p in prob.persons if p.case_id in plan.own), key=allocation_key)
    fixed: dict[str, str] = {}
    for p in placed:
        for f in p.wishes:
            if _matchable(placed, slots, {**fixed, p.case_id: f}):
                fixed[p.case_id] = f
                break
    fac = {a.case_id: a.facility_id for a in plan.assignments}
    for p in placed:
        assert wish_rank(p, fac[p.case_id]) == wish_rank(p, fixed.get(p.case_id, "-"))


def _matchable(persons: list[WaitingPerson], slots: list[tuple[str, str, PlaceType]],
               only: dict[str, str] | None = None) -> bool:
    """Whether everyone fits a slot of their own (``only``: case id -> required facility)."""
    match: dict[int, int] = {}
    only = only or {}

    def augment(i: int, seen: set[int]) -> bool:
        for j, (_, fac, pt) in enumerate(slots):
            if j in seen or not fits(persons[i], pt, fac, 1, None)[0]:
                continue
            if only.get(persons[i].case_id, fac) != fac:
                continue
            seen.add(j)
            if j not in match or augment(match[j], seen):
                match[j] = i
                return True
        return False

    return all(augment(i, set()) for i in range(len(persons)))


@pytest.mark.parametrize("seed", range(60))
def test_r16_placed_set_equals_matroid_greedy(seed: int) -> None:
    rng = random.Random(70_000 + seed)
    prob = _plain(70_000 + seed, rng.randint(3, 30), rng.randint(1, 15))
    slots = _slots(prob)
    kept: list[WaitingPerson] = []
    for p in sorted(prob.persons, key=allocation_key):
        if _matchable([*kept, p], slots):
            kept.append(p)
    plan = solve(prob)
    assert set(plan.own) == {p.case_id for p in kept}
    # and never fewer than by hand
    assert len(plan.own) >= len(greedy_baseline(prob).own)


@pytest.mark.parametrize("seed", range(60))
def test_r7_r15_no_screened_place_to_non_needer_while_an_equally_urgent_needer_waits(
        seed: int) -> None:
    rng = random.Random(90_000 + seed)
    prob = random_problem(rng, n_persons=rng.randint(3, 25), n_places=rng.randint(1, 12),
                          n_offers=2, pairs=seed % 2 == 0)
    plan = solve(prob)
    by_id = {p.case_id: p for p in prob.persons}
    kind = {v.place_id: v.facility_kind for v in prob.vacancies}
    waiting_needers = [p for p in prob.persons if p.case_id not in plan.own
                       and person_class(p) == "S" and p.spouse_case_id is None
                       and p.spouse_resident_facility_id is None and not p.accompanying_spouse]
    for a in plan.assignments:
        holder = by_id[a.case_id]
        if (a.kind is AssignmentKind.OWN and a.place_type is PlaceType.SCREENED
                and person_class(holder) == "O"):
            assert not [q for q in waiting_needers if q.urgent >= holder.urgent
                        and q.decided_facility_kind in (None, kind[a.place_id])]
