"""What an allocation run (R17) reads of the read models: the rows of the cases on the
waiting list (R12) and of their spouses' cases (R10), and every own place and other
provider's offer of the municipality — one read, nothing replayed. The application builds
the run's problem from them (:mod:`application.allocation_facts`)."""

from __future__ import annotations

from typing import Any

from projections.fold import CASE, ON_LIST, PLACE, PROVIDER_OFFER
from projections.store import Doc, Store


def allocation_rows(store: Store, municipality: str) -> dict[str, list[Doc]]:
    """``cases`` (on the list, in key order), ``spouses`` (the linked cases not among
    them), ``places`` and ``provider_offers`` (every one of the municipality)."""
    on_list: Any = getattr(store, "all_with_status", None)
    if on_list is not None:
        cases = on_list(CASE, municipality, ON_LIST)
    else:  # a store without the status index (memory): read them all
        cases = [d for d in store.all(CASE, municipality) if d["status"] in ON_LIST]
    keys = {d["case_id"] for d in cases}
    wanted = sorted({d["spouse_case_id"] for d in cases if d.get("spouse_case_id")} - keys)
    spouses = [doc for doc in (store.get(CASE, key) for key in wanted) if doc is not None]
    return {"cases": cases, "spouses": spouses, "places": store.all(PLACE, municipality),
            "provider_offers": store.all(PROVIDER_OFFER, municipality)}
