"""The coupled stages (R10 spouses at one facility, R11 a whole double room) against independent
oracles on problems too large for the brute force, and hand-made cases at the cut-off."""

from __future__ import annotations

import random

import pytest

from optimizer import AllocationProblem, FactKind, ReasonCode, solve
from optimizer.eligibility import Candidate, PlaceGroup, make_candidates, own_groups
from optimizer.who import _Relaxation, _Walk, placed_set

from .helpers import (
    D0,
    greedy_placed,
    lexicographic_where,
    offer,
    person,
    place,
    plan_where,
    pools,
    problem,
    random_coupled_problem,
)
from .test_exact import _check_feasible


def _check_against_oracles(prob: AllocationProblem) -> None:
    plan = solve(prob)
    obj = dict(plan.objective)
    own_pool, _, _ = pools(prob, frozenset())
    own = greedy_placed(prob.persons, own_pool)
    assert set(plan.own) == own
    _, pool, buyers = pools(prob, own)
    kept = [p for p in prob.persons if p.case_id in own]
    bought = greedy_placed(buyers, pool, kept_first=kept)
    assert set(plan.purchases) == bought
    placed = kept + [p for p in buyers if p.case_id in bought]
    where = lexicographic_where(placed, pool, prob.policy)
    assert plan_where(prob, plan) == where
    assert obj["purchase_price_per_day_ore"] == where[3]
    _check_feasible(prob, plan)


@pytest.mark.parametrize("seed", range(120))
def test_r10_r11_plan_equals_independent_oracles_with_many_couples(seed: int) -> None:
    rng = random.Random(30_000 + seed)
    prob = random_coupled_problem(rng, n_persons=rng.randint(6, 12), n_places=rng.randint(3, 7),
                                  n_offers=rng.randint(0, 5), n_pairs=rng.randint(1, 3))
    _check_against_oracles(prob)


@pytest.mark.parametrize("seed", range(30))
def test_r10_r16_plan_equals_independent_oracles_near_capacity(seed: int) -> None:
    """As many persons as beds, so that couples sit right at the cut-off."""
    rng = random.Random(40_000 + seed)
    n_places = rng.randint(5, 8)
    prob = random_coupled_problem(rng, n_persons=n_places + rng.randint(0, 4), n_places=n_places,
                                  n_offers=rng.randint(0, 4), n_pairs=rng.randint(2, 4),
                                  n_facilities=3)
    _check_against_oracles(prob)


def test_r10_spouse_left_out_at_the_cut_off_frees_the_place_for_the_next_in_line() -> None:
    """The relaxation (spouses may live apart) would keep H and W; W cannot join H, so W's place
    goes to X, the next in line, not to nobody."""
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("H", 90, spouse_case_id="W"), person("W", 80, spouse_case_id="H"),
                    person("X", 70), person("Y", 60)])
    plan = solve(prob)
    assert set(plan.own) == {"H", "X"}
    assert plan.explanation_of("W").code is ReasonCode.SPOUSE_CONSTRAINT


def test_r10_couple_moves_to_the_facility_with_room_for_both() -> None:
    """H alone fits anywhere; W (dementia) needs the screened place, which is at F2 only."""
    prob = problem([place("a", "F1"), place("b", "F2"), place("s", "F2", "screened")],
                   [person("H", 90, spouse_case_id="W"),
                    person("W", 80, "screened", spouse_case_id="H"),
                    person("X", 70, wishes=("F2",))])
    plan = solve(prob)
    assert plan.own == {"H": "b", "W": "s", "X": "a"}


def test_r11_accompanying_spouse_gets_a_whole_double_room_though_splitting_scores_more() -> None:
    """Splitting A's two beds between the rooms would let B and C both have their wish (the
    flow relaxation does that); a whole room for A leaves room for only one of them at F1."""
    prob = problem([place("d", "F1", room="double"), place("e", "F2", room="double")],
                   [person("A", 90, accompanying_spouse=True, wishes=("F1",)),
                    person("B", 80, wishes=("F1",)), person("C", 70, wishes=("F2",))])
    plan = solve(prob)
    assert plan.own == {"A": "d", "B": "e", "C": "e"}
    assert dict(plan.objective)["own_wish_score"] == 200
    _check_feasible(prob, plan)


def test_r10_two_couples_compete_for_one_facility() -> None:
    """Both couples want F1, which has room for one couple; the higher-ranked couple gets it and
    the other is kept together at F2."""
    prob = problem([place("a1", "F1"), place("a2", "F1"), place("b1", "F2"), place("b2", "F2")],
                   [person("H1", 90, spouse_case_id="W1", wishes=("F1",)),
                    person("W1", 50, spouse_case_id="H1", wishes=("F1",)),
                    person("H2", 80, spouse_case_id="W2", wishes=("F1",)),
                    person("W2", 70, spouse_case_id="H2", wishes=("F1",))])
    plan = solve(prob)
    fac = {a.case_id: a.facility_id for a in plan.assignments}
    assert fac["H1"] == fac["W1"] and fac["H2"] == fac["W2"] and fac["H1"] != fac["H2"]
    assert dict(plan.objective)["own_wish_score"] == 200


def _exact_stage_alone(cands: list[Candidate], groups: list[PlaceGroup]) -> list[int]:
    """The greedy with nothing but the exact check (CP-SAT on the count model) as its oracle."""
    walk = _Walk(cands, groups, _Relaxation(cands, groups))
    kept: list[int] = []
    for c in cands:
        if c.elig and walk._exact([*kept, c.pos]) is not None:
            kept.append(c.pos)
    return kept


@pytest.mark.parametrize("seed", range(30))
def test_r10_r16_bulk_decisions_agree_with_the_exact_stage_alone(seed: int) -> None:
    """The relaxation's bulk rejections, the basis exchange, the augmenting-path insertions and
    the couple moves decide exactly as the exact check would, person by person."""
    rng = random.Random(50_000 + seed)
    n_places = rng.randint(8, 16)
    prob = random_coupled_problem(rng, n_persons=n_places + rng.randint(0, 14),
                                  n_places=n_places, n_offers=0, n_pairs=rng.randint(3, 8),
                                  n_facilities=rng.randint(3, 5))
    canon = prob.canonical()
    groups = own_groups(canon.vacancies)
    cands = make_candidates(canon.persons, groups,
                            {p.case_id: p.spouse_resident_facility_id for p in canon.persons})
    assert placed_set(cands, groups) == _exact_stage_alone(cands, groups)


def test_r10_r18_own_place_chosen_so_that_the_spouse_can_be_bought_a_place_beside() -> None:
    """A bought place for W (deadline reached) counts more than H's wish: H's own place is at
    F2, where a place can be bought for W, not at H's wished F1."""
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("H", 90, spouse_case_id="W", wishes=("F1",)),
                    person("W", 50, "screened", spouse_case_id="H", deadline=D0),
                    person("X", 80)],
                   [offer("y", "F2", 300_000, "screened")])
    plan = solve(prob)
    assert plan.own == {"H": "b", "X": "a"}
    assert plan.purchases == {"W": "y"}
    e = plan.explanation_of("W")
    assert FactKind.SPOUSE_SAME_FACILITY in {f.kind for f in e.facts}
    assert "F2 sykehjem (§ 2-3 første ledd)" in e.text


def test_r7_r10_bought_ordinary_place_beside_the_spouse_carries_the_reason() -> None:
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("H", 90, spouse_case_id="W"),
                    person("W", 50, "screened", spouse_case_id="H", deadline=D0),
                    person("X", 80)],
                   [offer("y", "F2", 300_000), offer("z", "P9", 100_000, "screened")])
    plan = solve(prob)
    assert plan.purchases == {"W": "y"} and plan.own["H"] == "b"
    e = plan.explanation_of("W")
    assert e.type_fit == "ordinary_for_dementia"
    assert FactKind.ORDINARY_FOR_DEMENTIA in {f.kind for f in e.facts}
