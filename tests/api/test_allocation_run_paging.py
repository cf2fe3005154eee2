"""A run's JSON by person (issue 16): ``limit`` (default 100, at most 1000) and ``offset``
page its persons — proposed first, then the others by rank — with ``total``, ``offset`` and
``limit`` beside the items; a bad value is 422 naming the parameter; only the persons shown
are in the access log (R17, R21)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth import Role
from tests.api.conftest import Tokens
from tests.api.story import ok, place, waiting_case


def _run(c: TestClient, h: dict[str, str]) -> tuple[str, list[str]]:
    cases = [waiting_case(c, h, name=f"Person {i}", need=90 - i * 10) for i in range(5)]
    place(c, h)
    place(c, h, facility_id="solbakken")
    run = ok(c.post("/allocation-runs", headers=h, params={"limit": 2}), 201)
    assert (run["total"], run["offset"], run["limit"]) == (5, 0, 2)
    assert [i["case_id"] for i in run["items"]] == cases[:2]  # proposed, by rank
    assert [i["status"] for i in run["items"]] == ["proposed", "proposed"]
    assert run["summary"] == {"persons": 5, "vacancies": 2, "purchasable": 0, "proposed": 2,
                              "unplaced": 3}
    return run["run_id"], cases


def _newest_action(c: TestClient, h: dict[str, str], case_id: str) -> str:
    return str(ok(c.get(f"/cases/{case_id}/access-log", headers=h))["data"][0]["action"])


def test_r17_a_run_is_paged_by_person(sqlite_client: TestClient, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    run_id, cases = _run(c, h)
    whole = ok(c.get(f"/allocation-runs/{run_id}", headers=h))
    assert (whole["total"], whole["offset"], whole["limit"]) == (5, 0, 100)
    assert [i["case_id"] for i in whole["items"]] == cases
    assert [i["rank"] for i in whole["items"]] == [1, 2, 3, 4, 5]
    assert [i["status"] for i in whole["items"]] == ["proposed"] * 2 + [None] * 3
    assert all(i["explanation"]["text"] for i in whole["items"])
    pages = [ok(c.get(f"/allocation-runs/{run_id}", headers=h,
                      params={"offset": offset, "limit": 2}))["items"]
             for offset in (0, 2, 4)]
    assert [[i["case_id"] for i in p] for p in pages] == [cases[:2], cases[2:4], cases[4:]]
    beyond = ok(c.get(f"/allocation-runs/{run_id}", headers=h, params={"offset": 9}))
    assert beyond["items"] == [] and beyond["total"] == 5


def test_r17_a_bad_page_is_422_naming_the_parameter(sqlite_client: TestClient,
                                                    tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    run_id, _ = _run(c, h)
    for params, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                          ({"limit": "mange"}, "limit"), ({"offset": -1}, "offset"),
                          ({"offset": "1.5"}, "offset")):
        for url in (f"/allocation-runs/{run_id}", f"/allocation-runs/{run_id}/rerun"):
            answer = c.get(url, headers=h, params=params)
            assert answer.status_code == 422, (url, params, answer.text)
            assert answer.json()["field"] == field
    assert c.get(f"/allocation-runs/{run_id}", headers=h,
                 params={"limit": 1000}).status_code == 200


def test_r17_only_the_persons_shown_are_logged(sqlite_client: TestClient,
                                               tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    run_id, cases = _run(c, h)
    ch = tokens(Role.COMPLAINT_HANDLER)
    ok(c.get(f"/allocation-runs/{run_id}", headers=ch, params={"offset": 3, "limit": 1}))
    assert _newest_action(c, h, cases[3]) == "read_allocation_run"
    for case_id in (cases[2], cases[4]):  # on no page shown: not in the run's entries
        log = ok(c.get(f"/cases/{case_id}/access-log", headers=h))["data"]
        assert not [e for e in log if "allocation_run" in str(e["action"])], case_id
    log = ok(c.get(f"/cases/{cases[0]}/access-log", headers=h))["data"]
    assert [e["action"] for e in log if "allocation_run" in str(e["action"])] == [
        "start_allocation_run"]  # the run's first page named it; the handler's page did not


def test_r21_the_rerun_is_paged_by_person(sqlite_client: TestClient, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    run_id, cases = _run(c, h)
    rerun = ok(c.get(f"/allocation-runs/{run_id}/rerun", headers=tokens(
        Role.COMPLAINT_HANDLER), params={"offset": 1, "limit": 3}))
    assert rerun["identical"] is True and rerun["differing"] == 0
    assert (rerun["total"], rerun["offset"], rerun["limit"]) == (5, 1, 3)
    assert [i["case_id"] for i in rerun["items"]] == cases[1:4]
    assert all(i["same"] and i["recorded"] == i["rerun"] for i in rerun["items"])
    assert rerun["items"][0]["recorded"]["outcome"] == "own"


def test_r17_the_runs_list_summarises_each_run(sqlite_client: TestClient,
                                               tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    run_id, cases = _run(c, h)
    ok(c.post(f"/allocation-runs/{run_id}/items/{cases[0]}/approve", headers=h, json={}), 201)
    (listed,) = ok(c.get("/allocation-runs", headers=h))
    assert listed["run_id"] == run_id
    assert {k: listed[k] for k in ("persons", "vacancies", "proposed", "unplaced",
                                   "approved", "rejected")} == {
        "persons": 5, "vacancies": 2, "proposed": 2, "unplaced": 3, "approved": 1,
        "rejected": 0}
