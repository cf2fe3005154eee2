"""The municipality's own settings, for its fagadministrator (``municipal_admin``): the
profile (``/innstillinger/kommune``: the unit, its addresses, the State Administrator, the
facilities chosen by name) and the policy (``/innstillinger/tildelingsregler``: the
waiting-list guarantee, free choice, offers' days and the priority weights). Each change is
a new version saying who, when and why; the pages list every version. A refused form is
drawn again with the values as typed and the refusal beside its field; nothing is saved.
No one's personal data: nothing for the access log."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Role
from api.pages import words as w
from api.pages.web import Form, FormInvalid, Page, PageRoute, form_for, page_for, status_of
from application.municipalities import MunicipalityProfile
from domain.errors import DomainError, InvalidValue
from domain.values import DeclinedOfferEffect, PolicySettings, PriorityFactor

router = APIRouter(route_class=PageRoute)
AdminPage = Annotated[Page, Depends(page_for(Role.MUNICIPAL_ADMIN))]
AdminForm = Annotated[Page, Depends(form_for(Role.MUNICIPAL_ADMIN))]

PROFILE_URL = "/innstillinger/kommune"
POLICY_URL = "/innstillinger/tildelingsregler"
NEW_FACILITY_ROWS = 2
LINE_FIELDS = ("postal_address", "visiting_address", "state_administrator_address")

#: The refusals in Norwegian, by the domain's field (a facility's by its last part).
PROFILE_TEXTS = {
    "name": "Skriv kommunens navn, for eksempel «Bergen kommune».",
    "unit_name": "Skriv navnet på tildelingsenheten.",
    "state_administrator": "Skriv hvilket statsforvalterembete som avgjør klager, for "
                           "eksempel «Statsforvalteren i Vestland».",
    "phone": "Skriv telefonnummeret med sifre og mellomrom (8–20 tegn), med + først om det "
             "er utenlandsk.",
    "email": "Skriv en gyldig e-postadresse, for eksempel tildeling@kommune.no.",
    "reason": "Skriv hvorfor opplysningene endres.",
    "changed_by": "Innloggingen mangler navn.",
    "facilities": "En institusjon som plasser og ønsker kan vise til, kan ikke fjernes.",
    "name_dup": "To institusjoner har samme navn.",
    "kind": "Velg sykehjem eller bolig med heldøgns tjenester (§ 1-3 bokstav a).",
    "lines": "Høyst fem linjer, hver på høyst 200 tegn.",
}
POLICY_TEXTS = {
    "reason": "Skriv hvorfor tildelingsreglene endres.",
    "effective_from": "Datoen må være i dag eller senere, og ikke før dagen den gjeldende "
                      "versjonen tok til å gjelde.",
    "guarantee_months": "Skriv et helt antall måneder fra 1 til 12.",
    "priority_weights": "Hver vekt er et helt tall fra 0 til 10. Omsorg ved livets slutt, "
                        "kognitiv svikt og andre særlige behov har særskilt vekt "
                        "(forskriften § 3-3 annet ledd) og kan ikke ha vekt 0.",
}
#: The policy's settings on the page: label, hint, and (numbers) the lowest and highest.
NUMBERS: dict[str, tuple[str, str, int, int]] = {
    "guarantee_months": ("Ventelistegaranti, måneder", "Tilbud om langtidsopphold innen så "
                         "mange kalendermåneder fra vedtaket om venteliste (forskriften "
                         "§ 3-4 første ledd).", 1, 12),
    "offer_available_within_days": ("Plassen må være ledig innen, dager", "Et tilbud "
                                    "oppfyller garantien bare om plassen er ledig innen så "
                                    "mange dager etter tilbudet (forskriften § 3-4).", 0, 92),
    "offer_answer_days": ("Svarfrist på tilbud, dager", "Hvor lenge personen har til å svare "
                          "på et tilbud (forvaltningsloven § 27).", 1, 30),
    "deadline_horizon_days": ("Foreslå kjøp når fristen er nær, dager", "Tildelingen foreslår "
                              "plass hos annen leverandør for den som har så få dager igjen "
                              "av fristen (forskriften § 3-4 annet ledd).", 0, 92),
    "grant_alert_days": ("Vedtak om plass straks gjennomføres innen, dager", "Vises som "
                         "forsinket etter så mange dager (forskriften § 2-1 første ledd).",
                         0, 30),
    "score_tolerance": ("Tillatt avvik fra foreslått behovsskår, poeng", "Et større avvik "
                        "må begrunnes (forskriften § 3-3 tredje ledd).", 0, 100),
    "review_every_months": ("Ny vurdering av alle på ventelisten, hver … måned", "Forskriften "
                            "§ 3-1: ventelisten oppdateres fortløpende.", 1, 24),
    "iplos_max_age_months": ("IPLOS-registrering regnes som oppdatert i, måneder",
                             "Forskriften § 2-2 nr. 2.", 1, 36),
}
FLAGS = {
    "free_choice": ("Fritt valg av institusjon", "Ikke en del av den vedtatte forskriften, men "
                    "kommunen kan praktisere det (merknad 2.3)."),
    "lapsed_offer_counts_as_declined": ("Et tilbud som ikke besvares i tide, regnes som "
                                        "avslått", ""),
}
DECLINED = [("offer_fulfils_guarantee", "Tilbudet oppfyller garantien"),
            ("guarantee_continues", "Den opprinnelige fristen gjelder fortsatt")]


# --- the profile --------------------------------------------------------------------------


def _profile_form(profile: MunicipalityProfile) -> Form:
    values: dict[str, str] = {
        "name": profile.name, "unit_name": profile.unit_name, "phone": profile.phone,
        "email": profile.email, "state_administrator": profile.state_administrator,
        **{f: "\n".join(getattr(profile, f)) for f in LINE_FIELDS},
        "demo": "on" if profile.demo else "",
    }
    for i, f in enumerate(profile.facilities):
        values.update({f"f{i}_id": f.facility_id, f"f{i}_name": f.name,
                       f"f{i}_kind": f.kind.value, f"f{i}_address": "\n".join(f.address)})
    return Form("profile", values)


def _rows(form: Form) -> int:
    """How many facility rows the form has (the stored ones and the empty new ones)."""
    stored = sum(1 for key in form.values if key.endswith("_id") and key.startswith("f"))
    return stored + NEW_FACILITY_ROWS


def _profile_page(page: Page, form: Form | None = None, status: int = 200) -> HTMLResponse:
    profile = page.service.municipality_profile(page.municipality)
    form = form or _profile_form(profile)
    return page.render("settings_profile.html", status=status, title="Kommuneprofil",
                       forms={"profile": form}, profile=profile, rows=range(_rows(form)),
                       history=list(reversed(page.service.profile_history(page.municipality))),
                       kinds=list(w.FACILITY_KINDS.items()))


@router.get("/innstillinger", name="page_settings")
def settings_home() -> Response:
    return RedirectResponse(PROFILE_URL, status_code=303)


@router.get(PROFILE_URL, name="page_profile")
def profile_page(page: AdminPage) -> HTMLResponse:
    return _profile_page(page)


def _lines(form: Form, key: str) -> list[str]:
    return [line.strip() for line in form.get(key).splitlines() if line.strip()]


def _profile_values(form: Form) -> dict[str, Any]:
    facilities = []
    for i in range(_rows(form)):
        name = form.get(f"f{i}_name").strip()
        facility_id = form.get(f"f{i}_id").strip()
        if not name and not facility_id:
            continue  # an empty new row
        facilities.append({"facility_id": facility_id or None, "name": name,
                           "kind": form.get(f"f{i}_kind"),
                           "address": _lines(form, f"f{i}_address")})
    return {"name": form.get("name").strip(), "unit_name": form.get("unit_name").strip(),
            "phone": form.get("phone").strip(), "email": form.get("email").strip(),
            "state_administrator": form.get("state_administrator").strip(),
            **{f: _lines(form, f) for f in LINE_FIELDS},
            "facilities": facilities, "demo": form.checked("demo")}


def _facility_field(form: Form, exc: DomainError) -> tuple[str, str]:
    """A domain field of a facility (``facilities.2.name``) as the form's field and text."""
    parts = (exc.field or "").split(".")
    index, last = int(parts[1]), parts[2] if len(parts) > 2 else "name"
    rows = [i for i in range(_rows(form))
            if form.get(f"f{i}_name").strip() or form.get(f"f{i}_id").strip()]
    row = rows[index] if index < len(rows) else index
    key = {"name": "name", "kind": "kind", "address": "address"}.get(last, "name")
    if key == "kind":
        text = PROFILE_TEXTS["kind"]
    elif key == "address":
        text = PROFILE_TEXTS["lines"]
    elif "same" in exc.message:
        text = PROFILE_TEXTS["name_dup"]
    else:
        text = w.error_text(exc) if "control" in exc.message or "at most" in exc.message \
            else "Skriv institusjonens navn."
    return f"f{row}_{key}", text


def refuse_profile(form: Form, exc: DomainError) -> None:
    field = exc.field or ""
    if field.startswith("facilities."):
        name, text = _facility_field(form, exc)
    else:
        base = field.split(".")[0]
        name = base or None
        text = PROFILE_TEXTS["lines"] if base in LINE_FIELDS else \
            PROFILE_TEXTS.get(base) or w.error_text(exc)
    form.refuse(name, text)


@router.post(PROFILE_URL, name="page_change_profile")
def change_profile(page: AdminForm) -> Response:
    form = page.form("profile")
    reason = form.get("reason").strip()
    try:
        if not reason:
            raise InvalidValue("reason", "say why")
        page.service.change_profile(page.municipality, profile=_profile_values(form),
                                    changed_by=page.user.name, reason=reason,
                                    command_id=form.command)
    except DomainError as exc:
        refuse_profile(form, exc)
        return _profile_page(page, form, status_of(exc))
    return page.done(PROFILE_URL)


# --- the policy ---------------------------------------------------------------------------


def _policy_form(settings: PolicySettings, today: date) -> Form:
    values = {name: str(getattr(settings, name)) for name in NUMBERS}
    values.update({name: "on" if getattr(settings, name) else "" for name in FLAGS})
    values["declined_offer_effect"] = settings.declined_offer_effect.value
    values.update({f"w_{k}": str(v) for k, v in settings.priority_weights.items()})
    values["effective_from"] = today.isoformat()
    return Form("policy", values)


def _policy_page(page: Page, form: Form | None = None, status: int = 200) -> HTMLResponse:
    policy = page.service.policy(page.municipality)
    in_force, _ = policy.in_force_on(page.today)
    form = form or _policy_form(policy.current, page.today)
    return page.render("settings_policy.html", status=status, title="Tildelingsregler",
                       forms={"policy": form}, versions=list(reversed(policy.history())),
                       in_force=in_force, numbers=NUMBERS, flags=FLAGS, declined=DECLINED,
                       factors=[(f.value, w.PRIORITY_FACTORS[f.value]) for f in PriorityFactor],
                       declined_words=dict(DECLINED), factor_words=w.PRIORITY_FACTORS,
                       fields=[f.name for f in dataclasses.fields(PolicySettings)])


@router.get(POLICY_URL, name="page_policy")
def policy_page(page: AdminPage) -> HTMLResponse:
    return _policy_page(page)


def _policy_changes(form: Form) -> tuple[dict[str, Any], date | None]:
    changes: dict[str, Any] = {}
    for name, (_, _, low, high) in NUMBERS.items():
        raw = form.get(name).strip()
        if not (raw.lstrip("-").isdigit() and low <= int(raw) <= high):
            form.refuse(name, f"Skriv et helt tall fra {low} til {high}.")
            continue
        changes[name] = int(raw)
    for name in FLAGS:
        changes[name] = form.checked(name)
    effect = form.get("declined_offer_effect")
    if effect not in dict(DECLINED):
        form.refuse("declined_offer_effect", "Velg hva et avslått tilbud betyr for garantien.")
    else:
        changes["declined_offer_effect"] = DeclinedOfferEffect(effect)
    weights = {}
    for factor in PriorityFactor:
        raw = form.get(f"w_{factor.value}").strip()
        if not (raw.isdigit() and 0 <= int(raw) <= 10):
            form.refuse(f"w_{factor.value}", "Skriv en vekt fra 0 til 10.")
            continue
        weights[factor.value] = int(raw)
    changes["priority_weights"] = weights
    day = None
    try:
        day = date.fromisoformat(form.get("effective_from").strip())
    except ValueError:
        form.refuse("effective_from", "Skriv datoen som åååå-mm-dd.")
    if not form.get("reason").strip():
        form.refuse("reason", POLICY_TEXTS["reason"])
    if form.failed:
        raise FormInvalid(form)
    return changes, day


@router.post(POLICY_URL, name="page_change_policy")
def change_policy(page: AdminForm) -> Response:
    form = page.form("policy")
    try:
        changes, day = _policy_changes(form)
        page.service.set_policy(page.municipality, issued_by=page.user.name,
                                reason=form.get("reason").strip(), effective_from=day,
                                command_id=form.command, **changes)
    except FormInvalid:
        return _policy_page(page, form, 422)
    except DomainError as exc:
        field = exc.field or ""
        name = "w_end_of_life" if field == "priority_weights" else field or None
        form.refuse(name, POLICY_TEXTS.get(field) or w.error_text(exc))
        return _policy_page(page, form, status_of(exc))
    return page.done(POLICY_URL)
