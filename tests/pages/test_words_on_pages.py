"""Issue 17, item 5: what users read holds no rule code (R1–R28) and no id. The pages of
the demo municipality are crawled as each role (links followed from the role's home page,
GET only), and the text of every page — not its links and attributes — is checked; so are
the ``message`` fields of the JSON refusals a case worker's client shows."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalIssuer
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import person_number
from tests.conftest import sqlite_env
from tests.pages.conftest import _KEY, Browser
from tests.pages.demo import DEMO_NOW, demo_store

RULE_CODE = re.compile(r"\bR[0-9]+\b")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
#: Pages a crawl does not open: downloads, signing out, and the same page again per row.
SKIP = re.compile(r"(/pdf$|\.csv|/logg-ut|/docs|/redoc|/openapi)")
PAGES_PER_ROLE = 45


class _Text(HTMLParser):
    """The text a person reads: character data outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href.split("#", 1)[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("demo-words")
    store = demo_store(tmp_path_factory, folder / "events.sqlite")
    service = AllocationService(env=sqlite_env(store), clock=ManualClock(DEMO_NOW))
    settings = ApiSettings(data_dir=folder, demo=False, deadline_check_interval_s=0,
                           read_timeout_s=30)
    app = create_app(settings, service=service, issuer=LocalIssuer(settings, key=_KEY))
    with TestClient(app) as client:
        service.run_allocation("4601", started_by="Kari Nordmann", confirm_unassessed=True,
                               command_id="demo-words-run")
        app.state.runtime.read.wait_for(service.recorder.max_notification_id(), timeout=60)
        client.service = service  # type: ignore[attr-defined]
        yield client
    service.close()


def _crawl(browser: Browser, start: list[str]) -> dict[str, str]:
    """The text of up to PAGES_PER_ROLE pages reachable from ``start``, by address; one
    page per kind of address (ids replaced), so every kind of page is seen."""
    seen_kinds: set[str] = set()
    queue = deque(start)
    texts: dict[str, str] = {}
    while queue and len(texts) < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = UUID_TEXT.sub("{id}", url.split("?", 1)[0])
        if kind in seen_kinds or SKIP.search(url):
            continue
        seen_kinds.add(kind)
        answer = browser.get(url)
        if answer.status_code != 200 or "text/html" not in answer.headers.get(
                "content-type", ""):
            continue
        parser = _Text()
        parser.feed(answer.text)
        texts[url] = " ".join(parser.parts)
        queue.extend(parser.links)
    return texts


@pytest.mark.parametrize(("username", "home"), [
    ("saksbehandler", ["/venteliste", "/arbeidslister", "/tildeling", "/ledige-plasser",
                       "/frister", "/saker/ny", "/sok"]),
    ("leder", ["/ledelse/frister", "/ledelse/statistikk", "/ledelse/aktivitet",
               "/ledelse/ledige-plasser"]),
    ("klagebehandler", ["/klage", "/klage/tidspunkt", "/sok"]),
])
def test_no_page_shows_a_rule_code_or_an_id(demo: TestClient, username: str,
                                            home: list[str]) -> None:
    browser = Browser(demo)
    demo.cookies.clear()
    browser.sign_in(username)
    texts = _crawl(browser, home)
    assert len(texts) >= len(home)
    found = {url: (RULE_CODE.findall(text), UUID_TEXT.findall(text))
             for url, text in texts.items()}
    bad = {url: hits for url, hits in found.items() if hits[0] or hits[1]}
    assert not bad, bad


def test_json_refusals_say_it_in_words_and_keep_the_rule_in_its_field(
        demo: TestClient) -> None:
    token = demo.post("/auth/demo-token", json={"username": "saksbehandler"}).json()[
        "access_token"]
    h = {"Authorization": f"Bearer {token}"}
    new = demo.post("/cases", headers=h, json={"identity_number": person_number(),
                                               "name": "Ord Prøve", "channel": "digital"})
    assert new.status_code in (200, 201), new.text
    case_id = new.json()["case_id"]
    refusals = [
        demo.post(f"/cases/{case_id}/decisions", headers=h, json={  # R8: not documented
            "kind": "waiting_list", "place_type": "ordinary", "grounds": "x",
            "can_be_cared_for_safely_at_home": True,
            "interim_services": [{"service": "hjemmesykepleie", "extent": "daglig"}]}),
        demo.post(f"/cases/{case_id}/spouse", headers=h,  # itself
                  json={"spouse_case_id": case_id}),
        demo.post(f"/cases/{UUID(int=7)}/spouse", headers=h, json={"spouse_case_id": case_id}),
    ]
    rules = set()
    for answer in refusals:
        assert 400 <= answer.status_code < 500, answer.text
        body = answer.json()
        assert not RULE_CODE.search(body["message"]), body
        assert not UUID_TEXT.search(body["message"]), body
        rules.add(body.get("rule"))
    assert "R8" in rules  # the code stays, for machines, in its own field
