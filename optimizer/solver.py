"""The allocation optimizer: ``solve(problem) -> AllocationPlan`` and the hand-work baseline.

See ``optimizer/README.md`` for the model.  In short, two stages of the same engine run one after
the other — own places (egne plasser), then bought places (kjøp fra annen leverandør) for the
urgent (R15/R4) and for those at or near the deadline (R18/R19) — and each stage is solved in two
steps:

* **who** — the set of persons placed is the priority-maximal one (lexicographically greatest in
  the priority order).  Without spouse coupling it is the unique maximum-weight basis of a
  transversal matroid, found by one min-cost flow with weights ``W = N - rank``.  With spouse
  coupling (spouses waiting together, R10; an accompanying spouse needing a double room, R11) it
  is the matroid greedy with an exact feasibility oracle (a max-flow relaxation first, CP-SAT when
  the relaxation cannot decide).
* **where** — with that set fixed, who goes where: wishes (R16/R20) first, then fewest type
  mismatches needing a reason (R7), then lowest price, then a stable-hash tie-break, combined into
  one integer cost whose weights make the order strictly lexicographic.  A min-cost flow, or
  CP-SAT (one worker, fixed seed, deterministic time limit) when spouses must share a facility.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

import ortools
from ortools.graph.python import max_flow, min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .model import (
    AllocationPlan,
    AllocationProblem,
    Assignment,
    AssignmentKind,
    Explanation,
    PlaceType,
    PlanStatus,
    PurchasableOffer,
    ReasonCode,
    Room,
    SolverInfo,
    Vacancy,
    WaitingPerson,
)

CP_SAT_PARAMETERS: dict[str, object] = {
    "num_workers": 1,
    "random_seed": 0,
    "max_deterministic_time": 600.0,
}
MAX_TIE_BREAK_BITS = 20
MAX_NAMED_IN_EXPLANATION = 50  # higher-need case ids named per explanation (highest first)
MIP_TIE_BREAK_BITS = 8
_COST_LIMIT = 1 << 62
_MASK64 = (1 << 64) - 1


class SolverError(RuntimeError):
    """The solver could not prove an optimum (it never returns an unproven plan)."""

def _solve_flow(tails: list[int], heads: list[int], caps: list[int], costs: list[int],
                source: int, sink: int, supply: int, stage: str
                ) -> min_cost_flow.SimpleMinCostFlow:
    """Solve a min-cost flow of ``supply`` units from source to sink; OPTIMAL or an error."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_node_supply(source, supply)
    mcf.set_node_supply(sink, -supply)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise SolverError(f"min-cost flow ({stage}) status {status}")
    return mcf



# --- small helpers ----------------------------------------------------------------------------


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _mix(x: int) -> int:
    """splitmix64 finaliser: a fixed, platform-independent 64-bit mixing function."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def person_class(p: WaitingPerson) -> str:
    """'R' decided reinforced, 'S' needs a screened place (R7), 'O' ordinary."""
    if p.decided_place_type is PlaceType.REINFORCED:
        return "R"
    if p.needs_screened or p.decided_place_type is PlaceType.SCREENED:
        return "S"
    return "O"


def is_urgent(p: WaitingPerson) -> bool:
    """R15 (kan ikke lenger ivaretas forsvarlig i hjemmet) or R4 (granted outright, not placed)."""
    return p.urgent or p.granted_outright


def waiting_list_key(p: WaitingPerson) -> tuple[object, ...]:
    """The R15/R16 order: urgent first, then greatest need, then longest wait, then case id."""
    return (not is_urgent(p), -p.need_score, p.decision_date, p.case_id)


def allocation_key(p: WaitingPerson) -> tuple[object, ...]:
    """The order the optimizer maximises lexicographically.

    It is the waiting-list order with one refinement from R7: persons who need a screened place
    go before those who do not.  The two groups compete only for screened places (a person who
    needs one takes no other), so the refinement means exactly that a screened place is not
    given to someone who does not need it while someone who needs it waits.
    """
    return (person_class(p) != "S", *waiting_list_key(p))


@dataclasses.dataclass
class _Group:
    """Interchangeable places: same facility, type, room, beds (and price/provider if bought)."""

    idx: int
    key: tuple[object, ...]
    facility_id: str
    place_type: PlaceType
    room: Room
    cap: int
    price: int
    kind: AssignmentKind
    items: list[Vacancy | PurchasableOffer]
    slots: int
    tb: int


@dataclasses.dataclass
class _Cand:
    pos: int  # position in allocation order within the stage
    person: WaitingPerson
    cls: str
    restriction: str | None
    demand: int
    elig: tuple[int, ...]
    mismatch: frozenset[int]
    partner: int | None = None  # pos of the spouse if also a candidate in this stage

    @property
    def coupled(self) -> bool:
        return self.partner is not None or self.demand == 2


def _own_groups(vacancies: Sequence[Vacancy]) -> list[_Group]:
    by_key: dict[tuple[object, ...], list[Vacancy]] = defaultdict(list)
    for v in vacancies:
        if v.capacity <= 0:
            continue
        by_key[(v.facility_id, v.place_type.value, v.room.value, v.capacity)].append(v)
    groups = []
    for i, key in enumerate(sorted(by_key)):
        items = sorted(by_key[key], key=lambda v: (v.available_from, v.unit, v.place_id))
        v0 = items[0]
        groups.append(
            _Group(i, key, v0.facility_id, v0.place_type, v0.room, v0.capacity, 0,
                   AssignmentKind.OWN, list(items), v0.capacity * len(items),
                   _h64("group|" + "|".join(map(str, key))))
        )
    return groups


def _offer_groups(offers: Sequence[PurchasableOffer]) -> list[_Group]:
    by_key: dict[tuple[object, ...], list[PurchasableOffer]] = defaultdict(list)
    for o in offers:
        key = (o.facility_id, o.place_type.value, o.room.value, o.capacity, o.price_per_day,
               o.provider)
        by_key[key].append(o)
    groups = []
    for i, key in enumerate(sorted(by_key)):
        items = sorted(by_key[key], key=lambda o: (o.available_from, o.offer_id))
        o0 = items[0]
        groups.append(
            _Group(i, key, o0.facility_id, o0.place_type, o0.room, o0.capacity,
                   o0.price_per_day, AssignmentKind.PURCHASE, list(items),
                   o0.capacity * len(items), _h64("offer|" + "|".join(map(str, key))))
        )
    return groups


def _fit(p: WaitingPerson, cls: str, g: _Group, restriction: str | None) -> tuple[bool, bool]:
    """(eligible, mismatch needing an R7 reason)."""
    if restriction is not None and g.facility_id != restriction:
        return False, False
    if p.accompanying_spouse and g.cap < 2:
        return False, False
    t = g.place_type
    if cls == "R":
        return (t is PlaceType.REINFORCED and p.reinforced_assessed), False
    if t is PlaceType.REINFORCED:
        return False, False
    if cls == "S":
        if t is PlaceType.SCREENED:
            return True, False
        # R7 exception: an ordinary place to live with the spouse (already resident there, or
        # moving in together into a double room).
        if restriction is not None or p.accompanying_spouse:
            return True, True
        return False, False
    return True, False


def _make_cands(
    persons: Sequence[WaitingPerson],
    groups: Sequence[_Group],
    restrictions: dict[str, str | None],
) -> list[_Cand]:
    ordered = sorted(persons, key=allocation_key)
    pos_of = {p.case_id: i for i, p in enumerate(ordered)}
    cands = []
    for i, p in enumerate(ordered):
        cls = person_class(p)
        r = restrictions.get(p.case_id)
        elig, mism = [], []
        for g in groups:
            ok, mis = _fit(p, cls, g, r)
            if ok:
                elig.append(g.idx)
                if mis:
                    mism.append(g.idx)
        partner = pos_of.get(p.spouse_case_id) if p.spouse_case_id else None
        cands.append(_Cand(i, p, cls, r, 2 if p.accompanying_spouse else 1, tuple(elig),
                           frozenset(mism), partner))
    return cands


# --- stage "who": the priority-maximal placed set ------------------------------------------


def _who_flow(cands: Sequence[_Cand], groups: Sequence[_Group]) -> list[int]:
    """Max-weight independent set of the transversal matroid, W = N - rank: one min-cost flow."""
    n = len(cands)
    keys: dict[tuple[int, ...], int] = {}
    for c in cands:
        if c.elig:
            keys.setdefault(c.elig, len(keys))
    s, t = 0, 1
    pbase, kbase = 2, 2 + n
    gbase = kbase + len(keys)
    tails, heads, caps, costs = [], [], [], []

    def arc(a: int, b: int, cap: int, cost: int) -> None:
        tails.append(a)
        heads.append(b)
        caps.append(cap)
        costs.append(cost)

    for c in cands:
        if c.elig:
            arc(s, pbase + c.pos, 1, -(n - c.pos))
            arc(pbase + c.pos, kbase + keys[c.elig], 1, 0)
    for elig, k in keys.items():
        for gi in elig:
            arc(kbase + k, gbase + gi, n, 0)
    for g in groups:
        arc(gbase + g.idx, t, g.slots, 0)
    arc(s, t, n, 0)
    mcf = _solve_flow(tails, heads, caps, costs, s, t, n, "who")
    placed = []
    ai = 0
    for c in cands:
        if c.elig:
            if mcf.flow(ai) == 1:
                placed.append(c.pos)
            ai += 2
    return placed


class _CoupledWho:
    """Greedy over the priority order with an exact feasibility oracle (spouse coupling).

    The family of placeable sets is closed under removal, so keeping each person in order when
    the kept set stays feasible gives exactly the lexicographically greatest feasible set.
    """

    def __init__(self, cands: Sequence[_Cand], groups: Sequence[_Group]) -> None:
        self.cands = cands
        self.groups = groups
        self.kept: list[int] = []
        self.kept_set: set[int] = set()
        self.usage = [0] * len(groups)
        self.where: dict[int, int] = {}  # coupled pos -> group idx in the current solution
        self.dead: set[tuple[int, ...]] = set()
        self.key_count: dict[tuple[int, ...], int] = defaultdict(int)
        self.cp_calls = 0

    def run(self) -> list[int]:
        for c in self.cands:
            if not c.elig:
                continue
            if not c.coupled and c.elig in self.dead:
                continue
            if self._quick(c) or self._oracle(c):
                self.kept.append(c.pos)
                self.kept_set.add(c.pos)
                if not c.coupled:
                    self.key_count[c.elig] += 1
            elif not c.coupled:
                self.dead.add(c.elig)
        return sorted(self.kept)

    def _free(self, gi: int) -> int:
        return self.groups[gi].slots - self.usage[gi]

    def _quick(self, c: _Cand) -> bool:
        options: Iterable[int] = c.elig
        if c.partner is not None and c.partner in self.kept_set:
            fac = self.groups[self.where[c.partner]].facility_id
            options = [gi for gi in c.elig if self.groups[gi].facility_id == fac]
        for gi in options:
            if self._free(gi) >= c.demand:
                self.usage[gi] += c.demand
                if c.coupled:
                    self.where[c.pos] = gi
                return True
        return False

    def _members(self, c: _Cand) -> tuple[dict[tuple[int, ...], int], list[_Cand]]:
        counts = dict(self.key_count)
        coupled = [self.cands[i] for i in self.kept if self.cands[i].coupled]
        if c.coupled:
            coupled.append(c)
        else:
            counts[c.elig] = counts.get(c.elig, 0) + 1
        return counts, coupled

    def _oracle(self, c: _Cand) -> bool:
        counts, coupled = self._members(c)
        ok, usage, where = self._relaxed(counts, coupled)
        if not ok:
            return False
        if self._respects_coupling(coupled, where):
            self.usage, self.where = usage, where
            return True
        ok, usage, where = self._exact(counts, coupled)
        if ok:
            self.usage, self.where = usage, where
        return ok

    def _respects_coupling(self, coupled: list[_Cand], where: dict[int, int | None]) -> bool:
        present = {x.pos for x in coupled}
        for x in coupled:
            if where.get(x.pos) is None:
                return False
            if x.partner is not None and x.partner in present:
                gx = self.groups[where[x.pos]]  # type: ignore[index]
                gy = self.groups[where[x.partner]]  # type: ignore[index]
                if gx.facility_id != gy.facility_id:
                    return False
        return True

    def _relaxed(
        self, counts: dict[tuple[int, ...], int], coupled: list[_Cand]
    ) -> tuple[bool, list[int], dict[int, int | None]]:
        """Max-flow relaxation: spouses may be apart, two beds need not be one room."""
        g_n = len(self.groups)
        s, t = 0, 1
        kbase = 2
        keys = list(counts)
        cbase = kbase + len(keys)
        gbase = cbase + len(coupled)
        mf = max_flow.SimpleMaxFlow()
        demand = 0
        for k, elig in enumerate(keys):
            mf.add_arc_with_capacity(s, kbase + k, counts[elig])
            demand += counts[elig]
            for gi in elig:
                mf.add_arc_with_capacity(kbase + k, gbase + gi, counts[elig])
        coupled_arcs: list[list[tuple[int, int]]] = []
        for j, x in enumerate(coupled):
            mf.add_arc_with_capacity(s, cbase + j, x.demand)
            demand += x.demand
            arcs = []
            for gi in x.elig:
                arcs.append((mf.add_arc_with_capacity(cbase + j, gbase + gi, x.demand), gi))
            coupled_arcs.append(arcs)
        sink_arcs = [mf.add_arc_with_capacity(gbase + gi, t, self.groups[gi].slots)
                     for gi in range(g_n)]
        if mf.solve(s, t) != mf.OPTIMAL:
            raise SolverError("max flow failed")
        if mf.optimal_flow() < demand:
            return False, [], {}
        usage = [mf.flow(a) for a in sink_arcs]
        where: dict[int, int | None] = {}
        for j, x in enumerate(coupled):
            whole = [gi for a, gi in coupled_arcs[j] if mf.flow(a) == x.demand]
            where[x.pos] = whole[0] if whole else None
        return True, usage, where

    def _exact(
        self, counts: dict[tuple[int, ...], int], coupled: list[_Cand]
    ) -> tuple[bool, list[int], dict[int, int | None]]:
        self.cp_calls += 1
        m = cp_model.CpModel()
        load: dict[int, list[object]] = defaultdict(list)
        for k, (elig, n_e) in enumerate(sorted(counts.items())):
            us = [m.new_int_var(0, n_e, f"u{k}_{gi}") for gi in elig]
            m.add(sum(us) == n_e)
            for gi, u in zip(elig, us, strict=True):
                load[gi].append(u)
        xs: dict[int, dict[int, cp_model.IntVar]] = {}
        for x in coupled:
            xs[x.pos] = {gi: m.new_bool_var(f"x{x.pos}_{gi}") for gi in x.elig}
            m.add_exactly_one(xs[x.pos].values())
            for gi, b in xs[x.pos].items():
                load[gi].append(x.demand * b)
        for gi, terms in load.items():
            m.add(sum(terms) <= self.groups[gi].slots)  # type: ignore[arg-type]
        _add_colocation(m, coupled, xs, self.groups)
        status = _solve_cp(m)
        if status == cp_model.INFEASIBLE:
            return False, [], {}
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverError(f"CP-SAT feasibility status {status}")
        solver = self._last_solver
        usage = [0] * len(self.groups)
        for gi, terms in load.items():
            usage[gi] = sum(int(solver.value(v)) for v in terms)  # type: ignore[arg-type]
        where: dict[int, int | None] = {}
        for x in coupled:
            where[x.pos] = next(gi for gi, b in xs[x.pos].items() if solver.value(b))
        return True, usage, where

    @property
    def _last_solver(self) -> cp_model.CpSolver:
        return _LAST_SOLVER[0]


_LAST_SOLVER: list[cp_model.CpSolver] = []


def _solve_cp(m: cp_model.CpModel) -> int:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = int(CP_SAT_PARAMETERS["num_workers"])  # type: ignore[arg-type]
    solver.parameters.random_seed = int(CP_SAT_PARAMETERS["random_seed"])  # type: ignore[arg-type]
    solver.parameters.max_deterministic_time = float(
        CP_SAT_PARAMETERS["max_deterministic_time"]  # type: ignore[arg-type]
    )
    status = solver.solve(m)
    _LAST_SOLVER[:] = [solver]
    return int(status)


def _add_colocation(
    m: cp_model.CpModel,
    coupled: Sequence[_Cand],
    xs: dict[int, dict[int, cp_model.IntVar]],
    groups: Sequence[_Group],
) -> None:
    """R10: spouses both placed in this stage live at the same facility."""
    for x in coupled:
        if x.partner is None or x.partner not in xs or x.pos > x.partner:
            continue
        a, b = xs[x.pos], xs[x.partner]
        facs = {groups[gi].facility_id for gi in (*a, *b)}
        for f in sorted(facs):
            fa = [v for gi, v in a.items() if groups[gi].facility_id == f]
            fb = [v for gi, v in b.items() if groups[gi].facility_id == f]
            m.add(sum(fa) == sum(fb))


# --- stage "where": who goes where, given who ---------------------------------------------


@dataclasses.dataclass
class _Costs:
    k1: int
    k2: int
    k3: int
    tbits: int
    wmax: int

    def person_part(self, wish: int, mismatch: bool, tb: int) -> int:
        return (self.wmax - wish) * self.k1 + int(mismatch) * self.k2 + tb

    def group_part(self, price: int, tb: int) -> int:
        return price * self.k3 + tb

    def tb(self, x: int) -> int:
        return x >> (64 - self.tbits) if self.tbits else 0


def _wish_score(p: WaitingPerson, cls: str, g: _Group, weights: Sequence[int],
                screened_w: int) -> int:
    score = 0
    if g.facility_id in p.wishes:
        r = p.wishes.index(g.facility_id)
        score += weights[r] if r < len(weights) else 0
    if cls == "O" and p.prefers_screened and g.place_type is PlaceType.SCREENED:
        score += screened_w
    return score


def _choose_costs(n_persons: int, n_mismatch: int, max_price: int, wmax: int,
                  n_nodes: int, max_bits: int) -> _Costs:
    for bits in range(max_bits, -1, -1):
        t = (1 << bits) if bits else 0
        k3 = 2 * t * n_persons + 1
        k2 = (max_price * n_persons + 1) * k3
        k1 = (n_mismatch + 1) * k2
        top = wmax * k1 + k2 + max_price * k3 + 2 * t
        if top * (n_nodes + 2) < _COST_LIMIT and top * (n_persons + 1) < _COST_LIMIT:
            return _Costs(k1, k2, k3, bits, wmax)
    raise SolverError("objective range too large for exact integer weights")


class _Where:
    def __init__(self, cands: Sequence[_Cand], groups: Sequence[_Group], placed: Sequence[int],
                 weights: Sequence[int], screened_w: int) -> None:
        self.cands = cands
        self.groups = groups
        self.placed = list(placed)
        self.weights = weights
        self.screened_w = screened_w
        self.wmax = (max(weights) if weights else 0) + screened_w
        self.types = sorted({g.place_type for g in groups}, key=lambda x: x.value)
        self.hub_groups = {t: [g.idx for g in groups if g.place_type is t] for t in self.types}
        # arcs per person: (target, is_hub, wish, mismatch, tbkey)
        self.arcs: dict[int, list[tuple[object, bool, int, bool, int]]] = {}
        n_mis = 0
        for pos in self.placed:
            c = cands[pos]
            hp = _h64("person|" + c.person.case_id)
            use_hub = c.restriction is None and not c.coupled
            lst: list[tuple[object, bool, int, bool, int]] = []
            hub_types: set[PlaceType] = set()
            for gi in c.elig:
                g = groups[gi]
                mis = gi in c.mismatch
                w = _wish_score(c.person, c.cls, g, weights, screened_w)
                if use_hub and not mis and g.facility_id not in c.person.wishes:
                    hub_types.add(g.place_type)
                    continue
                lst.append((gi, False, w, mis, _mix(hp ^ g.tb)))
            for t in sorted(hub_types, key=lambda x: x.value):
                w = self.screened_w if (c.cls == "O" and c.person.prefers_screened
                                        and t is PlaceType.SCREENED) else 0
                lst.append((t, True, w, False, _mix(hp ^ _h64("hub|" + t.value))))
            if c.mismatch:
                n_mis += 1
            self.arcs[pos] = lst
        self.n_mis = n_mis
        self.max_price = max((g.price for g in groups), default=0)

    def costs(self, n_nodes: int, max_bits: int = MAX_TIE_BREAK_BITS) -> _Costs:
        return _choose_costs(len(self.placed), self.n_mis, self.max_price, self.wmax, n_nodes,
                             max_bits)

    def solve(self) -> tuple[dict[int, int], int]:
        coupled = [self.cands[pos] for pos in self.placed if self.cands[pos].coupled]
        if not coupled:
            return self._solve_flow()
        # The flow without the coupling is a relaxation: if its optimum happens to keep every
        # couple together (and every accompanying spouse in one room), it is the optimum.
        if all(c.demand == 1 for c in coupled):
            result, cost = self._solve_flow()
            if all(c.partner is None or c.partner not in result or
                   self.groups[result[c.pos]].facility_id
                   == self.groups[result[c.partner]].facility_id for c in coupled):
                return result, cost
        return self._solve_mip()

    def _solve_flow(self) -> tuple[dict[int, int], int]:
        n = len(self.placed)
        s, t = 0, 1
        pbase = 2
        hbase = pbase + n
        gbase = hbase + len(self.types)
        n_nodes = gbase + len(self.groups)
        cc = self.costs(n_nodes)
        hub_idx = {ty: i for i, ty in enumerate(self.types)}
        tails, heads, caps, costs = [], [], [], []
        person_arcs: list[tuple[int, object, bool]] = []
        for j, pos in enumerate(self.placed):
            tails.append(s)
            heads.append(pbase + j)
            caps.append(1)
            costs.append(0)
            person_arcs.append((-1, None, False))
            for target, is_hub, w, mis, tbk in self.arcs[pos]:
                tails.append(pbase + j)
                if is_hub:
                    heads.append(hbase + hub_idx[target])  # type: ignore[index]
                    costs.append(cc.person_part(w, mis, cc.tb(tbk)))
                else:
                    g = self.groups[target]  # type: ignore[index]
                    heads.append(gbase + g.idx)
                    costs.append(cc.person_part(w, mis, cc.tb(tbk)) + g.price * cc.k3)
                caps.append(1)
                person_arcs.append((pos, target, is_hub))
        hub_arc_start = len(tails)
        hub_arcs: list[tuple[PlaceType, int]] = []
        for ty in self.types:
            for gi in self.hub_groups[ty]:
                g = self.groups[gi]
                tails.append(hbase + hub_idx[ty])
                heads.append(gbase + gi)
                caps.append(g.slots)
                costs.append(cc.group_part(g.price, cc.tb(_mix(g.tb))))
                hub_arcs.append((ty, gi))
        for g in self.groups:
            tails.append(gbase + g.idx)
            heads.append(t)
            caps.append(g.slots)
            costs.append(0)
        mcf = _solve_flow(tails, heads, caps, costs, s, t, n, "where")
        flows = mcf.flows(list(range(len(tails))))
        result: dict[int, int] = {}
        via_hub: dict[PlaceType, list[int]] = defaultdict(list)
        for a, (pos, target, is_hub) in enumerate(person_arcs):
            if pos < 0 or flows[a] == 0:
                continue
            if is_hub:
                via_hub[target].append(pos)  # type: ignore[index]
            else:
                result[pos] = target  # type: ignore[assignment]
        units: dict[PlaceType, list[int]] = defaultdict(list)
        for k, (ty, gi) in enumerate(hub_arcs):
            units[ty].extend([gi] * int(flows[hub_arc_start + k]))
        for ty, persons in via_hub.items():
            for pos, gi in zip(sorted(persons), units[ty], strict=True):
                result[pos] = gi
        return result, int(mcf.optimal_cost())

    def _solve_mip(self) -> tuple[dict[int, int], int]:
        """The coupled "where": a MIP solved by SCIP through pywraplp (single thread, gap 0).

        The transportation structure keeps the LP relaxation almost integral; the objective is
        the same lexicographic integer cost as the flow (tie-break range kept small enough
        that every objective value is exact in double precision).
        """
        n_terms = sum(len(a) for a in self.arcs.values()) + sum(g.slots for g in self.groups)
        cc = self.costs(n_terms + 8, MIP_TIE_BREAK_BITS)
        top = cc.wmax * cc.k1 + cc.k2 + self.max_price * cc.k3 + 2
        if top * (len(self.placed) + 1) >= 1 << 52:
            raise SolverError("objective range too large for an exact MIP objective")
        solver = pywraplp.Solver.CreateSolver("SCIP")
        if solver is None:
            raise SolverError("SCIP is not available in this OR-Tools build")
        solver.SetNumThreads(1)
        xs: dict[int, dict[int, pywraplp.Variable]] = {}
        hubx: dict[int, dict[PlaceType, pywraplp.Variable]] = {}
        load: dict[int, list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
        hub_in: dict[PlaceType, list[pywraplp.Variable]] = defaultdict(list)
        obj = solver.Objective()
        for pos in self.placed:
            c = self.cands[pos]
            xs[pos], hubx[pos] = {}, {}
            for target, is_hub, w, mis, tbk in self.arcs[pos]:
                b = solver.BoolVar(f"x{pos}_{target}")
                if is_hub:
                    hubx[pos][target] = b  # type: ignore[index]
                    hub_in[target].append(b)  # type: ignore[index]
                    obj.SetCoefficient(b, cc.person_part(w, mis, cc.tb(tbk)))
                else:
                    g = self.groups[target]  # type: ignore[index]
                    xs[pos][g.idx] = b
                    load[g.idx].append((c.demand, b))
                    obj.SetCoefficient(b, cc.person_part(w, mis, cc.tb(tbk)) + g.price * cc.k3)
            solver.Add(solver.Sum([*xs[pos].values(), *hubx[pos].values()]) == 1)
        hflow: dict[tuple[PlaceType, int], pywraplp.Variable] = {}
        for ty in self.types:
            if not hub_in[ty]:
                continue
            fl = []
            for gi in self.hub_groups[ty]:
                g = self.groups[gi]
                v = solver.IntVar(0, g.slots, f"h{ty.value}_{gi}")
                hflow[(ty, gi)] = v
                fl.append(v)
                load[gi].append((1, v))
                obj.SetCoefficient(v, cc.group_part(g.price, cc.tb(_mix(g.tb))))
            solver.Add(solver.Sum(fl) == solver.Sum(hub_in[ty]))
        for gi, terms in load.items():
            solver.Add(solver.Sum([k * v for k, v in terms]) <= self.groups[gi].slots)
        for pos in self.placed:
            c = self.cands[pos]
            if c.partner is None or c.partner not in xs or pos > c.partner:
                continue
            a, b2 = xs[pos], xs[c.partner]
            for f in sorted({self.groups[gi].facility_id for gi in (*a, *b2)}):
                fa = [v for gi, v in a.items() if self.groups[gi].facility_id == f]
                fb = [v for gi, v in b2.items() if self.groups[gi].facility_id == f]
                solver.Add(solver.Sum(fa) == solver.Sum(fb))
        obj.SetMinimization()
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
        status = solver.Solve(params)
        if status != pywraplp.Solver.OPTIMAL:
            raise SolverError(f"SCIP (where) did not prove an optimum: status {status}")
        result: dict[int, int] = {}
        via_hub: dict[PlaceType, list[int]] = defaultdict(list)
        for pos in self.placed:
            for gi, b in xs[pos].items():
                if b.solution_value() > 0.5:
                    result[pos] = gi
            for ty, b in hubx[pos].items():
                if b.solution_value() > 0.5:
                    via_hub[ty].append(pos)
        for ty, persons in via_hub.items():
            units = []
            for gi in self.hub_groups[ty]:
                units.extend([gi] * round(hflow[(ty, gi)].solution_value()))
            for pos, gi in zip(sorted(persons), units, strict=True):
                result[pos] = gi
        return result, round(obj.Value())


# --- a stage, end to end ----------------------------------------------------------------------


@dataclasses.dataclass
class _StageResult:
    cands: list[_Cand]
    groups: list[_Group]
    placed: list[int]
    group_of: dict[int, int]
    item_of: dict[int, Vacancy | PurchasableOffer]
    who_weight: int
    wish_total: int
    mismatch_total: int
    price_total: int
    used_cp: bool


def _fill_items(cands: Sequence[_Cand], groups: Sequence[_Group],
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


def _run_stage(persons: Sequence[WaitingPerson], groups: list[_Group],
               restrictions: dict[str, str | None], weights: Sequence[int],
               screened_w: int) -> _StageResult:
    cands = _make_cands(persons, groups, restrictions)
    any_coupled = any(c.coupled and c.elig for c in cands)
    if not groups or not cands:
        placed: list[int] = []
    elif any_coupled:
        placed = _CoupledWho(cands, groups).run()
    else:
        placed = _who_flow(cands, groups)
    n = len(cands)
    group_of: dict[int, int] = {}
    used_cp = any_coupled
    if placed:
        where = _Where(cands, groups, placed, weights, screened_w)
        group_of, _ = where.solve()
    item_of = _fill_items(cands, groups, group_of)
    wish = sum(_wish_score(cands[p].person, cands[p].cls, groups[g], weights, screened_w)
               for p, g in group_of.items())
    mism = sum(1 for p, g in group_of.items() if g in cands[p].mismatch)
    price = sum(groups[g].price for g in group_of.values())
    return _StageResult(cands, groups, placed, group_of, item_of,
                        sum(n - p for p in placed), wish, mism, price, used_cp)


def _validate(problem: AllocationProblem) -> None:
    ids = {p.case_id: p for p in problem.persons}
    if len(ids) != len(problem.persons):
        raise ValueError("duplicate case_id")
    if len({v.place_id for v in problem.vacancies}) != len(problem.vacancies):
        raise ValueError("duplicate place_id")
    if len({o.offer_id for o in problem.purchasable}) != len(problem.purchasable):
        raise ValueError("duplicate offer_id")
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
        if not 0 <= p.need_score <= 100:
            raise ValueError(f"{p.case_id}: need_score outside 0..100")


def solver_info(name: str = "optimizer") -> SolverInfo:
    params = (
        ("who", "min_cost_flow W=N-rank | greedy+maxflow+cp_sat oracle"),
        ("where", "min_cost_flow lexicographic integer cost | scip mip (1 thread, gap 0)"),
        ("cp_sat", ",".join(f"{k}={v}" for k, v in sorted(CP_SAT_PARAMETERS.items()))),
        ("tie_break", f"sha256+splitmix64, up to {MAX_TIE_BREAK_BITS} bits"),
    )
    return SolverInfo(name, ortools.__version__, params)


def solve(problem: AllocationProblem) -> AllocationPlan:
    """The allocation plan (tildelingsforslag) for ``problem``: proven optimal, deterministic."""
    _validate(problem)
    problem_hash = problem.problem_hash()
    canon = problem.canonical()
    pol = canon.policy
    persons = canon.persons
    by_id = {p.case_id: p for p in persons}

    own_groups = _own_groups(canon.vacancies)
    restrictions = {p.case_id: p.spouse_resident_facility_id for p in persons}
    own = _run_stage(persons, own_groups, restrictions, pol.wish_weights,
                     pol.prefers_screened_weight)
    own_by_case = {own.cands[pos].person.case_id: own.item_of[pos] for pos in own.group_of}

    horizon = canon.as_of + dt.timedelta(days=pol.deadline_horizon_days)
    buyers = [p for p in persons if p.case_id not in own_by_case
              and (is_urgent(p) or (p.deadline <= horizon and not p.chose_to_wait))]
    buy_restr: dict[str, str | None] = {}
    for p in buyers:
        r = p.spouse_resident_facility_id
        if p.spouse_case_id and p.spouse_case_id in own_by_case:
            r = own_by_case[p.spouse_case_id].facility_id
        buy_restr[p.case_id] = r
    buy = _run_stage(buyers, _offer_groups(canon.purchasable), buy_restr, pol.wish_weights,
                     pol.prefers_screened_weight)
    buy_by_case = {buy.cands[pos].person.case_id: buy.item_of[pos] for pos in buy.group_of}

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
                                      o.place_type, o.room, o.price_per_day))
    unplaced = tuple(sorted(c for c in by_id if c not in own_by_case and c not in buy_by_case))
    explanations = explain(canon, own_by_case, buy_by_case, horizon)
    objective = (
        ("own_who_weight", own.who_weight),
        ("own_wish_score", own.wish_total),
        ("own_type_mismatches", own.mismatch_total),
        ("purchase_who_weight", buy.who_weight),
        ("purchase_wish_score", buy.wish_total),
        ("purchase_type_mismatches", buy.mismatch_total),
        ("purchase_price_per_day", buy.price_total),
    )
    return AllocationPlan(problem_hash, PlanStatus.OPTIMAL, tuple(assignments), unplaced,
                          explanations, solver_info(), objective)


# --- explanation ------------------------------------------------------------------------------

_TYPE_WORD = {PlaceType.ORDINARY: "an ordinary", PlaceType.SCREENED: "a screened",
              PlaceType.REINFORCED: "a reinforced"}


def _type_fit(p: WaitingPerson, t: PlaceType) -> str:
    cls = person_class(p)
    if cls == "S" and t is PlaceType.ORDINARY:
        return "ordinary_for_dementia"
    if cls == "O" and t is PlaceType.SCREENED:
        return "screened_not_needed"
    return "exact"


def _eligible_anywhere(p: WaitingPerson, places: Sequence[Vacancy]) -> list[Vacancy]:
    cls = person_class(p)
    out = []
    for v in places:
        g = _Group(0, (), v.facility_id, v.place_type, v.room, v.capacity, 0,
                   AssignmentKind.OWN, [v], v.capacity, 0)
        if _fit(p, cls, g, p.spouse_resident_facility_id)[0]:
            out.append(v)
    return out


def _own_reason(p: WaitingPerson, problem: AllocationProblem,
                own: dict[str, Vacancy | PurchasableOffer], by_id: dict[str, WaitingPerson],
                occupants: dict[str, list[str]],
                cache: dict[tuple[object, ...], list[Vacancy]],
                ) -> tuple[ReasonCode, str, tuple[str, ...]]:
    cls = person_class(p)
    if cls == "R" and not p.reinforced_assessed:
        return (ReasonCode.REINFORCED_NOT_ASSESSED,
                "A reinforced place can only be given after an assessment for a reinforced "
                "place, and that assessment is not recorded.", ())
    ck = (cls, p.reinforced_assessed, p.spouse_resident_facility_id, p.accompanying_spouse)
    if ck not in cache:
        cache[ck] = _eligible_anywhere(p, problem.vacancies)
    suitable = cache[ck]
    if not suitable:
        if p.spouse_resident_facility_id is not None:
            return (ReasonCode.SPOUSE_FACILITY_NO_PLACE,
                    f"No suitable place is vacant at {p.spouse_resident_facility_id}, where "
                    "your spouse or cohabitant lives; you will be offered a place there "
                    "(R10, § 2-3).", ())
        if p.accompanying_spouse:
            return (ReasonCode.NO_DOUBLE_ROOM,
                    "No suitable double room is vacant for you and your accompanying spouse "
                    "(§ 2-3 second paragraph).", ())
        return (ReasonCode.NO_PLACE_OF_DECIDED_TYPE,
                f"No vacant place is of the type decided for you ({p.decided_place_type.value}"
                f"{', screened because of dementia' if cls == 'S' else ''}).", ())
    tk = ("takers", *ck)
    if tk not in cache:
        ts = sorted({cid for v in suitable for cid in occupants.get(v.place_id, ())},
                    key=lambda c: waiting_list_key(by_id[c]))
        cache[tk] = ts  # type: ignore[assignment]
        cache[("keys", *ck)] = [waiting_list_key(by_id[c]) for c in ts]  # type: ignore[misc]
    takers: list[str] = cache[tk]  # type: ignore[assignment]
    n_higher = bisect.bisect_left(cache[("keys", *ck)], waiting_list_key(p))  # type: ignore[arg-type]
    higher = tuple(takers[: min(n_higher, MAX_NAMED_IN_EXPLANATION)])
    lower_screened = [c for c in takers[n_higher:] if person_class(by_id[c]) == "S"]
    if cls == "O" and lower_screened:
        return (ReasonCode.SCREENED_RESERVED,
                "The vacant places you could take were ordinary places given to persons of "
                "greater need, or screened places kept for persons with dementia who need "
                "them (§ 2-1 fifth paragraph).", higher)
    if p.spouse_case_id is not None and (n_higher < len(takers) or
                                         sum(v.capacity for v in suitable) > len(takers)):
        return (ReasonCode.SPOUSE_CONSTRAINT,
                "A place was vacant, but not at a facility where you and your spouse or "
                "cohabitant can live together (§ 2-3); you are kept together.", higher)
    return (ReasonCode.HIGHER_NEED_TOOK_PLACES,
            f"There were fewer suitable places ({len(suitable)}) than persons with a greater "
            "need for 24-hour care, by the professional assessment (§ 3-3).", higher)


def explain(problem: AllocationProblem, own: dict[str, Vacancy | PurchasableOffer],
            bought: dict[str, Vacancy | PurchasableOffer], horizon: dt.date,
            ) -> tuple[Explanation, ...]:
    pol = problem.policy
    ranked = sorted(problem.persons, key=waiting_list_key)
    rank = {p.case_id: i + 1 for i, p in enumerate(ranked)}
    by_id = {q.case_id: q for q in problem.persons}
    occupants: dict[str, list[str]] = defaultdict(list)
    for cid, v in own.items():
        occupants[v.place_id if isinstance(v, Vacancy) else v.offer_id].append(cid)
    suitable_cache: dict[tuple[object, ...], list[Vacancy]] = {}
    out = []
    for p in sorted(problem.persons, key=lambda q: q.case_id):
        cid = p.case_id
        r = rank[cid]
        spouse = p.spouse_case_id
        place = own.get(cid) or bought.get(cid)
        wish_rank = None
        fit = ""
        parts: list[str] = []
        if place is not None:
            if place.facility_id in p.wishes:
                wish_rank = p.wishes.index(place.facility_id) + 1
            fit = _type_fit(p, place.place_type)
            parts.append(f"You are number {r} on the waiting list"
                         f"{' and urgent (§ 3-3 first paragraph)' if is_urgent(p) else ''}.")
            parts.append(f"The place is {_TYPE_WORD[place.place_type]} place at "
                         f"{place.facility_id}.")
            if wish_rank is not None:
                parts.append(f"It is your wish number {wish_rank}.")
            elif p.wishes:
                parts.append("None of your wished facilities had a suitable place you could get.")
            if fit == "ordinary_for_dementia":
                parts.append("It is not a screened place; it is offered so that you can live "
                             "with your spouse or cohabitant (§ 2-1 fifth paragraph).")
            elif fit == "screened_not_needed":
                parts.append("It is a screened place; no one who needs a screened place is "
                             "left waiting for it.")
            if spouse and (own.get(spouse) or bought.get(spouse)):
                sp = own.get(spouse) or bought.get(spouse)
                if sp is not None and sp.facility_id == place.facility_id:
                    parts.append("Your spouse or cohabitant is offered a place at the same "
                                 "facility (§ 2-3).")
            if p.spouse_resident_facility_id == place.facility_id:
                parts.append("Your spouse or cohabitant already lives there (§ 2-3).")
            if p.accompanying_spouse:
                parts.append("It is a double room, so your spouse can move in with you "
                             "(§ 2-3 second paragraph).")
        if cid in own:
            out.append(Explanation(cid, "own", ReasonCode.PLACED_OWN, " ".join(parts), r,
                                   wish_rank, fit, None, spouse, ()))
            continue
        code, why, higher = _own_reason(p, problem, own, by_id, occupants, suitable_cache)
        if cid in bought:
            o = bought[cid]
            assert isinstance(o, PurchasableOffer)
            urgent = is_urgent(p)
            lead = ("You can no longer be cared for safely at home, so a place is bought "
                    "(§ 3-3 first paragraph)." if urgent else
                    f"Your offer deadline {p.deadline.isoformat()} (§ 3-4) is reached or "
                    "near; you may choose this bought place or wait on for a municipal place.")
            text = (f"No municipal place: {why} {lead} {' '.join(parts)} "
                    f"It is offered by {o.provider} at {o.price_per_day} NOK per day.")
            out.append(Explanation(cid, "purchase",
                                   ReasonCode.PURCHASE_URGENT if urgent
                                   else ReasonCode.PURCHASE_DEADLINE,
                                   text, r, wish_rank, fit, code, spouse, higher))
            continue
        extra = ""
        if is_urgent(p):
            extra = (" No suitable place could be bought either; a short-term stay must bridge "
                     "the time until a long-term place (§ 3-3 first paragraph).")
        elif p.chose_to_wait:
            extra = (" You chose to wait for a place in the municipality's own stock "
                     "(§ 3-4 second paragraph).")
        elif p.deadline <= horizon:
            extra = " No suitable place could be bought before the deadline (§ 3-4)."
        elif pol.deadline_horizon_days >= 0:
            extra = f" Your offer deadline is {p.deadline.isoformat()} (§ 3-4)."
        out.append(Explanation(cid, "none", code, f"You are number {r} on the waiting list. "
                               f"{why}{extra}", r, None, "", code, spouse, higher))
    return tuple(out)


# --- the baseline: allocation by hand, one vacancy at a time ---------------------------------


def greedy_baseline(problem: AllocationProblem) -> AllocationPlan:
    """One vacancy at a time (earliest first) to the highest-need person whose type fits.

    As allocation units work by hand today: no look-ahead, no spouse coupling, no purchases.
    """
    canon = problem.canonical()
    waiting = sorted(canon.persons, key=waiting_list_key)
    placed: dict[str, Vacancy | PurchasableOffer] = {}
    for v in sorted(canon.vacancies, key=lambda v: (v.available_from, v.place_id)):
        free = v.capacity
        g = _Group(0, (), v.facility_id, v.place_type, v.room, v.capacity, 0,
                   AssignmentKind.OWN, [v], v.capacity, 0)
        while free > 0:
            nxt = None
            for p in waiting:
                if p.case_id in placed:
                    continue
                cls = person_class(p)
                ok = (cls == "O" and v.place_type is not PlaceType.REINFORCED) or (
                    cls == "S" and v.place_type is PlaceType.SCREENED) or (
                    cls == "R" and _fit(p, cls, g, None)[0])
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
                          explain(canon, placed, {}, horizon),
                          SolverInfo("greedy_baseline", ortools.__version__, ()), ())
