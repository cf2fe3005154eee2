"""The allocation optimizer: ``solve(problem) -> AllocationPlan`` and the hand-work baseline.

See ``optimizer/README.md`` for the model.  In short: **who** gets an own place (egne plasser),
then who gets a bought place (kjøp fra annen leverandør: the urgent, R15/R4, those whose own
stock lacks the decided type, R5, and those at or near the deadline, R18/R19) — ``who.py``, the
priority-maximal placed sets, R15/R16 with R7, R10, R11; then whose **wishes** are met
(``wishes.py``: in allocation order, the person of greater need first, R16); then **where**
(``where.py``: fewest R7 mismatches, then price in øre, given who and the wishes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import ortools

from .eligibility import (
    Candidate,
    PlaceGroup,
    allocation_key,
    fits,
    is_buyer,
    make_candidates,
    offer_groups,
    own_groups,
    person_class,
    waiting_list_key,
)
from .engines import SolverError, cp_settings
from .explain import explain
from .model import (
    RULES_VERSION,
    AllocationPlan,
    AllocationProblem,
    Assignment,
    AssignmentKind,
    PlaceType,
    PlanStatus,
    PurchasableOffer,
    SolverInfo,
    Vacancy,
)
from .moves import plan_moves
from .where import MAX_TIE_BREAK_BITS, SCIP_PARAMETERS, Where, prefers_met, wish_score
from .who import placed_with_groups
from .wishes import Wishes, WishMiss

__all__ = [
    "SolverError",
    "allocation_key",
    "greedy_baseline",
    "person_class",
    "solve",
    "solver_info",
    "waiting_list_key",
]


# --- a stage, end to end ----------------------------------------------------------------------


def _fill_items(cands: Sequence[Candidate], groups: Sequence[PlaceGroup],
                group_of: dict[int, int]) -> dict[int, Vacancy | PurchasableOffer]:
    """Concrete places inside each group: a whole double room first for an accompanying spouse,
    spouses in the same group together, then the rest in priority order."""
    members: dict[int, list[int]] = defaultdict(list)
    for pos, gi in group_of.items():
        members[gi].append(pos)
    out: dict[int, Vacancy | PurchasableOffer] = {}
    for gi, plist in members.items():
        g = groups[gi]
        free = [g.cap] * len(g.items)
        plist.sort()
        done: set[int] = set()
        for pos in plist:
            if cands[pos].demand == 2:
                k = next(i for i, f in enumerate(free) if f == g.cap)
                free[k] = 0
                out[pos] = g.items[k]
                done.add(pos)
        for pos in plist:
            c = cands[pos]
            if pos in done or c.partner is None or c.partner not in plist or g.cap < 2:
                continue
            if c.partner in done:
                continue
            k = next((i for i, f in enumerate(free) if f >= 2), None)
            if k is not None:
                free[k] -= 2
                out[pos] = out[c.partner] = g.items[k]
                done.update((pos, c.partner))
        for pos in plist:
            if pos in done:
                continue
            k = next(i for i, f in enumerate(free) if f >= 1)
            free[k] -= 1
            out[pos] = g.items[k]
    return out


def _joint(own: Sequence[Candidate], own_placed: Sequence[int], buy: Sequence[Candidate],
           n_own_groups: int) -> list[Candidate]:
    """The persons with an own place (first, in their order) and the buyers (after, in theirs)
    as candidates of one stage over own and bought places; spouses linked across the two."""
    out = []
    for pos in own_placed:
        c = own[pos]
        out.append(Candidate(len(out), c.person, c.cls, c.restriction, c.demand, c.elig,
                             c.mismatch))
    shifted: dict[tuple[tuple[int, ...], frozenset[int]],
                  tuple[tuple[int, ...], frozenset[int]]] = {}
    for c in buy:
        hit = shifted.get((c.elig, c.mismatch))
        if hit is None:
            hit = shifted[(c.elig, c.mismatch)] = (
                tuple(g + n_own_groups for g in c.elig),
                frozenset(g + n_own_groups for g in c.mismatch))
        out.append(Candidate(len(out), c.person, c.cls, c.restriction, c.demand, *hit))
    index = {c.person.case_id: c.pos for c in out}
    for c in out:
        if c.person.spouse_case_id is not None:
            c.partner = index.get(c.person.spouse_case_id)
    return out


Allocated = tuple[dict[str, Vacancy], dict[str, PurchasableOffer], tuple[tuple[str, int], ...],
                  dict[str, list[tuple[str, WishMiss]]]]


def _allocate(canon: AllocationProblem) -> Allocated:
    """Own places, then bought places, then wishes, then where (see the README).

    Who gets an own place is decided first (R15/R16).  Then who gets a bought place (R4/R15, R5,
    R18/R19): among the buyers, with everyone who has an own place kept, and a buyer whose
    spouse has an own place bought a place at the same facility (R10) — the spouse may be moved
    to another own place for that, since that counts before wishes.  Then the wishes, in the
    allocation order over everyone placed (R16), then R7 fit, the screened preference and price.
    Returns the own and bought places by case id, the objective, and the better wishes each
    placed person did not get, with why.
    """
    pol = canon.policy
    persons = canon.persons
    og = own_groups(canon.vacancies)
    own_cands = make_candidates(persons, og,
                                {p.case_id: p.spouse_resident_facility_id for p in persons})
    own_placed, own_where = placed_with_groups(own_cands, og)
    own_ids = {own_cands[pos].person.case_id for pos in own_placed}

    horizon = canon.as_of + dt.timedelta(days=pol.deadline_horizon_days)
    buyers = [p for p in persons if p.case_id not in own_ids and is_buyer(p, horizon)]
    fg = offer_groups(canon.purchasable)
    linked = frozenset(p.case_id for p in buyers if p.spouse_case_id in own_ids)
    buy_cands = make_candidates(buyers, fg,
                                {p.case_id: p.spouse_resident_facility_id for p in buyers},
                                linked)
    groups = og + [dataclasses.replace(g, idx=len(og) + g.idx) for g in fg]
    cands = _joint(own_cands, own_placed, buy_cands, len(og))
    n_own = len(own_placed)
    if linked and fg:
        placed, where0 = placed_with_groups(cands, groups)
        if placed[:n_own] != list(range(n_own)):
            raise SolverError("the purchase stage dropped a person with an own place")
    else:
        buy_placed, buy_where = placed_with_groups(buy_cands, fg)
        placed = [*range(n_own), *(n_own + pos for pos in buy_placed)]
        where0 = {i: own_where[pos] for i, pos in enumerate(own_placed)}
        where0.update({n_own + pos: len(og) + g for pos, g in buy_where.items()})

    wishes = Wishes(cands, groups, placed, where0).run()
    screened_pref = pol.prefers_screened_weight > 0
    kept = set(placed)
    across = any(cands[pos].partner in kept and cands[pos].partner >= n_own  # type: ignore[operator]
                 for pos in placed if pos < n_own)
    group_of: dict[int, int] = {}
    # Without a couple across own and bought places the two are independent problems.
    for part in ([placed] if across else [placed[:n_own], placed[n_own:]]):
        if part:
            group_of.update(Where(cands, groups, part, wishes.restrict, screened_pref).solve())
    item_of = _fill_items(cands, groups, group_of)
    levels = [[0, 0, 0, 0], [0, 0, 0, 0]]  # own, bought: wish score, wishes met, mismatches, price
    for pos, gi in group_of.items():
        c, g = cands[pos], groups[gi]
        lv = levels[pos >= n_own]
        lv[0] += wish_score(c.person, c.cls, g, pol.wish_weights, pol.prefers_screened_weight)
        lv[1] += g.facility_id in c.person.wishes
        lv[2] += gi in c.mismatch
        lv[3] += g.price
    n_buy = len(buy_cands)
    objective = (
        ("own_who_weight", sum(len(own_cands) - pos for pos in own_placed)),
        ("own_wishes_met", levels[0][1]),
        ("own_wish_score", levels[0][0]),
        ("own_type_mismatches", levels[0][2]),
        ("purchase_who_weight", sum(n_buy - (pos - n_own) for pos in placed if pos >= n_own)),
        ("purchase_wishes_met", levels[1][1]),
        ("purchase_wish_score", levels[1][0]),
        ("purchase_type_mismatches", levels[1][2]),
        ("prefers_screened_met", sum(prefers_met(cands[pos].person, cands[pos].cls,
                                                 groups[gi].place_type)
                                     for pos, gi in group_of.items())),
        ("purchase_price_per_day_ore", levels[1][3]),
    )
    own_item: dict[str, Vacancy] = {}
    buy_item: dict[str, PurchasableOffer] = {}
    for pos, item in item_of.items():
        if isinstance(item, Vacancy):
            own_item[cands[pos].person.case_id] = item
        else:
            buy_item[cands[pos].person.case_id] = item
    missed = {cands[pos].person.case_id: m for pos, m in wishes.missed.items()}
    return own_item, buy_item, objective, missed


def _validate(problem: AllocationProblem) -> None:
    ids = {p.case_id: p for p in problem.persons}
    if len(ids) != len(problem.persons):
        raise ValueError("duplicate case_id")
    if len({v.place_id for v in problem.vacancies}) != len(problem.vacancies):
        raise ValueError("duplicate place_id")
    if len({o.offer_id for o in problem.purchasable}) != len(problem.purchasable):
        raise ValueError("duplicate offer_id")
    if len({m.case_id for m in problem.movers}) != len(problem.movers) or \
            any(m.case_id in ids for m in problem.movers):
        raise ValueError("a mover twice, or both a mover and a waiting person")
    for p in problem.persons:
        if p.spouse_case_id is not None:
            q = ids.get(p.spouse_case_id)
            if q is None or q.spouse_case_id != p.case_id:
                raise ValueError(f"{p.case_id}: spouse {p.spouse_case_id} is not a waiting "
                                 f"person naming {p.case_id} back")
            if p.spouse_resident_facility_id is not None:
                raise ValueError(f"{p.case_id}: spouse both waiting and resident")
            if p.accompanying_spouse:
                raise ValueError(f"{p.case_id}: accompanying spouse and waiting spouse")
        if p.need_score is not None and not 0 <= p.need_score <= 100:
            raise ValueError(f"{p.case_id}: need_score outside 0..100")


def solver_info(name: str = "optimizer") -> SolverInfo:
    params = (
        ("rules", RULES_VERSION),
        ("who", "min_cost_flow W=N-rank | basis exchange + augmenting paths + cp_sat count model"),
        ("wishes", "serial dictatorship in allocation order | augmenting paths, relaxation, "
                   "cp_sat count model"),
        ("where", "min_cost_flow lexicographic integer cost | scip mip, couples and double "
                  "rooms integer, levels in turn (1 thread, gap 0), then min_cost_flow"),
        ("cp_sat", cp_settings()),
        ("scip", ",".join(line.replace(" ", "") for line in SCIP_PARAMETERS.splitlines())),
        ("tie_break", f"sha256+splitmix64, up to {MAX_TIE_BREAK_BITS} bits"),
    )
    return SolverInfo(name, ortools.__version__, params)


def solve(problem: AllocationProblem) -> AllocationPlan:
    """The allocation plan (tildelingsforslag) for ``problem``: proven optimal, deterministic."""
    _validate(problem)
    canon = problem.canonical()
    problem_hash = canon.problem_hash()
    pol = canon.policy
    persons = canon.persons

    own_item, buy_item, objective, missed = _allocate(canon)
    own_by_case: dict[str, Vacancy | PurchasableOffer] = dict(own_item)
    buy_by_case: dict[str, Vacancy | PurchasableOffer] = dict(buy_item)
    assignments = []
    for cid in sorted(own_by_case):
        v = own_by_case[cid]
        assert isinstance(v, Vacancy)
        assignments.append(Assignment(cid, AssignmentKind.OWN, v.place_id, v.facility_id,
                                      v.place_type, v.room, 0))
    for cid in sorted(buy_by_case):
        o = buy_by_case[cid]
        assert isinstance(o, PurchasableOffer)
        assignments.append(Assignment(cid, AssignmentKind.PURCHASE, o.offer_id, o.facility_id,
                                      o.place_type, o.room, o.price_per_day_ore))
    unplaced = tuple(p.case_id for p in persons
                     if p.case_id not in own_by_case and p.case_id not in buy_by_case)
    horizon = canon.as_of + dt.timedelta(days=pol.deadline_horizon_days)
    explanations = explain(canon, own_by_case, buy_by_case, horizon, missed)
    moves, move_explanations = plan_moves(canon, assignments)  # R28: after the list
    return AllocationPlan(problem_hash, PlanStatus.OPTIMAL, tuple(assignments), unplaced,
                          explanations, solver_info(), objective, moves, move_explanations)


# --- the baseline: allocation by hand, one vacancy at a time ---------------------------------


def greedy_baseline(problem: AllocationProblem) -> AllocationPlan:
    """One vacancy at a time (earliest first) to the first person on the waiting list (the one
    order, ``waiting_list_key``) whose type fits.

    As allocation units work by hand today: no look-ahead, no spouse coupling, no purchases.
    """
    canon = problem.canonical()
    waiting = sorted(canon.persons, key=waiting_list_key)
    placed: dict[str, Vacancy | PurchasableOffer] = {}
    for v in sorted(canon.vacancies, key=lambda v: (v.available_from, v.place_id)):
        free = v.capacity
        while free > 0:
            nxt = None
            for p in waiting:
                if p.case_id in placed:
                    continue
                cls = person_class(p)
                ok = fits(p, cls, v.facility_id, v.place_type, v.capacity, None, False,
                          v.facility_kind)[0] and not (
                    cls == "S" and v.place_type is not PlaceType.SCREENED)
                if ok and (not p.accompanying_spouse or free >= 2):
                    nxt = p
                    break
            if nxt is None:
                break
            placed[nxt.case_id] = v
            free -= 2 if nxt.accompanying_spouse else 1
    assignments = tuple(
        Assignment(cid, AssignmentKind.OWN, v.place_id, v.facility_id, v.place_type, v.room, 0)
        for cid, v in sorted(placed.items())
    )
    unplaced = tuple(sorted(p.case_id for p in canon.persons if p.case_id not in placed))
    horizon = canon.as_of + dt.timedelta(days=canon.policy.deadline_horizon_days)
    return AllocationPlan(problem.problem_hash(), PlanStatus.HEURISTIC, assignments, unplaced,
                          explain(canon, placed, {}, horizon, None),
                          SolverInfo("greedy_baseline", ortools.__version__, ()), ())
