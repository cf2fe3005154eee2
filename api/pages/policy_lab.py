"""«Hva om?» — the policy lab for management (issue 20): choose scenarios (allocation
method, capacity, policy), run them in the background over several seeds, and compare the
measures side by side with confidence intervals and charts. No persons: the simulation
runs on a store of its own (:mod:`simulator`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Role
from api.pages.charts import Series, bar_chart, line_chart
from api.pages.web import Form, Page, PageRoute, form_for, page_for
from simulator.compare import MEASURE_WORDS, MEASURES
from simulator.jobs import JOBS
from simulator.scenario import parse_scenario

router = APIRouter(route_class=PageRoute)
ManagerPage = Annotated[Page, Depends(page_for(Role.MANAGER))]
ManagerForm = Annotated[Page, Depends(form_for(Role.MANAGER))]

METHOD_WORDS = {"optimizer": "Optimert tildeling (forslag godkjent av saksbehandler)",
                "greedy": "Én ledig plass om gangen, etter rangering (for hånd)",
                "fcfs": "Først til mølla (ventelistedato)"}
TYPE_WORDS = {"ordinary": "Ordinær", "screened": "Skjermet", "reinforced": "Forsterket"}
#: the form's fields per scenario column (a, b, c): (name, label, default)
FIELDS = (("navn", "Navn", ""), ("metode", "Tildelingsmåte", "optimizer"),
          ("hyppighet", "Tildeling hver … dag (1 = daglig, 7 = ukentlig)", "1"),
          ("ekstra_ordinary", "Nye ordinære plasser", "0"),
          ("ekstra_screened", "Nye skjermede plasser", "0"),
          ("gjor_skjermet", "Ordinære plasser gjort om til skjermede", "0"),
          ("garanti", "Ventelistegaranti (måneder)", "3"),
          ("fritt_valg", "Fritt valg av sykehjem", ""),
          ("avslag", "Et avslått tilbud", "offer_fulfils_guarantee"))
DECLINE_WORDS = {"offer_fulfils_guarantee": "oppfyller garantien",
                 "guarantee_continues": "lar fristen løpe videre"}
_FIELD_NAMES = {"profile.places": "plasser", "method": "metode",
                "run_every_days": "hyppighet", "policy.guarantee_months": "garanti"}


def _scenario_values(form: Form, col: str, places: int) -> dict[str, Any] | None:
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
            "profile": {"places": places}}


def _lab(page: Page, form: Form | None = None, status: int = 200) -> HTMLResponse:
    return page.render("policy_lab.html", status=status, title="Hva om?",
                       forms={"lab": form} if form else {}, fields=FIELDS,
                       methods=METHOD_WORDS, declines=DECLINE_WORDS,
                       jobs=JOBS.of(page.municipality))


@router.get("/ledelse/hva-om", name="page_policy_lab")
def lab(page: ManagerPage) -> HTMLResponse:
    return _lab(page)


@router.post("/ledelse/hva-om", name="page_policy_lab_run")
def run(page: ManagerForm) -> Response:
    form = page.form("lab")
    try:
        places = int(form.get("plasser") or 120)
        years = float(form.get("ar") or 3)
        seeds = int(form.get("frø") or 5)
    except ValueError:
        form.refuse(None, "Plasser, år og antall kjøringer må være tall.")
        return _lab(page, form, 422)
    if not 1 <= places <= 1000 or not 0.25 <= years <= 10 or not 1 <= seeds <= 20:
        form.refuse(None, "Velg 1–1000 plasser, 0,25–10 år og 1–20 kjøringer per scenario.")
        return _lab(page, form, 422)
    scenarios = []
    for col in "abc":
        try:
            values = _scenario_values(form, col, places)
            if values is not None:
                scenarios.append(parse_scenario(values))
        except ValueError as e:
            field = getattr(e, "field", "")
            form.refuse(f"{col}_{_FIELD_NAMES.get(field, field)}",
                        f"Scenario {col.upper()}: ugyldig verdi i «{field}».")
    if not scenarios and not form.failed:
        form.refuse("a_navn", "Gi minst ett scenario et navn.")
    if form.failed:
        return _lab(page, form, 422)
    job = JOBS.start(page.municipality, scenarios, years=years, seeds=seeds)
    return RedirectResponse(f"/ledelse/hva-om/{job.id}", status_code=303)


def _cell(ci: dict[str, Any]) -> str:
    if ci.get("mean") is None:
        return "–"
    text = f"{ci['mean']:,.1f}".replace(",", " ").replace(".", ",")
    if ci.get("low") is None:
        return text
    lo = f"{ci['low']:,.1f}".replace(",", " ").replace(".", ",")
    hi = f"{ci['high']:,.1f}".replace(",", " ").replace(".", ",")
    return f"{text} ({lo} – {hi})"


@router.get("/ledelse/hva-om/{job_id}", name="page_policy_lab_job")
def job_page(job_id: str, page: ManagerPage) -> HTMLResponse:
    job = JOBS.get(page.municipality, job_id)
    if job is None:
        return page.render("error.html", status=404, title="Finnes ikke",
                           error_message="Denne simuleringen finnes ikke (lenger).")
    rows, charts = [], {}
    if job.result is not None:
        scen = job.result["scenarios"]
        names = [s["scenario"]["name"] for s in scen]
        rows = [(MEASURE_WORDS[m], [_cell(s["measures"][m]) for s in scen]) for m in MEASURES]
        for t, word in TYPE_WORDS.items():
            rows.append((f"Belegg {word.lower()} (andel)",
                         [_cell(s["measures"]["occupancy"].get(t, {})) for s in scen]))
        weeks = max((len(s["measures"]["waiting_by_week"]) for s in scen), default=0)
        charts["waiting"] = line_chart(
            "Ventelisten over tid", "Antall på ventelisten ved slutten av hver uke, snitt "
            "over kjøringene, per scenario.", [f"uke {w + 1}" for w in range(weeks)],
            [Series(n, s["measures"]["waiting_by_week"]) for n, s in zip(names, scen,
                                                                         strict=True)])
        for key, measure in (("breaches", "breaches_per_100_decisions"),
                             ("p90", "wait_to_admission_p90")):
            charts[key] = bar_chart(
                MEASURE_WORDS[measure], "Snitt over kjøringene per scenario.", names,
                [Series("Snitt", [s["measures"][measure]["mean"] for s in scen])])
    return page.render("policy_lab_job.html", title="Hva om? – resultat", job=job,
                       rows=rows, charts=charts, methods=METHOD_WORDS,
                       percent=round(job.progress * 100))
