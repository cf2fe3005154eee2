"""Benchmark of the allocation optimizer (not a test).  Last line: one JSON object.

    .venv/bin/python bench/optimizer.py [--quick]

Figures: one vacancy, a large municipality's daily run (median of several), a stress run, a
national-size run without spouse pairs, and the ratio of ``solve()`` to OR-Tools' own
``SimpleMinCostFlow`` on bare assignment instances (objective cross-checked with scipy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    greedy_baseline,
    person_class,
    solve,
)

AS_OF = dt.date(2025, 6, 1)


def make_problem(seed: int, *, persons: int, vacancies: int, offers: int, pairs: int,
                 facilities: int, extras: bool = True) -> AllocationProblem:
    rng = random.Random(seed)
    facs = [f"F{i:03d}" for i in range(facilities)]
    provs = [f"P{i:02d}" for i in range(max(1, facilities // 5))]
    vs = []
    for i in range(vacancies):
        r = rng.random()
        pt = "ordinary" if r < 0.65 else "screened" if r < 0.9 or not extras else "reinforced"
        room = "double" if extras and rng.random() < 0.15 else "single"
        vs.append(Vacancy(f"v{i:05d}", rng.choice(facs), FacilityKind.NURSING_HOME,
                          f"u{rng.randint(1, 4)}", PlaceType(pt), Room(room),
                          2 if room == "double" else 1,
                          AS_OF + dt.timedelta(days=rng.randint(0, 14))))
    os_ = [PurchasableOffer(f"o{i:05d}", rng.choice(provs), f"X{rng.randint(0, 40):02d}",
                            PlaceType(rng.choice(["ordinary", "ordinary", "screened"])),
                            rng.randint(15, 40) * 100,
                            AS_OF + dt.timedelta(days=rng.randint(0, 30)),
                            Room.SINGLE) for i in range(offers)]
    ps = []
    for i in range(persons):
        r = rng.random()
        decided = "ordinary" if r < 0.6 else "screened" if r < 0.9 or not extras else "reinforced"
        dec = AS_OF - dt.timedelta(days=rng.randint(0, 150))
        resident = rng.choice(facs) if extras and rng.random() < 0.03 else None
        ps.append(WaitingPerson(
            case_id=f"c{i:06d}", need_score=rng.randint(0, 100),
            urgent=extras and rng.random() < 0.03, granted_outright=extras and rng.random() < 0.01,
            decided_place_type=PlaceType(decided), needs_screened=decided == "screened",
            prefers_screened=rng.random() < 0.1, reinforced_assessed=rng.random() < 0.9,
            wishes=tuple(rng.sample(facs, rng.randint(0, min(3, len(facs))))),
            decision_date=dec, deadline=dec + dt.timedelta(days=90),
            spouse_resident_facility_id=resident,
            accompanying_spouse=extras and resident is None and rng.random() < 0.01))
    for k in range(pairs):
        a, b = ps[2 * k], ps[2 * k + 1]
        ps[2 * k] = _with(a, spouse_case_id=b.case_id)
        ps[2 * k + 1] = _with(b, spouse_case_id=a.case_id)
    rng.shuffle(ps)
    return AllocationProblem("Benchmark", AS_OF, tuple(vs), tuple(os_), tuple(ps),
                             PolicySettings(version=1, deadline_horizon_days=14))


def _with(p: WaitingPerson, **kw: object) -> WaitingPerson:
    d = {f: getattr(p, f) for f in WaitingPerson.__dataclass_fields__}
    d.update(kw, spouse_resident_facility_id=None, accompanying_spouse=False)
    return WaitingPerson(**d)  # type: ignore[arg-type]


def timed(prob: AllocationProblem) -> tuple[float, object]:
    t0 = time.perf_counter()
    plan = solve(prob)
    return time.perf_counter() - t0, plan


def reference_mcf(prob: AllocationProblem) -> tuple[float, int, int]:
    """OR-Tools' min-cost flow on the explicit bare assignment (persons x places, W = N - rank)."""
    order = sorted(prob.persons, key=allocation_key)
    n = len(order)
    cls = np.array(["OSR".index(person_class(p)) for p in order])
    vt = np.array([["ordinary", "screened", "reinforced"].index(v.place_type.value)
                   for v in prob.vacancies])
    caps = np.array([v.capacity for v in prob.vacancies], dtype=np.int64)
    # O takes ordinary/screened, S screened, R reinforced (bare instances: no spouses)
    ok = np.zeros((3, 3), dtype=bool)
    ok[0, 0] = ok[0, 1] = ok[1, 1] = ok[2, 2] = True
    t0 = time.perf_counter()
    pi, vi = np.nonzero(ok[cls][:, vt])
    m = len(vt)
    s, t = n + m, n + m + 1
    tails = np.concatenate([np.full(n, s), pi, n + np.arange(m), [s]])
    heads = np.concatenate([np.arange(n), n + vi, np.full(m, t), [t]])
    capa = np.concatenate([np.ones(n + len(pi), dtype=np.int64), caps, [n]])
    cost = np.concatenate([-(n - np.arange(n)), np.zeros(len(pi) + m + 1, dtype=np.int64)])
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capa, cost)
    mcf.set_node_supply(s, n)
    mcf.set_node_supply(t, -n)
    assert mcf.solve() == mcf.OPTIMAL
    return time.perf_counter() - t0, -mcf.optimal_cost(), len(pi)


def scipy_check(prob: AllocationProblem) -> int:
    order = sorted(prob.persons, key=allocation_key)
    n = len(order)
    slots = [v for v in prob.vacancies for _ in range(v.capacity)]
    w = np.zeros((n, len(slots)), dtype=np.int64)
    for i, p in enumerate(order):
        c = person_class(p)
        for j, v in enumerate(slots):
            if (c == "O" and v.place_type is not PlaceType.REINFORCED) or (
                    c == "S" and v.place_type is PlaceType.SCREENED) or (
                    c == "R" and v.place_type is PlaceType.REINFORCED):
                w[i, j] = n - i
    r, cc = linear_sum_assignment(w, maximize=True)
    return int(w[r, cc].sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-stress", action="store_true",
                    help="skip the stress run (5,000 x 1,000 with 200 spouse pairs)")
    args = ap.parse_args()
    q = args.quick
    out: dict[str, object] = {"python": platform.python_version(), "quick": q}

    single = make_problem(1, persons=500, vacancies=1, offers=0, pairs=0, facilities=20)
    solve(single)
    times = [timed(single)[0] for _ in range(5)]
    out["single_vacancy_ms"] = round(1000 * statistics.median(times), 2)

    daily = []
    for seed in range(5 if q else 15):
        prob = make_problem(100 + seed, persons=500, vacancies=50, offers=100, pairs=20,
                            facilities=20)
        t, plan = timed(prob)
        daily.append(t)
        g = greedy_baseline(prob)
        if seed == 0:
            out["daily_placed_own"] = len(plan.own)  # type: ignore[attr-defined]
            out["daily_greedy_placed_own"] = len(g.own)
            out["daily_purchases"] = len(plan.purchases)  # type: ignore[attr-defined]
    out["daily_median_ms"] = round(1000 * statistics.median(daily), 1)
    out["daily_max_ms"] = round(1000 * max(daily), 1)

    stress = None if args.no_stress else make_problem(
        7, persons=2000 if q else 5000, vacancies=400 if q else 1000,
        offers=200 if q else 500, pairs=80 if q else 200, facilities=60)
    if stress is None:
        out["stress_s"] = None
    else:
        t, plan = timed(stress)
        out["stress_s"] = round(t, 3)
        out["stress_placed_own"] = len(plan.own)  # type: ignore[attr-defined]

    nat = make_problem(9, persons=5000 if q else 20000, vacancies=1250 if q else 5000,
                       offers=0, pairs=0, facilities=300, extras=False)
    t, plan = timed(nat)
    out["national_no_pairs_s"] = round(t, 3)
    out["national_placed_own"] = len(plan.own)  # type: ignore[attr-defined]
    tm, _, npairs = reference_mcf(nat)
    out["national_reference_mcf_s"] = round(tm, 3)
    out["national_compatible_pairs"] = int(npairs)

    ratios = []
    for seed, (n, m) in enumerate([(2000, 500), (1000, 200)] if q else
                                  [(2000, 500), (1000, 200), (5000, 1000), (8000, 2000)]):
        bare = make_problem(500 + seed, persons=n, vacancies=m, offers=0, pairs=0,
                            facilities=50, extras=False)
        ts, plan = timed(bare)
        tm, mcf_obj, _ = reference_mcf(bare)
        assert dict(plan.objective)["own_who_weight"] == mcf_obj  # type: ignore[attr-defined]
        if n <= 2000:
            assert scipy_check(bare) == mcf_obj
        ratios.append(ts / tm)
        out[f"bare_{n}x{m}_solve_s"] = round(ts, 4)
        out[f"bare_{n}x{m}_mcf_s"] = round(tm, 4)
    out["assignment_ratio_vs_mcf"] = round(max(ratios), 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
