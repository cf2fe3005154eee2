"""The allocation unit's overviews: the waiting list (R12) and the vacancy board."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.auth import Role
from api.pages.web import Page, PageRoute, page_for
from projections.vacancy_board import VacancyBoard
from projections.waiting_list import WaitingListEntry

router = APIRouter(route_class=PageRoute)
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]

#: A deadline this close (days) is shown in warning colour.
CLOSE_DAYS = 30


def row_class(entry: WaitingListEntry) -> str:
    if entry.breached or (entry.days_left is not None and entry.days_left < 0):
        return "breach"
    if entry.days_left is not None and entry.days_left <= CLOSE_DAYS:
        return "soon"
    return ""


def by_facility(board: VacancyBoard) -> list[tuple[str, list[object]]]:
    groups: dict[str, list[object]] = {}
    for p in board.places:
        groups.setdefault(p.facility_name, []).append(p)
    return sorted(groups.items())


@router.get("/venteliste", name="page_waiting_list")
def waiting_list(page: OfficerPage) -> HTMLResponse:
    entries = page.read.waiting_list(page.municipality)
    names = {e.case_id: e.name for e in entries}
    page.audit("read_waiting_list", [e.case_id for e in entries])
    return page.render("waiting_list.html", title="Venteliste", entries=entries, names=names,
                       row_class=row_class, close_days=CLOSE_DAYS,
                       counts={"total": len(entries),
                               "urgent": sum(e.urgent for e in entries),
                               "breached": sum(row_class(e) == "breach" for e in entries),
                               "soon": sum(row_class(e) == "soon" for e in entries)})


@router.get("/ledige-plasser", name="page_vacancy_board")
def vacancy_board(page: OfficerPage) -> HTMLResponse:
    board = page.read.vacancy_board(page.municipality)
    summary: dict[tuple[str, str], dict[str, int]] = {}
    for p in board.places:
        counts = summary.setdefault((p.facility_name, p.place_type), {})
        counts[p.status] = counts.get(p.status, 0) + (p.free_beds or 1)
    return page.render("vacancies.html", title="Ledige plasser", board=board,
                       groups=by_facility(board), summary=sorted(summary.items()))
