"""A store that cannot be used just now answers 503 with ``Retry-After``, never 500
(issue 15, item 6): the SQLite file locked by another connection, the PostgreSQL tables
locked by another session (past a short lock timeout). Each failed request is logged once,
as a warning without a traceback; nothing is written; and once the lock is gone the same
requests succeed and the read side's background reader is still running."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.auth import LocalIssuer, Role
from api.errors import STORE_RETRY_AFTER_S
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.api.story import ok, register
from tests.conftest import PG, postgres_env, sqlite_env

PLACE = {"facility_id": "f", "facility_name": "Fjordtun", "facility_kind": "nursing_home",
         "unit": "A", "room": "1", "place_type": "ordinary"}


class Locked:
    """Another connection that takes the whole store, until released."""

    def __init__(self, kind: str, where: str) -> None:
        self.kind, self.where = kind, where
        self.conn: sqlite3.Connection | psycopg.Connection | None = None

    def take(self) -> None:
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.where, timeout=10, isolation_level=None)
            conn.execute("BEGIN EXCLUSIVE")
            self.conn = conn
            return
        pg = psycopg.connect(**PG)  # a transaction stays open until release()
        pg.execute("SET lock_timeout = '10s'")  # wait for a write under way to end
        tables = [row[0] for row in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.where,))]
        pg.execute("LOCK TABLE " + ", ".join(f'"{self.where}"."{t}"' for t in tables)
                   + " IN ACCESS EXCLUSIVE MODE")
        self.conn = pg

    def release(self) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def locked_store(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock,
                 monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[tuple[AllocationService, Locked]]:
    """The service on a store with a short lock timeout (SQLite: 1 s; PostgreSQL: 50 ms per
    statement, which eventsourcing retries for about two seconds), and the lock to take."""
    if request.param == "sqlite":
        path = tmp_path / "events.sqlite"
        env, lock = sqlite_env(path, SQLITE_LOCK_TIMEOUT="1"), Locked("sqlite", str(path))
    else:
        schema = request.getfixturevalue("pg_schema")
        monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=50")
        env, lock = postgres_env(schema), Locked("postgres", schema)
    service = AllocationService(env=env, clock=clock)
    try:
        yield service, lock
    finally:
        lock.release()
        service.close()


def test_a_locked_store_answers_503_with_retry_after_and_recovers(
        locked_store: tuple[AllocationService, Locked], api_settings: ApiSettings,
        issuer: LocalIssuer, tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    service, lock = locked_store
    h = tokens()
    with TestClient(make_app(api_settings, service, issuer)) as c:
        case_id = register(c, h)
        ok(c.get("/waiting-list", headers=h))
        before = service.recorder.max_notification_id()
        caplog.clear()
        lock.take()
        try:
            with caplog.at_level(logging.WARNING):
                answers = [c.post("/places", headers=h, json=PLACE),
                           c.get(f"/cases/{case_id}", headers=h)]
        finally:
            lock.release()
        # The write cannot take the lock. The read needs no lock to read (a read no longer
        # asks the store for its position first), but its access-log entry cannot be
        # written, so its data is held back all the same.
        for response, codes in zip(answers, ({"store_unavailable"},
                                            {"store_unavailable", "access_log_unavailable"}),
                                   strict=True):
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == str(STORE_RETRY_AFTER_S)
            body = response.json()
            assert body["code"] in codes
            assert set(body) >= {"code", "rule", "field", "missing", "message"}
        # a failed write promises nothing written: no position to wait for (a later read
        # would wait on the locked store's read side)
        assert "X-Read-Position" not in answers[0].headers
        logged = [r for r in caplog.records if r.name == "api.errors"]
        assert len(logged) == len(answers), "each failed request logged once"
        assert all(r.levelno == logging.WARNING and r.exc_info is None for r in logged)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert service.recorder.max_notification_id() == before, "nothing written"
        # the lock is gone: the same requests succeed, the background reader still runs
        ok(c.post("/places", headers=h, json=PLACE), 201)
        ok(c.get(f"/cases/{case_id}", headers=h))
        read = c.app.state.runtime.read  # type: ignore[attr-defined]
        assert read.error is None and read._thread is not None and read._thread.is_alive()


def test_a_page_on_a_locked_store_is_503_with_retry_after(
        tmp_path: Path, clock: ManualClock, api_settings: ApiSettings, issuer: LocalIssuer,
        tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "events.sqlite"
    service = AllocationService(env=sqlite_env(path, SQLITE_LOCK_TIMEOUT="1"), clock=clock)
    lock = Locked("sqlite", str(path))
    try:
        with TestClient(make_app(api_settings, service, issuer)) as c:
            c.cookies.set("lto_token", tokens.token(Role.ALLOCATION_OFFICER))
            assert c.get("/venteliste").status_code == 200
            lock.take()
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                page = c.get("/venteliste")
            lock.release()
            assert page.status_code == 503
            assert page.headers["Retry-After"] == str(STORE_RETRY_AFTER_S)
            assert "text/html" in page.headers["content-type"]
            assert "Databasen er ikke tilgjengelig" in page.text
            assert len([r for r in caplog.records if r.name == "api.errors"]) == 1
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        lock.release()
        service.close()
