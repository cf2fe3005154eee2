"""The service's invariants, checked at the end of every simulated day: so every simulation
is also a test of the service. A broken one raises :class:`InvariantViolation` naming the
day, the case and the invariant.

- **no place above its beds**: a place's residents are at most its beds;
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
        if len(place.occupants) > place.capacity:
            raise InvariantViolation(day, ",".join(map(str, place.occupants)),
                                     "no place above its beds",
                                     f"place {place.id} holds {len(place.occupants)} "
                                     f"residents in {place.capacity} bed(s)")


def one_place_per_person(day: date, places: list[Place], cases: dict[UUID, Case]) -> None:
    where: dict[UUID, UUID] = {}
    for place in places:
        for case_id in place.occupants:
            if case_id in where:
                raise InvariantViolation(day, case_id, "no person in two places",
                                         f"in place {where[case_id]} and in {place.id}")
            where[case_id] = place.id
    for case_id, place_id in where.items():
        case = cases.get(case_id)
        if case is None or case.residence is None:
            continue
        own = None if case.residence.purchased else case.residence.target_id
        if own is not None and own != place_id and case_id not in _leaving(places):
            raise InvariantViolation(day, case_id, "no person in two places",
                                     f"the case lives in {own}, place {place_id} holds it")


def _leaving(places: list[Place]) -> set[UUID]:
    """Residents moving out on a date ahead (R24): still in the old place till then."""
    return {case_id for p in places for case_id in p.leaving}


def breaches_recorded(day: date, listed: list[Case]) -> None:
    for case in listed:
        if case.breach_due(day):
            raise InvariantViolation(day, case.id, "every breach recorded (R18)",
                                     "past the deadline after the day's check, no breach")


class BreachLog:
    """The breaches in the log, read as it grows: at most one per case and period."""

    def __init__(self) -> None:
        self.position = 0
        self.seen: Counter[tuple[UUID, Any]] = Counter()

    def read(self, day: date, recorder: Any, mapper: Any) -> int:
        end = recorder.max_notification_id() or 0  # read up to here, then resume after it
        while True:
            batch = recorder.select_notifications(start=self.position + 1, limit=500,
                                                  stop=end, topics=[_BREACH_TOPIC])
            if not batch:
                self.position = max(self.position, end)  # not from the last breach again
                return self.seen.total()
            for n in batch:
                event = mapper.to_domain_event(n)
                key = (event.originator_id, event.period)
                self.seen[key] += 1
                if self.seen[key] > 1:
                    raise InvariantViolation(day, event.originator_id,
                                             "every breach recorded once per period (R18)",
                                             f"a second breach of the period {key[1]}")
            self.position = batch[-1].id


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
