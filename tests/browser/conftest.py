"""Browser tests: the app served by uvicorn in a background thread on a free port, over a
copy of the seeded demo municipality, driven by Playwright through Debian's Chromium
(``/usr/bin/chromium``, headless; nothing is downloaded at run time). Each test saves a
screenshot under ``test-artifacts/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from api.app import create_app
from api.auth import LocalIssuer
from api.deps import Runtime
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.conftest import sqlite_env
from tests.pages.conftest import _KEY
from tests.pages.demo import DEMO_NOW, demo_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Server:
    url: str
    runtime: Runtime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(service: AllocationService, folder: Path) -> Iterator[Server]:
    """The app over ``service``, served by uvicorn in a background thread on a free port."""
    settings = ApiSettings(data_dir=folder, demo=False, deadline_check_interval_s=0,
                           read_timeout_s=30)
    app = create_app(settings, service=service, issuer=LocalIssuer(settings, key=_KEY))
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    rt: Runtime = app.state.runtime
    rt.read.wait_for(service.recorder.max_notification_id(), timeout=60)
    try:
        yield Server(f"http://127.0.0.1:{port}", rt)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    store = demo_store(tmp_path_factory, folder / "events.sqlite")
    service = AllocationService(env=sqlite_env(store), clock=ManualClock(DEMO_NOW))
    try:
        with serve(service, folder) as running:
            yield running
    finally:
        service.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y "
                    "chromium); the browser tests never download one")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


def sign_in(page: Page, server: Server, username: str) -> None:
    """Sign in with the keyboard only: pick the demo user, press Enter."""
    page.goto(f"{server.url}/logg-inn")
    page.focus(f"#bruker-{username}")
    page.keyboard.press("Space")
    with page.expect_navigation():  # the start page, not the sign-in page still shown
        page.keyboard.press("Enter")
    page.wait_for_load_state()  # its stylesheet too (a layout check may come next)
