"""R21 on the pages: the complaint handler records an outcome that changes a decision with
the new decision in the same form, sees the outcome's kind in the list; the case worker sees
the complaints on the case page and makes the new decision after a quash, linked to the
complaint; and the letter on the outcome says what a lawyer expects, on the page and in the
PDF (its text read back with pypdf)."""

from __future__ import annotations

import re
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import MUNICIPALITY as M
from tests.builders import waiting_case
from tests.pages.conftest import Browser
from tests.pages.test_letters import REGULATION, pdf_text, words
from tests.pages.test_right_by_law import RULE_CODE, visible

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: What every letter on a complaint's outcome says.
LETTER_ELEMENTS = (
    "Bergen kommune", "Etat for tjenestetildeling", "Saksnummer:",
    "Klagen kom inn 09.03.2026",
    "Klagen gjaldt: Jeg trenger skjermet plass",
    "pasient- og brukerrettighetsloven § 7-2",
    "(forvaltningsloven § 18)",
)
CHANGED_BY_STATE_ADMINISTRATOR = (
    "Svar på klage — vedtaket er endret",
    "Kopi til: Advokat Berg (advokat eller annen fullmektig), som klaget på dine vegne",
    "Advokat Berg (advokat eller annen fullmektig) klaget på dine vegne på vedtak "
    "(vedtak om venteliste) av 02.03.2026",
    "Statsforvalteren i Vestland har behandlet klagen som klageinstans etter "
    "forvaltningsloven § 34 og endrer vedtaket",
    "Avgjørelsen er datert 16.03.2026",
    "Begrunnelse Demens er bekreftet; skjermet plass",
    "Nytt vedtak Vedtak om venteliste, skjermet plass, vedtaksdato 16.03.2026",
    "med ventelistedato 02.03.2026: venteperioden din fortsetter",
    "Ventelistegaranti: Du skal få tilbud om langtidsopphold senest 02.06.2026",
    "Vederlag: For langtidsopphold betaler du vederlag",
    "hjemmesykepleie: tre besøk daglig",
    "helse- og omsorgstjenesteloven § 3-2 a", "pasient- og brukerrettighetsloven § 2-1 e",
    REGULATION,
    "forvaltningsloven kapittel VI (§§ 33 og 34)",
    "er endelig og kan ikke påklages (forvaltningsloven § 28 tredje ledd)",
)


def to_state_administrator(service: AllocationService, handler: Browser, case_id: UUID
                           ) -> str:
    decision = service.get_case(M, case_id).decisions[0].decision_id
    case_url = f"/klage/saker/{case_id}"
    registered = handler.post_form(case_url, f"{case_url}/klage", {
        "subject": f"decision:{decision}", "received_on": "2026-03-09",
        "grounds": "Jeg trenger skjermet plass", "complainant_role": "lawyer",
        "complainant_name": "Advokat Berg"}, follow=True)
    assert registered.status_code == 200, registered.text[:2000]
    url = str(registered.url.path)
    assert "advokat eller annen fullmektig: Advokat Berg" in visible(registered.text)
    handler.post_form(url, f"{url}/ny-vurdering", {
        "upheld": "nei", "reasoning": "Ingen nye opplysninger", "decided_on": "2026-03-09",
        "decided_by": "Ingrid Berg"})
    handler.post_form(url, f"{url}/oversend", {"forwarded_on": "2026-03-10"})
    return url


def check(browser: Browser, url: str, elements: tuple[str, ...]) -> None:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    letter = words(visible(page.text[page.text.index('<article class="letter">'):]))
    pdf = browser.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    for text, where in ((letter, "page"), (pdf_text(pdf.content), "pdf")):
        missing = [e for e in elements if e not in text]
        assert not missing, (where, missing, text)
        assert not RULE_CODE.search(text), (where, text)
        # the case number in the head is the only id a reader sees
        assert len(UUID_TEXT.findall(text)) <= 1, (where, text)


def test_r21_r23_state_administrator_changes_the_decision_from_the_page_with_its_letter(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    handler = officer = browser
    browser.sign_in("klagebehandler")
    case_id = waiting_case(service, name="Klara Klager")
    clock.advance(days=14)  # 16 March
    url = to_state_administrator(service, handler, case_id)
    missing = handler.post_form(url, f"{url}/utfall", {
        "outcome": "changed", "decided_on": "2026-03-16", "summary": "x"})
    assert missing.status_code == 422
    assert "Når vedtaket endres, skal det nye vedtaket fylles ut" in visible(missing.text)
    assert len(service.get_case(M, case_id).decisions) == 1  # nothing written
    decided = handler.post_form(url, f"{url}/utfall", {
        "outcome": "changed", "decided_on": "2026-03-16",
        "summary": "Demens er bekreftet; skjermet plass", "new_kind": "waiting_list",
        "new_place_type": "screened", "new_grounds": "Skjermet plass etter klage",
        "new_service": "hjemmesykepleie", "new_extent": "tre besøk daglig"}, follow=True)
    assert decided.status_code == 200, decided.text[:3000]
    text = visible(decided.text)
    assert "Vedtaket er endret av Statsforvalteren; nytt vedtak er fattet i saken" in text
    case = service.get_case(M, case_id)
    assert case.current_decision.place_type.value == "screened"
    assert case.waiting_since.isoformat() == "2026-03-02"

    listed = visible(handler.get("/klage").text)
    assert "endret (Statsforvalteren)" in listed
    check(handler, f"{url}/brev", LETTER_ELEMENTS + CHANGED_BY_STATE_ADMINISTRATOR)
    browser.sign_in("saksbehandler")
    case_page = visible(officer.get(f"/saker/{case_id}").text)
    assert "Klager i saken" in case_page
    assert "vedtak: Advokat Berg" not in case_page  # the role reads in words
    assert "advokat eller annen fullmektig: Advokat Berg" in case_page
    assert "endret (Statsforvalteren)" in case_page
    assert "vedtak etter klage" in case_page
    waiting = visible(officer.get("/venteliste").text)
    assert "vedtak etter klage" in waiting
    check(officer, f"{url}/brev", LETTER_ELEMENTS + CHANGED_BY_STATE_ADMINISTRATOR)


def test_r21_a_quash_by_the_unit_then_the_case_workers_new_decision_names_the_complaint(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    handler = officer = browser
    browser.sign_in("klagebehandler")
    case_id = waiting_case(service, name="Olav Opphevet")
    clock.advance(days=7)
    decision = service.get_case(M, case_id).decisions[0].decision_id
    case_url = f"/klage/saker/{case_id}"
    registered = handler.post_form(case_url, f"{case_url}/klage", {
        "subject": f"decision:{decision}", "received_on": "2026-03-09",
        "grounds": "Jeg trenger skjermet plass"}, follow=True)
    url = str(registered.url.path)
    quashed = handler.post_form(url, f"{url}/ny-vurdering", {
        "upheld": "opphevet", "reasoning": "Demensutredningen mangler",
        "decided_on": "2026-03-09", "decided_by": "Ingrid Berg"}, follow=True)
    assert "Vedtaket er opphevet av tildelingsenheten; saken vurderes på nytt" in \
        visible(quashed.text)
    check(handler, f"{url}/brev", (
        *LETTER_ELEMENTS, "Svar på klage — vedtaket er opphevet",
        "Du klaget på vedtak (vedtak om venteliste) av 02.03.2026",
        "vurdert saken på nytt etter forvaltningsloven § 33 annet ledd og tar klagen til "
        "følge. Vedtaket oppheves, og saken vurderes på nytt",
        "Begrunnelse Demensutredningen mangler",
        "Hva skjer nå", "beholder du ventelistedatoen din fra før",
        "Når det nye vedtaket er fattet, kan du klage på det"))
    case_url = f"/saker/{case_id}"
    browser.sign_in("saksbehandler")
    page = officer.get(case_url).text
    assert "nytt vedtak er ikke fattet ennå" in visible(page)
    complaint_id = url.rsplit("/", 1)[1]
    made = officer.post_form(case_url, f"{case_url}/vedtak", {
        "complaint_id": complaint_id, "kind": "waiting_list", "place_type": "screened",
        "safe_at_home": "ja", "grounds": "Ny vurdering etter klage",
        "service_1": "hjemmesykepleie", "extent_1": "tre besøk daglig",
        "decided_on": "2026-03-09", "decided_by": "Saksbehandler"})
    assert made.status_code == 303, made.text[:3000]
    case = service.get_case(M, case_id)
    assert case.current_decision.complaint_id == UUID(complaint_id)
    assert case.waiting_since.isoformat() == "2026-03-02"
    assert "nytt vedtak er ikke fattet ennå" not in visible(officer.get(case_url).text)


def test_r21_no_letter_before_an_outcome(service: AllocationService, handler: Browser
                                         ) -> None:
    case_id = waiting_case(service)
    complaint_id = service.register_complaint(
        M, case_id, against="decision",
        subject_id=service.get_case(M, case_id).decisions[0].decision_id,
        received_on=service.get_case(M, case_id).received_on, grounds="Uenig",
        registered_by="x")
    assert handler.get(f"/klage/klager/{complaint_id}/brev").status_code == 404
