"""The access log (tilgangslogg, pasientjournalloven § 18): every read or write of a
person's data, and every refused attempt, is exactly one entry — in the case's own
municipality, even when the attempt came from another."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth import Role
from tests.api.conftest import Tokens
from tests.api.story import access_log, decide_waiting, document, ok, place, register


def _log(c: TestClient, h: dict[str, str], case_id: str) -> list[dict[str, object]]:
    return access_log(c, h, case_id)["data"]  # type: ignore[no-any-return]


def test_n_reads_and_writes_make_exactly_n_entries(sqlite_client: TestClient,
                                                   tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = register(c, h)  # 1 write
    document(c, h, case_id)  # 5 writes (own account, relatives, IPLOS, GP, LEON)
    decide_waiting(c, h, case_id)  # 1 write
    ok(c.get(f"/cases/{case_id}", headers=h))  # 1 read
    ok(c.get(f"/cases/{case_id}/history", headers=h))  # 1 read
    ok(c.get("/waiting-list", headers=h))  # 1 read listing the case
    place(c, h)  # no person's data: no entry
    ok(c.get("/vacancy-board", headers=h))  # no person's data: no entry
    entries = _log(c, h, case_id)
    assert len(entries) == 10
    assert [e["action"] for e in entries][:3] == [
        "read_waiting_list", "read_case_history", "read_case"]  # newest first
    assert entries[-1]["action"] == "register_application"
    assert all(e["allowed"] is True and e["role"] == "allocation_officer" for e in entries)
    assert all("Kari Nordmann" in str(e["actor"]) for e in entries)
    assert len(_log(c, h, case_id)) == 10, "reading the access log is not itself logged"


def test_waiting_list_read_is_one_entry_naming_every_case_shown(sqlite_client: TestClient,
                                                                tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    first, second = register(c, h), register(c, h)
    for case_id in (first, second):
        document(c, h, case_id)
        decide_waiting(c, h, case_id)
    ok(c.get("/waiting-list", headers=tokens(Role.COMPLAINT_HANDLER)))
    newest = [_log(c, h, case_id)[0] for case_id in (first, second)]
    assert newest[0]["entry_id"] == newest[1]["entry_id"], "one entry, naming both cases"
    assert newest[0]["action"] == "read_waiting_list"
    assert newest[0]["role"] == "complaint_handler"


def test_refused_attempts_are_logged_as_not_allowed(sqlite_client: TestClient,
                                                    tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    oslo = tokens(Role.ALLOCATION_OFFICER, "0301")
    assert c.get(f"/cases/{case_id}", headers=oslo).status_code == 404  # another municipality
    assert c.get(f"/cases/{case_id}", headers=tokens(Role.MANAGER)).status_code == 403
    assert c.get(f"/cases/{case_id}").status_code == 401  # no token
    assert c.post(f"/cases/{case_id}/documentation/own-account", headers=oslo,
                  json={"what_matters": "x", "account": "y"}).status_code == 404
    entries = _log(c, h, case_id)
    assert len(entries) == 5
    refused = entries[:4]
    assert [e["allowed"] for e in refused] == [False] * 4
    assert [e["role"] for e in refused] == [
        "allocation_officer", "none", "manager", "allocation_officer"]
    assert "(test:allocation_officer:0301)" in str(refused[0]["actor"])
    assert refused[1]["actor"] == "anonymous"
    assert [e["detail"] for e in refused] == [
        "POST /cases/{case_id}/documentation/own-account -> 404 (from municipality 0301)",
        "GET /cases/{case_id} -> 401", "GET /cases/{case_id} -> 403",
        "GET /cases/{case_id} -> 404 (from municipality 0301)"]
    # the Oslo officer learns nothing: the answer is as for an id that does not exist
    unknown = c.get("/cases/00000000-0000-4000-8000-000000000000", headers=oslo)
    assert unknown.status_code == 404
    assert unknown.json() == c.get(f"/cases/{case_id}", headers=oslo).json()


def test_a_refused_command_on_an_allowed_case_is_logged_once(sqlite_client: TestClient,
                                                             tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    refused = c.post(f"/cases/{case_id}/decisions", headers=h,
                     json={"kind": "grant", "grounds": "g", "place_type": "ordinary"})
    assert refused.status_code == 422
    entries = _log(c, h, case_id)
    assert len(entries) == 2
    assert entries[0]["action"] == "record_decision" and entries[0]["allowed"] is True
    assert entries[0]["detail"] == "POST /cases/{case_id}/decisions -> 422"


def test_a_refused_attempt_at_another_municipalitys_complaint_is_in_the_cases_log(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    """A complaint is about a person's case: an attempt from another municipality at the
    complaint (its id in the path, not the case's) is logged in the case's own log."""
    from datetime import date
    from uuid import UUID

    from domain.complaint import ComplaintSubject

    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    document(c, h, case_id)
    decide_waiting(c, h, case_id)
    service = c.app.state.runtime.service  # type: ignore[attr-defined]
    decision = service.get_case("4601", UUID(case_id)).decisions[0].decision_id
    complaint_id = service.register_complaint(
        "4601", UUID(case_id), against=ComplaintSubject.DECISION, subject_id=decision,
        received_on=date(2026, 3, 2), grounds="Uenig i vedtaket", registered_by="Klager")
    oslo = tokens(Role.COMPLAINT_HANDLER, "0301")
    assert c.get(f"/complaints/{complaint_id}", headers=oslo).status_code in (403, 404)
    newest = _log(c, h, case_id)[0]
    assert newest["allowed"] is False
    assert str(newest["detail"]).startswith("GET /complaints/{complaint_id} -> ")
    assert str(newest["detail"]).endswith("(from municipality 0301)")


def test_a_read_writes_its_entry_in_the_endpoints_own_thread(
        sqlite_client: TestClient, tokens: Tokens, monkeypatch) -> None:
    """A successful read of a person's case writes its one entry from the endpoint's worker
    thread (no second round trip to a worker thread); a refused one from the route, after
    the refusal. Either way exactly one entry."""
    import api.routing

    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    late: list[str] = []
    real = api.routing.run_in_threadpool

    async def counting(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        if func is api.routing.record_access:
            late.append(args[1])
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(api.routing, "run_in_threadpool", counting)
    before = len(_log(c, h, case_id))
    ok(c.get(f"/cases/{case_id}", headers=h))
    ok(c.get(f"/cases/{case_id}/history", headers=h))
    assert late == []
    assert c.get(f"/cases/{case_id}", headers=tokens(Role.MANAGER)).status_code == 403
    assert late == ["read_case"]
    entries = _log(c, h, case_id)
    assert len(entries) == before + 3
    assert [e["action"] for e in entries[:3]] == ["read_case", "read_case_history", "read_case"]
    assert [e["allowed"] for e in entries[:3]] == [False, True, True]
