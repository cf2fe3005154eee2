"""The planner's statistics of the read models (PostgreSQL): tables written in bulk — a
rebuild's, or any on a server whose autovacuum is off — are analyzed, so that a case's
versions are read by their key's index and not through the municipality's (issue 16:
measured 147 ms instead of a fraction of one on an Oslo-size store without them)."""

from __future__ import annotations

import psycopg

from application.service import AllocationService
from projections.read_side import ReadSide
from tests.builders import waiting_case
from tests.conftest import PG


def _analyzed(schema: str, table: str) -> bool:
    with psycopg.connect(**{k: v for k, v in PG.items() if v != ""}) as conn:
        return conn.execute("SELECT count(*) FROM pg_stats WHERE schemaname = %s AND "
                            "tablename = %s", (schema, table)).fetchone()[0] > 0


def test_a_rebuild_leaves_its_tables_analyzed_and_stale_ones_are_found(
        service: AllocationService, store_env: dict[str, str]) -> None:
    """PostgreSQL: the read models written by catching up have no statistics (as with
    autovacuum off); the stale tables are found and analyzed, and a rebuild's tables are
    analyzed as they take over. SQLite plans by its indexes and is left alone."""
    for n in range(5):
        waiting_case(service, name=f"Person {n}")
    read = ReadSide(service)
    read.catch_up()
    if "POSTGRES_SCHEMA" not in store_env:
        assert read.analyze_stale() == []
        return
    schema = store_env["POSTGRES_SCHEMA"]
    assert not _analyzed(schema, "lto_rm_case")
    analyzed = read.analyze_stale()
    assert "lto_rm_case" in analyzed and "lto_rm_case_history" in analyzed
    assert _analyzed(schema, "lto_rm_case")
    read.rebuild(workers=1)  # new tables take over: analyzed in the take-over
    assert _analyzed(schema, "lto_rm_case") and _analyzed(schema, "lto_rm_waiting")


def test_an_external_read_side_leaves_it_to_the_projector(service: AllocationService) -> None:
    assert ReadSide(service, external=True).analyze_stale() == []
