"""Time is an input: every command takes its time from an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Virtual time for tests, the simulator and the demo history."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time carries its time zone")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock's time carries its time zone")
        self._now = moment

    def advance(self, **kwargs: float) -> datetime:
        self._now += timedelta(**kwargs)
        return self._now


class TrainingClock:
    """The service's time for training and for reproducing months of a case (R21): the
    wall clock shifted by an offset that only grows. :meth:`set` moves it forward to a
    moment; from there it runs on with the wall clock."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base: Clock = base or SystemClock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("a clock's time carries its time zone")
        if moment < self.now():
            raise ValueError("the training clock only moves forward")
        self._offset = moment - self._base.now()
        return self.now()
