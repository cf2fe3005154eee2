"""Replay over a history of a couple of thousand events (three municipalities, see
``tests/projections/history.py``), fed to the live projection in small chunks while the
commands run, on SQLite and PostgreSQL:

- a rebuild gives every read-model table row for row as the live feed left it;
- a restart mid-stream (a new reader, a failure in the middle of a batch, two readers at
  once) leaves no gap and counts nothing twice;
- the read models as of a moment T equal what the live side showed at T, and equal the
  log folded up to T (the slow reference).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.sqlite import SQLiteConnectionPool

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import PlaceType, RoomKind
from projections import queries as queries_module
from projections import replay_store
from projections import store as store_module
from projections import view as view_module
from projections.outage import store_unavailable
from projections.read_side import ReadSide, ReplayedAsOf
from projections.store import ALL_TABLES, DOC_TABLES, HISTORY_TABLE, OPEN, RowCache
from tests.builders import START, place
from tests.conftest import _pg_connect, postgres_env, sqlite_env
from tests.projections.history import MUNICIPALITIES, Story, grow

#: Days of story: about 1,800 events on SQLite; fewer on PostgreSQL, where every command
#: is a few round trips (the same code paths, a shorter story).
DAYS = {"sqlite": 90, "postgres": 60}


@dataclass
class Grown:
    store: str
    env: dict[str, str]
    service: AllocationService
    clock: ManualClock
    read: ReadSide
    story: Story
    end: int = 0
    snapshots: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    live_rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def table_rows(read: ReadSide) -> dict[str, list[tuple[Any, ...]]]:
    with read.view.reading() as store:
        return {table: store.rows(table) for table in ALL_TABLES}


def seen(side: Any, case_ids: list[str]) -> dict[str, Any]:
    """What a reader shows: each municipality's list and board, every document, some
    cases' histories."""
    out: dict[str, Any] = {}
    for m in MUNICIPALITIES:
        out[f"list {m}"] = side.waiting_list(m)
        out[f"board {m}"] = side.vacancy_board(m)
        with side._store_read() as store:
            for table in DOC_TABLES:
                out[f"{table} {m}"] = store.all(table, m)
    for case_id in case_ids:
        out[f"history {case_id}"] = side.case_history(case_id)
    return out


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def grown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Grown]:
    schema = None
    with pytest.MonkeyPatch.context() as mp:
        # This module's own sessions do not wait for the disk on each commit (thousands of
        # commands); transactions and isolation are unchanged.
        if request.param == "sqlite":
            env = sqlite_env(Path(tmp_path_factory.mktemp("rebuild")) / "events.sqlite")
            create = SQLiteConnectionPool._create_connection

            def create_unsynced(self: Any) -> Any:
                conn = create(self)
                conn._sqlite_conn.execute("PRAGMA synchronous=OFF")
                return conn

            mp.setattr(SQLiteConnectionPool, "_create_connection", create_unsynced)
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with _pg_connect() as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env = postgres_env(schema)
            mp.setenv("PGOPTIONS", "-c synchronous_commit=off")
        clock = ManualClock(START)
        service = AllocationService(env=env, clock=clock)
        read = ReadSide(service)
        grown = Grown(request.param, env, service, clock, read, Story())
        rng = random.Random(11)

        def between(day: int) -> None:
            # the live side lags, then catches up in small chunks of small batches
            read.catch_up(limit=rng.randint(0, 60), batch=rng.choice((1, 7, 25)))
            if day % 15 == 14:
                read.catch_up(batch=rng.choice((3, 40)))
                cases = [str(c) for _, c in grown.story.cases[-12:]]
                grown.snapshots.append((clock.now(), seen(read, cases)))

        try:
            grown.story = grow(service, clock, days=DAYS[request.param], between=between)
            read.catch_up(batch=9)
            grown.end = service.recorder.max_notification_id()
            grown.live_rows = table_rows(read)
            yield grown
        finally:
            read.stop()
            service.close()
            if schema is not None:
                with _pg_connect() as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def case_versions(service: AllocationService) -> dict[str, int]:
    """The number of events of each case in the log."""
    counts: Counter[str] = Counter()
    for n in service.recorder.select_notifications(start=1, limit=1_000_000):
        if ":Case." in n.topic:  # "domain.case.aggregate:Case.…" (earlier: "domain.case:…")
            counts[str(n.originator_id)] += 1
    return dict(counts)


def assert_complete(grown: Grown, read: ReadSide) -> None:
    """Every table row for row as the live feed left it; every case's history has each
    version of the case exactly once."""
    assert read.position() == grown.end
    rows = table_rows(read)
    assert rows == grown.live_rows
    versions: dict[str, list[int]] = {}
    for case_id, version, *_ in rows[HISTORY_TABLE]:
        versions.setdefault(case_id, []).append(version)
    assert versions == {c: list(range(1, n + 1))
                        for c, n in case_versions(grown.service).items()}


def test_the_history_is_a_real_one(grown: Grown):
    assert grown.end > 17 * DAYS[grown.store]
    assert len(grown.snapshots) == DAYS[grown.store] // 15
    rows = grown.live_rows
    closed = [r for t in DOC_TABLES for r in rows[t] if r[2] != OPEN]
    assert len(closed) > 4 * DAYS[grown.store]  # rows with a past: versions that ended
    assert any(e.outstanding_offer for _, s in grown.snapshots for m in MUNICIPALITIES
               for e in s[f"list {m}"])
    assert any(e.breached for _, s in grown.snapshots for m in MUNICIPALITIES
               for e in s[f"list {m}"])


def test_rebuild_equals_live_row_for_row(grown: Grown):
    read = grown.read
    assert read.rebuild() == grown.end
    assert_complete(grown, read)
    if grown.store == "sqlite":
        assert read.rebuild(batch=97) == grown.end  # other batch boundaries, same rows
        assert_complete(grown, read)


def test_rebuild_command_equals_live(grown: Grown, monkeypatch, capsys):
    from projections.__main__ import main

    for key, value in grown.env.items():
        monkeypatch.setenv(key, value)
    assert main(["rebuild"]) == 0
    assert f"rebuild: {grown.end} events" in capsys.readouterr().out
    assert_complete(grown, grown.read)


def test_restart_with_a_new_reader_resumes_where_the_first_stopped(grown: Grown):
    service = grown.service
    grown.read.view.drop(grown.read.tracking_name)
    first = ReadSide(service)
    half = grown.end // 2 + 3
    assert first.catch_up(limit=half, batch=40) == half
    assert first.position() == half
    second = ReadSide(service)  # as after a process restart
    assert second.position() == half
    assert second.catch_up(batch=64) == grown.end - half
    assert second.catch_up() == 0
    assert_complete(grown, second)


@pytest.mark.parametrize("where", ["fold", "write"])
def test_a_failure_mid_batch_rolls_back_the_whole_batch(grown: Grown, monkeypatch, where):
    read = grown.read
    read.view.drop(read.tracking_name)
    assert read.catch_up(limit=600, batch=100) == 600
    before = table_rows(read)

    calls = 0
    if where == "fold":
        real_fold = view_module.apply_event

        def failing_fold(store: Any, event: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 37:  # the store, not the event (which would be set aside)
                raise sqlite3.OperationalError("database is locked")
            real_fold(store, event)

        monkeypatch.setattr(view_module, "apply_event", failing_fold)
    else:
        real_write = store_module.SqlStore.write_ops

        def failing_write(self: Any, table: str, ops: Any) -> None:
            nonlocal calls
            calls += 1
            real_write(self, table, ops)
            if calls == 2:  # after some rows of the batch are written
                raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(store_module.SqlStore, "write_ops", failing_write)
    with pytest.raises(Exception, match="locked") as raised:
        read.catch_up(batch=100)
    assert store_unavailable(raised.value)  # not the event's fault: nothing set aside
    assert read.set_aside() == []
    assert read.position() == 600  # the batch counted nothing
    assert table_rows(read) == before  # and wrote nothing
    monkeypatch.undo()
    assert read.catch_up(batch=100) == grown.end - 600
    assert_complete(grown, read)


def test_a_batch_read_after_a_stale_position_changes_nothing(grown: Grown):
    """The tracking compare-and-set: a batch read after position P, when another reader
    has moved on from P, fails whole — even one that would write no case history."""
    read, service = grown.read, grown.service
    read.catch_up()
    before = table_rows(read)
    notifications = service.recorder.select_notifications(start=1, limit=1_000_000)
    places = [(n.id, service.mapper.to_domain_event(n)) for n in notifications
              if n.topic.startswith("domain.place:Place.")][-3:]
    with pytest.raises(IntegrityError):
        read.view.apply_batch(places, read.tracking_name, places[0][0] - 1)
    assert read.position() == grown.end
    assert table_rows(read) == before


def test_two_readers_at_once_count_each_event_once(grown: Grown):
    """Two processes' readers on the same tables: the tracking compare-and-set lets one
    batch through and sends the other back to read after the new position."""
    service = grown.service
    grown.read.view.drop(grown.read.tracking_name)
    other = AllocationService(env=grown.env, clock=grown.clock)  # another "process"
    try:
        readers = [ReadSide(service), ReadSide(other)]
        errors: list[BaseException] = []
        applied = [0, 0]

        def run(i: int) -> None:
            try:
                while readers[i].position() < grown.end:
                    applied[i] += readers[i].catch_up(batch=(13, 29)[i])
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sum(applied) == grown.end  # each event applied by exactly one of them
        assert_complete(grown, grown.read)
    finally:
        other.close()


def test_as_of_equals_what_the_live_side_showed_then(grown: Grown):
    read = grown.read
    for moment, shown in grown.snapshots:
        cases = [k.split(" ", 1)[1] for k in shown if k.startswith("history ")]
        assert seen(read.as_of(moment), cases) == shown
    # and equals folding the log up to T (the slow reference), at two of the moments
    for moment, shown in grown.snapshots[1::3]:
        cases = [k.split(" ", 1)[1] for k in shown if k.startswith("history ")]
        assert seen(ReplayedAsOf(grown.service, moment), cases) == shown


def test_as_of_between_events_and_at_the_edges(grown: Grown):
    read, service = grown.read, grown.service
    events = [service.mapper.to_domain_event(n)
              for n in service.recorder.select_notifications(start=1, limit=100_000)]
    cases = [str(c) for _, c in grown.story.cases[::9]]
    before = seen(read.as_of(events[0].timestamp - timedelta(seconds=1)), cases)
    for key, value in before.items():
        if key.startswith("board"):
            assert not value.places and not value.provider_offers
        else:
            assert value == [], key
    moments = sorted({e.timestamp for e in events})
    rng = random.Random(5)
    for moment in [*rng.sample(moments, 3), moments[-1] + timedelta(days=400)]:
        for at in (moment, moment - timedelta(microseconds=1)):
            assert seen(read.as_of(at), cases) == seen(ReplayedAsOf(service, at), cases)


def test_a_reader_forgets_what_it_kept_when_another_wrote_in_between(grown: Grown):
    """The rows a reader keeps in memory between its batches are dropped when the position
    it starts a batch from is not the one it left: another reader changed the rows."""
    read, service = grown.read, grown.service
    read.view.drop(read.tracking_name)
    events = [(n.id, service.mapper.to_domain_event(n))
              for n in service.recorder.select_notifications(start=1, limit=1_000_000)]
    kept = RowCache()
    read.view.apply_batch(events[:400], read.tracking_name, 0, kept)
    read.view.apply_batch(events[400:800], read.tracking_name, 400)  # another reader
    read.view.apply_batch(events[800:], read.tracking_name, 800, kept)
    assert_complete(grown, read)


def test_a_parallel_rebuild_equals_live(grown: Grown, monkeypatch):
    if grown.store == "postgres":  # spare the fresh interpreters' imports (tested on SQLite)
        monkeypatch.setattr(view_module, "REPLAY_START_METHOD", "fork")
    seen = builds(monkeypatch)
    read = grown.read
    assert read.rebuild(workers=2, batch=300) == grown.end
    assert seen == [2]  # the fold keeps to each event's rows: no fallback to one partition
    assert_complete(grown, read)
    # where the time went: each worker's phases, the build, take-over and catch-up
    spent = read.last_rebuild
    assert len(spent["workers"]) == 2
    for worker in spent["workers"]:
        assert set(worker) == set(view_module.PHASES)
        assert all(seconds >= 0 for seconds in worker.values())
        assert worker["decode"] > 0 and worker["fold"] > 0 and worker["write"] > 0
    assert spent["build_s"] >= max(w["fold"] + w["decode"] for w in spent["workers"])
    assert spent["take_over_s"] > 0 and spent["catch_up_s"] >= 0


@pytest.fixture
def forked(monkeypatch):
    """Replay workers started by fork, so that they see this test's patches."""
    monkeypatch.setattr(view_module, "REPLAY_START_METHOD", "fork")


#: What the workers and their coordinator do when the fold misbehaves does not depend on
#: the store (the parallel rebuild itself is tested on both).
sqlite_only = pytest.mark.parametrize("grown", ["sqlite"], indirect=True)


def builds(monkeypatch) -> list[int]:
    """Records the worker count of every shadow build."""
    seen: list[int] = []
    real_build = view_module._ViewMixin.build

    def build(self: Any, app: Any, end: int, batch: int, workers: int, *rest: Any) -> int:
        seen.append(workers)
        return real_build(self, app, end, batch, workers, *rest)

    monkeypatch.setattr(view_module._ViewMixin, "build", build)
    return seen


def shadow_tables(read: ReadSide) -> list[str]:
    with read.view.reading() as store:
        if store.dialect == "sqlite":
            store.execute("SELECT name FROM sqlite_master WHERE name LIKE %s",
                          (f"%{replay_store.SHADOW}",))
        else:
            store.execute("SELECT table_name AS name FROM information_schema.tables "
                          "WHERE table_schema = %s AND table_name LIKE %s",
                          (store.schema, f"%{replay_store.SHADOW}"))
        return [r["name"] for r in store.cursor.fetchall()]


@sqlite_only
def test_a_parallel_rebuild_folds_in_one_partition_when_the_fold_crosses_partitions(
        grown: Grown, monkeypatch, forked):
    """A fold that touches another aggregate's row cannot be split by aggregate: the
    workers stop, and the log is folded again by this process, which holds every row."""
    events = [grown.service.mapper.to_domain_event(n)
              for n in grown.service.recorder.select_notifications(start=1, limit=100_000)]
    middle = events[len(events) // 2].timestamp
    real_fold = view_module.apply_event

    def crossing_fold(store: Any, event: Any) -> None:
        if event.timestamp > middle:
            store.get(DOC_TABLES[0], "somebody else")
        real_fold(store, event)

    monkeypatch.setattr(view_module, "apply_event", crossing_fold)
    seen = builds(monkeypatch)
    read = grown.read
    assert read.rebuild(workers=2, batch=200) == grown.end
    assert seen == [2, 1]
    assert_complete(grown, read)
    assert shadow_tables(read) == []


@sqlite_only
def test_a_fold_that_reads_whole_tables_is_replayed_in_place(grown: Grown, monkeypatch,
                                                             forked):
    """A fold that reads a whole table cannot be folded from memory: the rebuild drops
    the read models and catches up from the start instead (the rows are the same)."""
    real_fold = view_module.apply_event

    def reading_fold(store: Any, event: Any) -> None:
        store.all(DOC_TABLES[0], MUNICIPALITIES[0])
        real_fold(store, event)

    monkeypatch.setattr(view_module, "apply_event", reading_fold)
    monkeypatch.setattr(queries_module, "apply_event", reading_fold)
    seen = builds(monkeypatch)
    read = grown.read
    assert read.rebuild(workers=2, batch=200) == grown.end
    assert seen == [2, 1]
    assert_complete(grown, read)
    assert shadow_tables(read) == []


@sqlite_only
def test_a_failing_rebuild_worker_leaves_the_read_models_in_service(
        grown: Grown, monkeypatch, forked):
    """A worker that stops on an event (here: every event past the middle, in a worker)
    leaves the live read models in service; the rebuild then replays the log in order into
    new tables (setting aside only what that feed cannot apply: nothing here), which take
    over as from any rebuild."""
    events = [grown.service.mapper.to_domain_event(n)
              for n in grown.service.recorder.select_notifications(start=1, limit=100_000)]
    middle = events[len(events) // 2].timestamp
    real_fold = view_module.apply_event
    seen_live: list[int] = []

    def failing_fold(store: Any, event: Any) -> None:
        if isinstance(store, replay_store.PartitionStore) and event.timestamp > middle:
            raise RuntimeError("injected in a worker")
        real_fold(store, event)

    monkeypatch.setattr(view_module, "apply_event", failing_fold)
    read = grown.read
    real_in_order = ReadSide._rebuild_in_order

    def in_order(self: ReadSide, *args: Any) -> int:
        seen_live.append(self.position())  # the workers failed: the live side untouched
        assert table_rows(self) == grown.live_rows
        assert shadow_tables(self) == []
        return real_in_order(self, *args)

    monkeypatch.setattr(ReadSide, "_rebuild_in_order", in_order)
    assert read.rebuild(workers=2, batch=200) == grown.end
    assert seen_live == [grown.end]
    assert read.set_aside() == [] and read.last_rebuild["in_order"]
    assert_complete(grown, read)
    monkeypatch.setattr(view_module, "apply_event", real_fold)
    assert read.rebuild(workers=2, batch=200) == grown.end
    assert_complete(grown, read)


def test_the_read_models_stay_in_service_and_current_during_a_rebuild(grown: Grown):
    """While a rebuild folds the log, commands go on and the live read models follow them
    (another reader catches up mid-build); the rebuilt tables then take over at the end
    the rebuild started from, and what came since is applied: the rows equal a fresh
    replay of the whole log."""
    read, service = grown.read, grown.service
    other = ReadSide(service)  # the service's own reader, as in another process
    before = grown.end
    during: list[int] = []

    def progress(folded: int) -> None:
        if not during:  # the first batch is in: a command, and the live side reads it
            grown.clock.advance(days=1)
            place(service, municipality=MUNICIPALITIES[0], facility_id="fjellheim",
                  place_type=PlaceType.SCREENED, room_kind=RoomKind.DOUBLE)
            during.append(other.catch_up())
            assert other.position() == service.recorder.max_notification_id()

    applied = read.rebuild(workers=1, batch=150, progress=progress)
    end = service.recorder.max_notification_id()
    assert during and during[0] > 0 and end > before
    assert applied == end  # the log up to the start, then what came during the build
    assert read.position() == end
    rebuilt = table_rows(read)
    assert other.catch_up() == 0
    assert read._replay_in_place(batch=64) == end  # the live path, from the start
    assert table_rows(read) == rebuilt
    grown.end, grown.live_rows = end, rebuilt  # the story is longer now, for what follows


@sqlite_only
def test_the_bulk_writer_frees_pages_without_zeroing_them(grown: Grown):
    """Some builds of SQLite (Debian's) overwrite every page they free with zeros: the
    take-over's dropping of the old read models wrote them all again. The bulk writer
    frees them as a default build does."""
    view = grown.read.view
    with view.bulk():
        assert view._bulk.conn.execute("PRAGMA secure_delete").fetchone()[0] == 2  # FAST


def test_only_cases_are_indexed_by_status(grown: Grown):
    """The waiting list reads cases by status; nothing reads the other tables by it (the
    index an earlier release made on places goes at the next start)."""
    view = grown.read.view
    with view._writing() as c:
        store = view._store(c)
        store.execute(f"CREATE INDEX lto_rm_place_ms ON {store.name('lto_rm_place')} (status)")
    with view._writing() as c:
        view._store(c).create_tables()
    with view.reading() as store:
        if store.dialect == "sqlite":
            store.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            store.execute("SELECT indexname AS name FROM pg_indexes WHERE schemaname = %s",
                          (store.schema,))
        names = {r["name"] for r in store.cursor.fetchall()}
        with pytest.raises(AssertionError, match="no index by status"):
            store.all_with_status("lto_rm_place", "0301", ["free"])
    assert {f"{table}_ms" for table in store_module.DOC_TABLES} & names == {"lto_rm_case_ms"}
    assert {f"{table}_mt" for table in store_module.DOC_TABLES} <= names


@pytest.mark.parametrize("parts", [2, 3])
def test_the_database_splits_the_log_as_partition_of_says(grown: Grown, parts: int):
    """Each rebuild worker's query returns its partition's notifications, whole and as the
    library reads them, and the partitions make up the log."""
    service = grown.service
    library = service.recorder.select_notifications(start=1, limit=grown.end)
    seen: list[int] = []
    for part in range(parts):
        rows = view_module._partition_notifications(service, 1, grown.end, part, parts)
        mine = [n for n in library if view_module.partition_of(n.originator_id, parts) == part]
        assert [r.id for r in rows] == [n.id for n in mine]
        for row, n in zip(rows, mine, strict=True):
            assert (row.originator_version, row.topic, bytes(row.state)) == (
                n.originator_version, n.topic, n.state)
            assert service.mapper.to_domain_event(row) == service.mapper.to_domain_event(n)
        seen += [r.id for r in rows]
    assert sorted(seen) == [n.id for n in library]
    assert 0 < len(rows) < len(library)
