"""The independent check of the moves (R28) of a plan: its own reading of the rules, not the
stage's code (:mod:`optimizer.moves`), beside :mod:`optimizer.check` for the waiting list.

Checked: every move is of a mover, to a vacancy of the problem that fits the move (class,
kind, reason, the spouse's facility, a whole double room for an accompanying spouse), never
the mover's own place; no vacancy holds more than its beds (the waiting list's own places and
the moves together); **no vacancy a waiting person without an own place could use is given to
a mover**; and every fact of every mover's explanation holds (the rank in the movers' order,
the reason, the place, the wish, "nobody waiting can use it", "no place fits", "the places
that fit were taken or kept for the list, or went to movers before you").
"""

from __future__ import annotations

from .check import suits
from .model import (
    AllocationPlan,
    AllocationProblem,
    AssignmentKind,
    FactKind,
    PlaceType,
    Room,
    Vacancy,
    WaitingPerson,
)
from .move_model import Mover
from .wording import render

_TIERS = ("change_of_need", "spouses_together", "free_choice", "bought_to_own")


def _order(m: Mover) -> tuple[object, ...]:
    score = m.need_score
    return (_TIERS.index(m.reason.value), 1 if score is None else 0, -(score or 0),
            m.resident_since.toordinal(), m.case_id)


def _type_ok(m: Mover, t: PlaceType) -> bool:
    if m.decided_place_type is PlaceType.REINFORCED:
        return m.reinforced_assessed and t is PlaceType.REINFORCED
    if m.decided_place_type is PlaceType.SCREENED or m.needs_screened:
        return t is PlaceType.SCREENED
    return t in (PlaceType.ORDINARY, PlaceType.SCREENED)


def fits(m: Mover, v: Vacancy) -> bool:
    reason = m.reason.value
    return (v.place_id != m.current_place_id
            and (m.decided_facility_kind is None or v.facility_kind == m.decided_facility_kind)
            and (m.spouse_facility_id is None or m.spouse_facility_id == v.facility_id)
            and (not m.accompanying_spouse or (v.room == Room.DOUBLE and v.capacity >= 2))
            and _type_ok(m, v.place_type)
            and (reason != "change_of_need" or v.place_type == m.decided_place_type)
            and (reason != "spouses_together" or m.spouse_facility_id is not None)
            and (reason != "free_choice" or v.facility_id in m.wishes))


def _can_use(p: WaitingPerson, v: Vacancy) -> bool:
    return suits(p, v, beside=p.spouse_case_id is not None)


def check_moves(problem: AllocationProblem, plan: AllocationPlan) -> list[str]:
    """The false claims and broken rules in the plan's moves (empty: all hold)."""
    out: list[str] = []
    movers = sorted(problem.movers, key=_order)
    by_id = {m.case_id: m for m in movers}
    vac = {v.place_id: v for v in problem.vacancies}
    persons = {p.case_id: p for p in problem.persons}
    own = {a.case_id for a in plan.assignments if a.kind is AssignmentKind.OWN}
    without = [p for p in problem.persons if p.case_id not in own]
    beds: dict[str, int] = {}
    for a in plan.assignments:
        if a.kind is AssignmentKind.OWN:
            beds[a.place_id] = beds.get(a.place_id, 0) + (
                2 if persons[a.case_id].accompanying_spouse else 1)
    moved: dict[str, str] = {}
    for a in plan.moves:
        m, v = by_id.get(a.case_id), vac.get(a.place_id)
        if m is None or v is None or a.case_id in moved:
            out.append(f"{a.case_id}: a move of no mover, to no vacancy, or twice")
            continue
        moved[a.case_id] = a.place_id
        beds[a.place_id] = beds.get(a.place_id, 0) + (2 if m.accompanying_spouse else 1)
        if not fits(m, v):
            out.append(f"{a.case_id}: moved to a place that does not fit the move")
        if any(_can_use(p, v) for p in without):
            out.append(f"{a.case_id}: moved to a place a waiting person could use")
        if (a.facility_id, a.place_type) != (v.facility_id, v.place_type):
            out.append(f"{a.case_id}: the move's facility or type is not the vacancy's")
    for pid, n in beds.items():
        if n > vac[pid].capacity:
            out.append(f"{pid}: more persons than beds")
    seen = [e.case_id for e in plan.move_explanations]
    if sorted(seen) != sorted(by_id):
        out.append("not one explanation per mover")
    rank = {m.case_id: i for i, m in enumerate(movers, start=1)}
    for e in plan.move_explanations:
        m = by_id.get(e.case_id)
        if m is None:
            continue
        if e.text != render(e.facts):
            out.append(f"{e.case_id}: the text is not the facts' sentences")
        if (e.outcome == "move") != (m.case_id in moved):
            out.append(f"{e.case_id}: the outcome is not the plan's")
        for f in e.facts:
            if not _holds(f, m, rank, moved, vac, beds, without, movers, problem):
                out.append(f"{e.case_id}: false fact {f.kind.value}")
    return out


def _holds(f, m: Mover, rank: dict[str, int], moved: dict[str, str],  # type: ignore[no-untyped-def]
           vac: dict[str, Vacancy], beds: dict[str, int], without: list[WaitingPerson],
           movers: list[Mover], problem: AllocationProblem) -> bool:
    at = vac.get(moved.get(m.case_id, ""))
    k = f.kind
    if k is FactKind.MOVE_RANK:
        return f.rank == rank[m.case_id]
    if k is FactKind.MOVE_REASON:
        facility_ok = m.reason.value != "spouses_together" or \
            f.facility_ids == (m.spouse_facility_id,)
        type_ok = m.reason.value != "change_of_need" or f.place_type == m.decided_place_type
        return f.provider == m.reason.value and facility_ok and type_ok
    if k is FactKind.MOVE_OFFER:
        return at is not None and f.facility_ids == (at.facility_id,) and \
            f.place_type == at.place_type and f.facility_names == (at.facility_name,)
    if k is FactKind.MOVE_WISH_MET:
        return at is not None and at.facility_id in m.wishes and \
            f.rank == m.wishes.index(at.facility_id) + 1
    if k is FactKind.MOVE_NOBODY_WAITING_CAN_USE:
        return at is not None and not any(_can_use(p, at) for p in without)
    if k is FactKind.MOVE_NO_SUITABLE_PLACE:
        return at is None and not any(fits(m, v) for v in problem.vacancies)
    if k is FactKind.MOVE_PLACES_TAKEN:
        fitting = [v for v in problem.vacancies if fits(m, v)]
        need = 2 if m.accompanying_spouse else 1
        full = all(v.capacity - beds.get(v.place_id, 0) < need
                   or any(_can_use(p, v) for p in without) for v in fitting)
        earlier = {x.case_id for x in movers if rank[x.case_id] < rank[m.case_id]}
        named = all(c in earlier and c in moved and fits(m, vac[moved[c]])
                    for c in f.case_ids)
        return at is None and f.count == len(fitting) and bool(fitting) and full and named
    return False


__all__ = ["check_moves", "fits"]
