"""The allocation unit's case pages: a new application, and the case page (person, the § 2-2
checklist, decisions, the guarantee, assessments, offers, timeline) with a form for each
command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import timeline
from api.pages import words as w
from api.pages.lists import known_facilities, offer_targets
from api.pages.web import (
    Form,
    FormInvalid,
    Need,
    Page,
    PageRoute,
    form_for,
    page_for,
    parse_id,
    refuse,
    status_of,
    validated,
)
from api.schemas import (
    BridgingStayEndIn,
    BridgingStayIn,
    CloseCaseIn,
    DementiaSuspicionIn,
    EndStayIn,
    InterimServicesIn,
    LivingApartIn,
    NoRelativesIn,
    SpouseIn,
    WishesIn,
)
from domain.case import Case, CaseStatus, GuaranteeStatus
from domain.errors import DomainError, NotFound
from domain.person import CaseAlreadyOpen
from domain.values import (
    FACTOR_MAX,
    IPLOS_SCORES,
    IPLOS_VARIABLES,
    LOWERS_NEED,
    SPECIAL_WEIGHT,
    BreachChoice,
    Channel,
    ClosureReason,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    OfferStatus,
    PlaceType,
    PolicySettings,
    PriorityFactor,
)

router = APIRouter(route_class=PageRoute)
OFFICER = Role.ALLOCATION_OFFICER
OfficerPage = Annotated[Page, Depends(page_for(OFFICER))]
OfficerForm = Annotated[Page, Depends(form_for(OFFICER))]


def masked(identity_number: str) -> str:
    """Birth date digits only; the personal number stays hidden on screen."""
    return identity_number[:6] + " *****"


@dataclass(frozen=True)
class CheckItem:
    key: str
    number: str
    label: str
    state: str  # "yes", "no" or "n/a"
    note: str


def checklist(case: Case, today: date, policy: PolicySettings) -> list[CheckItem]:
    """R8 (§ 2-2): each item, whether the case holds it, and what is missing."""
    d = case.docs
    reinforced = case.place_type is PlaceType.REINFORCED
    months = policy.iplos_max_age_months
    items: list[CheckItem] = []
    for key, number, label in w.CHECKLIST:
        state, note = "no", ""
        if key == "own_account":
            state = "yes" if d.own_account else "no"
        elif key == "relatives":
            if d.relatives:
                state = "yes"
            elif d.no_relatives:
                state, note = "yes", "erklæring om at det ikke er pårørende eller verge å spørre"
        elif key == "iplos":
            if not case.receives_other_services:
                state, note = "n/a", "personen mottar ikke andre tjenester"
            elif d.iplos_assessed_on is None:
                note = "ikke registrert"
            elif case.iplos_outdated(today, months):
                note = (f"registreringen fra {w.dato(d.iplos_assessed_on)} er eldre enn "
                        f"{months} måneder")
            else:
                state, note = "yes", f"per {w.dato(d.iplos_assessed_on)}"
        elif key == "medical":
            sources = {s.value for s in d.medical_sources}
            have = ", ".join(w.MEDICAL_SOURCES[s] for s in sorted(sources)) or "ingen"
            if reinforced:
                wanted = ["gp", "specialist"]
                if d.competence_centre_involved:
                    wanted.append("competence_centre")
                lacking = [w.MEDICAL_SOURCES[s] for s in wanted if s not in sources]
                state = "no" if lacking else "yes"
                needs = "fastlege, spesialisthelsetjenesten og kompetansesenteret som har " \
                        "vært involvert" if d.competence_centre_involved else "begge"
                note = (f"forsterket plass krever {needs}; mangler {', '.join(lacking)}"
                        if lacking else f"fra {have}")
            else:
                state = "yes" if sources & {"gp", "specialist"} else "no"
                note = f"fra {have}"
                if d.competence_centre_involved:
                    note += "; et kompetansesenter har vært involvert"
        elif key == "leon":
            state = "yes" if d.leon else "no"
            note = ", ".join(f"{w.label(w.LEON_MEASURES, e.measure)} "
                             f"{w.label(w.LEON_STATUSES, e.status)}" for e in d.leon)
        elif key == "dementia_investigation":
            if not case.dementia_suspected:
                state, note = "n/a", "ingen mistanke om demens"
            elif d.dementia_finding is None:
                note = "mistanke om demens, ikke utredet"
            else:
                state, note = "yes", w.label(w.DEMENTIA_FINDINGS, d.dementia_finding)
        items.append(CheckItem(key, number, label, state, note))
    return items


def _options(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


OPTIONS = {
    "place_types": _options(w.PLACE_TYPES),
    "facility_kinds": _options(w.FACILITY_KINDS),
    "channels": _options(w.CHANNELS),
    "sources": _options(w.MEDICAL_SOURCES),
    "leon_statuses": _options(w.LEON_STATUSES),
    "findings": _options(w.DEMENTIA_FINDINGS),
    "decision_kinds": [("waiting_list", "Venteliste — kan få forsvarlig hjelp hjemme til plass "
                                        "tilbys (§ 2-1 annet ledd)"),
                       ("grant", "Langtidsopphold straks — kan ikke få forsvarlig hjelp "
                                 "hjemme (§ 2-1 første ledd)"),
                       ("rejection", "Avslag")],
    "factor_scores": [(str(n), f"{n}") for n in range(FACTOR_MAX + 1)],
    "iplos_scores": [(str(n), str(n)) for n in sorted(IPLOS_SCORES)],
    "yes_no": [("ja", "Ja"), ("nei", "Nei")],
    "breach_choices": _options(w.BREACH_CHOICES),
    "room_kinds": _options(w.ROOM_KINDS),
    # A case is closed as "placed" by the admission only, never from a form.
    "closure_reasons": [(k, v) for k, v in w.CLOSURE_REASONS.items()
                        if k != ClosureReason.PLACED.value],
    "stay_end_reasons": _options(w.STAY_END_REASONS),
    "other_services": [("ja", "Mottar andre helse- og omsorgstjenester"),
                       ("nei", "Mottar ikke andre helse- og omsorgstjenester")],
}

#: R16, R17 (§ 3-3): the factors in three groups, as the form shows them.
FACTOR_GROUPS = (
    ("Særlig vekt (§ 3-3 annet ledd): ingen kombinasjon av de andre forholdene veier opp "
     "for disse", [f.value for f in PriorityFactor if f in SPECIAL_WEIGHT]),
    ("Andre forhold som øker behovet (§ 3-3 tredje ledd)",
     [f.value for f in PriorityFactor if f not in SPECIAL_WEIGHT and f not in LOWERS_NEED]),
    ("Forhold som trekker behovet ned (§ 3-3 tredje ledd): jo mer de gjelder, jo mindre er "
     "behovet for plass", [f.value for f in PriorityFactor if f in LOWERS_NEED]),
)

#: Most interim services and wishes a form offers at once (the schemas allow 20).
SERVICE_ROWS, WISH_ROWS = 20, 20


# --- a new application ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """R25: the person's open case, as the page points to it."""

    case_id: str
    name: str
    status: str


def _new_page(page: Page, form: Form | None = None, status: int = 200,
              open_case: OpenCase | None = None) -> HTMLResponse:
    return page.render("new_case.html", status=status, forms={"apply": form} if form else {},
                       title="Ny søknad", options=OPTIONS, today=page.today,
                       open_case=open_case)


@router.get("/saker/ny", name="page_new_case")
def new_case(page: OfficerPage) -> HTMLResponse:
    return _new_page(page)


def _already_open(page: Page, form: Form, case_id: UUID) -> HTMLResponse:
    """R25: a second application for a person with an open case opens nothing; the page
    names that case and links to it."""
    case = page.service.get_case(page.municipality, case_id)
    page.audit("read_case", [case_id], detail="the person's open case, named on a second "
               "application")
    form.refuse(None, w.error_text(CaseAlreadyOpen(case_id)))
    return _new_page(page, form, 409, OpenCase(str(case_id), case.person.name,
                                               w.label(w.CASE_STATUSES, case.status)))


@router.post("/saker/ny", name="page_new_case_post")
def receive(page: OfficerForm) -> Response:
    form = page.form("apply")
    need = Need(form)
    try:
        number = "".join(need.text("identity_number", "Skriv fødselsnummeret (11 siffer).")
                         .split())
        name = need.text("name", "Skriv søkerens navn.")
        received = need.day("received_on", "Skriv datoen som dd.mm.åååå.", required=False)
        channel = need.choice("channel", w.CHANNELS, "Velg hvordan søknaden kom inn.")
        need.done()
        assert channel is not None
        case_id = page.service.receive_application(
            page.municipality, identity_number=number, name=name, received_on=received,
            channel=Channel(channel),
            receives_other_services=form.checked("receives_other_services"),
            dementia_suspected=form.checked("dementia_suspected"), command_id=form.command)
    except FormInvalid:
        return _new_page(page, form, 422)
    except CaseAlreadyOpen as exc:
        return _already_open(page, form, exc.case_id)
    except DomainError as exc:
        refuse(form, exc)
        return _new_page(page, form, status_of(exc))
    page.audit("write_case", [case_id], detail="received the application")
    return page.done(f"/saker/{case_id}", "soknad")


# --- the case page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """R4, R15: a grant to be carried out at once, and how long it has waited."""

    granted_on: date
    days_since: int
    alert_days: int
    overdue: bool


@dataclass(frozen=True)
class OfferRow:
    """An offer as the case page shows it (R18, R26)."""

    offer: Any  # domain.case.Offer
    event: Any  # its OfferMade event, for the reasons recorded with it
    may_lapse: bool  # made, unanswered and past its answer deadline


def _grant(case: Case, today: date) -> Grant | None:
    decision = case.current_decision
    if case.status is not CaseStatus.GRANTED or decision is None:
        return None
    return Grant(decision.decided_on, (today - decision.decided_on).days,
                 case.grant_alert_days, case.grant_overdue(today) is not None)


def _suggestion(page: Page, form: Form | None) -> str | None:
    """Without JavaScript: after a refused assessment, the policy's suggestion for the
    factors as typed (R16, R17), shown beside the score."""
    if form is None:
        return None
    factors: dict[str, int] = {}
    for f in PriorityFactor:
        raw = form.get(f"factor_{f.value}").strip()
        if raw.isdigit() and 0 < int(raw) <= FACTOR_MAX:
            factors[f.value] = int(raw)
    try:
        day = date.fromisoformat(form.get("assessed_on").strip()) \
            if form.get("assessed_on").strip() else None
    except ValueError:
        day = None
    score, _ = page.service.suggested_need_score(page.municipality, factors,
                                                 min(day or page.today, page.today))
    special = any(factors.get(f.value, 0) > 0 for f in SPECIAL_WEIGHT)
    return w.suggestion_words(score, special)


def case_page(page: Page, case_id: UUID, *, forms: dict[str, Form] | None = None,
              status: int = 200) -> HTMLResponse:
    case = page.load_case(case_id, "read_case")
    forms = forms or {}
    events = timeline.case_events(page.service, case_id)
    today = page.today
    _, _, policy = page.service.policy_on(page.municipality, today)
    decisions = [e for e in events if isinstance(e, Case.DecisionMade)]
    assessments = [e for e in events if isinstance(e, Case.PriorityAssessed)]
    offer_events = {e.offer_id: e for e in events if isinstance(e, Case.OfferMade)}
    offers = [OfferRow(o, offer_events.get(o.offer_id),
                       o.status is OfferStatus.MADE and o.answer_by is not None
                       and today > o.answer_by)
              for o in sorted(case.offers.values(), key=lambda o: o.made_on, reverse=True)]
    spouse = None
    if case.spouse_case_id is not None:
        try:
            spouse = page.service.get_case(page.municipality, case.spouse_case_id)
        except DomainError:
            spouse = None
    missing = case.missing_documentation(case.place_type or PlaceType.ORDINARY, today,
                                         policy.iplos_max_age_months)
    waiting_or_open = case.status in (CaseStatus.RECEIVED, CaseStatus.GRANTED,
                                      CaseStatus.WAITING)
    facilities = known_facilities(page, case.wishes)
    facility_names = timeline.facility_names(events, dict(facilities))
    spouse_ids = [case.spouse_case_id] if spouse is not None else []
    state = case.guarantee.state(today)
    review_due_on = case.review_due_on()
    page.audit("read_case", [case_id, *spouse_ids])
    return page.render(
        "case.html", status=status, forms=forms, case=case, case_id=str(case_id),
        facilities=facilities if waiting_or_open or case.wishes else [],
        wishes=[facility_names.get(f, "en institusjon som ikke lenger er registrert")
                for f in case.wishes],
        wish_rows=range(1, min(WISH_ROWS, max(len(case.wishes), len(facilities), 1)) + 1),
        service_rows=range(1, min(SERVICE_ROWS, max(len(case.interim_services) + 1, 3)) + 1),
        may_record_wishes=waiting_or_open,
        may_document=case.status in (CaseStatus.RECEIVED, CaseStatus.GRANTED,
                                     CaseStatus.WAITING, CaseStatus.REJECTED),
        may_close=case.status not in (CaseStatus.CLOSED, CaseStatus.RESIDENT),
        closure_word=w.label(w.CLOSURE_REASONS, case.closure) if case.closure else None,
        stay_end_word=w.label(w.STAY_END_REASONS, case.stay_ended[0])
        if case.stay_ended else None,
        residence_name=facility_names.get(case.residence.facility_id,
                                          "institusjonen i tilbudet")
        if case.residence else None,
        title=f"Sak: {case.person.name}", masked=masked(case.person.identity_number),
        age=_age(case.person.birth_date, today), checklist=checklist(case, today, policy),
        missing=[w.missing_text(m) for m in missing], decisions=decisions,
        assessments=assessments, offers=offers,
        steps=timeline.steps(events, facility_names), spouse=spouse,
        admission_planned=case.admission_planned(today),
        targets=offer_targets(page), options=OPTIONS, today=today, iplos=IPLOS_VARIABLES,
        leon=[m.value for m in LeonMeasure], factor_groups=FACTOR_GROUPS,
        status_word=w.label(w.CASE_STATUSES, case.status),
        open_offer=case.outstanding_offer, offer_status=OfferStatus,
        guarantee=state, guarantee_words=w.guarantee_text(state),
        guarantee_status=GuaranteeStatus, breaches=case.guarantee.breaches,
        grant=_grant(case, today), review_due_on=review_due_on,
        review_due=review_due_on is not None and review_due_on <= today,
        iplos_outdated=case.on_waiting_list and case.iplos_outdated(
            today, policy.iplos_max_age_months),
        iplos_months=policy.iplos_max_age_months,
        bridging_open=bool(case.bridging) and case.bridging[-1].to_on is None,
        may_bridge=case.on_waiting_list, policy=policy,
        suggestion=_suggestion(page, forms.get("priority")),
        suggestion_prefix=w.SUGGESTION_PREFIX, suggestion_special=w.SUGGESTION_SPECIAL)


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@router.get("/saker/{case_id}", name="page_case")
def show_case(case_id: str, page: OfficerPage) -> HTMLResponse:
    return case_page(page, parse_id(case_id))


Command = Callable[[Form, Need], Any]


def _post(page: Page, case_id: UUID, name: str, command: Command,
          fields: dict[str, str] | None = None, message: str = "lagret",
          texts: dict[str, str] | None = None) -> Response:
    """Run one case command from a posted form: the page's own checks, then the command.
    A refusal re-renders the case page with the values as typed (422). A command that
    also writes other cases (a spouse) returns their ids, for the access log."""
    page.load_case(case_id, "write_case")
    form = page.form(name)
    try:
        touched = command(form, Need(form)) or []
    except FormInvalid:
        return case_page(page, case_id, forms={name: form}, status=422)
    except DomainError as exc:
        refuse(form, exc, fields, texts)
        return case_page(page, case_id, forms={name: form}, status=status_of(exc))
    page.audit("write_case", [case_id, *touched], detail=f"form {name}")
    return page.done(f"/saker/{case_id}", message)


@router.post("/saker/{case_id}/egne-opplysninger", name="page_case_own_account")
def own_account(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        what = need.text("what_matters", "Skriv hva som er viktig for personen (§ 2-2 nr. 1).")
        need.done()
        page.service.record_own_account(page.municipality, cid, what_matters=what,
                                        account=form.get("account").strip(),
                                        recorded_by=page.user.name, command_id=form.command)

    return _post(page, cid, "own_account", run)


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

    return _post(page, cid, "relatives", run)


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

    return _post(page, cid, "no_relatives", run)


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

    return _post(page, cid, "iplos", run, {"scores": "iplos_" + IPLOS_VARIABLES[0]})


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
            command_id=form.command)

    return _post(page, cid, "medical", run)


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

    return _post(page, cid, "leon", run, {"entries": "leon"})


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

    return _post(page, cid, "dementia", run)


@router.post("/saker/{case_id}/demensmistanke", name="page_case_dementia_suspicion")
def dementia_suspicion(case_id: str, page: OfficerForm) -> Response:
    """R8 (5): dementia is suspected (at any time): no offer before the investigation."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, DementiaSuspicionIn, {"reason": form.get("reason").strip()},
                         {"reason": "Skriv hva som gir mistanke om demens."})
        page.service.suspect_dementia(page.municipality, cid, reason=body.reason,
                                      raised_by=page.user.name, command_id=form.command)

    return _post(page, cid, "dementia_suspicion", run)


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

    return _post(page, cid, "other_services", run)


@router.post("/saker/{case_id}/vedtak", name="page_case_decide")
def decide(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        kind = need.choice("kind", w.DECISION_KINDS, "Velg vedtakstype.")
        grounds = need.text("grounds", "Skriv begrunnelsen: de faktiske forholdene og "
                                       "hovedhensynene (§ 3-2).")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        decided_by = need.text("decided_by", "Skriv hvem som fatter vedtaket.")
        place_type = need.choice("place_type", w.PLACE_TYPES, "Velg plasstype.",
                                 required=kind != "rejection")
        facility_kind = need.choice("facility_kind", w.FACILITY_KINDS,
                                    "Velg type institusjon.", required=False)
        safe = need.choice("safe_at_home", ("ja", "nei"),
                           "Svar på om personen kan få forsvarlig hjelp hjemme til plass "
                           "tilbys.", required=kind != "rejection")
        need.done()
        services = [InterimService(form.get(f"service_{i}").strip(),
                                   form.get(f"extent_{i}").strip())
                    for i in (1, 2) if form.get(f"service_{i}").strip()]
        page.service.decide(
            page.municipality, cid, kind=kind or "", grounds=grounds, decided_by=decided_by,
            place_type=PlaceType(place_type) if place_type and kind != "rejection" else None,
            facility_kind=FacilityKind(facility_kind) if facility_kind else None,
            can_be_cared_for_safely_at_home=None if safe is None else safe == "ja",
            alternatives_at_home=form.get("alternatives_at_home").strip() or None,
            interim_services=services, decided_on=decided_on, command_id=form.command)

    return _post(page, cid, "decide", run,
                 {"can_be_cared_for_safely_at_home": "safe_at_home",
                  "interim_services": "service_1"}, message="vedtak")


@router.post("/saker/{case_id}/prioritet", name="page_case_priority")
def priority(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        factors: dict[str, int] = {}
        for f in PriorityFactor:
            value = need.integer(f"factor_{f.value}", f"Velg 0–{FACTOR_MAX}.", 0, FACTOR_MAX,
                                 required=False)
            if value:
                factors[f.value] = value
        score = need.integer("need_score", "Skriv behovspoeng som et tall fra 0 til 100.",
                             0, 100)
        assessor = need.text("assessor", "Skriv hvem som har gjort den faglige vurderingen "
                                         "(§ 3-3 tredje ledd).")
        assessed_on = need.day("assessed_on", "Skriv datoen som dd.mm.åååå.", required=False)
        need.done()
        assert score is not None
        page.service.assess_priority(
            page.municipality, cid, factors=factors, need_score=score, assessor=assessor,
            departure_reason=form.get("departure_reason").strip() or None,
            assessed_on=assessed_on, command_id=form.command)

    return _post(page, cid, "priority", run)


@router.post("/saker/{case_id}/hast", name="page_case_urgent")
def urgent(case_id: str, page: OfficerForm) -> Response:
    """R15 (§ 3-3 first paragraph): the person on the list can no longer be cared for safely
    at home: a grant to be carried out at once. It ends only with a new waiting-list
    decision (the decision form), never from here."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        reason = need.text("reason", "Skriv hvorfor personen ikke lenger kan få forsvarlig "
                                     "hjelp hjemme (§ 3-3 første ledd).")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        need.done()
        page.service.mark_urgent(page.municipality, cid, reason=reason,
                                 assessed_by=page.user.name, decided_on=decided_on,
                                 command_id=form.command)

    return _post(page, cid, "urgent", run, message="straks")


@router.post("/saker/{case_id}/tilbud", name="page_case_offer")
def offer(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        target = form.get("target")
        kind, _, raw = target.partition(":")
        try:
            target_id = UUID(raw)
        except ValueError:
            form.refuse("target", "Velg en ledig plass eller en plass hos annen leverandør.")
            need.done()
            return
        page.service.make_offer(
            page.municipality, cid, made_by=page.user.name,
            place_id=target_id if kind == "place" else None,
            provider_offer_id=target_id if kind == "offer" else None,
            type_reason=form.get("type_reason").strip() or None,
            unsuitable_reason=form.get("unsuitable_reason").strip() or None,
            command_id=form.command)

    return _post(page, cid, "offer", run,
                 {"place_id": "target", "provider_offer_id": "target", "kind": "target"},
                 message="tilbud")


def _offer_id(raw: str) -> UUID:
    return parse_id(raw)


@router.post("/saker/{case_id}/tilbud/{offer_id}/svar", name="page_case_answer")
def answer(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        said = need.choice("answer", ("ja", "nei"), "Velg om personen takket ja eller nei.")
        reason = need.text("reason", "Skriv hvorfor personen takket nei.",
                           required=said == "nei")
        need.done()
        if said == "ja":
            page.service.accept_offer(page.municipality, cid, oid, command_id=form.command)
        else:
            page.service.decline_offer(page.municipality, cid, oid, reason=reason,
                                       command_id=form.command)

    return _post(page, cid, f"answer-{oid}", run, {"offer_id": "answer"}, message="svar")


@router.post("/saker/{case_id}/tilbud/{offer_id}/trekk", name="page_case_withdraw")
def withdraw(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        reason = need.text("reason", "Skriv hvorfor tilbudet trekkes.")
        need.done()
        page.service.withdraw_offer(page.municipality, cid, oid, reason=reason,
                                    command_id=form.command)

    return _post(page, cid, f"withdraw-{oid}", run, {"offer_id": "reason"})


@router.post("/saker/{case_id}/tilbud/{offer_id}/innflytting", name="page_case_admit")
def admit(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        day = need.day("admitted_on", "Skriv innflyttingsdatoen.", required=False)
        need.done()
        page.service.admit(page.municipality, cid, oid, admitted_on=day,
                           command_id=form.command)

    return _post(page, cid, f"admit-{oid}", run, {"offer_id": "admitted_on"},
                 message="innflytting")


@router.post("/saker/{case_id}/tilbud/{offer_id}/bortfalt", name="page_case_lapse")
def lapse(case_id: str, offer_id: str, page: OfficerForm) -> Response:
    """R26: the offer was not answered by its answer deadline: it lapses, the place is
    released."""
    cid, oid = parse_id(case_id), _offer_id(offer_id)

    def run(form: Form, need: Need) -> None:
        page.service.lapse_offer(page.municipality, cid, oid, command_id=form.command)

    return _post(page, cid, f"lapse-{oid}", run, {"offer_id": "lapse"}, message="bortfalt")


@router.post("/saker/{case_id}/fristvalg", name="page_case_breach_choice")
def breach_choice(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        choice = need.choice("choice", w.BREACH_CHOICES, "Velg hva personen ønsker.")
        need.done()
        assert choice is not None
        page.service.record_breach_choice(page.municipality, cid, choice=BreachChoice(choice),
                                          recorded_by=page.user.name, command_id=form.command)

    return _post(page, cid, "breach_choice", run)


# --- a short-term stay while waiting (R2, R15) -------------------------------------------------


@router.post("/saker/{case_id}/korttidsopphold", name="page_case_bridging_stay")
def bridging_stay(case_id: str, page: OfficerForm) -> Response:
    """R2, R15 (notat 2.4): a short-term stay that bridges the wait for a long-term place."""
    cid = parse_id(case_id)
    date_text = "Skriv datoen som dd.mm.åååå."

    def run(form: Form, need: Need) -> None:
        data: dict[str, Any] = {"facility_name": form.get("facility_name").strip(),
                                "unit": form.get("unit").strip(),
                                "from_on": form.get("from_on").strip()}
        if form.get("to_on").strip():
            data["to_on"] = form.get("to_on").strip()
        body = validated(form, BridgingStayIn, data,
                         {"facility_name": "Skriv institusjonen der korttidsoppholdet er.",
                          "unit": "Skriv avdelingen.", "from_on": date_text,
                          "to_on": date_text})
        page.service.record_bridging_stay(
            page.municipality, cid, facility_name=body.facility_name, unit=body.unit,
            from_on=body.from_on, to_on=body.to_on, recorded_by=page.user.name,
            command_id=form.command)

    return _post(page, cid, "bridging", run, message="korttidsopphold")


@router.post("/saker/{case_id}/korttidsopphold/avslutt", name="page_case_bridging_end")
def bridging_end(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, BridgingStayEndIn, {"to_on": form.get("to_on").strip()},
                         {"to_on": "Skriv datoen korttidsoppholdet sluttet, som dd.mm.åååå."})
        page.service.end_bridging_stay(page.municipality, cid, to_on=body.to_on,
                                       recorded_by=page.user.name, command_id=form.command)

    return _post(page, cid, "bridging_end", run, message="korttidsopphold")


# --- wishes, interim services, spouse (R10, R14, R16/R20) -------------------------------


@router.post("/saker/{case_id}/onsker", name="page_case_wishes")
def wishes(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        chosen = [form.get(f"wish_{i}").strip() for i in range(1, WISH_ROWS + 1)]
        body = validated(form, WishesIn, {"facility_ids": [f for f in chosen if f]},
                         {"facility_ids": "Velg institusjonene i den rekkefølgen personen "
                                          "ønsker dem."}, {"facility_ids": "wishes"})
        page.service.record_wishes(page.municipality, cid,
                                   facility_ids=list(body.facility_ids),
                                   command_id=form.command)

    return _post(page, cid, "wishes", run, {"facility_ids": "wishes"})


@router.post("/saker/{case_id}/tjenester", name="page_case_interim_services")
def interim_services(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        rows = [(i, form.get(f"service_{i}").strip(), form.get(f"extent_{i}").strip())
                for i in range(1, SERVICE_ROWS + 1)]
        rows = [row for row in rows if row[1] or row[2]]
        where: dict[str, str] = {}
        for n, (i, _, _) in enumerate(rows):
            where[f"services.{n}.service"] = f"service_{i}"
            where[f"services.{n}.extent"] = f"extent_{i}"
        body = validated(
            form, InterimServicesIn,
            {"services": [{"service": sv, "extent": ex} for _, sv, ex in rows]},
            {"service": "Skriv tjenesten, for eksempel hjemmesykepleie.",
             "extent": "Skriv omfanget, for eksempel tre besøk daglig."}, where)
        page.service.record_interim_services(
            page.municipality, cid,
            services=[InterimService(x.service, x.extent) for x in body.services],
            recorded_by=page.user.name, command_id=form.command)

    return _post(page, cid, "interim_services", run, {"services": "service_1"})


def _case_ref(raw: str) -> str:
    """A case number as typed, or pasted with its page's address (…/saker/{id}?…)."""
    text = raw.strip()
    if "/saker/" in text:
        text = text.rsplit("/saker/", 1)[1]
        for end in ("/", "?", "#"):
            text = text.split(end, 1)[0]
    return text


@router.post("/saker/{case_id}/ektefelle", name="page_case_spouse")
def spouse(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> list[UUID]:
        body = validated(form, SpouseIn, {"spouse_case_id": _case_ref(form.get("spouse"))},
                         {"spouse_case_id": "Skriv saksnummeret til ektefellens eller "
                                            "samboerens sak slik det står i adressen til "
                                            "saken (/saker/…), eller lim inn adressen."},
                         {"spouse_case_id": "spouse"})
        try:
            page.service.get_case(page.municipality, body.spouse_case_id)
        except NotFound:
            page.audit_refused("write_case", body.spouse_case_id)
            form.refuse("spouse", "Fant ingen sak med dette saksnummeret i kommunen.")
            raise FormInvalid(form) from None
        page.service.link_spouses(page.municipality, cid, body.spouse_case_id,
                                  command_id=form.command)
        return [body.spouse_case_id]

    return _post(page, cid, "spouse", run, {"spouse_case_id": "spouse"}, message="ektefelle")


@router.post("/saker/{case_id}/samtykke-adskilt", name="page_case_living_apart")
def living_apart(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, LivingApartIn, {"statement": form.get("statement").strip()},
                         {"statement": "Skriv samtykket med personens egne ord (§ 2-3)."})
        page.service.consent_to_living_apart(page.municipality, cid, statement=body.statement,
                                             recorded_by=page.user.name,
                                             command_id=form.command)

    return _post(page, cid, "living_apart", run)


# --- the end of a case or a stay ---------------------------------------------------------------


@router.post("/saker/{case_id}/avslutt", name="page_case_close")
def close(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)
    why = "Velg hvorfor saken avsluttes: søknaden trukket, død eller flyttet fra kommunen."

    def run(form: Form, need: Need) -> None:
        body = validated(form, CloseCaseIn, {"reason": form.get("reason")}, {"reason": why})
        page.service.close_case(page.municipality, cid, reason=body.reason,
                                command_id=form.command)

    return _post(page, cid, "close", run, message="avsluttet", texts={"reason": why})


@router.post("/saker/{case_id}/avslutt-opphold", name="page_case_end_stay")
def end_stay(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        data: dict[str, Any] = {"reason": form.get("reason")}
        if form.get("ended_on").strip():
            data["ended_on"] = form.get("ended_on").strip()
        body = validated(form, EndStayIn, data,
                         {"reason": "Velg hvorfor oppholdet avsluttes.",
                          "ended_on": "Skriv datoen som dd.mm.åååå."})
        page.service.end_stay(page.municipality, cid, reason=body.reason,
                              ended_on=body.ended_on, command_id=form.command)

    return _post(page, cid, "end_stay", run, message="opphold")
