"""What a route needs: the runtime (service, read side, token checks), the caller and
their role.

The rest of a route's plumbing is beside it: :mod:`api.routing` (the route classes),
:mod:`api.idempotency` (a write's ``Idempotency-Key``), :mod:`api.audit` (the access log of
personal data) and :mod:`api.freshness` (read-your-writes).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import AuthError, LocalIssuer, Principal, Role, TokenVerifier
from api.errors import (
    ApiError,
)
from api.freshness import wanted_position
from api.settings import ApiSettings
from application import memory
from application.service import AllocationService
from domain.access import mask_identity_numbers
from projections.read_side import REBUILD_BEHIND, ReadSide

log = logging.getLogger("api.access")

START_TIMEOUT_S = 3600.0

#: The pages keep the same bearer token in this cookie (HttpOnly, SameSite=Strict).
SESSION_COOKIE = "lto_token"

_bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider "
                     "(or, on the embedded default, from POST /auth/demo-token)")


@dataclass
class Runtime:
    settings: ApiSettings
    service: AllocationService
    read: ReadSide
    verifier: TokenVerifier
    issuer: LocalIssuer | None
    #: Set once the read models have caught up with the log as it was at start
    #: (:meth:`start_reading`); set from the outset when nothing starts them.
    ready: threading.Event = field(default_factory=threading.Event)
    starting_error: BaseException | None = None

    def __post_init__(self) -> None:
        self.ready.set()
        # The deadline check (R18) and the allocation run (R17) find the waiting cases in
        # the read models (brought up to date first), not by scanning the whole event log.
        self.service.use_waiting_cases(self.read)

    def position(self) -> int:
        """The newest notification id in the event store (0 when empty)."""
        return self.service.recorder.max_notification_id() or 0

    def start_reading(self) -> None:
        """Bring the read models up to the log as it is now, then keep them current: on
        the embedded default with a background projector in this process (a rebuild with
        worker processes first when they lag far behind, e.g. on the first start over a
        large store), or, with ``LTO_PROJECTOR=external``, by waiting for the projector
        process. Until then a read answers 503 ``read_side_starting`` (``GET /health``
        answers at once and says so). Runs on a thread of its own."""
        self.ready.clear()
        self.starting_error = None
        target = self.position()
        rebuild = (not self.read.external and self.settings.rebuild_on_start
                   and target - self.read.position() >= REBUILD_BEHIND)
        if not self.read.external and not rebuild:
            self.read.start()  # catches up from where it stands

        def start() -> None:
            try:
                if rebuild:
                    self.read.rebuild()
                    self.read.start()
                self.read.wait_for(target, timeout=START_TIMEOUT_S)
                self.read.analyze_stale()  # PostgreSQL: tables written in bulk, planned well
                memory.give_back()  # what a rebuild or a long catch-up used
                self.ready.set()
                warm_up_optimizer()
            except BaseException as exc:  # reads answer 503 and say why in the log
                self.starting_error = exc
                logging.getLogger("api").error("read side: could not start (%s: %s)",
                                               type(exc).__name__,
                                               mask_identity_numbers(str(exc)))

        threading.Thread(target=start, name="read-side-start", daemon=True).start()

    def fresh(self) -> ReadSide:
        """The read models for a read, as they stand (:mod:`api.freshness`): a read never
        catches up itself or waits for other reads. If the client asked to see a position
        (its own write), waits until they hold it, at most ``settings.read_timeout_s``,
        then 503 ``read_side_lagging``. Before the read side has started, 503
        ``read_side_starting``. Without a projector (no server lifespan, as in some
        tools), catches up in this thread as before."""
        if not self.ready.is_set() and not self.ready.wait(self.settings.read_timeout_s):
            raise ApiError(503, "read_side_starting", "Tjenesten starter og bygger "
                           "oversiktene sine; prøv igjen om litt.",
                           headers={"Retry-After": "2"})
        if not self.read.running:
            self.read.catch_up()
            return self.read
        wanted = wanted_position.get()
        if wanted and self.read.known_position() < wanted:
            wanted = min(wanted, self.position())  # never beyond what the store holds
            try:
                self.read.wait_for(wanted, timeout=self.settings.read_timeout_s)
            except TimeoutError:
                raise ApiError(503, "read_side_lagging", "Lesemodellene henger etter; prøv "
                               "igjen om litt.", headers={"Retry-After": "1"}) from None
        return self.read


def warm_up_optimizer() -> None:
    """Load the optimizer's solver (OR-Tools, numpy: about 0.2 s and 30 MB) once the read
    side is ready, so that the first allocation run after a start does not wait for it.
    Only server processes, which run allocations, load it (``optimizer`` loads it on first
    use: a projector or a rebuild worker never does)."""
    try:
        importlib.import_module("optimizer.solver")
    except Exception as exc:  # the first run loads it then, and says why if it cannot
        logging.getLogger("api").warning("optimizer not loaded ahead: %s: %s",
                                         type(exc).__name__, exc)


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def principal_from(request: Request, token: str | None) -> Principal | None:
    """The caller named by a bearer token, else by the session cookie; None if neither."""
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return runtime(request).verifier.verify(token)
    except AuthError:
        return None


def secure_cookies(request: Request) -> bool:
    """Whether this request's cookies get ``Secure``: always with production settings;
    otherwise when the request came over TLS — directly, or through a proxy in
    ``LTO_TRUSTED_PROXIES`` whose ``X-Forwarded-Proto`` said so (the app's proxy-header
    middleware has then set the scheme; an untrusted peer's header changes nothing)."""
    return runtime(request).settings.production or request.url.scheme == "https"


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller: a token known a moment ago on the event loop (no I/O); any other is
    verified in a worker thread (a key set may be fetched, the revocation store asked)."""
    token = (credentials.credentials if credentials else None) or \
        request.cookies.get(SESSION_COOKIE)
    principal = runtime(request).verifier.known(token) if token else None
    if principal is None and token:
        principal = await run_in_threadpool(principal_from, request, token)
    if principal is None:
        raise HTTPException(
            status_code=401, detail={"code": "unauthenticated",
                                     "message": "Mangler gyldig innlogging (bearer token)."},
            headers={"WWW-Authenticate": "Bearer"})
    request.state.principal = principal
    return principal


def require(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits only the given roles (403 for the others). It only compares
    (the token is verified by :func:`current_principal`, in a worker thread): it runs on the
    event loop, sparing every request a thread's round trip."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status_code=403, detail={
                "code": "forbidden_role",
                "message": "Rollen din gir ikke tilgang til dette."})
        return principal

    return check


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
async def runtime_dependency(request: Request) -> Runtime:
    """:func:`runtime` as a dependency, on the event loop (no thread's round trip)."""
    return runtime(request)


CurrentRuntime = Annotated[Runtime, Depends(runtime_dependency)]

Officer = Annotated[Principal, Depends(require(Role.ALLOCATION_OFFICER))]
Manager = Annotated[Principal, Depends(require(Role.MANAGER))]
ComplaintHandler = Annotated[Principal, Depends(require(Role.COMPLAINT_HANDLER))]
MunicipalAdmin = Annotated[Principal, Depends(require(Role.MUNICIPAL_ADMIN))]
OfficerOrHandler = Annotated[Principal, Depends(require(Role.ALLOCATION_OFFICER,
                                                        Role.COMPLAINT_HANDLER))]
OfficerOrManager = Annotated[Principal, Depends(require(Role.ALLOCATION_OFFICER,
                                                        Role.MANAGER))]
AnyRole = Annotated[Principal, Depends(require(*Role))]
