"""The fold: how each event changes the read-model rows. One function per aggregate.

The rows hold what the screens need and nothing else (no identity numbers). Dates are ISO
strings; days waited and days left depend on the day the list is read, so they are computed
by the queries, not stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.base import Base
from domain.case import Case
from domain.place import Place
from domain.provider import ProviderOffer
from projections.case_history import describe
from projections.store import Doc, Store

CASE, PLACE, PROVIDER_OFFER = "lto_rm_case", "lto_rm_place", "lto_rm_provider_offer"

#: Statuses in which a person is on the waiting list (R12): a waiting-list decision (R5) or a
#: grant not yet carried out (R4), not yet placed.
ON_LIST = ("waiting", "granted")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def apply_event(store: Store, event: Any) -> None:
    """Apply one domain event to the read models (cases and their history, places, other
    providers' offers). Events of other aggregates (the policy) change nothing here."""
    if isinstance(event, Case.Event):
        _case(store, event)
    elif isinstance(event, Place.Event):
        _place(store, event)
    elif isinstance(event, ProviderOffer.Event):
        _provider_offer(store, event)


# --- cases --------------------------------------------------------------------------------


def _case(store: Store, e: Base.Event) -> None:
    key = str(e.originator_id)
    if isinstance(e, Case.ApplicationReceived):
        doc: Doc = {
            "case_id": key, "municipality": e.municipality, "name": e.person.name,
            "received_on": _iso(e.received_on), "status": "received", "decision": None,
            "waiting_since": None, "need_score": None, "factors": {}, "assessor": None,
            "urgent": False, "urgency_reason": None, "interim_services": [],
            "spouse_case_id": str(e.spouse_case_id) if e.spouse_case_id else None,
            "offers": {}, "breached_on": None, "breach_choice": None,
        }
    else:
        found = store.get(CASE, key)
        if found is None:  # an event of a case whose creation is not in this log
            return
        doc = found
        _change_case(doc, e)
    store.put(CASE, key, doc["municipality"], doc)
    text, who = describe(e)
    store.add_history(key, e.originator_version, doc["municipality"], {
        "version": e.originator_version, "at": e.timestamp.isoformat(),
        "event": type(e).__name__, "text": text, "who": who,
    })


def _change_case(doc: Doc, e: Base.Event) -> None:
    if isinstance(e, Case.SpouseLinked):
        doc["spouse_case_id"] = str(e.spouse_case_id)
    elif isinstance(e, Case.DecisionMade):
        was_on_list = doc["status"] in ON_LIST
        doc["status"] = {"grant": "granted", "waiting_list": "waiting",
                         "rejection": "rejected"}[e.kind]
        doc["decision"] = {
            "decision_id": str(e.decision_id), "kind": e.kind,
            "place_type": e.place_type.value if e.place_type else None,
            "decided_on": _iso(e.decided_on), "decided_by": e.decided_by,
            "deadline": _iso(e.deadline), "policy_version": e.policy_version,
        }
        if doc["status"] in ON_LIST:
            if not was_on_list:
                doc["waiting_since"] = _iso(e.decided_on)
        else:
            doc["waiting_since"] = None
        doc["interim_services"] = [[s.service, s.extent] for s in e.interim_services]
    elif isinstance(e, Case.InterimServicesRecorded):
        doc["interim_services"] = [[s.service, s.extent] for s in e.services]
    elif isinstance(e, Case.PriorityAssessed):
        doc["need_score"] = e.need_score
        doc["factors"] = dict(sorted(e.factors.items()))
        doc["assessor"] = e.assessor
    elif isinstance(e, Case.UrgencyMarked):
        doc["urgent"], doc["urgency_reason"] = True, e.reason
    elif isinstance(e, Case.UrgencyCleared):
        doc["urgent"], doc["urgency_reason"] = False, None
    elif isinstance(e, Case.OfferMade):
        doc["offers"][str(e.offer_id)] = {
            "offer_id": str(e.offer_id), "kind": e.kind.value, "target_id": str(e.target_id),
            "facility_id": e.facility_id, "facility_name": e.facility_name,
            "place_type": e.place_type.value, "made_on": _iso(e.made_on), "status": "made",
        }
    elif isinstance(e, Case.OfferAccepted | Case.OfferDeclined | Case.OfferWithdrawn):
        status = {Case.OfferAccepted: "accepted", Case.OfferDeclined: "declined",
                  Case.OfferWithdrawn: "withdrawn"}[type(e)]
        offer = doc["offers"].get(str(e.offer_id))
        if offer is not None:
            offer["status"] = status
    elif isinstance(e, Case.DeadlineBreached):
        doc["breached_on"] = _iso(e.breached_on)
    elif isinstance(e, Case.BreachChoiceRecorded):
        doc["breach_choice"] = e.choice.value
    elif isinstance(e, Case.Admitted):
        doc["status"], doc["urgent"], doc["waiting_since"] = "resident", False, None
    elif isinstance(e, Case.Closed):
        if e.reason.value != "placed":
            doc["status"], doc["waiting_since"] = "closed", None
    elif isinstance(e, Case.StayEnded):
        doc["status"] = "closed"


# --- places -------------------------------------------------------------------------------


def _place(store: Store, e: Base.Event) -> None:
    key = str(e.originator_id)
    if isinstance(e, Place.Registered):
        doc: Doc = {
            "place_id": key, "municipality": e.municipality, "facility_id": e.facility_id,
            "facility_name": e.facility_name, "facility_kind": e.facility_kind.value,
            "unit": e.unit, "room": e.room, "place_type": e.place_type.value,
            "room_kind": e.room_kind.value, "capacity": e.room_kind.capacity,
            "available_from": _iso(e.available_from), "open": True, "closed_reason": None,
            "reservations": {}, "occupants": {},
        }
    else:
        found = store.get(PLACE, key)
        if found is None:
            return
        doc = found
        if isinstance(e, Place.Reserved):
            doc["reservations"][str(e.offer_id)] = str(e.case_id)
        elif isinstance(e, Place.Released):
            doc["reservations"].pop(str(e.offer_id), None)
        elif isinstance(e, Place.Occupied):
            if e.offer_id is not None:
                doc["reservations"].pop(str(e.offer_id), None)
            doc["occupants"][str(e.case_id)] = _iso(e.admitted_on)
        elif isinstance(e, Place.Vacated):
            doc["occupants"].pop(str(e.case_id), None)
        elif isinstance(e, Place.Closed):
            doc["open"], doc["closed_reason"] = False, e.reason
        elif isinstance(e, Place.Reopened):
            doc["open"], doc["closed_reason"] = True, None
            doc["available_from"] = _iso(e.reopened_on)
    store.put(PLACE, key, doc["municipality"], doc)


# --- other providers' offers (kjøp fra annen leverandør) ---------------------------------


def _provider_offer(store: Store, e: Base.Event) -> None:
    key = str(e.originator_id)
    if isinstance(e, ProviderOffer.Registered):
        doc: Doc = {
            "provider_offer_id": key, "municipality": e.municipality, "provider": e.provider,
            "reference": e.reference, "facility_name": e.facility_name,
            "facility_kind": e.facility_kind.value, "place_type": e.place_type.value,
            "room_kind": e.room_kind.value, "price_per_day": str(e.price_per_day),
            "available_from": _iso(e.available_from), "valid_until": _iso(e.valid_until),
            "reserved_for": None, "purchased_for": None, "withdrawn": False,
        }
    else:
        found = store.get(PROVIDER_OFFER, key)
        if found is None:
            return
        doc = found
        if isinstance(e, ProviderOffer.Reserved):
            doc["reserved_for"] = str(e.case_id)
        elif isinstance(e, ProviderOffer.Released):
            doc["reserved_for"] = None
        elif isinstance(e, ProviderOffer.Purchased):
            doc["reserved_for"], doc["purchased_for"] = None, str(e.case_id)
        elif isinstance(e, ProviderOffer.Withdrawn):
            doc["withdrawn"] = True
    store.put(PROVIDER_OFFER, key, doc["municipality"], doc)
