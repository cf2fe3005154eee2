"""The materialised view: read-model tables plus the tracking record, in one transaction.

Each view is a tracking recorder of eventsourcing (:class:`SQLiteTrackingRecorder`,
:class:`PostgresTrackingRecorder`) that writes read-model changes and the tracking record
(the notification id they came from) in the same transaction, so each event counts exactly
once and a restart resumes after the last committed position.

- :meth:`apply_batch` (what :class:`projections.read_side.ReadSide` uses) applies many
  events in one transaction: it first moves the tracking position from the one the batch was
  read after to its last notification id — a compare-and-set, so a batch read after a
  position another process has already moved on from fails with ``IntegrityError`` and is
  rolled back whole — then folds the events through one buffered :class:`SqlStore` (each
  touched row read once and written once per batch) and commits. A failure anywhere rolls
  back the whole batch; tracking stays at the last committed position.
- :meth:`apply` applies one event with the library's tracking insert, which refuses a
  position at or below the one held: an event applied twice is rolled back whole.
- :meth:`replay_in_parallel` (a rebuild of a large log) splits the folding among worker
  processes by aggregate id — each worker reads the log, decodes and folds its own
  aggregates' events into a :class:`PartitionStore` and sends the planned row operations —
  while this process writes each range of the log, every worker's rows for it and the
  tracking position, in one transaction, in log order. The result is the same rows as a
  sequential replay, provided the fold keeps to each event's own rows; a worker that sees
  it not doing so stops the parallel replay, and the rest is replayed sequentially from
  the last committed position.

Why one projection for all the read models (waiting list, vacancy board, case history, ...):
they then move together, one tracking position, so a reader never sees the board ahead of
the list, and read-your-writes waits on one number.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from eventsourcing.utils import get_topic, resolve_topic

from projections.fold import apply_event
from projections.store import CrossPartition, PartitionStore, RowCache, SqlStore

#: The PostgreSQL tracking table (in the tenant's schema). SQLite's is always "tracking".
PG_TRACKING_TABLE = "lto_rm_tracking"
#: How replay workers start: "spawn", a fresh interpreter (no inherited connections or
#: threads); tests use "fork" to hand their patches to the workers.
REPLAY_START_METHOD = "spawn"


class _ViewMixin:
    dialect: str
    datastore: Any
    _bulk: Any = None

    def _store(self, cursor: Any, as_of: datetime | None = None,
               cache: RowCache | None = None) -> SqlStore:
        return SqlStore(cursor, self.dialect, getattr(self.datastore, "schema", None), as_of,
                        cache)

    def _tracking_table(self) -> str:
        raise NotImplementedError

    def create_read_model_tables(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            store = self._store(c)
            if not store.has_current_layout():  # an earlier release's tables: rebuild
                store.drop_tables()
                store.execute(f"DELETE FROM {self._tracking_table()} "
                              "WHERE application_name LIKE %s", (f"%.{ReadModels.name}",))
            store.create_tables()

    def apply(self, event: Any, tracking: Tracking) -> None:
        """Apply one event and record its tracking position, atomically."""
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)  # type: ignore[attr-defined]
            store = self._store(c)
            store.moment = event.timestamp
            apply_event(store, event)
            store.flush()

    def apply_batch(self, events: Sequence[tuple[int, Any]], tracking_name: str,
                    after: int, cache: RowCache | None = None) -> None:
        """Apply ``events`` (notification id, domain event), read after tracking position
        ``after``, in one transaction that also moves the position to the last id. Raises
        ``IntegrityError`` (and changes nothing) if the position is no longer ``after``.
        ``cache`` keeps rows between the batches of one catch-up; it is cleared when a
        batch fails."""
        if not events:
            return
        if not self.datastore.single_row_tracking:  # the library's multi-row table
            for notification_id, event in events:
                self.apply(event, Tracking(tracking_name, notification_id))
            return
        cache = cache if cache is not None else RowCache()
        if cache.position != after:  # someone else wrote since: what it holds may be stale
            cache.clear()
        try:
            with self._writing() as c:
                store = self._store(c, cache=cache)
                self._advance(store, tracking_name, after, events[-1][0])
                store.prefetch([str(e.originator_id) for _, e in events])
                for _, event in events:
                    store.moment = event.timestamp
                    apply_event(store, event)
                store.flush()
        except BaseException:
            cache.clear()  # it may hold what was rolled back
            raise
        cache.next_batch(events[-1][0])

    def _advance(self, store: SqlStore, name: str, after: int, position: int) -> None:
        """Compare-and-set of the single tracking row: ``after`` → ``position``. Done first
        in the transaction, so that on PostgreSQL a concurrent batch waits on the row lock
        and then finds the position moved."""
        table = self._tracking_table()
        if after == 0:  # no row yet: a concurrent first batch collides on the primary key
            store.execute(f"INSERT INTO {table} (application_name, notification_id) "
                          "VALUES (%s, %s)", (name, position))
            return
        store.execute(f"UPDATE {table} SET notification_id = %s "
                      "WHERE application_name = %s AND notification_id = %s",
                      (position, name, after))
        if store.cursor.rowcount != 1:
            raise IntegrityError(f"tracking of {name} is no longer at {after}")

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Write the batches of a replay (until the end of this block) for throughput: on
        SQLite through a connection of its own with a large page cache, checkpoints of the
        write-ahead log deferred, and commits that do not wait for the disk; on PostgreSQL
        with ``synchronous_commit`` off for these transactions. A crash may then lose the
        last batches, never part of one (rows and tracking position commit together): the
        replay resumes from the position that survived."""
        if self.dialect == "postgres":
            self._bulk = _PgBulk(self.datastore)
        elif getattr(self.datastore.pool, "is_sqlite_memory_mode", False):
            self._bulk = None  # another connection would be another database
        else:
            self._bulk = _SQLiteBulk(self.datastore.pool)
        try:
            yield
        finally:
            bulk, self._bulk = self._bulk, None
            if isinstance(bulk, _SQLiteBulk):
                bulk.close()

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with (self._bulk or self.datastore).transaction(commit=True) as c:
            yield c

    def can_replay_in_parallel(self) -> bool:
        """Worker processes need a database they can open themselves (not SQLite in
        memory) and the single-row tracking table."""
        pool = getattr(self.datastore, "pool", None)
        return bool(self.datastore.single_row_tracking) and not getattr(
            pool, "is_sqlite_memory_mode", False)

    def replay_in_parallel(self, app: Application[Any], tracking_name: str, end: int,
                           batch: int, workers: int) -> int:
        """Replay notifications 1 to ``end`` into empty tables with ``workers`` processes
        (see the module docstring). Returns how many notifications were applied; fewer
        than all when the fold crossed partitions or another reader moved the position,
        the rest being left to a sequential catch-up."""
        ctx = multiprocessing.get_context(REPLAY_START_METHOD)
        env = {**app.env, "CREATE_TABLE": "false"}  # there; and concurrent DDL would clash
        queues = [ctx.Queue(maxsize=3) for _ in range(workers)]
        procs = [ctx.Process(target=_replay_partition, daemon=True, name=f"replay-{i}",
                             args=(get_topic(type(app)), env, i, workers, end, batch,
                                   queues[i]))
                 for i in range(workers)]
        for proc in procs:
            proc.start()
        applied = after = 0
        try:
            for start in range(1, end + 1, batch):
                stop = min(start + batch - 1, end)
                results = [_receive(q, proc) for q, proc in zip(queues, procs, strict=True)]
                for result in results:
                    if result[0] == "error":
                        raise RuntimeError(f"a replay worker failed:\n{result[1]}")
                if any(result[0] != "ops" for result in results):
                    return applied  # the fold crossed partitions: the rest sequentially
                with self._writing() as c:
                    store = self._store(c)
                    try:
                        self._advance(store, tracking_name, after, stop)
                    except IntegrityError:
                        return applied  # another reader is at work: the rest with it
                    for _, _, _, ops, history in results:
                        for table, table_ops in ops.items():
                            store.write_ops(table, table_ops)
                        store.write_history(history)
                after, applied = stop, applied + sum(result[2] for result in results)
            return applied
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
                proc.join()
            for q in queues:
                q.close()

    @contextmanager
    def reading(self, as_of: datetime | None = None) -> Iterator[SqlStore]:
        """The read models, current or (``as_of``) as they stood at a moment."""
        with self.datastore.transaction(commit=False) as c:
            yield self._store(c, as_of)

    def drop(self, tracking_name: str, indexes: bool = True) -> None:
        """Drop the read-model tables and forget the position (for a rebuild). Without
        ``indexes`` the new tables have their primary keys only, until :meth:`index`."""
        with self.datastore.transaction(commit=True) as c:
            store = self._store(c)
            store.drop_tables()
            store.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s",
                          (tracking_name,))
            store.create_tables()
            if not indexes:
                store.drop_indexes()

    def index(self) -> None:
        """Build the query indexes (after a replay that went without them)."""
        with self._writing() as c:
            self._store(c).create_indexes()


class SQLiteReadModelView(_ViewMixin, SQLiteTrackingRecorder):
    dialect = "sqlite"

    def _tracking_table(self) -> str:
        return "tracking"

    def create_table(self) -> None:
        super().create_table()
        self.create_read_model_tables()


class PostgresReadModelView(_ViewMixin, PostgresTrackingRecorder):
    dialect = "postgres"

    def _tracking_table(self) -> str:
        return f'"{self.datastore.schema}"."{self.tracking_table_name}"'

    def create_table(self) -> None:
        super().create_table()
        self.create_read_model_tables()


ReadModelView = SQLiteReadModelView | PostgresReadModelView

#: The bulk-writing connection's settings (SQLite): 128 MiB of page cache, a checkpoint
#: every 200 MiB of log, commits that do not wait for fsync (WAL stays consistent).
_BULK_PRAGMAS = ("PRAGMA cache_size = -131072", "PRAGMA wal_autocheckpoint = 50000",
                 "PRAGMA synchronous = NORMAL")


class _SQLiteBulk:
    """A connection of its own to the SQLite file, for bulk writes (see ``bulk``)."""

    def __init__(self, pool: Any) -> None:
        self.conn = sqlite3.connect(pool.db_name, uri=True, isolation_level=None,
                                    check_same_thread=False, timeout=pool.lock_timeout or 5)
        self.conn.row_factory = sqlite3.Row
        for pragma in _BULK_PRAGMAS:
            self.conn.execute(pragma)

    @contextmanager
    def transaction(self, commit: bool) -> Iterator[sqlite3.Cursor]:
        cursor = self.conn.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                self.conn.rollback()
                raise
            if commit:
                self.conn.commit()
            else:
                self.conn.rollback()
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc) from exc
        finally:
            cursor.close()

    def close(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class _PgBulk:
    """PostgreSQL transactions that do not wait for the log flush at commit."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    @contextmanager
    def transaction(self, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as c:
            c.execute("SET LOCAL synchronous_commit = off")
            yield c


def partition_of(originator_id: Any, parts: int) -> int:
    """Which of ``parts`` replay workers folds an aggregate's events: by the last
    character of its id (a hex digit of a UUID), which the database can compute too."""
    return ord(str(originator_id)[-1]) % parts


def _partition_notifications(app: Application[Any], start: int, stop: int, part: int,
                             parts: int) -> list[Any]:
    """The notifications ``start`` to ``stop`` of one partition, chosen by the database
    (the library's ``select_notifications`` builds every row of the range)."""
    recorder: Any = app.recorder
    if isinstance(recorder.datastore, SQLiteDatastore):
        sql = (f"SELECT rowid AS id, originator_id, originator_version, topic, state "
               f"FROM {recorder.events_table_name} WHERE rowid BETWEEN ? AND ? "
               "AND unicode(substr(originator_id, -1)) % ? = ? ORDER BY rowid")
    elif isinstance(recorder.datastore, PostgresDatastore):
        sql = (f'SELECT notification_id AS id, originator_id, originator_version, topic, '
               f'state FROM "{recorder.datastore.schema}"."{recorder.events_table_name}" '
               "WHERE notification_id BETWEEN %s AND %s "
               "AND mod(ascii(right(originator_id::text, 1)), %s) = %s "
               "ORDER BY notification_id")
    else:  # pragma: no cover - another store: the library's way
        return [n for n in recorder.select_notifications(start=start, limit=stop - start + 1,
                                                          stop=stop)
                if partition_of(n.originator_id, parts) == part]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(sql, (start, stop, parts, part))
        rows = c.fetchall()
    convert = getattr(recorder, "convert_originator_id", None)
    return [Notification(id=r["id"], originator_id=convert(r["originator_id"]) if convert
                         and isinstance(r["originator_id"], str) else r["originator_id"],
                         originator_version=r["originator_version"], topic=r["topic"],
                         state=bytes(r["state"]))
            for r in rows]


def _replay_partition(app_topic: str, env: dict[str, str], part: int, parts: int, end: int,
                      batch: int, out: Any) -> None:
    """A replay worker (a process of its own): for each range of ``batch`` notifications
    up to ``end``, decode and fold the events of partition ``part`` and put the planned
    row operations on ``out``: ("ops", last id, the partition's notifications in the range,
    ops, history rows); ("cross", why) when the fold crosses partitions; ("error",
    traceback)."""
    try:
        app = resolve_topic(app_topic)(env=env)
        try:
            store = PartitionStore()
            for start in range(1, end + 1, batch):
                stop = min(start + batch - 1, end)
                notifications = _partition_notifications(app, start, stop, part, parts)
                for n in notifications:
                    event = app.mapper.to_domain_event(n)
                    store.moment = event.timestamp
                    store.owner = str(event.originator_id)
                    apply_event(store, event)
                ops, history = store.take_ops()
                out.put(("ops", stop, len(notifications), ops, history))
                store.shed()
        finally:
            app.close()
    except CrossPartition as exc:
        out.put(("cross", str(exc)))
    except BaseException as exc:
        out.put(("error", "".join(traceback.format_exception(exc))))


def _receive(q: Any, proc: Any) -> tuple[Any, ...]:
    while True:
        try:
            return q.get(timeout=1.0)  # type: ignore[no-any-return]
        except queue.Empty:
            if not proc.is_alive():
                try:
                    return q.get(timeout=1.0)  # type: ignore[no-any-return]
                except queue.Empty:
                    return ("error", f"{proc.name} ended without a word "
                                     f"(exit code {proc.exitcode})")


def view_for(datastore: Any) -> ReadModelView:
    """The view on the same database (and PostgreSQL schema) as the application's events."""
    view: ReadModelView
    if isinstance(datastore, SQLiteDatastore):
        view = SQLiteReadModelView(datastore)
    elif isinstance(datastore, PostgresDatastore):
        view = PostgresReadModelView(datastore, tracking_table_name=PG_TRACKING_TABLE)
    else:  # pragma: no cover
        raise TypeError(f"no read-model view for {type(datastore).__name__}")
    view.create_table()
    return view


class ReadModels(Projection[Any]):
    """The projection: every event of the allocation service into the read models."""

    name = "lto_read_models"
    topics: tuple[str, ...] = ()  # all events

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.apply(domain_event, tracking)
