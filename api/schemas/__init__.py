"""Request and response bodies of the JSON routes, one module per concept: what every body
shares (``common``: the text types, ``In``, ``mask``), a case's commands (``cases``), offers
(``offers``), moves of residents (``moves``), places and other providers' offers
(``places``), allocation runs (``allocation``), complaints (``complaints``), sign-in
(``auth``) and the read views (``views``, with ``case_view``). Every name is re-exported
here: ``from api.schemas import X``.

Bodies forbid unknown fields (a misspelt field is a 422 naming it, never silently dropped).
Text fields refuse control characters (a NUL would break a PostgreSQL read model) and are
bounded in length. The identity number (fødselsnummer, D-number) appears in one body only,
the application; no response carries it, only :func:`mask` of it.
"""

from __future__ import annotations

from api.schemas.allocation import ApproveIn, ChangeIn, RerunOut, RunIn, RunSummary, RunView
from api.schemas.auth import DemoTokenIn, MeOut, TokenOut
from api.schemas.cases import (
    AccompanyingConclusionIn,
    AccompanyingStayIn,
    ApplicationIn,
    BreachChoiceIn,
    BridgingStayEndIn,
    BridgingStayIn,
    CaseCreated,
    CloseCaseIn,
    DecisionIn,
    DecisionOut,
    DecisionReceivedIn,
    DecisionSentIn,
    DementiaInvestigationIn,
    DementiaSuspicionIn,
    EndStayIn,
    InterimServiceIn,
    InterimServicesIn,
    IplosIn,
    LeonEntryIn,
    LeonIn,
    LivingApartIn,
    MedicalIn,
    NoRelativesIn,
    OtherServicesIn,
    OwnAccountIn,
    PriorityIn,
    RelativesIn,
    SpouseIn,
    SuggestionIn,
    SuggestionOut,
    UrgencyIn,
    WishesIn,
)
from api.schemas.common import (
    IdentityText,
    In,
    IsoDate,
    IsoMoment,
    ReasonIn,
    Recorded,
    Short,
    Text,
    mask,
)
from api.schemas.complaints import (
    ComplaintCreated,
    ComplaintIn,
    ForwardIn,
    NewDecisionIn,
    OutcomeIn,
    OutcomeOut,
    ReconsiderationIn,
)
from api.schemas.moves import (
    MoveAnswerIn,
    MoveCarriedOutIn,
    MoveOfferIn,
    PlaceTypeDecisionIn,
)
from api.schemas.offers import AdmissionIn, AnswerIn, OfferIn, OfferOut, type_reason
from api.schemas.places import PlaceIn, PlaceOut, ProviderOfferIn, ProviderOfferOut
from api.schemas.views import (
    CaseView,
    DeadlineCheckOut,
    DecisionView,
    GuaranteeView,
    HistoryView,
    OfferView,
    Paged,
    PagedReportOut,
    PriorityView,
    ReportOut,
    VacancyBoardOut,
    View,
    WaitingListOut,
    case_view,
    guarantee_view,
)

__all__ = [
    "AccompanyingConclusionIn",
    "AccompanyingStayIn",
    "AdmissionIn", "AnswerIn", "ApplicationIn", "ApproveIn", "BreachChoiceIn", "BridgingStayEndIn",
    "BridgingStayIn", "CaseCreated", "CaseView", "ChangeIn", "CloseCaseIn", "ComplaintCreated",
    "ComplaintIn", "DeadlineCheckOut", "DecisionIn", "DecisionOut", "DecisionReceivedIn",
    "DecisionSentIn", "DecisionView",
    "DementiaInvestigationIn", "DementiaSuspicionIn", "DemoTokenIn", "EndStayIn", "ForwardIn",
    "GuaranteeView", "HistoryView", "IdentityText", "In", "InterimServiceIn", "InterimServicesIn",
    "IplosIn", "IsoDate", "IsoMoment", "LeonEntryIn", "LeonIn", "LivingApartIn", "MeOut",
    "MedicalIn", "MoveAnswerIn", "MoveCarriedOutIn", "MoveOfferIn", "NewDecisionIn",
    "NoRelativesIn",
    "OfferIn", "OfferOut", "OfferView", "OtherServicesIn", "OutcomeIn", "OutcomeOut",
    "OwnAccountIn", "Paged",
    "PagedReportOut", "PlaceIn",
    "PlaceOut", "PlaceTypeDecisionIn", "PriorityIn", "PriorityView", "ProviderOfferIn",
    "ProviderOfferOut", "ReasonIn",
    "ReconsiderationIn", "Recorded", "RelativesIn", "ReportOut", "RerunOut", "RunIn", "RunSummary",
    "RunView", "Short", "SpouseIn", "SuggestionIn", "SuggestionOut", "Text", "TokenOut",
    "UrgencyIn", "VacancyBoardOut", "View", "WaitingListOut", "WishesIn", "case_view",
    "guarantee_view", "mask", "type_reason",
]
