"""What an allocation run (R17) reads of the read models: the rows of the cases on the
waiting list (R12) and of their spouses' cases (R10), every own place and other
provider's offer of the municipality, and the residents (R28: the movers are among them) —
one read, nothing replayed. The application builds the run's problem from them
(:mod:`application.allocation_facts`)."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
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


def place_rows(store: Store, municipality: str, keys: list[str] | None = None
               ) -> list[Doc]:
    """Every own place of the municipality (of ``keys`` only, if given), in key order,
    with the fields a run reads of it: from ``lto_rm_board`` (each place's facts there,
    the board's, hold them: no document decoded) when the store holds the current tables,
    else the documents."""
    if isinstance(store, SqlStore) and store.as_of is None:
        return [{"municipality": municipality, **orjson.loads(r["facts"])}
                for r in _derived(store, BOARD_TABLE, municipality, keys)]
    return [d for d in store.all(PLACE, municipality) if keys is None or d["place_id"] in keys]


def resident_rows(store: Store, municipality: str, keys: list[str] | None = None
                  ) -> list[Doc]:
    """What a run reads of each resident of the municipality (R28; of ``keys`` only, if
    given), in key order: from ``lto_rm_resident`` (no document decoded) when the store
    holds the current tables, else cut from the residents' documents by the same
    function."""
    if isinstance(store, SqlStore) and store.as_of is None:
        opened = store.sealer.open_text
        return [orjson.loads(opened(r["facts"]))  # type: ignore[arg-type]
                for r in _derived(store, RESIDENT_TABLE, municipality, keys)]
    on_list: Any = getattr(store, "all_with_status", None)
    docs = on_list(CASE, municipality, ("resident",)) if on_list is not None else \
        store.all(CASE, municipality)
    return [facts for facts in map(resident_facts, docs)
            if facts is not None and (keys is None or facts["case_id"] in keys)]


def _derived(store: SqlStore, table: str, municipality: str, keys: list[str] | None
             ) -> list[Any]:
    """The ``facts`` of a derived table's rows of the municipality (of ``keys`` only, if
    given, a few hundred a query), in key order."""
    store.flush()
    if keys is None:
        store.execute(f"SELECT facts FROM {store.name(table)} WHERE municipality = %s "
                      "ORDER BY key", (municipality,))
        return list(store.cursor.fetchall())
    out: list[Any] = []
    for i in range(0, len(keys), _IN_CHUNK):
        chunk = keys[i:i + _IN_CHUNK]
        # by the key alone (its unique index): with the municipality beside it, SQLite
        # chose the municipality's index and read every row of it
        store.execute(f"SELECT municipality, facts FROM {store.name(table)} WHERE "
                      f"key IN ({', '.join(['%s'] * len(chunk))}) ORDER BY key", chunk)
        out += [r for r in store.cursor.fetchall() if r["municipality"] == municipality]
    return out


_IN_CHUNK = 500  # keys per IN (...) list


class KeptRows:
    """The rows of a municipality's last allocation read, kept with the read models'
    position they were read at, so that the next read reads again only the rows of the
    aggregates whose events were applied since (``changed``; every other row is as it
    was, the very same object): the fold writes an event's own aggregate's rows — its
    document and its derived rows (``lto_rm_board``, ``lto_rm_resident``) — and no other.
    For a read side that applies every event itself (the policy lab's daily runs,
    ``ReadSide.keep_allocation_docs``); :meth:`rows` gives what :func:`allocation_rows`
    gives."""

    def __init__(self, store: Store, municipality: str, position: int) -> None:
        self.municipality, self.position = municipality, position
        rows = allocation_rows(store, municipality)
        # each in key order (sorted again when a key is added)
        self.cases = {d["case_id"]: d for d in rows["cases"]}  # on the list
        self.residents = {r["case_id"]: r for r in rows["residents"]}
        self.places = {d["place_id"]: d for d in rows["places"]}
        self.offers = {d["provider_offer_id"]: d for d in rows["provider_offers"]}

    def refresh(self, store: Any, position: int, changed: set[str]) -> None:
        """Read again the rows of the aggregates in ``changed`` (their events applied
        since :attr:`position`, up to ``position``)."""
        keys = sorted(changed)
        if keys:
            m = self.municipality
            self._update("cases", keys, {
                k: d for k, d in store.current_docs(CASE, keys).items()
                if d["municipality"] == m and d["status"] in ON_LIST})
            self._update("residents", keys,
                         {r["case_id"]: r for r in resident_rows(store, m, keys)})
            self._update("places", keys, {d["place_id"]: d for d in place_rows(store, m, keys)})
            self._update("offers", keys, {
                k: d for k, d in store.current_docs(PROVIDER_OFFER, keys).items()
                if d["municipality"] == m})
        self.position = position

    def _update(self, name: str, keys: list[str], found: dict[str, Doc]) -> None:
        kept, added = getattr(self, name), False
        for key in keys:
            doc = found.get(key)
            if doc is None:
                kept.pop(key, None)
            else:
                added = added or key not in kept
                kept[key] = doc
        if added:
            setattr(self, name, dict(sorted(kept.items(), key=itemgetter(0))))

    def rows(self, store: Store) -> dict[str, list[Doc]]:
        """As :func:`allocation_rows` reads them (in key order), from the rows kept."""
        cases, residents = list(self.cases.values()), list(self.residents.values())
        keys = set(self.cases)

        def case(key: str) -> Doc | None:
            doc = self.cases.get(key)
            return doc if doc is not None else store.get(CASE, key)

        wanted = sorted({d["spouse_case_id"] for d in cases if d.get("spouse_case_id")} - keys)
        spouses = [doc for doc in map(case, wanted) if doc is not None]
        known = keys | set(self.residents)
        resident_spouses = [doc for doc in (store.get(CASE, key) for key in sorted(
            {r["spouse_case_id"] for r in residents if r.get("spouse_case_id")} - known))
            if doc is not None]
        return {"cases": cases, "spouses": spouses, "places": list(self.places.values()),
                "provider_offers": list(self.offers.values()), "residents": residents,
                "resident_spouses": resident_spouses}


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
