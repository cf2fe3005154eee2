"""Schemathesis against the generated OpenAPI schema: for every operation, generated
requests — valid by the schema with random ids, valid with the ids of real objects (so the
domain sees them), and invalid by the schema — never get a 500, and every answer conforms
to the schema (status, content type, body, headers). Authenticated as a role the operation
admits. Schema-valid requests may still be refused with 422 by the rules (an identity
number's check digits, R8's documentation), so schemathesis's "positive data is accepted"
check is left out; "negative data is rejected" stays. Bounded to a few examples per
operation so the run stays well under a minute.

(Driven operation by operation with Hypothesis rather than ``schema.parametrize()``: the
lazy pytest loader of this schemathesis version does not work with pytest 9.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.auth import Role
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.api.story import ok, place, waiting_case
from tests.api.test_matrix import MATRIX

EXAMPLES = 5


def _role_for(method: str, path: str) -> Role:
    roles = MATRIX[(method, path)].roles
    return Role.ALLOCATION_OFFICER if Role.ALLOCATION_OFFICER in roles else sorted(roles)[0]


def _real_ids(c: TestClient, tokens: Tokens) -> dict[str, str]:
    h = tokens()
    place_id = place(c, h)
    case_id = waiting_case(c, h, name="Fuzz Person")
    run = ok(c.post("/allocation-runs", headers=h), 201)
    other = waiting_case(c, h, name="Fuzz Annen")
    second = place(c, h)
    offer_id = ok(c.post(f"/cases/{other}/offers", headers=h, json={"place_id": second}),
                  201)["offer_id"]
    provider = ok(c.post("/provider-offers", headers=h, json={
        "provider": "P", "reference": "R", "facility_name": "F", "facility_kind": "nursing_home",
        "place_type": "ordinary", "price_per_day": "3000"}), 201)["provider_offer_id"]
    decision = ok(c.get(f"/cases/{case_id}", headers=h))["decisions"][0]["decision_id"]
    complaint = ok(c.post("/complaints", headers=tokens(Role.COMPLAINT_HANDLER), json={
        "case_id": case_id, "against": "decision", "subject_id": decision,
        "received_on": "2026-03-02", "grounds": "Uenig"}), 201)["complaint_id"]
    return {"case_id": case_id, "place_id": place_id, "run_id": run["run_id"],
            "offer_id": offer_id, "provider_offer_id": provider, "complaint_id": complaint}


@pytest.mark.parametrize("mode", ["positive", "positive-real-ids", "negative"])
def test_no_500_and_answers_conform_to_the_schema(
        mode: str, api_settings: Any, sqlite_service: AllocationService, issuer: Any,
        tokens: Tokens) -> None:
    app = make_app(api_settings, sqlite_service, issuer)
    with TestClient(app) as c:
        ids = _real_ids(c, tokens)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            method, path = operation.method.upper(), operation.path
            headers = tokens(_role_for(method, path))
            names = [p.name for p in operation.path_parameters]
            path_parameters = ({n: ids[n] for n in names if n in ids}
                               if mode == "positive-real-ids" else None)
            strategy = operation.as_strategy(generation_mode=generation,
                                             path_parameters=path_parameters or None)

            def run(auth: dict[str, str], strategy: Any = strategy) -> None:
                @given(case=strategy)
                @settings(max_examples=EXAMPLES, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), derandomize=True)
                def check(case: Any) -> None:
                    case.call_and_validate(headers={**(case.headers or {}), **auth},
                                           excluded_checks=[positive_data_acceptance])

                check()

            try:
                run(headers)
            except Exception as exc:  # collect every operation's failure, then report
                failures.append(f"{method} {path}: {str(exc)[:1500]}")
        assert operations == len(MATRIX), "every operation of the schema was exercised"
        assert not failures, "\n\n".join(failures)
