"""An ``Idempotency-Key`` names one request (issue 15, item 4): the same key with the same
request answers as the first time and writes nothing; the same key with another request is
refused (422 ``idempotency_key_reused``) and writes nothing — never answered with the first
request's result. On SQLite and PostgreSQL, after a restart, and under concurrent requests.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from api.auth import LocalIssuer
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from domain.access import AccessLogEntry
from domain.case import Case
from tests.api.conftest import Tokens, make_app
from tests.api.story import ok, place, register
from tests.builders import person_number


def written(service: AllocationService) -> Counter[str]:
    """Events in the store by topic, leaving out the access log's own entries."""
    notifications = service.recorder.select_notifications(start=1, limit=100_000)
    access = AccessLogEntry.Recorded.__qualname__
    return Counter(n.topic for n in notifications if not n.topic.endswith(access))


def applications(service: AllocationService) -> int:
    return written(service)[get_topic(Case.ApplicationReceived)]


def test_the_same_key_with_the_same_request_answers_the_same_and_writes_once(
        client: TestClient, service: AllocationService, tokens: Tokens) -> None:
    h = {**tokens(), "Idempotency-Key": "soknad-1"}
    body = {"identity_number": person_number(), "name": "Ola Nordmann"}
    first = ok(client.post("/cases", json=body, headers=h), 201)
    after_first = written(service)
    assert applications(service) == 1
    # the same request again, its fields in another order and a default spelt out
    same = {"name": "Ola Nordmann", "identity_number": body["identity_number"],
            "channel": "digital"}
    for again in (body, same):
        assert ok(client.post("/cases", json=again, headers=h), 201) == first
    assert written(service) == after_first, "a retry writes nothing"


def test_the_same_key_with_another_body_is_422_and_writes_nothing(
        client: TestClient, service: AllocationService, tokens: Tokens) -> None:
    """The review's failure: the second applicant got the first applicant's case and was
    never registered."""
    h = {**tokens(), "Idempotency-Key": "soknad-1"}
    first = ok(client.post("/cases", json={"identity_number": person_number(),
                                           "name": "Ola Nordmann"}, headers=h), 201)
    before = written(service)
    second = {"identity_number": person_number(), "name": "Kari Olsen"}
    refused = client.post("/cases", json=second, headers=h)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert (body["code"], body["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert set(body) >= {"code", "rule", "field", "missing", "message"}
    assert first["case_id"] not in refused.text, "never the first request's answer"
    assert written(service) == before, "nothing written"
    # the second applicant is registered with a key of its own
    other = ok(client.post("/cases", json=second,
                           headers={**h, "Idempotency-Key": "soknad-2"}), 201)
    assert other["case_id"] != first["case_id"]
    assert applications(service) == 2


def test_the_same_key_on_another_case_is_refused_and_a_malformed_request_reserves_nothing(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    ola, kari = register(c, h, name="Ola"), register(c, h, name="Kari")
    key = {**h, "Idempotency-Key": "lukk"}
    ok(c.post(f"/cases/{ola}/close", headers=key, json={"reason": "moved_away"}))
    before = written(sqlite_service)
    refused = c.post(f"/cases/{kari}/close", headers=key, json={"reason": "moved_away"})
    assert refused.status_code == 422 and refused.json()["code"] == "idempotency_key_reused"
    assert written(sqlite_service) == before
    assert ok(c.get(f"/cases/{kari}", headers=h))["status"] != "closed"
    # a request the schema refuses does not take the key: the corrected one may use it
    key = {**h, "Idempotency-Key": "plass-1"}
    bad = c.post("/places", headers=key, json={"facility_id": "f"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    assert written(sqlite_service) == before
    place(c, key)


def test_a_reused_key_is_refused_after_a_restart(
        api_settings: ApiSettings, service: AllocationService, store_env: dict[str, str],
        clock: ManualClock, issuer: LocalIssuer, tokens: Tokens) -> None:
    h = {**tokens(), "Idempotency-Key": "før-omstart".encode().hex()}
    body = {"identity_number": person_number(), "name": "Ola"}
    with TestClient(make_app(api_settings, service, issuer)) as c:
        first = ok(c.post("/cases", json=body, headers=h), 201)
    restarted = AllocationService(env=store_env, clock=clock)
    try:
        before = written(restarted)
        with TestClient(make_app(api_settings, restarted, issuer)) as c:
            assert ok(c.post("/cases", json=body, headers=h), 201) == first
            refused = c.post("/cases", headers=h, json={"identity_number": person_number(),
                                                        "name": "Kari"})
            assert refused.json()["code"] == "idempotency_key_reused"
        assert written(restarted) == before
    finally:
        restarted.close()


def _at_once(c: TestClient, requests: list[tuple[dict[str, Any], dict[str, str]]]
             ) -> list[Any]:
    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(lambda r: c.post("/cases", json=r[0], headers=r[1]), requests))


def test_concurrent_requests_with_the_same_key_write_once(
        client: TestClient, service: AllocationService, tokens: Tokens) -> None:
    h = {**tokens(), "Idempotency-Key": "samtidig"}
    body = {"identity_number": person_number(), "name": "Ola"}
    answers = _at_once(client, [(body, h)] * 8)
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len({a.json()["case_id"] for a in answers}) == 1
    assert applications(service) == 1

    # the same key with different bodies at once: one is registered, the others refused
    h = {**h, "Idempotency-Key": "samtidig-ulike"}
    bodies = [{"identity_number": person_number(), "name": f"Person {n}"} for n in range(6)]
    answers = _at_once(client, [(b, h) for b in bodies])
    statuses = Counter(a.status_code for a in answers)
    assert statuses[201] == 1, [a.text for a in answers]
    assert all(a.json()["code"] in ("idempotency_key_reused", "conflict")
               for a in answers if a.status_code != 201)
    assert applications(service) == 2
