"""Backing up and restoring the store: the events, the read models, the idempotency keys
and the revoked tokens all live in one database (SQLite file, or PostgreSQL schema), so one
copy holds them all, consistent with each other.

- **SQLite**: :func:`backup_sqlite` uses SQLite's online backup API
  (:meth:`sqlite3.Connection.backup`), all pages in one step — one read transaction, so
  one snapshot of the store, taken while the service goes on writing (the store is in WAL
  mode: the service's writers are not held up). The copy is written beside the target,
  checked (``PRAGMA integrity_check``) and only then renamed to it: a backup file is
  complete or absent. :func:`restore_sqlite` copies a backup the same way into a store
  file that does not exist yet.
- **PostgreSQL**: ``pg_dump --format=custom`` (one repeatable-read transaction: a
  consistent snapshot while the service writes) of the store's schema
  (``POSTGRES_SCHEMA``; the whole database without one), and ``pg_restore`` into a
  database that does not hold that schema yet (:func:`pg_dump_command`,
  :func:`pg_restore_command`).

After a restore the read models are rebuilt from the restored events
(``python -m application.cli restore`` does it unless told not to).

The operator's commands: ``python -m application.cli backup --to FILE`` and
``restore --from FILE`` (see :mod:`application.cli`).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from application.bootstrap import ServiceSettings


@dataclass(frozen=True)
class StoreLocation:
    """Where the service's store is, from the same variables as the service
    (:func:`application.bootstrap.create_service`)."""

    module: str
    sqlite_path: Path | None = None
    postgres: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.module == "eventsourcing.sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.module == "eventsourcing.postgres"


def store_location(env: dict[str, str] | None = None) -> StoreLocation:
    merged = {**os.environ, **(env or {})}
    module = merged.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    if module == "eventsourcing.sqlite":
        name = merged.get("SQLITE_DBNAME") or str(ServiceSettings().data_dir / "events.sqlite")
        return StoreLocation(module, sqlite_path=Path(name))
    if module == "eventsourcing.postgres":
        keys = ("HOST", "PORT", "DBNAME", "USER", "PASSWORD", "SCHEMA")
        return StoreLocation(module, postgres={k.lower(): merged.get(f"POSTGRES_{k}", "")
                                               for k in keys})
    return StoreLocation(module)


class BackupError(Exception):
    """The backup or restore could not be made; nothing was left half-written."""


def _copy(source: Path, target: Path) -> None:
    """``source`` into the new file ``target`` with the online backup API, in one step;
    written beside it and renamed once checked."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file (nothing is "
                          "overwritten)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: every page in one step, one consistent snapshot
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {check}")
    os.replace(partial, target)


def backup_sqlite(source: Path, target: Path) -> None:
    """An online backup of the SQLite store ``source`` into the new file ``target``; safe
    while the service runs."""
    if not source.is_file():
        raise BackupError(f"no SQLite store at {source}")
    _copy(source, target)


def restore_sqlite(backup: Path, target: Path) -> None:
    """The backup ``backup`` as the store ``target``, a file that does not exist yet (stop
    the service, and move the old store away, first)."""
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup, target)


def _connection_args(pg: dict[str, str]) -> list[str]:
    args = []
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user"),
                      ("--dbname", "dbname")):
        if pg.get(key):
            args += [flag, pg[key]]
    return args


def pg_dump_command(pg: dict[str, str], target: Path) -> list[str]:
    """``pg_dump`` of the store's schema (the whole database without one), custom format."""
    schema = ["--schema", pg["schema"]] if pg.get("schema") else []
    return ["pg_dump", *_connection_args(pg), "--format=custom", *schema,
            "--file", str(target)]


def pg_restore_command(pg: dict[str, str], backup: Path) -> list[str]:
    """``pg_restore`` into the configured database, which must not hold the schema yet;
    in one transaction: a restore that fails leaves nothing behind."""
    return ["pg_restore", *_connection_args(pg), "--no-owner", "--exit-on-error",
            "--single-transaction", str(backup)]


def run_pg(command: list[str], pg: dict[str, str]) -> None:
    env = dict(os.environ)
    if pg.get("password"):
        env["PGPASSWORD"] = pg["password"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools)"
                          ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def backup_postgres(pg: dict[str, str], target: Path) -> None:
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file (nothing is "
                          "overwritten)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        run_pg(pg_dump_command(pg, partial), pg)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def restore_postgres(pg: dict[str, str], backup: Path) -> None:
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    run_pg(pg_restore_command(pg, backup), pg)


__all__ = ["BackupError", "StoreLocation", "backup_postgres", "backup_sqlite",
           "pg_dump_command", "pg_restore_command", "restore_postgres", "restore_sqlite",
           "store_location"]
