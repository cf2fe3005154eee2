"""Keep-alive connections turned over (``api/turnover.py``): with several server processes a
connection is closed after a number of answers, so connections opened together do not all
stay with one process (issue 16)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from api.settings import ApiSettings
from api.turnover import ConnectionTurnover


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"3"),
                            (b"connection", b"keep-alive")]})
    await send({"type": "http.response.body", "body": b"hei"})


def _answers(app: ConnectionTurnover, peer: tuple[str, int], n: int) -> list[dict]:
    starts: list[dict] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            starts.append(dict(message["headers"]))

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    for _ in range(n):
        asyncio.run(app({"type": "http", "client": peer, "path": "/"}, receive, send))
    return starts


def test_the_nth_answer_on_a_connection_closes_it_and_the_count_starts_again():
    app = ConnectionTurnover(hello, requests=3)
    first = _answers(app, ("10.0.0.1", 50000), 7)
    closing = [i for i, h in enumerate(first) if h.get(b"connection") == b"close"]
    assert closing == [2, 5], "the 3rd and 6th answers close, the others keep the connection"
    assert all(h[b"connection"] == b"keep-alive" for i, h in enumerate(first)
               if i not in closing), "the app's own header is left on the others"
    assert all(h[b"content-type"] == b"text/plain" for h in first)
    other = _answers(app, ("10.0.0.1", 50001), 2)  # another connection counts on its own
    assert all(h.get(b"connection") != b"close" for h in other)


def test_a_bad_count_is_refused():
    with pytest.raises(ValueError, match="requests"):
        ConnectionTurnover(hello, requests=0)


def test_the_setting_is_off_for_one_process_and_named_by_its_variable(monkeypatch):
    monkeypatch.delenv("LTO_CONNECTION_REQUESTS", raising=False)
    assert ApiSettings().connection_requests == 0
    monkeypatch.setenv("LTO_CONNECTION_REQUESTS", "32")
    assert ApiSettings().connection_requests == 32
    monkeypatch.setenv("LTO_CONNECTION_REQUESTS", "-1")
    with pytest.raises(ValueError, match="connection_requests"):
        ApiSettings()


@pytest.fixture
def server() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(ConnectionTurnover(hello, requests=3), log_level="warning",
                            lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield port
    finally:
        srv.should_exit = True
        thread.join(10)
        sock.close()


def test_the_server_closes_the_connection_after_its_answers(server: int):
    """Over a real socket: two answers keep the connection, the third ends it (the client
    reads the end of the stream), and a new connection is served again."""
    with socket.create_connection(("127.0.0.1", server), timeout=5) as s:
        replies = []
        for _ in range(3):
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            replies.append(_reply(s))
        assert [b"hei" in r for r in replies] == [True, True, True]
        assert b"connection: close" in replies[2].lower()
        assert s.recv(1) == b"", "the server closed the connection"
    with socket.create_connection(("127.0.0.1", server), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"hei" in _reply(s)


def _reply(s: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"hei"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
