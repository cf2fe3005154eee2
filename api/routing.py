"""The route classes every JSON route is made with.

- :class:`ApiRoute`: unknown query parameters are refused; a write with an
  ``Idempotency-Key`` reserves it first (:mod:`api.idempotency`).
- :class:`AuditedRoute`: besides, one access-log entry per request (:mod:`api.audit`).
- :class:`CaseRoute`: besides, a write sent with ``If-Match`` runs only if the case is still
  at that version (409 ``precondition_failed`` otherwise, nothing written), and answers
  with the case's new version as ``ETag``.

Routes are plain ``def`` functions (the eventsourcing library is synchronous; FastAPI runs
them in its thread pool).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.audit import (
    AUDIT,
    Audit,
    access_note,
    case_in_path,
    record_access,
    recording,
    rt_service,
    status_of,
)
from api.deps import runtime
from api.errors import (
    STORE_RETRY_AFTER_S,
    ApiError,
    log_unavailable,
    store_unavailable,
)
from api.idempotency import reserving

log = logging.getLogger("api.access")


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
        super().__init__(path, reserving(self, endpoint), **kwargs)


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


class AuditedRoute(_KeyedRoute):
    """A route that touches a person's data: one access-log entry per request, whatever
    the outcome (see the module docstring). On success a plain ``def`` endpoint writes the
    entry itself, in its worker thread, with the status it answers (:func:`~api.audit.recording`):
    an answer that then fails to serialize (a bug: 500) keeps the entry of the data read."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, recording(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        action = self.name
        strict = _strict_query(self)
        success = self.status_code or 200

        async def audited(request: Request) -> Response:
            note = access_note(request, action)
            audit = Audit(request, action, note, success)
            token = AUDIT.set(audit)
            try:
                strict(request)
                with rt_service(request).logging_access(note):
                    response = await handler(request)
            except Exception as exc:
                if store_unavailable(exc) or audit.done:
                    raise  # nothing was sent, and the entry would wait on the same store
                status = status_of(exc)
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
                AUDIT.reset(token)
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
            case_id = case_in_path(request)
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
