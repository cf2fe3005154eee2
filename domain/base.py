"""The aggregate base: every event carries the command that caused it.

Commands are safe to retry: each event records its ``command_id`` (a client's
idempotency key, or one the application derives from a natural key), and an aggregate
remembers the commands it has handled, so a retried command is recognised and writes
nothing new.

Event timestamps are the business time handed in by the application's injected clock,
never the wall clock read inside the domain.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from eventsourcing.domain import Aggregate

from domain.errors import InvalidValue
from domain.text import check_texts

OSLO = ZoneInfo("Europe/Oslo")


def local_date(moment: datetime) -> date:
    """The calendar date in Norway at a moment (deadlines are counted in local dates)."""
    if moment.tzinfo is None:
        raise InvalidValue("now", "a moment must carry its time zone")
    return moment.astimezone(OSLO).date()


@lru_cache(maxsize=1 << 16)
def add_months(start: date, months: int) -> date:
    """Calendar months, as § 3-4 counts them: 30 November + 3 months is 28/29 February.
    (Kept per day and count: every waiting-list row asks for its deadlines on each read.)"""
    return start + relativedelta(months=months)


def add_weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


def check_municipality(number: str) -> str:
    """A municipality is named by its four-digit number (kommunenummer)."""
    if not (isinstance(number, str) and len(number) == 4 and number.isdigit()):
        raise InvalidValue("municipality", "a municipality number has exactly four digits")
    return number


class Base(Aggregate):
    """An aggregate that belongs to one municipality and remembers handled commands."""

    municipality: str
    handled_commands: set[str]

    class Event(Aggregate.Event):
        command_id: str | None

        def apply(self, aggregate: Any) -> None:
            if self.command_id:
                aggregate.handled_commands.add(self.command_id)
            self.on(aggregate)

        def on(self, aggregate: Any) -> None:
            """State change of this event; the default changes nothing."""

    class Created(Event, Aggregate.Created):
        municipality: str

    def __init__(self, municipality: str, command_id: str | None, **_: Any) -> None:
        self.municipality = municipality
        self.handled_commands = {command_id} if command_id else set()

    def has_handled(self, command_id: str | None) -> bool:
        return bool(command_id) and command_id in self.handled_commands

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        """Every text an event carries is checked first (:mod:`domain.text`): control
        characters and over-long text are refused, naming the field, before anything
        changes."""
        check_texts(kwargs)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: type[Any], *, id: Any = None,
                **kwargs: Any) -> Any:
        check_texts(kwargs)
        return super()._create(event_class, id=id, **kwargs)
