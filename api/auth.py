"""Who is calling: bearer tokens (JWT) checked by signature, issuer, audience and expiry.

Tokens carry the role and the municipality (kommunenummer) as claims, shaped so that an
OpenID Connect provider such as HelseID can issue them in production::

    {"iss": ..., "aud": "langtidsopphold", "sub": "...", "name": "...", "exp": ..., "iat": ...,
     "jti": "...", "role": "allocation_officer", "municipality": "4601"}

On the embedded default a local issuer signs tokens (RS256) with a key it keeps in the data
folder, for a few demo users, one per role (:data:`DEMO_USERS`); each token gets its own
``jti``. Signing out revokes the token until it expires (:mod:`api.revocation`): the
verifier refuses a revoked token like an expired one.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.revocation import RevokedTokens, token_key
from api.settings import ApiSettings


class Role(StrEnum):
    ALLOCATION_OFFICER = "allocation_officer"  # tildelingsenhet / saksbehandler
    MANAGER = "manager"  # ledelse: statistics and deadlines, no names
    COMPLAINT_HANDLER = "complaint_handler"  # klagebehandler (R21)
    MUNICIPAL_ADMIN = "municipal_admin"  # kommunens fagadministrator: profile and policy


ROLE_LABELS = {
    Role.ALLOCATION_OFFICER: "Saksbehandler i tildelingsenheten",
    Role.MANAGER: "Leder",
    Role.COMPLAINT_HANDLER: "Klagebehandler",
    Role.MUNICIPAL_ADMIN: "Kommunens fagadministrator",
}


@dataclass(frozen=True)
class Principal:
    subject: str
    name: str
    role: Role
    municipality: str
    #: The key the token that named this caller is revoked under (:func:`token_key`),
    #: and when that token expires (seconds since 1970): what signing out records.
    token_key: str = field(default="", repr=False, compare=False)
    expires_at: int = field(default=0, repr=False, compare=False)

    @property
    def sees_identity(self) -> bool:
        """Management sees no names or identity numbers."""
        return self.role is not Role.MANAGER


class AuthError(Exception):
    """No valid token: HTTP 401."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role
    municipality: str


DEMO_USERS: dict[str, DemoUser] = {
    u.username: u
    for u in (
        DemoUser("saksbehandler", "Kari Nordmann", Role.ALLOCATION_OFFICER, "4601"),
        DemoUser("leder", "Per Hansen", Role.MANAGER, "4601"),
        DemoUser("klagebehandler", "Ingrid Berg", Role.COMPLAINT_HANDLER, "4601"),
        DemoUser("saksbehandler-oslo", "Ola Olsen", Role.ALLOCATION_OFFICER, "0301"),
        DemoUser("leder-oslo", "Anne Larsen", Role.MANAGER, "0301"),
        DemoUser("fagadmin", "Tone Vik", Role.MUNICIPAL_ADMIN, "4601"),
        DemoUser("fagadmin-oslo", "Erik Moe", Role.MUNICIPAL_ADMIN, "0301"),
    )
}


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The local issuer's key, made once: several server processes starting together on an
    empty data folder must all sign with the same key (each one's tokens are checked by
    the others), so the key is written to a file of its own and linked into place, which
    fails for all but the first; the others read the first one's."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # atomic; never over a key there
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover
        raise RuntimeError(f"{path} does not hold an RSA key")
    return key


class LocalIssuer:
    """The embedded issuer: signs tokens for the demo users (and for tests)."""

    def __init__(self, settings: ApiSettings, key: rsa.RSAPrivateKey | None = None) -> None:
        self.settings = settings
        self.key = key or _load_or_create_key(settings.data_dir / "local-issuer-key.pem")

    def public_key_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def issue(self, *, subject: str, name: str, role: Role, municipality: str,
              minutes: int | None = None, now: datetime | None = None,
              **extra: Any) -> str:
        moment = now or datetime.now(UTC)
        claims = {
            "iss": self.settings.auth_issuer, "aud": self.settings.auth_audience,
            "sub": subject, "name": name, "role": role.value, "municipality": municipality,
            "iat": int(moment.timestamp()),
            "exp": int((moment + timedelta(minutes=minutes or self.settings.token_minutes))
                       .timestamp()),
            "jti": uuid4().hex,
            **extra,
        }
        # a claim given as None is left out (tests make tokens without ``jti`` so)
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, self.key,
                          algorithm="RS256")

    def issue_demo(self, username: str) -> str:
        user = DEMO_USERS.get(username)
        if user is None:
            raise AuthError(f"no demo user {username!r}")
        return self.issue(subject=f"demo:{user.username}", name=user.name, role=user.role,
                          municipality=user.municipality)


#: Tokens found valid a moment ago, kept at most this many (then all dropped).
KNOWN_MAX = 10_000


class TokenVerifier:
    """Checks a bearer token and returns who it names; with ``revoked``, refuses a token
    revoked by signing out (and :meth:`revoke` records one).

    A token found valid is known for as long as the revocation store trusts a "not
    revoked" (``LTO_REVOCATION_CACHE_S``, 5 s; and never past its expiry): within that time
    the same token is answered from memory, without checking its signature again or asking
    the store (:meth:`known`; the request's event loop does so, sparing it a worker
    thread's round trip). Signing out here forgets every known token at once; a sign-out in
    another process is seen within that time, as before."""

    def __init__(self, settings: ApiSettings, issuer: LocalIssuer | None = None,
                 revoked: RevokedTokens | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.revoked = revoked
        self._monotonic = monotonic
        self.known_seconds = revoked.cache_seconds if revoked is not None else 5.0
        self._known: dict[str, tuple[Principal, float]] = {}
        self._known_lock = threading.Lock()
        self._generation = 0
        self._jwks: jwt.PyJWKClient | None = None
        self._key: Any = None
        if settings.auth_jwks_url:
            self._jwks = jwt.PyJWKClient(settings.auth_jwks_url)
        elif settings.auth_public_key_file:
            self._key = settings.auth_public_key_file.read_bytes()
        elif issuer is not None:
            self._key = issuer.public_key_pem()
        else:
            raise RuntimeError("no way to verify tokens: set LTO_AUTH_JWKS_URL or "
                               "LTO_AUTH_PUBLIC_KEY_FILE, or enable the local issuer")

    def known(self, token: str) -> Principal | None:
        """The principal of ``token`` if it was found valid a moment ago and has not
        expired; None otherwise (then :meth:`verify` it). Never does I/O."""
        found = self._known.get(token)
        if found is None:
            return None
        principal, until = found
        if self._monotonic() >= until or time.time() >= principal.expires_at:
            return None
        return principal

    def verify(self, token: str) -> Principal:
        principal = self.known(token)
        if principal is not None:
            return principal
        with self._known_lock:
            generation = self._generation
        principal = self._verify(token)
        if self.known_seconds > 0:
            with self._known_lock:
                if generation == self._generation:  # no sign-out here meanwhile
                    if len(self._known) >= KNOWN_MAX:
                        self._known.clear()
                    self._known[token] = (principal, self._monotonic() + self.known_seconds)
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            key = (self._jwks.get_signing_key_from_jwt(token).key if self._jwks is not None
                   else self._key)
            claims = jwt.decode(
                token, key, algorithms=list(self.settings.auth_algorithms),
                audience=self.settings.auth_audience, issuer=self.settings.auth_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        try:
            role = Role(claims["role"])
            municipality = str(claims["municipality"])
        except (KeyError, ValueError):
            raise AuthError("the token names no known role and municipality") from None
        if not (len(municipality) == 4 and municipality.isdigit()):
            raise AuthError("the token's municipality is not a kommunenummer")
        key = token_key(claims, token)
        if self.revoked is not None and self.revoked.is_revoked(key):
            raise AuthError("the token has been revoked (signed out)")
        return Principal(subject=str(claims["sub"]), name=str(claims.get("name", "")),
                         role=role, municipality=municipality, token_key=key,
                         expires_at=int(claims["exp"]))

    def revoke(self, principal: Principal) -> None:
        """Sign out: the token that named ``principal`` is refused from now on, in every
        process on this store, until it expires."""
        if self.revoked is None:
            raise RuntimeError("no revocation store: tokens cannot be revoked")
        if not principal.token_key:
            raise ValueError("the principal names no token")
        self.revoked.revoke(principal.token_key, principal.expires_at)
        with self._known_lock:
            self._generation += 1
            self._known.clear()
