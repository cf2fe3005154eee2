"""The allocation unit's pages: waiting list, vacancy board, case page and its forms, and
the allocation page (R8, R12, R14, R17)."""

from __future__ import annotations

import re
from decimal import Decimal
from uuid import UUID, uuid4

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import IPLOS_VARIABLES, FacilityKind, PlaceType, PriorityFactor
from tests.builders import MUNICIPALITY as M
from tests.builders import OTHER_MUNICIPALITY, START, person_number, place, waiting_case
from tests.pages.conftest import Browser, caught_up, csrf_of

FACTORS = {PriorityFactor.FUNCTION.value: 3, PriorityFactor.COGNITIVE_FAILURE.value: 2}


def assess(service: AllocationService, case_id: UUID, need: int) -> None:
    service.assess_priority(M, case_id, factors=FACTORS, need_score=need, assessor="Sykepleier",
                            departure_reason="faglig skjønn")


def new_case(service: AllocationService, name: str = "Astrid Lie") -> UUID:
    return service.receive_application(M, identity_number=person_number(), name=name)


# --- the waiting list --------------------------------------------------------------------


def test_r12_waiting_list_shows_rank_need_factors_deadline_and_spouse(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    first = waiting_case(service, name="Ingrid Berg")
    second = waiting_case(service, name="Olav Dahl", spouse_case_id=first)
    assess(service, first, 80)
    assess(service, second, 40)
    page = officer.get("/venteliste")
    assert page.status_code == 200
    html = page.text
    assert "Venteliste" in html and "Frist for tilbud" in html
    assert html.index("Ingrid Berg") < html.index("Olav Dahl")  # rank by need (R16)
    assert "80 poeng" in html and "<details>" in html
    assert "Fysisk og psykisk funksjon, hjelpebehov (IPLOS): 3 av 4" in html
    assert "02.06.2026" in html  # three calendar months from the decision (R18)
    assert "92 dager igjen" in html
    assert f'href="/saker/{first}">Ingrid Berg</a>' in html  # the spouse column links back
    rt = caught_up(runtime)
    log = rt.read.access_log(M, first)
    assert log and log[0]["action"] == "read_waiting_list" and log[0]["allowed"]


def test_r18_a_close_or_passed_deadline_is_coloured(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    early = waiting_case(service, name="Tidlig Søker")  # deadline 02.06.2026
    clock.advance(days=70)
    late = waiting_case(service, name="Sen Søker")  # deadline 11.08.2026
    clock.set(START.replace(month=5, day=29))
    html = officer.get("/venteliste").text
    row = re.search(rf'<tr class="(\w*)" data-case="{early}"', html)
    assert row and row.group(1) == "soon"
    assert '<span class="badge soon">4 dager igjen</span>' in html
    assert re.search(rf'<tr class="" data-case="{late}"', html)
    clock.advance(days=10)
    service.check_deadlines(M)
    html = officer.get("/venteliste").text
    assert re.search(rf'<tr class="breach" data-case="{early}"', html)
    assert "fristbrudd" in html


def test_the_waiting_list_is_not_for_management_or_complaint_handlers(browser: Browser) -> None:
    browser.sign_in("leder")
    refused = browser.get("/venteliste")
    assert refused.status_code == 403
    assert "Ingen tilgang" in refused.text
    browser.sign_in("klagebehandler")
    assert browser.get("/saker/ny").status_code == 403


def test_vacancy_board_shows_places_by_facility_and_other_providers_prices(
        service: AllocationService, officer: Browser) -> None:
    place(service, facility_id="fjellheim", place_type=PlaceType.SCREENED)
    service.register_provider_offer(
        M, provider="Privat Omsorg AS", reference="P-1", facility_name="Lia sykehjem",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3150"))
    html = officer.get("/ledige-plasser").text
    assert "<h2>Fjellheim</h2>" in html
    assert "skjermet" in html and "ledig" in html
    assert "Privat Omsorg AS" in html and "3\u00a0150 kr" in html


# --- the case page ----------------------------------------------------------------------


def test_r8_case_page_checklist_names_what_is_missing(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(service)
    service.record_own_account(M, case_id, what_matters="Å bo nær datteren", account="",
                               recorded_by="saksb")
    page = officer.get(f"/saker/{case_id}")
    assert page.status_code == 200
    html = page.text
    assert "Utredning etter § 2-2" in html
    assert '<li class="yes">' in html and '<li class="no">' in html
    assert "opplysninger fra pårørende eller verge" in html
    assert "Søknad mottatt" in html and "Brukerens egne opplysninger registrert" in html
    case = service.get_case(M, case_id)
    assert case.person.identity_number not in html  # only the birth date digits show
    assert case.person.identity_number[:6] + " *****" in html
    log = caught_up(runtime).read.access_log(M, case_id)
    assert [e["action"] for e in log][:1] == ["read_case"]


def test_r8_a_refused_decision_keeps_what_was_typed_and_names_the_missing_items(
        service: AllocationService, officer: Browser) -> None:
    case_id = new_case(service)
    answer = officer.post_form(f"/saker/{case_id}", f"/saker/{case_id}/vedtak", {
        "kind": "waiting_list", "place_type": "screened", "safe_at_home": "ja",
        "grounds": "Trenger tilsyn hele døgnet", "decided_by": "Kari Nordmann",
        "service_1": "hjemmesykepleie", "extent_1": "to besøk daglig"})
    assert answer.status_code == 422
    html = answer.text
    assert "Vedtak kan ikke fattes før saken har det § 2-2 krever." in html
    assert "lavere omsorgsnivå prøvd eller vurdert (LEON)" in html
    assert "Trenger tilsyn hele døgnet" in html  # what was typed is kept
    assert 'value="to besøk daglig"' in html
    assert re.search(r'<option value="screened" selected>', html)
    assert re.search(r'value="waiting_list" checked', html)
    assert service.get_case(M, case_id).decisions == []


def test_a_missing_field_is_shown_beside_the_field(service: AllocationService,
                                                  officer: Browser) -> None:
    case_id = new_case(service)
    answer = officer.post_form(f"/saker/{case_id}", f"/saker/{case_id}/parorende", {
        "name": "Kari", "relation": "datter", "information": ""})
    assert answer.status_code == 422
    assert 'id="relatives-information-feil"' in answer.text
    assert "Skriv hva pårørende eller verge har opplyst." in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert 'value="Kari"' in answer.text


def test_r14_documenting_and_deciding_through_the_forms(service: AllocationService,
                                                       officer: Browser) -> None:
    case_id = new_case(service)
    url = f"/saker/{case_id}"
    steps = [
        ("egne-opplysninger", {"what_matters": "Trygghet om natten", "account": "Faller"}),
        ("parorende", {"name": "Kari", "relation": "datter", "information": "Bekymret"}),
        ("iplos", {f"iplos_{v}": "4" for v in IPLOS_VARIABLES}),
        ("medisinsk", {"source": "gp", "summary": "Hjertesvikt", "diagnoses": "I50"}),
        ("leon", {"leon_extended_home_services": "tried",
                  "leon_extended_home_services_outcome": "ikke nok"}),
    ]
    for action, data in steps:
        answer = officer.post_form(url, f"{url}/{action}", data)
        assert answer.status_code == 303, (action, answer.text[:2000])
    assert service.get_case(M, case_id).missing_documentation(PlaceType.ORDINARY,
                                                              START_DAY) == ()
    decided = officer.post_form(url, f"{url}/vedtak", {
        "kind": "waiting_list", "place_type": "ordinary", "safe_at_home": "ja",
        "grounds": "Varig behov for heldøgns omsorg", "decided_by": "Kari Nordmann",
        "service_1": "hjemmesykepleie", "extent_1": "tre besøk daglig"}, follow=True)
    assert decided.status_code == 200
    assert "Vedtaket er fattet." in decided.text
    assert "Vedtak om venteliste" in decided.text
    letter = re.search(r'href="(/vedtak/[^"]+)"', decided.text)
    assert letter and officer.get(letter.group(1)).status_code == 200


def test_a_double_submitted_form_writes_once(service: AllocationService, officer: Browser,
                                            runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(service)
    page = officer.get(f"/saker/{case_id}")
    form = {"csrf_token": csrf_of(page.text), "command_id": str(uuid4()),
            "what_matters": "Å bo nær datteren"}
    first = officer.client.post(f"/saker/{case_id}/egne-opplysninger", data=form,
                                follow_redirects=False)
    version = service.get_case(M, case_id).version
    again = officer.client.post(f"/saker/{case_id}/egne-opplysninger", data=form,
                                follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert service.get_case(M, case_id).version == version


def test_r17_priority_departing_from_the_suggestion_needs_a_reason(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    answer = officer.post_form(f"/saker/{case_id}", f"/saker/{case_id}/prioritet", {
        "factor_function": "1", "need_score": "95", "assessor": "Sykepleier Hansen"})
    assert answer.status_code == 422
    assert "skriv begrunnelsen for avviket" in answer.text
    assert 'value="95"' in answer.text
    ok = officer.post_form(f"/saker/{case_id}", f"/saker/{case_id}/prioritet", {
        "factor_function": "1", "need_score": "95", "assessor": "Sykepleier Hansen",
        "departure_reason": "Svært urolig om natten"})
    assert ok.status_code == 303
    assert service.get_case(M, case_id).priority.need_score == 95  # type: ignore[union-attr]


def test_offer_answer_and_admission_through_the_case_page(service: AllocationService,
                                                         officer: Browser) -> None:
    case_id = waiting_case(service)
    place_id = place(service)
    url = f"/saker/{case_id}"
    made = officer.post_form(url, f"{url}/tilbud", {"target": f"place:{place_id}"})
    assert made.status_code == 303, made.text[:2000]
    offer_id = next(iter(service.get_case(M, case_id).offers))
    html = officer.get(url).text
    assert "sendt, venter på svar" in html
    accepted = officer.post_form(url, f"{url}/tilbud/{offer_id}/svar", {"answer": "ja"})
    assert accepted.status_code == 303
    admitted = officer.post_form(url, f"{url}/tilbud/{offer_id}/innflytting", {})
    assert admitted.status_code == 303
    assert service.get_case(M, case_id).status.value == "resident"


def test_declining_an_offer_needs_a_reason(service: AllocationService, officer: Browser
                                          ) -> None:
    case_id = waiting_case(service)
    service.make_offer(M, case_id, made_by="x", place_id=place(service))
    offer_id = next(iter(service.get_case(M, case_id).offers))
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/tilbud/{offer_id}/svar", {"answer": "nei"})
    assert answer.status_code == 422
    assert "Skriv hvorfor personen takket nei." in answer.text


def test_r7_an_ordinary_place_for_a_person_with_dementia_needs_a_reason(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, dementia=True, place_type=PlaceType.SCREENED)
    place_id = place(service)
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/tilbud", {"target": f"place:{place_id}"})
    assert answer.status_code == 422
    assert "Personen har demensdiagnose" in answer.text
    assert "(§ 2-1 femte ledd)" in answer.text and "R7" not in answer.text
    assert re.search(rf'<option value="place:{place_id}" selected>', answer.text)


def test_a_new_application_with_a_wrong_identity_number_keeps_the_form(
        service: AllocationService, officer: Browser) -> None:
    answer = officer.post_form("/saker/ny", "/saker/ny", {
        "identity_number": "12345678901", "name": "Per Olsen", "channel": "paper"})
    assert answer.status_code == 422
    assert "Fødselsnummeret er ikke gyldig" in answer.text
    assert 'value="Per Olsen"' in answer.text
    created = officer.post_form("/saker/ny", "/saker/ny", {
        "identity_number": person_number(), "name": "Per Olsen", "channel": "paper"})
    assert created.status_code == 303
    assert created.headers["location"].startswith("/saker/")
    assert "melding=soknad" in created.headers["location"]


def test_another_municipalitys_case_is_not_found_and_the_attempt_is_logged(
        service: AllocationService, browser: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(service)
    browser.sign_in("saksbehandler-oslo")
    answer = browser.get(f"/saker/{case_id}")
    assert answer.status_code == 404
    assert "Fant ikke siden" in answer.text
    assert "Astrid Lie" not in answer.text
    log = caught_up(runtime).read.access_log(M, case_id)
    assert log[0]["allowed"] is False
    assert runtime.read.access_log(OTHER_MUNICIPALITY, case_id) == []


def test_a_case_page_with_a_malformed_id_is_not_found(officer: Browser) -> None:
    assert officer.get("/saker/ikke-en-sak").status_code == 404


# --- the allocation page (R17) ------------------------------------------------------------


def test_r17_running_the_allocation_and_approving_an_offer(
        service: AllocationService, officer: Browser) -> None:
    high = waiting_case(service, name="Høy Behov")
    low = waiting_case(service, name="Lav Behov")
    assess(service, high, 80)
    assess(service, low, 30)
    place(service)
    ran = officer.post_form("/tildeling", "/tildeling", {})
    assert ran.status_code == 303
    run_url = ran.headers["location"].split("?")[0]
    html = officer.get(run_url).text
    assert "Tildelingsforslag" in html and "Høy Behov" in html
    assert "Du er nummer 1 på ventelisten" in html  # the optimizer's own words
    assert "gikk til 1 person som står foran deg" in html  # the one left waiting, and why
    assert service.get_case(M, high).offers == {}  # nothing offered before approval
    approved = officer.post_form(run_url, f"{run_url}/godkjenn/{high}", {})
    assert approved.status_code == 303
    assert len(service.get_case(M, high).offers) == 1
    assert "godkjent" in officer.get(run_url).text
    row = re.search(rf'data-case="{high}">(.*?)</tr>', officer.get("/venteliste").text, re.S)
    assert row and "Fjellheim" in row.group(1)


def test_r7_a_proposal_for_a_person_with_dementia_is_approved_with_its_reason_in_its_form(
        service: AllocationService, officer: Browser) -> None:
    """R7 (§ 2-1 fifth paragraph): a person with a dementia diagnosis proposed a place that
    is not screened (a reinforced one, as decided) is offered it only with a recorded
    reason; the proposal's own approve form asks for it beside the refusal, nothing is
    offered without it, and the approval with it offers the place."""
    case_id = waiting_case(service, name="Demens Forsterket", place_type=PlaceType.REINFORCED,
                           dementia=True)
    assess(service, case_id, 70)
    place(service, place_type=PlaceType.REINFORCED)
    run_url = officer.post_form("/tildeling", "/tildeling", {}).headers["location"]
    run_url = run_url.split("?")[0]
    assert "Begrunnelse for plass som ikke er skjermet" in officer.get(run_url).text
    refused = officer.post_form(run_url, f"{run_url}/godkjenn/{case_id}", {})
    assert refused.status_code == 422
    assert f'id="approve-{case_id}-type_reason-feil"' in refused.text  # beside its field
    assert "R7" not in refused.text  # no rule codes shown to users
    assert service.get_case(M, case_id).offers == {}
    approved = officer.post_form(run_url, f"{run_url}/godkjenn/{case_id}",
                                 {"type_reason": "Vedtaket gjelder forsterket plass"})
    assert approved.status_code == 303, approved.text
    [made] = [e for e in service.events.get(case_id) if type(e).__name__ == "OfferMade"]
    assert made.type_reason == "Vedtaket gjelder forsterket plass"


def test_r17_changing_a_proposal_without_a_reason_is_refused(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Endre Meg")
    assess(service, case_id, 60)
    places = [place(service, facility_id="fjellheim")]
    other = place(service, facility_id="solbakken")
    run_url = officer.post_form("/tildeling", "/tildeling", {}).headers["location"].split("?")[0]
    run = service.get_allocation_run(M, UUID(run_url.rsplit("/", 1)[1]))
    proposed = run.proposed[str(case_id)]["place_id"]
    alternative = next(p for p in (other, *places) if str(p) != proposed)
    answer = officer.post_form(run_url, f"{run_url}/godkjenn/{case_id}",
                               {"target": f"place:{alternative}", "reason": ""})
    assert answer.status_code == 422
    assert "krever saksbehandlerens begrunnelse (§ 3-3)" in answer.text
    assert service.get_case(M, case_id).offers == {}
    changed = officer.post_form(run_url, f"{run_url}/godkjenn/{case_id}",
                                {"target": f"place:{alternative}",
                                 "reason": "Ønsker å bo nær datteren"})
    assert changed.status_code == 303
    assert "endret og godkjent" in officer.get(run_url).text


def test_rejecting_a_proposal_needs_a_reason_and_makes_no_offer(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)  # not assessed: the run is confirmed (R16)
    place(service)
    run_url = officer.post_form("/tildeling", "/tildeling", {"confirm_unassessed": "ja"}
                                ).headers["location"].split("?")[0]
    empty = officer.post_form(run_url, f"{run_url}/avvis/{case_id}", {"reason": ""})
    assert empty.status_code == 422 and "Skriv hvorfor forslaget avvises." in empty.text
    done = officer.post_form(run_url, f"{run_url}/avvis/{case_id}",
                             {"reason": "Innlagt på sykehus"})
    assert done.status_code == 303
    assert service.get_case(M, case_id).offers == {}
    assert "avvist" in officer.get(run_url).text


def test_another_municipalitys_run_is_not_found(service: AllocationService,
                                               browser: Browser) -> None:
    waiting_case(service)
    run_id = service.run_allocation(M, started_by="x", confirm_unassessed=True)
    browser.sign_in("saksbehandler-oslo")
    assert browser.get(f"/tildeling/{run_id}").status_code == 404


START_DAY = START.date()


def test_a_page_is_not_shown_when_its_access_cannot_be_logged(
        service: AllocationService, officer: Browser, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    waiting_case(service, name="Skjult Person")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store is down")

    monkeypatch.setattr(service, "record_access", broken)
    answer = officer.get("/venteliste")
    assert answer.status_code == 503
    assert "Tilgangsloggen kunne ikke skrives" in answer.text
    assert "Skjult Person" not in answer.text


def test_an_offer_beaten_by_a_concurrent_change_is_a_409_with_the_form_kept(
        service: AllocationService, officer: Browser, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from application.errors import ConcurrencyConflict

    case_id = waiting_case(service)
    place_id = place(service)

    def beaten(*args: object, **kwargs: object) -> None:
        raise ConcurrencyConflict("someone else changed this case or place")

    monkeypatch.setattr(service, "make_offer", beaten)
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/tilbud", {"target": f"place:{place_id}"})
    assert answer.status_code == 409
    assert "Noen andre endret saken eller plassen samtidig" in answer.text
    assert re.search(rf'<option value="place:{place_id}" selected>', answer.text)
