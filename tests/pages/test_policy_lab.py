"""«Hva om?»: management chooses scenarios, runs them in the background and compares the
measures side by side (issue 20). A tiny municipality for a few months, so it takes
seconds."""

from __future__ import annotations

import re
import time

import pytest

from tests.pages.conftest import Browser


def test_two_scenarios_run_in_the_background_and_compare_side_by_side(
        manager: Browser) -> None:
    page = manager.get("/ledelse/hva-om")
    assert page.status_code == 200 and "Hva om?" in page.text
    answer = manager.post_form("/ledelse/hva-om", "/ledelse/hva-om", {
        "plasser": "10", "ar": "0,25", "frø": "2",  # a decimal comma
        "a_navn": "Optimert", "a_metode": "optimizer", "a_hyppighet": "1",
        "a_garanti": "3", "b_navn": "Seks måneder", "b_metode": "greedy",
        "b_hyppighet": "7", "b_garanti": "6", "b_ekstra_screened": "2",
        "b_klage_avslag": "50", "b_klage_prioritet": "12,5", "b_endret_behov": "0"})
    assert answer.status_code == 303
    job_url = answer.headers["location"]
    for _ in range(240):
        page = manager.get(job_url)
        if "Simulerer" not in page.text:
            break
        assert 'http-equiv="refresh"' in page.text
        time.sleep(0.5)
    assert page.status_code == 200
    assert "Simuleringen stoppet" not in page.text, page.text
    assert "Fristbrudd per 100 vedtak" in page.text and "Seks måneder" in page.text
    assert page.text.count("<svg") == 3
    # moves (R28) and complaints (R21) have their sections; no interval below zero
    assert "Flytting av beboere" in page.text and "Klager på avslag" in page.text
    assert "Klager på prioriteringen" in page.text
    # the settings each scenario ran with, in per cent: A the defaults, B as typed
    cells = r"</th>\s*<td[^>]*>{}</td>\s*<td[^>]*>{}</td>"
    assert re.search("Avslag som påklages" + cells.format("10 %", "50 %"), page.text)
    assert re.search("Personer på ventelisten som klager på prioriteringen"
                     + cells.format("5 %", "12,5 %"), page.text)
    assert "(-" not in page.text and "0,25 år" in page.text
    assert "R18" not in page.text  # no rule codes shown to users


def test_a_bad_value_is_refused_beside_its_scenario(manager: Browser) -> None:
    answer = manager.post_form("/ledelse/hva-om", "/ledelse/hva-om", {
        "plasser": "10", "ar": "1", "frø": "1", "a_navn": "A", "a_metode": "optimizer",
        "a_garanti": "13"})
    assert answer.status_code == 422
    assert "Scenario A: ugyldig verdi" in answer.text


@pytest.mark.parametrize(("field", "value"), [("klage_avslag", "150"),
                                              ("klage_prioritet", "mange"),
                                              ("endret_behov", "-5")])
def test_a_bad_share_is_refused_naming_its_field(manager: Browser, field: str,
                                                 value: str) -> None:
    answer = manager.post_form("/ledelse/hva-om", "/ledelse/hva-om", {
        "plasser": "10", "ar": "1", "frø": "1", "a_navn": "A", "a_metode": "optimizer",
        f"a_{field}": value})
    assert answer.status_code == 422
    assert f'id="lab-a_{field}-feil"' in answer.text, "the error beside its field"
    assert "Scenario A: ugyldig verdi" in answer.text


def test_the_lab_is_for_management_only(officer: Browser) -> None:
    assert officer.get("/ledelse/hva-om").status_code == 403
