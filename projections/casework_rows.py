"""What a case contributes to the case worker's worklists and to finding a case: plain rows
derived from the case's document (:mod:`projections.derived`), and the few fields of the
document they need (the § 2-2 documentation recorded, the case number).

**lto_rm_work** — one row per list a case is on, with the day the list sorts by:

============ ================================================= ==========================
list         the case is on it when                            ``day``
============ ================================================= ==========================
investigation received, § 2-2 documentation still missing (R8)  received_on
ready        received, nothing of § 2-2 missing                 received_on
review       waiting, with a next review date (R27)             the review date
answer       an offer made and not answered (R26)               the answer deadline
admission    an offer accepted, the person not yet admitted     the day it is available
admitted     a stay begun (an admission dated ahead is planned) admitted_on
============ ================================================= ==========================

**lto_rm_search** — the case's search tokens: each word of the person's name, normalised
(:func:`name_tokens`), and the case number (``#2026/0042``). The store writes them through
its blind index (:meth:`projections.sealing.Sealer.blind`): with encryption at rest an HMAC
of the token under a key derived from the cipher key, else the token itself. Equal tokens
give equal values, so a search is an exact match on an indexed column, and nothing of the
name is readable at rest. The identity number is never here: a search by it goes through
the person's register (:mod:`domain.person`), keyed by an HMAC of the number already.

Both tables hold no name and no free text; the pages read the documents of the rows they
show (like the waiting list).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from domain.base import add_months

Doc = dict[str, Any]

WORK_TABLE = "lto_rm_work"
SEARCH_TABLE = "lto_rm_search"

#: The § 2-2 items the read side keeps as recorded (``documented`` in the case document).
OWN_ACCOUNT, RELATIVES, NO_RELATIVES, LEON = "own_account", "relatives", "no_relatives", "leon"
_WORD = re.compile(r"[^\W_]+")


def name_tokens(text: str) -> list[str]:
    """The words of a name, as the blind index keeps them: case-folded, accents removed
    (``Ås`` and ``As`` match), split on anything not a letter or digit; each once, in
    order."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return list(dict.fromkeys(_WORD.findall(plain)))


def case_number_token(case_number: str) -> str:
    return f"#{case_number}"


# --- the fold: the documentation the worklists need --------------------------------------


def documented(doc: Doc, item: str) -> bool:
    """Record that a § 2-2 item was recorded; False when it was already."""
    items = doc.setdefault("documented", [])
    if item in items:
        return False
    items.append(item)
    items.sort()
    return True


def medical_source(doc: Doc, source: str) -> bool:
    """Record a source of medical information (R8 (3))."""
    return documented(doc, f"medical_{source}")


# --- what is missing (R8), as the domain counts it ----------------------------------------


def _d(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def missing_items(doc: Doc, today: date | None = None) -> list[str]:
    """R8 (§ 2-2): the items still missing before a decision, as
    :meth:`domain.case.Case.missing_documentation` counts them for an ordinary place (the
    place type is not decided yet); with ``today``, an IPLOS registration older than the
    limit counts as missing too. Names as the domain's (``own_account``, …)."""
    have = set(doc.get("documented") or [])
    missing: list[str] = []
    if OWN_ACCOUNT not in have:
        missing.append(OWN_ACCOUNT)
    if not have & {RELATIVES, NO_RELATIVES}:
        missing.append(RELATIVES)
    if doc.get("receives_other_services"):
        assessed = _d(doc.get("iplos_assessed_on"))
        limit = doc.get("iplos_max_age_months") or 12
        if assessed is None:
            missing.append("iplos")
        elif today is not None and add_months(assessed, limit) < today:
            missing.append(f"iplos (older than {limit} months)")
    if not have & {"medical_gp", "medical_specialist"}:
        missing.append("medical_gp_or_specialist")
    if LEON not in have:
        missing.append(LEON)
    if doc.get("dementia_suspected") and not doc.get("dementia_investigated"):
        missing.append("dementia_investigation")
    return missing


def review_on(doc: Doc) -> date | None:
    """R27: a waiting case's next review (as :func:`projections.waiting_list.review_due_on`)."""
    if doc["status"] != "waiting":
        return None
    days = [d for d in (_d(doc.get("assessed_on")), _d(doc.get("iplos_assessed_on")),
                        _d((doc.get("decision") or {}).get("decided_on"))) if d is not None]
    return add_months(max(days), doc.get("review_every_months") or 3) if days else None


# --- the rows ------------------------------------------------------------------------------


def casework_rows(doc: Doc) -> dict[str, list[tuple[Any, ...]]]:
    """The case's rows of :data:`WORK_TABLE` and :data:`SEARCH_TABLE`."""
    key, municipality, status = doc["case_id"], doc["municipality"], doc["status"]
    work: list[tuple[Any, ...]] = []

    def add(name: str, day: str | None) -> None:
        work.append((key, len(work), municipality, name, day or ""))

    if status == "received":
        add("investigation" if missing_items(doc) else "ready", doc["received_on"])
    review = review_on(doc)
    if review is not None:
        add("review", review.isoformat())
    admitted = {s["offer_id"] for s in doc.get("stays") or []}
    for offer in doc["offers"].values():
        if offer["status"] == "made" and offer.get("answer_by"):
            add("answer", offer["answer_by"])
        elif offer["status"] == "accepted" and offer["offer_id"] not in admitted:
            add("admission", offer.get("available_on") or offer["made_on"])
    for stay in doc.get("stays") or []:
        if stay.get("ended_on") is None:
            add("admitted", stay["admitted_on"])
    tokens = name_tokens(doc["name"])
    if doc.get("case_number"):
        tokens.append(case_number_token(doc["case_number"]))
    search = [(key, i, municipality, token) for i, token in enumerate(tokens)]
    return {WORK_TABLE: work, SEARCH_TABLE: search}
