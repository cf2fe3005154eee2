"""What the case file for Statsforvalteren holds (R21; forvaltningsloven § 33 fourth
paragraph: when the unit does not change the decision, it sends the case's documents to the
appeal body): the decision complained of (its letter), the complaint, the unit's
reconsideration with its reasons, the documentation recorded on the case (§ 2-2) and the
case's history — all as the case stood when the complaint was forwarded, read from the
complaint's and the case's own events, so the file is the same whenever it is downloaded.

Only a forwarded complaint has a case file: before that the answer is "not found"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from api.pages import timeline
from api.pages import words as w
from api.pages.letters import declining_means, legal_basis
from application.municipalities import MunicipalityProfile
from domain.case import EARLIER_LEGAL_BASIS, LEGAL_BASIS, Case
from domain.complaint import Complaint, ComplaintStatus, ComplaintSubject
from domain.errors import NotFound


@dataclass(frozen=True)
class Entry:
    """One piece of documentation: a heading, when and by whom, and its facts as
    label–text lines."""

    heading: str
    at: datetime
    who: str | None
    lines: list[tuple[str, str]]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str
    who: str | None


@dataclass(frozen=True)
class SubjectLetter:
    """The letter of what was complained of: a decision letter, or an offer letter."""

    template: str  # "_decision_letter.html" or "_offer_letter.html"
    title: str
    dated: date
    context: dict[str, Any]
    made: datetime  # when it was recorded
    made_by: str
    sent_on: date | None = None

    @property
    def file_stem(self) -> str:
        return "vedtak" if self.template == "_decision_letter.html" else "tilbud"


@dataclass(frozen=True)
class CaseFile:
    complaint: Complaint
    registered: Any  # Complaint.Registered
    reconsidered: Any  # Complaint.Reconsidered
    forwarded: Any  # Complaint.Forwarded
    case: Case
    case_number: str
    profile: MunicipalityProfile
    subject_words: str  # what was complained of, in words
    letter: SubjectLetter | None
    documentation: list[Entry]
    history: list[HistoryLine]
    complainant: str  # who complained, in words
    complainant_name: str
    opened: datetime  # when the application was recorded
    enclosures: list[str] = field(default_factory=list)

    @property
    def letter_context(self) -> dict[str, Any]:
        """What every letter template of the file needs."""
        return {"case": self.case, "profile": self.profile, "case_number": self.case_number}


def _events_of(service: Any, aggregate_id: UUID) -> list[Any]:
    return list(service.repository.event_store.get(aggregate_id))


def gather(service: Any, municipality: str, complaint_id: UUID,
           facilities: Mapping[str, str] | None = None) -> CaseFile:
    """The case file of a forwarded complaint of ``municipality`` (NotFound otherwise —
    another municipality's complaint, or one not yet forwarded)."""
    complaint: Complaint = service.get_complaint(municipality, complaint_id)
    if complaint.status not in (ComplaintStatus.FORWARDED, ComplaintStatus.DECIDED):
        raise NotFound("the case file exists once the complaint has been forwarded to "
                       "Statsforvalteren", field="complaint_id")
    own = {type(e).__name__: e for e in _events_of(service, complaint.id)}
    forwarded = own["Forwarded"]
    case: Case = service.get_case(municipality, complaint.case_id)
    events = timeline.case_events(service, case.id, until=forwarded.timestamp)
    profile = service.municipality_profile(case.municipality)  # as stored now
    number = case.case_number or "ikke tildelt"
    role = complaint.complainant_role.value if complaint.complainant_role else "person"
    name = complaint.complainant_name or case.person.name
    letter = subject_letter(service, complaint, case, events, profile, number)
    subject = f"{w.label(w.COMPLAINT_SUBJECTS, complaint.against.value)} av " \
              f"{w.dato(complaint.subject_date)}"
    if letter is not None and letter.template == "_decision_letter.html":
        kind = w.DECISION_KINDS.get(letter.context["d"].kind, "vedtak").lower()
        subject = f"{subject} ({kind})"
    history = [HistoryLine(s.at, s.text, s.who) for s in timeline.steps(events, facilities)]
    history += complaint_history(own, complaint)
    history.sort(key=lambda h: h.at)
    file = CaseFile(
        complaint=complaint, registered=own["Registered"], reconsidered=own["Reconsidered"],
        forwarded=forwarded, case=case, case_number=number, profile=profile,
        subject_words=subject, letter=letter, documentation=documentation(events),
        history=history, complainant=w.label(w.COMPLAINANT_ROLES, role),
        complainant_name=name, opened=events[0].timestamp)
    file.enclosures.extend(enclosures(file))
    return file


def enclosures(file: CaseFile) -> list[str]:
    """The documents the cover letter lists, in the file's order."""
    out = []
    if file.letter is not None:
        out.append(f"{file.letter.title} av {w.dato(file.letter.dated)}")
    out += [f"Klagen, mottatt {w.dato(file.complaint.received_on)}",
            f"Tildelingsenhetens nye vurdering av {w.dato(file.reconsidered.decided_on)}",
            "Dokumentasjonen i saken (opplysninger fra bruker og pårørende, IPLOS, "
            "medisinske opplysninger, lavere omsorgsnivå, demensutredning, tjenester og "
            "prioriteringsvurderinger)",
            "Sakens historikk"]
    return out


def subject_letter(service: Any, complaint: Complaint, case: Case, events: list[Any],
                   profile: MunicipalityProfile, number: str) -> SubjectLetter | None:
    """The letter of the decision or offer complained of. A complaint about the breach of
    the guarantee or the priority given is about a state, not a letter: the file then holds
    the decision in force when the complaint came in (the waiting-list decision the
    guarantee and the priority follow from)."""
    decisions = [e for e in events if isinstance(e, Case.DecisionMade)]
    base = {"case": case, "profile": profile, "case_number": number}
    if complaint.against is ComplaintSubject.OFFER:
        offer = case.offers.get(complaint.subject_id) if complaint.subject_id else None
        if offer is None:
            return None
        _, _, policy = service.policy_on(case.municipality, offer.made_on)
        made = next((e for e in events if isinstance(e, Case.OfferMade)
                     and e.offer_id == offer.offer_id), None)
        return SubjectLetter("_offer_letter.html", "Tilbud om langtidsopphold", offer.made_on,
                             {**base, "o": offer, "declining": declining_means(case, offer),
                              "lapsed_counts_as_declined":
                                  policy.lapsed_offer_counts_as_declined},
                             made=made.timestamp if made else events[-1].timestamp,
                             made_by=made.made_by if made else profile.unit_name)
    if complaint.against is ComplaintSubject.DECISION:
        chosen = next((d for d in decisions if d.decision_id == complaint.subject_id), None)
    else:
        chosen = next((d for d in reversed(decisions)
                       if d.decided_on <= complaint.received_on), None)
    if chosen is None:
        return None
    standard = chosen.legal_basis in EARLIER_LEGAL_BASIS or \
        chosen.legal_basis == LEGAL_BASIS.get(chosen.kind)
    sent = next((e.sent_on for e in events if isinstance(e, Case.DecisionSent)
                 and e.decision_id == chosen.decision_id), None)
    return SubjectLetter(
        "_decision_letter.html", w.DECISION_KINDS.get(chosen.kind, "Vedtak"),
        chosen.decided_on,
        {**base, "d": chosen, "basis": legal_basis(chosen.kind, profile),
         "extra_basis": None if standard else chosen.legal_basis},
        made=chosen.timestamp, made_by=chosen.decided_by, sent_on=sent)


def complaint_history(own: Mapping[str, Any], complaint: Complaint) -> list[HistoryLine]:
    """The complaint's own steps up to its forwarding."""
    out = []
    r = own.get("Registered")
    if r is not None:
        out.append(HistoryLine(r.timestamp, (
            f"Klage på {w.label(w.COMPLAINT_SUBJECTS, complaint.against.value)} av "
            f"{w.dato(r.subject_date)} mottatt {w.dato(r.received_on)}"
            + (" — kom etter klagefristen" if r.late else "")), r.registered_by))
    c = own.get("Reconsidered")
    if c is not None:
        out.append(HistoryLine(c.timestamp, "Tildelingsenheten vurderte klagen på nytt og "
                               "tok den ikke til følge", c.decided_by))
    f = own.get("Forwarded")
    if f is not None:
        out.append(HistoryLine(f.timestamp, f"Klagen sendt til Statsforvalteren "
                               f"{w.dato(f.forwarded_on)}", f.forwarded_by))
    return out


# --- the documentation (§ 2-2) ------------------------------------------------------------


def _iplos(e: Any) -> list[tuple[str, str]]:
    lines = [(w.label(w.IPLOS_LABELS, k), "ikke relevant" if v == 9 else f"skår {v}")
             for k, v in e.scores.items()]
    return [("Vurdert per", w.dato(e.assessed_on)), *lines]


def _medical(e: Any) -> list[tuple[str, str]]:
    lines = [("Kilde", w.label(w.MEDICAL_SOURCES, e.source)),
             ("Mottatt", w.dato(e.received_on)), ("Opplysninger", e.summary)]
    if e.diagnoses:
        lines.append(("Diagnoser", ", ".join(e.diagnoses)))
    lines.append(("Demensdiagnose", "ja" if e.dementia_diagnosis else "nei"))
    if e.competence_centre_involved:
        lines.append(("Kompetansesenter", "har vært involvert"))
    return lines


def _priority(e: Any) -> list[tuple[str, str]]:
    lines = [("Vurdert per", w.dato(e.assessed_on)),
             ("Behov", f"{e.need_score} poeng (retningslinjene foreslo {e.suggested_score})")]
    lines += [(w.faktor_med_vekt(k), str(v)) for k, v in e.factors.items()]
    if e.departure_reason:
        lines.append(("Begrunnelse for avvik", e.departure_reason))
    return lines


def _entry(e: Any) -> tuple[str, list[tuple[str, str]]] | None:
    """One documentation event as a heading and its lines; None for other events."""
    if isinstance(e, Case.OwnAccountRecorded):
        return "Brukerens egne opplysninger", [("Hva er viktig for deg", e.what_matters),
                                               ("Opplysninger", e.account)]
    if isinstance(e, Case.RelativesInformationRecorded):
        return "Opplysninger fra pårørende eller verge", [
            ("Navn", e.name), ("Relasjon", "verge" if e.is_guardian else e.relation),
            ("Opplysninger", e.information)]
    if isinstance(e, Case.NoRelativesStated):
        return "Ingen pårørende eller verge å spørre", [("Erklæring", e.statement)]
    if isinstance(e, Case.IplosRegistered):
        return "IPLOS-registrering", _iplos(e)
    if isinstance(e, Case.MedicalInformationRecorded):
        return "Medisinske opplysninger", _medical(e)
    if isinstance(e, Case.LeonMeasuresRecorded):
        return "Lavere omsorgsnivå (LEON)", [
            (w.label(w.LEON_MEASURES, x.measure), f"{w.label(w.LEON_STATUSES, x.status)}: "
                                                  f"{x.outcome}") for x in e.entries]
    if isinstance(e, Case.DementiaSuspected):
        return "Mistanke om demens", [("Grunn", e.reason)]
    if isinstance(e, Case.DementiaInvestigationRecorded):
        return "Demensutredning", [("Funn", w.label(w.DEMENTIA_FINDINGS, e.finding)),
                                   ("Konklusjon", e.conclusion)]
    if isinstance(e, Case.OtherServicesChanged):
        return "Andre helse- og omsorgstjenester", [
            ("Mottar andre tjenester", "ja" if e.receives_other_services else "nei")]
    if isinstance(e, Case.InterimServicesRecorded):
        return "Tjenester i ventetiden", [(s.service, s.extent) for s in e.services]
    if isinstance(e, Case.DecisionMade) and e.interim_services:
        return "Tjenester i ventetiden (i vedtaket)", [
            (s.service, s.extent) for s in e.interim_services]
    if isinstance(e, Case.PriorityAssessed):
        return "Prioriteringsvurdering", _priority(e)
    return None


def _who(e: Any) -> str | None:
    for attr in ("recorded_by", "assessed_by", "assessor", "decided_by", "raised_by"):
        if getattr(e, attr, None):
            return str(getattr(e, attr))
    return None


def documentation(events: list[Any]) -> list[Entry]:
    """The documentation recorded on the case (§ 2-2, and the services and priority
    assessments), in the order it was recorded."""
    out = []
    for e in events:
        found = _entry(e)
        if found is not None:
            heading, lines = found
            out.append(Entry(heading, e.timestamp, _who(e), lines))
    return out


__all__ = ["CaseFile", "Entry", "HistoryLine", "SubjectLetter", "gather"]
