"""The seeded demo municipality (application/seed.py) for the page and browser tests:
seeded once per test session into a template SQLite file, copied for each user."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from application.seed import seed_demo
from application.service import AllocationService
from tests.conftest import sqlite_env

#: The demo's "now": the seeded history ends here, and the tests' clock stands here.
DEMO_NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def demo_store(factory: pytest.TempPathFactory, target: Path) -> Path:
    """A fresh copy of the seeded demo store at ``target``."""
    template = factory.getbasetemp() / "demo-4601.sqlite"
    if not template.exists():
        partial = template.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        service = AllocationService(env=sqlite_env(partial))
        try:
            seed_demo(service, municipality="4601", until=DEMO_NOW)
        finally:
            service.close()
        partial.rename(template)
    shutil.copyfile(template, target)
    return target
