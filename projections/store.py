"""Where the read models keep their rows: SQL tables (SQLite or PostgreSQL), or memory.

Each read model row is a small JSON document under a key, plus the municipality it belongs
to; the document is stored packed (compact JSON compressed with a dictionary, see
:mod:`projections.codec`), so a version costs a fifth of its JSON text. The same fold
(:mod:`projections.fold`) writes through a :class:`Store`, so the live projection (SQL,
inside the tracking transaction) and the reference reconstruction (memory, folded from the
log alone) cannot drift apart. Documents hold only JSON-native values (str, int, bool,
None, lists and dicts with str keys), so a row reads back exactly as it was written.

**Temporal rows.** A document table keeps every version of a row, not only the current
one: ``(key, valid_from, valid_to, municipality, status, doc)``, the moments as
microseconds since 1970 UTC, the current version open-ended (``valid_to = OPEN``);
``status`` is the document's top-level status, if any (indexed: the waiting list reads the
cases on it without reading every case ever). The view sets the moment of the event it is
applying (``store.moment = event.timestamp``) before calling the fold, so the fold needs to
know nothing about time. The rows as they stood at a moment T are then a query
(``valid_from <= T < valid_to``): :class:`SqlStore` with ``as_of=T`` answers ``get``,
``all`` and ``history`` as of T, so every query over a :class:`Store` works as of T. A
version is written per distinct moment (the state after the last event of that moment), and
none when the state equals the one before it (documentation events change no row), so the
versions are the same however the log is cut into batches: a rebuild equals the live
tables row for row. Versions of one row follow its aggregate's events, whose timestamps
never go backwards; if a clock does go back, the version takes the later moment.

**Derived rows.** The documents of cases, places and other providers' offers each have
rows in plain tables derived from them (:mod:`projections.derived`: the management figures'
facts, the deadline monitor's breaches and deadlines), current only, keyed by the
aggregate. :meth:`SqlStore.flush` replaces a document's derived rows when its new version
changes them; a rebuild writes them once, from each document's last version
(:meth:`SqlStore.insert_versions`).

**Batched writes.** :class:`SqlStore` buffers the fold's writes: a batch's rows are read
at once (``prefetch``: one query per table), changed in memory, and written once per batch
(:func:`~projections.versions.plan_versions` turns the changes into row operations,
``executemany`` writes them); a :class:`~projections.versions.RowCache` keeps them for the
next batch of the same reader. ``flush()`` writes the buffer; the view calls it before
committing. :class:`~projections.replay_store.PartitionStore` plans the same row operations
in a worker process of a parallel replay, from memory alone.

The tables' names and keys are in :mod:`projections.tables`; their SQL layout (creating
them, a rebuild's tables taking over, whether a store is this release's layout) in
:mod:`projections.schema`; the write path (``flush`` and what it writes) in
:mod:`projections.store_writes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from projections.codec import pack, unpack
from projections.derived import (
    DERIVED_TABLES,
)
from projections.schema import TableLayout
from projections.sealing import PLAIN, Sealer
from projections.store_writes import Logs, RowWriter
from projections.tables import (
    ACCESS_TABLE,
    DOC_TABLES,
    HISTORY_FIELDS,
    HISTORY_TABLE,
    SEALED_COLUMNS,
    STAMP_TABLE,
    STATUS_READ,
)

# the tables' names, kept importable from here (where they were defined before)
from projections.tables import ALL_TABLES as ALL_TABLES
from projections.tables import KEYS as KEYS
from projections.tables import LEGACY_TABLES as LEGACY_TABLES
from projections.tables import STORE_TABLES as STORE_TABLES
from projections.versions import (
    OPEN,
    RowCache,
    _Entry,
    _head,
)

Doc = dict[str, Any]

#: A case history entry as the history table's row (:data:`HISTORY_COLUMNS`): case id,
#: version, municipality, then :data:`HISTORY_FIELDS` after the version.
HistoryRow = tuple[str, int, str, str, str, str, "str | None"]


def history_doc(row: HistoryRow) -> Doc:
    """The entry of a history row (:data:`HISTORY_FIELDS`)."""
    return dict(zip(HISTORY_FIELDS, row[1:2] + row[3:], strict=True))


#: The case history's columns that hold what was recorded and by whom (sealed likewise).
_SEALED_HISTORY = frozenset({"text", "who"})

#: Rows appended to the history and access tables, by table.


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_IN_CHUNK = 500  # keys per IN (...) list


def micros(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 UTC (how the version columns store it)."""
    return (moment - _EPOCH) // _MICROSECOND


class Store(Protocol):
    def get(self, table: str, key: str) -> Doc | None: ...

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None: ...

    def all(self, table: str, municipality: str) -> list[Doc]: ...

    def add_history(self, row: HistoryRow) -> None:
        """A case history entry (R21), as the history table's row."""

    def history(self, case_id: str) -> list[Doc]: ...

    def add_access(self, case_id: str, entry_id: str, municipality: str, at: int, doc: Doc,
                   bounds: tuple[str, str] | None = None) -> None:
        """An access-log row of the event being applied: at its moment (microseconds), in
        log order (``position``, the notification id the caller sets beside ``moment``);
        a list view's row with the order keys that bound its page (``lo_key``, ``hi_key``:
        :attr:`domain.access.ListView.bounds`)."""

    def access_entries(self, case_id: str) -> list[Doc]: ...


class MemoryStore:
    """Rows in dicts: the reference reconstruction, folded from the log up to a moment."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, tuple[str, Doc]]] = {t: {} for t in DOC_TABLES}
        self.histories: dict[str, dict[int, Doc]] = {}
        self.access: dict[str, dict[str, tuple[int, int, Doc]]] = {}
        self.position = 0  # the notification being applied (orders the access log)
        self.moment: datetime | None = None  # set by callers like the SQL store's; unused

    def get(self, table: str, key: str) -> Doc | None:
        row = self.tables[table].get(key)
        return row[1] if row else None

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None:
        self.tables[table][key] = (municipality, doc)

    def all(self, table: str, municipality: str) -> list[Doc]:
        rows = self.tables[table]
        return [rows[k][1] for k in sorted(rows) if rows[k][0] == municipality]

    def add_history(self, row: HistoryRow) -> None:
        self.histories.setdefault(row[0], {})[row[1]] = history_doc(row)

    def history(self, case_id: str) -> list[Doc]:
        rows = self.histories.get(case_id, {})
        return [rows[v] for v in sorted(rows)]

    def add_access(self, case_id: str, entry_id: str, municipality: str, at: int, doc: Doc,
                   bounds: tuple[str, str] | None = None) -> None:
        self.access.setdefault(case_id, {})[entry_id] = (at, self.position, doc)

    def access_entries(self, case_id: str) -> list[Doc]:
        rows = sorted(self.access.get(case_id, {}).values(), key=lambda r: r[:2])
        return [doc for _, _, doc in rows]


class _Buffer:
    """Buffered writes of the fold: documents handed out for change, frozen as a version
    when the moment moves on, planned into row operations when flushed."""

    def __init__(self, cache: RowCache | None) -> None:
        self._cache = cache if cache is not None else RowCache()
        self._entries = self._cache.entries
        self._history: list[tuple[Any, ...]] = []
        self._access: list[tuple[Any, ...]] = []
        #: The notification id of the event being applied (set beside ``moment``).
        self.position = 0
        self._now = 0
        self._moment: datetime | None = None

    @property
    def moment(self) -> datetime | None:
        """The moment of the event being applied (set by the view before the fold)."""
        return self._moment

    @moment.setter
    def moment(self, value: datetime) -> None:
        self._moment = value
        self._now = micros(value)

    def _load(self, table: str, key: str, pending: _Entry | None) -> _Entry:
        raise NotImplementedError

    def _get(self, table: str, key: str) -> Doc | None:
        entry = self._entries.get((table, key))
        if entry is None or not entry.resolved:
            entry = self._load(table, key, entry)
        entry.used = self._cache.batch
        if entry.doc is None:
            if entry.base_t is None:
                return None
            entry.doc, entry.municipality = unpack(entry.base_packed), entry.base_m[0]
        elif entry.t is not None and entry.t != self._now:
            # the fold is about to change it at a new moment: keep the state it had
            self._freeze(entry)
        return entry.doc

    @staticmethod
    def _freeze(entry: _Entry) -> None:
        assert entry.t is not None and entry.doc is not None
        entry.frozen.append((entry.t, _head(entry.municipality, entry.doc),
                             pack(entry.doc)))
        entry.t = None

    def _put(self, table: str, key: str, municipality: str, doc: Doc, resolved: bool) -> None:
        entry = self._entries.get((table, key))
        if entry is None:
            entry = self._entries[(table, key)] = _Entry(resolved=resolved)
        elif entry.t is not None and entry.t != self._now and entry.doc is not doc:
            self._freeze(entry)
        entry.doc, entry.t, entry.municipality = doc, self._now, municipality
        entry.used = self._cache.batch
        self._cache.dirty[(table, key)] = entry

    def add_access(self, case_id: str, entry_id: str, municipality: str, at: int, doc: Doc,
                   bounds: tuple[str, str] | None = None) -> None:
        # appended only, never read back by the fold: a partition of a parallel replay
        # may write it for any case
        lo, hi = bounds if bounds is not None else (None, None)
        self._access.append((case_id, entry_id, municipality, at, self.position,
                             pack(doc), lo, hi))

    def _take_logs(self) -> Logs:
        logs: Logs = {HISTORY_TABLE: self._history, ACCESS_TABLE: self._access}
        self._history, self._access = [], []
        return logs

    def _take_dirty(self) -> dict[str, list[tuple[str, _Entry]]]:
        by_table: dict[str, list[tuple[str, _Entry]]] = {}
        for (table, key), entry in self._cache.dirty.items():
            by_table.setdefault(table, []).append((key, entry))
        self._cache.dirty = {}
        return by_table


class SqlStore(TableLayout, _Buffer, RowWriter):
    """Rows in tables, through one open cursor (so writes share the caller's transaction).

    ``dialect`` is "sqlite" or "postgres"; on PostgreSQL the tables live in ``schema`` (the
    same ``POSTGRES_SCHEMA`` as the events: one schema per municipality tenant). With
    ``as_of`` the store is read-only and answers as of that moment; without, it reads the
    current rows and buffers writes until :meth:`flush` (in ``cache``, which may outlive
    the transaction: see :class:`RowCache`).

    With a ``sealer`` (:mod:`projections.sealing`) what holds personal data is sealed as it
    is written and opened as it is read: the documents, the access log's entries, the case
    history's text and who, the names in the derived tables (:data:`SEALED_COLUMNS`). In
    memory (the buffer, the cache, the comparisons) everything is plain.
    """

    def __init__(self, cursor: Any, dialect: str, schema: str | None = None,
                 as_of: datetime | None = None, cache: RowCache | None = None,
                 suffix: str = "", sealer: Sealer = PLAIN) -> None:
        super().__init__(cache)
        self.sealer = sealer
        # eventsourcing's SQLite cursor wraps sqlite3's; use that one (rowcount, speed)
        self.cursor = getattr(cursor, "sqlite_cursor", cursor)
        self.dialect = dialect
        self.schema = schema
        self.as_of = as_of
        self._at = micros(as_of) if as_of is not None else None
        #: Appended to every table name: ``SHADOW`` for the tables a rebuild writes.
        self.suffix = suffix

    def unpack(self, data: bytes) -> Any:
        """A stored document, opened (:mod:`projections.sealing`) and unpacked."""
        return unpack(self.sealer.open(data))

    # --- SQL plumbing -------------------------------------------------------------------

    def name(self, table: str) -> str:
        return self._qualified(table + self.suffix)

    def _qualified(self, name: str) -> str:
        if self.dialect == "postgres":
            return f'"{self.schema}"."{name}"'
        return name

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.dialect == "sqlite" else sql

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self.cursor.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), rows)

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of a table (every version), in key order: for comparing tables."""
        order = {HISTORY_TABLE: "case_id, version", ACCESS_TABLE: "case_id, entry_id",
                 **dict.fromkeys(DERIVED_TABLES, "key, seq")}.get(table, "key, valid_from")
        self.execute(f"SELECT * FROM {self.name(table)} ORDER BY {order}")
        rows = [tuple(r.values()) if isinstance(r, dict) else tuple(r)
                for r in self.cursor.fetchall()]
        return [self._opened(table, row) for row in rows] if self.sealer.sealed else rows

    def _opened(self, table: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A row as :meth:`rows` reads it, its sealed columns opened (so tables compare
        equal whatever their nonces)."""
        if table in DOC_TABLES or table == ACCESS_TABLE:
            return (*row[:5], self.sealer.open(row[5]), *row[6:])
        if table == HISTORY_TABLE:
            return (*row[:5], self.sealer.open_text(row[5]), self.sealer.open_text(row[6]))
        sealed = SEALED_COLUMNS.get(table, frozenset())
        return tuple(self.sealer.open_text(v) if i in sealed else v for i, v in enumerate(row))

    # --- Store: reading -----------------------------------------------------------------

    def _when(self) -> tuple[str, tuple[int, ...]]:
        """The version condition: current, or valid at ``as_of``."""
        if self._at is None:
            return "valid_to = %s", (OPEN,)
        return "valid_to > %s AND valid_from <= %s", (self._at, self._at)

    def get(self, table: str, key: str) -> Doc | None:
        if self._at is not None:
            cond, params = self._when()
            self.execute(f"SELECT doc FROM {self.name(table)} WHERE key = %s AND {cond}",
                         (key, *params))
            row = self.cursor.fetchone()
            return self.unpack(row["doc"]) if row else None
        return self._get(table, key)

    def all(self, table: str, municipality: str) -> list[Doc]:
        self.flush()
        cond, params = self._when()
        self.execute(
            f"SELECT doc FROM {self.name(table)} WHERE municipality = %s AND {cond} "
            "ORDER BY key",
            (municipality, *params),
        )
        return [self.unpack(r["doc"]) for r in self.cursor.fetchall()]

    def all_with_status(self, table: str, municipality: str, statuses: Iterable[str]
                        ) -> list[Doc]:
        """``all`` restricted to documents whose status is one of ``statuses``, chosen by
        the database from the status column's index rather than by reading every row
        (tables in :data:`STATUS_READ`)."""
        assert table in STATUS_READ, f"{table} has no index by status"
        wanted = list(statuses)
        self.flush()
        cond, params = self._when()
        self.execute(
            f"SELECT doc FROM {self.name(table)} WHERE municipality = %s AND "
            f"status IN ({', '.join(['%s'] * len(wanted))}) AND {cond} ORDER BY key",
            (municipality, *wanted, *params),
        )
        return [self.unpack(r["doc"]) for r in self.cursor.fetchall()]

    def current_docs(self, table: str, keys: list[str]) -> dict[str, Doc]:
        """The current documents of ``keys`` (those that have one), read at once."""
        return {key: self.unpack(stored)
                for key, stored in self.current_stored(table, keys).items()}

    def current_stored(self, table: str, keys: list[str]) -> dict[str, bytes]:
        """The current documents of ``keys`` as stored (sealed, packed), read at once."""
        assert self._at is None, "current documents only"
        self.flush()
        return {row["key"]: bytes(row["doc"])
                for row in self._current_rows(table, "key, doc", keys)}

    def _current_rows(self, table: str, columns: str, keys: list[str]) -> Iterator[Any]:
        """The current rows of ``keys`` (``columns`` of them), a few hundred keys a query."""
        for i in range(0, len(keys), _IN_CHUNK):
            chunk = keys[i:i + _IN_CHUNK]
            if self.dialect == "postgres":
                where, params = "key = ANY(%s)", [chunk]
            else:
                where, params = f"key IN ({', '.join('?' * len(chunk))})", list(chunk)
            self.cursor.execute(f"SELECT {columns} FROM {self.name(table)} "
                                f"WHERE {where} AND valid_to = {OPEN}", params)
            yield from self.cursor.fetchall()

    def history(self, case_id: str) -> list[Doc]:
        self.flush()
        self.execute(
            f"SELECT {', '.join(HISTORY_FIELDS)} FROM {self.name(HISTORY_TABLE)} "
            "WHERE case_id = %s ORDER BY version", (case_id,),
        )
        opened = self.sealer.open_text
        docs = [{field: opened(r[field]) if field in _SEALED_HISTORY else r[field]
                 for field in HISTORY_FIELDS} for r in self.cursor.fetchall()]
        if self.as_of is not None:
            docs = [d for d in docs if datetime.fromisoformat(d["at"]) <= self.as_of]
        return docs

    # --- Store: writing (buffered) -------------------------------------------------------

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None:
        if self._at is not None:
            raise TypeError("a store as of a past moment is read-only")
        self._put(table, key, municipality, doc, resolved=False)

    def add_history(self, row: HistoryRow) -> None:
        if self._at is not None:
            raise TypeError("a store as of a past moment is read-only")
        self._history.append(row)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Load the current rows of ``keys`` from every document table, in one query per
        table, so the fold reads them from memory. (A key a table lacks is left out: the
        fold reads an event's row from its aggregate's table only, and a new row is looked
        up with the others of its batch when flushed.)"""
        wanted = list(dict.fromkeys(keys))
        entries = self._entries
        for table in DOC_TABLES:
            self._select_current(table, [k for k in wanted if (table, k) not in entries])

    def stamps(self, tables: Iterable[str]) -> tuple[str | None, ...]:
        """The tokens of ``tables`` (:data:`STAMP_TABLE`) in this read's snapshot."""
        wanted = list(tables)
        self.execute(f"SELECT name, token FROM {self.name(STAMP_TABLE)} WHERE name IN "
                     f"({', '.join(['%s'] * len(wanted))})", wanted)
        found = {r["name"]: r["token"] for r in self.cursor.fetchall()}
        return tuple(found.get(t) for t in wanted)

    def access_entries(self, case_id: str) -> list[Doc]:
        self.flush()
        where, params = "case_id = %s", [case_id]
        if self._at is not None:
            where, params = where + " AND at <= %s", [case_id, self._at]
        self.execute(f"SELECT doc FROM {self.name(ACCESS_TABLE)} WHERE {where} "
                     "ORDER BY at, seq", params)
        return [self.unpack(r["doc"]) for r in self.cursor.fetchall()]

    def add_access(self, case_id: str, entry_id: str, municipality: str, at: int, doc: Doc,
                   bounds: tuple[str, str] | None = None) -> None:
        if self._at is not None:
            raise TypeError("a store as of a past moment is read-only")
        super().add_access(case_id, entry_id, municipality, at, doc, bounds)

    # --- the buffer ---------------------------------------------------------------------

    def _load(self, table: str, key: str, pending: _Entry | None) -> _Entry:
        self.execute(
            f"SELECT valid_from, municipality, status, doc FROM {self.name(table)} "
            "WHERE key = %s AND valid_to = %s", (key, OPEN))
        entry = pending if pending is not None else _Entry(resolved=False)
        self._resolve(entry, self.cursor.fetchone())
        self._entries[(table, key)] = entry
        return entry

    def _select_current(self, table: str, keys: list[str]) -> None:
        entries = self._entries
        for row in self._current_rows(table, "key, valid_from, municipality, status, doc", keys):
            entry = entries.get((table, row["key"]))
            if entry is None:
                entry = entries[(table, row["key"])] = _Entry(resolved=False)
            if not entry.resolved:
                self._resolve(entry, row)
        for key in keys:  # those without a stored row
            entry = entries.get((table, key))
            if entry is not None and not entry.resolved:
                self._resolve(entry, None)

    def _resolve(self, entry: _Entry, row: Any) -> None:
        """Attach the stored current version to an entry (which may already hold a new
        document put without reading it first)."""
        entry.resolved = True
        if row is None:
            entry.prev = None
            return
        entry.base_t, entry.base_m, entry.base_packed = (
            row["valid_from"], (row["municipality"], row["status"]),
            self.sealer.open(row["doc"]))
