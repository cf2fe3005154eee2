"""R14 through HTTP on SQLite and PostgreSQL: the sending and the receipt of a decision
(`POST /cases/{id}/decisions/{decision}/sending` and `/receipt`), the complaint deadline in
the case view, a complaint late only against the receipt, a late complaint taken up with a
reason (R21, fvl § 31); If-Match and Idempotency-Key as on every case write; bad input
names the field and writes nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.auth import Role
from application.service import AllocationService
from tests.api.conftest import Tokens
from tests.api.story import document, ok, register
from tests.builders import MUNICIPALITY as M

WAITING = {"kind": "waiting_list", "grounds": "Varig behov for heldøgns omsorg",
           "place_type": "ordinary", "can_be_cared_for_safely_at_home": True,
           "interim_services": [{"service": "hjemmesykepleie", "extent": "tre besøk daglig"}]}


def decided(client: TestClient, h: dict[str, str]) -> tuple[str, str]:
    case_id = register(client, h, name="Åse Brev")
    document(client, h, case_id)
    made = ok(client.post(f"/cases/{case_id}/decisions", json=WAITING, headers=h), 201)
    return case_id, made["decision_id"]


def decision_view(client: TestClient, h: dict[str, str], case_id: str) -> dict[str, Any]:
    return ok(client.get(f"/cases/{case_id}", headers=h))["decisions"][0]  # type: ignore


def test_r14_sending_and_receipt_through_http(client: TestClient, tokens: Tokens,
                                              service: AllocationService, clock) -> None:  # type: ignore[no-untyped-def]
    h = tokens()
    case_id, decision_id = decided(client, h)
    view = decision_view(client, h, case_id)
    assert view["complaint_deadline"] is None and view["complaint_deadline_basis"] == "unknown"
    clock.advance(days=7)
    url = f"/cases/{case_id}/decisions/{decision_id}"
    etag = client.get(f"/cases/{case_id}", headers=h).headers["etag"]
    sent = client.post(f"{url}/sending", json={"sent_on": "2026-03-02", "channel": "post"},
                       headers={**h, "If-Match": etag, "Idempotency-Key": "send-1"})
    assert sent.status_code == 200, sent.text
    again = client.post(f"{url}/sending", json={"sent_on": "2026-03-02", "channel": "post"},
                        headers={**h, "Idempotency-Key": "send-1"})
    assert again.status_code == 200  # the same request again: the first answer, no write
    view = decision_view(client, h, case_id)
    assert (view["sent_on"], view["channel"], view["received_on"]) == \
        ("2026-03-02", "post", None)
    # sent Monday by post: taken as received Thursday 5 March, + four weeks
    assert (view["complaint_deadline"], view["complaint_deadline_basis"]) == \
        ("2026-04-02", "sent")
    stale = client.post(f"{url}/receipt", json={"received_on": "2026-03-04"},
                        headers={**h, "If-Match": etag})
    assert stale.status_code == 409 and stale.json()["code"] == "precondition_failed"
    ok(client.post(f"{url}/receipt", json={"received_on": "2026-03-04"}, headers=h))
    view = decision_view(client, h, case_id)
    assert (view["received_on"], view["complaint_deadline"],
            view["complaint_deadline_basis"]) == ("2026-03-04", "2026-04-01", "received")
    twice = client.post(f"{url}/receipt", json={"received_on": "2026-03-05"}, headers=h)
    assert twice.status_code == 409 and twice.json()["field"] == "received_on"
    history = ok(client.get(f"/cases/{case_id}/history", headers=h))
    assert [e["event"] for e in history][-2:] == ["DecisionSent", "DecisionReceived"]

    # a complaint on the deadline's day is in time, the day after late; late needs a reason
    clock.advance(days=30)
    handler = tokens(Role.COMPLAINT_HANDLER)
    complaint = {"case_id": case_id, "against": "decision", "subject_id": decision_id,
                 "grounds": "Uenig i ventelistevedtaket"}
    in_time = ok(client.post("/complaints", json={**complaint, "received_on": "2026-04-01"},
                             headers=handler), 201)["complaint_id"]
    late = ok(client.post("/complaints", json={**complaint, "received_on": "2026-04-02"},
                          headers=handler), 201)["complaint_id"]
    rows = {c: ok(client.get(f"/complaints/{c}", headers=handler))["data"]
            for c in (in_time, late)}
    assert (rows[in_time]["late"], rows[late]["late"]) == (False, True)
    assert rows[late]["complaint_deadline"] == "2026-04-01"
    refused = client.post(f"/complaints/{late}/reconsideration",
                          json={"upheld": False, "reasoning": "Samme resultat"},
                          headers=handler)
    assert refused.status_code == 422, refused.text
    assert (refused.json()["rule"], refused.json()["field"]) == ("R21", "late_reason")
    ok(client.post(f"/complaints/{late}/reconsideration",
                   json={"upheld": False, "reasoning": "Samme resultat",
                         "late_reason": "Vedtaket kom bort i posten"}, headers=handler))
    row = ok(client.get(f"/complaints/{late}", headers=handler))["data"]
    assert row["reconsideration"]["late_reason"] == "Vedtaket kom bort i posten"


def test_r24_bad_dates_name_the_field_and_write_nothing(
        client: TestClient, tokens: Tokens, service: AllocationService) -> None:
    h = tokens()
    case_id, decision_id = decided(client, h)
    url = f"/cases/{case_id}/decisions/{decision_id}"
    before = service.get_case(M, UUID(case_id)).version
    for body, field, status in (
            ({"sent_on": "2026-03-03", "channel": "post"}, "sent_on", 422),  # the future
            ({"sent_on": "2026-03-01", "channel": "post"}, "sent_on", 422),  # before it
            ({"sent_on": "2026-03-02", "channel": "pigeon"}, "channel", 422),
            ({"sent_on": "0", "channel": "post"}, "sent_on", 422),
            ({"sent_on": "2026-03-02", "channel": "post", "received_on": "2026-03-01"},
             "received_on", 422)):
        answer = client.post(f"{url}/sending", json=body, headers=h)
        assert answer.status_code == status, (body, answer.text)
        assert field in str(answer.json()["field"]), (body, answer.json())
    unknown = client.post(f"/cases/{case_id}/decisions/{case_id}/sending",
                          json={"sent_on": "2026-03-02", "channel": "post"}, headers=h)
    assert unknown.status_code == 404 and unknown.json()["field"] == "decision_id"
    assert service.get_case(M, UUID(case_id)).version == before
