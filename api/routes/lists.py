"""The waiting list (R12), the deadline monitor (R18, R19) and the deadline check. These
name persons, so they are in the access log. A read of the waiting list is one entry holding
the view (which page, the moment and position it stood at: :func:`api.audit.note_list_view`),
not everyone on it. Managers read the deadline monitor without names or case ids (and then it
is not an access to anyone's data)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.audit import note_cases, note_list_view
from api.deps import CurrentRuntime, Officer, OfficerOrHandler, OfficerOrManager
from api.errors import ERROR_RESPONSES
from api.routes.common import At, anonymize, case_ids_in, moment, plain, today
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset
from api.routing import AuditedRoute
from api.schemas import DeadlineCheckOut, ReportOut, WaitingListOut
from domain.base import local_date

router = APIRouter(tags=["Venteliste og frister (waiting list and deadlines)"],
                   route_class=AuditedRoute, responses=ERROR_RESPONSES)


@router.get("/waiting-list", response_model=WaitingListOut,
            summary="R12: the waiting list in rank order, now or at any past moment, a page "
                    "at a time")
def read_waiting_list(request: Request, p: OfficerOrHandler, rt: CurrentRuntime,
                      at: At = None, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
                      ) -> WaitingListOut:
    """``rank`` is the place in the whole list; ``total`` how many are on it."""
    if at is not None:
        when = moment(at)
        listed = rt.read.as_of(when).waiting_list_page(p.municipality, offset, limit)
        note_list_view(request, listed.view)
        return WaitingListOut(municipality=p.municipality, today=local_date(when), at=when,
                              entries=listed.entries, total=listed.total, offset=offset,
                              limit=limit)
    listed = rt.fresh().waiting_list_page(p.municipality, offset, limit, today(rt))
    note_list_view(request, listed.view)
    return WaitingListOut(municipality=p.municipality, today=listed.view.today,
                          entries=listed.entries, total=listed.total, offset=offset,
                          limit=limit)


@router.get("/deadline-monitor", response_model=ReportOut,
            summary="R18/R19: breaches (paged), overdue, and deadlines within 14 and 30 days")
def read_deadline_monitor(request: Request, p: OfficerOrManager, rt: CurrentRuntime,
                          offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> ReportOut:
    """R4, R18, R19: the grants not carried out, the deadlines passed or within 30 days,
    the counts, and one page of every breach ever recorded (R19: a breach stays visible),
    newest first: ``breaches`` with ``total``, ``offset`` and ``limit`` beside it."""
    data = plain(rt.fresh().deadline_monitor(p.municipality, limit=limit, offset=offset))
    if not p.sees_identity:
        data = anonymize(data)
    else:
        note_cases(request, case_ids_in(data))
    return ReportOut(municipality=p.municipality, today=today(rt), data=data)


@router.post("/deadlines/check", response_model=DeadlineCheckOut,
             summary="R18/R26: record breaches past their deadline and offers past their "
                     "answer deadline")
def check_deadlines(request: Request, p: Officer, rt: CurrentRuntime) -> DeadlineCheckOut:
    """Idempotent: a breach is recorded once per guarantee period, a lapse once per offer,
    however often this runs."""
    lapsed = rt.service.lapse_offers(p.municipality)
    breached = rt.service.check_deadlines(p.municipality)
    note_cases(request, [*lapsed, *breached])
    return DeadlineCheckOut(breached_case_ids=breached, lapsed_case_ids=lapsed)
