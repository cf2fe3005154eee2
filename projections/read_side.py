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
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.base import local_date
from projections import quarantine
from projections.allocation_rows import DecodedDocs, KeptRows, allocation_rows
from projections.casework import CaseworkQueries
from projections.fold import CASE, PLACE
from projections.list_view import newest_change, read_position
from projections.listen import LogListener
from projections.outage import store_unavailable
from projections.quarantine import describe
from projections.queries import (  # noqa: F401 - the queries, at home here too
    AsOf,
    ReplayedAsOf,
    _TableQueries,
    on_list_case_ids,
)
from projections.replay_store import SHADOW, CrossPartition
from projections.sealing import sealer_for
from projections.store import RowCache, SqlStore
from projections.view import ReadModels, read_only_view, view_for

log = logging.getLogger(__name__)

BATCH = 500  # notifications per transaction when catching up
AS_OF_SLACK = timedelta(seconds=30)  # events stored this much out of time order, at most
COUNT_AGAIN_S = 5.0  # how stale an external read side's count of events set aside may be
POLL_EXTERNAL_S = 0.02  # how stale an external read side's idea of its position may be
OUTAGE_RETRY_S = 1.0  # the background reader's wait while the store is unavailable
REBUILD_BATCH = 10_000  # and when replaying the whole log
PARALLEL_FROM = 100_000  # notifications from which a rebuild uses worker processes
#: Lagging this many events behind at start, a projector rebuilds the read models (with
#: worker processes) rather than catching up one batch at a time.
REBUILD_BEHIND = 100_000


class ReadSideLagging(TimeoutError):
    """The read models did not reach a position in time (a long rebuild, a projector far
    behind): the API answers 503 ``read_side_lagging`` with ``Retry-After``, not a fault."""


class ReadSide(CaseworkQueries, _TableQueries):
    """The live read models of one application, in its own database (and schema), or
    read from a replica of it (``replica``: a datastore on a PostgreSQL streaming replica).

    **Freshness.** The read models are kept current by a projector of their own: the
    background thread :meth:`start` runs (the embedded default), or another process
    (``python -m projections run``; this read side is then ``external`` and only reads).
    A read never catches up itself and never waits on another read: it reads what the
    models hold. Only a client that asks to see a given position (its own write) waits,
    with :meth:`wait_for`, until the projector has applied it. The position applied is kept
    in memory (:meth:`known_position`) and moves after every committed batch, waking the
    waiters; an external read side asks the store, at most every ``POLL_EXTERNAL_S``."""

    def __init__(self, app: Application[Any], external: bool = False,
                 replica: Any = None) -> None:
        self.app = app
        if replica is not None:  # a read-only copy of the store: read, never write
            if not external:
                raise ValueError("a read side on a replica reads what another process "
                                 "projects: it is external")
            self.view = read_only_view(replica, sealer_for(app.env))
        else:
            self.view = view_for(app.recorder.datastore,  # type: ignore[attr-defined]
                                 sealer_for(app.env))
        self.projection = ReadModels(self.view)
        self.tracking_name = f"{app.name}.{ReadModels.name}"
        #: Another process keeps the read models current; this one only reads them.
        self.external = external
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._moved = threading.Condition()
        self._applied = 0  # the newest position known to be applied
        self._applied_at: datetime | None = None  # the timestamp of its event
        self._asked = 0.0  # when an external read side last asked the store
        self._thread: threading.Thread | None = None
        self._listener: LogListener | None = None
        self.set_aside_total: int | None = None
        self._counted = 0.0
        self.error: BaseException | None = None
        #: Where the last :meth:`rebuild`'s time went (see there); empty before one.
        self.last_rebuild: dict[str, Any] = {}
        #: Whether an allocation read keeps its documents for the next (``_decoded``): for
        #: the policy lab's daily runs; a server keeps no such memory between its rare runs.
        self.keep_allocation_docs = False
        self._decoded: dict[bytes, Any] = {}  # the last allocation read's documents
        #: With :attr:`keep_allocation_docs`: the last allocation read's rows, and the
        #: aggregates whose events this read side applied since, up to ``_changed_upto``
        self._kept: KeptRows | None = None
        self._changed: set[str] = set()
        self._changed_upto = 0

    # --- feeding ------------------------------------------------------------------------

    def position(self) -> int:
        """The last notification id applied (0 before the first), asked of the store."""
        position = self.view.max_tracking_id(self.tracking_name) or 0
        self._advance(position)
        return position

    def analyze_stale(self) -> list[str]:
        """PostgreSQL: statistics for the read models' tables written in bulk since they
        were last gathered (a store whose autovacuum is off, a long catch-up); on the
        primary (a replica has its primary's). See :meth:`ReadModelView.analyze_stale`."""
        if self.external:
            return []
        try:
            return self.view.analyze_stale()
        except Exception as exc:  # a help to the planner, never a reason not to serve
            logging.getLogger(__name__).warning("read models: statistics not gathered "
                                                "(%s: %s)", type(exc).__name__, exc)
            return []

    def known_position(self) -> int:
        """The last notification id known to be applied, without asking the store (an
        external read side asks it when its answer is older than ``POLL_EXTERNAL_S``)."""
        if self.external and time.monotonic() - self._asked > POLL_EXTERNAL_S:
            self._asked = time.monotonic()
            return self.position()
        return self._applied

    def _advance(self, position: int, at: datetime | None = None) -> None:
        if position > self._applied:
            with self._moved:
                if position > self._applied:
                    self._applied = position
                    if at is not None:
                        self._applied_at = at
                    self._moved.notify_all()

    def nudge(self) -> None:
        """Wake the background projector now (a write was just stored)."""
        self._wake.set()

    def catch_up(self, limit: int | None = None, batch: int = BATCH) -> int:
        """Apply every notification after the tracked position (at most ``limit``), up to
        ``batch`` of them per transaction (with the tracking position: a failure rolls back
        the whole batch, and the next call resumes at the last committed position).
        Returns how many were applied."""
        with self._lock:
            return self._catch_up(limit, batch)

    def _catch_up(self, limit: int | None, batch: int, shadow: str | None = None,
                  until: int | None = None) -> int:
        """Catch up the live read models, or (``shadow``: the feed's tracking name) the
        shadow tables of a rebuild in order (:meth:`_rebuild_in_order`), up to notification
        ``until`` (inclusive; None: the end)."""
        applied = 0
        mapper, recorder = self.app.mapper, self.app.recorder
        cache = RowCache()
        while limit is None or applied < limit:
            after = (self.view.max_tracking_id(shadow) or 0) if shadow else self.position()
            size = batch if limit is None else min(batch, limit - applied)
            if until is not None and after >= until:
                break
            notifications = recorder.select_notifications(start=after + 1, limit=size,
                                                          stop=until)
            if not notifications:
                break
            events: list[tuple[int, Any]] = []
            undecodable: tuple[Any, Exception] | None = None
            for n in notifications:
                try:
                    events.append((n.id, mapper.to_domain_event(n)))
                except Exception as exc:  # set aside below, after those before it
                    undecodable = (n, exc)
                    break
            try:
                if events:
                    self._apply(events, after, cache, shadow)
                    if not shadow:
                        self._note_applied(after, events[-1][0],
                                           (e.originator_id for _, e in events))
                    after = events[-1][0]
                    if not shadow:
                        self._advance(after, events[-1][1].timestamp)
                if undecodable is not None:
                    n, exc = undecodable
                    self._set_aside(after, n.id, str(n.originator_id), n.topic, exc, shadow)
                    if not shadow:
                        self._note_applied(after, n.id, (n.originator_id,))
                    after = n.id
            except IntegrityError:
                continue  # another process moved the position first: resume from it
            applied += len(events) + (undecodable is not None)
        return applied

    def _note_applied(self, after: int, upto: int, originators: Any) -> None:
        """For the kept allocation rows (:class:`KeptRows`): the events after ``after`` up
        to ``upto`` are applied, by this read side, to these aggregates' rows. Events
        applied by another (a gap) leave nothing known: the rows are read anew."""
        if self._kept is None:
            return
        if after != self._changed_upto:
            self._forget_kept()
            return
        self._changed.update(map(str, originators))
        self._changed_upto = upto

    def _forget_kept(self) -> None:
        self._kept, self._changed, self._changed_upto = None, set(), 0

    def _apply(self, events: list[tuple[int, Any]], after: int, cache: RowCache,
               shadow: str | None = None) -> None:
        """Apply a batch; if one of its events cannot be applied, apply them one at a time
        and set aside each that fails (:mod:`projections.quarantine`). An unavailable store
        and another process's move of the position are not the events' fault: raised."""
        name, suffix = (shadow, SHADOW) if shadow else (self.tracking_name, "")
        try:
            self.view.apply_batch(events, name, after, cache, suffix)
            return
        except IntegrityError:
            raise
        except Exception as exc:
            if store_unavailable(exc):
                raise
        for notification_id, event in events:
            try:
                self.view.apply_batch([(notification_id, event)], name, after, RowCache(),
                                      suffix)
            except IntegrityError:
                raise
            except Exception as exc:
                if store_unavailable(exc):
                    raise
                self._set_aside(after, notification_id, str(event.originator_id),
                                f"{type(event).__module__}:{type(event).__qualname__}", exc,
                                shadow)
            after = notification_id
            if not shadow:
                self._advance(after, event.timestamp)
        cache.clear()

    def _set_aside(self, after: int, notification_id: int, originator_id: str, topic: str,
                   exc: BaseException, shadow: str | None = None) -> None:
        error = describe(exc)
        self.view.set_aside(shadow or self.tracking_name, after, notification_id,
                            originator_id, topic, error)
        if not shadow:
            self._advance(notification_id)
        self.set_aside_total = None  # counted again when next asked
        log.error("read side: event %s (%s, aggregate %s) cannot be applied and is set "
                  "aside: %s", notification_id, topic, originator_id, error)

    def set_aside(self) -> list[dict[str, Any]]:
        """The events set aside because they could not be applied, by position."""
        return self.view.set_aside_events(self.tracking_name)

    def set_aside_count(self) -> int:
        """How many events are set aside (remembered while none is added here; an
        external read side asks the store again after ``COUNT_AGAIN_S``)."""
        if self.set_aside_total is None or (
                self.external and time.monotonic() - self._counted > COUNT_AGAIN_S):
            self.set_aside_total = self.view.set_aside_count(self.tracking_name)
            self._counted = time.monotonic()
        return self.set_aside_total

    def start(self, interval: float = 0.05) -> None:
        """Catch up continuously in a background thread until :meth:`stop`: at once when
        nudged (:meth:`nudge`), else every ``interval`` seconds (PostgreSQL's notifications nudge
        it too, see :mod:`projections.listen`). While the store is unavailable
        (:func:`~projections.outage.store_unavailable`: locked, unreachable) the thread
        waits and tries again, logging the outage once and its end once; any other error
        stops it and is raised by :meth:`wait_for`."""
        if self._thread is not None:
            return
        if self.external:
            raise RuntimeError("an external read side is kept current by another process")
        self._stop.clear()
        self.position()

        def run() -> None:
            down = False  # the store is unavailable: said once, then again when it is back
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    applied = self.catch_up()
                except Exception as exc:
                    if not store_unavailable(exc):  # a fault: surfaced by wait_for
                        self.error = exc
                        self._stop.set()
                        with self._moved:
                            self._moved.notify_all()
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
                    self._wake.wait(interval)

        thread = threading.Thread(target=run, name="read-side", daemon=True)
        thread.start()
        self._thread = thread
        if LogListener.applies(self.app.recorder):
            self._listener = LogListener(self.app.recorder, self.nudge)
            self._listener.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def running(self) -> bool:
        """Whether a projector keeps these read models current (a thread here, or, for an
        external read side, another process)."""
        return self.external or (self._thread is not None and not self._stop.is_set())

    def wait_for(self, notification_id: int | None, timeout: float = 2.0) -> None:
        """Read-your-writes: block until the read models hold notification
        ``notification_id`` (e.g. the position a write answered with). Without a projector
        running, catches up in this thread instead. Raises :class:`TimeoutError` after
        ``timeout`` seconds (:class:`ReadSideLagging`), or the projector's error if it
        stopped on one."""
        if notification_id is None or self.known_position() >= notification_id:
            return
        if not self.running:
            self.catch_up()
            if self.position() >= notification_id:
                return
        deadline = time.monotonic() + timeout
        self.nudge()
        with self._moved:
            while self.known_position() < notification_id:
                if self.error is not None:
                    raise self.error
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ReadSideLagging(
                        f"the read models have not reached notification {notification_id} "
                        f"within {timeout} s (at {self._applied})")
                self._moved.wait(min(left, POLL_EXTERNAL_S if self.external else 0.25))

    def wait_for_log(self, timeout: float = 2.0) -> None:
        """Block until the read models hold every event stored before this call."""
        self.wait_for(self.app.recorder.max_notification_id() or 0, timeout)

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
        except Exception as exc:
            self.view.drop_shadow()
            if store_unavailable(exc):
                raise
            # An event the fold cannot take (projections.quarantine): replay in order, so
            # that it is set aside and the rest applied.
            log.error("read side: the rebuild stopped on %s; replaying the log in order, "
                      "setting aside what cannot be applied", describe(exc))
            return self._rebuild_in_order(batch, end, started)
        except BaseException:
            self.view.drop_shadow()
            raise
        built = time.perf_counter()
        with self._lock, self.view.bulk():
            self._forget_kept()  # the tables replaced
            self.view.take_over(self.tracking_name, end)  # every event up to end folded
            self.set_aside_total = None
            taken = time.perf_counter()
            folded += self._catch_up(None, batch)
        self.last_rebuild = {
            "build_s": built - started, "take_over_s": taken - built,
            "catch_up_s": time.perf_counter() - taken, "workers": self.view.last_build,
        }
        return folded

    def _rebuild_in_order(self, batch: int, end: int, started: float) -> int:
        """A rebuild in one process, event by event in log order, into the shadow tables
        through the same transactional feed as a catch-up (so that an event the fold cannot
        take is set aside, as live), while the live read models stay in service; then the
        take-over. Slower than :meth:`rebuild`'s folding; for a log a rebuild stopped on."""
        shadow = f"{self.tracking_name}.rebuild"
        self.view.fresh_shadow()
        with self.view._writing() as c:
            store = self.view._store(c)
            store.execute(f"DELETE FROM {self.view._tracking_table()} "
                          "WHERE application_name = %s", (shadow,))
            quarantine.clear(store, shadow)
        try:
            folded = self._catch_up(None, REBUILD_BATCH // 10, shadow=shadow, until=end)
        except BaseException:
            self.view.drop_shadow()
            raise
        built = time.perf_counter()
        with self._lock, self.view.bulk():
            self._forget_kept()  # the tables replaced
            self.view.take_over(self.tracking_name, end, shadow_tracking=shadow)
            self.set_aside_total = None
            taken = time.perf_counter()
            folded += self._catch_up(None, batch)
        self.last_rebuild = {
            "build_s": built - started, "take_over_s": taken - built,
            "catch_up_s": time.perf_counter() - taken, "workers": [], "in_order": True,
        }
        return folded

    def _replay_in_place(self, batch: int) -> int:
        """Drop the read models and catch up from the first notification."""
        with self._lock, self.view.bulk():
            self._forget_kept()  # the tables replaced
            self.view.drop(self.tracking_name, indexes=False)  # built once, at the end
            self.view.clear_set_aside(self.tracking_name)  # tried again, in order
            self.set_aside_total = None
            try:
                return self._catch_up(None, batch)
            finally:
                self.view.index()

    # --- reading ------------------------------------------------------------------------

    def _store_read(self) -> Any:
        return self.view.reading()

    def _stands(self, store: SqlStore, municipality: str
                ) -> tuple[datetime, int, dict[str, str]]:
        return (newest_change(store, CASE, municipality),
                read_position(store, self.view._tracking_table(), self.tracking_name), {})

    def _today(self) -> date:
        clock = getattr(self.app, "clock", None)
        moment = clock.now() if clock is not None else datetime.now().astimezone()
        return local_date(moment)

    def waiting_case_ids(self, municipality: str | None = None) -> list[UUID]:
        """The cases on the waiting list now (R12), of ``municipality`` or of all
        (:class:`application.waiting_cases.WaitingCases`, for the deadline check and the
        allocation run). Brought up to date first, so a case decided just before is among
        them."""
        self.up_to_date()
        with self._store_read() as store:
            return on_list_case_ids(store, municipality)

    def up_to_date(self, timeout: float = 30.0) -> None:
        """Bring the read models up to the end of the log as it is now: wait for the
        projector, or catch up in this thread when none runs. For commands that choose by
        the read models (the deadline check, the allocation run), not for screens."""
        if self.running:
            self.wait_for_log(timeout)
        else:
            self.catch_up()

    def as_of(self, moment: datetime, timeout: float = 30.0) -> AsOf:
        """The read models as they stood at ``moment`` (R21). Every event in the log with a
        timestamp at or before the moment counts: unless the read models already hold an
        event stamped later than the moment (with ``AS_OF_SLACK`` for writers whose
        timestamps and positions cross), they are brought up to date first."""
        applied_at = self._applied_at
        if applied_at is None or moment > applied_at - AS_OF_SLACK:
            self.up_to_date(timeout)
        return AsOf(self.view, moment, self.tracking_name)

    def own_stock_kinds(self, municipality: str) -> set[tuple[str, str]]:
        """R5: the place types and facility kinds of the municipality's own open places
        (values), brought up to date first, like :meth:`waiting_case_ids`."""
        self.up_to_date()
        with self._store_read() as store:
            return {(d["place_type"], d["facility_kind"])
                    for d in store.all(PLACE, municipality) if d.get("open")}

    def allocation_rows(self, municipality: str) -> dict[str, Any]:
        """What an allocation run reads (R17; :mod:`projections.allocation_rows`), in one
        read, with the position the read models were at in that read: ``position``,
        ``cases``, ``spouses``, ``places``, ``provider_offers``. Brought up to date first,
        like :meth:`waiting_case_ids`. With :attr:`keep_allocation_docs`, only the rows of
        the aggregates whose events this read side applied since the last such read are
        read again (:class:`~projections.allocation_rows.KeptRows`; every row is read when
        another applied some), and a document unchanged since then is not decoded again
        (:class:`~projections.allocation_rows.DecodedDocs`)."""
        self.up_to_date()
        with self._store_read() as store:
            position = read_position(store, self.view._tracking_table(), self.tracking_name)
            decoded = DecodedDocs(store.unpack, self._decoded)
            store.unpack = decoded  # type: ignore[method-assign]
            if not self.keep_allocation_docs:
                return {"position": position, **allocation_rows(store, municipality)}
            with self._lock:
                kept = self._kept
                if kept is not None and kept.municipality == municipality and \
                        self._changed_upto == position:
                    kept.refresh(store, position, self._changed)
                else:
                    kept = self._kept = KeptRows(store, municipality, position)
                self._changed, self._changed_upto = set(), position
                rows = kept.rows(store)
            self._decoded = decoded.used
            return {"position": position, **rows}
