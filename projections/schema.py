"""The read models' schema in SQL (:class:`TableLayout`, mixed into
:class:`projections.store.SqlStore`): creating the tables and their indexes, a rebuild's
tables taking over, and whether a store's tables are this release's layout (else they are
rebuilt from the log)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from projections.codec import readable, unpack
from projections.derived import COLUMNS, INDEXES
from projections.sealing import Sealer, SealError
from projections.tables import (
    ACCESS_TABLE,
    DOC_TABLES,
    HISTORY_TABLE,
    KEYS,
    LEGACY_TABLES,
    STAMP_TABLE,
    STAMPED,
    STATUS_READ,
    STORE_TABLES,
)


class TableLayout:
    """The tables of a store of read models (needs the store's ``execute``, ``cursor``,
    ``name``, ``_qualified``, ``dialect``, ``schema``, ``suffix`` and ``sealer``)."""

    dialect: str
    schema: str
    suffix: str
    sealer: Sealer
    cursor: Any

    @property
    def _bytewise(self) -> str:
        """The collation of text compared byte by byte (order keys: ``order_text``)."""
        return ' COLLATE "C"' if self.dialect == "postgres" else ""

    @property
    def _blob(self) -> str:
        """The column type of a stored document (:mod:`projections.codec`)."""
        return "BYTEA" if self.dialect == "postgres" else "BLOB"

    def create_tables(self, indexes: bool = True) -> None:
        """Create the tables (if missing); ``indexes=False`` leaves out every index, even
        the unique keys (a rebuild, which only inserts, builds them when it takes over)."""
        for table in DOC_TABLES:
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {self.name(table)} ("
                "key TEXT NOT NULL, valid_from BIGINT NOT NULL, valid_to BIGINT NOT NULL, "
                f"municipality TEXT NOT NULL, status TEXT, doc {self._blob} NOT NULL)"
            )
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.name(HISTORY_TABLE)} ("
            "case_id TEXT NOT NULL, version INTEGER NOT NULL, municipality TEXT NOT NULL, "
            "at TEXT NOT NULL, event TEXT NOT NULL, text TEXT NOT NULL, who TEXT)"
        )
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.name(ACCESS_TABLE)} ("
            "case_id TEXT NOT NULL, entry_id TEXT NOT NULL, municipality TEXT NOT NULL, "
            f"at BIGINT NOT NULL, seq BIGINT NOT NULL, doc {self._blob} NOT NULL, "
            f"lo_key TEXT{self._bytewise}, hi_key TEXT{self._bytewise})"
        )
        columns = self._columns(f"{ACCESS_TABLE}{self.suffix}")
        if "lo_key" not in columns:  # an earlier release's table: its views have no bounds,
            for column in ("lo_key", "hi_key"):  # as a rebuild from the log would give them
                self.execute(f"ALTER TABLE {self.name(ACCESS_TABLE)} "
                             f"ADD COLUMN {column} TEXT{self._bytewise}")
        for table, columns in COLUMNS.items():
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {self.name(table)} (key TEXT NOT NULL, "
                f"seq INTEGER NOT NULL, {', '.join(f'{c} {t}' for c, t in columns)})")
        self.execute(f"CREATE TABLE IF NOT EXISTS {self.name(STAMP_TABLE)} ("
                     "name TEXT PRIMARY KEY, token TEXT NOT NULL)")
        for table in STAMPED:
            self.execute(f"INSERT INTO {self.name(STAMP_TABLE)} (name, token) VALUES (%s, %s) "
                         "ON CONFLICT (name) DO NOTHING", (table, uuid4().hex))
        if indexes:
            self.create_indexes()

    def create_indexes(self) -> None:
        """Each table's unique key (``…_key``: a version of a row, a case's history entry,
        an access-log row; a second copy is an integrity error) and the indexes the queries
        read by (a rebuild writes without them and builds them once at the end)."""
        for table, columns in KEYS.items():
            self.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {table}{self.suffix}_key "
                f"ON {self.name(table)} ({', '.join(columns)})"
            )
        # the access log read by a key and a span of moments (a list's views): the views
        # that showed a case found, and put in the log's order, from the index alone (only
        # a page of them is read whole); the views logged before they had bounds apart
        self.execute(f"CREATE INDEX IF NOT EXISTS {ACCESS_TABLE}{self.suffix}_span "
                     f"ON {self.name(ACCESS_TABLE)} (case_id, at, lo_key, hi_key, seq, "
                     "entry_id)")
        self.execute(f"CREATE INDEX IF NOT EXISTS {ACCESS_TABLE}{self.suffix}_unbounded "
                     f"ON {self.name(ACCESS_TABLE)} (case_id, at) WHERE lo_key IS NULL")
        # an earlier release's index, which the first of these holds
        self.execute(f"DROP INDEX IF EXISTS {self._qualified(f'{ACCESS_TABLE}{self.suffix}_at')}")
        for table in DOC_TABLES:
            self.execute(
                f"CREATE INDEX IF NOT EXISTS {table}{self.suffix}_mt ON {self.name(table)} "
                "(municipality, valid_to, valid_from)"
            )
            if table in STATUS_READ:
                self.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}{self.suffix}_ms ON {self.name(table)} "
                    "(municipality, status, valid_to, valid_from)"
                )
            else:  # earlier releases made one on every table; it only slowed their writes
                self.execute(
                    f"DROP INDEX IF EXISTS {self._qualified(f'{table}{self.suffix}_ms')}")
        for table, indexes in INDEXES.items():
            for i, columns in enumerate(indexes):
                self.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}{self.suffix}_q{i} "
                    f"ON {self.name(table)} ({', '.join(columns)})")

    def drop_indexes(self) -> None:
        """Drop the query indexes :meth:`create_indexes` makes: a replay into empty tables
        writes faster without them and builds them once at the end (the unique keys stay:
        a replay in place reads rows by them)."""
        for table in DOC_TABLES:
            for index in (f"{table}{self.suffix}_mt", f"{table}{self.suffix}_ms"):
                self.execute(f"DROP INDEX IF EXISTS {self._qualified(index)}")
        for table, indexes in INDEXES.items():
            for i in range(len(indexes)):
                self.execute(
                    f"DROP INDEX IF EXISTS {self._qualified(f'{table}{self.suffix}_q{i}')}")

    def take_over(self) -> None:
        """Replace the live tables by this store's (``suffix``: the shadow tables a rebuild
        wrote), in the caller's transaction: the live ones are dropped, the shadows
        renamed, their indexes built (unique keys first: a duplicate row fails the take-over
        and leaves the live tables as they were). Readers see the old tables until it
        commits."""
        assert self.suffix, "only a store of shadow tables takes over"
        for table in STORE_TABLES:
            self.execute(f"DROP TABLE IF EXISTS {self._qualified(table)}")
            self.execute(f"ALTER TABLE {self.name(table)} RENAME TO {table}")
        self.suffix = ""
        self.create_indexes()
        self.analyze()  # tables written in bulk: the planner knows nothing of them yet

    def analyze(self, only_stale: bool = False) -> list[str]:
        """PostgreSQL: gather the planner's statistics of the read models' tables (all, or
        ``only_stale``: those never analyzed or changed by more than a tenth since, the
        rule autovacuum follows). Tables filled in bulk — a rebuild's, or a store whose
        autovacuum is off — otherwise have none, and the planner guesses: measured on an
        Oslo-size store, a case's versions by key were read through the municipality's
        index (147 ms instead of a fraction of one) and the waiting list's page of
        documents in 127 ms. SQLite plans by its indexes without them: nothing is done.
        Returns the tables analyzed."""
        if self.dialect != "postgres":
            return []
        names = [f"{table}{self.suffix}" for table in STORE_TABLES]
        if only_stale:
            self.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = %s AND "
                "relname = ANY(%s) AND (COALESCE(last_analyze, last_autoanalyze) IS NULL "
                "OR n_mod_since_analyze > 50 + n_live_tup / 10)",
                (self.schema or "public", names))
            names = [r["relname"] for r in self.cursor.fetchall()]
        for name in names:
            self.execute(f"ANALYZE {self._qualified(name)}")
        return names

    def _columns(self, table: str) -> dict[str, str]:
        """The table's columns and their types (lower case); empty when there is no table."""
        if self.dialect == "sqlite":
            self.execute(f"SELECT name, type FROM pragma_table_info('{table}')")
        else:
            self.execute("SELECT column_name AS name, data_type AS type "
                         "FROM information_schema.columns "
                         "WHERE table_schema = %s AND table_name = %s", (self.schema, table))
        return {r["name"]: r["type"].lower() for r in self.cursor.fetchall()}

    def has_current_layout(self) -> bool:
        """False when tables of an earlier release are there (document tables without
        version columns, the access log as one document per case, documents as JSON
        text or packed with another dictionary, case rows without the guarantee): they are
        then dropped and the read models rebuilt from the log."""
        if any(self._columns(table) for table in LEGACY_TABLES):
            return False
        columns = self._columns(DOC_TABLES[0])
        if not columns:
            return True
        if not {"valid_to", "status"} <= columns.keys() or columns["doc"] != self._blob.lower():
            return False
        if "text" not in self._columns(HISTORY_TABLE):  # the entry as a document
            return False
        for table, derived in COLUMNS.items():  # the derived tables, as this release has them
            if set(self._columns(table)) != {"key", "seq", *(c for c, _ in derived)}:
                return False
        self.execute(f"SELECT doc FROM {self.name(DOC_TABLES[0])} LIMIT 1")
        row = self.cursor.fetchone()
        if row is None:
            return True
        try:  # plain rows under a key, sealed rows without it or under another: rebuild
            packed = self.sealer.open(row["doc"])
        except SealError:
            return False
        if not readable(packed):
            return False
        # a case row without the guarantee (§ 3-4) as the domain keeps it: folded by a release
        # before the case's whole life was right; or without what the allocation run reads
        # (the wishes, R16): replay so every row has them from the start
        doc = unpack(packed)
        return "guarantee" in doc and "wishes" in doc

    def drop_tables(self) -> None:
        for table in (*STORE_TABLES, *LEGACY_TABLES):
            self.execute(f"DROP TABLE IF EXISTS {self.name(table)}")
