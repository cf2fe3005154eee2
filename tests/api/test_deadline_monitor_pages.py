"""GET /deadline-monitor (R18, R19) over HTTP, on SQLite and PostgreSQL: the breaches ever
recorded are paged, newest first, with ``total``, ``offset`` and ``limit`` beside them
(default 100, at most 1000); a bad value answers 422 naming the parameter."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from application.clock import ManualClock
from tests.api.conftest import Tokens
from tests.api.story import ok, waiting_case


def _three_breaches(client: TestClient, h: dict[str, str], clock: ManualClock) -> list[str]:
    """Three persons whose deadlines pass ten days apart, each breach recorded on its own
    day: the oldest first."""
    cases = []
    for name in ("Første Brudd", "Andre Brudd", "Tredje Brudd"):
        cases.append(waiting_case(client, h, name=name, need=30))
        clock.advance(days=10)
    clock.advance(days=63)  # 93 days after the first decision: its deadline has passed
    for case_id in cases:
        assert ok(client.post("/deadlines/check", headers=h))["breached_case_ids"] == [case_id]
        clock.advance(days=10)
    return cases


def test_r19_the_breach_history_is_paged_newest_first(client: TestClient, tokens: Tokens,
                                                      clock: ManualClock) -> None:
    h = tokens()
    oldest, middle, newest = _three_breaches(client, h, clock)
    whole = ok(client.get("/deadline-monitor", headers=h))["data"]
    assert (whole["total"], whole["offset"], whole["limit"]) == (3, 0, 100)
    assert [b["case_id"] for b in whole["breaches"]] == [newest, middle, oldest]
    assert whole["counts"]["breaches"] == 3
    first = ok(client.get("/deadline-monitor", headers=h, params={"limit": 2}))["data"]
    assert [b["case_id"] for b in first["breaches"]] == [newest, middle]
    assert (first["total"], first["offset"], first["limit"]) == (3, 0, 2)
    assert first["counts"]["breaches_still_waiting"] == 3  # the counts cover every breach
    rest = ok(client.get("/deadline-monitor", headers=h,
                         params={"limit": 2, "offset": 2}))["data"]
    assert [b["case_id"] for b in rest["breaches"]] == [oldest]
    assert (rest["total"], rest["offset"]) == (3, 2)
    beyond = ok(client.get("/deadline-monitor", headers=h, params={"offset": 50}))["data"]
    assert beyond["breaches"] == [] and beyond["total"] == 3
    manager = ok(client.get("/deadline-monitor", headers=tokens(Role.MANAGER),
                            params={"limit": 1}))["data"]
    assert manager["total"] == 3 and len(manager["breaches"]) == 1
    assert "case_id" not in manager["breaches"][0] and "name" not in manager["breaches"][0]


@pytest.mark.parametrize("params, field", [
    ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "ti"}, "limit"),
    ({"offset": -1}, "offset"), ({"offset": "1.5"}, "offset"),
    ({"offset": 10**12}, "offset"),
])
def test_r19_a_bad_page_answers_422_naming_the_parameter(
        client: TestClient, tokens: Tokens, params: dict[str, object], field: str) -> None:
    answer = client.get("/deadline-monitor", headers=tokens(), params=params)
    assert answer.status_code == 422
    assert answer.json()["field"] == field
