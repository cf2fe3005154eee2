"""Sums and counts over the derived tables (:mod:`projections.derived`), by window of days
and place type: what the statistics (R13), the activity report (R22) and the deadline
monitor (R18, R19) are made of.

A *window* is ``(i, lo, hi)``: its number and the days ``[lo, hi)`` as epoch days. One
query answers every window of a report (every month): it reads the facts of the days the
windows span by index, and sorts each into its window as it reads it (a ``CASE``), so the
plan does not depend on the database's statistics of the tables:

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


def _window_of(column: str, windows: list[Window]) -> tuple[str, int, int]:
    """A SQL expression giving the window ``column`` (a day) falls in (NULL: none), and the
    days the windows span: one range read of the index, each row sorted into its window
    as it is read (no join, whose plan would hang on the database's statistics)."""
    cases = " ".join(f"WHEN {column} >= {int(lo)} AND {column} < {int(hi)} THEN {int(i)}"
                     for i, lo, hi in windows)
    return (f"CASE {cases} END", min(int(w[1]) for w in windows),
            max(int(w[2]) for w in windows))


def point_counts(store: SqlStore, municipality: str, kinds: Iterable[str],
                 windows: list[Window]) -> dict[tuple[int, str, str | None], int]:
    """(window, kind, place type) → how many points of ``kinds`` fall in the window."""
    if not windows:
        return {}
    window, lo, hi = _window_of("f.first_day", windows)
    kinds_in, kind_params = _in(kinds)
    store.execute(
        "SELECT i, kind, place_type, COUNT(*) AS n FROM ("
        f"SELECT {window} AS i, f.kind AS kind, f.place_type AS place_type "
        f"FROM {store.name(FACT_TABLE)} f WHERE f.municipality = %s AND f.kind IN {kinds_in} "
        "AND f.first_day >= %s AND f.first_day < %s) x GROUP BY i, kind, place_type",
        [municipality, *kind_params, lo, hi])
    return {(r["i"], r["kind"], r["place_type"]): int(r["n"])
            for r in store.cursor.fetchall() if r["i"] is not None}


def point_values(store: SqlStore, municipality: str, kind: str, windows: list[Window]
                 ) -> list[tuple[int, str | None, int]]:
    """(window, place type, amount) of every point of ``kind`` in the windows."""
    if not windows:
        return []
    window, lo, hi = _window_of("f.first_day", windows)
    store.execute(
        f"SELECT {window} AS i, f.place_type AS place_type, f.amount AS amount "
        f"FROM {store.name(FACT_TABLE)} f WHERE f.municipality = %s AND f.kind = %s "
        "AND f.first_day >= %s AND f.first_day < %s",
        [municipality, kind, lo, hi])
    return [(r["i"], r["place_type"], int(r["amount"])) for r in store.cursor.fetchall()
            if r["i"] is not None]


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
                        selected, joined, len(groups))
    ends = _edge_sums(store, municipality, kinds_in, kind_params, edges, "end_day",
                      selected, joined, len(groups))
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
               edges: list[int], column: str, selected: str, joined: str, n_groups: int
               ) -> dict[tuple[Any, ...], dict[int, tuple[int, int]]]:
    """(kind, *groups) → segment j → (sum of amount, sum of amount × ``column``) of the
    intervals whose ``column`` (first_day or end_day) falls in (edge j-1, edge j]."""
    if len(edges) < 2:
        return {}
    # (edge j-1, edge j] is [edge j-1 + 1, edge j + 1) in whole days
    window, lo, hi = _window_of(f"f.{column}", [(j, edges[j - 1] + 1, edges[j] + 1)
                                                for j in range(1, len(edges))])
    inner = ", ".join(f"g{n}" for n in range(n_groups))
    store.execute(
        f"SELECT j, kind, {inner}, SUM(amount) AS a, SUM(amount * day) AS a_day FROM ("
        f"SELECT {window} AS j, f.kind AS kind, {selected}, f.amount AS amount, "
        f"f.{column} AS day FROM {store.name(FACT_TABLE)} f {joined} "
        f"WHERE f.municipality = %s AND f.kind IN {kinds_in} AND f.{column} >= %s "
        f"AND f.{column} < %s) x GROUP BY j, kind, {inner}",
        [municipality, *kind_params, lo, hi])
    out: dict[tuple[Any, ...], dict[int, tuple[int, int]]] = {}
    for r in store.cursor.fetchall():
        key = (r["kind"], *(r[f"g{n}"] for n in range(n_groups)))
        out.setdefault(key, {})[r["j"]] = (int(r["a"]), int(r["a_day"]))
    return out


#: Joins a purchased stay (``f``) to its other provider's offer (``p``: the price), by the
#: offer's one row.
OFFER_OF_STAY = ("JOIN {facts} p ON p.key = f.ref AND p.seq = 0 "
                 "AND p.kind = 'provider_offer' AND p.municipality = f.municipality")

#: Joins a stay (``f``: own or purchased; a short-term stay names nothing) to the first row
#: of the place or other provider's offer it names (``p``: its kind of facility, R1, R22).
STAY_FACILITY = ("LEFT JOIN {facts} p ON p.key = f.ref AND p.seq = 0 "
                 "AND p.municipality = f.municipality")
