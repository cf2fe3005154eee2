"""Explanations tell the truth: the independent checker finds no false claim in the plans of
thousands of random problems, and it does complain about explanations made false on purpose."""

from __future__ import annotations

import dataclasses
import random

import pytest

from optimizer import (
    AllocationPlan,
    AllocationProblem,
    Explanation,
    Fact,
    FactKind,
    check_explanations,
    solve,
)
from optimizer.wording import render

from .helpers import D0, offer, person, place, problem, random_coupled_problem, random_problem

N_RANDOM = 5000
BATCHES = 10


def small_random_problem(seed: int) -> AllocationProblem:
    """Small enough for the checker's backtracking; every rule of the model in play."""
    rng = random.Random(seed)
    if seed % 2:
        return random_problem(rng, n_persons=rng.randint(1, 10), n_places=rng.randint(0, 6),
                              n_offers=rng.randint(0, 4), pairs=seed % 4 == 1)
    return random_coupled_problem(rng, n_persons=rng.randint(2, 11), n_places=rng.randint(1, 6),
                                  n_offers=rng.randint(0, 4), n_pairs=rng.randint(0, 3),
                                  n_facilities=3)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_r12_r15_r16_r7_explanations_of_random_plans_state_no_false_claim(batch: int) -> None:
    size = N_RANDOM // BATCHES
    kinds: set[FactKind] = set()
    for seed in range(batch * size, (batch + 1) * size):
        prob = small_random_problem(seed)
        plan = solve(prob)
        assert check_explanations(prob, plan) == [], seed
        kinds.update(f.kind for e in plan.explanations for f in e.facts)
    assert len(kinds) >= 25  # the batch exercised most kinds of claim, not a trivial few


# --- explanations made false on purpose --------------------------------------------------------


def _with_facts(plan: AllocationPlan, case_id: str, facts: list[Fact],
                **fields: object) -> AllocationPlan:
    """The plan with one explanation's facts replaced (and its text rendered from them)."""
    out = []
    for e in plan.explanations:
        if e.case_id == case_id:
            e = dataclasses.replace(e, facts=tuple(facts), text=render(facts), **fields)
        out.append(e)
    return dataclasses.replace(plan, explanations=tuple(out))


def _replace_fact(plan: AllocationPlan, case_id: str, kind: FactKind, **values: object
                  ) -> AllocationPlan:
    e = plan.explanation_of(case_id)
    facts = [dataclasses.replace(f, **values) if f.kind is kind else f for f in e.facts]
    assert facts != list(e.facts), "the fact to falsify is not there"
    return _with_facts(plan, case_id, facts)


def _complaints(prob: AllocationProblem, plan: AllocationPlan, case_id: str) -> list[str]:
    return [m for m in check_explanations(prob, plan) if m.startswith(case_id + ":")]


def test_checker_catches_a_wrong_rank() -> None:
    prob = problem([place("a", "F1")], [person("A", 90), person("B", 50)])
    plan = solve(prob)
    assert check_explanations(prob, plan) == []
    assert _complaints(prob, _replace_fact(plan, "B", FactKind.RANK, rank=1), "B")
    wrong = dataclasses.replace(plan, explanations=tuple(
        dataclasses.replace(e, waiting_list_rank=3) if e.case_id == "A" else e
        for e in plan.explanations))
    assert _complaints(prob, wrong, "A")


def test_r7_checker_catches_all_screened_needers_offered_while_ten_wait() -> None:
    """The old false claim: an ordinary-place person bought a screened place told that nobody
    who needs one is left without, while ten who need one wait (not buyers)."""
    far = D0.replace(year=D0.year + 1)
    waiting = [person(f"S{i}", 90, "screened", deadline=far) for i in range(10)]
    prob = problem([], [person("O", 20, deadline=D0), *waiting], [offer("o", "P1", 200_000,
                                                                       "screened")])
    plan = solve(prob)
    assert plan.purchases == {"O": "o"}
    assert check_explanations(prob, plan) == []
    told = {f.kind for f in plan.explanation_of("O").facts}
    assert FactKind.SCREENED_NEEDERS_ALL_OFFERED not in told
    facts = [*plan.explanation_of("O").facts, Fact(FactKind.SCREENED_NEEDERS_ALL_OFFERED)]
    assert _complaints(prob, _with_facts(plan, "O", facts), "O")


def test_r16_checker_catches_a_wish_said_to_leave_someone_without_when_it_would_not() -> None:
    """B's first wish went to A, of greater need; saying it would have left someone without a
    place is false (A could have taken the other place)."""
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F1",)), person("B", 80, wishes=("F1",))])
    plan = solve(prob)
    assert check_explanations(prob, plan) == []
    e = plan.explanation_of("B")
    facts = [dataclasses.replace(f, kind=FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT)
             if f.kind is FactKind.WISH_WENT_TO_EARLIER else f for f in e.facts]
    assert _complaints(prob, _with_facts(plan, "B", facts), "B")
    # and leaving the missed wish unexplained is caught too
    bare = [f for f in e.facts if f.kind is not FactKind.WISH_WENT_TO_EARLIER]
    assert _complaints(prob, _with_facts(plan, "B", bare), "B")
    assert _complaints(prob, _replace_fact(plan, "A", FactKind.WISH_MET, rank=2), "A")


def test_r16_checker_catches_persons_named_ahead_who_are_not() -> None:
    prob = problem([place("a", "F1"), place("s", "F1", "screened")],
                   [person("A", 90), person("B", 50), person("C", 20, "screened"),
                    person("D", 10, "screened")])
    plan = solve(prob)
    assert plan.own == {"A": "a", "C": "s"}
    assert check_explanations(prob, plan) == []
    wrong = _replace_fact(plan, "B", FactKind.TAKEN_BY_AHEAD, case_ids=("A", "C"))
    assert _complaints(prob, wrong, "B")
    e = plan.explanation_of("D")
    named = dataclasses.replace(e, higher_need_case_ids=("A",))
    wrong2 = dataclasses.replace(plan, explanations=tuple(
        named if x.case_id == "D" else x for x in plan.explanations))
    assert _complaints(prob, wrong2, "D")  # A's ordinary place would not suit D


def test_checker_catches_no_suitable_place_when_there_is_one() -> None:
    prob = problem([place("a", "F1")], [person("A", 90), person("B", 50)])
    plan = solve(prob)
    e = plan.explanation_of("B")
    facts = [e.facts[0], Fact(FactKind.NO_VACANCY_OF_DECIDED_TYPE,
                              place_type=prob.vacancies[0].place_type)]
    assert _complaints(prob, _with_facts(plan, "B", facts), "B")


def test_checker_catches_a_wrong_provider_or_price_by_one_ore() -> None:
    prob = problem([], [person("A", 50, deadline=D0)],
                   [offer("o", "P1", 200_000, provider="Privat AS")])
    plan = solve(prob)
    assert check_explanations(prob, plan) == []
    assert _complaints(prob, _replace_fact(plan, "A", FactKind.OFFER_PURCHASE,
                                           price_per_day_ore=199_999), "A")
    assert _complaints(prob, _replace_fact(plan, "A", FactKind.OFFER_PURCHASE,
                                           provider="Annen AS"), "A")
    assert _complaints(prob, _replace_fact(plan, "A", FactKind.OFFER_PURCHASE,
                                           facility_names=("P1",)), "A")  # not its name


def test_checker_catches_text_that_is_not_the_facts() -> None:
    prob = problem([place("a", "F1")], [person("A", 90)])
    plan = solve(prob)
    e: Explanation = plan.explanation_of("A")
    english = dataclasses.replace(e, text="You are number 1 on the waiting list.")
    wrong = dataclasses.replace(plan, explanations=(english,))
    assert _complaints(prob, wrong, "A")


def test_r15_checker_catches_a_bridging_stay_said_to_be_needed_when_one_is_recorded() -> None:
    prob = problem([], [person("U", 80, urgent=True, bridging_stay=True)])
    plan = solve(prob)
    assert check_explanations(prob, plan) == []
    facts = [Fact(FactKind.BRIDGING_STAY_NEEDED) if f.kind is FactKind.BRIDGING_STAY_CONTINUES
             else f for f in plan.explanation_of("U").facts]
    assert _complaints(prob, _with_facts(plan, "U", facts), "U")
