"""Issue 17, item 2 and 4: the case page shows what was recorded, with who and when; the run
page returns to the proposal just handled, and a form's refusals come all at once."""

from __future__ import annotations

import re
from uuid import UUID

from application.service import AllocationService
from domain.values import MedicalSource
from tests.builders import MUNICIPALITY as M
from tests.builders import place, waiting_case
from tests.pages.conftest import Browser


def _section(html: str, kind: str) -> str:
    found = re.findall(rf'<article class="recorded" data-kind="{kind}">(.*?)</article>', html,
                       re.S)
    assert found, f"no {kind} on the page"
    return found[-1]


def test_the_case_page_shows_what_was_recorded_with_who_and_when(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Rita Registrert")
    service.record_medical_information(M, case_id, source=MedicalSource.SPECIALIST,
                                       summary="Parkinsons sykdom, fallrisiko",
                                       diagnoses=["G20"], recorded_by="Siri Saksbehandler")
    service.assess_priority(M, case_id, factors={"function": 3},
                            need_score=40, assessor="Per Vurderer",
                            departure_reason="faglig skjønn")
    html = officer.get(f"/saker/{case_id}").text
    relatives = _section(html, "relatives")
    assert "Kari" in relatives and "datter" in relatives
    assert "Bekymret for fall om natten" in relatives and "Registrert " in relatives
    iplos = _section(html, "iplos")
    assert "<th scope=\"row\">" in iplos and re.search(r"<td>\d( — [a-zæøå ]+)?</td>", iplos)
    medical = _section(html, "medical")
    assert "Spesialisthelsetjenesten" in medical and "Parkinsons sykdom" in medical
    assert "G20" in medical and "av Siri Saksbehandler" in medical
    leon = _section(html, "leon")
    assert "Utvidede hjemmetjenester" in leon and "prøvd: ikke tilstrekkelig" in leon
    services = _section(html, "interim_services")
    assert "hjemmesykepleie" in services
    priority = _section(html, "priority")
    assert "40 (retningslinjene foreslo" in priority and "av Per Vurderer" in priority
    assert "3 av 4" in priority
    # the decision says who made it and links its letter
    assert "Tildelingsenheten<br><small>registrert" in html
    assert re.search(rf'href="/vedtak/{case_id}/[0-9a-f-]+">Vedtaksbrev', html)


def test_a_proposal_handled_returns_to_its_place_on_the_run_page(
        service: AllocationService, officer: Browser) -> None:
    first = waiting_case(service, name="Anne Først")
    second = waiting_case(service, name="Bjørn Andre")
    for case_id in (first, second):
        service.assess_priority(M, case_id, factors={"function": 3},
                                need_score=50, assessor="x",
                                departure_reason="skjønn")
        place(service)
    run_url = officer.post_form("/tildeling", "/tildeling", {}).headers["location"].split(
        "?")[0]
    run = service.get_allocation_run(M, UUID(run_url.rsplit("/", 1)[1]))
    proposed = [c for c in (first, second) if str(c) in run.proposed]
    assert len(proposed) == 2
    for case_id in proposed:  # two in a row, each back at its own card
        answer = officer.post_form(f"{run_url}?antall=10",
                                   f"{run_url}/godkjenn/{case_id}?antall=10", {})
        assert answer.status_code == 303
        assert answer.headers["location"] == (
            f"{run_url}?antall=10&melding=godkjent#forslag-{case_id}")


def test_a_changed_proposal_shows_every_refusal_at_once(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Endre Alt")
    service.assess_priority(M, case_id, factors={"function": 3}, need_score=50,
                            assessor="x", departure_reason="skjønn")
    place(service)
    run_url = officer.post_form("/tildeling", "/tildeling", {}).headers["location"].split(
        "?")[0]
    answer = officer.post_form(run_url, f"{run_url}/godkjenn/{case_id}",
                               {"target": "", "reason": ""})
    assert answer.status_code == 422
    assert f'id="change-{case_id}-target-feil"' in answer.text
    assert f'id="change-{case_id}-reason-feil"' in answer.text
