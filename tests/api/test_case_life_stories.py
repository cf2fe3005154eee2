"""A case's whole life through HTTP, one story per rule the review found broken, on SQLite
and on PostgreSQL. Time moves through the service's training clock
(``LTO_TRAINING_CLOCK=true``, ``POST /training/clock``), as a trainer or a complaint handler
reproducing months of a case would move it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import LocalIssuer, Role
from api.settings import ApiSettings
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.api.story import assess, decide_waiting, document, ok, place, register, waiting_case
from tests.builders import person_number


@pytest.fixture
def training(api_settings: ApiSettings, service: AllocationService, issuer: LocalIssuer
             ) -> Iterator[TestClient]:
    settings = api_settings.model_copy(update={"training_clock": True})
    with TestClient(make_app(settings, service, issuer)) as c:
        yield c


def later(c: TestClient, h: dict[str, str], **delta: float) -> dict[str, Any]:
    """Move the service's time forward; the scheduled checks run at the new time."""
    now = datetime.fromisoformat(ok(c.get("/training/clock", headers=h))["now"])
    return ok(c.post("/training/clock", headers=h,
                     json={"now": (now + timedelta(**delta)).isoformat()}))


def offer(c: TestClient, h: dict[str, str], case_id: str, place_id: str,
          **extra: Any) -> str:
    body = {"place_id": place_id, **extra}
    return ok(c.post(f"/cases/{case_id}/offers", headers=h, json=body), 201)["offer_id"]


def statuses(c: TestClient, h: dict[str, str], place_id: str) -> list[str]:
    board = ok(c.get("/vacancy-board", headers=h))
    return [p["status"] for p in board["places"] if p["place_id"] == place_id]


def test_r9_story_a_rejected_person_is_never_admitted(training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    case_id = waiting_case(c, h, name="Ragnhild Dahl")
    place_id = place(c, h)
    offer_id = offer(c, h, case_id, place_id)
    ok(c.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
              json={"answer": "accept"}))
    ok(c.post(f"/cases/{case_id}/decisions", headers=h, json={
        "kind": "rejection", "grounds": "Best hjulpet med hjemmetjenester"}), 201)
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["status"] == "rejected"
    assert [o["status"] for o in view["offers"]] == ["withdrawn"]
    assert statuses(c, h, place_id) == ["vacant"]  # released in the same transaction
    admit = c.post(f"/cases/{case_id}/offers/{offer_id}/admission", headers=h, json={})
    assert admit.status_code == 409
    assert ok(c.get(f"/cases/{case_id}", headers=h))["status"] == "rejected"


def test_r18_story_an_unsuitable_offer_does_not_stop_the_clock(training: TestClient,
                                                               tokens: Tokens):
    c, h = training, tokens()
    case_id = register(c, h, name="Sverre Lund")
    document(c, h, case_id)
    ok(c.post(f"/cases/{case_id}/decisions", headers=h, json={
        "kind": "waiting_list", "grounds": "Varig behov", "place_type": "ordinary",
        "facility_kind": "nursing_home", "can_be_cared_for_safely_at_home": True,
        "interim_services": [{"service": "hjemmesykepleie", "extent": "daglig"}]}), 201)
    housing = ok(c.post("/places", headers=h, json={
        "facility_id": "havglimt", "facility_name": "Havglimt", "facility_kind": "housing_24h",
        "unit": "N", "room": "1", "place_type": "ordinary"}), 201)["place_id"]
    refused = c.post(f"/cases/{case_id}/offers", headers=h, json={"place_id": housing})
    assert refused.status_code == 422 and refused.json()["rule"] == "R18"
    assert refused.json()["field"] == "unsuitable_reason"
    offer(c, h, case_id, housing, unsuitable_reason="Ønsker selv å bo på Havglimt")
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["offers"][0]["suitable"] is False
    assert view["guarantee"]["status"] == "running"
    moved = later(c, h, days=95)
    assert case_id in moved["breached_case_ids"] or case_id in moved["lapsed_case_ids"]
    assert ok(c.get(f"/cases/{case_id}", headers=h))["guarantee"]["status"] == "breached"


def test_r23_story_a_new_decision_keeps_the_date_and_the_breach(training: TestClient,
                                                                tokens: Tokens):
    c, h = training, tokens()
    case_id = waiting_case(c, h, name="Turid Moe")
    first = ok(c.get(f"/cases/{case_id}", headers=h))
    assert later(c, h, days=93)["breached_case_ids"] == [case_id]
    decide_waiting(c, h, case_id)  # a re-assessment in the same waiting period
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["waiting_since"] == first["waiting_since"]
    assert view["guarantee"]["status"] == "breached"
    assert len(view["guarantee"]["breaches"]) == 1
    assert later(c, h, days=60)["breached_case_ids"] == []  # once per guarantee period
    [entry] = ok(c.get("/waiting-list", headers=h))["entries"]
    assert entry["breached"] and entry["waiting_since"] == first["waiting_since"]


def test_r15_r4_story_urgency_is_a_grant_carried_out_at_once(training: TestClient,
                                                             tokens: Tokens):
    c, h, m = training, tokens(), tokens(Role.MANAGER)
    high = waiting_case(c, h, name="Høy Behov", need=90)
    urgent = waiting_case(c, h, name="Haster Nå", need=20)
    granted = ok(c.post(f"/cases/{urgent}/urgency", headers=h, json={
        "urgent": True, "reason": "Ektefellen innlagt; kan ikke være alene om natten"}))
    assert granted["decision_id"]
    view = ok(c.get(f"/cases/{urgent}", headers=h))
    assert view["status"] == "granted" and view["decisions"][-1]["kind"] == "grant"
    assert view["guarantee"]["status"] == "none"  # no three-month deadline for a grant
    entries = ok(c.get("/waiting-list", headers=h))["entries"]
    assert [e["case_id"] for e in entries] == [urgent, high]
    assert entries[0]["urgent"] and entries[0]["granted_on"] is not None
    ok(c.post(f"/cases/{urgent}/bridging-stay", headers=h, json={
        "facility_name": "Byhaugen korttidsavdeling", "unit": "K2",
        "from_on": view["decisions"][-1]["decided_on"]}))
    later(c, h, days=4)
    monitor = ok(c.get("/deadline-monitor", headers=m))["data"]
    assert monitor["counts"]["grants_overdue"] == 1
    assert "name" not in monitor["grants_overdue"][0]  # managers see no names
    entries = ok(c.get("/waiting-list", headers=h))["entries"]
    assert entries[0]["grant_overdue"]
    assert entries[0]["bridging_stay"]["facility_name"] == "Byhaugen korttidsavdeling"
    clear = c.post(f"/cases/{urgent}/urgency", headers=h, json={"urgent": False, "reason": "x"})
    assert clear.status_code == 422 and clear.json()["field"] == "urgent"


def test_r5_story_a_place_is_bought_when_the_municipality_has_none_of_the_type(
        training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    place(c, h)  # ordinary places only
    case_id = waiting_case(c, h, name="Forsterket Behov", place_type="reinforced")
    po = ok(c.post("/provider-offers", headers=h, json={
        "provider": "Privat AS", "reference": "R-9", "facility_name": "Lia",
        "facility_kind": "nursing_home", "place_type": "reinforced",
        "price_per_day": "4150.50"}), 201)["provider_offer_id"]
    offer_id = ok(c.post(f"/cases/{case_id}/offers", headers=h,
                         json={"provider_offer_id": po}), 201)["offer_id"]
    assert offer_id


def test_r8_story_suspected_dementia_is_investigated_before_an_offer(training: TestClient,
                                                                      tokens: Tokens):
    c, h = training, tokens()
    case_id = waiting_case(c, h, name="Glemsk Person")
    ok(c.post(f"/cases/{case_id}/documentation/dementia-suspicion", headers=h,
              json={"reason": "Går seg bort; glemmer medisiner"}))
    place_id = place(c, h)
    refused = c.post(f"/cases/{case_id}/offers", headers=h, json={"place_id": place_id})
    assert refused.status_code == 422 and refused.json()["rule"] == "R8"
    assert refused.json()["missing"] == ["dementia_investigation"]
    assert statuses(c, h, place_id) == ["vacant"]  # nothing written
    ok(c.post(f"/cases/{case_id}/documentation/dementia-investigation", headers=h,
              json={"finding": "not_confirmed", "conclusion": "Delirium ved infeksjon"}))
    offer(c, h, case_id, place_id)

    lone = register(c, h, name="Ingen Pårørende")
    ok(c.post(f"/cases/{lone}/documentation/no-relatives", headers=h,
              json={"statement": "Ingen nære pårørende og ingen verge"}))
    view = ok(c.get(f"/cases/{lone}", headers=h))
    assert "relatives" not in view["missing_documentation"]


def test_r24_story_dates_users_give(training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    case_id = register(c, h, name="Dato Person")
    document(c, h, case_id)
    later(c, h, days=10)
    today = ok(c.get("/training/clock", headers=h))["today"]
    body = {"kind": "waiting_list", "grounds": "Varig behov", "place_type": "ordinary",
            "can_be_cared_for_safely_at_home": True,
            "interim_services": [{"service": "hjemmesykepleie", "extent": "daglig"}]}
    future = c.post(f"/cases/{case_id}/decisions", headers=h, json={
        **body, "decided_on": (datetime.fromisoformat(today) + timedelta(days=1)).date()
        .isoformat()})
    assert future.status_code == 422 and future.json()["field"] == "decided_on"
    decided = (datetime.fromisoformat(today) - timedelta(days=7)).date().isoformat()
    ok(c.post(f"/cases/{case_id}/decisions", headers=h, json={**body, "decided_on": decided}),
       201)
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["decisions"][0]["decided_on"] == decided
    assert view["waiting_since"] == decided
    place_id = place(c, h)
    offer_id = offer(c, h, case_id, place_id)
    ok(c.post(f"/cases/{case_id}/offers/{offer_id}/answer", headers=h,
              json={"answer": "accept"}))
    planned = (datetime.fromisoformat(today) + timedelta(days=5)).date().isoformat()
    ok(c.post(f"/cases/{case_id}/offers/{offer_id}/admission", headers=h,
              json={"admitted_on": planned}))
    assert ok(c.get(f"/cases/{case_id}", headers=h))["residence"]["admitted_on"] == planned
    assert statuses(c, h, place_id) == []  # held from now: not on the board


def test_r25_story_a_second_application_points_to_the_open_case(training: TestClient,
                                                                 tokens: Tokens):
    c, h = training, tokens()
    number = person_number()
    first = register(c, h, name="Per Hansen", number=number)
    again = c.post("/cases", headers=h, json={"identity_number": number, "name": "Per H."})
    assert again.status_code == 409
    assert again.json()["code"] == "case_already_open"
    assert again.json()["case_id"] == first
    assert number not in again.text


def test_r26_story_an_unanswered_offer_lapses(training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    case_id = waiting_case(c, h, name="Svarer Ikke")
    place_id = place(c, h)
    offer(c, h, case_id, place_id)
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["offers"][0]["answer_by"] is not None
    assert later(c, h, days=4)["lapsed_case_ids"] == [case_id]
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert [o["status"] for o in view["offers"]] == ["lapsed"]
    assert statuses(c, h, place_id) == ["vacant"]
    checked = ok(c.post("/deadlines/check", headers=h))
    assert checked["lapsed_case_ids"] == [] and checked["breached_case_ids"] == []


def test_r27_story_reviews_due_are_shown(training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    case_id = waiting_case(c, h, name="Gjennomgang Due")
    view = ok(c.get(f"/cases/{case_id}", headers=h))
    assert view["review_due_on"] is not None
    later(c, h, days=93)
    [entry] = ok(c.get("/waiting-list", headers=h))["entries"]
    assert entry["review_due"]
    assess(c, h, case_id, 55)  # the new assessment is the review
    [entry] = ok(c.get("/waiting-list", headers=h))["entries"]
    assert not entry["review_due"]


def test_training_clock_moves_forward_only(training: TestClient, tokens: Tokens):
    c, h = training, tokens()
    now = datetime.fromisoformat(ok(c.get("/training/clock", headers=h))["now"])
    back = c.post("/training/clock", headers=h,
                  json={"now": (now - timedelta(days=1)).isoformat()})
    assert back.status_code == 422 and back.json()["field"] == "now"


def test_without_the_setting_the_training_clock_does_not_exist(client: TestClient,
                                                               tokens: Tokens):
    h = tokens()
    assert client.get("/training/clock", headers=h).status_code == 404
    moved = client.post("/training/clock", headers=h, json={"now": "2030-01-01T00:00:00+00:00"})
    assert moved.status_code == 404


def test_training_clock_is_refused_in_production_settings(api_settings: ApiSettings,
                                                          service: AllocationService):
    settings = api_settings.model_copy(update={"training_clock": True, "production": True})
    with pytest.raises(ValueError, match="production"):
        make_app(settings, service, None)  # type: ignore[arg-type]


def test_r11_story_the_accompanying_spouse_through_http(training: TestClient, tokens: Tokens):
    """The decision on the spouse's case (with an idempotency key and If-Match), the couple's
    offer of a double room (both beds), a single room refused without a reason, the
    admission of both, the resident's death and the new decision that ends the stay."""
    c, h = training, tokens()
    ola = waiting_case(c, h, name="Ola Par")
    kari = register(c, h, name="Kari Par", spouse_case_id=ola)
    etag = c.get(f"/cases/{kari}", headers=h).headers["etag"]
    body = {"resident_case_id": ola, "wish": "Begge ønsker å bo sammen",
            "grounds": "Ektefelle til beboer"}
    stale = c.post(f"/cases/{kari}/accompanying-stay", json=body,
                   headers={**h, "If-Match": '"999"'})
    assert stale.status_code == 409
    keyed = {**h, "Idempotency-Key": "medfolgende-1", "If-Match": etag}
    first = ok(c.post(f"/cases/{kari}/accompanying-stay", json=body, headers=keyed), 201)
    again = ok(c.post(f"/cases/{kari}/accompanying-stay", json=body, headers=keyed), 201)
    assert first == again  # written once
    assert ok(c.get(f"/cases/{kari}", headers=h))["status"] == "accompanying"
    single, double = place(c, h), place(c, h, room_kind="double")
    refused = c.post(f"/cases/{ola}/offers", headers=h, json={"place_id": single})
    assert refused.status_code == 422
    assert (refused.json()["rule"], refused.json()["field"]) == ("R11", "single_room_reason")
    offer_id = offer(c, h, ola, double)
    assert statuses(c, h, double) == ["reserved"]
    ok(c.post(f"/cases/{ola}/offers/{offer_id}/answer", headers=h, json={"answer": "accept"}))
    ok(c.post(f"/cases/{ola}/offers/{offer_id}/admission", headers=h, json={}))
    assert ok(c.get(f"/cases/{kari}", headers=h))["status"] == "resident"
    assert statuses(c, h, double) == ["couple"]
    ok(c.post(f"/cases/{ola}/end-of-stay", headers=h, json={"reason": "died"}))
    assert statuses(c, h, double) == ["vacant"]  # his bed; hers stays hers
    missing = c.post(f"/cases/{kari}/accompanying-stay/conclusion", headers=h,
                     json={"outcome": "ended", "grounds": "Flytter hjem"})
    assert (missing.status_code, missing.json()["field"]) == (422, "ended_on")
    ended = (datetime.fromisoformat(ok(c.get("/training/clock", headers=h))["now"])
             + timedelta(days=14)).date().isoformat()
    ok(c.post(f"/cases/{kari}/accompanying-stay/conclusion", headers=h,
              json={"outcome": "ended", "grounds": "Flytter hjem", "ended_on": ended}), 201)
    assert ok(c.get(f"/cases/{kari}", headers=h))["status"] == "closed"
