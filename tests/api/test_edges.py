"""Idempotency, concurrency conflicts, malformed input and bad tokens, through HTTP."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from api.auth import LocalIssuer, Role
from application.service import AllocationService
from domain.access import AccessLogEntry
from tests.api.conftest import Tokens
from tests.api.story import decide_waiting, document, ok, place, register, waiting_case
from tests.builders import person_number


def domain_events(service: AllocationService) -> int:
    """Events in the store, leaving out the access log's own entries."""
    notifications = service.recorder.select_notifications(start=1, limit=100_000)
    access = AccessLogEntry.Recorded.__qualname__
    return sum(1 for n in notifications if not n.topic.endswith(access))


# --- idempotency ---------------------------------------------------------------------------


def test_same_idempotency_key_twice_gives_the_same_result_and_no_new_events(
        client: TestClient, service: AllocationService, tokens: Tokens) -> None:
    h = tokens()
    body = {"identity_number": person_number(), "name": "Ola Nordmann"}
    first = ok(client.post("/cases", json=body, headers={**h, "Idempotency-Key": "k-1"}), 201)
    events = domain_events(service)
    again = ok(client.post("/cases", json=body, headers={**h, "Idempotency-Key": "k-1"}), 201)
    assert again == first
    assert domain_events(service) == events

    case_id = first["case_id"]
    document(client, h, case_id)
    decision = {"kind": "waiting_list", "grounds": "Varig behov", "place_type": "ordinary",
                "can_be_cared_for_safely_at_home": True,
                "interim_services": [{"service": "hjemmesykepleie", "extent": "daglig"}]}
    key = {**h, "Idempotency-Key": "vedtak-1"}
    made = ok(client.post(f"/cases/{case_id}/decisions", json=decision, headers=key), 201)
    events = domain_events(service)
    assert ok(client.post(f"/cases/{case_id}/decisions", json=decision, headers=key),
              201) == made
    assert domain_events(service) == events
    view = ok(client.get(f"/cases/{case_id}", headers=h))
    assert len(view["decisions"]) == 1

    # without a key, the same request is a new command: a second decision
    ok(client.post(f"/cases/{case_id}/decisions", json=decision, headers=h), 201)
    assert len(ok(client.get(f"/cases/{case_id}", headers=h))["decisions"]) == 2


def test_an_idempotency_key_is_scoped_by_operation_and_municipality(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    key = {"Idempotency-Key": "same"}
    case_id = ok(c.post("/cases", json={"identity_number": person_number(), "name": "A"},
                        headers={**h, **key}), 201)["case_id"]
    oslo = ok(c.post("/cases", json={"identity_number": person_number(), "name": "B"},
                     headers={**tokens(Role.ALLOCATION_OFFICER, "0301"), **key}), 201)
    assert oslo["case_id"] != case_id, "another municipality's key never meets ours"
    ok(c.post(f"/cases/{case_id}/documentation/own-account", headers={**h, **key},
              json={"what_matters": "x", "account": "y"}))
    ok(c.post(f"/cases/{case_id}/documentation/relatives", headers={**h, **key},
              json={"name": "K", "relation": "datter", "information": "z"}))
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["documentation"]["own_account"] and view["documentation"]["relatives"], \
        "the same key on another operation is not taken for a retry"


def test_a_write_answers_with_its_read_position(sqlite_client: TestClient,
                                                sqlite_service: AllocationService,
                                                tokens: Tokens) -> None:
    response = sqlite_client.post("/cases", headers=tokens(), json={
        "identity_number": person_number(), "name": "A"})
    assert int(response.headers["X-Read-Position"]) == \
        sqlite_service.recorder.max_notification_id()


# --- concurrency -----------------------------------------------------------------------------


def test_concurrent_change_of_the_same_place_answers_409_and_writes_nothing(
        client: TestClient, service: AllocationService, tokens: Tokens,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two officers offer the last bed at once: while the first request is between loading
    and saving, the second one's offer is saved. The first gets 409 ``conflict``."""
    h = tokens()
    place_id = place(client, h)
    first, second = waiting_case(client, h), waiting_case(client, h, name="Kari Olsen")
    original = service.save
    raced = False

    def save_after_a_rival(*aggregates: Any, **kwargs: Any) -> Any:
        nonlocal raced
        if not raced:
            raced = True
            service.make_offer("4601", UUID(second), made_by="Rival",
                               place_id=UUID(place_id))
        return original(*aggregates, **kwargs)

    monkeypatch.setattr(service, "save", save_after_a_rival)
    response = client.post(f"/cases/{first}/offers", headers=h, json={"place_id": place_id})
    monkeypatch.setattr(service, "save", original)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    assert ok(client.get(f"/cases/{first}", headers=h))["offers"] == [], "nothing half-written"
    assert len(ok(client.get(f"/cases/{second}", headers=h))["offers"]) == 1


def test_an_offer_of_a_taken_place_is_409_invalid_state(sqlite_client: TestClient,
                                                        tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    place_id = place(c, h)
    first, second = waiting_case(c, h), waiting_case(c, h)
    ok(c.post(f"/cases/{first}/offers", headers=h, json={"place_id": place_id}), 201)
    taken = c.post(f"/cases/{second}/offers", headers=h, json={"place_id": place_id})
    assert taken.status_code == 409 and taken.json()["code"] == "invalid_state"


# --- refusals that name what is wrong and write nothing ---------------------------------------


def test_closing_a_residents_case_is_409_end_the_stay_instead_and_writes_nothing(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = waiting_case(c, h)
    place_id = place(c, h)
    offer_id = ok(c.post(f"/cases/{case_id}/offers", headers=h, json={"place_id": place_id}),
                  201)["offer_id"]
    ok(c.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
              json={"answer": "accept"}))
    ok(c.post(f"/cases/{case_id}/offers/{offer_id}/admission", headers=h, json={}))
    events = domain_events(sqlite_service)
    response = c.post(f"/cases/{case_id}/close", headers=h, json={"reason": "died"})
    assert response.status_code == 409, response.text
    body = response.json()
    assert (body["code"], body["rule"]) == ("invalid_state", None)
    assert body["message"] == "the person lives in a place: end the stay instead"
    assert domain_events(sqlite_service) == events, "nothing written"
    withdraw = c.post(f"/cases/{case_id}/offers/{offer_id}/withdraw", headers=h,
                      json={"reason": "feil"})
    assert withdraw.status_code == 409 and "lives in a long-term place" in withdraw.text
    assert domain_events(sqlite_service) == events
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["status"] == "resident" and view["residence"]["target_id"] == place_id


def test_r10_linking_a_case_already_linked_to_another_is_422_and_writes_nothing(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    ola, kari, per = register(c, h, name="Ola"), register(c, h, name="Kari"), \
        register(c, h, name="Per")
    ok(c.post(f"/cases/{ola}/spouse", headers=h, json={"spouse_case_id": kari}))
    events = domain_events(sqlite_service)
    for case_id, spouse_case_id in ((per, ola), (ola, per)):
        response = c.post(f"/cases/{case_id}/spouse", headers=h,
                          json={"spouse_case_id": spouse_case_id})
        assert response.status_code == 422, response.text
        body = response.json()
        assert (body["code"], body["rule"], body["field"]) == (
            "r10_violation", "R10", "spouse_case_id")
        assert "allerede koblet" in body["message"]  # in words; the code stays in "rule"
    refused = c.post("/cases", headers=h, json={
        "identity_number": person_number(), "name": "Siv", "spouse_case_id": kari})
    assert refused.status_code == 422 and refused.json()["rule"] == "R10"
    assert domain_events(sqlite_service) == events, "nothing written"
    assert ok(c.get(f"/cases/{ola}", headers=h))["spouse_case_id"] == kari
    assert ok(c.get(f"/cases/{kari}", headers=h))["spouse_case_id"] == ola
    assert ok(c.get(f"/cases/{per}", headers=h))["spouse_case_id"] is None


def test_r10_linking_the_same_pair_again_answers_200_and_writes_nothing(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    ola, kari = register(c, h, name="Ola"), register(c, h, name="Kari")
    ok(c.post(f"/cases/{ola}/spouse", headers=h, json={"spouse_case_id": kari}))
    events = domain_events(sqlite_service)
    ok(c.post(f"/cases/{ola}/spouse", headers=h, json={"spouse_case_id": kari}))
    ok(c.post(f"/cases/{kari}/spouse", headers=h, json={"spouse_case_id": ola}))
    assert domain_events(sqlite_service) == events


def test_r10_a_case_is_not_linked_to_itself_nor_to_another_municipalitys_case(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    ola = register(c, h, name="Ola")
    oslo = register(c, tokens(Role.ALLOCATION_OFFICER, "0301"), name="Per i Oslo")
    events = domain_events(sqlite_service)
    itself = c.post(f"/cases/{ola}/spouse", headers=h, json={"spouse_case_id": ola})
    assert itself.status_code == 422
    assert (itself.json()["code"], itself.json()["field"]) == ("invalid_value",
                                                               "spouse_case_id")
    elsewhere = c.post(f"/cases/{ola}/spouse", headers=h, json={"spouse_case_id": oslo})
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "not_found"
    assert domain_events(sqlite_service) == events


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize("body,field,code", [
    ({"name": "Ola"}, "identity_number", "invalid_request"),
    ({"identity_number": "12345678901", "name": "Ola"}, "identity_number", "invalid_value"),
    ({"identity_number": "abc", "name": "Ola"}, "identity_number", "invalid_request"),
    ({"identity_number": "{number}", "name": ""}, "name", "invalid_request"),
    ({"identity_number": "{number}", "name": "Ola", "channel": "fax"}, "channel",
     "invalid_request"),
    ({"identity_number": "{number}", "name": "Ola", "nmae": "x"}, "nmae", "invalid_request"),
    ({"identity_number": "{number}", "name": "Ola\x00"}, "name", "invalid_request"),
    ({"identity_number": "{number}", "name": "Ola", "received_on": "2999-01-01"},
     "received_on", "invalid_value"),
])
def test_malformed_input_is_422_naming_the_field_and_changes_nothing(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens,
        body: dict[str, Any], field: str, code: str) -> None:
    body = {k: person_number() if v == "{number}" else v for k, v in body.items()}
    before = sqlite_service.recorder.max_notification_id()
    response = sqlite_client.post("/cases", json=body, headers=tokens())
    assert response.status_code == 422, response.text
    assert (response.json()["field"], response.json()["code"]) == (field, code)
    assert set(response.json()) >= {"code", "rule", "field", "missing", "message"}
    assert sqlite_service.recorder.max_notification_id() == before, "nothing changed"
    if "identity_number" in body and len(str(body["identity_number"])) == 11:
        assert body["identity_number"] not in response.text, "the number is not echoed"


def test_other_malformed_requests_name_their_field(sqlite_client: TestClient,
                                                   tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = register(c, h)
    cases = [
        (c.get("/cases/not-a-uuid", headers=h), 422, "case_id"),
        (c.post("/cases", content=b"{not json", headers={**h, "Content-Type":
                                                          "application/json"}), 422, None),
        (c.post("/cases", json={"identity_number": person_number(), "name": "A"},
                headers={**h, "Idempotency-Key": "bad key with spaces"}), 422,
         "Idempotency-Key"),
        (c.get("/waiting-list", params={"at": "yesterday"}, headers=h), 422, "at"),
        (c.get("/waiting-list", params={"a": "2026-01-01"}, headers=h), 422, "a"),
        (c.post(f"/cases/{case_id}/priority", headers=h,
                json={"factors": {"no_such_factor": 2}, "need_score": 10}), 422, "factors"),
        (c.post(f"/cases/{case_id}/documentation/leon", headers=h, json={"entries": []}),
         422, "entries"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.text
        if field is not None:
            assert response.json()["field"] == field, response.text


def test_r8_refusal_names_rule_and_every_missing_item(sqlite_client: TestClient,
                                                      tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    case_id = register(c, h, dementia_suspected=True)
    response = c.post(f"/cases/{case_id}/decisions", headers=h, json={
        "kind": "waiting_list", "grounds": "g", "place_type": "reinforced",
        "can_be_cared_for_safely_at_home": True,
        "interim_services": [{"service": "s", "extent": "e"}]})
    assert response.status_code == 422
    assert response.json()["rule"] == "R8"
    assert set(response.json()["missing"]) == {
        "own_account", "relatives", "iplos", "medical_gp", "medical_specialist", "leon",
        "dementia_investigation"}


def test_an_unexpected_error_is_500_without_internals_and_logged_without_numbers(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    number = person_number()
    case_id = register(sqlite_client, tokens(), number=number)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"database on fire near {number}")

    monkeypatch.setattr(sqlite_service, "get_case", broken)
    with caplog.at_level(logging.ERROR):
        response = sqlite_client.get(f"/cases/{case_id}", headers=tokens())
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "fire" not in response.text and "RuntimeError" not in response.text
    reference = response.json()["reference"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference in logged and "RuntimeError" in logged
    assert number not in logged


# --- tokens ------------------------------------------------------------------------------------


def _claims(**override: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"iss": "urn:langtidsopphold:local-issuer", "aud": "langtidsopphold",
              "sub": "x", "name": "X", "role": "allocation_officer", "municipality": "4601",
              "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp())}
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("why,claims", [
    ("expired", _claims(exp=int((datetime.now(UTC) - timedelta(minutes=1)).timestamp()))),
    ("wrong audience", _claims(aud="another-service")),
    ("wrong issuer", _claims(iss="urn:someone-else")),
    ("no expiry", _claims(exp=None)),
    ("unknown role", _claims(role="superuser")),
    ("no municipality", _claims(municipality=None)),
    ("bad municipality", _claims(municipality="46")),
])
def test_401_for_a_token_that_is_not_valid(sqlite_client: TestClient, issuer: LocalIssuer,
                                           why: str, claims: dict[str, Any]) -> None:
    token = jwt.encode(claims, issuer.key, algorithm="RS256")
    response = sqlite_client.get("/waiting-list", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, why
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_401_without_a_token_or_with_a_foreign_signature(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/waiting-list").status_code == 401
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(), other_key, algorithm="RS256")
    assert sqlite_client.get("/waiting-list", headers={
        "Authorization": f"Bearer {forged}"}).status_code == 401
    unsigned = jwt.encode(_claims(), key="", algorithm="none")
    assert sqlite_client.get("/waiting-list", headers={
        "Authorization": f"Bearer {unsigned}"}).status_code == 401
    assert sqlite_client.get("/waiting-list", headers={
        "Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_a_valid_token_passes(sqlite_client: TestClient, issuer: LocalIssuer) -> None:
    token = jwt.encode(_claims(), issuer.key, algorithm="RS256")
    assert sqlite_client.get("/waiting-list", headers={
        "Authorization": f"Bearer {token}"}).status_code == 200


def test_read_your_writes_without_the_background_reader(sqlite_client: TestClient,
                                                        tokens: Tokens) -> None:
    """Every read after an acknowledged write shows it, even with the background reader
    stopped (the read catches up in its own thread)."""
    c, h = sqlite_client, tokens()
    c.app.state.runtime.read.stop()  # type: ignore[attr-defined]
    for n in range(3):
        case_id = register(c, h)
        document(c, h, case_id)
        decide_waiting(c, h, case_id)
        assert len(ok(c.get("/waiting-list", headers=h))["entries"]) == n + 1
