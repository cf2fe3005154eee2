"""Two officers deciding at once: a read of a case gives its version as ``ETag``; a write on
the case sent with ``If-Match`` is refused with 409 ``precondition_failed`` and nothing
written when the case has changed since; the check is atomic with the write. On SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.auth import Role
from api.routing import CaseRoute, if_match_versions
from application.service import AllocationService
from tests.api.conftest import Tokens
from tests.api.story import document, ok, register

WAITING = {"kind": "waiting_list", "grounds": "Varig behov for heldøgns omsorg",
           "place_type": "ordinary", "can_be_cared_for_safely_at_home": True,
           "interim_services": [{"service": "hjemmesykepleie", "extent": "tre besøk daglig"}]}
REJECTION = {"kind": "rejection", "grounds": "Kan bo hjemme med mer hjelp"}


def _etag(c: TestClient, h: dict[str, str], case_id: str) -> str:
    answer = c.get(f"/cases/{case_id}", headers=h)
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"]


def _case(c: TestClient, h: dict[str, str], case_id: str) -> dict[str, Any]:
    return ok(c.get(f"/cases/{case_id}", headers=h))  # type: ignore[no-any-return]


@pytest.fixture
def officers(tokens: Tokens) -> tuple[dict[str, str], dict[str, str]]:
    return tokens(name="Kari Nordmann"), tokens(name="Ola Olsen")


@pytest.fixture
def ready(client: TestClient, officers: tuple[dict[str, str], dict[str, str]]) -> str:
    """A case with all its § 2-2 documentation: ready for a decision."""
    h = officers[0]
    case_id = register(client, h, name="Åse Samtidig")
    document(client, h, case_id)
    return case_id


def test_a_read_of_a_case_gives_its_version_as_etag(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    answer = client.get(f"/cases/{ready}", headers=officers[0])
    assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
    assert answer.json()["version"] > 1


def test_two_officers_deciding_at_once_the_second_gets_409_and_nothing_is_written(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    kari, ola = officers
    seen_by_kari, seen_by_ola = _etag(client, kari, ready), _etag(client, ola, ready)
    assert seen_by_kari == seen_by_ola
    first = client.post(f"/cases/{ready}/decisions", json=WAITING,
                        headers={**kari, "If-Match": seen_by_kari})
    assert first.status_code == 201, first.text
    after_first = _case(client, kari, ready)
    assert first.headers["etag"] == f'"{after_first["version"]}"'

    second = client.post(f"/cases/{ready}/decisions", json=REJECTION,
                         headers={**ola, "If-Match": seen_by_ola})
    assert second.status_code == 409, second.text
    body = second.json()
    assert body["code"] == "precondition_failed"
    assert set(body) >= {"code", "rule", "field", "missing", "message"}
    assert body["field"] == "If-Match"
    assert "etag" not in second.headers

    now = _case(client, kari, ready)
    assert now["version"] == after_first["version"]  # nothing written
    assert [d["kind"] for d in now["decisions"]] == ["waiting_list"]
    assert now["status"] == "waiting"
    assert [h["event"] for h in now["history"]][-1] == "DecisionMade"
    assert sum(h["event"] == "DecisionMade" for h in now["history"]) == 1


def test_a_write_without_if_match_is_not_conditional(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    kari, ola = officers
    _etag(client, ola, ready)
    ok(client.post(f"/cases/{ready}/decisions", json=WAITING, headers=kari), 201)
    ok(client.post(f"/cases/{ready}/decisions", json=REJECTION, headers=ola), 201)
    assert [d["kind"] for d in _case(client, kari, ready)["decisions"]] == [
        "waiting_list", "rejection"]


def test_the_etag_of_a_write_is_the_if_match_of_the_next(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    kari, _ = officers
    tag = _etag(client, kari, ready)
    first = client.post(f"/cases/{ready}/decisions", json=WAITING,
                        headers={**kari, "If-Match": tag})
    assert first.status_code == 201
    second = client.put(f"/cases/{ready}/wishes", json={"facility_ids": ["fjellheim"]},
                        headers={**kari, "If-Match": first.headers["etag"]})
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == _etag(client, kari, ready)
    stale = client.post(f"/cases/{ready}/documentation/own-account",
                        json={"what_matters": "x", "account": "y"},
                        headers={**kari, "If-Match": first.headers["etag"]})
    assert stale.status_code == 409


def test_if_match_star_lists_weak_and_malformed_tags(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    kari, _ = officers
    url = f"/cases/{ready}/documentation/own-account"
    body = {"what_matters": "Å bo nær datteren", "account": "Faller om natten"}
    version = _case(client, kari, ready)["version"]

    def post(if_match: str) -> Any:
        return client.post(url, json=body, headers={**kari, "If-Match": if_match})

    assert post(f'W/"{version}"').status_code == 409  # weak tags never match
    assert post('"no-such-version"').status_code == 409
    malformed = post(str(version))  # not a quoted entity tag
    assert malformed.status_code == 422, malformed.text
    assert malformed.json()["field"] == "If-Match"
    assert _case(client, kari, ready)["version"] == version  # none of these wrote
    assert post(f'"1", "{version}"').status_code == 200  # a list: one of them
    assert post("*").status_code == 200  # any version
    assert _case(client, kari, ready)["version"] == version + 2


def test_a_retry_answers_as_the_first_time_though_its_if_match_is_now_stale(
        client: TestClient, officers: tuple[dict[str, str], dict[str, str]], ready: str
) -> None:
    kari, _ = officers
    headers = {**kari, "If-Match": _etag(client, kari, ready), "Idempotency-Key": "vedtak-1"}
    first = client.post(f"/cases/{ready}/decisions", json=WAITING, headers=headers)
    assert first.status_code == 201
    version = _case(client, kari, ready)["version"]
    again = client.post(f"/cases/{ready}/decisions", json=WAITING, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert _case(client, kari, ready)["version"] == version


def test_the_check_is_atomic_with_the_write(
        client: TestClient, service: AllocationService,
        officers: tuple[dict[str, str], dict[str, str]], ready: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another change lands between the If-Match check and the save: the save fails
    (the event store's optimistic concurrency), 409, and only the other change is there."""
    kari, _ = officers
    tag = _etag(client, kari, ready)
    version = int(tag.strip('"'))
    real_save = service.save
    interfered = threading.Event()

    def save(*aggregates: Any, **kwargs: Any) -> Any:
        if not interfered.is_set() and any(str(getattr(a, "id", "")) == ready
                                           for a in aggregates):
            interfered.set()
            # another officer's write, from another thread (not under this If-Match)
            other = threading.Thread(target=service.record_own_account, args=(
                "4601", aggregates[0].id), kwargs={
                "what_matters": "Annen saksbehandler", "account": "samtidig",
                "recorded_by": "Ola Olsen"})
            other.start()
            other.join()
        return real_save(*aggregates, **kwargs)

    monkeypatch.setattr(service, "save", save)
    answer = client.post(f"/cases/{ready}/decisions", json=WAITING,
                         headers={**kari, "If-Match": tag})
    monkeypatch.undo()
    assert interfered.is_set()
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "conflict"
    now = _case(client, kari, ready)
    assert now["version"] == version + 1  # the other write only
    assert now["decisions"] == []


def test_every_write_on_a_case_takes_if_match(client: TestClient) -> None:
    """Each write under /cases/{case_id} is a CaseRoute declaring If-Match (so none can
    forget the check), and GET /cases/{case_id} documents its ETag."""
    schema = client.app.openapi()  # type: ignore[attr-defined]
    writes = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"] for p in operation.get("parameters", [])
                       if p["in"] == "header"}
            on_a_case = path.startswith("/cases/{case_id}")
            if on_a_case and method != "get":
                writes += 1
                assert "If-Match" in headers, (method, path)
            else:
                assert "If-Match" not in headers, (method, path)
    assert writes >= 25
    read = schema["paths"]["/cases/{case_id}"]["get"]["responses"]["200"]
    assert "ETag" in read["headers"]
    routes = [ctx.original_route
              for ctx in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
              if getattr(ctx.original_route, "path", "").startswith("/cases/{case_id}")
              and getattr(ctx.original_route, "methods", set()) - {"GET", "HEAD"}]
    assert len(routes) == writes
    assert all(isinstance(r, CaseRoute) and r.case_write for r in routes)


def test_if_match_values() -> None:
    assert if_match_versions("*") is None
    assert if_match_versions('"7"') == {7}
    assert if_match_versions('"7", W/"8", "x", "9"') == {7, 9}
    assert if_match_versions('W/"7"') == frozenset()


def test_a_complaint_handler_reads_the_etag_too(
        client: TestClient, tokens: Tokens, officers: tuple[dict[str, str], dict[str, str]],
        ready: str) -> None:
    answer = client.get(f"/cases/{ready}", headers=tokens(Role.COMPLAINT_HANDLER))
    assert answer.headers["etag"] == _etag(client, officers[0], ready)
