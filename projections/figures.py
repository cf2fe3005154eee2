"""Sums and counts over the derived tables (:mod:`projections.derived`), by window of days
and place type: what the statistics (R13), the activity report (R22) and the deadline
monitor (R18, R19) are made of.

A *window* is ``(i, lo, hi)``: its number and the days ``[lo, hi)`` as epoch days. The
windows go to the database as a ``VALUES`` list joined with the facts, so one query
answers every month of a report:

- :func:`point_counts`: the points (decisions, offers, ...) that fall in each window;
- :func:`point_values`: their amounts (the days waited, for the median);
- :func:`day_sums`: amount × the days each interval shares with each window (stays,
  places in service, time on the list).

The live read models have the derived tables, kept by the store; a store without them — as
of a past moment (:class:`~projections.store.SqlStore` with ``as_of``), or folded into
memory (:class:`~projections.store.MemoryStore`) — gets them built from its documents in a
SQLite database in memory for the query (:func:`figure_tables`), so both answer by the same
SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from projections.derived import DERIVED_FROM, FACT_TABLE
from projections.store import SqlStore, Store

Window = tuple[int, int, int]


@contextmanager
def figure_tables(store: Store, municipality: str) -> Iterator[SqlStore]:
    """A SQL store with the derived tables of ``store`` (for ``municipality``): the store
    itself when it reads the live tables, else a database in memory built from its
    documents (as of a moment, or the reference replay: the documents are decoded)."""
    if isinstance(store, SqlStore) and store.as_of is None:
        store.flush()
        yield store
        return
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    try:
        memory = SqlStore(conn.cursor(), "sqlite")
        memory.create_tables()
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for table, derive in DERIVED_FROM.items():
            for doc in store.all(table, municipality):
                for name, table_rows in derive(doc).items():
                    rows.setdefault(name, []).extend(table_rows)
        for name, table_rows in rows.items():
            memory.insert_derived(name, table_rows)
        yield memory
    finally:
        conn.close()


def _in(values: Iterable[str]) -> tuple[str, list[str]]:
    listed = list(values)
    return f"({', '.join(['%s'] * len(listed))})", listed


def _windows(windows: list[Window]) -> tuple[str, list[int]]:
    """The ``w(i, lo, hi)`` common table expression."""
    row = "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT))"
    return (f"w(i, lo, hi) AS (VALUES {', '.join([row] * len(windows))})",
            [v for w in windows for v in w])


def point_counts(store: SqlStore, municipality: str, kinds: Iterable[str],
                 windows: list[Window]) -> dict[tuple[int, str, str | None], int]:
    """(window, kind, place type) → how many points of ``kinds`` fall in the window."""
    if not windows:
        return {}
    cte, params = _windows(windows)
    kinds_in, kind_params = _in(kinds)
    store.execute(
        f"WITH {cte} SELECT w.i AS i, f.kind AS kind, f.place_type AS place_type, "
        f"COUNT(*) AS n FROM w JOIN {store.name(FACT_TABLE)} f ON f.municipality = %s "
        f"AND f.kind IN {kinds_in} AND f.first_day >= w.lo AND f.first_day < w.hi "
        "GROUP BY w.i, f.kind, f.place_type",
        [*params, municipality, *kind_params])
    return {(r["i"], r["kind"], r["place_type"]): int(r["n"])
            for r in store.cursor.fetchall()}


def point_values(store: SqlStore, municipality: str, kind: str, windows: list[Window]
                 ) -> list[tuple[int, str | None, int]]:
    """(window, place type, amount) of every point of ``kind`` in the windows."""
    if not windows:
        return []
    cte, params = _windows(windows)
    store.execute(
        f"WITH {cte} SELECT w.i AS i, f.place_type AS place_type, f.amount AS amount "
        f"FROM w JOIN {store.name(FACT_TABLE)} f ON f.municipality = %s AND f.kind = %s "
        "AND f.first_day >= w.lo AND f.first_day < w.hi",
        [*params, municipality, kind])
    return [(r["i"], r["place_type"], int(r["amount"])) for r in store.cursor.fetchall()]


def day_sums(store: SqlStore, municipality: str, kinds: Iterable[str],
             windows: list[Window], groups: tuple[str, ...] = ("f.place_type",),
             join: str = "") -> dict[tuple[Any, ...], int]:
    """(window, kind, *groups) → the sum of amount × the days the intervals of ``kinds``
    share with the window (windows without a day are left out). ``join`` may join another
    row of the facts as ``p`` (e.g. a stay's place, for its type), and ``groups`` name what
    to sum by besides the window and the kind.

    Not every interval is set against every window (a stay of years against every month):
    the days of a window are those of the intervals running at its first day, plus those
    starting in it, minus those ending in it. So the database reads the intervals running
    at the first window's start once, and those starting or ending within the windows once
    each, summed between consecutive window edges (:func:`_edge_sums`)."""
    windows = [w for w in windows if w[2] > w[1]]
    if not windows:
        return {}
    kinds = list(kinds)
    edges = sorted({day for _, lo, hi in windows for day in (lo, hi)})
    kinds_in, kind_params = _in(kinds)
    selected = ", ".join(f"{g} AS g{n}" for n, g in enumerate(groups))
    by = ", ".join(groups)
    joined = join.replace("{facts}", store.name(FACT_TABLE))
    # running at the first edge: started on or before it, ending after it
    store.execute(
        f"SELECT f.kind AS kind, {selected}, SUM(f.amount) AS a "
        f"FROM {store.name(FACT_TABLE)} f {joined} "
        f"WHERE f.municipality = %s AND f.kind IN {kinds_in} AND f.end_day > %s "
        f"AND f.first_day <= %s GROUP BY f.kind, {by}",
        [municipality, *kind_params, edges[0], edges[0]])
    running: dict[tuple[Any, ...], int] = {}
    for r in store.cursor.fetchall():
        running[(r["kind"], *(r[f"g{n}"] for n in range(len(groups))))] = int(r["a"])
    starts = _edge_sums(store, municipality, kinds_in, kind_params, edges, "first_day",
                        selected, by, joined, len(groups))
    ends = _edge_sums(store, municipality, kinds_in, kind_params, edges, "end_day",
                      selected, by, joined, len(groups))
    at = {day: i for i, day in enumerate(edges)}
    out: dict[tuple[Any, ...], int] = {}
    for key in {*running, *starts, *ends}:
        # the running amount at each edge, and the sums of amount × day between edges
        started, ended = starts.get(key, {}), ends.get(key, {})
        level = [running.get(key, 0)]
        for j in range(1, len(edges)):
            level.append(level[-1] + started.get(j, (0, 0))[0] - ended.get(j, (0, 0))[0])
        for i, lo, hi in windows:
            days = level[at[lo]] * (hi - lo)
            for j in range(at[lo] + 1, at[hi] + 1):  # the segments (edge j-1, edge j]
                a, a_day = started.get(j, (0, 0))
                days += a * hi - a_day  # each starting on ``day`` runs hi - day days
                a, a_day = ended.get(j, (0, 0))
                days -= a * hi - a_day  # each ending on ``day`` misses hi - day days
            if days:
                out[(i, *key)] = days
    return out


def _edge_sums(store: SqlStore, municipality: str, kinds_in: str, kind_params: list[str],
               edges: list[int], column: str, selected: str, by: str, joined: str,
               n_groups: int) -> dict[tuple[Any, ...], dict[int, tuple[int, int]]]:
    """(kind, *groups) → segment j → (sum of amount, sum of amount × ``column``) of the
    intervals whose ``column`` (first_day or end_day) falls in (edge j-1, edge j]."""
    segments = [(j, edges[j - 1], edges[j]) for j in range(1, len(edges))]
    if not segments:
        return {}
    cte, params = _windows(segments)
    store.execute(
        f"WITH {cte} SELECT w.i AS j, f.kind AS kind, {selected}, SUM(f.amount) AS a, "
        f"SUM(f.amount * f.{column}) AS a_day FROM w JOIN {store.name(FACT_TABLE)} f "
        f"ON f.municipality = %s AND f.kind IN {kinds_in} AND f.{column} > w.lo "
        f"AND f.{column} <= w.hi {joined} GROUP BY w.i, f.kind, {by}",
        [*params, municipality, *kind_params])
    out: dict[tuple[Any, ...], dict[int, tuple[int, int]]] = {}
    for r in store.cursor.fetchall():
        key = (r["kind"], *(r[f"g{n}"] for n in range(n_groups)))
        out.setdefault(key, {})[r["j"]] = (int(r["a"]), int(r["a_day"]))
    return out


#: Joins a purchased stay (``f``) to its other provider's offer (``p``: the price), by the
#: offer's one row.
OFFER_OF_STAY = ("JOIN {facts} p ON p.key = f.ref AND p.seq = 0 "
                 "AND p.kind = 'provider_offer' AND p.municipality = f.municipality")
