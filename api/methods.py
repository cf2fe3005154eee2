"""Which methods a path accepts: ``OPTIONS`` answers them, and a 405 names the same.

The router alone answers a method a path does not take with 405 and an ``Allow`` header
naming the methods of the *first* route that matched the path; where two routes share a path
(``GET`` and ``POST /training/clock``, a page and its form) the header was wrong, and
``OPTIONS`` itself was one such method. Here every route is asked, for each method, whether
it would take the request (:func:`allowed_methods`):

- ``OPTIONS`` on a path some route takes answers 204 with ``Allow`` listing exactly those
  methods and ``OPTIONS`` (no token needed: it says no more than a 405 would); on a path no
  route takes, 404 as before;
- a 405 carries the same ``Allow`` (:func:`api.errors._http_error`).

``HEAD`` is listed only where a route takes it (the JSON routes do not; plain Starlette
routes such as ``/openapi.json`` do).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """The methods some route of ``app`` takes at the request's path (without OPTIONS)."""
    routes = getattr(getattr(app, "router", None), "routes", None) or []
    allowed: list[str] = []
    for method in METHODS:
        probe: Scope = {"type": "http", "method": method, "path": scope.get("path", ""),
                        "root_path": scope.get("root_path", ""), "headers": [],
                        "query_string": b"", "path_params": {}}
        for route in routes:
            match, _ = route.matches(dict(probe))
            if match is Match.FULL:
                allowed.append(method)
                break
    return allowed


def allow_header(app: Any, scope: Scope) -> str:
    """The ``Allow`` header of the request's path: its methods and OPTIONS."""
    return ", ".join([*allowed_methods(app, scope), "OPTIONS"])


class AllowedMethods:
    """Pure ASGI middleware: ``OPTIONS`` answers 204 with ``Allow`` (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "OPTIONS":
            app = scope.get("app")
            methods = allowed_methods(app, scope)
            if methods:
                response = Response(status_code=204,
                                    headers={"Allow": ", ".join([*methods, "OPTIONS"])})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


__all__ = ["METHODS", "AllowedMethods", "allow_header", "allowed_methods"]
