"""Management statistics (styringsdata, R13, § 3-1 second paragraph): what the waiting list
tells the municipality about sizing its services, per calendar month and per place type
(ordinary, screened, reinforced), plus a row "all" per month over every place type.

No names and no identity numbers: the rows are counts, days and money.

Definitions (each month is the calendar month in Norwegian local dates):

- **Place type.** The person's need, that is the place type of their decision (vedtak),
  counts the waiting list, the new decisions, the waits and the breaches; the place used,
  that is the offered or occupied place's type, counts the offers, the admissions, the
  purchases, their cost and the occupancy.
- **Waiting at month end** (venteliste ved månedsslutt): persons with a waiting-list (R5)
  or grant (R4) decision not yet placed at the end of the month's last day. A person leaves
  the list on the day of admission, closure or rejection. For a month not yet over this is
  the list as it stands.
- **New decisions**: grant and waiting-list decisions made in the month (rejections put no
  one on the list and have no place type).
- **Offers made**: offers of own or purchased places made in the month.
- **Admissions** (innflyttinger): stays begun in the month, own and purchased.
- **Wait** (ventetid): days from the decision that put the person on the list to the first
  offer made to them afterwards, for first offers made in the month. A later offer (after a
  decline) is not a new wait. Median and 90th percentile by linear interpolation between
  the closest ranks (Excel's MEDIAN and PERCENTILE.INC), rounded to 0.1 day; None without
  offers.
- **Breaches** (fristbrudd, R18): breaches recorded in the month.
- **Bridging stay days** (korttidsopphold i påvente av langtidsplass, R2, R15): days in the
  month that persons with a decision spent in a short-term stay bridging the wait, by the
  place type of their decision, counted like institution-days (a running stay up to and
  including ``today``). They are not long-term stays and meet no guarantee.
- **Purchases** (kjøp): other providers' places bought in the month (the person accepted
  the offer of the place).
- **Purchase cost**: price per day × purchased place-days in the month, that is the days
  of purchased stays that fall in the month, counted like institution-days in the activity
  report (admission day counts, end day does not, a running stay up to and including
  ``today``). A place bought but not yet moved into costs nothing here.
- **Occupancy** (belegg): occupied place-days / available place-days of the municipality's
  own places. A place is available on the days from its first day in service, while it
  is not closed (closed from the closing day, open again from the reopening day), one
  place-day per bed (a double room gives two). Occupied place-days count each resident's
  days like institution-days. Days after ``today`` count nothing; None when no place-days
  are available.

**How.** Each case, place and other provider's offer keeps the facts these count in plain
rows of its own (:mod:`projections.derived`: points such as a decision or an offer, and
intervals of days such as a stay, a place in service or time on the list, with their place
type), replaced whenever its document changes. A report is a handful of queries, each a
``SUM``/``COUNT`` with ``GROUP BY`` over those rows for every month at once
(:mod:`projections.figures`); only the waits' median and 90th percentile are taken in
Python, from the first offers of the months asked for.

The CSV follows :func:`projections.activity.excel_csv` (``;``, UTF-8 BOM, CRLF), with
decimal commas as Norwegian Excel reads numbers; occupancy is given in percent there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from projections.activity import ONE_DAY, PLACE_TYPES, excel_csv
from projections.derived import epoch_day
from projections.figures import (
    OFFER_OF_STAY,
    day_sums,
    figure_tables,
    point_counts,
    point_values,
)
from projections.store import Store

ALL = "all"


@dataclass(frozen=True)
class MonthRow:
    month: date  # the first day of the month
    place_type: str  # "ordinary", "screened", "reinforced" or "all"
    waiting_at_month_end: int
    new_decisions: int
    offers_made: int
    admissions: int
    first_offers: int  # the waits measured
    wait_median_days: float | None
    wait_p90_days: float | None
    breaches: int
    purchases: int
    purchased_place_days: int
    purchase_cost: Decimal  # NOK
    occupied_place_days: int
    available_place_days: int
    occupancy: float | None  # occupied / available, 0–1
    bridging_stay_days: int = 0  # R2, R15: short-term stays bridging the wait


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th quantile (0–1) by linear interpolation between the closest ranks, as Excel's
    PERCENTILE.INC; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return round(xs[lo] + (pos - lo) * (xs[hi] - xs[lo]), 1)


def month_starts(first_month: date, last_month: date) -> list[date]:
    month, last = first_month.replace(day=1), last_month.replace(day=1)
    if last < month:
        raise ValueError("last_month is before first_month")
    out = []
    while month <= last:
        out.append(month)
        month += relativedelta(months=1)
    return out


class _Month:
    """The figures of one month, per place type, gathered before they become rows."""

    def __init__(self) -> None:
        self.counts = {t: dict.fromkeys(
            ("waiting", "decisions", "offers", "admissions", "breaches", "purchases",
             "purchased_days", "occupied", "available", "bridging"), 0) for t in PLACE_TYPES}
        self.waits: dict[str, list[int]] = {t: [] for t in PLACE_TYPES}
        self.cost = {t: Decimal("0.00") for t in PLACE_TYPES}

    def add(self, place_type: str | None, what: str, n: int = 1) -> None:
        if place_type in self.counts:
            self.counts[place_type][what] += n

    def rows(self, month: date) -> list[MonthRow]:
        out = []
        for t in (*PLACE_TYPES, ALL):
            types = PLACE_TYPES if t == ALL else (t,)
            c = {k: sum(self.counts[x][k] for x in types) for k in self.counts[PLACE_TYPES[0]]}
            waits = [w for x in types for w in self.waits[x]]
            cost = sum((self.cost[x] for x in types), Decimal("0.00"))
            out.append(MonthRow(
                month=month, place_type=t, waiting_at_month_end=c["waiting"],
                new_decisions=c["decisions"], offers_made=c["offers"],
                admissions=c["admissions"], first_offers=len(waits),
                wait_median_days=percentile(waits, 0.5), wait_p90_days=percentile(waits, 0.9),
                breaches=c["breaches"], purchases=c["purchases"],
                purchased_place_days=c["purchased_days"], purchase_cost=cost,
                occupied_place_days=c["occupied"], available_place_days=c["available"],
                occupancy=c["occupied"] / c["available"] if c["available"] else None,
                bridging_stay_days=c["bridging"],
            ))
        return out


#: The points counted per month, and the figure each is.
_POINTS = {"decision": "decisions", "offer": "offers", "admission": "admissions",
           "breach": "breaches", "provider_offer": "purchases"}
#: The intervals' days counted per month, and the figure each is.
_DAYS = {"bridging": "bridging", "in_service": "available", "closed": "available",
         "own_stay": "occupied"}


def statistics(store: Store, municipality: str, first_month: date, last_month: date,
               today: date) -> list[MonthRow]:
    """The figures per month from ``first_month`` to ``last_month`` (inclusive), each
    month by place type and "all": sums over the facts each case, place and other
    provider's offer contributes (:mod:`projections.derived`), a few queries for all the
    months together."""
    months = month_starts(first_month, last_month)
    afters = [month + relativedelta(months=1) for month in months]
    tomorrow = epoch_day(today + ONE_DAY)  # days after today have not happened
    whole = [(i, epoch_day(m), epoch_day(a)) for i, (m, a) in enumerate(zip(months, afters,
                                                                            strict=True))]
    so_far = [(i, lo, min(hi, tomorrow)) for i, lo, hi in whole]
    last_days = [(i, hi - 1, hi) for i, _, hi in whole]  # at the end of the month's last day
    figures = [_Month() for _ in months]
    with figure_tables(store, municipality) as facts:
        for (i, kind, place_type), n in point_counts(facts, municipality, _POINTS,
                                                     whole).items():
            figures[i].add(place_type, _POINTS[kind], n)
        for i, place_type, waited in point_values(facts, municipality, "first_offer", whole):
            if place_type in figures[i].waits:
                figures[i].waits[place_type].append(waited)
        for (i, _, place_type), n in day_sums(facts, municipality, ("waiting",),
                                              last_days).items():
            figures[i].add(place_type, "waiting", n)
        # occupancy: the place-days of own places in service, not closed, and those of the
        # stays in them (a stay's place type is its place's: the offer takes the place's)
        for (i, kind, place_type), n in day_sums(
                facts, municipality, ("bridging", "in_service", "closed", "own_stay"),
                so_far).items():
            figures[i].add(place_type, _DAYS[kind], n)
        # purchases' cost: days of purchased stays × the offer's price per day
        for (i, _, place_type, price), n in day_sums(
                facts, municipality, ("purchased_stay",), so_far, ("f.place_type", "p.price"),
                OFFER_OF_STAY).items():
            if place_type in figures[i].cost:
                figures[i].add(place_type, "purchased_days", n)
                figures[i].cost[place_type] += Decimal(price) * n
    return [row for month, m in zip(months, figures, strict=True) for row in m.rows(month)]


STATISTICS_HEADER = (
    "month", "place_type", "waiting_at_month_end", "new_decisions", "offers_made",
    "admissions", "first_offers", "wait_median_days", "wait_p90_days", "breaches",
    "purchases", "purchased_place_days", "purchase_cost_nok", "occupied_place_days",
    "available_place_days", "occupancy_percent", "bridging_stay_days",
)


def _num(value: float | Decimal | None, places: int) -> str:
    """A number with a decimal comma (Norwegian Excel); empty for None."""
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


#: The headings in Norwegian (bokmål), column for column, for the people who open the file.
STATISTICS_HEADER_NB = (
    "måned", "plasstype", "på venteliste ved månedsslutt", "nye vedtak", "tilbud gitt",
    "innflyttinger", "første tilbud", "ventetid median (dager)", "ventetid 90-persentil (dager)",
    "fristbrudd", "kjøp", "kjøpte plassdøgn", "kjøpskostnad (kr)", "belagte plassdøgn",
    "tilgjengelige plassdøgn", "belegg (prosent)", "korttidsopphold i påvente (døgn)",
)
#: A place type in the Norwegian file ("all" is every type together).
PLACE_TYPE_NB = {"ordinary": "ordinær", "screened": "skjermet", "reinforced": "forsterket",
                 "all": "alle"}


def statistics_csv(rows: Iterable[MonthRow], lang: str = "en") -> str:
    """The rows as a CSV for Excel: ``;``, UTF-8 BOM, decimal commas, month as YYYY-MM;
    ``lang="nb"``: Norwegian headings and place types (for people), ``"en"``: the codes
    (for machines)."""
    nb = lang == "nb"
    return excel_csv(STATISTICS_HEADER_NB if nb else STATISTICS_HEADER, (
        (r.month.strftime("%Y-%m"),
         PLACE_TYPE_NB.get(r.place_type, r.place_type) if nb else r.place_type,
         r.waiting_at_month_end, r.new_decisions,
         r.offers_made, r.admissions, r.first_offers, _num(r.wait_median_days, 1),
         _num(r.wait_p90_days, 1), r.breaches, r.purchases, r.purchased_place_days,
         _num(r.purchase_cost, 2), r.occupied_place_days, r.available_place_days,
         _num(None if r.occupancy is None else r.occupancy * 100, 1), r.bridging_stay_days)
        for r in rows))
