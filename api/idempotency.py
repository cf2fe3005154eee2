"""Idempotency keys of writes.

A write's ``Idempotency-Key`` becomes its command id (:func:`command_id`) and is reserved
for the request before the endpoint runs (the route classes of :mod:`api.routing` wrap
every endpoint that takes a :data:`CommandId`, :func:`reserving`): the same key with the
same request is a retry; with another request it is refused with 422
``idempotency_key_reused`` and nothing is written (:mod:`application.idempotency`).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, get_origin
from uuid import UUID, uuid4

from fastapi import Depends, Header, Request, params
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.auth import Principal
from api.deps import CurrentPrincipal, runtime
from api.errors import (
    ApiError,
)

log = logging.getLogger("api.access")

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


def reserving(route: APIRoute, endpoint: Callable[..., Any]) -> Callable[..., Any]:
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
