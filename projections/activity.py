"""The activity report (aktivitetsrapport, R22): institution-days (oppholdsdøgn) per quarter in
ordinary, screened and reinforced places of the municipality's own stock, and in places
purchased from other providers (kjøp fra annen leverandør), from the admissions and stay
ends recorded on the cases.

**Institution-days.** The day of admission counts, the day the stay ends does not (the
nights spent: a stay from 1 to 3 March is 2 days). A stay still running counts up to and
including ``today``, the day the report is read (as if it ended the next day); days after
``today`` count nothing. A purchased place counts under "purchased" only, whatever its
type, so the four columns add up to the total.

The days are summed by the database over the stays' rows (``own_stay`` and
``purchased_stay`` in :mod:`projections.derived`), kept as the cases change.

The CSV is for Excel as Norwegian managers have it: ``;`` between fields, a UTF-8 byte-order
mark first, CRLF line ends, ISO dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from projections.derived import epoch_day
from projections.figures import day_sums, figure_tables
from projections.store import Store

PLACE_TYPES = ("ordinary", "screened", "reinforced")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class QuarterRow:
    year: int
    quarter: int  # 1–4
    first_day: date
    last_day: date
    ordinary_days: int
    screened_days: int
    reinforced_days: int
    purchased_days: int
    total_days: int


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first day of the quarter and the first day after it."""
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after


def activity_report(store: Store, municipality: str, year: int, today: date
                    ) -> list[QuarterRow]:
    """The four quarters of ``year``: the days of the stays (the ``own_stay`` and
    ``purchased_stay`` facts of :mod:`projections.derived`) that fall in each, summed by
    the database."""
    tomorrow = epoch_day(today + ONE_DAY)  # days after today have not happened
    bounds = [quarter_bounds(year, quarter) for quarter in (1, 2, 3, 4)]
    windows = [(i, epoch_day(first), min(epoch_day(after), tomorrow))
               for i, (first, after) in enumerate(bounds)]
    days = [dict.fromkeys((*PLACE_TYPES, "purchased"), 0) for _ in bounds]
    with figure_tables(store, municipality) as facts:
        for (i, kind, place_type), n in day_sums(facts, municipality,
                                                 ("own_stay", "purchased_stay"),
                                                 windows).items():
            column = "purchased" if kind == "purchased_stay" else place_type
            if column in days[i]:
                days[i][column] += n
    return [QuarterRow(year, quarter, first, after - ONE_DAY, d["ordinary"], d["screened"],
                       d["reinforced"], d["purchased"], sum(d.values()))
            for quarter, ((first, after), d) in enumerate(zip(bounds, days, strict=True),
                                                          start=1)]


ACTIVITY_HEADER = ("year", "quarter", "first_day", "last_day", "ordinary_days",
                   "screened_days", "reinforced_days", "purchased_days", "total_days")


def excel_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """``;``-separated, UTF-8 byte-order mark, CRLF: what Excel in Norway opens directly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


#: The headings in Norwegian (bokmål), column for column.
ACTIVITY_HEADER_NB = ("år", "kvartal", "første dag", "siste dag", "oppholdsdøgn ordinær",
                      "oppholdsdøgn skjermet", "oppholdsdøgn forsterket",
                      "oppholdsdøgn kjøpt", "oppholdsdøgn i alt")


def activity_csv(rows: Iterable[QuarterRow], lang: str = "en") -> str:
    """``lang="nb"``: Norwegian headings and dates (dd.mm.åååå); ``"en"``: ISO dates."""
    nb = lang == "nb"

    def day(d: date) -> str:
        return d.strftime("%d.%m.%Y") if nb else d.isoformat()

    return excel_csv(ACTIVITY_HEADER_NB if nb else ACTIVITY_HEADER, (
        (r.year, r.quarter, day(r.first_day), day(r.last_day), r.ordinary_days,
         r.screened_days, r.reinforced_days, r.purchased_days, r.total_days)
        for r in rows))
