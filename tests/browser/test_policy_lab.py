"""Issue 20: a manager compares two scenarios in «Hva om?» through a real browser — the menu,
the form, the run in the background with its progress, and the result side by side with
confidence intervals, in Norwegian. A small municipality over a year and two runs per
scenario, so it takes seconds. The simulation runs on a store of its own and reads nothing
of the municipality's, so the server here has an empty store (no demo to seed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from api.pages.policy_lab import METHOD_WORDS
from application.clock import ManualClock
from application.service import AllocationService
from tests.browser.conftest import Server, screenshot, serve, sign_in
from tests.conftest import sqlite_env
from tests.pages.demo import DEMO_NOW

#: a number, and its 95 % interval in brackets, the Norwegian way: «12,3 (4,5 – 20,1)»
_CELL_WITH_INTERVAL = re.compile(r"^[\d ]+,\d \([\d ]+,\d – [\d ]+,\d\)$")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser-lab")
    service = AllocationService(env=sqlite_env(folder / "events.sqlite"),
                                clock=ManualClock(DEMO_NOW))
    try:
        with serve(service, folder) as running:
            yield running
    finally:
        service.close()


def test_a_manager_compares_two_scenarios_side_by_side(page: Page, lab: Server) -> None:
    sign_in(page, lab, "leder")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Hva om?").click()
    expect(page.locator("h1")).to_have_text("Hva om?")

    page.get_by_label("Langtidsplasser i kommunen").fill("20")
    page.get_by_label("År som simuleres").fill("1")
    page.get_by_label("Kjøringer per scenario").fill("2")
    page.get_by_label("Navn, scenario A").fill("Som i dag")
    page.get_by_label("Tildelingsmåte, scenario A").select_option(label=METHOD_WORDS["optimizer"])
    page.get_by_label("Navn, scenario B").fill("Fire nye skjermede plasser")
    page.get_by_label("Tildelingsmåte, scenario B").select_option(label=METHOD_WORDS["optimizer"])
    page.get_by_label("Nye skjermede plasser, scenario B").fill("4")
    screenshot(page, "hva-om-skjema")
    with page.expect_navigation():
        page.get_by_role("button", name="Kjør simuleringen").click()
    expect(page).to_have_url(re.compile(r"/ledelse/hva-om/[0-9a-f]{32}$"))

    # the run goes on in the background; the page shows its progress and refreshes itself
    expect(page.get_by_role("status")).to_contain_text("Simulerer")
    screenshot(page, "hva-om-fremdrift")
    table = page.locator("#sammenligning")
    expect(table).to_be_visible(timeout=45_000)
    expect(page.locator(".error-summary")).to_have_count(0)

    heads = table.locator("thead th")
    expect(heads.nth(1)).to_have_text("Som i dag")
    expect(heads.nth(2)).to_have_text("Fire nye skjermede plasser")
    expect(table.locator("caption")).to_contain_text("95 % konfidensintervall")
    # what each scenario is, then the measures by section, side by side
    places = table.locator("tr", has=page.get_by_role("rowheader", name="Langtidsplasser"))
    expect(places.locator("td").nth(1)).to_contain_text("11 skjermede")  # 7 + 4 new
    for section in ("Ventetid", "Fristbrudd og kjøpte plasser", "Flytting av beboere",
                    "Klager på avslag", "Belegg"):
        expect(table.locator("tr.group th", has_text=section)).to_have_count(1)
    for measure in ("Fristbrudd per 100 vedtak", "Ventetid vedtak → innflytting, median (dager)",
                    "Flyttinger av beboere til annen plass", "Klager på avslag",
                    "Avslag stadfestet av Statsforvalteren", "Belegg, skjermede plasser"):
        row = table.locator("tr", has=page.get_by_role("rowheader", name=measure, exact=True))
        expect(row.locator("td")).to_have_count(2)
    # a measure every run gives, and that differs between runs: means with intervals
    admissions = table.locator("tr", has=page.get_by_role("rowheader", name="Innflyttinger",
                                                          exact=True))
    for text in admissions.locator("td").all_inner_texts():
        assert _CELL_WITH_INTERVAL.match(text.strip()), text
    expect(page.locator("figure.chart svg")).to_have_count(3)
    body = page.locator("main").inner_text()
    assert not re.search(r"\bR\d{1,2}\b|optimizer|greedy|fcfs|_|\(-", body), body
    screenshot(page, "hva-om-resultat")
