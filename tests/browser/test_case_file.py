"""R21 through a real browser (Chromium, headless) on the demo municipality: the complaint
handler forwards a complaint the unit did not uphold to Statsforvalteren, and downloads the
case file from the complaint's page — the PDF (its text read back) and the Noark 5 package
(its ``arkivstruktur.xml`` valid by the schema)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from uuid import UUID

from playwright.sync_api import Page, expect

from api.noark5.arkivstruktur import schema_errors
from domain.base import local_date
from tests.browser.conftest import Server, screenshot, sign_in
from tests.pages.test_letters import pdf_text, words

M = "4601"


def test_story_a_complaint_handler_forwards_a_complaint_and_downloads_the_case_file(
        page: Page, server: Server, tmp_path: Path) -> None:
    service = server.runtime.service
    # the person on the list decided last: their complaint is within the deadline (R14)
    case = max((service.get_case(M, UUID(e.case_id))
                for e in server.runtime.read.waiting_list(M)),
               key=lambda c: c.decisions[-1].decided_on)
    today = local_date(service.clock.now())
    complaint = service.register_complaint(
        M, case.id, against="decision", subject_id=case.decisions[-1].decision_id,
        received_on=today, grounds="Jeg ønsker plass nærmere datteren min",
        registered_by="Klagebehandler")
    service.record_reconsideration(M, complaint, upheld=False,
                                   reasoning="Ingen nye opplysninger i klagen",
                                   decided_by="Ingrid Berg", decided_on=today)

    sign_in(page, server, "klagebehandler")
    expect(page.locator("h1")).to_be_visible()  # signed in and home
    page.goto(f"{server.url}/klage/klager/{complaint}")
    expect(page.get_by_role("heading", name="Saksdokumenter til Statsforvalteren")
           ).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name="Registrer oversendelsen").click()
    section = page.locator("section[aria-labelledby=saksdokumenter]")
    expect(section).to_contain_text("Saksdokumenter til Statsforvalteren")
    screenshot(page, "story4-saksdokumenter")

    with page.expect_download() as pdf_download:
        section.get_by_role("link", name="Last ned PDF").click()
    pdf = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf)
    number = case.case_number
    assert pdf.name == f"saksdokumenter-{number.replace('/', '-')}.pdf"
    text = words(pdf_text(pdf.read_bytes()))
    for expected in (f"Saksnummer: {number}", "Til: Statsforvalteren i Vestland",
                     case.person.name, "Jeg ønsker plass nærmere datteren min",
                     "Ingen nye opplysninger i klagen", "Dokumentasjonen i saken",
                     "Sakens historikk"):
        assert expected in text, expected
    assert not re.search(r"\bR\d{1,2}\b", text)

    with page.expect_download() as zip_download:
        section.get_by_role("link", name="Last ned arkivpakke (Noark 5)").click()
    package = tmp_path / zip_download.value.suggested_filename
    zip_download.value.save_as(package)
    with zipfile.ZipFile(io.BytesIO(package.read_bytes())) as z:
        assert schema_errors(z.read("arkivstruktur.xml")) == []
        assert f"<mappeID>{number}</mappeID>".encode() in z.read("arkivstruktur.xml")

    actions = [e["action"] for e in server.runtime.read.access_log(M, case.id)]
    assert "read_case_file_pdf" in actions and "read_case_file_package" in actions
