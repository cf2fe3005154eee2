"""The stores of a parallel replay into empty tables (:meth:`projections.view.ReadModelView.
rebuild`): :class:`PartitionStore`, the rows of one partition of the aggregates, and
:class:`HeldVersions`, which turns its row operations into inserts of finished versions;
:data:`SHADOW`, the suffix of the tables a rebuild writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.store import Doc, HistoryRow, Logs, _Buffer
from projections.versions import Head, Ops, Predecessor, RowCache, _Entry, plan_versions


class CrossPartition(Exception):
    """The fold touched a row of another aggregate than the event's own (or read many
    rows): a replay partitioned by aggregate cannot do this one."""


class PartitionStore(_Buffer):
    """The rows of one partition of the aggregates (by id) during a parallel replay into
    empty tables. Every row of the partition lives here (parsed documents only while in use,
    their text always), so nothing is read back from the tables; flushing plans the same
    versions as :class:`SqlStore` would and returns them as row operations, which the
    replay's coordinator writes with the tracking position.

    Exact only while the fold keeps to the event's own rows: a ``get``, ``put`` or
    ``add_history`` of another key than ``owner`` (the event's originator id), or any
    ``all``/``history``, raises :class:`CrossPartition`.
    """

    def __init__(self, whole: bool = False) -> None:
        super().__init__(RowCache())
        self.owner = ""
        #: True when this store holds every aggregate (a rebuild in one partition): the
        #: fold may then touch any row.
        self.whole = whole

    def _mine(self, key: str) -> None:
        if key != self.owner and not self.whole:
            raise CrossPartition(f"the fold touched row {key} for an event of {self.owner}")

    def _load(self, table: str, key: str, pending: _Entry | None) -> _Entry:
        entry = pending if pending is not None else _Entry(resolved=True)
        entry.resolved = True
        self._entries[(table, key)] = entry
        return entry

    # (the owner test inline: these run for every event of a rebuild)
    def get(self, table: str, key: str) -> Doc | None:
        if key != self.owner and not self.whole:
            self._mine(key)
        return self._get(table, key)

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None:
        if key != self.owner and not self.whole:
            self._mine(key)
        self._put(table, key, municipality, doc, resolved=True)

    def add_history(self, row: HistoryRow) -> None:
        if row[0] != self.owner and not self.whole:
            self._mine(row[0])
        self._history.append(row)

    def all(self, table: str, municipality: str) -> list[Doc]:
        raise CrossPartition("the fold read a whole table")

    def history(self, case_id: str) -> list[Doc]:
        raise CrossPartition("the fold read a case history")

    def take_ops(self, versions_before: Callable[[str], Predecessor] | None = None
                 ) -> tuple[dict[str, Ops], Logs]:
        """The row operations since the last call, and the rows to append.
        ``versions_before(table)`` finds a stored version that ended at a moment (needed
        only when a batch was cut between two changes of one moment after a third)."""

        def predecessor(key: str, t: int) -> tuple[int, Head, bytes] | None:
            raise CrossPartition(f"row {key}: the version before {t} is not kept")

        ops = {table: plan_versions(key_entries, versions_before(table) if versions_before
                                    else predecessor)
               for table, key_entries in self._take_dirty().items()}
        history = self._take_logs()
        self._cache.batch += 1
        return ops, history

    def shed(self, keep_batches: int = 2) -> None:
        """Forget the parsed documents not used lately (their text stays)."""
        oldest = self._cache.batch - keep_batches
        for entry in self._entries.values():
            if entry.used < oldest and entry.doc is not None and entry.t is None \
                    and not entry.frozen:
                entry.doc = None


#: The suffix of the tables a rebuild writes before they replace the live ones.
SHADOW = "__rebuild"


class HeldVersions:
    """Turns the row operations of a replay into empty tables into inserts of finished
    versions. The last two versions of each row are held in memory — the current one and
    the one before it, the only ones :func:`plan_versions` ever changes (it starts from the
    stored current version and, when a batch was cut inside a moment, the one before) — and
    a version is inserted, whole, once two later ones have come (or the replay ends). So a
    rebuild writes each version once and never reads, updates or deletes one, and its
    tables need no index while it writes (they get them when they take over). Operations
    on a version no longer held would go to SQL as they are (they do not occur). The
    result is the rows :func:`plan_versions`' operations would give."""

    KEEP = 2

    def __init__(self) -> None:
        #: (table, key) -> the held versions, oldest first, each
        #: [key, valid_from, valid_to, municipality, status, doc]
        self.held: dict[tuple[str, str], list[list[Any]]] = {}

    def _find(self, table: str, key: str, t: int) -> list[Any] | None:
        for row in self.held.get((table, key), ()):
            if row[1] == t:
                return row
        return None

    def version_before(self, table: str, key: str, t: int) -> tuple[int, Head, bytes] | None:
        """The held version of a row that ended at ``t`` (see :data:`Predecessor`), or
        None when none is held."""
        for row in self.held.get((table, key), ()):
            if row[2] == t:
                return row[1], (row[3], row[4]), row[5]
        return None

    def route(self, table: str, ops: Ops) -> tuple[Ops, list[tuple[Any, ...]]]:
        """(operations on written versions, finished versions to insert)."""
        deletes, closes, rewrites, inserts = ops
        held = self.held
        sql: Ops = ([], [], [], [])
        for key, t in deletes:
            row = self._find(table, key, t)
            if row is not None:
                held[(table, key)].remove(row)
            else:
                sql[0].append((key, t))
        for valid_to, key, t in closes:
            row = self._find(table, key, t)
            if row is not None:
                row[2] = valid_to
            else:
                sql[1].append((valid_to, key, t))
        for valid_to, municipality, status, doc, key, t in rewrites:
            row = self._find(table, key, t)
            if row is not None:
                row[2:] = [valid_to, municipality, status, doc]
            else:
                sql[2].append((valid_to, municipality, status, doc, key, t))
        finished: list[tuple[Any, ...]] = []
        keep = self.KEEP
        for row in inserts:  # each later than the row's held versions (plan_versions)
            rows = held.get((table, row[0]))
            if rows is None:
                held[(table, row[0])] = [list(row)]
                continue
            rows.append(list(row))
            if row[1] < rows[-2][1]:  # pragma: no cover - kept in order all the same
                rows.sort(key=lambda r: r[1])
            while len(rows) > keep:
                finished.append(tuple(rows.pop(0)))
        return sql, finished

    def rest(self) -> dict[str, list[tuple[Any, ...]]]:
        """The versions still held, by table; forgets them."""
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for (table, _), rows in self.held.items():
            by_table.setdefault(table, []).extend(tuple(row) for row in rows)
        self.held = {}
        return by_table
