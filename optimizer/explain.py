"""Explanations (begrunnelse): why each person got the outcome they got, as facts.

Each fact is a claim about the problem and the plan that ``check.py`` verifies independently;
the text is rendered from the facts (``wording.py``).  A fact is only stated when it holds: where
a strong claim is not certain, a weaker true one is made, or none.  Nothing here decides.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from .eligibility import allocation_key, fits, is_buyer, person_class, waiting_list_key
from .model import (
    AllocationProblem,
    Explanation,
    Fact,
    FactKind,
    PlaceType,
    PurchasableOffer,
    ReasonCode,
    Vacancy,
    WaitingPerson,
)
from .wishes import WishMiss
from .wording import render

MAX_NAMED_IN_EXPLANATION = 50  # case ids named per explanation (first in the order first)

Place = Vacancy | PurchasableOffer
_MISS_FACT = {WishMiss.NO_SUITABLE_PLACE: FactKind.WISH_NO_SUITABLE_PLACE,
              WishMiss.WOULD_LEAVE_SOMEONE_WITHOUT: FactKind.WISH_WOULD_LEAVE_SOMEONE_WITHOUT,
              WishMiss.WENT_TO_EARLIER: FactKind.WISH_WENT_TO_EARLIER,
              WishMiss.NOT_POSSIBLE: FactKind.WISH_NOT_POSSIBLE}
_CLASS_TYPE = {"R": PlaceType.REINFORCED, "S": PlaceType.SCREENED, "O": PlaceType.ORDINARY}


def _type_fit(p: WaitingPerson, t: PlaceType) -> str:
    cls = person_class(p)
    if cls == "S" and t is PlaceType.ORDINARY:
        return "ordinary_for_dementia"
    if cls == "O" and t is PlaceType.SCREENED:
        return "screened_not_needed"
    return "exact"


def suits(p: WaitingPerson, place: Place, beside: bool = False) -> bool:
    """Whether a place would suit ``p`` on its own (type, kind, assessment, spouse's facility,
    double room)."""
    return fits(p, person_class(p), place.facility_id, place.place_type, place.capacity,
                p.spouse_resident_facility_id, beside, place.facility_kind)[0]


class _Context:
    def __init__(self, problem: AllocationProblem, own: dict[str, Place],
                 bought: dict[str, Place], horizon: dt.date) -> None:
        self.problem = problem
        self.own, self.bought, self.horizon = own, bought, horizon
        self.by_id = {q.case_id: q for q in problem.persons}
        ranked = sorted(problem.persons, key=waiting_list_key)
        self.rank = {q.case_id: i + 1 for i, q in enumerate(ranked)}
        self.wkey = {q.case_id: waiting_list_key(q) for q in problem.persons}
        self.akey = {q.case_id: allocation_key(q) for q in problem.persons}
        self.placed = {**own, **bought}
        self.unplaced_screened = [q.case_id for q in problem.persons
                                  if person_class(q) == "S" and q.case_id not in self.placed]
        self.own_sorted = sorted(((cid, v) for cid, v in own.items() if isinstance(v, Vacancy)),
                                 key=lambda cv: self.wkey[cv[0]])
        self._takers: dict[tuple[object, ...], tuple[list[str], list[object], bool]] = {}
        self.told: dict[tuple[object, ...], tuple[ReasonCode, list[Fact], tuple[str, ...]]] = {}

    def place_of(self, cid: str | None) -> Place | None:
        return None if cid is None else self.placed.get(cid)

    def takers(self, p: WaitingPerson) -> tuple[list[str], list[object], bool]:
        """The own-placed persons in vacancies that would suit ``p`` (in waiting order), their
        waiting keys, and whether any vacancy suits ``p``: the same for persons alike in all
        that decides suitability."""
        sig = (person_class(p), p.reinforced_assessed, p.spouse_resident_facility_id,
               p.accompanying_spouse, p.decided_facility_kind)
        hit = self._takers.get(sig)
        if hit is None:
            ids = [cid for cid, v in self.own_sorted if suits(p, v)]
            hit = self._takers[sig] = (ids, [self.wkey[c] for c in ids],
                                       bool(ids) or any(suits(p, v)
                                                        for v in self.problem.vacancies))
        return hit


def _why_no_own_place(p: WaitingPerson, cx: _Context, exact: bool
                      ) -> tuple[ReasonCode, list[Fact], tuple[str, ...]]:
    cls = person_class(p)
    if cls == "R" and not p.reinforced_assessed:
        return ReasonCode.REINFORCED_NOT_ASSESSED, [Fact(FactKind.REINFORCED_NOT_ASSESSED)], ()
    vac = cx.problem.vacancies
    ids, keys, any_suits = cx.takers(p)
    if not any_suits:
        plain = [v for v in vac if _plain_type_fits(cls, v.place_type)]
        if not plain:
            return (ReasonCode.NO_PLACE_OF_DECIDED_TYPE,
                    [Fact(FactKind.NO_VACANCY_OF_DECIDED_TYPE, place_type=_CLASS_TYPE[cls])], ())
        kind = p.decided_facility_kind
        if kind is not None and not any(v.facility_kind is kind for v in plain):
            return (ReasonCode.NO_PLACE_OF_DECIDED_KIND,
                    [Fact(FactKind.NO_VACANCY_OF_DECIDED_KIND, facility_kind=kind)], ())
        r = p.spouse_resident_facility_id
        if r is not None:
            return (ReasonCode.SPOUSE_FACILITY_NO_PLACE,
                    [Fact(FactKind.NO_VACANCY_AT_SPOUSE_FACILITY, facility_ids=(r,),
                          facility_names=(_name_of(cx, r),))], ())
        return ReasonCode.NO_DOUBLE_ROOM, [Fact(FactKind.NO_DOUBLE_ROOM)], ()
    n_ahead = bisect.bisect_left(keys, cx.wkey[p.case_id])  # urgent ones first in the order
    sp = cx.place_of(p.spouse_case_id)
    # persons alike, equally urgent and behind the same takers are told the same
    memo_key = (id(ids), p.urgent, n_ahead, exact) if sp is None and (
        cls != "O" or n_ahead == len(ids)) else None
    hit = cx.told.get(memo_key) if memo_key is not None else None
    if hit is not None:
        return hit[0], list(hit[1]), hit[2]
    facts = [Fact(FactKind.NOT_PLACEABLE_AFTER_THOSE_AHEAD)] if exact else []
    # the urgent come first in the order, their keys starting with False (not "not urgent")
    n_urgent = 0 if p.urgent else min(n_ahead, bisect.bisect_left(keys, (True,)))
    urgent, ahead = ids[:n_urgent], ids[n_urgent:n_ahead]
    dementia = [c for c in ids[n_ahead:] if cls == "O" and person_class(cx.by_id[c]) == "S"
                and cx.own[c].place_type is PlaceType.SCREENED] if cls == "O" else []
    for kind, named in ((FactKind.TAKEN_BY_URGENT, urgent), (FactKind.TAKEN_BY_AHEAD, ahead),
                        (FactKind.TAKEN_FOR_DEMENTIA, dementia)):
        if named:
            facts.append(Fact(kind, case_ids=tuple(named[:MAX_NAMED_IN_EXPLANATION]),
                              count=len(named)))
    higher = tuple(ids[:min(n_ahead, MAX_NAMED_IN_EXPLANATION)])
    if sp is not None:
        assert p.spouse_case_id is not None
        facts.append(Fact(FactKind.SPOUSE_PLACED_ELSEWHERE, case_ids=(p.spouse_case_id,),
                          facility_ids=(sp.facility_id,), facility_names=(sp.facility_name,)))
        code = ReasonCode.SPOUSE_CONSTRAINT
    elif dementia and not higher:
        code = ReasonCode.SCREENED_RESERVED
    else:
        code = ReasonCode.HIGHER_NEED_TOOK_PLACES
    if memo_key is not None:
        cx.told[memo_key] = (code, facts, higher)
    return code, list(facts), higher


def _plain_type_fits(cls: str, t: PlaceType) -> bool:
    if cls == "R":
        return t is PlaceType.REINFORCED
    if cls == "S":
        return t is PlaceType.SCREENED
    return t is not PlaceType.REINFORCED


def _name_of(cx: _Context, facility_id: str) -> str:
    return cx.problem.name_of(facility_id)


def _placed_facts(p: WaitingPerson, place: Place, cx: _Context,
                  missed: Sequence[tuple[str, WishMiss]] | None
                  ) -> tuple[list[Fact], str, int | None]:
    """The offer, the wishes, the type fit and the spouse: (facts, type fit, wish rank).
    ``missed``: the better wishes not met and why; None: not known (not an optimal plan)."""
    facts: list[Fact] = []
    fid, fname = place.facility_id, place.facility_name
    if isinstance(place, Vacancy):
        facts.append(Fact(FactKind.OFFER_OWN, facility_ids=(fid,), facility_names=(fname,),
                          place_type=place.place_type))
    else:
        facts.append(Fact(FactKind.OFFER_PURCHASE, facility_ids=(fid,), facility_names=(fname,),
                          place_type=place.place_type, provider=place.provider,
                          price_per_day_ore=place.price_per_day_ore))
    wish_rank = p.wishes.index(fid) + 1 if fid in p.wishes else None
    if wish_rank is not None:
        facts.append(Fact(FactKind.WISH_MET, rank=wish_rank, facility_ids=(fid,),
                          facility_names=(fname,)))
    for why in WishMiss:
        fs = [f for f, w in (missed or ()) if w is why]
        if fs:
            kind = _MISS_FACT[why]
            if kind is FactKind.WISH_NO_SUITABLE_PLACE and not isinstance(place, Vacancy):
                kind = FactKind.WISH_NO_PLACE_TO_BUY  # a buyer's pool is the offers
            facts.append(Fact(kind, facility_ids=tuple(fs),
                              facility_names=tuple(_name_of(cx, f) for f in fs)))
    fit = _type_fit(p, place.place_type)
    if fit == "ordinary_for_dementia":
        facts.append(Fact(FactKind.ORDINARY_FOR_DEMENTIA, facility_ids=(fid,)))
    elif fit == "screened_not_needed":
        facts.append(Fact(FactKind.SCREENED_NOT_NEEDED))
        if missed is not None:
            waiting = cx.unplaced_screened
            behind = [c for c in waiting if cx.akey[c] > cx.akey[p.case_id]]
            if not waiting:
                facts.append(Fact(FactKind.SCREENED_NEEDERS_ALL_OFFERED))
            if behind:
                facts.append(Fact(FactKind.SCREENED_NEEDERS_BEHIND_URGENT, count=len(behind)))
            if len(waiting) > len(behind):
                facts.append(Fact(FactKind.SCREENED_NEEDERS_AHEAD_NOT_PLACEABLE,
                                  count=len(waiting) - len(behind)))
    sp = cx.place_of(p.spouse_case_id)
    if sp is not None and sp.facility_id == fid:
        assert p.spouse_case_id is not None
        facts.append(Fact(FactKind.SPOUSE_SAME_FACILITY, case_ids=(p.spouse_case_id,),
                          facility_ids=(fid,), facility_names=(fname,)))
    if p.spouse_resident_facility_id == fid:
        facts.append(Fact(FactKind.SPOUSE_RESIDENT_THERE, facility_ids=(fid,),
                          facility_names=(fname,)))
    if p.accompanying_spouse:
        facts.append(Fact(FactKind.DOUBLE_ROOM_WITH_SPOUSE))
    return facts, fit, wish_rank


def _missed(missed: dict[str, list[tuple[str, WishMiss]]] | None, cid: str
            ) -> list[tuple[str, WishMiss]] | None:
    return None if missed is None else missed.get(cid, [])


def explain(problem: AllocationProblem, own: dict[str, Place], bought: dict[str, Place],
            horizon: dt.date, missed: dict[str, list[tuple[str, WishMiss]]] | None,
            ) -> tuple[Explanation, ...]:
    """The explanation of every person's outcome.  ``missed``: the better wishes each placed
    person did not get, and why (``wishes.py``); None for a plan not made by ``solve`` (then
    nothing is claimed that only an optimal plan makes true)."""
    cx = _Context(problem, own, bought, horizon)
    exact = missed is not None
    out = []
    for p in sorted(problem.persons, key=lambda q: q.case_id):
        cid = p.case_id
        r = cx.rank[cid]
        facts = [Fact(FactKind.RANK, rank=r)]
        if p.urgent:
            facts.append(Fact(FactKind.URGENT))
        if p.need_score is None:
            facts.append(Fact(FactKind.NOT_ASSESSED))
        if cid in own:
            more, fit, wish_rank = _placed_facts(p, own[cid], cx, _missed(missed, cid))
            facts += more
            out.append(Explanation(cid, "own", ReasonCode.PLACED_OWN, render(facts), r,
                                   wish_rank, fit, None, p.spouse_case_id, (), tuple(facts)))
            continue
        own_code, why, higher = _why_no_own_place(p, cx, exact)
        facts += why
        if cid in bought:
            if p.urgent:
                code, basis = ReasonCode.PURCHASE_URGENT, Fact(FactKind.PURCHASE_URGENT)
            elif p.own_stock_lacks_type:
                code = ReasonCode.PURCHASE_OWN_STOCK_LACKS_TYPE
                basis = Fact(FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE)
            else:
                code, basis = ReasonCode.PURCHASE_DEADLINE, Fact(FactKind.PURCHASE_DEADLINE,
                                                                 on=p.deadline)
            facts.append(basis)
            more, fit, wish_rank = _placed_facts(p, bought[cid], cx, _missed(missed, cid))
            facts += more
            if code is ReasonCode.PURCHASE_DEADLINE:
                facts.append(Fact(FactKind.CHOICE_BUY_OR_WAIT))
            out.append(Explanation(cid, "purchase", code, render(facts), r, wish_rank, fit,
                                   own_code, p.spouse_case_id, higher, tuple(facts)))
            continue
        if exact and is_buyer(p, horizon):
            if p.own_stock_lacks_type and not p.urgent:
                facts.append(Fact(FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE))
            beside = p.spouse_case_id in own
            if not any(suits(p, o, beside) for o in problem.purchasable):
                facts.append(Fact(FactKind.PURCHASE_NONE_SUITABLE))
            else:
                facts.append(Fact(FactKind.PURCHASE_NOT_PLACEABLE))
        if p.urgent:
            facts.append(Fact(FactKind.BRIDGING_STAY_CONTINUES if p.bridging_stay
                              else FactKind.BRIDGING_STAY_NEEDED))
        elif p.chose_to_wait and not is_buyer(p, horizon):
            facts.append(Fact(FactKind.CHOSE_TO_WAIT))
        if not p.urgent and p.deadline is not None:
            facts.append(Fact(FactKind.DEADLINE, on=p.deadline))
        out.append(Explanation(cid, "none", own_code, render(facts), r, None, "", own_code,
                               p.spouse_case_id, higher, tuple(facts)))
    return tuple(out)
