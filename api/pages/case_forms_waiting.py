"""The case page's forms for the time on the waiting list: a short-term stay that bridges
the wait (R2, R15), interim services (R14), the person's wishes (R16/R20), the spouse or
cohabitant and the consent to live apart (R10)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.pages.case_options import SERVICE_ROWS, WISH_ROWS
from api.pages.case_page import case_page, post_form
from api.pages.casework import find_typed
from api.pages.web import Form, FormInvalid, Need, Page, PageRoute, form_for, parse_id, validated
from api.pages.words import ACCOMPANYING_OUTCOMES
from api.schemas import (
    BridgingStayEndIn,
    BridgingStayIn,
    InterimServicesIn,
    LivingApartIn,
    SpouseIn,
    WishesIn,
)
from domain.errors import NotFound
from domain.values import InterimService

router = APIRouter(route_class=PageRoute)
#: How many cases a search for the spouse offers to choose from.
SPOUSE_CHOICES = 20
OfficerForm = Annotated[Page, Depends(form_for(Role.ALLOCATION_OFFICER))]


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

    return post_form(page, cid, "bridging", run, message="korttidsopphold")


@router.post("/saker/{case_id}/korttidsopphold/avslutt", name="page_case_bridging_end")
def bridging_end(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, BridgingStayEndIn, {"to_on": form.get("to_on").strip()},
                         {"to_on": "Skriv datoen korttidsoppholdet sluttet, som dd.mm.åååå."})
        page.service.end_bridging_stay(page.municipality, cid, to_on=body.to_on,
                                       recorded_by=page.user.name, command_id=form.command)

    return post_form(page, cid, "bridging_end", run, message="korttidsopphold")


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

    return post_form(page, cid, "wishes", run, {"facility_ids": "wishes"})


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

    return post_form(page, cid, "interim_services", run, {"services": "service_1"})


def _case_ref(raw: str) -> str:
    """A case number as typed, or pasted with its page's address (…/saker/{id}?…)."""
    text = raw.strip()
    if "/saker/" in text:
        text = text.rsplit("/saker/", 1)[1]
        for end in ("/", "?", "#"):
            text = text.split(end, 1)[0]
    return text


@router.post("/saker/{case_id}/ektefelle/sok", name="page_case_spouse_search")
def spouse_search(case_id: str, page: OfficerForm) -> Response:
    """R10: find the spouse's or cohabitant's case by name, case number or identity number
    (posted, never in an address); the case page is drawn again with the cases found to
    choose from (no id is typed or copied)."""
    cid = parse_id(case_id)
    page.load_case(cid, "read_case")
    form = page.form("spouse")
    found = find_typed(page, form, "spouse_search", limit=SPOUSE_CHOICES)
    if found is None:
        return case_page(page, cid, forms={"spouse": form}, status=422)
    if not [d for d in found.docs if d["case_id"] != str(cid)]:
        form.refuse("spouse_search", "Fant ingen annen sak som passer med søket. Sjekk "
                    "navnet eller saksnummeret; ektefellen eller samboeren må ha en sak i "
                    "kommunen (registrer søknaden først).")
        return case_page(page, cid, forms={"spouse": form}, status=422)
    return case_page(page, cid, forms={"spouse": form}, spouse_candidates=found.docs)


@router.post("/saker/{case_id}/ektefelle", name="page_case_spouse")
def spouse(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> list[UUID]:
        body = validated(form, SpouseIn, {"spouse_case_id": _case_ref(form.get("spouse"))},
                         {"spouse_case_id": "Søk opp ektefellens eller samboerens sak med "
                                            "navn eller saksnummer, og velg den i listen."},
                         {"spouse_case_id": "spouse_search"})
        try:
            page.service.get_case(page.municipality, body.spouse_case_id)
        except NotFound:
            page.audit_refused("write_case", body.spouse_case_id)
            form.refuse("spouse_search", "Fant ikke saken i kommunen. Søk på nytt.")
            raise FormInvalid(form) from None
        page.service.link_spouses(page.municipality, cid, body.spouse_case_id,
                                  command_id=form.command)
        return [body.spouse_case_id]

    return post_form(page, cid, "spouse", run, {"spouse_case_id": "spouse_search"},
                     message="ektefelle")


@router.post("/saker/{case_id}/medfolgende", name="page_case_accompanying")
def accompanying(case_id: str, page: OfficerForm) -> Response:
    """R11 (§ 2-3 annet ledd): a decision on an accompanying stay on this, the spouse's,
    case, naming the linked resident spouse's case."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> list[UUID]:
        wish = need.text("wish", "Skriv at begge ønsker å bo sammen (§ 2-3 annet ledd).")
        grounds = need.text("grounds", "Skriv begrunnelsen: de faktiske forholdene og "
                                       "hovedhensynene (§ 3-2).")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        need.done()
        case = page.service.get_case(page.municipality, cid)
        resident = case.spouse_case_id
        if resident is None:
            form.refuse("wish", "Koble ektefellens eller samboerens sak først (§ 2-3).")
            raise FormInvalid(form)
        page.service.decide_accompanying_stay(
            page.municipality, cid, resident_case_id=resident, wish=wish, grounds=grounds,
            decided_by=page.user.name, decided_on=decided_on, command_id=form.command)
        return [resident]

    return post_form(page, cid, "accompanying", run, {"resident_case_id": "wish"},
                     message="vedtak")


@router.post("/saker/{case_id}/medfolgende/nytt-vedtak",
             name="page_case_accompanying_conclusion")
def accompanying_conclusion(case_id: str, page: OfficerForm) -> Response:
    """R11: the new decision on an accompanying stay: ordinary stay, or it ends."""
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        outcome = need.choice("outcome", ACCOMPANYING_OUTCOMES, "Velg vedtak.")
        grounds = need.text("grounds", "Skriv begrunnelsen: de faktiske forholdene og "
                                       "hovedhensynene (§ 3-2).")
        ended_on = need.day("ended_on", "Skriv datoen oppholdet avsluttes som dd.mm.åååå.",
                            required=outcome == "ended")
        decided_on = need.day("decided_on", "Skriv vedtaksdatoen som dd.mm.åååå.",
                              required=False)
        need.done()
        assert outcome is not None
        page.service.conclude_accompanying_stay(
            page.municipality, cid, outcome=outcome, grounds=grounds,
            decided_by=page.user.name, ended_on=ended_on if outcome == "ended" else None,
            decided_on=decided_on, command_id=form.command)

    return post_form(page, cid, "accompanying_conclusion", run, message="vedtak")


@router.post("/saker/{case_id}/samtykke-adskilt", name="page_case_living_apart")
def living_apart(case_id: str, page: OfficerForm) -> Response:
    cid = parse_id(case_id)

    def run(form: Form, need: Need) -> None:
        body = validated(form, LivingApartIn, {"statement": form.get("statement").strip()},
                         {"statement": "Skriv samtykket med personens egne ord (§ 2-3)."})
        page.service.consent_to_living_apart(page.municipality, cid, statement=body.statement,
                                             recorded_by=page.user.name,
                                             command_id=form.command)

    return post_form(page, cid, "living_apart", run)
