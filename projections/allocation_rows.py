"""What an allocation run (R17) reads of the read models: the rows of the cases on the
waiting list (R12) and of their spouses' cases (R10), and every own place and other
provider's offer of the municipality — one read, nothing replayed. The application builds
the run's problem from them (:mod:`application.allocation_facts`)."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from projections.fold import CASE, ON_LIST, PLACE, PROVIDER_OFFER
from projections.store import Doc, Store

RESIDENT = "resident"


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
    them), ``places`` and ``provider_offers`` (every one of the municipality), and
    ``residents`` with ``resident_spouses`` (R28: the movers are among them)."""
    on_list: Any = getattr(store, "all_with_status", None)
    if on_list is not None:
        cases = on_list(CASE, municipality, ON_LIST)
    else:  # a store without the status index (memory): read them all
        cases = [d for d in store.all(CASE, municipality) if d["status"] in ON_LIST]
    if on_list is not None:  # R28: residents, who may be movers
        residents = on_list(CASE, municipality, (RESIDENT,))
    else:
        residents = [d for d in store.all(CASE, municipality) if d["status"] == RESIDENT]
    keys = {d["case_id"] for d in cases}
    wanted = sorted({d["spouse_case_id"] for d in cases if d.get("spouse_case_id")} - keys)
    spouses = [doc for doc in (store.get(CASE, key) for key in wanted) if doc is not None]
    resident_spouses = [doc for doc in (store.get(CASE, key) for key in sorted(
        {d["spouse_case_id"] for d in residents if d.get("spouse_case_id")}))
        if doc is not None]
    return {"cases": cases, "spouses": spouses, "places": store.all(PLACE, municipality),
            "provider_offers": store.all(PROVIDER_OFFER, municipality),
            "residents": residents, "resident_spouses": resident_spouses}


#: The case rows an allocation read holds: on the list, and residents (R28)
_KEPT_STATUSES = frozenset((*ON_LIST, RESIDENT))


class KeptRows:
    """The rows of a municipality's last allocation read, kept with the read models'
    position they were read at, so that the next read reads again only the rows of the
    aggregates whose events were applied since (``changed``; every other row is as it
    was, the very same document): the fold writes an event's own aggregate's row and no
    other. For a read side that applies every event itself (the policy lab's daily runs,
    ``ReadSide.keep_allocation_docs``); :meth:`rows` gives what :func:`allocation_rows`
    gives."""

    def __init__(self, store: Store, municipality: str, position: int) -> None:
        self.municipality, self.position = municipality, position
        rows = allocation_rows(store, municipality)
        # each in key order (re-sorted when a key is added)
        self.cases = dict(sorted(((d["case_id"], d)
                                  for d in (*rows["cases"], *rows["residents"])),
                                 key=itemgetter(0)))
        self.places = {d["place_id"]: d for d in rows["places"]}
        self.offers = {d["provider_offer_id"]: d for d in rows["provider_offers"]}

    def refresh(self, store: Any, position: int, changed: set[str]) -> None:
        """Read again the rows of the aggregates in ``changed`` (their events applied
        since :attr:`position`, up to ``position``)."""
        keys = sorted(changed)
        if keys:
            for name, table, statuses in (("cases", CASE, _KEPT_STATUSES),
                                          ("places", PLACE, None),
                                          ("offers", PROVIDER_OFFER, None)):
                kept, added = getattr(self, name), False
                found = store.current_docs(table, keys)
                for key in keys:
                    doc = found.get(key)
                    if doc is None or doc["municipality"] != self.municipality or (
                            statuses is not None and doc["status"] not in statuses):
                        kept.pop(key, None)
                    else:
                        added = added or key not in kept
                        kept[key] = doc
                if added:
                    setattr(self, name, dict(sorted(kept.items(), key=itemgetter(0))))
        self.position = position

    def rows(self, store: Store) -> dict[str, list[Doc]]:
        """As :func:`allocation_rows` reads them (in key order), from the rows kept."""
        docs = self.cases.values()
        cases = [d for d in docs if d["status"] in ON_LIST]
        residents = [d for d in docs if d["status"] == RESIDENT]
        keys = {d["case_id"] for d in cases}

        def case(key: str) -> Doc | None:
            doc = self.cases.get(key)
            return doc if doc is not None else store.get(CASE, key)

        wanted = sorted({d["spouse_case_id"] for d in cases if d.get("spouse_case_id")} - keys)
        spouses = [doc for doc in map(case, wanted) if doc is not None]
        resident_spouses = [doc for doc in map(case, sorted(
            {d["spouse_case_id"] for d in residents if d.get("spouse_case_id")}))
            if doc is not None]
        return {"cases": cases, "spouses": spouses,
                "places": list(self.places.values()),
                "provider_offers": list(self.offers.values()),
                "residents": residents, "resident_spouses": resident_spouses}


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
