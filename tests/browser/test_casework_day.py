"""Issue 17: a day's work per role through a real browser, without typing an id. The server
runs over its own copy of the demo (these stories write), with its access log in a file."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from application.clock import ManualClock
from application.service import AllocationService
from tests.browser.conftest import Server, screenshot, serve, sign_in
from tests.builders import person_number
from tests.conftest import sqlite_env
from tests.pages.demo import DEMO_NOW, demo_store


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path_factory.mktemp("browser-day")
    store = demo_store(tmp_path_factory, folder / "events.sqlite")
    access_log = folder / "access.log"
    handler = logging.FileHandler(access_log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("uvicorn.access")
    level = access.level
    service = AllocationService(env=sqlite_env(store), clock=ManualClock(DEMO_NOW))
    try:
        with serve(service, folder) as running:
            # after the start: uvicorn configures its loggers (handlers, level) as it starts
            access.addHandler(handler)
            access.setLevel(logging.INFO)
            yield running, access_log
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
        handler.close()
        service.close()


def _register(page: Page, url: str, name: str, number: str) -> None:
    page.goto(f"{url}/saker/ny")
    page.fill("#apply-identity_number", number)
    page.fill("#apply-name", name)
    page.select_option("#apply-channel", "digital")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Registrer")).click()
    expect(page.locator("h1")).to_have_text(name)


def _save(page: Page, form: str, fields: dict[str, str], button: str = "Lagre") -> None:
    details = page.locator(f"#skjema-{form}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in fields.items():
        field = page.locator(f"#{form}-{selector}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        details.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".error-summary")).to_have_count(0)


def test_a_case_worker_does_the_day_without_typing_an_id(
        page: Page, day: tuple[Server, Path]) -> None:
    server, _ = day
    url = server.url
    sign_in(page, server, "saksbehandler")
    page.wait_for_url(re.compile(r"/venteliste$"))
    _register(page, url, "Bernt Nyland", person_number())  # the spouse first
    _register(page, url, "Berit Nyland", person_number())

    # she leaves, and finds the application again by name in the worklist
    page.get_by_role("link", name="Venteliste", exact=True).click()
    page.goto(f"{url}/arbeidslister")
    page.get_by_role("link", name="Søknader under utredning").click()
    while not page.get_by_role("link", name="Berit Nyland", exact=True).count():
        page.get_by_role("link", name=re.compile("Neste")).first.click()
    page.get_by_role("link", name="Berit Nyland", exact=True).click()
    expect(page.locator("h1")).to_have_text("Berit Nyland")

    _save(page, "own_account", {"what_matters": "Å bo sammen med Bernt"})
    _save(page, "relatives", {"name": "Nils Nyland", "relation": "sønn",
                              "information": "Mor faller om natten"})
    _save(page, "medical", {"source": "gp", "summary": "Hjertesvikt og fallrisiko"})
    _save(page, "leon", {"leon_extended_home_services": "tried",
                         "leon_extended_home_services_outcome": "ikke nok"})
    expect(page.locator('article[data-kind="relatives"]')).to_contain_text("Mor faller om natten")
    expect(page.locator('article[data-kind="medical"]')).to_contain_text("Fastlege")

    # the spouse linked by searching for his case
    _save(page, "spouse", {"spouse_search": "Bernt Nyland"}, button="Søk")
    page.get_by_label(re.compile("Bernt Nyland — saksnummer")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Koble sakene").click()
    expect(page.get_by_role("link", name="Bernt Nyland")).to_be_visible()

    if page.locator("#skjema-decide").get_attribute("open") is None:
        page.locator("#skjema-decide summary").click()
    page.locator("#decide-kind-1").check()  # waiting list
    page.select_option("#decide-place_type", "ordinary")
    page.locator("#decide-safe_at_home-1").check()
    page.fill("#decide-grounds", "Varig behov for heldøgns omsorg")
    page.fill("#decide-service_1", "hjemmesykepleie")
    page.fill("#decide-extent_1", "tre besøk daglig")
    with page.expect_navigation():
        page.get_by_role("button", name="Fatt vedtak", exact=True).click()
    expect(page.locator("#vedtak ~ .table-wrap").first).to_contain_text("Vedtak om venteliste")
    screenshot(page, "dag-saksbehandler-sak")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Vedtaksbrev")).first.click()
    expect(page.locator("main")).to_contain_text("Berit Nyland")

    # the allocation: two proposals approved in a row, each time back at its card
    page.goto(f"{url}/tildeling")
    with page.expect_navigation():
        page.get_by_role("button", name="Kjør tildeling", exact=True).click()
    confirm = page.get_by_role("button", name="Kjør tildelingen likevel")
    if confirm.count():
        with page.expect_navigation():
            confirm.click()
    cards = page.locator("section.proposal")
    assert cards.count() >= 2
    approved = []
    for _ in range(2):
        card = page.locator("section.proposal:has(button:has-text('Godkjenn tilbudet'))").nth(1)
        card_id = card.get_attribute("id") or ""
        with page.expect_navigation():
            card.get_by_role("button", name=re.compile("Godkjenn tilbudet")).click()
        assert page.url.endswith(f"#{card_id}")
        expect(page.locator(f"#{card_id} .item-status")).to_have_text("godkjent")
        assert page.evaluate("window.scrollY") > 0  # not thrown back to the top
        top = page.evaluate(f"document.getElementById('{card_id}').getBoundingClientRect().top")
        assert abs(top) < 200, top
        approved.append(card_id.removeprefix("forslag-"))
    screenshot(page, "dag-saksbehandler-forslag")

    # the letters of an approved offer
    page.goto(f"{url}/saker/{approved[0]}")
    page.get_by_role("link", name=re.compile("^Tilbudsbrev")).first.click()
    expect(page.locator("main")).to_contain_text("Tilbud om langtidsopphold")
    screenshot(page, "dag-saksbehandler-tilbudsbrev")


def test_a_manager_reads_the_vacancy_board_and_downloads_it(
        page: Page, day: tuple[Server, Path]) -> None:
    server, _ = day
    sign_in(page, server, "leder")
    page.wait_for_url(re.compile(r"/ledelse/frister$"))
    page.get_by_role("link", name="Ledige plasser", exact=True).click()
    expect(page.locator("h1")).to_have_text("Ledige plasser")
    expect(page.locator("form[action='/ledige-plasser/plass']")).to_have_count(0)
    screenshot(page, "dag-leder-ledige-plasser")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("institusjon;avdeling;rom;plasstype")
    page.get_by_role("link", name="Statistikk").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned CSV").click()
    stats = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert stats.startswith("måned;plasstype;på venteliste ved månedsslutt")


def test_a_complaint_handler_finds_a_case_by_identity_number_and_the_log_holds_none(
        page: Page, day: tuple[Server, Path]) -> None:
    server, access_log = day
    number = person_number()
    service_case = server.runtime.service.receive_application(
        "4601", identity_number=number, name="Klara Klagesak")
    server.runtime.read.wait_for(server.runtime.service.recorder.max_notification_id(),
                                 timeout=30)
    sign_in(page, server, "klagebehandler")
    page.wait_for_url(re.compile(r"/klage$"))
    page.goto(f"{server.url}/sok")
    page.fill("#sok-sok", number)
    with page.expect_navigation():
        page.get_by_role("button", name="Søk", exact=True).click()
    assert number not in page.url
    page.get_by_role("link", name="Klara Klagesak").click()
    expect(page.locator("h1")).to_contain_text("Klara Klagesak")
    assert str(service_case) in page.url and number not in page.url
    screenshot(page, "dag-klagebehandler-sak")
    for handler in logging.getLogger("uvicorn.access").handlers:
        handler.flush()
    log = access_log.read_text(encoding="utf-8")
    assert "POST /sok" in log  # the log is written …
    assert number not in log and number[:6] not in log  # … and holds no identity number
    assert "*" * 11 not in log  # nothing even had to be masked: it was never in a URL
