"""The activity report (aktivitetsrapport, R22): institution-days (oppholdsdøgn) per quarter
and **service code** (:mod:`projections.service_codes`) as the trial's financing model
counts them: long-term stay in a nursing home or in 24-hour housing, by place type
(ordinary, screened, reinforced), each in own places and in places bought from other
providers (kjøp fra annen leverandør); and short-term stays that bridge the wait for a
long-term place (R2, R15) apart. From the admissions, stay ends and short-term stays
recorded on the cases.

**Institution-days.** The day of admission counts, the day the stay ends does not (the
nights spent: a stay from 1 to 3 March is 2 days). A stay still running counts up to and
including ``today``, the day the report is read (as if it ended the next day); days after
``today`` count nothing. The same holds for short-term stays.

Besides the codes, each quarter keeps the columns the report had before them: own places by
type (both kinds of facility), bought places (whatever their type) and their sum, the
long-term total; short-term days are not in it.

The days are summed by the database over the stays' rows (``own_stay``,
``purchased_stay`` and ``bridging`` in :mod:`projections.derived`), kept as the cases
change; the facility's kind comes from the place's or the offer's row the stay names.

The CSV is for Excel as Norwegian managers have it: ``;`` between fields, a UTF-8 byte-order
mark first, CRLF line ends, ISO dates; its headings are Norwegian, or (``lang="en"``) the
English ones machines read (those of the columns before the codes unchanged).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from projections.derived import epoch_day
from projections.figures import STAY_FACILITY, day_sums, figure_tables
from projections.service_codes import PLACE_TYPES, SERVICE_CODES, SHORT_TERM, code_of
from projections.store import Store

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
    total_days: int  # long-term stays: the four columns before
    short_term_days: int = 0
    #: service code → days, every code of :data:`SERVICE_CODES` (short-term stays included)
    service_days: dict[str, int] = field(default_factory=dict)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first day of the quarter and the first day after it."""
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after


def activity_report(store: Store, municipality: str, year: int, today: date
                    ) -> list[QuarterRow]:
    """The four quarters of ``year``: the days of the stays (the ``own_stay``,
    ``purchased_stay`` and ``bridging`` facts of :mod:`projections.derived`, each with its
    place's or offer's kind of facility) that fall in each, summed by the database."""
    tomorrow = epoch_day(today + ONE_DAY)  # days after today have not happened
    bounds = [quarter_bounds(year, quarter) for quarter in (1, 2, 3, 4)]
    windows = [(i, epoch_day(first), min(epoch_day(after), tomorrow))
               for i, (first, after) in enumerate(bounds)]
    codes = [dict.fromkeys((c.code for c in SERVICE_CODES), 0) for _ in bounds]
    with figure_tables(store, municipality) as facts:
        sums = day_sums(facts, municipality, ("own_stay", "purchased_stay", "bridging"),
                        windows, groups=("f.place_type", "p.facility_kind"),
                        join=STAY_FACILITY)
        for (i, kind, place_type, facility_kind), n in sums.items():
            if kind == "bridging":
                codes[i][SHORT_TERM.code] += n
            elif place_type in PLACE_TYPES:
                codes[i][code_of(facility_kind, place_type,
                                 kind == "purchased_stay")] += n
    return [quarter_row(year, quarter, first, after - ONE_DAY, d)
            for quarter, ((first, after), d) in enumerate(zip(bounds, codes, strict=True),
                                                          start=1)]


def quarter_row(year: int, quarter: int, first: date, last: date, days: dict[str, int]
                ) -> QuarterRow:
    """A quarter's row from its days per service code (the other columns are their sums)."""
    own = dict.fromkeys(PLACE_TYPES, 0)
    purchased = 0
    for code in SERVICE_CODES:
        if code.place_type is None:
            continue
        if code.purchased:
            purchased += days[code.code]
        else:
            own[code.place_type] += days[code.code]
    return QuarterRow(year, quarter, first, last, own["ordinary"], own["screened"],
                      own["reinforced"], purchased, sum(own.values()) + purchased,
                      days[SHORT_TERM.code], dict(days))


ACTIVITY_HEADER = ("year", "quarter", "first_day", "last_day", "ordinary_days",
                   "screened_days", "reinforced_days", "purchased_days", "total_days",
                   "short_term_days", *(f"{c.code}_days" for c in SERVICE_CODES))
ACTIVITY_HEADER_NO = ("År", "Kvartal", "Fra og med", "Til og med", "Ordinære egne plasser",
                      "Skjermede egne plasser", "Forsterkede egne plasser", "Kjøpte plasser",
                      "Sum langtidsopphold", "Korttidsopphold",
                      *(f"{c.code} {c.name}" for c in SERVICE_CODES))


def excel_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """``;``-separated, UTF-8 byte-order mark, CRLF: what Excel in Norway opens directly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def activity_csv(rows: Iterable[QuarterRow], lang: str = "nb") -> str:
    """The report as CSV, one line a quarter: Norwegian headings, or English (``en``)."""
    return excel_csv(ACTIVITY_HEADER if lang == "en" else ACTIVITY_HEADER_NO, (
        (r.year, r.quarter, r.first_day.isoformat(), r.last_day.isoformat(), r.ordinary_days,
         r.screened_days, r.reinforced_days, r.purchased_days, r.total_days,
         r.short_term_days, *(r.service_days.get(c.code, 0) for c in SERVICE_CODES))
        for r in rows))
