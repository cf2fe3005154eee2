"""What was recorded on a case, as the case page shows it (issue 17, item 2): the § 2-2
documentation itself — the person's own account, the relatives' information, the IPLOS
scores per variable, the medical information with its source, the LEON measures, the
dementia suspicion and investigation — the interim services, and every priority assessment
with its factors; each with who recorded it and when.

Read from the case's own events (the same list the history is made from), so nothing is
kept twice and an earlier registration stays visible after a newer one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from api.pages import words as w
from domain.case import Case
from domain.values import IPLOS_VARIABLES

#: IPLOS scores in words (1 = managing alone … 5 = fully dependent; 9 = not relevant).
IPLOS_SCORE_WORDS = {1: "klarer seg selv", 2: "noe behov for bistand",
                     3: "middels behov for bistand", 4: "stort behov for bistand",
                     5: "helt avhengig av bistand", 9: "ikke relevant"}


@dataclass(frozen=True)
class Entry:
    """One registration: its heading, its facts (label, text) and who recorded it when."""

    kind: str  # for the page's anchors and tests
    heading: str
    facts: list[tuple[str, str]]
    at: datetime
    who: str | None
    rows: list[tuple[str, str]] = field(default_factory=list)  # a table: (label, value)


def _who(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _relatives(e: Any) -> Entry:
    return Entry("relatives", "Opplysninger fra pårørende eller verge",
                 [("Navn", e.name), ("Relasjon", e.relation + (" (verge)" if e.is_guardian
                                                               else "")),
                  ("Hva de opplyste", e.information)], e.timestamp, _who(e.recorded_by))


def _iplos(e: Any) -> Entry:
    rows = [(w.label(w.IPLOS_LABELS, var),
             f"{e.scores[var]} — {IPLOS_SCORE_WORDS.get(e.scores[var], '')}".rstrip(" —"))
            for var in IPLOS_VARIABLES if var in e.scores]
    rows += [(w.label(w.IPLOS_LABELS, var), str(score)) for var, score in e.scores.items()
             if var not in IPLOS_VARIABLES]
    return Entry("iplos", f"IPLOS-registrering per {w.dato(e.assessed_on)}", [],
                 e.timestamp, _who(e.assessed_by), rows)


def _medical(e: Any) -> Entry:
    facts = [("Kilde", w.label(w.MEDICAL_SOURCES, e.source).capitalize()),
             ("Mottatt", w.dato(e.received_on)), ("Sammendrag", e.summary)]
    if e.diagnoses:
        facts.append(("Diagnoser", ", ".join(e.diagnoses)))
    if e.dementia_diagnosis:
        facts.append(("Demens", "demensdiagnose"))
    if e.competence_centre_involved:
        facts.append(("Kompetansesenter", "et kompetansesenter har vært involvert"))
    return Entry("medical", "Medisinske opplysninger fra "
                 + w.label(w.MEDICAL_SOURCES, e.source), facts, e.timestamp,
                 _who(getattr(e, "recorded_by", "")))


def _leon(e: Any) -> Entry:
    rows = [(w.label(w.LEON_MEASURES, x.measure).capitalize(),
             w.label(w.LEON_STATUSES, x.status) + (f": {x.outcome}" if getattr(x, "outcome",
                                                                               None) else ""))
            for x in e.entries]
    return Entry("leon", "Tiltak på lavere omsorgsnivå (LEON)", [], e.timestamp,
                 _who(e.recorded_by), rows)


def _priority(e: Any) -> Entry:
    facts = [("Vurdert dato", w.dato(e.assessed_on)),
             ("Behovspoeng", f"{e.need_score} (retningslinjene foreslo {e.suggested_score})")]
    if e.departure_reason:
        facts.append(("Begrunnelse for avvik", e.departure_reason))
    rows = [(w.faktor_med_vekt(k), f"{v} av 4") for k, v in e.factors.items()]
    return Entry("priority", f"Vurdering av behov per {w.dato(e.assessed_on)}", facts,
                 e.timestamp, _who(e.assessor), rows)


def _entry(e: Any) -> Entry | None:
    if isinstance(e, Case.OwnAccountRecorded):
        facts = [("Hva er viktig for personen", e.what_matters)]
        if e.account:
            facts.append(("Personens egen beskrivelse", e.account))
        return Entry("own_account", "Brukerens egne opplysninger", facts, e.timestamp,
                     _who(e.recorded_by))
    if isinstance(e, Case.RelativesInformationRecorded):
        return _relatives(e)
    if isinstance(e, Case.NoRelativesStated):
        return Entry("no_relatives", "Ingen pårørende eller verge å spørre",
                     [("Erklæring", e.statement)], e.timestamp, _who(e.recorded_by))
    if isinstance(e, Case.IplosRegistered):
        return _iplos(e)
    if isinstance(e, Case.OtherServicesChanged):
        return Entry("other_services", "Andre helse- og omsorgstjenester",
                     [("Mottar andre tjenester", "ja" if e.receives_other_services else "nei")],
                     e.timestamp, _who(e.recorded_by))
    if isinstance(e, Case.MedicalInformationRecorded):
        return _medical(e)
    if isinstance(e, Case.LeonMeasuresRecorded):
        return _leon(e)
    if isinstance(e, Case.DementiaSuspected):
        return Entry("dementia_suspicion", "Mistanke om demens",
                     [("Hva gir mistanke", e.reason)], e.timestamp, _who(e.raised_by))
    if isinstance(e, Case.DementiaInvestigationRecorded):
        return Entry("dementia", "Demensutredning",
                     [("Resultat", w.label(w.DEMENTIA_FINDINGS, e.finding)),
                      ("Konklusjon", e.conclusion)], e.timestamp, _who(e.recorded_by))
    return None


@dataclass(frozen=True)
class Record:
    """The case's registrations, each list oldest first."""

    documentation: list[Entry]
    services: list[Entry]
    assessments: list[Entry]
    decided_by: dict[str, tuple[str | None, datetime]]  # decision id → who, when recorded


def record(events: list[Any]) -> Record:
    docs = [entry for e in events if (entry := _entry(e)) is not None]
    services = [
        Entry("interim_services", "Tjenester i ventetiden", [], e.timestamp,
              _who(e.recorded_by), [(s.service, s.extent) for s in e.services])
        if isinstance(e, Case.InterimServicesRecorded) else
        Entry("interim_services", f"Tjenester i ventetiden, i vedtaket av "
              f"{w.dato(e.decided_on)}", [], e.timestamp, _who(e.decided_by),
              [(s.service, s.extent) for s in e.interim_services])
        for e in events if isinstance(e, Case.InterimServicesRecorded)
        or (isinstance(e, Case.DecisionMade) and e.interim_services)]
    assessments = [_priority(e) for e in events if isinstance(e, Case.PriorityAssessed)]
    decided_by = {str(e.decision_id): (_who(e.decided_by), e.timestamp)
                  for e in events if isinstance(e, Case.DecisionMade)}
    return Record(docs, services, assessments, decided_by)


def when(at: datetime | date) -> str:
    return w.tidspunkt(at) if isinstance(at, datetime) else w.dato(at)
