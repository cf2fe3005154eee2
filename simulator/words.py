"""The measures in the words of the page «Hva om?» and the report (Norwegian bokmål): their
names, the sections they are shown in, and a mean with its 95 % interval written the
Norwegian way. Pure.

An interval is shown within the values the measure can take: Student's t over a few runs
can reach below zero (or above 100 % for a share), which no run can give; the page says so.
"""

from __future__ import annotations

from typing import Any

#: Each measure in the words of the page and the report.
MEASURE_WORDS = {
    "wait_to_offer_median": "Ventetid vedtak → tilbud, median (dager)",
    "wait_to_offer_p90": "Ventetid vedtak → tilbud, 90-persentil (dager)",
    "wait_to_admission_median": "Ventetid vedtak → innflytting, median (dager)",
    "wait_to_admission_p90": "Ventetid vedtak → innflytting, 90-persentil (dager)",
    "breaches_per_100_decisions": "Fristbrudd per 100 vedtak",
    "died_waiting": "Døde mens de ventet",
    "purchases": "Kjøpte plasser",
    "purchase_cost_nok": "Kostnad kjøpte plasser (kr)",
    "spouses_apart": "Ektefeller på ulike steder",
    "spouse_days_apart": "Døgn ektefeller bodde atskilt",
    "type_mismatches": "Innflyttet på annen plasstype enn vedtatt",
    "waiting_mean": "På ventelisten i snitt (personer)",
    "admissions": "Innflyttinger",
    "decisions": "Vedtak om plass eller venteliste",
    "need_changes": "Beboere med nytt vedtak om skjermet plass",
    "moves": "Flyttinger av beboere til annen plass",
    "moves_declined": "Flyttetilbud beboeren takket nei til",
    "complaints": "Klager på avslag",
    "complaints_upheld_by_unit": "Klager tatt til følge av kommunen",
    "complaints_changed_by_state_administrator": "Klager omgjort av Statsforvalteren",
    "complaints_confirmed_by_state_administrator": "Avslag stadfestet av Statsforvalteren",
    "complaints_open": "Klager ikke avgjort ved slutten",
    "priority_complaints": "Klager på prioriteringen",
    "priority_complaints_upheld": "Klager på prioriteringen tatt til følge",
}

#: The sections of the page and the report, each measure once, in order.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ventetid", ("wait_to_offer_median", "wait_to_offer_p90", "wait_to_admission_median",
                  "wait_to_admission_p90")),
    ("Fristbrudd og kjøpte plasser", ("breaches_per_100_decisions", "purchases",
                                      "purchase_cost_nok")),
    ("Vedtak og innflytting", ("decisions", "admissions", "waiting_mean", "died_waiting",
                               "type_mismatches")),
    ("Ektefeller", ("spouses_apart", "spouse_days_apart")),
    ("Flytting av beboere", ("need_changes", "moves", "moves_declined")),
    ("Klager på avslag", ("complaints", "complaints_upheld_by_unit",
                          "complaints_changed_by_state_administrator",
                          "complaints_confirmed_by_state_administrator", "complaints_open")),
    ("Klager på prioriteringen", ("priority_complaints", "priority_complaints_upheld")),
)

#: Occupancy per place type (a share), in the words of the page.
TYPE_WORDS = {"ordinary": "ordinære plasser", "screened": "skjermede plasser",
              "reinforced": "forsterkede plasser"}

_WHOLE_KRONER = {"purchase_cost_nok"}


def number(value: float, decimals: int = 1) -> str:
    """A number the Norwegian way: a space between thousands, a decimal comma."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")


def bounded(ci: dict[str, Any], *, share: bool = False) -> tuple[float | None, float | None]:
    """The interval within the values the measure can take (none below zero; a share
    none above one)."""
    low, high = ci.get("low"), ci.get("high")
    top = 1.0 if share else float("inf")
    return (None if low is None else min(max(low, 0.0), top),
            None if high is None else min(max(high, 0.0), top))


def cell(measure: str, ci: dict[str, Any], *, share: bool = False) -> str:
    """A measure's mean and its 95 % interval in brackets, «12,3 (4,5 – 20,1)»; the mean
    alone where every run gave the same (or there was one run); «–» where no run gave one.
    Kroner whole; a share in per cent."""
    mean = ci.get("mean")
    if mean is None:
        return "–"

    def text(x: float) -> str:
        if share:
            return f"{number(100 * x, 0)} %"
        return number(x, 0 if measure in _WHOLE_KRONER else 1)

    low, high = bounded(ci, share=share)
    if low is None or high is None or text(low) == text(high):
        return text(mean)
    return f"{text(mean)} ({text(low)} – {text(high)})"


__all__ = ["GROUPS", "MEASURE_WORDS", "TYPE_WORDS", "bounded", "cell", "number"]
