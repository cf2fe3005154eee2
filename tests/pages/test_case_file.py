"""R21, forvaltningsloven § 33 fourth paragraph: once a complaint is forwarded, the complaint
handler downloads the case file for Statsforvalteren from the complaint's page — one PDF
(its text read back with pypdf and checked for every element: the cover letter naming the
municipality, the case number, the person, the complaint and the enclosures; the decision
complained of; the complaint; the reconsideration's reasons; the documentation; the
history) and a Noark 5 package whose ``arkivstruktur.xml`` validates against the schema.
Not there before forwarding, never cached, and every download in the access log."""

from __future__ import annotations

import io
import zipfile
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import DementiaFinding, InterimService
from tests.builders import MUNICIPALITY as M
from tests.builders import waiting_case
from tests.pages.conftest import Browser
from tests.pages.test_complaint_outcomes import UUID_TEXT, to_state_administrator
from tests.pages.test_letters import REGULATION, pdf_text, words
from tests.pages.test_right_by_law import RULE_CODE, visible

#: What the one PDF says, from the cover letter to the history.
CASE_FILE_ELEMENTS = (
    # the cover letter (fvl § 33 fourth paragraph)
    "Bergen kommune", "Etat for tjenestetildeling", "Postboks 0000 (demoadresse)",
    "Til: Statsforvalteren i Vestland",
    "Oversendelse av klage på vedtak av 02.03.2026 (vedtak om venteliste)",
    "Saken gjelder: Klara Klager, født",
    "Advokat Berg (advokat eller annen fullmektig) har på vegne av Klara Klager klaget",
    "Klagen kom inn 09.03.2026",
    "Klagen gjelder: Jeg trenger skjermet plass",
    "har vurdert klagen på nytt 09.03.2026 etter forvaltningsloven § 33 annet ledd og har "
    "ikke tatt den til følge. Begrunnelse: Ingen nye opplysninger",
    "som klageinstans (forvaltningsloven § 33 fjerde ledd",
    "Vedlegg", "Vedtak om venteliste av 02.03.2026", "Klagen, mottatt 09.03.2026",
    "Tildelingsenhetens nye vurdering av 09.03.2026", "Sakens historikk",
    "Kopi til: Klara Klager og Advokat Berg",
    # the decision complained of: its letter
    "helse- og omsorgstjenesteloven § 3-2 a", "pasient- og brukerrettighetsloven § 2-1 e",
    REGULATION, "Begrunnelse Varig behov",
    # the complaint
    "Klager Advokat Berg (advokat eller annen fullmektig)",
    "Hva klagen gjelder Jeg trenger skjermet plass",
    # the reconsideration and its reasons
    "Tildelingsenhetens nye vurdering", "Vurdert av Ingrid Berg",
    "Klagen er ikke tatt til følge", "Begrunnelse Ingen nye opplysninger",
    # the documentation (§ 2-2)
    "Dokumentasjonen i saken",
    "Brukerens egne opplysninger", "Hva er viktig for deg Å bo nær datteren",
    "Opplysninger fra pårørende eller verge", "Relasjon datter",
    "Opplysninger Bekymret for fall om natten",
    "IPLOS-registrering", "Personlig hygiene skår",
    "Medisinske opplysninger", "Kilde fastlege", "Opplysninger Hjertesvikt, fallrisiko",
    "Lavere omsorgsnivå (LEON)", "utvidede hjemmetjenester prøvd: ikke tilstrekkelig",
    "Tjenester i ventetiden (i vedtaket)", "hjemmesykepleie tre besøk daglig",
    "Demensutredning", "Funn uavklart", "Konklusjon Ny utredning om et år",
    "Tjenester i ventetiden Registrert", "dagtilbud to dager i uken",
    "Prioriteringsvurdering", "Behov 55 poeng (retningslinjene foreslo",
    "Hjemmesituasjonen, også pårørendes situasjon", "Begrunnelse for avvik Datteren klarer "
    "ikke mer",
    # the history
    "Søknad mottatt", "Vedtak om venteliste, ordinær plass; vedtaksdato 02.03.2026",
    "Behov vurdert per 02.03.2026: 55 poeng",
    "Klagen sendt til Statsforvalteren 10.03.2026",
)


def _complaint_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_r21_the_case_file_for_statsforvalteren_after_forwarding(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    handler = browser
    browser.sign_in("klagebehandler")
    case_id = waiting_case(service, name="Klara Klager")
    service.record_dementia_investigation(
        M, case_id, finding=DementiaFinding.INCONCLUSIVE, conclusion="Ny utredning om et år",
        recorded_by="lege")
    service.record_interim_services(M, case_id, services=[
        InterimService("dagtilbud", "to dager i uken")], recorded_by="saksb")
    service.assess_priority(M, case_id, factors={"function": 3, "home_situation": 2},
                            need_score=55, assessor="Ingrid Berg",
                            departure_reason="Datteren klarer ikke mer")
    number = service.get_case(M, case_id).case_number
    clock.advance(days=14)
    complaint = service.register_complaint(
        M, case_id, against="decision",
        subject_id=service.get_case(M, case_id).decisions[0].decision_id,
        received_on=service.get_case(M, case_id).received_on, grounds="Uenig",
        registered_by="x")
    before = handler.get(f"/klage/klager/{complaint}")
    assert "Saksdokumenter til Statsforvalteren" not in visible(before.text)
    for suffix in ("saksdokumenter.pdf", "arkivpakke.zip"):
        assert handler.get(f"/klage/klager/{complaint}/{suffix}").status_code == 404

    url = to_state_administrator(service, handler, case_id)
    page = handler.get(url)
    text = visible(page.text)
    assert "Saksdokumenter til Statsforvalteren" in text
    assert "Last ned PDF" in text and "Last ned arkivpakke (Noark 5)" in text

    pdf = handler.get(f"{url}/saksdokumenter.pdf")
    assert pdf.status_code == 200, pdf.text[:2000]
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert f'filename="saksdokumenter-{number.replace("/", "-")}.pdf"' in \
        pdf.headers["content-disposition"]
    content = words(pdf_text(pdf.content))
    missing = [e for e in CASE_FILE_ELEMENTS if e not in content]
    assert not missing, (missing, content)
    assert f"Saksnummer: {number}" in content
    assert not RULE_CODE.search(content), RULE_CODE.findall(content)
    assert not UUID_TEXT.search(content)
    person = service.get_case(M, case_id).person
    assert person.identity_number not in content  # the documents name the birth date

    package = handler.get(f"{url}/arkivpakke.zip")
    assert package.status_code == 200
    assert package.headers["content-type"] == "application/zip"
    assert package.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(package.content)) as z:
        names = set(z.namelist())
        assert {"arkivstruktur.xml", "arkivstruktur.xsd", "metadatakatalog.xsd"} <= names
        assert any(n.startswith("dokumenter/") and n.endswith(".pdf") for n in names)

    entries = handler.client.app.state.runtime.fresh().access_log(M, case_id)
    actions = {e["action"] for e in entries}
    assert {"read_case_file_pdf", "read_case_file_package"} <= actions, actions
    assert UUID(_complaint_id(url))
