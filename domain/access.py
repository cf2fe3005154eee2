"""The access log (tilgangslogg): who read or changed which person's case, and when.

Pasientjournalloven § 18 gives the person the right to know who has had access to their
health information; the service therefore logs every request that touches a case's
personal data, and every refused attempt. One entry per request, as its own aggregate: a
busy day of reads never contends with work on the cases.

An entry lists every case whose personal data the request touched (none for a refused
attempt that named no case). The log is itself a log: anything in ``actor``, ``role`` or
``detail`` that looks like an identity number (a login subject, a search term) is masked
before it is recorded; an actor that is nothing but an identity number is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.base import Base, check_municipality
from domain.errors import InvalidValue

#: An action is a short lower-case verb phrase: "read_case", "write_case",
#: "read_waiting_list".
_ACTION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Eleven digits, optionally as six and five: a fødselsnummer, D- or H-number.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")


def mask_identity_numbers(text: str) -> str:
    """Identity numbers never reach a log: each is replaced by eleven asterisks."""
    return _IDENTITY_NUMBER.sub("*" * 11, text)


def _case_ids(values: Sequence[UUID]) -> list[UUID]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidValue("case_ids", "a list of case ids (empty when no case was touched)")
    out: list[UUID] = []
    for value in values:
        try:
            case_id = value if isinstance(value, UUID) else UUID(str(value))
        except ValueError:
            raise InvalidValue("case_ids", "each case id is a UUID") from None
        if case_id not in out:
            out.append(case_id)
    return out


class AccessLogEntry(Base):
    """One logged request. Never changed after it is recorded."""

    #: Saving it is no access to a person's data in itself (see ServiceBase.logging_access).
    access_neutral = True

    class Recorded(Base.Created):
        actor: str
        role: str
        action: str
        case_ids: list[UUID]
        allowed: bool
        detail: str

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        actor: str,
        role: str,
        action: str,
        case_ids: list[UUID],
        allowed: bool,
        detail: str,
        **_: Any,
    ) -> None:
        super().__init__(municipality, command_id)
        self.actor = actor
        self.role = role
        self.action = action
        self.case_ids = list(case_ids)
        self.allowed = allowed
        self.detail = detail

    @classmethod
    def record(
        cls,
        now: datetime,
        *,
        entry_id: UUID,
        municipality: str,
        actor: str,
        role: str,
        action: str,
        case_ids: Sequence[UUID],
        allowed: bool,
        detail: str = "",
        command_id: str | None = None,
    ) -> AccessLogEntry:
        check_municipality(municipality)
        for name, value in (("actor", actor), ("role", role)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(name, "must not be empty")
            if not any(c.isalpha() for c in mask_identity_numbers(value)):
                raise InvalidValue(name, "name the user, not only an identity number")
        if not isinstance(action, str) or not _ACTION.match(action):
            raise InvalidValue("action", "a short lower-case name such as 'read_case'")
        if not isinstance(allowed, bool):
            raise InvalidValue("allowed", "say whether the request was allowed")
        if not isinstance(detail, str):
            raise InvalidValue("detail", "must be text")
        return cls._create(
            cls.Recorded,
            id=entry_id,
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            actor=mask_identity_numbers(actor.strip()),
            role=mask_identity_numbers(role.strip()),
            action=action,
            case_ids=_case_ids(case_ids),
            allowed=allowed,
            detail=mask_identity_numbers(detail.strip()),
        )
