"""R21 through HTTP on SQLite and PostgreSQL: a complaint by a lawyer, the unit's change with
its new decision (one request, idempotent by key), the new decision in the case view and the
waiting list with the kept date; bad orders answer 4xx naming the rule or field and write
nothing."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from api.auth import Role
from application.service import AllocationService
from tests.api.conftest import Tokens
from tests.api.story import document, ok, register

WAITING = {"kind": "waiting_list", "grounds": "Varig behov for heldøgns omsorg",
           "place_type": "ordinary", "can_be_cared_for_safely_at_home": True,
           "interim_services": [{"service": "hjemmesykepleie", "extent": "tre besøk daglig"}]}
SCREENED = {**WAITING, "place_type": "screened", "grounds": "Skjermet plass etter klage"}


def test_r21_r23_a_change_through_http(client: TestClient, tokens: Tokens,
                                       service: AllocationService, clock) -> None:  # type: ignore[no-untyped-def]
    h, k = tokens(), tokens(Role.COMPLAINT_HANDLER)
    case_id = register(client, h, name="Kari Klage")
    document(client, h, case_id)
    decision = ok(client.post(f"/cases/{case_id}/decisions", json=WAITING, headers=h),
                  201)["decision_id"]
    clock.advance(days=10)
    bad = client.post("/complaints", headers=k, json={
        "case_id": case_id, "against": "decision", "subject_id": decision,
        "received_on": "2026-03-12", "grounds": "Uenig", "complainant_role": "lawyer"})
    assert bad.status_code == 422 and bad.json()["field"] == "complainant_name"
    complaint = ok(client.post("/complaints", headers=k, json={
        "case_id": case_id, "against": "decision", "subject_id": decision,
        "received_on": "2026-03-12", "grounds": "Uenig", "complainant_role": "lawyer",
        "complainant_name": "Advokat Berg"}), 201)["complaint_id"]
    url = f"/complaints/{complaint}/reconsideration"
    missing = client.post(url, headers=k, json={"upheld": True, "reasoning": "Tas til følge"})
    assert missing.status_code == 422
    assert (missing.json()["rule"], missing.json()["field"]) == ("R21", "new_decision")
    body = {"upheld": True, "reasoning": "Tas til følge", "new_decision": SCREENED}
    first = ok(client.post(url, headers={**k, "Idempotency-Key": "k-1"}, json=body))
    assert first["new_decision_id"] is not None
    again = ok(client.post(url, headers={**k, "Idempotency-Key": "k-1"}, json=body))
    assert again == first
    twice = client.post(url, headers={**k, "Idempotency-Key": "k-2"}, json=body)
    assert twice.status_code == 409 and twice.json()["rule"] == "R21"
    view = ok(client.get(f"/cases/{case_id}", headers=h))
    assert [d["decision_id"] for d in view["decisions"]][-1] == first["new_decision_id"]
    listed = ok(client.get("/waiting-list", headers=h))
    entry = next(e for e in listed["entries"] if e["case_id"] == case_id)
    assert entry["waiting_since"] == "2026-03-02" and entry["after_complaint"] is True
    assert entry["place_type"] == "screened"
    row = ok(client.get(f"/complaints/{complaint}", headers=k))["data"]
    assert (row["result"], row["result_by"]) == ("changed", "unit")
    assert (row["complainant_role"], row["complainant_name"]) == ("lawyer", "Advokat Berg")
    assert len(service.get_case("4601", UUID(case_id)).decisions) == 2
