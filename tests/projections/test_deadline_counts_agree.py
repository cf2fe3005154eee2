"""The deadline figures the waiting list shows and those of the deadline monitor are one
count (issue 17: "the deadline counts agree with the waiting list's"): on a generated
history, on both stores, for the day of reading and days around it, deadlines passed and
not yet recorded as breaches, deadlines within 30 days, and grants not carried out in time
(R4, R18)."""

from __future__ import annotations

from datetime import timedelta

from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.values import PlaceType
from projections.read_side import ReadSide
from tests.builders import document, person_number
from tests.projections.history import MUNICIPALITIES, grow


def test_r18_r4_the_list_and_the_monitor_count_the_same_deadlines(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    seen = {"overdue": 0, "due_30": 0, "grants_overdue": 0}

    def between(day: int) -> None:
        if day % 5 != 4:
            return
        for m in MUNICIPALITIES:  # a grant to be carried out at once (R4, R15)
            granted = service.receive_application(m, identity_number=person_number(),
                                                  name="Innvilget Straks")
            document(service, granted, municipality=m)
            service.decide(m, granted, kind="grant", grounds="Kan ikke bo trygt hjemme",
                           decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                           can_be_cared_for_safely_at_home=False)
        read.catch_up()
        today = local_date(clock.now())
        for m in MUNICIPALITIES:
            for offset in (-10, 0, 3, 20, 60, 120, 200):
                day_read = today + timedelta(days=offset)
                listed = read.waiting_list_page(m, 0, 1, day_read, counts=True).counts
                monitor = read.deadline_monitor(m, day_read, limit=1).counts
                assert listed is not None
                for name in seen:
                    assert getattr(listed, name) == monitor[name], (m, day_read, name)
                    seen[name] += monitor[name]

    grow(service, clock, days=24, between=between)
    assert all(seen.values()), seen  # each count was more than zero somewhere
