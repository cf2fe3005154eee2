"""The forms for the commands that were JSON-only: spouse link and consent to live apart
(R10), wishes (R16), interim services (R14), closing a case, ending a stay, and — on the
vacancy board — registering a place (R1) and another provider's offer. Each: a submit that
changes what the page shows, a refusal in Norwegian that changes nothing, a double submit
that writes once."""

from __future__ import annotations

import re
from decimal import Decimal
from uuid import UUID, uuid4

from application.service import AllocationService
from domain.values import PlaceType
from tests.builders import MUNICIPALITY as M
from tests.builders import OTHER_MUNICIPALITY, person_number, place, waiting_case
from tests.pages.conftest import Browser, caught_up, csrf_of
from tests.pages.test_demo_pages import Controls


def new_case(service: AllocationService, name: str = "Astrid Lie",
             municipality: str = M) -> UUID:
    return service.receive_application(municipality, identity_number=person_number(),
                                       name=name)


def resident(service: AllocationService, name: str = "Berit Bo") -> tuple[UUID, UUID]:
    """A case admitted to an own place: (case, place)."""
    case_id = waiting_case(service, name=name)
    place_id = place(service)
    offer_id = service.make_offer(M, case_id, made_by="Saksbehandler", place_id=place_id)
    service.accept_offer(M, case_id, offer_id)
    service.admit(M, case_id, offer_id)
    return case_id, place_id


def twice(officer: Browser, page_url: str, action: str, data: dict[str, str]
          ) -> tuple[int, int]:
    """Post one form twice with the same command id (a double click); the answers."""
    page = officer.get(page_url)
    form = {"csrf_token": csrf_of(page.text), "command_id": str(uuid4()), **data}
    first = officer.client.post(action, data=form, follow_redirects=False)
    again = officer.client.post(action, data=form, follow_redirects=False)
    return first.status_code, again.status_code


def unlabelled(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    return [name for name, ident in parser.controls
            if ident is None or ident not in parser.labels]


# --- spouse or cohabitant (R10, § 2-3) -----------------------------------------------------


def test_r10_spouse_link_form_links_both_cases(service: AllocationService, officer: Browser,
                                               runtime) -> None:  # type: ignore[no-untyped-def]
    first = waiting_case(service, name="Ingrid Berg")
    second = waiting_case(service, name="Olav Berg")
    url = f"/saker/{first}"
    page = officer.get(url).text
    assert 'id="skjema-spouse"' in page
    assert "Står i adressen" not in page  # nobody copies an id from the address bar
    # found by name, picked from the cases found: no id typed
    found = officer.post_form(url, f"{url}/ektefelle/sok", {"spouse_search": "Olav Berg"})
    assert found.status_code == 200, found.text
    assert 'id="ektefelle-valg"' in found.text and "Olav Berg — saksnummer" in found.text
    assert f'name="spouse" value="{second}"' in found.text
    answer = officer.post_form(url, f"{url}/ektefelle", {"spouse": str(second)}, follow=True)
    assert answer.status_code == 200
    assert "Sakene er koblet som ektefeller eller samboere." in answer.text
    assert f'<a href="/saker/{second}">Olav Berg</a>' in answer.text
    assert 'id="skjema-spouse"' not in answer.text  # linked: the form is gone
    assert f'<a href="/saker/{first}">Ingrid Berg</a>' in officer.get(f"/saker/{second}").text
    assert service.get_case(M, second).spouse_case_id == first
    log = caught_up(runtime).read.access_log(M, second)
    assert any(e["action"] == "write_case" and e["allowed"] for e in log)


def test_r10_spouse_link_form_refuses_linking_a_case_to_itself(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/ektefelle", {"spouse": str(case_id)})
    assert answer.status_code == 422
    assert 'id="spouse-spouse_search-feil"' in answer.text
    assert "En person kan ikke kobles til sin egen sak." in answer.text
    case = service.get_case(M, case_id)
    assert case.version == version and case.spouse_case_id is None


def test_r10_spouse_link_form_refuses_a_malformed_or_unknown_case_number(
        service: AllocationService, browser: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    oslo = new_case(service, name="Per i Oslo", municipality=OTHER_MUNICIPALITY)
    browser.sign_in("saksbehandler")
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    malformed = browser.post_form(url, f"{url}/ektefelle", {"spouse": "ikke-et-nummer"})
    assert malformed.status_code == 422
    assert "Søk opp ektefellens eller samboerens sak" in malformed.text
    elsewhere = browser.post_form(url, f"{url}/ektefelle", {"spouse": str(oslo)})
    assert elsewhere.status_code == 422
    assert "Fant ikke saken i kommunen. Søk på nytt." in elsewhere.text
    assert "Per i Oslo" not in elsewhere.text
    assert service.get_case(M, case_id).spouse_case_id is None
    # the attempt at the other municipality's case is in that municipality's log
    log = caught_up(runtime).read.access_log(OTHER_MUNICIPALITY, oslo)
    assert log and log[0]["allowed"] is False


def test_r10_spouse_link_form_refuses_a_case_linked_to_another(
        service: AllocationService, officer: Browser) -> None:
    ola = waiting_case(service, name="Ola Berg")
    kari = waiting_case(service, name="Kari Berg", spouse_case_id=ola)
    per = waiting_case(service, name="Per Lie")
    before = [service.get_case(M, c).version for c in (ola, kari, per)]
    url = f"/saker/{per}"
    answer = officer.post_form(url, f"{url}/ektefelle", {"spouse": str(ola)})
    assert answer.status_code == 422
    assert 'id="spouse-spouse_search-feil"' in answer.text
    assert "allerede koblet til en annen ektefelle eller samboer" in answer.text
    assert "(§ 2-3)" in answer.text
    assert [service.get_case(M, c).version for c in (ola, kari, per)] == before


def test_r10_a_double_submitted_spouse_link_writes_once(service: AllocationService,
                                                       officer: Browser) -> None:
    first, second = waiting_case(service), waiting_case(service)
    url = f"/saker/{first}"
    page = officer.get(url)
    form = {"csrf_token": csrf_of(page.text), "command_id": str(uuid4()),
            "spouse": str(second)}
    assert officer.client.post(f"{url}/ektefelle", data=form).status_code == 200
    versions = (service.get_case(M, first).version, service.get_case(M, second).version)
    again = officer.client.post(f"{url}/ektefelle", data=form, follow_redirects=False)
    assert again.status_code == 303
    assert (service.get_case(M, first).version,
            service.get_case(M, second).version) == versions


# --- consent to live apart (R10) ------------------------------------------------------------


def test_r10_living_apart_form_records_the_consent_in_each_case(
        service: AllocationService, officer: Browser) -> None:
    first = waiting_case(service, name="Ingrid Berg")
    second = waiting_case(service, name="Olav Berg", spouse_case_id=first)
    url = f"/saker/{first}"
    assert 'id="skjema-living_apart"' in officer.get(url).text
    assert 'id="skjema-living_apart"' not in officer.get(  # no spouse, no consent form
        f"/saker/{waiting_case(service)}").text
    done = officer.post_form(url, f"{url}/samtykke-adskilt",
                             {"statement": "Jeg vil heller bo nær datteren min."}, follow=True)
    assert done.status_code == 200
    assert "registrert for personen, ikke for ektefellen eller samboeren" in done.text
    assert 'id="skjema-living_apart"' not in done.text
    assert service.get_case(M, first).living_apart_consent
    other = f"/saker/{second}"
    officer.post_form(other, f"{other}/samtykke-adskilt", {"statement": "Det er greit."})
    assert "registrert for begge" in officer.get(url).text
    assert "Samtykke til å bo hver for seg fra ektefellen registrert" in officer.get(url).text


def test_r10_living_apart_form_without_the_persons_words_is_refused(
        service: AllocationService, officer: Browser) -> None:
    first = waiting_case(service)
    waiting_case(service, spouse_case_id=first)
    version = service.get_case(M, first).version
    url = f"/saker/{first}"
    answer = officer.post_form(url, f"{url}/samtykke-adskilt", {"statement": "   "})
    assert answer.status_code == 422
    assert 'id="living_apart-statement-feil"' in answer.text
    assert "Skriv samtykket med personens egne ord (§ 2-3)." in answer.text
    case = service.get_case(M, first)
    assert case.version == version and not case.living_apart_consent


def test_r10_a_double_submitted_consent_writes_once(service: AllocationService,
                                                   officer: Browser) -> None:
    first = waiting_case(service)
    waiting_case(service, spouse_case_id=first)
    url = f"/saker/{first}"
    statuses = twice(officer, url, f"{url}/samtykke-adskilt", {"statement": "Ja."})
    assert statuses == (303, 303)
    events = [e for e in service.repository.event_store.get(first)
              if type(e).__name__ == "LivingApartConsented"]
    assert len(events) == 1


# --- wishes (R16) -----------------------------------------------------------------------------


def test_r16_wishes_form_records_the_facilities_in_ranked_order(
        service: AllocationService, officer: Browser) -> None:
    place(service, facility_id="fjellheim")
    place(service, facility_id="solbakken")
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert '<option value="solbakken">Solbakken</option>' in html
    assert "ingen registrert" in html
    done = officer.post_form(url, f"{url}/onsker", {"wish_1": "solbakken",
                                                    "wish_2": "fjellheim"}, follow=True)
    assert done.status_code == 200
    assert "1. Solbakken, 2. Fjellheim" in done.text
    assert re.search(r'id="wishes-wish_1" name="wish_1".*?<option value="solbakken" selected>',
                     done.text, re.S)
    assert service.get_case(M, case_id).wishes == ["solbakken", "fjellheim"]


def test_r16_wishes_naming_a_facility_twice_are_refused(service: AllocationService,
                                                        officer: Browser) -> None:
    place(service, facility_id="fjellheim")
    place(service, facility_id="solbakken")
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/onsker", {"wish_1": "fjellheim",
                                                      "wish_2": "fjellheim"})
    assert answer.status_code == 422
    assert "Hver institusjon kan bare stå én gang i ønskelisten." in answer.text
    assert len(re.findall(r'<option value="fjellheim" selected>', answer.text)) == 2
    assert service.get_case(M, case_id).wishes == []


def test_r16_a_double_submitted_wishes_form_writes_once(service: AllocationService,
                                                        officer: Browser) -> None:
    place(service, facility_id="lyngtun")
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    assert twice(officer, url, f"{url}/onsker", {"wish_1": "lyngtun"}) == (303, 303)
    events = [e for e in service.repository.event_store.get(case_id)
              if type(e).__name__ == "WishesRecorded"]
    assert len(events) == 1


# --- interim services (R14) ------------------------------------------------------------------


def test_r14_interim_services_form_replaces_the_services(service: AllocationService,
                                                         officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert 'id="interim_services-service_1" name="service_1" type="text" ' \
           'value="hjemmesykepleie"' in html  # the current services, ready to edit
    done = officer.post_form(url, f"{url}/tjenester", {
        "service_1": "hjemmesykepleie", "extent_1": "fire besøk daglig",
        "service_2": "", "extent_2": "",
        "service_3": "trygghetsalarm", "extent_3": "hele døgnet"}, follow=True)
    assert done.status_code == 200
    assert "hjemmesykepleie (fire besøk daglig), trygghetsalarm (hele døgnet)" in done.text
    assert [(s.service, s.extent) for s in service.get_case(M, case_id).interim_services] \
        == [("hjemmesykepleie", "fire besøk daglig"), ("trygghetsalarm", "hele døgnet")]


def test_r14_interim_services_without_extent_or_without_any_service_are_refused(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/tjenester", {
        "service_1": "hjemmesykepleie", "extent_1": "to besøk",
        "service_2": "dagtilbud", "extent_2": ""})
    assert answer.status_code == 422
    assert 'id="interim_services-extent_2-feil"' in answer.text
    assert "Skriv omfanget, for eksempel tre besøk daglig." in answer.text
    assert 'value="dagtilbud"' in answer.text
    empty = officer.post_form(url, f"{url}/tjenester", {"service_1": "", "extent_1": ""})
    assert empty.status_code == 422
    assert "Skriv hvilke tjenester personen får mens hun eller han venter (§ 3-2)." \
        in empty.text
    assert service.get_case(M, case_id).version == version


def test_r14_interim_services_only_for_a_person_on_the_waiting_list(
        service: AllocationService, officer: Browser) -> None:
    case_id = new_case(service)
    url = f"/saker/{case_id}"
    assert 'id="skjema-interim_services"' not in officer.get(url).text
    answer = officer.post_form(url, f"{url}/tjenester", {"service_1": "hjemmesykepleie",
                                                         "extent_1": "daglig"})
    assert answer.status_code == 422
    assert "Tjenester i ventetiden registreres for personer på ventelisten." in answer.text
    assert service.get_case(M, case_id).interim_services == []


def test_r14_a_double_submitted_interim_services_form_writes_once(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    statuses = twice(officer, url, f"{url}/tjenester",
                     {"service_1": "dagtilbud", "extent_1": "tre dager i uken"})
    assert statuses == (303, 303)
    events = [e for e in service.repository.event_store.get(case_id)
              if type(e).__name__ == "InterimServicesRecorded"]
    assert len(events) == 1


# --- closing a case --------------------------------------------------------------------------


def test_closing_a_case_takes_the_person_off_the_list_and_releases_the_offered_place(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Trekker Søknaden")
    place_id = place(service, facility_id="havglimt")
    service.make_offer(M, case_id, made_by="Saksbehandler", place_id=place_id)
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert "Tilbudet som ikke er besvart, trekkes, og plassen frigjøres." in html
    done = officer.post_form(url, f"{url}/avslutt", {"reason": "withdrawn"}, follow=True)
    assert done.status_code == 200
    assert "Saken er avsluttet." in done.text
    assert "<dt>Saken avsluttet</dt><dd>søknaden trukket</dd>" in done.text
    assert "Saken avsluttet: søknaden trukket" in done.text  # the timeline
    assert 'id="skjema-close"' not in done.text
    assert "Trekker Søknaden" not in officer.get("/venteliste").text
    board = officer.get("/ledige-plasser").text
    assert re.search(r"<h2>Havglimt</h2>.*?<td>ledig</td>", board, re.S)


def test_closing_a_case_without_a_reason_or_as_placed_is_refused(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    for data in ({}, {"reason": "placed"}):
        answer = officer.post_form(url, f"{url}/avslutt", data)
        assert answer.status_code == 422
        assert 'id="close-reason-feil"' in answer.text
        assert "Velg hvorfor saken avsluttes" in answer.text
    assert service.get_case(M, case_id).version == version


def test_a_residents_case_is_not_closed_but_the_stay_ended(service: AllocationService,
                                                          officer: Browser) -> None:
    case_id, _ = resident(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert 'id="skjema-close"' not in html and 'id="skjema-end_stay"' in html
    answer = officer.post_form(url, f"{url}/avslutt", {"reason": "died"})
    assert answer.status_code == 422
    # the case's own refusal (the offer moved in on is not outstanding), in Norwegian
    assert "Personen bor på en langtidsplass: avslutt oppholdet i stedet for saken." \
        in answer.text
    assert 'id="skjema-close"' in answer.text  # drawn again with the refusal
    case = service.get_case(M, case_id)
    assert case.status.value == "resident" and case.version == version


def test_the_offer_a_resident_moved_in_on_has_no_admission_or_withdrawal_form(
        service: AllocationService, officer: Browser) -> None:
    case_id, _ = resident(service)
    offer_id = next(iter(service.get_case(M, case_id).offers))
    html = officer.get(f"/saker/{case_id}").text
    assert "flyttet inn" in html
    assert f"/tilbud/{offer_id}/innflytting" not in html
    assert f"/tilbud/{offer_id}/trekk" not in html


def test_a_double_submitted_close_writes_once(service: AllocationService,
                                             officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    assert twice(officer, url, f"{url}/avslutt", {"reason": "moved_away"}) == (303, 303)
    events = [e for e in service.repository.event_store.get(case_id)
              if type(e).__name__ == "Closed"]
    assert len(events) == 1


# --- ending a stay ---------------------------------------------------------------------------


def test_ending_a_stay_closes_the_case_and_vacates_the_place(service: AllocationService,
                                                             officer: Browser) -> None:
    case_id, _ = resident(service)
    url = f"/saker/{case_id}"
    assert "<h2>Fjellheim</h2>" not in officer.get("/ledige-plasser").text  # occupied
    done = officer.post_form(url, f"{url}/avslutt-opphold",
                             {"reason": "died", "ended_on": "2026-03-02"}, follow=True)
    assert done.status_code == 200
    assert "Oppholdet er avsluttet." in done.text
    assert "<dt>Oppholdet avsluttet</dt><dd>02.03.2026: død</dd>" in done.text
    assert 'id="skjema-end_stay"' not in done.text
    assert service.get_case(M, case_id).status.value == "closed"
    board = officer.get("/ledige-plasser").text
    assert re.search(r"<h2>Fjellheim</h2>.*?<td>ledig</td>", board, re.S)


def test_ending_the_stay_of_a_non_resident_is_refused(service: AllocationService,
                                                      officer: Browser) -> None:
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    assert 'id="skjema-end_stay"' not in officer.get(url).text
    answer = officer.post_form(url, f"{url}/avslutt-opphold", {"reason": "moved"})
    assert answer.status_code == 422
    assert "Personen bor ikke på en langtidsplass" in answer.text
    assert 'id="skjema-end_stay"' in answer.text  # drawn again, with the message
    assert re.search(r'value="moved" checked', answer.text)
    assert service.get_case(M, case_id).version == version


def test_ending_a_stay_before_the_admission_or_without_a_reason_is_refused(
        service: AllocationService, officer: Browser) -> None:
    case_id, _ = resident(service)
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    early = officer.post_form(url, f"{url}/avslutt-opphold",
                              {"reason": "moved", "ended_on": "2026-01-01"})
    assert early.status_code == 422
    assert 'id="end_stay-ended_on-feil"' in early.text
    assert "Datoen kan ikke være før innflyttingen." in early.text
    assert 'value="2026-01-01"' in early.text
    no_reason = officer.post_form(url, f"{url}/avslutt-opphold", {"ended_on": ""})
    assert no_reason.status_code == 422
    assert "Velg hvorfor oppholdet avsluttes." in no_reason.text
    assert service.get_case(M, case_id).version == version


def test_a_double_submitted_end_of_stay_writes_once(service: AllocationService,
                                                   officer: Browser) -> None:
    case_id, place_id = resident(service)
    url = f"/saker/{case_id}"
    assert twice(officer, url, f"{url}/avslutt-opphold", {"reason": "moved"}) == (303, 303)
    events = [e for e in service.repository.event_store.get(case_id)
              if type(e).__name__ == "StayEnded"]
    assert len(events) == 1
    assert service.get_place(M, place_id).free_beds == 1


# --- the vacancy board: places (R1) and other providers' offers -----------------------------


PLACE_FORM = {"facility": "ny", "facility_name": "Lyngtun sykehjem",
              "facility_kind": "nursing_home", "unit": "D", "room": "D1",
              "place_type": "screened", "room_kind": "single", "available_from": ""}


def test_r1_registering_a_place_puts_it_on_the_board(service: AllocationService,
                                                     officer: Browser) -> None:
    done = officer.post_form("/ledige-plasser", "/ledige-plasser/plass", PLACE_FORM,
                             follow=True)
    assert done.status_code == 200
    assert "Plassen er registrert." in done.text
    assert "<h2>Lyngtun sykehjem</h2>" in done.text
    assert re.search(r"<td>D</td><td>D1</td><td>skjermet</td><td>enerom</td>\s*<td>ledig</td>",
                     done.text)
    # the facility is picked by its name from then on; its key was made from the name
    assert '<option value="lyngtun-sykehjem">Lyngtun sykehjem</option>' in done.text
    again = officer.post_form("/ledige-plasser", "/ledige-plasser/plass",
                              {**PLACE_FORM, "facility": "lyngtun-sykehjem",
                               "facility_name": "", "room": "D2"}, follow=True)
    assert again.status_code == 200 and done.text.count("<h2>Lyngtun sykehjem</h2>") == 1
    assert again.text.count("<h2>Lyngtun sykehjem</h2>") == 1


def test_r1_a_place_with_missing_fields_is_refused_and_keeps_what_was_typed(
        service: AllocationService, officer: Browser) -> None:
    position = service.recorder.max_notification_id()
    answer = officer.post_form("/ledige-plasser", "/ledige-plasser/plass",
                               {**PLACE_FORM, "room": "", "facility_kind": "hospital"})
    assert answer.status_code == 422
    assert 'id="place-room-feil"' in answer.text and "Skriv romnummeret." in answer.text
    assert "Velg sykehjem eller bolig med heldøgns tjenester (§ 1-3 bokstav a)." \
        in answer.text
    assert 'value="Lyngtun sykehjem"' in answer.text
    assert re.search(r'<option value="screened" selected>', answer.text)
    assert service.recorder.max_notification_id() == position


def test_r1_another_kind_of_place_in_a_registered_room_is_refused(
        service: AllocationService, officer: Browser) -> None:
    officer.post_form("/ledige-plasser", "/ledige-plasser/plass", PLACE_FORM)
    position = service.recorder.max_notification_id()
    answer = officer.post_form("/ledige-plasser", "/ledige-plasser/plass",
                               {**PLACE_FORM, "place_type": "ordinary"})
    assert answer.status_code == 422
    assert "Et annet rom er allerede registrert med samme institusjon" in answer.text
    assert service.recorder.max_notification_id() == position


def test_r1_a_double_submitted_place_writes_once(service: AllocationService,
                                                 officer: Browser) -> None:
    assert twice(officer, "/ledige-plasser", "/ledige-plasser/plass", PLACE_FORM) \
        == (303, 303)
    html = officer.get("/ledige-plasser").text
    assert len(re.findall(r"<td>D</td><td>D1</td>", html)) == 1
    assert len(list(service.place_ids())) == 1


OFFER_FORM = {"provider": "Privat Omsorg AS", "reference": "P-17",
              "facility_name": "Lia sykehjem", "facility_kind": "nursing_home",
              "place_type": "ordinary", "room_kind": "single", "price_per_day": "3 150,50",
              "available_from": "", "valid_until": "2026-06-30"}


def test_registering_another_providers_offer_shows_it_with_its_price(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    done = officer.post_form("/ledige-plasser", "/ledige-plasser/leverandortilbud",
                             OFFER_FORM, follow=True)
    assert done.status_code == 200
    assert "Tilbudet fra den andre leverandøren er registrert." in done.text
    row = re.search(r"<td>Privat Omsorg AS</td>.*?</tr>", done.text, re.S)
    assert row and "Lia sykehjem" in row.group(0) and "30.06.2026" in row.group(0)
    offers = caught_up(runtime).read.vacancy_board(M).provider_offers
    assert [o.price_per_day for o in offers] == [Decimal("3150.50")]


def test_another_providers_offer_with_a_negative_price_is_refused(
        service: AllocationService, officer: Browser) -> None:
    position = service.recorder.max_notification_id()
    answer = officer.post_form("/ledige-plasser", "/ledige-plasser/leverandortilbud",
                               {**OFFER_FORM, "price_per_day": "-100"})
    assert answer.status_code == 422
    assert 'id="provider_offer-price_per_day-feil"' in answer.text
    assert "Skriv prisen per døgn i kroner: over 0 og under 1 000 000" in answer.text
    assert 'value="-100"' in answer.text and 'value="Privat Omsorg AS"' in answer.text
    too_early = officer.post_form("/ledige-plasser", "/ledige-plasser/leverandortilbud",
                                  {**OFFER_FORM, "available_from": "2026-07-01"})
    assert too_early.status_code == 422
    assert "«Gyldig til» kan ikke være før plassen er ledig." in too_early.text
    assert service.recorder.max_notification_id() == position
    assert "Ingen tilbud fra andre leverandører nå." in officer.get("/ledige-plasser").text


def test_a_double_submitted_provider_offer_writes_once(service: AllocationService,
                                                      officer: Browser) -> None:
    assert twice(officer, "/ledige-plasser", "/ledige-plasser/leverandortilbud",
                 OFFER_FORM) == (303, 303)
    assert len(list(service.provider_offer_ids())) == 1
    html = officer.get("/ledige-plasser").text
    assert len(re.findall(r"<td>Privat Omsorg AS</td>", html)) == 1


# --- who may, and labels -------------------------------------------------------------------


def test_only_the_allocation_officer_may_use_the_new_forms(service: AllocationService,
                                                           browser: Browser) -> None:
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    browser.sign_in("klagebehandler")
    page = browser.get(f"/klage/saker/{case_id}")
    assert page.status_code == 200
    assert "/avslutt" not in page.text and "/ektefelle" not in page.text
    form = {"csrf_token": csrf_of(page.text), "command_id": str(uuid4()),
            "reason": "withdrawn"}
    refused = browser.client.post(f"/saker/{case_id}/avslutt", data=form,
                                  follow_redirects=False)
    assert refused.status_code == 403
    board = browser.client.post("/ledige-plasser/plass", data={**form, **PLACE_FORM},
                                follow_redirects=False)
    assert board.status_code == 403
    assert service.get_case(M, case_id).version == version
    assert list(service.place_ids()) == []


def test_every_field_of_the_new_forms_has_a_label(service: AllocationService,
                                                   officer: Browser) -> None:
    place(service, facility_id="fjellheim", place_type=PlaceType.SCREENED)
    first = waiting_case(service)
    waiting_case(service, spouse_case_id=first)
    resident_id, _ = resident(service)
    for url in (f"/saker/{first}", f"/saker/{resident_id}", f"/saker/{new_case(service)}",
                "/ledige-plasser"):
        html = officer.get(url).text
        assert unlabelled(html) == [], url
        assert len(re.findall(r'<legend>', html)) >= 1


# --- the accompanying spouse (R11, § 2-3 second paragraph) ---------------------------------


def test_r11_accompanying_stay_form_decides_and_the_offer_form_asks_for_a_double_room(
        service: AllocationService, officer: Browser) -> None:
    from domain.case import CaseStatus
    from domain.values import RoomKind

    ola = waiting_case(service, name="Ola Par")
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Par",
                                       spouse_case_id=ola)
    url = f"/saker/{kari}"
    page = officer.get(url).text
    assert 'id="skjema-accompanying"' in page and not unlabelled(page)
    refused = officer.post_form(url, f"{url}/medfolgende", {"wish": "", "grounds": "G"})
    assert refused.status_code == 422
    assert "Skriv at begge ønsker å bo sammen" in refused.text
    assert service.get_case(M, kari).status is CaseStatus.RECEIVED
    answer = officer.post_form(url, f"{url}/medfolgende",
                               {"wish": "Begge ønsker å bo sammen",
                                "grounds": "Ektefelle til beboer"}, follow=True)
    assert answer.status_code == 200
    assert "Vedtaket er fattet." in answer.text
    assert "Vedtak om medfølgende opphold" in answer.text
    assert "R11" not in answer.text
    assert service.get_case(M, kari).status is CaseStatus.ACCOMPANYING
    # the resident's offer form: a single room is refused in Norwegian, nothing written
    single = place(service)
    place(service, room_kind=RoomKind.DOUBLE)
    resident_url = f"/saker/{ola}"
    assert 'id="tilbud-par"' in officer.get(resident_url).text
    refused = officer.post_form(resident_url, f"{resident_url}/tilbud",
                                {"target": f"place:{single}"})
    assert refused.status_code == 422, refused.text[:500]
    assert "paret tilbys et helt dobbeltrom" in refused.text
    assert service.get_place(M, single).is_vacant


def test_r11_a_new_decision_on_the_accompanying_stay_after_the_resident_died(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    from domain.case import CaseStatus
    from domain.values import RoomKind, StayEndReason

    ola = waiting_case(service, name="Ola Par")
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Par",
                                       spouse_case_id=ola)
    service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Ja", grounds="G",
                                     decided_by="TE")
    double = place(service, room_kind=RoomKind.DOUBLE)
    offer = service.make_offer(M, ola, made_by="TE", place_id=double)
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    caught_up(runtime)
    board = officer.get("/ledige-plasser").text  # the room: both beds the couple's
    assert "begge senger: ektepar med medfølgende ektefelle" in board
    service.end_stay(M, ola, reason=StayEndReason.DIED)
    caught_up(runtime)
    board = officer.get("/ledige-plasser").text  # his bed free, hers still hers
    assert "én seng holdes av en medfølgende ektefelle" in board
    url = f"/saker/{kari}"
    page = officer.get(url).text
    assert 'id="medfolgende"' in page and "oppholdet fortsetter" in page
    assert 'id="skjema-accompanying_conclusion"' in page and not unlabelled(page)
    refused = officer.post_form(url, f"{url}/medfolgende/nytt-vedtak",
                                {"outcome": "ended", "grounds": "Flytter hjem"})
    assert refused.status_code == 422
    assert service.get_case(M, kari).status is CaseStatus.RESIDENT
    answer = officer.post_form(url, f"{url}/medfolgende/nytt-vedtak",
                               {"outcome": "ordinary_stay", "grounds": "Fyller vilkårene"},
                               follow=True)
    assert answer.status_code == 200
    assert "Videreføres som ordinært langtidsopphold" in answer.text
    case = service.get_case(M, kari)
    assert case.status is CaseStatus.RESIDENT and not case.in_accompanying_stay
