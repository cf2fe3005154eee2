"""A case's history in plain Norwegian words (R21): every event of the case, in order, with
when and who. Read from the case's own event stream, so it can be cut at any past moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.pages import words as w
from domain.case import Case

_WHO = ("decided_by", "recorded_by", "assessor", "assessed_by", "made_by")


@dataclass(frozen=True)
class Step:
    version: int
    at: datetime
    text: str
    who: str | None
    kind: str  # the event's class name, for styling and tests
    decision_id: str | None = None


def _offer(e: Any) -> str:
    where = f"{e.facility_name} ({w.label(w.PLACE_TYPES, e.place_type)} plass)"
    if w.label(w.OFFER_KINDS, e.kind) == w.OFFER_KINDS["purchase"]:
        return f"Tilbud om kjøpt plass hos annen leverandør: {where}"
    return f"Tilbud om plass ved {where}"


def describe(e: Any) -> str:
    """One event of a case as a sentence."""
    if isinstance(e, Case.ApplicationReceived):
        return f"Søknad mottatt {w.label(w.CHANNELS, e.channel)} {w.dato(e.received_on)}"
    if isinstance(e, Case.SpouseLinked):
        return "Koblet til ektefellens eller samboerens sak"
    if isinstance(e, Case.OwnAccountRecorded):
        return f"Brukerens egne opplysninger registrert: «{e.what_matters}»"
    if isinstance(e, Case.RelativesInformationRecorded):
        who = "verge" if e.is_guardian else e.relation
        return f"Opplysninger fra pårørende ({who}) registrert"
    if isinstance(e, Case.IplosRegistered):
        return f"IPLOS-registrering per {w.dato(e.assessed_on)}"
    if isinstance(e, Case.MedicalInformationRecorded):
        text = f"Medisinske opplysninger fra {w.label(w.MEDICAL_SOURCES, e.source)}: {e.summary}"
        return text + (" (demensdiagnose)" if e.dementia_diagnosis else "")
    if isinstance(e, Case.LeonMeasuresRecorded):
        return "Lavere omsorgsnivå (LEON): " + ", ".join(
            f"{w.label(w.LEON_MEASURES, x.measure)} {w.label(w.LEON_STATUSES, x.status)}"
            for x in e.entries)
    if isinstance(e, Case.DementiaInvestigationRecorded):
        return f"Demensutredning: {w.label(w.DEMENTIA_FINDINGS, e.finding)} ({e.conclusion})"
    if isinstance(e, Case.DecisionMade):
        text = w.DECISION_KINDS.get(e.kind, e.kind)
        if e.place_type is not None:
            text += f", {w.label(w.PLACE_TYPES, e.place_type)} plass"
        if e.deadline is not None:
            text += f"; tilbud innen {w.dato(e.deadline)}"
        return text + f"; klagefrist {w.dato(e.complaint_deadline)}"
    if isinstance(e, Case.InterimServicesRecorded):
        return "Tjenester i ventetiden: " + ", ".join(
            f"{s.service} ({s.extent})" for s in e.services)
    if isinstance(e, Case.PriorityAssessed):
        text = (f"Behov vurdert: {e.need_score} poeng (kommunens vekter foreslo "
                f"{e.suggested_score})")
        if e.departure_reason:
            text += f"; begrunnelse for avvik: {e.departure_reason}"
        return text
    if isinstance(e, Case.UrgencyMarked):
        return f"Markert som hastesak — kan ikke lenger få forsvarlig hjelp hjemme ({e.reason})"
    if isinstance(e, Case.UrgencyCleared):
        return f"Hastemarkering fjernet ({e.reason})"
    if isinstance(e, Case.WishesRecorded):
        return "Ønsker om institusjon registrert: " + (", ".join(e.facility_ids) or "ingen")
    if isinstance(e, Case.LivingApartConsented):
        return "Samtykke til å bo hver for seg fra ektefellen registrert"
    if isinstance(e, Case.OfferMade):
        text = _offer(e)
        if e.proposal_id is not None:
            text += " (fra tildelingsforslag, godkjent av saksbehandler)"
        if e.non_screened_reason:
            text += f"; ikke skjermet fordi: {e.non_screened_reason}"
        return text
    if isinstance(e, Case.OfferAccepted):
        return "Personen takket ja til tilbudet"
    if isinstance(e, Case.OfferDeclined):
        return (f"Personen takket nei ({e.reason}); "
                f"{w.GUARANTEE_EFFECTS.get(e.guarantee, e.guarantee)}")
    if isinstance(e, Case.OfferWithdrawn):
        return f"Tilbudet ble trukket ({e.reason})"
    if isinstance(e, Case.DeadlineBreached):
        return f"Fristbrudd: fristen {w.dato(e.deadline)} gikk ut uten tilbud"
    if isinstance(e, Case.BreachChoiceRecorded):
        return f"Etter fristbruddet valgte personen: {w.label(w.BREACH_CHOICES, e.choice)}"
    if isinstance(e, Case.Admitted):
        kind = "kjøpt plass" if e.purchased else "kommunal plass"
        return (f"Flyttet inn {w.dato(e.admitted_on)} ({kind}, "
                f"{w.label(w.PLACE_TYPES, e.place_type)}, {e.facility_id})")
    if isinstance(e, Case.Closed):
        return f"Saken avsluttet: {w.label(w.CLOSURE_REASONS, e.reason)}"
    if isinstance(e, Case.StayEnded):
        return f"Oppholdet avsluttet {w.dato(e.ended_on)}: {w.label(w.STAY_END_REASONS, e.reason)}"
    return type(e).__name__


def _who(e: Any) -> str | None:
    for attr in _WHO:
        value = getattr(e, attr, None)
        if value:
            return str(value)
    return None


def case_events(service: Any, case_id: UUID, until: datetime | None = None) -> list[Any]:
    """The case's events in order, up to ``until`` when given (R21: as it stood then)."""
    events = list(service.repository.event_store.get(case_id))
    if until is not None:
        events = [e for e in events if e.timestamp <= until]
    return events


def steps(events: list[Any]) -> list[Step]:
    return [
        Step(e.originator_version, e.timestamp, describe(e), _who(e), type(e).__name__,
             str(e.decision_id) if isinstance(e, Case.DecisionMade) else None)
        for e in events
    ]
