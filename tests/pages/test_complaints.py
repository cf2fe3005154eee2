"""Complaint handling pages (R21): the case's history, the time picker, a recorded run
re-run, the complaint workflow, and the printable decision letter (R14)."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.case import Case
from domain.values import DeliveryChannel, PriorityFactor
from tests.builders import MUNICIPALITY as M
from tests.builders import START, place, waiting_case
from tests.pages.conftest import Browser, caught_up


def decision_of(service: AllocationService, case_id: UUID) -> UUID:
    decision = service.get_case(M, case_id).current_decision
    assert decision is not None
    return decision.decision_id


def test_r21_the_case_history_reads_as_plain_norwegian(
        service: AllocationService, handler: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = waiting_case(service, name="Ingrid Berg")
    page = handler.get(f"/klage/saker/{case_id}")
    assert page.status_code == 200
    html = page.text
    for words in ("Søknad mottatt digitalt", "Brukerens egne opplysninger registrert",
                  "Opplysninger fra pårørende (datter) registrert", "IPLOS-registrering",
                  "Vedtak om venteliste, ordinær plass; vedtaksdato 02.03.2026; tilbud innen "
                  "02.06.2026"):
        assert words in html, words
    assert html.index("Søknad mottatt") < html.index("Vedtak om venteliste, ordinær")
    assert "/klage/tidspunkt?t=2026-03-02T09:00:00" in html  # as it stood at the decision
    assert f"/vedtak/{case_id}/{decision_of(service, case_id)}" in html
    log = caught_up(runtime).read.access_log(M, case_id)
    assert log[0]["action"] == "read_case_history"


def test_r21_the_complaint_workflow_from_registration_to_the_outcome(
        service: AllocationService, clock: ManualClock, handler: Browser) -> None:
    case_id = waiting_case(service)
    decision_id = decision_of(service, case_id)
    clock.advance(days=7)
    case_url = f"/klage/saker/{case_id}"
    registered = handler.post_form(case_url, f"{case_url}/klage", {
        "subject": f"decision:{decision_id}", "received_on": "2026-03-09",
        "grounds": "Jeg trenger plass nå, ikke venteliste"}, follow=True)
    assert registered.status_code == 200, registered.text[:2000]
    assert "Klagen er registrert." in registered.text
    assert "mottatt, til ny vurdering i tildelingsenheten" in registered.text
    url = str(registered.url.path)
    reconsidered = handler.post_form(url, f"{url}/ny-vurdering", {
        "upheld": "nei", "reasoning": "Kan få forsvarlig hjelp hjemme med økt hjemmesykepleie",
        "decided_on": "2026-03-09", "decided_by": "Ingrid Berg"}, follow=True)
    assert "ikke tatt til følge, skal sendes til Statsforvalteren" in reconsidered.text
    forwarded = handler.post_form(url, f"{url}/oversend", {"forwarded_on": "2026-03-09"},
                                  follow=True)
    assert "hos Statsforvalteren" in forwarded.text
    decided = handler.post_form(url, f"{url}/utfall", {
        "outcome": "confirmed", "decided_on": "2026-03-09",
        "summary": "Vedtaket er i samsvar med forskriften"}, follow=True)
    assert "avgjort av Statsforvalteren" in decided.text
    assert "Statsforvalteren: vedtaket stadfestet 09.03.2026" in decided.text
    history = handler.get(case_url).text
    assert history.index("Vedtak om venteliste") < history.index("Klage på vedtak av")


def test_a_complaint_without_grounds_keeps_the_form_and_says_what_is_missing(
        service: AllocationService, handler: Browser) -> None:
    case_id = waiting_case(service)
    case_url = f"/klage/saker/{case_id}"
    answer = handler.post_form(case_url, f"{case_url}/klage", {
        "subject": f"decision:{decision_of(service, case_id)}", "received_on": "2026-03-02",
        "grounds": ""})
    assert answer.status_code == 422
    assert "Skriv hva klagen gjelder." in answer.text
    assert 'value="2026-03-02"' in answer.text
    assert service.complaint_ids() == []


def test_a_complaint_dated_before_the_decision_is_refused_in_norwegian(
        service: AllocationService, handler: Browser) -> None:
    case_id = waiting_case(service)
    case_url = f"/klage/saker/{case_id}"
    answer = handler.post_form(case_url, f"{case_url}/klage", {
        "subject": f"decision:{decision_of(service, case_id)}", "received_on": "2026-02-01",
        "grounds": "For sent behandlet"})
    assert answer.status_code == 422
    assert "Datoen kan ikke være før vedtaket." in answer.text
    assert "For sent behandlet" in answer.text


def test_forwarding_before_reconsideration_is_refused(service: AllocationService,
                                                     handler: Browser) -> None:
    case_id = waiting_case(service)
    complaint_id = service.register_complaint(
        M, case_id, against="decision", subject_id=decision_of(service, case_id),
        received_on=START.date(), grounds="Uenig", registered_by="x")
    url = f"/klage/klager/{complaint_id}"
    answer = handler.post_form(url, f"{url}/oversend", {"forwarded_on": "2026-03-02"})
    assert answer.status_code == 422
    assert "Tildelingsenheten må vurdere klagen på nytt" in answer.text


def test_r21_the_time_picker_shows_the_list_as_it_was(
        service: AllocationService, clock: ManualClock, handler: Browser,
        runtime) -> None:  # type: ignore[no-untyped-def]
    before = waiting_case(service, name="Før Tidspunktet")
    clock.advance(days=10)
    waiting_case(service, name="Etter Tidspunktet")
    then = handler.get("/klage/tidspunkt?t=2026-03-05T12:00")
    assert then.status_code == 200
    assert "Før Tidspunktet" in then.text and "Etter Tidspunktet" not in then.text
    assert "Ventelisten 05.03.2026 kl. 12:00" in then.text
    log = caught_up(runtime).read.access_log(M, before)
    assert log[0]["action"] == "read_waiting_list_as_of"
    now = handler.get("/klage/tidspunkt?t=2026-03-12T09:00")
    assert "Etter Tidspunktet" in now.text


def test_the_time_picker_refuses_a_malformed_or_future_moment(handler: Browser) -> None:
    bad = handler.get("/klage/tidspunkt?t=i går")
    assert bad.status_code == 422 and "for eksempel 2025-06-01T12:00" in bad.text
    future = handler.get("/klage/tidspunkt?t=2030-01-01T12:00")
    assert future.status_code == 422 and "fram i tid" in future.text


def test_r21_a_recorded_run_re_runs_to_the_identical_plan(
        service: AllocationService, clock: ManualClock, handler: Browser) -> None:
    case_id = waiting_case(service, name="Tildelt Person")
    service.assess_priority(M, case_id, factors={PriorityFactor.FUNCTION.value: 2},
                            need_score=30, assessor="x", departure_reason="skjønn")
    place(service)
    run_id = service.run_allocation(M, started_by="Kari Nordmann")
    service.approve_proposal(M, run_id, case_id, approved_by="Kari Nordmann")
    clock.advance(days=30)
    place(service)  # the world has moved on; the recorded problem has not
    url = f"/klage/tildeling/{run_id}"
    page = handler.get(url)
    assert page.status_code == 200
    assert "Tildelt Person" in page.text and "Du er nummer 1 på ventelisten" in page.text
    assert "godkjent" in page.text
    rerun = handler.post_form(url, f"{url}/kjor-pa-nytt", {})
    assert rerun.status_code == 200
    assert "Planen er identisk med den som ble lagret." in rerun.text
    run = service.get_allocation_run(M, run_id)
    assert rerun.text.count(run.problem_hash) >= 2


def test_the_case_history_links_an_approved_offer_to_its_run(
        service: AllocationService, handler: Browser) -> None:
    case_id = waiting_case(service)
    place(service)
    run_id = service.run_allocation(M, started_by="x", confirm_unassessed=True)
    service.approve_proposal(M, run_id, case_id, approved_by="x")
    assert f"/klage/tildeling/{run_id}" in handler.get(f"/klage/saker/{case_id}").text


def test_complaint_pages_are_for_complaint_handlers(
        service: AllocationService, browser: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = waiting_case(service)
    browser.sign_in("saksbehandler")
    for url in ("/klage", f"/klage/saker/{case_id}", "/klage/tidspunkt"):
        assert browser.get(url).status_code == 403, url
    browser.sign_in("leder")
    refused = browser.get(f"/klage/saker/{case_id}")
    assert refused.status_code == 403 and "Ola Nordmann" not in refused.text
    log = caught_up(runtime).read.access_log(M, case_id)
    assert log[0]["allowed"] is False and log[0]["role"] == "manager"


def test_the_complaint_list_opens_a_case_by_its_number(service: AllocationService,
                                                      handler: Browser) -> None:
    """The box posts what is typed (never in the address) and shows the case found."""
    case_id = waiting_case(service)
    service.register_complaint(M, case_id, against="decision",
                               subject_id=decision_of(service, case_id),
                               received_on=START.date(), grounds="Uenig", registered_by="x")
    page = handler.get("/klage")
    assert "Ola Nordmann" in page.text and "mottatt, til ny vurdering" in page.text
    assert 'action="/sok"' in page.text and 'method="post"' in page.text
    number = service.get_case(M, case_id).case_number
    found = handler.post_form("/klage", "/sok", {"sok": number})
    assert found.status_code == 200
    assert f'<a href="/klage/saker/{case_id}">Ola Nordmann</a>' in found.text
    assert number in found.text


# --- the decision letter (R14) --------------------------------------------------------------


def test_r14_the_decision_letter_states_basis_grounds_complaint_right_and_deadline(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Brev Mottaker")
    letter = officer.get(f"/vedtak/{case_id}/{decision_of(service, case_id)}")
    assert letter.status_code == 200
    html = letter.text
    assert "Vedtak om venteliste" in html
    assert "helse- og omsorgstjenesteloven § 3-2 a" in html  # legal basis
    assert "Varig behov" in html  # grounds
    assert "pasient- og brukerrettighetsloven § 7-2" in html  # the right to complain
    # four weeks from receipt (§ 7-5): no date computed from the decision date
    assert "Klagefrist:</strong> fire uker fra du mottok dette vedtaket" in html
    assert "30.03.2026" not in html
    # where
    assert "Etat for tjenestetildeling<br>Bergen kommune<br>Postboks 0000 (demoadresse)" in html
    assert "senest 02.06.2026" in html  # the guarantee (R18)
    assert "hjemmesykepleie: tre besøk daglig" in html  # services while waiting
    assert "data-print" in html and "/static/site.css" in html


def test_the_print_stylesheet_hides_navigation_and_forms() -> None:
    from api.pages.web import STATIC_DIR

    css = (STATIC_DIR / "site.css").read_text()
    media = css[css.index("@media print"):]
    assert re.search(r"\.top.*nav.*form.*display: none", media.split("}")[0], re.S)


def test_a_letter_of_another_case_or_unknown_decision_is_not_found(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    other = waiting_case(service)
    assert officer.get(f"/vedtak/{case_id}/{decision_of(service, other)}").status_code == 404


def test_the_letter_is_not_for_management(service: AllocationService, browser: Browser
                                         ) -> None:
    case_id = waiting_case(service)
    browser.sign_in("leder")
    assert browser.get(f"/vedtak/{case_id}/{decision_of(service, case_id)}").status_code == 403


def test_event_texts_cover_every_case_event() -> None:
    from api.pages.timeline import describe

    events = [v for k, v in vars(Case).items()
              if isinstance(v, type) and issubclass(v, Case.Event)
              and k not in ("Event", "Created")]
    assert len(events) > 20
    from api.pages.timeline import _move_words

    for cls in events:
        assert cls.__name__ in describe.__code__.co_names + _move_words.__code__.co_names, \
            cls.__name__



# --- the complaint deadline and a late complaint (R14, R21) ----------------------------------


def test_r14_the_complaint_page_says_the_deadline_is_unknown_until_the_sending_is_recorded(
        service: AllocationService, clock: ManualClock, handler: Browser) -> None:
    case_id = waiting_case(service)
    clock.advance(days=60)
    complaint_id = service.register_complaint(
        M, case_id, against="decision", subject_id=decision_of(service, case_id),
        received_on=START.date() + timedelta(days=59), grounds="Uenig", registered_by="x")
    text = handler.get(f"/klage/klager/{complaint_id}").text
    assert "Ukjent: vedtaket er ikke registrert sendt eller mottatt" in text
    assert "etter klagefristen" not in text and 'name="late_reason"' not in text


def test_r21_late_complaint_taken_up_with_a_reason_on_the_page(
        service: AllocationService, clock: ManualClock, handler: Browser) -> None:
    case_id = waiting_case(service)
    decision_id = decision_of(service, case_id)
    service.record_decision_sent(M, case_id, decision_id, sent_on=START.date(),
                                 channel=DeliveryChannel.HANDED_OVER, recorded_by="x")
    clock.advance(days=40)
    complaint_id = service.register_complaint(
        M, case_id, against="decision", subject_id=decision_id,
        received_on=START.date() + timedelta(days=40), grounds="Uenig", registered_by="x")
    url = f"/klage/klager/{complaint_id}"
    page = handler.get(url).text
    assert "etter klagefristen 30.03.2026" in page  # handed over 2 March: received that day
    assert "30.03.2026, regnet fra mottak" in page
    assert 'name="late_reason"' in page
    refused = handler.post_form(url, f"{url}/ny-vurdering", {
        "upheld": "nei", "reasoning": "Samme resultat", "decided_on": "2026-04-11",
        "decided_by": "Ingrid Berg"})
    assert refused.status_code == 422
    assert "Den kan likevel tas under behandling (forvaltningsloven § 31)" in refused.text
    assert service.get_complaint(M, complaint_id).reconsideration is None
    taken_up = handler.post_form(url, f"{url}/ny-vurdering", {
        "upheld": "nei", "reasoning": "Samme resultat", "decided_on": "2026-04-11",
        "decided_by": "Ingrid Berg", "late_reason": "Klageren var innlagt på sykehus"},
        follow=True)
    assert taken_up.status_code == 200
    assert "tatt under behandling selv om fristen var ute: Klageren var innlagt" in taken_up.text
