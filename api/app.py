"""The FastAPI application: the JSON routes, the pages, and the runtime they share.

Security headers on every answer (:class:`SecurityHeaders`), set unless a route set its
own: a strict Content-Security-Policy (``default-src 'self'``, no inline scripts, no
framing), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: no-referrer``, ``Strict-Transport-Security``, and ``Cache-Control:
no-store`` (answers carry health data; only the offline docs' assets are cacheable). The
policy is relaxed on ``/docs`` and ``/redoc`` only, as far as Swagger UI and ReDoc need
(:data:`DOCS_CSP`): inline styles, ``data:`` images, ReDoc's ``blob:`` worker — still no
inline or foreign scripts.

The same middleware is the last safety net: an exception no handler knew becomes a 500
with a reference and no internals, logged with identity-number-like digits masked, and is
never re-raised to the server.

Every log record of the process is masked when it is made (:mod:`api.logs`, installed by
:func:`create_app` and again at startup): the server's access log too, whatever a person
typed into a URL.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, logs, openapi
from api.auth import LocalIssuer, TokenVerifier
from api.deps import Runtime
from api.freshness import ReadPositions
from api.methods import AllowedMethods
from api.pages import router as pages_router
from api.revocation import RevokedTokens
from api.routes import (
    access,
    allocation,
    auth,
    cases,
    casework,
    complaints,
    docs,
    lists,
    management,
    moves,
    training,
)
from api.routes import places as places_routes
from api.routes import settings as settings_routes
from api.settings import ApiSettings
from api.turnover import ConnectionTurnover
from application.bootstrap import create_service
from application.clock import Clock, TrainingClock
from application.service import AllocationService
from projections.read_side import ReadSide

_BASE_CSP = "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
API_CSP = f"default-src 'self'; {_BASE_CSP}"
DOCS_CSP = (f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"worker-src 'self' blob:; {_BASE_CSP}")
_DOCS_PATHS = ("/docs", "/redoc")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every HTTP answer; the 500 safety net."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path in _DOCS_PATHS else API_CSP
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                wanted = {**SECURITY_HEADERS, "content-security-policy": csp,
                          "cache-control": "no-store"}
                for name, value in wanted.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            route = scope.get("route")
            reference = errors.log_unexpected(scope.get("method", "?"),
                                              getattr(route, "path", path), exc)
            if started:
                return  # the answer is under way; it ends short, the log has the reason
            response = JSONResponse(errors.internal_error_body(reference), status_code=500)
            await response(scope, receive, send_with_headers)


def _deadline_checker(rt: Runtime, stop: threading.Event) -> None:
    """R18, R26: record lapsed offers and due breaches every ``deadline_check_interval_s``
    seconds (idempotent;
    the command line and any other scheduler may run the same check). The cases checked
    are those on the waiting list in the read models, caught up first."""
    interval = rt.settings.deadline_check_interval_s
    while not stop.wait(interval):
        try:
            rt.service.deadline_round(rt.read)  # R26, R18
        except Exception as exc:  # keep checking; the next run records what this missed
            if errors.store_unavailable(exc):
                errors.log_unavailable("TASK", "deadline-check", exc)
            else:
                errors.log_unexpected("TASK", "deadline-check", exc)


def replica_datastore(service: AllocationService, settings: ApiSettings) -> Any:
    """The datastore the read models are read from when it is not the store itself: a
    PostgreSQL streaming replica (``LTO_READ_REPLICA_HOST``), else None."""
    if not settings.read_replica_host:
        return None
    if settings.projector != "external":
        raise ValueError("LTO_READ_REPLICA_HOST needs LTO_PROJECTOR=external: the projector "
                         "writes the read models to the primary, the servers read the replica")
    env = dict(service.env)
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        raise ValueError("LTO_READ_REPLICA_HOST is for the PostgreSQL store")
    env["POSTGRES_HOST"] = settings.read_replica_host
    if settings.read_replica_port:
        env["POSTGRES_PORT"] = str(settings.read_replica_port)
    return PostgresFactory(Environment(service.name, env)).datastore


def create_app(settings: ApiSettings | None = None, *, service: AllocationService | None = None,
               clock: Clock | None = None, issuer: LocalIssuer | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    if settings.production and settings.local_issuer:
        raise ValueError("LTO_LOCAL_ISSUER (the demo users and POST /auth/demo-token) is "
                         "refused in production settings: set LTO_LOCAL_ISSUER=false and "
                         "LTO_AUTH_JWKS_URL or LTO_AUTH_PUBLIC_KEY_FILE")
    if settings.training_clock:
        if settings.production or not settings.local_issuer:
            raise ValueError("LTO_TRAINING_CLOCK is refused in production settings")
        clock = TrainingClock(clock)
        if service is not None:
            service.clock = TrainingClock(service.clock)
    service = service or create_service(clock=clock)
    if issuer is None and settings.local_issuer:
        issuer = LocalIssuer(settings)
    revoked = RevokedTokens(service.recorder.datastore,  # type: ignore[attr-defined]
                            cache_seconds=settings.revocation_cache_s)
    read = ReadSide(service, external=settings.projector == "external",
                    replica=replica_datastore(service, settings))
    rt = Runtime(settings=settings, service=service, read=read,
                 verifier=TokenVerifier(settings, issuer, revoked), issuer=issuer)
    if not read.external:
        service.after_save = read.nudge  # a write is applied at once, not at the next poll

    logs.install()  # no identity number in any log line (again at startup, below)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.install()  # the server has configured its loggers by now
        rt.start_reading()
        stop = threading.Event()
        checker: threading.Thread | None = None
        if settings.deadline_check_interval_s > 0:
            checker = threading.Thread(target=_deadline_checker, args=(rt, stop),
                                       name="deadline-check", daemon=True)
            checker.start()
        try:
            yield
        finally:
            stop.set()
            if checker is not None:
                checker.join(timeout=5)
            rt.read.stop()

    app = FastAPI(
        title="Langtidsopphold", version="0.1.0", lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served offline by api.routes.docs
        description=(
            "Waiting list and allocation of long-term places in nursing homes and 24-hour "
            "housing (langtidsopphold).\n\n"
            "**Token:** `POST /auth/demo-token` with `{\"username\": \"saksbehandler\"}` "
            "(or `leder`, `klagebehandler`, `saksbehandler-oslo`, `leder-oslo`) on the "
            "embedded default; "
            "then *Authorize* with the `access_token`. The municipality is always the "
            "token's: another municipality's ids answer 404.\n\n"
            "**Writes** take an optional `Idempotency-Key` header: a retry with the same "
            "key and the same request returns the first result and writes nothing; the "
            "same key with another request answers 422 `idempotency_key_reused`. "
            "**Errors** are "
            "`{code, rule, field, missing, message}`. Every access to a person's data is "
            "in the case's access log (`GET /cases/{case_id}/access-log`)."),
        openapi_tags=[
            {"name": "Innlogging (auth)"},
            {"name": "Saksbehandling (allocation unit)",
             "description": "Applications, § 2-2 documentation, decisions, priority, "
             "offers (role allocation_officer)"},
            {"name": "Plasser (places)"},
            {"name": "Tildeling (allocation runs)",
             "description": "The optimizer proposes, an officer decides (R17); re-run (R21)"},
            {"name": "Venteliste og frister (waiting list and deadlines)"},
            {"name": "Ledelse (management)",
             "description": "Statistics and activity report, no names (role manager)"},
            {"name": "Klage (complaints)",
             "description": "R21 (role complaint_handler)"},
            {"name": "Tilgangslogg (access log)"},
        ])
    app.state.runtime = rt
    errors.install(app)
    openapi.install(app)  # optional parameters without "null" (api.openapi)
    app.add_middleware(ReadPositions)  # a write's position in its answer (api.freshness)
    app.add_middleware(AllowedMethods)  # inside SecurityHeaders: its answers get the headers
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:
        # Outermost: the scheme (and the client) a trusted proxy forwarded, for everything
        # inside (the session cookie's Secure flag). The server itself trusts no proxy
        # header (``python -m api`` runs uvicorn with ``proxy_headers=False``).
        app.add_middleware(ProxyHeadersMiddleware,
                           trusted_hosts=list(settings.trusted_proxies))
    if settings.connection_requests > 0:  # outermost: it tells connections by their peer
        app.add_middleware(ConnectionTurnover, requests=settings.connection_requests)
    if settings.local_issuer:
        app.include_router(auth.demo_router)
    for module in (auth, cases, moves, casework, places_routes, allocation, lists,
                   management, complaints, access, settings_routes):
        app.include_router(module.router)
    app.include_router(cases.plain_router)
    if settings.training_clock:
        app.include_router(training.router)
    app.include_router(docs.router)
    app.include_router(pages_router)
    return app


__all__ = ["API_CSP", "DOCS_CSP", "SecurityHeaders", "create_app"]
