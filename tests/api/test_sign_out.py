"""Signing out ends the session on the server (the token is revoked until it expires), on
SQLite and on PostgreSQL; and the session cookie is ``Secure`` whenever the request came
over TLS (directly or through a trusted proxy) and always with production settings."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from api.auth import AuthError, LocalIssuer, Role, TokenVerifier
from api.deps import SESSION_COOKIE
from api.pages.web import NONCE_COOKIE
from api.revocation import RevokedTokens, token_key
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.builders import MUNICIPALITY

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, username: str = "saksbehandler") -> str:
    """Sign in through the sign-in page as a browser would; the session token."""
    page = client.get("/logg-inn")
    answer = client.post("/logg-inn", data={"csrf_token": _csrf(page.text),
                                            "username": username}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _me(client: TestClient, token: str) -> int:
    return client.get("/auth/me", headers=_bearer(token)).status_code


def test_sign_out_revokes_the_session_cookie(client: TestClient) -> None:
    token = _sign_in(client)
    page = client.get("/venteliste", follow_redirects=False)
    assert page.status_code == 200
    out = client.post("/logg-ut", data={"csrf_token": _csrf(page.text)},
                      follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/logg-inn?melding=utlogget"
    # someone who kept the old cookie (or copied the token) is signed out too
    with TestClient(client.app, cookies={SESSION_COOKIE: token}) as kept:
        assert kept.get("/venteliste", follow_redirects=False).headers["location"] \
            == "/logg-inn?neste=/venteliste"
        answer = kept.get("/auth/me")
        assert answer.status_code == 401
        assert answer.json()["code"] == "unauthenticated"
    assert _me(client, token) == 401  # and as a bearer token


def test_logout_revokes_the_bearer_token_and_only_that_one(client: TestClient,
                                                           tokens: Tokens) -> None:
    token, other = tokens.token(), tokens.token()
    assert token != other  # each token has its own jti
    assert _me(client, token) == 200
    out = client.post("/auth/logout", headers=_bearer(token))
    assert out.status_code == 204
    assert out.content == b""
    assert _me(client, token) == 401
    assert client.post("/auth/logout", headers=_bearer(token)).status_code == 401
    assert client.get("/waiting-list", headers=_bearer(token)).status_code == 401
    assert _me(client, other) == 200  # the same user's other session goes on


def test_a_token_without_jti_is_revoked_by_the_token_itself(client: TestClient,
                                                           issuer: LocalIssuer) -> None:
    """An identity provider's token may carry no ``jti``: it is revoked by its hash."""
    token = issuer.issue(subject="helseid:1", name="Siri", role=Role.ALLOCATION_OFFICER,
                         municipality=MUNICIPALITY, jti=None)
    assert _me(client, token) == 200
    assert client.post("/auth/logout", headers=_bearer(token)).status_code == 204
    assert _me(client, token) == 401


def test_logout_by_the_session_cookie_forgets_it_too(client: TestClient) -> None:
    token = _sign_in(client)
    out = client.post("/auth/logout")
    assert out.status_code == 204
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    assert _me(client, token) == 401


def test_logout_needs_a_valid_token(client: TestClient) -> None:
    answer = client.post("/auth/logout")
    assert answer.status_code == 401
    assert set(answer.json()) >= {"code", "rule", "field", "missing", "message"}


def test_a_revocation_survives_a_restart_on_the_same_store(
        api_settings: ApiSettings, store_env: dict[str, str], service: AllocationService,
        issuer: LocalIssuer, tokens: Tokens, clock: ManualClock) -> None:
    token = tokens.token()
    with TestClient(make_app(api_settings, service, issuer)) as first:
        assert first.post("/auth/logout", headers=_bearer(token)).status_code == 204
    service.close()
    again = AllocationService(env=store_env, clock=clock)
    try:
        with TestClient(make_app(api_settings, again, issuer)) as restarted:
            assert _me(restarted, token) == 401
            assert _me(restarted, tokens.token()) == 200
    finally:
        again.close()


def test_a_revocation_reaches_every_process_on_the_store(
        api_settings: ApiSettings, store_env: dict[str, str], service: AllocationService,
        issuer: LocalIssuer, tokens: Tokens, clock: ManualClock) -> None:
    """Two API processes on one store: a sign-out in one is refused in the other (here
    with its cache off; with it on, within ``revocation_cache_s``)."""
    token = tokens.token()
    other_service = AllocationService(env=store_env, clock=clock)
    uncached = api_settings.model_copy(update={"revocation_cache_s": 0})
    try:
        with TestClient(make_app(api_settings, service, issuer)) as one, \
                TestClient(make_app(uncached, other_service, issuer)) as two:
            assert _me(two, token) == 200
            assert one.post("/auth/logout", headers=_bearer(token)).status_code == 204
            assert _me(two, token) == 401
    finally:
        other_service.close()


# --- the cache of the check -------------------------------------------------------------


class _Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def revoked(sqlite_service: AllocationService) -> Iterator[tuple[RevokedTokens, _Ticks]]:
    ticks = _Ticks()
    yield RevokedTokens(sqlite_service.recorder.datastore,  # type: ignore[attr-defined]
                        cache_seconds=5, monotonic=ticks), ticks


def test_a_valid_token_is_remembered_briefly_a_revoked_one_never(
        revoked: tuple[RevokedTokens, _Ticks], sqlite_service: AllocationService) -> None:
    store, ticks = revoked
    assert not store.is_revoked("a")
    assert not store.is_revoked("a")
    assert store.lookups == 1  # the second check came from the cache
    # another process on the store revokes "a": this one believes its cache for 5 s
    other = RevokedTokens(sqlite_service.recorder.datastore)  # type: ignore[attr-defined]
    other.revoke("a", expires_at=2**40)
    assert not store.is_revoked("a")
    ticks.now += 5.1
    assert store.is_revoked("a")
    assert store.is_revoked("a")
    assert store.lookups == 3  # a revoked token is asked for every time
    # a revocation made in this process takes effect here at once, cache or not
    assert not store.is_revoked("b")
    store.revoke("b", expires_at=2**40)
    assert store.is_revoked("b")


def test_rows_of_expired_tokens_are_deleted(revoked: tuple[RevokedTokens, _Ticks]) -> None:
    store, _ = revoked
    store.revoke("old", expires_at=1)
    store.revoke("new", expires_at=2**40)  # deletes the rows long expired
    assert not store.is_revoked("old")
    assert store.is_revoked("new")


def test_the_table_holds_no_token(revoked: tuple[RevokedTokens, _Ticks], tokens: Tokens,
                                  sqlite_service: AllocationService) -> None:
    store, _ = revoked
    token = tokens.token()
    claims = jwt.decode(token, options={"verify_signature": False})
    store.revoke(token_key(claims, token), claims["exp"])
    with sqlite_service.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute("SELECT token_key FROM lto_revoked_tokens")
        rows = [r[0] for r in c.fetchall()]
    assert len(rows) == 1 and len(rows[0]) == 64
    assert claims["jti"] not in rows[0] and rows[0] not in token


# --- Secure ------------------------------------------------------------------------------


def _cookie_header(settings: ApiSettings, service: AllocationService, issuer: LocalIssuer,
                   base_url: str = "http://testserver",
                   client: tuple[str, int] = ("testclient", 50000),
                   headers: dict[str, str] | None = None) -> str:
    with TestClient(make_app(settings, service, issuer), base_url=base_url,
                    client=client) as c:
        page = c.get("/logg-inn", headers=headers)
        nonce = page.cookies[NONCE_COOKIE]
        c.cookies.clear()  # a Secure cookie comes back only over https: hand it back here
        c.cookies.set(NONCE_COOKIE, nonce)
        signing_in = {"username": "saksbehandler"} if settings.local_issuer else {
            "token": issuer.issue(subject="idp:saksbehandler", name="Kari Nordmann",
                                  role=Role.ALLOCATION_OFFICER, municipality="4601",
                                  now=datetime.now(UTC))}
        answer = c.post("/logg-inn", headers=headers, follow_redirects=False,
                        data={"csrf_token": _csrf(page.text), **signing_in})
        assert answer.status_code == 303, answer.text
        cookies = answer.headers.get_list("set-cookie")
        session = [h for h in cookies if h.startswith(f"{SESSION_COOKIE}=")]
        assert len(session) == 1, cookies
        return session[0]


def _secure(header: str) -> bool:
    return any(part.strip().lower() == "secure" for part in header.split(";"))


PROXY = ("10.0.0.5", 41000)
FORWARDED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}


def test_the_session_cookie_is_secure_over_https(
        api_settings: ApiSettings, sqlite_service: AllocationService,
        issuer: LocalIssuer) -> None:
    assert _secure(_cookie_header(api_settings, sqlite_service, issuer,
                                  base_url="https://testserver"))
    assert not _secure(_cookie_header(api_settings, sqlite_service, issuer))


def test_the_session_cookie_is_secure_behind_a_trusted_proxy_only(
        api_settings: ApiSettings, sqlite_service: AllocationService,
        issuer: LocalIssuer) -> None:
    trusting = api_settings.model_copy(update={"trusted_proxies": ("10.0.0.0/24",)})
    assert _secure(_cookie_header(trusting, sqlite_service, issuer, client=PROXY,
                                  headers=FORWARDED_HTTPS))
    # the same header from a peer that is not a trusted proxy changes nothing
    assert not _secure(_cookie_header(trusting, sqlite_service, issuer,
                                      client=("192.0.2.9", 41000), headers=FORWARDED_HTTPS))
    # nor from anyone, when no proxy is trusted (the default)
    assert not _secure(_cookie_header(api_settings, sqlite_service, issuer, client=PROXY,
                                      headers=FORWARDED_HTTPS))
    # a trusted proxy that says the request came over plain http
    assert not _secure(_cookie_header(trusting, sqlite_service, issuer, client=PROXY,
                                      headers={"X-Forwarded-Proto": "http"}))


def test_the_session_cookie_is_always_secure_in_production(
        api_settings: ApiSettings, sqlite_service: AllocationService,
        issuer: LocalIssuer, tmp_path: Path) -> None:
    key = tmp_path / "idp-public-key.pem"  # production: the identity provider's key
    key.write_bytes(issuer.public_key_pem())
    production = api_settings.model_copy(update={
        "production": True, "local_issuer": False, "auth_public_key_file": key})
    assert _secure(_cookie_header(production, sqlite_service, issuer))


def test_production_settings_refuse_the_demo_users(api_settings: ApiSettings,
                                                   sqlite_service: AllocationService) -> None:
    production = api_settings.model_copy(update={"production": True})
    with pytest.raises(ValueError, match="LTO_LOCAL_ISSUER"):
        make_app(production, sqlite_service, None)  # type: ignore[arg-type]


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTO_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")
    assert ApiSettings().trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    monkeypatch.setenv("LTO_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError):
        ApiSettings()
    monkeypatch.delenv("LTO_TRUSTED_PROXIES")
    assert ApiSettings().trusted_proxies == ()


def test_a_token_found_valid_is_known_briefly_and_forgotten_at_a_sign_out(
        revoked: tuple[RevokedTokens, _Ticks], api_settings: ApiSettings, issuer: LocalIssuer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A token found valid a moment ago is answered from memory (no signature checked, no
    store asked) for as long as the revocation cache trusts it; a sign-out in this process
    forgets it at once; an expired one is never known."""
    store, ticks = revoked
    verifier = TokenVerifier(api_settings, issuer, store, monotonic=ticks)
    token = issuer.issue_demo("saksbehandler")
    assert verifier.known(token) is None
    principal = verifier.verify(token)
    real_decode = jwt.decode

    def no_decode(*args: object, **kwargs: object) -> None:
        raise AssertionError("the signature was checked again")

    monkeypatch.setattr(jwt, "decode", no_decode)
    assert verifier.known(token) == principal == verifier.verify(token)
    assert store.lookups == 1
    ticks.now += 5.1  # the revocation cache's time: checked again
    assert verifier.known(token) is None
    monkeypatch.setattr(jwt, "decode", real_decode)
    assert verifier.verify(token) == principal and store.lookups == 2
    verifier.revoke(principal)
    assert verifier.known(token) is None
    with pytest.raises(AuthError):
        verifier.verify(token)
    # a token whose expiry has passed is not known, however recently it was verified
    soon = issuer.issue(subject="demo:x", name="X", role=Role.ALLOCATION_OFFICER,
                        municipality=MUNICIPALITY, minutes=1,
                        now=datetime.now(UTC) - timedelta(seconds=58))
    assert verifier.verify(soon).subject == "demo:x"
    time.sleep(max(0.0, jwt.decode(soon, options={"verify_signature": False})["exp"]
                   - time.time()) + 0.05)
    assert verifier.known(soon) is None
