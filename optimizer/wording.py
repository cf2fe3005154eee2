"""The text of an explanation (begrunnelse), in Norwegian bokmål: one sentence per fact.

Pure: a sentence says what its fact states and nothing else; facilities by name, legal
references as paragraphs of the regulation, never rule codes, ids or English.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

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


# --- one function per kind of fact ---------------------------------------------------------


def _s_rank(f: Fact) -> str:
    return f"Du er nummer {f.rank} på ventelisten."


def _s_urgent(f: Fact) -> str:
    return ("Du kan ikke lenger ivaretas forsvarlig i hjemmet, og går derfor foran alle "
            "som ikke er i samme situasjon (§ 3-3 første ledd).")


def _s_not_assessed(f: Fact) -> str:
    return ("Behovet ditt for heldøgns tjenester er ikke vurdert ennå, så du står etter "
            "alle som er vurdert og har samme hast (§ 3-3 annet ledd).")


def _s_offer_own(f: Fact) -> str:
    fac = names(f.facility_names)
    assert f.place_type is not None
    return f"Du får tilbud om {_TYPE_A[f.place_type]} på {fac}."


def _s_offer_purchase(f: Fact) -> str:
    fac = names(f.facility_names)
    assert f.place_type is not None
    return (f"Kommunen kjøper {_TYPE_A[f.place_type]} til deg på {fac} av {f.provider}, "
            f"for {money(f.price_per_day_ore)} per døgn.")


def _s_wish_met(f: Fact) -> str:
    return ("Det er stedet du ønsket deg mest." if f.rank == 1
            else f"Det er ditt ønske nummer {f.rank}.")


def _s_wish_no_suitable_place(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"På {fac}, som du ønsket deg høyere, var det ingen ledig kommunal plass som "
            "passet for deg.")


def _s_wish_no_place_to_buy(f: Fact) -> str:
    fac = names(f.facility_names)
    return f"På {fac}, som du ønsket deg høyere, var det ingen plass å kjøpe som passet for deg."


def _s_wish_would_leave_someone_without(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"En plass på {fac}, som du ønsket deg høyere, kunne du ikke få uten at "
            "noen som får plass nå, ble stående uten.")


def _s_wish_went_to_earlier(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"En plass på {fac}, som du ønsket deg høyere, kunne du bare få hvis noen som "
            "går foran deg i tildelingen, mistet stedet de ønsket seg (§ 3-3 annet "
            "ledd).")


def _s_wish_not_possible(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"En plass på {fac}, som du ønsket deg høyere, kunne du ikke få uten at noen "
            "som går foran deg i tildelingen, mistet stedet de ønsket seg, eller at noen "
            "som får plass nå, ble stående uten.")


def _s_ordinary_for_dementia(f: Fact) -> str:
    return (f"Plassen er ikke skjermet; den tilbys så du kan bo sammen med {SPOUSE} "
            "(§ 2-1 femte ledd og § 2-3).")


def _s_screened_not_needed(f: Fact) -> str:
    return "Plassen er skjermet, selv om du ikke trenger skjermet plass."


def _s_screened_needers_all_offered(f: Fact) -> str:
    return "Alle som trenger skjermet plass, får tilbud om plass nå (§ 2-1 femte ledd)."


def _s_screened_needers_behind_urgent(f: Fact) -> str:
    n = len(f.case_ids) if f.case_ids else f.count
    return (f"{persons(n)} som trenger skjermet plass, får ikke tilbud nå, men saken din "
            "haster og går foran (§ 3-3 første ledd).")


def _s_screened_needers_ahead_not_placeable(f: Fact) -> str:
    n = len(f.case_ids) if f.case_ids else f.count
    return (f"{persons(n)} som trenger skjermet plass og går foran deg i tildelingen, "
            "kunne ikke få plass nå uten at noen foran dem ble stående uten.")


def _s_spouse_same_facility(f: Fact) -> str:
    fac = names(f.facility_names)
    return f"{SPOUSE.capitalize()} får også plass på {fac} (§ 2-3 første ledd)."


def _s_spouse_resident_there(f: Fact) -> str:
    fac = names(f.facility_names)
    return f"{SPOUSE.capitalize()} bor allerede på {fac} (§ 2-3 første ledd)."


def _s_double_room_with_spouse(f: Fact) -> str:
    return (f"Plassen er et helt dobbeltrom, så {SPOUSE} kan bo sammen med deg "
            "(§ 2-3 annet ledd).")


def _s_reinforced_not_assessed(f: Fact) -> str:
    return ("En forsterket plass kan bare gis etter en vurdering av behovet for "
            "forsterket plass, og den vurderingen er ikke registrert.")


def _s_no_vacancy_of_decided_type(f: Fact) -> str:
    return _class_types(f.place_type)


def _s_no_vacancy_of_decided_kind(f: Fact) -> str:
    assert f.facility_kind is not None
    return (f"Ingen ledig plass som ellers passer for deg, er i {_KIND[f.facility_kind]}, "
            "som vedtaket ditt gjelder.")


def _s_no_vacancy_at_spouse_facility(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"Ingen ledig plass som passer for deg, er på {fac}, der {SPOUSE} bor, og du "
            "skal ha plass samme sted (§ 2-3 første ledd).")


def _s_no_double_room(f: Fact) -> str:
    return (f"Ingen ledig dobbeltrom passer for deg og {SPOUSE}, som skal bo sammen med "
            "deg (§ 2-3 annet ledd).")


def _s_not_placeable_after_those_ahead(f: Fact) -> str:
    return ("Det var ikke ledig plass til deg uten at noen som går foran deg i "
            "tildelingen, ble stående uten.")


def _s_taken_by_urgent(f: Fact) -> str:
    n = len(f.case_ids) if f.case_ids else f.count
    return (f"Plasser som passet for deg, gikk til {persons(n)} som ikke lenger kan "
            "ivaretas forsvarlig i hjemmet og derfor går foran (§ 3-3 første ledd).")


def _s_taken_by_ahead(f: Fact) -> str:
    n = len(f.case_ids) if f.case_ids else f.count
    return (f"Plasser som passet for deg, gikk til {persons(n)} som står foran deg på "
            "ventelisten (§ 3-3).")


def _s_taken_for_dementia(f: Fact) -> str:
    n = len(f.case_ids) if f.case_ids else f.count
    return (f"Skjermede plasser som også passet for deg, gikk til {persons(n)} som "
            "trenger skjermet plass (§ 2-1 femte ledd).")


def _s_spouse_placed_elsewhere(f: Fact) -> str:
    fac = names(f.facility_names)
    return (f"{SPOUSE.capitalize()} får plass på {fac}, og dere skal bo på samme sted "
            "(§ 2-3 første ledd).")


def _s_purchase_urgent(f: Fact) -> str:
    return ("Det var ingen plass i kommunen til deg, så kommunen kjøper en plass "
            "(§ 3-3 første ledd).")


def _s_purchase_deadline(f: Fact) -> str:
    return (f"Fristen din for tilbud om plass, {date_text(f.on)}, er nådd eller nær, og "
            "det var ingen plass i kommunen til deg, så kommunen kjøper en plass (§ 3-4).")


def _s_purchase_own_stock_lacks_type(f: Fact) -> str:
    return ("Kommunen har ingen egen plass av den typen vedtaket ditt gjelder, og kjøper "
            "derfor en passende plass av en annen leverandør (§ 2-1 tredje ledd).")


def _s_choice_buy_or_wait(f: Fact) -> str:
    return ("Du kan velge denne plassen, eller å vente på plass i kommunen "
            "(§ 3-4 annet ledd).")


def _s_purchase_none_suitable(f: Fact) -> str:
    return "Ingen annen leverandør har nå en plass som passer for deg."


def _s_purchase_not_placeable(f: Fact) -> str:
    return ("Det kunne ikke kjøpes plass til deg nå uten at noen som går foran deg i "
            "tildelingen, ble stående uten.")


def _s_bridging_stay_needed(f: Fact) -> str:
    return ("Et korttidsopphold må dekke tiden til du får en langtidsplass "
            "(§ 3-3 første ledd).")


def _s_bridging_stay_continues(f: Fact) -> str:
    return ("Du blir på korttidsplassen din til en langtidsplass er funnet "
            "(§ 3-3 første ledd).")


def _s_chose_to_wait(f: Fact) -> str:
    return ("Du har valgt å vente på plass i kommunen etter fristbruddet, så det kjøpes "
            "ikke plass til deg (§ 3-4 annet ledd).")


def _s_deadline(f: Fact) -> str:
    return f"Fristen din for tilbud om plass er {date_text(f.on)} (§ 3-4)."


_MOVE_REASON = {
    "change_of_need": "Du har fått nytt vedtak om {type}, og kan flyttes til en slik plass.",
    "spouses_together": "Du kan flyttes til {facility}, der {spouse} bor eller har fått "
                        "tilbud om plass, så dere kan bo sammen (§ 2-3).",
    "free_choice": "Du kan flyttes til et sykehjem du ønsket deg før det du bor på nå.",
    "bought_to_own": "Du bor på en plass kommunen kjøper av en annen leverandør, og kan "
                     "flyttes til en av kommunens egne plasser.",
}


def _s_move_reason(f: Fact) -> str:
    return _MOVE_REASON[f.provider].format(
        type=_TYPE[f.place_type] if f.place_type else "", spouse=SPOUSE,
        facility=names(list(f.facility_names)))


def _s_move_rank(f: Fact) -> str:
    return (f"Du er nummer {f.rank} i rekkefølgen for flytting: først nytt behov, så "
            "ektefeller som skal bo sammen, så fritt valg, så flytting fra kjøpt plass.")


def _s_move_offer(f: Fact) -> str:
    assert f.place_type is not None
    return f"Du foreslås flyttet til {_TYPE_A[f.place_type]} på {names(list(f.facility_names))}."


def _s_move_wish_met(f: Fact) -> str:
    return f"{names(list(f.facility_names))} er ønske nummer {f.rank} av dine."


def _s_move_nobody_waiting(f: Fact) -> str:
    return ("Ingen på ventelisten som står uten plass, kan bruke denne plassen: en flytting "
            "tar aldri en plass fra noen på ventelisten (§ 3-3).")


def _s_move_no_suitable_place(f: Fact) -> str:
    return "Ingen ledig plass i denne tildelingen passer for flyttingen."


def _s_move_places_taken(f: Fact) -> str:
    n = len(f.case_ids)
    tail = f", og {persons(n)} foran deg i rekkefølgen for flytting" if n else ""
    return ("Plassene som passet for flyttingen, gikk til personer på ventelisten eller "
            f"holdes for noen på ventelisten som kan bruke dem (§ 3-3){tail}. Du beholder "
            "plassen din.")


_SENTENCE: dict[FactKind, Callable[[Fact], str]] = {
    FactKind.MOVE_REASON: _s_move_reason,
    FactKind.MOVE_RANK: _s_move_rank,
    FactKind.MOVE_OFFER: _s_move_offer,
    FactKind.MOVE_WISH_MET: _s_move_wish_met,
    FactKind.MOVE_NOBODY_WAITING_CAN_USE: _s_move_nobody_waiting,
    FactKind.MOVE_NO_SUITABLE_PLACE: _s_move_no_suitable_place,
    FactKind.MOVE_PLACES_TAKEN: _s_move_places_taken,
    FactKind.RANK: _s_rank,
    FactKind.URGENT: _s_urgent,
    FactKind.NOT_ASSESSED: _s_not_assessed,
    FactKind.OFFER_OWN: _s_offer_own,
    FactKind.OFFER_PURCHASE: _s_offer_purchase,
    FactKind.WISH_MET: _s_wish_met,
    FactKind.WISH_NO_SUITABLE_PLACE: _s_wish_no_suitable_place,
    FactKind.WISH_NO_PLACE_TO_BUY: _s_wish_no_place_to_buy,
    FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT: _s_wish_would_leave_someone_without,
    FactKind.WISH_WENT_TO_EARLIER: _s_wish_went_to_earlier,
    FactKind.WISH_NOT_POSSIBLE: _s_wish_not_possible,
    FactKind.ORDINARY_FOR_DEMENTIA: _s_ordinary_for_dementia,
    FactKind.SCREENED_NOT_NEEDED: _s_screened_not_needed,
    FactKind.SCREENED_NEEDERS_ALL_OFFERED: _s_screened_needers_all_offered,
    FactKind.SCREENED_NEEDERS_BEHIND_URGENT: _s_screened_needers_behind_urgent,
    FactKind.SCREENED_NEEDERS_AHEAD_NOT_PLACEABLE: _s_screened_needers_ahead_not_placeable,
    FactKind.SPOUSE_SAME_FACILITY: _s_spouse_same_facility,
    FactKind.SPOUSE_RESIDENT_THERE: _s_spouse_resident_there,
    FactKind.DOUBLE_ROOM_WITH_SPOUSE: _s_double_room_with_spouse,
    FactKind.REINFORCED_NOT_ASSESSED: _s_reinforced_not_assessed,
    FactKind.NO_VACANCY_OF_DECIDED_TYPE: _s_no_vacancy_of_decided_type,
    FactKind.NO_VACANCY_OF_DECIDED_KIND: _s_no_vacancy_of_decided_kind,
    FactKind.NO_VACANCY_AT_SPOUSE_FACILITY: _s_no_vacancy_at_spouse_facility,
    FactKind.NO_DOUBLE_ROOM: _s_no_double_room,
    FactKind.NOT_PLACEABLE_AFTER_THOSE_AHEAD: _s_not_placeable_after_those_ahead,
    FactKind.TAKEN_BY_URGENT: _s_taken_by_urgent,
    FactKind.TAKEN_BY_AHEAD: _s_taken_by_ahead,
    FactKind.TAKEN_FOR_DEMENTIA: _s_taken_for_dementia,
    FactKind.SPOUSE_PLACED_ELSEWHERE: _s_spouse_placed_elsewhere,
    FactKind.PURCHASE_URGENT: _s_purchase_urgent,
    FactKind.PURCHASE_DEADLINE: _s_purchase_deadline,
    FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE: _s_purchase_own_stock_lacks_type,
    FactKind.CHOICE_BUY_OR_WAIT: _s_choice_buy_or_wait,
    FactKind.PURCHASE_NONE_SUITABLE: _s_purchase_none_suitable,
    FactKind.PURCHASE_NOT_PLACEABLE: _s_purchase_not_placeable,
    FactKind.BRIDGING_STAY_NEEDED: _s_bridging_stay_needed,
    FactKind.BRIDGING_STAY_CONTINUES: _s_bridging_stay_continues,
    FactKind.CHOSE_TO_WAIT: _s_chose_to_wait,
    FactKind.DEADLINE: _s_deadline,
}


@functools.lru_cache(maxsize=4096)
def sentence(f: Fact) -> str:
    """The sentence of one fact (facts are values: a sentence is cached)."""
    return _SENTENCE[f.kind](f)


def render(facts: Sequence[Fact]) -> str:
    """The explanation's text: the facts' sentences in order."""
    return " ".join(sentence(f) for f in facts)
