"""R28 on the pages: the case page of a resident offers "Tilby flytting"; the move is
answered and carried out there; the vacancy board then shows the old place as free; a bad
form is refused in Norwegian and changes nothing; the run page shows moves apart."""

from __future__ import annotations

import re
from decimal import Decimal

from application.service import AllocationService
from domain.values import IPLOS_VARIABLES, FacilityKind, PlaceType
from tests.builders import MUNICIPALITY as M
from tests.builders import document, person_number, place
from tests.pages.conftest import Browser
from tests.pages.test_case_and_board_forms import resident


def test_r28_a_resident_is_offered_a_move_and_moves_and_the_board_shows_the_freed_place(
        service: AllocationService, officer: Browser) -> None:
    service.set_policy(M, issued_by="k", reason="Fritt valg", free_choice=True)
    case_id, old = resident(service)
    service.record_wishes(M, case_id, facility_ids=["solbakken"])
    new = place(service, facility_id="solbakken")
    url = f"/saker/{case_id}"
    page = officer.get(url).text
    assert "Tilby flytting" in page and 'id="skjema-move"' in page
    assert "Fritt valg: sykehjemmet personen ønsket" in page  # the reasons in Norwegian
    bad = officer.post_form(url, f"{url}/flytting", {"target": f"place:{new}"})
    assert bad.status_code == 422 and "Velg hvorfor personen tilbys flytting." in bad.text
    assert service.get_place(M, new).is_vacant
    done = officer.post_form(url, f"{url}/flytting",
                             {"target": f"place:{new}", "reason": "free_choice"}, follow=True)
    assert done.status_code == 200 and "Tilbudet om flytting er sendt" in done.text
    move = service.get_case(M, case_id).outstanding_move
    assert move is not None
    officer.post_form(url, f"{url}/flytting/{move.offer_id}/svar", {"answer": "ja"})
    moved = officer.post_form(url, f"{url}/flytting/{move.offer_id}/gjennomfor",
                              {"moved_on": ""}, follow=True)
    assert moved.status_code == 200 and "Flyttingen er registrert" in moved.text
    case = service.get_case(M, case_id)
    assert case.residence.target_id == new
    assert service.get_place(M, old).is_vacant
    board = officer.get("/ledige-plasser").text
    assert re.search(r"<h2>Fjellheim</h2>.*?<td>ledig</td>", board, re.S)


def test_r28_a_move_to_a_place_that_does_not_fit_is_refused_and_changes_nothing(
        service: AllocationService, officer: Browser) -> None:
    case_id, _ = resident(service)
    other = place(service, facility_id="solbakken")
    version = service.get_case(M, case_id).version
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/flytting",
                               {"target": f"place:{other}", "reason": "bought_to_own"})
    assert answer.status_code == 422
    assert "R28" not in answer.text
    assert service.get_case(M, case_id).version == version
    assert service.get_place(M, other).is_vacant


def test_r28_the_run_page_shows_moves_apart_from_offers(service: AllocationService,
                                                        officer: Browser) -> None:
    ola = service.receive_application(M, identity_number=person_number(), name="Ola Kjøpt")
    document(service, ola)
    service.decide(M, ola, kind="grant", grounds="Kan ikke bo hjemme", decided_by="TE",
                   place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False,
                   alternatives_at_home="Prøvd")
    po = service.register_provider_offer(
        M, provider="Privat AS", reference="K-9", facility_name="Lindegården",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3000"))
    offer = service.make_offer(M, ola, made_by="TE", provider_offer_id=po)
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    place(service)
    run_id = service.run_allocation(M, started_by="TE")
    page = officer.get(f"/tildeling/{run_id}").text
    assert 'id="flyttinger"' in page and "Ola Kjøpt" in page
    assert "kjøper av en annen leverandør" in page


def test_r28_money_saved_by_moves_from_bought_places_is_reported(
        service: AllocationService, manager: Browser, clock) -> None:  # type: ignore[no-untyped-def]
    ola = service.receive_application(M, identity_number=person_number(), name="Ola Kjøpt")
    document(service, ola)
    service.decide(M, ola, kind="grant", grounds="Kan ikke bo hjemme", decided_by="TE",
                   place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False,
                   alternatives_at_home="Prøvd")
    po = service.register_provider_offer(
        M, provider="Privat AS", reference="K-7", facility_name="Lindegården",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3000"))
    offer = service.make_offer(M, ola, made_by="TE", provider_offer_id=po)
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    move = service.offer_move(M, ola, place_id=place(service), reason="bought_to_own",
                              made_by="TE")
    service.accept_move(M, ola, move)
    service.carry_out_move(M, ola, move)
    clock.advance(days=9)  # the move day and nine more: ten days saved
    html = manager.get(f"/ledelse/aktivitet?ar={clock.now().year}").text
    assert re.search(r'id="spart">1 kjøpte plasser.*?3\u00a0000 kr per døgn, '
                     r'30\u00a0000 kr i', html, re.S), html[html.find('id="spart"'):][:300]


def test_r8_r28_a_residents_iplos_is_renewed_on_the_case_page(
        service: AllocationService, officer: Browser) -> None:
    """A resident's case page has the § 2-2 forms (a new decision on the place type needs
    a current IPLOS registration), and a renewal through the form is recorded."""
    case_id, _ = resident(service)
    url = f"/saker/{case_id}"
    page = officer.get(url).text
    assert "Registrer opplysninger (§ 2-2)" in page and 'id="skjema-iplos"' in page
    before = service.get_case(M, case_id).docs.iplos_assessed_on
    scores = {f"iplos_{v}": "3" for v in IPLOS_VARIABLES}
    answer = officer.post_form(url, f"{url}/iplos", scores)
    assert answer.status_code == 303, answer.text[:2000]
    case = service.get_case(M, case_id)
    assert set(case.docs.iplos_scores.values()) == {3} and case.docs.iplos_assessed_on >= before
