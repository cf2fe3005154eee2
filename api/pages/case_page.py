"""The allocation unit's case page: the person, the § 2-2 checklist (R8), decisions, the
guarantee, assessments, offers and the timeline, with a form for each command; and
:func:`post_form`, which every case form posts through (a refusal re-renders this page with
the values as typed). The forms' handlers are in the ``case_forms_*`` modules."""

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
from api.pages.case_options import FACTOR_GROUPS, OPTIONS, SERVICE_ROWS, WISH_ROWS
from api.pages.case_record import record
from api.pages.lists import known_facilities, offer_targets
from api.pages.web import (
    Form,
    FormInvalid,
    Need,
    Page,
    PageRoute,
    page_for,
    parse_id,
    refuse,
    status_of,
)
from domain.case import ALLOWED, Case, CaseStatus, GuaranteeStatus, deadline_of
from domain.errors import DomainError
from domain.values import (
    FACTOR_MAX,
    IPLOS_VARIABLES,
    SPECIAL_WEIGHT,
    LeonMeasure,
    OfferStatus,
    PlaceType,
    PolicySettings,
    PriorityFactor,
)

router = APIRouter(route_class=PageRoute)
OfficerPage = Annotated[Page, Depends(page_for(Role.ALLOCATION_OFFICER))]


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


def _may_move(case: Case, today: date) -> bool:
    """R28: "Tilby flytting" is shown for a resident who lives in the place (not a planned
    admission), holds no move offer and is not in an accompanying stay."""
    return case.status is CaseStatus.RESIDENT and case.residence is not None \
        and case.residence.admitted_on <= today and case.outstanding_move is None \
        and not case.in_accompanying_stay


#: R28: the reasons for a move, as the page names them.
MOVE_REASONS = {
    "change_of_need": "Nytt behov: plass av typen i nytt vedtak",
    "spouses_together": "Bo sammen med ektefelle eller samboer (§ 2-3)",
    "free_choice": "Fritt valg: sykehjemmet personen ønsket",
    "bought_to_own": "Fra kjøpt plass til kommunal plass",
}


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
              status: int = 200, spouse_candidates: list[dict[str, Any]] | None = None
              ) -> HTMLResponse:
    case = page.load_case(case_id, "read_case")
    forms = forms or {}
    events = timeline.case_events(page.service, case_id)
    today = page.today
    _, _, policy = page.service.policy_on(page.municipality, today)
    decisions = [e for e in events if isinstance(e, Case.DecisionMade)]
    deliveries = {str(x.decision_id): {"decision": x, "deadline": deadline_of(x)}
                  for x in case.decisions}
    assessments = [e for e in events if isinstance(e, Case.PriorityAssessed)]
    offer_events = {e.offer_id: e for e in events if isinstance(e, Case.OfferMade)}
    offers = [OfferRow(o, offer_events.get(o.offer_id),
                       o.status is OfferStatus.MADE and o.answer_by is not None
                       and today > o.answer_by)
              for o in sorted(case.offers.values(), key=lambda o: o.made_on, reverse=True)
              if o.move_reason is None]
    moves = [o for o in sorted(case.offers.values(), key=lambda o: o.made_on, reverse=True)
             if o.move_reason is not None]  # R28: shown apart, with their own forms
    spouse = None
    if case.spouse_case_id is not None:
        try:
            spouse = page.service.get_case(page.municipality, case.spouse_case_id)
        except DomainError:
            spouse = None
    accompanying_decisions = [
        {"decided_on": e.decided_on, "grounds": e.grounds, "decision_id": e.decision_id,
         "words": w.ACCOMPANYING_DECISIONS["accompanying_stay"]
         if isinstance(e, Case.AccompanyingStayDecided)
         else w.ACCOMPANYING_DECISIONS["ordinary_stay" if e.outcome == "ordinary_stay"
                                       else "accompanying_stay_ended"]
         + (f" {w.dato(e.ended_on)}" if e.ended_on else "")}
        for e in events
        if isinstance(e, Case.AccompanyingStayDecided | Case.AccompanyingStayConcluded)]
    missing = case.missing_documentation(case.place_type or PlaceType.ORDINARY, today,
                                         policy.iplos_max_age_months)
    waiting_or_open = case.status in (CaseStatus.RECEIVED, CaseStatus.GRANTED,
                                      CaseStatus.WAITING)
    facilities = known_facilities(page, case.wishes)
    facility_names = timeline.facility_names(events, dict(facilities))
    spouse_ids = [case.spouse_case_id] if spouse is not None else []
    state = case.guarantee.state(today)
    review_due_on = case.review_due_on()
    complaints = page.read.complaints(page.municipality, case_id)  # R21
    awaiting = [c for c in complaints if c.get("result") == "quashed"
                and c["against"] == "decision" and not c.get("new_decision_id")]
    page.audit("read_case", [case_id, *spouse_ids])
    targets = offer_targets(page)
    return page.render(
        "case.html", status=status, forms=forms, case=case, case_id=str(case_id),
        facilities=facilities if waiting_or_open or case.wishes else [],
        wishes=[facility_names.get(f, "en institusjon som ikke lenger er registrert")
                for f in case.wishes],
        wish_rows=range(1, min(WISH_ROWS, max(len(case.wishes), len(facilities), 1)) + 1),
        service_rows=range(1, min(SERVICE_ROWS, max(len(case.interim_services) + 1, 3)) + 1),
        may_record_wishes=waiting_or_open,
        # the domain's own rule: a resident's too (a new decision on the place type, R28)
        may_document=case.status in ALLOWED["record_documentation"],
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
        deliveries=deliveries,
        assessments=assessments, offers=offers,
        steps=timeline.steps(events, facility_names), spouse=spouse,
        admission_planned=case.admission_planned(today),
        targets=targets, options=OPTIONS, today=today, iplos=IPLOS_VARIABLES,
        move_targets=[t for t in targets if t[0].startswith("place:")], moves=moves,
        move_reasons=list(MOVE_REASONS.items()), move_words=MOVE_REASONS,
        may_move=_may_move(case, today),
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
        accompanying_decisions=accompanying_decisions,
        in_accompanying_stay=case.in_accompanying_stay,
        may_decide_accompanying=spouse is not None and spouse.in_long_term_stay
        and not spouse.in_accompanying_stay and not case.in_accompanying_stay
        and case.status in ALLOWED["decide_accompanying_stay"],
        may_conclude_accompanying=case.in_accompanying_stay
        and case.status is CaseStatus.RESIDENT,
        resident_gone=case.in_accompanying_stay and spouse is not None
        and spouse.status is CaseStatus.CLOSED,
        accompanied=spouse is not None and spouse.awaits_accompanying_offer(case.id),
        accompanying_outcomes=list(w.ACCOMPANYING_OUTCOMES.items()),
        may_bridge=case.on_waiting_list, policy=policy,
        suggestion=_suggestion(page, forms.get("priority")),
        suggestion_prefix=w.SUGGESTION_PREFIX, suggestion_special=w.SUGGESTION_SPECIAL,
        complaints=complaints, record=record(events),
        spouse_candidates=None if spouse_candidates is None else [
            (d["case_id"], f"{d['name']} — saksnummer {d.get('case_number') or 'ikke tildelt'}"
                           f", {w.label(w.CASE_STATUSES, d.get('status'))}")
            for d in spouse_candidates if d["case_id"] != str(case_id)],
        awaiting_complaints=bool(awaiting),
        awaiting_complaints_options=[
            (c["complaint_id"], f"Klage mottatt {w.dato(c['received_on'])}") for c in awaiting])


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@router.get("/saker/{case_id}", name="page_case")
def show_case(case_id: str, page: OfficerPage) -> HTMLResponse:
    return case_page(page, parse_id(case_id))


Command = Callable[[Form, Need], Any]


def _drawn_from(form: Form) -> frozenset[int] | None:
    """The version of the case the form was drawn from (its hidden ``case_version``);
    None for a form without one (then nothing is checked, as a JSON write without
    ``If-Match``)."""
    raw = form.get("case_version").strip()
    return frozenset({int(raw)}) if raw.isdigit() and len(raw) <= 18 else None


def post_form(page: Page, case_id: UUID, name: str, command: Command,
              fields: dict[str, str] | None = None, message: str = "lagret",
              texts: dict[str, str] | None = None) -> Response:
    """Run one case command from a posted form: the page's own checks, then the command.
    A refusal re-renders the case page with the values as typed (422). A command that
    also writes other cases (a spouse) returns their ids, for the access log.

    Every case form carries the version of the case it was drawn from; if someone else
    has changed the case since, nothing is written and the page is drawn again as the
    case is now, with what was typed and :data:`~api.pages.words.STALE_FORM` (409) —
    checked first (before the form's own checks, so a corrected form is never sent on
    unaware), and again, atomically with the save, by the command
    (:meth:`~application.base.ServiceBase.expecting`). A double submit of a form that was
    saved (same command id) is not stale: it writes nothing and goes on as the first."""
    case = page.load_case(case_id, "write_case")
    form = page.form(name)
    drawn_from = _drawn_from(form)
    note = page.writing("write_case", [case_id])
    try:
        if not case.has_handled(form.command):
            page.service.check_version(case, drawn_from)
        with page.service.expecting(case_id, drawn_from), page.service.logging_access(note):
            touched = command(form, Need(form)) or []
    except FormInvalid:
        return case_page(page, case_id, forms={name: form}, status=422)
    except DomainError as exc:
        refuse(form, exc, fields, texts)
        return case_page(page, case_id, forms={name: form}, status=status_of(exc))
    rest = [c for c in dict.fromkeys([case_id, *touched]) if c not in note.logged]
    if rest:  # what the write's own entry (same transaction) did not name
        page.audit("write_case", rest, detail=f"form {name}")
    return page.done(f"/saker/{case_id}", message)
