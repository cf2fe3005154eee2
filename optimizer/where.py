"""Stage "where": with the placed set fixed and the wishes decided (``wishes.py``: each person
restricted to the facility of the wish they get, R16), who goes where (R7, price).

One integer cost per arc encodes, strictly lexicographically: the fewest R7 type mismatches,
then the most screened places for persons who prefer one (if the policy weighs it), then the
lowest price in øre, then a stable-hash tie-break.  The level weights are
derived from the instance's own ranges, so no level can trade against another, and the largest
cost is checked against what the engine computes exactly (the tie-break range shrinks first,
never a main level).

Without spouses to keep together this is a min-cost flow.  A person not tied to a facility
reaches the places through one hub per (own/bought, place type, kind of facility), so the
network has O(persons) arcs, not persons x places.  With couples, the flow is a relaxation; if
its optimum keeps every couple at one facility it is the optimum, else a MIP (SCIP, one thread,
gap 0, proven optimum) decides.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from ortools.linear_solver import pywraplp

from .eligibility import Candidate, PlaceGroup, h64, mix
from .engines import SolverError, flow_cost_fits, solve_min_cost_flow
from .model import AssignmentKind, FacilityKind, PlaceType, WaitingPerson

MAX_TIE_BREAK_BITS = 20
_MIP_PACK_LIMIT = 1 << 26  # an objective SCIP sees stays below this: exact despite tolerances
# The model is a flow with a few binaries: SCIP's presolve (probing) and long rounds of cuts cost
# more than they gain (the root LP bound is usually the optimum; the incumbent comes from its
# heuristics), and the dual simplex suits it.  Settings of the search only; the gap stays 0.
SCIP_PARAMETERS = ("presolving/maxrounds = 0\nlp/initalgorithm = d\nlp/resolvealgorithm = d\n"
                   "separating/maxroundsroot = 3\nseparating/maxrounds = 1\n")


@dataclasses.dataclass(frozen=True)
class Costs:
    """Level weights: mismatch (k1) > screened preference unmet (k2) > price (k3) > tie-break
    (``tbits`` bits).  ``pmax`` is 1 when the preference level is on, else 0."""

    k1: int
    k2: int
    k3: int
    tbits: int
    pmax: int
    base_price: int

    def person_part(self, pref: int, mismatch: bool, tb: int) -> int:
        return int(mismatch) * self.k1 + (self.pmax - pref) * self.k2 + tb

    def group_part(self, price: int, tb: int) -> int:
        return (price - self.base_price) * self.k3 + tb

    def tb(self, x: int) -> int:
        return x >> (64 - self.tbits) if self.tbits else 0

    def top(self, max_price: int) -> int:
        """The largest cost a person's path can carry."""
        t = (1 << self.tbits) if self.tbits else 0
        return self.k1 + self.pmax * self.k2 + (max_price - self.base_price) * self.k3 + 2 * t


def choose_costs(n_persons: int, n_pref: int, min_price: int, max_price: int, pmax: int,
                 max_bits: int, n_nodes: int, scale: int = 1) -> Costs:
    """The widest tie-break that keeps every cost (times ``scale``) exact in the flow."""
    for bits in range(max_bits, -1, -1):
        t = (1 << bits) if bits else 0
        k3 = 2 * t * n_persons + 1
        k2 = ((max_price - min_price) * n_persons + 1) * k3
        k1 = (n_pref * pmax + 1) * k2
        costs = Costs(k1, k2, k3, bits, pmax, min_price)
        if flow_cost_fits(costs.top(max_price) * scale, n_nodes):
            return costs
    raise SolverError("objective range too large for exact integer weights")


def _product(xs: Iterable[int]) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def wish_score(p: WaitingPerson, cls: str, g: PlaceGroup, weights: Sequence[int],
               screened_w: int) -> int:
    """The policy's score of a place (reported only: wishes are decided in ``wishes.py``)."""
    score = 0
    if g.facility_id in p.wishes:
        r = p.wishes.index(g.facility_id)
        score += weights[r] if r < len(weights) else 0
    if cls == "O" and p.prefers_screened and g.place_type is PlaceType.SCREENED:
        score += screened_w
    return score


def prefers_met(p: WaitingPerson, cls: str, place_type: PlaceType) -> int:
    """1 if the place is screened and the person prefers but does not need one."""
    return int(cls == "O" and p.prefers_screened and place_type is PlaceType.SCREENED)


class Hub(NamedTuple):
    """Where persons not tied to a facility reach all places of a type (own or bought) and kind
    of facility."""

    kind: AssignmentKind
    place_type: PlaceType
    facility_kind: FacilityKind


def hub_of(g: PlaceGroup) -> Hub:
    return Hub(g.kind, g.place_type, g.facility_kind)


# arcs per person: (target group idx or hub, is_hub, preference met, mismatch, tie-break key)
_Arc = tuple[int | Hub, bool, int, bool, int]


class _Shape:
    """The eligible groups of a class of persons, by facility, and how many of each type can be
    reached through a hub (those needing no R7 reason)."""

    def __init__(self, elig: Sequence[int], mismatch: frozenset[int],
                 groups: Sequence[PlaceGroup]) -> None:
        self.hub_count: dict[Hub, int] = defaultdict(int)
        for gi in elig:
            if gi not in mismatch:
                self.hub_count[hub_of(groups[gi])] += 1


class Where:
    """``restrict``: case positions -> the facility they must be at (their wish, R16)."""

    def __init__(self, cands: Sequence[Candidate], groups: Sequence[PlaceGroup],
                 placed: Sequence[int], restrict: dict[int, str], screened_pref: bool) -> None:
        self.cands = cands
        self.groups = groups
        self.placed = list(placed)
        self.restrict = restrict
        self.pmax = int(screened_pref)
        self.hubs = sorted({hub_of(g) for g in groups},
                           key=lambda h: (h.kind.value, h.place_type.value, h.facility_kind.value))
        self.hub_groups = {h: [g.idx for g in groups if hub_of(g) == h] for h in self.hubs}
        hub_tb = {h: h64("hub|" + h.place_type.value
                         + ("" if h.facility_kind is FacilityKind.NURSING_HOME
                            else "|" + h.facility_kind.value)) for h in self.hubs}
        self.arcs: dict[int, list[_Arc]] = {}
        shapes: dict[tuple[tuple[int, ...], frozenset[int]], _Shape] = {}
        placed_set = set(self.placed)
        # who must be placed with others in view: spouses both placed here (R10), and persons
        # taking a whole double room (R11); they get an arc to each group they fit
        self.tied = {pos for pos in self.placed if cands[pos].demand == 2
                     or cands[pos].partner in placed_set}
        n_pref = 0
        for pos in self.placed:
            c = cands[pos]
            p = c.person
            hp = h64("person|" + p.case_id)
            lst: list[_Arc] = []
            only = restrict.get(pos)
            if only is not None:
                direct, hubs = [gi for gi in c.elig if groups[gi].facility_id == only], []
            elif c.restriction is None and pos not in self.tied:
                # R7 mismatches directly, the rest via the hubs
                shape = shapes.get((c.elig, c.mismatch))
                if shape is None:
                    shape = shapes[(c.elig, c.mismatch)] = _Shape(c.elig, c.mismatch, groups)
                direct = sorted(c.mismatch)
                hubs = [h for h in self.hubs if shape.hub_count.get(h, 0)]
            else:
                direct, hubs = list(c.elig), []
            for gi in direct:
                g = groups[gi]
                lst.append((gi, False, self.pmax * prefers_met(p, c.cls, g.place_type),
                            gi in c.mismatch, mix(hp ^ g.tb)))
            for h in hubs:
                lst.append((h, True, self.pmax * prefers_met(p, c.cls, h.place_type), False,
                            mix(hp ^ hub_tb[h])))
            n_pref += prefers_met(p, c.cls, PlaceType.SCREENED)
            self.arcs[pos] = lst
        self.n_pref = n_pref
        self.max_price = max((g.price for g in groups), default=0)
        self.min_price = min((g.price for g in groups), default=0)

    def costs(self, n_nodes: int, scale: int = 1) -> Costs:
        return choose_costs(len(self.placed), self.n_pref, self.min_price, self.max_price,
                            self.pmax, MAX_TIE_BREAK_BITS, n_nodes, scale)

    def solve(self) -> dict[int, int]:
        """The group of each placed person."""
        result, whole = self._flow()
        if whole and self._together(result):
            return result
        # The flow split a couple or a double room: choose the couples' facilities and the
        # double rooms by MIP, then solve the flow again with those choices fixed.
        facility, room, levels = self._mip_choice()
        result, whole = self._flow(facility, room)
        if not whole or self.levels(result) != levels:
            raise SolverError("where: the flow does not reproduce the MIP's optimum")
        return result

    def _together(self, result: dict[int, int]) -> bool:
        groups = self.groups
        return all(c.partner is None or c.partner not in result
                   or groups[result[c.pos]].facility_id == groups[result[c.partner]].facility_id
                   for c in (self.cands[pos] for pos in self.placed))

    def levels(self, result: dict[int, int]) -> tuple[int, int, int]:
        """(mismatches, screened preferences unmet, price above the cheapest) of an
        assignment."""
        mis = short = price = 0
        for pos, gi in result.items():
            c, g = self.cands[pos], self.groups[gi]
            mis += gi in c.mismatch
            short += self.pmax - self.pmax * prefers_met(c.person, c.cls, g.place_type)
            price += g.price - self.min_price
        return mis, short, price

    def _flow(self, facility: dict[int, str] | None = None, room: dict[int, int] | None = None
              ) -> tuple[dict[int, int], bool]:
        """The lexicographic min-cost flow.  Spouses are restricted to ``facility`` and persons
        with an accompanying spouse fixed to ``room`` (a group) where given; otherwise such a
        person sends two units at half cost each (all other costs doubled), which is exact when
        both units reach one group.  Returns the groups and whether that happened for all."""
        facility, room = {**self.restrict, **(facility or {})}, room or {}
        groups = self.groups
        flowing = [pos for pos in self.placed if pos not in room]
        scale = 2 if any(self.cands[pos].demand == 2 for pos in flowing) else 1
        n = len(flowing)
        s, t = 0, 1
        pbase = 2
        hbase = pbase + n
        gbase = hbase + len(self.hubs)
        cc = self.costs(gbase + len(groups), scale)
        hub_idx = {h: i for i, h in enumerate(self.hubs)}
        free = [g.slots for g in groups]
        for gi in room.values():
            free[gi] -= 2
        tails, heads, caps, costs = [], [], [], []
        person_arcs: list[tuple[int, int | Hub]] = []
        supply = 0
        for j, pos in enumerate(flowing):
            c = self.cands[pos]
            units = c.demand
            per_unit = scale // units
            supply += units
            tails.append(s)
            heads.append(pbase + j)
            caps.append(units)
            costs.append(0)
            person_arcs.append((-1, 0))
            only = facility.get(pos)
            for target, _, w, mis, tbk in self.arcs[pos]:
                if isinstance(target, Hub):
                    heads.append(hbase + hub_idx[target])
                    costs.append(per_unit * cc.person_part(w, mis, cc.tb(tbk)))
                else:
                    g = groups[target]
                    if only is not None and g.facility_id != only:
                        continue
                    heads.append(gbase + g.idx)
                    costs.append(per_unit * (cc.person_part(w, mis, cc.tb(tbk))
                                             + (g.price - cc.base_price) * cc.k3))
                tails.append(pbase + j)
                caps.append(units)
                person_arcs.append((pos, target))
        hub_arc_start = len(tails)
        hub_arcs: list[tuple[Hub, int]] = []
        for ty in self.hubs:
            for gi in self.hub_groups[ty]:
                g = groups[gi]
                tails.append(hbase + hub_idx[ty])
                heads.append(gbase + gi)
                caps.append(free[gi])
                costs.append(scale * cc.group_part(g.price, cc.tb(mix(g.tb))))
                hub_arcs.append((ty, gi))
        for g in groups:
            tails.append(gbase + g.idx)
            heads.append(t)
            caps.append(free[g.idx])
            costs.append(0)
        mcf = solve_min_cost_flow(tails, heads, caps, costs, s, t, supply, "where")
        flows = mcf.flows(np.arange(len(tails), dtype=np.int32)).tolist()
        result: dict[int, int] = dict(room)
        whole = True
        via_hub: dict[Hub, list[int]] = defaultdict(list)
        for a, (pos, target) in enumerate(person_arcs):
            f = flows[a]
            if pos < 0 or f == 0:
                continue
            if isinstance(target, Hub):
                via_hub[target].append(pos)
            elif pos not in result:
                result[pos] = target
                whole = whole and f == self.cands[pos].demand
        units: dict[Hub, list[int]] = defaultdict(list)
        for k, (ty, gi) in enumerate(hub_arcs):
            units[ty].extend([gi] * int(flows[hub_arc_start + k]))
        for ty, persons in via_hub.items():
            for pos, gi in zip(sorted(persons), units[ty], strict=True):
                result[pos] = gi
        return result, whole

    def _mip_choice(self) -> tuple[dict[int, str], dict[int, int], tuple[int, int, int]]:
        """A facility for each couple and a group for each person with an accompanying spouse,
        in a lexicographically optimal assignment: a MIP solved by SCIP (one thread, gap 0).

        A couple is one choice of (facility, type for each spouse), feeding per-(facility,
        type) hubs that lead to the groups (a spouse's R7 fit and preference depend on facility
        and type only; the price is on the hub's arcs).  Only the couples' and the double rooms'
        choices are integer; everything else is a continuous flow, which for fixed choices is
        totally unimodular, so the optimum is that of integer assignments.  The levels are
        optimised one after the other (levels packed into one objective while its range stays
        below 2**26), each then held at its optimum, so every objective SCIP sees is a small
        integer, exact despite floating point.
        """
        groups, cands = self.groups, self.cands
        solver = pywraplp.Solver.CreateSolver("SCIP")
        if solver is None:
            raise SolverError("SCIP is not available in this OR-Tools build")
        solver.SetNumThreads(1)
        load: dict[int, list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
        hub_in: dict[Hub, list[pywraplp.Variable]] = defaultdict(list)
        fhub_in: dict[tuple[str, Hub], list[pywraplp.Variable]] = defaultdict(list)
        levels: list[list[tuple[int, pywraplp.Variable]]] = [[], [], []]
        ranges = [0, 0, 0]
        base = [0, 0]  # what the levels' terms leave out: the fewest mismatches, unmet preferences

        def choice(options: list[tuple[int, int, pywraplp.Variable]]) -> None:
            """One of ``options`` (mismatches, preferences unmet, variable): its level terms,
            measured from the best, so that the ranges are tight."""
            for i in (0, 1):
                fewest = min(o[i] for o in options)
                base[i] += fewest
                ranges[i] += max(o[i] for o in options) - fewest
                for o in options:
                    if o[i] != fewest:
                        levels[i].append((o[i] - fewest, o[2]))
            solver.Add(solver.Sum([o[2] for o in options]) == 1)

        couples: dict[int, int] = {}
        for pos in self.placed:
            p = cands[pos].partner
            if p is not None and pos in self.tied and cands[pos].demand == 1 and pos < p:
                couples[pos] = p
        xs: dict[int, dict[int, pywraplp.Variable]] = {}
        for pos in self.placed:
            c = cands[pos]
            if pos in couples or c.partner in couples:
                continue
            xs[pos] = {}
            options = []
            for target, _, pref, mis, _ in self.arcs[pos]:
                v = solver.BoolVar("") if c.demand == 2 else solver.NumVar(0, 1, "")
                options.append((int(mis), self.pmax - pref, v))
                if isinstance(target, Hub):
                    hub_in[target].append(v)
                else:
                    g = groups[target]
                    xs[pos][target] = v
                    load[target].append((c.demand, v))
                    levels[2].append((g.price - self.min_price, v))
            choice(options)
        couple_z: dict[int, list[tuple[str, pywraplp.Variable]]] = {}
        for h, w_ in couples.items():
            spots = [self._spots(h), self._spots(w_)]
            options, zs = [], []
            for (f, th), (mh, sh) in spots[0].items():
                for (f2, tw), (mw, sw) in spots[1].items():
                    if f2 != f:
                        continue
                    z = solver.BoolVar("")
                    options.append((mh + mw, sh + sw, z))
                    zs.append((f, z))
                    fhub_in[(f, th)].append(z)
                    fhub_in[(f, tw)].append(z)
            if not options:
                raise SolverError("where: a couple placed without a common facility")
            choice(options)
            couple_z[h] = zs
        for ty in self.hubs:
            if hub_in[ty]:
                fl = []
                for gi in self.hub_groups[ty]:
                    g = groups[gi]
                    v = solver.NumVar(0, g.slots, "")
                    fl.append(v)
                    load[gi].append((1, v))
                    levels[2].append((g.price - self.min_price, v))
                solver.Add(solver.Sum(fl) == solver.Sum(hub_in[ty]))
        for (f, hub), ins in fhub_in.items():
            fl = []
            for g in groups:
                if g.facility_id == f and hub_of(g) == hub:
                    v = solver.NumVar(0, g.slots, "")
                    fl.append(v)
                    load[g.idx].append((1, v))
                    levels[2].append((g.price - self.min_price, v))
            solver.Add(solver.Sum(fl) == solver.Sum(ins))
        for gi, terms in load.items():
            solver.Add(solver.Sum([k * v for k, v in terms]) <= groups[gi].slots)
        ranges[2] = (self.max_price - self.min_price) * len(self.placed)
        optimum = self._lexicographic(solver, levels, ranges)
        facility = {}
        for h, zs in couple_z.items():
            f = next(f for f, z in zs if z.solution_value() > 0.5)
            facility[h] = facility[couples[h]] = f
        room = {pos: next(gi for gi, v in xs[pos].items() if v.solution_value() > 0.5)
                for pos in self.placed if cands[pos].demand == 2}
        return facility, room, (base[0] + optimum[0], base[1] + optimum[1], optimum[2])

    def _spots(self, pos: int) -> dict[tuple[str, Hub], tuple[int, int]]:
        """(facility, own/bought, type and kind) -> (mismatch, preference unmet) for a spouse:
        the same for every group there."""
        out: dict[tuple[str, Hub], tuple[int, int]] = {}
        for target, _, pref, mis, _ in self.arcs[pos]:
            assert not isinstance(target, Hub)
            g = self.groups[target]
            out[(g.facility_id, hub_of(g))] = (int(mis), self.pmax - pref)
        return out

    @staticmethod
    def _lexicographic(solver: pywraplp.Solver, levels: list[list[tuple[int, pywraplp.Variable]]],
                       ranges: list[int]) -> list[int]:
        """Optimise the levels in order, each held at its optimum for the next."""
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
        if not solver.SetSolverSpecificParametersAsString(SCIP_PARAMETERS):
            raise SolverError("SCIP refused its parameters")
        packs: list[list[int]] = []
        for level in range(3):
            if ranges[level] == 0:
                continue  # constant: nothing to optimise
            if packs and _product(ranges[i] + 1 for i in (*packs[-1], level)) <= _MIP_PACK_LIMIT:
                packs[-1].append(level)
            else:
                packs.append([level])
        optimum = [0, 0, 0]
        for n_pack, pack in enumerate(packs or [[]]):
            coef: dict[pywraplp.Variable, int] = defaultdict(int)
            w = 1
            for i in reversed(pack):
                for k, v in levels[i]:
                    coef[v] += k * w
                w *= ranges[i] + 1
            objective = solver.Objective()
            objective.Clear()
            for v, k in coef.items():
                objective.SetCoefficient(v, k)
            objective.SetMinimization()
            if solver.Solve(params) != pywraplp.Solver.OPTIMAL:
                raise SolverError("SCIP (where) did not prove an optimum")
            value = round(objective.Value())
            w = 1
            for i in reversed(pack):
                optimum[i] = (value // w) % (ranges[i] + 1)
                w *= ranges[i] + 1
            if n_pack + 1 < len(packs):
                solver.Add(solver.Sum([k * v for v, k in coef.items()]) <= value)
        return optimum
