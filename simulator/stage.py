"""The stage a simulation plays on: the real service (its own SQLite store in a temporary
file, with the real read models), the virtual clock, SimPy's event loop, the one
``random.Random``, and :meth:`Stage.do`, which gives a command as a user would.

:class:`~simulator.world.Simulation` puts the parts together (:mod:`.people`,
:mod:`.officer`), each a mixin on :class:`Stage`.
"""

from __future__ import annotations

import inspect
import random
import tempfile
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import simpy

from application.allocation_facts import FactsMemo
from application.clock import ManualClock
from application.seed import Step
from application.service import AllocationService
from domain.base import OSLO
from domain.case import ON_LIST, Case
from domain.errors import DomainError
from domain.place import Place
from projections.read_side import ReadSide
from simulator.profile import seed_text
from simulator.scenario import Scenario

MUNICIPALITY = "4699"
START = date(2027, 1, 4)  # a Monday
OFFICER = "Tildelingsenheten v/ simulert saksbehandler"

Process = Generator[simpy.Event, Any, None]


def throwaway_store(datastore: Any) -> None:
    """``PRAGMA synchronous=OFF`` on every connection of the run's own SQLite store (the
    events and the read models alike): a throwaway file, so a commit need not wait for the
    disk (about 0.5 ms each). Only this store: the production store's settings stay."""
    pool = datastore.pool
    create = pool._create_connection

    def create_unsynced() -> Any:
        connection = create()
        connection._sqlite_conn.execute("PRAGMA synchronous=OFF")
        return connection

    pool._create_connection = create_unsynced
    for connection in (*pool._pool, *pool._in_use.values()):
        connection._sqlite_conn.execute("PRAGMA synchronous=OFF")


def index_topics(recorder: Any) -> None:
    """An index of the run's own log by topic: the replay check finds the places, other
    providers' offers and decided cases by their events' topics
    (``ServiceBase._ids_with_topics``), which otherwise reads the whole log every time.
    Only this store: the production store's schema stays the library's."""
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"CREATE INDEX IF NOT EXISTS {recorder.events_table_name}_topic "
                  f"ON {recorder.events_table_name} (topic)")


class SimulationError(RuntimeError):
    """A command the service refused, or an invariant broken: the run stops, naming the
    day, the case and what went wrong."""

    def __init__(self, day: date, case_id: UUID | str | None, what: str, detail: str) -> None:
        super().__init__(day, case_id, what, detail)  # SimPy re-raises it from its args
        self.day, self.case_id, self.what, self.detail = day, case_id, what, detail

    def __str__(self) -> str:
        return f"{self.day}: {self.what} (case {self.case_id}): {self.detail}"


class InvariantViolation(SimulationError):
    """An invariant of the service broken on a simulated day (``what`` names it)."""


@dataclass
class Tally:
    """What the run counts as it goes (the rest is read from the cases at the end)."""

    waiting_by_day: list[int] = field(default_factory=list)
    occupancy_by_day: dict[str, list[float]] = field(default_factory=dict)
    runs: int = 0
    refused_offers: int = 0
    reasons_written: int = 0
    #: (decided at, exact wait): days from the decision to the admission, virtual time
    waits: list[tuple[float, float]] = field(default_factory=list)
    replay_checks: int = 0
    full_checks: int = 0  # the days every place and resident was checked
    plan_checks: int = 0
    invariant_checks: int = 0
    #: R28: residents whose need changed but whose new decision the service refused (R8)
    need_changes_blocked: int = 0


class Stage:
    """The service, clock, loop and draws of one run (see the module)."""

    def __init__(self, scenario: Scenario, seed: int, years: float, *,
                 replay_every_days: int = 30, full_check_every_days: int = 30,
                 folder: str | None = None,
                 progress: Callable[[float], None] | None = None,
                 municipality: str = MUNICIPALITY, start: date = START,
                 record: str | None = None, person_key: bytes | None = None) -> None:
        """``record``: a command-id prefix; with it every command given is written down as
        a :class:`~application.seed.Step` (in :attr:`steps`), each with a command id of
        its own (``{record}/{day}/{serial}``), so that another store given the steps in
        order reproduces this run's log, ids and all (the demo's history, :mod:`.demo`).
        ``person_key``: the person register's key of that store (R25)."""
        self.scenario, self.profile, self.seed = scenario, scenario.profile, seed
        self.days = max(1, round(years * 365.25))
        # settings added later are left out (simulator.profile.seed_text): earlier runs
        # stay the same
        text = seed_text(scenario.profile)
        self.rng = random.Random(f"{seed}/{text}")
        #: the draws of moves and complaints (added later): a stream of their own, so
        #: that they do not shift the other draws
        self.rng_later = random.Random(f"{seed}/{text}/later")
        #: the draws of complaints about the priority (added after those): their own too
        self.rng_priority = random.Random(f"{seed}/{text}/priority")
        self.m, self.start = municipality, start
        self._tmp = tempfile.TemporaryDirectory(prefix="lto-sim-", dir=folder)
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": str(Path(self._tmp.name) / "events.sqlite"),
               "AGGREGATE_CACHE_MAXSIZE": "0", "AGGREGATE_CACHE_FASTFORWARD": "n",
               "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}
        self.clock = ManualClock(self.moment(0))
        self.svc = AllocationService(env=env, clock=self.clock)
        if person_key is not None:
            self.svc.person_key = person_key
        self.record_prefix = record
        self.steps: list[Step] | None = [] if record else None
        self.serial: tuple[date, int] = (start, 0)
        self.officer_name = OFFICER
        throwaway_store(self.svc.recorder.datastore)  # type: ignore[attr-defined]
        index_topics(self.svc.recorder)
        self.read = ReadSide(self.svc)
        self.read.keep_allocation_docs = True  # a run a day: the documents kept between
        self.svc.allocation_facts_memo = FactsMemo()  # and the facts built from them
        self.svc.use_waiting_cases(self.read)  # the run and the check read the read models
        self.env = simpy.Environment()
        self.last = self.moment(0)
        self.places: list[UUID] = []
        self.cases: list[UUID] = []
        self.listed: dict[UUID, None] = {}  # cases that may be on the list
        self.residents: set[UUID] = set()
        self.decided_at: dict[UUID, float] = {}
        self.births = 0
        self.replay_every_days = replay_every_days
        self.full_check_every_days = full_check_every_days
        self.progress = progress
        self.tally = Tally()
        self.hooks: dict[int, Callable[[Any], None]] = {}

    # --- time and commands ------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.start + timedelta(days=int(self.env.now))

    @property
    def day_number(self) -> int:
        return int(self.env.now)

    def moment(self, now: float) -> datetime:
        """The moment of virtual time ``now``: its day's Norwegian wall-clock time (so that
        :attr:`today` is the local date of every command given, summer time too)."""
        day = int(now)
        local = datetime.combine(self.start + timedelta(days=day), time(0), tzinfo=OSLO)
        return (local + timedelta(days=now - day)).astimezone(UTC)

    def until(self, day: int, hour: float) -> simpy.Timeout:
        """Wait until ``hour`` o'clock of day ``day`` (now if that has passed)."""
        return self.env.timeout(max(0.0, day + hour / 24 - self.env.now))

    def do(self, command: str, *args: Any, case: UUID | None = None, **kwargs: Any) -> Any:
        """Give a command now, as a user would; a refusal stops the run, naming it."""
        try:
            return self.give(command, *args, **kwargs)
        except DomainError as e:
            raise SimulationError(self.today, case or (args[1] if len(args) > 1 else None),
                                  command, str(e)) from e

    def attempt(self, command: str, *args: Any, **kwargs: Any) -> Any:
        """Give a command an officer may see refused: the refusal is returned, not raised
        (it wrote nothing)."""
        try:
            return self.give(command, *args, **kwargs)
        except DomainError as e:
            return e

    def give(self, command: str, *args: Any, **kwargs: Any) -> Any:
        """The command now, on the run's service; recorded as a step where it wrote."""
        self.last = max(self.moment(self.env.now), self.last + timedelta(milliseconds=1))
        self.clock.set(self.last)
        if self.steps is None:
            return getattr(self.svc, command)(*args, **kwargs)
        if kwargs.get("command_id") is None and _takes_command_id(command):
            day, serial = self.serial
            serial = serial + 1 if day == self.today else 1
            self.serial = (self.today, serial)
            kwargs["command_id"] = f"{self.record_prefix}/{self.today}/{serial}"
        recorder = self.svc.recorder
        before = recorder.max_notification_id() or 0
        result = getattr(self.svc, command)(*args, **kwargs)
        after = recorder.max_notification_id() or 0
        if after > before:
            last = recorder.select_notifications(start=after, limit=1)[0]
            self.steps.append(Step(self.last, command, args, kwargs, (
                UUID(str(last.originator_id)), last.originator_version)))
        return result

    @property
    def commands(self) -> Any:
        """The service's commands as :meth:`do` gives them (for helpers that take a
        service, such as :func:`application.seed.document_case`): a stand-in for the
        service, typed as loosely as it is."""
        return _Commands(self)

    def close(self) -> None:
        self.svc.close()
        self._tmp.cleanup()

    # --- readings of the state --------------------------------------------------------

    def case(self, case_id: UUID) -> Case:
        return self.svc.get_case(self.m, case_id)

    def place(self, place_id: UUID) -> Place:
        return self.svc.get_place(self.m, place_id)

    def on_list(self) -> list[Case]:
        out = []
        for case in map(self.case, list(self.listed)):
            if case.status in ON_LIST:
                out.append(case)
            else:
                del self.listed[case.id]
        return out

    def policy(self) -> Any:
        return self.svc.policy_on(self.m, self.today)[2]


class _Commands:
    """``stage.commands.record_leon(...)`` is ``stage.do("record_leon", ...)``."""

    def __init__(self, stage: Stage) -> None:
        self._stage = stage

    def __getattr__(self, command: str) -> Callable[..., Any]:
        def give(*args: Any, **kwargs: Any) -> Any:
            return self._stage.do(command, *args, **kwargs)
        return give


_TAKES: dict[str, bool] = {}


def _takes_command_id(command: str) -> bool:
    """Whether the service's ``command`` takes a command id (the checks run by a
    scheduler take none: they write what the state says is due)."""
    if command not in _TAKES:
        method = getattr(AllocationService, command)
        _TAKES[command] = "command_id" in inspect.signature(method).parameters
    return _TAKES[command]
