"""Sign-in, sign-out and CSRF on the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth import LocalIssuer, Role
from tests.builders import MUNICIPALITY
from tests.pages.conftest import Browser, csrf_of


def test_sign_in_page_lists_one_demo_user_per_role_in_norwegian(browser: Browser) -> None:
    page = browser.get("/logg-inn")
    assert page.status_code == 200
    assert "Logg inn" in page.text
    for label in ("Saksbehandler i tildelingsenheten", "Leder", "Klagebehandler"):
        assert label in page.text
    assert 'for="login-token"' in page.text  # the production path: paste a token
    nonce = page.headers["set-cookie"]
    assert "lto_csrf=" in nonce and "HttpOnly" in nonce and "SameSite=strict" in nonce


def test_demo_sign_in_sets_a_strict_http_only_cookie_and_goes_to_the_role_home(
        browser: Browser) -> None:
    page = browser.get("/logg-inn")
    answer = browser.client.post("/logg-inn", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "username": "leder"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ledelse/frister"
    cookie = answer.headers["set-cookie"]
    assert "lto_token=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_not_signed_in_is_sent_to_the_sign_in_page_and_back(browser: Browser) -> None:
    answer = browser.get("/venteliste")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/logg-inn?neste=/venteliste"
    page = browser.get("/logg-inn?neste=/ledige-plasser")
    signed = browser.client.post("/logg-inn", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "username": "saksbehandler",
        "neste": "/ledige-plasser"})
    assert signed.headers["location"] == "/ledige-plasser"


def test_sign_in_never_returns_to_another_site(browser: Browser) -> None:
    page = browser.get("/logg-inn")
    signed = browser.client.post("/logg-inn", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "username": "saksbehandler",
        "neste": "//evil.example/"})
    assert signed.headers["location"] == "/venteliste"


def test_sign_in_without_the_csrf_token_is_refused(browser: Browser) -> None:
    browser.get("/logg-inn")
    answer = browser.client.post("/logg-inn", follow_redirects=False,
                                 data={"username": "saksbehandler", "csrf_token": "forged"})
    assert answer.status_code == 403
    assert "lto_token" not in answer.headers.get("set-cookie", "")
    assert "sikkerhetsnøkkel" in answer.text


def test_a_pasted_token_signs_in(browser: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    issuer: LocalIssuer = runtime.issuer
    token = issuer.issue(subject="helseid:123", name="Siri Saksbehandler",
                         role=Role.ALLOCATION_OFFICER, municipality=MUNICIPALITY)
    page = browser.get("/logg-inn")
    answer = browser.client.post("/logg-inn", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "token": token})
    assert answer.status_code == 303
    assert "Siri Saksbehandler" in browser.get("/venteliste").text


def test_a_bad_token_is_refused_in_norwegian_and_not_echoed(browser: Browser) -> None:
    page = browser.get("/logg-inn")
    answer = browser.client.post("/logg-inn", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "token": "not.a.token"})
    assert answer.status_code == 422
    assert "Tokenet ble ikke godtatt" in answer.text
    assert "not.a.token" not in answer.text


def test_sign_in_without_a_choice_names_what_is_missing(browser: Browser) -> None:
    page = browser.get("/logg-inn")
    answer = browser.client.post("/logg-inn", follow_redirects=False,
                                 data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 422
    assert "Velg en demobruker" in answer.text


def test_sign_out_clears_the_session(officer: Browser) -> None:
    page = officer.get("/venteliste")
    answer = officer.client.post("/logg-ut", follow_redirects=False,
                                 data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    assert 'lto_token=""' in answer.headers["set-cookie"]
    assert officer.get("/venteliste").status_code == 303


def test_a_form_posted_with_a_forged_csrf_token_writes_nothing(
        officer: Browser, runtime) -> None:  # type: ignore[no-untyped-def]
    before = runtime.service.recorder.max_notification_id()
    answer = officer.client.post("/tildeling", follow_redirects=False,
                                 data={"csrf_token": "0" * 64, "command_id": "run-1"})
    assert answer.status_code == 403
    assert "Skjemaet ble avvist" in answer.text
    assert runtime.service.recorder.max_notification_id() == before


def test_another_sessions_csrf_token_is_refused(app_client: TestClient, officer: Browser
                                               ) -> None:
    other = Browser(TestClient(app_client.app))
    other.sign_in("saksbehandler")
    foreign = csrf_of(other.get("/venteliste").text)
    answer = officer.client.post("/tildeling", follow_redirects=False,
                                 data={"csrf_token": foreign})
    assert answer.status_code == 403


def test_home_sends_each_role_to_its_start_page(browser: Browser) -> None:
    assert browser.get("/").headers["location"] == "/logg-inn"
    browser.sign_in("klagebehandler")
    assert browser.get("/").headers["location"] == "/klage"
