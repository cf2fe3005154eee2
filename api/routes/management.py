"""Management (ledelse): statistics for sizing services (R13) and the quarterly activity
report (R22, per service code: :mod:`projections.service_codes`), as JSON or as CSV for
Excel. Counts, days and money only: no names, no case ids, so these are not in the access
log."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentRuntime, Manager
from api.errors import ERROR_RESPONSES
from api.routes.common import anonymize, plain, today
from api.routing import ApiRoute
from api.schemas import ReportOut
from domain.errors import InvalidValue

router = APIRouter(tags=["Ledelse (management)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)

Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$",
                                    description="YYYY-MM; default: the last 12 months")]
Format = Annotated[Literal["json", "csv"], Query(
    description="csv: semicolon-separated UTF-8 with BOM, for Excel")]

Lang = Annotated[Literal["nb", "en"], Query(
    description="the CSV's headings and values: nb (Norwegian, for people; the default) or "
                "en (the English codes, for machines)")]

_CSV = {200: {"content": {"text/csv": {}}, "description": "the report (JSON or CSV)"}}


def _month(value: str, field: str) -> date:
    if not re.match(r"^\d{4}-\d{2}$", value):
        raise InvalidValue(field, "a month is written YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidValue(field, "a month between 2000-01 and 2100-12")
    return date(year, month, 1)


def _csv(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/statistics", response_model=ReportOut, responses=_CSV,
            summary="R13: per month and place type: list length, waits, breaches, "
            "purchases and their cost, occupancy")
def read_statistics(p: Manager, rt: CurrentRuntime, first_month: Month = None,
                    last_month: Month = None, format: Format = "json",
                    lang: Lang = "nb") -> ReportOut | Response:
    day = today(rt)
    last = _month(last_month, "last_month") if last_month else day.replace(day=1)
    if first_month:
        first = _month(first_month, "first_month")
    else:
        first = date(last.year - 1, last.month, 1) if last.month == 12 else \
            date(last.year - 1, last.month + 1, 1)
    if first > last:
        raise InvalidValue("first_month", "comes after last_month")
    if (last.year - first.year) * 12 + last.month - first.month >= 120:
        raise InvalidValue("first_month", "at most 120 months at a time")
    read = rt.fresh()
    rows = read.statistics(p.municipality, first, last)
    if format == "csv":
        return _csv(read.statistics_csv(rows, lang), f"statistikk-{p.municipality}-"
                    f"{first:%Y-%m}-{last:%Y-%m}.csv")
    return ReportOut(municipality=p.municipality, today=day, data=anonymize(plain(rows)))


@router.get("/activity-report", response_model=ReportOut, responses=_CSV,
            summary="R22: institution-days per quarter and service code (long-term stay "
            "by kind of facility, place type, own or bought place; short-term stays)")
def read_activity_report(p: Manager, rt: CurrentRuntime,
                         year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                         format: Format = "json", lang: Lang = "nb") -> ReportOut | Response:
    day = today(rt)
    chosen = year or day.year
    read = rt.fresh()
    rows = read.activity_report(p.municipality, chosen)
    if format == "csv":
        return _csv(read.activity_csv(rows, lang), f"aktivitet-{p.municipality}-{chosen}.csv")
    return ReportOut(municipality=p.municipality, today=day, data=anonymize(plain(rows)))
