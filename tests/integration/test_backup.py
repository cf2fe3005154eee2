"""Backup and restore (issue 15, "How we will know"), with the operator's commands
(``python -m application.cli backup --to FILE``, ``restore --from FILE``): a store backed
up while the service writes to it and its read side follows, restored into a fresh place
(SQLite: a new file; PostgreSQL: ``pg_dump`` of the schema, ``pg_restore`` into a new
database), opened by the application: the same events as the store had up to the backup,
read models that equal a rebuild from them, and a store that takes new writes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from application import cli
from application.clock import ManualClock
from application.service import AllocationService
from projections.fold import CASE
from projections.read_side import ReadSide
from tests.builders import place, waiting_case
from tests.conftest import _pg_connect, postgres_env, sqlite_env
from tests.faults.machinery import row_diffs, table_rows


def notifications(service: AllocationService) -> list[tuple[Any, ...]]:
    """Every stored event as it is stored: position, aggregate, version, topic, bytes."""
    out: list[tuple[Any, ...]] = []
    start = 1
    while batch := service.recorder.select_notifications(start=start, limit=1000):
        out += [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
                for n in batch]
        start = batch[-1].id + 1
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def places(request: pytest.FixtureRequest, tmp_path: Path
           ) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The store in use, and the fresh place its backup is restored to."""
    if request.param == "sqlite":
        (tmp_path / "store").mkdir()
        yield (sqlite_env(tmp_path / "store" / "events.sqlite"),
               sqlite_env(tmp_path / "restored" / "events.sqlite"))
        return
    schema = request.getfixturevalue("pg_schema")
    database = f"restore_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield postgres_env(schema), postgres_env(schema, POSTGRES_DBNAME=database)
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')


def use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Point the operator's commands at the store of ``env``."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_a_backup_taken_in_use_restores_to_the_same_events_and_read_models(
        places: tuple[dict[str, str], dict[str, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    source_env, target_env = places
    backup = tmp_path / "backup.lto"
    source = AllocationService(env=source_env, clock=clock)
    read = ReadSide(source)
    read.start()  # the service's read side, following the log
    try:
        offered = waiting_case(source)
        source.make_offer("4601", offered, made_by="Kari", place_id=place(source))
        for _ in range(3):
            waiting_case(source)
        before = source.recorder.max_notification_id()
        # the service goes on writing while the backup is taken
        stop, writing = threading.Event(), threading.Event()
        written: list[Any] = []

        def write() -> None:
            try:
                while not stop.is_set():
                    written.append(waiting_case(source))
                    writing.set()
            except BaseException as exc:  # asserted below
                written.append(exc)
                writing.set()

        writer = threading.Thread(target=write, name="writer")
        writer.start()
        writing.wait(timeout=60)
        use(monkeypatch, source_env)
        try:
            assert cli.main(["backup", "--to", str(backup)]) == 0
        finally:
            stop.set()
            writer.join(timeout=60)
        assert written and not [w for w in written if isinstance(w, BaseException)]
        assert cli.main(["backup", "--to", str(backup)]) == 1, "a backup is never overwritten"
        read.wait_for(source.recorder.max_notification_id(), timeout=30)
        source_log = notifications(source)
    finally:
        read.stop()
        source.close()

    use(monkeypatch, target_env)
    assert cli.main(["restore", "--from", str(backup), "--keep-read-models"]) == 0
    restored = AllocationService(env=target_env, clock=clock)
    try:
        restored_log = notifications(restored)
        # the same events: the store as it was at one moment during the writes
        assert len(restored_log) >= before
        assert restored_log == source_log[:len(restored_log)]
        # the read models backed up with them, brought up to their end as a restart would
        restored_read = ReadSide(restored)
        restored_read.catch_up()
        kept = table_rows(restored_read)
        assert kept[CASE], "the read models came with the backup"
    finally:
        restored.close()

    assert cli.main(["rebuild-projections"]) == 0
    restored = AllocationService(env=target_env, clock=clock)
    try:
        restored_read = ReadSide(restored)
        assert restored_read.position() == restored_log[-1][0]
        assert row_diffs(kept, table_rows(restored_read)) == {}
        # and the restored store is a store: it takes new writes, and reads them
        case_id = waiting_case(restored)
        restored_read.catch_up()
        assert str(case_id) in {str(e.case_id) for e in restored_read.waiting_list("4601")}
    finally:
        restored.close()
    assert cli.main(["restore", "--from", str(backup)]) == 1, "never over a store"
