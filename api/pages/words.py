"""The pages' Norwegian (bokmål): labels for the domain's codes, dates, domain errors in
words a case worker reads, and the allocator's explanations.

The domain and the optimizer speak English codes; this is the one place that turns them
into the words of the allocation unit (tildelingsenheten).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from application.errors import ConcurrencyConflict
from domain.base import OSLO
from domain.errors import DomainError, InvalidState, InvalidValue, NotFound

PLACE_TYPES = {"ordinary": "ordinær", "screened": "skjermet", "reinforced": "forsterket"}
FACILITY_KINDS = {"nursing_home": "sykehjem",
                  "housing_24h": "bolig med heldøgns tjenester"}
ROOM_KINDS = {"single": "enerom", "double": "dobbeltrom"}
DECISION_KINDS = {"grant": "Vedtak om langtidsopphold",
                  "waiting_list": "Vedtak om venteliste",
                  "rejection": "Avslag på langtidsopphold"}
DECISION_SHORT = {"grant": "innvilget straks", "waiting_list": "venteliste",
                  "rejection": "avslag"}
CASE_STATUSES = {"received": "søknad under utredning", "granted": "innvilget, venter på plass",
                 "waiting": "på venteliste", "rejected": "avslått", "resident": "har plass",
                 "closed": "avsluttet"}
CHANNELS = {"digital": "digitalt", "paper": "på papir", "phone": "på telefon",
            "hospital": "fra sykehuset", "on_behalf": "på vegne av søkeren"}
MEDICAL_SOURCES = {"gp": "fastlege", "specialist": "spesialisthelsetjenesten",
                   "competence_centre": "kompetansesenter"}
LEON_MEASURES = {"short_term_stay": "korttidsopphold", "day_care": "dagtilbud",
                 "extended_home_services": "utvidede hjemmetjenester",
                 "home_adaptation": "tilrettelegging av bolig",
                 "welfare_technology": "velferdsteknologi"}
LEON_STATUSES = {"tried": "prøvd", "assessed": "vurdert"}
DEMENTIA_FINDINGS = {"confirmed": "demens bekreftet", "not_confirmed": "demens ikke bekreftet",
                     "inconclusive": "uavklart"}
OFFER_KINDS = {"own": "kommunal plass", "purchase": "kjøpt plass hos annen leverandør"}
OFFER_STATUSES = {"made": "sendt, venter på svar", "accepted": "takket ja",
                  "declined": "takket nei", "withdrawn": "trukket"}
BREACH_CHOICES = {"purchase": "kjøpt plass hos annen leverandør",
                  "wait": "vente på kommunal plass"}
PLACE_STATUSES = {"vacant": "ledig", "reserved": "reservert (tilbud sendt)",
                  "closed": "stengt"}
PROVIDER_OFFER_STATUSES = {"available": "tilgjengelig", "reserved": "reservert"}
CLOSURE_REASONS = {"placed": "fått plass", "withdrawn": "søknaden trukket", "died": "død",
                   "moved_away": "flyttet fra kommunen"}
STAY_END_REASONS = {"died": "død", "moved": "flyttet", "transferred": "overført internt"}
GUARANTEE_EFFECTS = {"fulfilled": "tilbudet oppfylte garantien",
                     "continues": "fristen gjelder fortsatt",
                     "lost": "garantien falt bort (R20)", "none": "ingen frist"}
RUN_ITEM_STATUSES = {"proposed": "foreslått", "approved": "godkjent",
                     "changed": "endret og godkjent", "rejected": "avvist"}
PRIORITY_FACTORS = {
    "end_of_life": "Omsorg ved livets slutt (særlig vekt)",
    "cognitive_failure": "Kognitiv svikt (særlig vekt)",
    "other_special_needs": "Andre særlige behov (særlig vekt)",
    "function": "Fysisk og psykisk funksjon, hjelpebehov (IPLOS)",
    "medical": "Medisinske vurderinger og diagnoser",
    "nutrition": "Ernæringsstatus",
    "prognosis": "Prognose",
    "rehabilitation": "Rehabiliteringspotensial",
    "other_services": "Kommunens øvrige tjenester",
    "home_situation": "Hjemmesituasjonen, også pårørendes situasjon",
    "spouse_in_long_term_stay": "Ektefelle eller samboer i langtidsopphold",
}
IPLOS_LABELS = {
    "sosial_deltakelse": "Sosial deltakelse",
    "beslutninger_i_dagliglivet": "Beslutninger i dagliglivet",
    "ivareta_egen_helse": "Ivareta egen helse",
    "kommunikasjon": "Kommunikasjon",
    "skaffe_seg_varer_og_tjenester": "Skaffe seg varer og tjenester",
    "alminnelig_husarbeid": "Alminnelig husarbeid",
    "lage_mat": "Lage mat",
    "spise": "Spise",
    "personlig_hygiene": "Personlig hygiene",
    "pakledning": "På- og avkledning",
    "toalett": "Toalett",
    "bevege_seg_innendors": "Bevege seg innendørs",
    "bevege_seg_utendors": "Bevege seg utendørs",
    "hukommelse": "Hukommelse",
    "styring_av_atferd": "Styring av atferd",
    "syn": "Syn",
    "horsel": "Hørsel",
}
COMPLAINT_SUBJECTS = {"decision": "vedtak", "offer": "tilbud"}
COMPLAINT_OUTCOMES = {"confirmed": "vedtaket stadfestet", "changed": "vedtaket endret",
                      "quashed": "vedtaket opphevet"}
COMPLAINT_STATUSES = {
    "received": "mottatt, til ny vurdering i tildelingsenheten",
    "upheld": "tatt til følge av tildelingsenheten",
    "awaiting_forwarding": "ikke tatt til følge, skal sendes til Statsforvalteren",
    "forwarded": "hos Statsforvalteren",
    "decided": "avgjort av Statsforvalteren",
}

#: Access-log actions (the pages' own, and the JSON routes' most common) in words.
ACCESS_ACTIONS = {
    "read_case": "så saken", "write_case": "endret saken",
    "read_waiting_list": "så ventelisten",
    "read_waiting_list_as_of": "så ventelisten på et tidligere tidspunkt",
    "read_case_history": "så historikken", "read_decision_letter": "så vedtaksbrevet",
    "read_allocation_run": "så et tildelingsforslag", "read_complaints": "så klagelisten",
    "read_complaint": "så klagen", "write_complaint": "registrerte i klagesaken",
}

#: R8 (§ 2-2) items and other things a command can find missing.
MISSING = {
    "own_account": "brukerens egne opplysninger (hva er viktig for deg)",
    "relatives": "opplysninger fra pårørende eller verge",
    "iplos": "oppdatert IPLOS-registrering",
    "iplos (older than 12 months)": "oppdatert IPLOS-registrering (den som finnes, er eldre "
                                    "enn 12 måneder)",
    "medical_gp": "medisinske opplysninger fra fastlege",
    "medical_specialist": "medisinske opplysninger fra spesialisthelsetjenesten",
    "medical_gp_or_specialist": "medisinske opplysninger fra fastlege eller "
                                "spesialisthelsetjenesten",
    "leon": "lavere omsorgsnivå prøvd eller vurdert (LEON)",
    "dementia_investigation": "demensutredning",
    "grounds": "begrunnelse",
    "interim_services": "tjenester personen får mens hun eller han venter",
    "services": "tjenester personen får mens hun eller han venter",
    "alternatives_at_home": "alternativer i eget hjem som er utredet",
    "non_screened_reason": "begrunnelse for plass som ikke er skjermet",
    "departure_reason": "begrunnelse for avvik fra foreslått poengsum",
    "assessor": "hvem som har vurdert",
    "reason": "begrunnelse",
    "living_apart_consent": "samtykke fra begge til å bo hver for seg",
}

#: The § 2-2 checklist, in the order of the regulation.
CHECKLIST = (
    ("own_account", "1", "Brukerens egne opplysninger"),
    ("relatives", "1", "Opplysninger fra pårørende eller verge"),
    ("iplos", "2", "Oppdatert IPLOS-registrering"),
    ("medical", "3", "Medisinske opplysninger (fastlege / spesialisthelsetjenesten)"),
    ("leon", "4", "Lavere omsorgsnivå prøvd eller vurdert (LEON)"),
    ("dementia_investigation", "5", "Demensutredning ved mistanke om demens"),
)

MESSAGES = {
    "lagret": "Lagret.",
    "vedtak": "Vedtaket er fattet.",
    "tilbud": "Tilbudet er sendt.",
    "svar": "Svaret på tilbudet er registrert.",
    "innflytting": "Innflyttingen er registrert.",
    "ektefelle": "Sakene er koblet som ektefeller eller samboere.",
    "avsluttet": "Saken er avsluttet.",
    "opphold": "Oppholdet er avsluttet.",
    "plass": "Plassen er registrert.",
    "leverandortilbud": "Tilbudet fra den andre leverandøren er registrert.",
    "kjoring": "Tildelingen er kjørt. Forslaget under må godkjennes tilbud for tilbud.",
    "godkjent": "Tilbudet er godkjent og sendt.",
    "avvist": "Forslaget er avvist; ingen tilbud er sendt.",
    "soknad": "Søknaden er registrert.",
    "klage": "Klagen er registrert.",
    "utlogget": "Du er logget ut.",
}


# --- dates -----------------------------------------------------------------------------------

def dato(value: date | datetime | str | None) -> str:
    """01.03.2026 — the Norwegian way to write a date."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date() if value.tzinfo else value.date()
    return value.strftime("%d.%m.%Y")


def tidspunkt(value: datetime | str | None) -> str:
    """01.03.2026 kl. 09:00, in Norwegian local time."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(OSLO)
    return value.strftime("%d.%m.%Y kl. %H:%M")


def kroner(value: Any) -> str:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{amount:,.0f}".replace(",", "\u00a0")
    return f"{text} kr"


def tall(value: float | int | None, decimals: int = 1) -> str:
    """A number the Norwegian way: decimal comma; "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{decimals}f}".replace(".", ",")


def prosent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}\u00a0%"


def label(table: Mapping[str, str], code: Any) -> str:
    """The Norwegian word for a code (an enum or its value); the code itself if unknown."""
    if code is None:
        return "–"
    key = getattr(code, "value", code)
    return table.get(str(key), str(key))


# --- domain errors ---------------------------------------------------------------------------

_RULES = {
    ("R4", None): "Vedtak om langtidsopphold straks (R4, § 2-1 første ledd) forutsetter at "
                  "personen ikke kan få forsvarlig hjelp hjemme. Velg ventelistevedtak ellers.",
    ("R5", None): "Ventelistevedtak (R5, § 2-1 annet ledd) forutsetter vurderingen at personen "
                  "kan få forsvarlig hjelp hjemme til plass tilbys. Kan personen ikke det, "
                  "innvilges opphold straks (R4).",
    ("R6", None): "Personen er under 67 år (R3): skriv hvilke alternativer i eget hjem som er "
                  "utredet, eller hvorfor det ikke er gjort (R6, § 2-1 fjerde ledd).",
    ("R7", None): "Personen har demensdiagnose: tilbud om en plass som ikke er skjermet, krever "
                  "en begrunnelse, for eksempel å bo sammen med ektefelle (R7, § 2-1 femte ledd).",
    ("R9", None): "Personen har fått avslag (R9) og står ikke på ventelisten; det gis ikke "
                  "tilbud.",
    ("R10", None): "Ektefellen eller samboeren bor eller har tilbud ved en annen institusjon. "
                   "Ektefeller i langtidsopphold skal få plass samme sted med mindre begge har "
                   "samtykket til å bo hver for seg (R10, § 2-3).",
    ("R10", "statement"): "Skriv samtykket med personens egne ord (R10).",
    ("R10", "spouse_case_id"): "En av de to sakene er allerede koblet til en annen ektefelle "
                               "eller samboer. En person kan bare ha én ektefelle eller "
                               "samboer koblet til saken (R10, § 2-3).",
    ("R10", "municipality"): "Ektefellens eller samboerens sak hører til en annen kommune. "
                             "Saker kobles bare innen samme kommune (R10).",
    ("R11", None): "Ledsagende opphold krever at ektefellens sak er koblet til (R11, § 2-3).",
    ("R14", "grounds"): "Vedtaket må ha en begrunnelse: faktiske forhold og hovedhensyn (R14, "
                        "§ 3-2).",
    ("R14", "interim_services"): "Et ventelistevedtak må si hvilke tjenester personen får mens "
                                 "hun eller han venter (R14, § 3-2).",
    ("R14", "services"): "Skriv hvilke tjenester personen får mens hun eller han venter (R14).",
    ("R15", "reason"): "Skriv hvorfor personen ikke lenger kan få forsvarlig hjelp hjemme "
                       "(R15, § 3-3 første ledd).",
    ("R15", None): "Hastemarkering gjelder bare personer på ventelisten eller med innvilget "
                   "opphold som ennå ikke er gjennomført (R15).",
    ("R17", "assessor"): "Prioriteringen er en faglig vurdering: oppgi hvem som har vurdert "
                         "(R17, § 3-3 tredje ledd).",
    ("R17", "departure_reason"): "Behovspoengene avviker fra forslaget etter kommunens vekter "
                                 "mer enn det som er tillatt: skriv begrunnelsen for avviket "
                                 "(R17).",
    ("R17", "reason"): "Et annet tilbud enn det foreslåtte krever saksbehandlerens begrunnelse "
                       "(R17).",
    ("R17", "approved_by"): "En person i tildelingsenheten må godkjenne hvert tilbud (R17).",
    ("R19", "choice"): "Valget mellom kjøpt plass og å vente kommer etter et fristbrudd; saken "
                       "har ikke fristbrudd (R19).",
    ("R19", None): "Plass kjøpes fra annen leverandør når saken haster (R15), ved innvilgelse "
                   "straks (R4), når fristen er nær (R18), eller når personen har valgt kjøp "
                   "etter fristbrudd (R19, § 3-4 annet ledd).",
}

_FIELDS = {
    "identity_number": "Fødselsnummeret er ikke gyldig. Sjekk at det har 11 siffer og at "
                       "fødselsdato og kontrollsiffer stemmer.",
    "name": "Skriv søkerens navn.",
    "received_on": "Datoen kan ikke være fram i tid.",
    "what_matters": "Skriv hva som er viktig for personen (§ 2-2 nr. 1).",
    "information": "Skriv hva pårørende eller verge har opplyst (§ 2-2 nr. 1).",
    "scores": "Hver IPLOS-variabel skal ha en skår 1–5, eller 9 når den ikke er relevant.",
    "assessed_on": "Datoen kan ikke være fram i tid.",
    "summary": "Skriv et sammendrag av de medisinske opplysningene (§ 2-2 nr. 3).",
    "entries": "Kryss av minst ett tiltak på lavere omsorgsnivå som er prøvd eller vurdert "
               "(§ 2-2 nr. 4).",
    "conclusion": "Skriv konklusjonen fra demensutredningen (§ 2-2 nr. 5).",
    "kind": "Velg vedtakstype: innvilgelse, venteliste eller avslag.",
    "place_type": "Velg plasstype: ordinær, skjermet eller forsterket.",
    "decided_by": "Skriv hvem som fatter vedtaket.",
    "need_score": "Behovspoeng er et tall fra 0 til 100.",
    "factors": "Hver faktor skåres fra 0 (uten betydning) til 4 (avgjørende).",
    "facility_ids": "Hver institusjon kan bare stå én gang i ønskelisten.",
    "reason": "Skriv en begrunnelse.",
    "place_id": "Velg en ledig plass eller en plass hos annen leverandør.",
    "admitted_on": "Innflyttingsdatoen kan ikke være før tilbudet.",
    "offer_id": "Tilbudet finnes ikke eller er allerede besvart.",
    "grounds": "Skriv begrunnelsen.",
    "subject_id": "Velg vedtaket eller tilbudet klagen gjelder.",
    "against": "Velg vedtaket eller tilbudet klagen gjelder.",
    "registered_by": "Skriv hvem som registrerer klagen.",
    "reasoning": "Skriv begrunnelsen for den nye vurderingen.",
    "upheld": "Velg om klagen tas til følge fullt ut.",
    "forwarded_by": "Skriv hvem som sender klagen.",
    "outcome": "Velg Statsforvalterens utfall: stadfestet, endret eller opphevet.",
    "spouse_case_id": "En person kan ikke kobles til sin egen sak. Skriv saksnummeret til "
                      "ektefellens eller samboerens sak.",
    "ended_on": "Skriv datoen oppholdet ble avsluttet.",
    "facility_id": "Skriv institusjonens id, for eksempel fjellheim.",
    "facility_name": "Skriv institusjonens navn.",
    "unit": "Skriv avdelingen.",
    "room": "Skriv romnummeret.",
    "provider": "Skriv leverandørens navn.",
    "price_per_day": "Prisen per døgn må være over 0 kr.",
    "valid_until": "«Gyldig til» kan ikke være før plassen er ledig.",
}

_BEFORE = {
    "the decision": "vedtaket", "the offer": "tilbudet",
    "the complaint was received": "klagen kom inn", "the reconsideration": "den nye vurderingen",
    "the forwarding": "oversendelsen", "the admission": "innflyttingen",
}


def _date_text(message: str) -> str | None:
    if "cannot be in the future" in message:
        return "Datoen kan ikke være fram i tid."
    if "cannot be before" in message:
        what = next((nb for en, nb in _BEFORE.items() if en in message), None)
        return f"Datoen kan ikke være før {what}." if what else "Datoen er for tidlig."
    if "calendar date is required" in message:
        return "Skriv en gyldig dato."
    return None

_STATES = (
    ("already has an outstanding offer", "Personen har allerede et tilbud som ikke er "
                                         "avsluttet. En person får bare én plass om gangen."),
    ("closed or the person already lives", "Saken er avsluttet, eller personen bor allerede på "
                                           "en plass."),
    ("not yet placed", "Tilbud gis bare til en person med vedtak som ennå ikke har plass."),
    ("reinforced place is for", "En forsterket plass krever vedtak om forsterket plass."),
    ("moved in on this offer", "Personen har flyttet inn på plassen fra dette tilbudet. "
                               "Avslutt oppholdet for å frigjøre plassen."),
    ("the offer is", "Tilbudet er allerede besvart eller trukket."),
    ("the proposal is already", "Forslaget er allerede behandlet."),
    ("place is not vacant", "Plassen er ikke lenger ledig."),
    ("place is closed", "Plassen er stengt og kan ikke tilbys."),
    ("not available", "Plassen hos den andre leverandøren er ikke lenger tilgjengelig."),
    ("the case is closed", "Saken er avsluttet."),
    ("not marked urgent", "Saken er ikke markert som hastesak."),
    ("priority is assessed", "Prioritet vurderes bare for en person som venter."),
    ("interim services", "Tjenester i ventetiden registreres for personer på ventelisten."),
    ("does not live in a long-term place", "Personen bor ikke på en langtidsplass, så det er "
                                           "ikke noe opphold å avslutte."),
    ("end the stay instead", "Personen bor på en langtidsplass: avslutt oppholdet i stedet "
                             "for saken."),
    ("already registered in that room", "Et annet rom er allerede registrert med samme "
                                        "institusjon, avdeling og romnummer, men med en annen "
                                        "plasstype, institusjonstype eller romtype."),
    ("no longer waiting", "Personen venter ikke lenger."),
    ("already been reconsidered", "Klagen er allerede vurdert på nytt av tildelingsenheten."),
    ("must reconsider it first", "Tildelingsenheten må vurdere klagen på nytt før den kan "
                                 "sendes til Statsforvalteren."),
    ("nothing to forward", "Klagen ble tatt til følge; det er ingenting å sende videre."),
    ("already been forwarded", "Klagen er allerede sendt til Statsforvalteren."),
    ("decides a complaint that has been forwarded", "Statsforvalterens utfall registreres "
                                                    "når klagen er sendt dit."),
)


def error_text(exc: DomainError) -> str:
    """The refusal in Norwegian, naming the rule and what is missing."""
    if isinstance(exc, ConcurrencyConflict):
        return ("Noen andre endret saken eller plassen samtidig. Ingenting ble lagret — last "
                "siden på nytt og prøv igjen.")
    if exc.rule == "R8":
        items = [MISSING.get(m, m) for m in exc.missing]
        return ("Vedtak kan ikke fattes før saken har det § 2-2 krever (R8). Dette mangler: "
                + "; ".join(items) + ".")
    if exc.rule:
        text = _RULES.get((exc.rule, exc.field)) or _RULES.get((exc.rule, None))
        if text:
            return text
    if isinstance(exc, NotFound) and exc.field == "subject_id":
        return _FIELDS["subject_id"]
    if isinstance(exc, NotFound):
        return "Fant ikke det skjemaet viser til. Det kan høre til en annen kommune eller være " \
               "slettet — last siden på nytt."
    if isinstance(exc, InvalidState):
        message = exc.message
        for fragment, text in _STATES:
            if fragment in message:
                return text
        return "Handlingen passer ikke med hvor saken står nå. Last siden på nytt."
    if isinstance(exc, InvalidValue):
        dated = _date_text(exc.message)
        if dated:
            return dated
        if exc.field in _FIELDS:
            return _FIELDS[exc.field]
    if exc.missing:
        return "Dette mangler: " + "; ".join(MISSING.get(m, m) for m in exc.missing) + "."
    return "Skjemaet kunne ikke lagres. Sjekk feltene og prøv igjen."


# --- the allocator's explanations (R21: the reasons given then) -------------------------------

_WHY_NO_OWN = {
    "reinforced_not_assessed": "En forsterket plass gis bare etter vurdering av behov for "
                               "forsterket plass, og den vurderingen er ikke registrert.",
    "spouse_facility_no_place": "Ingen passende plass var ledig der ektefellen eller "
                                "samboeren bor; personen skal få plass der (R10, § 2-3).",
    "no_double_room": "Ingen passende dobbeltrom var ledig for personen og den ledsagende "
                      "ektefellen (§ 2-3 annet ledd).",
    "no_place_of_decided_type": "Ingen ledig plass var av den typen vedtaket gjelder.",
    "screened_reserved": "De ledige plassene personen kunne fått, gikk til personer med større "
                         "behov, eller var skjermede plasser holdt av til personer med demens "
                         "som trenger dem (§ 2-1 femte ledd).",
    "spouse_constraint": "En plass var ledig, men ikke ved en institusjon der personen og "
                         "ektefellen eller samboeren kan bo sammen (§ 2-3).",
    "higher_need_took_places": "Det var færre passende plasser enn personer med større behov "
                               "for heldøgns omsorg etter den faglige vurderingen (§ 3-3).",
}
_FIT = {
    "ordinary_for_dementia": "Plassen er ikke skjermet; den tilbys så personen kan bo sammen "
                             "med ektefellen eller samboeren (§ 2-1 femte ledd).",
    "screened_not_needed": "Plassen er skjermet; ingen som trenger skjermet plass, blir "
                           "stående uten.",
}


def explanation_text(explanation: Mapping[str, Any], place_words: str | None = None) -> str:
    """The optimizer's reasons for one person's outcome, in Norwegian (from its codes)."""
    rank = explanation.get("waiting_list_rank")
    parts = [f"Nummer {rank} på ventelisten (hastesaker først, så størst behov, så lengst "
             "ventetid, § 3-3)."]
    outcome = explanation.get("outcome")
    code = explanation.get("code")
    if outcome in ("own", "purchase") and place_words:
        parts.append(f"Foreslått plass: {place_words}.")
    if outcome == "purchase":
        why = _WHY_NO_OWN.get(str(explanation.get("own_place_reason")), "")
        parts.append(f"Ingen kommunal plass: {why}".strip())
        if code == "purchase_urgent":
            parts.append("Personen kan ikke lenger få forsvarlig hjelp hjemme, så plass kjøpes "
                         "(§ 3-3 første ledd).")
        else:
            parts.append("Fristen for tilbud (§ 3-4) er nådd eller nær; personen kan velge den "
                         "kjøpte plassen eller å vente på kommunal plass.")
    if outcome in ("own", "purchase"):
        wish = explanation.get("wish_rank")
        if wish:
            parts.append(f"Det er personens ønske nummer {wish}.")
        fit = _FIT.get(str(explanation.get("type_fit") or ""))
        if fit:
            parts.append(fit)
    if outcome == "none":
        parts.append("Ingen plass denne gangen: "
                     + _WHY_NO_OWN.get(str(code), "ingen passende plass var ledig."))
    higher = explanation.get("higher_need_case_ids") or ()
    if higher and outcome != "own":
        parts.append(f"{len(higher)} person(er) med høyere plass på listen fikk de passende "
                     "plassene.")
    return " ".join(parts)
