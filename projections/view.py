"""The materialised view: read-model tables plus the tracking record, in one transaction.

Each view is a tracking recorder of eventsourcing (:class:`SQLiteTrackingRecorder`,
:class:`PostgresTrackingRecorder`) whose ``apply`` writes the read-model change and the
tracking record (the notification id it came from) in the same transaction. The tracking
table keeps one row per name and refuses a position at or below the one it holds, so an event
applied twice is rolled back whole: each event counts exactly once, and a restart resumes
after the last committed position.

Why one projection for all three read models (waiting list, vacancy board, case history):
they then move together, one tracking position, so a reader never sees the board ahead of
the list, and read-your-writes waits on one number.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from projections.fold import apply_event
from projections.store import SqlStore

#: The PostgreSQL tracking table (in the tenant's schema). SQLite's is always "tracking".
PG_TRACKING_TABLE = "lto_rm_tracking"


class _ViewMixin:
    dialect: str
    datastore: Any

    def _store(self, cursor: Any) -> SqlStore:
        return SqlStore(cursor, self.dialect, getattr(self.datastore, "schema", None))

    def _tracking_table(self) -> str:
        raise NotImplementedError

    def create_read_model_tables(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._store(c).create_tables()

    def apply(self, event: Any, tracking: Tracking) -> None:
        """Apply one event and record its tracking position, atomically."""
        with self.datastore.transaction(commit=True) as c:
            apply_event(self._store(c), event)
            self._insert_tracking(c, tracking)  # type: ignore[attr-defined]

    @contextmanager
    def reading(self) -> Iterator[SqlStore]:
        with self.datastore.transaction(commit=False) as c:
            yield self._store(c)

    def drop(self, tracking_name: str) -> None:
        """Drop the read-model tables and forget the position (for a rebuild)."""
        with self.datastore.transaction(commit=True) as c:
            store = self._store(c)
            store.drop_tables()
            store.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s",
                          (tracking_name,))
            store.create_tables()


class SQLiteReadModelView(_ViewMixin, SQLiteTrackingRecorder):
    dialect = "sqlite"

    def _tracking_table(self) -> str:
        return "tracking"

    def create_table(self) -> None:
        super().create_table()
        self.create_read_model_tables()


class PostgresReadModelView(_ViewMixin, PostgresTrackingRecorder):
    dialect = "postgres"

    def _tracking_table(self) -> str:
        return f'"{self.datastore.schema}"."{self.tracking_table_name}"'

    def create_table(self) -> None:
        super().create_table()
        self.create_read_model_tables()


ReadModelView = SQLiteReadModelView | PostgresReadModelView


def view_for(datastore: Any) -> ReadModelView:
    """The view on the same database (and PostgreSQL schema) as the application's events."""
    view: ReadModelView
    if isinstance(datastore, SQLiteDatastore):
        view = SQLiteReadModelView(datastore)
    elif isinstance(datastore, PostgresDatastore):
        view = PostgresReadModelView(datastore, tracking_table_name=PG_TRACKING_TABLE)
    else:  # pragma: no cover
        raise TypeError(f"no read-model view for {type(datastore).__name__}")
    view.create_table()
    return view


class ReadModels(Projection[Any]):
    """The projection: every event of the allocation service into the read models."""

    name = "lto_read_models"
    topics: tuple[str, ...] = ()  # all events

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.apply(domain_event, tracking)
