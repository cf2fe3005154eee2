"""Complaint handling (klagebehandling, R21): the complaints, a case's whole history in plain
words, the waiting list and vacancy board as they stood at any moment, a recorded allocation
run re-run to show the identical plan, and the complaint workflow (register, the unit's
reconsideration, forwarding to Statsforvalteren, the outcome)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from api.auth import Role
from api.pages import complaint_forms as cf
from api.pages import timeline
from api.pages import words as w
from api.pages.paging import page_params, pager
from api.pages.runs import recorded_runs, run_items
from api.pages.web import (
    Form,
    FormInvalid,
    Need,
    Page,
    PageRoute,
    form_for,
    not_found,
    page_for,
    parse_id,
    refuse,
    status_of,
)
from api.routes.common import in_calendar
from domain.allocation import AllocationRun
from domain.base import OSLO
from domain.case import Case, GuaranteeStatus
from domain.complaint import ComplaintOutcome
from domain.errors import DomainError, NotFound
from projections.vacancy_board import VacancyBoard

router = APIRouter(route_class=PageRoute)
#: The query parameters' prefix of the access log's pages on the case history page, and of
#: the places' pages on the time picker's page (beside the waiting list's own).
ACCESS_PREFIX, PLACES_PREFIX = "tilgang_", "plasser_"
HANDLER = Role.COMPLAINT_HANDLER
HandlerPage = Annotated[Page, Depends(page_for(HANDLER))]
HandlerForm = Annotated[Page, Depends(form_for(HANDLER))]


def _name(page: Page, case_id: str) -> str:
    try:
        return str(page.service.get_case(page.municipality, UUID(case_id)).person.name)
    except (DomainError, ValueError):
        return "(ukjent sak)"


@router.get("/klage", name="page_complaints")
def complaints(page: HandlerPage) -> Response:
    offset, limit = page_params(page.request)
    every = list(reversed(page.read.complaints(page.municipality)))  # newest first
    rows = every[offset:offset + limit]
    names = {r["case_id"]: _name(page, r["case_id"]) for r in rows}
    page.audit("read_complaints", names)
    return page.render("complaints.html", title="Klager", rows=rows,
                       names=names,
                       pager=pager(page.request, len(every), offset, limit))


# --- the case's history -----------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    at: datetime
    text: str
    who: str | None
    link: str | None = None
    link_text: str | None = None


def moment_param(at: datetime) -> str:
    """A moment as the time picker takes it: Norwegian local time, to the microsecond."""
    return at.astimezone(OSLO).replace(tzinfo=None).isoformat()


def deadline_words(d: dict[str, Any]) -> str:
    """R14: the complaint deadline as the complaint's row has it, and what it is counted
    from; unknown while the decision is not recorded as sent or received."""
    if not d.get("complaint_deadline"):
        return "klagefristen er ukjent (vedtaket er ikke registrert sendt eller mottatt)"
    basis = w.label(w.DEADLINE_BASES, d.get("deadline_basis") or "unknown")
    return f"klagefrist {w.dato(d['complaint_deadline'])} ({basis})"


_COMPLAINT_WORDS = {
    "Registered": lambda d: (
        f"Klage på {w.label(w.COMPLAINT_SUBJECTS, d['against'])} av "
        f"{w.dato(d['subject_date'])} mottatt {w.dato(d['received_on'])}; "
        + deadline_words(d) + (" — kom for sent" if d["late"] else "")),
    "Reconsidered": lambda d: (
        (f"Tildelingsenheten tok klagen til følge: vedtaket er "
         f"{w.label(w.COMPLAINT_RESULTS, d.get('result') or 'changed')}"
         if d["reconsideration"]["upheld"]
         else "Tildelingsenheten tok ikke klagen til følge")
        + (f" (tatt under behandling selv om fristen var ute: "
           f"{d['reconsideration']['late_reason']})"
           if d["reconsideration"].get("late_reason") else "")
        + f": {d['reconsideration']['reasoning']}"),
    "Forwarded": lambda d: (
        f"Klagen sendt til Statsforvalteren {w.dato(d['forwarding']['forwarded_on'])}"),
    "NewDecisionLinked": lambda d: "Nytt vedtak i saken etter at vedtaket ble opphevet",
    "OutcomeRecorded": lambda d: (
        f"Statsforvalteren: {w.label(w.COMPLAINT_OUTCOMES, d['outcome']['outcome'])} "
        f"{w.dato(d['outcome']['decided_on'])}: {d['outcome']['summary']}"),
}


def complaint_moments(doc: dict[str, Any]) -> list[Moment]:
    out = []
    for h in doc["history"]:
        words = _COMPLAINT_WORDS.get(h["event"])
        out.append(Moment(datetime.fromisoformat(h["at"]),
                          words(doc) if words else h["text"], h.get("who"),
                          f"/klage/klager/{doc['complaint_id']}", "Åpne klagen"))
    return out


def case_moments(events: list[Any], facilities: dict[str, str] | None = None
                 ) -> list[Moment]:
    out = []
    for step, e in zip(timeline.steps(events, facilities), events, strict=True):
        link = link_text = None
        if isinstance(e, Case.OfferMade) and e.proposal_id is not None:
            link, link_text = f"/klage/tildeling/{e.proposal_id}", "Se tildelingen og begrunnelsen"
        elif isinstance(e, Case.DecisionMade | Case.OfferMade | Case.PriorityAssessed):
            link = f"/klage/tidspunkt?t={moment_param(e.timestamp)}"
            link_text = "Se ventelisten og ledige plasser slik de var da"
        out.append(Moment(step.at, step.text, step.who, link, link_text))
    return out


def subjects(case: Case, events: list[Any]) -> list[tuple[str, str]]:
    """What a complaint can be against: each decision and each offer on the case, the
    breach of the guarantee and the priority given (pbrl § 7-2)."""
    out = []
    if case.breached_on is not None:
        out.append(("breach:", f"Fristbrudd {w.dato(case.breached_on)}: "
                               "ventelistegarantien er ikke oppfylt"))
    if case.priority is not None:
        out.append(("priority:", "Prioriteringen på ventelisten, vurdert "
                                 f"{w.dato(case.priority.assessed_on)}"))
    for e in events:
        if isinstance(e, Case.DecisionMade):
            out.append((f"decision:{e.decision_id}",
                        f"{w.DECISION_KINDS.get(e.kind, e.kind)} av {w.dato(e.decided_on)}"))
        elif isinstance(e, Case.OfferMade):
            out.append((f"offer:{e.offer_id}",
                        f"Tilbud om plass ved {e.facility_name} av {w.dato(e.made_on)}"))
    return out


def case_history_page(page: Page, case_id: UUID, *, form: Form | None = None,
                      status: int = 200) -> HTMLResponse:
    case = page.load_case(case_id, "read_case_history")
    events = timeline.case_events(page.service, case_id)
    rows = page.read.complaints(page.municipality, case_id)
    facilities = {f.facility_id: f.facility_name
                  for f in page.read.facilities(page.municipality)}
    moments = sorted(case_moments(events, facilities)
                     + [m for r in rows for m in complaint_moments(r)], key=lambda m: m.at)
    decisions = [e for e in events if isinstance(e, Case.DecisionMade)]
    seen_from, seen_limit = page_params(page.request, ACCESS_PREFIX)
    access, access_total = page.read.access_log_page(page.municipality, case_id, seen_from,
                                                     seen_limit)
    page.audit("read_case_history", [case_id])
    return page.render("case_history.html", status=status,
                       forms={"complaint": form} if form else {},
                       title=f"Saken til {case.person.name}", case=case, case_id=str(case_id),
                       moments=moments, complaints=rows, decisions=decisions,
                       subjects=subjects(case, events),
                       complainant_roles=list(w.COMPLAINANT_ROLES.items()),
                       access=access,
                       access_pager=pager(page.request, access_total, seen_from, seen_limit,
                                          ACCESS_PREFIX, "#tilgang"),
                       status_word=w.label(w.CASE_STATUSES, case.status), today=page.today)


@router.get("/klage/saker/{case_id}", name="page_case_history")
def case_history(case_id: str, page: HandlerPage) -> HTMLResponse:
    return case_history_page(page, parse_id(case_id))


@router.post("/klage/saker/{case_id}/klage", name="page_register_complaint")
def register_complaint(case_id: str, page: HandlerForm) -> Response:
    cid = parse_id(case_id)
    page.load_case(cid, "write_complaint")
    form = page.form("complaint")
    need = Need(form)
    try:
        subject = need.text("subject", "Velg hva klagen gjelder.")
        received = need.day("received_on", "Skriv datoen klagen kom inn.")
        grounds = need.text("grounds", "Skriv hva klagen gjelder.")
        role, name = cf.complainant(form, need)
        need.done()
        assert received is not None
        against, subject_id = cf.subject_of(form, subject)
        complaint_id = page.service.register_complaint(
            page.municipality, cid, against=against, subject_id=subject_id,
            received_on=received, grounds=grounds, registered_by=page.user.name,
            complainant_role=role, complainant_name=name, command_id=form.command)
    except FormInvalid:
        return case_history_page(page, cid, form=form, status=422)
    except DomainError as exc:
        refuse(form, exc, cf.FIELDS)
        return case_history_page(page, cid, form=form, status=status_of(exc))
    page.audit("write_complaint", [cid])
    return page.done(f"/klage/klager/{complaint_id}", "klage")


# --- one complaint and its workflow ----------------------------------------------------------


def _complaint(page: Page, complaint_id: UUID) -> dict[str, Any]:
    doc = page.read.complaint(page.municipality, complaint_id)
    if doc is None:
        try:  # written a moment ago, and the read side not there yet
            page.service.get_complaint(page.municipality, complaint_id)
        except NotFound:
            raise not_found() from None
        page.read.wait_for(page.service.recorder.max_notification_id(),
                           timeout=page.rt.settings.read_timeout_s)
        doc = page.read.complaint(page.municipality, complaint_id)
        if doc is None:
            raise not_found()
    return dict(doc)


def complaint_page(page: Page, complaint_id: UUID, *, forms: dict[str, Form] | None = None,
                   status: int = 200) -> HTMLResponse:
    doc = _complaint(page, complaint_id)
    case_id = UUID(doc["case_id"])
    page.audit("read_complaint", [case_id])
    return page.render("complaint.html", status=status, forms=forms or {},
                       title="Klage", c=doc, name=_name(page, doc["case_id"]),
                       moments=complaint_moments(doc), today=page.today,
                       outcomes=list(w.COMPLAINT_OUTCOMES.items()),
                       decision_kinds=list(w.DECISION_KINDS.items()),
                       place_types=list(w.PLACE_TYPES.items()))


@router.get("/klage/klager/{complaint_id}", name="page_complaint")
def show_complaint(complaint_id: str, page: HandlerPage) -> HTMLResponse:
    return complaint_page(page, parse_id(complaint_id))


def _workflow(page: Page, complaint_id: UUID, name: str,
              command: Callable[[Form, Need], None]) -> Response:
    doc = _complaint(page, complaint_id)
    form = page.form(name)
    try:
        command(form, Need(form))
    except FormInvalid:
        return complaint_page(page, complaint_id, forms={name: form}, status=422)
    except DomainError as exc:
        refuse(form, exc, cf.FIELDS, texts={"summary": "Skriv et sammendrag av "
                                                       "Statsforvalterens vedtak."})
        return complaint_page(page, complaint_id, forms={name: form}, status=status_of(exc))
    page.audit("write_complaint", [UUID(doc["case_id"])], detail=f"form {name}")
    return page.done(f"/klage/klager/{complaint_id}")


@router.post("/klage/klager/{complaint_id}/ny-vurdering", name="page_reconsider")
def reconsider(complaint_id: str, page: HandlerForm) -> Response:
    kid = parse_id(complaint_id)

    def run(form: Form, need: Need) -> None:
        upheld = need.choice("upheld", ("endret", "opphevet", "nei"),
                             "Velg om klagen tas til følge fullt ut.")
        reasoning = need.text("reasoning", "Skriv begrunnelsen for den nye vurderingen.")
        decided_on = need.day("decided_on", "Skriv datoen for vurderingen.")
        decided_by = need.text("decided_by", "Skriv hvem som har vurdert klagen.")
        outcome = {"endret": "changed", "opphevet": "quashed"}.get(upheld or "")
        decision = cf.new_decision(form, need, outcome)
        need.done()
        assert decided_on is not None
        page.service.record_reconsideration(
            page.municipality, kid, upheld=outcome is not None, reasoning=reasoning,
            decided_by=decided_by, decided_on=decided_on, outcome=outcome,
            new_decision=decision,
            late_reason=form.get("late_reason").strip() or None, command_id=form.command)

    return _workflow(page, kid, "reconsider", run)


@router.post("/klage/klager/{complaint_id}/oversend", name="page_forward")
def forward(complaint_id: str, page: HandlerForm) -> Response:
    kid = parse_id(complaint_id)

    def run(form: Form, need: Need) -> None:
        forwarded_on = need.day("forwarded_on", "Skriv datoen klagen ble sendt.")
        need.done()
        assert forwarded_on is not None
        page.service.forward_complaint(page.municipality, kid, forwarded_on=forwarded_on,
                                       forwarded_by=page.user.name,
                                       command_id=form.command)

    return _workflow(page, kid, "forward", run)


@router.post("/klage/klager/{complaint_id}/utfall", name="page_outcome")
def outcome(complaint_id: str, page: HandlerForm) -> Response:
    kid = parse_id(complaint_id)

    def run(form: Form, need: Need) -> None:
        result = need.choice("outcome", w.COMPLAINT_OUTCOMES, "Velg Statsforvalterens utfall.")
        decided_on = need.day("decided_on", "Skriv datoen for Statsforvalterens vedtak.")
        summary = need.text("summary", "Skriv et sammendrag av Statsforvalterens vedtak.")
        decision = cf.new_decision(form, need, result)
        need.done()
        assert result is not None and decided_on is not None
        page.service.record_complaint_outcome(
            page.municipality, kid, outcome=ComplaintOutcome(result), decided_on=decided_on,
            summary=summary, new_decision=decision, command_id=form.command)

    return _workflow(page, kid, "outcome", run)


# --- the time picker --------------------------------------------------------------------------


def parse_moment(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(raw.strip()), datetime.max.time())
        except ValueError:
            return None
    return in_calendar(moment)  # None (refused) near year 1 or 9999


@router.get("/klage/tidspunkt", name="page_as_of")
def as_of(page: HandlerPage) -> HTMLResponse:
    raw = page.request.query_params.get("t", "")
    now = page.service.clock.now()
    moment = parse_moment(raw) if raw else None
    error = None
    if raw and moment is None:
        error = "Skriv tidspunktet som dato og klokkeslett, for eksempel 2025-06-01T12:00."
    elif moment is not None and moment > now:
        error = "Tidspunktet kan ikke være fram i tid."
        moment = None
    offset, limit = page_params(page.request)
    places_from, places_limit = page_params(page.request, PLACES_PREFIX)
    entries, board, runs, listed, places = [], None, [], None, None
    if moment is not None:
        then = page.read.as_of(moment)
        listed = then.waiting_list_page(page.municipality, offset, limit)
        entries = listed.entries
        whole = then.vacancy_board(page.municipality)
        board = VacancyBoard(whole.places[places_from:places_from + places_limit],
                             whole.provider_offers)
        places = pager(page.request, len(whole.places), places_from, places_limit,
                       PLACES_PREFIX, "#plasser-da")
        runs = recorded_runs(then, page.municipality, until=moment, limit=5)
        page.audit("read_waiting_list_as_of", [], detail=f"as of {moment.isoformat()}",
                   views=[listed.view])
    value = (moment or now).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
    return page.render("as_of.html", status=422 if error else 200,
                       guarantee_status=GuaranteeStatus,
                       title="Se et tidspunkt", moment=moment, value=value, error=error,
                       raw=raw, entries=entries, board=board, runs=runs,
                       names={e.case_id: e.name for e in entries},
                       pager=pager(page.request, listed.total, offset, limit, "",
                                   "#venteliste-da") if listed else None,
                       places_pager=places)


# --- a recorded allocation run, and its re-run -------------------------------------------------


def _run(page: Page, run_id: UUID) -> AllocationRun:
    try:
        run: AllocationRun = page.service.get_allocation_run(page.municipality, run_id)
    except NotFound:
        raise not_found() from None
    return run


def run_review(page: Page, run_id: UUID, rerun: Any = None) -> HTMLResponse:
    offset, limit = page_params(page.request)
    run = _run(page, run_id)
    shown = run_items(page.read, run, offset, limit)
    page.audit("read_allocation_run", [i.case_id for i in shown.items])
    return page.render("run_review.html", title="Tildeling slik den ble gjort", run=run,
                       run_id=str(run_id), items=shown.items, rerun=rerun,
                       pager=pager(page.request, shown.total, offset, limit),
                       at_param=moment_param(run.created_on),
                       solver=run.solver)


@router.get("/klage/tildeling/{run_id}", name="page_run_review")
def review(run_id: str, page: HandlerPage) -> HTMLResponse:
    return run_review(page, parse_id(run_id))


@router.post("/klage/tildeling/{run_id}/kjor-pa-nytt", name="page_run_rerun")
def rerun(run_id: str, page: HandlerForm) -> HTMLResponse:
    rid = parse_id(run_id)
    _run(page, rid)
    result = page.service.rerun_allocation(page.municipality, rid)
    return run_review(page, rid, rerun=result)
