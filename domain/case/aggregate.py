"""A case (sak): one person's application for a long-term stay, from the application
(søknad) through documentation (§ 2-2), the decision (vedtak), the waiting list (§ 3-1),
priority (§ 3-3), offers, the guarantee (§ 3-4), admission and closure.

The case is one aggregate; its concepts each live in a module of their own, with their events
and commands (:mod:`.intake`, :mod:`.decisions`, :mod:`.delivery`, :mod:`.priority`,
:mod:`.spouses`, :mod:`.accompanying`, :mod:`.offers`, :mod:`.moves`,
:mod:`.need_change`, :mod:`.stays`, :mod:`.breaches`), and every command consults the one
state machine in :mod:`.lifecycle`. The guarantee's state is
:mod:`.guarantee`'s.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.base import Base, check_municipality, local_date
from domain.case.accompanying import Accompanying
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
from domain.errors import InvalidValue, RuleViolation
from domain.identity import IdentityNumber
from domain.values import Channel, DeclinedOfferEffect, Person


class Case(Intake, Decisions, Delivery, Priority, Spouses, Accompanying, Offers, Moves,
           NeedChange, Stays, Breaches, Base):
    Event = CaseEvent

    class ApplicationReceived(CaseEvent, Base.Created):
        """Søknad mottatt. Version 2 added ``channel`` (version 1 events came on paper).

        ``accompanying_spouse``: the application says the couple *wishes* the spouse to
        accompany the applicant (R11). It is a wish only: the accompanying stay itself is a
        decision on the spouse's own case (:mod:`.accompanying`), and only that decision
        makes the allocation run and the offers treat the couple as needing a double room.
        """

        class_version = 2

        person: Person
        received_on: date
        channel: Channel
        spouse_case_id: UUID | None
        accompanying_spouse: bool
        receives_other_services: bool
        dementia_suspected: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["channel"] = Channel.PAPER

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

    @property
    def is_open(self) -> bool:
        """R25: one open case per person and municipality (received, granted, waiting or
        resident)."""
        return self.status in OPEN

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
        )
