"""Security headers, the offline docs, and no identity number in any log line — with the
real server (uvicorn) and its access log."""

from __future__ import annotations

import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api import logs
from api.app import API_CSP, DOCS_CSP
from api.auth import LocalIssuer, Role
from api.routes.docs import assets_dir
from api.settings import ApiSettings
from application.service import AllocationService
from tests.api.conftest import Tokens, make_app
from tests.builders import person_number

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def test_security_headers_on_every_answer(sqlite_client: TestClient, tokens: Tokens) -> None:
    h = tokens()
    answers = [
        sqlite_client.get("/waiting-list", headers=h),  # 200
        sqlite_client.get("/waiting-list"),  # 401
        sqlite_client.get("/statistics", headers=h),  # 403
        sqlite_client.get("/cases/00000000-0000-4000-8000-000000000000", headers=h),  # 404
        sqlite_client.post("/cases", json={}, headers=h),  # 422
        sqlite_client.get("/no-such-path"),  # 404 from the router
        sqlite_client.get("/openapi.json"),
    ]
    for response in answers:
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (response.request.url, name)
        assert response.headers["content-security-policy"] == API_CSP
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_the_docs_are_served_offline_under_their_own_policy(sqlite_client: TestClient
                                                            ) -> None:
    page = sqlite_client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == DOCS_CSP
    assert "script-src" not in DOCS_CSP and "'unsafe-inline'" not in DOCS_CSP.split(
        "style-src")[0], "no inline or foreign scripts, even on /docs"
    assert "http://" not in page.text and "https://" not in page.text, "nothing from a CDN"
    assert "<script>" not in page.text, "no inline script"
    if assets_dir() is None:
        assert "/openapi.json" in page.text
        return
    assert '<script src="/docs/assets/swagger-ui-bundle.js">' in page.text
    bundle = sqlite_client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert "SwaggerUIBundle" in bundle.text
    init = sqlite_client.get("/docs/init.js")
    assert init.status_code == 200 and '"/openapi.json"' in init.text
    assert sqlite_client.get("/docs/assets/..%2Fcore.py").status_code == 404
    assert sqlite_client.get("/redoc").headers["content-security-policy"] == DOCS_CSP
    assert sqlite_client.get("/docs/assets/redoc.standalone.js").status_code == 200


def test_demo_token_route_only_with_the_local_issuer(tmp_path: Any,
                                                     sqlite_service: AllocationService,
                                                     issuer: LocalIssuer) -> None:
    settings = ApiSettings(data_dir=tmp_path, demo=False, local_issuer=False,
                           deadline_check_interval_s=0,
                           auth_public_key_file=_public_key_file(tmp_path, issuer))
    with TestClient(make_app(settings, sqlite_service, None)) as c:  # type: ignore[arg-type]
        assert c.post("/auth/demo-token", json={"username": "saksbehandler"}
                      ).status_code in (404, 405)
        assert "/auth/demo-token" not in c.get("/openapi.json").json()["paths"]
        token = issuer.issue(subject="x", name="X", role=Role.ALLOCATION_OFFICER,
                             municipality="4601")
        assert c.get("/auth/me", headers={"Authorization": f"Bearer {token}"}
                     ).status_code == 200


def _public_key_file(tmp_path: Any, issuer: LocalIssuer) -> Any:
    path = tmp_path / "issuer.pem"
    path.write_bytes(issuer.public_key_pem())
    return path


# --- no identity number in any log line ----------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def live_server(api_settings: ApiSettings, sqlite_service: AllocationService,
                issuer: LocalIssuer) -> Iterator[tuple[str, _Collect]]:
    """The app under a real uvicorn on a free loopback port, every logger collected."""
    collect = _Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(make_app(api_settings, sqlite_service, issuer), log_config=None,
                            access_log=True, log_level="debug")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", collect
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        root.removeHandler(collect)
        root.setLevel(old_level)


def test_no_identity_number_in_any_log_line(live_server: tuple[str, _Collect],
                                            tokens: Tokens) -> None:
    base, collect = live_server
    h = tokens()
    numbers = [person_number() for _ in range(3)]
    with httpx.Client(base_url=base, headers=h, timeout=10) as c:
        case = c.post("/cases", json={"identity_number": numbers[0], "name": "Ola"})
        assert case.status_code == 201
        case_id = case.json()["case_id"]
        # a valid number twice (a new application), a number with a wrong check digit,
        # a number in the wrong field, a number sent where JSON breaks
        assert c.post("/cases", json={"identity_number": numbers[1], "name": "Kari"}
                      ).status_code == 201
        bad = numbers[2][:-1] + str((int(numbers[2][-1]) + 1) % 10)
        assert c.post("/cases", json={"identity_number": bad, "name": "Per"}
                      ).status_code == 422
        assert c.post("/cases", json={"identity_number": numbers[2], "name": numbers[2],
                                      "nmae": numbers[2]}).status_code == 422
        assert c.post("/cases", content=f'{{"identity_number": "{numbers[2]}"'.encode(),
                      headers={"Content-Type": "application/json"}).status_code == 422
        assert c.get(f"/cases/{case_id}").status_code == 200
        assert c.get("/waiting-list").status_code == 200
        assert c.get(f"/cases/{case_id}", headers={"Authorization": ""}).status_code == 401
    time.sleep(0.2)
    access = [line for line in collect.lines if line.startswith("uvicorn.access")]
    assert len(access) >= 8, "the server's access log was collected"
    assert any(f"/cases/{case_id}" in line for line in access)
    for number in (*numbers, bad):
        leaked = [line for line in collect.lines if number in line]
        assert not leaked, leaked


IDENTITY_RUN = re.compile(r"(?<!\d)\d{11}(?!\d)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_identity_numbers_typed_into_a_url_never_reach_a_log_line(
        live_server: tuple[str, _Collect], tokens: Tokens) -> None:
    """Issue 15, item 8: a person types an identity number into the address bar or a query;
    the server's own access log (uvicorn's), and every other line the process logs, holds
    it masked."""
    base, collect = live_server
    n = [person_number() for _ in range(4)]
    spaced = f"{n[3][:6]}+{n[3][6:]}"  # "six and five", as a query string writes a space
    urls = [f"/saker/{n[0]}", f"/cases/{n[0]}", f"/cases/{n[1]}/history",
            f"/waiting-list?q={n[1]}", f"/waiting-list?at={n[2]}", f"/{n[2]}",
            f"/klage/tidspunkt?t={n[3]}", f"/venteliste?sok={spaced}",
            f"/saker/{n[0]}?neste=/saker/{n[1]}"]
    with httpx.Client(base_url=base, timeout=10, follow_redirects=False) as c:
        c.cookies.set("lto_token", tokens.token(Role.COMPLAINT_HANDLER))
        for url in urls:
            assert c.get(url, headers=tokens()).status_code < 500, url
        assert c.post(f"/cases/{n[0]}/close", headers=tokens(),
                      json={"reason": "died"}).status_code == 422
        c.cookies.clear()
        assert c.get(f"/cases/{n[1]}").status_code == 401  # refused, no token at all
    time.sleep(0.2)
    access = [line for line in collect.lines if line.startswith("uvicorn.access")]
    assert len(access) >= len(urls) + 2, "the server's access log was collected"
    assert sum("***********" in line for line in access) >= len(urls) + 2, \
        "each request line is logged, its number masked"
    leaked = [line for line in collect.lines if IDENTITY_RUN.search(UUID.sub("", line))
              or any(number in line for number in n) or spaced in line]
    assert not leaked, leaked


def test_a_log_record_is_masked_in_every_part_but_uuids_stay_whole() -> None:
    """Item 8, the masking itself: message, positional and mapping arguments (also a
    number as %d, and one the arguments only make together), extras, the traceback."""
    number = person_number()
    spaced = f"{number[:6]} {number[6:]}"
    case_id = "7b1e0b3c-1111-4a1a-9a1a-a12345678901"  # a UUID ending in eleven digits
    try:
        raise ValueError(f"no such person {number}")
    except ValueError:
        exc_info = sys.exc_info()
    records = [
        logging.LogRecord("t", logging.INFO, __file__, 1, f"path /saker/{number}", (), None),
        logging.LogRecord("t", logging.INFO, __file__, 1, '"%s %s" %d',
                          ("GET", f"/cases/{case_id}?q={spaced}", 200), None),
        logging.LogRecord("t", logging.INFO, __file__, 1, "n=%d", (int(number),), None),
        logging.LogRecord("t", logging.INFO, __file__, 1, "%s%s", (number[:4], number[4:]),
                          None),
        logging.LogRecord("t", logging.INFO, __file__, 1, "%(q)s", ({"q": number},), None),
        logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (), exc_info),
    ]
    records[0].search = number
    lines = []
    for record in records:
        logs.mask_record(record)
        lines.append(logging.Formatter("%(message)s").format(record))
    lines.append(records[0].search)
    assert not [line for line in lines
                if IDENTITY_RUN.search(UUID.sub("", line)) or number in line
                or spaced in line], lines
    assert f"/cases/{case_id}?q=***********" in lines[1] and lines[1].endswith("200")
    assert "ValueError: no such person ***********" in lines[5]


def test_server_processes_started_together_share_one_issuer_key(tmp_path: Any) -> None:
    """Several worker processes on an empty data folder: every one signs with the key the
    first one wrote (a token one signs, another checks), never a key half written."""
    import multiprocessing

    from api.auth import _load_or_create_key

    path = tmp_path / "keys" / "local-issuer-key.pem"
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        pems = pool.map(_public_pem_of_key_at, [path] * 8)
    assert len(set(pems)) == 1
    assert pems[0] == _public_pem_of_key_at(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no drafts left
    assert _load_or_create_key(path).key_size == 2048


def _public_pem_of_key_at(path: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    from api.auth import _load_or_create_key

    return _load_or_create_key(path).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
