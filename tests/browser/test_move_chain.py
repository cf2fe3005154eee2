"""Issue 19 (R28): an officer runs an allocation in which a resident is proposed a move,
approves it on the run page ("Flyttinger"), the move is accepted and carried out on the case
page, and the vacancy board shows the place the move freed as vacant from the move day. The
server runs over its own copy of the demo (this story writes); the resident and the places
are set up through the service first, the rest is done as a user in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from playwright.sync_api import Locator, Page, expect

from application.clock import ManualClock
from application.service import AllocationService
from domain.case import ON_LIST
from domain.values import FacilityKind, PlaceType
from tests.browser.conftest import Server, screenshot, serve, sign_in
from tests.builders import INTERIM, MUNICIPALITY, document, person_number
from tests.conftest import sqlite_env
from tests.pages.demo import DEMO_NOW, demo_store

M = MUNICIPALITY
NAME = "Sigrid Flyttesen"
FACILITY = "Fjordtun"
MOVE_DAY = DEMO_NOW.date().strftime("%d.%m.%Y")  # the form's empty date: today


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, UUID]]:
    """The server, and the case of a resident of an own ordinary place at Fjordtun (Nord,
    room 101) who has a new decision on a reinforced place; Fjordtun has one free reinforced
    place (Sør, room 201) that nobody on the demo's waiting list is planned for (those
    decided a reinforced place hold offers of places elsewhere)."""
    folder = tmp_path_factory.mktemp("browser-move")
    store = demo_store(tmp_path_factory, folder / "events.sqlite")
    service = AllocationService(env=sqlite_env(store), clock=ManualClock(DEMO_NOW))
    try:
        with serve(service, folder) as running:
            _offer_elsewhere_to_the_waiting_decided_a_reinforced_place(service)
            case_id = _resident_with_new_need(service)
            running.runtime.read.wait_for(service.recorder.max_notification_id(), timeout=60)
            yield running, case_id
    finally:
        service.close()


def _fjordtun_place(service: AllocationService, unit: str, room: str,
                    place_type: PlaceType) -> UUID:
    return service.register_place(M, facility_id="fjordtun", facility_name=FACILITY,
                                  facility_kind=FacilityKind.NURSING_HOME, unit=unit,
                                  room=room, place_type=place_type)


def _offer_elsewhere_to_the_waiting_decided_a_reinforced_place(
        service: AllocationService) -> None:
    """Whoever on the demo's waiting list was decided a reinforced place is offered one at
    another facility first (the demo, a simulation, may end with some waiting for one), so
    that Fjordtun's reinforced place is one the list cannot use (R28: a move never takes a
    place from a person on the waiting list who can use it)."""
    for n, case_id in enumerate(service.waiting_case_ids(M), start=1):
        case = service.get_case(M, case_id)
        spouse = service.get_case(M, case.spouse_case_id) if case.spouse_case_id else None
        if spouse is not None and spouse.facility_held is not None:
            continue  # R10: only at the spouse's facility, not Fjordtun
        if case.status in ON_LIST and case.place_type is PlaceType.REINFORCED and \
                case.outstanding_offer is None:
            place_id = service.register_place(
                M, facility_id="nordlys", facility_name="Nordlys sykehjem",
                facility_kind=FacilityKind.NURSING_HOME, unit="F", room=f"F{n:03d}",
                place_type=PlaceType.REINFORCED)
            service.make_offer(M, case_id, made_by="Tildelingsenheten", place_id=place_id,
                               type_reason="Vedtaket gjelder forsterket plass"
                               if case.has_dementia else None)  # R7


def _resident_with_new_need(service: AllocationService) -> UUID:
    case_id = service.receive_application(M, identity_number=person_number(), name=NAME)
    document(service, case_id, reinforced=True)  # § 2-2 items, the specialist's too (R8)
    service.decide(M, case_id, kind="waiting_list", grounds="Varig behov",
                   decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                   can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                   alternatives_at_home="Utvidet hjemmetjeneste prøvd")
    old = _fjordtun_place(service, "Nord", "101", PlaceType.ORDINARY)
    offer = service.make_offer(M, case_id, made_by="Tildelingsenheten", place_id=old)
    service.accept_offer(M, case_id, offer)
    service.admit(M, case_id, offer)
    service.decide_new_place_type(M, case_id, place_type=PlaceType.REINFORCED,
                                  grounds="Økende uro og behov for tett oppfølging",
                                  decided_by="Tildelingsenheten")
    _fjordtun_place(service, "Sør", "201", PlaceType.REINFORCED)
    return case_id


def _fjordtun_row(page: Page, unit: str, room: str) -> Locator:
    """The row of one Fjordtun place on the vacancy board, paging on ("Neste") to
    Fjordtun's table the way a user would."""
    page.get_by_role("link", name="Ledige plasser", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Ledige plasser")
    heading = page.get_by_role("heading", name=FACILITY, exact=True)
    while not heading.count():
        following = page.get_by_role("link", name=re.compile("Neste"))
        if not following.count():
            break
        with page.expect_navigation():
            following.first.click()
    expect(heading).to_be_visible()
    table = page.locator("table", has=page.locator("caption", has_text=f"Plasser ved {FACILITY}"))
    return table.locator("tbody tr").filter(
        has=page.locator("td", has_text=re.compile(f"^{unit}$"))).filter(
        has=page.locator("td", has_text=re.compile(f"^{room}$")))


def test_r28_an_approved_move_frees_its_old_place_on_the_vacancy_board(
        page: Page, chain: tuple[Server, UUID]) -> None:
    server, case_id = chain
    url = server.url
    sign_in(page, server, "saksbehandler")
    page.wait_for_url(re.compile(r"/venteliste$"))

    # before: the resident's own place is lived in, so the board does not list it
    expect(_fjordtun_row(page, "Nord", "101")).to_have_count(0)
    expect(_fjordtun_row(page, "Sør", "201")).to_contain_text("ledig")

    # the run: the waiting list first, then the movers; she is proposed the reinforced place
    page.goto(f"{url}/tildeling")
    with page.expect_navigation():
        page.get_by_role("button", name="Kjør tildeling", exact=True).click()
    confirm = page.get_by_role("button", name="Kjør tildelingen likevel")
    if confirm.count():
        with page.expect_navigation():
            confirm.click()
    expect(page.get_by_role("heading", name="Flyttinger")).to_be_visible()
    card = page.locator(f"#flytting-{case_id}")
    expect(card.locator("h3")).to_contain_text(f"{NAME} — nr.")
    expect(card.locator("h3")).to_contain_text("for flytting")
    expect(card).to_contain_text(FACILITY)
    expect(card).to_contain_text("nytt vedtak om forsterket plass")
    expect(card.locator(".item-status")).to_have_text("foreslått")
    screenshot(page, "flytting-forslag")
    with page.expect_navigation():
        card.get_by_role("button", name=re.compile("Godkjenn flyttingen")).click()
    card = page.locator(f"#flytting-{case_id}")
    expect(card.locator(".item-status")).to_have_text("godkjent")
    expect(card.get_by_role("button", name=re.compile("Godkjenn flyttingen"))).to_have_count(0)

    # the board: the new place is held for her, the old one still lived in
    expect(_fjordtun_row(page, "Sør", "201")).to_contain_text("reservert")
    expect(_fjordtun_row(page, "Nord", "101")).to_have_count(0)

    # the case page: she says yes, and the move is carried out today
    card_link = f"{url}/saker/{case_id}"
    page.goto(card_link)
    expect(page.locator("h1")).to_have_text(NAME)
    moves = page.locator("h2#flytting + div table")
    expect(moves).to_contain_text(FACILITY)
    expect(moves).to_contain_text("Venter på svar")
    moves.get_by_label("Takket ja").check()
    with page.expect_navigation():
        moves.get_by_role("button", name="Registrer svaret").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    moves = page.locator("h2#flytting + div table")
    expect(moves).to_contain_text("Takket ja")
    with page.expect_navigation():
        moves.get_by_role("button", name="Registrer flyttingen").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Flyttingen er registrert")
    expect(page.locator("h2#flytting + div table")).to_contain_text(f"Flyttet {MOVE_DAY}")
    expect(page.locator("main")).to_contain_text(
        re.compile(rf"Langtidsplass\s*{FACILITY}, kommunal plass, forsterket"))
    screenshot(page, "flytting-sak")

    # the chain's freed place: vacant on the board from the move day; the new one is taken
    freed = _fjordtun_row(page, "Nord", "101")
    expect(freed).to_have_count(1)
    expect(freed.locator("td").nth(4)).to_have_text("ledig")
    expect(freed.locator("td").nth(2)).to_have_text("ordinær")
    expect(freed.locator("td").last).to_have_text(MOVE_DAY)
    expect(_fjordtun_row(page, "Sør", "201")).to_have_count(0)
    screenshot(page, "flytting-ledige-plasser")
