"""Edge input never answers 500 (issue 15, item 6): a moment near year 1 or 9999 with a
time zone, a number where a body wants a date, and ``OPTIONS`` (and 405) naming exactly the
methods a path takes. (A locked or unreachable store: ``test_outage.py``.)"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from api.auth import LocalIssuer, Role
from api.routes.training import ClockIn
from api.settings import ApiSettings
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.api.story import ok, waiting_case

# --- ?at= near the ends of the calendar ------------------------------------------------------

EDGE_MOMENTS = [
    "0001-01-01T00:00:00+05:00",  # before year 1 in UTC: OverflowError before the fix
    "0001-01-01T00:00:00-05:00",
    "0001-01-01",
    "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
    "9999-12-31T23:59:59+14:00",
    "9999-12-31",
]


def test_r21_at_near_year_1_or_9999_is_422_naming_at(sqlite_client: TestClient,
                                                     tokens: Tokens) -> None:
    c, h = sqlite_client, tokens()
    waiting_case(c, h)  # a list with someone on it
    for path in ("/waiting-list", "/vacancy-board"):
        for at in EDGE_MOMENTS:
            response = c.get(path, params={"at": at}, headers=h)
            assert response.status_code == 422, (path, at, response.text)
            assert (response.json()["code"], response.json()["field"]) == (
                "invalid_request", "at")
        for at in ("0002-01-01T00:00:00Z", "2026-03-02T08:00:00+01:00",
                   "9998-12-31T12:00:00+14:00"):
            assert c.get(path, params={"at": at}, headers=h).status_code == 200, (path, at)
    c.cookies.set("lto_token", tokens.token(Role.COMPLAINT_HANDLER))
    for at in EDGE_MOMENTS:
        page = c.get("/klage/tidspunkt", params={"t": at})
        assert page.status_code == 422, (at, page.status_code)
        assert "Skriv tidspunktet" in page.text or "fram i tid" in page.text


# --- dates in bodies ---------------------------------------------------------------------------

NOT_DATES: list[Any] = [0, "0", 20260302, "20260302", "2026-03-02T00:00:00", "02.03.2026",
                        "2026-02-30", True, 1.5, "", []]


def _has(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    if get_origin(annotation) in (Union, UnionType):
        return any(_has(a, kind) for a in get_args(annotation))
    if get_origin(annotation) is Annotated:
        return _has(get_args(annotation)[0], kind)
    return False


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also those of included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found.extend(_api_routes(included.routes))
    return found


def _body_models(app: Any) -> set[type[BaseModel]]:
    """Every body model of every route (and the training clock's), with the models nested
    in them."""
    found: set[type[BaseModel]] = {ClockIn}
    stack: list[Any] = [f.field_info.annotation for route in _api_routes(app.router.routes)
                        for f in route.dependant.body_params]
    while stack:
        annotation = stack.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.add(annotation)
                stack.extend(f.annotation for f in annotation.model_fields.values())
        else:
            stack.extend(get_args(annotation))  # list[X], X | None, Annotated[X, ...]
    return found


def test_every_date_field_of_every_body_takes_only_an_iso_date(
        sqlite_client: TestClient) -> None:
    models = _body_models(sqlite_client.app)
    assert {"PlaceIn", "ApplicationIn", "DecisionIn", "ComplaintIn", "AdmissionIn",
            "BridgingStayIn"} <= {m.__name__ for m in models}, "the bodies were found"
    checked = 0
    for model in models:
        for name, field in model.model_fields.items():
            wants_date = _has(field.annotation, date)
            wants_moment = _has(field.annotation, datetime)
            if not (wants_date or wants_moment):
                continue
            checked += 1
            good = "2026-03-02" if wants_date else "2026-03-02T08:00:00+01:00"
            bad_values = NOT_DATES if wants_date else [0, "0", 1.5, "2026-03-02", True]
            for bad in bad_values:
                with pytest.raises(ValidationError) as refused:
                    model.model_validate({name: bad})
                assert any(e["loc"][:1] == (name,) for e in refused.value.errors()), \
                    (model.__name__, name, bad)
            try:
                model.model_validate({name: good})
            except ValidationError as exc:
                assert not [e for e in exc.errors() if e["loc"][:1] == (name,)], \
                    (model.__name__, name)
    assert checked >= 20, "every date and moment field of the bodies was checked"


@pytest.mark.parametrize("bad", [0, "0", "2026-03-02T00:00:00", 1700000000])
def test_post_places_refuses_a_number_as_a_date(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens,
        bad: Any) -> None:
    before = sqlite_service.recorder.max_notification_id()
    response = sqlite_client.post("/places", headers=tokens(), json={
        "facility_id": "f", "facility_name": "Fjordtun", "facility_kind": "nursing_home",
        "unit": "A", "room": "1", "place_type": "ordinary", "available_from": bad})
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == (
        "invalid_request", "available_from")
    assert sqlite_service.recorder.max_notification_id() == before, "nothing written"


# --- OPTIONS and 405 ---------------------------------------------------------------------------


def _allow(response: Any) -> set[str]:
    return {m.strip() for m in response.headers["Allow"].split(",")}


def test_options_and_405_name_exactly_the_methods_of_the_path(
        tmp_path: Path, sqlite_service: AllocationService, issuer: LocalIssuer) -> None:
    settings = ApiSettings(data_dir=tmp_path / "data", demo=False,
                           deadline_check_interval_s=0, training_clock=True)
    with TestClient(make_app(settings, sqlite_service, issuer)) as c:
        expected: dict[str, set[str]] = {
            re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path):
                {m.upper() for m in operations}
            for path, operations in c.get("/openapi.json").json()["paths"].items()}
        assert expected["/training/clock"] == {"GET", "POST"}, "two routes share a path"
        expected["/logg-inn"] = {"GET", "POST"}  # a page and its form
        expected["/openapi.json"] = {"GET", "HEAD"}
        for path, methods in expected.items():
            options = c.options(path)
            assert options.status_code == 204, (path, options.text)
            assert _allow(options) == methods | {"OPTIONS"}, path
            for method in methods:  # every method listed is taken (no 405)
                assert c.request(method, path).status_code != 405, (method, path)
            refused = c.request("DELETE", path)
            assert refused.status_code == 405, path
            assert _allow(refused) == methods | {"OPTIONS"}, path
            assert refused.json()["code"] == "method_not_allowed"
        assert c.options("/no-such-path").status_code == 404


def test_options_needs_no_token_and_shows_no_data(sqlite_client: TestClient,
                                                  tokens: Tokens) -> None:
    case_id = waiting_case(sqlite_client, tokens())
    answer = sqlite_client.options(f"/cases/{case_id}")
    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["x-content-type-options"] == "nosniff", "security headers too"
    ok(sqlite_client.get(f"/cases/{case_id}", headers=tokens()))
