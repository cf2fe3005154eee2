"""Every route × every role × another municipality's object.

The callers are of municipality 4601; every id in a path or a body belongs to 0301. An
allowed role gets 404 for the foreign object (exactly as for an id that does not exist),
a list shows nothing of 0301, a role not allowed gets 403 (before anything is looked up),
no token 401. A route without an entry here fails :func:`test_every_route_has_a_matrix_entry`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.auth import Role
from api.routing import ApiRoute, AuditedRoute
from application.clock import ManualClock
from application.municipalities import DEMO_PROFILES
from application.service import AllocationService
from domain.base import local_date
from domain.complaint import ComplaintSubject
from domain.values import FacilityKind, PlaceType
from tests import builders
from tests.api.conftest import Tokens
from tests.builders import OTHER_MUNICIPALITY

AO, MG, CH = Role.ALLOCATION_OFFICER, Role.MANAGER, Role.COMPLAINT_HANDLER
MA = Role.MUNICIPAL_ADMIN
ALL = frozenset(Role)
FOREIGN_NAMES = ("Fremmed Person", "Annen Fremmed")


@dataclass(frozen=True)
class Entry:
    roles: frozenset[Role]  # the roles that may call it
    allowed: int  # what an allowed role gets with the foreign ids: 404, or 200/201 for lists
    body: dict[str, Any] | None = None
    params: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)  # overrides of the path ids
    public: bool = False  # no token needed


def _b(**kw: Any) -> dict[str, Any]:
    return kw


MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/auth/demo-token"): Entry(ALL, 200, _b(username="saksbehandler"), public=True),
    ("GET", "/auth/me"): Entry(ALL, 200),
    ("POST", "/auth/logout"): Entry(ALL, 204),  # revokes the caller's token: fresh ones below
    # the allocation unit
    ("POST", "/cases"): Entry(frozenset({AO}), 404, _b(
        identity_number="{number}", name="Ny Søker", spouse_case_id="{case_id}")),
    ("GET", "/cases/{case_id}"): Entry(frozenset({AO, CH}), 404),
    ("GET", "/cases/{case_id}/history"): Entry(frozenset({AO, CH}), 404),
    ("GET", "/cases/{case_id}/breach-report"): Entry(frozenset({AO, CH}), 404),
    ("GET", "/cases/{case_id}/access-log"): Entry(frozenset({AO, CH}), 404),
    ("POST", "/cases/{case_id}/documentation/own-account"): Entry(
        frozenset({AO}), 404, _b(what_matters="x", account="y")),
    ("POST", "/cases/{case_id}/documentation/relatives"): Entry(
        frozenset({AO}), 404, _b(name="Kari", relation="datter", information="z")),
    ("POST", "/cases/{case_id}/documentation/iplos"): Entry(
        frozenset({AO}), 404, _b(scores={"syn": 2})),
    ("POST", "/cases/{case_id}/documentation/medical"): Entry(
        frozenset({AO}), 404, _b(source="gp", summary="s")),
    ("POST", "/cases/{case_id}/documentation/leon"): Entry(frozenset({AO}), 404, _b(
        entries=[{"measure": "day_care", "status": "tried", "outcome": "o"}])),
    ("POST", "/cases/{case_id}/documentation/dementia-investigation"): Entry(
        frozenset({AO}), 404, _b(finding="confirmed", conclusion="c")),
    ("POST", "/cases/{case_id}/documentation/no-relatives"): Entry(
        frozenset({AO}), 404, _b(statement="Ingen pårørende")),
    ("POST", "/cases/{case_id}/documentation/dementia-suspicion"): Entry(
        frozenset({AO}), 404, _b(reason="Glemsom")),
    ("POST", "/cases/{case_id}/documentation/other-services"): Entry(
        frozenset({AO}), 404, _b(receives_other_services=False)),
    ("POST", "/priority-suggestion"): Entry(frozenset({AO}), 200, _b(
        factors={"function": 2})),
    ("POST", "/cases/{case_id}/bridging-stay"): Entry(frozenset({AO}), 404, _b(
        facility_name="Korttid", unit="K", from_on="2026-03-01")),
    ("POST", "/cases/{case_id}/bridging-stay/end"): Entry(frozenset({AO}), 404, _b(
        to_on="2026-03-02")),
    ("POST", "/cases/{case_id}/decisions"): Entry(frozenset({AO}), 404, _b(
        kind="rejection", grounds="g")),
    ("POST", "/cases/{case_id}/decisions/{decision_id}/sending"): Entry(
        frozenset({AO}), 404, _b(sent_on="{today}", channel="post"),
        path={"case_id": "{case_a}", "decision_id": "{decision_a}"}),
    ("POST", "/cases/{case_id}/decisions/{decision_id}/receipt"): Entry(
        frozenset({AO}), 404, _b(received_on="{today}"),
        path={"case_id": "{case_a}", "decision_id": "{decision_a}"}),
    ("POST", "/cases/{case_id}/interim-services"): Entry(frozenset({AO}), 404, _b(
        services=[{"service": "s", "extent": "e"}])),
    ("POST", "/cases/{case_id}/priority"): Entry(frozenset({AO}), 404, _b(
        factors={}, need_score=0)),
    ("POST", "/cases/{case_id}/urgency"): Entry(frozenset({AO}), 404, _b(
        urgent=True, reason="r")),
    ("PUT", "/cases/{case_id}/wishes"): Entry(frozenset({AO}), 404, _b(facility_ids=[])),
    ("POST", "/cases/{case_id}/spouse"): Entry(frozenset({AO}), 404, _b(
        spouse_case_id="{case_a}")),
    ("POST", "/cases/{case_id}/living-apart-consent"): Entry(frozenset({AO}), 404, _b(
        statement="s")),
    ("POST", "/cases/{case_id}/accompanying-stay"): Entry(frozenset({AO}), 404, _b(
        resident_case_id="{case_a}", wish="w", grounds="g")),
    ("POST", "/cases/{case_id}/accompanying-stay/conclusion"): Entry(frozenset({AO}), 404, _b(
        outcome="ordinary_stay", grounds="g")),
    ("POST", "/cases/{case_id}/offers"): Entry(frozenset({AO}), 404, _b(
        place_id="{place_id}")),
    ("POST", "/cases/{case_id}/offers/{offer_id}/answer"): Entry(frozenset({AO}), 404, _b(
        answer="accept")),
    ("POST", "/cases/{case_id}/offers/{offer_id}/withdraw"): Entry(frozenset({AO}), 404, _b(
        reason="r")),
    ("POST", "/cases/{case_id}/offers/{offer_id}/admission"): Entry(frozenset({AO}), 404,
                                                                    _b()),
    ("POST", "/cases/{case_id}/end-of-stay"): Entry(frozenset({AO}), 404, _b(reason="died")),
    ("POST", "/cases/{case_id}/close"): Entry(frozenset({AO}), 404, _b(reason="withdrawn")),
    ("POST", "/cases/{case_id}/breach-choice"): Entry(frozenset({AO}), 404, _b(
        choice="wait")),
    # moves of residents (R28)
    ("POST", "/cases/{case_id}/moves"): Entry(frozenset({AO}), 404, _b(
        place_id="{place_id}", reason="free_choice")),
    ("POST", "/cases/{case_id}/moves/{offer_id}/answer"): Entry(frozenset({AO}), 404, _b(
        answer="accept")),
    ("POST", "/cases/{case_id}/moves/{offer_id}/withdraw"): Entry(frozenset({AO}), 404, _b(
        reason="r")),
    ("POST", "/cases/{case_id}/moves/{offer_id}/carry-out"): Entry(frozenset({AO}), 404,
                                                                   _b(moved_on="{today}")),
    ("POST", "/cases/{case_id}/place-type-decisions"): Entry(frozenset({AO}), 404, _b(
        place_type="screened", grounds="g")),
    # places and other providers
    ("POST", "/places"): Entry(frozenset({AO}), 201, _b(
        facility_id="eget", facility_name="Eget", facility_kind="nursing_home", unit="A",
        room="1", place_type="ordinary")),
    ("POST", "/places/{place_id}/close"): Entry(frozenset({AO}), 404, _b(reason="r")),
    ("POST", "/places/{place_id}/reopen"): Entry(frozenset({AO}), 404),
    ("POST", "/provider-offers"): Entry(frozenset({AO}), 201, _b(
        provider="P", reference="R", facility_name="F", facility_kind="nursing_home",
        place_type="ordinary", price_per_day="3000")),
    ("POST", "/provider-offers/{provider_offer_id}/withdraw"): Entry(frozenset({AO}), 404,
                                                                     _b(reason="r")),
    ("GET", "/vacancy-board"): Entry(ALL, 200),
    # allocation runs
    ("POST", "/allocation-runs"): Entry(frozenset({AO}), 201),
    ("GET", "/allocation-runs"): Entry(frozenset({AO, CH}), 200),
    ("GET", "/allocation-runs/{run_id}"): Entry(frozenset({AO, CH}), 404),
    ("GET", "/allocation-runs/{run_id}/rerun"): Entry(frozenset({AO, CH}), 404),
    ("POST", "/allocation-runs/{run_id}/items/{case_id}/approve"): Entry(
        frozenset({AO}), 404, _b(), path={"case_id": "{proposed}"}),
    ("POST", "/allocation-runs/{run_id}/items/{case_id}/change"): Entry(
        frozenset({AO}), 404, _b(place_id="{place_id}", reason="r"),
        path={"case_id": "{proposed}"}),
    ("POST", "/allocation-runs/{run_id}/items/{case_id}/reject"): Entry(
        frozenset({AO}), 404, _b(reason="r"), path={"case_id": "{proposed}"}),
    # lists and deadlines
    ("GET", "/waiting-list"): Entry(frozenset({AO, CH}), 200),
    # finding a case (by 0301's person's name: nothing found) and the worklists
    ("POST", "/case-search"): Entry(frozenset({AO, CH}), 200, _b(name=FOREIGN_NAMES[0])),
    ("GET", "/worklists"): Entry(frozenset({AO}), 200),
    ("GET", "/worklists/{worklist}"): Entry(frozenset({AO}), 200,
                                            path={"worklist": "investigation"}),
    ("GET", "/deadline-monitor"): Entry(frozenset({AO, MG}), 200),
    ("POST", "/deadlines/check"): Entry(frozenset({AO}), 200),
    # management
    ("GET", "/statistics"): Entry(frozenset({MG}), 200),
    ("GET", "/activity-report"): Entry(frozenset({MG}), 200),
    # the municipality's own settings: its profile and its policy (the caller's own)
    ("GET", "/municipality-profile"): Entry(frozenset({MA}), 200),
    ("PUT", "/municipality-profile"): Entry(frozenset({MA}), 200, _b(
        name="Bergen kommune", unit_name="Etat for tjenestetildeling",
        state_administrator="Statsforvalteren i Vestland", reason="Ny versjon",
        facilities=[{"facility_id": f["facility_id"], "name": f["name"], "kind": f["kind"]}
                    for f in DEMO_PROFILES["4601"]["facilities"]])),
    ("GET", "/policy"): Entry(frozenset({MA}), 200),
    ("POST", "/policy/versions"): Entry(frozenset({MA}), 201, _b(
        reason="Lengre svarfrist", offer_answer_days=5)),
    # complaints
    ("POST", "/complaints"): Entry(frozenset({CH}), 404, _b(
        case_id="{case_a}", against="decision", subject_id="{decision_a}",
        received_on="{today}", grounds="g")),
    ("GET", "/complaints"): Entry(frozenset({AO, CH}), 200),
    ("GET", "/complaints/{complaint_id}"): Entry(frozenset({AO, CH}), 404),
    ("POST", "/complaints/{complaint_id}/reconsideration"): Entry(frozenset({CH}), 404, _b(
        upheld=False, reasoning="r")),
    ("POST", "/complaints/{complaint_id}/forward"): Entry(frozenset({CH}), 404, _b()),
    ("POST", "/complaints/{complaint_id}/outcome"): Entry(frozenset({CH}), 404, _b(
        outcome="confirmed", decided_on="{today}", summary="s")),
    ("GET", "/complaints/{complaint_id}/case-file.pdf"): Entry(frozenset({CH}), 404),
    ("GET", "/complaints/{complaint_id}/case-file.zip"): Entry(frozenset({CH}), 404),
}


def api_routes(client: TestClient) -> Iterator[tuple[str, str]]:
    """The JSON routes: every operation of the OpenAPI schema, and every route of our JSON
    route classes (so a JSON route hidden from the schema is caught too). The pages
    (``api.pages``, not in the schema) have their own tests."""
    app = client.app
    for path, operations in app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method in operations:
            yield method.upper(), path
    for ctx in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        route = ctx.original_route
        if isinstance(route, ApiRoute | AuditedRoute):
            for method in sorted(route.methods):
                yield method, route.path


def foreign_world(service: AllocationService, clock: ManualClock) -> dict[str, str]:
    """Municipality 0301's objects, one of each kind."""
    m = OTHER_MUNICIPALITY
    place_1 = builders.place(service, municipality=m)
    case_a = builders.waiting_case(service, municipality=m, name=FOREIGN_NAMES[0])
    case_b = builders.waiting_case(service, municipality=m, name=FOREIGN_NAMES[1])
    run_id = service.run_allocation(m, started_by="Ola Olsen", confirm_unassessed=True)
    run = service.get_allocation_run(m, run_id)
    proposed = next(iter(run.proposed))
    other = case_b if proposed == str(case_a) else case_a
    place_2 = builders.place(service, municipality=m)
    offer_id = service.make_offer(m, other, made_by="Ola Olsen", place_id=place_2)
    provider_offer_id = service.register_provider_offer(
        m, provider="Privat AS", reference="R-1", facility_name="Privathjemmet",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=3500)
    decision_a = service.get_case(m, case_a).decisions[0].decision_id
    complaint_id = service.register_complaint(
        m, case_a, against=ComplaintSubject.DECISION, subject_id=decision_a,
        received_on=local_date(clock.now()), grounds="Uenig", registered_by="Klager")
    return {"case_id": str(other), "case_a": str(case_a), "proposed": proposed,
            "offer_id": str(offer_id), "place_id": str(place_1),
            "provider_offer_id": str(provider_offer_id), "run_id": str(run_id),
            "complaint_id": str(complaint_id), "decision_a": str(decision_a),
            "today": str(local_date(clock.now())), "number": builders.person_number()}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def test_every_route_has_a_matrix_entry(sqlite_client: TestClient) -> None:
    routes = set(api_routes(sqlite_client))
    assert routes - set(MATRIX) == set(), "routes without a matrix entry"
    assert set(MATRIX) - routes == set(), "matrix entries without a route"


def test_role_and_ownership_matrix(sqlite_client: TestClient, sqlite_service: AllocationService,
                                   tokens: Tokens, clock: ManualClock) -> None:
    ids = foreign_world(sqlite_service, clock)
    foreign = [v for k, v in ids.items() if k not in ("today", "number")] + list(FOREIGN_NAMES)
    failures: list[str] = []
    for (method, path), entry in MATRIX.items():
        callers: dict[Role | None, dict[str, str]] = {None: {},
                                                      **{r: tokens(r) for r in Role}}
        url = path.format(**{**ids, **_fill(entry.path, ids)})
        for role, headers in callers.items():
            if entry.public:
                expected = entry.allowed
            elif role is None:
                expected = 401
            elif role not in entry.roles:
                expected = 403
            else:
                expected = entry.allowed
            response = sqlite_client.request(method, url, headers=headers,
                                             json=_fill(entry.body, ids)
                                             if entry.body is not None else None,
                                             params=entry.params)
            who = role.value if role else "anonymous"
            if response.status_code != expected:
                failures.append(f"{method} {path} as {who}: {response.status_code} "
                                f"(expected {expected}) {response.text[:160]}")
                continue
            if response.status_code < 300:
                leaked = [f for f in foreign if f in response.text]
                if leaked:
                    failures.append(f"{method} {path} as {who} shows 0301's {leaked}")
            else:
                body = response.json()
                assert set(body) >= {"code", "rule", "field", "missing", "message"}, body
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("username,role,municipality", [
    ("saksbehandler", "allocation_officer", "4601"), ("leder", "manager", "4601"),
    ("klagebehandler", "complaint_handler", "4601"),
    ("saksbehandler-oslo", "allocation_officer", "0301"), ("leder-oslo", "manager", "0301"),
    ("fagadmin", "municipal_admin", "4601"), ("fagadmin-oslo", "municipal_admin", "0301")])
def test_demo_tokens_carry_role_and_municipality(sqlite_client: TestClient, username: str,
                                                 role: str, municipality: str) -> None:
    token = sqlite_client.post("/auth/demo-token", json={"username": username}).json()
    assert (token["role"], token["municipality"], token["token_type"]) == (
        role, municipality, "bearer")
    me = sqlite_client.get("/auth/me",
                           headers={"Authorization": f"Bearer {token['access_token']}"})
    assert (me.json()["role"], me.json()["municipality"]) == (role, municipality)
    assert me.json()["sees_identity"] is (role != "manager")
