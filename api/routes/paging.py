"""Paging for every list the JSON routes show: ``offset`` and ``limit`` query parameters
(default 100 rows, at most 1,000), and the answer's ``total``, ``offset`` and ``limit`` beside
the list field it always had. A bad value answers 422 naming the parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query

#: Rows per page unless the client asks for another number; the most it may ask for.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

Offset = Annotated[int, Query(ge=0, le=10**9, description="rows to skip (0 = from the "
                                                          "first)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows to return (1–{MAX_LIMIT}; "
                                                             f"default {DEFAULT_LIMIT})")]

T = TypeVar("T")


def page(rows: Sequence[T], offset: int, limit: int) -> list[T]:
    """Rows ``offset + 1`` to ``offset + limit``."""
    return list(rows[offset:offset + limit])
