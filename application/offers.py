"""The offers and stays of the case commands (R7, R9, R10, R18–R20, R24, R26): offering an
own place or another provider's, the person's answer, the municipality's withdrawal, the
lapse of an offer not answered in time, admission, the end of a stay, closing a case before
placement, and the guarantee's scheduled checks.

Every command saves through :meth:`~application.cases.CaseCommands._finish`: the places of
offers the case let go are released in the same transaction (R9), and the person's register
of open cases (R25) follows the case.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.base import derived_id
from application.cases import CaseCommands, _Work, accompanying_offer_id
from application.errors import ConcurrencyConflict
from application.waiting_cases import OverdueAnswers, OwnStock, WaitingCases
from domain.base import Base, local_date
from domain.case import Case, check_couple_room, check_spouse_co_location
from domain.errors import InvalidValue, NotFound
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import (
    BreachChoice,
    ClosureReason,
    FacilityKind,
    OfferKind,
    PlaceType,
    StayEndReason,
    VacancyReason,
)

log = logging.getLogger(__name__)


class OfferCommands(CaseCommands):
    """Offers, stays and the guarantee's checks, on the case commands."""

    # --- offers -----------------------------------------------------------------------

    def _spouse(self, case: Case) -> Case | None:
        if case.spouse_case_id is None:
            return None
        found = self._exists(case.spouse_case_id)
        return found if isinstance(found, Case) else None

    def own_stock_types(self, municipality: str) -> set[tuple[PlaceType, FacilityKind]]:
        """The place types and facility kinds the municipality's own open places have: from
        the read side where the service has one, else from every place aggregate."""
        source = self.waiting_cases
        if isinstance(source, OwnStock):
            return {(PlaceType(t), FacilityKind(k))
                    for t, k in source.own_stock_kinds(municipality)}
        out: set[tuple[PlaceType, FacilityKind]] = set()
        for pid in self.place_ids():
            place = self._exists(pid)
            if isinstance(place, Place) and place.municipality == municipality \
                    and place.is_open:
                out.add((place.place_type, place.facility_kind))
        return out

    @staticmethod
    def lacks_type(case: Case, stock: set[tuple[PlaceType, FacilityKind]]) -> bool:
        """R5: no own place of the decided type (and kind, if decided) exists."""
        return not any(t is case.place_type
                       and (case.facility_kind is None or k is case.facility_kind)
                       for t, k in stock)

    def make_offer(
        self, municipality: str, case_id: UUID, *, made_by: str,
        place_id: UUID | None = None, provider_offer_id: UUID | None = None,
        type_reason: str | None = None, unsuitable_reason: str | None = None,
        single_room_reason: str | None = None, command_id: str | None = None,
    ) -> UUID:
        """Offer an own place or a place to be bought from another provider. The case and
        the place are saved together: of two officers offering the last bed at once,
        exactly one succeeds and the other gets :class:`ConcurrencyConflict`. R11: to a
        person whose spouse has a decision on an accompanying stay, a double room is offered
        to both (both beds reserved in this save); a single room needs
        ``single_room_reason``."""
        work = self._begin(municipality, case_id, command_id)
        offer_id = derived_id("offer", case_id, command_id)
        if work.handled:
            return offer_id
        touched = self._offer_to(municipality, work.case, offer_id, made_by=made_by,
                                 place_id=place_id, provider_offer_id=provider_offer_id,
                                 type_reason=type_reason, unsuitable_reason=unsuitable_reason,
                                 single_room_reason=single_room_reason,
                                 command_id=command_id)
        self._finish(work, *touched, command_id=command_id)
        log.info("offer made case=%s offer=%s", case_id, offer_id)
        return offer_id

    def _offer_to(
        self, municipality: str, case: Case, offer_id: UUID, *, made_by: str,
        place_id: UUID | None, provider_offer_id: UUID | None,
        type_reason: str | None, unsuitable_reason: str | None = None,
        proposal_id: UUID | None = None, single_room_reason: str | None = None,
        command_id: str | None,
    ) -> list[Base]:
        """Check and record an offer on the case and its target, unsaved; the caller saves
        them (with whatever else belongs in the same transaction). Returns what to save
        besides the case: the target, and the accompanying spouse's case when the offer is
        for the couple (R11: the second bed reserved for the spouse's own offer)."""
        if (place_id is None) == (provider_offer_id is None):
            raise InvalidValue("place_id", "offer either an own place or another provider's")
        now = self._now()
        today = local_date(now)
        _, _, settings = self.policy_on(municipality, today)
        target: Place | ProviderOffer
        lacks = False
        if place_id is not None:
            target = self.get_place(municipality, place_id)
            kind, facility_name = OfferKind.OWN, target.facility_name
            available = target.free_from(today) or today
        else:
            assert provider_offer_id is not None
            target = self.get_provider_offer(municipality, provider_offer_id)
            kind, facility_name = OfferKind.PURCHASE, \
                f"{target.facility_name} ({target.provider})"
            available = max(today, target.available_from)
            lacks = self.lacks_type(case, self.own_stock_types(municipality))
        spouse = self._spouse(case)
        check_spouse_co_location(case, spouse, target.facility_id)  # R10
        free = target.free_beds_on(available) if isinstance(target, Place) else \
            target.room_kind.capacity
        couple = check_couple_room(case, spouse, capacity=target.room_kind.capacity,
                                   free_beds=free, single_room_reason=single_room_reason)
        apart = spouse is not None and not couple and \
            spouse.awaits_accompanying_offer(case.id) and target.room_kind.capacity < 2
        case.make_offer(
            now, offer_id=offer_id, kind=kind, target_id=target.id,
            facility_id=target.facility_id, facility_name=facility_name,
            facility_kind=target.facility_kind, place_type=target.place_type,
            available_on=available, made_by=made_by, policy=settings,
            own_stock_lacks_type=lacks, type_reason=type_reason,
            unsuitable_reason=unsuitable_reason, proposal_id=proposal_id,
            single_room_reason=single_room_reason if apart else None,
            command_id=command_id,
        )
        if isinstance(target, Place):
            target.reserve(now, offer_id=offer_id, case_id=case.id, from_day=available,
                           command_id=command_id)
        else:
            target.reserve(now, offer_id=offer_id, case_id=case.id, command_id=command_id)
        if not couple:
            return [target]
        assert spouse is not None
        # R11: the second bed, for the accompanying spouse's own offer, in the same save
        second = accompanying_offer_id(offer_id)
        spouse.make_accompanying_offer(now, offer_id=second, resident_case_id=case.id,
                                       resident_offer=case.offers[offer_id],
                                       made_by=made_by, command_id=command_id)
        if isinstance(target, Place):
            target.reserve(now, offer_id=second, case_id=spouse.id, from_day=available,
                           command_id=command_id)
        return [target, spouse]

    def _target_of(self, work: _Work, offer_id: UUID) -> Place | ProviderOffer:
        offer = work.case.offers.get(offer_id)
        if offer is None:
            raise NotFound("no such offer on this case", field="offer_id")
        return self._offer_target(work.case, offer)

    def accept_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                     command_id: str | None = None) -> None:
        """The person says yes. A place from another provider is purchased now."""
        work = self._begin(municipality, case_id, command_id)
        if work.handled:
            return
        target = self._target_of(work, offer_id)
        now = self._now()
        work.case.accept_offer(now, offer_id=offer_id, command_id=command_id)
        if isinstance(target, ProviderOffer):
            target.purchase(now, offer_id=offer_id, case_id=case_id, command_id=command_id)
        self._finish(work, target, command_id=command_id)

    def decline_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *, reason: str,
                      command_id: str | None = None) -> None:
        """The person says no: the place is released in the same save (R18, R20 decide
        what happens to the guarantee)."""
        self._on_case(municipality, case_id, command_id, "decline_offer", offer_id=offer_id,
                      reason=reason)

    def withdraw_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *, reason: str,
                       command_id: str | None = None) -> None:
        """The municipality withdraws its offer: released in the same save; it does not
        meet the guarantee (R18)."""
        self._on_case(municipality, case_id, command_id, "withdraw_offer", offer_id=offer_id,
                      reason=reason)

    def lapse_offer(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                    command_id: str | None = None) -> None:
        """R26: the offer was not answered by its answer deadline: released in the same
        save; counted as declined or not as the policy in force today says."""
        _, _, settings = self.policy_on(municipality, self._today())
        self._on_case(municipality, case_id, command_id, "lapse_offer", offer_id=offer_id,
                      counts_as_declined=settings.lapsed_offer_counts_as_declined)

    def admit(self, municipality: str, case_id: UUID, offer_id: UUID, *,
              admitted_on: date | None = None, command_id: str | None = None) -> None:
        """Admission (innflytting): the case is placed, the own place occupied; dated in
        the future it is planned and the place is held until then (R24)."""
        work = self._begin(municipality, case_id, command_id)
        if work.handled:
            return
        target = self._target_of(work, offer_id)
        now = self._now()
        offer = work.case.admit(now, offer_id=offer_id, admitted_on=admitted_on,
                                command_id=command_id)
        day = work.case.offers[offer.offer_id].admitted_on
        assert day is not None
        if isinstance(target, Place):
            target.occupy(now, case_id=case_id, offer_id=offer_id, admitted_on=day,
                          command_id=command_id)
            self._finish(work, target, command_id=command_id)
        else:
            self._finish(work, command_id=command_id)

    def end_stay(self, municipality: str, case_id: UUID, *, reason: StayEndReason,
                 ended_on: date | None = None, command_id: str | None = None) -> None:
        """The resident dies or moves: the stay ends and an own place becomes vacant from
        ``ended_on`` (planned if still ahead, R24)."""
        work = self._begin(municipality, case_id, command_id)
        if work.handled:
            return
        now = self._now()
        day = ended_on or local_date(now)
        work.case.end_stay(now, reason=reason, ended_on=day, command_id=command_id)
        place: Place | ProviderOffer | None = None
        residence = work.case.residence
        assert residence is not None
        if not residence.purchased:
            place = self.get_place(municipality, residence.target_id)
            vacancy = VacancyReason.DEATH if reason is StayEndReason.DIED else (
                VacancyReason.TRANSFER if reason is StayEndReason.TRANSFERRED
                else VacancyReason.MOVED_OUT)
            place.vacate(now, case_id=case_id, reason=vacancy, vacated_on=day,
                         command_id=command_id)
        else:  # a bought place: the purchase (and what it costs) ends with the stay
            place = self.get_provider_offer(municipality, residence.target_id)
            if place.purchased_for == case_id and place.purchase_ended_on is None:
                place.end_purchase(now, case_id=case_id, ended_on=day,
                                   reason=f"stay_{reason.value}", command_id=command_id)
            else:
                place = None
        self._finish(work, place, command_id=command_id)

    def close_case(self, municipality: str, case_id: UUID, *, reason: ClosureReason,
                   command_id: str | None = None) -> None:
        """Withdrawn, died or moved away: outstanding offers are withdrawn and their places
        released in the same save (R9)."""
        self._on_case(municipality, case_id, command_id, "close", reason=reason)

    # --- the guarantee (§ 3-4) and the answer deadline (R26) --------------------------

    def record_breach_choice(self, municipality: str, case_id: UUID, *, choice: BreachChoice,
                             recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "choose_after_breach", choice=choice,
                      recorded_by=recorded_by)

    def _candidates(self, municipality: str | None, case_ids: Iterable[UUID] | None
                    ) -> list[Case]:
        ids = list(case_ids if case_ids is not None else self.waiting_case_ids(municipality))
        out = []
        for case_id in ids:
            found = self._exists(case_id)
            if isinstance(found, Case) and (municipality is None
                                            or found.municipality == municipality):
                out.append(found)
        return out

    def check_deadlines(self, municipality: str | None = None,
                        case_ids: Iterable[UUID] | None = None) -> list[UUID]:
        """R18: record a breach for every waiting case past the deadline of its guarantee
        period with no suitable offer that met it.

        Any scheduler may run it, as often as it likes: a breach is recorded once per
        guarantee period. "Now" is the service's clock. The cases checked are ``case_ids``,
        else :meth:`waiting_case_ids`; each is loaded and decides for itself. Returns the
        cases breached by this run.
        """
        now = self._now()
        breached: list[UUID] = []
        for case in self._candidates(municipality, case_ids):
            if case.check_deadline(now):
                try:
                    self.save(case)
                except IntegrityError:
                    continue  # another run recorded it (or the case changed): next run sees
                breached.append(case.id)
        log.info("deadline check: %d new breaches", len(breached))
        return breached

    def lapse_offers(self, municipality: str | None = None,
                     case_ids: Iterable[UUID] | None = None) -> list[UUID]:
        """R26: record every offer not answered by its answer deadline as lapsed, and
        release its place. Idempotent. Returns the cases whose offer lapsed.

        The cases checked are ``case_ids``, else the waiting cases and the residents
        holding a move offer (R28, :meth:`move_offer_case_ids`): a move offer lapses like
        an offer, its place released in the same save, and the resident keeps their place.
        """
        lapsed: list[UUID] = []
        today = self._today()
        if case_ids is None:
            case_ids = dict.fromkeys([*self.waiting_case_ids(municipality),
                                      *self.move_offer_case_ids(municipality)])
        for case in self._candidates(municipality, case_ids):
            for offer in case.lapsed_offers(today):
                command_id = f"lapse/{offer.offer_id}"
                try:
                    if offer.move_reason is not None:  # R28: the resident keeps their place
                        self._on_case(case.municipality, case.id, command_id, "lapse_move",
                                      offer_id=offer.offer_id)
                    else:
                        self.lapse_offer(case.municipality, case.id, offer.offer_id,
                                         command_id=command_id)
                except (ConcurrencyConflict, IntegrityError):
                    continue  # the person answered at the same moment: next run sees
                lapsed.append(case.id)
        log.info("answer deadline check: %d offers lapsed", len(lapsed))
        return lapsed

    def deadline_round(self, waiting: WaitingCases) -> tuple[list[UUID], list[UUID]]:
        """One round of the scheduled check (R26, then R18) over the cases ``waiting``
        lists now (the read side), and the residents whose move offer is past its answer
        deadline (R28): offers past their answer deadline lapse, then due
        breaches are recorded. Idempotent, so any number of schedulers may run it; a
        service with several server processes runs it in one (the projector). Returns
        (cases whose offer lapsed, cases breached)."""
        ids = waiting.waiting_case_ids()
        movers = waiting.overdue_answer_case_ids(None, self._today()) \
            if isinstance(waiting, OverdueAnswers) else list(self.move_offer_case_ids())
        answers = dict.fromkeys([*ids, *movers])  # R28: residents' move offers lapse too
        return self.lapse_offers(case_ids=answers), self.check_deadlines(case_ids=ids)


__all__ = ["OfferCommands"]
