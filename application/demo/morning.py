"""The officer's morning meeting: which free place goes to whom (the first person in the
one order whom it suits, spouses together, R7, R10, R15, R16), why a person gets another
type of place (R7), places bought from other providers for grants not carried out and after
a breach (R4, R15, R19), the offers themselves (and whether the person will answer), and
other providers' offers of places (R5, R19).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from application.demo.stage import Stage
from domain.case import ON_LIST, Case, CaseStatus, GuaranteeStatus, fitting_place_types
from domain.place import Place
from domain.values import BreachChoice, OfferStatus, PlaceType, RoomKind

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED
_GRANTED = CaseStatus.GRANTED


class Morning(Stage):
    """The morning meeting: own places, purchases, reviews; and the offers made."""

    # --- the morning meeting: own places, purchases, reviews ----------------------------

    def morning_meeting(self) -> None:
        listed = self.listed()
        for case in listed:
            if (case.review_due_on() or self.end) <= self.today:
                self.later(0, 14 * 60 + 10, self.review, case.id)
        horizon = self.today + timedelta(days=self.policy().offer_available_within_days)
        free = [p for p in map(self.place, self.places)
                if (p.free_from(self.today) or date.max) <= horizon]
        free.sort(key=lambda p: (p.room_kind is RoomKind.DOUBLE, p.free_from(self.today),
                                 p.facility_id, p.unit, p.room))
        order = [c.id for c in sorted(listed, key=Case.order_key)
                 if not c.dementia_uninvestigated]
        for place_id in (p.id for p in free):
            while (self.place(place_id).free_from(self.today) or date.max) <= horizon and \
                    self.offer_place(self.place(place_id), order, horizon):
                pass
        for case in self.listed():
            if case.outstanding_offer is None and self.needs_purchase(case):
                self.buy(case)

    def offer_place(self, place: Place, order: list[UUID], horizon: date) -> bool:
        """The place to the first person in the order whom it suits; spouses on the list
        together are offered places together, at one facility (R10)."""
        for case in map(self.case, order):
            if case.outstanding_offer is not None or not self.suits(case, place):
                continue
            spouse = self.spouse(case)
            if spouse is not None and spouse.status in ON_LIST and \
                    spouse.outstanding_offer is None:
                day = place.free_from(self.today) or self.today
                beside = [place] if place.free_beds_on(day) > 1 else []
                beside += [p for p in map(self.place, self.places) if p.id != place.id
                           and p.facility_id == place.facility_id
                           and (p.free_from(self.today) or date.max) <= horizon]
                other = next((p for p in beside if self.suits(spouse, p)), None)
                if other is None:
                    continue
                self.offer(case, place.place_type, place_id=place.id)
                self.offer(spouse, other.place_type, place_id=other.id)
                return True
            self.offer(case, place.place_type, place_id=place.id)
            return True
        return False

    def suits(self, case: Case, place: Place) -> bool:
        """The decided type (R7, R18: a person with dementia may get a screened place), or
        for a screened decision an ordinary place with a reason when a grant or the deadline
        presses; reinforced only to reinforced; at the spouse's facility (R10); not where the
        person said no in the last month."""
        if any(o.facility_id == place.facility_id and o.answered_on is not None
               and o.status in (OfferStatus.DECLINED, OfferStatus.LAPSED)
               and (self.today - o.answered_on).days < 30 for o in case.offers.values()):
            return False
        spouse = self.spouse(case)
        held = spouse.facility_held if spouse is not None and spouse.in_long_term_stay else None
        if held not in (None, place.facility_id):
            return False
        offered, decided = place.place_type, case.place_type
        if _REI in (offered, decided):
            return offered is decided
        if offered in fitting_place_types(decided, case.has_dementia):
            return True
        days_left = case.guarantee.state(self.today).days_left
        return decided is _SCR and (case.status is _GRANTED or (days_left or 99) <= 14)

    def type_reason(self, case: Case, offered: PlaceType) -> str | None:
        """R7: why a person with dementia (or a screened decision) gets another place."""
        if offered is _SCR or not (case.has_dementia or case.place_type is _SCR):
            return None
        spouse = self.spouse(case)
        return self.w.type_reasons[
            "spouse" if spouse is not None and spouse.in_long_term_stay else
            "reinforced" if offered is _REI else
            "deadline" if case.place_type is _SCR else "ordinary"]

    def needs_purchase(self, case: Case) -> bool:
        """R4, R15: a grant not carried out in time (after three weeks more in a short-term
        stay); R19: a person who chose a bought place after a breach. Not while the spouse
        lives at (or is offered) a facility (R10)."""
        spouse = self.spouse(case)
        if spouse is not None and spouse.facility_held is not None:
            return False
        if case.status is _GRANTED:
            overdue = case.grant_overdue(self.today)
            return overdue is not None and (overdue > 21 or
                                            case.bridging_stay_on(self.today) is None)
        return case.breach_choice is BreachChoice.PURCHASE and \
            case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED

    def buy(self, case: Case) -> None:
        """An available place of the decided type from another provider, or one asked for."""
        assert case.place_type is not None
        offers = (self.svc.get_provider_offer(self.m, i) for i in self.provider_offers)
        found = next((po.id for po in offers if po.place_type is case.place_type
                      and po.is_available_on(self.today)), None)
        self.offer(case, case.place_type,
                   provider_offer_id=found or self.provider_offer(case.place_type, 30))

    def offer(self, case: Case, offered: PlaceType, *, answer: bool = True,
              **target: UUID) -> UUID:
        """Make the offer; the person will answer it — or not, and it lapses (R26)."""
        offer_id: UUID = self.do("make_offer", self.m, case.id, made_by=self.officer(),
                                 type_reason=self.type_reason(case, offered), **target)
        case, s, draw = self.case(case.id), self.s, self.rng.random()
        keen = case.status is _GRANTED or case.spouse_case_id is not None
        if not answer or (not keen and draw < s.no_answer):
            return offer_id
        wished = not case.wishes or case.offers[offer_id].facility_id in case.wishes
        declines = not keen and draw < s.no_answer + (s.decline if wished else
                                                       s.decline_unwished)
        self.later(self.rng.randint(1, self.policy().offer_answer_days), 11 * 60, self.answer,
                   case.id, offer_id, False, declines)
        return offer_id

    # --- other providers ----------------------------------------------------------------

    def provider_offer(self, place_type: PlaceType, valid_days: int) -> UUID:
        """Another provider offers a place at its price (R5, R19), for ``valid_days``."""
        provider = self.rng.choice(self.town.providers)
        po_id: UUID = self.do(
            "register_provider_offer", self.m, provider=provider.name,
            reference=f"{self.today.year}-{len(self.provider_offers) + 1:03d}",
            facility_name=provider.facility_name, facility_kind=provider.kind,
            place_type=place_type, available_from=self.today,
            price_per_day=provider.price_per_day + self.town.price_supplement[place_type]
            + 10 * self.rng.randint(-10, 10), valid_until=self.today + timedelta(valid_days))
        self.provider_offers.append(po_id)
        return po_id
