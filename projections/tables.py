"""The read models' tables: their names, keys and the columns that hold personal data
(what :mod:`projections.store` writes and :mod:`projections.schema` creates)."""

from __future__ import annotations

from projections.derived import (
    ACCOMPANYING_TABLE,
    BLIND,
    BOARD_TABLE,
    BREACH_TABLE,
    COLUMNS,
    DEADLINE_TABLE,
    DERIVED_TABLES,
    FACT_TABLE,
    PROVIDER_BOARD_TABLE,
    SEALED,
)

#: Read-model tables keyed by one id, with versions (append new ones here); the case
#: history (keyed by case and version) and the access log by case (keyed by case and log
#: entry), which are only ever appended to.
DOC_TABLES = ("lto_rm_case", "lto_rm_place", "lto_rm_provider_offer", "lto_rm_complaint",
              "lto_rm_run")
HISTORY_TABLE = "lto_rm_case_history"
ACCESS_TABLE = "lto_rm_access_entry"
#: Tables of earlier releases: their presence means the read models are rebuilt.
LEGACY_TABLES = ("lto_rm_access",)
#: One row per derived table in :data:`STAMPED`: a random token, replaced in the transaction
#: of every write that changes the table's rows (and new with a new table). Equal tokens in
#: two read transactions mean equal tables, so a figure computed from them may be kept
#: (:mod:`projections.figure_cache`).
STAMP_TABLE = "lto_rm_stamp"
STAMPED = (FACT_TABLE, BREACH_TABLE, DEADLINE_TABLE, BOARD_TABLE, ACCOMPANYING_TABLE,
           PROVIDER_BOARD_TABLE)


#: The tables derived from the documents of cases, places and other providers' offers
#: (:mod:`projections.derived`): rows replaced with each new version of their document.
ALL_TABLES = (*DOC_TABLES, HISTORY_TABLE, ACCESS_TABLE, *DERIVED_TABLES)
#: Every table a store of read models has: :data:`ALL_TABLES` (what the log decides: a
#: rebuild's equal the live ones row for row) and the tables' tokens (random by design).
STORE_TABLES = (*ALL_TABLES, STAMP_TABLE)
#: The document tables read by status (the waiting list: cases on it); the others have
#: no index on that column, which no query of theirs reads by.
STATUS_READ = ("lto_rm_case",)
#: A case history entry (R21): its fields, each a column of the history table.
HISTORY_FIELDS = ("version", "at", "event", "text", "who")


HISTORY_COLUMNS = ("case_id", "version", "municipality", *HISTORY_FIELDS[1:])



#: The columns that name one row of each table (a unique index, ``<table>_key``).
KEYS = {**{table: ("key", "valid_from") for table in DOC_TABLES},
        HISTORY_TABLE: ("case_id", "version"), ACCESS_TABLE: ("case_id", "entry_id"),
        **{table: ("key", "seq") for table in DERIVED_TABLES}}

#: The derived tables' columns that hold a person's name or other personal data (sealed
#: when the store is, by their place in a row: ``key``, ``seq``, then
#: :data:`~projections.derived.COLUMNS`; :data:`~projections.derived.SEALED`).
SEALED_COLUMNS: dict[str, frozenset[int]] = {
    table: frozenset(2 + i for i, (column, _) in enumerate(columns)
                     if column == "name" or column in SEALED.get(table, ()))
    for table, columns in COLUMNS.items()
    if any(column == "name" or column in SEALED.get(table, ()) for column, _ in columns)}
#: The derived tables' columns kept through the blind index (by their place in a row).
BLIND_COLUMNS: dict[str, frozenset[int]] = {
    table: frozenset(2 + i for i, (column, _) in enumerate(COLUMNS[table])
                     if column in columns)
    for table, columns in BLIND.items()}
