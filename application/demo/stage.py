"""The stage the demo is played on: the player's own service and virtual clock, the agenda
of what happens when, the one ``random.Random`` every draw comes from, and :meth:`Stage.do`,
which gives a command and writes it down as a :class:`Step`. Also the plain readings of the
state the other parts choose by (a case, a place, the spouse, the policy, the list).

:class:`Stage` is the shared base of the player's parts (:mod:`.applicants`,
:mod:`.waiting_list`, :mod:`.morning`, :mod:`.outcomes`); :class:`~.player.Player` puts
them together, so a part may call a method another part defines.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any
from uuid import UUID

from application.clock import ManualClock
from application.demo.municipality import Municipality
from application.service import AllocationService
from domain.base import OSLO
from domain.case import ON_LIST, Case, CaseStatus
from domain.place import Place

if TYPE_CHECKING:
    from application.demo.applicants import Applicant

#: The player's own store: in memory, with the library's aggregate cache (the player is its
#: only writer), so that reading the whole state every morning costs little.
_OWN_STORE = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:",
              "AGGREGATE_CACHE_MAXSIZE": "0", "AGGREGATE_CACHE_FASTFORWARD": "n",
              "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}


def moment(day: date, minute: int) -> datetime:
    """``minute`` minutes after midnight on a Norwegian calendar day, in UTC."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=OSLO).astimezone(UTC)


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


class Stage:
    """The player's service, clock, agenda, random draws and what it has made so far."""

    def __init__(self, town: Municipality, start: date, person_key: bytes) -> None:
        self.town, self.m, self.w, self.s = town, town.number, town.words, town.shares
        self.start, self.end = start, start + timedelta(days=town.history_days)
        self.rng = random.Random(town.seed)
        self.clock = ManualClock(moment(start, 0))
        self.svc = AllocationService(env=_OWN_STORE, clock=self.clock)
        self.svc.person_key = person_key  # R25: the person register's ids as in the target
        self.steps: list[Step] = []
        self.agenda: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.order = count()
        self.now = self.last = moment(start, 0)
        self.today, self.serial = start, 0
        self.cases: list[UUID] = []
        self.watch: dict[UUID, None] = {}  # cases that may be on the list (pruned on reading)
        self.people: dict[UUID, Applicant] = {}
        self.places: list[UUID] = []
        self.provider_offers: list[UUID] = []
        self.complaints: list[UUID] = []
        self.complaints_planned = 0
        self.births: Counter[date] = Counter()

    # --- time, commands and steps -----------------------------------------------------

    def at(self, day: date, minute: int, action: Callable[..., None], *args: Any) -> None:
        when = max(moment(day, minute), self.now)
        heapq.heappush(self.agenda, (when, next(self.order), action, args))

    def later(self, days: int, minute: int, action: Callable[..., None], *args: Any) -> None:
        self.at(self.today + timedelta(days=days), minute, action, *args)

    def do(self, command: str, *args: Any, with_id: bool = True, **kwargs: Any) -> Any:
        """Give a command now, on the player's service, and write it down as a step (one
        that wrote nothing is left out: it would write nothing on any store either)."""
        self.last = max(self.now, self.last + timedelta(seconds=1))
        self.clock.set(self.last)
        if with_id:
            self.serial += 1
            kwargs["command_id"] = f"demo/{self.town.seed}/{self.m}/{self.today}/{self.serial}"
        recorder = self.svc.recorder
        before = recorder.max_notification_id() or 0
        result = getattr(self.svc, command)(*args, **kwargs)
        after = recorder.max_notification_id() or 0
        if after > before:
            last = recorder.select_notifications(start=after, limit=1)[0]
            self.steps.append(Step(self.last, command, args, kwargs, (
                UUID(str(last.originator_id)), last.originator_version)))
        return result

    def sequel_id(self, what: str) -> str:
        """A command id for a command that follows the last one (``what`` it is), without
        counting a step: the ids the story derives from the count stay as they were."""
        return f"demo/{self.town.seed}/{self.m}/{self.today}/{self.serial}/{what}"

    def close(self) -> None:
        self.svc.close()

    # --- reading the state ------------------------------------------------------------

    def case(self, case_id: UUID) -> Case:
        return self.svc.get_case(self.m, case_id)

    def place(self, place_id: UUID) -> Place:
        return self.svc.get_place(self.m, place_id)

    def spouse(self, case: Case) -> Case | None:
        return self.case(case.spouse_case_id) if case.spouse_case_id else None

    def policy(self) -> Any:
        return self.svc.policy_on(self.m, self.today)[2]

    def listed(self) -> list[Case]:
        """The cases on the list (R12: a waiting-list decision or a grant not carried out)."""
        out = []
        for case in map(self.case, list(self.watch)):
            if case.status in ON_LIST:
                out.append(case)
            elif case.status is not CaseStatus.RECEIVED:
                del self.watch[case.id]
        return out

    def officer(self) -> str:
        return self.rng.choice(self.w.officers)
