"""The deadline monitor (R18, R19), the management statistics (R13) and the activity report
(R22) against hand-computed expectations for one small story, on SQLite and PostgreSQL;
the same figures as of a moment from the temporal tables (as_of) and from the log alone
(ReplayedAsOf, memory store) as from the live tables.

The story (2026, every command at 08:00 UTC, which is the same date in Oslo):

====== ======================================================================================
2 Mar  own places P1 (ordinary, Fjellheim) and P2 (screened, Solbakken) in service; another
       provider's ordinary place "Lia" at 3000 NOK a day. Anna and Bjørn get waiting-list
       decisions for ordinary places (deadline 2 Jun).
10 Mar Cecilie (dementia): screened place (deadline 10 Jun).
16 Mar Bjørn is offered P1 (waited 14 days). Eva: reinforced place (deadline 16 Jun).
17 Mar Bjørn accepts; 20 Mar he moves in.
30 Mar Cecilie is offered P2 (waited 20 days); 31 Mar she declines.
1 Apr  Dag: ordinary place (deadline 1 Jul).
20 Apr Cecilie is offered P2 again (not a new wait); 21 Apr accepts; 22 Apr moves in.
10 May Bjørn dies: his stay ends, P1 is vacant. 11 May P1 closes; 18 May it reopens.
20 May Dag is offered P1 (waited 49 days); 21 May accepts; 25 May moves in.
3 Jun  Anna's deadline (2 Jun) has passed without an offer: breach (fristbrudd).
4 Jun  Anna chooses a purchased place (R19) and is offered Lia (waited 94 days).
5 Jun  Anna accepts (the place is bought); 8 Jun she moves in.
15 Jun the reports are read.
====== ======================================================================================
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from application.service import AllocationService
from domain.base import local_date
from domain.values import BreachChoice, FacilityKind, PlaceType, StayEndReason
from projections.activity import QuarterRow, activity_csv
from projections.deadlines import BreachRow, DueRow, OfferFate
from projections.read_side import ReadSide, ReplayedAsOf
from projections.statistics import MonthRow, percentile, statistics_csv
from tests.builders import MUNICIPALITY, place, waiting_case

M = MUNICIPALITY
OFFICER = "Saksbehandler Lie"
INTERIM = (("hjemmesykepleie", "tre besøk daglig"),)


def at(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def story(service: AllocationService, clock) -> dict[str, UUID]:
    """The table in the module docstring."""
    clock.set(at(3, 2))
    p1 = place(service, facility_id="fjellheim")
    p2 = place(service, facility_id="solbakken", place_type=PlaceType.SCREENED)
    po = service.register_provider_offer(
        M, provider="Omsorg AS", reference="2026-17", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3000.00"))
    a = waiting_case(service, name="Anna")
    b = waiting_case(service, name="Bjørn")
    clock.set(at(3, 10))
    c = waiting_case(service, name="Cecilie", place_type=PlaceType.SCREENED, dementia=True)
    clock.set(at(3, 16))
    offer_b = service.make_offer(M, b, made_by=OFFICER, place_id=p1)
    e = waiting_case(service, name="Eva", place_type=PlaceType.REINFORCED)
    clock.set(at(3, 17))
    service.accept_offer(M, b, offer_b)
    clock.set(at(3, 20))
    service.admit(M, b, offer_b)
    clock.set(at(3, 30))
    offer_c1 = service.make_offer(M, c, made_by=OFFICER, place_id=p2)
    clock.set(at(3, 31))
    service.decline_offer(M, c, offer_c1, reason="Vil vente på Fjellheim")
    clock.set(at(4, 1))
    d = waiting_case(service, name="Dag")
    clock.set(at(4, 20))
    offer_c2 = service.make_offer(M, c, made_by=OFFICER, place_id=p2)
    clock.set(at(4, 21))
    service.accept_offer(M, c, offer_c2)
    clock.set(at(4, 22))
    service.admit(M, c, offer_c2)
    clock.set(at(5, 10))
    service.end_stay(M, b, reason=StayEndReason.DIED)
    clock.set(at(5, 11))
    service.close_place(M, p1, reason="Oppussing")
    clock.set(at(5, 18))
    service.reopen_place(M, p1)
    clock.set(at(5, 20))
    offer_d = service.make_offer(M, d, made_by=OFFICER, place_id=p1)
    clock.set(at(5, 21))
    service.accept_offer(M, d, offer_d)
    clock.set(at(5, 25))
    service.admit(M, d, offer_d)
    clock.set(at(6, 3))
    assert service.check_deadlines(M) == [a]
    clock.set(at(6, 4))
    service.record_breach_choice(M, a, choice=BreachChoice.PURCHASE, recorded_by=OFFICER)
    offer_a = service.make_offer(M, a, made_by=OFFICER, provider_offer_id=po)
    clock.set(at(6, 5))
    service.accept_offer(M, a, offer_a)
    clock.set(at(6, 8))
    service.admit(M, a, offer_a)
    clock.set(at(6, 15))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "p1": p1, "p2": p2, "po": po,
            "offer_a": offer_a}


def row(month: int, place_type: str, *, waiting: int = 0, decisions: int = 0, offers: int = 0,
        admissions: int = 0, waits: tuple[float, float] | None = None, first_offers: int = 0,
        breaches: int = 0, purchases: int = 0, purchased_days: int = 0,
        cost: str = "0.00", occupied: int = 0, available: int = 0) -> MonthRow:
    return MonthRow(
        month=date(2026, month, 1), place_type=place_type, waiting_at_month_end=waiting,
        new_decisions=decisions, offers_made=offers, admissions=admissions,
        first_offers=first_offers, wait_median_days=waits[0] if waits else None,
        wait_p90_days=waits[1] if waits else None, breaches=breaches, purchases=purchases,
        purchased_place_days=purchased_days, purchase_cost=Decimal(cost),
        occupied_place_days=occupied, available_place_days=available,
        occupancy=occupied / available if available else None)


#: Hand-computed from the story (today 15 June; June counts its days 1–15).
EXPECTED_ROWS = [
    # March. On the list at 31 Mar: Anna (o), Cecilie (s), Eva (r); Bjørn moved in 20 Mar.
    # P1: in service 2–31 Mar = 30 days, Bjørn 20–31 Mar = 12 nights; P2: 30 days, empty.
    row(3, "ordinary", waiting=1, decisions=2, offers=1, admissions=1, first_offers=1,
        waits=(14.0, 14.0), occupied=12, available=30),
    row(3, "screened", waiting=1, decisions=1, offers=1, first_offers=1, waits=(20.0, 20.0),
        occupied=0, available=30),
    row(3, "reinforced", waiting=1, decisions=1),
    # all: waits 14 and 20 → median 17; p90 = 14 + 0.9 × (20 − 14) = 19.4
    row(3, "all", waiting=3, decisions=4, offers=2, admissions=1, first_offers=2,
        waits=(17.0, 19.4), occupied=12, available=60),
    # April. On the list at 30 Apr: Anna, Dag (o), Eva (r); Cecilie moved in 22 Apr (9 nights
    # in April). Cecilie's second offer is not a new wait.
    row(4, "ordinary", waiting=2, decisions=1, occupied=30, available=30),
    row(4, "screened", offers=1, admissions=1, occupied=9, available=30),
    row(4, "reinforced", waiting=1),
    row(4, "all", waiting=3, decisions=1, offers=1, admissions=1, occupied=39, available=60),
    # May. P1 closed 11–17 May: 31 − 7 = 24 days; Bjørn 1–9 May (ended 10 May) = 9, Dag
    # 25–31 May = 7: 16 of 24. Dag waited 1 Apr → 20 May = 49 days.
    row(5, "ordinary", waiting=1, offers=1, admissions=1, first_offers=1, waits=(49.0, 49.0),
        occupied=16, available=24),
    row(5, "screened", occupied=31, available=31),
    row(5, "reinforced", waiting=1),
    row(5, "all", waiting=2, offers=1, admissions=1, first_offers=1, waits=(49.0, 49.0),
        occupied=47, available=55),
    # June (1–15). Anna: breach 3 Jun, waited 2 Mar → 4 Jun = 94 days, bought 5 Jun, moved in
    # 8 Jun: 8 purchased nights (8–15 Jun) × 3000 = 24000.
    row(6, "ordinary", offers=1, admissions=1, first_offers=1, waits=(94.0, 94.0),
        breaches=1, purchases=1, purchased_days=8, cost="24000.00", occupied=15,
        available=15),
    row(6, "screened", occupied=15, available=15),
    row(6, "reinforced", waiting=1),
    row(6, "all", waiting=1, offers=1, admissions=1, first_offers=1, waits=(94.0, 94.0),
        breaches=1, purchases=1, purchased_days=8, cost="24000.00", occupied=30,
        available=30),
]


def test_r13_statistics_per_month_and_place_type(service, clock, read: ReadSide):
    story(service, clock)
    read.catch_up()
    rows = read.statistics(M, date(2026, 3, 1), date(2026, 6, 30))
    assert rows == EXPECTED_ROWS
    by = {(r.month.month, r.place_type): r for r in rows}
    assert by[3, "ordinary"].occupancy == 0.4
    assert by[4, "all"].occupancy == 0.65
    assert by[5, "ordinary"].occupancy == 2 / 3
    assert by[3, "reinforced"].occupancy is None  # no reinforced places of its own
    assert by[6, "ordinary"].purchase_cost == Decimal("24000.00")
    # the same as of now and as it stood on 30 April: from the tables (as_of) and folded
    # from the log alone into memory (ReplayedAsOf)
    for then in (read.as_of, lambda moment: ReplayedAsOf(service, moment)):
        assert then(clock.now()).statistics(M, date(2026, 3, 1), date(2026, 6, 1)) == rows
        assert then(at(4, 30, 12)).statistics(M, date(2026, 3, 15), date(2026, 4, 2)) == \
            EXPECTED_ROWS[:8]
    # another municipality sees nothing
    other = read.statistics("0301", date(2026, 3, 1), date(2026, 3, 1))
    assert [(r.waiting_at_month_end, r.new_decisions, r.available_place_days)
            for r in other] == [(0, 0, 0)] * 4


def test_r13_statistics_csv_for_excel(service, clock, read: ReadSide):
    story(service, clock)
    read.catch_up()
    text = statistics_csv(read.statistics(M, date(2026, 3, 1), date(2026, 6, 1)))
    assert text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines[0] == (
        "month;place_type;waiting_at_month_end;new_decisions;offers_made;admissions;"
        "first_offers;wait_median_days;wait_p90_days;breaches;purchases;"
        "purchased_place_days;purchase_cost_nok;occupied_place_days;available_place_days;"
        "occupancy_percent;bridging_stay_days")
    assert len(lines) == 1 + 16 + 1 and lines[-1] == ""
    assert lines[3] == "2026-03;reinforced;1;1;0;0;0;;;0;0;0;0,00;0;0;;0"
    assert lines[4] == "2026-03;all;3;4;2;1;2;17,0;19,4;0;0;0;0,00;12;60;20,0;0"
    assert lines[13] == "2026-06;ordinary;0;0;1;1;1;94,0;94,0;1;1;8;24000,00;15;15;100,0;0"
    for name in ("Anna", "Bjørn", "Cecilie", "Dag", "Eva"):  # no names in the statistics
        assert name not in text


def test_r13_percentile_interpolates_between_ranks():
    # sorted 14, 30, 49, 94: median (30 + 49) / 2; p90 at rank 2.7: 49 + 0.7 × 45 = 80.5
    assert percentile([94, 14, 49, 30], 0.5) == 39.5
    assert percentile([94, 14, 49, 30], 0.9) == 80.5
    assert percentile([7], 0.9) == 7.0
    assert percentile([], 0.5) is None


def test_r22_activity_report_institution_days_per_quarter(service, clock, read: ReadSide):
    story(service, clock)
    read.catch_up()
    rows = read.activity_report(M, 2026)
    assert [dataclasses.replace(r, service_days={}) for r in rows] == [
        # Q1: Bjørn 20–31 Mar
        QuarterRow(2026, 1, date(2026, 1, 1), date(2026, 3, 31), 12, 0, 0, 0, 12),
        # Q2 to 15 Jun: ordinary Bjørn 1 Apr–9 May (30 + 9) + Dag 25 May–15 Jun (7 + 15) = 61;
        # screened Cecilie 22 Apr–15 Jun (9 + 31 + 15) = 55; purchased Anna 8–15 Jun = 8
        QuarterRow(2026, 2, date(2026, 4, 1), date(2026, 6, 30), 61, 55, 0, 8, 124),
        QuarterRow(2026, 3, date(2026, 7, 1), date(2026, 9, 30), 0, 0, 0, 0, 0),
        QuarterRow(2026, 4, date(2026, 10, 1), date(2026, 12, 31), 0, 0, 0, 0, 0),
    ]
    # a running stay counts up to the day asked for: 30 Jun adds 15 days each to Dag,
    # Cecilie and Anna
    q2 = read.activity_report(M, 2026, today=date(2026, 6, 30))[1]
    assert (q2.ordinary_days, q2.screened_days, q2.purchased_days) == (76, 70, 23)
    assert read.as_of(at(3, 30, 12)).activity_report(M, 2026)[0].ordinary_days == 11
    assert ReplayedAsOf(service, clock.now()).activity_report(M, 2026) == rows
    # R22 per service code: the stays above, in nursing homes, own or bought
    assert rows[1].service_days["LT-SH-ORD-EGEN"] == 61
    assert rows[1].service_days["LT-SH-SKJ-EGEN"] == 55
    assert rows[1].service_days["LT-SH-ORD-KJOP"] == 8
    assert sum(rows[1].service_days.values()) == 124
    text = activity_csv(rows, "en")
    lines = text[1:].split("\r\n")
    assert text.startswith("\ufeff")
    assert lines[0].startswith("year;quarter;first_day;last_day;ordinary_days;screened_days;"
                               "reinforced_days;purchased_days;total_days;short_term_days;")
    assert lines[2].startswith("2026;2;2026-04-01;2026-06-30;61;55;0;8;124;0;")


def test_r18_r19_deadline_monitor(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    monitor = read.deadline_monitor(M)
    assert monitor.today == date(2026, 6, 15)
    assert monitor.breaches == [BreachRow(
        case_id=str(ids["a"]), name="Anna", place_type="ordinary",
        decided_on=date(2026, 3, 2), deadline=date(2026, 6, 2), breached_on=date(2026, 6, 3),
        choice="purchase", choice_on=date(2026, 6, 4), status="resident", still_waiting=False,
        first_offer_after_deadline_on=date(2026, 6, 4), days_over=2)]
    eva = DueRow(str(ids["e"]), "Eva", "reinforced", date(2026, 3, 16), date(2026, 6, 16), 1,
                 False)
    assert monitor.overdue == [] and monitor.due_14 == [eva] and monitor.due_30 == [eva]
    assert monitor.counts == {"breaches": 1, "breaches_still_waiting": 0,
                              "choice_purchase": 1, "choice_wait": 0, "choice_pending": 0,
                              "overdue": 0, "due_14": 1, "due_30": 1, "grants_overdue": 0}

    # 19 May: Anna's deadline in 14 days (the last day of the window), Eva's in 28, Dag's
    # (1 Jul) in 43: outside both
    may = read.as_of(at(5, 19, 12)).deadline_monitor(M)
    assert [(r.name, r.days_left) for r in may.due_14] == [("Anna", 14)]
    assert [(r.name, r.days_left) for r in may.due_30] == [("Anna", 14), ("Eva", 28)]
    assert may.breaches == [] and may.overdue == []
    # 3 June before the deadline check ran: Anna overdue but not yet a recorded breach
    june = read.as_of(at(6, 3, 7)).deadline_monitor(M)
    assert [(r.name, r.days_left) for r in june.overdue] == [("Anna", -1)]
    assert [(r.name, r.days_left) for r in june.due_14] == [("Eva", 13)]
    assert june.breaches == [] and june.counts["overdue"] == 1
    assert ReplayedAsOf(service, at(6, 3, 7)).deadline_monitor(M) == june
    assert ReplayedAsOf(service, clock.now()).deadline_monitor(M) == monitor


def test_r18_the_monitor_lists_are_bounded_and_counted_whole(service, clock, read: ReadSide):
    """Each of the monitor's lists holds its first ``limit`` rows (the soonest deadlines);
    the counts are the whole lists' (issue 16: a page and its access-log entry bounded)."""
    story(service, clock)
    read.catch_up()
    for when in (at(5, 19, 12), at(6, 3, 7)):
        whole = read.as_of(when).deadline_monitor(M)
        one = read.as_of(when).deadline_monitor(M, limit=1)
        assert one.counts == whole.counts
        for name in ("overdue", "due_14", "due_30", "grants_overdue"):
            assert getattr(one, name) == getattr(whole, name)[:1]
    may = read.as_of(at(5, 19, 12)).deadline_monitor(M, limit=1)
    assert [r.name for r in may.due_30] == ["Anna"] and may.counts["due_30"] == 2


def test_r18_r19_breach_report_for_the_supervisory_authority(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    report = read.breach_report(M, ids["a"])
    assert report is not None
    assert (report.name, report.place_type, report.decision_kind) == (
        "Anna", "ordinary", "waiting_list")
    assert (report.decided_on, report.deadline, report.breached_on, report.days_over) == (
        date(2026, 3, 2), date(2026, 6, 2), date(2026, 6, 3), 2)
    assert report.offers == [OfferFate(
        str(ids["offer_a"]), "purchase", "Lia (Omsorg AS)", "ordinary", date(2026, 6, 4),
        "accepted", date(2026, 6, 5), None, None, before_deadline=False)]
    assert report.reason_no_offer is None  # no offer before the deadline, none recorded
    assert report.interim_services_at_breach == INTERIM
    assert (report.choice, report.choice_on, report.choice_by) == (
        "purchase", date(2026, 6, 4), OFFICER)
    assert (report.status, report.admitted_on, report.admitted_purchased) == (
        "resident", date(2026, 6, 8), True)
    assert read.breach_reports(M) == [report]
    assert read.breach_report(M, ids["b"]) is None  # no breach
    assert read.breach_report("0301", ids["a"]) is None  # another municipality's case
    assert read.as_of(clock.now()).breach_report(M, ids["a"]) == report
    assert ReplayedAsOf(service, clock.now()).breach_report(M, ids["a"]) == report


def test_r18_r19_withdrawn_offer_breach_and_choice_to_wait(service, clock, read: ReadSide):
    """An offer made and withdrawn before the deadline does not meet the guarantee; the
    report names it as the reason; the person chooses to wait and stays on the monitor."""
    clock.set(at(3, 2))
    p1 = place(service, facility_id="fjellheim")
    x = waiting_case(service, name="Xena")
    clock.set(at(3, 10))
    offer = service.make_offer(M, x, made_by=OFFICER, place_id=p1)
    clock.set(at(3, 12))
    service.withdraw_offer(M, x, offer, reason="Vannskade i rommet")
    clock.set(at(6, 3))
    assert service.check_deadlines(M) == [x]
    clock.set(at(6, 4))
    service.record_breach_choice(M, x, choice=BreachChoice.WAIT, recorded_by=OFFICER)
    clock.set(at(6, 10))
    read.catch_up()
    monitor = read.deadline_monitor(M)
    [b] = monitor.breaches
    assert (b.choice, b.still_waiting, b.first_offer_after_deadline_on, b.days_over) == (
        "wait", True, None, 8)  # 2 Jun → 10 Jun, no offer yet
    assert monitor.counts["choice_wait"] == 1 and monitor.counts["breaches_still_waiting"] == 1
    report = read.breach_report(M, x)
    assert report is not None
    assert report.reason_no_offer == ("the offer of Fjellheim made on 2026-03-10 was "
                                      "withdrawn (Vannskade i rommet)")
    [fate] = report.offers
    assert (fate.status, fate.answered_on, fate.before_deadline) == (
        "withdrawn", date(2026, 3, 12), True)
    # still on the list at the end of June: counted as waiting, one breach in June
    june = {r.place_type: r for r in read.statistics(M, date(2026, 6, 1), date(2026, 6, 1))}
    assert (june["ordinary"].waiting_at_month_end, june["ordinary"].breaches) == (1, 1)


def test_r2_r15_bridging_stays_count_in_the_statistics(service, clock, read: ReadSide):
    """A short-term stay bridging the wait (R2, R15) shows in the month's figures, by the
    place type of the decision, up to today."""
    case_id = waiting_case(service)
    service.mark_urgent(M, case_id, reason="Fall", assessed_by="Lege")
    start = local_date(clock.now())
    service.record_bridging_stay(M, case_id, facility_name="Korttid", unit="K",
                                 from_on=start, recorded_by="TE")
    clock.advance(days=10)
    read.catch_up()
    rows = read.statistics(M, start, start)
    by = {r.place_type: r for r in rows}
    assert by["ordinary"].bridging_stay_days == 11  # 2 March to 12 March, today included
    assert by["all"].bridging_stay_days == 11 and by["screened"].bridging_stay_days == 0
