"""Where the waiting cases are: a port the application is told about, not one it builds.

The deadline check (R18) and the allocation run (R17) need the cases on the waiting list
(R12). Without help the application finds them in the event log (every case that has had a
decision), which grows forever. A running service has read models that hold the list; they
depend on the application, not the other way round, so the application only names what it
needs here and is handed an implementation (:class:`projections.read_side.ReadSide`).

An implementation must not miss a case that is on the list when it answers (it brings
itself up to date before reading); naming a few more is harmless, since the aggregate
decides everything after loading.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol, runtime_checkable
from uuid import UUID


class WaitingCases(Protocol):
    def waiting_case_ids(self, municipality: str | None = None) -> list[UUID]:
        """The cases on the waiting list now (status waiting or granted), of one
        municipality or, with None, of all."""
        ...


@runtime_checkable
class AllocationRows(Protocol):
    """A source that also holds what an allocation run reads (R17), so that the run builds
    its problem without loading any aggregate (:mod:`application.allocation_facts`)."""

    def allocation_rows(self, municipality: str) -> dict[str, Any]:
        """Brought up to date first, then in one read: ``position`` (of the read models),
        ``cases`` (the rows of the cases on the waiting list), ``spouses`` (the rows of
        their linked spouses' cases not on it), ``places`` and ``provider_offers`` (every
        row of the municipality) — rows as :mod:`projections.fold` writes them."""
        ...


@runtime_checkable
class OwnStock(Protocol):
    """A source that also knows the municipality's own open places (R5: a place is bought
    only when the municipality has none of the decided type), so that the check does not
    load every place aggregate."""

    def own_stock_kinds(self, municipality: str) -> set[tuple[str, str]]:
        """Brought up to date first: (place type, facility kind) values of the
        municipality's own open places."""
        ...


@runtime_checkable
class OverdueAnswers(Protocol):
    """A source that also knows which cases hold an offer past its answer deadline (R26):
    a waiting person's offer, or a resident's move offer (R28; a resident is not on the
    waiting list, so :meth:`WaitingCases.waiting_case_ids` does not name them)."""

    def overdue_answer_case_ids(self, municipality: str | None, today: date) -> list[UUID]:
        """Brought up to date first: the cases with an offer made and not answered by its
        answer deadline (before ``today``), of one municipality or, with None, of all."""
        ...


__all__ = ["AllocationRows", "OverdueAnswers", "OwnStock", "WaitingCases"]
