"""Tokens: who am I, and (on the embedded default only) a demo token for one of the demo
users, one per role (:data:`api.auth.DEMO_USERS`)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import DEMO_USERS, ROLE_LABELS, AuthError
from api.deps import AnyRole, ApiRoute, CurrentRuntime
from api.errors import ERROR_RESPONSES, ApiError
from api.schemas import DemoTokenIn, MeOut, TokenOut

router = APIRouter(tags=["Innlogging (auth)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)


@router.get("/auth/me", response_model=MeOut, summary="Who the token names")
def me(p: AnyRole) -> MeOut:
    return MeOut(subject=p.subject, name=p.name, role=p.role.value,
                 role_label=ROLE_LABELS[p.role], municipality=p.municipality,
                 sees_identity=p.sees_identity)


#: Only included when the local issuer is on (``LTO_LOCAL_ISSUER``, default true).
demo_router = APIRouter(tags=["Innlogging (auth)"],
                        responses=ERROR_RESPONSES, route_class=ApiRoute)


@demo_router.post("/auth/demo-token", response_model=TokenOut,
                  summary="A token for a demo user (embedded issuer only)")
def demo_token(body: DemoTokenIn, rt: CurrentRuntime) -> TokenOut:
    """Users: ``saksbehandler`` (allocation officer, 4601), ``leder`` (manager, 4601),
    ``klagebehandler`` (complaint handler, 4601), ``saksbehandler-oslo`` (allocation
    officer, 0301). Send the token as ``Authorization: Bearer …``."""
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
