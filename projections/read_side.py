"""The read side of the allocation service: keep the read models up to date, read them,
rebuild them, and see them as they stood at any past moment.

eventsourcing 9.5's SQLite recorder has no push subscription, so :class:`ReadSide` feeds
the projection from a catch-up reader over ``recorder.select_notifications`` — on SQLite and
on PostgreSQL alike — either on demand (:meth:`ReadSide.catch_up`) or from a background
thread (:meth:`ReadSide.start`).

Usage::

    read = ReadSide(service)
    read.start()                                  # or read.catch_up() now and then
    position = service.recorder.max_notification_id()  # after a command
    read.wait_for(position, timeout=2.0)          # read-your-writes
    read.waiting_list("4601")
    read.as_of(moment).waiting_list("4601")       # R21: as the allocation unit saw it
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Tracking

from domain.base import local_date
from projections.case_history import HistoryEntry, case_history
from projections.fold import apply_event
from projections.store import MemoryStore, Store
from projections.vacancy_board import VacancyBoard, vacancy_board
from projections.view import ReadModels, view_for
from projections.waiting_list import WaitingListEntry, waiting_list

BATCH = 500


class _Queries:
    """The queries, over any store; ``today`` is the day days waited and left count to."""

    def _store_read(self) -> Any:
        raise NotImplementedError

    def _today(self) -> date:
        raise NotImplementedError

    def waiting_list(self, municipality: str, today: date | None = None
                     ) -> list[WaitingListEntry]:
        with self._store_read() as store:
            return waiting_list(store, municipality, today or self._today())

    def vacancy_board(self, municipality: str, today: date | None = None) -> VacancyBoard:
        with self._store_read() as store:
            return vacancy_board(store, municipality, today or self._today())

    def case_history(self, case_id: Any) -> list[HistoryEntry]:
        with self._store_read() as store:
            return case_history(store, str(case_id))


class _Held:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *_: object) -> None:
        return None


class AsOf(_Queries):
    """The read models as they stood at ``moment``: folded from the log alone, every event
    with a timestamp at or before the moment (R21: what the allocation unit saw then)."""

    def __init__(self, app: Application[Any], moment: datetime) -> None:
        self.moment = moment
        self.store = MemoryStore()
        start = 1
        while True:
            batch = app.recorder.select_notifications(start=start, limit=BATCH * 4)
            for n in batch:
                event = app.mapper.to_domain_event(n)
                if event.timestamp <= moment:
                    apply_event(self.store, event)
            if len(batch) < BATCH * 4:
                break
            start = batch[-1].id + 1

    def _store_read(self) -> Any:
        return _Held(self.store)

    def _today(self) -> date:
        return local_date(self.moment)


class ReadSide(_Queries):
    """The live read models of one application, in its own database (and schema)."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app
        self.view = view_for(app.recorder.datastore)  # type: ignore[attr-defined]
        self.projection = ReadModels(self.view)
        self.tracking_name = f"{app.name}.{ReadModels.name}"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # --- feeding ------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id applied (0 before the first)."""
        return self.view.max_tracking_id(self.tracking_name) or 0

    def catch_up(self, limit: int | None = None) -> int:
        """Apply every notification after the tracked position (at most ``limit``).
        Returns how many were applied."""
        applied = 0
        with self._lock:
            while limit is None or applied < limit:
                after = self.position()
                size = BATCH if limit is None else min(BATCH, limit - applied)
                batch = self.app.recorder.select_notifications(start=after + 1, limit=size)
                if not batch:
                    break
                try:
                    for n in batch:
                        event = self.app.mapper.to_domain_event(n)
                        self.projection.process_event(
                            event, Tracking(self.tracking_name, n.id))
                        applied += 1
                except IntegrityError:
                    continue  # another process applied it first: resume from the table
        return applied

    def start(self, interval: float = 0.05) -> None:
        """Catch up continuously in a background thread until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            try:
                while not self._stop.is_set():
                    if not self.catch_up():
                        self._stop.wait(interval)
            except BaseException as exc:  # surfaced by wait_for
                self.error = exc
                self._stop.set()

        self._thread = threading.Thread(target=run, name="read-side", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait_for(self, notification_id: int | None, timeout: float = 2.0) -> None:
        """Read-your-writes: block until the read models hold notification
        ``notification_id`` (e.g. ``service.recorder.max_notification_id()`` after a
        command). Raises :class:`TimeoutError` after ``timeout`` seconds."""
        if notification_id is None:
            return
        deadline = time.monotonic() + timeout
        while self.position() < notification_id:
            if self.error is not None:
                raise self.error
            if self._thread is None:
                self.catch_up()
                if self.position() >= notification_id:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the read models have not reached notification {notification_id} "
                    f"within {timeout} s (at {self.position()})")
            time.sleep(0.01)

    def rebuild(self) -> int:
        """Drop the read models and replay the whole log. Returns the events applied."""
        with self._lock:
            self.view.drop(self.tracking_name)
        return self.catch_up()

    # --- reading ------------------------------------------------------------------------

    def _store_read(self) -> Any:
        return self.view.reading()

    def _today(self) -> date:
        clock = getattr(self.app, "clock", None)
        moment = clock.now() if clock is not None else datetime.now().astimezone()
        return local_date(moment)

    def as_of(self, moment: datetime) -> AsOf:
        return AsOf(self.app, moment)
