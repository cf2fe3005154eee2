"""The allocation page: run the optimizer, read the proposal and its reasons per person, and
approve, change (with a reason) or reject each proposed offer (R17)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api import memory
from api.auth import Role
from api.pages.lists import offer_targets
from api.pages.paging import LIMIT, OFFSET, page_params, pager
from api.pages.runs import recorded_runs, run_items, run_movers
from api.pages.web import (
    Form,
    Page,
    PageRoute,
    form_for,
    not_found,
    page_for,
    parse_id,
    refuse,
    status_of,
)
from application.errors import ConfirmationRequired
from domain.allocation import AllocationRun
from domain.errors import DomainError, NotFound

router = APIRouter(route_class=PageRoute)
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@router.get("/tildeling", name="page_allocation")
def allocation(page: OfficerPage) -> HTMLResponse:
    return _allocation_page(page)


@dataclass(frozen=True)
class Unassessed:
    """R16, R17: a person on the list with no priority assessment, named before a run."""

    case_id: str
    name: str


def _allocation_page(page: Page, form: Form | None = None, status: int = 200,
                     unassessed: list[Unassessed] | None = None) -> HTMLResponse:
    runs = recorded_runs(page.read, page.municipality, limit=10)
    waiting = page.read.waiting_list(page.municipality)
    board = page.read.vacancy_board(page.municipality)
    return page.render("allocation.html", status=status,
                       forms={"run": form} if form else {}, title="Tildeling", runs=runs,
                       waiting=len([e for e in waiting if e.outstanding_offer is None]),
                       vacant=board.count("vacant"), vacant_from=board.count("vacant_from"),
                       purchasable=len([o for o in board.provider_offers
                                        if o.status == "available"]),
                       unassessed=unassessed or [])


def _unassessed(page: Page, form: Form, exc: ConfirmationRequired) -> HTMLResponse:
    """R16, R17: the run is refused until the officer confirms; the page names the persons
    without an assessment (linked to their cases) and offers the confirming button."""
    names = {e.case_id: e.name for e in page.read.waiting_list(page.municipality)}
    persons = []
    for raw in exc.case_ids:
        name = names.get(raw)
        if name is None:
            try:
                name = page.service.get_case(page.municipality, UUID(raw)).person.name
            except (DomainError, ValueError):
                continue
        persons.append(Unassessed(raw, name))
    persons.sort(key=lambda p: p.name.casefold())
    page.audit("read_waiting_list", [p.case_id for p in persons],
               detail="persons without a priority assessment, named before a run")
    return _allocation_page(page, form, 409, persons)


@router.post("/tildeling", name="page_allocation_run")
def run_allocation(page: OfficerForm) -> Response:
    form = page.form("run")
    confirmed = form.get("confirm_unassessed") == "ja"
    try:
        run_id = page.service.run_allocation(page.municipality, started_by=page.user.name,
                                             confirm_unassessed=confirmed,
                                             command_id=form.command)
    except ConfirmationRequired as exc:
        if exc.code == "unassessed_persons":
            return _unassessed(page, form, exc)
        refuse(form, exc)
        return _allocation_page(page, form, status_of(exc))
    except DomainError as exc:
        refuse(form, exc)
        return _allocation_page(page, form, status_of(exc))
    memory.give_back()  # a run's problem is large: its memory back to the system
    return page.done(f"/tildeling/{run_id}", "kjoring")


def _load_run(page: Page, run_id: UUID) -> AllocationRun:
    try:
        run: AllocationRun = page.service.get_allocation_run(page.municipality, run_id)
    except NotFound:
        raise not_found() from None
    return run


def _kept(page: Page) -> str:
    """The page of persons the officer was on (``?fra=&antall=``), as a query string: the
    forms post with it, and the answer returns to it."""
    kept = [(k, v) for k, v in page.request.query_params.multi_items()
            if k in (OFFSET, LIMIT) and v.isdigit()]
    return f"?{urlencode(kept)}" if kept else ""


def _back(page: Page, run_id: UUID, case_id: UUID, message: str) -> Response:
    """R17, one proposal after another: back to the same page of the run, at the proposal
    just handled (its card keeps its place and shows its new status)."""
    return page.done(f"/tildeling/{run_id}{_kept(page)}", message,
                     anchor=f"forslag-{case_id}")


def run_page(page: Page, run_id: UUID, *, forms: dict[str, Form] | None = None,
             status: int = 200) -> HTMLResponse:
    """The run's persons, a page at a time (``?fra=&antall=``); only those on the page
    are shown and logged."""
    offset, limit = page_params(page.request)
    run = _load_run(page, run_id)
    shown = run_items(page.read, run, offset, limit)
    movers = run_movers(page.read, run) if offset == 0 else []  # R28: on the first page
    page.audit("read_allocation_run", [i.case_id for i in [*shown.items, *movers]])
    return page.render("allocation_run.html", status=status, forms=forms or {},
                       title="Tildelingsforslag", run=run, run_id=str(run_id),
                       items=shown.items, movers=movers,
                       pager=pager(page.request, shown.total, offset, limit),
                       alternatives=offer_targets(page), kept=_kept(page),
                       open_items=sum(1 for s in run.item_status.values()
                                      if s == "proposed"))


@router.get("/tildeling/{run_id}", name="page_allocation_proposal")
def proposal(run_id: str, page: OfficerPage) -> HTMLResponse:
    return run_page(page, parse_id(run_id))


@router.post("/tildeling/{run_id}/godkjenn/{case_id}", name="page_allocation_approve")
def approve(run_id: str, case_id: str, page: OfficerForm) -> Response:
    """Approve the proposed offer as it is (form ``approve-…``), or changed to another place
    with a reason (form ``change-…``, which names a ``target``)."""
    rid, cid = parse_id(run_id), parse_id(case_id)
    _load_run(page, rid)
    changing = "target" in page.form_data
    name = f"{'change' if changing else 'approve'}-{cid}"
    form = page.form(name)
    place_id = provider_offer_id = None
    if changing:  # every refusal of the form at once, before the command runs
        kind, _, raw = form.get("target").partition(":")
        try:
            chosen: UUID | None = UUID(raw)
        except ValueError:
            chosen = None
            form.refuse("target", "Velg en ledig plass eller en plass hos annen leverandør.")
        if not form.get("reason").strip():
            form.refuse("reason", "Et annet tilbud enn det foreslåtte krever "
                        "saksbehandlerens begrunnelse (§ 3-3).")
        if form.failed:
            return run_page(page, rid, forms={name: form}, status=422)
        if kind == "place":
            place_id = chosen
        else:
            provider_offer_id = chosen
    try:
        page.service.approve_proposal(
            page.municipality, rid, cid, approved_by=page.user.name, place_id=place_id,
            provider_offer_id=provider_offer_id, reason=form.get("reason").strip() or None,
            type_reason=form.get("type_reason").strip() or None,
            unsuitable_reason=form.get("unsuitable_reason").strip() or None)
    except DomainError as exc:
        refuse(form, exc, {"place_id": "target", "provider_offer_id": "target",
                           "approved_by": "reason"})
        return run_page(page, rid, forms={name: form}, status=status_of(exc))
    page.audit("write_case", [cid], detail="approved the proposed offer")
    return _back(page, rid, cid, "godkjent")


@router.post("/tildeling/{run_id}/avvis/{case_id}", name="page_allocation_reject")
def reject(run_id: str, case_id: str, page: OfficerForm) -> Response:
    rid, cid = parse_id(run_id), parse_id(case_id)
    _load_run(page, rid)
    name = f"reject-{cid}"
    form = page.form(name)
    reason = form.get("reason").strip()
    if not reason:
        form.refuse("reason", "Skriv hvorfor forslaget avvises.")
        return run_page(page, rid, forms={name: form}, status=422)
    try:
        page.service.reject_proposal(page.municipality, rid, cid, rejected_by=page.user.name,
                                     reason=reason, command_id=form.command)
    except DomainError as exc:
        refuse(form, exc, {"case_id": "reason"})
        return run_page(page, rid, forms={name: form}, status=status_of(exc))
    page.audit("write_case", [cid], detail="rejected the proposed offer")
    return _back(page, rid, cid, "avvist")
