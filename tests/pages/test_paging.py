"""The pages' lists a page at a time: "Viser 1–2 av 5", Forrige and Neste links that keep
the page's filters, ranks of the whole list on later pages, and a bad page number refused."""

from __future__ import annotations

import re
from html import unescape

from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import waiting_case
from tests.pages.conftest import Browser, caught_up

NBSP = "\u00a0"


def _ranks(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-case="[^"]+">\s*<td class="num">(\d+)</td>', html)]


def test_r12_the_waiting_list_page_by_page_keeps_the_rank(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    cases = [waiting_case(service, name=f"Person {n}") for n in range(5)]
    first = officer.get("/venteliste?antall=2")
    assert first.status_code == 200
    html = unescape(first.text)
    assert "Viser 1–2 av 5" in html and _ranks(html) == [1, 2]
    assert '<span class="n">5</span> venter i alt' in html  # the figures count everyone
    assert 'href="/venteliste?antall=2&amp;fra=2" rel="next">Neste' in first.text
    assert "Forrige" not in html
    second = unescape(officer.get("/venteliste?antall=2&fra=2").text)
    assert "Viser 3–4 av 5" in second and _ranks(second) == [3, 4]
    assert "Forrige" in second and "Neste" in second
    last = unescape(officer.get("/venteliste?antall=2&fra=4").text)
    assert "Viser 5–5 av 5" in last and _ranks(last) == [5] and "Neste" not in last
    rt = caught_up(runtime)
    for case_id in cases:  # three pages read, each person on exactly one of them
        log = rt.read.access_log("4601", case_id)
        assert len([e for e in log if e["action"] == "read_waiting_list"]) == 1


def test_a_bad_page_number_is_refused_in_words(officer: Browser) -> None:
    for query in ("fra=-1", "antall=0", "antall=1001", "fra=en"):
        answer = officer.get(f"/venteliste?{query}")
        assert answer.status_code == 422, query
        assert "må være et helt tall" in unescape(answer.text)


def test_the_list_as_of_a_moment_pages_keep_the_moment(
        service: AllocationService, clock: ManualClock, handler: Browser) -> None:
    for n in range(3):
        waiting_case(service, name=f"Person {n}")
    clock.advance(days=1)
    answer = handler.get("/klage/tidspunkt?t=2026-03-02T12:00&antall=2")
    html = unescape(answer.text)
    assert answer.status_code == 200 and "Viser 1–2 av 3" in html
    assert ('href="/klage/tidspunkt?t=2026-03-02T12%3A00&amp;antall=2&amp;fra=2'
            '#venteliste-da" rel="next">Neste') in answer.text
    later = unescape(handler.get("/klage/tidspunkt?t=2026-03-02T12:00&antall=2&fra=2").text)
    assert "Viser 3–3 av 3" in later and "Person" in later


def test_the_thousands_are_grouped_the_norwegian_way() -> None:
    from api.pages.paging import Pager

    assert Pager(1744, 0, 100, None, None).words == f"Viser 1–100 av 1{NBSP}744"
    assert Pager(0, 0, 100, None, None).words == "Viser 0 av 0"
