"""The municipality's own settings through the HTTP service, on both stores: the policy
(R18–R20 and the priority weights) and the profile, read and changed by the
``municipal_admin`` only; every change a new version with who, when and why; bad input
refused naming the field, and nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from api.auth import Role
from application.clock import ManualClock
from application.municipalities import DEMO_PROFILES
from application.service import AllocationService
from domain.base import local_date
from domain.policy import policy_id
from tests import builders
from tests.api.conftest import Tokens
from tests.api.story import ok
from tests.builders import MUNICIPALITY as M


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, (response.status_code, response.text)
    assert response.json()["field"] == field, response.json()


def test_r18_policy_versions_are_read_and_made_by_the_municipal_admin(
        client: TestClient, tokens: Tokens, clock: ManualClock) -> None:
    admin = tokens(Role.MUNICIPAL_ADMIN)
    first = ok(client.get("/policy", headers=admin))
    assert (first["current_version"], first["in_force_version"]) == (1, 1)
    assert first["versions"][0]["settings"]["guarantee_months"] == 3
    made = ok(client.post("/policy/versions", headers=admin, json={
        "reason": "Erfaringene viser at tre dager er for kort svarfrist",
        "offer_answer_days": 5, "priority_weights": {"function": 4}}), 201)
    assert (made["current_version"], made["in_force_version"]) == (2, 2)
    v2 = made["versions"][1]
    assert (v2["issued_by"], v2["reason"], v2["effective_from"]) == (
        "Tone Vik", "Erfaringene viser at tre dager er for kort svarfrist",
        str(local_date(clock.now())))
    assert v2["issued_at"] is not None
    assert v2["settings"]["offer_answer_days"] == 5
    assert v2["settings"]["priority_weights"]["function"] == 4  # the others stay
    assert v2["settings"]["priority_weights"]["end_of_life"] == 5
    later = ok(client.post("/policy/versions", headers=admin, json={
        "reason": "Seks måneders garanti fra nyttår", "guarantee_months": 6,
        "effective_from": str(local_date(clock.now()) + timedelta(days=30))}), 201)
    assert (later["current_version"], later["in_force_version"]) == (3, 2)
    for role in (Role.ALLOCATION_OFFICER, Role.MANAGER, Role.COMPLAINT_HANDLER):
        assert client.get("/policy", headers=tokens(role)).status_code == 403
        assert client.post("/policy/versions", headers=tokens(role), json={
            "reason": "x", "offer_answer_days": 4}).status_code == 403


def test_r18_a_bad_policy_change_is_refused_naming_the_field_and_nothing_changes(
        client: TestClient, tokens: Tokens, clock: ManualClock) -> None:
    admin = tokens(Role.MUNICIPAL_ADMIN)
    today = local_date(clock.now())
    _refused(client.post("/policy/versions", headers=admin, json={"offer_answer_days": 5}),
             "reason")
    _refused(client.post("/policy/versions", headers=admin, json={
        "reason": "   ", "offer_answer_days": 5}), "reason")
    _refused(client.post("/policy/versions", headers=admin, json={
        "reason": "r", "guarantee_months": 13}), "guarantee_months")
    _refused(client.post("/policy/versions", headers=admin, json={
        "reason": "r", "effective_from": str(today - timedelta(days=1))}), "effective_from")
    _refused(client.post("/policy/versions", headers=admin, json={
        "reason": "r", "priority_weights": {"end_of_life": 0}}), "priority_weights")
    refused = client.post("/policy/versions", headers=admin, json={
        "reason": "r", "priority_weights": {"no_such_factor": 1}})
    assert refused.status_code == 422
    assert refused.json()["field"].startswith("priority_weights"), refused.json()
    _refused(client.post("/policy/versions", headers=admin, json={
        "reason": "r", "effective_from": "2026-02-30"}), "effective_from")
    assert ok(client.get("/policy", headers=admin))["current_version"] == 1


def test_r18_decisions_record_the_policy_version_in_force_on_their_day(
        service: AllocationService, clock: ManualClock) -> None:
    today = local_date(clock.now())
    service.set_policy(M, issued_by="Tone Vik", reason="Seks måneder fra neste uke",
                       guarantee_months=6, effective_from=today + timedelta(days=7))
    before = builders.waiting_case(service)
    assert service.get_case(M, before).decisions[-1].policy_version == 1
    clock.advance(days=7)
    after = builders.waiting_case(service)
    decision = service.get_case(M, after).decisions[-1]
    assert decision.policy_version == 2
    assert decision.deadline == local_date(clock.now()).replace(month=9)  # six months
    assert service.get_case(M, before).decisions[-1].policy_version == 1  # unchanged


def test_r18_a_policy_revision_stored_before_reasons_still_loads(
        memory_service: AllocationService) -> None:
    """Revised version 1 (before the reason) reads as a version without a reason."""
    svc = memory_service
    svc.set_policy(M, issued_by="Kommunestyret", reason="r", offer_answer_days=5)
    stored = svc.recorder.select_events(policy_id(M))[-1]
    state = svc.mapper.transcoder.decode(stored.state)
    del state["reason"]
    state["class_version"] = 1
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                      svc.mapper.transcoder.encode(state))
    event = svc.mapper.to_domain_event(old)
    assert event.reason is None and event.settings.offer_answer_days == 5


def _profile(**changes: Any) -> dict[str, Any]:
    base = DEMO_PROFILES["4601"]
    body = {k: v for k, v in base.items() if k != "facilities"}
    body["facilities"] = [dict(f) for f in base["facilities"]]
    body.update(changes)
    return body


def test_the_profile_is_read_and_changed_by_the_municipal_admin_with_who_when_why(
        client: TestClient, tokens: Tokens) -> None:
    admin = tokens(Role.MUNICIPAL_ADMIN)
    start = ok(client.get("/municipality-profile", headers=admin))
    assert (start["version"], start["demo"], start["name"]) == (0, True, "Bergen kommune")
    assert start["history"] == []
    assert {f["name"] for f in start["facilities"]} >= {"Fjellheim sykehjem"}
    body = _profile(phone="55 56 57 58", demo=False, reason="Kommunens egne opplysninger",
                    unit_name="Tildelingsenheten")
    body["facilities"].append({"name": "Nye Åsheim sykehjem", "kind": "nursing_home",
                               "address": ["Åsveien 1", "0000 Demoby"]})
    changed = ok(client.put("/municipality-profile", headers=admin, json=body))
    assert (changed["version"], changed["phone"], changed["demo"]) == (2, "55 56 57 58", False)
    new = changed["facilities"][-1]
    assert (new["facility_id"], new["name"], new["kind"]) == (
        "nye-asheim-sykehjem", "Nye Åsheim sykehjem", "nursing_home")
    history = changed["history"]
    assert [h["version"] for h in history] == [1, 2]
    assert (history[1]["changed_by"], history[1]["reason"]) == (
        "Tone Vik", "Kommunens egne opplysninger")
    for role in (Role.ALLOCATION_OFFICER, Role.MANAGER, Role.COMPLAINT_HANDLER):
        assert client.get("/municipality-profile", headers=tokens(role)).status_code == 403


def test_a_bad_profile_is_refused_naming_the_field_and_nothing_changes(
        client: TestClient, tokens: Tokens) -> None:
    admin = tokens(Role.MUNICIPAL_ADMIN)
    _refused(client.put("/municipality-profile", headers=admin,
                        json=_profile(email="ikke-en-adresse", reason="r")), "email")
    _refused(client.put("/municipality-profile", headers=admin,
                        json=_profile(name="   ", reason="r")), "name")
    _refused(client.put("/municipality-profile", headers=admin,
                        json=_profile(facilities=[], reason="Fjerner alt")), "facilities")
    twice = _profile(reason="r")
    twice["facilities"].append({"name": "Fjellheim sykehjem", "kind": "nursing_home"})
    _refused(client.put("/municipality-profile", headers=admin, json=twice),
             "facilities.4.name")
    bad_kind = _profile(reason="r")
    bad_kind["facilities"][0]["kind"] = "hotel"
    _refused(client.put("/municipality-profile", headers=admin, json=bad_kind),
             "facilities.0.kind")
    no_reason = _profile()
    _refused(client.put("/municipality-profile", headers=admin, json=no_reason), "reason")
    assert ok(client.get("/municipality-profile", headers=admin))["version"] == 0


def test_the_demo_seed_stores_the_starting_profile_once(memory_service: AllocationService
                                                        ) -> None:
    assert memory_service.seed_profile(M) is True
    assert memory_service.seed_profile(M) is False
    profile = memory_service.municipality_profile(M)
    assert (profile.version, profile.demo) == (1, True)
    assert all("(demoadresse)" in line or "Demoby" in line or line == "Bergen kommune"
               for line in profile.postal_address)
