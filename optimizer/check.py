"""The explanation checker: does every fact of every explanation hold?

``check_explanations(problem, plan)`` returns the false claims found (an empty list: every fact
holds).  It is written apart from the solver: its own reading of the rules (who a place suits,
who is a buyer, the allocation order), and its own feasibility test — a backtracking search over
single places, with spouses at one facility (R10) and a whole double room for an accompanying
spouse (R11) — so that it can catch the solver and the explainer out.  The backtracking is
exponential in the worst case: it is meant for the small problems of the tests and of
``bench/explanations.py``, not for a municipality's daily run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from domain.order import waiting_order_key

from .model import (
    AllocationPlan,
    AllocationProblem,
    AssignmentKind,
    Explanation,
    Fact,
    FactKind,
    PlaceType,
    PurchasableOffer,
    Vacancy,
    WaitingPerson,
)
from .wording import render

Place = Vacancy | PurchasableOffer


def _cls(p: WaitingPerson) -> str:
    if p.decided_place_type is PlaceType.REINFORCED:
        return "R"
    return "S" if p.needs_screened or p.decided_place_type is PlaceType.SCREENED else "O"


def _plain(cls: str, t: PlaceType) -> bool:
    """The place types a class takes without a reason (R7)."""
    return {"R": t is PlaceType.REINFORCED, "S": t is PlaceType.SCREENED,
            "O": t is not PlaceType.REINFORCED}[cls]


def suits(p: WaitingPerson, x: Place, beside: bool = False) -> bool:
    """Whether place ``x`` would suit ``p`` on its own: type (R7, with its spouse exception),
    reinforced assessment, decided kind, a resident spouse's facility (R10), a double room for
    an accompanying spouse (R11).  ``beside``: the spouse has an own place in the plan."""
    if p.spouse_resident_facility_id not in (None, x.facility_id):
        return False
    if p.decided_facility_kind is not None and x.facility_kind is not p.decided_facility_kind:
        return False
    if p.accompanying_spouse and x.capacity < 2:
        return False
    cls = _cls(p)
    if cls == "R" and not p.reinforced_assessed:
        return False
    if _plain(cls, x.place_type):
        return True
    return cls == "S" and x.place_type is PlaceType.ORDINARY and (
        p.spouse_resident_facility_id is not None or p.accompanying_spouse or beside)


def _alloc_key(p: WaitingPerson) -> tuple[object, ...]:
    """Urgency first, then those needing a screened place, then the waiting-list order."""
    k = waiting_order_key(urgent=p.urgent, need_score=p.need_score,
                          waiting_since=p.waiting_since, case_id=p.case_id)
    return (k[0], _cls(p) != "S", *k[1:])


def _place_id(x: Place) -> str:
    return x.place_id if isinstance(x, Vacancy) else x.offer_id


def feasible(entries: Sequence[tuple[WaitingPerson, Sequence[Place]]]) -> bool:
    """Whether every person can have one of their places at once: beds (2 for an accompanying
    spouse), and spouses who are both here at one facility."""
    order = sorted(entries, key=lambda e: len(e[1]))
    if any(not opts for _, opts in order):
        return False
    used: dict[str, int] = {}
    fac: dict[str, str] = {}

    def go(i: int) -> bool:
        if i == len(order):
            return True
        p, opts = order[i]
        beds = 2 if p.accompanying_spouse else 1
        tried: set[tuple[object, ...]] = set()
        for x in opts:
            pid = _place_id(x)
            if used.get(pid, 0) + beds > x.capacity:
                continue
            if p.spouse_case_id in fac and fac[p.spouse_case_id] != x.facility_id:
                continue
            shape = (type(x), x.facility_id, x.place_type, x.capacity, used.get(pid, 0),
                     x.facility_kind, getattr(x, "price_per_day_ore", 0))
            if shape in tried:
                continue
            tried.add(shape)
            used[pid] = used.get(pid, 0) + beds
            fac[p.case_id] = x.facility_id
            if go(i + 1):
                return True
            used[pid] -= beds
            del fac[p.case_id]
        return False

    return go(0)


class _Checker:
    def __init__(self, problem: AllocationProblem, plan: AllocationPlan) -> None:
        self.pr, self.plan = problem, plan
        self.by_id = {p.case_id: p for p in problem.persons}
        self.items: dict[str, Place] = {v.place_id: v for v in problem.vacancies}
        self.items.update({o.offer_id: o for o in problem.purchasable})
        self.at: dict[str, Place] = {a.case_id: self.items[a.place_id] for a in plan.assignments}
        self.own = {a.case_id for a in plan.assignments if a.kind is AssignmentKind.OWN}
        self.bought = {a.case_id for a in plan.assignments if a.kind is AssignmentKind.PURCHASE}
        ranked = sorted(problem.persons, key=lambda p: waiting_order_key(
            urgent=p.urgent, need_score=p.need_score, waiting_since=p.waiting_since,
            case_id=p.case_id))
        self.rank = {p.case_id: i + 1 for i, p in enumerate(ranked)}
        self.horizon = problem.as_of + dt.timedelta(days=problem.policy.deadline_horizon_days)
        self._memo: dict[tuple[object, ...], bool] = {}

    def buyer(self, p: WaitingPerson) -> bool:
        return p.urgent or (not p.chose_to_wait and (
            p.own_stock_lacks_type or (p.deadline is not None and p.deadline <= self.horizon)))

    def own_opts(self, p: WaitingPerson) -> list[Place]:
        return [v for v in self.pr.vacancies if suits(p, v)]

    def buy_opts(self, p: WaitingPerson) -> list[Place]:
        beside = p.spouse_case_id in self.own
        return [o for o in self.pr.purchasable if suits(p, o, beside)]

    def pool(self, cid: str) -> list[Place]:
        p = self.by_id[cid]
        return self.own_opts(p) if cid in self.own else self.buy_opts(p)

    def ahead(self, ids: set[str], p: WaitingPerson) -> list[str]:
        return [c for c in ids if _alloc_key(self.by_id[c]) < _alloc_key(p)]

    def fits_with(self, ids: Sequence[str], extra: tuple[WaitingPerson, list[Place]] | None,
                  only: dict[str, str]) -> bool:
        """Feasibility of the persons ``ids`` in their plan pools (restricted to a facility by
        ``only``), plus ``extra``."""
        key = (tuple(sorted(ids)), extra and (extra[0].case_id, tuple(map(_place_id, extra[1]))),
               tuple(sorted(only.items())))
        hit = self._memo.get(key)
        if hit is None:
            entries = [(self.by_id[c], [x for x in self.pool(c)
                                        if only.get(c, x.facility_id) == x.facility_id])
                       for c in ids]
            if extra is not None:
                entries.append(extra)
            hit = self._memo[key] = feasible(entries)
        return hit

    def rejected_own(self, p: WaitingPerson) -> bool:
        """Not placeable in own places beside the own-placed persons ahead (the greedy's
        rejection, R15/R16)."""
        return not self.fits_with(self.ahead(self.own, p), (p, self.own_opts(p)), {})

    def rejected_buy(self, p: WaitingPerson) -> bool:
        ids = [*self.own, *self.ahead(self.bought, p)]
        return not self.fits_with(ids, (p, self.buy_opts(p)), {})

    # --- one explanation -----------------------------------------------------------------

    def explanation(self, e: Explanation) -> list[str]:
        p = self.by_id[e.case_id]
        out: list[str] = []
        cid = p.case_id
        place = self.at.get(cid)
        outcome = "own" if cid in self.own else "purchase" if cid in self.bought else "none"
        if e.outcome != outcome:
            out.append(f"outcome {e.outcome}, plan {outcome}")
        if e.waiting_list_rank != self.rank[cid]:
            out.append(f"waiting_list_rank {e.waiting_list_rank}, order {self.rank[cid]}")
        wish = (p.wishes.index(place.facility_id) + 1
                if place is not None and place.facility_id in p.wishes else None)
        if e.wish_rank != wish:
            out.append(f"wish_rank {e.wish_rank}, plan {wish}")
        for h in e.higher_need_case_ids:
            if not self._took_suitable(h, p) or self.rank[h] > self.rank[cid]:
                out.append(f"higher_need_case_ids: {h} is not ahead in a place suiting")
        if e.text != render(e.facts):
            out.append("text is not the facts' sentences")
        if (place is None) == any(f.kind in (FactKind.OFFER_OWN, FactKind.OFFER_PURCHASE)
                                  for f in e.facts):
            out.append("an offer stated or left out against the plan")
        for f in e.facts:
            check = _CHECKS.get(f.kind)
            if check is None:
                out.append(f"{f.kind}: no check")
            elif not check(self, p, f, place):
                out.append(f"{f.kind}: false")
        if place is not None and outcome != "none":
            out += self._wishes_covered(p, place, e.facts)
        return [f"{cid}: {m}" for m in out]

    def _took_suitable(self, cid: str, p: WaitingPerson) -> bool:
        x = self.at.get(cid)
        return cid in self.own and x is not None and suits(p, x)

    def _wishes_covered(self, p: WaitingPerson, place: Place, facts: Sequence[Fact]) -> list[str]:
        got = p.wishes.index(place.facility_id) if place.facility_id in p.wishes else len(
            p.wishes)
        told = [f for fact in facts if fact.kind in _MISS for f in fact.facility_ids]
        if sorted(told) != sorted(p.wishes[:got]):
            return [f"better wishes {p.wishes[:got]} explained as {told}"]
        return []

    # --- the wish facts ------------------------------------------------------------------

    def wish_alone(self, p: WaitingPerson, f: str) -> bool:
        """The placed set can be placed with ``p`` at facility ``f``."""
        return self.fits_with([*self.own, *self.bought], None, {p.case_id: f})

    def wish_after_earlier(self, p: WaitingPerson, f: str) -> bool:
        """... also with everyone before ``p`` (allocation order) at the wish they got."""
        only = {p.case_id: f}
        for c in self.ahead(self.own | self.bought, p):
            fac = self.at[c].facility_id
            if fac in self.by_id[c].wishes:
                only[c] = fac
        return self.fits_with([*self.own, *self.bought], None, only)


def _better(p: WaitingPerson, place: Place | None, f: Fact) -> bool:
    if place is None or not f.facility_ids:
        return False
    got = p.wishes.index(place.facility_id) if place.facility_id in p.wishes else len(p.wishes)
    return all(x in p.wishes[:got] for x in f.facility_ids)


def _named(c: _Checker, f: Fact, ids: Sequence[str]) -> bool:
    """The facilities are named by a name the problem gives them (and are ``ids``, if any)."""
    return len(f.facility_names) == len(f.facility_ids) and all(
        n in _names(c, i) for n, i in zip(f.facility_names, f.facility_ids, strict=True)) and (
        not ids or tuple(ids) == f.facility_ids)


def _names(c: _Checker, facility_id: str) -> set[str]:
    return ({x.facility_name for x in (*c.pr.vacancies, *c.pr.purchasable)
             if x.facility_id == facility_id}
            | {name for fid, name in c.pr.facility_names if fid == facility_id}
            ) or {facility_id}


def _offer(c: _Checker, p: WaitingPerson, f: Fact, x: Place | None, kind: type) -> bool:
    ok = isinstance(x, kind) and f.place_type is x.place_type and _named(c, f, [x.facility_id])
    if ok and isinstance(x, PurchasableOffer):
        ok = f.provider == x.provider and f.price_per_day_ore == x.price_per_day_ore
    return ok


def _no_own_fit(c: _Checker, p: WaitingPerson) -> bool:
    return p.case_id not in c.own and not c.own_opts(p)


def _screened_waiting(c: _Checker) -> list[WaitingPerson]:
    return [q for q in c.pr.persons if _cls(q) == "S" and q.case_id not in c.at]


def _taken(c: _Checker, p: WaitingPerson, f: Fact, ok: Callable[[WaitingPerson], bool]) -> bool:
    return bool(f.case_ids) and (f.count or 0) >= len(f.case_ids) and all(
        c._took_suitable(q, p) and ok(c.by_id[q]) for q in f.case_ids)


def _spouse_at(c: _Checker, p: WaitingPerson, f: Fact) -> bool:
    s = c.at.get(p.spouse_case_id or "")
    return s is not None and f.case_ids == (p.spouse_case_id,) and _named(c, f, [s.facility_id])


def _deadline_basis(c: _Checker, p: WaitingPerson) -> bool:
    return p.deadline is not None and p.deadline <= c.horizon and not p.chose_to_wait


Check = Callable[[_Checker, WaitingPerson, Fact, Place | None], bool]
_MISS = {FactKind.WISH_NO_SUITABLE_PLACE, FactKind.WISH_NO_PLACE_TO_BUY,
         FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT,
         FactKind.WISH_WENT_TO_EARLIER, FactKind.WISH_NOT_POSSIBLE}
_CHECKS: dict[FactKind, Check] = {
    FactKind.RANK: lambda c, p, f, x: f.rank == c.rank[p.case_id],
    FactKind.URGENT: lambda c, p, f, x: p.urgent,
    FactKind.NOT_ASSESSED: lambda c, p, f, x: p.need_score is None,
    FactKind.OFFER_OWN: lambda c, p, f, x: _offer(c, p, f, x, Vacancy),
    FactKind.OFFER_PURCHASE: lambda c, p, f, x: _offer(c, p, f, x, PurchasableOffer),
    FactKind.WISH_MET: lambda c, p, f, x: (
        x is not None and f.rank is not None and 0 < f.rank <= len(p.wishes)
        and p.wishes[f.rank - 1] == x.facility_id and _named(c, f, [x.facility_id])),
    FactKind.WISH_NO_SUITABLE_PLACE: lambda c, p, f, x: _better(p, x, f) and _named(c, f, []) and (
        p.case_id in c.own and not any(y.facility_id in f.facility_ids for y in c.pool(
            p.case_id))),
    FactKind.WISH_NO_PLACE_TO_BUY: lambda c, p, f, x: _better(p, x, f) and _named(c, f, []) and (
        p.case_id in c.bought and not any(y.facility_id in f.facility_ids for y in c.pool(
            p.case_id))),
    FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT: lambda c, p, f, x: _better(p, x, f) and _named(
        c, f, []) and not any(c.wish_alone(p, w) for w in f.facility_ids),
    FactKind.WISH_WENT_TO_EARLIER: lambda c, p, f, x: _better(p, x, f) and _named(c, f, []) and all(
        c.wish_alone(p, w) and not c.wish_after_earlier(p, w) for w in f.facility_ids),
    FactKind.WISH_NOT_POSSIBLE: lambda c, p, f, x: _better(p, x, f) and _named(
        c, f, []) and not any(c.wish_after_earlier(p, w) for w in f.facility_ids),
    FactKind.ORDINARY_FOR_DEMENTIA: lambda c, p, f, x: (
        x is not None and _cls(p) == "S" and x.place_type is PlaceType.ORDINARY and (
            p.spouse_resident_facility_id == x.facility_id
            or (p.accompanying_spouse and x.capacity == 2)
            or (c.at.get(p.spouse_case_id or "") is not None
                and c.at[p.spouse_case_id or ""].facility_id == x.facility_id))),
    FactKind.SCREENED_NOT_NEEDED: lambda c, p, f, x: (
        x is not None and _cls(p) == "O" and x.place_type is PlaceType.SCREENED),
    FactKind.SCREENED_NEEDERS_ALL_OFFERED: lambda c, p, f, x: not _screened_waiting(c),
    FactKind.SCREENED_NEEDERS_BEHIND_URGENT: lambda c, p, f, x: p.urgent and f.count == len(
        [q for q in _screened_waiting(c) if _alloc_key(q) > _alloc_key(p) and not q.urgent]
    ) == len([q for q in _screened_waiting(c) if _alloc_key(q) > _alloc_key(p)]) > 0,
    FactKind.SCREENED_NEEDERS_AHEAD_NOT_PLACEABLE: lambda c, p, f, x: f.count == len(
        ahead := [q for q in _screened_waiting(c) if _alloc_key(q) < _alloc_key(p)]) > 0 and all(
        c.rejected_own(q) and (not c.buyer(q) or c.rejected_buy(q)) for q in ahead),
    FactKind.SPOUSE_SAME_FACILITY: lambda c, p, f, x: (
        x is not None and _spouse_at(c, p, f) and f.facility_ids == (x.facility_id,)),
    FactKind.SPOUSE_RESIDENT_THERE: lambda c, p, f, x: (
        x is not None and p.spouse_resident_facility_id == x.facility_id
        and _named(c, f, [x.facility_id])),
    FactKind.DOUBLE_ROOM_WITH_SPOUSE: lambda c, p, f, x: (
        x is not None and p.accompanying_spouse and x.capacity == 2
        and sum(1 for y in c.at.values() if y is x) == 1),
    FactKind.REINFORCED_NOT_ASSESSED: lambda c, p, f, x: (
        _cls(p) == "R" and not p.reinforced_assessed and p.case_id not in c.own),
    FactKind.NO_VACANCY_OF_DECIDED_TYPE: lambda c, p, f, x: _no_own_fit(c, p) and f.place_type is {
        "R": PlaceType.REINFORCED, "S": PlaceType.SCREENED, "O": PlaceType.ORDINARY}[_cls(p)]
        and not any(_plain(_cls(p), v.place_type) for v in c.pr.vacancies),
    FactKind.NO_VACANCY_OF_DECIDED_KIND: lambda c, p, f, x: _no_own_fit(c, p) and (
        f.facility_kind is not None and f.facility_kind is p.decided_facility_kind
        and not any(_plain(_cls(p), v.place_type) and v.facility_kind is f.facility_kind
                    for v in c.pr.vacancies)),
    FactKind.NO_VACANCY_AT_SPOUSE_FACILITY: lambda c, p, f, x: _no_own_fit(c, p) and (
        f.facility_ids == (p.spouse_resident_facility_id,) and _named(c, f, [])),
    FactKind.NO_DOUBLE_ROOM: lambda c, p, f, x: _no_own_fit(c, p) and p.accompanying_spouse,
    FactKind.NOT_PLACEABLE_AFTER_THOSE_AHEAD: lambda c, p, f, x: (
        p.case_id not in c.own and c.rejected_own(p)),
    FactKind.TAKEN_BY_URGENT: lambda c, p, f, x: not p.urgent and _taken(
        c, p, f, lambda q: q.urgent),
    FactKind.TAKEN_BY_AHEAD: lambda c, p, f, x: _taken(
        c, p, f, lambda q: c.rank[q.case_id] < c.rank[p.case_id]),
    FactKind.TAKEN_FOR_DEMENTIA: lambda c, p, f, x: _cls(p) == "O" and _taken(
        c, p, f, lambda q: _cls(q) == "S" and c.at[q.case_id].place_type is PlaceType.SCREENED),
    FactKind.SPOUSE_PLACED_ELSEWHERE: lambda c, p, f, x: (
        p.case_id not in c.own and _spouse_at(c, p, f)),
    FactKind.PURCHASE_URGENT: lambda c, p, f, x: p.urgent and p.case_id in c.bought,
    FactKind.PURCHASE_DEADLINE: lambda c, p, f, x: (
        p.case_id in c.bought and _deadline_basis(c, p) and f.on == p.deadline),
    FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE: lambda c, p, f, x: (
        p.own_stock_lacks_type and c.buyer(p) and p.case_id not in c.own),
    FactKind.CHOICE_BUY_OR_WAIT: lambda c, p, f, x: (
        p.case_id in c.bought and not p.urgent and _deadline_basis(c, p)),
    FactKind.PURCHASE_NONE_SUITABLE: lambda c, p, f, x: (
        c.buyer(p) and p.case_id not in c.at and not c.buy_opts(p)),
    FactKind.PURCHASE_NOT_PLACEABLE: lambda c, p, f, x: (
        c.buyer(p) and p.case_id not in c.at and c.rejected_buy(p)),
    FactKind.BRIDGING_STAY_NEEDED: lambda c, p, f, x: (
        p.urgent and p.case_id not in c.at and not p.bridging_stay),
    FactKind.BRIDGING_STAY_CONTINUES: lambda c, p, f, x: (
        p.urgent and p.case_id not in c.at and p.bridging_stay),
    FactKind.CHOSE_TO_WAIT: lambda c, p, f, x: p.chose_to_wait and not c.buyer(p),
    FactKind.DEADLINE: lambda c, p, f, x: p.deadline is not None and f.on == p.deadline,
}


def check_explanations(problem: AllocationProblem, plan: AllocationPlan) -> list[str]:
    """The false claims in the plan's explanations (empty: every fact holds)."""
    c = _Checker(problem, plan)
    out: list[str] = []
    seen = [e.case_id for e in plan.explanations]
    if sorted(seen) != sorted(c.by_id):
        out.append("not one explanation per person")
    for e in plan.explanations:
        if e.case_id in c.by_id:
            out += c.explanation(e)
    if problem.movers or plan.moves or plan.move_explanations:  # R28
        from .check_moves import check_moves
        out += check_moves(problem, plan)
    return out
