"""A case (sak): one person's application for a long-term stay and everything that follows
it. See :mod:`domain.case.aggregate` for the map of its modules."""

from domain.case.accompanying import (
    ACCOMPANYING_LEGAL_BASIS,
    ACCOMPANYING_STAY,
    ACCOMPANYING_STAY_ENDED,
    ORDINARY_STAY,
    check_couple_room,
)
from domain.case.aggregate import Case
from domain.case.decisions import (
    COMPLAINT_RIGHT,
    COMPLAINT_TO,
    EARLIER_LEGAL_BASIS,
    LEGAL_BASIS,
    MUNICIPAL_DUTY,
    PERSONS_RIGHT,
    REGULATION,
    REGULATION_PARAGRAPHS,
    YOUNGER_PERSON_AGE,
    fitting_place_types,
)
from domain.case.delivery import (
    COMPLAINT_WEEKS,
    DELIVERY_WORKING_DAYS,
    UNKNOWN_DEADLINE,
    ComplaintDeadline,
    add_working_days,
    complaint_deadline,
    deadline_of,
)
from domain.case.guarantee import (
    Guarantee,
    GuaranteePeriod,
    GuaranteeState,
    GuaranteeStatus,
    MetHow,
)
from domain.case.intake import IPLOS_MAX_AGE_MONTHS
from domain.case.lifecycle import ALLOWED, ON_LIST, OPEN, CaseStatus, NotNow, require
from domain.case.offers import unsuitability
from domain.case.spouses import check_spouse_co_location, link_spouses
from domain.case.state import (
    AccompanyingStay,
    BridgingStay,
    CaseEvent,
    Decision,
    Documentation,
    Offer,
    PriorityAssessment,
    Residence,
)

__all__ = [
    "ACCOMPANYING_LEGAL_BASIS",
    "ACCOMPANYING_STAY",
    "ACCOMPANYING_STAY_ENDED",
    "ALLOWED",
    "COMPLAINT_RIGHT",
    "COMPLAINT_TO",
    "COMPLAINT_WEEKS",
    "DELIVERY_WORKING_DAYS",
    "EARLIER_LEGAL_BASIS",
    "IPLOS_MAX_AGE_MONTHS",
    "LEGAL_BASIS",
    "MUNICIPAL_DUTY",
    "ON_LIST",
    "OPEN",
    "ORDINARY_STAY",
    "PERSONS_RIGHT",
    "REGULATION",
    "REGULATION_PARAGRAPHS",
    "UNKNOWN_DEADLINE",
    "YOUNGER_PERSON_AGE",
    "AccompanyingStay",
    "BridgingStay",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "ComplaintDeadline",
    "Decision",
    "Documentation",
    "Guarantee",
    "GuaranteePeriod",
    "GuaranteeState",
    "GuaranteeStatus",
    "MetHow",
    "NotNow",
    "Offer",
    "PriorityAssessment",
    "Residence",
    "add_working_days",
    "check_couple_room",
    "check_spouse_co_location",
    "complaint_deadline",
    "deadline_of",
    "fitting_place_types",
    "link_spouses",
    "require",
    "unsuitability",
]
