"""A page after a form sees the form's write (issue 16): the answer to the form carries
the position in the ``lto_position`` cookie, and the page the browser is sent to waits for
it; no other read waits."""

from __future__ import annotations

from api.deps import Runtime
from application.service import AllocationService
from tests.builders import waiting_case
from tests.pages.conftest import Browser


def test_the_waiting_list_after_a_priority_form_shows_the_new_score(
        service: AllocationService, officer: Browser, runtime: Runtime) -> None:
    runtime.read.stop()
    service.after_save = None  # the writes nudge nobody: the projector polls once a minute
    runtime.read.start(interval=60)
    case_id = waiting_case(service, name="Synne Sideskift")
    answer = officer.post_form(f"/saker/{case_id}", f"/saker/{case_id}/prioritet", {
        "factor_function": "3", "need_score": "77", "assessor": "Sykepleier Hansen",
        "departure_reason": "Bor alene og faller ofte"})
    assert answer.status_code == 303, answer.text
    assert answer.cookies.get("lto_position") == str(runtime.position())
    page = officer.client.get("/venteliste", follow_redirects=False)  # the cookie only
    assert page.status_code == 200
    assert "Synne Sideskift" in page.text and "77 poeng" in page.text
