"""Tokens revoked before they expire: sign-out ends the session on the server.

A bearer token (the pages keep the same token in their cookie) is valid until its ``exp``;
signing out (``POST /logg-ut``, ``POST /auth/logout``) records it here as revoked until
then, and :class:`~api.auth.TokenVerifier` refuses a revoked token on every request.

**Where.** One small table, ``lto_revoked_tokens``, in the event store's own database (and
PostgreSQL schema), created like the read models' tables: every API process on the store
shares it, and a revocation survives a restart. A row holds no token and nothing about
the person: only a SHA-256 key of the token (:func:`token_key`: of the issuer and the
token's ``jti``, or of the whole token when it carries no ``jti``) and when the token
expires; rows of expired tokens are deleted by later revocations.

**Cost.** The check is one primary-key lookup. A token found *not* revoked is remembered
for ``cache_seconds`` (``LTO_REVOCATION_CACHE_S``, default 5 s; 0 turns the cache off), so a
busy session costs one lookup per few seconds; a revoked token is never remembered as
valid, and a revocation made in this process takes effect here at once (in another process
sharing the store, within ``cache_seconds``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

TABLE = "lto_revoked_tokens"
#: Rows are kept this long past their token's expiry (clocks of processes differ a little).
KEEP_AFTER_EXPIRY_S = 300
#: At most this many "not revoked" answers are remembered at once.
CACHE_MAX = 10_000


def token_key(claims: Mapping[str, Any], token: str) -> str:
    """The key a token is revoked under: its issuer and ``jti`` (the local issuer gives
    every token one), or, for a token without ``jti``, the token itself — hashed either
    way, so the table never holds a usable token."""
    jti = claims.get("jti")
    if isinstance(jti, str) and jti:
        material = f"jti\n{claims.get('iss', '')}\n{jti}"
    else:
        material = f"token\n{token}"
    return hashlib.sha256(material.encode()).hexdigest()


class RevokedTokens:
    """The revoked tokens of one event store (see the module docstring)."""

    def __init__(self, datastore: Any, *, cache_seconds: float = 5.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        if isinstance(datastore, PostgresDatastore):
            self._table = f'"{datastore.schema}"."{TABLE}"'
            self._param = "%s"
        elif isinstance(datastore, SQLiteDatastore):
            self._table, self._param = TABLE, "?"
        else:  # pragma: no cover
            raise TypeError(f"no revocation table for {type(datastore).__name__}")
        self.datastore = datastore
        self.cache_seconds = cache_seconds
        self._monotonic, self._wall_clock = monotonic, wall_clock
        self._valid_until: dict[str, float] = {}  # key -> monotonic moment
        self._generation = 0  # moves on with every revocation made here
        self._lock = threading.Lock()
        self.lookups = 0  # how many times the table was asked (for tests and curiosity)
        self.create_table()

    def _sql(self, sql: str) -> str:
        return sql.replace("{t}", self._table).replace("%s", self._param)

    @contextmanager
    def _cursor(self, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def create_table(self) -> None:
        """Create the table and its index (if missing). Two processes starting at once may
        race on PostgreSQL's catalogue; the loser tries again."""
        statements = (
            "CREATE TABLE IF NOT EXISTS {t} (token_key TEXT PRIMARY KEY, "
            "expires_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_expires ON {{t}} (expires_at)",
        )
        for attempt in range(3):
            try:
                with self._cursor(commit=True) as c:
                    for statement in statements:
                        c.execute(self._sql(statement))
                return
            except PersistenceError:
                if attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def revoke(self, key: str, expires_at: int) -> None:
        """Record the token as revoked until ``expires_at`` (seconds since 1970, its
        ``exp``); again is harmless. Rows of long-expired tokens go in the same
        transaction."""
        now = int(self._wall_clock())
        with self._cursor(commit=True) as c:
            c.execute(self._sql("INSERT INTO {t} (token_key, expires_at, revoked_at) "
                                "VALUES (%s, %s, %s) ON CONFLICT (token_key) DO NOTHING"),
                      (key, int(expires_at), now))
            c.execute(self._sql("DELETE FROM {t} WHERE expires_at < %s"),
                      (now - KEEP_AFTER_EXPIRY_S,))
        with self._lock:  # and a check that raced it does not remember a stale answer
            self._generation += 1
            self._valid_until.pop(key, None)

    def is_revoked(self, key: str) -> bool:
        """Whether the token was revoked: from the cache if it was found valid a moment
        ago, else from the table."""
        now = self._monotonic()
        with self._lock:
            until = self._valid_until.get(key)
            if until is not None and now < until:
                return False
            generation = self._generation
        with self._cursor(commit=False) as c:
            c.execute(self._sql("SELECT 1 FROM {t} WHERE token_key = %s"), (key,))
            revoked = c.fetchone() is not None
        self.lookups += 1
        if not revoked and self.cache_seconds > 0:
            with self._lock:
                if generation != self._generation:
                    return revoked  # a revocation came meanwhile: ask again next time
                if len(self._valid_until) >= CACHE_MAX:
                    self._valid_until.clear()
                self._valid_until[key] = now + self.cache_seconds
        return revoked


__all__ = ["TABLE", "RevokedTokens", "token_key"]
