"""The breach letter (§ 3-4 second paragraph), the decision letter on an accompanying stay
(§ 2-3 second paragraph) and the move offer letter: each on its page and in the PDF rendered
from the same HTML (the text read back with pypdf), every required element checked in both,
no rule code and no id in either; each linked from the case page and access-logged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import FacilityKind, PlaceType, RoomKind
from tests.builders import MUNICIPALITY as M
from tests.builders import START, person_number, place, waiting_case
from tests.pages.conftest import Browser, caught_up
from tests.pages.test_letters import check_letter, grant_case, pdf_text, words
from tests.pages.test_right_by_law import visible
from tests.pages.test_words_on_pages import UUID_TEXT

#: Where and how to complain, as every letter says it.
COMPLAINT = (
    "etter pasient- og brukerrettighetsloven § 7-2",
    "Klagefrist: fire uker fra du mottok dette",
    "(pasient- og brukerrettighetsloven § 7-5 og forvaltningsloven § 29)",
    "Klagen skal være skriftlig og undertegnet", "(forvaltningsloven § 32)",
    "Etat for tjenestetildeling Bergen kommune Postboks 0000 (demoadresse) 0000 Demoby",
    "sendes klagen til Statsforvalteren i Vestland (Postboks 0000 (demoadresse), 0000 "
    "Demoby), som avgjør den",
    "Du har rett til å se dokumentene i saken din (forvaltningsloven § 18)",
)


def check(officer: Browser, url: str, elements: tuple[str, ...],
          absent: tuple[str, ...] = ()) -> None:
    """Every element on the page and in the PDF; no rule code (checked by
    :func:`check_letter`) and no id in either."""
    check_letter(officer, url, elements, absent)
    page = officer.get(url).text
    letter = words(visible(page[page.index('<article class="letter">'):]))
    assert not UUID_TEXT.search(letter), letter
    assert not UUID_TEXT.search(pdf_text(officer.get(f"{url}/pdf").content))


def logged(runtime, case_id: UUID) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["action"] for e in caught_up(runtime).read.access_log(M, case_id)]


def provider(service: AllocationService, reference: str, place_type: PlaceType,
             price: str, valid_until: date | None = None) -> UUID:
    return service.register_provider_offer(
        M, provider="Privat Omsorg AS", reference=reference,
        facility_name=f"Lindegården {reference}", facility_kind=FacilityKind.NURSING_HOME,
        place_type=place_type, price_per_day=Decimal(price), valid_until=valid_until)


# --- the breach letter -------------------------------------------------------------------------


def test_the_breach_letter_says_the_guarantee_was_not_met_and_the_persons_choice(
        service: AllocationService, officer: Browser, clock: ManualClock,
        runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = waiting_case(service, name="Frist Brutt")  # deadline 02.06.2026
    provider(service, "K-1", PlaceType.ORDINARY, "3150", valid_until=date(2026, 7, 31))
    provider(service, "K-2", PlaceType.SCREENED, "3900")  # not the decided type
    clock.set(START.replace(month=6, day=10))
    assert service.check_deadlines(M, case_ids=[case_id]) == [case_id]
    clock.advance(days=2)
    provider(service, "K-3", PlaceType.ORDINARY, "2800")  # offered after the breach
    case = service.get_case(M, case_id)
    page = officer.get(f"/saker/{case_id}").text
    url = f"/fristbruddbrev/{case_id}/1"
    assert f'href="{url}"' in page and f'href="{url}/pdf"' in page
    check(officer, url, (
        "Du har ikke fått tilbud om plass innen fristen",
        f"Saksnummer: {case.case_number}", "Dato: 10.06.2026", "Til: Frist Brutt",
        "Bergen kommune",
        "skulle du ha fått tilbud om langtidsopphold innen 3 måneder, det vil si senest "
        "02.06.2026",
        "forskriften § 3-4 første ledd", "forskriften § 3-4 annet ledd",
        "en ledig plass hos en annen leverandør, som kommunen kjøper for deg",
        "å vente på en plass i kommunen",
        "Lindegården K-1", "Privat Omsorg AS", "ordinær", "3 150", "31.07.2026",
        "Kommunen betaler prisen til leverandøren",
        "Du betaler bare det ordinære vederlaget",
        "det kommunen betaler utover dette, betaler ikke du",
        "Svar innen 24.06.2026.", "Gi beskjed til Etat for tjenestetildeling",
        "Svarer du ikke innen fristen, står du fortsatt på ventelisten",
        "Du kan klage på at kommunen ikke har gitt deg tilbud innen fristen",
        *COMPLAINT,
    ), absent=("Lindegården K-2", "Lindegården K-3", "ikke tildelt"))
    assert "read_breach_letter" in logged(runtime, case_id)
    assert "read_breach_letter_pdf" in logged(runtime, case_id)


def test_a_breach_letter_without_other_providers_places_says_so(
        service: AllocationService, officer: Browser, clock: ManualClock) -> None:
    case_id = waiting_case(service, name="Ingen Tilbud")
    clock.set(START.replace(month=6, day=10))
    service.check_deadlines(M, case_ids=[case_id])
    check(officer, f"/fristbruddbrev/{case_id}/1", (
        "hadde ingen annen leverandør tilbudt kommunen en ledig plass",
        "kjøper kommunen en egnet plass så snart en blir ledig",
        "Du betaler bare det ordinære vederlaget", "Svar innen 24.06.2026."))


def test_a_breach_letter_of_a_period_without_a_breach_or_another_municipality_is_refused(
        service: AllocationService, browser: Browser, clock: ManualClock) -> None:
    case_id = waiting_case(service)
    clock.set(START.replace(month=6, day=10))
    service.check_deadlines(M, case_ids=[case_id])
    browser.sign_in("saksbehandler")
    assert browser.get(f"/fristbruddbrev/{case_id}/2").status_code == 404
    assert browser.get(f"/fristbruddbrev/{case_id}/x").status_code == 404
    browser.sign_in("saksbehandler-oslo")
    assert browser.get(f"/fristbruddbrev/{case_id}/1/pdf").status_code == 404
    browser.sign_in("leder")
    assert browser.get(f"/fristbruddbrev/{case_id}/1").status_code == 403
    browser.sign_in("klagebehandler")
    assert browser.get(f"/fristbruddbrev/{case_id}/1").status_code == 200


# --- the accompanying stay's decision letter ---------------------------------------------------


def test_the_accompanying_stay_decision_letter_says_what_the_law_asks(
        service: AllocationService, officer: Browser,
        runtime) -> None:  # type: ignore[no-untyped-def]
    ola = waiting_case(service, name="Ola Beboer")
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Følger",
                                       spouse_case_id=ola)
    decision = service.decide_accompanying_stay(
        M, kari, resident_case_id=ola, wish="Begge ønsker å bo sammen etter 50 års ekteskap",
        grounds="Ektefellen har vedtak om langtidsopphold", decided_by="Randi Saksbehandler")
    case = service.get_case(M, kari)
    url = f"/vedtak-medfolgende/{kari}/{decision}"
    page = officer.get(f"/saker/{kari}").text
    assert f'href="{url}"' in page and f'href="{url}/pdf"' in page
    check(officer, url, (
        "Vedtak om medfølgende opphold", f"Saksnummer: {case.case_number}",
        "Dato: 02.03.2026", "Til: Kari Følger",
        "Du får medfølgende opphold sammen med Ola Beboer",
        "Du trenger ikke selv fylle vilkårene for langtidsopphold i forskriften § 2-1",
        "Begge ønsker å bo sammen etter 50 års ekteskap",
        "helse- og omsorgstjenesteloven § 3-2 a",
        "Kommunal forskrift om kriterier for langtidsopphold i sykehjem eller tilsvarende "
        "bolig særskilt tilrettelagt for heldøgns tjenester for Bergen kommune, § 2-3 annet "
        "ledd",
        "Begrunnelse Ektefellen har vedtak om langtidsopphold",
        "For oppholdet betaler du vederlag etter forskrift om egenandel",
        "Du kan klage på vedtaket etter pasient- og brukerrettighetsloven § 7-2",
        "Klagefrist: fire uker fra du mottok dette vedtaket",
        *COMPLAINT, "Randi Saksbehandler",
    ), absent=("30.03.2026",))  # never a deadline computed from the decision date
    assert "read_accompanying_letter" in logged(runtime, kari)
    assert "read_accompanying_letter_pdf" in logged(runtime, kari)
    ordinary = service.get_case(M, ola).decisions[0].decision_id  # not this case's
    assert officer.get(f"/vedtak-medfolgende/{kari}/{ordinary}").status_code == 404


# --- the move offer letter ---------------------------------------------------------------------


def test_the_move_offer_letter_names_the_place_the_reason_the_deadline_and_costs_nothing(
        service: AllocationService, officer: Browser,
        runtime) -> None:  # type: ignore[no-untyped-def]
    case_id = grant_case(service)
    bought = provider(service, "K-7", PlaceType.ORDINARY, "3000")
    offer = service.make_offer(M, case_id, made_by="TE", provider_offer_id=bought)
    service.accept_offer(M, case_id, offer)
    service.admit(M, case_id, offer)
    own = place(service, facility_id="solbakken", room_kind=RoomKind.SINGLE)
    move = service.offer_move(M, case_id, place_id=own, reason="bought_to_own", made_by="TE")
    case = service.get_case(M, case_id)
    answer_by = case.offers[move].answer_by
    assert answer_by is not None
    url = f"/flyttebrev/{case_id}/{move}"
    assert f'href="{url}"' in officer.get(f"/saker/{case_id}").text
    check(officer, url, (
        "Tilbud om flytting til en annen plass", f"Saksnummer: {case.case_number}",
        "Til: Gunn Innvilget",
        "Du får tilbud om å flytte til ordinær plass ved Solbakken (sykehjem)",
        "I dag bor du ved Lindegården K-7", "Plassen er ledig fra: 02.03.2026",
        "Du bor i dag på en plass kommunen kjøper hos en annen leverandør",
        "plass i kommunens egen institusjon",
        f"Svar innen {answer_by.strftime('%d.%m.%Y')}.",
        "Takker du nei, beholder du plassen du har i dag. Det får ingen andre følger for deg.",
        "Du kan klage på tilbudet etter pasient- og brukerrettighetsloven § 7-2", *COMPLAINT,
    ))
    assert "read_move_letter" in logged(runtime, case_id)
    assert "read_move_letter_pdf" in logged(runtime, case_id)
    # an ordinary offer is not a move: its letter is the offer letter
    assert officer.get(f"/flyttebrev/{case_id}/{offer}").status_code == 404


def test_the_new_decision_on_an_accompanying_stay_has_its_letter(
        service: AllocationService, officer: Browser) -> None:
    from domain.values import StayEndReason

    ola = waiting_case(service, name="Ola Beboer")
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Følger",
                                       spouse_case_id=ola)
    service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Ja", grounds="G",
                                     decided_by="TE")
    double = place(service, room_kind=RoomKind.DOUBLE)
    offer = service.make_offer(M, ola, made_by="TE", place_id=double)
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    service.end_stay(M, ola, reason=StayEndReason.DIED)
    decision = service.conclude_accompanying_stay(
        M, kari, outcome="ordinary_stay", grounds="Fyller nå vilkårene selv",
        decided_by="Randi Saksbehandler")
    url = f"/vedtak-medfolgende/{kari}/{decision}"
    assert f'href="{url}"' in officer.get(f"/saker/{kari}").text
    check(officer, url, (
        "Vedtak om langtidsopphold etter medfølgende opphold",
        "videreføres som et ordinært langtidsopphold",
        "for Bergen kommune, § 2-1 og § 2-3 annet ledd", "Fyller nå vilkårene selv",
        "betaler du vederlag", "Klagefrist: fire uker fra du mottok dette vedtaket",
        *COMPLAINT))
