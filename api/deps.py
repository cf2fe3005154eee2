"""What a route needs: the runtime (service, read side, token checks) and the caller; the
idempotency key of a write; read-your-writes; and the access log of personal data.

**Idempotency keys.** A write's ``Idempotency-Key`` becomes its command id
(:func:`command_id`) and is reserved for the request before the endpoint runs (the route
classes wrap every endpoint that takes a :data:`CommandId`, :func:`_reserving`): the same
key with the same request is a retry; with another request it is refused with 422
``idempotency_key_reused`` and nothing is written (:mod:`application.idempotency`).

Routes are plain ``def`` functions (the eventsourcing library is synchronous; FastAPI runs
them in its thread pool).

**Access log (tilgangslogg, pasientjournalloven § 18).** Every route that touches a person's
data is an :class:`AuditedRoute`: the route class itself logs the request — who (name and
token subject), role, which case(s), what (the route's name), allowed or not — whatever the
outcome. The case is the path's ``case_id`` and/or the ids the handler names with
:func:`note_cases`, and the lists of persons it shows with :func:`note_list_view` (one
small record per list: which list, its page, the moment and position it stood at — not
everyone on it). While the handler runs, an
:class:`~application.base.AccessNote` is open (``service.logging_access``): every save that
writes a person's data carries its entry **in the same transaction**, so a write is never
committed without its entry, and an entry that cannot be written stops the write. What the
request read without writing is logged after the handler. A refused attempt (401, 403, 404)
is recorded as not allowed; an attempt at a case that belongs to another municipality —
its id in the path, the query or the body — is recorded in *that* municipality's log (the
case's owner sees it), with the caller's answer still "not found". If a read's entry cannot
be written the answer is 503 and the data is not sent.

**A case's version.** Every route on one case is a :class:`CaseRoute`: a write sent with
``If-Match`` runs only if the case is still at that version (409 ``precondition_failed``
otherwise, nothing written), and answers with the case's new version as ``ETag``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import logging
import re
import threading
from collections.abc import Callable, Coroutine, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, get_origin
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from fastapi import Depends, Header, HTTPException, Request, Response, params
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError, LocalIssuer, Principal, Role, TokenVerifier
from api.errors import (
    STORE_RETRY_AFTER_S,
    ApiError,
    log_unavailable,
    status_for,
    store_unavailable,
)
from api.freshness import wanted_position
from api.settings import ApiSettings
from application import memory
from application.base import AccessNote
from application.service import AllocationService
from domain.access import ListView, mask_identity_numbers
from domain.errors import DomainError
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


# --- idempotency ------------------------------------------------------------------------

#: 1–200 visible ASCII characters (published in the schema, checked again here).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def command_id(
    request: Request, principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=200, pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Makes the write safe to retry: the same key again with the same "
        "request (same caller's municipality, operation, path and body) returns the first "
        "result and writes nothing new; the same key with another request is refused with "
        "422 `idempotency_key_reused`. 1–200 visible ASCII characters, e.g. a UUID.")] = None,
) -> str:
    """The command id of a write: ``{municipality}:{operation}:{Idempotency-Key}``, or a
    fresh one without the header. Scoped by municipality so two municipalities' keys never
    meet, and by operation so a key reused for another command is not mistaken for a
    retry. With a key, the route reserves it for this request before the handler runs
    (:func:`reserve_idempotency_key`)."""
    operation = getattr(request.scope.get("route"), "name", "write")
    if idempotency_key is None:
        return f"{principal.municipality}:{operation}:{uuid4().hex}"
    if not _KEY.match(idempotency_key):
        raise ApiError(422, "invalid_request", "Idempotency-Key må være 1–200 synlige "
                       "ASCII-tegn.", field="Idempotency-Key")
    cid = f"{principal.municipality}:{operation}:{idempotency_key}"
    request.state.idempotency_command_id = cid
    return cid


CommandId = Annotated[str, Depends(command_id)]


def _canonical(value: Any) -> Any:
    """A request value as plain JSON, the same for the same meaning: a body model with its
    defaults filled in, decimals without trailing zeros, sets sorted."""
    if isinstance(value, BaseModel):
        return _canonical(value.model_dump())
    if isinstance(value, dict):
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=json.dumps)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def reserve_idempotency_key(request: Request, route: APIRoute, values: dict[str, Any]
                            ) -> None:
    """Before a write with an ``Idempotency-Key`` runs: reserve the key for this request
    (method, route, path, query and body as validated), or check that it was reserved for
    the same request (a retry). A key reserved for another request is refused (422
    ``idempotency_key_reused``, nothing written). Runs only once the whole request has been
    validated, so a malformed request reserves nothing."""
    cid: str | None = getattr(request.state, "idempotency_command_id", None)
    principal: Principal | None = getattr(request.state, "principal", None)
    if cid is None or principal is None:
        return
    dependant = route.dependant
    described = {
        "method": request.method, "route": route.path,
        **{kind: {f.name: _canonical(values.get(f.name)) for f in fields}
           for kind, fields in (("path", dependant.path_params),
                                ("query", dependant.query_params),
                                ("body", dependant.body_params))},
    }
    canonical = json.dumps(described, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
    runtime(request).service.reserve_idempotency_key(
        principal.municipality, cid, operation=route.name, request=canonical)


def _takes_command_id(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and any(
        isinstance(m, params.Depends) and m.dependency is command_id
        for m in annotation.__metadata__)


def _reserving(route: APIRoute, endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint``, made to reserve its ``Idempotency-Key`` first when it takes a
    :data:`CommandId` (the endpoint is called only after every parameter validated). The
    wrapper asks for the request too; its signature is the endpoint's, resolved."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # every write is a plain ``def`` (the store is synchronous)
    signature = inspect.signature(endpoint, eval_str=True)
    parameters = list(signature.parameters.values())
    if not any(_takes_command_id(p.annotation) for p in parameters):
        return endpoint
    request_name = next((p.name for p in parameters if p.annotation is Request), None)
    added = request_name is None
    if request_name is None:
        request_name = "_idempotency_request"
        parameters.append(inspect.Parameter(request_name, inspect.Parameter.KEYWORD_ONLY,
                                            annotation=Request))

    @functools.wraps(endpoint)
    def reserving(**values: Any) -> Any:
        request = values.pop(request_name) if added else values[request_name]
        reserve_idempotency_key(request, route, values)
        return endpoint(**values)

    reserving.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters)
    return reserving


# --- the access log -----------------------------------------------------------------------


def note_cases(request: Request, case_ids: Iterable[UUID | str]) -> None:
    """Name the cases whose data this request read or wrote (besides a path ``case_id``).
    Calling it with none still marks the request as a read of personal data. A list of
    persons is noted as one view instead (:func:`note_list_view`)."""
    noted: list[UUID] = request.state.__dict__.setdefault("audit_cases", [])
    note: AccessNote | None = getattr(request.state, "access_note", None)
    for cid in case_ids:
        uid = cid if isinstance(cid, UUID) else UUID(str(cid))
        noted.append(uid)
        if note is not None:
            note.cases.append(uid)


def note_list_view(request: Request, view: ListView) -> None:
    """Name a list of persons this request showed, as the view itself (which list, its
    filters and page, the moment and position it stood at): one small record in the
    request's access-log entry however long the list, from which the list is reproduced
    (:class:`~domain.access.ListView`). An empty list is logged too."""
    request.state.__dict__.setdefault("audit_cases", [])  # a read of personal data
    views: list[ListView] = request.state.__dict__.setdefault("audit_views", [])
    views.append(view)
    note: AccessNote | None = getattr(request.state, "access_note", None)
    if note is not None:
        note.views.append(view)


def _status_of(exc: BaseException) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, DomainError):
        return status_for(exc)
    if isinstance(exc, ApiError):
        return exc.status
    if type(exc).__name__ == "RequestValidationError":
        return 422
    return 500


def _path_case(request: Request) -> UUID | None:
    raw = request.path_params.get("case_id")
    if raw is None:
        return None
    try:
        return raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        return None


def rt_service(request: Request) -> AllocationService:
    return runtime(request).service


def _complaint_cases(rt: Runtime, request: Request) -> list[UUID]:
    """The case of a complaint the path names (``complaint_id``): a refused attempt at
    another municipality's complaint is an attempt at that person's case, logged in its
    owner's log like one that named the case."""
    try:
        complaint_id = UUID(str(request.path_params["complaint_id"]))
        aggregate = rt.service.repository.get(complaint_id)
    except (KeyError, ValueError, AggregateNotFoundError):
        return []
    case_id = getattr(aggregate, "case_id", None)
    return [case_id] if isinstance(case_id, UUID) else []


def _owner(rt: Runtime, case_id: UUID) -> str | None:
    try:
        aggregate = rt.service.repository.get(case_id)
    except AggregateNotFoundError:
        return None
    return getattr(aggregate, "municipality", None)


def _actor(principal: Principal | None) -> tuple[str, str]:
    if principal is None:
        return "anonymous", "none"
    return (mask_identity_numbers(f"{principal.name} ({principal.subject})"),
            principal.role.value)


def _where(request: Request, status: int | None) -> str:
    route = request.scope.get("route")
    where = f"{request.method} {getattr(route, 'path', '?')}"
    return where if status is None else f"{where} -> {status}"


def access_note(request: Request, action: str) -> AccessNote:
    """The access-log entry of this request while its commands run: each save that writes a
    person's data carries its entry in the same transaction (see the module docstring)."""
    path_case = _path_case(request)

    def who() -> tuple[str, str, str, str] | None:
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None:
            return None
        return (principal.municipality, *_actor(principal), _where(request, None))

    note = AccessNote(action, who, [path_case] if path_case else [])
    request.state.access_note = note
    return note


def _ids_in(request: Request) -> list[UUID]:
    """The case ids a request names anywhere: its path, its query (``…case_id``) and its
    JSON body's top level (``…case_id``), for logging a refused attempt in the owner's log
    wherever the id came from."""
    found: list[UUID] = []
    raw: list[Any] = [request.path_params.get("case_id")]
    raw += [v for k, v in request.query_params.multi_items() if k.endswith("case_id")]
    body = getattr(request.state, "raw_body", b"")
    if body:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            raw += [v for k, v in data.items() if isinstance(k, str) and k.endswith("case_id")]
    for value in raw:
        try:
            found.append(value if isinstance(value, UUID) else UUID(str(value)))
        except (ValueError, TypeError, AttributeError):
            continue
    return list(dict.fromkeys(found))


def record_access(request: Request, action: str, status: int,
                  logged: set[UUID] | frozenset[UUID] = frozenset(),
                  logged_views: int = 0) -> bool:
    """Write this request's access-log entry, if it touched (or tried to touch) a
    person's data and has not logged it already with a write (``logged``: the cases,
    ``logged_views``: how many of its list views were saved with a write). A refused
    attempt (401, 403, 404) at a case of another municipality — its id in the path, the
    query or the body — is logged in *that* municipality's log. Returns whether an entry
    was written."""
    rt = runtime(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    noted: list[UUID] | None = getattr(request.state, "audit_cases", None)
    path_case = _path_case(request)
    refused = status in (401, 403, 404)
    if path_case is None and noted is None and not refused:
        return False  # no person's data involved
    where = _where(request, status)
    actor, role = _actor(principal)
    if refused:
        cases = list(dict.fromkeys([*_ids_in(request), *_complaint_cases(rt, request),
                                    *(noted or [])]))
        by_owner: dict[str | None, list[UUID]] = {}
        for case_id in cases:
            owner = _owner(rt, case_id) or (principal.municipality if principal else None)
            by_owner.setdefault(owner, []).append(case_id)
        if not cases:
            by_owner[principal.municipality if principal else None] = []
        written = False
        for municipality, ids in by_owner.items():
            if municipality is None:
                log.warning("refused unauthenticated request %s (no municipality to log it "
                            "in)", where)
                continue
            detail = where
            if principal is not None and municipality != principal.municipality:
                detail += f" (from municipality {principal.municipality})"
            rt.service.record_access(municipality, actor=actor, role=role, action=action,
                                     case_ids=ids, allowed=False, detail=detail)
            written = True
        return written
    cases = [c for c in dict.fromkeys([*([path_case] if path_case else []), *(noted or [])])
             if c not in logged]
    views: list[ListView] = getattr(request.state, "audit_views", [])[logged_views:]
    if (logged or logged_views) and not cases and not views:
        return False  # every case and view is in the entry saved with the write
    if principal is None:
        log.warning("request %s without a caller (no municipality to log it in)", where)
        return False
    rt.service.record_access(principal.municipality, actor=actor, role=role, action=action,
                             case_ids=cases, allowed=True, detail=where, views=views)
    return True


def _strict_query(route: APIRoute) -> Callable[[Request], None]:
    """Refuse query parameters the route does not declare (422 naming the first), as
    bodies refuse unknown fields: a misspelt ``?at=`` must not silently give today's list."""
    known: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        known.update(f.alias for f in dependant.query_params)
        stack.extend(dependant.dependencies)

    def check(request: Request) -> None:
        unknown = [k for k in request.query_params if k not in known]
        if unknown:
            raise ApiError(422, "invalid_request", f"Ukjent parameter «{unknown[0]}».",
                           field=unknown[0] or "query")

    return check


class _KeyedRoute(APIRoute):
    """A JSON route whose endpoint, if it takes a :data:`CommandId`, reserves the request's
    ``Idempotency-Key`` before it runs (:func:`reserve_idempotency_key`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _reserving(self, endpoint), **kwargs)


class ApiRoute(_KeyedRoute):
    """Every JSON route: unknown query parameters are refused; a write with an
    ``Idempotency-Key`` reserves it for its request first. (A successful write answers
    with ``X-Read-Position``: :mod:`api.freshness`.)"""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        strict = _strict_query(self)

        async def checked(request: Request) -> Response:
            strict(request)
            return await handler(request)

        return checked


@dataclass
class _Audit:
    """An audited request's access-log entry on success, written by :func:`_recording` in
    the endpoint's own worker thread (``done``), or the error that kept it from being
    written (``failure``)."""

    request: Request
    action: str
    note: AccessNote
    status: int
    done: bool = False
    failure: Exception | None = None

    def record(self, result: Any) -> None:
        status = result.status_code if isinstance(result, Response) else self.status
        try:
            record_access(self.request, self.action, status, self.note.logged,
                          self.note.logged_views)
        except Exception as exc:  # answered by the route (503), as from the event loop
            self.failure = exc
        self.done = True


#: The audit of the request under way (copied into its endpoint's worker thread).
_AUDIT: ContextVar[_Audit | None] = ContextVar("lto_audit", default=None)


def _recording(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain ``def`` endpoint of an audited route, made to write the request's access-log
    entry in its own worker thread once it has answered: a read of a person then costs one
    thread's round trip, not two. (Coroutine endpoints are left as they are: their entry is
    written after them, in a worker thread of its own.)"""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def recording(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        audit = _AUDIT.get()
        if audit is not None and not audit.done:
            audit.record(result)
        return result

    return recording


class AuditedRoute(_KeyedRoute):
    """A route that touches a person's data: one access-log entry per request, whatever
    the outcome (see the module docstring). On success a plain ``def`` endpoint writes the
    entry itself, in its worker thread, with the status it answers (:func:`_recording`):
    an answer that then fails to serialize (a bug: 500) keeps the entry of the data read."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _recording(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        action = self.name
        strict = _strict_query(self)
        success = self.status_code or 200

        async def audited(request: Request) -> Response:
            note = access_note(request, action)
            audit = _Audit(request, action, note, success)
            token = _AUDIT.set(audit)
            try:
                strict(request)
                with rt_service(request).logging_access(note):
                    response = await handler(request)
            except Exception as exc:
                if store_unavailable(exc) or audit.done:
                    raise  # nothing was sent, and the entry would wait on the same store
                status = _status_of(exc)
                try:
                    request.state.raw_body = await request.body()
                except RuntimeError:  # the body was streamed away: ids in it stay unknown
                    request.state.raw_body = b""
                try:
                    await run_in_threadpool(record_access, request, action, status,
                                            note.logged, note.logged_views)
                except Exception as log_exc:  # keep the original answer
                    log.error("access log write failed for %s (%s): %s", action, status,
                              type(log_exc).__name__)
                raise
            finally:
                _AUDIT.reset(token)
            failure = audit.failure
            if not audit.done:
                try:
                    await run_in_threadpool(record_access, request, action,
                                            response.status_code, note.logged,
                                            note.logged_views)
                except Exception as log_exc:
                    failure = log_exc
            if failure is not None:
                if store_unavailable(failure):
                    log_unavailable(request.method, self.path, failure)
                else:
                    log.error("access log write failed for %s: %s", action,
                              type(failure).__name__)
                raise ApiError(503, "access_log_unavailable", "Tilgangsloggen kunne ikke "
                               "skrives, så svaret holdes tilbake. Prøv igjen.",
                               headers={"Retry-After": str(STORE_RETRY_AFTER_S)}) from None
            return response

        return audited


# --- the case's version: ETag and If-Match ------------------------------------------------

_ETAGC = r'[\x21\x23-\x7e]*'
_ENTITY_TAG = rf'(?:W/)?"{_ETAGC}"'
#: RFC 9110 ``If-Match``: ``*`` or a comma-separated list of entity tags.
IF_MATCH_PATTERN = rf'^(?:\*|{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*)$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_TAG = re.compile(rf'(W/)?"({_ETAGC})"')
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def etag(version: int) -> str:
    """A case's entity tag: its version, quoted (a strong validator)."""
    return f'"{version}"'


def if_match_versions(value: str) -> frozenset[int] | None:
    """The case versions an ``If-Match`` value admits: None for ``*`` (any version);
    otherwise the versions its strong tags name (``"7"``). Weak tags (``W/"7"``) never
    match — RFC 9110's strong comparison — so a list of only those admits none."""
    if value.strip() == "*":
        return None
    return frozenset(int(opaque) for weak, opaque in _TAG.findall(value)
                     if not weak and opaque.isdigit() and len(opaque) <= 18)


async def if_match_header(if_match: Annotated[str | None, Header(
    alias="If-Match", pattern=IF_MATCH_PATTERN,
    description="Write only if the case is still at this version: the `ETag` of "
    "`GET /cases/{case_id}` (or of your last write on the case), e.g. `\"7\"`. A stale one "
    "answers 409 `precondition_failed` and writes nothing. Without it the write is not "
    "conditional.")] = None) -> None:
    """Declares ``If-Match`` on a case's writes (in the OpenAPI schema; a malformed value
    is refused with 422 like any bad header). :class:`CaseRoute` acts on it."""


class CaseRoute(AuditedRoute):
    """A route on one case (``/cases/{case_id}…``), audited as :class:`AuditedRoute`.
    Its writes are conditional on ``If-Match`` when sent: the case must still be at a
    version it names, checked when the command loads the case and atomic with the save
    (:meth:`~application.base.ServiceBase.expecting`), else 409 ``precondition_failed``
    with nothing written; a write that changed the case answers with its new version as
    ``ETag``. ``GET /cases/{case_id}`` sets the ``ETag`` itself."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        self.case_write = "{case_id}" in path and bool(methods & _WRITES)
        if self.case_write:
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()),
                                      Depends(if_match_header)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.case_write:
            return handler

        async def conditional(request: Request) -> Response:
            case_id = _path_case(request)
            if case_id is None:
                return await handler(request)  # the path's own check answers
            raw = request.headers.get("if-match")
            # a malformed value is refused by the declared header (422) before any command
            versions = if_match_versions(raw) if raw and _IF_MATCH.match(raw) else None
            with runtime(request).service.expecting(case_id, versions) as expectation:
                response = await handler(request)
            if expectation.saved_version is not None and response.status_code < 400:
                response.headers["ETag"] = etag(expectation.saved_version)
            return response

        return conditional
