"""The § 2-2 documentation (R8) of one case as named commands, shared by the demo and the
test builders: what a grant or a waiting-list decision needs the case to hold."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from domain.values import (
    IPLOS_VARIABLES,
    DementiaFinding,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
)

if TYPE_CHECKING:
    from application.service import AllocationService

FULL_IPLOS: Mapping[str, int] = dict.fromkeys(IPLOS_VARIABLES, 4)


@dataclass(frozen=True)
class CaseDocumentation:
    """The § 2-2 items (R8) for one case, in the allocation unit's words. The defaults are
    the test builders' (one fully documented case)."""

    what_matters: str = "Å bo nær datteren"
    account: str = "Klarer seg ikke hjemme om natten"
    relative_name: str = "Kari"
    relation: str = "datter"
    relatives_information: str = "Bekymret for fall om natten"
    is_guardian: bool = False
    iplos_scores: Mapping[str, int] = field(default_factory=lambda: dict(FULL_IPLOS))
    gp_summary: str = "Hjertesvikt, fallrisiko"
    diagnoses: tuple[str, ...] = ()
    dementia_diagnosis: bool = False
    #: R8 (3): a reinforced place needs the specialist health service too.
    specialist_summary: str | None = None
    leon: tuple[LeonEntry, ...] = (
        LeonEntry(LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED, "ikke tilstrekkelig"),
        LeonEntry(LeonMeasure.SHORT_TERM_STAY, LeonStatus.TRIED, "bedring, men ikke varig"),
    )
    #: R8 (5): recorded where dementia is suspected.
    dementia_finding: DementiaFinding | None = None
    dementia_conclusion: str = "Alzheimers sykdom"
    case_worker: str = "saksb"
    nurse: str = "sykepleier"
    doctor: str = "lege"


def documentation_steps(
    service: AllocationService, municipality: str, case_id: UUID,
    docs: CaseDocumentation | None = None, *, command_prefix: str | None = None,
) -> list[tuple[str, Callable[[], None]]]:
    """Each § 2-2 item (R8) as a named, not yet run command, in the order a case worker
    records them. With ``command_prefix`` each carries the command id
    ``{prefix}/{name}`` (safe to run again); without, none."""
    d = docs or CaseDocumentation()
    m, s = municipality, service

    def cid(name: str) -> str | None:
        return f"{command_prefix}/{name}" if command_prefix else None

    steps: list[tuple[str, Callable[[], None]]] = [
        ("own_account", partial(s.record_own_account, m, case_id,
                                what_matters=d.what_matters, account=d.account,
                                recorded_by=d.case_worker, command_id=cid("own_account"))),
        ("relatives", partial(s.record_relatives, m, case_id, name=d.relative_name,
                              relation=d.relation, information=d.relatives_information,
                              recorded_by=d.case_worker, is_guardian=d.is_guardian,
                              command_id=cid("relatives"))),
        ("iplos", partial(s.register_iplos, m, case_id, scores=dict(d.iplos_scores),
                          assessed_by=d.nurse, command_id=cid("iplos"))),
        ("medical_gp", partial(s.record_medical_information, m, case_id,
                               source=MedicalSource.GP, summary=d.gp_summary,
                               diagnoses=list(d.diagnoses) or None,
                               dementia_diagnosis=d.dementia_diagnosis,
                               recorded_by=d.case_worker, command_id=cid("medical_gp"))),
    ]
    if d.specialist_summary is not None:
        steps.append(("medical_specialist", partial(
            s.record_medical_information, m, case_id, source=MedicalSource.SPECIALIST,
            summary=d.specialist_summary, recorded_by=d.case_worker,
            command_id=cid("medical_specialist"))))
    steps.append(("leon", partial(s.record_leon, m, case_id, entries=list(d.leon),
                                  recorded_by=d.case_worker, command_id=cid("leon"))))
    if d.dementia_finding is not None:
        steps.append(("dementia_investigation", partial(
            s.record_dementia_investigation, m, case_id, finding=d.dementia_finding,
            conclusion=d.dementia_conclusion, recorded_by=d.doctor,
            command_id=cid("dementia_investigation"))))
    return steps


def document_case(service: AllocationService, municipality: str, case_id: UUID,
                  docs: CaseDocumentation | None = None, *,
                  command_prefix: str | None = None) -> None:
    """Record every § 2-2 item (R8) a grant or waiting-list decision needs, at once."""
    for _, run in documentation_steps(service, municipality, case_id, docs,
                                      command_prefix=command_prefix):
        run()
