"""The service's invariants, checked at the end of every simulated day: so every simulation
is also a test of the service. A broken one raises :class:`InvariantViolation` naming the
day, the case and the invariant. Beds and residences are checked for the places and cases
with events that day (:class:`Residences`: nothing else can have changed), and for every
place and resident on the first day, every ``full_check_every_days``-th and the last.

- **no place above its beds**: on every day, a place's residents are at most its beds
  (R24: one moving out on a day ahead and one admitted on that day share a bed);
- **no person in two places**: a case lives in at most one place, and it is the place its
  own case says;
- **every breach recorded, once per period** (R18): after the morning's deadline check no
  case on the list is past its deadline unrecorded, and the log holds at most one breach
  per case and guarantee period (read from the log as it grows);
- **the read models equal a replay of the log** (on every ``replay_every_days``-th day and
  the last): what an allocation run reads from the read models equals what it reads by
  loading every aggregate from its events;
- (after every run, in :mod:`.officer`) **the optimizer's plan passes the explanation
  checker** (``optimizer/check.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.allocation_facts import AllocationFacts
from domain.case import Case
from domain.place import Place
from simulator.stage import InvariantViolation

_BREACH_TOPIC = get_topic(Case.DeadlineBreached)


def places_within_beds(day: date, places: list[Place]) -> None:
    for place in places:
        present = most_present(place)
        if present > place.capacity:
            raise InvariantViolation(day, ",".join(map(str, place.occupants)),
                                     "no place above its beds",
                                     f"place {place.id} holds {present} "
                                     f"residents in {place.capacity} bed(s)")


def most_present(place: Place) -> int:
    """The most residents a place holds on any day (R24: a resident moving out on a day
    ahead holds the bed till then, and a planned admission holds it from its day: the two
    may both be recorded, one bed, one after the other)."""
    if not place.leaving:
        return len(place.occupants)
    days = {*place.occupants.values(), *place.leaving.values()}
    return max(sum(1 for case_id, admitted in place.occupants.items()
                   if admitted <= d and place.leaving.get(case_id, date.max) > d)
               for d in days)


def one_place_per_person(day: date, places: list[Place], cases: dict[UUID, Case]) -> None:
    where: dict[UUID, UUID] = {}
    for place in places:
        for case_id in place.occupants:
            if case_id in where:
                raise InvariantViolation(day, case_id, "no person in two places",
                                         f"in place {where[case_id]} and in {place.id}")
            where[case_id] = place.id
    leaving = _leaving(places)
    for case_id, place_id in where.items():
        lives_where_it_says(day, cases.get(case_id), place_id, leaving)


def lives_where_it_says(day: date, case: Case | None, place_id: UUID,
                        leaving: AbstractSet[UUID]) -> None:
    """A resident of place ``place_id`` whose case says it lives in another own place is
    one moving out on a date ahead (``leaving``, R24)."""
    if case is None or case.residence is None:
        return
    own = None if case.residence.purchased else case.residence.target_id
    if own is not None and own != place_id and case.id not in leaving:
        raise InvariantViolation(day, case.id, "no person in two places",
                                 f"the case lives in {own}, place {place_id} holds it")


def _leaving(places: list[Place]) -> set[UUID]:
    """Residents moving out on a date ahead (R24): still in the old place till then."""
    return {case_id for p in places for case_id in p.leaving}


class Residences:
    """Who lives where as of the last check — each place's residents, those leaving it
    and its beds — so that a day's check need only look at what changed that day: the
    places with events that day and the cases with events that day or living in (or
    leaving) those places. Every other place and case is as it was when last checked, and
    what a check judges of it (its beds, its residents, where its case says it lives)
    depends on nothing else. :meth:`check_all` checks everything and starts afresh."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.occupants: dict[UUID, frozenset[UUID]] = {}  # in the order of the places
        self.leaving: dict[UUID, frozenset[UUID]] = {}
        self.beds: dict[UUID, tuple[str, int]] = {}  # place type, beds
        self.where: dict[UUID, UUID] = {}
        self.order: dict[UUID, int] = {}  # each place's position
        self.everyone_leaving: Counter[UUID] = Counter()  # of every place (R24)
        self.by_type: dict[str, list[int]] = {}  # residents and beds per place type

    def check_all(self, day: date, places: list[Place],
                  case: Callable[[UUID], Case]) -> None:
        cases = {c: case(c) for p in places for c in p.occupants}
        places_within_beds(day, places)
        one_place_per_person(day, places, cases)
        self._reset()
        self.order = {p.id: i for i, p in enumerate(places)}
        for p in places:
            self._note(p)

    def check_changed(self, day: date, changed: set[UUID], place: Callable[[UUID], Place],
                      case: Callable[[UUID], Case]) -> None:
        """The day's check of the places and cases in ``changed`` (the ids of the
        aggregates with events since the last check)."""
        places = [place(i) for i in sorted(changed & self.order.keys(),
                                           key=self.order.__getitem__)]
        places_within_beds(day, places)
        again = set(changed)  # the cases to look at again
        for p in places:  # first out of their old places, then into the new ones
            for c in self.occupants[p.id]:
                if self.where.get(c) == p.id:
                    del self.where[c]
            again |= self.occupants[p.id] | self.leaving[p.id]
        for p in places:
            for c in p.occupants:
                if c in self.where:
                    raise InvariantViolation(day, c, "no person in two places",
                                             f"in place {self.where[c]} and in {p.id}")
            self._note(p)
        for c in again:
            place_id = self.where.get(c)
            if place_id is not None:
                lives_where_it_says(day, case(c), place_id, self.everyone_leaving.keys())

    def _note(self, p: Place) -> None:
        if p.id in self.occupants:  # what it held before, taken out of the sums
            kind, capacity = self.beds[p.id]
            self.by_type[kind][0] -= len(self.occupants[p.id])
            self.by_type[kind][1] -= capacity
            self.everyone_leaving.subtract(self.leaving[p.id])
            for c in self.leaving[p.id]:
                if self.everyone_leaving[c] <= 0:
                    del self.everyone_leaving[c]
        self.occupants[p.id] = frozenset(p.occupants)
        self.leaving[p.id] = frozenset(p.leaving)
        self.everyone_leaving.update(self.leaving[p.id])
        kind, capacity = self.beds[p.id] = (p.place_type.value, p.capacity)
        b = self.by_type.setdefault(kind, [0, 0])
        b[0] += len(self.occupants[p.id])
        b[1] += capacity
        for c in p.occupants:
            self.where[c] = p.id

    def occupancy(self) -> dict[str, list[int]]:
        """Residents and beds per place type (in the order the types first come)."""
        return self.by_type


def breaches_recorded(day: date, listed: list[Case]) -> None:
    for case in listed:
        if case.breach_due(day):
            raise InvariantViolation(day, case.id, "every breach recorded (R18)",
                                     "past the deadline after the day's check, no breach")


class DayLog:
    """The log read as it grows, day by day: which aggregates had events since the last
    read (for :class:`Residences`), and the breaches — at most one per case and period."""

    def __init__(self) -> None:
        self.position = 0
        self.seen: Counter[tuple[UUID, Any]] = Counter()

    def read(self, day: date, recorder: Any, mapper: Any) -> set[UUID]:
        """The ids of the aggregates with events since the last read."""
        end = recorder.max_notification_id() or 0
        changed: set[UUID] = set()
        while self.position < end:
            batch = recorder.select_notifications(start=self.position + 1, limit=500,
                                                  stop=end)
            for n in batch:
                changed.add(n.originator_id)
                if n.topic == _BREACH_TOPIC:
                    self._breach(day, mapper.to_domain_event(n))
            self.position = batch[-1].id if batch else end
        return changed

    def _breach(self, day: date, event: Any) -> None:
        key = (event.originator_id, event.period)
        self.seen[key] += 1
        if self.seen[key] > 1:
            raise InvariantViolation(day, event.originator_id,
                                     "every breach recorded once per period (R18)",
                                     f"a second breach of the period {key[1]}")


def read_models_equal_replay(day: date, from_rows: AllocationFacts,
                             from_log: AllocationFacts) -> None:
    parts = (("waiting", "case_id"), ("places", "place_id"),
             ("provider_offers", "offer_id"))
    for part, key in parts:
        rows = {getattr(x, key, None) or str(x): x for x in getattr(from_rows, part)}
        log = {getattr(x, key, None) or str(x): x for x in getattr(from_log, part)}
        for k in sorted(set(rows) | set(log), key=str):
            if rows.get(k) != log.get(k):
                raise InvariantViolation(day, k if part == "waiting" else None,
                                         "the read models equal a replay of the log",
                                         f"{part}: {k} differs (read model "
                                         f"{rows.get(k)!r} / replay {log.get(k)!r})"[:600])
