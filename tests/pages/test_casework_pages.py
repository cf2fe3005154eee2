"""Finding a case and the worklists on the pages (issue 17), and the case number on the
case page, the waiting list and the letters (issue 18): an identity number typed into the
search is posted, never put in an address, a redirect or a log record."""

from __future__ import annotations

import logging

import pytest

from application.service import AllocationService
from tests.builders import MUNICIPALITY as M
from tests.builders import person_number, waiting_case
from tests.pages.conftest import Browser
from tests.pages.test_right_by_law import UUID_TEXT, visible


def test_search_by_identity_number_is_posted_and_leaves_it_nowhere(
        service: AllocationService, handler: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    number = person_number()
    case_id = service.receive_application(M, identity_number=number, name="Åse Søkbar")
    with caplog.at_level(logging.DEBUG):
        found = handler.post_form("/sok", "/sok", {"sok": number})
    assert found.status_code == 200  # the results themselves: no redirect, no URL
    assert f'<a href="/klage/saker/{case_id}">Åse Søkbar</a>' in found.text
    assert number not in found.text and "2026/0001" in found.text
    assert number not in str(found.url)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert number not in logged


def test_search_by_name_and_case_number_and_bad_input(service: AllocationService,
                                                     officer: Browser) -> None:
    case_id = service.receive_application(M, identity_number=person_number(),
                                          name="Kari Nordmann")
    by_name = officer.post_form("/sok", "/sok", {"sok": "nordmann"})
    assert f'<a href="/saker/{case_id}">Kari Nordmann</a>' in by_name.text
    by_number = officer.post_form("/sok", "/sok", {"sok": "2026/1"})
    assert "Kari Nordmann" in by_number.text
    none = officer.post_form("/sok", "/sok", {"sok": "Ingen Slik"})
    assert "Ingen saker passer med søket." in none.text
    bad = officer.post_form("/sok", "/sok", {"sok": "12345678901"})
    assert bad.status_code == 422 and "Sjekk fødselsnummeret" in bad.text
    assert "12345678901" not in bad.text
    short = officer.post_form("/sok", "/sok", {"sok": "12345"})
    assert short.status_code == 422 and "11 siffer" in short.text
    empty = officer.post_form("/sok", "/sok", {"sok": ""})
    assert empty.status_code == 422


def test_r8_worklists_show_what_is_missing_with_case_numbers(service: AllocationService,
                                                            officer: Browser) -> None:
    case_id = service.receive_application(M, identity_number=person_number(),
                                          name="Under Utredning")
    overview = officer.get("/arbeidslister")
    assert overview.status_code == 200
    assert '<a href="/arbeidslister/utredning">Søknader under utredning</a>: 1' in overview.text
    assert 'href="/arbeidslister"' in officer.get("/venteliste").text  # in the navigation
    page = officer.get("/arbeidslister/utredning")
    assert f'<a href="/saker/{case_id}">Under Utredning</a>' in page.text
    assert "2026/0001" in page.text and "Mangler: brukerens egne opplysninger" in page.text
    assert "Viser 1–1 av 1" in page.text
    assert officer.get("/arbeidslister/ukjent").status_code == 404
    for slug in ("klar", "revurdering", "svar", "innflytting", "klager"):
        assert officer.get(f"/arbeidslister/{slug}").status_code == 200


def test_case_number_on_the_case_page_the_waiting_list_and_the_letter(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Nummer Vises")
    number = service.get_case(M, case_id).case_number
    assert number == "2026/0001"
    assert f"Saksnummer {number}" in officer.get(f"/saker/{case_id}").text
    assert number in officer.get("/venteliste").text
    decision = service.get_case(M, case_id).decisions[0].decision_id
    letter = officer.get(f"/vedtak/{case_id}/{decision}")
    assert f"Saksnummer: {number}" in letter.text
    assert not UUID_TEXT.search(visible(letter.text))  # ids only in links
