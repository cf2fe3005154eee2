"""Rebuild equals live; a restart resumes without gaps or double counting; each event is
applied exactly once; read-your-writes waits, with a timeout. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, place, waiting_case
from tests.projections.test_read_models import story

M = MUNICIPALITY


def snapshot(read, ids) -> tuple:
    return (read.waiting_list(M), read.vacancy_board(M),
            [read.case_history(ids[k]) for k in ("a", "b", "c")])


def test_rebuild_equals_live(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    service.accept_offer(M, ids["b"], ids["offer"])
    service.admit(M, ids["b"], ids["offer"])
    read.catch_up()
    live = snapshot(read, ids)
    end = service.recorder.max_notification_id()
    assert read.position() == end
    assert read.rebuild() == end
    assert read.position() == end
    assert snapshot(read, ids) == live


def test_restart_resumes_without_gaps_or_double_counting(service, clock):
    ids = story(service, clock)
    first = ReadSide(service)
    assert first.catch_up(limit=7) == 7
    assert first.position() == 7
    # "restart": a new reader over the same tables picks up at 7, not at 1
    second = ReadSide(service)
    assert second.position() == 7
    end = service.recorder.max_notification_id()
    assert second.catch_up() == end - 7
    assert second.catch_up() == 0
    for k in ("a", "b", "c"):
        assert [h.version for h in second.case_history(ids[k])] == [
            e.originator_version for e in service.events.get(ids[k])]
    fresh = second.as_of(clock.now())
    assert snapshot(second, ids) == snapshot(fresh, ids)


def test_an_event_is_applied_once(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    before = read.case_history(ids["a"])
    [n] = service.recorder.select_notifications(start=1, limit=1)
    event = service.mapper.to_domain_event(n)
    with pytest.raises(IntegrityError):
        read.projection.process_event(event, Tracking(read.tracking_name, n.id))
    assert read.case_history(ids["a"]) == before  # rolled back with the tracking record


def test_read_your_writes(service, clock, read: ReadSide):
    read.start(interval=0.01)
    case_id = waiting_case(service, name="Dag")
    read.wait_for(service.recorder.max_notification_id(), timeout=5)
    assert [e.case_id for e in read.waiting_list(M)] == [str(case_id)]
    p = place(service)
    read.wait_for(service.recorder.max_notification_id(), timeout=5)
    assert [x.place_id for x in read.vacancy_board(M).places] == [str(p)]
    read.stop()
    with pytest.raises(TimeoutError):
        read.wait_for(read.position() + 1000, timeout=0.05)


def test_read_your_writes_without_a_thread_catches_up(service, clock, read: ReadSide):
    case_id = waiting_case(service, name="Eva")
    read.wait_for(service.recorder.max_notification_id(), timeout=2)
    assert [e.case_id for e in read.waiting_list(M)] == [str(case_id)]


def test_tables_live_beside_the_events(service, store_env, read: ReadSide):
    """On PostgreSQL the read models are in the tenant's schema (POSTGRES_SCHEMA)."""
    waiting_case(service)
    read.catch_up()
    with read.view.reading() as store:
        store.execute("SELECT COUNT(*) AS n FROM " + store.name("lto_rm_case"))
        assert store.cursor.fetchone()["n"] == 1
    if store_env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        assert store.name("lto_rm_case") == f'"{store_env["POSTGRES_SCHEMA"]}"."lto_rm_case"'


def test_rebuild_command(service, store_env, monkeypatch, capsys):
    """``python -m projections rebuild`` drops and replays from the log."""
    from projections.__main__ import main

    waiting_case(service)
    end = service.recorder.max_notification_id()
    for key, value in store_env.items():
        monkeypatch.setenv(key, value)
    assert main(["rebuild"]) == 0
    assert f"rebuild: {end} events" in capsys.readouterr().out
    assert ReadSide(service).position() == end
