"""The demo municipality: about two years of a municipality's allocation work, written by
the application's own commands — the simulator's work.

- :mod:`application.demo.municipality` describes the municipality as plain data (facilities,
  providers and prices, policy versions, arrival rates, shares, Norwegian words);
- :func:`simulator.demo.plan_demo` plays it in the simulator (issue 20, the policy lab):
  the real service in virtual time on a store of its own, the officer approving the
  optimizer's allocation runs, the simulator's invariants checked every simulated day (a
  broken one stops the seed with its message); it writes down every command it gave as a
  :class:`Step` (its moment, the command and its arguments, with a command id made of the
  seed, the municipality, the day and a serial);
- :func:`seed_demo` then runs the steps on the store it is given, its clock set to each
  step's moment.

The application does not import the simulator (it sits above): :func:`plan_demo` imports it
when called. Deterministic: the same description and seed give the same steps, so the same
log. Idempotent and resumable: a step records the last event it wrote (aggregate and
version); the steps a store already holds are a prefix of the plan, found by bisection, and
only the rest is run. Seeding a seeded store writes nothing, and a run interrupted half-way
and resumed writes the same log as one that was not. The timeline is anchored on the first
run: the history ends on the day of ``until`` (with the early-morning checks of that day)
and later runs find its first day again from the demo's first policy version. Seed a store
that nobody else writes to meanwhile (as the service's first start does): another writer on
the demo's cases would move the versions that mark the steps.

Identity numbers are synthetic (month + 80, :func:`domain.identity.synthetic_identity_number`).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from application.allocation_facts import FactsMemo
from application.clock import ManualClock
from application.demo.documentation import (
    FULL_IPLOS,
    CaseDocumentation,
    document_case,
    documentation_steps,
)
from application.demo.municipality import DEMO, Municipality
from domain.base import local_date
from domain.errors import InvalidValue
from domain.policy import policy_id

if TYPE_CHECKING:
    from application.service import AllocationService

HISTORY_DAYS = DEMO.history_days


@dataclass(frozen=True)
class Step:
    """One command of the history: its moment, the service method and its arguments (with
    the command id), and ``marks``: the aggregate and version of the last event it wrote,
    by which a store shows that the step is done."""

    moment: datetime
    command: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    marks: tuple[UUID, int]

    def run(self, service: AllocationService) -> Any:
        return getattr(service, self.command)(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Plan:
    """The played history: its municipality, first day and end, its figures, and how many
    simulated days ended with the simulator's invariants checked."""

    town: Municipality
    start: date
    until: datetime
    figures: dict[str, Any]
    invariant_checks: int = 0


@dataclass(frozen=True)
class SeedSummary:
    """What the demo holds at its end (from the play) and what this run wrote."""

    municipality: str
    start: date
    until: datetime
    already_seeded: bool
    commands: int
    events_written: int
    seconds: float
    facilities: int
    places: int
    beds: int
    cases: int
    decisions: dict[str, int]
    offers: int
    offers_declined: int
    offers_lapsed: int
    admissions: int
    purchases: int
    stays_ended: int
    closed_while_waiting: int
    waiting_now: int
    urgent_now: int
    spouse_pairs_waiting: int
    breaches: int
    breach_choices: dict[str, int]
    vacant_now: dict[str, int]
    bridging_stays: int
    provider_offers: int
    provider_offers_available_now: int
    complaints: int
    policy_versions: int
    #: simulated days that ended with the simulator's invariants checked (the play's)
    invariant_checks: int = 0

    def lines(self) -> list[str]:
        d = self.decisions
        return [
            f"municipality {self.municipality}: {self.start} to {local_date(self.until)}"
            + (" (already seeded)" if self.already_seeded else ""),
            f"  {self.facilities} facilities, {self.places} places ({self.beds} beds); "
            f"vacant now: " + ", ".join(f"{k} {v}" for k, v in self.vacant_now.items()),
            f"  {self.cases} cases; decisions: grant {d.get('grant', 0)}, waiting list "
            f"{d.get('waiting_list', 0)}, rejection {d.get('rejection', 0)}",
            f"  {self.offers} offers ({self.offers_declined} declined, {self.offers_lapsed} "
            f"lapsed), {self.admissions} admissions ({self.purchases} purchased), "
            f"{self.stays_ended} stays ended, {self.bridging_stays} short-term stays",
            f"  waiting now: {self.waiting_now} ({self.urgent_now} urgent, "
            f"{self.spouse_pairs_waiting} spouse pairs); {self.breaches} deadline breaches "
            f"(choices: " + ", ".join(f"{k} {v}" for k, v in self.breach_choices.items())
            + ")",
            f"  {self.provider_offers} offers from other providers "
            f"({self.provider_offers_available_now} available now); {self.complaints} "
            f"complaints; policy versions {self.policy_versions}",
            f"  {self.commands} commands, {self.events_written} events written in "
            f"{self.seconds:.1f} s; invariants checked on {self.invariant_checks} "
            f"simulated days",
        ]


def record_prefix(town: Municipality) -> str:
    """The command ids of the demo's steps begin so (``sim``: played by the simulator; the
    player of earlier releases wrote ``demo/{seed}/{number}/{day}/…``)."""
    return f"demo/{town.seed}/{town.number}/sim"


def anchored_start(service: AllocationService, town: Municipality) -> date | None:
    """The first day of an earlier run's timeline: the day of its first policy version.
    A demo of an earlier release (another history under the same numbers) is refused:
    its commands are not this history's, and the steps would be found done or not by
    chance."""
    earlier = f"demo/{town.seed}/{town.number}/"
    for event in service.events.get(policy_id(town.number)):
        command_id = getattr(event, "command_id", None) or ""
        if command_id.startswith(record_prefix(town) + "/"):
            return local_date(event.timestamp) - timedelta(days=town.policies[0].day)
        if command_id.startswith(earlier):
            raise InvalidValue("municipality", f"{town.number} holds the demo of an earlier "
                               "release (another history): seed the demo on a new store")
    return None


def plan_demo(service: AllocationService, *, municipality: str = "4601",
              until: datetime | None = None) -> tuple[list[Step], Plan]:
    """The demo's steps and plan, played by the simulator
    (:func:`simulator.demo.plan_demo`, imported here: the simulator sits above)."""
    from simulator.demo import plan_demo as play

    return play(service, municipality=municipality, until=until)


def _done(service: AllocationService, step: Step) -> bool:
    aggregate_id, version = step.marks
    last = service.recorder.select_events(aggregate_id, desc=True, limit=1)
    return bool(last) and last[0].originator_version >= version


def steps_done(service: AllocationService, steps: list[Step]) -> int:
    """How many of ``steps`` the store already holds (a prefix: they run in order)."""
    low, high = 0, len(steps)
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if _done(service, steps[mid]) else (low, mid)
    return low


def run_steps(service: AllocationService, steps: list[Step],
              progress: Callable[[int, int], None] | None = None) -> None:
    """Run steps in virtual time: the service's clock is a :class:`ManualClock` set to each
    step's moment, and the service's own clock is restored afterwards. The allocation runs
    and the deadline checks find the waiting cases in the read models, as they did in the
    play (a read side of the store's own, brought up to date before each read: the
    simulator checked every 30 days that they equal a replay of the log), unless the
    service reads through one already."""
    original, source = service.clock, service.waiting_cases
    memo = service.allocation_facts_memo
    clock = ManualClock(steps[0].moment if steps else datetime.now(UTC))
    service.clock = clock
    if source is None and steps:
        from projections.read_side import ReadSide  # the entry point's, as in cli.py

        read = ReadSide(service)
        read.keep_allocation_docs = True  # a run most days: the documents kept between
        service.allocation_facts_memo = FactsMemo()
        service.use_waiting_cases(read)
    try:
        for i, step in enumerate(steps, start=1):
            clock.set(step.moment)
            step.run(service)
            if progress is not None:
                progress(i, len(steps))
    finally:
        service.clock = original
        service.use_waiting_cases(source)
        service.allocation_facts_memo = memo


def seed_demo(service: AllocationService, *, municipality: str = "4601",
              until: datetime | None = None,
              progress: Callable[[int, int], None] | None = None) -> SeedSummary:
    """Seed a demo municipality with about two years of history ending at ``until``
    (default: now), through the application commands; resume an interrupted seed; write
    nothing on a seeded store. ``progress(done, total)`` is called after each command."""
    started = _time.perf_counter()
    steps, plan = plan_demo(service, municipality=municipality, until=until)
    before = service.recorder.max_notification_id() or 0
    done = steps_done(service, steps)
    if done < len(steps):
        run_steps(service, steps[done:], None if progress is None else
                  lambda i, _: progress(done + i, len(steps)))
    elif progress is not None:
        progress(len(steps), len(steps))
    # the municipality's starting profile (made-up addresses, marked as demo data), once,
    # when the history is played, dated at its last step: the log stays in business-time
    # order, and a seed resumed after an interruption writes the same log
    service.seed_profile(municipality, at=steps[-1].moment if steps else None)
    written = (service.recorder.max_notification_id() or 0) - before
    return SeedSummary(
        municipality=municipality, start=plan.start, until=plan.until,
        already_seeded=done == len(steps), commands=len(steps), events_written=written,
        seconds=_time.perf_counter() - started, invariant_checks=plan.invariant_checks,
        **plan.figures)


__all__ = [
    "FULL_IPLOS",
    "HISTORY_DAYS",
    "CaseDocumentation",
    "Plan",
    "SeedSummary",
    "Step",
    "anchored_start",
    "document_case",
    "documentation_steps",
    "plan_demo",
    "record_prefix",
    "run_steps",
    "seed_demo",
    "steps_done",
]
