"""Fixtures for the page tests: the app over a temporary SQLite store in virtual time, a
local issuer with a throwaway key, and a browser-like client that signs in through the
sign-in page (cookie and CSRF token as a browser would carry them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalIssuer
from api.deps import Runtime
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import START

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
COMMAND = re.compile(r'name="command_id" value="([^"]*)"')
VERSION = re.compile(r'name="case_version" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class Browser:
    """A TestClient that keeps cookies and knows how to fill in forms.

    The tests write through the service as well as through the pages; a page read in the
    service sees what its projector has applied. So every read here asks to see everything
    stored so far (``X-Read-Position``, as a client that saw those writes would), and a
    page's own writes are seen through the cookie their answers set, as in a browser."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def seen(self) -> dict[str, str]:
        position = self.client.app.state.runtime.position()  # type: ignore[attr-defined]
        return {"X-Read-Position": str(position)}

    def get(self, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, follow_redirects=False, headers=self.seen(), **kwargs)

    def sign_in(self, username: str) -> None:
        page = self.client.get("/logg-inn")
        answer = self.client.post("/logg-inn", data={"csrf_token": csrf_of(page.text),
                                                     "username": username},
                                  follow_redirects=False)
        assert answer.status_code == 303, answer.text

    def post_form(self, page_url: str, action: str, data: dict[str, str],
                  follow: bool = False):  # type: ignore[no-untyped-def]
        """Submit a form as a browser would: the CSRF token, a fresh command id and (on a
        case page) the version of the case, from the page the form is on."""
        page = self.client.get(page_url, headers=self.seen())
        assert page.status_code == 200, page.text
        fields = {"csrf_token": csrf_of(page.text)}
        for name, pattern in (("command_id", COMMAND), ("case_version", VERSION)):
            found = pattern.search(page.text)
            if found:
                fields[name] = found.group(1)
        fields.update(data)
        return self.client.post(action, data=fields, follow_redirects=follow)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def service(tmp_path: Path, clock: ManualClock) -> Iterator[AllocationService]:
    svc = AllocationService(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                 "SQLITE_DBNAME": str(tmp_path / "events.sqlite")},
                            clock=clock)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def app_client(tmp_path: Path, service: AllocationService) -> Iterator[TestClient]:
    settings = ApiSettings(data_dir=tmp_path, demo=False, deadline_check_interval_s=0)
    app = create_app(settings, service=service, issuer=LocalIssuer(settings, key=_KEY))
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def browser(app_client: TestClient) -> Browser:
    return Browser(app_client)


@pytest.fixture
def officer(browser: Browser) -> Browser:
    browser.sign_in("saksbehandler")
    return browser


@pytest.fixture
def manager(browser: Browser) -> Browser:
    browser.sign_in("leder")
    return browser


@pytest.fixture
def handler(browser: Browser) -> Browser:
    browser.sign_in("klagebehandler")
    return browser


@pytest.fixture
def runtime(app_client: TestClient) -> Runtime:
    return app_client.app.state.runtime  # type: ignore[attr-defined,no-any-return]


def caught_up(rt: Runtime) -> Runtime:
    """The read models once they hold every event written so far."""
    rt.read.wait_for(rt.service.recorder.max_notification_id(), timeout=10)
    return rt
