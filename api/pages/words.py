"""The pages' Norwegian (bokmål): labels for the domain's codes, dates, domain errors in
words a case worker reads, and the allocator's explanations.

The domain and the optimizer speak English codes; this is the one place that turns them
into the words of the allocation unit (tildelingsenheten).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from application.errors import ConcurrencyConflict, ConfirmationRequired, StaleVersion
from domain.base import OSLO
from domain.case import GuaranteeState, GuaranteeStatus, NotNow
from domain.errors import DomainError, InvalidState, InvalidValue, NotFound
from domain.values import LOWERS_NEED, SPECIAL_WEIGHT

PLACE_TYPES = {"ordinary": "ordinær", "screened": "skjermet", "reinforced": "forsterket"}
FACILITY_KINDS = {"nursing_home": "sykehjem",
                  "housing_24h": "bolig med heldøgns tjenester"}
ROOM_KINDS = {"single": "enerom", "double": "dobbeltrom"}
DECISION_KINDS = {"grant": "Vedtak om langtidsopphold",
                  "waiting_list": "Vedtak om venteliste",
                  "rejection": "Avslag på langtidsopphold"}
DECISION_SHORT = {"grant": "innvilget straks", "waiting_list": "venteliste",
                  "rejection": "avslag"}
CASE_STATUSES = {"received": "søknad under utredning",
                 "granted": "langtidsopphold innvilget, skal iverksettes straks",
                 "waiting": "på venteliste", "rejected": "avslått", "resident": "har plass",
                 "closed": "avsluttet",
                 "accompanying": "medfølgende ektefelle eller samboer, venter på plass sammen "
                                 "med ektefellen"}
#: R11: the decisions on an accompanying stay (§ 2-3 annet ledd), and the new decision on it.
ACCOMPANYING_DECISIONS = {"accompanying_stay": "Vedtak om medfølgende opphold",
                          "ordinary_stay": "Videreføres som ordinært langtidsopphold",
                          "accompanying_stay_ended": "Det medfølgende oppholdet avsluttes"}
ACCOMPANYING_OUTCOMES = {"ordinary_stay": "Videreføres som ordinært langtidsopphold",
                         "ended": "Oppholdet avsluttes"}
#: R14: how a decision was sent ("sendt ..."), and its name in a form.
DELIVERY_CHANNELS = {"post": "i posten", "digital_mailbox": "til digital postkasse",
                     "handed_over": "overlevert"}
DELIVERY_CHANNEL_NAMES = {"post": "Brev i posten", "digital_mailbox": "Digital postkasse",
                          "handed_over": "Overlevert personlig"}
#: R14: what a complaint deadline is counted from.
DEADLINE_BASES = {"received": "regnet fra mottak",
                  "sent": "regnet fra sending og vanlig postgang",
                  "unknown": "ukjent: vedtaket er ikke registrert sendt eller mottatt"}
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
                  "declined": "takket nei", "withdrawn": "trukket",
                  "lapsed": "bortfalt — ikke besvart innen svarfristen"}
#: R18: why an offer does not count for the guarantee (it is not a suitable offer).
OFFER_UNSUITABILITY = {"place_type": "ikke plasstypen i vedtaket",
                       "facility_kind": "ikke institusjonstypen i vedtaket",
                       "available_late": "plassen er ikke ledig tidsnok etter tilbudet"}
#: R18: how a suitable offer met the guarantee.
MET_HOW = {"offer": "ved tilbud (venter på svar)", "accepted": "ved tilbud (takket ja)",
           "declined": "ved tilbud (takket nei)",
           "lapsed": "ved tilbud (bortfalt, ikke besvart innen svarfristen)"}
BREACH_CHOICES = {"purchase": "kjøpt plass hos annen leverandør",
                  "wait": "vente på kommunal plass"}
PLACE_STATUSES = {"vacant": "ledig", "vacant_from": "ledig fra",
                  "reserved": "reservert (tilbud sendt)", "closed": "stengt",
                  "couple": "begge senger: ektepar med medfølgende ektefelle"}
PROVIDER_OFFER_STATUSES = {"available": "tilgjengelig", "reserved": "reservert"}
CLOSURE_REASONS = {"placed": "fått plass", "withdrawn": "søknaden trukket", "died": "død",
                   "moved_away": "flyttet fra kommunen"}
STAY_END_REASONS = {"died": "død", "moved": "flyttet", "transferred": "overført internt"}
GUARANTEE_EFFECTS = {"fulfilled": "tilbudet oppfylte garantien",
                     "continues": "fristen gjelder fortsatt",
                     "lost": "garantien falt bort (tilbud utenfor førsteønsket ved fritt "
                             "valg av institusjon)",
                     "none": "tilbudet gjaldt ikke garantien"}
RUN_ITEM_STATUSES = {"proposed": "foreslått", "approved": "godkjent",
                     "changed": "endret og godkjent", "rejected": "avvist"}
PRIORITY_FACTORS = {
    "end_of_life": "Omsorg ved livets slutt",
    "cognitive_failure": "Kognitiv svikt",
    "other_special_needs": "Andre særlige behov",
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
COMPLAINT_SUBJECTS = {"decision": "vedtak", "offer": "tilbud",
                      "breach": "fristbrudd (ventelistegarantien er ikke oppfylt)",
                      "priority": "prioriteringen på ventelisten"}
#: Who complains (forvaltningsloven §§ 12 og 28).
COMPLAINANT_ROLES = {"person": "personen selv", "relative": "pårørende", "guardian": "verge",
                     "lawyer": "advokat eller annen fullmektig"}
#: The outcome's kind as lists show it, and who gave it (R21).
COMPLAINT_RESULTS = {"confirmed": "stadfestet", "changed": "endret", "quashed": "opphevet"}
COMPLAINT_RESULT_BY = {"unit": "tildelingsenheten", "state_administrator": "Statsforvalteren"}
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
    "read_offer_letter": "så tilbudsbrevet",
    "read_breach_letter": "så brevet om fristbrudd",
    "read_breach_letter_pdf": "lastet ned brevet om fristbrudd",
    "read_accompanying_letter": "så vedtaksbrevet om medfølgende opphold",
    "read_accompanying_letter_pdf": "lastet ned vedtaksbrevet om medfølgende opphold",
    "read_move_letter": "så brevet om tilbud om flytting",
    "read_move_letter_pdf": "lastet ned brevet om tilbud om flytting",
    "read_allocation_run": "så et tildelingsforslag", "read_complaints": "så klagelisten",
    "read_complaint": "så klagen", "write_complaint": "registrerte i klagesaken",
    "read_complaint_letter": "så brevet om klagens utfall",
    "read_complaint_letter_pdf": "lastet ned brevet om klagens utfall",
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
    "type_reason": "begrunnelse for en annen plasstype enn vedtaket",
    "unsuitable_reason": "begrunnelse for tilbud som ikke svarer til vedtaket",
    "medical_competence_centre": "medisinske opplysninger fra kompetansesenteret som har "
                                 "vært involvert",
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
    "straks": "Vedtaket om langtidsopphold straks er fattet. Personen er tatt av ventelisten "
              "og vises først, som vedtak som skal iverksettes nå.",
    "korttidsopphold": "Korttidsoppholdet er registrert.",
    "bortfalt": "Tilbudet er registrert som bortfalt, og plassen er frigjort.",
    "klage": "Klagen er registrert.",
    "sendt": "Utsendingen av vedtaket er registrert.",
    "mottatt": "Mottaket av vedtaket er registrert.",
    "utlogget": "Du er logget ut.",
    "flytting": "Tilbudet om flytting er sendt, og den nye plassen er holdt av.",
    "flyttet": "Flyttingen er registrert. Den gamle plassen er ledig fra flyttedagen.",
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


def flertall(n: int, one: str, many: str) -> str:
    """"1 person", "2 personer": a count with its noun in the right number."""
    return f"{n} {one if n == 1 else many}"


def personer(n: int) -> str:
    return flertall(n, "person", "personer")


def dager(n: int) -> str:
    return flertall(n, "dag", "dager")


#: R16, R17 (§ 3-3): the factors of special weight and those that lower the need.
SPECIAL_WEIGHT_FACTORS = frozenset(f.value for f in SPECIAL_WEIGHT)
LOWERING_FACTORS = frozenset(f.value for f in LOWERS_NEED)


def faktor_med_vekt(code: Any) -> str:
    """A priority factor's name, with its weight where it has one (§ 3-3)."""
    key = str(getattr(code, "value", code))
    text = label(PRIORITY_FACTORS, key)
    if key in SPECIAL_WEIGHT_FACTORS:
        return f"{text} (særlig vekt)"
    if key in LOWERING_FACTORS:
        return f"{text} (trekker behovet ned)"
    return text


def withdrawal_reason(reason: str) -> str:
    """Why an offer was withdrawn: the officer's words, or what the case's change says (a
    new decision, a closure, R9)."""
    if reason == "decision:quashed":
        return "vedtaket er opphevet etter klage"
    if reason.startswith("decision:"):
        kind = reason.split(":", 1)[1]
        return f"nytt vedtak: {DECISION_SHORT.get(kind, 'nytt vedtak')}"
    if reason in CLOSURE_REASONS:
        return f"saken avsluttet: {CLOSURE_REASONS[reason]}"
    if reason in STAY_END_REASONS:
        return f"oppholdet avsluttet: {STAY_END_REASONS[reason]}"
    return reason


#: R16, R17: the policy's suggested need score, as the priority form shows it (the page's
#: script builds the same words from these two parts).
SUGGESTION_PREFIX = "Forslag etter retningslinjene: "
SUGGESTION_SPECIAL = " (særlig vekt)"


def suggestion_words(score: int, special: bool) -> str:
    return f"{SUGGESTION_PREFIX}{score}" + (SUGGESTION_SPECIAL if special else "")


# --- the guarantee (§ 3-4) -------------------------------------------------------------------


def guarantee_text(state: GuaranteeState) -> str:
    """Where the waiting-list guarantee stands, in a sentence, from the domain's one
    :meth:`~domain.case.Guarantee.state` (never worked out here)."""
    s = state.status
    if s is GuaranteeStatus.RUNNING and state.deadline is not None:
        left = state.days_left or 0
        if state.breach_due:
            return (f"fristen {dato(state.deadline)} er passert uten tilbud "
                    f"({dager(-left)} over fristen); fristbruddet registreres ved neste "
                    "fristkontroll")
        return f"løper: frist {dato(state.deadline)}, {dager(left)} igjen"
    if s is GuaranteeStatus.MET:
        how = MET_HOW.get(state.met_how.value if state.met_how else "offer", "ved tilbud")
        return f"oppfylt den {dato(state.met_on)} {how}"
    if s is GuaranteeStatus.BREACHED:
        return (f"fristbrudd den {dato(state.breached_on)} (fristen var "
                f"{dato(state.deadline)})")
    if s is GuaranteeStatus.LOST:
        return (f"bortfalt den {dato(state.lost_on)}: personen takket nei til et tilbud som "
                "ikke var førsteønsket, ved kommunens ordning med fritt valg av institusjon; "
                "fristen i § 3-4 gjelder ikke lenger")
    return "ingen frist løper"


# --- domain errors ---------------------------------------------------------------------------

#: A refusal by rule (and field), in the words of the regulation: paragraphs, never the rule
#: codes of RULES.md.
_RULES = {
    ("R4", None): "Vedtak om langtidsopphold straks (§ 2-1 første ledd) forutsetter at "
                  "personen ikke kan få forsvarlig hjelp hjemme. Velg ventelistevedtak ellers.",
    ("R5", None): "Ventelistevedtak (§ 2-1 annet ledd) forutsetter vurderingen at personen "
                  "kan få forsvarlig hjelp hjemme til plass tilbys. Kan personen ikke det, "
                  "innvilges langtidsopphold straks (§ 2-1 første ledd).",
    ("R6", None): "Personen er under 67 år (§ 1-3 bokstav c): skriv hvilke alternativer i eget "
                  "hjem som er utredet, eller hvorfor det ikke er gjort (§ 2-1 fjerde ledd).",
    ("R7", None): "Personen har demensdiagnose: tilbud om en plass som ikke er skjermet, krever "
                  "en begrunnelse, for eksempel å bo sammen med ektefelle (§ 2-1 femte ledd).",
    ("R8", "case_id"): "Demensutredning mangler — ingen tilbud kan gis før den er gjort "
                       "(§ 2-2).",
    ("R9", None): "Personen har fått avslag og står ikke på ventelisten; det gis ikke tilbud.",
    ("R10", None): "Ektefellen eller samboeren bor eller har tilbud ved en annen institusjon. "
                   "Ektefeller i langtidsopphold skal få plass samme sted med mindre begge har "
                   "samtykket til å bo hver for seg (§ 2-3).",
    ("R10", "statement"): "Skriv samtykket med personens egne ord (§ 2-3).",
    ("R10", "spouse_case_id"): "En av de to sakene er allerede koblet til en annen ektefelle "
                               "eller samboer. En person kan bare ha én ektefelle eller "
                               "samboer koblet til saken (§ 2-3).",
    ("R10", "municipality"): "Ektefellens eller samboerens sak hører til en annen kommune. "
                             "Saker kobles bare innen samme kommune (§ 2-3).",
    ("R11", None): "Medfølgende opphold krever at ektefellens eller samboerens sak er koblet "
                   "til (§ 2-3 annet ledd).",
    ("R11", "resident_case_id"): "Medfølgende opphold gis ektefellen eller samboeren til en "
                                 "person med langtidsopphold: sakene må være koblet, og "
                                 "ektefellen må ha vedtak om langtidsopphold eller plass "
                                 "(§ 2-3 annet ledd).",
    ("R11", "wish"): "Skriv at begge ønsker å bo sammen (§ 2-3 annet ledd).",
    ("R11", "single_room_reason"): "Ektefellen eller samboeren har vedtak om medfølgende "
                                   "opphold: paret tilbys et helt dobbeltrom. Et enerom "
                                   "krever en begrunnelse (§ 2-3 annet ledd).",
    ("R11", "place_id"): "Paret trenger begge sengene i dobbeltrommet, og den ene er opptatt "
                         "(§ 2-3 annet ledd).",
    ("R14", "grounds"): "Vedtaket må ha en begrunnelse: faktiske forhold og hovedhensyn "
                        "(§ 3-2, forvaltningsloven § 25).",
    ("R14", "interim_services"): "Et ventelistevedtak må si hvilke tjenester personen får mens "
                                 "hun eller han venter (§ 3-2).",
    ("R14", "services"): "Skriv hvilke tjenester personen får mens hun eller han venter "
                         "(§ 3-2).",
    ("R14", "sent_on"): "Utsendingen av dette vedtaket er allerede registrert.",
    ("R14", "received_on"): "Mottaket av dette vedtaket er allerede registrert.",
    ("R21", "new_decision"): "Når vedtaket endres, skal det nye vedtaket fylles ut: type "
                             "vedtak, plasstype og begrunnelse (pasient- og "
                             "brukerrettighetsloven § 7-2).",
    ("R21", "subject_id"): "Tilbudet er trukket tilbake og binder ingen. Klag heller på "
                           "vedtaket eller på fristbruddet.",
    ("R21", "against"): "Saken har ikke noe å klage på av den typen: det er ikke registrert "
                        "fristbrudd eller prioritering i saken.",
    ("R21", "outcome"): "Vedtaket klagen gjelder, er erstattet av et senere vedtak. Utfallet "
                        "kan ikke endre eller oppheve det senere vedtaket.",
    ("R21", "late_reason"): "Klagen kom etter klagefristen. Den kan likevel tas under "
                            "behandling (forvaltningsloven § 31): skriv hvorfor.",
    ("R15", "reason"): "Skriv hvorfor personen ikke lenger kan få forsvarlig hjelp hjemme "
                       "(§ 3-3 første ledd).",
    ("R15", None): "Langtidsopphold straks etter § 3-3 første ledd gjelder en person på "
                   "ventelisten. For en søknad under utredning fattes vedtak om "
                   "langtidsopphold straks under «Fatt vedtak» (§ 2-1 første ledd).",
    ("R17", "assessor"): "Prioriteringen er en faglig vurdering: oppgi hvem som har vurdert "
                         "(§ 3-3 tredje ledd).",
    ("R17", "departure_reason"): "Behovspoengene avviker fra forslaget etter kommunens "
                                 "retningslinjer mer enn det som er tillatt: skriv "
                                 "begrunnelsen for avviket (§ 3-3).",
    ("R17", "reason"): "Et annet tilbud enn det foreslåtte krever saksbehandlerens "
                       "begrunnelse (§ 3-3).",
    ("R17", "approved_by"): "En person i tildelingsenheten må godkjenne hvert tilbud "
                            "(§ 3-3).",
    ("R19", "choice"): "Valget mellom kjøpt plass og å vente kommer etter et fristbrudd; saken "
                       "har ikke fristbrudd (§ 3-4 annet ledd).",
    ("R19", None): "Plass kjøpes fra annen leverandør når vedtaket om langtidsopphold skal "
                   "iverksettes straks (§ 2-1 første ledd, § 3-3 første ledd), når kommunen "
                   "ikke har plass av typen i vedtaket, når fristen er nær (§ 3-4), eller når "
                   "personen har valgt kjøp etter fristbrudd (§ 3-4 annet ledd).",
    ("R25", None): "Personen har allerede en åpen sak i kommunen. En person har bare én åpen "
                   "sak: fortsett i den.",
}

_FIELDS = {
    "identity_number": "Fødselsnummeret er ikke gyldig. Sjekk at det har 11 siffer og at "
                       "fødselsdato og kontrollsiffer stemmer.",
    "name": "Skriv søkerens navn.",
    "received_on": "Datoen kan ikke være fram i tid.",
    "what_matters": "Skriv hva som er viktig for personen (§ 2-2 nr. 1).",
    "information": "Skriv hva pårørende eller verge har opplyst (§ 2-2 nr. 1).",
    "statement": "Skriv erklæringen med personens eller saksbehandlerens egne ord.",
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
    "outcome": "Velg utfallet: stadfestet, endret eller opphevet.",
    "new_decision": "Et nytt vedtak fylles bare ut når vedtaket endres.",
    "complainant_role": "Velg hvem som klager: personen selv, pårørende, verge eller "
                        "advokat.",
    "complainant_name": "Skriv navnet på den som klager på vegne av personen.",
    "spouse_case_id": "En person kan ikke kobles til sin egen sak. Velg saken til "
                      "ektefellen eller samboeren.",
    "ended_on": "Skriv datoen oppholdet ble avsluttet.",
    "facility_id": "Skriv institusjonens id, for eksempel fjellheim.",
    "facility_name": "Skriv institusjonens navn.",
    "unit": "Skriv avdelingen.",
    "room": "Skriv romnummeret.",
    "provider": "Skriv leverandørens navn.",
    "price_per_day": "Prisen per døgn må være over 0 kr.",
    "valid_until": "«Gyldig til» kan ikke være før plassen er ledig.",
    "from_on": "Skriv datoen korttidsoppholdet startet.",
    "to_on": "Skriv datoen korttidsoppholdet sluttet.",
}

_BEFORE = {  # the first that a message holds (so the longer before the shorter)
    "the decision in force": "vedtaket som gjelder nå",
    "the decision was sent": "vedtaket ble sendt", "the decision": "vedtaket",
    "the offer": "tilbudet", "the application was received": "søknaden kom inn",
    "the complaint was received": "klagen kom inn", "the reconsideration": "den nye vurderingen",
    "the forwarding": "oversendelsen", "the admission": "innflyttingen",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(message: str) -> str | None:
    if "in the future" in message:
        return "Datoen kan ikke være fram i tid."
    if "after the decision was received" in message:
        found = _ISO_DATE.findall(message)
        day = f" ({dato(found[0])})" if found else ""
        return f"Vedtaket kan ikke være sendt etter at det ble mottatt{day}."
    if "available from" in message:
        found = _ISO_DATE.findall(message)
        day = f" {dato(found[0])}" if found else ""
        return f"Plassen er ledig først fra{day}; innflyttingen kan ikke være før det."
    if "the stay cannot end before it starts" in message:
        return "Sluttdatoen kan ikke være før oppholdet startet."
    if "cannot be before" in message or "cannot be dated before" in message:
        what = next((nb for en, nb in _BEFORE.items() if en in message), None)
        if what is None:
            return "Datoen er for tidlig."
        if what == _BEFORE["the decision in force"]:
            found = _ISO_DATE.findall(message)
            what += f" ({dato(found[0])})" if found else ""
        return f"Datoen kan ikke være før {what}."
    if "calendar date is required" in message:
        return "Skriv en gyldig dato."
    return None


#: The state machine's refusal (:class:`~domain.case.NotNow`), by command.
_NOT_NOW = {
    "record_interim_services": "Tjenester i ventetiden registreres for personer på "
                               "ventelisten.",
    "record_bridging_stay": "Korttidsopphold i påvente av langtidsplass registreres for "
                            "personer på ventelisten eller med vedtak som skal iverksettes.",
    "assess_priority": "Prioritet vurderes bare for en person som venter.",
    "mark_urgent": "Langtidsopphold straks etter § 3-3 første ledd gjelder en person på "
                   "ventelisten.",
    "make_offer": "Tilbud gis bare til en person med vedtak som ennå ikke har plass.",
    "answer_offer": "Tilbudet kan ikke besvares nå.",
    "withdraw_offer": "Tilbudet kan ikke trekkes nå.",
    "lapse_offer": "Tilbudet kan ikke registreres som bortfalt nå.",
    "admit": "Innflytting registreres bare for en person med vedtak som ennå ikke har plass.",
    "end_stay": "Personen bor ikke på en langtidsplass, så det er ikke noe opphold å avslutte.",
    "close": "Saken er allerede avsluttet.",
    "decide": "Det kan ikke fattes vedtak i saken nå.",
    "record_documentation": "Opplysninger til utredningen kan ikke registreres nå.",
    "choose_after_breach": "Valget etter fristbrudd registreres for personer på ventelisten.",
    "check_deadline": "Fristen kontrolleres bare for personer på ventelisten.",
    "offer_move": "Flytting tilbys bare en person som bor på en langtidsplass.",
    "answer_move": "Tilbudet om flytting kan ikke besvares nå.",
    "withdraw_move": "Tilbudet om flytting kan ikke trekkes nå.",
    "move": "Flyttingen kan ikke gjennomføres nå.",
    "decide_new_place_type": "Nytt vedtak om plasstype fattes for en person som bor på en "
                             "langtidsplass.",
}
#: Where the case is, by status.
_WHERE = {
    "received": "søknaden er under utredning",
    "granted": "personen har vedtak om langtidsopphold som skal iverksettes straks",
    "waiting": "personen står på ventelisten",
    "rejected": "søknaden er avslått",
    "resident": "personen bor på en langtidsplass",
    "closed": "saken er avsluttet",
    "accompanying": "personen har vedtak om medfølgende opphold og følger ektefellens tilbud",
}

_STATES = (
    ("already has an outstanding offer", "Personen har allerede et tilbud som ikke er "
                                         "avsluttet. En person får bare én plass om gangen."),
    ("reinforced place is for", "En forsterket plass krever vedtak om forsterket plass."),
    ("moved in on this offer", "Personen har flyttet inn på plassen fra dette tilbudet. "
                               "Avslutt oppholdet for å frigjøre plassen."),
    ("no such offer", "Tilbudet finnes ikke i saken. Last siden på nytt."),
    ("the offer is", "Tilbudet er allerede besvart, trukket eller bortfalt."),
    ("the answer deadline has not passed", "Svarfristen er ikke passert ennå."),
    ("the proposal is already", "Forslaget er allerede behandlet."),
    ("place is not vacant", "Plassen er ikke lenger ledig."),
    ("place is closed", "Plassen er stengt og kan ikke tilbys."),
    ("not available", "Plassen hos den andre leverandøren er ikke lenger tilgjengelig."),
    ("already in a bridging short-term stay", "Personen er allerede på korttidsopphold. "
                                              "Registrer først at det er avsluttet."),
    ("no open bridging short-term stay", "Det er ikke registrert noe pågående "
                                         "korttidsopphold."),
    ("earlier guarantee period", "Fristbruddet gjelder en tidligere garantiperiode; personen "
                                 "har en ny frist nå."),
    ("end the stay instead", "Personen bor på en langtidsplass: avslutt oppholdet i stedet "
                             "for saken."),
    ("already registered in that room", "Et annet rom er allerede registrert med samme "
                                        "institusjon, avdeling og romnummer, men med en annen "
                                        "plasstype, institusjonstype eller romtype."),
    ("already been reconsidered", "Klagen er allerede vurdert på nytt av tildelingsenheten."),
    ("this complaint awaits none", "Klagen venter ikke på noe nytt vedtak: bare når vedtaket "
                                   "er opphevet, knyttes det nye vedtaket til klagen, én gang."),
    ("must reconsider it first", "Tildelingsenheten må vurdere klagen på nytt før den kan "
                                 "sendes til Statsforvalteren."),
    ("nothing to forward", "Klagen ble tatt til følge; det er ingenting å sende videre."),
    ("already been forwarded", "Klagen er allerede sendt til Statsforvalteren."),
    ("decides a complaint that has been forwarded", "Statsforvalterens utfall registreres "
                                                    "når klagen er sendt dit."),
)

_TOO_LONG = re.compile(r"at most (\d+) characters$")
_OLDER_THAN = re.compile(r"^(\w+) \(older than (\d+) months\)$")


def missing_text(item: str) -> str:
    """One item a command found missing (R8's § 2-2 items and others), in Norwegian."""
    older = _OLDER_THAN.match(item)
    if older:
        return (f"{MISSING.get(older.group(1), older.group(1))} (den som finnes, er eldre enn "
                f"{older.group(2)} måneder)")
    return MISSING.get(item, item)


def _unsuitable_text(message: str) -> str:
    """R18: an offer that does not meet the decision, with what is wrong with it."""
    inside = re.search(r"\(([a-z_, ]+)\)", message)
    why = [OFFER_UNSUITABILITY.get(c.strip(), c.strip())
           for c in (inside.group(1).split(",") if inside else [])]
    return ("Plassen svarer ikke til vedtaket" + (f" ({', '.join(why)})" if why else "")
            + ". Skriv begrunnelsen for å gi tilbudet likevel. Et slikt tilbud teller ikke "
            "som oppfylt garanti (§ 3-4).")


#: A case form drawn from a version of the case someone else has changed since.
STALE_FORM = ("Saken er endret av noen andre siden du åpnet den, så skjemaet ble ikke lagret. "
              "Se over saken slik den er nå; det du skrev står i skjemaet. Send det på nytt "
              "hvis det fortsatt er riktig.")


def rule_text(exc: DomainError) -> str | None:
    """A refusal by a numbered rule in the regulation's words (its paragraph, never the
    rule's code), or None where there are no words for it."""
    if exc.rule == "R8" and exc.field != "case_id":
        items = [missing_text(m) for m in exc.missing]
        return ("Vedtak kan ikke fattes før saken har det § 2-2 krever. Dette mangler: "
                + "; ".join(items) + ".")
    if exc.rule == "R18":
        return _unsuitable_text(exc.message)
    if exc.rule:
        return _RULES.get((exc.rule, exc.field)) or _RULES.get((exc.rule, None))
    return None


_RULE_CODE = re.compile(r"\(?\bR\d+\b\)?:?\s*")
_ID_NAMED = re.compile(r"\b(case|place|run|complaint|offer|decision|proposal) "
                       r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_ID = re.compile(r"\s*\(?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\)?")


def message_text(exc: DomainError) -> str:
    """The ``message`` of a JSON refusal, for the person reading it: a rule's refusal in the
    regulation's words (the rule's code stays in the body's ``rule``), anything else as the
    domain wrote it, without rule codes or ids (the body's fields name what is at fault)."""
    text = rule_text(exc)
    if text:
        return text
    plain = _ID_NAMED.sub(lambda m: f"the {m.group(1)}", exc.message)
    return _ID.sub("", _RULE_CODE.sub("", plain)).strip()


def error_text(exc: DomainError) -> str:
    """The refusal in Norwegian, naming the paragraph and what is missing."""
    if isinstance(exc, StaleVersion):
        return STALE_FORM
    if isinstance(exc, ConcurrencyConflict):
        return ("Noen andre endret saken eller plassen samtidig. Ingenting ble lagret — last "
                "siden på nytt og prøv igjen.")
    if isinstance(exc, ConfirmationRequired):
        return ("Noen på ventelisten har ingen vurdering av behov og blir rangert etter alle "
                "som er vurdert (§ 3-3). Vurder dem, eller bekreft at tildelingen kjøres.")
    text = rule_text(exc)
    if text:
        return text
    if isinstance(exc, NotFound) and exc.field == "subject_id":
        return _FIELDS["subject_id"]
    if isinstance(exc, NotFound):
        return "Fant ikke det skjemaet viser til. Det kan høre til en annen kommune eller være " \
               "slettet — last siden på nytt."
    if isinstance(exc, NotNow):
        text = _NOT_NOW.get(exc.command)
        if text:
            return text
        return f"Det passer ikke nå: {_WHERE[exc.status.value]}."
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
        if exc.message.endswith("contains a control character"):
            return "Teksten inneholder et usynlig kontrolltegn som ikke kan lagres. Fjern det " \
                   "(skriv eller lim inn teksten på nytt) og prøv igjen."
        too_long = _TOO_LONG.search(exc.message)
        if too_long:
            return f"Teksten er for lang: høyst {int(too_long.group(1)):,} tegn.".replace(
                ",", " ")
        if exc.field in _FIELDS:
            return _FIELDS[exc.field]
    if exc.missing:
        return "Dette mangler: " + "; ".join(missing_text(m) for m in exc.missing) + "."
    return "Skjemaet kunne ikke lagres. Sjekk feltene og prøv igjen."


# --- the allocator's explanations (R21: the reasons given then) -------------------------------

_WHY_NO_OWN = {
    "reinforced_not_assessed": "En forsterket plass gis bare etter vurdering av behov for "
                               "forsterket plass, og den vurderingen er ikke registrert.",
    "spouse_facility_no_place": "Ingen passende plass var ledig der ektefellen eller "
                                "samboeren bor; personen skal få plass der (§ 2-3).",
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
    """The optimizer's reasons for one person's outcome, as the optimizer wrote them: in
    Norwegian at the source, one sentence per checked fact (its ``text``). A run recorded by
    an earlier release (no ``facts``, English text) is worded here from its codes."""
    if explanation.get("facts"):
        return str(explanation["text"])
    rank = explanation.get("waiting_list_rank")
    parts = [f"Nummer {rank} på ventelisten (vedtak om langtidsopphold straks først, så "
             "størst behov, så lengst ventetid, § 3-3)."]
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
        parts.append(f"{personer(len(higher))} med høyere plass på listen fikk de passende "
                     "plassene.")
    return " ".join(parts)
