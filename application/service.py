"""The application service: one method per use case (command), assembled from the command
modules (each builds on :mod:`application.base`; the dependencies run one way):

- :mod:`application.cases` — applications, documentation, decisions, priority;
- :mod:`application.offers` — offers, stays and the guarantee's checks (on the case
  commands);
- :mod:`application.places` — places and other providers' offers;
- :mod:`application.allocation` — allocation runs (on the offer commands);
- :mod:`application.complaints` — complaints and the access log;
- :mod:`application.municipalities` — the municipality's profile (its own settings);
- :mod:`application.idempotency` — reserving a client's ``Idempotency-Key`` for one
  request.

Each command loads the aggregates it touches, lets the domain check the rules, and saves
every touched aggregate in one ``save()`` — one transaction with optimistic concurrency on
each stream. A retried command (same ``command_id``) is recognised by the aggregate that
handled it and writes nothing new; the ids a command creates are derived from its
``command_id``, so the retry returns the same result.
"""

from __future__ import annotations

from application.allocation import AllocationCommands
from application.base import derived_id
from application.complaints import AccessLogCommands, ComplaintCommands
from application.idempotency import IdempotencyCommands
from application.municipalities import ProfileCommands
from application.places import PlaceCommands


class AllocationService(AllocationCommands, PlaceCommands, ComplaintCommands,
                        AccessLogCommands, IdempotencyCommands, ProfileCommands):
    """Langtidsopphold: applications, decisions, places, offers, allocation runs, the
    guarantee, complaints, the access log, clients' idempotency keys and the
    municipality's profile."""


__all__ = ["AllocationService", "derived_id"]
