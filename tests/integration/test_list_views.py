"""A list view in the access log (tilgangslogg) is one entry holding the view — which list,
its page, the moment and read-model position it stood at — not the id of everyone on it; the
list is reproducible from it, and "who saw my case" finds the views that showed a case from
the temporal read models. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from application.service import AllocationService
from domain.access import AccessLogEntry, ListView, page_digest
from domain.values import ClosureReason, PriorityFactor
from projections.fold import apply_event
from projections.read_side import ReadSide
from projections.store import MemoryStore
from projections.waiting_list import waiting_list
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY, waiting_case

M = MUNICIPALITY
FACTORS = {PriorityFactor.FUNCTION.value: 3, PriorityFactor.COGNITIVE_FAILURE.value: 2}


@pytest.fixture
def read(service):
    side = ReadSide(service)
    try:
        yield side
    finally:
        side.stop()


def _log_view(service: AllocationService, view: ListView, actor: str = "saksbehandler"
              ) -> UUID:
    return service.record_access(M, actor=actor, role="allocation_officer",
                                 action="read_waiting_list", case_ids=[], allowed=True,
                                 detail="GET /waiting-list -> 200", views=[view])


def _replayed(service: AllocationService, position: int, today: Any) -> list[str]:
    """The waiting list folded from the log up to ``position`` alone: its case ids."""
    store = MemoryStore()
    for n in service.recorder.select_notifications(start=1, limit=position):
        store.position = n.id
        apply_event(store, service.mapper.to_domain_event(n))
    return [e.case_id for e in waiting_list(store, M, today)]


@pytest.mark.parametrize("earlier", [0.0, 0.4], ids=["bounds", "some-without-bounds"])
def test_who_saw_my_case_equals_reproducing_every_list_view(service, clock, read, earlier):
    """Cases join the list, are assessed (their rank moves) and leave it, while officers
    read pages of the list — sometimes with the read models behind the store, sometimes as
    of a past moment. Afterwards every case's access log holds exactly the views whose page
    showed it; and each view, reproduced from the temporal read models at its moment and
    from the log up to its position, is the page that was shown (its digest too). Views
    are found by the bounds of their pages; with ``earlier``, that share of the views is
    logged as an earlier release did, without bounds, and found by rank."""
    rng = random.Random(16)
    cases = [waiting_case(service, name=f"Person {n}") for n in range(6)]
    open_cases = list(cases)
    read.catch_up()
    shown: dict[UUID, list[str]] = {}  # entry id -> the page's case ids, as shown
    views: dict[UUID, ListView] = {}
    moments: list[datetime] = []
    for step in range(60):
        clock.advance(minutes=rng.randint(1, 90))
        moments.append(clock.now())
        roll = rng.random()
        if roll < 0.2:
            cases.append(waiting_case(service, name=f"Person {len(cases)}"))
            open_cases.append(cases[-1])
        elif roll < 0.35:
            service.assess_priority(M, rng.choice(open_cases), factors=FACTORS,
                                    need_score=rng.randint(0, 100), assessor="Sykepleier",
                                    departure_reason="faglig skjønn")
        elif roll < 0.42 and len(open_cases) > 3:
            leaving = open_cases.pop(rng.randrange(len(open_cases)))
            service.close_case(M, leaving, reason=ClosureReason.WITHDRAWN)
        else:
            if rng.random() < 0.7:
                read.catch_up()  # otherwise the read models lag behind the store
            offset, limit = rng.choice([(0, 100), (0, 3), (2, 3), (4, 2), (1, 50), (7, 5)])
            if rng.random() < 0.2 and step > 5:
                page = read.as_of(rng.choice(moments[:-1])).waiting_list_page(M, offset, limit)
            else:
                page = read.waiting_list_page(M, offset, limit)
            logged = replace(page.view, bounds=None) if rng.random() < earlier else page.view
            entry_id = _log_view(service, logged)
            shown[entry_id] = [e.case_id for e in page.entries]
            views[entry_id] = page.view
            assert [e.rank for e in page.entries] == list(
                range(offset + 1, offset + 1 + len(page.entries)))  # ranks of the whole list
    read.catch_up()
    assert len(views) > 20 and any(not v.whole for v in views.values())
    assert any(v.filters for v in views.values()), "some views of a past moment"

    for case_id in cases:
        logged = {UUID(e["entry_id"]) for e in read.access_log(M, case_id) if "view" in e}
        expected = {entry for entry, ids in shown.items() if str(case_id) in ids}
        assert logged == expected, f"the views that showed {case_id}"
        whole = read.access_log(M, case_id)  # newest first: the log's order
        assert [e["at"] for e in whole] == sorted((e["at"] for e in whole), reverse=True)
        for offset, limit in ((0, 3), (2, 5), (max(len(whole) - 2, 0), 10), (len(whole), 5)):
            entries, total = read.access_log_page(M, case_id, offset, limit)
            assert total == len(whole), "a page counts every entry"
            assert entries == whole[offset:offset + limit], "a page is that slice of the log"
    assert sum(bool(ids) for ids in shown.values()) > 20

    for entry_id, view in views.items():
        then = read.as_of(view.moment).waiting_list(M, view.today)
        page = [e.case_id for e in then][view.offset:view.offset + view.limit]
        assert page == shown[entry_id] and page_digest(page) == view.digest
        assert len(then) == view.total
        if not view.filters:  # the current list: the log up to the position gives it
            replayed = _replayed(service, view.position, view.today)
            assert replayed[view.offset:view.offset + view.limit] == shown[entry_id]


def test_a_list_view_entry_is_small_and_names_no_case(service, clock, read):
    for n in range(60):
        waiting_case(service, name=f"Person med et ganske langt navn {n}")
    read.catch_up()
    clock.advance(minutes=1)
    page = read.waiting_list_page(M, 0, 1000)
    assert page.total == 60 and len(page.entries) == 60
    entry_id = _log_view(service, page.view, actor="Kari Nordmann (saksbehandler-4601)")
    [stored] = [n for n in service.recorder.select_notifications(
        start=service.recorder.max_notification_id(), limit=1)]
    assert stored.originator_id == entry_id
    assert len(stored.state) < 1024, len(stored.state)  # the target: under 1 KB
    entry = service.get_access_log_entry(M, entry_id)
    assert entry.case_ids == [] and entry.views == [page.view]


def test_an_entry_of_an_earlier_release_with_its_case_ids_is_still_read(service, read):
    """Events are immutable: a version 1 entry (every case id, no views) reads as before."""
    case_id = waiting_case(service)
    entry = AccessLogEntry.record(service.clock.now(), entry_id=UUID(int=7), municipality=M,
                                  actor="saksbehandler", role="allocation_officer",
                                  action="read_waiting_list", case_ids=[case_id],
                                  allowed=True, detail="GET /waiting-list -> 200")
    [event] = entry.collect_events()
    stored = service.mapper.to_stored_event(event)
    state = service.mapper.transcoder.decode(stored.state)
    del state["views"], state["class_version"]  # as the earlier release wrote it
    stored = type(stored)(stored.originator_id, stored.originator_version, stored.topic,
                          service.mapper.transcoder.encode(state))
    service.recorder.insert_events([stored])
    read.catch_up()
    [logged] = read.access_log(M, case_id)[:1]
    assert logged["entry_id"] == str(UUID(int=7)) and "view" not in logged
    assert service.get_access_log_entry(M, UUID(int=7)).views == []


def test_a_version_2_entry_without_bounds_is_read_and_its_view_found_by_rank(service, clock,
                                                                          read):
    """Events are immutable: a list view an earlier release logged (version 2, no bounds)
    reads with none and still shows in the access log of the cases on its page."""
    first, second, third = (waiting_case(service, name=f"Person {n}") for n in range(3))
    read.catch_up()
    clock.advance(minutes=1)
    page = read.waiting_list_page(M, 1, 1)
    entry = AccessLogEntry.record(service.clock.now(), entry_id=UUID(int=9), municipality=M,
                                  actor="saksbehandler", role="allocation_officer",
                                  action="read_waiting_list", case_ids=[], allowed=True,
                                  detail="GET /waiting-list -> 200", views=[page.view])
    [event] = entry.collect_events()
    stored = service.mapper.to_stored_event(event)
    state = service.mapper.transcoder.decode(stored.state)
    assert state["class_version"] == 3 and state["views"][0]["bounds"]
    for view in state["views"]:
        del view["bounds"]
    state["class_version"] = 2  # as the earlier release wrote it
    stored = type(stored)(stored.originator_id, stored.originator_version, stored.topic,
                          service.mapper.transcoder.encode(state))
    service.recorder.insert_events([stored])
    read.catch_up()
    assert service.get_access_log_entry(M, UUID(int=9)).views[0].bounds is None
    shown = {e.case_id for e in page.entries}
    for case_id in (first, second, third):
        logged = [e for e in read.access_log(M, case_id) if "view" in e]
        assert bool(logged) == (str(case_id) in shown)
    assert len(shown) == 1


def test_an_access_table_of_an_earlier_release_gains_the_bounds_columns():
    """The columns are added in place (the earlier rows keep none, as a rebuild from the
    log would give them), so an upgrade does not replay the log."""
    import sqlite3

    from projections.store import ACCESS_TABLE, SqlStore

    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute(f"CREATE TABLE {ACCESS_TABLE} (case_id TEXT NOT NULL, entry_id TEXT NOT NULL, "
                 "municipality TEXT NOT NULL, at BIGINT NOT NULL, seq BIGINT NOT NULL, "
                 "doc BLOB NOT NULL)")
    conn.execute(f"INSERT INTO {ACCESS_TABLE} VALUES ('k', 'e', '{M}', 1, 1, x'00')")
    store = SqlStore(conn.cursor(), "sqlite")
    store.create_tables()
    store.create_tables()  # twice: nothing more to add
    row = conn.execute(f"SELECT * FROM {ACCESS_TABLE}").fetchone()
    assert row["lo_key"] is None and row["hi_key"] is None and row["entry_id"] == "e"


def test_list_views_of_another_municipality_never_show(service, read):
    ours = waiting_case(service)
    waiting_case(service, municipality=OTHER_MUNICIPALITY)
    read.catch_up()
    page = read.waiting_list_page(OTHER_MUNICIPALITY, 0, 100)
    service.record_access(OTHER_MUNICIPALITY, actor="saksbehandler", role="allocation_officer",
                          action="read_waiting_list", case_ids=[], allowed=True,
                          views=[page.view])
    read.catch_up()
    assert read.access_log(M, ours) == []


@pytest.mark.parametrize(("change", "what"), [
    ({"list": "Venteliste!"}, "lower case"),
    ({"limit": 0}, "limit"),
    ({"offset": -1}, "offset"),
    ({"digest": "abc"}, "digest"),
    ({"filters": {"at": "12345678901"}}, "identity number"),
    ({"bounds": ("b", "a")}, "bounds"),
    ({"bounds": ("", "a")}, "bounds"),
    ({"bounds": ("a" * 200, "b" * 200)}, "bounds"),
])
def test_a_bad_list_view_names_the_field_and_writes_nothing(memory_service, change, what):
    from domain.errors import InvalidValue

    view = ListView(list="waiting_list", moment=memory_service.clock.now(), position=0,
                    today=memory_service.clock.now().date(), offset=0, limit=100, total=0,
                    digest=page_digest([]))
    bad = ListView(**{**view.__dict__, **change})
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as err:
        _log_view(memory_service, bad)
    assert err.value.field == "views" and what in str(err.value)
    assert memory_service.recorder.max_notification_id() == before
