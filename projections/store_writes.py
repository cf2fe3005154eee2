"""The write path of :class:`~projections.store.SqlStore`: a batch's buffered versions,
their derived rows and the appended logs, written in the caller's transaction.

``flush()`` writes what the fold changed in memory (:class:`~projections.store._Buffer`):
per document table, the row operations :func:`~projections.versions.plan_versions` plans
from the changes and the versions before them; the derived rows of the documents whose
rows changed (a stamped table's token replaced with them: :mod:`projections.figure_cache`);
then the case histories and the access log. A rebuild writes whole versions at once
(:meth:`RowWriter.insert_versions`), the current ones' derived rows with them; PostgreSQL
by ``COPY``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from projections.codec import unpack
from projections.derived import COLUMNS, DERIVED_FROM
from projections.sealing import Sealer
from projections.tables import (
    ACCESS_TABLE,
    BLIND_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_TABLE,
    SEALED_COLUMNS,
    STAMP_TABLE,
    STAMPED,
)
from projections.versions import OPEN, Head, Ops, Predecessor, _Entry, plan_versions

Logs = dict[str, list[tuple[Any, ...]]]


class RowWriter:
    """The writing half of :class:`~projections.store.SqlStore` (a mixin: the store gives
    the cursor, the tables' names, the sealer and the buffer)."""

    cursor: Any
    dialect: str
    suffix: str
    sealer: Sealer
    _at: int | None

    if TYPE_CHECKING:  # what the store gives
        def execute(self, sql: str, params: Iterable[Any] = ()) -> None: ...
        def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...
        def name(self, table: str) -> str: ...
        def _take_dirty(self) -> dict[str, list[tuple[str, _Entry]]]: ...
        def _take_logs(self) -> Logs: ...
        def _select_current(self, table: str, keys: list[str]) -> None: ...

    def flush(self) -> None:
        """Write the buffered versions and history rows (in the caller's transaction)."""
        if self._at is not None:
            return
        dirty = self._take_dirty()
        for table, key_entries in dirty.items():
            unresolved = [key for key, entry in key_entries if not entry.resolved]
            if unresolved:
                self._select_current(table, unresolved)
            self.write_ops(table, plan_versions(key_entries, self.versions_before(table)))
            if table in DERIVED_FROM:
                self._write_derived(table, key_entries)
        self.write_logs(self._take_logs())

    def _write_derived(self, table: str, key_entries: list[tuple[str, _Entry]]) -> None:
        """Replace the derived rows of the documents just written (those whose rows
        changed: most events change a document, few change what it contributes). A
        stamped table's token is replaced only when its rows did change: a document first
        met in this catch-up (nothing derived from it in memory) is compared with the rows
        stored, so the management figures kept under the token outlive the case work that
        leaves them be (a priority assessment, a wish)."""
        derive = DERIVED_FROM[table]
        changed: dict[str, list[tuple[str]]] = {}
        new: dict[str, list[tuple[Any, ...]]] = {}
        unseen: dict[str, dict[str, list[tuple[Any, ...]]]] = {}  # table -> key -> rows
        known_change: set[str] = set()
        for key, entry in key_entries:
            if entry.doc is None:  # pragma: no cover - a written entry holds its document
                continue
            rows, before = derive(entry.doc), entry.derived
            entry.derived = rows
            for name, table_rows in rows.items():
                if before is None or before.get(name) != table_rows:
                    changed.setdefault(name, []).append((key,))
                    new.setdefault(name, []).extend(table_rows)
                    if before is None:
                        unseen.setdefault(name, {})[key] = table_rows
                    else:
                        known_change.add(name)
        stamped = [name for name in changed if name in STAMPED and not self.suffix
                   and (name in known_change or not self._as_stored(name, unseen[name]))]
        for name, keys in changed.items():
            self.executemany(f"DELETE FROM {self.name(name)} WHERE key = %s", keys)
            self.insert_derived(name, new[name])
        if stamped:  # a rebuild's new tables have new tokens
            self.executemany(f"UPDATE {self.name(STAMP_TABLE)} SET token = %s WHERE name = %s",
                             [(uuid4().hex, name) for name in stamped])

    def _as_stored(self, table: str, rows: dict[str, list[tuple[Any, ...]]]) -> bool:
        """Whether ``table`` holds exactly ``rows`` for these keys (in order of ``seq``).
        A table with sealed columns never compares equal (their nonces differ)."""
        if SEALED_COLUMNS.get(table) and self.sealer.sealed:
            return False
        keys = list(rows)
        stored: dict[str, list[tuple[Any, ...]]] = {key: [] for key in keys}
        columns = ", ".join(("key", "seq", *(c for c, _ in COLUMNS[table])))
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            self.execute(f"SELECT {columns} FROM {self.name(table)} WHERE key IN "
                         f"({', '.join(['%s'] * len(chunk))}) ORDER BY key, seq", chunk)
            for r in self.cursor.fetchall():
                row = tuple(r.values()) if isinstance(r, dict) else tuple(r)
                stored[row[0]].append(row)
        return all(stored[key] == [tuple(x) for x in rows[key]] for key in keys)

    def insert_derived(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows of a derived table (:mod:`projections.derived`)."""
        sealed = SEALED_COLUMNS.get(table)
        if sealed and self.sealer.sealed:
            seal = self.sealer.seal_text
            rows = [tuple(seal(v) if i in sealed else v for i, v in enumerate(r))
                    for r in rows]
        blind = BLIND_COLUMNS.get(table)
        if blind and self.sealer.sealed:
            index = self.sealer.blind
            rows = [tuple(index(v) if i in blind else v for i, v in enumerate(r))
                    for r in rows]
        self._insert(table, ("key", "seq", *(c for c, _ in COLUMNS[table])), rows)

    def versions_before(self, table: str) -> Predecessor:
        """Finds the stored version of a row of ``table`` that ended at a moment."""

        def predecessor(key: str, t: int) -> tuple[int, Head, bytes] | None:
            self.execute(
                f"SELECT valid_from, municipality, status, doc FROM {self.name(table)} "
                "WHERE key = %s AND valid_to = %s", (key, t))
            row = self.cursor.fetchone()
            return ((row["valid_from"], (row["municipality"], row["status"]),
                     self.sealer.open(row["doc"])) if row else None)

        return predecessor

    def write_ops(self, table: str, ops: Ops) -> None:
        deletes, closes, rewrites, inserts = ops
        if self.sealer.sealed:
            seal = self.sealer.seal
            rewrites = [(*r[:3], seal(r[3]), *r[4:]) for r in rewrites]
            inserts = [(*r[:5], seal(r[5])) for r in inserts]
        name = self.name(table)
        self.executemany(f"DELETE FROM {name} WHERE key = %s AND valid_from = %s", deletes)
        self.executemany(
            f"UPDATE {name} SET valid_to = %s WHERE key = %s AND valid_from = %s", closes)
        self.executemany(
            f"UPDATE {name} SET valid_to = %s, municipality = %s, status = %s, doc = %s "
            "WHERE key = %s AND valid_from = %s", rewrites)
        self.executemany(
            f"INSERT INTO {name} (key, valid_from, valid_to, municipality, status, doc) "
            "VALUES (%s, %s, %s, %s, %s, %s)", inserts)

    def write_logs(self, logs: Logs) -> None:
        """Append the rows of the history and access tables."""
        self.write_history(logs.get(HISTORY_TABLE, []))
        access = logs.get(ACCESS_TABLE, [])
        if self.sealer.sealed:
            access = [(*r[:5], self.sealer.seal(r[5]), *r[6:]) for r in access]
        self._insert(ACCESS_TABLE, ("case_id", "entry_id", "municipality", "at", "seq",
                                    "doc", "lo_key", "hi_key"), access)

    def write_history(self, rows: list[tuple[Any, ...]]) -> None:
        # A plain INSERT: a second copy of the same event is a primary-key violation, so
        # double counting cannot happen silently.
        if self.sealer.sealed:
            seal = self.sealer.seal_text
            rows = [(*r[:5], seal(r[5]), seal(r[6])) for r in rows]
        self._insert(HISTORY_TABLE, HISTORY_COLUMNS, rows)

    def insert_versions(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert whole versions: (key, valid_from, valid_to, municipality, status, doc);
        with the current ones (a rebuild's last versions), their derived rows."""
        stored = rows
        if self.sealer.sealed:
            stored = [(*r[:5], self.sealer.seal(r[5])) for r in rows]
        self._insert(table, ("key", "valid_from", "valid_to", "municipality", "status", "doc"),
                     stored)
        derive = DERIVED_FROM.get(table)
        if derive is None:
            return
        derived: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            if row[2] == OPEN:
                for name, table_rows in derive(unpack(row[5])).items():
                    derived.setdefault(name, []).extend(table_rows)
        for name, table_rows in derived.items():
            self.insert_derived(name, table_rows)

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
                ) -> None:
        if not rows:
            return
        if self.dialect == "postgres":  # COPY: several times faster than INSERTs
            with self.cursor.copy(f"COPY {self.name(table)} ({', '.join(columns)}) "
                                  "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.executemany(f"INSERT INTO {self.name(table)} ({', '.join(columns)}) VALUES "
                         f"({', '.join(['%s'] * len(columns))})", rows)
