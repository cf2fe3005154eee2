"""R28: movers in the allocation run, planned after the whole waiting list (R15/R16), checked
against an exhaustive brute force on small random problems and by the independent checker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random

import pytest

from optimizer import (
    AssignmentKind,
    FactKind,
    Mover,
    MoveReason,
    check_explanations,
    solve,
)
from optimizer.check import suits
from optimizer.check_moves import fits
from tests.optimizer.helpers import D0, person, place, problem, random_problem

_TIERS = [MoveReason.CHANGE_OF_NEED, MoveReason.SPOUSES_TOGETHER, MoveReason.FREE_CHOICE,
          MoveReason.BOUGHT_TO_OWN]


def mover(cid: str, reason: str, decided: str = "ordinary", need: int | None = 50,
          **kw: object) -> Mover:
    base: dict[str, object] = dict(
        case_id=cid, reason=MoveReason(reason), current_place_id=f"cur-{cid}",
        current_facility_id="F9", current_purchased=reason == "bought_to_own",
        decided_place_type=decided, needs_screened=decided == "screened",
        reinforced_assessed=decided == "reinforced", resident_since=D0 - dt.timedelta(days=90),
        need_score=need)
    base.update(kw)
    return Mover(**base)  # type: ignore[arg-type]


def random_movers(rng: random.Random, n: int) -> tuple[Mover, ...]:
    out = []
    for i in range(n):
        reason = rng.choice(_TIERS)
        decided = rng.choice(["ordinary", "ordinary", "screened", "reinforced"])
        kw: dict[str, object] = dict(
            need=rng.choice([None, 20, 50, 80]),
            resident_since=D0 - dt.timedelta(days=rng.randint(10, 400)))
        if reason is MoveReason.FREE_CHOICE:
            kw["wishes"] = tuple(rng.sample(["F1", "F2", "F3"], rng.randint(1, 3)))
        if reason is MoveReason.SPOUSES_TOGETHER or rng.random() < 0.15:
            kw["spouse_facility_id"] = rng.choice(["F1", "F2", "F3"])
        if rng.random() < 0.2:
            kw["current_place_id"] = f"v{rng.randint(0, 4)}"
        out.append(mover(f"m{i}", reason.value, decided, **kw))
    return tuple(out)


def _order(m: Mover) -> tuple[object, ...]:
    return (_TIERS.index(m.reason), m.need_score is None, -(m.need_score or 0),
            m.resident_since, m.case_id)


def brute_force_moves(prob, plan) -> dict[str, str]:
    """Every assignment of movers to what the waiting list leaves, the best by (movers moved
    in their order, then free-choice wish ranks in order, then the place by type fit, day and
    id in order), compared level by level."""
    persons = {p.case_id: p for p in prob.persons}
    own = {a.case_id for a in plan.assignments if a.kind is AssignmentKind.OWN}
    used: dict[str, int] = {}
    for a in plan.assignments:
        if a.kind is AssignmentKind.OWN:
            used[a.place_id] = used.get(a.place_id, 0) + (
                2 if persons[a.case_id].accompanying_spouse else 1)
    without = [p for p in prob.persons if p.case_id not in own]
    left = {v.place_id: v.capacity - used.get(v.place_id, 0) for v in prob.vacancies
            if not any(suits(p, v, beside=p.spouse_case_id is not None) for p in without)}
    vac = {v.place_id: v for v in prob.vacancies}
    movers = sorted(prob.movers, key=_order)
    options = [[None] + [pid for pid in left if fits(m, vac[pid])] for m in movers]
    best, best_key = None, None
    for choice in itertools.product(*options):
        count: dict[str, int] = {}
        for pid in choice:
            if pid is not None:
                count[pid] = count.get(pid, 0) + 1
        if any(n > left[pid] for pid, n in count.items()):
            continue
        moved = tuple(0 if pid is not None else 1 for pid in choice)
        wishes = tuple((m.wishes.index(vac[pid].facility_id) + 1
                        if pid is not None and m.reason is MoveReason.FREE_CHOICE else 0)
                       for m, pid in zip(movers, choice, strict=True))
        where = tuple(((vac[pid].place_type is not m.decided_place_type,
                        vac[pid].available_from, pid) if pid is not None else ())
                      for m, pid in zip(movers, choice, strict=True))
        key = (moved, wishes, where)
        if best_key is None or key < best_key:
            best, best_key = choice, key
    assert best is not None
    return {m.case_id: pid for m, pid in zip(movers, best, strict=True) if pid is not None}


@pytest.mark.parametrize("seed", range(150))
def test_moves_match_brute_force_on_small_random_problems(seed):
    rng = random.Random(seed)
    base = random_problem(rng, n_persons=rng.randint(0, 4), n_places=rng.randint(1, 5),
                          n_offers=rng.randint(0, 1))
    prob = dataclasses.replace(base, movers=random_movers(rng, rng.randint(1, 4)))
    plan = solve(prob)
    assert {a.case_id: a.place_id for a in plan.moves} == brute_force_moves(prob, plan)
    assert check_explanations(prob, plan) == []
    # the waiting list's plan is the same with or without movers (R15/R16)
    alone = solve(base)
    assert plan.assignments == alone.assignments
    assert plan.explanations == alone.explanations


def test_a_waiting_person_of_higher_need_never_loses_a_place_to_a_mover():
    """One screened place; a resident of great need is to move to a screened place (a new
    decision), and a person on the list of lower need needs one: the person on the list gets
    it, and the mover's explanation says why (R28: a move never takes a place from the list)."""
    prob = dataclasses.replace(
        problem([place("v1", "F1", "screened")], [person("w1", 10, "screened")]),
        movers=(mover("m1", "change_of_need", "screened", need=99),))
    plan = solve(prob)
    assert plan.own == {"w1": "v1"} and plan.moves == ()
    e = plan.move_explanations[0]
    assert e.outcome == "none"
    assert FactKind.MOVE_PLACES_TAKEN in [f.kind for f in e.facts]
    assert "ventelisten" in e.text
    assert check_explanations(prob, plan) == []


def test_r28_a_place_a_waiting_person_could_use_is_kept_even_when_left_free():
    """A waiting person who can use the place but is not placed (the spouse's facility, R10,
    lies elsewhere for the other waiting spouse's sake) keeps the move away from it."""
    w = person("w1", 50, spouse_resident_facility_id="F1")
    prob = dataclasses.replace(
        problem([place("v1", "F1")], [w, person("w2", 90, spouse_resident_facility_id="F1")]),
        movers=(mover("m1", "bought_to_own"),))
    plan = solve(prob)
    assert plan.moves == ()
    assert check_explanations(prob, plan) == []


def test_movers_in_their_own_order_change_of_need_first():
    prob = dataclasses.replace(
        problem([place("v1", "F1", "screened")], []),
        movers=(mover("a", "bought_to_own", "screened", need=99),
                mover("b", "change_of_need", "screened", need=10)))
    plan = solve(prob)
    assert [a.case_id for a in plan.moves] == ["b"]
    assert check_explanations(prob, plan) == []


def test_r20_free_choice_mover_gets_the_best_wish_left():
    prob = dataclasses.replace(
        problem([place("v1", "F1"), place("v2", "F2")], []),
        movers=(mover("m1", "free_choice", wishes=("F2", "F1")),))
    plan = solve(prob)
    assert plan.moves[0].place_id == "v2"
    e = plan.move_explanations[0]
    assert e.wish_rank == 1 and "ønske nummer 1" in e.text
    assert check_explanations(prob, plan) == []


def test_r11_mover_with_accompanying_spouse_takes_a_whole_double_room():
    prob = dataclasses.replace(
        problem([place("v1", "F1"), place("v2", "F1", room="double")], []),
        movers=(mover("m1", "bought_to_own", accompanying_spouse=True),))
    plan = solve(prob)
    assert plan.moves[0].place_id == "v2"
    assert check_explanations(prob, plan) == []


def test_false_move_claims_are_caught():
    prob = dataclasses.replace(
        problem([place("v1", "F1", "screened")], [person("w1", 10)]),
        movers=(mover("m1", "bought_to_own", need=1), mover("m2", "bought_to_own", need=2)))
    plan = solve(prob)
    assert check_explanations(prob, plan) == []
    e = plan.move_explanations[0]
    wrong_rank = dataclasses.replace(e, facts=tuple(
        dataclasses.replace(f, rank=9) if f.kind is FactKind.MOVE_RANK else f for f in e.facts))
    bad = dataclasses.replace(plan, move_explanations=(wrong_rank, *plan.move_explanations[1:]))
    assert check_explanations(prob, bad)
    stolen = dataclasses.replace(plan, moves=(dataclasses.replace(
        plan.assignments[0], case_id="m2"),) if plan.assignments else ())
    if plan.assignments:
        assert check_explanations(prob, stolen)


def test_problem_without_movers_hashes_as_before():
    prob = problem([place("v1", "F1")], [person("w1", 10)])
    assert "movers" not in prob.to_dict()
    with_none = dataclasses.replace(prob, movers=())
    assert with_none.problem_hash() == prob.problem_hash()
    plan = solve(prob)
    assert "moves" not in plan.to_dict()
    moving = dataclasses.replace(prob, movers=(mover("m1", "bought_to_own"),))
    assert moving.problem_hash() != prob.problem_hash()
    again = type(moving).from_dict(moving.to_dict())
    assert again == moving
    assert type(plan).from_dict(solve(moving).to_dict()) == solve(moving)
