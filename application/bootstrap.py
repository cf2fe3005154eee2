"""One place that wires the service: settings from the environment, the clock, the store.

Persistence follows eventsourcing's own variables: ``PERSISTENCE_MODULE``
(``eventsourcing.sqlite`` by default, ``eventsourcing.postgres`` in production),
``SQLITE_DBNAME``, ``POSTGRES_HOST`` / ``_PORT`` / ``_DBNAME`` / ``_USER`` / ``_PASSWORD`` /
``_SCHEMA`` / ``_POOL_SIZE``; encryption at rest with
``CIPHER_TOPIC=eventsourcing.cipher:AESCipher`` and ``CIPHER_KEY``.
Keep one service object per process: each opens its own connection pool.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from application.clock import Clock
from application.service import AllocationService


class ServiceSettings(BaseSettings):
    """Settings of our own (the store's settings are eventsourcing's variables)."""

    model_config = SettingsConfigDict(env_prefix="LTO_", extra="ignore")

    data_dir: Path = Path("data")


def create_service(env: dict[str, str] | None = None, clock: Clock | None = None
                   ) -> AllocationService:
    settings = ServiceSettings()
    merged = {**os.environ, **(env or {})}
    module = merged.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    resolved = dict(env or {})
    if module == "eventsourcing.sqlite" and "SQLITE_DBNAME" not in merged:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        resolved["SQLITE_DBNAME"] = str(settings.data_dir / "events.sqlite")
    return AllocationService(env=resolved, clock=clock)
