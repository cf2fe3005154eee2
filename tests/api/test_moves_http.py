"""Moves of residents (R28) through the JSON routes, on SQLite and PostgreSQL: a new decision
on the place type, a move offered, accepted and carried out (the old place vacant and the new
one occupied); a bad reason refused naming the field; another municipality's case not found;
a move offer lapsing in the deadline check (R26)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.auth import Role
from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from tests.api.conftest import Tokens
from tests.api.story import ok, place, waiting_case
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY

M = MUNICIPALITY


def resident(c: TestClient, h: dict[str, str]) -> tuple[str, str]:
    """A person on the waiting list offered a place, who accepted and moved in."""
    case_id = waiting_case(c, h, name="Ola Beboer")
    old = place(c, h)
    offer = ok(c.post(f"/cases/{case_id}/offers", headers=h, json={"place_id": old}),
               201)["offer_id"]
    ok(c.post(f"/cases/{case_id}/offers/{offer}/answer", headers=h,
              json={"answer": "accept"}))
    ok(c.post(f"/cases/{case_id}/offers/{offer}/admission", headers=h, json={}))
    return case_id, old


def offer_of(c: TestClient, h: dict[str, str], case_id: str, offer_id: str) -> dict[str, Any]:
    offers = ok(c.get(f"/cases/{case_id}", headers=h))["offers"]
    return next(o for o in offers if o["offer_id"] == offer_id)  # type: ignore[no-any-return]


def test_r28_a_move_offered_accepted_and_carried_out_through_json(
        client: TestClient, tokens: Tokens, service: AllocationService,
        clock: ManualClock) -> None:
    h = tokens()
    case_id, old = resident(client, h)
    decided = client.post(f"/cases/{case_id}/place-type-decisions", headers=h, json={
        "place_type": "screened", "grounds": "Uro og vandring om natten"})
    assert decided.status_code == 201, decided.text
    assert decided.headers["ETag"] and decided.json()["decision_id"]
    new = place(client, h, facility_id="solbakken", place_type="screened")
    made = client.post(f"/cases/{case_id}/moves", headers=h,
                       json={"place_id": new, "reason": "change_of_need"})
    assert made.status_code == 201, made.text
    offer_id = made.json()["offer_id"]
    assert made.json()["case_id"] == case_id and made.headers["ETag"]
    assert not service.get_place(M, UUID(new)).is_vacant  # reserved in the same save
    # a stale If-Match writes nothing
    stale = client.post(f"/cases/{case_id}/moves/{offer_id}/answer", headers={
        **h, "If-Match": decided.headers["ETag"]}, json={"answer": "accept"})
    assert (stale.status_code, stale.json()["code"]) == (409, "precondition_failed")
    current = client.get(f"/cases/{case_id}", headers=h).headers["ETag"]
    ok(client.post(f"/cases/{case_id}/moves/{offer_id}/answer",
                   headers={**h, "If-Match": current}, json={"answer": "accept"}))
    day = local_date(clock.now()).isoformat()
    keyed = {**h, "Idempotency-Key": "flytt-1"}
    first = client.post(f"/cases/{case_id}/moves/{offer_id}/carry-out", headers=keyed,
                        json={"moved_on": day})
    assert first.status_code == 200, first.text
    versions = [service.get_case(M, UUID(case_id)).version,
                service.get_place(M, UUID(old)).version, service.get_place(M, UUID(new)).version]
    again = client.post(f"/cases/{case_id}/moves/{offer_id}/carry-out", headers=keyed,
                        json={"moved_on": day})
    assert (again.status_code, again.json()) == (200, first.json())
    assert versions == [  # the retry wrote nothing (but its access-log entry)
        service.get_case(M, UUID(case_id)).version, service.get_place(M, UUID(old)).version,
        service.get_place(M, UUID(new)).version]
    assert service.get_place(M, UUID(old)).is_vacant  # the old place vacant from the day
    assert UUID(case_id) in service.get_place(M, UUID(new)).occupants
    case = ok(client.get(f"/cases/{case_id}", headers=h))
    assert case["status"] == "resident"
    board = ok(client.get("/vacancy-board", headers=h))
    assert [(p["place_id"], p["status"]) for p in board["places"]] == [(old, "vacant")]


def test_r28_a_bad_reason_is_refused_naming_the_field(client: TestClient, tokens: Tokens,
                                                      service: AllocationService) -> None:
    h = tokens()
    case_id, _ = resident(client, h)
    new = place(client, h, facility_id="solbakken")
    unknown = client.post(f"/cases/{case_id}/moves", headers=h,
                          json={"place_id": new, "reason": "ferie"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "reason", unknown.text
    # a reason of the list that does not hold: an own place is not a bought one
    wrong = client.post(f"/cases/{case_id}/moves", headers=h,
                        json={"place_id": new, "reason": "bought_to_own"})
    assert wrong.status_code == 422, wrong.text
    assert (wrong.json()["rule"], wrong.json()["field"]) == ("R28", "reason")
    assert service.get_place(M, UUID(new)).is_vacant  # nothing reserved
    # a move of a person who does not live in a place: refused, never a 500
    waiting = waiting_case(client, h, name="Per Venter")
    bogus = "00000000-0000-4000-8000-000000000000"
    for path, body in ((f"/cases/{waiting}/moves", {"place_id": new,
                                                   "reason": "free_choice"}),
                       (f"/cases/{waiting}/moves/{bogus}/carry-out", {}),
                       (f"/cases/{waiting}/moves/{bogus}/answer", {"answer": "accept"}),
                       (f"/cases/{waiting}/place-type-decisions",
                        {"place_type": "screened", "grounds": "g"})):
        refused = client.post(path, headers=h, json=body)
        assert refused.status_code == 409, (path, refused.text)
        assert refused.json()["code"] == "invalid_state"


def test_r28_another_municipality_gets_404(client: TestClient, tokens: Tokens,
                                           service: AllocationService) -> None:
    h = tokens()
    case_id, _ = resident(client, h)
    new = place(client, h, facility_id="solbakken")
    offer_id = ok(client.post(f"/cases/{case_id}/place-type-decisions", headers=h, json={
        "place_type": "screened", "grounds": "Uro"}), 201)["decision_id"]
    oslo = tokens(Role.ALLOCATION_OFFICER, OTHER_MUNICIPALITY)
    for path, body in (
            (f"/cases/{case_id}/moves", {"place_id": new, "reason": "change_of_need"}),
            (f"/cases/{case_id}/moves/{offer_id}/answer", {"answer": "decline"}),
            (f"/cases/{case_id}/moves/{offer_id}/withdraw", {"reason": "r"}),
            (f"/cases/{case_id}/moves/{offer_id}/carry-out", {}),
            (f"/cases/{case_id}/place-type-decisions",
             {"place_type": "ordinary", "grounds": "g"})):
        refused = client.post(path, headers=oslo, json=body)
        assert refused.status_code == 404, (path, refused.text)
        assert refused.json()["code"] == "not_found"
    assert service.get_place(M, UUID(new)).is_vacant
    managers = client.post(f"/cases/{case_id}/moves", headers=tokens(Role.MANAGER),
                           json={"place_id": new, "reason": "change_of_need"})
    assert managers.status_code == 403


def test_r26_r28_a_move_offer_lapses_in_the_deadline_check(
        client: TestClient, tokens: Tokens, service: AllocationService,
        clock: ManualClock) -> None:
    h = tokens()
    case_id, old = resident(client, h)
    ok(client.post(f"/cases/{case_id}/place-type-decisions", headers=h, json={
        "place_type": "screened", "grounds": "Uro"}), 201)
    new = place(client, h, facility_id="solbakken", place_type="screened")
    offer_id = ok(client.post(f"/cases/{case_id}/moves", headers=h, json={
        "place_id": new, "reason": "change_of_need"}), 201)["offer_id"]
    clock.advance(days=4)
    checked = ok(client.post("/deadlines/check", headers=h))
    assert case_id in str(checked), checked
    assert service.get_place(M, UUID(new)).is_vacant
    assert offer_of(client, h, case_id, offer_id)["status"] == "lapsed"
    late = client.post(f"/cases/{case_id}/moves/{offer_id}/answer", headers=h,
                       json={"answer": "accept"})
    assert (late.status_code, late.json()["code"]) == (409, "invalid_state")
    assert UUID(case_id) in service.get_place(M, UUID(old)).occupants
