"""What a route needs: the runtime (service, read side, token checks) and the caller.

Routes are plain ``def`` functions (the eventsourcing library is synchronous; FastAPI runs
them in its thread pool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import AuthError, LocalIssuer, Principal, Role, TokenVerifier
from api.settings import ApiSettings
from application.service import AllocationService
from projections.read_side import ReadSide

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


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = principal_from(request, credentials.credentials if credentials else None)
    if principal is None:
        raise HTTPException(
            status_code=401, detail={"code": "unauthenticated",
                                     "message": "Mangler gyldig innlogging (bearer token)."},
            headers={"WWW-Authenticate": "Bearer"})
    request.state.principal = principal
    return principal


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency that admits only the given roles (403 for the others)."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status_code=403, detail={
                "code": "forbidden_role",
                "message": "Rollen din gir ikke tilgang til dette."})
        return principal

    return check


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentRuntime = Annotated[Runtime, Depends(runtime)]
