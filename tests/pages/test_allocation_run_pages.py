"""A run's pages by person (issue 16): the proposal page and the complaint handler's review
show a page of persons at a time (``?fra=&antall=``, 100 by default, at most 1000), say
where the page is and link to the pages beside it; a bad value is a 422 page naming the
parameter; only the persons shown are in the access log (R17, R21)."""

from __future__ import annotations

from uuid import UUID

from application.service import AllocationService
from tests.builders import MUNICIPALITY as M
from tests.builders import place, waiting_case
from tests.pages.conftest import Browser, caught_up


def _run(service: AllocationService) -> tuple[UUID, list[UUID]]:
    cases = []
    for i in range(5):
        c = waiting_case(service, name=f"Person Nummer{i}")
        service.assess_priority(M, c, factors={"function": 3}, need_score=90 - i * 10,
                                assessor="Sykepleier", departure_reason="faglig skjønn")
        cases.append(c)
    place(service)
    return service.run_allocation(M, started_by="Lie"), cases


def test_r17_the_proposal_page_shows_a_page_of_persons(
        service: AllocationService, officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    run_id, cases = _run(service)
    html = officer.get(f"/tildeling/{run_id}?antall=2").text
    assert "Viser 1–2 av 5" in html
    assert 'antall=2&amp;fra=2" rel="next"' in html and 'rel="prev"' not in html
    assert "Person Nummer0" in html and "Person Nummer1" in html  # proposed, then rank 2
    assert "Person Nummer2" not in html
    last = officer.get(f"/tildeling/{run_id}?fra=4&antall=2").text
    assert "Viser 5–5 av 5" in last and "Person Nummer4" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert "Person Nummer0" not in last
    whole = officer.get(f"/tildeling/{run_id}").text
    assert 'rel="next"' not in whole and all(f"Person Nummer{i}" in whole for i in range(5))
    rt = caught_up(runtime)
    shown_last = rt.read.access_log(M, cases[4])
    assert shown_last and shown_last[0]["action"] == "read_allocation_run"


def test_r17_a_bad_page_is_a_422_page_naming_the_parameter(
        service: AllocationService, browser: Browser) -> None:
    run_id, _ = _run(service)
    for user, url in (("saksbehandler", f"/tildeling/{run_id}"),
                      ("klagebehandler", f"/klage/tildeling/{run_id}")):
        browser.sign_in(user)
        for query, name in (("antall=0", "antall"), ("antall=1001", "antall"),
                            ("antall=x", "antall"), ("fra=-1", "fra")):
            answer = browser.get(f"{url}?{query}")
            assert answer.status_code == 422, (url, query)
            assert f"«{name}»" in answer.text and "Ugyldig side" in answer.text
        assert browser.get(f"{url}?antall=1000").status_code == 200


def test_r21_the_review_page_is_paged_too(service: AllocationService,
                                          handler: Browser) -> None:
    run_id, _ = _run(service)
    html = handler.get(f"/klage/tildeling/{run_id}?fra=3&antall=1").text
    assert "Viser 4–4 av 5" in html and "Person Nummer3" in html
    assert "Person Nummer0" not in html
