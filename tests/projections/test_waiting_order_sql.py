"""The waiting list's page read by its order columns (``lto_rm_waiting``) is the one order
(R12, :mod:`domain.order`) that sorting the documents gives, page by page, with the same
figures, on generated histories on both stores — ties in need and in waiting-list date,
persons not assessed, grants to be carried out at once, recorded breaches, deadlines near
and passed."""

from __future__ import annotations

import random
from uuid import UUID

import pytest

from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.values import PlaceType
from projections.read_side import ReadSide
from projections.waiting_list import counts_of
from tests.builders import MUNICIPALITY, waiting_case

M = MUNICIPALITY


def grow_list(service: AllocationService, clock: ManualClock, seed: int) -> None:
    rng = random.Random(seed)
    for i in range(22):
        case_id = waiting_case(service, name=f"Person {seed}-{i}",
                               place_type=rng.choice([PlaceType.ORDINARY, PlaceType.SCREENED]),
                               dementia=True)
        if rng.random() < 0.7:  # ties on purpose: four scores for twenty-two persons
            service.assess_priority(M, case_id, factors={"function": 2},
                                    need_score=rng.choice([30, 40, 40, 55]), assessor="Spl",
                                    departure_reason="Faglig skjønn ut over faktorene")
        if rng.random() < 0.15:
            service.mark_urgent(M, case_id, reason="Ikke trygt hjemme", assessed_by="Lege")
        clock.advance(days=rng.choice([0, 0, 1, 9, 30]))  # same-day decisions tie
        if i == 12:
            service.check_deadlines(M)  # the oldest past § 3-4's three months


@pytest.mark.parametrize("seed", [3, 11])
def test_r12_a_page_by_the_order_columns_is_the_one_order(
        service: AllocationService, clock: ManualClock, seed: int) -> None:
    grow_list(service, clock, seed)
    read = ReadSide(service)
    read.catch_up()
    today = local_date(clock.now())
    whole = read.waiting_list(M, today)  # every document on the list, sorted in Python
    assert len(whole) == 22
    assert any(e.urgent for e in whole) and any(not e.assessed for e in whole)
    assert any(e.breached for e in whole)
    ids = [e.case_id for e in whole]
    paged: list[str] = []
    for offset in range(0, len(whole) + 5, 5):
        page = read.waiting_list_page(M, offset, 5, today, counts=True)
        assert page.total == len(whole)
        assert [e.rank for e in page.entries] == list(range(offset + 1,
                                                            offset + 1 + len(page.entries)))
        assert page.entries == whole[offset:offset + 5]  # the same entries, whole
        assert page.counts == counts_of(whole, today)
        paged += [e.case_id for e in page.entries]
    assert paged == ids
    # as of a past moment the documents then on the list are read: the same order
    then = read.as_of(clock.now()).waiting_list_page(M, 0, 100, today, counts=True)
    assert [e.case_id for e in then.entries] == ids
    assert then.counts == counts_of(whole, today)


def test_r12_pages_kept_between_reads_are_the_pages_made_anew(
        service: AllocationService, clock: ManualClock) -> None:
    """The entries a page made are kept per process (by the stored version and the day);
    after changes that move persons, breach them and pass days, every page read with the
    kept entries is the page made from the documents, and the entries were in fact reused
    (the same objects' values, made once)."""
    from projections import waiting_list as wl

    grow_list(service, clock, 5)
    read = ReadSide(service)
    ids = []
    for step in range(6):
        read.catch_up()
        today = local_date(clock.now())
        whole = read.waiting_list(M, today)
        for _ in range(2):  # the second read takes the kept entries
            made = len(wl._ENTRIES)
            pages = [read.waiting_list_page(M, offset, 7, today).entries
                     for offset in range(0, len(whole), 7)]
            assert [e for p in pages for e in p] == whole, f"step {step}"
        assert len(wl._ENTRIES) == made, "the second read made no entry again"
        ids = [e.case_id for e in whole]
        # changes: a new order of need, an urgent person, a day or a month passes
        service.assess_priority(M, UUID(ids[-1]), factors={"function": 3}, need_score=99,
                                assessor="Spl", departure_reason="Ny vurdering")
        if step % 2:
            service.mark_urgent(M, UUID(ids[len(ids) // 2]), reason="Ikke trygt hjemme",
                                assessed_by="Lege")
        clock.advance(days=[0, 1, 40][step % 3])
        service.check_deadlines(M)
    assert len(ids) == 22
