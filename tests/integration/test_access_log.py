"""The access log (tilgangslogg, pasientjournalloven § 18) on SQLite and PostgreSQL: one entry
per request, in the log of every case whose personal data it touched, newest first; refused
attempts too; identity numbers never in it; retries write nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidValue
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY, person_number, waiting_case

M = MUNICIPALITY


@pytest.fixture
def read(service):
    side = ReadSide(service)
    try:
        yield side
    finally:
        side.stop()


def test_n_requests_make_exactly_n_entries_across_the_cases_logs(service, clock, read):
    cases = [waiting_case(service, name=n) for n in ("Anna", "Bjørn", "Cecilie")]
    calls = [(cases[i % 3], "read_case" if i % 4 else "write_case") for i in range(11)]
    entry_ids = []
    for n, (case_id, action) in enumerate(calls):
        clock.advance(minutes=5)
        entry_ids.append(service.record_access(
            M, actor=f"saksbehandler{n % 2}", role="saksbehandler", action=action,
            case_ids=[case_id], allowed=True, detail=f"request {n}"))
    read.catch_up()

    logs = {case_id: read.access_log(M, case_id) for case_id in cases}
    assert sum(len(log) for log in logs.values()) == len(calls)
    assert sorted(e["entry_id"] for log in logs.values() for e in log) == sorted(
        map(str, entry_ids))
    anna = logs[cases[0]]
    assert [e["detail"] for e in anna] == ["request 9", "request 6", "request 3",
                                           "request 0"]  # newest first
    assert anna[0] == {"entry_id": str(entry_ids[9]), "municipality": M,
                       "at": anna[0]["at"], "actor": "saksbehandler1", "role": "saksbehandler",
                       "action": "read_case", "allowed": True, "detail": "request 9"}
    assert [e["action"] for e in anna][-1] == "write_case"
    assert anna[0]["at"] > anna[-1]["at"]


def test_one_request_touching_several_cases_is_in_each_log(service, read):
    a = waiting_case(service, name="Anna")
    b = waiting_case(service, name="Bjørn")
    untouched = waiting_case(service, name="Cecilie")
    entry = service.record_access(M, actor="leder", role="tildelingsleder",
                                  action="read_waiting_list", case_ids=[a, b, a],
                                  allowed=True)
    read.catch_up()
    assert [e["entry_id"] for e in read.access_log(M, a)] == [str(entry)]  # once, not twice
    assert [e["entry_id"] for e in read.access_log(M, b)] == [str(entry)]
    assert read.access_log(M, untouched) == []
    assert service.get_access_log_entry(M, entry).case_ids == [a, b]


def test_refused_attempts_are_logged_too(service, read):
    case_id = waiting_case(service)
    refused = service.record_access(M, actor="vikar", role="hjemmetjeneste",
                                    action="read_case", case_ids=[case_id], allowed=False,
                                    detail="no role for this case")
    no_case = service.record_access(M, actor="ukjent", role="ingen", action="read_case",
                                    case_ids=[], allowed=False, detail="case id not found")
    read.catch_up()
    [entry] = read.access_log(M, case_id)
    assert entry["allowed"] is False and entry["actor"] == "vikar"
    # a refused attempt that named no case is in the event log, in no case's log
    logged = service.get_access_log_entry(M, no_case)
    assert logged.case_ids == [] and logged.allowed is False
    assert service.get_access_log_entry(M, refused).allowed is False


def test_identity_numbers_never_reach_the_access_log(service, read):
    case_id = waiting_case(service)
    number = person_number()
    spaced = f"{number[:6]} {number[6:]}"
    service.record_access(M, actor="saksb", role="saksbehandler", action="read_case",
                          case_ids=[case_id], allowed=True,
                          detail=f"searched for {number}, then {spaced}")
    read.catch_up()
    [logged] = read.access_log(M, case_id)
    assert logged["detail"] == "searched for ***********, then ***********"
    assert number not in str(read.access_log(M, case_id))
    entry = service.record_access(M, actor=f"Kari Nordmann ({number})", role="innbygger",
                                  action="read_case", case_ids=[case_id], allowed=True)
    assert service.get_access_log_entry(M, entry).actor == "Kari Nordmann (***********)"
    before = service.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as err:  # nothing left to say who it was
        service.record_access(M, actor=number, role="innbygger", action="read_case",
                              case_ids=[case_id], allowed=True)
    assert err.value.field == "actor"
    assert service.recorder.max_notification_id() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"actor": " "}, "actor"),
    ({"role": ""}, "role"),
    ({"action": "Read Case!"}, "action"),
    ({"case_ids": ["not-a-uuid"]}, "case_ids"),
    ({"case_ids": "a-single-string"}, "case_ids"),
    ({"allowed": "yes"}, "allowed"),
])
def test_bad_input_names_the_field_and_writes_nothing(memory_service, change, field):
    args = dict(actor="saksb", role="saksbehandler", action="read_case",
                case_ids=[uuid4()], allowed=True)
    args.update(change)
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as err:
        memory_service.record_access(M, **args)
    assert err.value.field == field
    assert memory_service.recorder.max_notification_id() == before


def test_a_retried_request_is_logged_once_and_other_municipalities_see_nothing(service,
                                                                               read):
    case_id = waiting_case(service)
    first = service.record_access(M, actor="saksb", role="saksbehandler",
                                  action="write_case", case_ids=[case_id], allowed=True,
                                  command_id="req-42")
    position = service.recorder.max_notification_id()
    again = service.record_access(M, actor="saksb", role="saksbehandler",
                                  action="write_case", case_ids=[case_id], allowed=True,
                                  command_id="req-42")
    assert again == first and service.recorder.max_notification_id() == position
    read.catch_up()
    assert len(read.access_log(M, case_id)) == 1
    assert read.access_log(OTHER_MUNICIPALITY, case_id) == []


def test_the_access_log_is_rebuilt_and_read_as_of_a_moment(service, clock, read):
    """The access log is appended to, never rewritten: a rebuild (split by aggregate, though
    an entry lands in other aggregates' logs) gives the same rows, and as of a moment it
    shows the entries made by then."""
    from projections.store import ACCESS_TABLE

    cases = [waiting_case(service, name=n) for n in ("Anna", "Bjørn")]
    moments = []
    for n in range(6):
        clock.advance(minutes=3)
        service.record_access(M, actor="saksbehandler", role="saksbehandler",
                              action="read_case", case_ids=cases[: 1 + n % 2], allowed=True,
                              detail=f"request {n}")
        moments.append(clock.now())
    read.catch_up()
    with read.view.reading() as store:
        live = store.rows(ACCESS_TABLE)
    before = {c: read.access_log(M, c) for c in cases}
    assert read.rebuild(workers=2, batch=7) == service.recorder.max_notification_id()
    with read.view.reading() as store:
        assert store.rows(ACCESS_TABLE) == live
    assert {c: read.access_log(M, c) for c in cases} == before
    then = read.as_of(moments[2])
    assert [e["detail"] for e in then.access_log(M, cases[0])] == [
        "request 2", "request 1", "request 0"]
    assert [e["detail"] for e in then.access_log(M, cases[1])] == ["request 1"]


def test_an_access_log_of_an_earlier_release_is_rebuilt_from_the_log(service, read):
    """The earlier layout kept one growing document per case; finding it, the read side
    drops the read models and replays the log, so no entry is lost."""
    case_id = waiting_case(service, name="Anna")
    service.record_access(M, actor="saksbehandler", role="saksbehandler",
                          action="read_case", case_ids=[case_id], allowed=True)
    read.catch_up()
    with read.view.datastore.transaction(commit=True) as c:
        c.execute("CREATE TABLE lto_rm_access (key TEXT, doc TEXT)" if read.view.dialect
                  == "sqlite" else
                  f'CREATE TABLE "{read.view.datastore.schema}".lto_rm_access '
                  "(key TEXT, doc TEXT)")
    again = ReadSide(service)  # as at the next start of the service
    assert again.position() == 0
    again.catch_up()
    assert [e["action"] for e in again.access_log(M, case_id)] == ["read_case"]
    with again.view.reading() as store:
        assert not store._columns("lto_rm_access")


def test_a_save_that_loses_a_race_logs_nothing_and_the_next_one_carries_the_entry(service):
    """A write and its access-log entry are one save: when the save fails (another save
    changed the case first, as a lost race for a case number does), nothing is logged,
    and the save that follows (the command run again) carries the entry."""
    from eventsourcing.persistence import IntegrityError

    from application.base import AccessNote
    from domain.access import AccessLogEntry

    case_id = waiting_case(service)
    stale = service.get_case(MUNICIPALITY, case_id)
    fresh = service.get_case(MUNICIPALITY, case_id)
    for case in (stale, fresh):
        case.record_wishes(service.clock.now(), facility_ids=["fjellheim"])
    service.save(fresh)  # another request got there first
    note = AccessNote("write_case", lambda: (MUNICIPALITY, "Lie", "allocation_officer",
                                             "test"), cases=[case_id])
    with service.logging_access(note):
        with pytest.raises(IntegrityError):
            service.save(stale)
        assert note.logged == set() and note.entries == 0
        again = service.get_case(MUNICIPALITY, case_id)
        again.record_wishes(service.clock.now(), facility_ids=["lia"])
        service.save(again)
    assert note.logged == {case_id} and note.entries == 1
    last = service.recorder.select_notifications(
        start=service.recorder.max_notification_id(), limit=1)[0]
    entry = service.mapper.to_domain_event(last)
    assert isinstance(entry, AccessLogEntry.Recorded) and entry.case_ids == [case_id]
