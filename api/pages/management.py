"""Management (ledelse): the deadline dashboard (R4, R18, R19), statistics over time with
charts and CSV (R13), and the activity report (R22). No names and no identity numbers.

The allocation unit reads the same deadline dashboard at ``/frister``, with names."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages.charts import Series, bar_chart, line_chart
from api.pages.paging import page_params, pager
from api.pages.web import Page, PageRoute, page_for
from projections.service_codes import SERVICE_CODES

router = APIRouter(route_class=PageRoute)
ManagerPage = Annotated[Page, Depends(page_for(Role.MANAGER))]
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]

MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
TYPE_WORDS = {"ordinary": "Ordinær", "screened": "Skjermet", "reinforced": "Forsterket",
              "all": "Alle"}


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year % 100:02d}"


def _month(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        year, month = raw.split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def period(page: Page) -> tuple[date, date, list[str]]:
    """The months asked for (``fra``, ``til`` as YYYY-MM); by default the last 24."""
    params = page.request.query_params
    errors = []
    last = _month(params.get("til"))
    if params.get("til") and last is None:
        errors.append("«Til» må være en måned, for eksempel 2026-02.")
    first = _month(params.get("fra"))
    if params.get("fra") and first is None:
        errors.append("«Fra» må være en måned, for eksempel 2024-03.")
    last = last or page.today.replace(day=1)
    first = first or last - relativedelta(months=23)
    if first > last:  # a period given backwards is meant forwards
        first, last = last, first
    if (last.year - first.year) * 12 + last.month - first.month > 120:
        errors.append("Velg høyst ti år om gangen.")
        first = last - relativedelta(months=119)
    return first, last, errors


def _deadlines(page: Page, *, names: bool) -> HTMLResponse:
    """The deadline monitor (R4, R18, R19), with the breaches recorded a page at a time,
    newest first (``?fra=``, ``?antall=``). Management sees no names; the allocation unit
    sees them, linked to the cases (and the access log says so)."""
    offset, limit = page_params(page.request)
    monitor = page.read.deadline_monitor(page.municipality, limit=limit, offset=offset)
    _, _, policy = page.service.policy_on(page.municipality, page.today)
    if names:
        page.audit("read_waiting_list",
                   {r.case_id for rows in (monitor.breaches, monitor.overdue, monitor.due_30,
                                           monitor.grants_overdue) for r in rows},
                   detail="the deadline monitor")
    return page.render("deadlines.html", title="Frister", monitor=monitor, names=names,
                       policy=policy,
                       pager=pager(page.request, monitor.total, offset, limit, anchor="#brudd"))


@router.get("/ledelse/frister", name="page_deadlines")
def deadlines(page: ManagerPage) -> HTMLResponse:
    return _deadlines(page, names=False)


@router.get("/frister", name="page_deadlines_officer")
def deadlines_for_the_unit(page: OfficerPage) -> HTMLResponse:
    return _deadlines(page, names=True)


@router.get("/ledelse/statistikk", name="page_statistics")
def statistics(page: ManagerPage) -> HTMLResponse:
    first, last, errors = period(page)
    rows = page.read.statistics(page.municipality, first, last)
    months = sorted({r.month for r in rows})
    labels = [month_label(m) for m in months]
    table = {(r.month, r.place_type): r for r in rows}
    types = ("ordinary", "screened", "reinforced")

    def values(kind: str, attr: str) -> list[float | None]:
        out: list[float | None] = []
        for m in months:
            row = table.get((m, kind))
            out.append(None if row is None else getattr(row, attr))
        return out

    charts = {
        "waiting": line_chart(
            "Venteliste ved månedsslutt", "Antall personer på ventelisten ved utgangen av hver "
            "måned, per plasstype og totalt.", labels,
            [Series(TYPE_WORDS[t], values(t, "waiting_at_month_end"))
             for t in (*types, "all")], unit="personer", whole=True),
        "waits": line_chart(
            "Ventetid til første tilbud (dager)", "Median og 90-persentil av dager fra vedtak "
            "til første tilbud, for tilbud gitt i måneden.", labels,
            [Series("Median", values("all", "wait_median_days")),
             Series("90-persentil", values("all", "wait_p90_days"))], unit="dager",
            whole=True),
        "breaches": bar_chart(
            "Fristbrudd og kjøp per måned", "Antall fristbrudd registrert og plasser kjøpt fra "
            "andre leverandører i hver måned.", labels,
            [Series("Fristbrudd", values("all", "breaches")),
             Series("Kjøp", values("all", "purchases"))], unit="antall"),
        "occupancy": line_chart(
            "Belegg per plasstype", "Andel av kommunens tilgjengelige plassdøgn som var "
            "belagt, per plasstype.", labels,
            [Series(TYPE_WORDS[t], values(t, "occupancy")) for t in types], percent=True,
            unit="prosent"),
    }
    return page.render("statistics.html", status=422 if errors else 200,
                       title="Statistikk", charts=charts, errors=errors,
                       first=first.strftime("%Y-%m"), last=last.strftime("%Y-%m"),
                       rows=[table[(m, "all")] for m in months if (m, "all") in table],
                       by_type=[(m, [table.get((m, t)) for t in types]) for m in months],
                       month_label=month_label, type_words=TYPE_WORDS)


def _lang(page: Page) -> str:
    """The CSV's language: Norwegian headings and values, or ``?lang=en`` for machines."""
    return "en" if page.request.query_params.get("lang") == "en" else "nb"


def _csv(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/ledelse/statistikk.csv", name="page_statistics_csv")
def statistics_csv(page: ManagerPage) -> Response:
    first, last, _ = period(page)
    rows = page.read.statistics(page.municipality, first, last)
    return _csv(page.read.statistics_csv(rows, _lang(page)),
                f"statistikk-{page.municipality}-{first:%Y-%m}-{last:%Y-%m}.csv")


def _year(page: Page) -> int:
    raw = page.request.query_params.get("ar", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else page.today.year


@router.get("/ledelse/aktivitet", name="page_activity")
def activity(page: ManagerPage) -> HTMLResponse:
    year = _year(page)
    rows = page.read.activity_report(page.municipality, year)
    savings = page.read.move_savings(page.municipality, year)  # R28
    today = page.today
    # a quarter not yet over counts its days so far; one not begun has none
    partial = {r.quarter: ("ikke begynt" if r.first_day > today else
                           f"pågår: til og med {today:%d.%m.%Y}")
               for r in rows if r.last_day >= today}
    return page.render("activity.html", title="Aktivitetsrapport", rows=rows, year=year,
                       savings=savings, partial=partial,
                       years=list(range(page.today.year, page.today.year - 6, -1)),
                       codes=SERVICE_CODES,
                       year_days={c.code: sum(r.service_days[c.code] for r in rows)
                                  for c in SERVICE_CODES})


@router.get("/ledelse/aktivitet.csv", name="page_activity_csv")
def activity_csv(page: ManagerPage) -> Response:
    year = _year(page)
    rows = page.read.activity_report(page.municipality, year)
    return _csv(page.read.activity_csv(rows, _lang(page)),
                f"aktivitet-{page.municipality}-{year}.csv")
