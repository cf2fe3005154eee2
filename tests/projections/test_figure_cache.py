"""Management's figures and the vacancy board kept between reads
(``projections.figure_cache``, issue 16): a kept figure is always the figure the tables
give now — after every kind of change that moves it, on both stores — and is kept only
while its tables are unchanged (a read's own access-log entry changes none of them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import FacilityKind, PlaceType, PriorityFactor
from projections.activity import activity_report
from projections.deadlines import deadline_monitor
from projections.read_side import ReadSide
from projections.statistics import statistics
from projections.vacancy_board import vacancy_board_in_sql
from tests.builders import MUNICIPALITY, place, waiting_case

M = MUNICIPALITY
FIRST, LAST = date(2026, 1, 1), date(2026, 12, 1)


def _uncached(read: ReadSide) -> tuple[object, ...]:
    """The figures computed from the tables, past the cache, in one read transaction."""
    today = read._today()
    with read._store_read() as store:
        return (statistics(store, M, FIRST, LAST, today),
                deadline_monitor(store, M, today, 50, 0), activity_report(store, M, 2026, today),
                vacancy_board_in_sql(store, M, today))


def _cached(read: ReadSide) -> tuple[object, ...]:
    return (read.statistics(M, FIRST, LAST), read.deadline_monitor(M, limit=50),
            read.activity_report(M, 2026), read.vacancy_board(M))


def test_r13_r18_r22_a_kept_figure_is_the_figure_of_the_tables_after_every_change(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    read.catch_up()
    assert _cached(read) == _uncached(read)
    p = place(service, facility_id="fjellheim")
    cases: list = []
    steps = [
        lambda: cases.append(waiting_case(service, name="Anna")),
        lambda: cases.append(waiting_case(service, name="Bjørn",
                                          place_type=PlaceType.SCREENED)),
        lambda: cases.append(service.make_offer(M, cases[0], made_by="Lie", place_id=p)),
        lambda: service.accept_offer(M, cases[0], cases[-1]),
        lambda: service.admit(M, cases[0], cases[-1]),  # R22: days of a stay from today
        lambda: clock.set(datetime(2026, 4, 15, 9, tzinfo=UTC)),
        lambda: clock.set(datetime(2026, 6, 10, 9, tzinfo=UTC)),  # past the deadlines
        lambda: service.check_deadlines(M),  # breaches recorded
        lambda: service.close_place(M, place(service, facility_id="lia"), reason="Oppussing"),
        lambda: service.register_provider_offer(  # the board's other providers (R19)
            M, provider="Stiftelsen Lyngbo", reference="L-1", facility_name="Lyngbo",
            facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
            price_per_day=2850, valid_until=date(2026, 9, 1)),
        lambda: clock.set(datetime(2026, 9, 2, 9, tzinfo=UTC)),  # its offer no longer valid
    ]
    before = _cached(read)
    moved = 0
    for step in steps:
        step()
        read.catch_up()
        now = _cached(read)
        assert now == _uncached(read)
        moved += now != before
        before = now
    assert moved >= 5, "the steps changed the figures: otherwise the equality proves little"


FACTORS = {PriorityFactor.FUNCTION.value: 3, PriorityFactor.COGNITIVE_FAILURE.value: 2}


def test_r13_a_figure_is_kept_while_its_tables_are_unchanged(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    case_id = waiting_case(service, name="Anna")
    read.catch_up()
    cache = read._figures
    read.statistics(M, FIRST, LAST)
    hits = cache.hits
    read.statistics(M, FIRST, LAST)
    assert cache.hits == hits + 1
    # an access-log entry (what every read of a person writes) changes no figure
    service.record_access(M, actor="Lie", role="allocation_officer", action="read_case",
                          case_ids=[case_id], allowed=True)
    read.catch_up()
    read.statistics(M, FIRST, LAST)
    assert cache.hits == hits + 2
    # case work that leaves the figures' rows be keeps them, though the case's document
    # changes and this catch-up meets it first (nothing derived from it in memory)
    service.assess_priority(M, case_id, factors=FACTORS, need_score=55, assessor="Lie",
                            departure_reason="faglig skjønn")
    service.record_relatives(M, case_id, name="Kari", relation="datter",
                             information="Ringte", recorded_by="Lie")
    read.catch_up()
    read.statistics(M, FIRST, LAST)
    assert cache.hits == hits + 3
    # a decision does: computed anew
    waiting_case(service, name="Bjørn")
    read.catch_up()
    misses = cache.misses
    read.statistics(M, FIRST, LAST)
    assert cache.misses == misses + 1
    # as of a moment: never kept
    read.as_of(clock.now()).statistics(M, FIRST, LAST)
    assert cache.misses == misses + 1 and cache.hits == hits + 3


def test_r13_a_rebuild_gives_its_tables_new_tokens(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    waiting_case(service, name="Anna")
    read.catch_up()
    with read._store_read() as store:
        before = store.stamps(["lto_rm_fact"])
    read.rebuild(workers=1)
    with read._store_read() as store:
        after = store.stamps(["lto_rm_fact"])
    assert None not in before and None not in after and before != after
    assert _cached(read) == _uncached(read)


def test_r16_the_vacancy_board_is_kept_until_a_place_changes(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    """The board is read by every officer many times an hour; it is kept while its tables
    are unchanged (case work and the access log leave them be) and read anew when a place
    changes (an offer reserves its bed) or the day turns: the vacant places R16 allocates
    are those it shows."""
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    p = place(service, facility_id="fjellheim")
    case_id = waiting_case(service, name="Anna")
    read.catch_up()
    cache = read._figures
    first = read.vacancy_board(M)
    hits, misses = cache.hits, cache.misses
    service.record_access(M, actor="Lie", role="allocation_officer", action="read_case",
                          case_ids=[case_id], allowed=True)
    service.record_relatives(M, case_id, name="Kari", relation="datter",
                             information="Ringte", recorded_by="Lie")
    read.catch_up()
    assert read.vacancy_board(M) == first
    assert (cache.hits, cache.misses) == (hits + 1, misses)
    service.make_offer(M, case_id, made_by="Lie", place_id=p)
    read.catch_up()
    offered = read.vacancy_board(M)
    assert cache.misses == misses + 1
    assert [r.status for r in offered.places] == ["reserved"] != [r.status for r in first.places]
    clock.set(datetime(2026, 3, 3, 9, tzinfo=UTC))
    read.vacancy_board(M)
    assert cache.misses == misses + 2, "a new day: computed anew"
