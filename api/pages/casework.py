"""Finding a case and the case worker's worklists (issue 17), in Norwegian.

``/sok``: one box for a case number (2026/0042), a name or an identity number. The form is
**posted** and the answer is the page of results itself (no redirect to a URL holding what
was typed): an identity number is never in an address, the browser's history or a log line.
The complaint handler's "open a case" box posts here too.

``/arbeidslister``: the case worker's lists with their totals; ``/arbeidslister/{liste}`` a
page of one, newest work last (sorted by the day it is about).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.auth import Role
from api.pages import words as w
from api.pages.paging import page_params, pager
from api.pages.web import Form, Page, PageRoute, form_for, page_for
from api.routes.casework import find_cases
from domain.case_number import CaseNumber
from domain.errors import DomainError, NotFound
from projections.casework_rows import missing_items

router = APIRouter(route_class=PageRoute)
SEARCHERS = (Role.ALLOCATION_OFFICER, Role.COMPLAINT_HANDLER)
SearchPage = Annotated[Page, Depends(page_for(*SEARCHERS))]
SearchForm = Annotated[Page, Depends(form_for(*SEARCHERS))]
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]

#: The worklists by their address, with their titles and what the day column means.
WORKLISTS: dict[str, tuple[str, str, str]] = {
    "utredning": ("investigation", "Søknader under utredning", "Søknaden mottatt"),
    "klar": ("ready", "Klare for vedtak", "Søknaden mottatt"),
    "revurdering": ("review", "Revurderinger som forfaller", "Revurderes senest"),
    "svar": ("answer", "Tilbud som venter på svar", "Svarfrist"),
    "innflytting": ("admission", "Planlagte innflyttinger", "Innflytting"),
    "klager": ("complaints", "Klager som skal behandles", "Klagen mottatt"),
}
_IDENTITY = re.compile(r"^\d{6}\s?\d{5}$")
_DIGITS = re.compile(r"^[\d\s]+$")
#: Results per page of a search.
SEARCH_LIMIT = 50


def case_link(page: Page, case_id: str) -> str:
    """Where a case opens for the signed-in role."""
    if page.user.role is Role.COMPLAINT_HANDLER:
        return f"/klage/saker/{case_id}"
    return f"/saker/{case_id}"


def _search_page(page: Page, form: Form | None = None, status: int = 200,
                 results: list[dict[str, Any]] | None = None, total: int = 0,
                 kind: str = "") -> HTMLResponse:
    return page.render("search.html", status=status, title="Finn en sak",
                       forms={"sok": form} if form else {}, results=results, total=total,
                       kind=kind, limit=SEARCH_LIMIT, link=lambda c: case_link(page, c),
                       status_label=lambda s: w.label(w.CASE_STATUSES, s))


@router.get("/sok", name="page_search")
def search_form(page: SearchPage) -> HTMLResponse:
    return _search_page(page)


@dataclass(frozen=True)
class Found:
    """What a search found: how it searched (words), a page of case rows, and how many."""

    kind: str
    docs: list[dict[str, Any]]
    total: int


def find_typed(page: Page, form: Form, field: str, limit: int = SEARCH_LIMIT) -> Found | None:
    """Search by what was typed in ``field``: eleven digits an identity number (posted,
    never in an address), year/number a case number, anything else a name. A refusal is
    put on the form (None is returned); the search is in the access log."""
    typed = form.get(field).strip()
    if _DIGITS.match(typed):
        form.values[field] = ""  # an identity number is never drawn back into the page
    if not typed:
        form.refuse(field, "Skriv et saksnummer, et navn eller et fødselsnummer.")
        return None
    try:
        if _IDENTITY.match(typed):
            kind, found = "fødselsnummer", find_cases(
                page.rt, page.municipality, identity_number=typed, limit=limit)
        elif CaseNumber.looks_like(typed):
            kind, found = "saksnummer", find_cases(
                page.rt, page.municipality, case_number=typed, limit=limit)
        elif _DIGITS.match(typed):
            form.refuse(field, "Et fødselsnummer har 11 siffer; et saksnummer skrives "
                        "år/nummer, for eksempel 2026/0042.")
            return None
        else:
            kind, found = "navn", find_cases(page.rt, page.municipality, name=typed,
                                             limit=limit)
    except NotFound:
        found, kind = None, ""
    except DomainError as exc:
        what = "fødselsnummeret" if exc.field == "identity_number" else "saksnummeret"
        form.refuse(field, f"Sjekk {what}: det er ikke gyldig.")
        return None
    docs = found.docs if found is not None else []
    page.audit("search_cases", [d["case_id"] for d in docs],
               detail=f"search by {_KIND_WORDS.get(kind, 'name')}")
    return Found(kind, docs, found.total if found is not None else 0)


@router.post("/sok", name="page_search_post")
def search(page: SearchForm) -> HTMLResponse:
    """What was typed decides how to search (:func:`find_typed`)."""
    form = page.form("sok")
    found = find_typed(page, form, "sok")
    if found is None:
        return _search_page(page, form, 422)
    return _search_page(page, form, 200, found.docs, found.total, found.kind)


_KIND_WORDS = {"fødselsnummer": "identity number", "saksnummer": "case number",
               "navn": "name"}


@router.get("/arbeidslister", name="page_worklists")
def worklists(page: OfficerPage) -> HTMLResponse:
    counts = page.read.worklist_counts(page.municipality, page.today)
    lists = [(slug, title, counts[name]) for slug, (name, title, _) in WORKLISTS.items()]
    return page.render("worklists.html", title="Arbeidslister", lists=lists)


@router.get("/arbeidslister/{liste}", name="page_worklist")
def worklist(liste: str, page: OfficerPage) -> HTMLResponse:
    if liste not in WORKLISTS:
        raise NotFound("no such worklist", field="liste")
    name, title, day_label = WORKLISTS[liste]
    offset, limit = page_params(page.request)
    listed = page.read.worklist_page(page.municipality, name, offset, limit, page.today)
    rows: list[dict[str, Any]] = []
    if name == "complaints":
        cases = {d["case_id"]: d for d in page.read.case_docs(
            page.municipality, [c["case_id"] for c, _ in listed.rows])}
        for complaint, day in listed.rows:
            case = cases.get(complaint["case_id"])
            if case is not None:
                rows.append({"case": case, "day": day,
                             "href": f"/klage/klager/{complaint['complaint_id']}",
                             "note": w.label(w.COMPLAINT_STATUSES, complaint.get("status"))})
    else:
        for doc, day in listed.rows:
            note = ""
            if name in ("investigation", "ready"):
                missing = missing_items(doc, page.today)
                note = ("Mangler: " + "; ".join(w.missing_text(m) for m in missing)
                        if missing else "Alt som § 2-2 krever, er registrert")
            rows.append({"case": doc, "day": day, "href": f"/saker/{doc['case_id']}",
                         "note": note})
    page.audit("read_worklist", [r["case"]["case_id"] for r in rows],
               detail=f"worklist {name}")
    return page.render("worklist.html", title=title, rows=rows, day_label=day_label,
                       slug=liste, status_label=lambda s: w.label(w.CASE_STATUSES, s),
                       pager=pager(page.request, listed.total, offset, limit))
