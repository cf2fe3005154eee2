"""The exact check of a placement (stages "who" and "wishes"): CP-SAT on a count model.

Persons alike in the groups they may use and in beds are counted per group; couples (R10) choose
a facility; a person with an accompanying spouse (R11) counts two beds.  It either returns a
placement, which proves the set placeable, or proves that there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .engines import SolverError, cp_model, cp_solver

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import IntVar


def exact_groups(members: Sequence[int], class_of: Sequence[int],
                 class_elig: Sequence[tuple[int, ...]], demand: Sequence[int],
                 partner: Sequence[int | None], fac_of: Sequence[int], slots: Sequence[int],
                 hint_count: dict[tuple[tuple[int, int], int], int] | None = None,
                 hint_group: dict[int, int] | None = None) -> dict[int, int] | None:
    """The exact check: a group for each of ``members`` (positions) such that every group holds
    at most its slots (a person counts ``demand`` beds), each person is in a group of their class
    (``class_elig``), and spouses both among the members are at one facility (R10); or None when
    there is none, proven by CP-SAT on a count model (persons alike in class and beds are
    counted per group, couples choose a facility).  ``hint_count`` ((class, beds), group) ->
    persons and ``hint_group`` (couples' groups) give a solution hint."""
    present = set(members)
    keys: dict[tuple[int, int], list[int]] = {}
    for pos in members:
        keys.setdefault((class_of[pos], demand[pos]), []).append(pos)
    by_fac_cache: dict[int, dict[int, list[int]]] = {}

    def by_fac(k: int) -> dict[int, list[int]]:
        hit = by_fac_cache.get(k)
        if hit is None:
            hit = by_fac_cache[k] = {}
            for g in class_elig[k]:
                hit.setdefault(fac_of[g], []).append(g)
        return hit

    cp = cp_model()  # imported on first use: most runs never get here
    m = cp.CpModel()
    u: dict[tuple[int, int], dict[int, IntVar]] = {}
    load: dict[int, list[tuple[int, IntVar]]] = {}
    for key, mem in keys.items():
        k, beds = key
        vs = {}
        for g in class_elig[k] if k >= 0 else ():
            ub = min(len(mem), slots[g] // beds)
            if ub > 0:
                vs[g] = v = m.new_int_var(0, ub, "")
                load.setdefault(g, []).append((beds, v))
        if not vs:
            return None
        m.add(sum(vs.values()) == len(mem))
        u[key] = vs
    for g, terms in load.items():
        m.add(sum(b * v for b, v in terms) <= slots[g])
    need: dict[tuple[tuple[int, int], int], list[IntVar]] = {}
    couple_y: dict[int, dict[int, IntVar]] = {}
    for x in members:
        p = partner[x]
        if p is None or p not in present or p < x:
            continue
        fx, fp = by_fac(class_of[x]), by_fac(class_of[p])
        common = sorted(set(fx) & set(fp))
        if not common:
            return None
        ys = {f: m.new_bool_var("") for f in common}
        m.add_exactly_one(ys.values())
        couple_y[x] = couple_y[p] = ys
        for who in (x, p):
            key = (class_of[who], demand[who])
            for f, y in ys.items():
                need.setdefault((key, f), []).append(y)
    for (key, f), ys in need.items():
        here = [v for g, v in u[key].items() if fac_of[g] == f]
        m.add(sum(here) >= sum(ys))
    if hint_count is not None:
        for key, vs in u.items():
            for g, v in vs.items():
                ub = min(len(keys[key]), slots[g] // key[1])
                m.add_hint(v, min(hint_count.get((key, g), 0), ub))
    if hint_group is not None:
        for x, ys in couple_y.items():
            p = partner[x]
            if p is not None and p < x:
                continue  # one hint per couple, from its first member
            g = hint_group.get(x, hint_group.get(p, -1) if p is not None else -1)
            for f, y in ys.items():
                m.add_hint(y, g >= 0 and fac_of[g] == f)
    solver = cp_solver()
    status = solver.solve(m)
    if status == cp.INFEASIBLE:
        return None
    if status not in (cp.OPTIMAL, cp.FEASIBLE):
        raise SolverError(f"CP-SAT (who) status {status}")
    out: dict[int, int] = {}
    for key, mem in keys.items():
        pool: dict[int, list[int]] = {}  # facility -> groups, one entry per unit
        for g, v in u[key].items():
            pool.setdefault(fac_of[g], []).extend([g] * int(solver.value(v)))
        others = []
        for pos in mem:
            ys = couple_y.get(pos)
            if ys is None:
                others.append(pos)
                continue
            f = next(f for f, y in ys.items() if solver.value(y))
            out[pos] = pool[f].pop()
        left = [g for f in sorted(pool) for g in pool[f]]
        for pos, g in zip(others, left, strict=True):
            out[pos] = g
    return out
