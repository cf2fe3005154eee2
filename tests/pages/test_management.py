"""Management pages: the deadline dashboard (R18, R19), statistics with charts and CSV
(R13) and the activity report (R22) — and no names anywhere."""

from __future__ import annotations

import re

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import BreachChoice, FacilityKind, PlaceType
from tests.builders import MUNICIPALITY as M
from tests.builders import START, place, waiting_case
from tests.pages.conftest import Browser


def breach(service: AllocationService, clock: ManualClock, name: str = "Brudd Bruddesen"
           ) -> None:
    case_id = waiting_case(service, name=name)
    clock.set(START.replace(month=6, day=10))
    assert service.check_deadlines(M) == [case_id]
    service.record_breach_choice(M, case_id, choice=BreachChoice.WAIT, recorded_by="saksb")


def test_r18_the_dashboard_shows_breaches_and_coming_deadlines_without_names(
        service: AllocationService, clock: ManualClock, manager: Browser) -> None:
    breach(service, clock)
    waiting_case(service, name="Snart Frist")  # decided 10.06, deadline 10.09.2026
    clock.set(START.replace(month=8, day=20))  # 21 days left for the second
    page = manager.get("/ledelse/frister")
    assert page.status_code == 200
    html = page.text
    assert "Frister for tilbud" in html
    assert re.search(r'id="antall-brudd"><span class="n">1</span>', html)
    assert '<tr class="breach">' in html and "02.06.2026" in html  # the breached deadline
    assert "1 valgte å vente" in html  # R19: the choice is shown
    assert "Frist de neste 30 dagene" in html and "10.09.2026" in html
    assert "Brudd Bruddesen" not in html and "Snart Frist" not in html


def test_r13_statistics_draw_the_four_charts_with_their_figures(
        service: AllocationService, clock: ManualClock, manager: Browser) -> None:
    place(service)
    breach(service, clock)
    page = manager.get("/ledelse/statistikk?fra=2026-01&til=2026-06")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg viewBox=') == 4
    for title in ("Venteliste ved månedsslutt", "Ventetid til første tilbud (dager)",
                  "Fristbrudd og kjøp per måned", "Belegg per plasstype"):
        assert f">{title}</title>" in html
    assert 'role="img"' in html and "style=" not in html.split("<main", 1)[1]
    assert "jun 26" in html  # month labels in Norwegian
    row = re.search(r'<th scope="row">jun 26</th>(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells[0] == "1" and cells[6] == "1"  # on the list at month end; one breach
    assert "Brudd Bruddesen" not in html


def test_r13_statistics_csv_downloads_for_excel(service: AllocationService,
                                               manager: Browser) -> None:
    waiting_case(service)
    answer = manager.get("/ledelse/statistikk.csv?fra=2026-01&til=2026-03")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="statistikk-4601-2026-01-2026-03.csv"' in \
        answer.headers["content-disposition"]
    text = answer.content.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") > 5
    assert "Ola Nordmann" not in text


def test_a_period_given_backwards_is_swapped_not_adjusted(manager: Browser) -> None:
    answer = manager.get("/ledelse/statistikk?fra=2026-05&til=2026-01")
    assert answer.status_code == 200
    assert 'name="fra" type="month" value="2026-01"' in answer.text
    assert 'name="til" type="month" value="2026-05"' in answer.text
    assert "justert" not in answer.text


def test_a_wrong_month_is_explained_in_norwegian(manager: Browser) -> None:
    answer = manager.get("/ledelse/statistikk?fra=2026-13")
    assert answer.status_code == 422
    assert "«Fra» må være en måned" in answer.text


def test_charts_have_whole_number_axes_and_units(service: AllocationService,
                                                 manager: Browser) -> None:
    waiting_case(service)
    html = manager.get("/ledelse/statistikk?fra=2026-01&til=2026-03").text
    ticks = re.findall(r'text-anchor="end" fill="#333">([^<]+)</text>', html)
    assert ticks and all(t.rstrip(" %").isdigit() for t in ticks), ticks
    units = re.findall(r'<text class="unit"[^>]*>([^<]+)</text>', html)
    assert {"personer", "dager", "antall", "prosent"} <= set(units)


def test_statistics_csv_in_norwegian_and_in_english_for_machines(
        service: AllocationService, manager: Browser) -> None:
    waiting_case(service)
    nb = manager.get("/ledelse/statistikk.csv?fra=2026-01&til=2026-03")
    header = nb.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("måned;plasstype;på venteliste ved månedsslutt")
    assert ";ordinær;" in nb.content.decode("utf-8-sig")
    en = manager.get("/ledelse/statistikk.csv?fra=2026-01&til=2026-03&lang=en")
    assert en.content.decode("utf-8-sig").startswith("month;place_type")
    activity = manager.get("/ledelse/aktivitet.csv?ar=2026").content.decode("utf-8-sig")
    assert activity.startswith("År;Kvartal;Fra og med;Til og med")


def test_partial_quarters_are_marked(manager: Browser) -> None:
    html = manager.get("/ledelse/aktivitet?ar=2026").text
    assert "delvis kvartal (pågår" in html and "delvis kvartal (ikke begynt)" in html


def test_managers_read_the_vacancy_board_without_forms(service: AllocationService,
                                                      manager: Browser) -> None:
    place(service)
    board = manager.get("/ledelse/ledige-plasser")
    assert board.status_code == 200 and "<h1>Ledige plasser</h1>" in board.text
    assert 'href="/ledelse/ledige-plasser"' in board.text  # in the menu
    assert "<form" not in board.text.split("<main")[1].split("</main>")[0] or \
        'action="/ledige-plasser/plass"' not in board.text
    assert manager.get("/ledige-plasser").status_code == 403
    csv = manager.get("/ledelse/ledige-plasser.csv").content.decode("utf-8-sig")
    assert csv.startswith("institusjon;avdeling;rom;plasstype;romtype;status")
    assert ";ledig;" in csv


def test_r22_activity_report_and_its_csv(service: AllocationService, clock: ManualClock,
                                         manager: Browser) -> None:
    case_id = waiting_case(service)
    place_id = place(service)
    offer_id = service.make_offer(M, case_id, made_by="x", place_id=place_id)
    service.accept_offer(M, case_id, offer_id)
    service.admit(M, case_id, offer_id)
    clock.set(START.replace(month=4, day=1))
    html = manager.get("/ledelse/aktivitet?ar=2026").text
    assert "Aktivitetsrapport 2026" in html
    row = re.search(r'<th scope="row">1\. kvartal(?:<br>.*?)?</th>(.*?)</tr>', html, re.S)
    assert row is not None and '<td class="num">30</td>' in row.group(1)  # 2–31 March
    csv = manager.get("/ledelse/aktivitet.csv?ar=2026")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").startswith("År;Kvartal;Fra og med")


def test_r22_activity_report_counts_days_per_service_code(
        service: AllocationService, clock: ManualClock, manager: Browser) -> None:
    """Long-term stays by kind of facility, place type and own place, and a short-term stay
    bridging the wait, each under its service code; the CSV in Norwegian or English."""
    nursing = waiting_case(service)
    housing = waiting_case(service, place_type=PlaceType.SCREENED)
    bridged = waiting_case(service)
    for case_id, place_id in (
            (nursing, place(service)),
            (housing, place(service, facility_id="solbakken", place_type=PlaceType.SCREENED,
                            facility_kind=FacilityKind.HOUSING_24H))):
        offer_id = service.make_offer(M, case_id, made_by="x", place_id=place_id)
        service.accept_offer(M, case_id, offer_id)
        service.admit(M, case_id, offer_id)
    service.record_bridging_stay(M, bridged, facility_name="Korttid", unit="K",
                                 from_on=START.date(), to_on=None, recorded_by="x")
    clock.set(START.replace(month=4, day=1))
    html = manager.get("/ledelse/aktivitet?ar=2026").text

    def code_row(code: str) -> str:
        row = re.search(rf'<th scope="row">{code}</th>(.*?)</tr>', html, re.S)
        assert row is not None, code
        return row.group(1)

    assert "Langtidsopphold i sykehjem, ordinær plass, egen plass" in \
        code_row("LT-SH-ORD-EGEN")
    assert '<td class="num">30</td>' in code_row("LT-SH-ORD-EGEN")
    assert '<td class="num">30</td>' in code_row("LT-HB-SKJ-EGEN")
    assert '<td class="num">30</td>' in code_row("KT")
    assert '<td class="num">30</td>' not in code_row("LT-SH-ORD-KJOP")
    nb = manager.get("/ledelse/aktivitet.csv?ar=2026").text.lstrip("\ufeff").splitlines()
    en = manager.get("/ledelse/aktivitet.csv?ar=2026&lang=en").text.lstrip(
        "\ufeff").splitlines()
    assert en[0].startswith("year;quarter;first_day;last_day;ordinary_days;screened_days;"
                            "reinforced_days;purchased_days;total_days;short_term_days;"
                            "LT-SH-ORD-EGEN_days")
    assert nb[1] == en[1]  # the same figures under either heading
    first = dict(zip(en[0].split(";"), en[1].split(";"), strict=True))
    assert (first["LT-SH-ORD-EGEN_days"], first["LT-HB-SKJ-EGEN_days"], first["KT_days"],
            first["total_days"], first["short_term_days"]) == ("30", "30", "30", "60", "30")


def test_management_pages_are_for_managers_only(browser: Browser) -> None:
    browser.sign_in("saksbehandler")
    for url in ("/ledelse/frister", "/ledelse/statistikk", "/ledelse/statistikk.csv",
                "/ledelse/aktivitet"):
        assert browser.get(url).status_code == 403, url


def test_r19_the_dashboard_pages_the_breaches_newest_first(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    names = ["Eldste Brudd", "Midtre Brudd", "Nyeste Brudd"]
    cases = [waiting_case(service, name=name) for name in names]
    for month, case_id in zip((6, 7, 8), cases, strict=True):  # one breach a month
        clock.set(START.replace(month=month, day=10))
        assert service.check_deadlines(M, case_ids=[case_id]) == [case_id]
    first = officer.get("/frister?antall=2")
    assert first.status_code == 200
    table = first.text.split('id="fristbrudd"')[1].split("</table>")[0]
    assert table.index("Nyeste Brudd") < table.index("Midtre Brudd")
    assert "Eldste Brudd" not in first.text
    assert "Viser 1–2 av 3" in first.text
    assert 'href="/frister?antall=2&amp;fra=2#brudd" rel="next"' in first.text
    second = officer.get("/frister?antall=2&fra=2")
    assert "Eldste Brudd" in second.text and "Nyeste Brudd" not in second.text
    assert "Viser 3–3 av 3" in second.text and 'rel="prev"' in second.text
    past = officer.get("/frister?fra=9")
    assert past.status_code == 200 and "Ingen fristbrudd på denne siden" in past.text
    bad = officer.get("/frister?antall=0")
    assert bad.status_code == 422 and "«antall»" in bad.text


def test_r18_the_dashboards_deadline_lists_show_their_first_rows_and_say_how_many(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    """A list of deadlines longer than a page shows its soonest rows and says how many it
    has in all; the figure at the top counts them all."""
    names = ["Først Frist", "Andre Frist", "Tredje Frist"]
    for day, name in zip((1, 2, 3), names, strict=True):
        clock.set(START.replace(month=3, day=day))
        waiting_case(service, name=name)
    clock.set(START.replace(month=5, day=20))  # every deadline within 14 days
    page = officer.get("/frister?antall=2")
    assert page.status_code == 200
    soon = page.text.split('id="frist-14-dager"')[1].split("</table>")[0]
    assert "Først Frist" in soon and "Andre Frist" in soon and "Tredje Frist" not in soon
    assert "Viser de 2 med tidligst frist av 3" in page.text
