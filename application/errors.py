"""Errors the application layer adds to the domain's."""

from __future__ import annotations

from domain.errors import DomainError


class ConcurrencyConflict(DomainError):
    """Someone else changed the same case or place first (HTTP 409). Nothing was written;
    reload and try again."""

    code = "conflict"
