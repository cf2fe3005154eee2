"""Keep-alive connections turned over, so that several server processes share the work.

With ``python -m api --workers N`` the processes share one listening socket, and a
connection stays with the process that accepted it for as long as the client keeps it
alive. Connections opened together (a morning's sign-ins, a load test's users) are often
accepted by one process in a single sweep of its accept loop: measured on two processes,
17 of 21 connections on one and 4 on the other, one process saturated while the other
idled (case work 110 instead of 180 requests/s). Closing a connection after it has
served ``requests`` answers (``Connection: close`` on the last; the client opens a new one
transparently, to whichever process accepts it first) keeps such an imbalance short.

One process (the embedded default) has nothing to balance: ``python -m api`` turns this on
only with several workers (``LTO_CONNECTION_REQUESTS``, 0 = never).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Connections remembered at most; beyond it the counts start again (a connection closed
#: by its client leaves its count behind, and client ports are reused).
_REMEMBERED = 4096


class ConnectionTurnover:
    """Pure ASGI middleware: the ``requests``-th answer on a connection closes it.

    A connection is told apart by its peer address (``scope["client"]``: host and port),
    so this must be the outermost middleware (before any proxy header rewrites it)."""

    def __init__(self, app: ASGIApp, requests: int) -> None:
        if requests < 1:
            raise ValueError("requests: at least 1")
        self.app = app
        self.requests = requests
        self.served: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None:
            await self.app(scope, receive, send)
            return
        peer = (client[0], client[1])
        count = self.served.get(peer, 0) + 1
        if count < self.requests:
            if len(self.served) >= _REMEMBERED and peer not in self.served:
                self.served.clear()
            self.served[peer] = count
            await self.app(scope, receive, send)
            return
        self.served.pop(peer, None)

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"connection"]
                headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_closing)


__all__ = ["ConnectionTurnover"]
