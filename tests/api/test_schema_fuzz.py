"""Schemathesis against the generated OpenAPI schema, every check (``tests/api/fuzzing.py``
says which and how "positive data is accepted" is read): for every operation, generated
requests valid by the schema with random ids, valid with the ids of real objects, and
invalid by the schema never get a 500, every answer conforms to the schema, and a request
the schema calls valid is refused only by a rule of the domain. Bounded to a few examples
per operation so the run stays well under a minute; ``bench/schema_fuzz.py`` is the long
run, on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.api.fuzzing import MODES, fuzz
from tests.api.test_matrix import MATRIX

EXAMPLES = 5


@pytest.mark.parametrize("mode", MODES)
def test_no_500_and_answers_conform_to_the_schema(
        mode: str, api_settings: Any, sqlite_service: AllocationService, issuer: Any,
        tokens: Tokens) -> None:
    app = make_app(api_settings, sqlite_service, issuer)
    operations, failures = fuzz(app, tokens, mode, EXAMPLES)
    assert operations == len(MATRIX), "every operation of the schema was exercised"
    assert not failures, "\n\n".join(failures)
