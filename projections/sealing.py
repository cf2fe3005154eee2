"""Encryption at rest of the read models (issue: nothing leaked): what the read side writes
of a person — the case documents, the case history's text, the access log, the names in
the deadline monitor's tables — is sealed with the same key as the events.

The event store encrypts with eventsourcing's ``AESCipher`` when ``CIPHER_TOPIC`` and
``CIPHER_KEY`` are set. The read models then use **the same key and the same format**
(AES-GCM, 96-bit random nonce, ``nonce | tag | ciphertext``: a value sealed here opens with
``AESCipher.decrypt`` and the other way round), through the ``cryptography`` package's
AES-GCM (OpenSSL's), about thirty times faster per value than pycryptodome's, which matters
for a rebuild that writes millions of versions. Without a cipher the sealer is the identity
(:data:`PLAIN`).

Search by name uses a **blind index** (:meth:`Sealer.blind`): each normalised word of a
name is kept as an HMAC-SHA256 under a key derived from the cipher key (never the cipher
key itself), so equal words match in SQL and nothing of the name is readable at rest.

What stays plain, by design: the columns that SQL filters, sorts, pages and sums by — ids
(random UUIDs), the municipality, statuses, place types, dates, days and amounts. None of
them is a name, an identity number or free text; a case id links them to a person only
through the sealed documents.

Sealing happens where rows meet the database (:class:`projections.store.SqlStore`): the
store keeps and compares the plain packed documents in memory (a version is written only
when its document changed, compared as bytes), seals what it writes and opens what it reads.
A store sealed with one key (or none) that is opened with another is of an earlier layout
and is rebuilt from the log (:meth:`~projections.store.SqlStore.has_current_layout`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE, _TAG = 12, 16


class Sealer:
    """No encryption: values are stored as they are."""

    sealed = False

    def seal(self, data: bytes) -> bytes:
        return data

    def open(self, data: bytes) -> bytes:
        return bytes(data)

    def seal_text(self, text: str | None) -> str | None:
        return text

    def open_text(self, text: str | None) -> str | None:
        return text

    def blind(self, token: str) -> str:
        """A search token as the blind index keeps it (:mod:`projections.casework_rows`):
        without encryption, the token itself."""
        return token


class AesSealer(Sealer):
    """AES-GCM with the event store's key, in eventsourcing's ``AESCipher`` format. A text
    is sealed as the base64 of its sealed UTF-8 bytes."""

    sealed = True

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("CIPHER_KEY: an AES key is 16, 24 or 32 bytes (base64)")
        self._aead = AESGCM(key)
        # the blind index's key: derived from the cipher key, used for nothing else
        self._blind_key = hmac.new(key, b"langtidsopphold/blind-index/v1",
                                   hashlib.sha256).digest()

    def seal(self, data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, bytes(data), None)  # ciphertext | tag
        return nonce + sealed[-_TAG:] + sealed[:-_TAG]

    def open(self, data: bytes) -> bytes:
        data = bytes(data)
        if len(data) < _NONCE + _TAG:
            raise SealError("too short to be sealed")
        nonce, tag, body = data[:_NONCE], data[_NONCE:_NONCE + _TAG], data[_NONCE + _TAG:]
        try:
            return self._aead.decrypt(nonce, body + tag, None)
        except InvalidTag:
            raise SealError("not sealed with this key") from None

    def seal_text(self, text: str | None) -> str | None:
        if text is None:
            return None
        return base64.b64encode(self.seal(text.encode())).decode("ascii")

    def blind(self, token: str) -> str:
        """HMAC-SHA256 of the token under the blind-index key (128 bits, hex): equal
        tokens match, and nothing of the token can be read back."""
        return hmac.new(self._blind_key, token.encode(), hashlib.sha256).hexdigest()[:32]

    def open_text(self, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raise SealError("not sealed text") from None
        return self.open(raw).decode()


class SealError(ValueError):
    """A stored value that this key does not open (plain, or sealed with another key)."""


PLAIN = Sealer()


def sealer_for(env: Mapping[str, str] | object) -> Sealer:
    """The read models' sealer for an application's environment: AES with ``CIPHER_KEY``
    when the events are encrypted (``CIPHER_TOPIC`` set), else :data:`PLAIN`."""
    get = getattr(env, "get", None)
    assert get is not None
    if not get("CIPHER_TOPIC"):
        return PLAIN
    key = get("CIPHER_KEY")
    if not key:
        raise ValueError("CIPHER_TOPIC is set without CIPHER_KEY")
    return AesSealer(base64.b64decode(key))
