"""A case (sak): one person's application for a long-term stay, from the application
(søknad) through documentation (§ 2-2), the decision (vedtak), the waiting list (§ 3-1),
priority (§ 3-3), offers, the guarantee (§ 3-4), admission and closure.

The case is one aggregate; its concepts each live in a module of their own, with their events
and commands (:mod:`.intake`, :mod:`.decisions`, :mod:`.delivery`, :mod:`.priority`,
:mod:`.spouses`, :mod:`.accompanying`, :mod:`.offers`, :mod:`.moves`,
:mod:`.need_change`, :mod:`.stays`, :mod:`.breaches`, :mod:`.after_complaint`), and every
command consults the one state machine in :mod:`.lifecycle`. The guarantee's state is
:mod:`.guarantee`'s.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.base import Base, check_municipality, local_date
from domain.case.accompanying import Accompanying
from domain.case.after_complaint import AfterComplaint
from domain.case.breaches import Breaches
from domain.case.decisions import Decisions
from domain.case.delivery import Delivery
from domain.case.guarantee import Guarantee
from domain.case.intake import Intake
from domain.case.lifecycle import OPEN, CaseStatus
from domain.case.moves import Moves
from domain.case.need_change import NeedChange
from domain.case.offers import Offers
from domain.case.priority import Priority
from domain.case.spouses import Spouses
from domain.case.state import CaseEvent, Documentation
from domain.case.stays import Stays
from domain.case_number import CaseNumber
from domain.errors import InvalidValue, RuleViolation
from domain.identity import IdentityNumber
from domain.values import Channel, DeclinedOfferEffect, Person


class Case(Intake, Decisions, Delivery, Priority, Spouses, Accompanying, Offers, Moves,
           NeedChange, Stays, Breaches, AfterComplaint, Base):
    Event = CaseEvent

    class ApplicationReceived(CaseEvent, Base.Created):
        """Søknad mottatt. Version 2 added ``channel`` (version 1 events came on paper);
        version 3 the case number (saksnummer, :mod:`domain.case_number`), given when the
        application is received (None in earlier versions: such a case gets one later by
        :class:`CaseNumberAssigned`).

        ``accompanying_spouse``: the application says the couple *wishes* the spouse to
        accompany the applicant (R11). It is a wish only: the accompanying stay itself is a
        decision on the spouse's own case (:mod:`.accompanying`), and only that decision
        makes the allocation run and the offers treat the couple as needing a double room.
        """

        class_version = 3

        person: Person
        received_on: date
        channel: Channel
        spouse_case_id: UUID | None
        accompanying_spouse: bool
        receives_other_services: bool
        dementia_suspected: bool
        case_number: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["channel"] = Channel.PAPER

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["case_number"] = None

    class CaseNumberAssigned(CaseEvent):
        """Saksnummer tildelt (:mod:`domain.case_number`) to a case recorded before case
        numbers existed (the service's one-time assignment); a new case has its number in
        its application. A case gets one number, once."""

        case_number: str

        def on(self, case: Case) -> None:
            case.case_number = self.case_number

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        person: Person,
        received_on: date,
        channel: Channel,
        spouse_case_id: UUID | None,
        accompanying_spouse: bool,
        receives_other_services: bool,
        dementia_suspected: bool,
        case_number: str | None = None,
    ) -> None:
        super().__init__(municipality, command_id)
        self.person = person
        self.received_on = received_on
        self.channel = channel
        self.spouse_case_id = spouse_case_id
        self.accompanying_spouse = accompanying_spouse
        self.receives_other_services = receives_other_services
        self.dementia_suspected = dementia_suspected
        self.docs = Documentation()
        self.status = CaseStatus.RECEIVED
        self.decisions = []
        self.place_type = None
        self.facility_kind = None
        self.declined_offer_effect = DeclinedOfferEffect.OFFER_FULFILS_GUARANTEE
        self.free_choice = False
        self.review_every_months = 3
        self.grant_alert_days = 3
        self.iplos_max_age_months = 12
        self.guarantee = Guarantee()
        self.breach_choice = None
        self.interim_services = []
        self.priority = None
        self.urgency_reason = None
        self.wishes = []
        self.living_apart_consent = False
        self.offers = {}
        self.residence = None
        self.bridging = []
        self.closure = None
        self.stay_ended = None
        self.accompanying = None
        self.case_number: str | None = case_number

    @property
    def is_open(self) -> bool:
        """R25: one open case per person and municipality (received, granted, waiting or
        resident)."""
        return self.status in OPEN

    def assign_number(self, now: datetime, number: CaseNumber, *,
                      command_id: str | None = None) -> bool:
        """Record the case's number (saksnummer); a case that has one keeps it (returns
        False and records nothing)."""
        if self.case_number is not None:
            return False
        self.trigger_event(self.CaseNumberAssigned, timestamp=now, command_id=command_id,
                           case_number=str(number))
        return True

    @property
    def on_waiting_list(self) -> bool:
        """R12: a waiting-list decision, or a grant not yet carried out (shown apart)."""
        return self.status in (CaseStatus.WAITING, CaseStatus.GRANTED)

    @property
    def deadline(self) -> date | None:
        """The deadline of the current guarantee period (R18), if one is in force."""
        period = self.guarantee.current
        return period.deadline if period is not None and self.guarantee.in_force else None

    @classmethod
    def receive_application(
        cls,
        now: datetime,
        *,
        case_id: UUID | None = None,
        municipality: str,
        identity_number: str,
        name: str,
        received_on: date | None = None,
        channel: Channel = Channel.DIGITAL,
        spouse_case_id: UUID | None = None,
        accompanying_spouse: bool = False,
        receives_other_services: bool = True,
        dementia_suspected: bool = False,
        case_number: CaseNumber | None = None,
        command_id: str | None = None,
    ) -> Case:
        check_municipality(municipality)
        number = IdentityNumber.parse(identity_number)
        if not name or not name.strip():
            raise InvalidValue("name", "the applicant's name is required")
        today = local_date(now)
        received = received_on or today
        if received > today:
            raise InvalidValue("received_on", "an application cannot be received in the future")
        if accompanying_spouse and spouse_case_id is None:
            raise RuleViolation("R11", "an accompanying stay needs the spouse's case linked",
                                field="spouse_case_id")
        return cls._create(
            cls.ApplicationReceived,
            id=case_id or uuid4(),
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            person=Person(number.value, name.strip(), number.birth_date),
            received_on=received,
            channel=channel,
            spouse_case_id=spouse_case_id,
            accompanying_spouse=accompanying_spouse,
            receives_other_services=receives_other_services,
            dementia_suspected=dementia_suspected,
            case_number=str(case_number) if case_number is not None else None,
        )
