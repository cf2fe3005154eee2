"""The application (søknad) and its documentation (§ 2-2, R8): what the case must hold
before a grant or a waiting-list decision, and the commands that record it.

Dementia can be suspected at any time (R8 (5)): then an investigation is needed before a
decision and before any offer. Whether the person receives other services can change while
the case is open (R8 (2)). A reinforced place needs medical information from the GP and the
specialist health service, and from a competence centre where one has been involved (5.3.4).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.base import Base, add_months, local_date
from domain.case.lifecycle import require
from domain.case.state import CaseState
from domain.errors import InvalidValue
from domain.values import (
    IPLOS_SCORES,
    IPLOS_VARIABLES,
    DementiaFinding,
    DocumentationItem,
    LeonEntry,
    MedicalSource,
    PlaceType,
)

#: R8 (2): an IPLOS registration older than this is not "updated" (policy default).
IPLOS_MAX_AGE_MONTHS = 12
#: R8 (3): a reinforced place where a competence centre has been involved needs its view.
COMPETENCE_CENTRE_ITEM = "medical_competence_centre"


class Intake(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class OwnAccountRecorded(Base.Event):
        """R8 (1): the person's own account, "what matters to you" (hva er viktig for deg)."""

        what_matters: str
        account: str
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.docs.own_account = True

    class RelativesInformationRecorded(Base.Event):
        """R8 (1): information from relatives or the guardian (pårørende/verge)."""

        name: str
        relation: str
        is_guardian: bool
        information: str
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.docs.relatives = True

    class NoRelativesStated(Base.Event):
        """R8 (1): a recorded statement that the person has no relatives or guardian to
        ask (or that they may not be asked), instead of a relatives' record."""

        statement: str
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.docs.no_relatives = True

    class IplosRegistered(Base.Event):
        """R8 (2): an IPLOS registration, each variable scored 1–5 or 9 (not relevant)."""

        scores: dict[str, int]
        assessed_on: date
        assessed_by: str

        def on(self, case: Intake) -> None:
            case.docs.iplos_scores = dict(self.scores)
            case.docs.iplos_assessed_on = self.assessed_on

    class MedicalInformationRecorded(Base.Event):
        """R8 (3): medical information with its source (GP, specialist, competence centre).
        Version 2 added ``competence_centre_involved``: the information says a competence
        centre has been involved (then a reinforced place needs its view too). Version 3
        added ``recorded_by``: who recorded it (empty on earlier events)."""

        class_version = 3

        source: MedicalSource
        summary: str
        diagnoses: list[str]
        dementia_diagnosis: bool
        received_on: date
        competence_centre_involved: bool
        recorded_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["competence_centre_involved"] = False

        @staticmethod
        def upcast_v2_v3(state: dict[str, object]) -> None:
            state["recorded_by"] = ""

        def on(self, case: Intake) -> None:
            case.docs.medical_sources.add(self.source)
            if self.competence_centre_involved or \
                    self.source is MedicalSource.COMPETENCE_CENTRE:
                case.docs.competence_centre_involved = True
            if self.dementia_diagnosis:
                case.docs.dementia_diagnosis = True
                case.dementia_suspected = True

    class LeonMeasuresRecorded(Base.Event):
        """R8 (4): lower-level measures tried or assessed (LEON)."""

        entries: list[LeonEntry]
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.docs.leon.extend(self.entries)

    class DementiaSuspected(Base.Event):
        """R8 (5): failing self-care from dementia is suspected (at any time)."""

        reason: str
        raised_by: str

        def on(self, case: Intake) -> None:
            case.dementia_suspected = True

    class DementiaInvestigationRecorded(Base.Event):
        """R8 (5): the dementia investigation (demensutredning)."""

        finding: DementiaFinding
        conclusion: str
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.docs.dementia_finding = self.finding
            case.dementia_suspected = True

    class OtherServicesChanged(Base.Event):
        """R8 (2): whether the person receives other services (then an updated IPLOS
        registration is needed) changed after the application."""

        receives_other_services: bool
        recorded_by: str

        def on(self, case: Intake) -> None:
            case.receives_other_services = self.receives_other_services

    # --- derived ---------------------------------------------------------------------------

    @property
    def has_dementia(self) -> bool:
        """R7: a dementia diagnosis, from medical information or the investigation."""
        return self.docs.dementia_diagnosis or (
            self.docs.dementia_finding is DementiaFinding.CONFIRMED
        )

    @property
    def dementia_uninvestigated(self) -> bool:
        """R8 (5): suspected and not yet investigated (no offer until it is)."""
        return self.dementia_suspected and self.docs.dementia_finding is None

    def iplos_outdated(self, on: date, max_age_months: int | None = None) -> bool:
        """R8 (2), R27: the person gets other services and their IPLOS registration is
        missing or older than the limit (the policy's, as the decision in force recorded
        it, unless ``max_age_months`` is given)."""
        if not self.receives_other_services:
            return False
        when = self.docs.iplos_assessed_on
        limit = max_age_months or self.iplos_max_age_months
        return when is None or add_months(when, limit) < on

    def missing_documentation(self, place_type: PlaceType | None, on: date,
                              iplos_max_age_months: int | None = None
                              ) -> tuple[str, ...]:
        """R8 (§ 2-2): the items still missing before a grant or waiting-list decision."""
        d = self.docs
        limit = iplos_max_age_months or self.iplos_max_age_months
        missing: list[str] = []
        if not d.own_account:
            missing.append(DocumentationItem.OWN_ACCOUNT.value)
        if not (d.relatives or d.no_relatives):
            missing.append(DocumentationItem.RELATIVES.value)
        if self.receives_other_services:
            if d.iplos_assessed_on is None:
                missing.append(DocumentationItem.IPLOS.value)
            elif self.iplos_outdated(on, limit):
                missing.append(f"{DocumentationItem.IPLOS.value} (older than "
                               f"{limit} months)")
        if place_type is PlaceType.REINFORCED:
            if MedicalSource.GP not in d.medical_sources:
                missing.append(DocumentationItem.MEDICAL_GP.value)
            if MedicalSource.SPECIALIST not in d.medical_sources:
                missing.append(DocumentationItem.MEDICAL_SPECIALIST.value)
            if d.competence_centre_involved and \
                    MedicalSource.COMPETENCE_CENTRE not in d.medical_sources:
                missing.append(COMPETENCE_CENTRE_ITEM)
        elif not d.medical_sources & {MedicalSource.GP, MedicalSource.SPECIALIST}:
            missing.append("medical_gp_or_specialist")
        if not d.leon:
            missing.append(DocumentationItem.LEON.value)
        if self.dementia_uninvestigated:
            missing.append(DocumentationItem.DEMENTIA_INVESTIGATION.value)
        return tuple(missing)

    # --- commands -------------------------------------------------------------------------

    def record_own_account(self, now: datetime, *, what_matters: str, account: str,
                           recorded_by: str, command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        if not what_matters.strip():
            raise InvalidValue("what_matters", "R8 (1): record what matters to the person")
        self.trigger_event(self.OwnAccountRecorded, timestamp=now, command_id=command_id,
                           what_matters=what_matters, account=account, recorded_by=recorded_by)

    def record_relatives(self, now: datetime, *, name: str, relation: str, information: str,
                         recorded_by: str, is_guardian: bool = False,
                         command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        if not information.strip():
            raise InvalidValue("information", "R8 (1): record what the relatives said")
        self.trigger_event(self.RelativesInformationRecorded, timestamp=now,
                           command_id=command_id, name=name, relation=relation,
                           is_guardian=is_guardian, information=information,
                           recorded_by=recorded_by)

    def state_no_relatives(self, now: datetime, *, statement: str, recorded_by: str,
                           command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        if not statement.strip():
            raise InvalidValue("statement", "R8 (1): say why no relatives or guardian are "
                               "asked (for example that the person has none)")
        self.trigger_event(self.NoRelativesStated, timestamp=now, command_id=command_id,
                           statement=statement, recorded_by=recorded_by)

    def register_iplos(self, now: datetime, *, scores: dict[str, int], assessed_by: str,
                       assessed_on: date | None = None, command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        unknown = sorted(set(scores) - set(IPLOS_VARIABLES))
        if unknown:
            raise InvalidValue("scores", f"not IPLOS variables: {', '.join(unknown)}")
        absent = [v for v in IPLOS_VARIABLES if v not in scores]
        if absent:
            raise InvalidValue("scores", f"IPLOS variables without a score: {', '.join(absent)}")
        bad = sorted(k for k, v in scores.items() if v not in IPLOS_SCORES)
        if bad:
            raise InvalidValue(
                "scores", f"scores are 1–5, or 9 for not relevant; wrong for: {', '.join(bad)}"
            )
        when = assessed_on or local_date(now)
        if when > local_date(now):
            raise InvalidValue("assessed_on", "cannot be in the future")
        self.trigger_event(self.IplosRegistered, timestamp=now, command_id=command_id,
                           scores=dict(scores), assessed_on=when, assessed_by=assessed_by)

    def record_medical_information(
        self, now: datetime, *, source: MedicalSource, summary: str,
        diagnoses: list[str] | None = None, dementia_diagnosis: bool = False,
        received_on: date | None = None, competence_centre_involved: bool = False,
        recorded_by: str = "", command_id: str | None = None,
    ) -> None:
        require(self.status, "record_documentation")
        if not isinstance(source, MedicalSource):
            raise InvalidValue("source", "the source is the GP, the specialist health service "
                               "or a competence centre: "
                               + ", ".join(s.value for s in MedicalSource))
        if not summary.strip():
            raise InvalidValue("summary", "R8 (3): summarise the medical information")
        day = received_on or local_date(now)
        if day > local_date(now):
            raise InvalidValue("received_on", "cannot be in the future")
        self.trigger_event(self.MedicalInformationRecorded, timestamp=now, command_id=command_id,
                           source=source, summary=summary, diagnoses=list(diagnoses or []),
                           dementia_diagnosis=dementia_diagnosis, received_on=day,
                           competence_centre_involved=competence_centre_involved,
                           recorded_by=recorded_by)

    def record_leon(self, now: datetime, *, entries: list[LeonEntry], recorded_by: str,
                    command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        if not entries:
            raise InvalidValue("entries", "R8 (4): name at least one measure tried or assessed")
        self.trigger_event(self.LeonMeasuresRecorded, timestamp=now, command_id=command_id,
                           entries=list(entries), recorded_by=recorded_by)

    def suspect_dementia(self, now: datetime, *, reason: str, raised_by: str,
                         command_id: str | None = None) -> None:
        """R8 (5): raise the suspicion of failing self-care from dementia (idempotent)."""
        require(self.status, "record_documentation")
        if not reason.strip():
            raise InvalidValue("reason", "say what makes dementia suspected")
        if self.dementia_suspected:
            return
        self.trigger_event(self.DementiaSuspected, timestamp=now, command_id=command_id,
                           reason=reason, raised_by=raised_by)

    def record_dementia_investigation(self, now: datetime, *, finding: DementiaFinding,
                                      conclusion: str, recorded_by: str,
                                      command_id: str | None = None) -> None:
        require(self.status, "record_documentation")
        if not conclusion.strip():
            raise InvalidValue("conclusion", "R8 (5): state the investigation's conclusion")
        self.trigger_event(self.DementiaInvestigationRecorded, timestamp=now,
                           command_id=command_id, finding=finding, conclusion=conclusion,
                           recorded_by=recorded_by)

    def record_other_services(self, now: datetime, *, receives_other_services: bool,
                              recorded_by: str, command_id: str | None = None) -> None:
        """R8 (2): the person now does (or no longer does) receive other services."""
        require(self.status, "record_documentation")
        if receives_other_services == self.receives_other_services:
            return
        self.trigger_event(self.OtherServicesChanged, timestamp=now, command_id=command_id,
                           receives_other_services=receives_other_services,
                           recorded_by=recorded_by)
