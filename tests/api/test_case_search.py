"""Finding a case through HTTP (issue 17 item 1) and the case number in the JSON (issue 18),
on both stores: by case number, name and identity number — the identity number in the body
only, never in a URL, a log record or the access log — and the worklists."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from tests.api.conftest import Tokens
from tests.api.story import access_log
from tests.builders import OTHER_MUNICIPALITY, person_number


def _apply(client: TestClient, tokens: Tokens, name: str, number: str | None = None,
           municipality: str = "4601") -> dict:
    answer = client.post("/cases", headers=tokens(municipality=municipality),
                         json={"identity_number": number or person_number(), "name": name})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_case_number_in_the_answer_and_the_case(client: TestClient, tokens: Tokens) -> None:
    first = _apply(client, tokens, "Kari Nordmann")
    second = _apply(client, tokens, "Per Hansen")
    assert (first["case_number"], second["case_number"]) == ("2026/0001", "2026/0002")
    case = client.get(f"/cases/{second['case_id']}", headers=tokens()).json()
    assert case["case_number"] == "2026/0002"


def test_find_a_case_by_number_name_and_identity_number(
        client: TestClient, tokens: Tokens, caplog: pytest.LogCaptureFixture) -> None:
    number = person_number()
    kari = _apply(client, tokens, "Kari Nordmann", number)
    _apply(client, tokens, "Kari Hansen")
    _apply(client, tokens, "Kari Nordmann", municipality=OTHER_MUNICIPALITY)
    handler = tokens(Role.COMPLAINT_HANDLER)

    def search(body: dict, headers: dict | None = None) -> dict:
        answer = client.post("/case-search", headers=headers or tokens(), json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    by_number = search({"case_number": "2026/1"})
    assert [c["case_id"] for c in by_number["cases"]] == [kari["case_id"]]
    assert by_number["cases"][0]["case_number"] == "2026/0001"
    assert search({"name": "nordmann"})["total"] == 1  # not Oslo's
    assert search({"name": "kari"})["total"] == 2
    with caplog.at_level(logging.DEBUG):
        found = search({"identity_number": number}, handler)
    assert [c["case_id"] for c in found["cases"]] == [kari["case_id"]]
    assert number not in str(found)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert number not in logged and number[:6] + " " + number[6:] not in logged
    # the search is in the access log, naming the case, never the number
    log = access_log(client, tokens(), kari["case_id"])
    searches = [e for e in log["data"] if e["action"] == "search_cases"]
    assert searches and number not in str(log)


@pytest.mark.parametrize("body,field", [
    ({"case_number": "42"}, "case_number"),
    ({"identity_number": "12345678901"}, "identity_number"),
    ({"name": "Kari", "case_number": "2026/0001"}, None),
    ({}, None),
])
def test_bad_searches_name_the_field_and_never_echo_the_value(
        client: TestClient, tokens: Tokens, body: dict, field: str | None) -> None:
    answer = client.post("/case-search", headers=tokens(), json=body)
    assert answer.status_code == 422, answer.text
    if field is not None:
        assert answer.json()["field"] == field
    assert "12345678901" not in answer.text


def test_r8_worklists_through_http(client: TestClient, tokens: Tokens) -> None:
    kari = _apply(client, tokens, "Kari Nordmann")
    totals = client.get("/worklists", headers=tokens()).json()["totals"]
    assert totals["investigation"] == 1 and totals["ready"] == 0
    page = client.get("/worklists/investigation", headers=tokens()).json()
    assert page["total"] == 1 and page["rows"][0]["case_id"] == kari["case_id"]
    assert page["rows"][0]["case_number"] == "2026/0001"
    assert "own_account" in page["rows"][0]["missing_documentation"]
    assert client.get("/worklists/nothing", headers=tokens()).status_code == 422
    assert client.get("/worklists/ready", headers=tokens(Role.MANAGER)).status_code == 403
