"""Schemathesis driven operation by operation over the app (the suite's quick run,
``tests/api/test_schema_fuzz.py``, and the long one, ``bench/schema_fuzz.py``).

For every operation of the OpenAPI schema, generated requests — valid by the schema with
random ids (``positive``), valid with the ids of real objects so the domain sees them
(``positive-real-ids``), and invalid by the schema (``negative``) — are sent as a role the
operation admits, and every answer is checked.

**The checks.** Every built-in check of schemathesis runs — no 500, the status code, the
content type, the body and the headers conform to the schema, negative data is rejected,
``Allow`` on 405, and so on — with one refinement of "positive data is accepted"
(``positive_data_acceptance``). A request the schema calls valid may still be refused by
the regulation's rules: an identity number whose check digits are wrong, a decision
without § 2-2's documentation, an offer of a place that is taken. JSON Schema cannot say
those, so such a refusal (422 with the rule's or the field's own error) is expected; what
is *not* allowed is a 422 for the request's shape (``invalid_request``: the service's own
request validation disagreeing with the schema it publishes). The check
:func:`positive_data_refused_only_by_a_rule` holds that, and ``positive_data_acceptance``
runs with 422 among its expected statuses.

(Driven with Hypothesis rather than ``schema.parametrize()``: the lazy pytest loader of
this schemathesis version does not work with pytest 9.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
    PositiveDataAcceptanceConfig,
)

from api.auth import Role
from tests.api.story import ok, place, waiting_case
from tests.api.test_matrix import MATRIX

MODES = ("positive", "positive-real-ids", "negative")
Headers = Callable[..., dict[str, str]]


class ShapeRefused(AssertionError):
    """A request the schema calls valid was refused for its shape."""


@schemathesis.check
def positive_data_refused_only_by_a_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request is never refused as malformed (``invalid_request``): only a
    rule of the domain may refuse it, naming the rule or the field."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        body = response.json()
    except ValueError:
        raise ShapeRefused("a 422 without a JSON error body") from None
    if body.get("code") == "invalid_request":
        raise ShapeRefused(
            f"valid by the schema, refused as malformed: {body.get('message')} "
            f"(field {body.get('field')!r})")
    if not (body.get("rule") or body.get("field") or body.get("missing")):
        raise ShapeRefused(f"a refusal that names no rule and no field: {body}")
    return None


def role_for(method: str, path: str) -> Role:
    roles = MATRIX[(method, path)].roles
    return Role.ALLOCATION_OFFICER if Role.ALLOCATION_OFFICER in roles else sorted(roles)[0]


def real_ids(c: TestClient, tokens: Headers) -> dict[str, str]:
    """One real object of each kind a path names (a case, a place, a run, an offer, an
    other provider's offer, a complaint)."""
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


def fuzz(app: FastAPI, tokens: Headers, mode: str, examples: int, *,
         every_check: bool = True, seed: int | None = None) -> tuple[int, list[str]]:
    """Run ``examples`` generated requests per operation in ``mode``; returns how many
    operations were exercised and the failures, one text per failing operation.
    ``every_check=False`` leaves ``positive_data_acceptance`` and its refinement out."""
    with TestClient(app) as c:
        ids = real_ids(c, tokens)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        # the harness sends each request with a real token (below): a case made "invalid"
        # by a missing or bad Authorization header would be sent valid, so none is generated
        schema.config.generation.update(with_security_parameters=False)
        schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
            expected_statuses=[*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"])
        generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            method, path = operation.method.upper(), operation.path
            headers = tokens(role_for(method, path))
            names = [p.name for p in operation.path_parameters]
            path_parameters = ({n: ids[n] for n in names if n in ids}
                               if mode == "positive-real-ids" else None)
            strategy = operation.as_strategy(generation_mode=generation,
                                             path_parameters=path_parameters or None)
            validate: dict[str, Any] = (
                {"additional_checks": [positive_data_refused_only_by_a_rule]} if every_check
                else {"excluded_checks": [_positive_data_acceptance()]})

            def run(auth: dict[str, str], strategy: Any = strategy,
                    validate: dict[str, Any] = validate) -> None:
                @given(case=strategy)
                @settings(max_examples=examples, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), derandomize=seed is None)
                def check(case: Any) -> None:
                    case.call_and_validate(headers={**(case.headers or {}), **auth},
                                           **validate)

                if seed is not None:
                    from hypothesis import seed as with_seed

                    check = with_seed(seed)(check)
                check()

            try:
                run(headers)
            except Unsatisfiable:
                # an operation whose only input is the token has no invalid input to send
                # (the token is the harness's): nothing to check in the negative mode
                if mode != "negative" or operation.query or operation.path_parameters or \
                        operation.body or operation.headers:
                    failures.append(f"{method} {path}: no input could be generated")
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, then report
                failures.append(f"{method} {path}: {str(exc)[:1500]}")
        return operations, failures


def _positive_data_acceptance() -> Any:
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    return positive_data_acceptance
