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
- :meth:`build` and :meth:`take_over` (a rebuild, :meth:`ReadSide.rebuild`): the log up
  to its current end is folded into shadow tables (suffix ``__rebuild``) while the live
  read models stay in service. The folding is split among worker processes by aggregate
  id (one partition when there is one worker): each reads its partition's notifications,
  decodes and folds them into a :class:`PartitionStore` (every row of the partition in
  memory, so nothing is read back), and writes the finished versions itself, whole
  (:class:`HeldVersions`: the last two versions of a row are held in memory, so the
  shadow tables get inserts only, COPY on PostgreSQL, and need no index while they are
  written). On SQLite the workers take turns at writing by a lock. Then, in one
  transaction, the shadow tables replace the live ones, their indexes (unique keys and
  query indexes) are built and the tracking position becomes the end the build folded
  to; the events since are applied as by any catch-up. The rows are those of a
  sequential replay, provided the fold keeps to each event's own rows; a worker that sees
  it not doing so stops the build, and the log is folded again in one partition (which
  holds every row), or, if the fold reads whole tables, replayed in place.

Why one projection for all the read models (waiting list, vacancy board, case history, ...):
they then move together, one tracking position, so a reader never sees the board ahead of
the list, and read-your-writes waits on one number.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import sqlite3
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from eventsourcing.utils import get_topic, resolve_topic
from psycopg.rows import tuple_row

from projections import quarantine
from projections.fold import apply_event, id_text
from projections.replay_store import SHADOW, CrossPartition, HeldVersions, PartitionStore
from projections.sealing import PLAIN, Sealer, sealer_for
from projections.store import RowCache, SqlStore

#: How long (s) a read's PostgreSQL transaction may stay idle between its statements.
READ_IDLE_TIMEOUT_S = 60.0
#: The PostgreSQL tracking table (in the tenant's schema). SQLite's is always "tracking".
PG_TRACKING_TABLE = "lto_rm_tracking"
#: How replay workers start: "spawn", a fresh interpreter (no inherited connections or
#: threads); tests use "fork" to hand their patches to the workers.
REPLAY_START_METHOD = "spawn"


class _ViewMixin:
    dialect: str
    datastore: Any
    _bulk: Any = None
    #: What seals the rows with personal data (:mod:`projections.sealing`).
    sealer: Sealer = PLAIN

    def _store(self, cursor: Any, as_of: datetime | None = None,
               cache: RowCache | None = None, suffix: str = "") -> SqlStore:
        return SqlStore(cursor, self.dialect, getattr(self.datastore, "schema", None), as_of,
                        cache, suffix, self.sealer)

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
            quarantine.create_table(store)

    def set_aside(self, tracking_name: str, after: int, notification_id: int,
                  originator_id: str, topic: str, error: str) -> None:
        """Record an event the read models cannot take (:mod:`projections.quarantine`) and
        move the position past it, in one transaction (``IntegrityError`` if the position
        is no longer ``after``)."""
        with self._writing() as c:
            store = self._store(c)
            self._advance(store, tracking_name, after, notification_id)
            quarantine.record(store, tracking_name, notification_id, originator_id, topic,
                              error)

    def set_aside_events(self, tracking_name: str) -> list[dict[str, Any]]:
        with self.reading() as store:
            return quarantine.listing(store, tracking_name)

    def set_aside_count(self, tracking_name: str) -> int:
        with self.reading() as store:
            return quarantine.count(store, tracking_name)

    def clear_set_aside(self, tracking_name: str) -> None:
        with self._writing() as c:
            quarantine.clear(self._store(c), tracking_name)

    def apply(self, event: Any, tracking: Tracking) -> None:
        """Apply one event and record its tracking position, atomically."""
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)  # type: ignore[attr-defined]
            store = self._store(c)
            store.moment, store.position = event.timestamp, tracking.notification_id
            apply_event(store, event)
            store.flush()

    def apply_batch(self, events: Sequence[tuple[int, Any]], tracking_name: str,
                    after: int, cache: RowCache | None = None, suffix: str = "") -> None:
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
                store = self._store(c, cache=cache, suffix=suffix)
                self._advance(store, tracking_name, after, events[-1][0])
                store.prefetch([str(e.originator_id) for _, e in events])
                for notification_id, event in events:
                    store.moment, store.position = event.timestamp, notification_id
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
    def bulk(self, checkpoint: bool = True) -> Iterator[None]:
        """Write the batches of a replay (until the end of this block) for throughput: on
        SQLite through a connection of its own with a large page cache, checkpoints of the
        write-ahead log deferred, and commits that do not wait for the disk; on PostgreSQL
        with ``synchronous_commit`` off for these transactions. A crash may then lose the
        last batches, never part of one: a replay in place resumes from the tracking
        position that survived (rows and position commit together), and a crashed build
        of shadow tables is started again by the next rebuild, the live read models
        untouched. ``checkpoint``: on SQLite, move the write-ahead log into the database
        at the end (done once, by whoever writes last)."""
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
                bulk.close(checkpoint)

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with (self._bulk or self.datastore).transaction(commit=True) as c:
            yield c

    #: The seconds each worker of the last :meth:`build` spent in each of :data:`PHASES`
    #: (for the benchmark and whoever wonders where a rebuild's time goes).
    last_build: list[dict[str, float]] = []  # noqa: RUF012 - replaced, never changed

    def can_build_elsewhere(self) -> bool:
        """Worker processes need a database they can open themselves (not SQLite in
        memory)."""
        pool = getattr(self.datastore, "pool", None)
        return not getattr(pool, "is_sqlite_memory_mode", False)

    def build(self, app: Application[Any], end: int, batch: int, workers: int,
              progress: Callable[[int], None] | None = None) -> int:
        """Fold notifications 1 to ``end`` into new shadow tables (see the module
        docstring), with ``workers`` processes (1: in this one). Returns how many
        notifications were folded. Raises :class:`CrossPartition` when the fold needs more
        than a partition's own rows (the shadow tables are then left to the next build,
        which drops them first)."""
        self.fresh_shadow()
        self.last_build = []
        if workers <= 1 or not self.can_build_elsewhere():
            with self.bulk(checkpoint=False):  # once, after the take-over
                folded, spent = _build_partition(app, self, 0, 1, end, batch, progress)
            self.last_build = [spent]
            return folded
        ctx = multiprocessing.get_context(REPLAY_START_METHOD)
        env = {**app.env, "CREATE_TABLE": "false"}  # there; and concurrent DDL would clash
        reports = ctx.Queue()
        # SQLite has one writer at a time: the workers take turns by this lock, which wakes
        # the next at once (SQLite's own busy wait sleeps in steps of up to 100 ms).
        turn = ctx.Lock() if self.dialect == "sqlite" else None
        procs = [ctx.Process(target=_build_partition_process, daemon=True, name=f"rebuild-{i}",
                             args=(get_topic(type(app)), env, i, workers, end, batch,
                                   reports, turn))
                 for i in range(workers)]
        for proc in procs:
            proc.start()
        done: dict[int, int] = {}
        seen = [0] * workers
        try:
            while len(done) < workers:
                report = _receive(reports, procs)
                if report[0] == "progress":
                    seen[report[1]] = report[2]
                    if progress is not None:
                        progress(sum(seen))
                elif report[0] == "done":
                    done[report[1]] = report[2]
                    self.last_build.append(report[3])
                elif report[0] == "cross":
                    raise CrossPartition(report[1])
                else:
                    raise RuntimeError(f"a rebuild worker failed:\n{report[1]}")
            return sum(done.values())
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
                proc.join()
            reports.close()

    def fresh_shadow(self) -> None:
        """Empty shadow tables for a rebuild (what an unfinished one left is dropped)."""
        with self._writing() as c:
            store = self._store(c, suffix=SHADOW)
            store.drop_tables()
            store.create_tables(indexes=False)  # built once, when they take over

    def take_over(self, tracking_name: str, position: int,
                  shadow_tracking: str | None = None) -> None:
        """The shadow tables (a finished :meth:`build` up to ``position``) replace the live
        ones, and the tracking position becomes ``position``, in one transaction. A live
        reader that was ahead finds its position moved (its next batch fails and it goes
        on from ``position``); one behind finds the work done. The events set aside
        (:mod:`projections.quarantine`) become those the shadow's feed set aside
        (``shadow_tracking``; none for a build, whose every event was folded)."""
        with self._writing() as c:
            store = self._store(c, suffix=SHADOW)
            table = self._tracking_table()
            names = [tracking_name] + ([shadow_tracking] if shadow_tracking else [])
            for name in names:
                store.execute(f"DELETE FROM {table} WHERE application_name = %s", (name,))
            store.execute(f"INSERT INTO {table} (application_name, notification_id) "
                          "VALUES (%s, %s)", (tracking_name, position))
            quarantine.clear(store, tracking_name)
            if shadow_tracking:
                quarantine.rename(store, shadow_tracking, tracking_name)
            store.take_over()

    def analyze_stale(self) -> list[str]:
        """PostgreSQL: the planner's statistics of the tables that have none or stale ones
        (:meth:`projections.schema.TableLayout.analyze`); the tables analyzed."""
        if self.dialect != "postgres":
            return []
        with self._writing() as c:
            return self._store(c).analyze(only_stale=True)

    def drop_shadow(self) -> None:
        """Drop what an unfinished :meth:`build` left."""
        with self._writing() as c:
            self._store(c, suffix=SHADOW).drop_tables()

    @contextmanager
    def reading(self, as_of: datetime | None = None) -> Iterator[SqlStore]:
        """The read models, current or (``as_of``) as they stood at a moment.

        On PostgreSQL a read's transaction may stay idle between its statements for up to
        :data:`READ_IDLE_TIMEOUT_S` (not the store's few seconds, meant for writers holding
        locks): a read decodes rows in Python between its queries, and on a busy server a
        thread can wait longer than that for its turn; it holds no lock a writer needs."""
        with self.datastore.transaction(commit=False) as c:
            store = self._store(c, as_of)
            if self.dialect == "postgres":
                store.execute("SET LOCAL idle_in_transaction_session_timeout = "
                              f"'{int(READ_IDLE_TIMEOUT_S * 1000)}ms'")
            yield store

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
#: every 200 MiB of log, commits that do not wait for fsync (WAL stays consistent), and
#: ``secure_delete = FAST``: some builds of SQLite (Debian's among them) default to
#: overwriting every freed page with zeros, so dropping the retired read-model tables
#: after a rebuild wrote ~300 MB at 1M events. Those tables hold nothing that is not in
#: the event log and in the tables replacing them, and their pages are reused by the
#: next rebuild; FAST still clears freed pages where that costs no extra writes.
_BULK_PRAGMAS = ("PRAGMA cache_size = -131072", "PRAGMA wal_autocheckpoint = 50000",
                 "PRAGMA synchronous = NORMAL", "PRAGMA secure_delete = FAST")


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

    def close(self, checkpoint: bool = True) -> None:
        """Close; with ``checkpoint`` first move the write-ahead log into the database."""
        if checkpoint:
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
    """Which of ``parts`` replay workers folds an aggregate's events: by the value of the
    last hex digit of its id (its lowest four bits), which the partition queries compute
    in the database alike (see :func:`_partition_notifications`)."""
    return int(str(originator_id)[-1], 16) % parts


class _Row(NamedTuple):
    """A notification as a rebuild reads it: what the mapper reads of one (a plain tuple
    costs a fraction of the library's frozen dataclass, a million times over)."""

    id: int
    originator_id: Any  # 32 hex digits on SQLite (the mapper converts them), a UUID on PG
    originator_version: int
    topic: str
    state: bytes


def _partition_notifications(app: Application[Any], start: int, stop: int, part: int,
                             parts: int) -> list[Any]:
    """The notifications ``start`` to ``stop`` of one partition (all when ``parts`` is 1),
    chosen by the database, as plain rows (the library's ``select_notifications`` builds
    dict-like rows and converts every id; the mapper converts the ids it needs)."""
    recorder: Any = app.recorder
    datastore = recorder.datastore
    if isinstance(datastore, SQLiteDatastore):
        sql = (f"SELECT rowid, originator_id, originator_version, topic, state "
               f"FROM {recorder.events_table_name} WHERE rowid BETWEEN ? AND ?")
        if parts > 1:
            # the id as 32 lower-case hex digits: the last one's value
            sql += " AND (instr('0123456789abcdef', substr(originator_id, -1)) - 1) % ? = ?"
        sql += " ORDER BY rowid"
    elif isinstance(datastore, PostgresDatastore):
        sql = (f'SELECT notification_id, originator_id, originator_version, topic, state '
               f'FROM "{datastore.schema}"."{recorder.events_table_name}" '
               "WHERE notification_id BETWEEN %s AND %s")
        if parts > 1:
            # the id's last byte, its low four bits (no text made of every id)
            sql += " AND mod(get_byte(uuid_send(originator_id), 15) & 15, %s) = %s"
        sql += " ORDER BY notification_id"
    else:  # pragma: no cover - another store: the library's way
        return [n for n in recorder.select_notifications(start=start, limit=stop - start + 1,
                                                          stop=stop)
                if partition_of(n.originator_id, parts) == part]
    params = (start, stop, parts, part) if parts > 1 else (start, stop)
    with datastore.transaction(commit=False) as c:
        cursor = getattr(c, "sqlite_cursor", None)
        if cursor is not None:  # sqlite3's own cursor, rows as tuples
            cursor.row_factory = None
            cursor.execute(sql, params)
        else:
            cursor = c
            cursor.row_factory = tuple_row
            # values in binary: the states as they are, not as hex text to parse (a
            # third of the read time)
            cursor.execute(sql, params, binary=True)
        rows = cursor.fetchall()
    return list(map(_Row._make, rows))


def _build_partition(app: Application[Any], view: _ViewMixin, part: int, parts: int, end: int,
                     batch: int, progress: Callable[[int], None] | None = None,
                     turn: Any = None) -> tuple[int, dict[str, float]]:
    """Fold the events of partition ``part`` of ``parts`` (all when 1) among notifications
    1 to ``end`` into the shadow tables: ``batch`` notifications at a time, decoded, folded
    into a :class:`PartitionStore`, their finished versions and history rows written in a
    transaction of the view's bulk writer; the current versions at the end. Returns the
    notifications folded and the seconds spent in each of :data:`PHASES`."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)  # decoding makes many young objects, few cycles
    try:
        return _fold_partition(app, view, part, parts, end, batch, progress,
                               turn or nullcontext())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


#: The phases of a rebuild worker, timed per batch (see :attr:`ReadModelView.last_build`).
PHASES = ("read", "decode", "fold", "plan", "wait", "write", "tidy")


def _fold_partition(app: Application[Any], view: _ViewMixin, part: int, parts: int, end: int,
                    batch: int, progress: Callable[[int], None] | None, turn: Any
                    ) -> tuple[int, dict[str, float]]:
    whole = parts == 1
    store = PartitionStore(whole=whole)
    held = HeldVersions()
    folded = 0
    mapper = app.mapper
    clock = time.perf_counter
    spent = dict.fromkeys(PHASES, 0.0)
    for start in range(1, end + 1, batch):
        t0 = clock()
        stop = min(start + batch - 1, end)
        notifications = _partition_notifications(app, start, stop, part, parts)
        t1 = clock()
        events = list(map(mapper.to_domain_event, notifications))
        t2 = clock()
        for n, event in zip(notifications, events, strict=True):
            store.moment, store.position = event.timestamp, n.id
            if not whole:
                store.owner = id_text(event.originator_id)
            apply_event(store, event)
        t3 = clock()
        # planned before taking a turn at writing: the other workers write meanwhile
        ops, history = store.take_ops(lambda table: _version_before(view, held, table))
        routed = [(table, *held.route(table, table_ops)) for table, table_ops in ops.items()]
        t4 = clock()
        with turn:
            t5 = clock()
            with view._writing() as c:
                sql = view._store(c, suffix=SHADOW)
                for table, written, finished in routed:
                    sql.write_ops(table, written)
                    sql.insert_versions(table, finished)
                sql.write_logs(history)
        t6 = clock()
        if (start // batch) % 4 == 3:  # now and then: it walks every row
            store.shed(keep_batches=4)
        # What the store holds lives on: spare the collector from walking it again and
        # again (it stays freed by reference counting; collected in full at the end).
        gc.freeze()
        folded += len(notifications)
        if progress is not None:
            progress(folded)
        t7 = clock()
        for phase, took in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                        t6 - t5, t7 - t6), strict=True):
            spent[phase] += took
    t0 = clock()
    with turn:
        t1 = clock()
        with view._writing() as c:
            sql = view._store(c, suffix=SHADOW)
            for table, rows in held.rest().items():
                sql.insert_versions(table, rows)
    spent["wait"] += t1 - t0
    spent["write"] += clock() - t1
    return folded, spent


def _version_before(view: _ViewMixin, held: HeldVersions, table: str) -> Any:
    """Finds the version of a shadow table's row that ended at a moment (rarely needed:
    see :func:`projections.store.plan_versions`): held in memory, or else (it does not
    occur) written, in a read of its own."""

    def predecessor(key: str, t: int) -> Any:
        found = held.version_before(table, key, t)
        if found is not None:
            return found
        with view.datastore.transaction(commit=False) as c:
            return view._store(c, suffix=SHADOW).versions_before(table)(key, t)

    return predecessor


def _build_partition_process(app_topic: str, env: dict[str, str], part: int, parts: int,
                             end: int, batch: int, reports: Any, turn: Any) -> None:
    """A rebuild worker (a process of its own): :func:`_build_partition` with its own
    connections, reporting ("progress", part, folded), ("done", part, folded, seconds per
    phase), ("cross", why) when the fold crosses partitions, or ("error", traceback)."""
    try:
        app = resolve_topic(app_topic)(env=env)
        try:
            view = _view_without_tables(app.recorder.datastore, sealer_for(app.env))
            with view.bulk(checkpoint=False):  # the coordinator's, once, at the end
                folded, spent = _build_partition(
                    app, view, part, parts, end, batch,
                    lambda n: reports.put(("progress", part, n)), turn)
            reports.put(("done", part, folded, spent))
        finally:
            app.close()
    except CrossPartition as exc:
        reports.put(("cross", str(exc)))
    except BaseException as exc:
        reports.put(("error", "".join(traceback.format_exception(exc))))


def _receive(q: Any, procs: list[Any]) -> tuple[Any, ...]:
    while True:
        try:
            return q.get(timeout=1.0)  # type: ignore[no-any-return]
        except queue.Empty:
            for proc in procs:
                if not proc.is_alive() and proc.exitcode != 0:
                    try:
                        return q.get(timeout=1.0)  # type: ignore[no-any-return]
                    except queue.Empty:
                        return ("error", f"{proc.name} ended without a word "
                                         f"(exit code {proc.exitcode})")


def _view_without_tables(datastore: Any, sealer: Sealer) -> ReadModelView:
    view: ReadModelView
    if isinstance(datastore, SQLiteDatastore):
        view = SQLiteReadModelView(datastore)
    elif isinstance(datastore, PostgresDatastore):
        view = PostgresReadModelView(datastore, tracking_table_name=PG_TRACKING_TABLE)
    else:  # pragma: no cover
        raise TypeError(f"no read-model view for {type(datastore).__name__}")
    view.sealer = sealer
    return view


def read_only_view(datastore: Any, sealer: Sealer = PLAIN) -> ReadModelView:
    """A view that only reads (a replica of the store: its tables are the primary's)."""
    return _view_without_tables(datastore, sealer)


def view_for(datastore: Any, sealer: Sealer = PLAIN) -> ReadModelView:
    """The view on the same database (and PostgreSQL schema) as the application's events,
    sealing what holds personal data with ``sealer``."""
    view = _view_without_tables(datastore, sealer)
    view.create_table()
    return view


class ReadModels(Projection[Any]):
    """The projection: every event of the allocation service into the read models."""

    name = "lto_read_models"
    topics: tuple[str, ...] = ()  # all events

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.apply(domain_event, tracking)
