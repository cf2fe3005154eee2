"""«Hva om?»: management chooses scenarios, runs them in the background and compares the
measures side by side (issue 20). A tiny municipality for a few months, so it takes
seconds."""

from __future__ import annotations

import re
import time

import pytest

from api.deps import Runtime
from application.service import AllocationService
from domain.values import PlaceType, RoomKind
from tests.builders import MUNICIPALITY, place
from tests.pages.conftest import Browser, caught_up


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


def _run(manager: Browser, data: dict[str, str]) -> str:
    answer = manager.post_form("/ledelse/hva-om", "/ledelse/hva-om", data)
    assert answer.status_code == 303, answer.text
    for _ in range(240):
        page = manager.get(answer.headers["location"])
        if "Simulerer" not in page.text:
            return str(page.text)
        time.sleep(0.5)
    raise AssertionError("the simulation did not finish")


def test_r13_the_scenarios_start_from_the_municipalitys_own_places_and_policy(
        manager: Browser, service: AllocationService, runtime: Runtime) -> None:
    """«Kommunens egne tall»: the page shows the municipality's beds by type and its policy
    in force, says which figures are published ones and why, and a run from them has the
    municipality's places; the published profile stays a choice."""
    for place_type, n in ((PlaceType.ORDINARY, 6), (PlaceType.SCREENED, 3)):
        for _ in range(n):
            place(service, place_type=place_type)
    place(service, room_kind=RoomKind.DOUBLE)
    service.set_policy(MUNICIPALITY, issued_by="Kommunedirektøren", reason="Vedtatt",
                       guarantee_months=4, free_choice=True)
    caught_up(runtime)
    page = manager.get("/ledelse/hva-om")
    assert "Kommunens egne tall" in page.text
    assert "11 (8 ordinære, 3 skjermede, 0 forsterkede)" in page.text
    assert "ingen innleggelser de siste tolv månedene" in page.text
    assert "ventelistegaranti 4 måneder, fritt valg ja" in page.text
    assert re.search(r'name="a_garanti" value="4"', page.text), "the policy in force"
    assert re.search(r'name="a_fritt_valg" value="ja"[^>]*checked', page.text)
    assert re.search(r'value="egne"[^>]*checked', page.text), "own figures by default"
    result = _run(manager, {"grunnlag": "egne", "plasser": "500", "ar": "0,25", "frø": "1",
                            "a_navn": "Egne", "a_metode": "optimizer", "a_garanti": "4",
                            "b_navn": ""})
    assert "Simuleringen stoppet" not in result, result
    assert "Grunnlag: kommunens egne tall" in result
    assert re.search(r"Langtidsplasser</th>\s*<td[^>]*>8 ordinære, 3 skjermede</td>", result)
    assert re.search(r"Ventelistegaranti</th>\s*<td[^>]*>4 måneder</td>", result)
    published = _run(manager, {"grunnlag": "profil", "plasser": "10", "ar": "0,25",
                               "frø": "1", "a_navn": "Profil", "a_metode": "optimizer",
                               "b_navn": ""})
    assert "Grunnlag: standardprofilen" in published
    assert re.search(r"Langtidsplasser</th>\s*<td[^>]*>6 ordinære, 4 skjermede</td>",
                     published)


def test_own_figures_are_refused_without_an_open_place(manager: Browser) -> None:
    page = manager.get("/ledelse/hva-om")
    assert "Kommunens egne tall" not in page.text  # nothing to start from
    answer = manager.post_form("/ledelse/hva-om", "/ledelse/hva-om", {
        "grunnlag": "egne", "plasser": "10", "ar": "1", "frø": "1", "a_navn": "A"})
    assert answer.status_code == 422
    assert "ingen åpne langtidsplasser" in answer.text
