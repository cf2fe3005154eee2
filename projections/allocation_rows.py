"""What an allocation run (R17) reads of the read models: the rows of the cases on the
waiting list (R12) and of their spouses' cases (R10), every own place and other
provider's offer of the municipality, and the residents (R28: the movers are among them) —
one read, nothing replayed. The application builds the run's problem from them
(:mod:`application.allocation_facts`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from projections.derived import BOARD_TABLE, RESIDENT_TABLE, resident_facts
from projections.fold import CASE, ON_LIST, PLACE, PROVIDER_OFFER
from projections.store import Doc, SqlStore, Store


class DecodedDocs:
    """A store's ``unpack`` that decodes a stored document only if its bytes were not
    among those the previous read decoded (``previous``): a daily run reads the same
    residents and most of the same waiting cases again, unchanged. ``used`` holds what
    this read decoded, for the next. The documents are shared between reads: read-only."""

    def __init__(self, unpack: Callable[[bytes], Any], previous: dict[bytes, Any]) -> None:
        self._unpack, self._previous = unpack, previous
        self.used: dict[bytes, Any] = {}

    def __call__(self, data: bytes) -> Any:
        key = bytes(data)
        doc = self.used.get(key)
        if doc is None:
            doc = self._previous.get(key)
            if doc is None:
                doc = self._unpack(data)
            self.used[key] = doc
        return doc


def allocation_rows(store: Store, municipality: str) -> dict[str, list[Doc]]:
    """``cases`` (on the list, in key order), ``spouses`` (the linked cases not among
    them), ``places`` (:func:`place_rows`) and ``provider_offers`` (every one of the
    municipality, in key order), ``residents`` (R28: what a run reads of each resident,
    :func:`resident_facts`, in key order) and ``resident_spouses`` (the documents of the
    residents' spouses that are neither on the list nor residents)."""
    on_list: Any = getattr(store, "all_with_status", None)
    if on_list is not None:
        cases = on_list(CASE, municipality, ON_LIST)
    else:  # a store without the status index (memory): read them all
        cases = [d for d in store.all(CASE, municipality) if d["status"] in ON_LIST]
    residents = resident_rows(store, municipality)
    keys = {d["case_id"] for d in cases}
    wanted = sorted({d["spouse_case_id"] for d in cases if d.get("spouse_case_id")} - keys)
    spouses = [doc for doc in (store.get(CASE, key) for key in wanted) if doc is not None]
    known = keys | {r["case_id"] for r in residents}
    resident_spouses = [doc for doc in (store.get(CASE, key) for key in sorted(
        {r["spouse_case_id"] for r in residents if r.get("spouse_case_id")} - known))
        if doc is not None]
    return {"cases": cases, "spouses": spouses, "places": place_rows(store, municipality),
            "provider_offers": store.all(PROVIDER_OFFER, municipality),
            "residents": residents, "resident_spouses": resident_spouses}


def place_rows(store: Store, municipality: str) -> list[Doc]:
    """Every own place of the municipality, in key order, with the fields a run reads of
    it: from ``lto_rm_board`` (each place's facts there, the board's, hold them: no
    document decoded) when the store holds the current tables, else the documents."""
    if isinstance(store, SqlStore) and store.as_of is None:
        store.flush()
        store.execute(f"SELECT facts FROM {store.name(BOARD_TABLE)} WHERE municipality = %s "
                      "ORDER BY key", (municipality,))
        return [{"municipality": municipality, **orjson.loads(r["facts"])}
                for r in store.cursor.fetchall()]
    return store.all(PLACE, municipality)


def resident_rows(store: Store, municipality: str) -> list[Doc]:
    """What a run reads of each resident of the municipality (R28), in key order: from
    ``lto_rm_resident`` (no document decoded) when the store holds the current tables,
    else cut from the residents' documents by the same function."""
    if isinstance(store, SqlStore) and store.as_of is None:
        store.flush()
        store.execute(f"SELECT facts FROM {store.name(RESIDENT_TABLE)} WHERE municipality = "
                      "%s ORDER BY key", (municipality,))
        opened = store.sealer.open_text
        return [orjson.loads(opened(r["facts"]))  # type: ignore[arg-type]
                for r in store.cursor.fetchall()]
    on_list: Any = getattr(store, "all_with_status", None)
    docs = on_list(CASE, municipality, ("resident",)) if on_list is not None else \
        store.all(CASE, municipality)
    return [facts for facts in map(resident_facts, docs) if facts is not None]


def run_labels(store: Store, municipality: str, case_ids: list[str], target_ids: list[str]
               ) -> dict[str, dict[str, Any]]:
    """What a page of a run names (its persons and the places proposed to them): the
    persons' names by case id, and the rows of the own places and other providers' offers
    among ``target_ids``, of the municipality only."""
    names = {}
    for key in case_ids:
        doc = store.get(CASE, key)
        if doc is not None and doc["municipality"] == municipality:
            names[key] = doc["name"]
    places: dict[str, Doc] = {}
    offers: dict[str, Doc] = {}
    for key in target_ids:
        for table, found in ((PLACE, places), (PROVIDER_OFFER, offers)):
            doc = store.get(table, key)
            if doc is not None and doc["municipality"] == municipality:
                found[key] = doc
                break
    return {"names": names, "places": places, "provider_offers": offers}
