"""Where the read models keep their rows: SQL tables (SQLite or PostgreSQL), or memory.

Each read model row is a small JSON document under a key, plus the municipality it belongs
to. The same fold (:mod:`projections.fold`) writes through a :class:`Store`, so the live
projection (SQL, inside the tracking transaction) and the as-of reconstruction (memory, from
the log alone) cannot drift apart. Documents hold only JSON-native values (str, int, bool,
None, lists and dicts with str keys), so a row reads back exactly as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

Doc = dict[str, Any]

#: Read-model tables keyed by one id, and the case history (keyed by case and version).
DOC_TABLES = ("lto_rm_case", "lto_rm_place", "lto_rm_provider_offer")
HISTORY_TABLE = "lto_rm_case_history"
ALL_TABLES = (*DOC_TABLES, HISTORY_TABLE)


class Store(Protocol):
    def get(self, table: str, key: str) -> Doc | None: ...

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None: ...

    def all(self, table: str, municipality: str) -> list[Doc]: ...

    def add_history(self, case_id: str, version: int, municipality: str, doc: Doc) -> None: ...

    def history(self, case_id: str) -> list[Doc]: ...


class MemoryStore:
    """Rows in dicts: for the as-of view, folded from the log up to a moment."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, tuple[str, Doc]]] = {t: {} for t in DOC_TABLES}
        self.histories: dict[str, dict[int, Doc]] = {}

    def get(self, table: str, key: str) -> Doc | None:
        row = self.tables[table].get(key)
        return row[1] if row else None

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None:
        self.tables[table][key] = (municipality, doc)

    def all(self, table: str, municipality: str) -> list[Doc]:
        return [doc for m, doc in self.tables[table].values() if m == municipality]

    def add_history(self, case_id: str, version: int, municipality: str, doc: Doc) -> None:
        self.histories.setdefault(case_id, {})[version] = doc

    def history(self, case_id: str) -> list[Doc]:
        rows = self.histories.get(case_id, {})
        return [rows[v] for v in sorted(rows)]


class SqlStore:
    """Rows in tables, through one open cursor (so writes share the caller's transaction).

    ``dialect`` is "sqlite" or "postgres"; on PostgreSQL the tables live in ``schema`` (the
    same ``POSTGRES_SCHEMA`` as the events: one schema per municipality tenant).
    """

    def __init__(self, cursor: Any, dialect: str, schema: str | None = None) -> None:
        self.cursor = cursor
        self.dialect = dialect
        self.schema = schema

    # --- SQL plumbing -------------------------------------------------------------------

    def name(self, table: str) -> str:
        if self.dialect == "postgres":
            return f'"{self.schema}"."{table}"'
        return table

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        if self.dialect == "sqlite":
            sql = sql.replace("%s", "?")
        self.cursor.execute(sql, tuple(params))

    def create_tables(self) -> None:
        for table in DOC_TABLES:
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {self.name(table)} ("
                "key TEXT PRIMARY KEY, municipality TEXT NOT NULL, doc TEXT NOT NULL)"
            )
            self.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_m ON {self.name(table)} (municipality)"
            )
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.name(HISTORY_TABLE)} ("
            "case_id TEXT NOT NULL, version INTEGER NOT NULL, municipality TEXT NOT NULL, "
            "doc TEXT NOT NULL, PRIMARY KEY (case_id, version))"
        )

    def drop_tables(self) -> None:
        for table in ALL_TABLES:
            self.execute(f"DROP TABLE IF EXISTS {self.name(table)}")

    # --- Store --------------------------------------------------------------------------

    def get(self, table: str, key: str) -> Doc | None:
        self.execute(f"SELECT doc FROM {self.name(table)} WHERE key = %s", (key,))
        row = self.cursor.fetchone()
        return json.loads(row["doc"]) if row else None

    def put(self, table: str, key: str, municipality: str, doc: Doc) -> None:
        self.execute(
            f"INSERT INTO {self.name(table)} (key, municipality, doc) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET municipality = excluded.municipality, "
            "doc = excluded.doc",
            (key, municipality, json.dumps(doc)),
        )

    def all(self, table: str, municipality: str) -> list[Doc]:
        self.execute(
            f"SELECT doc FROM {self.name(table)} WHERE municipality = %s ORDER BY key",
            (municipality,),
        )
        return [json.loads(r["doc"]) for r in self.cursor.fetchall()]

    def add_history(self, case_id: str, version: int, municipality: str, doc: Doc) -> None:
        # A plain INSERT: a second copy of the same event is a primary-key violation, so
        # double counting cannot happen silently.
        self.execute(
            f"INSERT INTO {self.name(HISTORY_TABLE)} (case_id, version, municipality, doc) "
            "VALUES (%s, %s, %s, %s)",
            (case_id, version, municipality, json.dumps(doc)),
        )

    def history(self, case_id: str) -> list[Doc]:
        self.execute(
            f"SELECT doc FROM {self.name(HISTORY_TABLE)} WHERE case_id = %s ORDER BY version",
            (case_id,),
        )
        return [json.loads(r["doc"]) for r in self.cursor.fetchall()]
