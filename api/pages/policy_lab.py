"""«Hva om?» — the policy lab for management (issue 20): choose scenarios (allocation
method, capacity, policy), run them in the background over several seeds, and compare the
measures side by side with confidence intervals and charts. No persons: the simulation
runs on a store of its own (:mod:`simulator`). The scenarios start from the published
figures or from the municipality's own (its places, admissions, purchase price and policy
in force: :mod:`simulator.baseline`), read from the read models without any person's
data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Role
from api.pages.charts import Series, bar_chart, line_chart
from api.pages.web import Form, Page, PageRoute, form_for, page_for
from domain.base import local_date
from domain.values import PlaceType
from simulator.baseline import OwnFigures, PlaceRow, own_figures
from simulator.jobs import JOBS
from simulator.profile import SettingError
from simulator.scenario import Scenario, parse_scenario
from simulator.words import GROUPS, MEASURE_WORDS, TYPE_WORDS, bounded, cell

router = APIRouter(route_class=PageRoute)
ManagerPage = Annotated[Page, Depends(page_for(Role.MANAGER))]
ManagerForm = Annotated[Page, Depends(form_for(Role.MANAGER))]

METHOD_WORDS = {"optimizer": "Optimert tildeling", "greedy": "For hånd, etter rangering",
                "fcfs": "Først til mølla"}
#: what each method does, under the form
METHOD_HINTS = {
    "optimizer": "tjenestens tildelingsforslag for alle ledige plasser samlet, godkjent av "
                 "saksbehandler",
    "greedy": "én ledig plass om gangen til den første på ventelisten som passer",
    "fcfs": "én ledig plass om gangen etter ventelistedato alene, uten hast eller behov"}
#: the form's fields per scenario column (a, b, c): (name, label, default)
FIELDS = (("navn", "Navn", ""), ("metode", "Tildelingsmåte", "optimizer"),
          ("hyppighet", "Tildeling hver … dag (1 = daglig, 7 = ukentlig)", "1"),
          ("ekstra_ordinary", "Nye ordinære plasser", "0"),
          ("ekstra_screened", "Nye skjermede plasser", "0"),
          ("gjor_skjermet", "Ordinære plasser gjort om til skjermede", "0"),
          ("garanti", "Ventelistegaranti (måneder)", "3"),
          ("fritt_valg", "Fritt valg av sykehjem", ""),
          ("avslag", "Et avslått tilbud", "offer_fulfils_guarantee"),
          ("endret_behov", "Beboere med endret behov per år (%)", "10"),
          ("klage_avslag", "Avslag som påklages (%)", "10"),
          ("klage_prioritet", "Personer på ventelisten som klager på prioriteringen (%)",
           "5"))
_DEFAULTS = {name: default for name, _, default in FIELDS}
#: the form's percentages and the profile's settings they give (a share: per cent / 100)
PERCENT_FIELDS = {"endret_behov": "need_change_per_year", "klage_avslag": "complaint_share",
                  "klage_prioritet": "priority_complaint_share"}
DECLINE_WORDS = {"offer_fulfils_guarantee": "oppfyller garantien",
                 "guarantee_continues": "lar fristen løpe videre"}
_FIELD_NAMES = {"profile.places": "plasser", "method": "metode",
                "run_every_days": "hyppighet", "policy.guarantee_months": "garanti",
                **{setting: field for field, setting in PERCENT_FIELDS.items()}}


def _share(text: str, setting: str) -> float:
    """A percentage as the form gives it («12,5», «12 %») as a share of one."""
    try:
        return float(text.replace(",", ".").replace("%", "").strip()) / 100
    except ValueError:
        raise SettingError(setting, "a percentage") from None


#: the baselines the form offers
OWN, PUBLISHED = "egne", "profil"
#: why a published figure stands in for the municipality's own
KEPT_WORDS = {"no_admissions": "ingen innleggelser de siste tolv månedene",
              "out_of_range": "for få eller for mange innleggelser til å regne liggetid ut fra",
              "no_purchases": "ingen kjøpte plasser de siste tolv månedene"}
_MONTHS = ("jan.", "feb.", "mars", "april", "mai", "juni", "juli", "aug.", "sep.", "okt.",
           "nov.", "des.")


def own(page: Page) -> OwnFigures | None:
    """The municipality's own figures: its places now, the last twelve whole months'
    admissions and purchases (R13's statistics) and its policy in force."""
    today = local_date(page.service.clock.now())
    last = today.replace(day=1) - relativedelta(months=1)
    first = last - relativedelta(months=11)
    places = [PlaceRow(**p) for p in page.read.own_places(page.municipality)]
    months = page.read.statistics(page.municipality, first, last)
    _, _, policy = page.service.policy_on(page.municipality, today)
    return own_figures(places, months, policy, first, last)


def _month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def period_text(figures: OwnFigures) -> str:
    """The months the municipality's flows are read from («des. 2025–nov. 2026»)."""
    return f"{_month(figures.first_month)}–{_month(figures.last_month)}"


def baseline_text(figures: OwnFigures | None) -> str:
    """What the scenarios start from, in the manager's words."""
    if figures is None:
        return "standardprofilen (publiserte norske tall)"
    return f"kommunens egne tall ({period_text(figures)}), ellers publiserte norske tall"


def figure_rows(figures: OwnFigures) -> list[tuple[str, str]]:
    """The municipality's figures the lab takes, and those it cannot, in words."""
    s, beds = figures.settings, figures.beds
    rows = [("Langtidsplasser", f"{figures.places} ({beds['ordinary']} ordinære, "
             f"{beds['screened']} skjermede, {beds['reinforced']} forsterkede)"),
            ("I rom for to", f"{figures.double_room_beds} plasser"),
            ("Institusjoner", str(figures.facilities))]
    if "admissions_per_1000" in s:
        rows.append(("Innleggelser per år per 1000 plasser",
                     f"{s['admissions_per_1000']:g} ({figures.admissions} innleggelser i "
                     "perioden)".replace(".", ",")))
    else:
        rows.append(("Innleggelser per år per 1000 plasser", "publisert tall, "
                     + KEPT_WORDS[figures.kept["admissions_per_1000"]]))
    if "purchase_price_per_day" in s:
        rows.append(("Kjøpt plass per døgn", f"{s['purchase_price_per_day']:,} kr"
                     .replace(",", "\u00a0")))
    else:
        rows.append(("Kjøpt plass per døgn", "publisert tall, "
                     + KEPT_WORDS[figures.kept["purchase_price_per_day"]]))
    p = figures.policy
    rows.append(("Retningslinjer nå", f"ventelistegaranti {p['guarantee_months']} måneder, "
                 f"fritt valg {'ja' if p['free_choice'] else 'nei'}, et avslått tilbud "
                 f"{DECLINE_WORDS.get(p['declined_offer_effect'], '')}"))
    return rows


def _scenario_values(form: Form, col: str, places: int,
                     base: dict[str, Any] | None = None) -> dict[str, Any] | None:
    name = form.get(f"{col}_navn").strip()
    if not name:
        return None
    convert = int(form.get(f"{col}_gjor_skjermet") or 0)
    return {"name": name, "method": form.get(f"{col}_metode"),
            "run_every_days": form.get(f"{col}_hyppighet") or "1",
            "extra_places": {"ordinary": form.get(f"{col}_ekstra_ordinary") or "0",
                             "screened": form.get(f"{col}_ekstra_screened") or "0"},
            "convert_places": {"ordinary": -convert, "screened": convert} if convert else {},
            "policy": {"guarantee_months": form.get(f"{col}_garanti") or "3",
                       "free_choice": form.checked(f"{col}_fritt_valg"),
                       "declined_offer_effect": form.get(f"{col}_avslag")
                       or "offer_fulfils_guarantee"},
            "profile": {**(base or {"places": places}),
                        **{setting: _share(form.get(f"{col}_{field}") or _DEFAULTS[field],
                                           setting)
                           for field, setting in PERCENT_FIELDS.items()}}}


def _lab(page: Page, figures: OwnFigures | None, form: Form | None = None,
         status: int = 200) -> HTMLResponse:
    """The page; ``form`` a refused one (None: a fresh form, its policy fields and free
    choice as the municipality's policy in force)."""
    policy = figures.policy if figures is not None else {}
    # the scenarios' policy fields start from the policy in force
    start = {f"{col}_{field}": value for col in "abc" for field, value in (
        ("garanti", str(policy.get("guarantee_months", 3))),
        ("avslag", policy.get("declined_offer_effect", "offer_fulfils_guarantee")))}
    return page.render("policy_lab.html", status=status, title="Hva om?",
                       forms={"lab": form} if form else {}, fields=FIELDS,
                       methods=METHOD_WORDS, method_hints=METHOD_HINTS, declines=DECLINE_WORDS,
                       jobs=JOBS.of(page.municipality), years_text=years_text,
                       figures=figures, figure_rows=figure_rows(figures) if figures else [],
                       start=start,
                       free_choice=form is None and bool(policy.get("free_choice")),
                       period=period_text(figures) if figures else "", OWN=OWN,
                       PUBLISHED=PUBLISHED)


@router.get("/ledelse/hva-om", name="page_policy_lab")
def lab(page: ManagerPage) -> HTMLResponse:
    return _lab(page, own(page))


@router.post("/ledelse/hva-om", name="page_policy_lab_run")
def run(page: ManagerForm) -> Response:
    form = page.form("lab")
    figures = own(page)
    base: dict[str, Any] | None = None
    if form.get("grunnlag") == OWN:
        if figures is None:
            form.refuse("grunnlag", "Kommunen har ingen åpne langtidsplasser å regne ut fra; "
                        "velg standardprofilen.")
            return _lab(page, figures, form, 422)
        if figures.places > 1000:
            form.refuse("grunnlag", f"Kommunen har {figures.places} plasser; her simuleres "
                        "opptil 1000. Bruk kommandolinjen (python -m simulation) for flere.")
            return _lab(page, figures, form, 422)
        base = dict(figures.settings)
    elif form.get("grunnlag") not in (None, "", PUBLISHED):
        form.refuse("grunnlag", "Velg et grunnlag for scenarioene.")
        return _lab(page, figures, form, 422)
    try:  # a decimal comma, as Norwegians write (0,5 år)
        places = int(base["places"] if base else form.get("plasser") or 120)
        years = float((form.get("ar") or "3").replace(",", ".").strip())
        seeds = int(form.get("frø") or 5)
    except ValueError:
        form.refuse(None, "Plasser, år og antall kjøringer må være tall.")
        return _lab(page, figures, form, 422)
    if not 1 <= places <= 1000 or not 0.25 <= years <= 10 or not 1 <= seeds <= 20:
        form.refuse(None, "Velg 1–1000 plasser, 0,25–10 år og 1–20 kjøringer per scenario.")
        return _lab(page, figures, form, 422)
    scenarios = []
    for col in "abc":
        try:
            values = _scenario_values(form, col, places, base)
            if values is not None:
                scenarios.append(parse_scenario(values))
        except ValueError as e:
            field = getattr(e, "field", "")
            form.refuse(f"{col}_{_FIELD_NAMES.get(field, field)}",
                        f"Scenario {col.upper()}: ugyldig verdi i «{field}».")
    if not scenarios and not form.failed:
        form.refuse("a_navn", "Gi minst ett scenario et navn.")
    if form.failed:
        return _lab(page, figures, form, 422)
    job = JOBS.start(page.municipality, scenarios, years=years, seeds=seeds,
                     baseline=baseline_text(figures if base else None))
    return RedirectResponse(f"/ledelse/hva-om/{job.id}", status_code=303)


def years_text(years: float) -> str:
    """«1», «0,25»: years without a needless decimal."""
    return f"{years:g}".replace(".", ",")


def _every(days: int) -> str:
    return {0: "straks (hver gang noen får vedtak eller en plass blir ledig)", 1: "daglig",
            7: "ukentlig"}.get(days, f"hver {days}. dag")


def _places(scenario: Scenario) -> str:
    by_type = scenario.places_by_type()
    words = {PlaceType.ORDINARY: "ordinære", PlaceType.SCREENED: "skjermede",
             PlaceType.REINFORCED: "forsterkede"}
    return ", ".join(f"{n} {words[t]}" for t, n in by_type.items() if n)


def settings_rows(scenarios: list[Scenario]) -> list[tuple[str, list[str]]]:
    """What each scenario is, in the manager's words (beside the measures)."""
    policy = [s.policy for s in scenarios]
    return [
        ("Tildelingsmåte", [METHOD_WORDS[s.method] for s in scenarios]),
        ("Tildeling", [_every(s.run_every_days) for s in scenarios]),
        ("Langtidsplasser", [_places(s) for s in scenarios]),
        ("Ventelistegaranti", [f"{p.get('guarantee_months', 3)} måneder" for p in policy]),
        ("Fritt valg av sykehjem", ["ja" if p.get("free_choice") else "nei" for p in policy]),
        ("Et avslått tilbud", [DECLINE_WORDS[p.get("declined_offer_effect",
                                                   "offer_fulfils_guarantee")]
                               for p in policy]),
        ("Beboere med endret behov per år", [_percent(s.profile.need_change_per_year)
                                             for s in scenarios]),
        ("Avslag som påklages", [_percent(s.profile.complaint_share) for s in scenarios]),
        ("Personer på ventelisten som klager på prioriteringen",
         [_percent(s.profile.priority_complaint_share) for s in scenarios]),
    ]


def _percent(share: float) -> str:
    return f"{share * 100:g} %".replace(".", ",")


def _bars(key: str, scen: list[dict[str, Any]], names: list[str], unit: str) -> Any:
    cis = [s["measures"][key] for s in scen]
    ranges: list[tuple[float, float] | None] = []
    for ci in cis:
        low, high = bounded(ci)
        ranges.append(None if low is None or high is None else (low, high))
    return bar_chart(MEASURE_WORDS[key], "Snitt over kjøringene per scenario, med 95 % "
                     "konfidensintervall.", names,
                     [Series("Snitt over kjøringene", [ci["mean"] for ci in cis])],
                     unit=unit, ranges=[ranges])


@router.get("/ledelse/hva-om/{job_id}", name="page_policy_lab_job")
def job_page(job_id: str, page: ManagerPage) -> HTMLResponse:
    job = JOBS.get(page.municipality, job_id)
    if job is None:
        return page.render("error.html", status=404, title="Finnes ikke",
                           error_message="Denne simuleringen finnes ikke (lenger).")
    groups: list[tuple[str, list[tuple[str, list[str]]]]] = []
    charts: list[tuple[str, str, str, Any]] = []
    if job.result is not None:
        scen = job.result["scenarios"]
        names = [s["scenario"]["name"] for s in scen]
        for heading, measures in GROUPS:
            groups.append((heading, [(MEASURE_WORDS[m], [cell(m, s["measures"][m])
                                                        for s in scen]) for m in measures]))
        groups.append(("Belegg", [
            (f"Belegg, {words}", [cell(t, s["measures"]["occupancy"].get(t, {}), share=True)
                                  for s in scen]) for t, words in TYPE_WORDS.items()]))
        charts.append(("fristbrudd", "Fristbrudd per 100 vedtak", "Snitt over kjøringene; "
                       "streken viser 95 % konfidensintervall.",
                       _bars("breaches_per_100_decisions", scen, names, "per 100 vedtak")))
        charts.append(("ventetid", "Lengste ventetider", "90-persentil for ventetid fra "
                       "vedtak til innflytting: 9 av 10 flyttet inn innen så mange dager. "
                       "Streken viser 95 % konfidensintervall.",
                       _bars("wait_to_admission_p90", scen, names, "dager")))
        weeks = max((len(s["measures"]["waiting_by_week"]) for s in scen), default=0)
        charts.append(("venteliste", "Ventelisten over tid", "Antall personer på "
                       "ventelisten ved slutten av hver uke, snitt over kjøringene.",
                       line_chart("Ventelisten over tid", "Antall på ventelisten ved slutten "
                                  "av hver uke, snitt over kjøringene, per scenario.",
                                  [f"uke {w + 1}" for w in range(weeks)],
                                  [Series(n, s["measures"]["waiting_by_week"])
                                   for n, s in zip(names, scen, strict=True)],
                                  unit="personer", whole=True)))
    return page.render("policy_lab_job.html",
                       title="Hva om? – resultat" if job.done else "Hva om? – simulerer",
                       job=job, settings=settings_rows(list(job.scenarios)), groups=groups,
                       charts=charts, years=years_text(job.years),
                       percent=round(job.progress * 100))
