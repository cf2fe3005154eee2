"""Every refusal has the same shape: ``{code, rule, field, missing, message}``.

- no valid token: 401 ``unauthenticated``;
- the role may not do this: 403 ``forbidden_role``;
- no such object *in the caller's municipality* (another municipality's id included):
  404 ``not_found``;
- a malformed value (domain ``InvalidValue``): 422 ``invalid_value``;
- a numbered rule refuses the command (``RuleViolation``, ``MissingDocumentation``): 422,
  ``code`` e.g. ``r8_missing_documentation`` or ``r10_violation``, ``rule`` set;
- the body is not readable JSON at all: 400 ``invalid_body``, ``field`` "body";
- the request body, path, query or a header does not fit the schema: 422
  ``invalid_request``, ``field`` names the first bad field, ``errors`` lists them all;
- the command does not fit where the case or place is in its life (``InvalidState``):
  409 ``invalid_state``;
- someone else changed the same case or place at the same time (``ConcurrencyConflict``):
  409 ``conflict`` — nothing was written, reload and retry;
- a write on a case sent with ``If-Match`` when the case is no longer at that version
  (``StaleVersion``): 409 ``precondition_failed``, ``field`` "If-Match" — nothing was
  written; read the case again (its ``ETag``) and retry. (409 rather than HTTP's 412, so
  clients treat both lost races alike; the code tells them apart: ``precondition_failed``
  when the case had changed before the write was tried, ``conflict`` when a change landed
  between the check and the save);
- the read models did not catch up in time, or the access log could not be written: 503
  ``read_side_lagging`` / ``access_log_unavailable``;
- the store cannot be used just now — a SQLite file locked by another process past the lock
  timeout, a PostgreSQL server that cannot be reached, a connection lost, a pool with no
  free connection (:func:`~projections.outage.store_unavailable`): 503
  ``store_unavailable`` with ``Retry-After``, logged once as a warning (no traceback); a
  command it interrupted wrote all of its events or none (one transaction): retry it with
  the same ``Idempotency-Key``;
- anything unexpected: 500 ``internal_error`` with a reference and nothing of the
  internals, logged (redacted) by the outermost middleware, never re-raised to the server.

``InvalidState`` answers 409 rather than 422: the request is well formed and allowed, but it
conflicts with the current state of the resource (a closed case, a proposal already
approved); reloading shows why. ``message`` is Norwegian bokmål or English as the domain
wrote it; ``code`` is the machine-readable part.

Request validation never echoes the submitted value (``input``) back: it may be an identity
number.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.logs import mask
from api.methods import allow_header
from application.errors import ConcurrencyConflict, ConfirmationRequired
from domain.errors import DomainError, InvalidState, InvalidValue, NotFound, RuleViolation
from domain.person import CaseAlreadyOpen
from projections.outage import OUTAGE_TYPES, store_unavailable
from projections.read_side import ReadSideLagging

log = logging.getLogger("api.errors")


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    code: str = Field(description="machine-readable, English (e.g. r8_missing_documentation)")
    rule: str | None = Field(None, description="the rule of RULES.md (R1–R28) that refused it")
    field: str | None = Field(None, description="the field at fault")
    missing: list[str] = Field(default_factory=list, description="what is missing (R8)")
    message: str = Field(description="for people, Norwegian bokmål where we wrote it")
    errors: list[dict[str, Any]] | None = Field(
        None, description="request validation: every field at fault (loc, msg, type)")
    case_id: str | None = Field(None, description="R25: the person's open case "
                                "(code case_already_open)")
    case_ids: list[str] | None = Field(None, description="the cases a confirmation is about "
                                       "(code unassessed_persons)")


#: For the OpenAPI schema of every route.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not readable JSON"},
    401: {"model": ErrorBody, "description": "No valid token"},
    403: {"model": ErrorBody, "description": "The role may not do this"},
    404: {"model": ErrorBody, "description": "Not found in your municipality"},
    409: {"model": ErrorBody, "description": "Conflicts with the current state"},
    422: {"model": ErrorBody, "description": "Invalid value, or a rule refuses it"},
    503: {"model": ErrorBody, "description": "Store, read side or access log unavailable; "
          "retry after Retry-After seconds",
          "headers": {"Retry-After": {"description": "seconds to wait before retrying",
                                      "schema": {"type": "integer"}}}},
}

#: Seconds a client waits before retrying when the store is unavailable.
STORE_RETRY_AFTER_S = 5


def status_for(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConcurrencyConflict | InvalidState | CaseAlreadyOpen
                  | ConfirmationRequired):
        return 409
    if isinstance(exc, RuleViolation | InvalidValue):
        return 422
    return 422


def body(code: str, message: str, *, rule: str | None = None, field: str | None = None,
         missing: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "rule": rule, "field": field, "missing": missing or [],
            "message": message, **extra}


class ApiError(Exception):
    """An answer the API layer gives itself (503s and the like)."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    from api.pages.words import message_text  # the pages' words; imported late (a cycle)

    content = exc.as_dict()
    content["message"] = message_text(exc)  # no rule code or id for people; ``rule`` keeps it
    return JSONResponse(content, status_code=status_for(exc))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
               "type": str(e.get("type", ""))} for e in exc.errors()]
    first = _field_of(errors[0]["loc"]) if errors else None
    message = f"Ugyldig verdi i feltet «{first}»: {errors[0]['msg']}" if errors \
        else "Ugyldig forespørsel"
    return JSONResponse(body("invalid_request", message, field=first, errors=errors),
                        status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if isinstance(detail, dict):
        content = body(str(detail.get("code", "http_error")), str(detail.get("message", "")),
                       field=detail.get("field"))
    else:
        code = {400: "invalid_body", 404: "not_found",
                405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if exc.status_code == 400:
            content = body(code, "Innholdet kan ikke leses som JSON (UTF-8).", field="body")
        else:
            content = body(code, str(detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # every method the path takes, not only the first route's
        headers["Allow"] = allow_header(request.app, request.scope)
    return JSONResponse(content, status_code=exc.status_code, headers=headers or None)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(body(exc.code, exc.message, field=exc.field), status_code=exc.status,
                        headers=exc.headers)


def store_unavailable_body() -> dict[str, Any]:
    return body("store_unavailable", "Databasen er ikke tilgjengelig akkurat nå. Prøv igjen "
                f"om {STORE_RETRY_AFTER_S} sekunder (med samme Idempotency-Key for en "
                "skriving).")


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    if not store_unavailable(exc):
        raise exc  # a fault, not an outage: the outermost middleware answers 500
    log_unavailable(request.method, _where(request), exc)
    return JSONResponse(store_unavailable_body(), status_code=503,
                        headers={"Retry-After": str(STORE_RETRY_AFTER_S)})


def _where(request: Request) -> str:
    return str(getattr(request.scope.get("route"), "path", request.url.path))


def log_unavailable(method: str, where: str, exc: BaseException) -> None:
    """One warning line for a request the store could not serve (no traceback: it is an
    outage, not a fault; the first line of the driver's words, redacted)."""
    words = (str(exc).strip().splitlines() or [""])[0]
    log.warning("store unavailable (503) %s %s: %s: %s", method, redact(where),
                type(exc).__name__, redact(words)[:300])


def redact(text: str) -> str:
    """Anything that looks like an identity number (eleven digits) is masked
    (:func:`api.logs.mask`; every log record is masked anyway, see :mod:`api.logs`)."""
    return mask(text)


def log_unexpected(method: str, where: str, exc: BaseException) -> str:
    """Log an unexpected error with a reference (traceback redacted); return the reference."""
    reference = uuid.uuid4().hex[:12]
    while mask(reference) != reference:  # never one the log's masking would hide
        reference = uuid.uuid4().hex[:12]
    trace = redact("".join(traceback.format_exception(exc)))
    log.error("unexpected error ref=%s %s %s: %s\n%s", reference, method, where,
              type(exc).__name__, trace)
    return reference


def internal_error_body(reference: str) -> dict[str, Any]:
    return body("internal_error", "Noe gikk galt hos oss. Prøv igjen, eller oppgi referansen "
                f"{reference} til brukerstøtte.", reference=reference)


async def _read_side_lagging(request: Request, exc: Exception) -> JSONResponse:
    """A command that reads the current state from the read models (the allocation run's
    candidates) found them behind the log past its timeout: 503, as a read asked to see its
    own write does (:meth:`api.deps.Runtime.fresh`). Nothing was written."""
    log.warning("read models behind (503) %s %s: %s", request.method, _where(request), exc)
    return JSONResponse(body("read_side_lagging", "Lesemodellene henger etter; prøv igjen "
                             "om litt."), status_code=503, headers={"Retry-After": "5"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ReadSideLagging, _read_side_lagging)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ApiError, _api_error)
    for outage in OUTAGE_TYPES:
        app.add_exception_handler(outage, _store_error)
