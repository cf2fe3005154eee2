"""Idempotency keys: what a client's ``Idempotency-Key`` was first used for.

A write sent with an ``Idempotency-Key`` header runs as the command
``{municipality}:{operation}:{key}``, so a retry is recognised by the aggregates it
touched and writes nothing new. That alone cannot tell a retry from a *different* request
that reuses the key: the second applicant's application would be answered with the first
applicant's case and never be registered. So, before the command runs, the key is
*reserved*: an :class:`IdempotencyKey` aggregate, its id derived from the command id, that
records a fingerprint of the request (method, route, path and query parameters and the
body, as validated). Creating it is an ordinary event-store write, so two requests that
reserve the same key at once conflict in the store (on SQLite and PostgreSQL alike, across
processes and restarts): the one that loses reads the reservation back and compares.

- the same fingerprint: a retry — the command runs and, being handled already, writes
  nothing and answers as the first time;
- another fingerprint: :class:`IdempotencyKeyReused` (HTTP 422), nothing written.

The fingerprint is an HMAC of the request (keyed with ``LTO_IDEMPOTENCY_KEY``, else the
cipher key), never the request itself: a body may carry an identity number, and a plain
hash of a guessable body would confirm a guess.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.base import ServiceBase, derived_id
from domain.base import Base, check_municipality
from domain.errors import DomainError


class IdempotencyKeyReused(DomainError):
    """The ``Idempotency-Key`` was first used for another request (HTTP 422); nothing was
    written. A new request needs a new key."""

    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key er allerede brukt til en annen forespørsel (annet innhold "
            "eller en annen sak). Bruk en ny nøkkel for en ny forespørsel; ingenting er "
            "lagret.", field="Idempotency-Key")


class IdempotencyKey(Base):
    """One client key, reserved by the first request that used it. Never changed."""

    #: Saving it is no access to a person's data in itself (see ServiceBase.logging_access).
    access_neutral = True

    class Reserved(Base.Created):
        operation: str
        fingerprint: str

    def __init__(self, municipality: str, command_id: str | None, operation: str,
                 fingerprint: str, **_: Any) -> None:
        super().__init__(municipality, command_id)
        self.operation = operation
        self.fingerprint = fingerprint

    @classmethod
    def reserve(cls, now: datetime, *, key_id: UUID, municipality: str, operation: str,
                fingerprint: str, command_id: str) -> IdempotencyKey:
        check_municipality(municipality)
        return cls._create(cls.Reserved, id=key_id, timestamp=now, municipality=municipality,
                           command_id=command_id, operation=operation,
                           fingerprint=fingerprint)

    def fits(self, fingerprint: str) -> bool:
        """Whether a request with this fingerprint is the one the key was reserved for."""
        return hmac.compare_digest(self.fingerprint, fingerprint)


def idempotency_key_id(municipality: str, command_id: str) -> UUID:
    return derived_id("idempotency_key", municipality, command_id)


class IdempotencyCommands(ServiceBase):
    """Reserving a client's idempotency key before its command runs."""

    def _fingerprint(self, request: bytes) -> str:
        secret = self.env.get("LTO_IDEMPOTENCY_KEY") or self.env.get("CIPHER_KEY") or ""
        key = hashlib.sha256(b"langtidsopphold/idempotency/" + secret.encode()).digest()
        return hmac.new(key, request, hashlib.sha256).hexdigest()

    def reserve_idempotency_key(self, municipality: str, command_id: str, *, operation: str,
                                request: bytes) -> bool:
        """Reserve ``command_id`` (``{municipality}:{operation}:{key}``) for the request
        described by ``request`` (canonical bytes). Returns True when this call reserved
        it, False when it was reserved before for the same request (a retry). Raises
        :class:`IdempotencyKeyReused` when it was reserved for another request."""
        fingerprint = self._fingerprint(request)
        key_id = idempotency_key_id(municipality, command_id)
        found = self._exists(key_id)
        if found is None:
            key = IdempotencyKey.reserve(self._now(), key_id=key_id, municipality=municipality,
                                         operation=operation, fingerprint=fingerprint,
                                         command_id=command_id)
            try:
                self.save(key)
                return True
            except IntegrityError:  # a concurrent request reserved it first
                found = self._exists(key_id)
        if not (isinstance(found, IdempotencyKey) and found.municipality == municipality
                and found.fits(fingerprint)):
            raise IdempotencyKeyReused
        return False


__all__ = ["IdempotencyCommands", "IdempotencyKey", "IdempotencyKeyReused",
           "idempotency_key_id"]
