"""Fixtures: a virtual clock, and the service on SQLite and on a real PostgreSQL.

Integration tests take the ``service`` fixture and run once per store. The PostgreSQL runs
fail (they never skip) when the server cannot be reached: CI starts it first.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import START

PG = {
    "host": os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("TEST_POSTGRES_PORT", "5432"),
    "dbname": os.environ.get("TEST_POSTGRES_DBNAME", "test"),
    "user": os.environ.get("TEST_POSTGRES_USER", "postgres"),
    "password": os.environ.get("TEST_POSTGRES_PASSWORD", ""),
}


def _pg_connect() -> psycopg.Connection:
    try:
        return psycopg.connect(connect_timeout=5, autocommit=True, **PG)
    except psycopg.OperationalError as exc:  # fail, never skip
        pytest.fail(f"PostgreSQL is not reachable at {PG['host']}:{PG['port']}: {exc}")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema per test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_env(schema: str, **extra: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": PG["password"],
        "POSTGRES_SCHEMA": schema,
        **extra,
    }


def sqlite_env(path: Path, **extra: str) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path), **extra}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "events.sqlite")
    schema = request.getfixturevalue("pg_schema")
    return postgres_env(schema)


@pytest.fixture
def service(store_env: dict[str, str], clock: ManualClock) -> Iterator[AllocationService]:
    svc = AllocationService(env=store_env, clock=clock)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def memory_service(clock: ManualClock) -> Iterator[AllocationService]:
    """An in-memory SQLite service for fast application-level rule tests."""
    svc = AllocationService(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                 "SQLITE_DBNAME": ":memory:"}, clock=clock)
    try:
        yield svc
    finally:
        svc.close()
