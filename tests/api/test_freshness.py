"""Reads never wait on one another (issue 16): a projector keeps the read models current;
a read reads what they hold and waits only for the position its client asks to see (its
own write: ``X-Read-Position`` or the ``lto_position`` cookie); until the read models have
caught up with the log at start, reads answer 503 and ``/health`` says so; a projector in
a process of its own serves servers that only read; on PostgreSQL the store's
notifications wake the projector."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.deps
from api.auth import LocalIssuer
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from projections.read_side import ReadSide
from tests.api.conftest import Tokens, make_app
from tests.api.story import decide_waiting, document, ok, register
from tests.builders import MUNICIPALITY, person_number, waiting_case
from tests.conftest import sqlite_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quick_settings(api_settings: ApiSettings) -> ApiSettings:
    return api_settings.model_copy(update={"read_timeout_s": 0.3})


class Paused:
    """Holds the read side's catch-up lock: the projector cannot apply anything."""

    def __init__(self, read: ReadSide) -> None:
        self.read = read

    def __enter__(self) -> Paused:
        self.read._lock.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.read._lock.release()


def on_list(c: TestClient, h: dict[str, str], **headers: str) -> list[str]:
    body = ok(c.get("/waiting-list", headers={**h, **headers}))
    return [e["case_id"] for e in body["entries"]]


def test_a_read_without_a_position_neither_waits_nor_catches_up(
        client: TestClient, service: AllocationService, tokens: Tokens) -> None:
    """With the projector held, a read still answers at once, from the read models as
    they stand; only a read asking for the newer position waits (and says so after its
    timeout, 503), and once the projector runs it sees the write."""
    c, h = client, tokens()
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    rt.settings = rt.settings.model_copy(update={"read_timeout_s": 0.3})
    assert on_list(c, h) == []
    with Paused(rt.read):
        case_id = str(waiting_case(service))  # another officer's write, not this client's
        position = rt.position()
        assert on_list(c, h) == [], "read at once, from the read models as they stand"
        lagging = c.get("/waiting-list", headers={**h, "X-Read-Position": str(position)})
        assert lagging.status_code == 503, lagging.text
        assert lagging.json()["code"] == "read_side_lagging"
        assert lagging.headers["Retry-After"]
    # the projector runs again: a read asking for the position waits for it (a timeout a
    # busy machine's projector can meet) and sees the write
    rt.settings = rt.settings.model_copy(update={"read_timeout_s": 10})
    assert on_list(c, h, **{"X-Read-Position": str(position)}) == [case_id]


def test_reads_do_not_wait_on_one_another_or_on_the_projector(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    """Twenty concurrent reads all answer while the projector is held mid-catch-up (before,
    every read took the one catch-up lock in turn)."""
    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    rt.read.wait_for(rt.position(), timeout=10)  # the client's own write is in
    answers: list[int] = []

    def read() -> None:
        answers.append(c.get(f"/cases/{case_id}/history", headers=h).status_code)

    with Paused(rt.read):
        threads = [threading.Thread(target=read) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads), "a read waited for the projector"
    assert answers == [200] * 20


def test_a_write_answers_with_its_position_and_the_same_client_then_sees_it(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    """The position is in a header and in an HttpOnly, SameSite=Strict cookie; a client
    that keeps cookies sees its own writes, even with a projector that would otherwise
    sleep for a minute (the waiting read wakes it)."""
    c, h = sqlite_client, tokens()
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    rt.read.stop()
    rt.service.after_save = None  # no nudge from the writes: only the waiting read wakes it
    rt.read.start(interval=60)
    for n in range(3):
        response = c.post("/cases", headers=h, json={"identity_number": person_number(),
                                                     "name": "Kari Nordmann"})
        assert response.status_code == 201, response.text
        position = int(response.headers["X-Read-Position"])
        assert position == rt.position()
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"lto_position={position};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        case_id = response.json()["case_id"]
        document(c, h, case_id)
        decide_waiting(c, h, case_id)
        assert len(on_list(c, h)) == n + 1, "the cookie brought the client's own writes"


def test_a_refused_write_answers_with_the_position_of_its_access_log_entry(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    """A refused write (422) has still written its access-log entry (pasientjournalloven
    § 18): its answer carries the position after that entry, so a client that keeps cookies
    finds it in the case's log at once, even with a projector asleep for a minute."""
    c, h = sqlite_client, tokens()
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    case_id = register(c, h)
    rt.read.stop()
    rt.service.after_save = None
    rt.read.start(interval=60)
    refused = c.post(f"/cases/{case_id}/decisions", headers=h,
                     json={"kind": "grant", "grounds": "g", "place_type": "ordinary"})
    assert refused.status_code == 422
    assert int(refused.headers["X-Read-Position"]) == rt.position()
    entries = ok(c.get(f"/cases/{case_id}/access-log", headers=h))["data"]
    assert entries[0]["detail"] == "POST /cases/{case_id}/decisions -> 422"


def test_a_position_beyond_the_store_is_capped_and_garbage_is_ignored(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    assert on_list(c, h, **{"X-Read-Position": "99999999999"}) == []
    for junk in ("-1", "abc", "1e9", "9" * 40, ""):
        assert c.get("/waiting-list", headers={**h, "X-Read-Position": junk}
                     ).status_code == 200


def test_reads_answer_503_until_the_read_models_have_started(
        quick_settings: ApiSettings, sqlite_service: AllocationService, issuer: LocalIssuer,
        tokens: Tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store whose read models lag far behind (the first start over a large store) is
    rebuilt before reads are served; meanwhile /health answers and says so."""
    case_id = str(waiting_case(sqlite_service))
    release = threading.Event()
    rebuild = ReadSide.rebuild

    def slow_rebuild(self: ReadSide, *args: object, **kwargs: object) -> int:
        assert release.wait(30)
        return rebuild(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api.deps, "REBUILD_BEHIND", 1)
    monkeypatch.setattr(ReadSide, "rebuild", slow_rebuild)
    with TestClient(make_app(quick_settings, sqlite_service, issuer)) as c:
        h = tokens()
        assert ok(c.get("/health"))["read_models"] == "starting"
        starting = c.get("/waiting-list", headers=h)
        assert starting.status_code == 503 and starting.json()["code"] == "read_side_starting"
        release.set()
        for _ in range(300):
            if ok(c.get("/health"))["read_models"] == "ready":
                break
            time.sleep(0.05)
        assert ok(c.get("/health"))["read_models"] == "ready"
        assert on_list(c, h) == [case_id], "every event stored before the start is in"


def test_servers_that_only_read_and_a_projector_process(
        tmp_path: Path, clock: ManualClock, quick_settings: ApiSettings, issuer: LocalIssuer,
        tokens: Tokens) -> None:
    """``LTO_PROJECTOR=external``: this server never applies an event; ``python -m
    projections run`` (a process of its own) does, and a read asking for its write's
    position waits for it."""
    env = sqlite_env(tmp_path / "events.sqlite")
    settings = quick_settings.model_copy(update={"projector": "external",
                                                 "read_timeout_s": 20})
    service = AllocationService(env=env, clock=clock)
    projector = subprocess.Popen([sys.executable, "-m", "projections", "run"],
                                 env={**os.environ, **env}, cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with TestClient(make_app(settings, service, issuer)) as c:
            rt = c.app.state.runtime  # type: ignore[attr-defined]
            assert rt.read.external and rt.read._thread is None
            h = tokens()
            ids = []
            for _ in range(3):
                ids.append(register(c, h))
                document(c, h, ids[-1])
                decide_waiting(c, h, ids[-1])
            assert sorted(on_list(c, h)) == sorted(ids)  # the cookie: these writes
            assert rt.read._thread is None, "the server itself applied nothing"
    finally:
        projector.terminate()
        out, _ = projector.communicate(timeout=20)
        service.close()
    assert projector.returncode == 0, out
    assert "projector: running" in out and "projector: stopped" in out


@pytest.mark.postgres
def test_postgres_notifications_wake_the_projector(pg_schema: str, clock: ManualClock
                                                   ) -> None:
    """Another process's write (here: another service on the same schema, which nudges
    nobody) is applied at once, though the projector would poll only once a minute."""
    from tests.conftest import postgres_env

    env = postgres_env(pg_schema)
    reader, writer = (AllocationService(env=env, clock=clock) for _ in range(2))
    read = ReadSide(reader)
    try:
        read.start(interval=60)
        assert read._listener is not None and read._listener.listening.wait(10)
        time.sleep(0.2)  # the first catch-up is done; the projector now sleeps
        waiting_case(writer)
        target = writer.recorder.max_notification_id() or 0
        deadline = time.monotonic() + 10
        while read.known_position() < target and time.monotonic() < deadline:
            time.sleep(0.02)
        assert read.known_position() >= target
        assert [str(e.case_id) for e in read.waiting_list(MUNICIPALITY)]
    finally:
        read.stop()
        reader.close()
        writer.close()


@pytest.mark.postgres
def test_servers_can_read_from_a_replica_while_writing_to_the_primary(
        pg_schema: str, clock: ManualClock, quick_settings: ApiSettings, issuer: LocalIssuer,
        tokens: Tokens) -> None:
    """``LTO_READ_REPLICA_HOST``: the read models are read through a datastore of their own
    (here the same server under another name, standing in for a streaming replica), the
    writes and the access log go to the primary, and a read asking for its write's
    position waits until the replica holds it."""
    from tests.conftest import postgres_env

    env = postgres_env(pg_schema)
    settings = quick_settings.model_copy(update={
        "projector": "external", "read_replica_host": "localhost", "read_timeout_s": 20})
    with pytest.raises(ValueError, match="LTO_PROJECTOR=external"):
        make_app(settings.model_copy(update={"projector": "thread"}),
                 AllocationService(env=env, clock=clock), issuer)
    service, projecting = (AllocationService(env=env, clock=clock) for _ in range(2))
    projector = ReadSide(projecting)
    projector.start()
    try:
        with TestClient(make_app(settings, service, issuer)) as c:
            rt = c.app.state.runtime  # type: ignore[attr-defined]
            assert rt.read.view.datastore is not service.recorder.datastore
            assert rt.read.view.datastore.pool.kwargs["host"] == "localhost"
            assert service.recorder.datastore.pool.kwargs["host"] != "localhost"
            h = tokens()
            case_id = register(c, h)
            document(c, h, case_id)
            decide_waiting(c, h, case_id)
            assert on_list(c, h) == [case_id]
    finally:
        projector.stop()
        service.close()
        projecting.close()


def test_a_run_that_finds_the_read_models_behind_past_its_timeout_answers_503(
        client: TestClient, service: AllocationService, tokens: Tokens,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An allocation run chooses from the read models brought up to the end of the log;
    when the projector does not get there in time (a long rebuild at a first start), the
    run answers 503 ``read_side_lagging`` with Retry-After — not a 500 — and records
    nothing."""
    from projections.read_side import ReadSide

    c, h = client, tokens()
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    monkeypatch.setattr(rt.read, "up_to_date",
                        lambda timeout=0.3: ReadSide.up_to_date(rt.read, 0.3))
    waiting_case(service)
    with Paused(rt.read):
        waiting_case(service)  # a write the paused projector has not applied
        before = service.recorder.max_notification_id()
        r = c.post("/allocation-runs", headers=h, json={"confirm_unassessed": True})
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "read_side_lagging" and r.headers["Retry-After"]
        assert service.recorder.max_notification_id() == before, "nothing recorded"
    r = c.post("/allocation-runs", headers=h, json={"confirm_unassessed": True})
    assert r.status_code == 201, r.text
