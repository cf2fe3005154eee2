"""Recorded allocation runs (tildelingsrunder) as the pages show them: who was proposed which
place, in words, with the optimizer's reasons (R17, R21) — a page of persons at a time
(``?fra=&antall=``, :mod:`api.pages.paging`).

The runs list reads the runs' summaries from the read models (no run is decoded); a run's
page loads the run and names only the persons on the page, with their names and the
proposed places read from the read models (no aggregate is loaded for them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.pages import words as w
from api.routes.paging import DEFAULT_LIMIT
from domain.allocation import AllocationRun


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    at: datetime
    started_by: str
    as_of: Any
    proposed: int
    waiting: int


def recorded_runs(read: Any, municipality: str, *, until: datetime | None = None,
                  limit: int = 15) -> list[RunSummary]:
    """The municipality's latest runs (recorded at or before ``until``), newest first,
    from the runs' summaries in the read models (``read``: the read side, or a view of it
    as of a moment)."""
    rows = read.allocation_runs(municipality, until)
    return [RunSummary(r["run_id"], datetime.fromisoformat(r["at"]), r["started_by"],
                       r["as_of"], r["proposed"], r["persons"])
            for r in reversed(rows[-limit:])]


@dataclass(frozen=True)
class RunItem:
    case_id: str
    name: str
    outcome: str  # "own", "purchase" or "none"
    place_words: str | None
    place_id: str | None
    status: str | None  # the officer's answer, for proposed offers
    explanation: str
    rank: int


@dataclass(frozen=True)
class RunPage:
    """A page of a run's persons: ``items`` from ``offset`` (at most ``limit``) of
    ``total``."""

    items: list[RunItem]
    total: int
    offset: int
    limit: int


def _place_words(labels: dict[str, dict[str, Any]], person: dict[str, Any]) -> str:
    target = person["place_id"]
    if person["kind"] == "own" and target in labels["places"]:
        p = labels["places"][target]
        return (f"{p['facility_name']}, avdeling {p['unit']}, rom {p['room']} "
                f"({w.label(w.PLACE_TYPES, p['place_type'])}, "
                f"{w.label(w.ROOM_KINDS, p['room_kind'])})")
    if person["kind"] == "purchase" and target in labels["provider_offers"]:
        o = labels["provider_offers"][target]
        return (f"kjøp: {o['facility_name']} hos {o['provider']} "
                f"({w.label(w.PLACE_TYPES, o['place_type'])}, "
                f"{w.kroner(o['price_per_day'])} per døgn)")
    kind = w.label(w.PLACE_TYPES, person.get("place_type"))
    return f"{person.get('facility_id') or '?'} ({kind})"


def run_items(read: Any, run: AllocationRun, offset: int = 0,
              limit: int = DEFAULT_LIMIT) -> RunPage:
    """A page of the persons in the run's problem — those proposed an offer first, then the
    others, each by rank — with the proposed offer (if any) and the reasons."""
    people = run.people()
    page = people[offset:offset + limit]
    labels = read.run_labels(run.municipality, [p["case_id"] for p in page],
                             [p["place_id"] for p in page if p["place_id"]])
    items = []
    for p in page:
        words = _place_words(labels, p) if p["place_id"] else None
        items.append(RunItem(
            case_id=p["case_id"], name=labels["names"].get(p["case_id"], "(ukjent sak)"),
            outcome=p["outcome"], place_words=words, place_id=p["place_id"],
            status=p["status"], explanation=w.explanation_text(p["explanation"], words),
            rank=p["rank"]))
    return RunPage(items, len(people), offset, limit)


def run_movers(read: Any, run: AllocationRun) -> list[RunItem]:
    """R28: the run's movers (residents who may be moved), those proposed a move first, each
    with the place and the reasons; shown apart from the offers."""
    movers = run.movers()
    labels = read.run_labels(run.municipality, [p["case_id"] for p in movers],
                             [p["place_id"] for p in movers if p["place_id"]])
    items = []
    for p in movers:
        words = _place_words(labels, p) if p["place_id"] else None
        items.append(RunItem(
            case_id=p["case_id"], name=labels["names"].get(p["case_id"], "(ukjent sak)"),
            outcome=p["outcome"], place_words=words, place_id=p["place_id"],
            status=p["status"], explanation=str(p["explanation"].get("text", "")),
            rank=p["rank"]))
    return items
