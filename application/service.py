"""The application service: one method per use case (command).

Each command loads the aggregates it touches, lets the domain check the rules, and saves
every touched aggregate in one ``save()`` — one transaction with optimistic concurrency on
each stream. A retried command (same ``command_id``) is recognised by the aggregate that
handled it and writes nothing new; the ids a command creates are derived from its
``command_id``, so the retry returns the same result.

The library is synchronous; callers in FastAPI use plain ``def`` routes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import get_topic

from application.allocation import AllocationCommands
from application.clock import Clock, SystemClock
from application.complaints import AccessLogCommands, ComplaintCommands
from application.errors import ConcurrencyConflict
from application.transcodings import register_domain_transcodings
from application.waiting_cases import WaitingCases
from domain.base import Base, local_date
from domain.case import Case, check_spouse_co_location, link_spouses
from domain.errors import InvalidState, InvalidValue, NotFound
from domain.place import Place
from domain.policy import Policy, policy_id
from domain.provider import ProviderOffer
from domain.values import (
    BreachChoice,
    Channel,
    ClosureReason,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    MedicalSource,
    OfferKind,
    PlaceType,
    RoomKind,
    StayEndReason,
    VacancyReason,
)

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Base)
_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:command")


def derived_id(kind: str, scope: UUID | str, command_id: str | None) -> UUID:
    """An id a retried command reproduces; a fresh one when there is no command id."""
    if not command_id:
        return uuid4()
    return uuid5(_NS, f"{kind}/{scope}/{command_id}")


class AllocationService(AllocationCommands, ComplaintCommands, AccessLogCommands,
                         Application[UUID]):
    """Langtidsopphold: applications, decisions, places, offers and the guarantee."""

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

    def _commit(self, *aggregates: Base | None) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrencyConflict(
                "someone else changed this case or place at the same time; nothing was "
                "saved — reload and try again"
            ) from None

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

    def set_policy(self, municipality: str, *, issued_by: str, effective_from: date | None = None,
                   command_id: str | None = None, **changes: Any) -> int:
        """Issue a new policy version (or the first one). Returns the version number."""
        policy = self.policy(municipality)
        if policy.has_handled(command_id):
            return policy.current_version
        now = self._now()
        policy.revise(now, issued_by=issued_by, effective_from=effective_from or local_date(now),
                      command_id=command_id, **changes)
        self._commit(policy)
        return policy.current_version

    # --- applications and documentation ----------------------------------------------

    def receive_application(
        self, municipality: str, *, identity_number: str, name: str,
        received_on: date | None = None, channel: Channel = Channel.DIGITAL,
        spouse_case_id: UUID | None = None, accompanying_spouse: bool = False,
        receives_other_services: bool = True, dementia_suspected: bool = False,
        command_id: str | None = None,
    ) -> UUID:
        """Register an application (søknad). With a ``command_id`` the case id is derived
        from it, so a retry returns the same case and writes nothing."""
        case_id = derived_id("case", municipality, command_id)
        if command_id and self._exists(case_id) is not None:
            return self.get_case(municipality, case_id).id
        spouse = None
        if spouse_case_id is not None:
            spouse = self.get_case(municipality, spouse_case_id)
        case = Case.receive_application(
            self._now(), case_id=case_id, municipality=municipality,
            identity_number=identity_number, name=name, received_on=received_on,
            channel=channel, spouse_case_id=spouse_case_id,
            accompanying_spouse=accompanying_spouse,
            receives_other_services=receives_other_services,
            dementia_suspected=dementia_suspected, command_id=command_id,
        )
        if spouse is not None:
            link_spouses(self._now(), case, spouse, command_id=command_id)  # R10
        try:
            self.save(case, spouse)
        except IntegrityError:
            if command_id and self._exists(case_id) is not None:
                return case_id  # a concurrent retry of the same command got there first
            raise ConcurrencyConflict("the spouse's case changed at the same time") from None
        log.info("application received case=%s municipality=%s", case.id, municipality)
        return case.id

    def link_spouses(self, municipality: str, case_id: UUID, spouse_case_id: UUID, *,
                     command_id: str | None = None) -> None:
        """R10: link two cases as spouses or cohabitants, both ways, in one save. Refused
        when either is linked to a third case; linking the same pair again writes nothing."""
        case = self.get_case(municipality, case_id)
        spouse = self.get_case(municipality, spouse_case_id)
        if case.has_handled(command_id):
            return
        link_spouses(self._now(), case, spouse, command_id=command_id)
        self._commit(case, spouse)

    def _on_case(self, municipality: str, case_id: UUID, command_id: str | None,
                 method: str, **kwargs: Any) -> Any:
        """Run one single-case command: load, check retry, call the domain, save."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return None
        result = getattr(case, method)(self._now(), command_id=command_id, **kwargs)
        self._commit(case)
        return result

    def record_own_account(self, municipality: str, case_id: UUID, *, what_matters: str,
                           account: str, recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_own_account",
                      what_matters=what_matters, account=account, recorded_by=recorded_by)

    def record_relatives(self, municipality: str, case_id: UUID, *, name: str, relation: str,
                         information: str, recorded_by: str, is_guardian: bool = False,
                         command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_relatives", name=name,
                      relation=relation, information=information, recorded_by=recorded_by,
                      is_guardian=is_guardian)

    def register_iplos(self, municipality: str, case_id: UUID, *, scores: dict[str, int],
                       assessed_by: str, assessed_on: date | None = None,
                       command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "register_iplos", scores=scores,
                      assessed_by=assessed_by, assessed_on=assessed_on)

    def record_medical_information(
        self, municipality: str, case_id: UUID, *, source: MedicalSource, summary: str,
        diagnoses: list[str] | None = None, dementia_diagnosis: bool = False,
        received_on: date | None = None, command_id: str | None = None,
    ) -> None:
        self._on_case(municipality, case_id, command_id, "record_medical_information",
                      source=source, summary=summary, diagnoses=diagnoses,
                      dementia_diagnosis=dementia_diagnosis, received_on=received_on)

    def record_leon(self, municipality: str, case_id: UUID, *, entries: list[LeonEntry],
                    recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_leon", entries=entries,
                      recorded_by=recorded_by)

    def record_dementia_investigation(self, municipality: str, case_id: UUID, *,
                                      finding: DementiaFinding, conclusion: str,
                                      recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_dementia_investigation",
                      finding=finding, conclusion=conclusion, recorded_by=recorded_by)

    # --- decisions, priority, urgency -------------------------------------------------

    def decide(
        self, municipality: str, case_id: UUID, *, kind: str, grounds: str, decided_by: str,
        place_type: PlaceType | None = None, facility_kind: FacilityKind | None = None,
        can_be_cared_for_safely_at_home: bool | None = None,
        alternatives_at_home: str | None = None,
        interim_services: list[InterimService] | None = None,
        legal_basis: str | None = None, command_id: str | None = None,
    ) -> UUID:
        """A decision (vedtak) under the policy version in force today. Returns its id."""
        case = self.get_case(municipality, case_id)
        decision_id = derived_id("decision", case_id, command_id)
        if case.has_handled(command_id):
            return decision_id
        now = self._now()
        policy = self.policy(municipality)
        version, settings = policy.in_force_on(local_date(now))
        case.decide(
            now, kind=kind, grounds=grounds, decided_by=decided_by, policy_version=version,
            policy=settings, place_type=place_type, facility_kind=facility_kind,
            can_be_cared_for_safely_at_home=can_be_cared_for_safely_at_home,
            alternatives_at_home=alternatives_at_home, interim_services=interim_services,
            legal_basis=legal_basis, decision_id=decision_id, command_id=command_id,
        )
        self._commit(case, policy)  # the policy is saved too if this is its first use
        return decision_id

    def record_interim_services(self, municipality: str, case_id: UUID, *,
                                services: list[InterimService], recorded_by: str,
                                command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_interim_services",
                      services=services, recorded_by=recorded_by)

    def assess_priority(self, municipality: str, case_id: UUID, *, factors: dict[str, int],
                        need_score: int, assessor: str, departure_reason: str | None = None,
                        command_id: str | None = None) -> None:
        settings = self.policy(municipality).current
        self._on_case(municipality, case_id, command_id, "assess_priority", factors=factors,
                      need_score=need_score, assessor=assessor, policy=settings,
                      departure_reason=departure_reason)

    def mark_urgent(self, municipality: str, case_id: UUID, *, reason: str, assessed_by: str,
                    command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "mark_urgent", reason=reason,
                      assessed_by=assessed_by)

    def clear_urgency(self, municipality: str, case_id: UUID, *, reason: str, assessed_by: str,
                      command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "clear_urgency", reason=reason,
                      assessed_by=assessed_by)

    def record_wishes(self, municipality: str, case_id: UUID, *, facility_ids: list[str],
                      command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_wishes",
                      facility_ids=facility_ids)

    def consent_to_living_apart(self, municipality: str, case_id: UUID, *, statement: str,
                                recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "consent_to_living_apart",
                      statement=statement, recorded_by=recorded_by)

    # --- places and other providers ---------------------------------------------------

    def register_place(
        self, municipality: str, *, facility_id: str, facility_name: str,
        facility_kind: FacilityKind, unit: str, room: str, place_type: PlaceType,
        room_kind: RoomKind = RoomKind.SINGLE, available_from: date | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """Register a place. Its id is its natural key (facility, unit, room): registering
        the same room again returns the same place and writes nothing."""
        place = Place.register(
            self._now(), municipality=municipality, facility_id=facility_id,
            facility_name=facility_name, facility_kind=facility_kind, unit=unit, room=room,
            place_type=place_type, room_kind=room_kind, available_from=available_from,
            command_id=command_id,
        )
        existing = self._exists(place.id)
        if existing is not None:
            if not isinstance(existing, Place) or (
                (existing.place_type, existing.facility_kind, existing.room_kind)
                != (place_type, facility_kind, room_kind)
            ):
                raise InvalidState("a different place is already registered in that room",
                                   field="room")
            return existing.id
        try:
            self.save(place)
        except IntegrityError:
            return place.id  # registered concurrently by the same natural key
        return place.id

    def close_place(self, municipality: str, place_id: UUID, *, reason: str,
                    command_id: str | None = None) -> None:
        place = self.get_place(municipality, place_id)
        if place.has_handled(command_id):
            return
        place.close(self._now(), reason=reason, command_id=command_id)
        self._commit(place)

    def reopen_place(self, municipality: str, place_id: UUID, *,
                     command_id: str | None = None) -> None:
        place = self.get_place(municipality, place_id)
        if place.has_handled(command_id):
            return
        place.reopen(self._now(), command_id=command_id)
        self._commit(place)

    def register_provider_offer(
        self, municipality: str, *, provider: str, reference: str, facility_name: str,
        facility_kind: FacilityKind, place_type: PlaceType, price_per_day: Decimal | int | str,
        room_kind: RoomKind = RoomKind.SINGLE, available_from: date | None = None,
        valid_until: date | None = None, command_id: str | None = None,
    ) -> UUID:
        """Another provider offers a place at a price per day (natural key: provider and
        their reference)."""
        try:
            price = Decimal(str(price_per_day))
        except ArithmeticError:
            raise InvalidValue("price_per_day", "not a number") from None
        offer = ProviderOffer.register(
            self._now(), municipality=municipality, provider=provider, reference=reference,
            facility_name=facility_name, facility_kind=facility_kind, place_type=place_type,
            price_per_day=price, room_kind=room_kind, available_from=available_from,
            valid_until=valid_until, command_id=command_id,
        )
        if self._exists(offer.id) is not None:
            return self.get_provider_offer(municipality, offer.id).id
        try:
            self.save(offer)
        except IntegrityError:
            return offer.id
        return offer.id

    def withdraw_provider_offer(self, municipality: str, provider_offer_id: UUID, *,
                                reason: str, command_id: str | None = None) -> None:
        po = self.get_provider_offer(municipality, provider_offer_id)
        if po.has_handled(command_id):
            return
        po.withdraw(self._now(), reason=reason, command_id=command_id)
        self._commit(po)

    # --- offers -----------------------------------------------------------------------

    def _spouse(self, case: Case) -> Case | None:
        if case.spouse_case_id is None:
            return None
        found = self._exists(case.spouse_case_id)
        return found if isinstance(found, Case) else None

    def make_offer(
        self, municipality: str, case_id: UUID, *, made_by: str,
        place_id: UUID | None = None, provider_offer_id: UUID | None = None,
        non_screened_reason: str | None = None, command_id: str | None = None,
    ) -> UUID:
        """Offer an own place or a place to be bought from another provider. The case and
        the place are saved together: of two officers offering the last bed at once,
        exactly one succeeds and the other gets :class:`ConcurrencyConflict`."""
        case = self.get_case(municipality, case_id)
        offer_id = derived_id("offer", case_id, command_id)
        if case.has_handled(command_id):
            return offer_id
        target = self._offer_to(municipality, case, offer_id, made_by=made_by,
                                place_id=place_id, provider_offer_id=provider_offer_id,
                                non_screened_reason=non_screened_reason, command_id=command_id)
        self._commit(case, target)
        log.info("offer made case=%s offer=%s", case.id, offer_id)
        return offer_id

    def _offer_to(
        self, municipality: str, case: Case, offer_id: UUID, *, made_by: str,
        place_id: UUID | None, provider_offer_id: UUID | None,
        non_screened_reason: str | None, proposal_id: UUID | None = None,
        command_id: str | None,
    ) -> Place | ProviderOffer:
        """Check and record an offer on the case and its target, unsaved; the caller saves
        them (with whatever else belongs in the same transaction)."""
        if (place_id is None) == (provider_offer_id is None):
            raise InvalidValue("place_id", "offer either an own place or another provider's")
        now = self._now()
        target: Place | ProviderOffer
        if place_id is not None:
            target = self.get_place(municipality, place_id)
            kind, facility_name = OfferKind.OWN, target.facility_name
        else:
            assert provider_offer_id is not None
            target = self.get_provider_offer(municipality, provider_offer_id)
            kind, facility_name = OfferKind.PURCHASE, \
                f"{target.facility_name} ({target.provider})"
        check_spouse_co_location(case, self._spouse(case), target.facility_id)  # R10
        case.make_offer(
            now, offer_id=offer_id, kind=kind, target_id=target.id,
            facility_id=target.facility_id, facility_name=facility_name,
            place_type=target.place_type, made_by=made_by,
            deadline_horizon_days=self.policy(municipality).current.deadline_horizon_days,
            non_screened_reason=non_screened_reason, proposal_id=proposal_id,
            command_id=command_id,
        )
        target.reserve(now, offer_id=offer_id, case_id=case.id, command_id=command_id)
        return target

    def _offer_target(self, municipality: str, case: Case, offer_id: UUID
                      ) -> Place | ProviderOffer:
        offer = case.offers.get(offer_id)
        if offer is None:
            raise NotFound("no such offer on this case", field="offer_id")
        if offer.kind is OfferKind.OWN:
            return self.get_place(municipality, offer.target_id)
        return self.get_provider_offer(municipality, offer.target_id)

    def accept_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                     command_id: str | None = None) -> None:
        """The person says yes. A place from another provider is purchased now."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        target = self._offer_target(municipality, case, offer_id)
        now = self._now()
        case.accept_offer(now, offer_id=offer_id, command_id=command_id)
        if isinstance(target, ProviderOffer):
            target.purchase(now, offer_id=offer_id, case_id=case.id, command_id=command_id)
        self._commit(case, target)

    def decline_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *, reason: str,
                      command_id: str | None = None) -> None:
        """The person says no: the place is released in the same save (R18, R20 decide
        what happens to the guarantee)."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        target = self._offer_target(municipality, case, offer_id)
        now = self._now()
        case.decline_offer(now, offer_id=offer_id, reason=reason, command_id=command_id)
        target.release(now, offer_id=offer_id, reason="declined", command_id=command_id)
        self._commit(case, target)

    def withdraw_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *, reason: str,
                       command_id: str | None = None) -> None:
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        target = self._offer_target(municipality, case, offer_id)
        now = self._now()
        case.withdraw_offer(now, offer_id=offer_id, reason=reason, command_id=command_id)
        target.release(now, offer_id=offer_id, reason="withdrawn", command_id=command_id)
        self._commit(case, target)

    def admit(self, municipality: str, case_id: UUID, offer_id: UUID, *,
              admitted_on: date | None = None, command_id: str | None = None) -> None:
        """Admission (innflytting): the case is placed, the own place occupied."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        target = self._offer_target(municipality, case, offer_id)
        now = self._now()
        day = admitted_on or local_date(now)
        case.admit(now, offer_id=offer_id, admitted_on=day, command_id=command_id)
        if isinstance(target, Place):
            target.occupy(now, case_id=case.id, offer_id=offer_id, admitted_on=day,
                          command_id=command_id)
            self._commit(case, target)
        else:
            self._commit(case)

    def end_stay(self, municipality: str, case_id: UUID, *, reason: StayEndReason,
                 ended_on: date | None = None, command_id: str | None = None) -> None:
        """The resident dies or moves: the stay ends and an own place becomes vacant."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        now = self._now()
        day = ended_on or local_date(now)
        case.end_stay(now, reason=reason, ended_on=day, command_id=command_id)
        place: Place | None = None
        assert case.residence is not None
        if not case.residence[3]:
            place = self.get_place(municipality, case.residence[0])
            vacancy = VacancyReason.DEATH if reason is StayEndReason.DIED else (
                VacancyReason.TRANSFER if reason is StayEndReason.TRANSFERRED
                else VacancyReason.MOVED_OUT)
            place.vacate(now, case_id=case.id, reason=vacancy, vacated_on=day,
                         command_id=command_id)
        self._commit(case, place)

    def close_case(self, municipality: str, case_id: UUID, *, reason: ClosureReason,
                   command_id: str | None = None) -> None:
        """Withdrawn, died or moved away: the case checks that it may close (a resident's
        stay is ended instead), withdraws any outstanding offer and closes; the offer's
        place is released in the same save."""
        case = self.get_case(municipality, case_id)
        if case.has_handled(command_id):
            return
        now = self._now()
        outstanding = case.outstanding_offer
        target = (self._offer_target(municipality, case, outstanding.offer_id)
                  if outstanding is not None else None)
        withdrawn = case.close(now, reason=reason, command_id=command_id)
        if withdrawn is not None and target is not None:
            target.release(now, offer_id=withdrawn.offer_id, reason=reason.value,
                           command_id=command_id)
        self._commit(case, target)

    # --- the guarantee (§ 3-4) --------------------------------------------------------

    def record_breach_choice(self, municipality: str, case_id: UUID, *, choice: BreachChoice,
                             recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "choose_after_breach", choice=choice,
                      recorded_by=recorded_by)

    def check_deadlines(self, municipality: str | None = None,
                        case_ids: Iterable[UUID] | None = None) -> list[UUID]:
        """R18: record a breach for every waiting case past its deadline with no offer.

        Any scheduler may run it, as often as it likes: a breach is recorded once. "Now" is
        the service's clock. The cases checked are ``case_ids``, else
        :meth:`waiting_case_ids`; each is loaded and decides for itself. Returns the cases
        breached by this run.
        """
        now = self._now()
        breached: list[UUID] = []
        ids = list(case_ids if case_ids is not None else self.waiting_case_ids(municipality))
        for case_id in ids:
            found = self._exists(case_id)
            if not isinstance(found, Case):
                continue
            if municipality is not None and found.municipality != municipality:
                continue
            if found.check_deadline(now):
                try:
                    self.save(found)
                except IntegrityError:
                    continue  # another run recorded it (or the case changed): next run sees
                breached.append(case_id)
        log.info("deadline check: %d new breaches", len(breached))
        return breached

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
        return self._ids_with_topics([get_topic(Case.DecisionMade)])

    def place_ids(self) -> Iterator[UUID]:
        return self._ids_with_topics([get_topic(Place.Registered)])

    def provider_offer_ids(self) -> Iterator[UUID]:
        return self._ids_with_topics([get_topic(ProviderOffer.Registered)])
