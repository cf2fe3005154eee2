"""What every page shares: templates, the signed-in user, role checks, CSRF, command ids,
the access log, and forms that keep what was typed when the rules refuse them.

Pages use the same application commands and read models as the JSON routes. Refusals are
pages too: not signed in → the sign-in page; another role's page → 403; another
municipality's case → 404 (the service answers "not found", so nothing leaks).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from api.auth import ROLE_LABELS, Principal, Role
from api.deps import SESSION_COOKIE, Runtime, principal_from, runtime, secure_cookies
from api.errors import STORE_RETRY_AFTER_S, log_unavailable, store_unavailable
from api.pages import words as w
from application.base import AccessNote
from application.errors import ConcurrencyConflict
from domain.access import ListView
from domain.base import local_date
from domain.errors import DomainError, NotFound

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE.parent / "templates")
STATIC_DIR = HERE.parent / "static"

#: A random nonce per browser session (HttpOnly, SameSite=Strict), renewed at sign-in: the
#: CSRF token is bound to it and to the session token.
NONCE_COOKIE = "lto_csrf"
CSRF_FIELD = "csrf_token"

HOME = {
    Role.ALLOCATION_OFFICER: "/venteliste",
    Role.MANAGER: "/ledelse/frister",
    Role.COMPLAINT_HANDLER: "/klage",
    Role.MUNICIPAL_ADMIN: "/innstillinger/kommune",
}

for _name, _table in {
    "plasstype": w.PLACE_TYPES, "institusjonstype": w.FACILITY_KINDS, "romtype": w.ROOM_KINDS,
    "vedtakstype": w.DECISION_KINDS, "vedtak_kort": w.DECISION_SHORT,
    "saksstatus": w.CASE_STATUSES, "kanal": w.CHANNELS, "kilde": w.MEDICAL_SOURCES,
    "tilbudstype": w.OFFER_KINDS, "tilbudsstatus": w.OFFER_STATUSES,
    "fristvalg": w.BREACH_CHOICES, "plasstatus": w.PLACE_STATUSES,
    "leverandorstatus": w.PROVIDER_OFFER_STATUSES, "faktor": w.PRIORITY_FACTORS,
    "forslagsstatus": w.RUN_ITEM_STATUSES, "klagegjelder": w.COMPLAINT_SUBJECTS,
    "klageutfall": w.COMPLAINT_OUTCOMES, "klagestatus": w.COMPLAINT_STATUSES,
    "klageresultat": w.COMPLAINT_RESULTS, "klager_rolle": w.COMPLAINANT_ROLES,
    "avgjort_av": w.COMPLAINT_RESULT_BY,
    "iplos": w.IPLOS_LABELS, "leon": w.LEON_MEASURES, "tilgang": w.ACCESS_ACTIONS,
    "utsending": w.DELIVERY_CHANNELS, "klagefristgrunnlag": w.DEADLINE_BASES,
}.items():
    TEMPLATES.env.filters[_name] = (lambda table: lambda code: w.label(table, code))(_table)
TEMPLATES.env.filters["dato"] = w.dato
TEMPLATES.env.filters["tidspunkt"] = w.tidspunkt
TEMPLATES.env.filters["kroner"] = w.kroner
TEMPLATES.env.filters["tall"] = w.tall
TEMPLATES.env.filters["prosent"] = w.prosent
TEMPLATES.env.filters["personer"] = w.personer
TEMPLATES.env.filters["faktor_vekt"] = w.faktor_med_vekt
TEMPLATES.env.filters["uegnet"] = lambda code: w.label(w.OFFER_UNSUITABILITY, code)
TEMPLATES.env.globals["ROLE_LABELS"] = {r.value: t for r, t in ROLE_LABELS.items()}


# --- refusals, as pages --------------------------------------------------------------------


class LoginRequired(Exception):
    """Not signed in (or the session has expired): go to the sign-in page."""


class PageRefused(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status, self.title, self.message = status, title, message


def forbidden() -> PageRefused:
    return PageRefused(403, "Ingen tilgang",
                       "Rollen din gir ikke tilgang til denne siden.")


def not_found() -> PageRefused:
    return PageRefused(404, "Fant ikke siden",
                       "Saken eller siden finnes ikke i din kommune.")


def _next_path(request: Request) -> str:
    path = request.url.path
    if request.method == "GET" and request.url.query:
        path += "?" + request.url.query
    return path


def safe_next(value: str | None) -> str | None:
    """Only a local path is a place to return to after sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    user = getattr(request.state, "page_user", None)
    return TEMPLATES.TemplateResponse(
        request, "error.html",
        {"user": user, "title": title, "error_message": message, "home": _home(user),
         "csrf": csrf_token(request), "status": status, "path": request.url.path},
        status_code=status)


def _home(user: Principal | None) -> str:
    return HOME.get(user.role, "/logg-inn") if user else "/logg-inn"


class PageRoute(APIRoute):
    """Turns refusals into pages (sign-in redirect, 403, 404, 409) instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                target = "/logg-inn?neste=" + quote(_next_path(request), safe="/")
                return RedirectResponse(target, status_code=303)
            except PageRefused as exc:
                return error_page(request, exc.status, exc.title, exc.message)
            except NotFound:
                exc404 = not_found()
                return error_page(request, 404, exc404.title, exc404.message)
            except ConcurrencyConflict as exc:
                return error_page(request, 409, "Endret samtidig", w.error_text(exc))
            except TimeoutError:
                return error_page(request, 503, "Prøv igjen om litt",
                                  "Oversiktene er ikke oppdatert ennå. Last siden på nytt.")
            except Exception as exc:
                if not store_unavailable(exc):
                    raise
                log_unavailable(request.method, self.path, exc)
                page = error_page(request, 503, "Prøv igjen om litt",
                                  "Databasen er ikke tilgjengelig akkurat nå. Prøv igjen om "
                                  "noen sekunder.")
                page.headers["Retry-After"] = str(STORE_RETRY_AFTER_S)
                return page

        return page_handler


# --- CSRF ---------------------------------------------------------------------------------


def _derive(secret: str) -> str:
    return hmac.new(b"langtidsopphold/pages/csrf", secret.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The per-session token forms carry in a hidden field: derived from the session cookie
    and the random nonce set with it (before sign-in, from the nonce alone), so another
    site can neither read nor forge it, and two sessions never share one; the
    SameSite=Strict cookies keep cross-site posts unauthenticated anyway."""
    nonce = getattr(request.state, "nonce", None) or request.cookies.get(NONCE_COOKIE) or ""
    secret = (request.cookies.get(SESSION_COOKIE) or "") + "\n" + nonce
    return _derive(secret) if secret.strip() else ""


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected and submitted) and hmac.compare_digest(expected, str(submitted))


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                        secure=secure_cookies(request))


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict",
                           secure=secure_cookies(request))


# --- forms ----------------------------------------------------------------------------------


@dataclass
class Form:
    """One form's state: the values to show, and the refusals beside fields and on top."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    #: The command id the form's command runs with (see :meth:`Page.form`).
    command: str | None = None

    def __post_init__(self) -> None:
        self.values.setdefault("command_id", str(uuid4()))

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def checked(self, key: str) -> bool:
        return self.values.get(key) in ("on", "true", "1", "ja")

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.summary)

    def refuse(self, field_name: str | None, text: str) -> None:
        if field_name and field_name not in self.errors:
            self.errors[field_name] = text
        if text not in self.summary:
            self.summary.append(text)


class FormInvalid(Exception):
    """The page's own checks found the form incomplete (before any command ran)."""

    def __init__(self, form: Form) -> None:
        super().__init__(form.name)
        self.form = form


def status_of(exc: DomainError) -> int:
    """A refused form is 422; one beaten by a concurrent change is 409."""
    return 409 if isinstance(exc, ConcurrencyConflict) else 422


def refuse(form: Form, exc: DomainError, fields: dict[str, str] | None = None,
           texts: dict[str, str] | None = None) -> Form:
    """Put a domain refusal on the form: beside its field (domain field names are mapped to
    form field names by ``fields``) and at the top, in Norwegian (``texts`` words a field's
    refusal for this form)."""
    text = (texts or {}).get(exc.field or "") or w.error_text(exc)
    name = exc.field
    if name and fields:
        name = fields.get(name, name)
    if exc.rule == "R8":
        name = None  # the checklist shows each item; the message names them all
    form.refuse(name, text)
    return form


Body = TypeVar("Body", bound=BaseModel)

#: A schema refusal worded by its kind, whatever the field (limits from the schema itself).
_SCHEMA_KINDS = {
    "string_too_long": "Teksten er for lang: høyst {max_length} tegn.",
    "string_pattern_mismatch": "Teksten har tegn som ikke kan lagres (kontrolltegn).",
    "too_long": "For mange: høyst {max_length}.",
}


def validated(form: Form, schema: type[Body], data: dict[str, Any], texts: dict[str, str],
              fields: dict[str, str] | None = None) -> Body:
    """Check a form's values with the JSON route's own body schema, so the pages and the
    API keep one set of rules. Each refusal goes beside its field in Norwegian: ``texts``
    words it per schema field (the full path, e.g. ``services.0.extent``, or its last
    name, ``extent``), ``fields`` maps a schema field or path to the form field. A field the
    page's own checks already refused keeps that message. Nothing submitted is echoed in
    a message."""
    try:
        body = schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            loc = [str(part) for part in error["loc"]]
            path, last = ".".join(loc), next((p for p in reversed(loc) if not p.isdigit()),
                                              "")
            name = (fields or {}).get(path) or (fields or {}).get(loc[0] if loc else "") \
                or path or None
            if name and name in form.errors:
                continue
            kind = _SCHEMA_KINDS.get(error["type"])
            text = (kind.format(**error.get("ctx", {})) if kind else None) \
                or texts.get(path) or texts.get(last) \
                or "Verdien kan ikke brukes. Sjekk feltet og prøv igjen."
            form.refuse(name, text)
        raise FormInvalid(form) from None
    if form.failed:
        raise FormInvalid(form)
    return body


class Need:
    """Small readers for form values that refuse in Norwegian when a value is missing."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def text(self, key: str, message: str, *, required: bool = True) -> str:
        value = self.form.get(key).strip()
        if required and not value:
            self.form.refuse(key, message)
        return value

    def integer(self, key: str, message: str, low: int, high: int,
                *, required: bool = True) -> int | None:
        raw = self.form.get(key).strip()
        if not raw and not required:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.form.refuse(key, message)
            return None
        if not low <= value <= high:
            self.form.refuse(key, message)
            return None
        return value

    def choice(self, key: str, options: Iterable[str], message: str,
               *, required: bool = True) -> str | None:
        value = self.form.get(key)
        if not value and not required:
            return None
        if value not in set(options):
            self.form.refuse(key, message)
            return None
        return value

    def day(self, key: str, message: str, *, required: bool = True) -> date | None:
        raw = self.form.get(key).strip()
        if not raw and not required:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.form.refuse(key, message)
            return None

    def done(self) -> None:
        if self.form.failed:
            raise FormInvalid(self.form)


# --- the page context --------------------------------------------------------------------------


@dataclass
class Page:
    """A signed-in request to a page: who, the runtime, and how to answer."""

    request: Request
    rt: Runtime
    user: Principal
    form_data: dict[str, str] = field(default_factory=dict)
    fresh: bool = False

    @property
    def municipality(self) -> str:
        return self.user.municipality

    @property
    def service(self) -> Any:
        return self.rt.service

    @property
    def read(self) -> Any:
        """The read models (:meth:`Runtime.fresh`): holding the reader's own last write
        (the position its browser was given with the answer to it)."""
        if not self.fresh:
            self.rt.fresh()
            self.fresh = True
        return self.rt.read

    def form(self, name: str) -> Form:
        """The submitted form (values as typed). Its command id comes from the hidden field
        made when the form was rendered, so a double submit is one command; it is scoped by
        municipality and form, like the JSON routes' ``Idempotency-Key``, so a key cannot
        be replayed against another command."""
        values = {k: v for k, v in self.form_data.items() if k != CSRF_FIELD}
        try:
            key = str(UUID(values.get("command_id", "")))
        except ValueError:
            key = str(uuid4())
        values["command_id"] = key
        return Form(name, values, command=f"{self.municipality}:page:{name}:{key}")

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        forms: dict[str, Form] = context.pop("forms", {})

        def form(name: str) -> Form:
            return forms.get(name) or Form(name)

        message = w.MESSAGES.get(self.request.query_params.get("melding", ""))
        return TEMPLATES.TemplateResponse(
            self.request, template,
            {"user": self.user, "csrf": csrf_token(self.request), "form": form,
             "message": message, "home": _home(self.user), "path": self.request.url.path,
             **context},
            status_code=status)

    @property
    def actor(self) -> str:
        return f"{self.user.name} ({self.user.subject})"

    def audit(self, action: str, case_ids: Iterable[UUID | str], *, allowed: bool = True,
              detail: str = "", views: Sequence[ListView] = ()) -> None:
        """Every page that shows a person's data says so in the access log: the cases it
        shows one by one, and each list of persons as its view (one small record)."""
        ids = list(dict.fromkeys(c if isinstance(c, UUID) else UUID(str(c)) for c in case_ids))
        try:
            self.rt.service.record_access(
                self.municipality, actor=self.actor, role=self.user.role.value,
                action=action, case_ids=ids, allowed=allowed,
                detail=detail or f"{self.request.method} {self.request.url.path}",
                views=views)
        except Exception as exc:
            if store_unavailable(exc):
                raise  # the page route answers 503 with Retry-After, logged once
            log.exception("access log write failed (%s)", action)
            raise PageRefused(503, "Prøv igjen om litt",
                              "Tilgangsloggen kunne ikke skrives, så siden vises ikke. "
                              "Prøv igjen om litt.") from None

    def writing(self, action: str, case_ids: Iterable[UUID]) -> AccessNote:
        """The access-log entry of a form's write, to keep open while its command runs
        (``with page.service.logging_access(note)``): saved in the same transaction as the
        write (see :meth:`~application.base.ServiceBase.logging_access`)."""
        detail = f"{self.request.method} {self.request.url.path}"
        return AccessNote(action, lambda: (self.municipality, self.actor,
                                           self.user.role.value, detail),
                          list(case_ids))

    def audit_refused(self, action: str, case_id: UUID) -> None:
        """A refused attempt at a case: logged as not allowed, in the log of the
        municipality that owns the case (which sees the attempt) or else in the caller's."""
        owner = None
        try:
            owner = getattr(self.rt.service.repository.get(case_id), "municipality", None)
        except AggregateNotFoundError:
            owner = None
        try:
            self.rt.service.record_access(
                owner or self.municipality, actor=self.actor, role=self.user.role.value,
                action=action, case_ids=[case_id], allowed=False,
                detail=f"{self.request.method} {self.request.url.path}")
        except Exception as exc:
            if store_unavailable(exc):
                raise  # the page route answers 503 with Retry-After, logged once
            log.error("access log write failed (%s, refused): %s", action,
                      type(exc).__name__)
            raise PageRefused(503, "Prøv igjen om litt",
                              "Tilgangsloggen kunne ikke skrives. Prøv igjen om litt.") from None

    def load_case(self, case_id: UUID, action: str) -> Any:
        """The case, if it is this municipality's; otherwise the attempt is logged and the
        answer is a 404 page."""
        try:
            return self.rt.service.get_case(self.municipality, case_id)
        except NotFound:
            self.audit_refused(action, case_id)
            raise not_found() from None

    @property
    def today(self) -> date:
        return local_date(self.rt.service.clock.now())

    def done(self, url: str, message: str = "lagret", anchor: str = "") -> RedirectResponse:
        """After a command: wait until the read models hold it (read-your-writes), then
        show the page again (post/redirect/get) — at ``anchor`` (an element's id) when
        given, so the officer is back where she was on the page."""
        position = self.rt.service.recorder.max_notification_id()
        self.rt.read.wait_for(position, timeout=self.rt.settings.read_timeout_s)
        sep = "&" if "?" in url else "?"
        fragment = f"#{anchor}" if anchor else ""
        return RedirectResponse(f"{url}{sep}melding={message}{fragment}", status_code=303)


def signed_in(request: Request) -> Principal:
    user = principal_from(request, None)
    if user is None:
        raise LoginRequired()
    request.state.page_user = user
    return user


def _refused(request: Request, user: Principal) -> None:
    """A role refused at a case's page: the attempt goes in the case's access log."""
    raw = request.path_params.get("case_id")
    if raw is None:
        return
    try:
        case_id = UUID(str(raw))
    except ValueError:
        return
    Page(request, runtime(request), user).audit_refused("read_case", case_id)


def page_for(*roles: Role) -> Callable[[Request], Page]:
    """A dependency for a page open to ``roles``: sign-in redirect or 403 for the others."""

    def dependency(request: Request) -> Page:
        user = signed_in(request)
        if user.role not in roles:
            _refused(request, user)
            raise forbidden()
        return Page(request, runtime(request), user)

    return dependency


def form_for(*roles: Role) -> Callable[[Request], Awaitable[Page]]:
    """Like :func:`page_for`, for a posted form: also reads the form and checks its CSRF
    token (a refusal is a 403 page and nothing is written)."""

    async def dependency(request: Request) -> Page:
        user = signed_in(request)
        if user.role not in roles:
            await run_in_threadpool(_refused, request, user)
            raise forbidden()
        data = await request.form()
        values = {k: v for k, v in data.multi_items() if isinstance(v, str)}
        if not csrf_ok(request, values.get(CSRF_FIELD)):
            raise PageRefused(403, "Skjemaet ble avvist",
                              "Skjemaet manglet en gyldig sikkerhetsnøkkel (CSRF). Last siden "
                              "på nytt og send skjemaet igjen.")
        return Page(request, runtime(request), user, values)

    return dependency


def parse_id(value: str) -> UUID:
    """A case, run or complaint id from the path; anything else is a 404 page."""
    try:
        return UUID(value)
    except ValueError:
        raise not_found() from None
