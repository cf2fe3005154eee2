"""The access log of a case (tilgangslogg, pasientjournalloven § 18): who has read or
changed the person's data — the case itself, or a list that showed it (an entry with a
``view``: which list and page, as it stood at its ``moment``) — and every refused attempt,
newest first, a page at a time. For the allocation unit and complaint handlers of the
case's municipality.

Reading the log is not itself logged: it shows who accessed the case, not the case.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from api.deps import CurrentRuntime, OfficerOrHandler
from api.errors import ERROR_RESPONSES
from api.routes.common import plain, today
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset
from api.routing import ApiRoute
from api.schemas import PagedReportOut

router = APIRouter(tags=["Tilgangslogg (access log)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)


@router.get("/cases/{case_id}/access-log", response_model=PagedReportOut,
            summary="Who has accessed this case (pasientjournalloven § 18), newest first")
def read_access_log(case_id: Annotated[UUID, Path(description="the case")],
                    p: OfficerOrHandler, rt: CurrentRuntime, offset: Offset = 0,
                    limit: Limit = DEFAULT_LIMIT) -> PagedReportOut:
    rt.service.get_case(p.municipality, case_id)  # 404 unless the caller's municipality's
    entries, total = rt.fresh().access_log_page(p.municipality, case_id, offset, limit)
    return PagedReportOut(municipality=p.municipality, today=today(rt),
                          data=plain(entries), total=total, offset=offset, limit=limit)
