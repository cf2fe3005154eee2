"""R14, R26: the letters say what the law asks, on the page and in the PDF rendered from the
same HTML (WeasyPrint; the text read back with pypdf): for a grant, a waiting-list decision,
a rejection and an offer, every required element is checked in both. And the case page's
form that records when and how a decision was sent and received."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from uuid import UUID

import pytest
from pypdf import PdfReader

from application.service import AllocationService
from domain.values import PlaceType
from tests.builders import INTERIM, START, document, person_number, place, waiting_case
from tests.builders import MUNICIPALITY as M
from tests.builders import OTHER_MUNICIPALITY as OSLO
from tests.pages.conftest import Browser
from tests.pages.test_right_by_law import RULE_CODE, visible

REGULATION = ("Kommunal forskrift om kriterier for langtidsopphold i sykehjem eller "
              "tilsvarende bolig særskilt tilrettelagt for heldøgns tjenester for Bergen "
              "kommune")

#: What every decision letter says (R14), in the words a reader finds.
DECISION_ELEMENTS = (
    "helse- og omsorgstjenesteloven § 3-2 a",  # the municipality's duty
    "pasient- og brukerrettighetsloven § 2-1 e",  # the person's right
    REGULATION,  # the regulation by its name
    "Du kan klage på vedtaket etter pasient- og brukerrettighetsloven § 7-2",
    "Klagefrist: fire uker fra du mottok dette vedtaket",
    "(pasient- og brukerrettighetsloven § 7-5 og forvaltningsloven § 29)",
    "Klagen skal være skriftlig og undertegnet",
    "Skriv hvilket vedtaket du klager på",
    "hvilken endring du ønsker",
    "(forvaltningsloven § 32)",
    "Etat for tjenestetildeling Bergen kommune Postboks 0000 (demoadresse) 0000 Demoby",
    "sendes klagen til Statsforvalteren i Vestland (Postboks 0000 (demoadresse), 0000 "
    "Demoby), som avgjør den",
    "Demodata: adressene, telefonnummeret og e-postadressen i dette brevet er oppdiktet",
    "Du har rett til å se dokumentene i saken din (forvaltningsloven § 18)",
    "hjelper deg gjerne med å klage",
    "Bergen kommune",
)
GRANT_ELEMENTS = ("Vedtak om langtidsopphold", "Vederlag: For langtidsopphold betaler du "
                  "vederlag", "Vedtaket gjennomføres straks", "§ 2-1 første ledd")
WAITING_ELEMENTS = ("Vedtak om venteliste", "settes på kommunens venteliste",
                    "Ventelistegaranti: Du skal få tilbud om langtidsopphold senest 02.06.2026",
                    "hjemmesykepleie: tre besøk daglig", "Varig behov",
                    "§ 2-1 annet og tredje ledd og § 3-2")
REJECTION_ELEMENTS = ("Avslag på langtidsopphold", "Søknaden om langtidsopphold er avslått",
                      "Kan bo hjemme med hjemmetjenester")
OFFER_ELEMENTS = (
    "Tilbud om langtidsopphold", "ordinær plass ved Lyngtun (sykehjem)",
    "Plassen er ledig fra: 02.03.2026", "Svar innen 05.03.2026.",
    "Tilbudet oppfyller ventelistegarantien (forskriften § 3-4). Takker du nei",
    "Du kan klage på tilbudet etter pasient- og brukerrettighetsloven § 7-2",
    "Klagefrist: fire uker fra du mottok dette brevet", "(forvaltningsloven § 32)",
    "Etat for tjenestetildeling Bergen kommune Postboks 0000 (demoadresse) 0000 Demoby",
    "Statsforvalteren i Vestland", "(forvaltningsloven § 18)", "vederlag",
)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return words(" ".join(page.extract_text() or "" for page in reader.pages))


def grant_case(service: AllocationService) -> UUID:
    case_id = service.receive_application(M, identity_number=person_number(),
                                          name="Gunn Innvilget")
    document(service, case_id)
    service.decide(M, case_id, kind="grant", grounds="Kan ikke bo trygt hjemme om natten",
                   decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                   can_be_cared_for_safely_at_home=False)
    return case_id


def rejected_case(service: AllocationService) -> UUID:
    case_id = service.receive_application(M, identity_number=person_number(),
                                          name="Rolf Avslått")
    service.decide(M, case_id, kind="rejection", grounds="Kan bo hjemme med hjemmetjenester",
                   decided_by="Tildelingsenheten")
    return case_id


def decision_of(service: AllocationService, case_id: UUID) -> UUID:
    decision = service.get_case(M, case_id).current_decision
    assert decision is not None
    return decision.decision_id


def check_letter(officer: Browser, url: str, elements: tuple[str, ...],
                 absent: tuple[str, ...] = ()) -> None:
    """The page and its PDF both say every element, and neither names a rule code or a
    date computed for the complaint deadline."""
    page = officer.get(url)
    assert page.status_code == 200, page.text
    assert f'href="{url}/pdf"' in page.text
    letter = page.text[page.text.index('<article class="letter">'):]
    html_text = words(visible(letter))
    pdf = officer.get(f"{url}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment; filename=")
    pdf_words = pdf_text(pdf.content)
    for text, where in ((html_text, "page"), (pdf_words, "pdf")):
        missing = [e for e in elements if e not in text]
        assert not missing, (where, missing, text)
        assert not RULE_CODE.search(text), (where, text)
        for bad in absent:
            assert bad not in text, (where, bad)


@pytest.mark.parametrize("kind", ["grant", "waiting_list", "rejection"])
def test_r14_each_decision_letter_says_what_the_law_asks_on_the_page_and_in_the_pdf(
        service: AllocationService, officer: Browser, kind: str) -> None:
    make, extra = {"grant": (grant_case, GRANT_ELEMENTS),
                   "waiting_list": (lambda s: waiting_case(s, name="Brev Mottaker"),
                                    WAITING_ELEMENTS),
                   "rejection": (rejected_case, REJECTION_ELEMENTS)}[kind]
    case_id = make(service)
    # never a complaint deadline computed from the decision date (2 March + 4 weeks)
    check_letter(officer, f"/vedtak/{case_id}/{decision_of(service, case_id)}",
                 DECISION_ELEMENTS + extra, absent=("30.03.2026", "retningslinjer"))


def test_r14_only_a_grant_and_a_waiting_list_letter_speak_of_the_payment(
        service: AllocationService, officer: Browser) -> None:
    case_id = rejected_case(service)
    text = visible(officer.get(f"/vedtak/{case_id}/{decision_of(service, case_id)}").text)
    assert "vederlag" not in text.lower()


def test_r26_the_offer_letter_on_the_page_and_in_the_pdf(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Brev Mottaker")
    offer_id = service.make_offer(M, case_id, made_by="x",
                                  place_id=place(service, facility_id="lyngtun"))
    check_letter(officer, f"/tilbudsbrev/{case_id}/{offer_id}", OFFER_ELEMENTS)


def test_r14_a_municipality_without_an_address_gets_a_letter_that_says_so(
        service: AllocationService, browser: Browser) -> None:
    case_id = waiting_case(service, municipality=OSLO)
    decision = service.get_case(OSLO, case_id).decisions[0].decision_id
    browser.sign_in("saksbehandler-oslo")
    page = browser.get(f"/vedtak/{case_id}/{decision}")
    text = visible(page.text)
    assert "Kommunens oppsett mangler adressen til tildelingsenheten" in text
    assert "Adressen er ikke registrert i kommunens oppsett" in text
    assert "Statsforvalteren i Oslo og Akershus" in text
    assert "for Oslo kommune" in text


def test_the_pdf_of_another_municipalitys_letter_or_for_management_is_refused(
        service: AllocationService, browser: Browser) -> None:
    case_id = waiting_case(service)
    decision = decision_of(service, case_id)
    browser.sign_in("saksbehandler-oslo")
    assert browser.get(f"/vedtak/{case_id}/{decision}/pdf").status_code == 404
    browser.sign_in("leder")
    assert browser.get(f"/vedtak/{case_id}/{decision}/pdf").status_code == 403


# --- the case page: when and how a decision was sent and received ----------------------------


def test_r14_the_case_page_records_the_sending_and_the_receipt(
        service: AllocationService, officer: Browser, clock) -> None:  # type: ignore[no-untyped-def]
    case_id = waiting_case(service)
    decision = decision_of(service, case_id)
    clock.advance(days=3)
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert "Ikke registrert sendt" in visible(html)
    assert "Klagefristen er ukjent til vedtaket er registrert sendt" in visible(html)
    sent = officer.post_form(url, f"{url}/vedtak/{decision}/sendt",
                             {"sent_on": "2026-03-02", "channel": "post"})
    assert sent.status_code == 303, sent.text
    text = visible(officer.get(url).text)
    assert "Sendt i posten 02.03.2026" in text
    # sent on Monday by post: received as usual on Thursday, the deadline four weeks on
    assert "Klagefrist 02.04.2026 (regnet fra sending og vanlig postgang)" in text
    received = officer.post_form(url, f"{url}/vedtak/{decision}/mottatt",
                                 {"received_on": "2026-03-04"})
    assert received.status_code == 303, received.text
    text = visible(officer.get(url).text)
    assert "mottatt 04.03.2026" in text
    assert "Klagefrist 01.04.2026 (regnet fra mottak)" in text
    assert service.get_case(M, case_id).decision(decision).received_on == date(2026, 3, 4)


def test_r24_a_sending_dated_before_the_decision_is_refused_beside_the_field(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    decision = decision_of(service, case_id)
    url = f"/saker/{case_id}"
    before = service.get_case(M, case_id).version
    refused = officer.post_form(url, f"{url}/vedtak/{decision}/sendt",
                                {"sent_on": "2026-03-01", "channel": "post"})
    assert refused.status_code == 422
    assert "Datoen kan ikke være før vedtaket" in visible(refused.text)
    future = officer.post_form(url, f"{url}/vedtak/{decision}/sendt",
                               {"sent_on": str(START.date() + timedelta(days=1)),
                                "channel": "handed_over"})
    assert future.status_code == 422 and "fram i tid" in visible(future.text)
    missing = officer.post_form(url, f"{url}/vedtak/{decision}/sendt", {"sent_on": ""})
    assert missing.status_code == 422 and "Velg hvordan vedtaket ble sendt" in missing.text
    assert service.get_case(M, case_id).version == before


def test_r14_the_interim_services_are_named_in_the_waiting_list_letter(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    text = visible(officer.get(f"/vedtak/{case_id}/{decision_of(service, case_id)}").text)
    assert f"{INTERIM[0].service}: {INTERIM[0].extent}" in text
