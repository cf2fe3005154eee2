"""A history of a few thousand events through the application service: three
municipalities' cases, decisions, priorities, urgency, places, offers (own and purchased),
declines, admissions, stays ending, deaths on the list, deadline breaches and choices,
places closed and reopened, and a couple in a double room with an accompanying stay (R11)
— in virtual time, with several commands at the same moment now and then (the § 2-2
documentation is recorded without the clock moving).

``grow`` calls ``between()`` after every day's commands, so a test can feed the live
projection in small chunks while the story goes on, and take snapshots at moments T.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.errors import DomainError
from domain.values import (
    BreachChoice,
    ClosureReason,
    DeliveryChannel,
    FacilityKind,
    PlaceType,
    PolicySettings,
    PriorityFactor,
    RoomKind,
    StayEndReason,
)
from tests.builders import person_number, place, waiting_case

MUNICIPALITIES = ("4601", "0301", "5001")
TYPES = [PlaceType.ORDINARY] * 6 + [PlaceType.SCREENED] * 3 + [PlaceType.REINFORCED]
FACTORS = [f.value for f in PriorityFactor]


@dataclass
class Story:
    """What the story has made, for the tests to look at."""

    cases: list[tuple[str, UUID]] = field(default_factory=list)
    places: list[tuple[str, UUID]] = field(default_factory=list)
    days: int = 0


def grow(service: AllocationService, clock: ManualClock, *, days: int, seed: int = 4,
         between: Callable[[int], None] = lambda day: None) -> Story:
    rng = random.Random(seed)
    moves_rng = random.Random(seed + 1)  # R28: its own draws, so the rest stays the same
    story = Story()
    settings = PolicySettings()
    # what the story knows of its own world, so that it need not load aggregates
    waiting: dict[tuple[str, PlaceType], dict[UUID, tuple[bool, int]]] = {}
    kinds: dict[UUID, PlaceType] = {}
    free: dict[UUID, int] = {}  # free beds of each open place (absent while closed)
    answers: list[tuple[int, str, UUID, UUID, UUID | None]] = []  # day, m, case, offer, place
    admissions: list[tuple[int, str, UUID, UUID, UUID | None]] = []
    residents: list[tuple[int, str, UUID, UUID | None]] = []
    closed: list[tuple[int, str, UUID]] = []
    offers_of_providers: list[tuple[str, UUID, PlaceType]] = []
    couple: dict[str, UUID] = {}

    def new_place(m: str, place_type: PlaceType) -> None:
        room_kind = RoomKind.DOUBLE if rng.random() < 0.2 else RoomKind.SINGLE
        facility = rng.choice(["fjellheim", "solbakken"])
        p = place(service, municipality=m, facility_id=facility,  # R1: two kinds (R22)
                  place_type=place_type, room_kind=room_kind,
                  facility_kind=FacilityKind.HOUSING_24H if facility == "solbakken"
                  else FacilityKind.NURSING_HOME)
        story.places.append((m, p))
        kinds[p], free[p] = place_type, room_kind.capacity

    for m in MUNICIPALITIES:
        for place_type in (PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED):
            new_place(m, place_type)

    for day in range(days):
        story.days = day + 1
        clock.advance(hours=7)
        # applications, documented and decided at one moment (several events, one time)
        for _ in range(rng.choice((1, 1, 2))):
            m, place_type = rng.choice(MUNICIPALITIES), rng.choice(TYPES)
            case = waiting_case(service, municipality=m, place_type=place_type,
                                dementia=place_type is PlaceType.SCREENED,
                                name=f"Person {len(story.cases)}")
            story.cases.append((m, case))
            # R14: the decision sent, and for every third its receipt (the fold keeps both)
            decision = service.get_case(m, case).decisions[0].decision_id
            service.record_decision_sent(m, case, decision, sent_on=local_date(clock.now()),
                                         channel=DeliveryChannel.POST,
                                         recorded_by="Saksbehandler")
            if len(story.cases) % 3 == 0:
                service.record_decision_received(m, case, decision,
                                                 received_on=local_date(clock.now()),
                                                 recorded_by="Saksbehandler")
            clock.advance(minutes=20)
            factors = {f: rng.randint(0, 4) for f in rng.sample(FACTORS, 3)}
            score = settings.suggested_need_score(factors)
            service.assess_priority(m, case, factors=factors, need_score=score,
                                    assessor="Sykepleier")
            urgent = rng.random() < 0.1
            if urgent:  # R15: a grant to be carried out at once
                service.mark_urgent(m, case, reason="Fall", assessed_by="Lege")
            waiting.setdefault((m, place_type), {})[case] = (urgent, score)
            kinds[case] = place_type
        clock.advance(hours=1)
        if rng.random() < 0.35:
            new_place(rng.choice(MUNICIPALITIES), rng.choice(TYPES))
        if rng.random() < 0.1:
            m = rng.choice(MUNICIPALITIES)
            po = service.register_provider_offer(
                m, provider="Omsorg AS", reference=f"d{day}", facility_name="Lia",
                facility_kind=FacilityKind.HOUSING_24H if day % 3 == 0
                else FacilityKind.NURSING_HOME, place_type=rng.choice(TYPES),
                price_per_day=Decimal(rng.choice(("3650.00", "3850.00"))))
            offers_of_providers.append((m, po, service.get_provider_offer(m, po).place_type))

        # offers: each free bed to the first on the list (urgent, then need)
        for m, p in story.places:
            queue = waiting.get((m, kinds[p]), {})
            while queue and free.get(p, 0) > 0:
                case = min(queue, key=lambda c: (not queue[c][0], -queue[c][1], str(c)))
                clock.advance(minutes=5)
                offer = service.make_offer(m, case, made_by="Saksbehandler", place_id=p)
                del queue[case]
                free[p] -= 1
                answers.append((day + rng.randint(1, 2), m, case, offer, p))
        # an urgent person may be offered another provider's place (R19)
        for m, po, place_type in list(offers_of_providers):
            queue = waiting.get((m, place_type), {})
            urgent = [c for c, (u, _) in queue.items() if u]
            if urgent:
                clock.advance(minutes=5)
                offer = service.make_offer(m, urgent[0], made_by="Saksbehandler",
                                           provider_offer_id=po)
                del queue[urgent[0]]
                offers_of_providers.remove((m, po, place_type))
                answers.append((day + 1, m, urgent[0], offer, None))

        clock.advance(hours=1)
        for item in [a for a in answers if a[0] <= day]:
            answers.remove(item)
            _, m, case, offer, p = item
            clock.advance(minutes=3)
            if p is not None and rng.random() < 0.15:
                service.decline_offer(m, case, offer, reason="Vil vente på Solbakken")
                waiting.setdefault((m, kinds[case]), {})[case] = (False, 0)
                if p in free:
                    free[p] += 1
                continue
            service.accept_offer(m, case, offer)
            admissions.append((day + rng.randint(1, 3), m, case, offer, p))
        for item in [a for a in admissions if a[0] <= day]:
            admissions.remove(item)
            _, m, case, offer, target = item
            clock.advance(minutes=3)
            service.admit(m, case, offer)
            residents.append((day + rng.randint(10, 60), m, case, target))
        for item in [r for r in residents if r[0] <= day]:
            residents.remove(item)
            _, m, case, target = item
            clock.advance(minutes=3)
            service.end_stay(m, case, reason=rng.choice(list(StayEndReason)))
            if target is not None and target in free:
                free[target] += 1

        _moves(service, clock, moves_rng, m_places=story.places, kinds=kinds, free=free,
               residents=residents)
        # deaths on the list, places closed and reopened, the deadline check (R18, R19)
        if rng.random() < 0.2:
            pools = [(k, c) for k, q in waiting.items() for c in q]
            if pools:
                (m, place_type), case = rng.choice(pools)
                clock.advance(minutes=3)
                service.close_case(m, case, reason=ClosureReason.DIED)
                del waiting[(m, place_type)][case]
        if rng.random() < 0.1:
            m, p = rng.choice(story.places)
            try:
                service.close_place(m, p, reason="Oppussing")
                closed.append((day + 5, m, p))
                del free[p]
            except DomainError:
                pass  # occupied, offered or already closed: not today
        for item in [x for x in closed if x[0] <= day]:
            closed.remove(item)
            _, m, p = item
            service.reopen_place(m, p)
            found = service.get_place(m, p)
            free[p] = found.free_beds
        if day % 7 == 6:
            clock.advance(days=20)  # a slow month: deadlines pass
            on_list = [c for queue in waiting.values() for c in queue]
            for case in service.check_deadlines(case_ids=on_list):
                m = next(m for m, c in story.cases if c == case)
                if rng.random() < 0.5:
                    service.record_breach_choice(m, case, choice=BreachChoice.WAIT,
                                                 recorded_by="Saksbehandler")
        _couple(service, clock, day, couple)
        between(day)
    return story


def _moves(service: AllocationService, clock: ManualClock, rng: random.Random, *,
           m_places: list[tuple[str, UUID]], kinds: dict[UUID, PlaceType],
           free: dict[UUID, int], residents: list[tuple[int, str, UUID, UUID | None]]
           ) -> None:
    """R28: a resident in a bought place is offered a free own place of their type: most
    accept and move (the purchase ends), some decline and keep the bought place."""
    for i, (end_day, m, case, target) in enumerate(list(residents)):
        if target is not None and kinds[case] is PlaceType.ORDINARY and rng.random() < 0.05:
            clock.advance(minutes=2)  # needs grow: a screened place (change of need)
            service.decide_new_place_type(m, case, place_type=PlaceType.SCREENED,
                                          grounds="Økt behov", decided_by="Saksbehandler")
            kinds[case] = PlaceType.SCREENED
            continue
        if target is not None or rng.random() < 0.5:
            continue
        p = next((p for mm, p in m_places
                  if mm == m and kinds[p] is kinds[case] and free.get(p, 0) > 0), None)
        if p is None:
            continue
        clock.advance(minutes=2)
        try:
            offer = service.offer_move(m, case, place_id=p, reason="bought_to_own",
                                       made_by="Saksbehandler")
        except DomainError:
            continue
        free[p] -= 1
        clock.advance(minutes=2)
        if rng.random() < 0.3:
            service.decline_move(m, case, offer, reason="Vil bli boende")
            free[p] += 1
            continue
        service.accept_move(m, case, offer)
        service.carry_out_move(m, case, offer)
        residents[i] = (end_day, m, case, p)


def _couple(service: AllocationService, clock: ManualClock, day: int,
            couple: dict[str, UUID]) -> None:
    """R11, on fixed days (the story's random stream untouched): a resident and a spouse
    with a decision on an accompanying stay are offered a double room of their own (both
    beds reserved), accept, move in (both beds occupied); the resident dies and the
    spouse's stay goes on until a new decision ends it on a day ahead (R24)."""
    m = MUNICIPALITIES[0]
    if day == 2:
        ola = waiting_case(service, municipality=m, name="Ola Par")
        kari = service.receive_application(m, identity_number=person_number(),
                                           name="Kari Par", spouse_case_id=ola)
        clock.advance(minutes=7)
        service.decide_accompanying_stay(m, kari, resident_case_id=ola,
                                         wish="Begge ønsker å bo sammen",
                                         grounds="Ektefelle til beboer",
                                         decided_by="Saksbehandler")
        room = place(service, municipality=m, facility_id="fjellheim",
                     room_kind=RoomKind.DOUBLE)
        couple.update(ola=ola, kari=kari, room=room)
        clock.advance(minutes=7)
        couple["offer"] = service.make_offer(m, ola, made_by="Saksbehandler", place_id=room)
    elif day == 3 and couple:
        clock.advance(minutes=7)
        service.accept_offer(m, couple["ola"], couple["offer"])
    elif day == 4 and couple:
        clock.advance(minutes=7)
        service.admit(m, couple["ola"], couple["offer"])
    elif day == 15 and couple:
        clock.advance(minutes=7)
        service.end_stay(m, couple["ola"], reason=StayEndReason.DIED)
    elif day == 25 and couple:
        clock.advance(minutes=7)
        service.conclude_accompanying_stay(
            m, couple["kari"], outcome="ended", grounds="Flytter hjem",
            decided_by="Saksbehandler", ended_on=service._today() + timedelta(days=10))
