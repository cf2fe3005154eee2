"""The vacancy board read from its plain tables (``lto_rm_board``, ``lto_rm_provider_board``,
``lto_rm_accompanying``: issue 16) is the board the documents give, on a generated history
on both stores, for the day it is read on and for days before and after it: vacant,
reserved, closed and reopened places, planned move-outs (R24), a couple's room with an
accompanying spouse (R11), other providers' offers reserved, bought, withdrawn and past
their validity (R5). The list of facilities likewise."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.errors import DomainError
from domain.place import Place
from domain.values import StayEndReason
from projections.read_side import ReadSide
from tests.projections.history import MUNICIPALITIES, grow

#: Days around the day of reading: the statuses that hang on the day (a planned move-out,
#: an offer's last valid day) change between them.
OFFSETS = (-40, -1, 0, 2, 5, 30, 400)


def _move_out_later(service: AllocationService, clock: ManualClock, days: int) -> bool:
    """R24: one resident's stay ends ``days`` ahead."""
    for pid in service.place_ids():
        p = service.repository.get(pid)
        if not (isinstance(p, Place) and p.occupants and p.municipality in MUNICIPALITIES):
            continue
        with contextlib.suppress(DomainError):
            service.end_stay(p.municipality, next(iter(p.occupants)),
                             reason=StayEndReason.MOVED,
                             ended_on=local_date(clock.now()) + timedelta(days=days))
            return True
    return False


def _assert_same(read: ReadSide, clock: ManualClock, seen: set[str]) -> None:
    read.catch_up()
    documents = read.as_of(clock.now())  # the same moment, read from the documents
    today = local_date(clock.now())
    for m in MUNICIPALITIES:
        for offset in OFFSETS:
            day = today + timedelta(days=offset)
            board = read.vacancy_board(m, day)
            assert board == documents.vacancy_board(m, day), (m, day)
            seen.update(p.status for p in board.places)
            seen.update(f"offer {o.status}" for o in board.provider_offers)
        assert read.facilities(m) == documents.facilities(m)
        assert read.facilities(m)


def test_r11_r24_the_board_from_its_tables_is_the_board_of_the_documents(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    rng = random.Random(5)
    seen: set[str] = set()

    def between(day: int) -> None:
        if day % 6 == 5:
            _assert_same(read, clock, seen)

    grow(service, clock, days=26, between=between)
    # R24: residents moving out on days ahead (after the story, whose bookkeeping of its
    # residents would not know of these)
    for days in (1, 4):
        assert _move_out_later(service, clock, days + rng.randint(0, 2))
    _assert_same(read, clock, seen)
    # the history had every status the board shows: otherwise the equality proves little
    assert {"vacant", "reserved", "closed", "couple", "vacant_from",
            "offer available"} <= seen, seen


def test_r5_an_offer_of_another_provider_leaves_the_board_when_it_is_bought_or_withdrawn(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    grow(service, clock, days=12)
    read.catch_up()
    today = local_date(clock.now())
    for m in MUNICIPALITIES:
        for d in read.vacancy_board(m, today).provider_offers:
            service.withdraw_provider_offer(m, UUID(d.provider_offer_id),
                                            reason="Ikke lenger ledig")
            read.catch_up()
            board = read.vacancy_board(m, today)
            assert d.provider_offer_id not in {o.provider_offer_id
                                               for o in board.provider_offers}
            assert board == read.as_of(clock.now()).vacancy_board(m, today)
            return
    raise AssertionError("the history had no other provider's offer on the board")
