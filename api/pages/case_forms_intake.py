"""The case page's § 2-2 documentation forms (R8): the person's own account, the relatives
or the statement that there are none, IPLOS, medical information, lower-level measures
(LEON), dementia (the suspicion and the investigation), and whether the person receives
other services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages import words as w
from api.pages.case_page import post_form
from api.pages.web import Form, Need, Page, PageRoute, form_for, parse_id, validated
from api.schemas import DementiaSuspicionIn, NoRelativesIn
from domain.values import (
    IPLOS_SCORES,
    IPLOS_VARIABLES,
    DementiaFinding,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
)

router = APIRouter(route_class=PageRoute)
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


@router.post("/saker/{case_id}/egne-opplysninger", name="page_case_own_account")
def own_account(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        what = need.text("what_matters", "Skriv hva som er viktig for personen (§ 2-2 nr. 1).")
        need.done()
        page.service.record_own_account(page.municipality, cid, what_matters=what,
                                        account=form.get("account").strip(),
                                        recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "own_account", run)


@router.post("/saker/{case_id}/parorende", name="page_case_relatives")
def relatives(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        name = need.text("name", "Skriv navnet på den pårørende eller vergen.")
        relation = need.text("relation", "Skriv relasjonen, for eksempel datter eller verge.")
        info = need.text("information", "Skriv hva pårørende eller verge har opplyst.")
        need.done()
        page.service.record_relatives(page.municipality, cid, name=name, relation=relation,
                                      information=info, recorded_by=page.user.name,
                                      is_guardian=form.checked("is_guardian"),
                                      command_id=form.command)

    return post_form(page, cid, "relatives", run)


@router.post("/saker/{case_id}/ingen-parorende", name="page_case_no_relatives")
def no_relatives(case_id: str, page: OfficerForm) -> Response:
    """R8 (1): a statement that there are no relatives or guardian to ask."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, NoRelativesIn, {"statement": form.get("statement").strip()},
                         {"statement": "Skriv erklæringen: hvorfor det ikke er pårørende "
                                       "eller verge å spørre (§ 2-2 nr. 1)."})
        page.service.state_no_relatives(page.municipality, cid, statement=body.statement,
                                        recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "no_relatives", run)


@router.post("/saker/{case_id}/iplos", name="page_case_iplos")
def iplos(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        scores: dict[str, int] = {}
        for var in IPLOS_VARIABLES:
            value = need.choice(f"iplos_{var}", [str(n) for n in IPLOS_SCORES],
                                f"Velg skår for «{w.IPLOS_LABELS[var]}» (1–5, eller 9).")
            if value is not None:
                scores[var] = int(value)
        when = need.day("assessed_on", "Skriv datoen som dd.mm.åååå.", required=False)
        need.done()
        page.service.register_iplos(page.municipality, cid, scores=scores,
                                    assessed_by=page.user.name, assessed_on=when,
                                    command_id=form.command)

    return post_form(page, cid, "iplos", run, {"scores": "iplos_" + IPLOS_VARIABLES[0]})


@router.post("/saker/{case_id}/medisinsk", name="page_case_medical")
def medical(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        source = need.choice("source", w.MEDICAL_SOURCES, "Velg hvor opplysningene kommer fra.")
        summary = need.text("summary", "Skriv et sammendrag av de medisinske opplysningene "
                                       "(§ 2-2 nr. 3).")
        when = need.day("received_on", "Skriv datoen som dd.mm.åååå.", required=False)
        need.done()
        assert source is not None
        diagnoses = [d.strip() for d in form.get("diagnoses").split(",") if d.strip()]
        page.service.record_medical_information(
            page.municipality, cid, source=MedicalSource(source), summary=summary,
            diagnoses=diagnoses, dementia_diagnosis=form.checked("dementia_diagnosis"),
            received_on=when,
            competence_centre_involved=form.checked("competence_centre_involved"),
            recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "medical", run)


@router.post("/saker/{case_id}/leon", name="page_case_leon")
def leon(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        entries = []
        for measure in LeonMeasure:
            status = form.get(f"leon_{measure.value}")
            if status in w.LEON_STATUSES:
                entries.append(LeonEntry(measure, LeonStatus(status),
                                         form.get(f"leon_{measure.value}_outcome").strip()))
        if not entries:
            form.refuse("leon", "Velg minst ett tiltak på lavere omsorgsnivå som er prøvd eller "
                                "vurdert (§ 2-2 nr. 4).")
        need.done()
        page.service.record_leon(page.municipality, cid, entries=entries,
                                 recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "leon", run, {"entries": "leon"})


@router.post("/saker/{case_id}/demensutredning", name="page_case_dementia")
def dementia(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        finding = need.choice("finding", w.DEMENTIA_FINDINGS, "Velg resultatet av utredningen.")
        conclusion = need.text("conclusion", "Skriv konklusjonen fra demensutredningen "
                                             "(§ 2-2 nr. 5).")
        need.done()
        assert finding is not None
        page.service.record_dementia_investigation(
            page.municipality, cid, finding=DementiaFinding(finding), conclusion=conclusion,
            recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "dementia", run)


@router.post("/saker/{case_id}/demensmistanke", name="page_case_dementia_suspicion")
def dementia_suspicion(case_id: str, page: OfficerForm) -> Response:
    """R8 (5): dementia is suspected (at any time): no offer before the investigation."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, DementiaSuspicionIn, {"reason": form.get("reason").strip()},
                         {"reason": "Skriv hva som gir mistanke om demens."})
        page.service.suspect_dementia(page.municipality, cid, reason=body.reason,
                                      raised_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "dementia_suspicion", run)


@router.post("/saker/{case_id}/andre-tjenester", name="page_case_other_services")
def other_services(case_id: str, page: OfficerForm) -> Response:
    """R8 (2): whether the person receives other services changed (then an updated IPLOS
    registration is needed)."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        said = need.choice("receives", ("ja", "nei"), "Velg om personen nå mottar andre "
                                                      "helse- og omsorgstjenester.")
        need.done()
        page.service.record_other_services(page.municipality, cid,
                                           receives_other_services=said == "ja",
                                           recorded_by=page.user.name,
                                           command_id=form.command)

    return post_form(page, cid, "other_services", run)
