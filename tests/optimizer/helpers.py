"""Builders, a random problem generator and an independent brute-force optimum for tests."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence

from optimizer import (
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


def person(cid: str, need: int, decided: str = "ordinary", **kw: object) -> WaitingPerson:
    base: dict[str, object] = dict(
        case_id=cid, need_score=need, urgent=False, granted_outright=False,
        decided_place_type=PlaceType(decided), needs_screened=decided == "screened",
        prefers_screened=False, reinforced_assessed=decided == "reinforced", wishes=(),
        decision_date=D0 - dt.timedelta(days=30), deadline=D0 + dt.timedelta(days=60),
    )
    base.update(kw)
    return WaitingPerson(**base)  # type: ignore[arg-type]


def place(pid: str, fac: str, ptype: str = "ordinary", room: str = "single",
          unit: str = "u") -> Vacancy:
    return Vacancy(pid, fac, FacilityKind.NURSING_HOME, unit, PlaceType(ptype), Room(room),
                   2 if room == "double" else 1, D0)


def offer(oid: str, fac: str, price: int, ptype: str = "ordinary", room: str = "single",
          provider: str = "Prov") -> PurchasableOffer:
    return PurchasableOffer(oid, provider, fac, PlaceType(ptype), price, D0, Room(room))


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
        places.append(place(f"v{i}", rng.choice(facs), pt, room))
    persons = []
    for i in range(n_persons):
        decided = rng.choice(["ordinary", "ordinary", "screened", "reinforced"] if extras
                             else ["ordinary", "screened"])
        kw: dict[str, object] = dict(
            urgent=rng.random() < 0.15,
            wishes=tuple(rng.sample(facs, rng.randint(0, 2))),
            decision_date=D0 - dt.timedelta(days=rng.randint(0, 120)),
            deadline=D0 + dt.timedelta(days=rng.randint(-10, 40)),
            prefers_screened=rng.random() < 0.2,
            reinforced_assessed=decided == "reinforced" and rng.random() < 0.8,
        )
        if extras and rng.random() < 0.15:
            kw["spouse_resident_facility_id"] = rng.choice(facs)
        elif extras and rng.random() < 0.1:
            kw["accompanying_spouse"] = True
        persons.append(person(f"c{i}", rng.randint(0, 5) * 20, decided, **kw))
    if pairs and n_persons >= 2:
        for a, b in [(0, 1), (2, 3)][: rng.randint(1, 2)]:
            if b < n_persons:
                for x in (a, b):
                    persons[x] = person(persons[x].case_id, persons[x].need_score,
                                        persons[x].decided_place_type.value,
                                        **{**_kw(persons[x]), "spouse_resident_facility_id": None,
                                           "accompanying_spouse": False,
                                           "spouse_case_id": persons[b if x == a else a].case_id})
    offers = [offer(f"o{i}", rng.choice(["P1", "P2", "F1"]), rng.choice([1500, 2000, 2600]),
                    rng.choice(["ordinary", "screened"]),
                    rng.choice(["single", "double"]) if extras else "single")
              for i in range(n_offers)]
    rng.shuffle(persons)
    return problem(places, persons, offers, deadline_horizon_days=7)


def _kw(p: WaitingPerson) -> dict[str, object]:
    return {k: getattr(p, k) for k in ("urgent", "wishes", "decision_date", "deadline",
                                       "prefers_screened", "reinforced_assessed")}


# --- independent brute force -----------------------------------------------------------------


def fits(p: WaitingPerson, ptype: PlaceType, facility: str, cap: int,
         restriction: str | None) -> tuple[bool, bool]:
    """The documented eligibility rules, written out again (eligible, R7 mismatch)."""
    cls = person_class(p)
    if restriction is not None and facility != restriction:
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
        ok = restriction is not None or p.accompanying_spouse
        return ok, ok
    return True, False


def wish_score(p: WaitingPerson, facility: str, ptype: PlaceType, pol: PolicySettings) -> int:
    s = 0
    if facility in p.wishes:
        r = p.wishes.index(facility)
        s += pol.wish_weights[r] if r < len(pol.wish_weights) else 0
    if person_class(p) == "O" and p.prefers_screened and ptype is PlaceType.SCREENED:
        s += pol.prefers_screened_weight
    return s


def brute_stage(persons: Sequence[WaitingPerson], items: Sequence[tuple[str, str, PlaceType,
                int, int]], restrictions: dict[str, str | None], pol: PolicySettings,
                ) -> tuple[frozenset[str], int, int, int]:
    """Items: (id, facility, type, capacity, price).  Returns (placed, wish, mismatch, price)."""
    order = sorted(persons, key=allocation_key)
    ids = {p.case_id for p in order}
    options = []
    for p in order:
        opts: list[tuple[int, bool] | None] = [None]
        for k, (_, fac, pt, cap, _) in enumerate(items):
            ok, mis = fits(p, pt, fac, cap, restrictions.get(p.case_id))
            if ok:
                opts.append((k, mis))
        options.append(opts)
    best: tuple[object, ...] | None = None
    best_val: tuple[frozenset[str], int, int, int] | None = None
    for combo in itertools.product(*options):
        load = [0] * len(items)
        ok = True
        fac_of: dict[str, str] = {}
        for p, ch in zip(order, combo, strict=True):
            if ch is None:
                continue
            k = ch[0]
            load[k] += 2 if p.accompanying_spouse else 1
            if load[k] > items[k][3]:
                ok = False
                break
            fac_of[p.case_id] = items[k][1]
        if not ok:
            continue
        for p in order:
            sp = p.spouse_case_id
            if sp in ids and p.case_id in fac_of and sp in fac_of and fac_of[sp] != fac_of[
                    p.case_id]:
                ok = False
        if not ok:
            continue
        vec = tuple(ch is not None for ch in combo)
        wish = sum(wish_score(p, items[ch[0]][1], items[ch[0]][2], pol)
                   for p, ch in zip(order, combo, strict=True) if ch is not None)
        mis = sum(1 for ch in combo if ch is not None and ch[1])
        price = sum(items[ch[0]][4] for ch in combo if ch is not None)
        key = (vec, wish, -mis, -price)
        if best is None or key > best:
            best = key
            best_val = (frozenset(p.case_id for p, ch in zip(order, combo, strict=True)
                                  if ch is not None), wish, mis, price)
    assert best_val is not None
    return best_val
