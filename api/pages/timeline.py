"""A case's history in plain Norwegian words (R21): every event of the case, in order, with
when and who. Read from the case's own event stream, so it can be cut at any past moment.

Facilities are named by their names, never their ids: the names come from the case's own
offers, and from a table the caller may pass (the municipality's facilities)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.pages import words as w
from domain.case import Case

_WHO = ("decided_by", "recorded_by", "assessor", "assessed_by", "made_by", "raised_by",
        "quashed_by")


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


def _offer_made(e: Any) -> str:
    """R18, R26: the offer, its day available, its answer deadline and, for an offer that
    does not meet the decision, that it does not count for the guarantee."""
    text = _offer(e)
    if e.proposal_id is not None:
        text += " (fra tildelingsforslag, godkjent av saksbehandler)"
    if e.available_on != e.made_on:
        text += f"; ledig fra {w.dato(e.available_on)}"
    text += f"; svarfrist {w.dato(e.answer_by)}"
    if e.type_reason:
        text += f"; annen plasstype enn vedtaket fordi: {e.type_reason}"
    if not e.suitable:
        why = ", ".join(w.label(w.OFFER_UNSUITABILITY, u) for u in e.unsuitable)
        text += f"; teller ikke for garantien ({why})"
        if e.unsuitable_reason:
            text += f", begrunnelse: {e.unsuitable_reason}"
    return text


def _decision(e: Any) -> str:
    text = "Vedtak om langtidsopphold straks" if e.urgent else \
        w.DECISION_KINDS.get(e.kind, e.kind)
    if e.place_type is not None:
        text += f", {w.label(w.PLACE_TYPES, e.place_type)} plass"
    text += f"; vedtaksdato {w.dato(e.decided_on)}"
    if e.deadline is not None:
        text += f"; tilbud innen {w.dato(e.deadline)}"
    if e.waiting_since_kept is not None:
        text += f"; ventelistedato {w.dato(e.waiting_since_kept)} beholdes"
    if e.complaint_id is not None:
        text += "; vedtak etter klage"
    if e.urgent:
        text += ("; kan ikke lenger få forsvarlig hjelp hjemme (§ 3-3 første ledd): "
                 f"{e.grounds}")
    return text


def _lapsed(e: Any) -> str:
    text = (f"Tilbudet bortfalt — ikke besvart innen svarfristen {w.dato(e.answer_by)}; "
            "plassen er frigjort")
    if e.counts_as_declined:
        text += f"; regnes som takket nei: {w.GUARANTEE_EFFECTS.get(e.guarantee, e.guarantee)}"
    else:
        text += "; regnes som om tilbudet ikke var gitt"
    return text


def _bridging(e: Any) -> str:
    where = e.facility_name + (f", avdeling {e.unit}" if e.unit else "")
    text = (f"Korttidsopphold i påvente av langtidsplass ved {where}, fra "
            f"{w.dato(e.from_on)}")
    return text + (f" til {w.dato(e.to_on)}" if e.to_on else "")


def _wishes(e: Any, names: Mapping[str, str]) -> str:
    if not e.facility_ids:
        return "Ønsker om institusjon fjernet"
    return "Ønsker om institusjon registrert: " + ", ".join(
        f"{i}. {names.get(f, 'en institusjon som ikke lenger er registrert')}"
        for i, f in enumerate(e.facility_ids, start=1))


def describe(e: Any, names: Mapping[str, str] | None = None) -> str:
    """One event of a case as a sentence; ``names`` maps facility ids to their names."""
    names = names or {}
    if isinstance(e, Case.ApplicationReceived):
        return f"Søknad mottatt {w.label(w.CHANNELS, e.channel)} {w.dato(e.received_on)}"
    if isinstance(e, Case.CaseNumberAssigned):
        return f"Saksnummer {e.case_number} tildelt"
    if isinstance(e, Case.SpouseLinked):
        return "Koblet til ektefellens eller samboerens sak"
    if isinstance(e, Case.OwnAccountRecorded):
        return f"Brukerens egne opplysninger registrert: «{e.what_matters}»"
    if isinstance(e, Case.RelativesInformationRecorded):
        who = "verge" if e.is_guardian else e.relation
        return f"Opplysninger fra pårørende ({who}) registrert"
    if isinstance(e, Case.NoRelativesStated):
        return f"Erklæring om at det ikke er pårørende eller verge å spørre: {e.statement}"
    if isinstance(e, Case.IplosRegistered):
        return f"IPLOS-registrering per {w.dato(e.assessed_on)}"
    if isinstance(e, Case.MedicalInformationRecorded):
        text = f"Medisinske opplysninger fra {w.label(w.MEDICAL_SOURCES, e.source)}: {e.summary}"
        if e.dementia_diagnosis:
            text += " (demensdiagnose)"
        if e.competence_centre_involved:
            text += " (et kompetansesenter har vært involvert)"
        return text
    if isinstance(e, Case.LeonMeasuresRecorded):
        return "Lavere omsorgsnivå (LEON): " + ", ".join(
            f"{w.label(w.LEON_MEASURES, x.measure)} {w.label(w.LEON_STATUSES, x.status)}"
            for x in e.entries)
    if isinstance(e, Case.DementiaSuspected):
        return f"Mistanke om demens (demensutredning kreves før tilbud, § 2-2): {e.reason}"
    if isinstance(e, Case.DementiaInvestigationRecorded):
        return f"Demensutredning: {w.label(w.DEMENTIA_FINDINGS, e.finding)} ({e.conclusion})"
    if isinstance(e, Case.OtherServicesChanged):
        if e.receives_other_services:
            return ("Personen mottar nå andre helse- og omsorgstjenester (oppdatert IPLOS "
                    "kreves, § 2-2 nr. 2)")
        return "Personen mottar ikke lenger andre helse- og omsorgstjenester"
    if isinstance(e, Case.DecisionMade):
        return _decision(e)
    if isinstance(e, Case.DecisionSent):
        text = f"Vedtaket sendt {w.label(w.DELIVERY_CHANNELS, e.channel)} {w.dato(e.sent_on)}"
        if e.received_on is not None:
            text += f"; mottatt {w.dato(e.received_on)}"
        return text
    if isinstance(e, Case.DecisionReceived):
        return f"Vedtaket mottatt av personen {w.dato(e.received_on)}"
    if isinstance(e, Case.InterimServicesRecorded):
        return "Tjenester i ventetiden: " + ", ".join(
            f"{s.service} ({s.extent})" for s in e.services)
    if isinstance(e, Case.PriorityAssessed):
        text = (f"Behov vurdert per {w.dato(e.assessed_on)}: {e.need_score} poeng "
                f"(retningslinjene foreslo {e.suggested_score})")
        if e.departure_reason:
            text += f"; begrunnelse for avvik: {e.departure_reason}"
        return text
    if isinstance(e, Case.UrgencyMarked):
        return f"Markert som hastesak — kan ikke lenger få forsvarlig hjelp hjemme ({e.reason})"
    if isinstance(e, Case.UrgencyCleared):
        return f"Hastemarkering fjernet ({e.reason})"
    if isinstance(e, Case.WishesRecorded):
        return _wishes(e, names)
    if isinstance(e, Case.LivingApartConsented):
        return "Samtykke til å bo hver for seg fra ektefellen registrert"
    if isinstance(e, Case.OfferMade):
        return _offer_made(e)
    if isinstance(e, Case.OfferAccepted):
        return "Personen takket ja til tilbudet"
    if isinstance(e, Case.OfferDeclined):
        return (f"Personen takket nei ({e.reason}); "
                f"{w.GUARANTEE_EFFECTS.get(e.guarantee, e.guarantee)}")
    if isinstance(e, Case.OfferWithdrawn):
        return f"Tilbudet ble trukket ({w.withdrawal_reason(e.reason)})"
    if isinstance(e, Case.OfferLapsed):
        return _lapsed(e)
    if isinstance(e, Case.DeadlineBreached):
        period = f" (garantiperiode {e.period})" if e.period > 1 else ""
        return f"Fristbrudd{period}: fristen {w.dato(e.deadline)} gikk ut uten tilbud"
    if isinstance(e, Case.BreachChoiceRecorded):
        return f"Etter fristbruddet valgte personen: {w.label(w.BREACH_CHOICES, e.choice)}"
    if isinstance(e, Case.Admitted):
        kind = "kjøpt plass" if e.purchased else "kommunal plass"
        where = names.get(e.facility_id, "institusjonen i tilbudet")
        return (f"Flyttet inn {w.dato(e.admitted_on)} ({kind}, "
                f"{w.label(w.PLACE_TYPES, e.place_type)}, {where})")
    if isinstance(e, Case.Closed):
        return f"Saken avsluttet: {w.label(w.CLOSURE_REASONS, e.reason)}"
    if isinstance(e, Case.StayEnded):
        return f"Oppholdet avsluttet {w.dato(e.ended_on)}: {w.label(w.STAY_END_REASONS, e.reason)}"
    if isinstance(e, Case.BridgingStayRecorded):
        return _bridging(e)
    if isinstance(e, Case.AccompanyingStayDecided):
        return "Vedtak om medfølgende opphold sammen med ektefellen eller samboeren"
    if isinstance(e, Case.AccompanyingOfferMade):
        return (f"Tilbud om den andre sengen i dobbeltrommet ved {e.facility_name}, "
                "sammen med ektefellens eller samboerens tilbud")
    if isinstance(e, Case.AccompanyingStayConcluded):
        if e.outcome == "ordinary_stay":
            return "Det medfølgende oppholdet videreføres som ordinært langtidsopphold"
        return f"Det medfølgende oppholdet avsluttes {w.dato(e.ended_on)}"
    if isinstance(e, Case.BridgingStayEnded):
        return f"Korttidsoppholdet i påvente av langtidsplass avsluttet {w.dato(e.to_on)}"
    if isinstance(e, Case.DecisionQuashed):
        return (f"Vedtaket er opphevet etter klage ({w.dato(e.quashed_on)}); saken "
                "vurderes på nytt, og det nye vedtaket beholder ventelistedatoen")
    return _move_words(e, names)


#: R28: why a move is offered, in the history's words.
_MOVE_WHY = {"change_of_need": "nytt behov", "spouses_together": "bo sammen med ektefellen",
             "free_choice": "fritt valg", "bought_to_own": "fra kjøpt til kommunal plass"}


def _move_words(e: Any, names: Mapping[str, str]) -> str:
    """R28: the move events (and a resident's new place-type decision)."""
    if isinstance(e, Case.MoveOffered):
        return (f"Tilbud om flytting ({_MOVE_WHY[e.reason.value]}) til {e.facility_name}, "
                f"{w.label(w.PLACE_TYPES, e.place_type)}")
    if isinstance(e, Case.MoveAccepted):
        return "Takket ja til flytting"
    if isinstance(e, Case.MoveDeclined):
        return "Takket nei til flytting; beholder plassen"
    if isinstance(e, Case.MoveWithdrawn):
        return "Tilbudet om flytting ble trukket"
    if isinstance(e, Case.MoveLapsed):
        return "Tilbudet om flytting falt bort: ikke besvart innen svarfristen; beholder plassen"
    if isinstance(e, Case.Moved):
        where = names.get(e.facility_id, "den nye plassen")
        return (f"Flyttet {w.dato(e.moved_on)} til {where} "
                f"({w.label(w.PLACE_TYPES, e.place_type)}); den gamle plassen er ledig fra da")
    if isinstance(e, Case.ResidentPlaceTypeDecided):
        return f"Vedtak om ny plasstype: {w.label(w.PLACE_TYPES, e.place_type)}"
    return "Annen registrering i saken"


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


def facility_names(events: list[Any], known: Mapping[str, str] | None = None
                   ) -> dict[str, str]:
    """Facility id → name: the municipality's (``known``), and those the case's offers
    named."""
    names = dict(known or {})
    for e in events:
        if isinstance(e, Case.OfferMade | Case.MoveOffered):
            names.setdefault(e.facility_id, e.facility_name)
    return names


def steps(events: list[Any], known: Mapping[str, str] | None = None) -> list[Step]:
    names = facility_names(events, known)
    return [
        Step(e.originator_version, e.timestamp, describe(e, names), _who(e), type(e).__name__,
             str(e.decision_id) if isinstance(e, Case.DecisionMade) else None)
        for e in events
    ]
