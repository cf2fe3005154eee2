"""The access log saved with the write (issue "Nothing lost, nothing leaked", item 2): a
write and its access-log entry are one transaction, so no committed write is without its
entry and an entry that cannot be written stops the write; a refused attempt is logged in the
owner's log wherever the case id came from (the path, the query or the body). On SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.service import AllocationService
from domain.access import AccessLogEntry
from domain.case import Case
from tests.api.conftest import Tokens
from tests.api.story import ok, register, waiting_case
from tests.builders import OTHER_MUNICIPALITY, person_number


def events(service: AllocationService) -> list[Any]:
    return [service.mapper.to_domain_event(n)
            for n in service.recorder.select_notifications(start=1, limit=100_000)]


def test_a_write_and_its_access_log_entry_are_saved_together(client: TestClient,
                                                             tokens: Tokens,
                                                             service: AllocationService):
    h = tokens()
    case_id = register(client, h, name="Astrid Lie")
    before = len(events(service))
    ok(client.post(f"/cases/{case_id}/documentation/own-account", headers=h,
                   json={"what_matters": "Ro", "account": "Faller"}))
    new = events(service)[before:]
    kinds = [type(e).__qualname__ for e in new]
    assert kinds == ["Case.OwnAccountRecorded", "AccessLogEntry.Recorded"]  # one save
    entry = new[1]
    assert [str(c) for c in entry.case_ids] == [case_id]
    assert entry.action == "record_own_account" and "saved with the write" in entry.detail
    # nothing else was logged for the request: one entry, not two
    assert sum(isinstance(e, AccessLogEntry.Recorded) for e in new) == 1


def test_when_the_entry_cannot_be_written_the_write_is_not_either(
        client: TestClient, tokens: Tokens, service: AllocationService,
        monkeypatch: pytest.MonkeyPatch):
    h = tokens()
    case_id = register(client, h, name="Bjørn Dahl")
    version = service.get_case("4601", UUID(case_id)).version

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the access log cannot be written")

    monkeypatch.setattr(AccessLogEntry, "record", broken)
    answer = client.post(f"/cases/{case_id}/documentation/own-account", headers=h,
                         json={"what_matters": "Ro", "account": "Faller"})
    assert answer.status_code >= 500
    monkeypatch.undo()
    case = service.repository.get(UUID(case_id))
    assert isinstance(case, Case) and case.version == version  # nothing written
    assert not case.docs.own_account


def test_a_refused_attempt_with_the_id_in_the_body_is_in_the_owners_log(
        client: TestClient, tokens: Tokens, service: AllocationService):
    foreign = waiting_case(client, tokens(municipality=OTHER_MUNICIPALITY), name="Fremmed")
    h = tokens(municipality="4601")
    refused = client.post("/cases", headers=h, json={
        "identity_number": person_number(), "name": "Ny", "spouse_case_id": foreign})
    assert refused.status_code == 404
    logged = [e for e in events(service) if isinstance(e, AccessLogEntry.Recorded)
              and e.municipality == OTHER_MUNICIPALITY and not e.allowed]
    assert logged and [str(c) for c in logged[-1].case_ids] == [foreign]
    assert "from municipality 4601" in logged[-1].detail


def test_a_refused_attempt_with_the_id_in_the_query_is_in_the_owners_log(
        client: TestClient, tokens: Tokens, service: AllocationService):
    from api.auth import Role

    foreign = waiting_case(client, tokens(municipality=OTHER_MUNICIPALITY), name="Fremmed")
    h = tokens(Role.COMPLAINT_HANDLER, municipality="4601")
    answer = client.get(f"/complaints?case_id={foreign}", headers=h)
    assert answer.status_code == 404
    logged = [e for e in events(service) if isinstance(e, AccessLogEntry.Recorded)
              and e.municipality == OTHER_MUNICIPALITY and not e.allowed]
    assert logged and [str(c) for c in logged[-1].case_ids] == [foreign]
