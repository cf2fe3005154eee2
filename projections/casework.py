"""The case worker's worklists and finding a case, read from the plain tables of
:mod:`projections.casework_rows` (an indexed range and a ``COUNT`` each); only the
documents of the page shown are read and opened.

Worklists (:data:`WORKLISTS`): applications under investigation (with what is missing, R8),
ready for decision, reviews due (R27), offers awaiting an answer (R26), planned admissions,
and complaints to handle (R21, from the complaints' rows by status).

Finding a case: by the case number (exact), or by name — every word typed must be a word of
the name (``kari nord`` finds no «Kari Nordmann», ``nordmann kari`` does), matched through
the blind index, so the words are never compared as text at rest. By identity number the
application's person register answers (:meth:`application.cases.CaseCommands.cases_of_person`);
the read side never holds the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from projections.casework_rows import (
    SEARCH_TABLE,
    WORK_TABLE,
    case_number_token,
    name_tokens,
)
from projections.complaints import COMPLAINT
from projections.store import OPEN, Doc, SqlStore

CASE = "lto_rm_case"

#: The worklists, in the order the pages show them.
WORKLISTS = ("investigation", "ready", "review", "answer", "admission", "complaints")
#: Reviews (R27) shown this many days before they are due.
REVIEW_AHEAD_DAYS = 14
#: Complaint statuses that need nothing more of the municipality.
_COMPLAINT_DONE = ("decided", "upheld", "withdrawn")
#: At most this many words of a name are matched.
MAX_WORDS = 6


@dataclass(frozen=True)
class WorklistPage:
    """One page of a worklist: the documents shown (cases, or complaints for
    ``complaints``), with the day each is listed by; the whole list's ``total``."""

    name: str
    rows: list[tuple[Doc, str]]
    total: int
    offset: int
    limit: int


def _where(name: str, today: date) -> tuple[str, list[Any]]:
    if name == "review":
        return "list = %s AND day <= %s", [
            "review", (today + timedelta(days=REVIEW_AHEAD_DAYS)).isoformat()]
    if name == "admission":  # accepted, not yet admitted; or admitted on a day ahead
        return "(list = %s OR (list = %s AND day > %s))", [
            "admission", "admitted", today.isoformat()]
    return "list = %s", [name]


def worklist_page(store: SqlStore, municipality: str, name: str, today: date, offset: int,
                  limit: int) -> WorklistPage:
    """A page of the worklist ``name`` (one of :data:`WORKLISTS`), sorted by its day (the
    oldest application, the earliest review, answer deadline or admission first)."""
    if name not in WORKLISTS:
        raise ValueError(f"no worklist {name!r}")
    if name == "complaints":
        return _complaints_page(store, municipality, offset, limit)
    table = store.name(WORK_TABLE)
    cond, params = _where(name, today)
    store.execute(f"SELECT COUNT(*) AS n FROM {table} WHERE municipality = %s AND {cond}",
                  [municipality, *params])
    total = int(store.cursor.fetchone()["n"])
    store.execute(f"SELECT key, day FROM {table} WHERE municipality = %s AND {cond} "
                  "ORDER BY day, key, seq LIMIT %s OFFSET %s",
                  [municipality, *params, limit, offset])
    found = [(r["key"], r["day"]) for r in store.cursor.fetchall()]
    docs = store.current_docs(CASE, list(dict.fromkeys(k for k, _ in found)))
    return WorklistPage(name, [(docs[k], day) for k, day in found if k in docs], total,
                        offset, limit)


def _complaints_page(store: SqlStore, municipality: str, offset: int, limit: int
                     ) -> WorklistPage:
    table = store.name(COMPLAINT)
    done = ", ".join(["%s"] * len(_COMPLAINT_DONE))
    cond = (f"municipality = %s AND valid_to = %s AND (status IS NULL OR status NOT IN "
            f"({done}))")
    params = [municipality, OPEN, *_COMPLAINT_DONE]
    store.execute(f"SELECT COUNT(*) AS n FROM {table} WHERE {cond}", params)
    total = int(store.cursor.fetchone()["n"])
    store.execute(f"SELECT key FROM {table} WHERE {cond} ORDER BY valid_from, key "
                  "LIMIT %s OFFSET %s", [*params, limit, offset])
    keys = [r["key"] for r in store.cursor.fetchall()]
    docs = store.current_docs(COMPLAINT, keys)
    rows = [(docs[k], str(docs[k].get("received_on") or "")) for k in keys if k in docs]
    return WorklistPage("complaints", rows, total, offset, limit)


def worklist_counts(store: SqlStore, municipality: str, today: date) -> dict[str, int]:
    """How many each worklist holds (for the overview and the navigation)."""
    return {name: worklist_page(store, municipality, name, today, 0, 0).total
            for name in WORKLISTS}


@dataclass(frozen=True)
class SearchResult:
    """The cases found (current documents), the total, and the page."""

    docs: list[Doc]
    total: int
    offset: int
    limit: int


def search_by_name(store: SqlStore, municipality: str, text: str, offset: int = 0,
                   limit: int = 50) -> SearchResult:
    """The cases whose person's name holds every word of ``text`` (at most
    :data:`MAX_WORDS`), by name then case number."""
    words = name_tokens(text)[:MAX_WORDS]
    if not words:
        return SearchResult([], 0, offset, limit)
    blind = [store.sealer.blind(w) for w in words]
    table = store.name(SEARCH_TABLE)
    marks = ", ".join(["%s"] * len(blind))
    store.execute(f"SELECT key FROM {table} WHERE municipality = %s AND token IN ({marks}) "
                  "GROUP BY key HAVING COUNT(DISTINCT token) = %s",
                  [municipality, *blind, len(blind)])
    keys = sorted(r["key"] for r in store.cursor.fetchall())
    docs = list(store.current_docs(CASE, keys).values())
    docs.sort(key=lambda d: (d["name"].casefold(), d.get("case_number") or "", d["case_id"]))
    return SearchResult(docs[offset:offset + limit], len(docs), offset, limit)


def find_by_case_number(store: SqlStore, municipality: str, case_number: str) -> Doc | None:
    """The case with this number (``2026/0042``, as :class:`~domain.case_number.CaseNumber`
    writes it), if the municipality has it."""
    token = store.sealer.blind(case_number_token(case_number))
    store.execute(f"SELECT key FROM {store.name(SEARCH_TABLE)} WHERE municipality = %s "
                  "AND token = %s", (municipality, token))
    keys = [r["key"] for r in store.cursor.fetchall()]
    docs = store.current_docs(CASE, keys)
    return next(iter(docs.values()), None)


def case_docs(store: SqlStore, municipality: str, keys: list[str]) -> list[Doc]:
    """The current documents of ``keys`` that belong to the municipality, in that order."""
    docs = store.current_docs(CASE, keys)
    return [docs[k] for k in keys if k in docs and docs[k]["municipality"] == municipality]


def overdue_answer_keys(store: SqlStore, municipality: str | None, today: date) -> list[UUID]:
    """R26: the cases with an offer made and not answered by its answer deadline (before
    ``today``): a waiting person's offer or a resident's move offer (R28) alike, from the
    ``answer`` rows of the worklists (indexed by municipality, list and day)."""
    where, params = "list = %s AND day <> %s AND day < %s", ["answer", "", today.isoformat()]
    if municipality is not None:
        where, params = f"municipality = %s AND {where}", [municipality, *params]
    store.execute(f"SELECT DISTINCT key FROM {store.name(WORK_TABLE)} WHERE {where} "
                  "ORDER BY key", params)
    return [UUID(row["key"]) for row in store.cursor.fetchall()]


class CaseworkQueries:
    """The worklists and finding a case, on the live read models (mixed into
    :class:`projections.read_side.ReadSide`; the current rows only)."""

    def _store_read(self) -> Any:
        raise NotImplementedError

    def _today(self) -> date:
        raise NotImplementedError

    def up_to_date(self, timeout: float = 30.0) -> None:
        raise NotImplementedError

    def overdue_answer_case_ids(self, municipality: str | None, today: date) -> list[UUID]:
        """R26 (:class:`application.waiting_cases.OverdueAnswers`): brought up to date
        first, the cases with an offer past its answer deadline, moves included."""
        self.up_to_date()
        with self._store_read() as store:
            return overdue_answer_keys(store, municipality, today)

    def worklist_page(self, municipality: str, name: str, offset: int = 0, limit: int = 100,
                      today: date | None = None) -> WorklistPage:
        with self._store_read() as store:
            return worklist_page(store, municipality, name, today or self._today(), offset,
                                 limit)

    def worklist_counts(self, municipality: str, today: date | None = None
                        ) -> dict[str, int]:
        with self._store_read() as store:
            return worklist_counts(store, municipality, today or self._today())

    def search_by_name(self, municipality: str, text: str, offset: int = 0,
                       limit: int = 50) -> SearchResult:
        with self._store_read() as store:
            return search_by_name(store, municipality, text, offset, limit)

    def find_by_case_number(self, municipality: str, case_number: str) -> Doc | None:
        with self._store_read() as store:
            return find_by_case_number(store, municipality, case_number)

    def case_docs(self, municipality: str, keys: list[str]) -> list[Doc]:
        with self._store_read() as store:
            return case_docs(store, municipality, keys)
