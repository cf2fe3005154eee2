"""The text of an explanation (begrunnelse), in Norwegian bokmål: one sentence per fact.

Pure: a sentence says what its fact states and nothing else; facilities by name, legal
references as paragraphs of the regulation, never rule codes, ids or English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .model import FacilityKind, Fact, FactKind, PlaceType

_TYPE = {PlaceType.ORDINARY: "ordinær plass", PlaceType.SCREENED: "skjermet plass",
         PlaceType.REINFORCED: "forsterket plass"}
_TYPE_A = {PlaceType.ORDINARY: "en ordinær plass", PlaceType.SCREENED: "en skjermet plass",
           PlaceType.REINFORCED: "en forsterket plass"}
_KIND = {FacilityKind.NURSING_HOME: "sykehjem",
         FacilityKind.HOUSING_24H: "bolig med heldøgns tjenester"}
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember")
SPOUSE = "ektefellen eller samboeren din"


def names(items: Sequence[str]) -> str:
    """«A», «A og B», «A, B og C»."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def date_text(d: dt.date | None) -> str:
    assert d is not None
    return f"{d.day}. {_MONTHS[d.month - 1]} {d.year}"


def money(ore: int | None) -> str:
    """Øre as kroner: «2 100 kroner», «2 100,50 kroner»."""
    assert ore is not None
    kr, rest = divmod(ore, 100)
    whole = f"{kr:,}".replace(",", " ")
    return f"{whole} kroner" if rest == 0 else f"{whole},{rest:02d} kroner"


def persons(n: int | None) -> str:
    n = n or 0
    return "1 person" if n == 1 else f"{n} personer"


def _class_types(t: PlaceType | None) -> str:
    """The types a person's class takes, named by the class's own type (see explain)."""
    if t is PlaceType.REINFORCED:
        return "Ingen ledig plass er en forsterket plass, som vedtaket ditt gjelder."
    if t is PlaceType.SCREENED:
        return ("Ingen ledig plass er skjermet, og du skal fortrinnsvis ha skjermet plass "
                "(§ 2-1 femte ledd).")
    return "Ingen ledig plass er en ordinær eller skjermet plass."


def sentence(f: Fact) -> str:
    k = f.kind
    fac = names(f.facility_names)
    n = len(f.case_ids) if f.case_ids else f.count
    match k:
        case FactKind.RANK:
            return f"Du er nummer {f.rank} på ventelisten."
        case FactKind.URGENT:
            return ("Du kan ikke lenger ivaretas forsvarlig i hjemmet, og går derfor foran alle "
                    "som ikke er i samme situasjon (§ 3-3 første ledd).")
        case FactKind.NOT_ASSESSED:
            return ("Behovet ditt for heldøgns tjenester er ikke vurdert ennå, så du står etter "
                    "alle som er vurdert og har samme hast (§ 3-3 annet ledd).")
        case FactKind.OFFER_OWN:
            assert f.place_type is not None
            return f"Du får tilbud om {_TYPE_A[f.place_type]} på {fac}."
        case FactKind.OFFER_PURCHASE:
            assert f.place_type is not None
            return (f"Kommunen kjøper {_TYPE_A[f.place_type]} til deg på {fac} av {f.provider}, "
                    f"for {money(f.price_per_day_ore)} per døgn.")
        case FactKind.WISH_MET:
            return ("Det er stedet du ønsket deg mest." if f.rank == 1
                    else f"Det er ditt ønske nummer {f.rank}.")
        case FactKind.WISH_NO_SUITABLE_PLACE:
            return f"På {fac}, som du ønsket deg høyere, var det ingen plass som passet for deg."
        case FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT:
            return (f"En plass på {fac}, som du ønsket deg høyere, kunne du ikke få uten at "
                    "noen som får plass nå, ble stående uten.")
        case FactKind.WISH_WENT_TO_EARLIER:
            return (f"En plass på {fac}, som du ønsket deg høyere, kunne du bare få hvis noen som "
                    "går foran deg i tildelingen, mistet stedet de ønsket seg (§ 3-3 annet "
                    "ledd).")
        case FactKind.WISH_NOT_POSSIBLE:
            return (f"En plass på {fac}, som du ønsket deg høyere, kunne du ikke få uten at noen "
                    "som går foran deg i tildelingen, mistet stedet de ønsket seg, eller at noen "
                    "som får plass nå, ble stående uten.")
        case FactKind.ORDINARY_FOR_DEMENTIA:
            return (f"Plassen er ikke skjermet; den tilbys så du kan bo sammen med {SPOUSE} "
                    "(§ 2-1 femte ledd og § 2-3).")
        case FactKind.SCREENED_NOT_NEEDED:
            return "Plassen er skjermet, selv om du ikke trenger skjermet plass."
        case FactKind.SCREENED_NEEDERS_ALL_OFFERED:
            return "Alle som trenger skjermet plass, får tilbud om plass nå (§ 2-1 femte ledd)."
        case FactKind.SCREENED_NEEDERS_BEHIND_URGENT:
            return (f"{persons(n)} som trenger skjermet plass, får ikke tilbud nå, men saken din "
                    "haster og går foran (§ 3-3 første ledd).")
        case FactKind.SCREENED_NEEDERS_AHEAD_NOT_PLACEABLE:
            return (f"{persons(n)} som trenger skjermet plass og går foran deg i tildelingen, "
                    "kunne ikke få plass nå uten at noen foran dem ble stående uten.")
        case FactKind.SPOUSE_SAME_FACILITY:
            return f"{SPOUSE.capitalize()} får også plass på {fac} (§ 2-3 første ledd)."
        case FactKind.SPOUSE_RESIDENT_THERE:
            return f"{SPOUSE.capitalize()} bor allerede på {fac} (§ 2-3 første ledd)."
        case FactKind.DOUBLE_ROOM_WITH_SPOUSE:
            return (f"Plassen er et helt dobbeltrom, så {SPOUSE} kan bo sammen med deg "
                    "(§ 2-3 annet ledd).")
        case FactKind.REINFORCED_NOT_ASSESSED:
            return ("En forsterket plass kan bare gis etter en vurdering av behovet for "
                    "forsterket plass, og den vurderingen er ikke registrert.")
        case FactKind.NO_VACANCY_OF_DECIDED_TYPE:
            return _class_types(f.place_type)
        case FactKind.NO_VACANCY_OF_DECIDED_KIND:
            assert f.facility_kind is not None
            return (f"Ingen ledig plass som ellers passer for deg, er i {_KIND[f.facility_kind]}, "
                    "som vedtaket ditt gjelder.")
        case FactKind.NO_VACANCY_AT_SPOUSE_FACILITY:
            return (f"Ingen ledig plass som passer for deg, er på {fac}, der {SPOUSE} bor, og du "
                    "skal ha plass samme sted (§ 2-3 første ledd).")
        case FactKind.NO_DOUBLE_ROOM:
            return (f"Ingen ledig dobbeltrom passer for deg og {SPOUSE}, som skal bo sammen med "
                    "deg (§ 2-3 annet ledd).")
        case FactKind.NOT_PLACEABLE_AFTER_THOSE_AHEAD:
            return ("Det var ikke ledig plass til deg uten at noen som går foran deg i "
                    "tildelingen, ble stående uten.")
        case FactKind.TAKEN_BY_URGENT:
            return (f"Plasser som passet for deg, gikk til {persons(n)} som ikke lenger kan "
                    "ivaretas forsvarlig i hjemmet og derfor går foran (§ 3-3 første ledd).")
        case FactKind.TAKEN_BY_AHEAD:
            return (f"Plasser som passet for deg, gikk til {persons(n)} som står foran deg på "
                    "ventelisten (§ 3-3).")
        case FactKind.TAKEN_FOR_DEMENTIA:
            return (f"Skjermede plasser som også passet for deg, gikk til {persons(n)} som "
                    "trenger skjermet plass (§ 2-1 femte ledd).")
        case FactKind.SPOUSE_PLACED_ELSEWHERE:
            return (f"{SPOUSE.capitalize()} får plass på {fac}, og dere skal bo på samme sted "
                    "(§ 2-3 første ledd).")
        case FactKind.PURCHASE_URGENT:
            return ("Det var ingen plass i kommunen til deg, så kommunen kjøper en plass "
                    "(§ 3-3 første ledd).")
        case FactKind.PURCHASE_DEADLINE:
            return (f"Fristen din for tilbud om plass, {date_text(f.on)}, er nådd eller nær, og "
                    "det var ingen plass i kommunen til deg, så kommunen kjøper en plass (§ 3-4).")
        case FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE:
            return ("Kommunen har ingen egen plass av den typen vedtaket ditt gjelder, og kjøper "
                    "derfor en passende plass av en annen leverandør (§ 2-1 tredje ledd).")
        case FactKind.CHOICE_BUY_OR_WAIT:
            return ("Du kan velge denne plassen, eller å vente på plass i kommunen "
                    "(§ 3-4 annet ledd).")
        case FactKind.PURCHASE_NONE_SUITABLE:
            return "Ingen annen leverandør har nå en plass som passer for deg."
        case FactKind.PURCHASE_NOT_PLACEABLE:
            return ("Det kunne ikke kjøpes plass til deg nå uten at noen som går foran deg i "
                    "tildelingen, ble stående uten.")
        case FactKind.BRIDGING_STAY_NEEDED:
            return ("Et korttidsopphold må dekke tiden til du får en langtidsplass "
                    "(§ 3-3 første ledd).")
        case FactKind.BRIDGING_STAY_CONTINUES:
            return ("Du blir på korttidsplassen din til en langtidsplass er funnet "
                    "(§ 3-3 første ledd).")
        case FactKind.CHOSE_TO_WAIT:
            return ("Du har valgt å vente på plass i kommunen etter fristbruddet, så det kjøpes "
                    "ikke plass til deg (§ 3-4 annet ledd).")
        case FactKind.DEADLINE:
            return f"Fristen din for tilbud om plass er {date_text(f.on)} (§ 3-4)."
    raise ValueError(f"no wording for {k}")


def render(facts: Sequence[Fact]) -> str:
    """The explanation's text: the facts' sentences in order."""
    return " ".join(sentence(f) for f in facts)
