"""Sign-in and sign-out (/logg-inn, /logg-ut).

On the embedded default a demo user (one per role) is picked and the local issuer signs
the token; in production the identity provider's token is pasted (or set by a proxy). The
token lives in the ``lto_token`` cookie: HttpOnly, SameSite=Strict, Path=/, and Secure
whenever the request came over TLS (directly or through a trusted proxy) and always with
production settings (:func:`~api.deps.secure_cookies`).

Signing out revokes the token on the server (:mod:`api.revocation`), so the old cookie, or
the same token as a bearer, is refused from then on, in every process on the store — not
only forgotten by this browser.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import DEMO_USERS, AuthError, Principal
from api.deps import SESSION_COOKIE, CurrentRuntime, Runtime, principal_from
from api.pages.web import (
    CSRF_FIELD,
    HOME,
    NONCE_COOKIE,
    TEMPLATES,
    Form,
    Page,
    PageRoute,
    clear_cookie,
    csrf_ok,
    csrf_token,
    form_for,
    safe_next,
    set_cookie,
)

router = APIRouter(route_class=PageRoute)


def _login_page(request: Request, rt: Runtime, form: Form, status: int = 200,
                logged_out: bool = False) -> HTMLResponse:
    fresh = None
    if not request.cookies.get(NONCE_COOKIE):
        fresh = secrets.token_urlsafe(32)
        request.state.nonce = fresh
    user = principal_from(request, None)
    order = list(HOME)
    demo = sorted(DEMO_USERS.values(),
                  key=lambda u: (u.municipality != rt.settings.demo_municipality,
                                 order.index(u.role), u.username)) \
        if rt.issuer is not None else []
    home = HOME.get(user.role, "/") if user else "/logg-inn"
    response = TEMPLATES.TemplateResponse(
        request, "login.html",
        {"user": user, "csrf": csrf_token(request), "form": lambda name: form,
         "demo_users": demo, "path": request.url.path, "home": home,
         "message": "Du er logget ut." if logged_out else None,
         "next": safe_next(request.query_params.get("neste")) or form.get("neste")},
        status_code=status)
    if fresh:
        set_cookie(request, response, NONCE_COOKIE, fresh)
    return response


@router.get("/logg-inn")
def login_page(request: Request, rt: CurrentRuntime) -> HTMLResponse:
    return _login_page(request, rt, Form("login"),
                       logged_out=request.query_params.get("melding") == "utlogget")


@router.post("/logg-inn")
async def login(request: Request, rt: CurrentRuntime) -> Response:
    data = await request.form()
    values = {k: v for k, v in data.multi_items() if isinstance(v, str) and k != "token"}
    form = Form("login", {k: v for k, v in values.items() if k != CSRF_FIELD})
    if not csrf_ok(request, values.get(CSRF_FIELD)):
        form.refuse(None, "Skjemaet manglet en gyldig sikkerhetsnøkkel (CSRF). Prøv igjen.")
        return _login_page(request, rt, form, status=403)
    username = values.get("username", "")
    pasted = data.get("token")
    token = pasted.strip() if isinstance(pasted, str) else ""
    user: Principal | None = None
    if username:
        if rt.issuer is None or username not in DEMO_USERS:
            form.refuse("username", "Velg en av demobrukerne i listen.")
        else:
            try:
                token = rt.issuer.issue_demo(username)
            except AuthError:
                form.refuse("username", "Velg en av demobrukerne i listen.")
    elif not token:
        form.refuse("username", "Velg en demobruker, eller lim inn et token fra "
                                "innloggingstjenesten.")
    if not form.failed:
        try:
            user = rt.verifier.verify(token)
        except AuthError:
            form.refuse("token", "Tokenet ble ikke godtatt: det er utløpt, feil signert eller "
                                 "mangler rolle og kommune. Hent et nytt og prøv igjen.")
    if user is None:
        return _login_page(request, rt, form, status=422)
    target = safe_next(values.get("neste")) or HOME[user.role]
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    set_cookie(request, response, NONCE_COOKIE, secrets.token_urlsafe(32))  # a new session
    return response


@router.post("/logg-ut")
def logout(request: Request, page: Annotated[Page, Depends(form_for(*HOME))]) -> Response:
    """Revoke the session's token (until it expires), then forget the cookies."""
    page.rt.verifier.revoke(page.user)
    response = RedirectResponse("/logg-inn?melding=utlogget", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    clear_cookie(request, response, NONCE_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    user = principal_from(request, None)
    return RedirectResponse(HOME[user.role] if user else "/logg-inn", status_code=303)
