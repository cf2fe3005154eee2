"""The pages on the reworked domain ("Right by law", "One order, told truly"): urgency as a
grant shown apart (R4, R15), the guarantee from its one state function (R18, R23), the
decision date (R24), the new § 2-2 forms (R8), bridging short-term stays (R2), offers with
their answer deadline and suitability (R18, R26), the priority suggestion (R16, R17), one
open case per person (R25), reviews (R27), the deadline monitor's grants (R4), the run that
names the unassessed (R16) and the vacancy board's planned move-outs (R24) — and the words
a user reads: Norwegian, paragraphs not rule codes, no ids."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from uuid import UUID

from application.clock import ManualClock
from application.service import AllocationService
from domain.values import (
    PlaceType,
    PolicySettings,
    StayEndReason,
)
from tests.builders import MUNICIPALITY as M
from tests.builders import START, person_number, place, waiting_case
from tests.pages.conftest import Browser, caught_up

TODAY = START.date()
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RULE_CODE = re.compile(r"\bR\d{1,2}\b")


class Visible(HTMLParser):
    """The text a user reads (no markup, attributes, scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.hidden += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def stat(html: str, ident: str) -> int:
    found = re.search(rf'id="{ident}"><span class="n">(\d+)</span>', html)
    assert found, ident
    return int(found.group(1))


def row_of(html: str, case_id: UUID) -> tuple[str, str]:
    """(the row's class, the row's HTML) of a case in a list."""
    found = re.search(rf'<tr class="(\w*)" data-case="{case_id}">(.*?)</tr>', html, re.S)
    assert found, case_id
    return found.group(1), found.group(2)


def table(html: str, ident: str) -> str:
    found = re.search(rf'<table id="{ident}">(.*?)</table>', html, re.S)
    assert found, ident
    return found.group(1)


def assess(service: AllocationService, case_id: UUID, need: int = 60) -> None:
    service.assess_priority(M, case_id, factors={"function": 3}, need_score=need,
                            assessor="Sykepleier", departure_reason="faglig skjønn")


# --- urgency is a grant (R4, R15) ------------------------------------------------------------


def test_r15_the_urgency_form_records_a_grant_and_says_how_it_ends(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Gunnar Straks")
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert "Fatt vedtak om langtidsopphold straks" in html
    assert "Fjern hastemarkering" not in html
    done = officer.post_form(url, f"{url}/hast", {
        "reason": "Faller om natten og er alene", "decided_on": "2026-03-02"}, follow=True)
    assert done.status_code == 200
    assert "Vedtaket om langtidsopphold straks er fattet." in done.text
    case = service.get_case(M, case_id)
    assert case.status.value == "granted"
    decision = case.current_decision
    assert decision is not None and decision.kind == "grant"
    text = visible(done.text)
    assert "Fjern hastemarkering" not in text and 'id="skjema-urgent"' not in done.text
    assert "Det avsluttes bare ved et nytt ventelistevedtak" in text
    assert "fattes et nytt ventelistevedtak her" in text
    assert "ingen frist: vedtaket om langtidsopphold skal iverksettes straks" in text
    assert "Vedtak om langtidsopphold straks, ordinær plass; vedtaksdato 02.03.2026" in text


def test_r15_urgency_needs_a_reason(service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/hast", {"reason": " "})
    assert answer.status_code == 422
    assert 'id="urgent-reason-feil"' in answer.text
    assert "(§ 3-3 første ledd)" in answer.text
    assert service.get_case(M, case_id).status.value == "waiting"


def test_r15_a_waiting_list_decision_ends_the_grant_and_keeps_the_waiting_list_date(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service)
    clock.advance(days=3)
    service.mark_urgent(M, case_id, reason="Alene om natten", assessed_by="Kari")
    url = f"/saker/{case_id}"
    done = officer.post_form(url, f"{url}/vedtak", {
        "kind": "waiting_list", "place_type": "ordinary", "safe_at_home": "ja",
        "grounds": "Datteren har flyttet hjem", "decided_by": "Kari Nordmann",
        "service_1": "hjemmesykepleie", "extent_1": "tre besøk daglig"}, follow=True)
    assert done.status_code == 200, done.text[:2000]
    assert service.get_case(M, case_id).status.value == "waiting"
    assert re.search(r'id="ventelistedato">02\.03\.2026<', done.text)


def test_r15_grant_shown_apart_with_days_since(service: AllocationService,
                                               clock: ManualClock, officer: Browser) -> None:
    waiting = waiting_case(service, name="Vera Venter")
    assess(service, waiting, 90)
    granted = waiting_case(service, name="Gunnar Straks")
    service.mark_urgent(M, granted, reason="Alene om natten", assessed_by="Kari")
    clock.advance(days=2)
    html = officer.get("/venteliste").text
    apart = table(html, "iverksettes")
    assert "Gunnar Straks" in apart and "Vera Venter" not in apart
    assert "Gunnar Straks" not in table(html, "venteliste")
    assert html.index("Skal iverksettes nå") < html.index('id="venteliste"')
    cls, row = row_of(html, granted)
    assert cls == "" and '<td class="num">2' in row and "Alene om natten" in row
    assert re.match(r'\s*<td class="num">1</td>', row)  # first in the one order
    clock.advance(days=2)  # four days: over the policy's three
    html = officer.get("/venteliste").text
    cls, row = row_of(html, granted)
    assert cls == "breach" and "over 3 dager" in row
    assert "1 skal iverksettes nå, 1 over 3 dager" in visible(html)
    page = visible(officer.get(f"/saker/{granted}").text)
    assert "Vedtaket om langtidsopphold fra 02.03.2026 er ikke iverksatt etter 4 dager." in page
    assert "ikke iverksatt innen 3 dager" in page


# --- the deadline monitor: grants not carried out (R4) -------------------------------------


def test_r4_the_deadline_monitor_shows_grants_not_carried_out(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    granted = waiting_case(service, name="Gunnar Straks")
    service.mark_urgent(M, granted, reason="Alene om natten", assessed_by="Kari")
    clock.advance(days=5)
    browser.sign_in("leder")
    html = browser.get("/ledelse/frister").text
    assert stat(html, "antall-ikke-iverksatt") == 1
    rows = table(html, "vedtak-ikke-iverksatt")
    assert "02.03.2026" in rows and '<td class="num">5</td>' in rows
    assert "Gunnar Straks" not in html  # no names for management
    browser.sign_in("saksbehandler")
    unit = browser.get("/frister")
    assert unit.status_code == 200
    rows = table(unit.text, "vedtak-ikke-iverksatt")
    assert f'<a href="/saker/{granted}">Gunnar Straks</a>' in rows


def test_r12_the_counts_agree_with_the_deadline_monitor(
        service: AllocationService, clock: ManualClock, officer: Browser,
        runtime) -> None:  # type: ignore[no-untyped-def]
    breached = waiting_case(service, name="Brudd Registrert")  # deadline 02.06
    waiting_case(service, name="Brudd Ikke Registrert")  # deadline 02.06
    clock.set(START.replace(month=3, day=25))
    waiting_case(service, name="Snart Frist")  # deadline 25.06
    clock.set(START.replace(month=6, day=2))
    granted = waiting_case(service, name="Gunnar Straks")
    service.mark_urgent(M, granted, reason="Alene", assessed_by="Kari")
    clock.set(START.replace(month=6, day=10))
    assert service.check_deadlines(M, case_ids=[breached]) == [breached]
    html = officer.get("/venteliste").text
    counts = caught_up(runtime).read.deadline_monitor(M).counts
    monitor = runtime.read.deadline_monitor(M)
    assert stat(html, "antall-snart") == counts["due_30"] == 1
    assert stat(html, "antall-passert") == counts["overdue"] == 1
    assert stat(html, "antall-brudd") == len({r.case_id for r in monitor.breaches
                                              if r.still_waiting}) == 1
    assert stat(html, "antall-straks") == 1
    assert "1 over 3 dager" in visible(html) and counts["grants_overdue"] == 1
    cls, row = row_of(html, breached)
    assert cls == "breach" and "fristbrudd 10.06.2026" in row


# --- the guarantee in words, the waiting-list date, the decision date (R18, R23, R24) ---------


def test_r18_the_guarantee_in_words_from_its_one_state(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    text = visible(officer.get(url).text)
    assert "Ventelistedato 02.03.2026" in text
    assert "løper: frist 02.06.2026, 92 dager igjen" in text
    offer_id = service.make_offer(M, case_id, made_by="x", place_id=place(service))
    assert "oppfylt den 02.03.2026 ved tilbud (venter på svar)" in visible(
        officer.get(url).text)
    service.decline_offer(M, case_id, offer_id, reason="Vil vente på Lyngtun")
    text = visible(officer.get(url).text)
    assert "oppfylt den 02.03.2026 ved tilbud (takket nei)" in text
    row = row_of(officer.get("/venteliste").text, case_id)[1]
    assert "oppfylt 02.03.2026" in row


def test_r18_a_breach_in_words_on_the_case_and_the_list(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service)
    clock.set(START.replace(month=6, day=4))
    text = visible(officer.get(f"/saker/{case_id}").text)
    assert "fristen 02.06.2026 er passert uten tilbud (2 dager over fristen)" in text
    row = row_of(officer.get("/venteliste").text, case_id)
    assert row[0] == "breach" and "2 dager over fristen" in row[1]
    service.check_deadlines(M)
    text = visible(officer.get(f"/saker/{case_id}").text)
    assert "fristbrudd den 04.06.2026 (fristen var 02.06.2026)" in text
    assert "Personens valg etter fristbrudd (§ 3-4 annet ledd)" in text


def test_r24_the_decision_form_takes_the_decision_date(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service)
    service.mark_urgent(M, case_id, reason="Alene", assessed_by="Kari")
    clock.advance(days=10)
    url = f"/saker/{case_id}"
    html = officer.get(url).text
    assert 'id="decide-decided_on" name="decided_on" type="date" value="2026-03-12"' in html
    form = {"kind": "waiting_list", "place_type": "ordinary", "safe_at_home": "ja",
            "grounds": "Bedre hjemme", "decided_by": "Kari Nordmann",
            "service_1": "hjemmesykepleie", "extent_1": "daglig"}
    future = officer.post_form(url, f"{url}/vedtak", {**form, "decided_on": "2026-04-01"})
    assert future.status_code == 422
    assert 'id="decide-decided_on-feil"' in future.text
    assert "Datoen kan ikke være fram i tid." in future.text
    assert 'value="2026-04-01"' in future.text
    done = officer.post_form(url, f"{url}/vedtak", {**form, "decided_on": "2026-03-05"})
    assert done.status_code == 303
    decision = service.get_case(M, case_id).current_decision
    assert decision is not None and decision.decided_on == date(2026, 3, 5)
    assert "vedtaksdato 05.03.2026" in visible(officer.get(url).text)


# --- the § 2-2 forms (R8) -------------------------------------------------------------------


def new_case(service: AllocationService, name: str = "Astrid Lie") -> UUID:
    return service.receive_application(M, identity_number=person_number(), name=name)


def test_r8_a_statement_of_no_relatives_meets_item_one(service: AllocationService,
                                                      officer: Browser) -> None:
    case_id = new_case(service)
    url = f"/saker/{case_id}"
    empty = officer.post_form(url, f"{url}/ingen-parorende", {"statement": ""})
    assert empty.status_code == 422 and 'id="no_relatives-statement-feil"' in empty.text
    done = officer.post_form(url, f"{url}/ingen-parorende",
                             {"statement": "Personen har ingen familie og ingen verge."},
                             follow=True)
    assert done.status_code == 200
    assert "erklæring om at det ikke er pårørende eller verge å spørre" in done.text
    assert "opplysninger fra pårørende eller verge" not in visible(done.text).split(
        "Før vedtak om plass mangler:")[-1]
    assert "Erklæring om at det ikke er pårørende eller verge å spørre: Personen har " \
        "ingen familie" in done.text


def test_r8_dementia_suspected_shows_the_banner_and_no_offer_can_be_made(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    place_id = place(service)
    url = f"/saker/{case_id}"
    done = officer.post_form(url, f"{url}/demensmistanke",
                             {"reason": "Glemmer å spise, går seg bort"}, follow=True)
    assert done.status_code == 200
    banner = "Demensutredning mangler — ingen tilbud kan gis før den er gjort (§ 2-2)."
    assert banner in done.text
    assert 'id="skjema-offer"' not in done.text
    refused = officer.post_form(url, f"{url}/tilbud", {"target": f"place:{place_id}"})
    assert refused.status_code == 422 and banner in refused.text
    assert service.get_case(M, case_id).offers == {}
    after = officer.post_form(url, f"{url}/demensutredning", {
        "finding": "not_confirmed", "conclusion": "Ikke demens"}, follow=True)
    assert banner not in after.text and 'id="skjema-offer"' in after.text


def test_r8_other_services_changed_and_the_competence_centre(
        service: AllocationService, officer: Browser) -> None:
    case_id = new_case(service)
    url = f"/saker/{case_id}"
    done = officer.post_form(url, f"{url}/andre-tjenester", {"receives": "nei"}, follow=True)
    assert done.status_code == 200
    assert "personen mottar ikke andre tjenester" in done.text  # IPLOS not needed
    assert "Personen mottar ikke lenger andre helse- og omsorgstjenester" in done.text
    medical = officer.post_form(url, f"{url}/medisinsk", {
        "source": "gp", "summary": "Sammensatte behov", "competence_centre_involved": "on"},
        follow=True)
    assert medical.status_code == 200
    assert service.get_case(M, case_id).docs.competence_centre_involved
    assert "(et kompetansesenter har vært involvert)" in medical.text


# --- bridging short-term stays (R2, R15) ----------------------------------------------------


def test_r2_a_bridging_short_term_stay_is_recorded_shown_and_ended(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service, name="Kort Tid")
    url = f"/saker/{case_id}"
    done = officer.post_form(url, f"{url}/korttidsopphold", {
        "facility_name": "Lia korttidsavdeling", "unit": "K2", "from_on": "2026-03-02"},
        follow=True)
    assert done.status_code == 200
    assert "Korttidsoppholdet er registrert." in done.text
    assert "Lia korttidsavdeling, avd. K2, fra 02.03.2026, pågår" in visible(done.text)
    row = row_of(officer.get("/venteliste").text, case_id)[1]
    assert "korttidsopphold ved Lia korttidsavdeling, avd. K2" in row
    clock.advance(days=5)
    ended = officer.post_form(url, f"{url}/korttidsopphold/avslutt", {"to_on": "2026-03-06"},
                              follow=True)
    assert ended.status_code == 200
    assert "fra 02.03.2026 til 06.03.2026" in visible(ended.text)
    assert "Korttidsoppholdet i påvente av langtidsplass avsluttet 06.03.2026" in ended.text
    assert "korttidsopphold" not in row_of(officer.get("/venteliste").text, case_id)[1]


def test_r2_a_bridging_stay_ending_before_it_starts_is_refused(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    answer = officer.post_form(url, f"{url}/korttidsopphold", {
        "facility_name": "Lia", "unit": "K2", "from_on": "2026-03-02",
        "to_on": "2026-03-01"})
    assert answer.status_code == 422
    assert "Sluttdatoen kan ikke være før oppholdet startet." in answer.text
    assert service.get_case(M, case_id).bridging == []


# --- offers: answer deadline, availability, suitability, lapse (R18, R26) ---------------------


def test_r26_an_offer_shows_its_answer_deadline_and_the_day_it_is_available(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    service.make_offer(M, case_id, made_by="x", place_id=place(service))
    answer_by = TODAY + timedelta(days=PolicySettings().offer_answer_days)
    html = officer.get(f"/saker/{case_id}").text
    offers = table(html, "tilbudene")
    assert "<th scope=\"col\">Svarfrist</th>" in offers and "Ledig fra" in offers
    assert f"<td>{answer_by:%d.%m.%Y}</td>" in offers
    assert "teller ikke for garantien" not in offers
    assert f"svarfrist {answer_by:%d.%m.%Y}" in html  # the timeline


def test_r18_an_offer_unlike_the_decision_needs_a_reason_and_does_not_count(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, place_type=PlaceType.SCREENED)
    place_id = place(service, place_type=PlaceType.ORDINARY)
    url = f"/saker/{case_id}"
    refused = officer.post_form(url, f"{url}/tilbud", {"target": f"place:{place_id}"})
    assert refused.status_code == 422
    assert "Plassen svarer ikke til vedtaket (ikke plasstypen i vedtaket)" in refused.text
    assert "teller ikke som oppfylt garanti (§ 3-4)" in refused.text
    assert 'id="offer-unsuitable_reason-feil"' in refused.text
    assert service.get_case(M, case_id).offers == {}
    done = officer.post_form(url, f"{url}/tilbud", {
        "target": f"place:{place_id}",
        "unsuitable_reason": "Ingen skjermet plass ledig; personen vil ha plass nå"},
        follow=True)
    assert done.status_code == 200
    offers = table(done.text, "tilbudene")
    assert "teller ikke for garantien" in offers and "ikke plasstypen i vedtaket" in offers
    assert "løper: frist 02.06.2026" in visible(done.text)  # the clock is not stopped
    row = row_of(officer.get("/venteliste").text, case_id)[1]
    assert "teller ikke for garantien" in row


def test_r26_lapsed_offer_shown(service: AllocationService, clock: ManualClock,
                                officer: Browser) -> None:
    case_id = waiting_case(service)
    place(service, facility_id="havglimt")
    offer_id = service.make_offer(M, case_id, made_by="x",
                                  place_id=next(iter(service.place_ids())))
    url = f"/saker/{case_id}"
    assert f"/tilbud/{offer_id}/bortfalt" not in officer.get(url).text  # not yet due
    clock.advance(days=4)
    html = officer.get(url).text
    assert "Svarfristen 05.03.2026 er passert uten svar." in html
    assert "svarfristen er passert" in row_of(officer.get("/venteliste").text, case_id)[1]
    done = officer.post_form(url, f"{url}/tilbud/{offer_id}/bortfalt", {}, follow=True)
    assert done.status_code == 200
    assert "Tilbudet er registrert som bortfalt, og plassen er frigjort." in done.text
    assert "bortfalt — ikke besvart innen svarfristen" in table(done.text, "tilbudene")
    assert "Tilbudet bortfalt — ikke besvart innen svarfristen 05.03.2026" in done.text
    assert "oppfylt den 02.03.2026 ved tilbud (bortfalt, ikke besvart innen svarfristen)" \
        in visible(done.text)
    board = officer.get("/ledige-plasser").text
    assert re.search(r"<h2>Havglimt</h2>.*?<td>ledig</td>", board, re.S)


# --- priority: the suggestion, special weight (R16, R17) ------------------------------------


def test_r16_the_priority_form_shows_special_weight_and_what_lowers_the_need(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    html = officer.get(f"/saker/{case_id}").text
    form = html[html.index('id="skjema-priority"'):html.index('id="skjema-urgent"')]
    special = form.index("Særlig vekt (§ 3-3 annet ledd)")
    lowers = form.index("Forhold som trekker behovet ned")
    assert special < form.index("Omsorg ved livets slutt") < form.index("Kognitiv svikt") \
        < form.index("Andre forhold som øker behovet") < lowers \
        < form.index("Rehabiliteringspotensial")
    assert 'data-suggest="/priority-suggestion"' in form
    assert 'aria-live="polite"' in form


def test_r16_the_suggestion_without_javascript_after_a_refused_save(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    factors = {"end_of_life": 2, "function": 3}
    suggested = PolicySettings().suggested_need_score(factors)
    answer = officer.post_form(url, f"{url}/prioritet", {
        "factor_end_of_life": "2", "factor_function": "3", "need_score": "5",
        "assessor": "Sykepleier Hansen"})
    assert answer.status_code == 422
    assert f"Forslag etter retningslinjene: {suggested} (særlig vekt)" in answer.text
    assert "skriv begrunnelsen for avviket" in answer.text
    ok = officer.post_form(url, f"{url}/prioritet", {
        "factor_end_of_life": "2", "factor_function": "3", "need_score": str(suggested),
        "assessor": "Sykepleier Hansen", "assessed_on": "2026-03-01"})
    assert ok.status_code == 303
    assessment = service.get_case(M, case_id).priority
    assert assessment is not None and assessment.assessed_on == date(2026, 3, 1)


def test_r16_the_page_script_asks_the_suggestion_with_the_page_cookie(
        service: AllocationService, officer: Browser) -> None:
    """What ``site.js`` does: the JSON route answers the signed-in page (cookie, same
    origin) and records nothing on the case."""
    case_id = waiting_case(service)
    version = service.get_case(M, case_id).version
    answer = officer.client.post("/priority-suggestion",
                                 json={"factors": {"cognitive_failure": 1}})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["suggested_score"] == PolicySettings().suggested_need_score(
        {"cognitive_failure": 1})
    assert body["special_weight"] is True
    assert service.get_case(M, case_id).version == version
    from api.pages.web import STATIC_DIR

    script = (STATIC_DIR / "site.js").read_text()
    assert "credentials: \"same-origin\"" in script and "data-suggest" in script


def test_r16_unassessed_shown_as_not_assessed(service: AllocationService,
                                             officer: Browser) -> None:
    assessed = waiting_case(service, name="Har Vurdering")
    assess(service, assessed, 10)
    unassessed = waiting_case(service, name="Uten Vurdering")
    html = officer.get("/venteliste").text
    row = row_of(html, unassessed)[1]
    assert "ikke vurdert" in row and "0 poeng" not in row and "poeng" not in row
    assert html.index("Har Vurdering") < html.index("Uten Vurdering")
    assert stat(html, "antall-ikke-vurdert") == 1
    assert "ikke vurdert" in visible(officer.get(f"/saker/{unassessed}").text)


# --- one open case per person (R25) ---------------------------------------------------------


def test_r25_second_application_shows_the_open_case(service: AllocationService,
                                                    officer: Browser) -> None:
    number = person_number()
    first = service.receive_application(M, identity_number=number, name="Åse Åpen")
    position = service.recorder.max_notification_id()
    answer = officer.post_form("/saker/ny", "/saker/ny", {
        "identity_number": number, "name": "Åse Åpen", "channel": "paper"})
    assert answer.status_code == 409
    assert "Personen har allerede en åpen sak i kommunen." in answer.text
    assert f'<a href="/saker/{first}">Saken til Åse Åpen</a>' in answer.text
    assert not UUID_TEXT.search(visible(answer.text))  # a link, never the id in text
    assert service.open_case_of(M, number) == first
    # nothing but the access log was written: no second case
    written = service.recorder.select_notifications(start=position + 1, limit=100)
    assert [n for n in written if "ApplicationReceived" in n.topic] == []


# --- reviews and IPLOS (R27) ----------------------------------------------------------------


def test_r27_a_review_due_and_an_iplos_too_old_are_flagged(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    case_id = waiting_case(service)
    row = row_of(officer.get("/venteliste").text, case_id)[1]
    assert "revurdering" not in row and "IPLOS" not in row  # due in three months
    assert "innen 02.06.2026" in visible(officer.get(f"/saker/{case_id}").text)
    clock.set(START.replace(month=5, day=20))
    row = row_of(officer.get("/venteliste").text, case_id)[1]
    assert "revurdering innen 02.06.2026" in row  # within 30 days
    clock.set(START.replace(year=2027, month=3, day=10))
    html = officer.get("/venteliste").text
    row = row_of(html, case_id)[1]
    assert "revurdering forfalt 02.06.2026" in row
    assert "IPLOS eldre enn 12 måneder" in row
    text = visible(officer.get(f"/saker/{case_id}").text)
    assert "forfalt 02.06.2026" in text and "IPLOS eldre enn 12 måneder" in text


# --- the allocation page names the unassessed (R16) ------------------------------------------


def test_r16_a_run_with_unassessed_persons_names_them_and_asks_to_confirm(
        service: AllocationService, officer: Browser) -> None:
    assessed = waiting_case(service, name="Har Vurdering")
    assess(service, assessed)
    first = waiting_case(service, name="Uten Vurdering")
    second = waiting_case(service, name="Også Uvurdert")
    place(service)
    position = service.recorder.max_notification_id()
    answer = officer.post_form("/tildeling", "/tildeling", {})
    assert answer.status_code == 409
    html = answer.text
    assert "2 personer på ventelisten er ikke vurdert" in html
    assert f'<a href="/saker/{first}#prioritet">Uten Vurdering</a>' in html
    assert f'<a href="/saker/{second}#prioritet">Også Uvurdert</a>' in html
    assert "Har Vurdering" not in html
    text = visible(html)
    assert not UUID_TEXT.search(text) and "person(er)" not in text
    assert 'name="confirm_unassessed" value="ja"' in html
    assert "Kjør tildelingen likevel" in html
    runs = [n for n in service.recorder.select_notifications(start=position + 1, limit=100)
            if "AllocationRun" in n.topic]
    assert runs == []  # nothing run before the officer confirms


def test_r16_confirming_runs_the_allocation(service: AllocationService,
                                           officer: Browser) -> None:
    """Blocked until the optimizer's problem model lands (``Vacancy(facility_name=…)``)."""
    waiting_case(service, name="Uten Vurdering")
    place(service)
    ran = officer.post_form("/tildeling", "/tildeling", {"confirm_unassessed": "ja"})
    assert ran.status_code == 303
    assert ran.headers["location"].startswith("/tildeling/")


# --- the vacancy board: a planned move-out (R24) ---------------------------------------------


def test_r24_a_place_vacant_from_a_planned_move_out(service: AllocationService,
                                                    officer: Browser) -> None:
    resident = waiting_case(service, name="Flytter Snart")
    place_id = place(service, facility_id="lyngtun")
    offer_id = service.make_offer(M, resident, made_by="x", place_id=place_id)
    service.accept_offer(M, resident, offer_id)
    service.admit(M, resident, offer_id)
    service.end_stay(M, resident, reason=StayEndReason.MOVED, ended_on=date(2026, 3, 20))
    board = officer.get("/ledige-plasser").text
    assert re.search(r"<h2>Lyngtun</h2>.*?<td>ledig fra 20\.03\.2026</td>", board, re.S)
    waiting = waiting_case(service, name="Venter På Plass")
    html = officer.get(f"/saker/{waiting}").text
    assert re.search(rf'<option value="place:{place_id}">Lyngtun, avd\. A, rom \w+ — '
                     r"ordinær, enerom, ledig fra 20\.03\.2026</option>", html)


# --- the words a user reads ------------------------------------------------------------------


def test_pages_show_paragraphs_not_rule_codes_and_no_ids(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    first = waiting_case(service, name="Ingrid Berg")
    second = waiting_case(service, name="Olav Berg", spouse_case_id=first)
    granted = waiting_case(service, name="Gunnar Straks")
    service.mark_urgent(M, granted, reason="Alene", assessed_by="Kari")
    service.make_offer(M, second, made_by="x", place_id=place(service))
    service.suspect_dementia(M, first, reason="Glemsom", raised_by="Kari")
    service.record_wishes(M, second, facility_ids=["fjellheim"])
    clock.advance(days=5)
    for url in ("/venteliste", "/ledige-plasser", "/tildeling", "/frister", "/saker/ny",
                f"/saker/{first}", f"/saker/{second}", f"/saker/{granted}"):
        answer = officer.get(url)
        assert answer.status_code == 200, url
        text = visible(answer.text)
        assert not RULE_CODE.search(text), (url, RULE_CODE.findall(text))
        assert not UUID_TEXT.search(text), url
        assert "person(er)" not in text, url
        if url != "/ledige-plasser":  # the place form asks for the facility's short id
            assert "fjellheim" not in text, url


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        if ident:
            self.ids.append(ident)


def test_the_new_forms_have_labels_and_unique_ids(
        service: AllocationService, clock: ManualClock, officer: Browser) -> None:
    from tests.pages.test_case_and_board_forms import unlabelled

    waiting = waiting_case(service, name="Vera Venter")
    granted = waiting_case(service, name="Gunnar Straks")
    service.mark_urgent(M, granted, reason="Alene", assessed_by="Kari")
    suspected = waiting_case(service, name="Dina Demens")
    service.suspect_dementia(M, suspected, reason="Glemsom", raised_by="Kari")
    service.record_bridging_stay(M, suspected, facility_name="Lia", unit="K1",
                                 from_on=TODAY, recorded_by="Kari")
    service.make_offer(M, waiting, made_by="x", place_id=place(service))
    clock.advance(days=5)
    pages = {url: officer.get(url).text for url in (
        f"/saker/{waiting}", f"/saker/{granted}", f"/saker/{suspected}", "/venteliste",
        "/frister", "/saker/ny")}
    pages["/tildeling (ikke vurdert)"] = officer.post_form("/tildeling", "/tildeling", {}).text
    for url, html in pages.items():
        assert unlabelled(html) == [], url
        parser = Ids()
        parser.feed(html)
        doubles = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
        assert doubles == [], (url, doubles)


# --- the offer letter (R26) -----------------------------------------------------------------


def test_r26_the_offer_letter_names_the_place_the_deadline_and_what_declining_means(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, name="Brev Mottaker")
    offer_id = service.make_offer(M, case_id, made_by="x",
                                  place_id=place(service, facility_id="lyngtun"))
    html = officer.get(f"/saker/{case_id}").text
    assert f'href="/tilbudsbrev/{case_id}/{offer_id}"' in html
    letter = officer.get(f"/tilbudsbrev/{case_id}/{offer_id}")
    assert letter.status_code == 200
    text = visible(letter.text)
    assert "Tilbud om langtidsopphold" in text
    assert "ordinær plass ved Lyngtun (sykehjem)" in text
    assert "Plassen er ledig fra: 02.03.2026" in text
    assert "Svar innen 05.03.2026." in text
    assert "Tilbudet oppfyller ventelistegarantien (forskriften § 3-4). Takker du nei" in text
    assert "Du kan klage på tilbudet etter pasient- og brukerrettighetsloven § 7-2" in text
    assert "data-print" in letter.text
    other = waiting_case(service)
    assert officer.get(f"/tilbudsbrev/{other}/{offer_id}").status_code == 404


def test_r26_an_unsuitable_offers_letter_says_the_guarantee_runs_on(
        service: AllocationService, officer: Browser) -> None:
    case_id = waiting_case(service, place_type=PlaceType.SCREENED)
    offer_id = service.make_offer(M, case_id, made_by="x", place_id=place(service),
                                  unsuitable_reason="Ingen skjermet plass ledig")
    text = visible(officer.get(f"/tilbudsbrev/{case_id}/{offer_id}").text)
    assert "oppfyller derfor ikke ventelistegarantien" in text
    assert "fristen for tilbud løper videre" in text


def test_a_control_character_or_too_long_text_in_a_form_is_refused_in_words(
        service: AllocationService, officer: Browser) -> None:
    """Page forms go through the same check as JSON (the domain's): a NUL byte or an
    over-long text is refused beside the field, in Norwegian, and nothing is written."""
    case_id = waiting_case(service)
    url = f"/saker/{case_id}"
    before = service.get_case(M, case_id).version
    nul = officer.post_form(url, f"{url}/ingen-parorende", {"statement": "Ingen\x00 familie"})
    assert nul.status_code == 422 and "kontrolltegn" in nul.text
    long = officer.post_form(url, f"{url}/ingen-parorende", {"statement": "x" * 10_001})
    assert long.status_code == 422 and "Teksten er for lang" in long.text
    assert service.get_case(M, case_id).version == before  # only the access log was written
