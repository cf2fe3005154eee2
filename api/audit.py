"""The access log of requests (tilgangslogg, pasientjournalloven § 18).

Every route that touches a person's data is an :class:`~api.routing.AuditedRoute`: the
route class itself logs the request — who (name and token subject), role, which case(s),
what (the route's name), allowed or not — whatever the outcome. The case is the path's
``case_id`` and/or the ids the handler names with :func:`note_cases`, and the lists of
persons it shows with :func:`note_list_view` (one small record per list: which list, its
page, the moment and position it stood at — not everyone on it). While the handler runs,
an :class:`~application.base.AccessNote` is open (``service.logging_access``): every save
that writes a person's data carries its entry **in the same transaction**, so a write is
never committed without its entry, and an entry that cannot be written stops the write.
What the request read without writing is logged once the handler has answered — by a plain
``def`` endpoint itself, in its worker thread (:func:`recording`), else by the route. A
refused attempt (401, 403, 404) is recorded as not allowed; an attempt at a case that
belongs to another municipality — its id in the path, the query or the body — is recorded
in *that* municipality's log (the case's owner sees it), with the caller's answer still
"not found". If a read's entry cannot be written the answer is 503 and the data is not
sent.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Principal
from api.deps import Runtime, runtime
from api.errors import (
    ApiError,
    status_for,
)
from application.base import AccessNote
from application.service import AllocationService
from domain.access import ListView, mask_identity_numbers
from domain.errors import DomainError

log = logging.getLogger("api.access")


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


def status_of(exc: BaseException) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, DomainError):
        return status_for(exc)
    if isinstance(exc, ApiError):
        return exc.status
    if type(exc).__name__ == "RequestValidationError":
        return 422
    return 500


def case_in_path(request: Request) -> UUID | None:
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
    path_case = case_in_path(request)

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
    path_case = case_in_path(request)
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


@dataclass
class Audit:
    """An audited request's access-log entry on success, written by :func:`recording` in
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
AUDIT: ContextVar[Audit | None] = ContextVar("lto_audit", default=None)


def recording(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain ``def`` endpoint of an audited route, made to write the request's access-log
    entry in its own worker thread once it has answered: a read of a person then costs one
    thread's round trip, not two. (Coroutine endpoints are left as they are: their entry is
    written after them, in a worker thread of its own.)"""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def recording(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        audit = AUDIT.get()
        if audit is not None and not audit.done:
            audit.record(result)
        return result

    return recording
