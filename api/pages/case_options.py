"""The choices the case forms offer: the option lists of the new-application page and the
case page, the § 3-3 priority factors in their three groups (R16, R17), and how many rows of
interim services and wishes a form shows."""

from __future__ import annotations

from api.pages import words as w
from domain.values import (
    FACTOR_MAX,
    IPLOS_SCORES,
    LOWERS_NEED,
    SPECIAL_WEIGHT,
    ClosureReason,
    PriorityFactor,
)


def _options(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


OPTIONS = {
    "place_types": _options(w.PLACE_TYPES),
    "facility_kinds": _options(w.FACILITY_KINDS),
    "channels": _options(w.CHANNELS),
    "delivery_channels": _options(w.DELIVERY_CHANNEL_NAMES),
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
