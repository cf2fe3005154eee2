"""The server's periodic deadline check (R18) finds the waiting cases in its read models, not
by scanning the event log, and records a breach of a case decided before the server
started."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalIssuer
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from domain.case import Case
from tests.builders import waiting_case


def test_r18_the_periodic_check_reads_the_waiting_cases_from_the_read_side(
        api_settings: ApiSettings, service: AllocationService, issuer: LocalIssuer,
        clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = waiting_case(service, name="Marit Vik")
    clock.advance(days=100)  # past the deadline (§ 3-4: three calendar months)

    def no_log_scan(topics: list[str]) -> Any:
        raise AssertionError("the deadline check scanned the event log")

    monkeypatch.setattr(service, "_ids_with_topics", no_log_scan)
    settings = api_settings.model_copy(update={"deadline_check_interval_s": 0.05})
    app = create_app(settings, service=service, issuer=issuer)
    rt = app.state.runtime
    assert service.waiting_cases is rt.read
    with TestClient(app):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            case = service.repository.get(case_id)
            assert isinstance(case, Case)
            if case.breached_on is not None:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the periodic check recorded no breach within 10 s")
    assert service.check_deadlines() == []  # recorded once
