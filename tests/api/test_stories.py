"""Each user group's main story end to end through HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from api.auth import Role
from application.clock import ManualClock
from tests.api.conftest import Tokens
from tests.api.story import assess, decide_waiting, document, ok, place, register, waiting_case


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_allocation_officer_story_r8_r12_r17(client: TestClient, tokens: Tokens,
                                             clock: ManualClock) -> None:
    """Application → § 2-2 items → decision → priority → allocation run → approval →
    acceptance → admission → end of stay, with each step visible in the next read."""
    h = tokens()
    place_id = place(client, h)

    case_id = register(client, h, name="Astrid Lie")
    refused = client.post(f"/cases/{case_id}/decisions", headers=h, json={
        "kind": "waiting_list", "grounds": "Varig behov", "place_type": "ordinary",
        "can_be_cared_for_safely_at_home": True,
        "interim_services": [{"service": "hjemmesykepleie", "extent": "daglig"}]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "r8_missing_documentation"
    assert refused.json()["rule"] == "R8"
    assert set(refused.json()["missing"]) >= {"own_account", "relatives", "leon"}

    document(client, h, case_id)
    decision_id = decide_waiting(client, h, case_id)
    assess(client, h, case_id, 70)
    ok(client.put(f"/cases/{case_id}/wishes", headers=h, json={"facility_ids": ["fjellheim"]}))

    listed = ok(client.get("/waiting-list", headers=h))["entries"]
    assert [(e["case_id"], e["rank"], e["name"], e["need_score"]) for e in listed] == [
        (case_id, 1, "Astrid Lie", 70)]
    view = ok(client.get(f"/cases/{case_id}", headers=h))
    assert view["status"] == "waiting" and view["missing_documentation"] == []
    assert view["decisions"][0]["decision_id"] == decision_id
    assert view["decisions"][0]["decided_by"] == "Kari Nordmann"  # the token's user
    assert "identity_number" not in view and view["identity_number_masked"].endswith("*****")

    run = ok(client.post("/allocation-runs", headers=h), 201)
    assert [i["case_id"] for i in run["items"]] == [case_id]
    assert run["items"][0]["place_id"] == place_id and run["items"][0]["status"] == "proposed"
    assert run["items"][0]["explanation"]["text"], "the proposal carries its explanation"
    assert (run["total"], run["offset"], run["limit"]) == (1, 0, 100)
    approved = ok(client.post(f"/allocation-runs/{run['run_id']}/items/{case_id}/approve",
                              headers=h, json={}), 201)
    offer_id = approved["offer_id"]
    board = ok(client.get("/vacancy-board", headers=h))
    assert [p["status"] for p in board["places"] if p["place_id"] == place_id] == ["reserved"]
    assert ok(client.get(f"/allocation-runs/{run['run_id']}", headers=h))["items"][0][
        "status"] == "approved"

    clock.advance(days=2)
    ok(client.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
                   json={"answer": "accept"}))
    ok(client.post(f"/cases/{case_id}/offers/{offer_id}/admission", headers=h, json={}))
    assert ok(client.get("/waiting-list", headers=h))["entries"] == []
    assert ok(client.get(f"/cases/{case_id}", headers=h))["status"] == "resident"

    clock.advance(days=30)
    ok(client.post(f"/cases/{case_id}/end-of-stay", headers=h, json={"reason": "died"}))
    board = ok(client.get("/vacancy-board", headers=h))
    assert [p["status"] for p in board["places"] if p["place_id"] == place_id] == ["vacant"]
    history = ok(client.get(f"/cases/{case_id}/history", headers=h))
    assert [e["event"] for e in history][-3:] == ["OfferAccepted", "Admitted", "StayEnded"]


def test_manual_offer_decline_and_deadline_breach_r18_r19(client: TestClient, tokens: Tokens,
                                                          clock: ManualClock) -> None:
    h = tokens()
    place_id = place(client, h)
    case_id = waiting_case(client, h, name="Nils Haugen", need=40)
    offer_id = ok(client.post(f"/cases/{case_id}/offers", headers=h,
                              json={"place_id": place_id}), 201)["offer_id"]
    no_reason = client.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
                            json={"answer": "decline"})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    ok(client.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
                   json={"answer": "decline", "reason": "Vil vente på Solbakken"}))

    late = waiting_case(client, h, name="Marit Vik", need=30)
    clock.advance(days=100)
    breached = ok(client.post("/deadlines/check", headers=h))["breached_case_ids"]
    assert late in breached
    assert ok(client.post("/deadlines/check", headers=h))["breached_case_ids"] == []
    ok(client.post(f"/cases/{late}/breach-choice", headers=h, json={"choice": "wait"}))
    monitor = ok(client.get("/deadline-monitor", headers=h))["data"]
    assert [b["case_id"] for b in monitor["breaches"]] == [late]
    assert monitor["breaches"][0]["choice"] == "wait"
    assert monitor["breaches"][0]["name"] == "Marit Vik"
    report = ok(client.get(f"/cases/{late}/breach-report", headers=h))["data"]
    assert report["choice"] == "wait" and report["deadline"] < report["breached_on"]

    mgr = ok(client.get("/deadline-monitor", headers=tokens(Role.MANAGER)))["data"]
    assert mgr["counts"]["breaches"] == 1
    assert not _keys(mgr) & {"name", "case_id"}, "managers see no names and no case ids"


def test_complaint_handler_story_r21(client: TestClient, tokens: Tokens,
                                     clock: ManualClock) -> None:
    """A complaint against a waiting-list decision: registered, not upheld, forwarded,
    outcome recorded; the handler sees the list as it stood when the offer was made and
    re-runs the allocation to the identical plan."""
    h, ch = tokens(), tokens(Role.COMPLAINT_HANDLER)
    place(client, h)
    first = waiting_case(client, h, name="Ingrid Berg", need=80)
    second = waiting_case(client, h, name="Olav Dahl", need=60)
    decision_id = ok(client.get(f"/cases/{second}", headers=h))["decisions"][0]["decision_id"]
    clock.advance(hours=1)
    run = ok(client.post("/allocation-runs", headers=h), 201)
    # R16: greatest need first; the run's items are its persons, those proposed first
    assert [i["case_id"] for i in run["items"]] == [first, second]
    assert [i["status"] for i in run["items"]] == ["proposed", None]
    before_offer = clock.now()
    clock.advance(hours=1)
    ok(client.post(f"/allocation-runs/{run['run_id']}/items/{first}/approve", headers=h,
                   json={}), 201)

    clock.advance(days=3)
    complaint = ok(client.post("/complaints", headers=ch, json={
        "case_id": second, "against": "decision", "subject_id": decision_id,
        "received_on": str(clock.now().date()),
        "grounds": "Mor burde fått plassen først"}), 201)
    cid = complaint["complaint_id"]
    ok(client.post(f"/complaints/{cid}/reconsideration", headers=ch,
                   json={"upheld": False, "reasoning": "Behovet er vurdert riktig"}))
    ok(client.post(f"/complaints/{cid}/forward", headers=ch, json={}))
    clock.advance(days=20)
    ok(client.post(f"/complaints/{cid}/outcome", headers=ch, json={
        "outcome": "confirmed", "decided_on": str(clock.now().date()),
        "summary": "Stadfestet"}))
    row = ok(client.get(f"/complaints/{cid}", headers=ch))["data"]
    assert row["status"] == "decided" and row["case_id"] == second
    assert [r["complaint_id"] for r in ok(client.get(
        "/complaints", params={"case_id": second}, headers=h))["data"]] == [cid]

    then = ok(client.get("/waiting-list", params={"at": before_offer.isoformat()},
                         headers=ch))
    assert [(e["case_id"], e["outstanding_offer"]) for e in then["entries"]] == [
        (first, None), (second, None)]
    now = ok(client.get("/waiting-list", headers=ch))["entries"]
    assert now[0]["outstanding_offer"] is not None
    board_then = ok(client.get("/vacancy-board", params={"at": before_offer.isoformat()},
                               headers=ch))
    assert [p["status"] for p in board_then["places"]] == ["vacant"]

    runs = ok(client.get("/allocation-runs", headers=ch))
    assert [r["run_id"] for r in runs] == [run["run_id"]]
    rerun = ok(client.get(f"/allocation-runs/{run['run_id']}/rerun", headers=ch))
    assert rerun["identical"] is True
    assert rerun["problem_hash"] == rerun["recorded_problem_hash"] == run["problem_hash"]
    history = ok(client.get(f"/cases/{first}", headers=ch))["history"]
    assert "OfferMade" in [e["event"] for e in history]
    assert client.post("/complaints", headers=h, json={}).status_code == 403


def test_manager_story_r13_r22(client: TestClient, tokens: Tokens,
                               clock: ManualClock) -> None:
    h, m = tokens(), tokens(Role.MANAGER)
    place_id = place(client, h)
    case_id = waiting_case(client, h, name="Per Olsen", need=50)
    offer_id = ok(client.post(f"/cases/{case_id}/offers", headers=h,
                              json={"place_id": place_id}), 201)["offer_id"]
    ok(client.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
                   json={"answer": "accept"}))
    ok(client.post(f"/cases/{case_id}/offers/{offer_id}/admission", headers=h, json={}))
    clock.advance(days=40)
    month = f"{clock.now():%Y-%m}"

    stats = ok(client.get("/statistics", params={"first_month": "2026-03",
                                                 "last_month": month}, headers=m))
    assert not _keys(stats["data"]) & {"name", "case_id"}
    march = [r for r in stats["data"] if r["month"] == "2026-03-01" and r["place_type"] == "all"]
    assert march and march[0]["admissions"] == 1 and march[0]["new_decisions"] == 1

    as_csv = client.get("/statistics", params={"first_month": "2026-03", "last_month": month,
                                               "format": "csv"}, headers=m)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + len(stats["data"])
    assert "Per Olsen" not in as_csv.text

    activity = ok(client.get("/activity-report", params={"year": 2026}, headers=m))["data"]
    q1, q2 = activity[0], activity[1]
    assert q1["quarter"] == 1 and q1["total_days"] == 30  # 2 March to 31 March inclusive
    assert q2["quarter"] == 2 and q2["total_days"] >= 10
    assert q1["service_days"]["LT-SH-ORD-EGEN"] == 30  # R22: by service code
    act_csv = client.get("/activity-report", params={"year": 2026, "format": "csv",
                                                     "lang": "en"},
                         headers=m)
    assert act_csv.headers["content-type"].startswith("text/csv")
    assert act_csv.text.lstrip("\ufeff").startswith("year;quarter")
    nb_csv = client.get("/activity-report", params={"year": 2026, "format": "csv"},
                        headers=m)
    assert nb_csv.text.lstrip("\ufeff").startswith("År;Kvartal")
    assert "ordinær" in as_csv.text.splitlines()[1] or "alle" in as_csv.text

    bad = client.get("/statistics", params={"first_month": "2026-13"}, headers=m)
    assert bad.status_code == 422 and bad.json()["field"] == "first_month"
    assert client.get("/waiting-list", headers=m).status_code == 403
    assert client.get(f"/cases/{case_id}", headers=m).status_code == 403
