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

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.base import local_date
from projections.access_log import access_log
from projections.activity import QuarterRow, activity_csv, activity_report
from projections.case_history import HistoryEntry, case_history
from projections.complaints import case_history_with_complaints, complaint, complaints
from projections.deadlines import (
    BreachReport,
    DeadlineMonitor,
    breach_report,
    breach_reports,
    deadline_monitor,
)
from projections.fold import CASE, ON_LIST, apply_event
from projections.outage import store_unavailable
from projections.statistics import MonthRow, statistics, statistics_csv
from projections.store import OPEN, CrossPartition, MemoryStore, RowCache, SqlStore, Store
from projections.vacancy_board import Facility, VacancyBoard, facilities, vacancy_board
from projections.view import ReadModels, ReadModelView, view_for
from projections.waiting_list import WaitingListEntry, waiting_list

log = logging.getLogger(__name__)

BATCH = 500  # notifications per transaction when catching up
OUTAGE_RETRY_S = 1.0  # the background reader's wait while the store is unavailable
REBUILD_BATCH = 10_000  # and when replaying the whole log
PARALLEL_FROM = 100_000  # notifications from which a rebuild uses worker processes


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

    def facilities(self, municipality: str) -> list[Facility]:
        """Every facility with an own place in the municipality, full and closed ones too,
        by name: the facilities a person may rank among their wishes (R16, R20)."""
        with self._store_read() as store:
            return facilities(store, municipality)

    def case_history(self, case_id: Any) -> list[HistoryEntry]:
        with self._store_read() as store:
            return case_history(store, str(case_id))

    def deadline_monitor(self, municipality: str, today: date | None = None,
                         limit: int | None = None, offset: int = 0) -> DeadlineMonitor:
        """R18, R19: breaches and their choices (``limit`` of them, newest first, from
        ``offset``; all when None), overdue, due within 14 and 30 days."""
        with self._store_read() as store:
            return deadline_monitor(store, municipality, today or self._today(), limit,
                                    offset)

    def breach_report(self, municipality: str, case_id: Any, today: date | None = None
                      ) -> BreachReport | None:
        """R18, R19: one person's breach for the supervisory authority; None without one."""
        with self._store_read() as store:
            return breach_report(store, municipality, str(case_id), today or self._today())

    def breach_reports(self, municipality: str, today: date | None = None
                       ) -> list[BreachReport]:
        with self._store_read() as store:
            return breach_reports(store, municipality, today or self._today())

    def statistics(self, municipality: str, first_month: date, last_month: date,
                   today: date | None = None) -> list[MonthRow]:
        """R13: per month (first to last, inclusive) and place type, plus "all"."""
        with self._store_read() as store:
            return statistics(store, municipality, first_month, last_month,
                              today or self._today())

    def activity_report(self, municipality: str, year: int, today: date | None = None
                        ) -> list[QuarterRow]:
        """R22: institution-days per quarter of ``year`` by place type and purchased."""
        with self._store_read() as store:
            return activity_report(store, municipality, year, today or self._today())

    statistics_csv = staticmethod(statistics_csv)
    activity_csv = staticmethod(activity_csv)

    def complaints(self, municipality: str, case_id: Any = None) -> list[dict[str, Any]]:
        """R21: the complaints (klage) of the municipality, or of one case, oldest first:
        status, subject, dates, late flag, reconsideration, forwarding, outcome, and each
        complaint's own history."""
        with self._store_read() as store:
            return complaints(store, municipality,
                              str(case_id) if case_id is not None else None)

    def complaint(self, municipality: str, complaint_id: Any) -> dict[str, Any] | None:
        with self._store_read() as store:
            return complaint(store, municipality, str(complaint_id))

    def case_history_with_complaints(self, municipality: str, case_id: Any
                                     ) -> list[dict[str, Any]]:
        """R21: the case history with its complaints' events merged in by time."""
        with self._store_read() as store:
            return case_history_with_complaints(store, municipality, str(case_id))

    def access_log(self, municipality: str, case_id: Any) -> list[dict[str, Any]]:
        """Tilgangslogg (pasientjournalloven § 18): who accessed the case, newest first."""
        with self._store_read() as store:
            return access_log(store, municipality, str(case_id))


class _Held:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *_: object) -> None:
        return None


class _OnList:
    """A SQL store whose case documents are only those on the waiting list (R12): what
    :func:`waiting_list` keeps of them anyway, chosen through the status index instead of
    reading every case the municipality has ever had."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    def all(self, table: str, municipality: str) -> list[Any]:
        if table == CASE:
            return self.store.all_with_status(CASE, municipality, ON_LIST)
        return self.store.all(table, municipality)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def on_list_case_ids(store: SqlStore, municipality: str | None) -> list[UUID]:
    """The ids of the cases whose current row is on the waiting list (R12: status in
    ``ON_LIST``), of one municipality or of all, in key order: only the keys, chosen through
    the status column (indexed with the municipality)."""
    where = f"status IN ({', '.join(['%s'] * len(ON_LIST))}) AND valid_to = %s"
    params: list[Any] = [*ON_LIST, OPEN]
    if municipality is not None:
        where, params = f"municipality = %s AND {where}", [municipality, *params]
    store.execute(f"SELECT key FROM {store.name(CASE)} WHERE {where} ORDER BY key", params)
    return [UUID(row["key"]) for row in store.cursor.fetchall()]


class _TableQueries(_Queries):
    """Queries over the SQL tables (current or as of a moment), with the waiting list
    read through the status index."""

    def waiting_list(self, municipality: str, today: date | None = None
                     ) -> list[WaitingListEntry]:
        with self._store_read() as store:
            return waiting_list(_OnList(store), municipality, today or self._today())


class AsOf(_TableQueries):
    """The read models as they stood at ``moment`` (R21: what the allocation unit saw then):
    the row versions valid at the moment, read from the temporal tables (see
    :mod:`projections.store`). Equal to folding every event with a timestamp at or before
    the moment (:class:`ReplayedAsOf`, the slow reference), provided the tables hold the
    whole log (:meth:`ReadSide.as_of` catches up first)."""

    def __init__(self, view: ReadModelView, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("an as-of moment carries its time zone")
        self.view = view
        self.moment = moment

    def _store_read(self) -> Any:
        return self.view.reading(as_of=self.moment)

    def _today(self) -> date:
        return local_date(self.moment)


class ReplayedAsOf(_Queries):
    """The reference for :class:`AsOf`: folded from the log alone into memory, every event
    with a timestamp at or before ``moment``. Decodes the whole log on every call — for
    tests and checks, not for screens."""

    def __init__(self, app: Application[Any], moment: datetime) -> None:
        self.moment = moment
        self.store = MemoryStore()
        start = 1
        while True:
            batch = app.recorder.select_notifications(start=start, limit=BATCH * 4)
            for n in batch:
                event = app.mapper.to_domain_event(n)
                if event.timestamp <= moment:
                    self.store.position = n.id
                    apply_event(self.store, event)
            if len(batch) < BATCH * 4:
                break
            start = batch[-1].id + 1

    def _store_read(self) -> Any:
        return _Held(self.store)

    def _today(self) -> date:
        return local_date(self.moment)


class ReadSide(_TableQueries):
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
        #: Where the last :meth:`rebuild`'s time went (see there); empty before one.
        self.last_rebuild: dict[str, Any] = {}

    # --- feeding ------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id applied (0 before the first)."""
        return self.view.max_tracking_id(self.tracking_name) or 0

    def catch_up(self, limit: int | None = None, batch: int = BATCH) -> int:
        """Apply every notification after the tracked position (at most ``limit``), up to
        ``batch`` of them per transaction (with the tracking position: a failure rolls back
        the whole batch, and the next call resumes at the last committed position).
        Returns how many were applied."""
        with self._lock:
            return self._catch_up(limit, batch)

    def _catch_up(self, limit: int | None, batch: int) -> int:
        applied = 0
        mapper, recorder = self.app.mapper, self.app.recorder
        cache = RowCache()
        while limit is None or applied < limit:
            after = self.position()
            size = batch if limit is None else min(batch, limit - applied)
            notifications = recorder.select_notifications(start=after + 1, limit=size)
            if not notifications:
                break
            events = [(n.id, mapper.to_domain_event(n)) for n in notifications]
            try:
                self.view.apply_batch(events, self.tracking_name, after, cache)
            except IntegrityError:
                continue  # another process moved the position first: resume from it
            applied += len(events)
        return applied

    def start(self, interval: float = 0.05) -> None:
        """Catch up continuously in a background thread until :meth:`stop`. While the
        store is unavailable (:func:`~projections.outage.store_unavailable`: locked,
        unreachable) the thread waits and tries again, logging the outage once and its end
        once; any other error stops it and is raised by :meth:`wait_for`."""
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            down = False  # the store is unavailable: said once, then again when it is back
            while not self._stop.is_set():
                try:
                    applied = self.catch_up()
                except Exception as exc:
                    if not store_unavailable(exc):  # a fault: surfaced by wait_for
                        self.error = exc
                        self._stop.set()
                        return
                    if not down:
                        down = True
                        log.warning("read side: the store is unavailable (%s); retrying "
                                    "every %.0f s", type(exc).__name__, OUTAGE_RETRY_S)
                    self._stop.wait(OUTAGE_RETRY_S)
                    continue
                if down:
                    down = False
                    log.warning("read side: the store is available again")
                if not applied:
                    self._stop.wait(interval)

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

    def rebuild(self, batch: int = REBUILD_BATCH, workers: int | None = None,
                progress: Callable[[int], None] | None = None) -> int:
        """Replay the whole log into new read models, which then replace the current ones.
        Returns the events applied (the log up to where the rebuild started, and what
        came while it ran).

        The log up to its current end is folded into shadow tables while the current read
        models stay in service (and keep catching up); then, in one transaction, the
        shadows take their place with the tracking position at that end, and the events
        since are applied as by any catch-up. With ``workers`` > 1 that many processes
        fold the log, split by aggregate, each writing its own rows (by default 2 when the
        log holds at least ``PARALLEL_FROM`` notifications and the machine has more than
        one core). Either way the rows are those of a sequential replay. Should the fold
        need rows of other aggregates than an event's own (it does not today), the
        rebuild falls back to dropping the tables and catching up from the start.
        ``progress`` is called with the number of notifications folded so far.
        :attr:`last_rebuild` then says where the time went: seconds to build, to take
        over (the indexes are built then) and to catch up, and each worker's phases."""
        end = self.app.recorder.max_notification_id() or 0
        if workers is None:
            workers = 2 if end >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
        started = time.perf_counter()
        try:
            folded = self.view.build(self.app, end, batch, workers, progress)
        except CrossPartition:
            self.view.drop_shadow()
            if workers > 1:  # one partition holds every row: the fold may reach any
                return self.rebuild(batch, workers=1, progress=progress)
            return self._replay_in_place(batch)
        except BaseException:
            self.view.drop_shadow()
            raise
        built = time.perf_counter()
        with self._lock, self.view.bulk():
            self.view.take_over(self.tracking_name, end)
            taken = time.perf_counter()
            folded += self._catch_up(None, batch)
        self.last_rebuild = {
            "build_s": built - started, "take_over_s": taken - built,
            "catch_up_s": time.perf_counter() - taken, "workers": self.view.last_build,
        }
        return folded

    def _replay_in_place(self, batch: int) -> int:
        """Drop the read models and catch up from the first notification."""
        with self._lock, self.view.bulk():
            self.view.drop(self.tracking_name, indexes=False)  # built once, at the end
            try:
                return self._catch_up(None, batch)
            finally:
                self.view.index()

    # --- reading ------------------------------------------------------------------------

    def _store_read(self) -> Any:
        return self.view.reading()

    def _today(self) -> date:
        clock = getattr(self.app, "clock", None)
        moment = clock.now() if clock is not None else datetime.now().astimezone()
        return local_date(moment)

    def waiting_case_ids(self, municipality: str | None = None) -> list[UUID]:
        """The cases on the waiting list now (R12), of ``municipality`` or of all
        (:class:`application.waiting_cases.WaitingCases`, for the deadline check and the
        allocation run). Catches up first, so a case decided just before is among them."""
        self.catch_up()
        with self._store_read() as store:
            return on_list_case_ids(store, municipality)

    def as_of(self, moment: datetime) -> AsOf:
        """The read models as they stood at ``moment`` (R21). Catches up first, so that
        every event in the log with a timestamp at or before the moment counts."""
        self.catch_up()
        return AsOf(self.view, moment)
