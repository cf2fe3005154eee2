"""The state machine of a case (sak): where a case can be in its life, and which command
may be given where. Every command of :class:`~domain.case.Case` consults :func:`require`
before it checks anything else, so a command in the wrong place (an admission after a
rejection, an offer after a death, a decline after an admission) is refused the same way
everywhere, and nothing is changed.

::

    received ──decision──▶ waiting ──urgent (grant)──▶ granted
       │                    │  ▲                        │
       │                    │  └──waiting-list decision─┘
       │                    ├──rejection──▶ rejected ──new decision (after a complaint)──▶ …
       ├──grant────────────▶ granted
       ├──rejection────────▶ rejected
       │            waiting / granted ──admission──▶ resident ──end of stay──▶ closed
       └── withdrawn, died or moved away (from received, waiting, granted, rejected) ──▶ closed
    received / waiting / granted / rejected ──accompanying stay (R11)──▶ accompanying
       accompanying ──admitted with the resident spouse──▶ resident (in accompanying stay)
       accompanying ──decision (grant, waiting list, rejection)──▶ …   ──closure──▶ closed
       resident ──move offer, accepted, carried out (R28)──▶ resident (in the new place)
       resident ──move offer declined, withdrawn or lapsed (R26)──▶ resident (keeps the place)
       resident ──new decision on the place type──▶ resident (a mover to that type)
       resident in accompanying stay ──new decision: ordinary stay──▶ resident
                                     ──new decision: the stay ends──▶ closed
    granted / waiting / rejected ──decision quashed after a complaint (R21)──▶ received

A *rejection*, a *closure* or a *death* withdraws every outstanding offer and releases its
place in the same transaction (R9): nobody is admitted against the decision in force.
"""

from __future__ import annotations

from enum import Enum

from domain.errors import InvalidState


class CaseStatus(Enum):
    RECEIVED = "received"  # søknad mottatt, under utredning (§ 2-2)
    GRANTED = "granted"  # vedtak om langtidsopphold, to be carried out at once (R4, R15)
    WAITING = "waiting"  # vedtak om venteliste: on the waiting list (R5, R12)
    REJECTED = "rejected"  # avslag (R9)
    RESIDENT = "resident"  # lives in (or has a planned admission to) a long-term place
    CLOSED = "closed"  # withdrawn, died, moved away, or the stay ended
    #: R11 (§ 2-3 second paragraph): a decision on an accompanying stay (medfølgende
    #: ektefelle/samboer); the person awaits the place offered to the resident spouse
    ACCOMPANYING = "accompanying"


_R, _G, _W, _X, _S, _C, _A = (CaseStatus.RECEIVED, CaseStatus.GRANTED, CaseStatus.WAITING,
                              CaseStatus.REJECTED, CaseStatus.RESIDENT, CaseStatus.CLOSED,
                              CaseStatus.ACCOMPANYING)

#: Statuses in which a person is "on the list" in the wide sense of R12: a waiting-list
#: decision, or a grant not yet carried out (shown apart).
ON_LIST = frozenset({_G, _W})
#: R25: a case is open (one per person and municipality) until rejected or closed.
OPEN = frozenset({_R, _G, _W, _S, _A})

#: Where each command may be given. A command not named here is not a case command.
ALLOWED: dict[str, frozenset[CaseStatus]] = {
    # the application and its documentation (§ 2-2)
    "link_spouse": frozenset({_R, _G, _W, _S, _A}),
    # a resident's too: a new decision on the place type (R28) needs current § 2-2 items
    "record_documentation": frozenset({_R, _G, _W, _X, _A, _S}),
    # decisions (vedtak), priority and the person's wishes
    "decide": frozenset({_R, _G, _W, _X, _A}),
    # R21: a decision quashed (opphevet) after a complaint sends the case back to assessment
    "quash_decision": frozenset({_G, _W, _X}),
    # R11: the accompanying stay, decided on the spouse's own case, its offer following the
    # resident spouse's offer, and the new decision that ends it or makes it ordinary
    "decide_accompanying_stay": frozenset({_R, _G, _W, _X}),
    "follow_resident_offer": frozenset({_A}),
    "conclude_accompanying_stay": frozenset({_S}),
    # R14: when a decision was sent and received is a fact about the past, recorded whatever
    # the case has come to since (a rejection's letter is sent after the rejection)
    "record_delivery": frozenset(CaseStatus),
    "record_interim_services": ON_LIST,
    "assess_priority": frozenset({_R, _G, _W}),
    "mark_urgent": frozenset({_W, _G}),
    "record_wishes": frozenset({_R, _G, _W, _S, _A}),
    "consent_to_living_apart": frozenset({_R, _G, _W, _S, _A}),
    "record_bridging_stay": ON_LIST,
    # offers and stays
    "make_offer": ON_LIST,
    "answer_offer": ON_LIST,
    "withdraw_offer": ON_LIST,
    "lapse_offer": ON_LIST,
    "admit": ON_LIST,
    "end_stay": frozenset({_S}),
    "close": frozenset({_R, _G, _W, _X, _A}),
    # R28: moves (flytting) of a resident: offered, answered, withdrawn, carried out; an
    # accompanying spouse in the same room follows the resident's move (R11)
    "offer_move": frozenset({_S}),
    "answer_move": frozenset({_S}),
    "withdraw_move": frozenset({_S}),
    "lapse_move": frozenset({_S}),  # R26: not answered by its answer deadline
    "move": frozenset({_S}),
    "follow_resident_move": frozenset({_S}),
    "decide_new_place_type": frozenset({_S}),
    # the guarantee (§ 3-4)
    "check_deadline": frozenset({_W}),
    "choose_after_breach": ON_LIST,
}

#: How a status reads in a refusal.
_WHERE = {
    _R: "the application is still being investigated",
    _G: "the person has a grant to be carried out at once",
    _W: "the person is on the waiting list",
    _X: "the application was rejected",
    _S: "the person lives in a long-term place",
    _C: "the case is closed",
    _A: "the person has a decision on an accompanying stay and follows the resident "
        "spouse's offer",
}


class NotNow(InvalidState):
    """A command the case's place in its life does not allow (nothing is changed): the
    ``command`` asked for and the ``status`` the case is in, for the words of a refusal."""

    def __init__(self, command: str, status: CaseStatus, *, field: str = "case_id") -> None:
        super().__init__(f"not possible now: {_WHERE[status]} ({command})", field=field)
        self.command = command
        self.status = status


def require(status: CaseStatus, command: str, *, field: str = "case_id") -> None:
    """Refuse ``command`` unless the case's ``status`` allows it (nothing is changed)."""
    if status not in ALLOWED[command]:
        raise NotNow(command, status, field=field)
