"""Tokens: who am I, signing out (the token is revoked until it expires), and (on the
embedded default only) a demo token for one of the demo users, one per role
(:data:`api.auth.DEMO_USERS`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.auth import DEMO_USERS, ROLE_LABELS, AuthError
from api.deps import SESSION_COOKIE, AnyRole, CurrentRuntime, secure_cookies
from api.errors import ERROR_RESPONSES, ApiError
from api.routing import ApiRoute
from api.schemas import DemoTokenIn, MeOut, TokenOut

router = APIRouter(tags=["Innlogging (auth)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)


@router.get("/auth/me", response_model=MeOut, summary="Who the token names")
def me(p: AnyRole) -> MeOut:
    return MeOut(subject=p.subject, name=p.name, role=p.role.value,
                 role_label=ROLE_LABELS[p.role], municipality=p.municipality,
                 sees_identity=p.sees_identity)


@router.post("/auth/logout", status_code=204, response_class=Response,
             summary="Sign out: the token is refused from now on, until it expires")
def logout(request: Request, p: AnyRole, rt: CurrentRuntime) -> Response:
    """Revokes the token this request carries (the bearer token, or the pages' session
    cookie) on the server: every process on the same store refuses it from now on with
    401, until its expiry. Tokens from the identity provider are revoked the same way."""
    rt.verifier.revoke(p)
    response = Response(status_code=204)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=secure_cookies(request))
    return response


#: Only included when the local issuer is on (``LTO_LOCAL_ISSUER``, default true).
demo_router = APIRouter(tags=["Innlogging (auth)"],
                        responses=ERROR_RESPONSES, route_class=ApiRoute)


@demo_router.post("/auth/demo-token", response_model=TokenOut,
                  summary="A token for a demo user (embedded issuer only)")
def demo_token(body: DemoTokenIn, rt: CurrentRuntime) -> TokenOut:
    """Users: ``saksbehandler`` (allocation officer, 4601), ``leder`` (manager, 4601),
    ``klagebehandler`` (complaint handler, 4601), ``saksbehandler-oslo`` (allocation
    officer, 0301), ``leder-oslo`` (manager, 0301). Send the token as
    ``Authorization: Bearer …``."""
    user = DEMO_USERS.get(body.username)
    if rt.issuer is None or user is None:
        raise ApiError(422, "unknown_demo_user", "Ingen demobruker med det navnet; velg en "
                       f"av {', '.join(sorted(DEMO_USERS))}.", field="username")
    try:
        token = rt.issuer.issue_demo(body.username)
    except AuthError:  # pragma: no cover - the user exists
        raise ApiError(422, "unknown_demo_user", "Ukjent demobruker.",
                       field="username") from None
    return TokenOut(access_token=token, expires_in=rt.settings.token_minutes * 60,
                    role=user.role.value, municipality=user.municipality)
