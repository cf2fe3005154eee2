"""Fixtures for the HTTP tests: the app over the ``service`` fixture (SQLite file and
PostgreSQL schema), a local token issuer with one key for the whole session, and tokens
for any role and municipality."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalIssuer, Role
from api.settings import ApiSettings
from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import MUNICIPALITY
from tests.conftest import sqlite_env


@pytest.fixture(scope="session")
def issuer_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def api_settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(data_dir=tmp_path / "data", demo=False, deadline_check_interval_s=0,
                       read_timeout_s=10)


@pytest.fixture
def issuer(api_settings: ApiSettings, issuer_key: rsa.RSAPrivateKey) -> LocalIssuer:
    return LocalIssuer(api_settings, key=issuer_key)


class Tokens:
    """Bearer headers for any role and municipality."""

    def __init__(self, issuer: LocalIssuer, clock: ManualClock) -> None:
        self.issuer = issuer
        self.clock = clock

    def token(self, role: Role = Role.ALLOCATION_OFFICER, municipality: str = MUNICIPALITY,
              name: str | None = None, **extra: Any) -> str:
        name = name or {Role.ALLOCATION_OFFICER: "Kari Nordmann", Role.MANAGER: "Per Hansen",
                        Role.COMPLAINT_HANDLER: "Ingrid Berg",
                        Role.MUNICIPAL_ADMIN: "Tone Vik"}[role]
        return self.issuer.issue(subject=f"test:{role.value}:{municipality}", name=name,
                                 role=role, municipality=municipality,
                                 now=datetime.now(UTC), **extra)

    def __call__(self, role: Role = Role.ALLOCATION_OFFICER,
                 municipality: str = MUNICIPALITY, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, municipality, **extra)}"}


@pytest.fixture
def tokens(issuer: LocalIssuer, clock: ManualClock) -> Tokens:
    return Tokens(issuer, clock)


def make_app(settings: ApiSettings, service: AllocationService,
             issuer: LocalIssuer) -> FastAPI:
    return create_app(settings, service=service, issuer=issuer)


@pytest.fixture
def client(api_settings: ApiSettings, service: AllocationService, issuer: LocalIssuer
           ) -> Iterator[TestClient]:
    """The app over the ``service`` fixture: once on SQLite, once on PostgreSQL."""
    with TestClient(make_app(api_settings, service, issuer)) as c:
        yield c


@pytest.fixture
def sqlite_service(tmp_path: Path, clock: ManualClock) -> Iterator[AllocationService]:
    svc = AllocationService(env=sqlite_env(tmp_path / "events.sqlite"), clock=clock)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def sqlite_client(api_settings: ApiSettings, sqlite_service: AllocationService,
                  issuer: LocalIssuer) -> Iterator[TestClient]:
    """The app on a SQLite file only (for the tests that need no second store)."""
    with TestClient(make_app(api_settings, sqlite_service, issuer)) as c:
        yield c
