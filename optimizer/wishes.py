"""Stage "wishes": the person of greater need gets their wish first (R16, § 3-3 annet ledd «stor
vekt på pasientens ønsker»; R20).

With the placed set fixed (stage "who"), wishes are met in the allocation order: the first person
gets their best wished facility that still lets everyone placed be placed; then the next, given
that; and so on (serial dictatorship under feasibility).  A person who gets wish ``r`` is
restricted to that facility for everyone after them; the stage "where" then chooses the places
under those restrictions.  The result is the lexicographic optimum of the vector of wish ranks in
allocation order, by construction: each person's rank is the best one feasible given the ranks of
everyone before them.

Each test "can ``p`` be at facility ``f``?" is decided exactly:

* **Augmenting path.**  Persons alike in the groups they may use (their *type*: class, and the
  facility they are restricted to) are counted per group.  A breadth-first search from ``p``'s
  groups at ``f`` moves such persons along an alternating path to a spare bed (or to where ``p``
  is now).  A path found is a placement that proves the answer yes.
* **Relaxation.**  If none is found, the same search where spouses (R10) may live apart and a
  whole double room (R11) may be split: if even that finds no path, the answer is no (the
  groups reached are full of persons who can only be there, and ``p`` needs one bed more: Hall).
* **Exact check.**  Otherwise only couples or double rooms are in the way: CP-SAT on the count
  model that stage "who" uses (``exact.py``) decides, with every restriction so far.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence

from .eligibility import Candidate, PlaceGroup, allocation_key
from .exact import exact_groups


class WishMiss(enum.StrEnum):
    """Why a better wish was not met (what the explanation may say)."""

    NO_SUITABLE_PLACE = "no_suitable_place"  # nothing at the facility fits the person at all
    WOULD_LEAVE_SOMEONE_WITHOUT = "would_leave_someone_without"  # infeasible on its own
    WENT_TO_EARLIER = "went_to_earlier"  # feasible, but not with the earlier persons' wishes
    NOT_POSSIBLE = "not_possible"  # not with the earlier persons' wishes (either of the two)


@dataclasses.dataclass
class WishOutcome:
    restrict: dict[int, str]  # position -> facility it must be at (its wish met)
    rank: dict[int, int]  # position -> wish rank met (1 = first wish)
    missed: dict[int, list[tuple[str, WishMiss]]]  # position -> better wishes not met, why


class _State:
    """Where the placed persons are: movable persons counted per (group, type), the others
    (couples both placed, R10; a person taking a whole double room, R11) one by one."""

    def __init__(self, n_groups: int) -> None:
        self.load = [0] * n_groups
        self.units: list[dict[int, int]] = [{} for _ in range(n_groups)]
        self.pinned: list[dict[int, int]] = [{} for _ in range(n_groups)]  # pos -> beds
        self.group_of: dict[int, int] = {}  # pinned persons only

    def copy(self) -> _State:
        new = _State(0)
        new.load = list(self.load)
        new.units = [dict(u) for u in self.units]
        new.pinned = [dict(m) for m in self.pinned]
        new.group_of = dict(self.group_of)
        return new

    def add(self, t: int, g: int, n: int = 1) -> None:
        u = self.units[g]
        c = u.get(t, 0) + n
        if c:
            u[t] = c
        else:
            del u[t]
        self.load[g] += n


class Wishes:
    def __init__(self, cands: Sequence[Candidate], groups: Sequence[PlaceGroup],
                 placed: Sequence[int], group_of: dict[int, int]) -> None:
        self.cands = cands
        self.placed = list(placed)
        self.slots = [g.slots for g in groups]
        self.fac = [g.facility_id for g in groups]
        fac_index = {f: i for i, f in enumerate(sorted(set(self.fac)))}
        self.fac_int = [fac_index[f] for f in self.fac]
        kept = set(placed)
        self.partner = {pos: cands[pos].partner for pos in placed
                        if cands[pos].partner in kept}
        self.is_pinned = {pos for pos in placed
                          if cands[pos].demand == 2 or pos in self.partner}
        self.type_groups: list[tuple[int, ...]] = []
        self._type_index: dict[tuple[int, ...], int] = {}
        self.type_of = {pos: self._type(cands[pos].elig) for pos in placed}
        self._adopt({pos: group_of[pos] for pos in placed})
        self.initial = self.state.copy()
        self.initial_type = dict(self.type_of)

    def _type(self, allowed: tuple[int, ...]) -> int:
        t = self._type_index.get(allowed)
        if t is None:
            t = self._type_index[allowed] = len(self.type_groups)
            self.type_groups.append(allowed)
        return t

    # --- the search ----------------------------------------------------------------------

    def _search(self, st: _State, types: dict[int, int], p: int, targets: Sequence[int],
                relaxed: bool) -> list[tuple[int, int, int, int]] | None:
        """An alternating path that makes room for ``p`` in one of ``targets``: the moves
        (pinned?, type or position, from group, to group), in the order to apply them, ending
        where a bed is spare or where ``p`` is now; None if there is none.  ``relaxed``: pinned
        persons move too (couples may part, double rooms split): a path then proves nothing,
        but its absence proves that ``p`` cannot be there."""
        slots, load = self.slots, st.load
        pinned_p = p in self.is_pinned
        t_p = types[p]
        here_p = st.group_of.get(p, -1) if pinned_p else -1

        def end(g: int) -> bool:
            if load[g] < slots[g] or g == here_p:
                return True
            return not pinned_p and t_p in st.units[g]

        parent: dict[int, tuple[int, int, int] | None] = dict.fromkeys(targets)
        for g in targets:
            if end(g):
                return [(0, -1, g, g)]
        queue = list(targets)
        seen_t: set[int] = set()
        seen_x: set[int] = set()
        head = 0
        while head < len(queue):
            g = queue[head]
            head += 1
            movers: list[tuple[int, int, tuple[int, ...]]] = []
            for t in st.units[g]:
                if t not in seen_t:
                    seen_t.add(t)
                    movers.append((0, t, self.type_groups[t]))
            for x in st.pinned[g]:
                if x in seen_x or x == p:
                    continue
                seen_x.add(x)
                if relaxed:
                    movers.append((1, x, self.type_groups[types[x]]))
                elif self.cands[x].demand == 1:  # a spouse, within the couple's facility
                    movers.append((1, x, self._at(types[x], self.fac[g])))
            for kind, who, allowed in movers:
                for g2 in allowed:
                    if g2 in parent:
                        continue
                    parent[g2] = (kind, who, g)
                    if end(g2):
                        path = []
                        step = parent[g2]
                        while step is not None:
                            kind_, who_, src = step
                            path.append((kind_, who_, src, g2))
                            g2 = src
                            step = parent[g2]
                        return path
                    queue.append(g2)
        return None

    def _apply(self, path: list[tuple[int, int, int, int]], p: int, new_t: int) -> None:
        """Move along a strict path (movable persons only) and put ``p`` (type ``new_t``) in the
        group where the path starts."""
        st = self.state
        end = path[0][3]
        for kind, who, src, dst in path:
            if who < 0:
                continue
            if kind == 0:
                st.add(who, src, -1)
                st.add(who, dst, 1)
            else:
                del st.pinned[src][who]
                st.pinned[dst][who] = 1
                st.group_of[who] = dst
                st.load[src] -= 1
                st.load[dst] += 1
        target = path[-1][2]
        old_t = self.type_of[p]
        if p in self.is_pinned:
            g0 = st.group_of.get(p)
            beds = self.cands[p].demand
            if g0 is not None:
                del st.pinned[g0][p]
                st.load[g0] -= beds
            st.pinned[target][p] = beds
            st.group_of[p] = target
            st.load[target] += beds
        else:
            g0 = end if old_t in st.units[end] else next(
                g for g, u in enumerate(st.units) if old_t in u)
            st.add(old_t, g0, -1)
            st.add(new_t, target, 1)
        self.type_of[p] = new_t

    def _adopt(self, where: dict[int, int]) -> None:
        """The state with each placed person in the group ``where`` says."""
        st = _State(len(self.slots))
        for pos, g in where.items():
            if pos in self.is_pinned:
                beds = self.cands[pos].demand
                st.pinned[g][pos] = beds
                st.group_of[pos] = g
                st.load[g] += beds
            else:
                st.add(self.type_of[pos], g)
        self.state = st

    # --- one test ------------------------------------------------------------------------

    def _try(self, p: int, allowed: tuple[int, ...]) -> bool:
        """Whether ``p`` can be restricted to ``allowed`` (one facility's groups) with every
        restriction so far; if so, the state is changed to a placement that shows it."""
        st = self.state
        new_t = self._type(allowed)
        q = self.partner.get(p)
        f = self.fac[allowed[0]]
        if q is not None and not self._at(self.type_of[q], f):
            return False  # the spouse cannot be there (R10)
        if p in self.is_pinned:
            if self.fac[st.group_of[p]] == f and (q is None or self.fac[st.group_of[q]] == f):
                self.type_of[p] = new_t
                if q is not None:
                    self.type_of[q] = self._type(self._at(self.type_of[q], f))
                return True
            if q is not None and self._move_couple(p, q, new_t, f):
                return True
        else:
            path = self._search(st, self.type_of, p, allowed, False)
            if path is not None:
                self._apply(path, p, new_t)
                return True
        if self._search(st, self.type_of, p, allowed, True) is None:
            return False
        types = dict(self.type_of)
        types[p] = new_t
        if q is not None:
            at_q = self._at(types[q], f)
            if not at_q:
                return False
            types[q] = self._type(at_q)
        members = self.placed
        class_of = [-1] * len(self.cands)
        for pos in members:
            class_of[pos] = types[pos]
        where = exact_groups(members, class_of, self.type_groups,
                             [c.demand for c in self.cands], [c.partner for c in self.cands],
                             self.fac_int, self.slots)
        if where is None:
            return False
        self.type_of = types
        self._adopt(where)
        return True

    def _move_couple(self, p: int, q: int, new_t: int, f: str) -> bool:
        """Both spouses to facility ``f`` by two augmenting paths (R10); the state unchanged
        if that fails (which proves nothing)."""
        saved, saved_types = self.state.copy(), dict(self.type_of)
        st = self.state
        for x in (p, q):
            g = st.group_of.pop(x)
            del st.pinned[g][x]
            st.load[g] -= 1
        new_q = self._type(self._at(self.type_of[q], f))
        for x, t in ((p, new_t), (q, new_q)):
            path = self._search(self.state, self.type_of, x, self.type_groups[t], False)
            if path is None:
                self.state, self.type_of = saved, saved_types
                return False
            self._apply(path, x, t)
        return True

    def _at(self, t: int, f: str) -> tuple[int, ...]:
        return tuple(g for g in self.type_groups[t] if self.fac[g] == f)

    def _why_missed(self, p: int, allowed: tuple[int, ...]) -> WishMiss:
        """Whether ``p`` could be at the facility if nobody before them had a wish met."""
        types = self.initial_type
        if p in self.is_pinned:
            g0 = self.initial.group_of[p]
            q = self.partner.get(p)
            if g0 in allowed and (q is None or self.fac[self.initial.group_of[q]] == self.fac[g0]):
                return WishMiss.WENT_TO_EARLIER
        elif self._search(self.initial, types, p, allowed, False) is not None:
            return WishMiss.WENT_TO_EARLIER
        if self._search(self.initial, types, p, allowed, True) is None:
            return WishMiss.WOULD_LEAVE_SOMEONE_WITHOUT
        return WishMiss.NOT_POSSIBLE

    # --- the stage -----------------------------------------------------------------------

    def run(self) -> WishOutcome:
        out = WishOutcome({}, {}, {})
        order = sorted(self.placed, key=lambda pos: allocation_key(self.cands[pos].person))
        for p in order:
            c = self.cands[p]
            missed: list[tuple[str, WishMiss]] = []
            for r, f in enumerate(c.person.wishes):
                allowed = self._at(self.type_of[p], f)
                if not allowed:
                    if not self._at(self.initial_type[p], f):
                        missed.append((f, WishMiss.NO_SUITABLE_PLACE))
                    else:
                        missed.append((f, self._why_missed(p, self._at(self.initial_type[p], f))))
                    continue
                if self._try(p, allowed):
                    out.restrict[p] = f
                    out.rank[p] = r + 1
                    q = self.partner.get(p)
                    if q is not None and q not in out.restrict:
                        self.type_of[q] = self._type(self._at(self.type_of[q], f))
                    break
                missed.append((f, self._why_missed(p, allowed)))
            if missed:
                out.missed[p] = missed
        return out
