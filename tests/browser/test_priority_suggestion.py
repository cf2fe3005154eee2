"""R16, R17 through a real browser (Chromium, headless): the score the municipality's policy
suggests shows beside the score field while the assessor fills in the factors, before
anything is saved. On a fresh store of its own (not the demo), with one waiting case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import PolicySettings
from tests.browser.conftest import Server, screenshot, serve, sign_in
from tests.builders import MUNICIPALITY as M
from tests.builders import START, waiting_case
from tests.conftest import sqlite_env


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Server, UUID, AllocationService]]:
    folder = tmp_path_factory.mktemp("suggestion")
    service = AllocationService(env=sqlite_env(folder / "events.sqlite"),
                                clock=ManualClock(START))
    case_id = waiting_case(service, name="Berit Forslag")
    try:
        with serve(service, folder) as running:
            yield running, case_id, service
    finally:
        service.close()


def test_r16_suggestion_shown_while_filling_in(
        page: Page, fresh: tuple[Server, UUID, AllocationService]) -> None:
    server, case_id, service = fresh
    policy = PolicySettings()  # the regulation's defaults: the municipality set no other
    sign_in(page, server, "saksbehandler")
    expect(page).to_have_url(re.compile(r"/venteliste$"))  # signed in
    page.goto(f"{server.url}/saker/{case_id}")
    page.locator("#skjema-priority summary").click()
    suggestion = page.locator("#priority-suggestion")
    expect(suggestion).to_be_empty()  # nothing until a factor is scored

    page.select_option("#priority-factor_function", "3")
    plain = policy.suggested_need_score({"function": 3})
    expect(suggestion).to_have_text(f"Forslag etter retningslinjene: {plain}")

    page.select_option("#priority-factor_end_of_life", "2")
    special = policy.suggested_need_score({"function": 3, "end_of_life": 2})
    assert special > plain
    expect(suggestion).to_have_text(f"Forslag etter retningslinjene: {special} (særlig vekt)")
    expect(suggestion).to_be_visible()
    screenshot(page, "r16-forslag-mens-faktorene-fylles-inn")

    # Nothing is saved by asking; the score is the assessor's own.
    assert service.get_case(M, case_id).priority is None
    page.fill("#priority-need_score", str(special))
    page.get_by_role("button", name="Lagre vurderingen").click()
    expect(page.get_by_role("status")).to_contain_text("Lagret.")
    assessment = service.get_case(M, case_id).priority
    assert assessment is not None and assessment.need_score == special
    assert assessment.suggested_score == special
