"""The fold: how each event changes the read-model rows. One function per aggregate.

The rows hold what the screens need and nothing else (no identity numbers). Dates are ISO
strings; days waited and days left depend on the day the list is read, so they are computed
by the queries, not stored.

Besides the current state, the rows keep the dated facts the deadline monitor (R18, R19),
the management statistics (R13) and the activity report (R22) count from:

- case: ``decisions`` (every vedtak: date, kind, place type, deadline), ``list_periods``
  (time on the waiting list, ``from`` inclusive to ``to`` exclusive, by the decision's place
  type), ``guarantee`` (the waiting-list guarantee, § 3-4, changed by the domain's own
  :class:`~domain.case.Guarantee` — the same code as the aggregate's; its ``state(today)``
  is the only judge of running, met, breached or lost), ``breaches`` and ``breach`` (the
  latest: fristbrudd with deadline, waiting-list date, breach date, the interim services
  then, the R19 choice with its date and officer), ``bridging`` (short-term stays that
  bridge the wait, R2, R15), ``stays`` (admission and end of each stay,
  place type, purchased or own), ``closed_on`` / ``closure_reason``; each offer also keeps
  its answer date, reason, effect on the guarantee, and the wait it ended
  (``waiting_since``, ``list_place_type``, ``first``).
- case, for the allocation run (R17, built from these rows, not from the aggregates):
  ``wishes`` (R16, R20), ``living_apart_consent`` and ``accompanying_spouse`` (R10; the
  application's wish for an accompanying stay), ``accompanying`` (R11: the decision on an
  accompanying stay on this, the spouse's, case — the resident spouse's case, its date, and
  the new decision that concluded it, if any; the offer of the second bed keeps
  ``accompanies``, the resident's offer it follows), ``dementia_diagnosis`` and
  ``dementia_finding`` (R7, :func:`has_dementia`).
- place: ``in_service_from`` (the registration's first day) and ``closures`` ([closed_on,
  reopened_on or None]). Its stays are the cases' (``stays`` of each case, whose
  ``target_id`` is the place): a place row does not grow with every resident it has had.
- other provider's offer: ``purchased_on``, ``purchase_price_per_day``,
  ``purchase_offer_id``.

Rows written before these fields existed get them (empty) on their next change; run
``python -m projections rebuild`` once after an upgrade so they hold the whole history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from domain.access import AccessLogEntry
from domain.allocation import AllocationRun
from domain.base import Base, local_date
from domain.case import ON_LIST as DOMAIN_ON_LIST
from domain.case import Case, Guarantee, MetHow
from domain.complaint import Complaint
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import DementiaFinding
from projections.access_log import apply_access
from projections.case_history import describe
from projections.casework_rows import documented, medical_source
from projections.complaints import apply_complaint
from projections.fold_moves import MOVE_CHANGES
from projections.runs import apply_run
from projections.store import Doc, Store

CASE, PLACE, PROVIDER_OFFER = "lto_rm_case", "lto_rm_place", "lto_rm_provider_offer"

#: Statuses in which a person is on the waiting list (R12): a waiting-list decision (R5) or a
#: grant not yet carried out (R4), not yet placed (the domain's own list, by value).
ON_LIST = tuple(sorted(s.value for s in DOMAIN_ON_LIST))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


#: Ids as text, by the id's integer: ``str(UUID)`` costs a microsecond or two, and a
#: rebuild asks for the same few hundred thousand ids millions of times.
_ID_TEXT: dict[int, str] = {}
_ID_TEXT_MAX = 200_000


def id_text(uid: UUID) -> str:
    """``str(uid)``, remembered (the memory forgets everything when full)."""
    found = _ID_TEXT.get(uid.int)
    if found is None:
        if len(_ID_TEXT) >= _ID_TEXT_MAX:
            _ID_TEXT.clear()
        found = _ID_TEXT[uid.int] = str(uid)
    return found


def apply_event(store: Store, event: Any) -> None:
    """Apply one domain event to the read models (cases and their history, places, other
    providers' offers, complaints, the access log, allocation runs). Events of other
    aggregates (the policy) change nothing here."""
    apply = _APPLY.get(type(event))
    if apply is None:
        apply = _APPLY[type(event)] = _apply_for(type(event))
    apply(store, event)


def _apply_for(event_type: type) -> Callable[[Store, Any], None]:
    """The fold function of an event type (looked up once per type)."""
    if issubclass(event_type, Case.Event):
        return _case
    if issubclass(event_type, Place.Event):
        return _place
    if issubclass(event_type, ProviderOffer.Event):
        return _provider_offer
    if issubclass(event_type, Complaint.Event):
        return apply_complaint  # R21: complaints (klage), see projections.complaints
    if issubclass(event_type, AccessLogEntry.Event):
        return apply_access  # tilgangslogg, see projections.access_log
    if issubclass(event_type, AllocationRun.Event):
        return apply_run  # the runs list (R17), see projections.runs
    return _nothing


def _nothing(store: Store, event: Any) -> None:
    return None


_APPLY: dict[type, Callable[[Store, Any], None]] = {}


# --- cases --------------------------------------------------------------------------------


def _case(store: Store, e: Any) -> None:
    key = id_text(e.originator_id)
    if isinstance(e, Case.ApplicationReceived):
        doc: Doc = {
            "case_id": key, "municipality": e.municipality, "name": e.person.name,
            "received_on": _iso(e.received_on), "status": "received", "decision": None,
            "waiting_since": None, "need_score": None, "factors": {}, "assessor": None,
            "assessed_on": None, "urgent": False, "urgency_reason": None,
            "interim_services": [],
            "spouse_case_id": str(e.spouse_case_id) if e.spouse_case_id else None,
            "offers": {}, "breached_on": None, "breach_choice": None,
            "receives_other_services": e.receives_other_services,
            "dementia_suspected": e.dementia_suspected, "dementia_investigated": False,
            **_allocation_fields(e.accompanying_spouse),
            "iplos_assessed_on": None, "review_every_months": 3, "grant_alert_days": 3,
            "iplos_max_age_months": 12,
            "guarantee": Guarantee().to_dict(), "bridging": [], "breaches": [],
            **_case_history_fields(), "case_number": e.case_number, "documented": [],
        }
        changed = True
    else:
        found = store.get(CASE, key)
        if found is None:  # an event of a case whose creation is not in this log
            return
        doc = found
        if "guarantee" not in doc:  # a row written before these fields existed
            for field, empty in _case_history_fields().items():
                doc.setdefault(field, empty)
            doc.update(guarantee=Guarantee().to_dict(), bridging=[], breaches=[])
        if "wishes" not in doc:  # a row written before the allocation run read it
            for field, empty in _allocation_fields(False).items():
                doc.setdefault(field, empty)
        change = _CASE_CHANGES.get(type(e))
        changed = change is not None and change(doc, e) is not False
    if changed:
        store.put(CASE, key, doc["municipality"], doc)
    text, who = describe(e)
    store.add_history((key, e.originator_version, doc["municipality"],
                       e.timestamp.isoformat(), type(e).__name__, text, who))


def _case_history_fields() -> Doc:
    """The dated facts of a case (see the module docstring), empty."""
    return {"decisions": [], "list_periods": [], "breach": None, "stays": [],
            "closed_on": None, "closure_reason": None}


def _allocation_fields(accompanying_spouse: bool) -> Doc:
    """What an allocation run (R17) reads of a case besides the list's own fields, empty:
    the ranked wishes (R16, R20), the consent to live apart from the spouse and the
    accompanying stay (R10, R11), and the dementia diagnosis and the investigation's finding
    (R7: ``has_dementia``, as the aggregate has it)."""
    return {"wishes": [], "living_apart_consent": False,
            "accompanying_spouse": accompanying_spouse, "accompanying": None,
            "dementia_diagnosis": False, "dementia_finding": None}


def has_dementia(doc: Doc) -> bool:
    """R7: a dementia diagnosis, from medical information or the investigation (the
    aggregate's ``Case.has_dementia``)."""
    return bool(doc.get("dementia_diagnosis")) or \
        doc.get("dementia_finding") == DementiaFinding.CONFIRMED.value


def _guarantee(doc: Doc, change: Callable[[Guarantee], None]) -> None:
    """Change the case's guarantee (§ 3-4) the way the aggregate does: one code for both."""
    g = Guarantee.from_dict(doc["guarantee"])
    change(g)
    doc["guarantee"] = g.to_dict()
    doc["waiting_since"] = _iso(g.waiting_since)


def _leave_list(doc: Doc, day: str | None) -> None:
    """End the open waiting-list period (R12) on ``day`` (the first day off the list)."""
    periods = doc["list_periods"]
    if periods and periods[-1]["to"] is None:
        periods[-1]["to"] = day


# Each function below changes the case row by one kind of event (False: the event changes
# nothing in it after all).


def _spouse_linked(doc: Doc, e: Case.SpouseLinked) -> None:
    doc["spouse_case_id"] = str(e.spouse_case_id)


def _iplos(doc: Doc, e: Case.IplosRegistered) -> None:
    doc["iplos_assessed_on"] = _iso(e.assessed_on)


def _case_number(doc: Doc, e: Case.CaseNumberAssigned) -> bool:
    if doc.get("case_number") is not None:
        return False
    doc["case_number"] = e.case_number
    return True


def _medical(doc: Doc, e: Case.MedicalInformationRecorded) -> bool:
    changed = medical_source(doc, e.source.value)
    if e.competence_centre_involved:
        changed = documented(doc, "competence_centre_involved") or changed
    if not e.dementia_diagnosis or (doc.get("dementia_suspected")
                                    and doc.get("dementia_diagnosis")):
        return changed
    doc["dementia_suspected"] = doc["dementia_diagnosis"] = True
    return True


def _dementia_suspected(doc: Doc, e: Any) -> None:
    doc["dementia_suspected"] = True


def _dementia_investigated(doc: Doc, e: Case.DementiaInvestigationRecorded) -> None:
    doc["dementia_suspected"] = doc["dementia_investigated"] = True
    doc["dementia_finding"] = e.finding.value


def _wishes(doc: Doc, e: Case.WishesRecorded) -> None:
    doc["wishes"] = list(e.facility_ids)


def _living_apart(doc: Doc, e: Case.LivingApartConsented) -> bool:
    if doc.get("living_apart_consent"):
        return False
    doc["living_apart_consent"] = True
    return True


def _other_services(doc: Doc, e: Case.OtherServicesChanged) -> None:
    doc["receives_other_services"] = e.receives_other_services


def _decision_made(doc: Doc, e: Case.DecisionMade) -> None:
    was_on_list = doc["status"] in ON_LIST
    doc["status"] = {"grant": "granted", "waiting_list": "waiting",
                     "rejection": "rejected"}[e.kind]
    day = _iso(e.decided_on)
    place_type = e.place_type.value if e.place_type else None
    deadline = _iso(e.deadline)
    doc["decision"] = {
        "decision_id": str(e.decision_id), "kind": e.kind, "place_type": place_type,
        "facility_kind": e.facility_kind.value if e.facility_kind else None,
        "decided_on": day, "decided_by": e.decided_by, "deadline": deadline,
        "policy_version": e.policy_version, "urgent": e.urgent,
        "sent_on": None, "channel": None, "received_on": None,
        "complaint_id": str(e.complaint_id) if e.complaint_id else None,
    }
    doc["decisions"].append({"decided_on": day, "kind": e.kind, "place_type": place_type,
                             "deadline": deadline})
    doc["urgent"] = e.kind == "grant"
    doc["urgency_reason"] = e.grounds if e.urgent else None
    doc["review_every_months"] = e.review_every_months
    doc["grant_alert_days"] = e.grant_alert_days
    doc["iplos_max_age_months"] = e.iplos_max_age_months
    doc["accompanying"] = None  # R11: an ordinary decision replaces an accompanying one
    periods = doc["list_periods"]
    if doc["status"] in ON_LIST:
        open_period = periods[-1] if periods and periods[-1]["to"] is None else None
        if open_period is not None and open_period["place_type"] != place_type:
            open_period["to"] = day  # a new decision moved the person to another list
            open_period = None
        if open_period is None:
            periods.append({"from": day, "to": None, "place_type": place_type})
        doc["interim_services"] = [[s.service, s.extent] for s in e.interim_services]
    else:
        _leave_list(doc, day)
        doc["need_score"], doc["factors"], doc["assessor"] = None, {}, None
        doc["breach_choice"] = None
        if was_on_list:
            doc["interim_services"] = []
    _guarantee(doc, lambda g: g.decided(
        e.kind, e.decided_on, months=e.guarantee_months,
        declined_effect=e.declined_offer_effect, keep_waiting_since=e.waiting_since_kept))


def _decision_quashed(doc: Doc, e: Case.DecisionQuashed) -> None:
    """R21: the decision in force quashed after a complaint: back to assessment, off the
    list until the new decision (which keeps the waiting-list date)."""
    day = _iso(e.quashed_on)
    doc["status"], doc["urgent"], doc["urgency_reason"] = "received", False, None
    doc["decision"] = None
    doc["quashed"] = {"decision_id": str(e.decision_id), "complaint_id": str(e.complaint_id),
                      "quashed_on": day}
    _leave_list(doc, day)
    _guarantee(doc, lambda g: g.quashed(e.kind, e.waiting_since_kept))


def _accompanying_decided(doc: Doc, e: Case.AccompanyingStayDecided) -> None:
    """R11: a decision on an accompanying stay: off the list (if on it), no guarantee."""
    day = _iso(e.decided_on)
    doc["status"] = "accompanying"
    doc["decision"] = {
        "decision_id": str(e.decision_id), "kind": "accompanying_stay", "place_type": None,
        "facility_kind": None, "decided_on": day, "decided_by": e.decided_by,
        "deadline": None, "policy_version": e.policy_version, "urgent": False,
    }
    doc["decisions"].append({"decided_on": day, "kind": "accompanying_stay",
                             "place_type": None, "deadline": None})
    doc["urgent"], doc["urgency_reason"] = False, None
    doc["need_score"], doc["factors"], doc["assessor"] = None, {}, None
    doc["breach_choice"], doc["interim_services"] = None, []
    doc["accompanying"] = {"resident_case_id": str(e.resident_case_id),
                           "decided_on": day, "concluded": None}
    _leave_list(doc, day)
    _guarantee(doc, lambda g: g.left_list(e.decided_on))


def _accompanying_offer(doc: Doc, e: Case.AccompanyingOfferMade) -> None:
    """R11: the second bed of the resident spouse's double room, offered to this case."""
    offer_id = id_text(e.offer_id)
    doc["offers"][offer_id] = {
        "offer_id": offer_id, "kind": e.kind.value, "target_id": id_text(e.target_id),
        "facility_id": e.facility_id, "facility_name": e.facility_name,
        "place_type": e.place_type.value, "made_on": _iso(e.made_on), "status": "made",
        "available_on": _iso(e.available_on), "answer_by": None, "suitable": True,
        "unsuitable": [], "answered_on": None, "reason": None, "guarantee": None,
        "waiting_since": None, "list_place_type": None, "deadline": None, "first": False,
        "accompanies": id_text(e.resident_offer_id),
    }


def _accompanying_concluded(doc: Doc, e: Case.AccompanyingStayConcluded) -> None:
    """R11: the new decision on an accompanying stay (ordinary stay, or it ends)."""
    day = _iso(e.decided_on)
    kind = "ordinary_stay" if e.outcome == "ordinary_stay" else "accompanying_stay_ended"
    stays = doc["stays"]
    place_type = stays[-1]["place_type"] if stays and kind == "ordinary_stay" else None
    doc["decision"] = {
        "decision_id": str(e.decision_id), "kind": kind, "place_type": place_type,
        "facility_kind": None, "decided_on": day, "decided_by": e.decided_by,
        "deadline": None, "policy_version": e.policy_version, "urgent": False,
    }
    doc["decisions"].append({"decided_on": day, "kind": kind, "place_type": place_type,
                             "deadline": None})
    if doc.get("accompanying"):
        doc["accompanying"]["concluded"] = e.outcome


def _delivered(doc: Doc, e: Any, **fields: Any) -> bool:
    """R14: the sending or receipt of a decision, on the current decision if it is that
    one (the letters read the aggregate; the row keeps what the case's screens show)."""
    decision = doc["decision"]
    if decision is None or decision["decision_id"] != id_text(e.decision_id):
        return False
    decision.update(fields)
    return True


def _decision_sent(doc: Doc, e: Case.DecisionSent) -> bool:
    fields: dict[str, Any] = {"sent_on": _iso(e.sent_on), "channel": e.channel.value}
    if e.received_on is not None:
        fields["received_on"] = _iso(e.received_on)
    return _delivered(doc, e, **fields)


def _decision_received(doc: Doc, e: Case.DecisionReceived) -> bool:
    return _delivered(doc, e, received_on=_iso(e.received_on))


def _interim_services(doc: Doc, e: Case.InterimServicesRecorded) -> None:
    doc["interim_services"] = [[s.service, s.extent] for s in e.services]


def _priority_assessed(doc: Doc, e: Case.PriorityAssessed) -> None:
    doc["need_score"] = e.need_score
    doc["factors"] = dict(sorted(e.factors.items()))
    doc["assessor"] = e.assessor
    doc["assessed_on"] = _iso(e.assessed_on)


def _urgency_marked(doc: Doc, e: Case.UrgencyMarked) -> None:
    doc["urgency_reason"] = e.reason  # an earlier release's flag; urgency is a grant now


def _urgency_cleared(doc: Doc, e: Case.UrgencyCleared) -> None:
    doc["urgency_reason"] = None


def _offer_made(doc: Doc, e: Case.OfferMade) -> None:
    since = doc["waiting_since"]
    decision = doc["decision"] or {}
    offer_id = id_text(e.offer_id)
    doc["offers"][offer_id] = {
        "offer_id": offer_id, "kind": e.kind.value, "target_id": id_text(e.target_id),
        "facility_id": e.facility_id, "facility_name": e.facility_name,
        "place_type": e.place_type.value, "made_on": _iso(e.made_on), "status": "made",
        "available_on": _iso(e.available_on), "answer_by": _iso(e.answer_by),
        "suitable": e.suitable, "unsuitable": [u.value for u in e.unsuitable],
        "answered_on": None, "reason": None, "guarantee": None,
        # the wait this offer ends (R13): the first offer since the person came on the list
        "waiting_since": since, "list_place_type": decision.get("place_type"),
        "deadline": decision.get("deadline"),
        "first": not any(o.get("waiting_since") == since for o in doc["offers"].values()),
    }
    _guarantee(doc, lambda g: g.offer_made(offer_id, e.made_on, suitable=e.suitable))


def _offer_answered(doc: Doc, e: Any, status: str, day: date, **extra: Any) -> None:
    """Record an answer to an offer, or its withdrawal or lapse, on the offer."""
    offer: dict[str, Any] | None = doc["offers"].get(id_text(e.offer_id))
    if offer is not None:
        offer.update(status=status, answered_on=_iso(day),
                     reason=getattr(e, "reason", None), guarantee=getattr(e, "guarantee", None),
                     **extra)


def _offer_accepted(doc: Doc, e: Case.OfferAccepted) -> None:
    _offer_answered(doc, e, "accepted", e.answered_on)
    _guarantee(doc, lambda g: g.offer_accepted(id_text(e.offer_id)))


def _offer_declined(doc: Doc, e: Case.OfferDeclined) -> None:
    _offer_answered(doc, e, "declined", e.answered_on)
    _guarantee(doc, lambda g: g.offer_declined(id_text(e.offer_id), e.answered_on,
                                               effect=e.guarantee))


def _offer_withdrawn(doc: Doc, e: Case.OfferWithdrawn) -> None:
    _offer_answered(doc, e, "withdrawn", local_date(e.timestamp),
                    by_municipality=e.by_municipality)
    _guarantee(doc, lambda g: g.offer_withdrawn(id_text(e.offer_id)))


def _offer_lapsed(doc: Doc, e: Case.OfferLapsed) -> None:
    _offer_answered(doc, e, "lapsed", e.lapsed_on)
    offer_id = id_text(e.offer_id)
    if e.counts_as_declined:
        _guarantee(doc, lambda g: g.offer_declined(offer_id, e.lapsed_on, effect=e.guarantee,
                                                   how=MetHow.LAPSED))
    else:
        _guarantee(doc, lambda g: g.offer_withdrawn(offer_id))


def _deadline_breached(doc: Doc, e: Case.DeadlineBreached) -> None:
    doc["breached_on"] = _iso(e.breached_on)
    doc["breach_choice"] = None
    decision = doc["decision"] or {}
    doc["breach"] = {
        "period": e.period, "deadline": _iso(e.deadline), "breached_on": _iso(e.breached_on),
        "decided_on": doc["waiting_since"] or decision.get("decided_on"),
        "place_type": decision.get("place_type"),
        "interim_services": [list(s) for s in doc["interim_services"]],
        "choice": None, "choice_on": None, "choice_by": None,
    }
    doc["breaches"].append(doc["breach"])
    _guarantee(doc, lambda g: g.breached(e.period, e.breached_on))


def _breach_choice(doc: Doc, e: Case.BreachChoiceRecorded) -> None:
    doc["breach_choice"] = e.choice.value
    if doc["breach"] is not None:
        doc["breach"].update(choice=e.choice.value, choice_on=_iso(e.recorded_on),
                             choice_by=e.recorded_by)
        if doc["breaches"]:
            doc["breaches"][-1] = doc["breach"]


def _admitted(doc: Doc, e: Case.Admitted) -> None:
    doc["status"], doc["urgent"] = "resident", False
    _leave_list(doc, _iso(e.admitted_on))
    doc["stays"].append({
        "offer_id": id_text(e.offer_id), "target_id": id_text(e.target_id),
        "facility_id": e.facility_id, "place_type": e.place_type.value,
        "purchased": e.purchased, "admitted_on": _iso(e.admitted_on), "ended_on": None,
        "end_reason": None,
    })
    _end_bridging(doc, _iso(e.admitted_on))
    _guarantee(doc, lambda g: g.left_list(e.admitted_on))


def _closed(doc: Doc, e: Case.Closed) -> bool:
    if e.reason.value == "placed":
        return False  # an earlier release's closing after admission: the admission said it
    doc["status"], doc["urgent"] = "closed", False
    doc["closed_on"], doc["closure_reason"] = _iso(e.closed_on), e.reason.value
    _leave_list(doc, _iso(e.closed_on))
    _end_bridging(doc, _iso(e.closed_on))
    _guarantee(doc, lambda g: g.left_list(e.closed_on))
    return True


def _stay_ended(doc: Doc, e: Case.StayEnded) -> None:
    doc["status"] = "closed"
    if doc["stays"]:
        doc["stays"][-1].update(ended_on=_iso(e.ended_on), end_reason=e.reason.value)


def _end_bridging(doc: Doc, day: str | None) -> None:
    for stay in doc["bridging"]:
        if stay["to"] is None or (day is not None and stay["to"] > day):
            stay["to"] = day


def _bridging_recorded(doc: Doc, e: Case.BridgingStayRecorded) -> None:
    doc["bridging"].append({"facility_name": e.facility_name, "unit": e.unit,
                            "from": _iso(e.from_on), "to": _iso(e.to_on)})


def _bridging_ended(doc: Doc, e: Case.BridgingStayEnded) -> None:
    if doc["bridging"]:
        doc["bridging"][-1]["to"] = _iso(e.to_on)


#: How each kind of case event after the application changes the case row (a table, not
#: a chain of tests: a rebuild looks up every event of the log). Every kind is here.
_CASE_CHANGES: dict[type, Callable[[Doc, Any], bool | None]] = {
    Case.CaseNumberAssigned: _case_number,
    Case.OwnAccountRecorded: lambda doc, e: documented(doc, "own_account"),
    Case.RelativesInformationRecorded: lambda doc, e: documented(doc, "relatives"),
    Case.NoRelativesStated: lambda doc, e: documented(doc, "no_relatives"),
    Case.IplosRegistered: _iplos,
    Case.MedicalInformationRecorded: _medical,
    Case.LeonMeasuresRecorded: lambda doc, e: documented(doc, "leon"),
    Case.DementiaSuspected: _dementia_suspected,
    Case.DementiaInvestigationRecorded: _dementia_investigated,
    Case.OtherServicesChanged: _other_services,
    Case.WishesRecorded: _wishes,
    Case.LivingApartConsented: _living_apart,
    Case.SpouseLinked: _spouse_linked,
    Case.DecisionMade: _decision_made,
    Case.DecisionQuashed: _decision_quashed,
    Case.AccompanyingStayDecided: _accompanying_decided,
    Case.AccompanyingOfferMade: _accompanying_offer,
    Case.AccompanyingStayConcluded: _accompanying_concluded,
    Case.DecisionSent: _decision_sent,
    Case.DecisionReceived: _decision_received,
    Case.InterimServicesRecorded: _interim_services,
    Case.PriorityAssessed: _priority_assessed,
    Case.UrgencyMarked: _urgency_marked,
    Case.UrgencyCleared: _urgency_cleared,
    Case.OfferMade: _offer_made,
    Case.OfferAccepted: _offer_accepted,
    Case.OfferDeclined: _offer_declined,
    Case.OfferWithdrawn: _offer_withdrawn,
    Case.OfferLapsed: _offer_lapsed,
    Case.DeadlineBreached: _deadline_breached,
    Case.BreachChoiceRecorded: _breach_choice,
    Case.Admitted: _admitted,
    Case.Closed: _closed,
    Case.StayEnded: _stay_ended,
    Case.BridgingStayRecorded: _bridging_recorded,
    Case.BridgingStayEnded: _bridging_ended,
    **MOVE_CHANGES,  # R28: moves (projections.fold_moves)
}


# --- places -------------------------------------------------------------------------------


def _place(store: Store, e: Base.Event) -> None:
    key = id_text(e.originator_id)
    if isinstance(e, Place.Registered):
        doc: Doc = {
            "place_id": key, "municipality": e.municipality, "facility_id": e.facility_id,
            "facility_name": e.facility_name, "facility_kind": e.facility_kind.value,
            "unit": e.unit, "room": e.room, "place_type": e.place_type.value,
            "room_kind": e.room_kind.value, "capacity": e.room_kind.capacity,
            "available_from": _iso(e.available_from), "open": True, "closed_reason": None,
            "reservations": {}, "occupants": {}, "leaving": {},
            "in_service_from": _iso(e.available_from), "closures": [],
        }
    else:
        found = store.get(PLACE, key)
        if found is None:
            return
        doc = found
        doc.setdefault("in_service_from", doc["available_from"])
        doc.setdefault("closures", [])
        doc.pop("stays", None)  # kept by rows of an earlier release: the cases hold them
        if isinstance(e, Place.Reserved | Place.Occupied):
            _forget_left(doc, _iso(local_date(e.timestamp)))
        if isinstance(e, Place.Reserved):
            doc["reservations"][id_text(e.offer_id)] = id_text(e.case_id)
        elif isinstance(e, Place.Released):
            doc["reservations"].pop(id_text(e.offer_id), None)
        elif isinstance(e, Place.Occupied):
            if e.offer_id is not None:
                doc["reservations"].pop(id_text(e.offer_id), None)
            doc["occupants"][id_text(e.case_id)] = _iso(e.admitted_on)
        elif isinstance(e, Place.Vacated):
            case = id_text(e.case_id)
            if e.vacated_on > local_date(e.timestamp):  # R24: planned move-out
                doc.setdefault("leaving", {})[case] = _iso(e.vacated_on)
            else:
                doc["occupants"].pop(case, None)
                doc.setdefault("leaving", {}).pop(case, None)
        elif isinstance(e, Place.Closed):
            doc["open"], doc["closed_reason"] = False, e.reason
            doc["closures"].append([_iso(e.closed_on), None])
        elif isinstance(e, Place.Reopened):
            doc["open"], doc["closed_reason"] = True, None
            doc["available_from"] = _iso(e.reopened_on)
            if doc["closures"] and doc["closures"][-1][1] is None:
                doc["closures"][-1][1] = _iso(e.reopened_on)
    store.put(PLACE, key, doc["municipality"], doc)


def _forget_left(doc: Doc, today: str | None) -> None:
    """Residents whose planned move-out day has come are gone (as the place does it)."""
    leaving = doc.get("leaving") or {}
    for case, day in list(leaving.items()):
        if today is not None and day <= today:
            doc["occupants"].pop(case, None)
            del leaving[case]


# --- other providers' offers (kjøp fra annen leverandør) ---------------------------------


def _provider_offer(store: Store, e: Base.Event) -> None:
    key = id_text(e.originator_id)
    if isinstance(e, ProviderOffer.Registered):
        doc: Doc = {
            "provider_offer_id": key, "municipality": e.municipality, "provider": e.provider,
            "reference": e.reference, "facility_name": e.facility_name,
            "facility_kind": e.facility_kind.value, "place_type": e.place_type.value,
            "room_kind": e.room_kind.value, "price_per_day": str(e.price_per_day),
            "available_from": _iso(e.available_from), "valid_until": _iso(e.valid_until),
            "reserved_for": None, "purchased_for": None, "withdrawn": False,
            "purchased_on": None, "purchase_price_per_day": None, "purchase_offer_id": None,
        }
    else:
        found = store.get(PROVIDER_OFFER, key)
        if found is None:
            return
        doc = found
        if isinstance(e, ProviderOffer.Reserved):
            doc["reserved_for"] = id_text(e.case_id)
        elif isinstance(e, ProviderOffer.Released):
            doc["reserved_for"] = None
        elif isinstance(e, ProviderOffer.Purchased):
            doc["reserved_for"], doc["purchased_for"] = None, id_text(e.case_id)
            doc["purchased_on"] = _iso(e.purchased_on)
            doc["purchase_price_per_day"] = str(e.price_per_day)
            doc["purchase_offer_id"] = id_text(e.offer_id)
        elif isinstance(e, ProviderOffer.PurchaseEnded):  # R28: moved to an own place
            doc["purchase_ended_on"] = _iso(e.ended_on)
        elif isinstance(e, ProviderOffer.Withdrawn):
            doc["withdrawn"] = True
    store.put(PROVIDER_OFFER, key, doc["municipality"], doc)
