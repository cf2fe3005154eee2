"""A stateful property test of a case's whole life: random sequences of every case and place
command (moves of residents among them, R28: :mod:`.case_life_moves`), the bad orders
included (an admission after a rejection, an offer after a death, a decline after an
admission, two offers of the last bed, …), against the real application,
with the read models fed as a running service feeds them.

After every step it checks what must always hold:

- a place never holds more than its beds (reservations and residents still there);
- a person holds at most one offer, lives in at most one place on any day (R28: a move is
  out of the old place and into the new one the same day), holds an offer while living in a
  place only for a move, and every reservation is an outstanding offer of the case that
  holds it (and the other way round);
- every offer of a closed, rejected or dead person is withdrawn, and holds no place;
- a breach is recorded at most once per guarantee period, and after a deadline check no
  person on the waiting list has a breach left unrecorded (R18);
- a refused command writes nothing;
- the read models equal a replay of the log (the live SQL tables against the log folded into
  memory), and the waiting list is the aggregates' own order (R12) with their guarantee
  state (R18).

``tests/integration/test_case_life_properties.py`` runs it in the suite;
``bench/case_life.py --long`` runs many more sequences.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from application.clock import ManualClock
from application.complaints import NewDecision
from application.service import AllocationService
from domain.base import local_date
from domain.case import Case, CaseStatus, GuaranteeStatus
from domain.errors import DomainError
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import (
    BreachChoice,
    ClosureReason,
    DeclinedOfferEffect,
    DementiaFinding,
    FacilityKind,
    OfferStatus,
    PlaceType,
    RoomKind,
    StayEndReason,
)
from projections.fold import apply_event
from projections.read_side import ReadSide, ReplayedAsOf
from projections.store import MemoryStore
from projections.waiting_list import waiting_list
from tests.builders import INTERIM, START, document, person_number
from tests.integration.case_life_moves import MovesOfResidents

M = "4601"
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
TYPES = st.sampled_from(list(PlaceType))
KINDS = st.sampled_from(list(FacilityKind))


class CaseLife(MovesOfResidents, RuleBasedStateMachine):
    cases = Bundle("cases")
    places = Bundle("places")
    provider_offers = Bundle("provider_offers")
    offers = Bundle("offers")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.svc = AllocationService(env=MEMORY, clock=self.clock)
        self.read = ReadSide(self.svc)
        self.replay = MemoryStore()
        self.replayed = 0
        self.breach_events: Counter[tuple[UUID, int]] = Counter()
        self.all_cases: list[UUID] = []
        self.all_places: list[UUID] = []
        self.all_provider_offers: list[UUID] = []
        self.numbers: dict[UUID, str] = {}
        self.checked_since_time_moved = False
        self.steps = 0
        self.refused = 0
        self._cache: dict[UUID, Any] = {}
        self._held: dict[str, Any] = {}

    # --- helpers ------------------------------------------------------------------------

    @property
    def today(self) -> Any:
        return local_date(self.clock.now())

    def attempt(self, command: Any) -> Any:
        """Run a command; a refusal must leave the log as it was."""
        self.steps += 1
        before = self.svc.recorder.max_notification_id()
        try:
            return command()
        except DomainError:
            self.refused += 1
            assert self.svc.recorder.max_notification_id() == before, "a refusal wrote"
            return None

    def _load(self, aggregate_id: UUID) -> Any:
        """An aggregate as it stands: loaded again only after an event of its own (the
        log's new notifications are read once per step, and also fold the replay)."""
        self._feed_replay()
        found = self._cache.get(aggregate_id)
        if found is None:
            found = self._cache[aggregate_id] = self.svc.repository.get(aggregate_id)
        return found

    def case(self, case_id: UUID) -> Case:
        return self._load(case_id)

    def place(self, place_id: UUID) -> Place:
        return self._load(place_id)

    def provider_offer(self, poid: UUID) -> ProviderOffer:
        return self._load(poid)

    # --- the world ----------------------------------------------------------------------

    @initialize(effect=st.sampled_from(list(DeclinedOfferEffect)), free_choice=st.booleans(),
                lapse_declines=st.booleans())
    def policy(self, effect: DeclinedOfferEffect, free_choice: bool,
               lapse_declines: bool) -> None:
        self.svc.set_policy(M, issued_by="k", reason="Prøver regelen", declined_offer_effect=effect,
                            free_choice=free_choice,
                            lapsed_offer_counts_as_declined=lapse_declines)

    @initialize(target=places, kinds=st.lists(TYPES, min_size=1, max_size=3))
    def some_places(self, kinds: list[PlaceType]) -> Any:
        return multiple(*(self.register_place(t, i == 1, FacilityKind.NURSING_HOME,
                                              "fjellheim") for i, t in enumerate(kinds)))

    @initialize(target=cases, kinds=st.lists(
        st.tuples(st.sampled_from(["waiting_list", "grant"]), TYPES, st.booleans()),
        min_size=1, max_size=3))
    def some_persons_waiting(self, kinds: list[tuple[str, PlaceType, bool]]) -> Any:
        return multiple(*(self.apply_documented_and_decided(k, t, d) for k, t, d in kinds))

    @rule(target=places, place_type=TYPES, double=st.booleans(), kind=KINDS,
          facility=st.sampled_from(["fjellheim", "solbakken"]))
    def register_place(self, place_type: PlaceType, double: bool, kind: FacilityKind,
                       facility: str) -> Any:
        room = f"{len(self.all_places) + 1}"
        pid = self.svc.register_place(
            M, facility_id=facility, facility_name=facility.title(), facility_kind=kind,
            unit="A", room=room, place_type=place_type,
            room_kind=RoomKind.DOUBLE if double else RoomKind.SINGLE)
        self.all_places.append(pid)
        return pid

    @rule(place_id=places, reopen=st.booleans())
    def close_or_reopen_place(self, place_id: UUID, reopen: bool) -> None:
        if reopen:
            self.attempt(lambda: self.svc.reopen_place(M, place_id))
        else:
            self.attempt(lambda: self.svc.close_place(M, place_id, reason="Oppussing"))

    @rule(target=provider_offers, place_type=TYPES)
    def register_provider_offer(self, place_type: PlaceType) -> Any:
        poid = self.svc.register_provider_offer(
            M, provider="Privat AS", reference=f"p{len(self.all_provider_offers)}",
            facility_name="Lia", facility_kind=FacilityKind.NURSING_HOME,
            place_type=place_type, price_per_day=Decimal("2850.50"))
        self.all_provider_offers.append(poid)
        return poid

    @rule(days=st.sampled_from([1, 4, 10, 40, 95, 95]))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        self.checked_since_time_moved = False

    @rule()
    def scheduled_check(self) -> None:
        """R18, R26: the server's scheduled check."""
        self.svc.lapse_offers(M)
        self.svc.check_deadlines(M)
        self.checked_since_time_moved = True

    # --- applications, documentation and decisions --------------------------------------

    @rule(target=cases, dementia_suspected=st.booleans(), other_services=st.booleans())
    def apply(self, dementia_suspected: bool, other_services: bool) -> Any:
        number = person_number()
        case_id = self.svc.receive_application(
            M, identity_number=number, name="Per", dementia_suspected=dementia_suspected,
            receives_other_services=other_services)
        self.all_cases.append(case_id)
        self.numbers[case_id] = number
        return case_id

    @rule(target=cases, kind=st.sampled_from(["waiting_list", "waiting_list", "grant"]),
          place_type=TYPES, dementia=st.booleans())
    def apply_documented_and_decided(self, kind: str, place_type: PlaceType,
                                     dementia: bool) -> Any:
        """The common path, so that sequences reach offers, stays and deadlines."""
        case_id = self.apply(dementia_suspected=dementia, other_services=True)
        document(self.svc, case_id, reinforced=place_type is PlaceType.REINFORCED,
                 dementia=dementia)
        self.svc.decide(M, case_id, kind=kind, grounds="g", decided_by="TE",
                        place_type=place_type,
                        can_be_cared_for_safely_at_home=kind == "waiting_list",
                        interim_services=INTERIM)
        return case_id

    @rule(target=offers, case_id=cases)
    def offer_any_free_place(self, case_id: UUID) -> Any:
        """As an officer would: the first place that takes the offer."""
        for pid in self.all_places:
            offer_id = self.attempt(lambda pid=pid: self.svc.make_offer(
                M, case_id, made_by="TE", place_id=pid, type_reason="Begrunnet",
                unsuitable_reason="Begrunnet"))
            if offer_id is not None:
                return multiple((case_id, offer_id))
        return multiple()

    @rule(target=cases, case_id=cases)
    def apply_again_for_the_same_person(self, case_id: UUID) -> Any:
        """R25: refused while the person's case is open; a new case once it is not."""
        number = self.numbers[case_id]
        same_person = [c for c, n in self.numbers.items() if n == number]
        any_open = any(self.case(c).is_open for c in same_person)
        found = self.attempt(lambda: self.svc.receive_application(
            M, identity_number=number, name="Per"))
        assert (found is None) == any_open
        if found is not None:
            self.all_cases.append(found)
            self.numbers[found] = self.numbers[case_id]
        return multiple(found) if found is not None else multiple()

    @rule(case_id=cases, reinforced=st.booleans(), dementia=st.booleans())
    def document(self, case_id: UUID, reinforced: bool, dementia: bool) -> None:
        self.attempt(lambda: document(self.svc, case_id, reinforced=reinforced,
                                      dementia=dementia))

    @rule(case_id=cases)
    def suspect_dementia(self, case_id: UUID) -> None:
        self.attempt(lambda: self.svc.suspect_dementia(M, case_id, reason="Glemsom",
                                                       raised_by="TE"))

    @rule(case_id=cases, confirmed=st.booleans())
    def investigate_dementia(self, case_id: UUID, confirmed: bool) -> None:
        finding = DementiaFinding.CONFIRMED if confirmed else DementiaFinding.NOT_CONFIRMED
        self.attempt(lambda: self.svc.record_dementia_investigation(
            M, case_id, finding=finding, conclusion="Utredet", recorded_by="Lege"))

    @rule(case_id=cases, kind=st.sampled_from(["grant", "waiting_list", "rejection"]),
          place_type=TYPES, facility_kind=st.none() | KINDS)
    def decide(self, case_id: UUID, kind: str, place_type: PlaceType,
               facility_kind: FacilityKind | None) -> None:
        if kind == "rejection":
            self.attempt(lambda: self.svc.decide(M, case_id, kind=kind, grounds="g",
                                                 decided_by="TE"))
            return
        self.attempt(lambda: self.svc.decide(
            M, case_id, kind=kind, grounds="g", decided_by="TE", place_type=place_type,
            facility_kind=facility_kind,
            can_be_cared_for_safely_at_home=kind == "waiting_list",
            interim_services=INTERIM))

    @rule(case_id=cases, quash=st.booleans(),
          kind=st.sampled_from(["grant", "waiting_list", "rejection"]), place_type=TYPES)
    def complaint_acts(self, case_id: UUID, quash: bool, kind: str,
                       place_type: PlaceType) -> None:
        """R21, R23: a complaint about the decision in force, upheld by the unit: changed
        (a new decision on the case) or quashed (back to assessment); then, after a quash,
        the unit's new decision linked to the complaint."""
        case = self.case(case_id)
        if not case.decisions:
            return
        complaint = self.attempt(lambda: self.svc.register_complaint(
            M, case_id, against="decision", subject_id=case.decisions[-1].decision_id,
            received_on=self.today, grounds="g", registered_by="K"))
        if complaint is None:
            return
        new = None if quash else NewDecision(
            kind=kind, grounds="g", place_type=None if kind == "rejection" else place_type,
            can_be_cared_for_safely_at_home={"waiting_list": True, "grant": False}.get(kind),
            interim_services=INTERIM)
        self.attempt(lambda: self.svc.record_reconsideration(
            M, complaint, upheld=True, outcome="quashed" if quash else "changed",
            reasoning="r", decided_by="L", decided_on=self.today, late_reason="sen",
            new_decision=new))
        if quash:
            self.attempt(lambda: self.svc.decide(
                M, case_id, kind=kind, grounds="g", decided_by="TE",
                place_type=None if kind == "rejection" else place_type,
                can_be_cared_for_safely_at_home={"waiting_list": True,
                                                 "grant": False}.get(kind),
                interim_services=INTERIM, complaint_id=complaint))

    @rule(case_id=cases)
    def mark_urgent(self, case_id: UUID) -> None:
        self.attempt(lambda: self.svc.mark_urgent(M, case_id, reason="Fall",
                                                  assessed_by="Lege"))

    @rule(case_id=cases, need=st.integers(0, 4))
    def assess(self, case_id: UUID, need: int) -> None:
        factors = {"function": need}
        score = self.svc.suggested_need_score(M, factors)[0]
        self.attempt(lambda: self.svc.assess_priority(M, case_id, factors=factors,
                                                      need_score=score, assessor="Spl"))

    @rule(case_id=cases)
    def bridging_stay(self, case_id: UUID) -> None:
        self.attempt(lambda: self.svc.record_bridging_stay(
            M, case_id, facility_name="Korttid", unit="K", from_on=self.today,
            recorded_by="TE"))

    @rule(case_id=cases, choice=st.sampled_from(list(BreachChoice)))
    def choose_after_breach(self, case_id: UUID, choice: BreachChoice) -> None:
        self.attempt(lambda: self.svc.record_breach_choice(M, case_id, choice=choice,
                                                           recorded_by="TE"))

    @rule(case_id=cases, reason=st.sampled_from([ClosureReason.WITHDRAWN, ClosureReason.DIED,
                                                 ClosureReason.MOVED_AWAY]))
    def close_case(self, case_id: UUID, reason: ClosureReason) -> None:
        self.attempt(lambda: self.svc.close_case(M, case_id, reason=reason))

    # --- offers and stays ---------------------------------------------------------------

    @rule(target=offers, case_id=cases, place_id=places, with_reasons=st.booleans())
    def offer(self, case_id: UUID, place_id: UUID, with_reasons: bool) -> Any:
        reason = "Begrunnet" if with_reasons else None
        offer_id = self.attempt(lambda: self.svc.make_offer(
            M, case_id, made_by="TE", place_id=place_id, type_reason=reason,
            unsuitable_reason=reason))
        return multiple((case_id, offer_id)) if offer_id else multiple()

    @rule(target=offers, case_id=cases, poid=provider_offers)
    def offer_purchase(self, case_id: UUID, poid: UUID) -> Any:
        offer_id = self.attempt(lambda: self.svc.make_offer(
            M, case_id, made_by="TE", provider_offer_id=poid, type_reason="Begrunnet",
            unsuitable_reason="Begrunnet"))
        return multiple((case_id, offer_id)) if offer_id else multiple()

    @rule(offer=offers, answer=st.sampled_from(["accept", "decline", "withdraw"]))
    def answer(self, offer: tuple[UUID, UUID], answer: str) -> None:
        case_id, offer_id = offer
        if answer == "accept":
            self.attempt(lambda: self.svc.accept_offer(M, case_id, offer_id))
        elif answer == "decline":
            self.attempt(lambda: self.svc.decline_offer(M, case_id, offer_id, reason="Nei"))
        else:
            self.attempt(lambda: self.svc.withdraw_offer(M, case_id, offer_id,
                                                         reason="Trengs til annen"))

    @rule(offer=consumes(offers), ahead=st.sampled_from([0, 0, 5, 20]))
    def admit(self, offer: tuple[UUID, UUID], ahead: int) -> None:
        case_id, offer_id = offer
        self.attempt(lambda: self.svc.admit(M, case_id, offer_id,
                                            admitted_on=self.today + timedelta(days=ahead)))

    @rule(case_id=cases, ahead=st.sampled_from([0, 0, 10]),
          reason=st.sampled_from(list(StayEndReason)))
    def end_stay(self, case_id: UUID, ahead: int, reason: StayEndReason) -> None:
        self.attempt(lambda: self.svc.end_stay(M, case_id, reason=reason,
                                               ended_on=self.today + timedelta(days=ahead)))

    # --- the common paths, found from the state (so that sequences reach them) -----------

    def _offers_in(self, status: OfferStatus) -> list[tuple[UUID, UUID]]:
        """In the order the cases and their offers were made (never by their random ids:
        hypothesis replays a sequence and must draw the same thing again)."""
        return [(c.id, o.offer_id) for c in map(self.case, self.all_cases)
                for o in c.offers.values()
                if o.outstanding and o.status is status and o.move_reason is None]

    def _residents(self) -> list[UUID]:
        return [c.id for c in map(self.case, self.all_cases)
                if c.status is CaseStatus.RESIDENT]

    @precondition(lambda self: bool(self._offers_in(OfferStatus.MADE)))
    @rule(data=st.data(), answer=st.sampled_from(["accept", "accept", "decline", "withdraw"]))
    def an_offer_is_answered(self, data: st.DataObject, answer: str) -> None:
        offer = data.draw(st.sampled_from(self._offers_in(OfferStatus.MADE)))
        self.answer(offer, answer)

    @precondition(lambda self: bool(self._offers_in(OfferStatus.ACCEPTED)))
    @rule(data=st.data(), ahead=st.sampled_from([0, 0, 5, 20]))
    def an_accepted_offer_is_moved_in_on(self, data: st.DataObject, ahead: int) -> None:
        case_id, offer_id = data.draw(st.sampled_from(self._offers_in(OfferStatus.ACCEPTED)))
        self.attempt(lambda: self.svc.admit(M, case_id, offer_id,
                                            admitted_on=self.today + timedelta(days=ahead)))

    @precondition(lambda self: bool(self._residents()))
    @rule(data=st.data(), ahead=st.sampled_from([0, 0, 10]))
    def a_resident_dies_or_moves(self, data: st.DataObject, ahead: int) -> None:
        case_id = data.draw(st.sampled_from(self._residents()))
        self.end_stay(case_id, ahead, StayEndReason.DIED)

    # --- what must always hold -----------------------------------------------------------

    def _changed(self, name: str) -> bool:
        """Whether the log or the day moved since invariant ``name`` last held (a refused
        command writes nothing, so there is nothing new to check)."""
        now = (self.svc.recorder.max_notification_id(), self.today,
               self.checked_since_time_moved)
        if self._held.get(name) == now:
            return False
        self._held[name] = now
        return True

    @invariant()
    def places_never_hold_more_than_their_beds(self) -> None:
        """On every day from today: the residents there that day (moved in by then, not yet
        moved out) and the offers whose place is available by then never exceed the beds
        (R24: a bed freed by a planned move-out may be offered from that day, and a planned
        admission to it counts from its own day)."""
        if not self._changed("places_never_hold_more_than_their_beds"):
            return
        reserved: Counter[UUID] = Counter()
        moving: set[UUID] = set()
        lives: dict[UUID, list[tuple[Any, Any]]] = {}
        for pid in self.all_places:
            place = self.place(pid)
            starts = {}
            for offer_id, case_id in place.reservations.items():
                offer = self.case(case_id).offers[offer_id]
                assert offer.outstanding, "a place is reserved by an offer no longer out"
                starts[offer_id] = offer.available_on or offer.made_on
                reserved[case_id] += 1
                if offer.move_reason is not None:
                    moving.add(case_id)
            days = {self.today, *place.leaving.values(), *starts.values(),
                    *place.occupants.values()}
            for day in sorted(d for d in days if d >= self.today):
                # in the place that day: moved in by then (a planned admission counts from
                # its day) and not yet moved out (R24)
                staying = [c for c, since in place.occupants.items()
                           if since <= day and (c not in place.leaving
                                                or place.leaving[c] > day)]
                reserved_then = [o for o, start in starts.items() if start <= day]
                assert len(staying) + len(reserved_then) <= place.capacity, (pid, day)
            for case_id, since in place.occupants.items():
                lives.setdefault(case_id, []).append((since, place.leaving.get(case_id)))
        for poid in self.all_provider_offers:
            po = self.provider_offer(poid)
            if po.reserved_for is not None:
                offer_id, case_id = po.reserved_for
                reserved[case_id] += 1
                assert self.case(case_id).offers[offer_id].outstanding
        for case_id, n in reserved.items():
            assert n <= 1, f"{case_id} holds {n} offers"
        far = self.today + timedelta(days=100_000)
        for case_id, spans in lives.items():  # R28: nobody in two places on any day
            spans = sorted((max(a, self.today), b or far) for a, b in spans)
            spans = [(a, b) for a, b in spans if a < b]
            for (_, end), (start, _) in pairwise(spans):
                assert end <= start, f"{case_id} lives in two places at once"
            if spans and reserved[case_id]:  # a resident's reservation is a move's
                assert case_id in moving, f"{case_id} lives in a place and holds an offer"

    @invariant()
    def offers_of_persons_off_the_list_are_withdrawn(self) -> None:
        if not self._changed("offers_of_persons_off_the_list_are_withdrawn"):
            return
        for case_id in self.all_cases:
            case = self.case(case_id)
            outstanding = [o for o in case.offers.values() if o.outstanding]
            assert len(outstanding) <= 1
            if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED,
                               CaseStatus.RECEIVED):
                assert not outstanding, f"{case.status}: an offer is still out"
                assert all(o.status is not OfferStatus.MADE for o in case.offers.values())
            for o in outstanding:  # the other way round: the offer holds its place
                if o.kind.value == "own":
                    assert self.place(o.target_id).reservations.get(o.offer_id) == case_id
                else:
                    po = self.provider_offer(o.target_id)
                    assert po.reserved_for == (o.offer_id, case_id) or \
                        po.purchased_for == case_id

    @invariant()
    def breaches_once_per_period_and_none_left_after_a_check(self) -> None:
        if not self._changed("breaches_once_per_period_and_none_left_after_a_check"):
            return
        self._feed_replay()
        assert all(n == 1 for n in self.breach_events.values()), self.breach_events
        if self.checked_since_time_moved:
            for case_id in self.all_cases:
                case = self.case(case_id)
                assert not case.breach_due(self.today), f"{case_id}: a breach not recorded"

    @invariant()
    def read_models_equal_a_replay_and_the_aggregates(self) -> None:
        if not self._changed("read_models_equal_a_replay_and_the_aggregates"):
            return
        self.read.catch_up()
        self._feed_replay()
        live = self.read.waiting_list(M, self.today)
        replayed = waiting_list(self.replay, M, self.today)
        assert live == replayed
        # R12: the list is the aggregates' own order; R18: with their guarantee's state
        on_list = [c for c in map(self.case, self.all_cases) if c.on_waiting_list]
        expected = sorted(on_list, key=lambda c: c.order_key())
        assert [e.case_id for e in live] == [str(c.id) for c in expected]
        for entry, case in zip(live, expected, strict=True):
            state = case.guarantee.state(self.today)
            assert entry.guarantee == state
            assert entry.urgent == (case.status is CaseStatus.GRANTED)
            assert entry.need_score == case.need_score
            if state.status is GuaranteeStatus.MET:
                assert entry.days_left is None

    def _feed_replay(self) -> None:
        batch = self.svc.recorder.select_notifications(start=self.replayed + 1, limit=10_000)
        for n in batch:
            event = self.svc.mapper.to_domain_event(n)
            self._cache.pop(event.originator_id, None)
            self.replay.position = n.id
            apply_event(self.replay, event)
            if isinstance(event, Case.DeadlineBreached):
                self.breach_events[(event.originator_id, event.period)] += 1
            self.replayed = n.id

    def teardown(self) -> None:
        try:
            if self.all_cases:
                self.read.catch_up()
                whole = ReplayedAsOf(self.svc, self.clock.now())
                assert self.read.waiting_list(M) == whole.waiting_list(M)
                assert self.read.vacancy_board(M) == whole.vacancy_board(M)
                assert self.read.deadline_monitor(M) == whole.deadline_monitor(M)
                for case_id in self.all_cases[:5]:
                    assert self.read.case_history(case_id) == whole.case_history(case_id)
                for pid in self.all_places:
                    assert isinstance(self.svc.get_place(M, pid), Place)
                for poid in self.all_provider_offers:
                    assert isinstance(self.svc.get_provider_offer(M, poid), ProviderOffer)
        finally:
            self.svc.close()
