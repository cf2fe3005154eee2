"""Settings of the HTTP service (environment variables with the ``LTO_`` prefix).

The store is chosen by eventsourcing's own variables (see ``application/bootstrap.py``).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LTO_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")

    #: Tokens: issuer and audience every token must name (``iss``, ``aud``).
    auth_issuer: str = "urn:langtidsopphold:local-issuer"
    auth_audience: str = "langtidsopphold"
    #: Production: the identity provider's public key (PEM file) or its JWKS address
    #: (HelseID publishes one); when neither is set, the embedded local issuer signs and
    #: verifies with a key kept in ``data_dir``.
    auth_public_key_file: Path | None = None
    auth_jwks_url: str | None = None
    auth_algorithms: tuple[str, ...] = ("RS256",)
    #: The embedded issuer with demo users (one per role) and ``POST /auth/demo-token``.
    local_issuer: bool = True
    token_minutes: int = 60
    #: Sign-out revokes the token (``api/revocation.py``); a token found not revoked is
    #: remembered this many seconds before the store is asked again (0: every request).
    revocation_cache_s: float = 5.0

    #: The reverse proxies whose ``X-Forwarded-Proto`` / ``X-Forwarded-For`` are believed
    #: (comma-separated addresses or networks, e.g. ``10.0.0.5,10.1.0.0/16``; ``*`` trusts
    #: every peer, only for a proxy that is the sole way in). Empty: no one's. A request
    #: that came over TLS, directly or through one of them, gets its session cookie
    #: ``Secure``; with ``production`` the cookie is always ``Secure``.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    #: Seed the demo municipality on first start when the store is empty.
    demo: bool = True
    demo_municipality: str = "4601"

    #: Read-your-writes: how long a read that asks for its own write's position waits for
    #: the read models (see ``api/freshness.py``).
    read_timeout_s: float = 5.0
    #: Who keeps the read models current: ``thread``, a background projector in each
    #: server process (the embedded default); ``external``, another process
    #: (``python -m projections run``; ``python -m api --workers N`` starts one).
    projector: Literal["thread", "external"] = "thread"
    #: At start, read models lagging far behind the log (the first start over a large
    #: store) are rebuilt with worker processes rather than caught up batch by batch.
    rebuild_on_start: bool = True
    #: PostgreSQL: read the read models from a streaming replica at this host (and port;
    #: the rest as the store's ``POSTGRES_*``). Writes and the access log go to the primary;
    #: needs ``projector=external`` (the projector writes to the primary).
    read_replica_host: str = ""
    read_replica_port: int = 0

    #: Several server processes share one listening socket: a keep-alive connection is
    #: closed after this many answers, so connections opened together do not stay with one
    #: process (``api/turnover.py``; 0: never, the default of one process;
    #: ``python -m api --workers N`` sets 32 unless it is set).
    connection_requests: Annotated[int, Field(ge=0)] = 0

    #: R18: how often the server's background task records due deadline breaches
    #: (seconds; 0 turns it off — then run ``check_deadlines`` from another scheduler).
    deadline_check_interval_s: float = 3600.0

    #: Production settings: refuses the training clock and the local issuer's demo users;
    #: the session cookie is always ``Secure``.
    production: bool = False
    #: R21: a training clock that ``POST /training/clock`` moves forward (never in
    #: production settings).
    training_clock: bool = False

    #: uvicorn's log level ("info" shows one access line per request: method, path, status;
    #: an identity number typed into a path or query is masked, see ``api/logs.py``).
    log_level: str = "info"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list | tuple):
            for item in value:
                if item != "*":
                    ipaddress.ip_network(str(item), strict=False)  # ValueError if not one
        return value
