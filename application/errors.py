"""Errors the application layer adds to the domain's."""

from __future__ import annotations

from domain.errors import DomainError


class ConcurrencyConflict(DomainError):
    """Someone else changed the same case or place first (HTTP 409). Nothing was written;
    reload and try again."""

    code = "conflict"


class ConfirmationRequired(DomainError):
    """The command would proceed with something the officer must confirm first (HTTP
    409 with ``code`` and the cases concerned); nothing was written."""

    code = "confirmation_required"

    def __init__(self, code: str, message: str, *, case_ids: tuple[object, ...] = ()) -> None:
        super().__init__(message, field="confirm")
        self.code = code
        self.case_ids = tuple(str(c) for c in case_ids)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "case_ids": list(self.case_ids)}


class StaleVersion(ConcurrencyConflict):
    """The caller acted on a version of the case that is no longer the current one
    (``If-Match``, or a page form drawn before someone else's change): HTTP 409
    ``precondition_failed``. Nothing was written; read the case again and retry."""

    code = "precondition_failed"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"Saken er endret siden du leste den (den er nå i versjon {current_version}); "
            "ingenting ble lagret. Les saken på nytt og prøv igjen.", field="If-Match")
        self.current_version = current_version
