"""The case commands: applications (R25), the § 2-2 documentation (R8), decisions (R4–R9,
R14, R15, R24) and when they were sent and received (R14), priority (R16, R17), spouses
(R10) and bridging stays (R2, R15); offers, stays and the guarantee's checks build on these
in :mod:`application.offers`.

Each command loads the case and whatever else it touches, lets the domain decide, and saves
everything in one transaction through :meth:`CaseCommands._finish`, which also does what a
case's change asks of other aggregates, in the same save:

- every offer the case let go (withdrawn by a rejection, a closure or a death; declined;
  lapsed; withdrawn by the municipality) releases its place or other provider's place (R9);
- a case that opens or closes updates the person's register of open cases (R25).

A retried command (same ``command_id``) is recognised by the aggregate that handled it and
writes nothing new; ids a command creates are derived from its ``command_id``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import IntegrityError

from application.base import derived_id
from application.case_numbers import CaseNumbering, SaveRaced, with_numbering
from domain.base import Base, local_date
from domain.case import Case, Offer, link_spouses
from domain.complaint import Complaint
from domain.errors import NotFound
from domain.identity import IdentityNumber
from domain.person import PersonRecord, person_record_id
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import (
    Channel,
    DeliveryChannel,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    MedicalSource,
    OfferKind,
    OfferStatus,
    PlaceType,
    VacancyReason,
)

log = logging.getLogger(__name__)

_LET_GO = (OfferStatus.WITHDRAWN, OfferStatus.DECLINED, OfferStatus.LAPSED)


def accompanying_offer_id(resident_offer_id: UUID) -> UUID:
    """R11: the id of the accompanying spouse's offer of the second bed, derived from the
    resident spouse's offer (so a retry reproduces it)."""
    return uuid5(resident_offer_id, "accompanying-stay")


@dataclass
class _Work:
    """A case as loaded for a command, with what the command may change elsewhere;
    ``handled``: the command (its ``command_id``) was handled before — a retry, which
    writes nothing."""

    case: Case
    outstanding: dict[UUID, Offer]
    was_open: bool
    handled: bool = False


class CaseCommands(CaseNumbering):
    """The allocation unit's case work (tildelingsenheten)."""

    # --- loading and saving a case -----------------------------------------------------

    def _begin(self, municipality: str, case_id: UUID, command_id: str | None = None
               ) -> _Work:
        """Load the case for a command. Unless the command is a retry (``handled``), the
        version the caller expects (:meth:`expecting`, ``If-Match``) is checked here,
        before the rules: a stale caller gets :class:`StaleVersion`, not a refusal
        computed on a state it has not seen."""
        case = self.get_case(municipality, case_id)
        outstanding = {o.offer_id: o for o in case.offers.values() if o.outstanding}
        handled = case.has_handled(command_id)
        if not handled:
            self._check_expected(case)
        return _Work(case, outstanding, case.is_open, handled)

    def _finish(self, work: _Work, *others: Base | None, command_id: str | None = None
                ) -> None:
        """Save the case with ``others`` and what its change asks of other aggregates (their
        events carry the same ``command_id``)."""
        case, now = work.case, self._now()
        touched: dict[UUID, Base] = {o.id: o for o in others if o is not None}
        self._follow_by_spouse(work, touched, command_id)
        for offer_id, offer in work.outstanding.items():
            if offer.status not in _LET_GO:
                continue
            target = touched.get(offer.target_id) or self._offer_target(case, offer)
            touched[target.id] = target
            if _holds(target, offer_id):
                target.release(now, offer_id=offer_id, reason=offer.status.value,
                               command_id=command_id)
        if work.was_open != case.is_open:
            record = self._person_record(case.municipality, case.person.identity_number)
            if case.is_open:  # R25: refused if another case is open
                record.open(now, case_id=case.id, command_id=command_id)
            else:
                record.end(now, case_id=case.id, command_id=command_id)
            touched[record.id] = record
        self._commit(case, *touched.values())

    def _follow_by_spouse(self, work: _Work, touched: dict[UUID, Base],
                          command_id: str | None) -> None:
        """R11: an offer of a double room to a couple is two offers, the resident's and the
        accompanying spouse's (the second bed). When the command changed an offer of the
        resident's that was outstanding — accepted, admitted on, or let go — the spouse's
        offer does the same in this save: admitted on the same day into the second bed, or
        withdrawn and its bed released."""
        case = work.case
        if case.spouse_case_id is None or not work.outstanding:
            return
        changed = [o for o in work.outstanding.values()
                   if o.status is not OfferStatus.MADE or o.admitted_on is not None]
        if not changed:
            return
        spouse = touched.get(case.spouse_case_id) or self._exists(case.spouse_case_id)
        if not isinstance(spouse, Case):
            return
        now = self._now()
        for offer in changed:
            mine = spouse.follow_resident_offer(now, resident_offer=offer,
                                                command_id=command_id)
            if mine is None:
                continue
            touched[spouse.id] = spouse
            if mine.kind is not OfferKind.OWN:
                continue
            place = touched.get(mine.target_id) or self._offer_target(spouse, mine)
            assert isinstance(place, Place)
            touched[place.id] = place
            if mine.status in _LET_GO and _holds(place, mine.offer_id):
                place.release(now, offer_id=mine.offer_id, reason=mine.status.value,
                              command_id=command_id)
            elif mine.admitted_on is not None:
                place.occupy(now, case_id=spouse.id, offer_id=mine.offer_id,
                             admitted_on=mine.admitted_on, command_id=command_id)

    def _on_case(self, municipality: str, case_id: UUID, command_id: str | None,
                 method: str, **kwargs: Any) -> Any:
        """Run one case command: load, check retry, call the domain, save."""
        work = self._begin(municipality, case_id, command_id)
        if work.handled:
            return None
        result = getattr(work.case, method)(self._now(), command_id=command_id, **kwargs)
        self._finish(work, command_id=command_id)
        return result

    def _offer_target(self, case: Case, offer: Offer) -> Place | ProviderOffer:
        if offer.kind is OfferKind.OWN:
            return self.get_place(case.municipality, offer.target_id)
        return self.get_provider_offer(case.municipality, offer.target_id)

    # --- the person's register (R25) --------------------------------------------------

    def _person_record(self, municipality: str, identity_number: str) -> PersonRecord:
        record_id = person_record_id(municipality, identity_number, self.person_key)
        found = self._exists(record_id)
        if isinstance(found, PersonRecord):
            return found
        return PersonRecord.register(self._now(), record_id=record_id, municipality=municipality)

    def cases_of_person(self, municipality: str, identity_number: str) -> list[UUID]:
        """Finding a case by identity number: every case of the person's in the
        municipality, newest first, from the person's register (keyed by an HMAC of the
        number: the number is looked up, never stored or searched for). Refuses a number
        that is not valid (``InvalidValue``, field ``identity_number``)."""
        number = IdentityNumber.parse(identity_number)
        found = self._exists(person_record_id(municipality, number.value, self.person_key))
        if not isinstance(found, PersonRecord):
            return []
        return list(reversed(found.case_ids))

    def open_case_of(self, municipality: str, identity_number: str) -> UUID | None:
        """R25: the person's open case in the municipality, if any (the number is only
        ever taken from a request's body)."""
        number = IdentityNumber.parse(identity_number)
        record_id = person_record_id(municipality, number.value, self.person_key)
        found = self._exists(record_id)
        return found.open_case_id if isinstance(found, PersonRecord) else None

    # --- applications and documentation ----------------------------------------------

    def receive_application(
        self, municipality: str, *, identity_number: str, name: str,
        received_on: date | None = None, channel: Channel = Channel.DIGITAL,
        spouse_case_id: UUID | None = None, accompanying_spouse: bool = False,
        receives_other_services: bool = True, dementia_suspected: bool = False,
        command_id: str | None = None,
    ) -> UUID:
        """Register an application (søknad). With a ``command_id`` the case id is derived
        from it, so a retry returns the same case and writes nothing. R25: refused with
        :class:`~domain.person.CaseAlreadyOpen` (naming the open case) when the person
        already has an open case in the municipality."""
        case_id = derived_id("case", municipality, command_id)
        if command_id and self._exists(case_id) is not None:
            return self.get_case(municipality, case_id).id
        return with_numbering(lambda: self._receive(
            municipality, case_id, identity_number=identity_number, name=name,
            received_on=received_on, channel=channel, spouse_case_id=spouse_case_id,
            accompanying_spouse=accompanying_spouse,
            receives_other_services=receives_other_services,
            dementia_suspected=dementia_suspected, command_id=command_id))

    def _receive(self, municipality: str, case_id: UUID, *, spouse_case_id: UUID | None,
                 command_id: str | None, **application: Any) -> UUID:
        """One attempt at :meth:`receive_application`: the case, its number (from the
        series of the municipality and year, :mod:`application.case_numbers`), the
        person's register (R25) and the spouse's case, saved in one transaction. A save
        beaten by another raises :class:`SaveRaced` (run again)."""
        spouse = None
        if spouse_case_id is not None:
            spouse = self.get_case(municipality, spouse_case_id)
        now = self._now()
        series, number = self._next_number(municipality, case_id, now, command_id)
        case = Case.receive_application(
            now, case_id=case_id, municipality=municipality, spouse_case_id=spouse_case_id,
            case_number=number, command_id=command_id, **application)
        record = self._person_record(municipality, case.person.identity_number)
        record.open(now, case_id=case.id, command_id=command_id)  # R25
        if spouse is not None:
            link_spouses(now, case, spouse, command_id=command_id)  # R10
        try:
            self.save(case, spouse, record, series)
        except IntegrityError:
            if command_id and self._exists(case_id) is not None:
                return case_id  # a concurrent retry of the same command got there first
            # another save took the number, or changed the register or the spouse's
            # case: run again on what is stored now (the domain decides anew, R25)
            raise SaveRaced from None
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
        self._check_expected(case)
        link_spouses(self._now(), case, spouse, command_id=command_id)
        self._commit(case, spouse)

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

    def state_no_relatives(self, municipality: str, case_id: UUID, *, statement: str,
                           recorded_by: str, command_id: str | None = None) -> None:
        """R8 (1): a statement that there are no relatives or guardian to ask."""
        self._on_case(municipality, case_id, command_id, "state_no_relatives",
                      statement=statement, recorded_by=recorded_by)

    def register_iplos(self, municipality: str, case_id: UUID, *, scores: dict[str, int],
                       assessed_by: str, assessed_on: date | None = None,
                       command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "register_iplos", scores=scores,
                      assessed_by=assessed_by, assessed_on=assessed_on)

    def record_medical_information(
        self, municipality: str, case_id: UUID, *, source: MedicalSource, summary: str,
        diagnoses: list[str] | None = None, dementia_diagnosis: bool = False,
        received_on: date | None = None, competence_centre_involved: bool = False,
        recorded_by: str = "", command_id: str | None = None,
    ) -> None:
        self._on_case(municipality, case_id, command_id, "record_medical_information",
                      source=source, summary=summary, diagnoses=diagnoses,
                      dementia_diagnosis=dementia_diagnosis, received_on=received_on,
                      competence_centre_involved=competence_centre_involved,
                      recorded_by=recorded_by)

    def record_leon(self, municipality: str, case_id: UUID, *, entries: list[LeonEntry],
                    recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_leon", entries=entries,
                      recorded_by=recorded_by)

    def suspect_dementia(self, municipality: str, case_id: UUID, *, reason: str,
                         raised_by: str, command_id: str | None = None) -> None:
        """R8 (5): dementia is suspected (at any time): investigate before any offer."""
        self._on_case(municipality, case_id, command_id, "suspect_dementia", reason=reason,
                      raised_by=raised_by)

    def record_dementia_investigation(self, municipality: str, case_id: UUID, *,
                                      finding: DementiaFinding, conclusion: str,
                                      recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_dementia_investigation",
                      finding=finding, conclusion=conclusion, recorded_by=recorded_by)

    def record_other_services(self, municipality: str, case_id: UUID, *,
                              receives_other_services: bool, recorded_by: str,
                              command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_other_services",
                      receives_other_services=receives_other_services,
                      recorded_by=recorded_by)

    # --- decisions, priority, urgency -------------------------------------------------

    def decide(
        self, municipality: str, case_id: UUID, *, kind: str, grounds: str, decided_by: str,
        place_type: PlaceType | None = None, facility_kind: FacilityKind | None = None,
        can_be_cared_for_safely_at_home: bool | None = None,
        alternatives_at_home: str | None = None,
        interim_services: list[InterimService] | None = None,
        legal_basis: str | None = None, decided_on: date | None = None,
        keep_waiting_since: date | None = None, complaint_id: UUID | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """A decision (vedtak), dated ``decided_on`` (today if None, R24), under the policy
        version in force on that date. A rejection withdraws outstanding offers and releases
        their places in the same save (R9). ``complaint_id``: the complaint whose outcome
        quashed the decision before (R21); the new decision is linked to it, in the same
        save, and keeps the waiting-list date (R23). Returns the decision's id."""
        work = self._begin(municipality, case_id, command_id)
        decision_id = derived_id("decision", case_id, command_id)
        if work.handled:
            return decision_id
        now = self._now()
        complaint = None
        if complaint_id is not None:
            complaint = self._load(Complaint, complaint_id, municipality, "complaint")
            if complaint.case_id != case_id:
                raise NotFound("no complaint with that id on this case", field="complaint_id")
            complaint.link_new_decision(now, decision_id=decision_id,
                                        decided_on=decided_on or local_date(now),
                                        command_id=command_id)
            keep_waiting_since = keep_waiting_since or work.case.waiting_date_to_keep()
        policy, version, settings = self.policy_on(municipality, decided_on or local_date(now))
        work.case.decide(
            now, kind=kind, grounds=grounds, decided_by=decided_by, policy_version=version,
            policy=settings, place_type=place_type, facility_kind=facility_kind,
            can_be_cared_for_safely_at_home=can_be_cared_for_safely_at_home,
            alternatives_at_home=alternatives_at_home, interim_services=interim_services,
            legal_basis=legal_basis, decided_on=decided_on,
            keep_waiting_since=keep_waiting_since, complaint_id=complaint_id,
            decision_id=decision_id, command_id=command_id,
        )
        self._finish(work, policy, complaint, command_id=command_id)  # the policy too, if new
        return decision_id

    def record_decision_sent(self, municipality: str, case_id: UUID, decision_id: UUID, *,
                             sent_on: date, channel: DeliveryChannel | str,
                             recorded_by: str, received_on: date | None = None,
                             command_id: str | None = None) -> None:
        """R14: when and how the decision was sent (post, digital mailbox, handed over) and,
        where known, received; the complaint deadline runs from the receipt."""
        self._on_case(municipality, case_id, command_id, "record_decision_sent",
                      decision_id=decision_id, sent_on=sent_on, channel=channel,
                      received_on=received_on, recorded_by=recorded_by)

    def record_decision_received(self, municipality: str, case_id: UUID, decision_id: UUID,
                                 *, received_on: date, recorded_by: str,
                                 command_id: str | None = None) -> None:
        """R14: the day the person received the decision."""
        self._on_case(municipality, case_id, command_id, "record_decision_received",
                      decision_id=decision_id, received_on=received_on,
                      recorded_by=recorded_by)

    def mark_urgent(self, municipality: str, case_id: UUID, *, reason: str, assessed_by: str,
                    decided_on: date | None = None, command_id: str | None = None
                    ) -> UUID | None:
        """R15: the person can no longer be cared for safely at home: a grant decision is
        recorded, and the person goes before everyone else. Returns the grant's id, or None
        if the person already held a grant."""
        work = self._begin(municipality, case_id, command_id)
        decision_id = derived_id("decision", case_id, command_id)
        if work.handled:
            return decision_id
        now = self._now()
        policy, version, settings = self.policy_on(municipality, decided_on or local_date(now))
        granted = work.case.mark_urgent(now, reason=reason, assessed_by=assessed_by,
                                        policy_version=version, policy=settings,
                                        decided_on=decided_on, decision_id=decision_id,
                                        command_id=command_id)
        self._finish(work, policy, command_id=command_id)
        return granted

    def record_interim_services(self, municipality: str, case_id: UUID, *,
                                services: list[InterimService], recorded_by: str,
                                command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_interim_services",
                      services=services, recorded_by=recorded_by)

    def assess_priority(self, municipality: str, case_id: UUID, *, factors: dict[str, int],
                        need_score: int, assessor: str, departure_reason: str | None = None,
                        assessed_on: date | None = None, command_id: str | None = None) -> None:
        """R16, R17: under the policy version in force on the assessment's date."""
        day = assessed_on or self._today()
        _, version, settings = self.policy_on(municipality, day)
        self._on_case(municipality, case_id, command_id, "assess_priority", factors=factors,
                      need_score=need_score, assessor=assessor, policy=settings,
                      policy_version=version, departure_reason=departure_reason,
                      assessed_on=assessed_on)

    def suggested_need_score(self, municipality: str, factors: dict[str, int],
                             on: date | None = None) -> tuple[int, int]:
        """R16, R17: the score the policy in force on ``on`` suggests, and that version."""
        _, version, settings = self.policy_on(municipality, on or self._today())
        return settings.suggested_need_score(factors), version

    def record_wishes(self, municipality: str, case_id: UUID, *, facility_ids: list[str],
                      command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "record_wishes",
                      facility_ids=facility_ids)

    # --- the accompanying stay (R11) ---------------------------------------------------

    def decide_accompanying_stay(
        self, municipality: str, case_id: UUID, *, resident_case_id: UUID, wish: str,
        grounds: str, decided_by: str, decided_on: date | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """R11 (§ 2-3 second paragraph): a decision on an accompanying stay on the
        spouse's own case (``case_id``), naming the resident spouse's case. Returns the
        decision's id. An outstanding offer of the spouse's own is withdrawn and released in
        the same save."""
        work = self._begin(municipality, case_id, command_id)
        decision_id = derived_id("decision", case_id, command_id)
        if work.handled:
            return decision_id
        resident = self.get_case(municipality, resident_case_id)
        now = self._now()
        policy, version, _ = self.policy_on(municipality, decided_on or local_date(now))
        work.case.decide_accompanying_stay(
            now, resident=resident, wish=wish, grounds=grounds, decided_by=decided_by,
            policy_version=version, decided_on=decided_on, decision_id=decision_id,
            command_id=command_id)
        self._finish(work, policy, command_id=command_id)
        return decision_id

    def conclude_accompanying_stay(
        self, municipality: str, case_id: UUID, *, outcome: str, grounds: str,
        decided_by: str, ended_on: date | None = None, decided_on: date | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """R11: the new decision on an accompanying stay — ``outcome`` "ordinary_stay"
        (it continues as an ordinary long-term stay) or "ended" (the stay ends on
        ``ended_on`` and the bed is vacant from that day, R24). Returns the decision's id."""
        work = self._begin(municipality, case_id, command_id)
        decision_id = derived_id("decision", case_id, command_id)
        if work.handled:
            return decision_id
        now = self._now()
        policy, version, _ = self.policy_on(municipality, decided_on or local_date(now))
        work.case.conclude_accompanying_stay(
            now, outcome=outcome, grounds=grounds, decided_by=decided_by,
            policy_version=version, ended_on=ended_on, decided_on=decided_on,
            decision_id=decision_id, command_id=command_id)
        place: Place | None = None
        residence = work.case.residence
        if ended_on is not None and residence is not None and not residence.purchased:
            place = self.get_place(municipality, residence.target_id)
            place.vacate(now, case_id=case_id, reason=VacancyReason.MOVED_OUT,
                         vacated_on=ended_on, command_id=command_id)
        self._finish(work, policy, place, command_id=command_id)
        return decision_id

    def consent_to_living_apart(self, municipality: str, case_id: UUID, *, statement: str,
                                recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "consent_to_living_apart",
                      statement=statement, recorded_by=recorded_by)

    def record_bridging_stay(self, municipality: str, case_id: UUID, *, facility_name: str,
                             unit: str, from_on: date, to_on: date | None = None,
                             recorded_by: str, command_id: str | None = None) -> None:
        """R2, R15: a short-term stay that bridges the wait for a long-term place."""
        self._on_case(municipality, case_id, command_id, "record_bridging_stay",
                      facility_name=facility_name, unit=unit, from_on=from_on, to_on=to_on,
                      recorded_by=recorded_by)

    def end_bridging_stay(self, municipality: str, case_id: UUID, *, to_on: date,
                          recorded_by: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "end_bridging_stay", to_on=to_on,
                      recorded_by=recorded_by)


def _holds(target: Place | ProviderOffer, offer_id: UUID) -> bool:
    if isinstance(target, Place):
        return offer_id in target.reservations
    return target.reserved_for is not None and target.reserved_for[0] == offer_id


__all__ = ["CaseCommands"]
