"""Read-your-writes without making reads wait on one another.

The read models are kept current by a projector of their own (a background thread of this
process, or ``python -m projections run``); a read reads what they hold. A client that
must see its own write says so: every answer to a write but a failure (a refusal too,
whose access-log entry is itself a write) carries the event store's position after it, in
the ``X-Read-Position`` header and in the ``lto_position`` cookie (HttpOnly,
SameSite=Strict, ten minutes); a later read that sends the position back, in the same
``X-Read-Position`` header or through the cookie (browsers and cookie-keeping clients do so
by themselves), waits until the read models hold it, at most ``read_timeout_s`` (503
``read_side_lagging`` with Retry-After after that). Reads without a position never wait,
and no read catches up itself or takes a lock another read holds.

A position is a number of events, not personal data; one larger than the store's (a cookie
from another store) is capped at the store's.
"""

from __future__ import annotations

from contextvars import ContextVar
from http.cookies import SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POSITION_HEADER = "x-read-position"  # in a write's answer, and sent back by a read
POSITION_COOKIE = "lto_position"
COOKIE_MAX_AGE_S = 600
_SAFE = {"GET", "HEAD", "OPTIONS"}
_MAX_DIGITS = 18

#: The position the client of the request under way asked to see (0: none).
wanted_position: ContextVar[int] = ContextVar("wanted_position", default=0)


def _number(text: str | None) -> int:
    text = (text or "").strip()
    if not text.isdigit() or len(text) > _MAX_DIGITS:
        return 0  # absent or not a position: ask for nothing (a read never fails on it)
    return int(text)


def asked_position(scope: Scope) -> int:
    """The position a request asks to see: its header, else its cookie, else 0."""
    header = cookie = None
    for name, value in scope.get("headers", []):
        if name == POSITION_HEADER.encode():
            header = value.decode("latin-1")
        elif name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header asks for nothing
                continue
            if POSITION_COOKIE in jar:
                cookie = jar[POSITION_COOKIE].value
    return _number(header) or _number(cookie)


class ReadPositions:
    """Pure ASGI middleware: the asked position into :data:`wanted_position` for the
    request; the store's position after a write into its answer, a refusal's too (it has
    written its access-log entry, which its client may read next), not a failure's (5xx:
    nothing of it is promised written, and the store may be the one failing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = wanted_position.set(asked_position(scope))
        writes = scope.get("method", "GET") not in _SAFE

        async def send_position(message: Message) -> None:
            if (writes and message["type"] == "http.response.start"
                    and message.get("status", 500) < 500):
                runtime = scope["app"].state.runtime
                try:
                    position = await run_in_threadpool(runtime.position)
                except Exception:  # the answer stands; only the hint is lost
                    position = 0
                if position:
                    secure = runtime.settings.production or scope.get("scheme") == "https"
                    cookie = (f"{POSITION_COOKIE}={position}; Path=/; Max-Age="
                              f"{COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict"
                              + ("; Secure" if secure else ""))
                    headers = [*message.get("headers", []),
                               (POSITION_HEADER.encode(), str(position).encode()),
                               (b"set-cookie", cookie.encode())]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_position)
        finally:
            wanted_position.reset(token)
