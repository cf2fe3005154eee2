"""The read side over the ``service`` fixture (SQLite file and PostgreSQL schema)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.service import AllocationService
from projections.read_side import ReadSide


@pytest.fixture
def read(service: AllocationService) -> Iterator[ReadSide]:
    side = ReadSide(service)
    try:
        yield side
    finally:
        side.stop()
