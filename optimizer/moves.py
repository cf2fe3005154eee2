"""Stage "moves" (flytting, R28): movers planned after the whole waiting list.

The waiting list is planned first, as if there were no movers (its plan is the same with or
without them: R15/R16, and R28 «a move never takes a place from a person on the waiting list
who can use it»).  Then the movers get what is left, on two conditions:

* **left over**: beds of the vacancies not given to a waiting person's own place;
* **nobody waiting can use it**: a vacancy that suits (:func:`waiting_can_use`) any waiting
  person who got no own place in this plan (unplaced, or bought a place) is kept for the list,
  even if the list's plan leaves it free (a couple's coupling, say): a move never takes it.

A mover may use a vacancy (:func:`mover_fits`) of their class (reinforced, only if assessed;
screened for a person who needs one; ordinary or screened otherwise), of the decided kind,
not the place they live in, at the spouse's facility if the spouse lives or is offered a
place somewhere (R10), a whole free double room if the spouse lives with them (R11), and by
reason: change of need — the newly decided type exactly; spouses together — the spouse's
facility; free choice — a wished facility; bought to own — any.

Among the movers (in their own order, :func:`~optimizer.move_model.mover_key`), the plan is
lexicographic, as for the waiting list: (1) the greatest set of movers moved in that order
(greedy with augmenting paths: a bipartite b-matching, so the greedy is exact); (2) then
free-choice wishes, the earlier mover first (serial dictatorship under feasibility); (3) then
each mover, in order, the first place by (the decided type exactly, the day it is free, its
id) that still lets everyone moved be moved.  A mover with an accompanying spouse takes a
whole double room; they are decided in order too, on whole rooms no one moved needs.

**Transfer chains.**  A move frees the mover's old place only when the move is carried out
(the person accepts, and moves on a day): the plan does not give that place to anyone. It is
a vacancy from the move day, and the next run offers it as any other: the waiting list
first, then movers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .model import (
    AllocationProblem,
    Assignment,
    AssignmentKind,
    Explanation,
    Fact,
    FactKind,
    PlaceType,
    ReasonCode,
    Room,
    Vacancy,
    WaitingPerson,
)
from .move_model import Mover, MoveReason, mover_key
from .wording import render


def _class_fits(decided: PlaceType, needs_screened: bool, reinforced_assessed: bool,
                t: PlaceType) -> bool:
    if decided is PlaceType.REINFORCED:
        return t is PlaceType.REINFORCED and reinforced_assessed
    if needs_screened or decided is PlaceType.SCREENED:
        return t is PlaceType.SCREENED
    return t is not PlaceType.REINFORCED


def waiting_can_use(p: WaitingPerson, v: Vacancy) -> bool:
    """Whether vacancy ``v`` suits waiting person ``p`` on its own (type, kind, reinforced
    assessment, a resident spouse's facility, a double room for an accompanying spouse; the
    R7 exception for a spouse counted too)."""
    if p.spouse_resident_facility_id not in (None, v.facility_id):
        return False
    if p.decided_facility_kind is not None and v.facility_kind is not p.decided_facility_kind:
        return False
    if p.accompanying_spouse and v.capacity < 2:
        return False
    if _class_fits(p.decided_place_type, p.needs_screened, p.reinforced_assessed, v.place_type):
        return True
    screened = p.needs_screened or p.decided_place_type is PlaceType.SCREENED
    return screened and p.decided_place_type is not PlaceType.REINFORCED and \
        v.place_type is PlaceType.ORDINARY and (
            p.spouse_case_id is not None or p.spouse_resident_facility_id is not None
            or p.accompanying_spouse)


def mover_fits(m: Mover, v: Vacancy) -> bool:
    """Whether vacancy ``v`` fits the move of ``m`` (ignoring what is left of it)."""
    if v.place_id == m.current_place_id:
        return False
    if m.decided_facility_kind is not None and v.facility_kind is not m.decided_facility_kind:
        return False
    if m.spouse_facility_id is not None and v.facility_id != m.spouse_facility_id:
        return False
    if m.accompanying_spouse and (v.room is not Room.DOUBLE or v.capacity < 2):
        return False
    if not _class_fits(m.decided_place_type, m.needs_screened, m.reinforced_assessed,
                       v.place_type):
        return False
    if m.reason is MoveReason.CHANGE_OF_NEED:
        return v.place_type is m.decided_place_type
    if m.reason is MoveReason.SPOUSES_TOGETHER:
        return m.spouse_facility_id is not None
    if m.reason is MoveReason.FREE_CHOICE:
        return v.facility_id in m.wishes
    return True


def _place_key(m: Mover, v: Vacancy) -> tuple[object, ...]:
    return (v.place_type is not m.decided_place_type, v.available_from, v.place_id)


def _wish_rank(m: Mover, v: Vacancy) -> int:
    return m.wishes.index(v.facility_id) + 1 if v.facility_id in m.wishes else 0


class _Matching:
    """Movers (one bed each) on vacancies with ``cap`` beds; ``allowed`` per mover."""

    def __init__(self, cap: dict[str, int], allowed: dict[str, list[str]]) -> None:
        self.cap = cap
        self.allowed = allowed
        self.at: dict[str, str] = {}
        self.holders: dict[str, list[str]] = {v: [] for v in cap}

    def _augment(self, m: str, seen: set[str]) -> bool:
        for v in self.allowed[m]:
            if v in seen:
                continue
            seen.add(v)
            if len(self.holders[v]) < self.cap[v]:
                self._put(m, v)
                return True
        for v in self.allowed[m]:
            for other in list(self.holders[v]):
                if other in seen:
                    continue
                seen.add(other)
                if self._augment(other, seen):
                    self._put(m, v)
                    return True
        return False

    def _put(self, m: str, v: str) -> None:
        old = self.at.get(m)
        if old is not None:
            self.holders[old].remove(m)
        self.at[m] = v
        self.holders[v].append(m)

    def add(self, m: str) -> bool:
        return self._augment(m, set())

    def restrict(self, m: str, places: list[str]) -> bool:
        """Try to put ``m`` in one of ``places`` with everyone still matched; keep it if so."""
        old_allowed, old_at = self.allowed[m], self.at[m]
        self.holders[old_at].remove(m)
        del self.at[m]
        self.allowed[m] = places
        if self._augment(m, set()):
            return True
        self.allowed[m] = old_allowed
        self.at[m] = old_at
        self.holders[old_at].append(m)
        return False


def left_for_movers(problem: AllocationProblem, assignments: Sequence[Assignment]
                    ) -> dict[str, int]:
    """The beds of each vacancy a move may take: not given to a waiting person's own place,
    and not of a vacancy some waiting person without an own place can use."""
    by_id = {p.case_id: p for p in problem.persons}
    used: dict[str, int] = {}
    owned = set()
    for a in assignments:
        if a.kind is AssignmentKind.OWN:
            owned.add(a.case_id)
            beds = 2 if by_id[a.case_id].accompanying_spouse else 1
            used[a.place_id] = used.get(a.place_id, 0) + beds
    free = [(v, v.capacity - used.get(v.place_id, 0)) for v in problem.vacancies]
    free = [(v, left) for v, left in free if left > 0]
    if not free:
        return {}  # the waiting list took every bed (the common case)
    # persons alike in everything :func:`waiting_can_use` reads are asked once
    kinds = {dataclasses.replace(p, case_id="", need_score=None, wishes=(),
                                 waiting_since=problem.as_of, deadline=None,
                                 spouse_case_id="x" if p.spouse_case_id else None)
             for p in problem.persons if p.case_id not in owned}
    return {v.place_id: left for v, left in free
            if not any(waiting_can_use(p, v) for p in kinds)}


def plan_moves(problem: AllocationProblem, assignments: Sequence[Assignment],
               ) -> tuple[tuple[Assignment, ...], tuple[Explanation, ...]]:
    """The moves and every mover's explanation, given the waiting list's ``assignments``."""
    movers = sorted(problem.movers, key=mover_key)
    if not movers:
        return (), ()
    vac = {v.place_id: v for v in problem.vacancies}
    cap = left_for_movers(problem, assignments)
    order = sorted(cap, key=lambda pid: (vac[pid].available_from, pid))
    allowed = {m.case_id: [pid for pid in order if mover_fits(m, vac[pid])]
               for m in movers if not m.accompanying_spouse}
    match = _Matching(dict(cap), allowed)
    rooms: dict[str, str] = {}  # accompanying movers: a whole double room each
    moved: list[Mover] = []
    for m in movers:  # (1) who, in order
        if m.accompanying_spouse:
            room = _whole_room(m, match, order, vac, rooms)
            if room is not None:
                rooms[m.case_id] = room
                match.cap[room] = 0
                moved.append(m)
        elif match.add(m.case_id):
            moved.append(m)
    singles = [m for m in moved if not m.accompanying_spouse]
    for m in singles:  # (2) wishes, in order
        if m.reason is MoveReason.FREE_CHOICE:
            for fid in m.wishes:
                at = [pid for pid in allowed[m.case_id] if vac[pid].facility_id == fid]
                if at and match.restrict(m.case_id, at):
                    break
    for m in singles:  # (3) where, in order
        cands = list(match.allowed[m.case_id])
        for pid in sorted(cands, key=lambda pid: _place_key(m, vac[pid])):
            if match.restrict(m.case_id, [pid]):
                break
    where = dict(match.at)
    where.update(rooms)
    moves = tuple(sorted(
        (Assignment(m.case_id, AssignmentKind.OWN, where[m.case_id],
                    vac[where[m.case_id]].facility_id, vac[where[m.case_id]].place_type,
                    vac[where[m.case_id]].room, 0) for m in moved),
        key=lambda a: a.case_id))
    return moves, explain_moves(problem, movers, where, cap)


def _whole_room(m: Mover, match: _Matching, order: list[str], vac: dict[str, Vacancy],
                rooms: dict[str, str]) -> str | None:
    """A whole free double room for ``m`` (R11) that no one moved holds, first by key."""
    taken = set(rooms.values())
    cands = [pid for pid in order if pid not in taken and mover_fits(m, vac[pid])
             and match.cap[pid] >= 2 and not match.holders[pid]]
    cands.sort(key=lambda pid: (_wish_rank(m, vac[pid]) or 99, _place_key(m, vac[pid])))
    return cands[0] if cands else None


def _reason_fact(m: Mover, problem: AllocationProblem) -> Fact:
    facility = m.spouse_facility_id if m.reason is MoveReason.SPOUSES_TOGETHER else None
    return Fact(FactKind.MOVE_REASON, provider=m.reason.value,
                place_type=m.decided_place_type if m.reason is MoveReason.CHANGE_OF_NEED
                else None,
                facility_ids=(facility,) if facility else (),
                facility_names=(problem.name_of(facility),) if facility else ())


def explain_moves(problem: AllocationProblem, movers: Sequence[Mover], where: dict[str, str],
                  cap: dict[str, int]) -> tuple[Explanation, ...]:
    """Each mover's explanation (facts checked by :func:`optimizer.check_moves.check_moves`)."""
    vac = {v.place_id: v for v in problem.vacancies}
    out = []
    for rank, m in enumerate(movers, start=1):
        facts = [_reason_fact(m, problem), Fact(FactKind.MOVE_RANK, rank=rank)]
        pid = where.get(m.case_id)
        if pid is not None:
            v = vac[pid]
            facts.append(Fact(FactKind.MOVE_OFFER, facility_ids=(v.facility_id,),
                              facility_names=(v.facility_name,), place_type=v.place_type))
            wish = _wish_rank(m, v) if m.reason is MoveReason.FREE_CHOICE else 0
            if wish:
                facts.append(Fact(FactKind.MOVE_WISH_MET, rank=wish,
                                  facility_ids=(v.facility_id,),
                                  facility_names=(v.facility_name,)))
            facts.append(Fact(FactKind.MOVE_NOBODY_WAITING_CAN_USE))
            out.append(Explanation(m.case_id, "move", ReasonCode.MOVE, render(facts), rank,
                                   wish_rank=wish or None, facts=tuple(facts)))
            continue
        fitting = [v for v in problem.vacancies if mover_fits(m, v)]
        if not fitting:
            facts.append(Fact(FactKind.MOVE_NO_SUITABLE_PLACE))
        else:
            earlier = {x.case_id for x in movers[:rank - 1]}
            takers = tuple(sorted(c for c, p in where.items()
                                  if c in earlier and mover_fits(m, vac[p])))
            facts.append(Fact(FactKind.MOVE_PLACES_TAKEN, count=len(fitting), case_ids=takers))
        out.append(Explanation(m.case_id, "none", ReasonCode.MOVE_NOT_POSSIBLE, render(facts),
                               rank, facts=tuple(facts)))
    return tuple(out)


__all__ = ["explain_moves", "left_for_movers", "mover_fits", "plan_moves", "waiting_can_use"]
