"""The read side's queries, over any store: the live read models (:class:`ReadSide`
in :mod:`projections.read_side`), the read models as they stood at a moment
(:class:`AsOf`, R21), and the slow reference folded from the log alone
(:class:`ReplayedAsOf`)."""


from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.base import local_date
from projections.access_log import access_log, access_log_page
from projections.activity import QuarterRow, activity_csv, activity_report
from projections.allocation_rows import run_labels
from projections.case_history import HistoryEntry, case_history
from projections.complaints import case_history_with_complaints, complaint, complaints
from projections.deadlines import (
    BreachReport,
    DeadlineMonitor,
    breach_report,
    breach_reports,
    deadline_monitor,
)
from projections.derived import (
    ACCOMPANYING_TABLE,
    BOARD_TABLE,
    BREACH_TABLE,
    DEADLINE_TABLE,
    FACT_TABLE,
    PROVIDER_BOARD_TABLE,
)
from projections.figure_cache import FigureCache
from projections.fold import CASE, ON_LIST, PLACE, apply_event
from projections.list_view import read_position, snapshot
from projections.moves_report import MoveSavings, move_savings
from projections.runs import allocation_runs
from projections.statistics import MonthRow, statistics, statistics_csv
from projections.store import OPEN, MemoryStore, SqlStore, Store
from projections.vacancy_board import (
    Facility,
    VacancyBoard,
    facilities,
    facilities_in_sql,
    vacancy_board,
    vacancy_board_in_sql,
)
from projections.view import ReadModelView
from projections.waiting_list import (
    WaitingListEntry,
    WaitingListPage,
    waiting_list,
    waiting_list_page,
    waiting_list_page_in_sql,
)

BATCH = 500  # notifications per read when folding the log in memory


class _Queries:
    """The queries, over any store; ``today`` is the day days waited and left count to."""

    #: Figures kept while their tables are unchanged (:mod:`projections.figure_cache`).
    _figures = FigureCache()

    def _store_read(self) -> Any:
        raise NotImplementedError

    def _today(self) -> date:
        raise NotImplementedError

    def waiting_list(self, municipality: str, today: date | None = None
                     ) -> list[WaitingListEntry]:
        with self._store_read() as store:
            return waiting_list(store, municipality, today or self._today())

    def vacancy_board(self, municipality: str, today: date | None = None) -> VacancyBoard:
        with self._store_read() as store:
            return vacancy_board(store, municipality, today or self._today())

    def facilities(self, municipality: str) -> list[Facility]:
        """Every facility with an own place in the municipality, full and closed ones too,
        by name: the facilities a person may rank among their wishes (R16, R20)."""
        with self._store_read() as store:
            return facilities(store, municipality)

    def case_history(self, case_id: Any) -> list[HistoryEntry]:
        with self._store_read() as store:
            return case_history(store, str(case_id))

    def own_places(self, municipality: str) -> list[dict[str, Any]]:
        """Each own place's type, room, facility, beds and whether it is open (R1): no
        person's data (the policy lab's baseline, :mod:`simulator.baseline`)."""
        with self._store_read() as store:
            return [{k: d[k] for k in ("place_type", "room_kind", "facility_id", "capacity",
                                       "open")} for d in store.all(PLACE, municipality)]

    def deadline_monitor(self, municipality: str, today: date | None = None,
                         limit: int | None = None, offset: int = 0) -> DeadlineMonitor:
        """R18, R19: breaches and their choices (``limit`` of them, newest first, from
        ``offset``; all when None), overdue, due within 14 and 30 days."""
        day = today or self._today()
        with self._store_read() as store:
            return self._figures.get(
                store, (BREACH_TABLE, DEADLINE_TABLE),
                ("monitor", municipality, day, limit, offset),
                lambda: deadline_monitor(store, municipality, day, limit, offset))

    def breach_report(self, municipality: str, case_id: Any, today: date | None = None
                      ) -> BreachReport | None:
        """R18, R19: one person's breach for the supervisory authority; None without one."""
        with self._store_read() as store:
            return breach_report(store, municipality, str(case_id), today or self._today())

    def breach_reports(self, municipality: str, today: date | None = None
                       ) -> list[BreachReport]:
        with self._store_read() as store:
            return breach_reports(store, municipality, today or self._today())

    def statistics(self, municipality: str, first_month: date, last_month: date,
                   today: date | None = None) -> list[MonthRow]:
        """R13: per month (first to last, inclusive) and place type, plus "all"."""
        day = today or self._today()
        with self._store_read() as store:
            return self._figures.get(
                store, (FACT_TABLE,), ("statistics", municipality, first_month, last_month, day),
                lambda: statistics(store, municipality, first_month, last_month, day))

    def activity_report(self, municipality: str, year: int, today: date | None = None
                        ) -> list[QuarterRow]:
        """R22: institution-days per quarter of ``year`` and service code."""
        day = today or self._today()
        with self._store_read() as store:
            return self._figures.get(
                store, (FACT_TABLE,), ("activity_report", municipality, year, day),
                lambda: activity_report(store, municipality, year, day))

    def move_savings(self, municipality: str, year: int, today: date | None = None
                     ) -> MoveSavings:
        """R28: what moves from bought places to own places save (no names)."""
        with self._store_read() as store:
            return move_savings(store, municipality, year, today or self._today())

    statistics_csv = staticmethod(statistics_csv)
    activity_csv = staticmethod(activity_csv)

    def complaints(self, municipality: str, case_id: Any = None) -> list[dict[str, Any]]:
        """R21: the complaints (klage) of the municipality, or of one case, oldest first:
        status, subject, dates, late flag, reconsideration, forwarding, outcome, and each
        complaint's own history."""
        with self._store_read() as store:
            return complaints(store, municipality,
                              str(case_id) if case_id is not None else None)

    def complaint(self, municipality: str, complaint_id: Any) -> dict[str, Any] | None:
        with self._store_read() as store:
            return complaint(store, municipality, str(complaint_id))

    def case_history_with_complaints(self, municipality: str, case_id: Any
                                     ) -> list[dict[str, Any]]:
        """R21: the case history with its complaints' events merged in by time."""
        with self._store_read() as store:
            return case_history_with_complaints(store, municipality, str(case_id))

    def allocation_runs(self, municipality: str, until: datetime | None = None
                        ) -> list[dict[str, Any]]:
        """The municipality's allocation runs (R17), oldest first, each a small summary
        (:mod:`projections.runs`); recorded at or before ``until``, if given."""
        with self._store_read() as store:
            return allocation_runs(store, municipality, until)

    def run_labels(self, municipality: str, case_ids: list[str], target_ids: list[str]
                   ) -> dict[str, dict[str, Any]]:
        """The names of a run page's persons and the rows of the places proposed to them
        (:func:`projections.allocation_rows.run_labels`)."""
        with self._store_read() as store:
            return run_labels(store, municipality, case_ids, target_ids)

    def access_log(self, municipality: str, case_id: Any) -> list[dict[str, Any]]:
        """Tilgangslogg (pasientjournalloven § 18): who accessed the case, newest first."""
        with self._store_read() as store:
            return access_log(store, municipality, str(case_id))

    def access_log_page(self, municipality: str, case_id: Any, offset: int, limit: int
                        ) -> tuple[list[dict[str, Any]], int]:
        """A page of the case's access log, newest first, and how many entries it has."""
        with self._store_read() as store:
            return access_log_page(store, municipality, str(case_id), offset, limit)


class _Held:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *_: object) -> None:
        return None


class _OnList:
    """A SQL store whose case documents are only those on the waiting list (R12): what
    :func:`waiting_list` keeps of them anyway, chosen through the status index instead of
    reading every case the municipality has ever had."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    def all(self, table: str, municipality: str) -> list[Any]:
        if table == CASE:
            return self.store.all_with_status(CASE, municipality, ON_LIST)
        return self.store.all(table, municipality)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def on_list_case_ids(store: SqlStore, municipality: str | None) -> list[UUID]:
    """The ids of the cases whose current row is on the waiting list (R12: status in
    ``ON_LIST``), of one municipality or of all, in key order: only the keys, chosen through
    the status column (indexed with the municipality)."""
    where = f"status IN ({', '.join(['%s'] * len(ON_LIST))}) AND valid_to = %s"
    params: list[Any] = [*ON_LIST, OPEN]
    if municipality is not None:
        where, params = f"municipality = %s AND {where}", [municipality, *params]
    store.execute(f"SELECT key FROM {store.name(CASE)} WHERE {where} ORDER BY key", params)
    return [UUID(row["key"]) for row in store.cursor.fetchall()]


class _TableQueries(_Queries):
    """Queries over the SQL tables (current or as of a moment), with the waiting list
    read through the status index."""

    def waiting_list(self, municipality: str, today: date | None = None
                     ) -> list[WaitingListEntry]:
        with self._store_read() as store:
            return waiting_list(_OnList(store), municipality, today or self._today())

    def vacancy_board(self, municipality: str, today: date | None = None) -> VacancyBoard:
        """The current board from its plain tables (kept while they and the day are
        unchanged: :mod:`projections.figure_cache`); as of a moment, from the documents."""
        with self._store_read() as store:
            day = today or self._today()
            if store.as_of is None:
                return self._figures.get(
                    store, (BOARD_TABLE, ACCOMPANYING_TABLE, PROVIDER_BOARD_TABLE),
                    ("board", municipality, day),
                    lambda: vacancy_board_in_sql(store, municipality, day))
            return vacancy_board(store, municipality, day)

    def facilities(self, municipality: str) -> list[Facility]:
        with self._store_read() as store:
            if store.as_of is None:
                return facilities_in_sql(store, municipality)
            return facilities(store, municipality)

    def waiting_list_page(self, municipality: str, offset: int = 0, limit: int = 100,
                          today: date | None = None, counts: bool = False
                          ) -> WaitingListPage:
        """A page of the waiting list, with the view the access log records of it (the
        moment and position it stood at, read in the same snapshot: see
        :mod:`projections.list_view`), and with ``counts`` the whole list's figures. The
        current list is read by its order columns (only the page is decoded); as of a
        past moment, from the documents then on the list."""
        with self._store_read() as store:
            snapshot(store)
            moment, position, filters = self._stands(store, municipality)
            day = today or self._today()
            if store.as_of is None:
                return waiting_list_page_in_sql(store, municipality, day, offset, limit,
                                                moment=moment, position=position,
                                                filters=filters, counts=counts)
            return waiting_list_page(_OnList(store), municipality, day, offset, limit,
                                     moment=moment, position=position, filters=filters,
                                     counts=counts)

    def _stands(self, store: SqlStore, municipality: str
                ) -> tuple[datetime, int, dict[str, str]]:
        """The moment a list of the case table stood as, the position, and the filters
        that say so (see :mod:`projections.list_view`)."""
        raise NotImplementedError


class AsOf(_TableQueries):
    """The read models as they stood at ``moment`` (R21: what the allocation unit saw then):
    the row versions valid at the moment, read from the temporal tables (see
    :mod:`projections.store`). Equal to folding every event with a timestamp at or before
    the moment (:class:`ReplayedAsOf`, the slow reference), provided the tables hold the
    whole log (:meth:`ReadSide.as_of` catches up first)."""

    def __init__(self, view: ReadModelView, moment: datetime,
                 tracking_name: str | None = None) -> None:
        if moment.tzinfo is None:
            raise ValueError("an as-of moment carries its time zone")
        self.view = view
        self.moment = moment
        self.tracking_name = tracking_name

    def _store_read(self) -> Any:
        return self.view.reading(as_of=self.moment)

    def _stands(self, store: SqlStore, municipality: str
                ) -> tuple[datetime, int, dict[str, str]]:
        position = read_position(store, self.view._tracking_table(), self.tracking_name) \
            if self.tracking_name else 0
        return self.moment, position, {"at": self.moment.isoformat()}

    def _today(self) -> date:
        return local_date(self.moment)


class ReplayedAsOf(_Queries):
    """The reference for :class:`AsOf`: folded from the log alone into memory, every event
    with a timestamp at or before ``moment``. Decodes the whole log on every call — for
    tests and checks, not for screens."""

    def __init__(self, app: Application[Any], moment: datetime) -> None:
        self.moment = moment
        self.store = MemoryStore()
        start = 1
        while True:
            batch = app.recorder.select_notifications(start=start, limit=BATCH * 4)
            for n in batch:
                event = app.mapper.to_domain_event(n)
                if event.timestamp <= moment:
                    self.store.position = n.id
                    apply_event(self.store, event)
            if len(batch) < BATCH * 4:
                break
            start = batch[-1].id + 1

    def _store_read(self) -> Any:
        return _Held(self.store)

    def _today(self) -> date:
        return local_date(self.moment)
