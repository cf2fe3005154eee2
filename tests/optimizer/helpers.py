"""Builders, a random problem generator and an independent brute-force optimum for tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections.abc import Sequence

from optimizer import (
    AllocationPlan,
    AllocationProblem,
    FacilityKind,
    PlaceType,
    PolicySettings,
    PurchasableOffer,
    Room,
    Vacancy,
    WaitingPerson,
    allocation_key,
    person_class,
)

D0 = dt.date(2025, 3, 1)


def person(cid: str, need: int | None, decided: str = "ordinary", **kw: object) -> WaitingPerson:
    base: dict[str, object] = dict(
        case_id=cid, need_score=need, urgent=False,
        decided_place_type=PlaceType(decided), needs_screened=decided == "screened",
        prefers_screened=False, reinforced_assessed=decided == "reinforced", wishes=(),
        waiting_since=D0 - dt.timedelta(days=30), deadline=D0 + dt.timedelta(days=60),
    )
    base.update(kw)
    return WaitingPerson(**base)  # type: ignore[arg-type]


def place(pid: str, fac: str, ptype: str = "ordinary", room: str = "single",
          unit: str = "u", kind: str = "nursing_home") -> Vacancy:
    return Vacancy(pid, fac, FacilityKind(kind), unit, PlaceType(ptype), Room(room),
                   2 if room == "double" else 1, D0, f"{fac} sykehjem")


def offer(oid: str, fac: str, price_ore: int, ptype: str = "ordinary", room: str = "single",
          provider: str = "Prov", kind: str = "nursing_home") -> PurchasableOffer:
    """``price_ore``: øre per day."""
    return PurchasableOffer(oid, provider, fac, PlaceType(ptype), price_ore, D0, Room(room),
                            FacilityKind(kind), f"{fac} sykehjem")


def problem(places: Sequence[Vacancy], persons: Sequence[WaitingPerson],
            offers: Sequence[PurchasableOffer] = (), **policy: object) -> AllocationProblem:
    return AllocationProblem("Testkommune", D0, tuple(places), tuple(offers), tuple(persons),
                             PolicySettings(version=1, **policy))  # type: ignore[arg-type]


def random_problem(rng: random.Random, *, n_persons: int, n_places: int, n_offers: int = 0,
                   pairs: bool = False, extras: bool = True) -> AllocationProblem:
    facs = ["F1", "F2", "F3"]
    places = []
    for i in range(n_places):
        pt = rng.choice(["ordinary", "ordinary", "screened", "reinforced"] if extras
                        else ["ordinary", "screened"])
        room = rng.choice(["single", "single", "double"]) if extras else "single"
        fac = rng.choice(facs)
        places.append(place(f"v{i}", fac, pt, room,
                            kind="housing_24h" if extras and fac == "F3" else "nursing_home"))
    persons = []
    for i in range(n_persons):
        decided = rng.choice(["ordinary", "ordinary", "screened", "reinforced"] if extras
                             else ["ordinary", "screened"])
        kw: dict[str, object] = dict(
            urgent=rng.random() < 0.15,
            wishes=tuple(rng.sample(facs, rng.randint(0, 2))),
            waiting_since=D0 - dt.timedelta(days=rng.randint(0, 120)),
            deadline=(None if extras and rng.random() < 0.15
                      else D0 + dt.timedelta(days=rng.randint(-10, 40))),
            prefers_screened=rng.random() < 0.2,
            reinforced_assessed=decided == "reinforced" and rng.random() < 0.8,
        )
        if extras and rng.random() < 0.15:
            kw["spouse_resident_facility_id"] = rng.choice(facs)
        elif extras and rng.random() < 0.1:
            kw["accompanying_spouse"] = True
        if extras:
            kw["bridging_stay"] = rng.random() < 0.3
            kw["own_stock_lacks_type"] = rng.random() < 0.08
            kw["chose_to_wait"] = rng.random() < 0.1
            if rng.random() < 0.15:
                kw["decided_facility_kind"] = rng.choice(list(FacilityKind))
        need = None if extras and rng.random() < 0.1 else rng.randint(0, 5) * 20
        persons.append(person(f"c{i}", need, decided, **kw))
    if pairs and n_persons >= 2:
        for a, b in [(0, 1), (2, 3)][: rng.randint(1, 2)]:
            if b < n_persons:
                for x in (a, b):
                    persons[x] = person(persons[x].case_id, persons[x].need_score,
                                        persons[x].decided_place_type.value,
                                        **{**_kw(persons[x]), "spouse_resident_facility_id": None,
                                           "accompanying_spouse": False,
                                           "spouse_case_id": persons[b if x == a else a].case_id})
    offers = [offer(f"o{i}", rng.choice(["P1", "P2", "F1"]),
                    rng.choice([150_000, 200_000, 200_001, 260_000]),
                    rng.choice(["ordinary", "screened"]),
                    rng.choice(["single", "double"]) if extras else "single",
                    kind="housing_24h" if extras and rng.random() < 0.2 else "nursing_home")
              for i in range(n_offers)]
    rng.shuffle(persons)
    return problem(places, persons, offers, deadline_horizon_days=7)


def _kw(p: WaitingPerson) -> dict[str, object]:
    return {k: getattr(p, k) for k in ("urgent", "wishes", "waiting_since", "deadline",
                                       "prefers_screened", "reinforced_assessed",
                                       "bridging_stay", "own_stock_lacks_type", "chose_to_wait",
                                       "decided_facility_kind")}


# --- independent brute force -----------------------------------------------------------------


def fits(p: WaitingPerson, ptype: PlaceType, facility: str, cap: int,
         restriction: str | None, beside: bool = False,
         kind: FacilityKind = FacilityKind.NURSING_HOME) -> tuple[bool, bool]:
    """The documented eligibility rules, written out again (eligible, R7 mismatch).
    ``beside``: a bought place for someone whose spouse has an own place (kept together)."""
    cls = person_class(p)
    if restriction is not None and facility != restriction:
        return False, False
    if p.decided_facility_kind is not None and kind is not p.decided_facility_kind:
        return False, False
    if p.accompanying_spouse and cap < 2:
        return False, False
    if cls == "R":
        return ptype is PlaceType.REINFORCED and p.reinforced_assessed, False
    if ptype is PlaceType.REINFORCED:
        return False, False
    if cls == "S":
        if ptype is PlaceType.SCREENED:
            return True, False
        ok = restriction is not None or p.accompanying_spouse or beside
        return ok, ok
    return True, False


NOT_WISHED = 99  # the wish rank of a facility not wished (after every wished one)


def wish_rank(p: WaitingPerson, facility: str) -> int:
    """1 for the first wish, ...; ``NOT_WISHED`` for a facility not wished (R16)."""
    return p.wishes.index(facility) + 1 if facility in p.wishes else NOT_WISHED


def pref_met(p: WaitingPerson, ptype: PlaceType, pol: PolicySettings) -> int:
    """1: a screened place for someone who prefers one and does not need one (if weighed)."""
    return int(pol.prefers_screened_weight > 0 and person_class(p) == "O" and p.prefers_screened
               and ptype is PlaceType.SCREENED)


#: (wish ranks of the placed in allocation order, mismatches, preferences met, price in øre)
Where = tuple[tuple[int, ...], int, int, int]


Item = tuple[str, str, PlaceType, int, int, FacilityKind]  # (id, facility, type, beds, øre, kind)


@dataclasses.dataclass(frozen=True)
class Pool:
    """Places and who may take which: own places for everyone, bought places for the buyers
    (items[own:]), who are then not offered own places here."""

    items: tuple[Item, ...]
    own: int
    buyers: frozenset[str] = frozenset()
    beside: frozenset[str] = frozenset()  # buyers whose spouse has an own place

    def options(self, p: WaitingPerson) -> list[tuple[int, bool]]:
        ks = range(self.own, len(self.items)) if p.case_id in self.buyers else range(self.own)
        out = []
        for k in ks:
            _, fac, pt, cap, _, kind = self.items[k]
            ok, mis = fits(p, pt, fac, cap, p.spouse_resident_facility_id,
                           p.case_id in self.beside, kind)
            if ok:
                out.append((k, mis))
        return out


def pools(prob: AllocationProblem, own_ids: frozenset[str]
          ) -> tuple[Pool, Pool, list[WaitingPerson]]:
    """The own-place pool, the joint pool of the purchase stage, and the buyers (R15/R4,
    R18/R19), given who has an own place."""
    own_items = tuple((v.place_id, v.facility_id, v.place_type, v.capacity, 0, v.facility_kind)
                      for v in prob.vacancies)
    bought = tuple((o.offer_id, o.facility_id, o.place_type, o.capacity, o.price_per_day_ore,
                    o.facility_kind) for o in prob.purchasable)
    horizon = prob.as_of + dt.timedelta(days=prob.policy.deadline_horizon_days)
    buyers = [p for p in prob.persons if p.case_id not in own_ids
              and (p.urgent or (not p.chose_to_wait and (
                  p.own_stock_lacks_type
                  or (p.deadline is not None and p.deadline <= horizon))))]
    joint = Pool(own_items + bought, len(own_items), frozenset(p.case_id for p in buyers),
                 frozenset(p.case_id for p in buyers if p.spouse_case_id in own_ids))
    return Pool(own_items, len(own_items)), joint, buyers


def _load_ok(persons: Sequence[WaitingPerson], choice: Sequence[int | None],
             items: Sequence[Item]) -> bool:
    load = [0] * len(items)
    fac: dict[str, str] = {}
    for p, k in zip(persons, choice, strict=True):
        if k is None:
            continue
        load[k] += 2 if p.accompanying_spouse else 1
        if load[k] > items[k][3]:
            return False
        fac[p.case_id] = items[k][1]
    return all(fac[p.case_id] == fac[p.spouse_case_id] for p in persons
               if p.case_id in fac and p.spouse_case_id in fac)


def brute_plan(prob: AllocationProblem) -> tuple[frozenset[str], frozenset[str], Where]:
    """The documented plan by exhaustive search (tiny problems): (own, bought, where).  First
    the lexicographically greatest own set in the allocation order; then, with all of them
    placed, the greatest set of buyers; then, over everyone placed, the lexicographically best
    vector of wish ranks in allocation order (R16), then the fewest R7 mismatches, then the most
    screened places to those preferring one, then the lowest price."""
    pol = prob.policy
    own_pool, _, _ = pools(prob, frozenset())
    order = sorted(prob.persons, key=allocation_key)
    best_own: tuple[bool, ...] | None = None
    for combo in itertools.product(*([None, *(k for k, _ in own_pool.options(p))]
                                     for p in order)):
        vec = tuple(k is not None for k in combo)
        if (best_own is None or vec > best_own) and _load_ok(order, combo, own_pool.items):
            best_own = vec
    assert best_own is not None
    own_ids = frozenset(p.case_id for p, kept in zip(order, best_own, strict=True) if kept)
    _, pool, buyers = pools(prob, own_ids)
    persons = [p for p in order if p.case_id in own_ids] + sorted(buyers, key=allocation_key)
    opts = [pool.options(p) if p.case_id in own_ids else [None, *pool.options(p)]
            for p in persons]
    best: tuple[object, ...] | None = None
    result: tuple[frozenset[str], frozenset[str], Where] | None = None
    for combo in itertools.product(*opts):
        ks = [None if o is None else o[0] for o in combo]
        if not _load_ok(persons, ks, pool.items):
            continue
        chosen = sorted(((p, o) for p, o in zip(persons, combo, strict=True) if o is not None),
                        key=lambda po: allocation_key(po[0]))
        ranks = tuple(wish_rank(p, pool.items[o[0]][1]) for p, o in chosen)
        mis = sum(1 for _, o in chosen if o[1])
        pref = sum(pref_met(p, pool.items[o[0]][2], pol) for p, o in chosen)
        price = sum(pool.items[o[0]][4] for _, o in chosen)
        key = (tuple(o is not None for o in combo), tuple(-r for r in ranks), -mis, pref, -price)
        if best is None or key > best:
            best = key
            result = (own_ids, frozenset(p.case_id for p, o in zip(persons, combo, strict=True)
                                         if o is not None and p.case_id not in own_ids),
                      (ranks, mis, pref, price))
    assert result is not None
    return result


def plan_where(prob: AllocationProblem, plan: AllocationPlan) -> Where:
    """The same levels read off a plan."""
    by_id = {p.case_id: p for p in prob.persons}
    chosen = sorted(plan.assignments, key=lambda a: allocation_key(by_id[a.case_id]))
    mis = sum(1 for a in chosen
              if person_class(by_id[a.case_id]) == "S" and a.place_type is PlaceType.ORDINARY)
    return (tuple(wish_rank(by_id[a.case_id], a.facility_id) for a in chosen), mis,
            sum(pref_met(by_id[a.case_id], a.place_type, prob.policy) for a in chosen),
            sum(a.price_per_day_ore for a in chosen))


# --- independent oracles for larger problems -------------------------------------------------


def placeable(persons: Sequence[WaitingPerson], pool: Pool) -> bool:
    """Whether all ``persons`` can be placed at once: backtracking over single places, with the
    documented rules (type fit, beds, a whole double room for an accompanying spouse, spouses
    who are both placed at one facility)."""
    items = pool.items
    opts = []
    for p in persons:
        ks = [k for k, _ in pool.options(p)]
        if not ks:
            return False
        opts.append((p, ks))
    opts.sort(key=lambda o: len(o[1]))
    if sum(2 if p.accompanying_spouse else 1 for p in persons) > sum(i[3] for i in items):
        return False
    load = [0] * len(items)
    fac_of: dict[str, str] = {}

    def place_from(i: int) -> bool:
        if i == len(opts):
            return True
        p, ks = opts[i]
        beds = 2 if p.accompanying_spouse else 1
        tried: set[tuple[bool, str, PlaceType, int, int, FacilityKind]] = set()
        for k in ks:
            _, fac, pt, cap, _, kind = items[k]
            if load[k] + beds > cap:
                continue
            if p.spouse_case_id in fac_of and fac_of[p.spouse_case_id] != fac:
                continue
            shape = (k < pool.own, fac, pt, cap, load[k], kind)  # places alike in every respect
            if shape in tried:
                continue
            tried.add(shape)
            load[k] += beds
            fac_of[p.case_id] = fac
            if place_from(i + 1):
                return True
            load[k] -= beds
            del fac_of[p.case_id]
        return False

    return place_from(0)


def greedy_placed(persons: Sequence[WaitingPerson], pool: Pool,
                  kept_first: Sequence[WaitingPerson] = ()) -> frozenset[str]:
    """The lexicographically greatest placeable set by its definition: in the allocation order,
    keep each person if the kept set plus them is placeable (the family is closed under
    removal, so this greedy is exact).  ``kept_first`` are placed in any case."""
    kept: list[WaitingPerson] = list(kept_first)
    for p in sorted(persons, key=allocation_key):
        if placeable([*kept, p], pool):
            kept.append(p)
    return frozenset(p.case_id for p in kept[len(kept_first):])


def lexicographic_where(placed: Sequence[WaitingPerson], pool: Pool, pol: PolicySettings,
                        ) -> Where:
    """The best levels (as ``brute_plan``'s ``where``) of ``placed``, optimised level by level by
    an independent MILP (scipy/HiGHS, small integer objectives): each placed person's wish rank
    in allocation order, then mismatches, then preferences met, then price."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not placed:
        return (), 0, 0, 0
    placed = sorted(placed, key=allocation_key)
    items = pool.items
    var: list[tuple[int, int, bool]] = [(i, k, mis) for i, p in enumerate(placed)
                                        for k, mis in pool.options(p)]
    n = len(var)
    rows, lo, hi = [], [], []

    def row(coefs: dict[int, float], low: float, high: float) -> None:
        r = np.zeros(n)
        for j, c in coefs.items():
            r[j] += c
        rows.append(r)
        lo.append(low)
        hi.append(high)

    for i in range(len(placed)):
        row({j: 1 for j, (a, _, _) in enumerate(var) if a == i}, 1, 1)
    for k, item in enumerate(items):
        row({j: 2 if placed[a].accompanying_spouse else 1 for j, (a, b, _) in enumerate(var)
             if b == k}, 0, item[3])
    index = {p.case_id: i for i, p in enumerate(placed)}
    for i, p in enumerate(placed):
        s = index.get(p.spouse_case_id or "")
        if s is None or s < i:
            continue
        for fac in {item[1] for item in items}:
            coefs = {j: 1.0 for j, (a, b, _) in enumerate(var) if a == i and items[b][1] == fac}
            for j, (a, b, _) in enumerate(var):
                if a == s and items[b][1] == fac:
                    coefs[j] = coefs.get(j, 0) - 1
            row(coefs, 0, 0)
    levels = [np.array([float(wish_rank(placed[a], items[b][1])) if a == i else 0.0
                        for a, b, _ in var]) for i in range(len(placed))]
    levels += [
        np.array([float(mis) for _, _, mis in var]),
        np.array([-float(pref_met(placed[a], items[b][2], pol)) for a, b, _ in var]),
        np.array([float(items[b][4]) for _, b, _ in var]),
    ]
    best = []
    for c in levels:
        res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi),
                   integrality=np.ones(n), bounds=Bounds(0, 1))
        assert res.success
        value = round(res.fun)
        best.append(value)
        rows.append(c)
        lo.append(-np.inf)
        hi.append(value + 0.5)
    m = len(placed)
    return tuple(best[:m]), best[m], -best[m + 1], best[m + 2]


def random_coupled_problem(rng: random.Random, *, n_persons: int, n_places: int,
                           n_offers: int, n_pairs: int, n_facilities: int = 4
                           ) -> AllocationProblem:
    """Problems rich in couples (R10), double rooms and accompanying spouses (R11)."""
    facs = [f"F{i}" for i in range(1, n_facilities + 1)]
    places = [place(f"v{i}", rng.choice(facs),
                    rng.choice(["ordinary", "ordinary", "screened", "reinforced"]),
                    rng.choice(["single", "double"])) for i in range(n_places)]
    persons = []
    for i in range(n_persons):
        decided = rng.choice(["ordinary", "ordinary", "screened", "reinforced"])
        kw: dict[str, object] = dict(
            urgent=rng.random() < 0.1,
            wishes=tuple(rng.sample(facs, rng.randint(0, min(3, len(facs))))),
            waiting_since=D0 - dt.timedelta(days=rng.randint(0, 120)),
            deadline=D0 + dt.timedelta(days=rng.randint(-10, 40)),
            prefers_screened=rng.random() < 0.2,
            reinforced_assessed=decided == "reinforced" and rng.random() < 0.8,
            chose_to_wait=rng.random() < 0.1,
        )
        if 2 * n_pairs <= i:
            if rng.random() < 0.1:
                kw["spouse_resident_facility_id"] = rng.choice(facs)
            elif rng.random() < 0.2:
                kw["accompanying_spouse"] = True
        persons.append(person(f"c{i:02d}", rng.randint(0, 5) * 20, decided, **kw))
    for k in range(min(n_pairs, n_persons // 2)):
        a, b = persons[2 * k], persons[2 * k + 1]
        persons[2 * k] = dataclasses.replace(a, spouse_case_id=b.case_id)
        persons[2 * k + 1] = dataclasses.replace(b, spouse_case_id=a.case_id)
    offers = [offer(f"o{i}", rng.choice([*facs[:2], "P1", "P2"]),
                    rng.choice([150_000, 200_000, 260_000]), rng.choice(["ordinary", "screened"]),
                    rng.choice(["single", "double"])) for i in range(n_offers)]
    rng.shuffle(persons)
    return problem(places, persons, offers, deadline_horizon_days=7)
