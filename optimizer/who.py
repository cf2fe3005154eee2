"""Stage "who": the priority-maximal set of persons placed in one stage (R15/R16, R7, R10, R11).

The placed set is the lexicographically greatest placeable set in the allocation order.  The
placeable sets are closed under removal, so that set is what the greedy rule gives: take the
persons in order and keep each one if the kept set plus them can still be placed.

* **Relaxation.**  Forget that spouses must live at one facility (R10) and count every person as
  one bed.  The placeable sets are then the independent sets of a transversal matroid, and its
  greedy set ``B`` is the unique maximum-weight basis for the weights ``W = N - rank``: one
  min-cost flow.  Every placeable set is placeable in the relaxation, so a person outside ``B``
  whose predecessors in ``B`` are all kept is rejected with no further work, and if no couple is
  wholly in ``B`` and nobody in ``B`` needs two beds (R11), ``B`` itself is the answer.
* **Walk.**  Otherwise the persons of ``B`` are inserted in order into a placement that keeps
  couples together and double rooms whole, by augmenting paths (kept persons move to make room;
  a spouse only within the couple's facility), moving a couple to another facility if needed.
  Only when that fails does an exact check decide: CP-SAT on a count model (persons alike in
  eligibility are counted, couples choose a facility).  A person it rejects leaves the ground set;
  the relaxation's greedy set becomes ``B`` minus that person plus the first later person who can
  use the freed capacity (matroid basis exchange), found by one search in the flow.

Each step either keeps a person with a placement that proves it, or rejects one with a proof (the
relaxation, or CP-SAT's infeasibility), so the result is exact; tests compare it with brute force.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .eligibility import Candidate, PlaceGroup
from .engines import SolverError, flow_cost_fits, solve_min_cost_flow
from .exact import exact_groups


def placed_set(cands: Sequence[Candidate], groups: Sequence[PlaceGroup]) -> list[int]:
    """Positions (ascending) of the lexicographically greatest placeable set of candidates."""
    return placed_with_groups(cands, groups)[0]


def placed_with_groups(cands: Sequence[Candidate], groups: Sequence[PlaceGroup]
                       ) -> tuple[list[int], dict[int, int]]:
    """The placed set (as ``placed_set``) and a group for each of them that proves it: a
    placement keeping couples together and double rooms whole (the wish stage starts there)."""
    if not cands or not groups:
        return [], {}
    rel = _Relaxation(cands, groups)
    inb = rel.in_basis
    if not any(inb[c.pos] and (c.demand == 2 or (c.partner is not None and inb[c.partner]))
               for c in cands):
        kept = [c.pos for c in cands if inb[c.pos]]
        units = [[(g, n) for g, n in sorted(f.items())] for f in rel.flow]
        return kept, _spread(kept, rel.class_of, units, {})
    walk = _Walk(cands, groups, rel)
    kept = walk.run()
    units = [[] for _ in rel.class_elig]
    for g, u in enumerate(walk.state.units):
        for k, n in u.items():
            units[k].append((g, n))
    return kept, _spread(kept, rel.class_of, units, walk.state.group_of)


def _spread(kept: Sequence[int], class_of: Sequence[int], units: list[list[tuple[int, int]]],
            individual: dict[int, int]) -> dict[int, int]:
    """Persons of a class placed as counts per group, given a group each (in order)."""
    out = {pos: individual[pos] for pos in kept if pos in individual}
    free = [[g for g, n in u for _ in range(n)] for u in units]
    taken = [0] * len(units)
    for pos in kept:
        if pos in out:
            continue
        k = class_of[pos]
        out[pos] = free[k][taken[k]]
        taken[k] += 1
    return out


class _Relaxation:
    """The matroid relaxation: persons by class (same eligible groups) into groups of places.

    Holds the greedy basis and a flow of it (units per class and group), and updates both when a
    person is removed from the ground set.
    """

    def __init__(self, cands: Sequence[Candidate], groups: Sequence[PlaceGroup]) -> None:
        n, n_groups = len(cands), len(groups)
        self.slots = [g.slots for g in groups]
        self.class_of: list[int] = []
        self.class_elig: list[tuple[int, ...]] = []
        index: dict[tuple[int, ...], int] = {}
        for c in cands:
            if not c.elig:
                self.class_of.append(-1)
                continue
            k = index.get(c.elig)
            if k is None:
                k = index[c.elig] = len(self.class_elig)
                self.class_elig.append(c.elig)
            self.class_of.append(k)
        self.eligible_classes: list[list[int]] = [[] for _ in range(n_groups)]
        for k, elig in enumerate(self.class_elig):
            for g in elig:
                self.eligible_classes[g].append(k)
        self.in_basis = [False] * n
        self.removed = [False] * n
        self.dead = [False] * len(self.class_elig)
        self.flow: list[dict[int, int]] = [{} for _ in self.class_elig]
        self.load = [0] * n_groups
        self._solve(n)
        self.outside: list[list[int]] = [[] for _ in self.class_elig]
        for c in cands:
            if self.class_of[c.pos] >= 0 and not self.in_basis[c.pos]:
                self.outside[self.class_of[c.pos]].append(c.pos)
        self._next = [0] * len(self.class_elig)

    def _solve(self, n: int) -> None:
        """The greedy basis: one min-cost flow, source -> class (one arc per person, cost
        ``-(N - rank)``) -> group -> sink, plus a zero-cost bypass for whoever is left out."""
        n_classes = len(self.class_elig)
        s, t, kbase = 0, 1, 2
        gbase = kbase + n_classes
        members = [pos for pos in range(n) if self.class_of[pos] >= 0]
        class_arcs = [(k, g) for k, elig in enumerate(self.class_elig) for g in elig]
        n_groups = len(self.slots)
        if not flow_cost_fits(n, gbase + n_groups):
            raise SolverError("too many persons for exact priority weights")
        cls = np.asarray([self.class_of[p] for p in members], dtype=np.int64)
        ks = np.fromiter((k for k, _ in class_arcs), dtype=np.int64, count=len(class_arcs))
        gs = np.fromiter((g for _, g in class_arcs), dtype=np.int64, count=len(class_arcs))
        garr = np.arange(n_groups, dtype=np.int64)
        m, a = len(members), len(class_arcs)
        tails = np.concatenate([np.full(m, s), kbase + ks, gbase + garr, [s]]).astype(np.int32)
        heads = np.concatenate([kbase + cls, gbase + gs, np.full(n_groups, t), [t]]
                               ).astype(np.int32)
        caps = np.concatenate([np.ones(m), np.full(a, n), self.slots, [n]]).astype(np.int64)
        costs = np.concatenate([-(n - np.asarray(members, dtype=np.int64)),
                                np.zeros(a + n_groups + 1, dtype=np.int64)]).astype(np.int64)
        mcf = solve_min_cost_flow(tails, heads, caps, costs, s, t, n, "who")
        flows = mcf.flows(np.arange(m + a, dtype=np.int32))
        for i, pos in enumerate(members):
            self.in_basis[pos] = bool(flows[i])
        for (k, g), f in zip(class_arcs, flows[m:].tolist(), strict=True):
            if f:
                self.flow[k][g] = f
                self.load[g] += f

    def _move(self, k: int, g: int, delta: int) -> None:
        f = self.flow[k].get(g, 0) + delta
        if f:
            self.flow[k][g] = f
        else:
            del self.flow[k][g]
        self.load[g] += delta

    def kill(self, k: int) -> None:
        """No later person of class ``k`` (nor of any class whose eligible groups are among
        ``k``'s) can be kept.  Called when a person of class ``k`` needing one bed and with no
        spouse in the stage is rejected: anyone fitting only places ``k`` fits could be swapped
        for them, and the kept set only grows."""
        mine = set(self.class_elig[k])
        for k2, elig in enumerate(self.class_elig):
            if not self.dead[k2] and mine.issuperset(elig):
                self.dead[k2] = True

    def _first_outside(self, k: int, after: int) -> int | None:
        if self.dead[k]:
            return None
        lst, i = self.outside[k], self._next[k]
        while i < len(lst) and (lst[i] <= after or self.in_basis[lst[i]] or self.removed[lst[i]]):
            i += 1
        self._next[k] = i
        return lst[i] if i < len(lst) else None

    def remove(self, pos: int) -> int | None:
        """Take ``pos`` (in the basis, every earlier person decided) out of the ground set.

        The new greedy basis is the old one minus ``pos`` plus the earliest later person who can
        then be added, if any: a backward search from the spare capacity finds which classes can
        reach it, and one augmenting path brings that person in.  Returns who entered.
        """
        self.removed[pos] = True
        self.in_basis[pos] = False
        k = self.class_of[pos]
        self._move(k, min(self.flow[k]), -1)
        slots, load = self.slots, self.load
        via: dict[int, int] = {}  # group -> class with a unit there that can move on (-1: spare)
        into: dict[int, int] = {}  # class -> a group one of its persons can move into
        queue = [g for g in range(len(slots)) if load[g] < slots[g]]
        for g in queue:
            via[g] = -1
        best: int | None = None
        head = 0
        while head < len(queue):
            g = queue[head]
            head += 1
            for k2 in self.eligible_classes[g]:
                if k2 in into:
                    continue
                into[k2] = g
                first = self._first_outside(k2, pos)
                if first is not None and (best is None or first < best):
                    best = first
                for g2 in self.flow[k2]:
                    if g2 not in via:
                        via[g2] = k2
                        queue.append(g2)
        if best is None:
            return None
        k2 = self.class_of[best]
        g = into[k2]
        self._move(k2, g, 1)
        while via[g] != -1:
            k3 = via[g]
            self._move(k3, g, -1)
            g = into[k3]
            self._move(k3, g, 1)
        self.in_basis[best] = True
        return best


class _Placement:
    """Where the kept persons are.  Single-bed persons without a spouse in the stage are counted
    per class and group (they are interchangeable); the others are placed one by one.  Changes
    are journalled so that a failed attempt can be undone."""

    def __init__(self, n_groups: int) -> None:
        self.load = [0] * n_groups
        self.units: list[dict[int, int]] = [{} for _ in range(n_groups)]
        self.members: list[dict[int, int]] = [{} for _ in range(n_groups)]  # pos -> beds
        self.group_of: dict[int, int] = {}
        self.journal: list[tuple[int, int, int, int]] = []

    def add_unit(self, k: int, g: int, delta: int = 1, log: bool = True) -> None:
        u = self.units[g]
        c = u.get(k, 0) + delta
        if c:
            u[k] = c
        else:
            del u[k]
        self.load[g] += delta
        if log:
            self.journal.append((0, k, g, delta))

    def put(self, pos: int, g: int, beds: int, log: bool = True) -> None:
        old = self.group_of.get(pos, -1)
        if old >= 0:
            del self.members[old][pos]
            self.load[old] -= beds
        if g >= 0:
            self.members[g][pos] = beds
            self.group_of[pos] = g
            self.load[g] += beds
        else:
            del self.group_of[pos]
        if log:
            self.journal.append((1, pos, old, beds))

    def savepoint(self) -> int:
        return len(self.journal)

    def rollback(self, sp: int) -> None:
        while len(self.journal) > sp:
            kind, a, b, c = self.journal.pop()
            if kind == 0:
                self.add_unit(a, b, -c, log=False)
            else:
                self.put(a, b, c, log=False)


class _Walk:
    """The greedy over the relaxation's basis with a coupling-aware placement (see the module)."""

    def __init__(self, cands: Sequence[Candidate], groups: Sequence[PlaceGroup],
                 rel: _Relaxation) -> None:
        self.cands = cands
        self.rel = rel
        self.slots = rel.slots
        self.class_of = rel.class_of
        self.class_elig = rel.class_elig
        fac_index = {f: i for i, f in enumerate(sorted({g.facility_id for g in groups}))}
        self.fac_of = [fac_index[g.facility_id] for g in groups]
        self._by_fac: dict[int, dict[int, tuple[int, ...]]] = {}
        self.state = _Placement(len(groups))
        self.kept: list[int] = []
        self.hint = [dict(f) for f in rel.flow]
        self.pending = -1

    # --- helpers -------------------------------------------------------------------------

    def by_fac(self, k: int) -> dict[int, tuple[int, ...]]:
        """Class ``k``'s eligible groups by facility."""
        hit = self._by_fac.get(k)
        if hit is None:
            acc: dict[int, list[int]] = {}
            for g in self.class_elig[k]:
                acc.setdefault(self.fac_of[g], []).append(g)
            hit = self._by_fac[k] = {f: tuple(gs) for f, gs in acc.items()}
        return hit

    def _moves(self, x: int, g: int) -> Sequence[int]:
        """Where kept individual ``x``, now in group ``g``, may be moved to."""
        c = self.cands[x]
        if c.demand == 2:
            return ()
        p = c.partner
        k = self.class_of[x]
        if p is not None and (p in self.state.group_of or p == self.pending):
            return self.by_fac(k).get(self.fac_of[g], ())
        return self.class_elig[k]

    def _free_unit(self, targets: Sequence[int], root_free_ok: bool = True) -> int | None:
        """Make a bed free in one of ``targets`` by moving kept persons along an augmenting
        path (breadth first); the group where it is free, or None if none can be."""
        st, slots = self.state, self.slots
        load = st.load
        if root_free_ok:
            for g in targets:
                if load[g] < slots[g]:
                    return g
        parent: dict[int, tuple[int, int, int] | None] = dict.fromkeys(targets)
        queue = list(targets)
        seen_cls: set[int] = set()
        seen_ind: set[int] = set()
        head = 0
        while head < len(queue):
            g = queue[head]
            head += 1
            for k in st.units[g]:
                if k in seen_cls:
                    continue
                seen_cls.add(k)
                for g2 in self.class_elig[k]:
                    if g2 in parent:
                        continue
                    parent[g2] = (0, k, g)
                    if load[g2] < slots[g2]:
                        return self._shift(g2, parent)
                    queue.append(g2)
            for x in st.members[g]:
                if x in seen_ind:
                    continue
                seen_ind.add(x)
                for g2 in self._moves(x, g):
                    if g2 in parent:
                        continue
                    parent[g2] = (1, x, g)
                    if load[g2] < slots[g2]:
                        return self._shift(g2, parent)
                    queue.append(g2)
        return None

    def _shift(self, g: int, parent: dict[int, tuple[int, int, int] | None]) -> int:
        st = self.state
        step = parent[g]
        while step is not None:
            kind, who, src = step
            if kind == 0:
                st.add_unit(who, src, -1)
                st.add_unit(who, g, 1)
            else:
                st.put(who, g, 1)
            g = src
            step = parent[g]
        return g

    def _hinted(self, k: int, beds: int = 1) -> int | None:
        """A group with room where the relaxation's flow put persons of class ``k``."""
        h = self.hint[k]
        load, slots = self.state.load, self.slots
        for g in list(h):
            if slots[g] - load[g] >= beds:
                if h[g] > 1:
                    h[g] -= 1
                else:
                    del h[g]
                return g
            del h[g]
        return None

    # --- insertion -----------------------------------------------------------------------

    def _insert(self, c: Candidate) -> bool:
        st = self.state
        k = self.class_of[c.pos]
        if not c.coupled:
            g = self._hinted(k)
            if g is None:
                g = self._free_unit(self.class_elig[k])
            if g is None:
                return False
            st.add_unit(k, g)
            return True
        sp = st.savepoint()
        self.pending = c.pos
        try:
            if c.demand == 2:
                ok = self._insert_double(c)
            elif c.partner is not None and c.partner in st.group_of:
                ok = self._insert_beside(c)
            else:
                g = self._hinted(k)
                if g is None:
                    g = self._free_unit(self.class_elig[k])
                ok = g is not None
                if g is not None:
                    st.put(c.pos, g, 1)
        finally:
            self.pending = -1
        if not ok:
            st.rollback(sp)
        return ok

    def _insert_double(self, c: Candidate) -> bool:
        """R11: a whole double room; room is made by moving others out of a group."""
        st, slots = self.state, self.slots
        k = self.class_of[c.pos]
        g = self._hinted(k, 2)
        if g is None:
            g = next((g for g in self.class_elig[k] if slots[g] - st.load[g] >= 2), None)
        if g is not None:
            st.put(c.pos, g, 2)
            return True
        for g in self.class_elig[k]:
            sp = st.savepoint()
            while slots[g] - st.load[g] < 2 and self._free_unit((g,), False) is not None:
                pass
            if slots[g] - st.load[g] >= 2:
                st.put(c.pos, g, 2)
                return True
            st.rollback(sp)
        return False

    def _insert_beside(self, c: Candidate) -> bool:
        """R10: at the kept spouse's facility, or both moved to another facility."""
        st = self.state
        h = c.partner
        assert h is not None
        k, kh = self.class_of[c.pos], self.class_of[h]
        f = self.fac_of[st.group_of[h]]
        mine = self.by_fac(k)
        if f in mine:
            g = self._free_unit(mine[f])
            if g is not None:
                st.put(c.pos, g, 1)
                return True
        theirs = self.by_fac(kh)
        for f2 in sorted(set(mine) & set(theirs)):
            if f2 == f:
                continue
            sp = st.savepoint()
            st.put(h, -1, 1)
            g1 = self._free_unit(theirs[f2])
            if g1 is not None:
                st.put(h, g1, 1)
                g2 = self._free_unit(mine[f2])
                if g2 is not None:
                    st.put(c.pos, g2, 1)
                    return True
            st.rollback(sp)
        return False

    # --- the exact check -----------------------------------------------------------------

    def _exact(self, members: Sequence[int]) -> _Placement | None:
        """A placement of ``members`` that keeps couples together, or None if there is none
        (proven by CP-SAT on a count model)."""
        st, cands = self.state, self.cands
        count: dict[tuple[tuple[int, int], int], int] = {}
        for g, units in enumerate(st.units):
            for k, n in units.items():
                count[((k, 1), g)] = count.get(((k, 1), g), 0) + n
        for pos, g in st.group_of.items():
            key = (self.class_of[pos], cands[pos].demand)
            count[(key, g)] = count.get((key, g), 0) + 1
        where = exact_groups(members, self.class_of, self.class_elig,
                             [c.demand for c in cands], [c.partner for c in cands],
                             self.fac_of, self.slots, count, st.group_of)
        if where is None:
            return None
        new = _Placement(len(self.slots))
        for pos, g in where.items():
            c = cands[pos]
            if c.coupled:
                new.put(pos, g, c.demand, log=False)
            else:
                new.add_unit(self.class_of[pos], g, log=False)
        return new

    # --- the greedy ----------------------------------------------------------------------

    def run(self) -> list[int]:
        rel, cands = self.rel, self.cands
        kept = self.kept
        n = len(cands)
        for c in cands:
            pos = c.pos
            if not rel.in_basis[pos]:
                continue
            if rel.dead[self.class_of[pos]]:
                rel.remove(pos)
                continue
            self.state.journal.clear()
            if self._insert(c):
                kept.append(pos)
                continue
            new = self._exact([*kept, pos])
            if new is None:
                rel.remove(pos)
                if not c.coupled:
                    rel.kill(self.class_of[pos])
                continue
            self.state = new
            kept.append(pos)
            rest = [p for p in range(pos + 1, n) if rel.in_basis[p]]
            if rest and not any(rel.dead[self.class_of[p]] for p in rest):
                new = self._exact([*kept, *rest])
                if new is not None:
                    self.state = new
                    kept.extend(rest)
                    break
        return sorted(kept)

