"""The complaint pages' form parts (R21): who complains, and the new decision an outcome
that changes a decision states — the same fields as the case page's decision form, with
``new_`` before their names; its maker and date are the outcome's."""

from __future__ import annotations

from uuid import UUID

from api.pages import words as w
from api.pages.web import Form, FormInvalid, Need
from application.complaints import NewDecision
from domain.complaint import ComplaintSubject
from domain.values import FacilityKind, InterimService, PlaceType

#: A refusal's domain field → the form field that shows it.
FIELDS = {"subject_id": "subject", "against": "subject", "kind": "new_kind",
          "place_type": "new_place_type", "grounds": "new_grounds",
          "interim_services": "new_service", "alternatives_at_home": "new_alternatives",
          "can_be_cared_for_safely_at_home": "new_kind", "new_decision": "new_kind",
          "decided_on": "decided_on"}


def subject_of(form: Form, raw: str) -> tuple[ComplaintSubject, UUID | None]:
    """The form's "what the complaint is about": ``decision:<id>``, ``offer:<id>``,
    ``breach:`` or ``priority:``."""
    kind, _, ident = raw.partition(":")
    try:
        against = ComplaintSubject(kind)
        subject_id = UUID(ident) if ident else None
    except ValueError:
        form.refuse("subject", "Velg hva klagen gjelder.")
        raise FormInvalid(form) from None
    return against, subject_id


def complainant(form: Form, need: Need) -> tuple[str, str | None]:
    role = need.choice("complainant_role", w.COMPLAINANT_ROLES, "Velg hvem som klager.",
                       required=False) or "person"
    name = form.get("complainant_name").strip() or None
    if role != "person" and name is None:
        form.refuse("complainant_name", "Skriv navnet på den som klager på vegne av "
                                        "personen.")
    return role, name


def new_decision(form: Form, need: Need, outcome: str | None) -> NewDecision | None:
    """The new decision, when the outcome changes the decision and the form states one."""
    kind = form.get("new_kind").strip()
    if outcome != "changed" or not kind:
        return None
    kind = need.choice("new_kind", w.DECISION_KINDS, "Velg type nytt vedtak.") or ""
    grounds = need.text("new_grounds", "Skriv begrunnelsen for det nye vedtaket.")
    place_type = need.choice("new_place_type", w.PLACE_TYPES, "Velg plasstype.",
                             required=kind != "rejection")
    facility_kind = need.choice("new_facility_kind", w.FACILITY_KINDS,
                                "Velg type institusjon.", required=False)
    services = []
    if form.get("new_service").strip():
        services.append(InterimService(form.get("new_service").strip(),
                                       form.get("new_extent").strip()))
    return NewDecision(
        kind=kind, grounds=grounds,
        place_type=PlaceType(place_type) if place_type and kind != "rejection" else None,
        facility_kind=FacilityKind(facility_kind) if facility_kind else None,
        # the page's kinds say it: a waiting-list decision is for a person who can be
        # cared for safely at home until a place is offered (R5), a grant for one who
        # cannot (R4)
        can_be_cared_for_safely_at_home={"waiting_list": True, "grant": False}.get(kind),
        alternatives_at_home=form.get("new_alternatives").strip() or None,
        interim_services=services)
