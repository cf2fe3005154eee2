"""The temporal rows of :mod:`projections.store`: one version per moment, none for a change
that changes nothing, the same rows however the changes are cut into batches, reads as of
any moment, and the partition store of a parallel replay planning the same rows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.codec import unpack
from projections.replay_store import CrossPartition, HeldVersions, PartitionStore
from projections.store import ALL_TABLES, OPEN, RowCache, SqlStore, micros

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
TABLE = "lto_rm_complaint"  # any document table without derived rows (projections.derived)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def database() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    SqlStore(conn.cursor(), "sqlite").create_tables()
    return conn


def rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return SqlStore(conn.cursor(), "sqlite").rows(TABLE)


def change(store: Any, key: str, minute: int, state: int | None, nested: bool = True
           ) -> None:
    """What the fold does: read the row, change it (or not), put it back."""
    store.moment = at(minute)
    doc = store.get(TABLE, key)
    if doc is None:
        doc = {"key": key, "state": 0, "flags": {"seen": []}}
    if state is not None:
        doc["state"] = state
        if nested and state % 2:
            doc["flags"]["seen"].append(state)  # a change inside the document
    store.put(TABLE, key, "4601", doc)


def test_one_version_per_moment_and_none_for_no_change():
    conn = database()
    store = SqlStore(conn.cursor(), "sqlite")
    change(store, "a", 0, 1)
    change(store, "a", 0, 2)  # the same moment: one version, the later state
    change(store, "a", 5, None)  # no change: no version
    change(store, "a", 9, 3)
    store.flush()
    assert [(r[0], r[1], r[2]) for r in rows(conn)] == [
        ("a", micros(at(0)), micros(at(9))), ("a", micros(at(9)), OPEN)]
    then = SqlStore(conn.cursor(), "sqlite", as_of=at(8))
    assert then.get(TABLE, "a")["state"] == 2
    assert SqlStore(conn.cursor(), "sqlite", as_of=at(9)).get(TABLE, "a")["state"] == 3
    assert SqlStore(conn.cursor(), "sqlite", as_of=at(-1)).get(TABLE, "a") is None
    with pytest.raises(TypeError):
        then.put(TABLE, "a", "4601", {})


def test_a_state_returning_at_the_same_moment_after_a_cut_leaves_no_version():
    """A → B at one moment, committed; B → A at that moment in the next batch: as if the
    batch had not been cut, the row has no version at that moment."""
    conn = database()
    store = SqlStore(conn.cursor(), "sqlite")
    change(store, "a", 0, 1, nested=False)
    store.flush()
    store = SqlStore(conn.cursor(), "sqlite")
    change(store, "a", 3, 2, nested=False)
    store.flush()
    assert len(rows(conn)) == 2
    store = SqlStore(conn.cursor(), "sqlite")  # a new transaction, nothing in memory
    change(store, "a", 3, 1, nested=False)
    store.flush()
    [(_, valid_from, valid_to, _, status, doc)] = rows(conn)
    assert status is None  # these documents have no status
    assert (valid_from, valid_to) == (micros(at(0)), OPEN)
    assert unpack(doc)["state"] == 1


def test_a_clock_going_back_takes_the_later_moment():
    conn = database()
    store = SqlStore(conn.cursor(), "sqlite")
    change(store, "a", 10, 1)
    change(store, "a", 4, 2)  # an earlier timestamp than the row's last version
    store.flush()
    assert [(r[1], r[2]) for r in rows(conn)] == [(micros(at(10)), OPEN)]
    assert SqlStore(conn.cursor(), "sqlite", as_of=at(10)).get(TABLE, "a")["state"] == 2


changes = st.lists(
    st.tuples(st.sampled_from("aabc"), st.integers(0, 2), st.sampled_from([None, 1, 2, 3]),
              st.booleans()),
    min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(changes)
def test_the_same_rows_however_the_changes_are_cut(steps):
    """Changes (key, minutes later, new state or none, cut the batch after it), applied in
    one batch, in batches with memory between them, and in separate transactions that read
    the rows back: the same rows; and a read as of every moment shows the state after the
    last change at or before it."""
    minute, timeline = 0, []
    for key, later, state, cut in steps:
        minute += later
        timeline.append((key, minute, state, cut))

    def apply(cut_mode: str) -> sqlite3.Connection:
        conn = database()
        cache = RowCache()
        store = SqlStore(conn.cursor(), "sqlite", cache=cache)
        for key, m, state, cut in timeline:
            change(store, key, m, state, nested=key == "c")  # a and b can return to a state
            if cut and cut_mode != "one":
                store.flush()
                store = SqlStore(conn.cursor(), "sqlite",
                                 cache=cache if cut_mode == "cache" else None)
        store.flush()
        return conn

    def rebuild() -> sqlite3.Connection:
        """As a rebuild writes: planned in memory, open versions held back until closed."""
        conn = database()
        part, held = PartitionStore(whole=True), HeldVersions()

        def write() -> None:
            target = SqlStore(conn.cursor(), "sqlite")

            def version_before(table: str) -> Any:
                def find(key: str, t: int) -> Any:
                    found = held.version_before(table, key, t)
                    assert found is not None, "a version the rebuild no longer holds"
                    return found
                return find

            ops, _ = part.take_ops(version_before)
            for table, table_ops in ops.items():
                written, finished = held.route(table, table_ops)
                assert written == ([], [], [], []), "a rebuild only inserts"
                target.insert_versions(table, finished)

        for key, m, state, cut in timeline:
            change(part, key, m, state, nested=key == "c")
            if cut:
                write()
                part.shed(keep_batches=0)
        write()
        for table, open_rows in held.rest().items():
            SqlStore(conn.cursor(), "sqlite").insert_versions(table, open_rows)
        return conn

    one = apply("one")
    assert rows(apply("cache")) == rows(one)
    assert rows(apply("fresh")) == rows(one)
    assert rows(rebuild()) == rows(one)

    states: dict[str, int] = {}
    for i, (key, m, state, _) in enumerate(timeline):
        states[key] = state if state is not None else states.get(key, 0)
        if i + 1 == len(timeline) or timeline[i + 1][1] != m:  # the moment is over
            then = SqlStore(one.cursor(), "sqlite", as_of=at(m))
            assert {k: then.get(TABLE, k)["state"] for k in states} == states
            assert then.get(TABLE, "z") is None


def test_the_partition_store_plans_the_same_rows():
    conn_sql, conn_ops = database(), database()
    sql = SqlStore(conn_sql.cursor(), "sqlite")
    part = PartitionStore()
    target = SqlStore(conn_ops.cursor(), "sqlite")
    for i, (key, minute, state) in enumerate([("a", 0, 1), ("a", 0, 2), ("b", 1, 5),
                                              ("a", 2, None), ("a", 3, 2), ("b", 3, 1),
                                              ("a", 3, 1), ("a", 7, 3)]):
        change(sql, key, minute, state)
        part.owner = key
        change(part, key, minute, state)
        if i % 3 == 2:
            sql.flush()
            ops, _ = part.take_ops()
            for table, table_ops in ops.items():
                target.write_ops(table, table_ops)
            part.shed(keep_batches=0)  # forget parsed documents: their text is enough
    sql.flush()
    ops, _ = part.take_ops()
    for table, table_ops in ops.items():
        target.write_ops(table, table_ops)
    for table in ALL_TABLES:
        assert SqlStore(conn_ops.cursor(), "sqlite").rows(table) == \
            SqlStore(conn_sql.cursor(), "sqlite").rows(table)


def test_the_partition_store_refuses_other_rows():
    part = PartitionStore()
    part.moment, part.owner = at(0), "a"
    part.put(TABLE, "a", "4601", {"state": 1})
    entry = (at(0).isoformat(), "Made", "Made", None)
    part.add_history(("a", 1, "4601", *entry))
    for touch in (lambda: part.get(TABLE, "b"),
                  lambda: part.put(TABLE, "b", "4601", {}),
                  lambda: part.add_history(("b", 1, "4601", *entry)),
                  lambda: part.all(TABLE, "4601"),
                  lambda: part.history("a")):
        with pytest.raises(CrossPartition):
            touch()
