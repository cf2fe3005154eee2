"""The service's foundation: the event-sourced application, its clock and policy, loading
and saving aggregates, and finding them by their events.

The command modules build on this one and on nothing above them: :mod:`application.cases`
(applications, documentation, decisions, priority), :mod:`.offers` (offers, stays, the
guarantee's checks; on the case commands), :mod:`.places` (places and other providers'
offers), :mod:`.allocation` (allocation runs; on the offer commands), :mod:`.complaints`
(complaints and the access log); :mod:`.service` assembles them into one
:class:`~application.service.AllocationService`.

The library is synchronous; callers in FastAPI use plain ``def`` routes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import get_topic

from application.clock import Clock, SystemClock
from application.errors import ConcurrencyConflict, StaleVersion
from application.group_commit import GroupCommit
from application.transcodings import register_domain_transcodings
from application.waiting_cases import OverdueAnswers, WaitingCases
from domain.access import AccessLogEntry, ListView
from domain.base import Base, local_date
from domain.case import Case
from domain.errors import NotFound
from domain.place import Place
from domain.policy import Policy, policy_id
from domain.provider import ProviderOffer
from domain.values import PolicySettings

A = TypeVar("A", bound=Base)
_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:command")


def derived_id(kind: str, scope: UUID | str, command_id: str | None) -> UUID:
    """An id a retried command reproduces; a fresh one when there is no command id."""
    if not command_id:
        return uuid4()
    return uuid5(_NS, f"{kind}/{scope}/{command_id}")


@dataclass
class Expectation:
    """What the caller expects of one aggregate while a command runs
    (:meth:`ServiceBase.expecting`): the versions it may be at when loaded (None: any),
    and, once saved, the version the command left it at."""

    aggregate_id: UUID
    versions: frozenset[int] | None
    saved_version: int | None = None


#: The expectation of the command running in this context (thread or task), if any.
_EXPECTATION: ContextVar[Expectation | None] = ContextVar("lto_expectation", default=None)


@dataclass
class AccessNote:
    """The access-log entry (tilgangslogg) of a request that may write, kept open while its
    commands run (:meth:`ServiceBase.logging_access`). ``who`` tells, when asked, the
    municipality, actor, role and what was done (None: nobody to log yet); ``cases`` the
    cases the request names so far, and ``views`` the lists of persons it showed (live lists
    the caller may add to). Each save of the request that writes a person's data carries an
    entry naming the cases and list views it has not yet logged, in the same transaction: a
    write is never committed without its entry. ``logged_views`` counts the views logged so
    far (the first ones of ``views``)."""

    action: str
    who: Callable[[], tuple[str, str, str, str] | None]
    cases: list[UUID] = field(default_factory=list)
    logged: set[UUID] = field(default_factory=set)
    entries: int = 0
    views: list[ListView] = field(default_factory=list)
    logged_views: int = 0


_ACCESS: ContextVar[AccessNote | None] = ContextVar("lto_access", default=None)


class ServiceBase(Application[UUID]):
    """Langtidsopphold: the application's plumbing (see the module docstring)."""

    name = "Langtidsopphold"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": "data/events.sqlite",
    }

    def __init__(self, env: dict[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()
        #: Where the waiting cases are (the read side of a running service); None: the log.
        self.waiting_cases: WaitingCases | None = None
        #: R25: the key of the person register's ids (from ``LTO_PERSON_KEY``, else the
        #: cipher key, else a fixed one when nothing is encrypted anyway).
        secret = self.env.get("LTO_PERSON_KEY") or self.env.get("CIPHER_KEY") or ""
        self.person_key = hashlib.sha256(b"langtidsopphold/person/" + secret.encode()).digest()
        #: The saves of reads' access-log entries, several to a transaction under load
        #: (:mod:`application.group_commit`).
        self.grouped = GroupCommit(self.save)

    def use_waiting_cases(self, source: WaitingCases | None) -> None:
        """Let the deadline check and the allocation run find the waiting cases through
        ``source`` (e.g. the read side) instead of scanning the event log; None goes back to
        the scan."""
        self.waiting_cases = source

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # --- plumbing ---------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock.now()

    def _today(self) -> date:
        return local_date(self._now())

    def _load(self, cls: type[A], aggregate_id: UUID, municipality: str, what: str) -> A:
        """Load an aggregate of the user's municipality; anything else is 'not found', so
        one municipality cannot learn what another holds."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with that id", field=f"{what}_id") from None
        if not isinstance(aggregate, cls) or aggregate.municipality != municipality:
            raise NotFound(f"no {what} with that id", field=f"{what}_id")
        return aggregate

    def _exists(self, aggregate_id: UUID) -> Base | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # --- optimistic concurrency the caller asks for (If-Match) ------------------------

    @contextmanager
    def expecting(self, aggregate_id: UUID, versions: Iterable[int] | None
                  ) -> Iterator[Expectation]:
        """Run the commands of this block only if the aggregate ``aggregate_id`` is at one
        of ``versions`` (an ``If-Match``; None: any version, nothing checked) when they
        load it; otherwise they raise :class:`StaleVersion` and write nothing. The check
        is atomic with the write: the save is conditional on the version loaded (the event
        store's optimistic concurrency), so a change that comes between the check and the
        save makes the save fail (:class:`ConcurrencyConflict`). A retried command (its
        ``command_id`` handled already) is not checked: it writes nothing and answers as
        the first time. The yielded :class:`Expectation` tells the version the commands
        left the aggregate at."""
        expectation = Expectation(aggregate_id,
                                  None if versions is None else frozenset(versions))
        token = _EXPECTATION.set(expectation)
        try:
            yield expectation
        finally:
            _EXPECTATION.reset(token)

    @staticmethod
    def check_version(aggregate: Base, versions: frozenset[int] | None) -> None:
        """Raise :class:`StaleVersion` unless ``aggregate`` was loaded at one of
        ``versions`` (its version before the events pending on it)."""
        loaded = aggregate.version - len(aggregate.pending_events)
        if versions is not None and loaded not in versions:
            raise StaleVersion(loaded)

    def _check_expected(self, aggregate: Base) -> None:
        """The check of :meth:`expecting`, if this aggregate is the one expected."""
        expectation = _EXPECTATION.get()
        if expectation is not None and expectation.aggregate_id == aggregate.id:
            self.check_version(aggregate, expectation.versions)

    # --- the access log saved with the write (tilgangslogg) -----------------------------

    @contextmanager
    def logging_access(self, note: AccessNote) -> Iterator[AccessNote]:
        """While this block runs, every save that writes a person's data (a case, or any
        aggregate while cases are named) also saves an access-log entry naming the cases it
        logs for the first time, in the same transaction. ``note.entries`` tells how many
        were saved; cases named after the last save are the caller's to log."""
        token = _ACCESS.set(note)
        try:
            yield note
        finally:
            _ACCESS.reset(token)

    #: Called after every save that stored events (the server's read side is nudged, so
    #: that its projector applies them at once rather than at its next poll).
    after_save: Callable[[], None] | None = None

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        note = _ACCESS.get()
        logged: tuple[list[UUID], int] | None = None
        if note is not None:
            found = self._access_entry(note, [o for o in objs if isinstance(o, Base)])
            if found is not None:
                entry, logged = found
                objs = (*objs, entry)
        recordings = super().save(*objs, **kwargs)
        if note is not None and logged is not None:
            # only once saved: a save that failed (a race lost, to be run again) logged
            # nothing, and the next attempt's save must carry the entry
            note.logged.update(logged[0])
            note.logged_views += logged[1]
            note.entries += 1
        if recordings and self.after_save is not None:
            self.after_save()
        return recordings

    def _access_entry(self, note: AccessNote, aggregates: list[Base]
                      ) -> tuple[Base, tuple[list[UUID], int]] | None:
        """The access-log entry a save of ``aggregates`` carries (and the cases and the
        number of list views it logs), or None when it logs nothing new."""
        substantive = [a for a in aggregates if not getattr(a, "access_neutral", False)]
        if not substantive:
            return None
        who = note.who()
        if who is None:
            return None
        municipality, actor, role, detail = who
        named = [a.id for a in substantive if isinstance(a, Case)
                 and a.municipality == municipality]
        cases = [c for c in dict.fromkeys([*note.cases, *named]) if c not in note.logged]
        views = note.views[note.logged_views:]
        if not cases and not views:
            return None
        entry = AccessLogEntry.record(
            self._now(), entry_id=uuid4(), municipality=municipality, actor=actor, role=role,
            action=note.action, case_ids=cases, allowed=True,
            detail=f"{detail} (saved with the write)", views=views)
        return entry, (cases, len(views))

    def _commit(self, *aggregates: Base | None) -> None:
        for aggregate in aggregates:
            if aggregate is not None:
                self._check_expected(aggregate)
        if len([a for a in aggregates if a is not None]) > 1:
            aggregates = tuple(None if isinstance(a, Policy) and self._establish(a) else a
                               for a in aggregates)
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrencyConflict(
                "someone else changed this case or place at the same time; nothing was "
                "saved — reload and try again"
            ) from None
        expectation = _EXPECTATION.get()
        if expectation is not None:
            for aggregate in aggregates:
                if aggregate is not None and aggregate.id == expectation.aggregate_id:
                    expectation.saved_version = aggregate.version

    def _establish(self, policy: Policy) -> bool:
        """Store a municipality's first policy (version 1, the regulation's defaults, not
        yet stored) in a save of its own, just before the save of the command that first
        needs it. Saved with that command, two such commands at once — the first decisions
        of a new municipality, on two cases — conflicted on the policy though neither
        touched the other's case, and one was refused (409 ``conflict``) for nothing. Now
        the one that loses the race finds the same version 1 stored and goes on. Returns
        whether ``policy`` was such a new policy (and is stored now). The policy is no
        one's personal data: its own save carries no access-log entry."""
        if not (policy.version == len(policy.pending_events) == 1):
            return False
        try:
            super().save(policy)  # the Application's save: no access-log entry
        except IntegrityError:
            stored = self._exists(policy.id)
            if not (isinstance(stored, Policy) and [s for _, s in stored.versions]
                    == [s for _, s in policy.versions]):
                raise ConcurrencyConflict("the municipality's policy changed at the same "
                                          "time; nothing was saved — try again") from None
        return True

    def get_case(self, municipality: str, case_id: UUID) -> Case:
        return self._load(Case, case_id, municipality, "case")

    def get_place(self, municipality: str, place_id: UUID) -> Place:
        return self._load(Place, place_id, municipality, "place")

    def get_provider_offer(self, municipality: str, offer_id: UUID) -> ProviderOffer:
        return self._load(ProviderOffer, offer_id, municipality, "provider_offer")

    # --- policy -----------------------------------------------------------------------

    def policy(self, municipality: str) -> Policy:
        """The municipality's policy; version 1 (the regulation's defaults) if none yet.
        A policy not yet stored is saved by the first command that uses it."""
        found = self._exists(policy_id(municipality))
        if isinstance(found, Policy):
            return found
        return Policy.establish(municipality, self._now())

    def policy_on(self, municipality: str, day: date) -> tuple[Policy, int, PolicySettings]:
        """The policy, and the version and settings in force on ``day``."""
        policy = self.policy(municipality)
        version, settings = policy.in_force_on(day)
        return policy, version, settings

    def set_policy(self, municipality: str, *, issued_by: str, reason: str,
                   effective_from: date | None = None, command_id: str | None = None,
                   **changes: Any) -> int:
        """Issue a new policy version (R18–R20, the priority weights), from
        ``effective_from`` (today if None), saying who and why. Returns its number."""
        policy = self.policy(municipality)
        if policy.has_handled(command_id):
            return policy.current_version
        now = self._now()
        policy.revise(now, issued_by=issued_by, effective_from=effective_from or local_date(now),
                      reason=reason, command_id=command_id, **changes)
        self._commit(policy)
        return policy.current_version

    # --- finding aggregates by their events -------------------------------------------

    def _ids_with_topics(self, topics: list[str]) -> Iterator[UUID]:
        seen: set[UUID] = set()
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=1000, topics=topics)
            if not batch:
                return
            for n in batch:
                oid = n.originator_id if isinstance(n.originator_id, UUID) \
                    else UUID(str(n.originator_id))
                if oid not in seen:
                    seen.add(oid)
                    yield oid
            start = batch[-1].id + 1

    def waiting_case_ids(self, municipality: str | None = None) -> Iterator[UUID]:
        """Candidates for the waiting list (R12), of ``municipality`` or of all: the cases
        on it, from :attr:`waiting_cases` when one is set (the read side, brought up to date
        first); otherwise every case that has ever had a decision, of any municipality,
        scanned from the whole event log (the fallback for tests and small tools). Either
        way a superset is possible: callers load each case and let it decide."""
        if self.waiting_cases is not None:
            return iter(self.waiting_cases.waiting_case_ids(municipality))
        return self._ids_with_topics([get_topic(Case.DecisionMade),
                                      "domain.case:Case.DecisionMade"])

    def move_offer_case_ids(self, municipality: str | None = None) -> Iterator[UUID]:
        """R26 for moves (R28): candidates for a move offer past its answer deadline, of
        ``municipality`` or of all: from :attr:`waiting_cases` when it knows the overdue
        answers (the read side, brought up to date first); otherwise every case that was
        ever offered a move, scanned from the event log. A superset: each case decides."""
        if isinstance(self.waiting_cases, OverdueAnswers):
            today = local_date(self._now())
            return iter(self.waiting_cases.overdue_answer_case_ids(municipality, today))
        return self._ids_with_topics([get_topic(Case.MoveOffered)])

    def place_ids(self) -> Iterator[UUID]:
        return self._ids_with_topics([get_topic(Place.Registered)])

    def provider_offer_ids(self) -> Iterator[UUID]:
        return self._ids_with_topics([get_topic(ProviderOffer.Registered)])


__all__ = ["ConcurrencyConflict", "Expectation", "IntegrityError", "ServiceBase",
           "StaleVersion", "derived_id"]
