"""Every list the JSON routes show is paged (``offset``, ``limit``; default 100, at most
1,000) with its ``total``; the list field keeps its name. A waiting-list read is one small
access-log entry holding the view, and each case's log holds the views whose page showed it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.service import AllocationService
from domain.access import AccessLogEntry
from tests.api.conftest import Tokens
from tests.api.story import access_log, assess, ok, place, waiting_case


def _entries(c: TestClient, h: dict[str, str], **query: Any) -> dict[str, Any]:
    return ok(c.get("/waiting-list", headers=h, params=query))  # type: ignore[no-any-return]


def test_r12_a_later_page_keeps_the_rank_in_the_whole_list(sqlite_client: TestClient,
                                                           tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    cases = [waiting_case(c, h, name=f"Person {n}") for n in range(5)]
    assess(c, h, cases[4], 90)  # goes first (R16)
    whole = _entries(c, h)
    assert (whole["total"], whole["offset"], whole["limit"]) == (5, 0, 100)
    assert [e["rank"] for e in whole["entries"]] == [1, 2, 3, 4, 5]
    assert whole["entries"][0]["case_id"] == cases[4]
    second = _entries(c, h, offset=2, limit=2)
    assert (second["total"], second["offset"], second["limit"]) == (5, 2, 2)
    assert [e["rank"] for e in second["entries"]] == [3, 4]
    pages = [_entries(c, h, offset=o, limit=2)["entries"] for o in (0, 2, 4)]
    assert [e for p in pages for e in p] == whole["entries"]
    assert _entries(c, h, offset=10)["entries"] == []


def test_a_waiting_list_read_is_one_small_entry_and_only_the_page_sees_the_cases(
        sqlite_client: TestClient, tokens: Tokens, sqlite_service: AllocationService) -> None:
    c, h = sqlite_client, tokens()
    cases = [waiting_case(c, h, name=f"Person {n}") for n in range(5)]
    shown = [e["case_id"] for e in _entries(c, h, offset=1, limit=2)["entries"]]
    last = sqlite_service.recorder.select_notifications(
        start=sqlite_service.recorder.max_notification_id(), limit=1)[0]
    event = sqlite_service.mapper.to_domain_event(last)
    assert isinstance(event, AccessLogEntry.Recorded)
    assert event.case_ids == [] and len(event.views) == 1 and len(last.state) < 1024
    for case_id in cases:
        log = access_log(c, h, case_id)["data"]
        saw = [e for e in log if e["entry_id"] == str(event.originator_id)]
        assert bool(saw) == (case_id in shown), case_id
        if saw:
            assert saw[0]["view"]["offset"] == 1 and saw[0]["view"]["limit"] == 2
            assert saw[0]["action"] == "read_waiting_list"
    assert UUID(shown[0])  # the page named real cases


@pytest.mark.parametrize("path", ["/waiting-list", "/vacancy-board", "/complaints",
                                  "/cases/{case}/access-log"])
@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ti", "limit"),
    ("offset=-1", "offset"), ("offset=x", "offset")])
def test_a_bad_page_answers_422_naming_the_parameter(sqlite_client: TestClient,
                                                     tokens: Tokens, path: str, query: str,
                                                     field: str) -> None:
    c, h = sqlite_client, tokens()
    case_id = waiting_case(c, h)
    answer = c.get(f"{path.format(case=case_id)}?{query}", headers=h)
    assert answer.status_code == 422
    assert answer.json()["field"] == field


def test_the_vacancy_board_complaints_and_access_log_are_paged_with_totals(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    for _ in range(3):
        place(c, h)
    board = ok(c.get("/vacancy-board", headers=h, params={"limit": 2}))
    assert (board["total"], board["offset"], board["limit"]) == (3, 0, 2)
    assert len(board["places"]) == 2 and board["provider_offers_total"] == 0
    rest = ok(c.get("/vacancy-board", headers=h, params={"offset": 2, "limit": 2}))
    assert len(rest["places"]) == 1
    case_id = waiting_case(c, h)
    for _ in range(3):
        ok(c.get(f"/cases/{case_id}", headers=h))
    rt = c.app.state.runtime  # type: ignore[attr-defined]
    rt.read.wait_for(rt.position(), timeout=10)  # the reads' own entries are in the log
    log = ok(c.get(f"/cases/{case_id}/access-log", headers=h, params={"limit": 2}))
    assert log["total"] > 3 and len(log["data"]) == 2 and log["limit"] == 2
    later = ok(c.get(f"/cases/{case_id}/access-log", headers=h,
                     params={"offset": 2, "limit": 100}))
    assert len(later["data"]) == log["total"] - 2
    complaints = ok(c.get("/complaints", headers=h))
    assert (complaints["total"], complaints["data"]) == (0, [])
