"""The allocation unit's overviews: the waiting list (R12) and the vacancy board, with the
forms that register a place (R1) and another provider's offer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import words as w
from api.pages.paging import page_params, pager
from api.pages.web import (
    Form,
    FormInvalid,
    Page,
    PageRoute,
    form_for,
    page_for,
    refuse,
    status_of,
    validated,
)
from api.schemas import PlaceIn, ProviderOfferIn
from domain.case import IPLOS_MAX_AGE_MONTHS, GuaranteeStatus
from domain.errors import DomainError
from projections.activity import excel_csv
from projections.vacancy_board import VacancyBoard
from projections.waiting_list import DUE_SOON_DAYS, WaitingListEntry

router = APIRouter(route_class=PageRoute)
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]
ManagerPage = Annotated[Page, Depends(page_for(Role.MANAGER))]

#: A deadline this close (days) is shown in warning colour.
CLOSE_DAYS = DUE_SOON_DAYS  # the row colour and the figures agree


def row_class(entry: WaitingListEntry) -> str:
    """The row's colour, from the guarantee's one state function (R18) — or, for a grant
    (R4, R15), whether it is carried out within the policy's days."""
    if entry.urgent:
        return "breach" if entry.grant_overdue else ""
    state = entry.guarantee
    if state.status is GuaranteeStatus.BREACHED or state.breach_due:
        return "breach"
    if state.status is GuaranteeStatus.RUNNING and state.days_left is not None \
            and state.days_left <= CLOSE_DAYS:
        return "soon"
    return ""


def by_facility(board: VacancyBoard) -> list[tuple[str, list[object]]]:
    groups: dict[str, list[object]] = {}
    for p in board.places:
        groups.setdefault(p.facility_name, []).append(p)
    return sorted(groups.items())


@router.get("/venteliste", name="page_waiting_list")
def waiting_list(page: OfficerPage) -> HTMLResponse:
    """A page of the list (``?fra=``, ``?antall=``); the figures count everyone on it. The
    access log records the page as one view; a spouse's name is shown only when the spouse
    is on the same page (else the link says "ektefellens sak")."""
    offset, limit = page_params(page.request)
    today = page.today
    listed = page.read.waiting_list_page(page.municipality, offset, limit, today,
                                         counts=True)
    entries = listed.entries
    _, _, policy = page.service.policy_on(page.municipality, today)
    names = {e.case_id: e.name for e in entries}
    page.audit("read_waiting_list", [], views=[listed.view])
    return page.render("waiting_list.html", title="Venteliste",
                       grants=[e for e in entries if e.urgent],
                       entries=[e for e in entries if not e.urgent], names=names,
                       row_class=row_class, close_days=CLOSE_DAYS,
                       counts=listed.counts, today=today,
                       policy=policy, guarantee_status=GuaranteeStatus,
                       pager=pager(page.request, listed.total, offset, limit),
                       # the read side flags IPLOS by the regulation's 12 months
                       iplos_months=IPLOS_MAX_AGE_MONTHS)


def offer_targets(page: Page) -> list[tuple[str, str]]:
    """The places an officer may offer, as (form value, words): own places vacant now or
    from a planned move-out (R24), and other providers' available places."""
    board = page.read.vacancy_board(page.municipality)
    today = page.today
    out = []
    for p in board.places:
        if p.status not in ("vacant", "vacant_from"):
            continue
        words = (f"{p.facility_name}, avd. {p.unit}, rom {p.room} — "
                 f"{w.label(w.PLACE_TYPES, p.place_type)}, {w.label(w.ROOM_KINDS, p.room_kind)}")
        if p.available_from is not None and p.available_from > today:
            words += f", ledig fra {w.dato(p.available_from)}"
        out.append((f"place:{p.place_id}", words))
    for o in board.provider_offers:
        if o.status != "available":
            continue
        words = (f"Kjøp: {o.facility_name} ({o.provider}) — "
                 f"{w.label(w.PLACE_TYPES, o.place_type)}, {w.kroner(o.price_per_day)} per døgn")
        if o.available_from > today:
            words += f", ledig fra {w.dato(o.available_from)}"
        out.append((f"offer:{o.provider_offer_id}", words))
    return out


def known_facilities(page: Page, also: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every facility with an own place registered in the municipality, occupied ones too,
    as (facility id, name) by name; ids in ``also`` (wishes recorded earlier) that are not
    among them are kept under their id."""
    names = {f.facility_id: f.facility_name for f in page.read.facilities(page.municipality)}
    for facility_id in also:
        names.setdefault(facility_id, facility_id)
    return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


def _options(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


BOARD_OPTIONS = {
    "facility_kinds": _options(w.FACILITY_KINDS),
    "place_types": _options(w.PLACE_TYPES),
    "room_kinds": _options(w.ROOM_KINDS),
}


def _board_page(page: Page, forms: dict[str, Form] | None = None,
                status: int = 200, readonly: bool = False) -> HTMLResponse:
    """The summary counts every place; the places are listed a page at a time (``?fra=``,
    ``?antall=``; other providers' offers likewise)."""
    offset, limit = page_params(page.request)
    board = page.read.vacancy_board(page.municipality)
    summary: dict[tuple[str, str], dict[str, int]] = {}
    for p in board.places:
        counts = summary.setdefault((p.facility_name, p.place_type), {})
        counts[p.status] = counts.get(p.status, 0) + (p.free_beds or 1)
    shown = VacancyBoard(board.places[offset:offset + limit],
                         board.provider_offers[offset:offset + limit])
    return page.render("vacancies.html", status=status, forms=forms or {},
                       title="Ledige plasser", board=shown, whole=board,
                       groups=by_facility(shown),
                       summary=sorted(summary.items()), options=BOARD_OPTIONS,
                       pager=pager(page.request, max(len(board.places),
                                                     len(board.provider_offers)),
                                   offset, limit),
                       facilities=[*known_facilities(page),
                                   (NEW_FACILITY, "Ny institusjon (skriv navnet under)")],
                       units=sorted({p.unit for p in board.places}), readonly=readonly)


@router.get("/ledige-plasser", name="page_vacancy_board")
def vacancy_board(page: OfficerPage) -> HTMLResponse:
    return _board_page(page)


#: The vacancy board as a CSV: headings in Norwegian (``?lang=en``: the codes, for machines).
BOARD_CSV = {"nb": ("institusjon", "avdeling", "rom", "plasstype", "romtype", "status",
                    "ledige senger", "ledig fra"),
             "en": ("facility", "unit", "room", "place_type", "room_kind", "status",
                    "free_beds", "available_from")}


@router.get("/ledelse/ledige-plasser.csv", name="page_vacancy_board_csv")
def vacancy_board_csv(page: ManagerPage) -> Response:
    lang = "en" if page.request.query_params.get("lang") == "en" else "nb"
    nb = lang == "nb"
    board = page.read.vacancy_board(page.municipality)
    rows = [(p.facility_name, p.unit, p.room,
             w.label(w.PLACE_TYPES, p.place_type) if nb else p.place_type,
             w.label(w.ROOM_KINDS, p.room_kind) if nb else p.room_kind,
             w.label(w.PLACE_STATUSES, p.status) if nb else p.status, p.free_beds,
             "" if p.available_from is None else
             (w.dato(p.available_from) if nb else p.available_from.isoformat()))
            for p in board.places]
    text = excel_csv(BOARD_CSV[lang], rows)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ledige-plasser-'
                             f'{page.municipality}-{page.today:%Y-%m-%d}.csv"'})


@router.get("/ledelse/ledige-plasser", name="page_vacancy_board_management")
def vacancy_board_for_management(page: ManagerPage) -> HTMLResponse:
    """The vacancy board as management reads it (no forms; the board names no one)."""
    return _board_page(page, readonly=True)


def _post_board(page: Page, name: str, command: Callable[[Form], Any], message: str,
                fields: dict[str, str] | None = None,
                texts: dict[str, str] | None = None) -> Response:
    """Run one command on places or other providers' offers from a posted form; a refusal
    draws the vacancy board again with the values as typed (422). No person's data, so
    nothing for the access log (like the JSON routes)."""
    form = page.form(name)
    try:
        command(form)
    except FormInvalid:
        return _board_page(page, {name: form}, 422)
    except DomainError as exc:
        refuse(form, exc, fields, texts)
        return _board_page(page, {name: form}, status_of(exc))
    return page.done("/ledige-plasser", message)


def _values(form: Form, keys: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Any]:
    """The form's values for a schema, trimmed; an optional field left empty is absent."""
    data: dict[str, Any] = {key: form.get(key).strip() for key in keys}
    for key in optional:
        value = form.get(key).strip()
        if value:
            data[key] = value
    return data


#: Schema refusals in Norwegian, by schema field (the limits come from the schema).
PLACE_TEXTS = {
    "facility_id": "Velg institusjonen i listen, eller velg «Ny institusjon» og skriv "
                   "navnet.",
    "facility_name": "Skriv institusjonens navn.",
    "facility_kind": "Velg sykehjem eller bolig med heldøgns tjenester (§ 1-3 bokstav a).",
    "unit": "Skriv avdelingen.",
    "room": "Skriv romnummeret.",
    "place_type": "Velg plasstype: ordinær, skjermet eller forsterket.",
    "room_kind": "Velg enerom eller dobbeltrom.",
    "available_from": "Skriv datoen som dd.mm.åååå.",
}
PROVIDER_OFFER_TEXTS = {
    **PLACE_TEXTS,
    "provider": "Skriv leverandørens navn.",
    "reference": "Skriv leverandørens referanse for plassen.",
    "price_per_day": "Skriv prisen per døgn i kroner: over 0 og under 1 000 000, med høyst "
                     "to desimaler, for eksempel 3150 eller 3150,50.",
    "valid_until": "Skriv datoen som dd.mm.åååå.",
}


#: The choice in the place form that registers a place at a facility not registered yet.
NEW_FACILITY = "ny"
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", "ö": "o",
                       "ä": "a"})


def facility_key(name: str, taken: Mapping[str, str]) -> str:
    """The key a new facility is registered under, made from its name (nobody types one):
    «Fjellheim sykehjem» → ``fjellheim-sykehjem``; a key already used by a facility of
    another name gets a number."""
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold().translate(_FOLD)).strip("-")[:60]
    base = base or "institusjon"
    key, n = base, 2
    while key in taken and taken[key].casefold() != name.casefold():
        key, n = f"{base}-{n}", n + 1
    return key


def _facility_of(form: Form, page: Page) -> tuple[str, str]:
    """The facility the place form names: one picked from the list by name, or a new one
    by its name (its key made from the name). A refusal goes beside the field."""
    known = dict(known_facilities(page))
    chosen = form.get("facility").strip()
    if chosen and chosen != NEW_FACILITY:
        if chosen not in known:
            form.refuse("facility", "Velg institusjonen i listen.")
            return "", ""
        return chosen, known[chosen]
    name = form.get("facility_name").strip()
    if not name:
        form.refuse("facility" if not chosen else "facility_name",
                    "Velg institusjonen i listen, eller velg «Ny institusjon» og skriv "
                    "navnet." if not chosen else "Skriv navnet på den nye institusjonen.")
        return "", ""
    same = [k for k, v in known.items() if v.casefold() == name.casefold()]
    return (same[0] if same else facility_key(name, known)), name


@router.post("/ledige-plasser/plass", name="page_register_place")
def register_place(page: OfficerForm) -> Response:
    def run(form: Form) -> None:
        data = _values(form, ("facility_kind", "unit", "room", "place_type", "room_kind"),
                       ("available_from",))
        if form.get("facility_id").strip():  # a client of the old form: the key as sent
            data["facility_id"] = form.get("facility_id").strip()
            data["facility_name"] = form.get("facility_name").strip()
        else:
            data["facility_id"], data["facility_name"] = _facility_of(form, page)
        body = validated(form, PlaceIn, data, PLACE_TEXTS, {"facility_id": "facility",
                                                            "facility_name": "facility_name"})
        page.service.register_place(
            page.municipality, facility_id=body.facility_id, facility_name=body.facility_name,
            facility_kind=body.facility_kind, unit=body.unit, room=body.room,
            place_type=body.place_type, room_kind=body.room_kind,
            available_from=body.available_from, command_id=form.command)

    return _post_board(page, "place", run, "plass")


def _price(raw: str) -> str:
    """A price as typed the Norwegian way (3 150,50 kr) in the schema's notation."""
    text = raw.replace("\u00a0", "").replace(" ", "").removesuffix("kr").strip()
    return text.replace(",", ".")


@router.post("/ledige-plasser/leverandortilbud", name="page_register_provider_offer")
def register_provider_offer(page: OfficerForm) -> Response:
    def run(form: Form) -> None:
        data = _values(form, ("provider", "reference", "facility_name", "facility_kind",
                              "place_type", "room_kind"), ("available_from", "valid_until"))
        data["price_per_day"] = _price(form.get("price_per_day"))
        body = validated(form, ProviderOfferIn, data, PROVIDER_OFFER_TEXTS)
        page.service.register_provider_offer(
            page.municipality, provider=body.provider, reference=body.reference,
            facility_name=body.facility_name, facility_kind=body.facility_kind,
            place_type=body.place_type, price_per_day=body.price_per_day,
            room_kind=body.room_kind, available_from=body.available_from,
            valid_until=body.valid_until, command_id=form.command)

    return _post_board(page, "provider_offer", run, "leverandortilbud")
