"""Value types shared by the aggregates: the law's categories as enums, and small records.

Enums are plain :class:`enum.Enum` (not ``str`` subclasses) so the event transcoder keeps
their type on the way back from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class FacilityKind(Enum):
    """R1 (§ 1-3 a): where a long-term place can be."""

    NURSING_HOME = "nursing_home"  # sykehjem
    HOUSING_24H = "housing_24h"  # tilsvarende bolig særskilt tilrettelagt for heldøgns tjenester


class PlaceType(Enum):
    """The three long-term place types of the trial's service catalogue."""

    ORDINARY = "ordinary"  # ordinær plass
    SCREENED = "screened"  # skjermet (tilrettelagt) plass, for persons with dementia (R7)
    REINFORCED = "reinforced"  # forsterket plass


class RoomKind(Enum):
    SINGLE = "single"
    DOUBLE = "double"

    @property
    def capacity(self) -> int:
        return 2 if self is RoomKind.DOUBLE else 1


class Channel(Enum):
    """How the application (søknad) came in."""

    DIGITAL = "digital"
    PAPER = "paper"
    PHONE = "phone"
    HOSPITAL = "hospital"  # from the specialist health service at discharge
    ON_BEHALF = "on_behalf"  # from relatives, guardian or GP on the person's behalf


class DocumentationItem(Enum):
    """R8 (§ 2-2): what the case must hold before a grant or waiting-list decision."""

    OWN_ACCOUNT = "own_account"  # (1) the person's own account: "what matters to you"
    RELATIVES = "relatives"  # (1) relatives or guardian
    IPLOS = "iplos"  # (2) updated IPLOS registration, where the person gets other services
    MEDICAL_GP = "medical_gp"  # (3) medical information from the GP ...
    MEDICAL_SPECIALIST = "medical_specialist"  # (3) ... or the specialist health service
    LEON = "leon"  # (4) lower-level measures tried or assessed
    DEMENTIA_INVESTIGATION = "dementia_investigation"  # (5) where dementia is suspected


class MedicalSource(Enum):
    GP = "gp"  # fastlege
    SPECIALIST = "specialist"  # spesialisthelsetjenesten
    COMPETENCE_CENTRE = "competence_centre"  # kompetansesenter


class LeonMeasure(Enum):
    """R8 (4): the lower-level measures (laveste effektive omsorgsnivå)."""

    SHORT_TERM_STAY = "short_term_stay"  # korttidsopphold
    DAY_CARE = "day_care"  # dagtilbud
    EXTENDED_HOME_SERVICES = "extended_home_services"  # utvidede hjemmetjenester
    HOME_ADAPTATION = "home_adaptation"  # tilrettelegging av bolig
    WELFARE_TECHNOLOGY = "welfare_technology"  # velferdsteknologi


class LeonStatus(Enum):
    TRIED = "tried"  # prøvd
    ASSESSED = "assessed"  # vurdert


class DementiaFinding(Enum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    INCONCLUSIVE = "inconclusive"


class DeliveryChannel(Enum):
    """R14: how a decision (vedtak) was sent to the person."""

    POST = "post"  # brev i posten
    DIGITAL_MAILBOX = "digital_mailbox"  # digital postkasse
    HANDED_OVER = "handed_over"  # overlevert (in hand)


class DecisionKind(Enum):
    GRANT = "grant"  # R4: vedtak om langtidsopphold, carried out at once
    WAITING_LIST = "waiting_list"  # R5: vedtak om venteliste
    REJECTION = "rejection"  # R9: avslag


class ClosureReason(Enum):
    PLACED = "placed"
    WITHDRAWN = "withdrawn"
    DIED = "died"
    MOVED_AWAY = "moved_away"


class StayEndReason(Enum):
    DIED = "died"
    MOVED = "moved"  # moved to another place or municipality
    TRANSFERRED = "transferred"  # moved within the municipality's own stock (R20 move)


class MoveReason(Enum):
    """R28 (§ 2-3; memo 2.3): why a resident is offered another place (flytting), in the
    order the allocator plans movers (after everyone on the waiting list, R15/R16)."""

    CHANGE_OF_NEED = "change_of_need"  # a new decision gives another place type
    SPOUSES_TOGETHER = "spouses_together"  # R10: to live with the spouse
    FREE_CHOICE = "free_choice"  # R20: to the facility the person wished for
    BOUGHT_TO_OWN = "bought_to_own"  # from a bought place to an own place


class BreachChoice(Enum):
    """R19 (§ 3-4 second paragraph): the person's choice after a deadline breach."""

    PURCHASE = "purchase"  # a place at another provider, bought by the municipality
    WAIT = "wait"  # wait on for a municipal place


class DeclinedOfferEffect(Enum):
    """Policy: what declining an offer does to the waiting-list guarantee (R18, R20)."""

    OFFER_FULFILS_GUARANTEE = "offer_fulfils_guarantee"  # the offer made meets the guarantee
    GUARANTEE_CONTINUES = "guarantee_continues"  # the original deadline still stands


class OfferKind(Enum):
    OWN = "own"  # a place in the municipality's own stock
    PURCHASE = "purchase"  # a place bought from another provider


class OfferStatus(Enum):
    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # R26: not answered by the answer deadline (svarfrist)


class OfferUnsuitability(Enum):
    """R18: why an offer does not meet the guarantee (it is not a *suitable* offer)."""

    PLACE_TYPE = "place_type"  # not the decided place type, and no recorded R7 reason
    FACILITY_KIND = "facility_kind"  # not the decided kind of facility
    AVAILABLE_LATE = "available_late"  # not available within the policy's days of the offer


class VacancyReason(Enum):
    DEATH = "death"
    MOVED_OUT = "moved_out"
    TRANSFER = "transfer"
    OTHER = "other"


class PriorityFactor(Enum):
    """R16, R17 (§ 3-3): what the professional assessment of need weighs.

    The first three are the factors the regulation gives *special weight* (særskilt vekt,
    § 3-3 second paragraph, R16): no combination of the others can outweigh them. Each factor
    has a direction: most make the need greater; rehabilitation potential and other services
    that help make it smaller (:data:`LOWERS_NEED`).
    """

    END_OF_LIFE = "end_of_life"  # R16 special weight
    COGNITIVE_FAILURE = "cognitive_failure"  # R16 special weight
    OTHER_SPECIAL_NEEDS = "other_special_needs"  # R16 special weight
    FUNCTION = "function"  # IPLOS: physical and mental function, need for help
    MEDICAL = "medical"  # medical assessments and diagnoses
    NUTRITION = "nutrition"
    PROGNOSIS = "prognosis"
    REHABILITATION = "rehabilitation"  # rehabilitation potential
    OTHER_SERVICES = "other_services"  # home services, welfare technology, adaptation
    HOME_SITUATION = "home_situation"  # incl. the relatives' situation
    SPOUSE_IN_LONG_TERM_STAY = "spouse_in_long_term_stay"


#: R16: the factors of special weight (særskilt vekt).
SPECIAL_WEIGHT: frozenset[PriorityFactor] = frozenset({
    PriorityFactor.END_OF_LIFE, PriorityFactor.COGNITIVE_FAILURE,
    PriorityFactor.OTHER_SPECIAL_NEEDS,
})
#: R17: factors that, the more they apply, make the need for a place *smaller*: a good
#: rehabilitation potential, and other services (home services, welfare technology,
#: adaptation) that help.
LOWERS_NEED: frozenset[PriorityFactor] = frozenset({
    PriorityFactor.REHABILITATION, PriorityFactor.OTHER_SERVICES,
})

#: Severity of each factor is scored 0 (no bearing) to 4 (decisive).
FACTOR_MAX = 4

#: IPLOS variables (kodeverk for IPLOS-registrering), scored 1–5, or 9 for not relevant.
IPLOS_VARIABLES: tuple[str, ...] = (
    "sosial_deltakelse",
    "beslutninger_i_dagliglivet",
    "ivareta_egen_helse",
    "kommunikasjon",
    "skaffe_seg_varer_og_tjenester",
    "alminnelig_husarbeid",
    "lage_mat",
    "spise",
    "personlig_hygiene",
    "pakledning",
    "toalett",
    "bevege_seg_innendors",
    "bevege_seg_utendors",
    "hukommelse",
    "styring_av_atferd",
    "syn",
    "horsel",
)
IPLOS_SCORES = frozenset({1, 2, 3, 4, 5, 9})


@dataclass(frozen=True)
class Person:
    """The applicant. ``identity_number`` is validated (see :mod:`domain.identity`)."""

    identity_number: str = field(repr=False)  # never in logs or tracebacks
    name: str = field(repr=False)
    birth_date: date = field(repr=False)


@dataclass(frozen=True)
class LeonEntry:
    measure: LeonMeasure
    status: LeonStatus
    outcome: str


@dataclass(frozen=True)
class InterimService:
    """R14: a service the person receives while waiting (e.g. home nursing 3 visits a day)."""

    service: str
    extent: str


@dataclass(frozen=True)
class FacilityRef:
    facility_id: str
    name: str
    kind: FacilityKind


@dataclass(frozen=True)
class PolicySettings:
    """The municipality's policy (kommunal forskrift and local practice), one version.

    ``guarantee_months``: R18 waiting-list guarantee, calendar months (default 3).
    ``free_choice``: R20, off by default.
    ``declined_offer_effect``: R18: what declining a suitable offer does to the guarantee.
    ``priority_weights``: weight per :class:`PriorityFactor` value, for the suggested need
    score (R16, R17); the factors of special weight never weigh 0.
    ``score_tolerance``: how far an assessor's need score may depart from the suggestion
    before a reason is required (R17).
    ``deadline_horizon_days``: persons whose deadline falls within this many days are
    proposed a purchased place by the allocator when no own place is found (R18, R19).
    ``offer_available_within_days``: R18: an offer meets the guarantee only if the place is
    available within this many days of the offer.
    ``offer_answer_days``: R26: the answer deadline (svarfrist) of an offer, in days.
    ``lapsed_offer_counts_as_declined``: R26: an offer not answered in time counts as
    declined (its effect on the guarantee as a decline's); otherwise as never made.
    ``grant_alert_days``: R4: a grant not carried out within this many days is shown to the
    unit and management until it is.
    ``review_every_months``: R27: every waiting case is reviewed at this interval.
    ``iplos_max_age_months``: R8 (2), R27: an IPLOS registration older than this is not
    "updated" (flagged on the list; a decision needs a newer one).
    """

    guarantee_months: int = 3
    free_choice: bool = False
    declined_offer_effect: DeclinedOfferEffect = DeclinedOfferEffect.OFFER_FULFILS_GUARANTEE
    priority_weights: dict[str, int] = field(
        default_factory=lambda: {
            PriorityFactor.END_OF_LIFE.value: 5,
            PriorityFactor.COGNITIVE_FAILURE.value: 4,
            PriorityFactor.OTHER_SPECIAL_NEEDS.value: 3,
            PriorityFactor.FUNCTION.value: 3,
            PriorityFactor.MEDICAL.value: 2,
            PriorityFactor.NUTRITION.value: 1,
            PriorityFactor.PROGNOSIS.value: 1,
            PriorityFactor.REHABILITATION.value: 1,
            PriorityFactor.OTHER_SERVICES.value: 1,
            PriorityFactor.HOME_SITUATION.value: 2,
            PriorityFactor.SPOUSE_IN_LONG_TERM_STAY.value: 2,
        }
    )
    score_tolerance: int = 10
    deadline_horizon_days: int = 14
    offer_available_within_days: int = 14
    offer_answer_days: int = 3
    lapsed_offer_counts_as_declined: bool = True
    grant_alert_days: int = 3
    review_every_months: int = 3
    iplos_max_age_months: int = 12

    def weight(self, factor: PriorityFactor) -> int:
        return self.priority_weights.get(factor.value, 0)

    def suggested_need_score(self, factors: dict[str, int]) -> int:
        """R16, R17: the need score (0–100) the policy's weights suggest for the factors'
        severities (0–4). See :func:`suggested_need_score`."""
        return suggested_need_score(self, factors)


#: R16: suggested scores of persons with a factor of special weight lie above this line,
#: all others on or below it.
SPECIAL_WEIGHT_LINE = 50


def suggested_need_score(policy: PolicySettings, factors: dict[str, int]) -> int:
    """R16, R17 (§ 3-3 second and third paragraphs): the suggested need score, 0–100.

    The factors of special weight take precedence that the others cannot overturn: a person
    with any of them scores above :data:`SPECIAL_WEIGHT_LINE` (51–100, by their weighted
    severity, the other factors refining only within the same special weight), a person with
    none scores 0–50 by the other factors. The other factors each have a direction: those that
    lower the need (:data:`LOWERS_NEED`) subtract, and the sum of the others never goes below
    zero. The suggestion is lexicographic (special weight first), weakly monotone in each
    factor in its direction; the assessor's own score is the decision (R17).
    """
    special = sum(policy.weight(f) * factors.get(f.value, 0) for f in SPECIAL_WEIGHT)
    special_max = sum(policy.weight(f) for f in SPECIAL_WEIGHT) * FACTOR_MAX
    others = [f for f in PriorityFactor if f not in SPECIAL_WEIGHT]
    raising = sum(policy.weight(f) * factors.get(f.value, 0)
                  for f in others if f not in LOWERS_NEED)
    lowering = sum(policy.weight(f) * factors.get(f.value, 0)
                   for f in others if f in LOWERS_NEED)
    other_max = sum(policy.weight(f) for f in others if f not in LOWERS_NEED) * FACTOR_MAX
    other = min(max(raising - lowering, 0), other_max)
    if special > 0 and special_max > 0:
        span = 100 - SPECIAL_WEIGHT_LINE - 1  # 49 points above 51
        combined = special * (other_max + 1) + other
        top = special_max * (other_max + 1) + other_max
        return SPECIAL_WEIGHT_LINE + 1 + (span * combined) // top
    if other_max == 0:
        return 0
    return (SPECIAL_WEIGHT_LINE * other) // other_max
