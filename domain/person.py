"""One person, one open case (R25): the register of a person's cases in a municipality.

Its id is derived from the municipality and a keyed digest of the identity number (the
application holds the key), so the register can be found without a search and without the
number appearing anywhere but in the case's own (encrypted, where configured) events.
Opening a case and registering it here are saved in one transaction: of two applications
for the same person at once, exactly one gets through, and the other is told which case is
open.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base
from domain.errors import DomainError

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:person")


def person_record_id(municipality: str, identity_number: str, key: bytes) -> UUID:
    """The register's id: from the municipality and an HMAC of the identity number."""
    digest = hmac.new(key, f"{municipality}/{identity_number}".encode(), hashlib.sha256)
    return uuid5(_NS, digest.hexdigest())


class CaseAlreadyOpen(DomainError):
    """R25: the person already has an open case in the municipality."""

    code = "case_already_open"

    def __init__(self, case_id: UUID) -> None:
        super().__init__("the person already has an open case in the municipality; "
                         "continue that case", rule="R25", field="identity_number")
        self.case_id = case_id

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "case_id": str(self.case_id)}


class PersonRecord(Base):
    """Which of a person's cases is open (at most one)."""

    class Registered(Base.Created):
        pass

    class CaseOpened(Base.Event):
        case_id: UUID

        def on(self, record: PersonRecord) -> None:
            record.open_case_id = self.case_id
            if self.case_id not in record.case_ids:
                record.case_ids.append(self.case_id)

    class CaseEnded(Base.Event):
        case_id: UUID

        def on(self, record: PersonRecord) -> None:
            if record.open_case_id == self.case_id:
                record.open_case_id = None

    def __init__(self, municipality: str, command_id: str | None) -> None:
        super().__init__(municipality, command_id)
        self.open_case_id: UUID | None = None
        #: Every case of the person's that has been open, oldest first (finding a case
        #: by identity number reads them).
        self.case_ids: list[UUID] = []

    @classmethod
    def register(cls, now: datetime, *, record_id: UUID, municipality: str) -> PersonRecord:
        return cls._create(cls.Registered, id=record_id, timestamp=now,
                           municipality=municipality, command_id=None)

    def open(self, now: datetime, *, case_id: UUID, command_id: str | None = None) -> None:
        """R25: ``case_id`` becomes the person's open case; refused if another is open."""
        if self.open_case_id == case_id:
            return
        if self.open_case_id is not None:
            raise CaseAlreadyOpen(self.open_case_id)
        self.trigger_event(self.CaseOpened, timestamp=now, command_id=command_id,
                           case_id=case_id)

    def end(self, now: datetime, *, case_id: UUID, command_id: str | None = None) -> None:
        if self.open_case_id == case_id:
            self.trigger_event(self.CaseEnded, timestamp=now, command_id=command_id,
                               case_id=case_id)
