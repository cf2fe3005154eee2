"""Two officers with the same case page open: each case form carries the version of the case
it was drawn from; a form drawn before someone else's change is not saved, and the page is
drawn again as the case is now, with what was typed and a message in Norwegian."""

from __future__ import annotations

import re
from uuid import UUID

from fastapi.testclient import TestClient

from application.service import AllocationService
from tests.builders import MUNICIPALITY as M
from tests.builders import document, person_number
from tests.pages.conftest import Browser

STALE = "Saken er endret av noen andre siden du åpnet den"
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')

GRANT = {"kind": "grant", "place_type": "ordinary", "safe_at_home": "nei",
         "grounds": "Kan ikke lenger bo trygt hjemme", "decided_by": "Kari Nordmann"}
REJECT = {"kind": "rejection", "grounds": "Kan bo hjemme med mer hjelp",
          "decided_by": "Ola Olsen"}


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action``, as a browser sends them."""
    start = html.index(f'action="{action}"')
    form = html[start:html.index("</form>", start)]
    return dict(HIDDEN.findall(form))


def submit(browser: Browser, page_html: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return browser.client.post(action, data={**hidden_fields(page_html, action), **data},
                               follow_redirects=False)


def ready_case(service: AllocationService) -> UUID:
    """A documented case, ready for a decision."""
    case_id = service.receive_application(M, identity_number=person_number(),
                                          name="Åse Samtidig")
    document(service, case_id)
    return case_id


def second_officer(app_client: TestClient) -> Browser:
    other = Browser(TestClient(app_client.app))
    other.sign_in("saksbehandler")
    return other


def test_every_case_form_carries_the_version_it_was_drawn_from(
        service: AllocationService, officer: Browser) -> None:
    case_id = ready_case(service)
    page = officer.get(f"/saker/{case_id}").text
    forms = re.findall(r'<form method="post" action="(/saker/[^"]+)"', page)
    assert len(forms) >= 10
    version = str(service.get_case(M, case_id).version)
    for action in forms:
        assert hidden_fields(page, action)["case_version"] == version, action


def test_two_officers_deciding_at_once_the_second_form_is_drawn_again(
        service: AllocationService, officer: Browser, app_client: TestClient) -> None:
    case_id = ready_case(service)
    url, action = f"/saker/{case_id}", f"/saker/{case_id}/vedtak"
    other = second_officer(app_client)
    kari_page, ola_page = officer.get(url).text, other.get(url).text

    first = submit(officer, kari_page, action, GRANT)
    assert first.status_code == 303, first.text[:2000]
    after = service.get_case(M, case_id)
    assert after.status.value == "granted"

    second = submit(other, ola_page, action, REJECT)
    assert second.status_code == 409
    assert STALE in second.text
    assert "Kan bo hjemme med mer hjelp" in second.text  # what was typed is kept
    now = service.get_case(M, case_id)
    assert now.version == after.version  # nothing written
    assert [d.kind for d in now.decisions] == ["grant"]
    # drawn again as the case is now: the form carries the new version
    assert hidden_fields(second.text, action)["case_version"] == str(now.version)
    # sent again from the page drawn anew, it is saved
    again = submit(other, second.text, action, REJECT)
    assert again.status_code == 303, again.text[:2000]
    assert [d.kind for d in service.get_case(M, case_id).decisions] == ["grant", "rejection"]


def test_a_stale_form_is_refused_before_its_own_checks(
        service: AllocationService, officer: Browser, app_client: TestClient) -> None:
    """Stale and incomplete: the stale message comes first, so a corrected form is not
    sent on without the officer having seen the other's change."""
    case_id = ready_case(service)
    url = f"/saker/{case_id}"
    other = second_officer(app_client)
    stale_page = other.get(url).text
    officer.post_form(url, f"{url}/egne-opplysninger",
                      {"what_matters": "Å bo nær datteren", "account": "Faller om natten"})
    version = service.get_case(M, case_id).version
    answer = submit(other, stale_page, f"{url}/parorende",
                    {"name": "Kari Berg", "relation": "", "information": ""})
    assert answer.status_code == 409
    assert STALE in answer.text
    assert 'value="Kari Berg"' in answer.text
    assert service.get_case(M, case_id).version == version


def test_a_double_submit_of_a_saved_form_is_not_stale(
        service: AllocationService, officer: Browser) -> None:
    case_id = ready_case(service)
    url, action = f"/saker/{case_id}", f"/saker/{case_id}/vedtak"
    page = officer.get(url).text
    assert submit(officer, page, action, GRANT).status_code == 303
    version = service.get_case(M, case_id).version
    again = submit(officer, page, action, GRANT)  # the same command id, the old version
    assert again.status_code == 303, again.text[:2000]
    assert STALE not in again.text
    assert service.get_case(M, case_id).version == version  # written once


def test_a_form_without_a_version_is_not_conditional(
        service: AllocationService, officer: Browser, app_client: TestClient) -> None:
    case_id = ready_case(service)
    url, action = f"/saker/{case_id}", f"/saker/{case_id}/vedtak"
    page = officer.get(url).text
    officer.post_form(url, f"{url}/egne-opplysninger",
                      {"what_matters": "Trygghet", "account": "Redd om natten"})
    fields = hidden_fields(page, action)
    del fields["case_version"]
    answer = officer.client.post(action, data={**fields, **GRANT}, follow_redirects=False)
    assert answer.status_code == 303
