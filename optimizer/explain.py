"""Explanations (begrunnelse): why each person got the outcome they got, worded for a letter.

Pure text built from the problem and the plan; nothing here decides anything.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from .eligibility import fits, is_urgent, person_class, waiting_list_key
from .model import (
    AllocationProblem,
    Explanation,
    PlaceType,
    PurchasableOffer,
    ReasonCode,
    Vacancy,
    WaitingPerson,
)

MAX_NAMED_IN_EXPLANATION = 50  # higher-need case ids named per explanation (highest first)

_TYPE_WORD = {PlaceType.ORDINARY: "an ordinary", PlaceType.SCREENED: "a screened",
              PlaceType.REINFORCED: "a reinforced"}


def _type_fit(p: WaitingPerson, t: PlaceType) -> str:
    cls = person_class(p)
    if cls == "S" and t is PlaceType.ORDINARY:
        return "ordinary_for_dementia"
    if cls == "O" and t is PlaceType.SCREENED:
        return "screened_not_needed"
    return "exact"


def _eligible_anywhere(p: WaitingPerson, places: Sequence[Vacancy]) -> list[Vacancy]:
    cls = person_class(p)
    r = p.spouse_resident_facility_id
    return [v for v in places if fits(p, cls, v.facility_id, v.place_type, v.capacity, r)[0]]


def _own_reason(p: WaitingPerson, problem: AllocationProblem,
                own: dict[str, Vacancy | PurchasableOffer], by_id: dict[str, WaitingPerson],
                occupants: dict[str, list[str]],
                cache: dict[tuple[object, ...], list[Vacancy]],
                ) -> tuple[ReasonCode, str, tuple[str, ...]]:
    cls = person_class(p)
    if cls == "R" and not p.reinforced_assessed:
        return (ReasonCode.REINFORCED_NOT_ASSESSED,
                "A reinforced place can only be given after an assessment for a reinforced "
                "place, and that assessment is not recorded.", ())
    ck = (cls, p.reinforced_assessed, p.spouse_resident_facility_id, p.accompanying_spouse)
    if ck not in cache:
        cache[ck] = _eligible_anywhere(p, problem.vacancies)
    suitable = cache[ck]
    if not suitable:
        if p.spouse_resident_facility_id is not None:
            return (ReasonCode.SPOUSE_FACILITY_NO_PLACE,
                    f"No suitable place is vacant at {p.spouse_resident_facility_id}, where "
                    "your spouse or cohabitant lives; you will be offered a place there "
                    "(R10, § 2-3).", ())
        if p.accompanying_spouse:
            return (ReasonCode.NO_DOUBLE_ROOM,
                    "No suitable double room is vacant for you and your accompanying spouse "
                    "(§ 2-3 second paragraph).", ())
        return (ReasonCode.NO_PLACE_OF_DECIDED_TYPE,
                f"No vacant place is of the type decided for you ({p.decided_place_type.value}"
                f"{', screened because of dementia' if cls == 'S' else ''}).", ())
    tk = ("takers", *ck)
    if tk not in cache:
        ts = sorted({cid for v in suitable for cid in occupants.get(v.place_id, ())},
                    key=lambda c: waiting_list_key(by_id[c]))
        cache[tk] = ts  # type: ignore[assignment]
        cache[("keys", *ck)] = [waiting_list_key(by_id[c]) for c in ts]  # type: ignore[misc]
    takers: list[str] = cache[tk]  # type: ignore[assignment]
    n_higher = bisect.bisect_left(cache[("keys", *ck)], waiting_list_key(p))  # type: ignore[arg-type]
    higher = tuple(takers[: min(n_higher, MAX_NAMED_IN_EXPLANATION)])
    lower_screened = [c for c in takers[n_higher:] if person_class(by_id[c]) == "S"]
    if cls == "O" and lower_screened:
        return (ReasonCode.SCREENED_RESERVED,
                "The vacant places you could take were ordinary places given to persons of "
                "greater need, or screened places kept for persons with dementia who need "
                "them (§ 2-1 fifth paragraph).", higher)
    if p.spouse_case_id is not None and (n_higher < len(takers) or
                                         sum(v.capacity for v in suitable) > len(takers)):
        return (ReasonCode.SPOUSE_CONSTRAINT,
                "A place was vacant, but not at a facility where you and your spouse or "
                "cohabitant can live together (§ 2-3); you are kept together.", higher)
    return (ReasonCode.HIGHER_NEED_TOOK_PLACES,
            f"There were fewer suitable places ({len(suitable)}) than persons with a greater "
            "need for 24-hour care, by the professional assessment (§ 3-3).", higher)


def explain(problem: AllocationProblem, own: dict[str, Vacancy | PurchasableOffer],
            bought: dict[str, Vacancy | PurchasableOffer], horizon: dt.date,
            ) -> tuple[Explanation, ...]:
    pol = problem.policy
    ranked = sorted(problem.persons, key=waiting_list_key)
    rank = {p.case_id: i + 1 for i, p in enumerate(ranked)}
    by_id = {q.case_id: q for q in problem.persons}
    occupants: dict[str, list[str]] = defaultdict(list)
    for cid, v in own.items():
        occupants[v.place_id if isinstance(v, Vacancy) else v.offer_id].append(cid)
    suitable_cache: dict[tuple[object, ...], list[Vacancy]] = {}
    out = []
    for p in sorted(problem.persons, key=lambda q: q.case_id):
        cid = p.case_id
        r = rank[cid]
        spouse = p.spouse_case_id
        place = own.get(cid) or bought.get(cid)
        wish_rank = None
        fit = ""
        parts: list[str] = []
        if place is not None:
            if place.facility_id in p.wishes:
                wish_rank = p.wishes.index(place.facility_id) + 1
            fit = _type_fit(p, place.place_type)
            parts.append(f"You are number {r} on the waiting list"
                         f"{' and urgent (§ 3-3 first paragraph)' if is_urgent(p) else ''}.")
            parts.append(f"The place is {_TYPE_WORD[place.place_type]} place at "
                         f"{place.facility_id}.")
            if wish_rank is not None:
                parts.append(f"It is your wish number {wish_rank}.")
            elif p.wishes:
                parts.append("None of your wished facilities had a suitable place you could get.")
            if fit == "ordinary_for_dementia":
                parts.append("It is not a screened place; it is offered so that you can live "
                             "with your spouse or cohabitant (§ 2-1 fifth paragraph).")
            elif fit == "screened_not_needed":
                parts.append("It is a screened place; no one who needs a screened place is "
                             "left waiting for it.")
            if spouse and (own.get(spouse) or bought.get(spouse)):
                sp = own.get(spouse) or bought.get(spouse)
                if sp is not None and sp.facility_id == place.facility_id:
                    parts.append("Your spouse or cohabitant is offered a place at the same "
                                 "facility (§ 2-3).")
            if p.spouse_resident_facility_id == place.facility_id:
                parts.append("Your spouse or cohabitant already lives there (§ 2-3).")
            if p.accompanying_spouse:
                parts.append("It is a double room, so your spouse can move in with you "
                             "(§ 2-3 second paragraph).")
        if cid in own:
            out.append(Explanation(cid, "own", ReasonCode.PLACED_OWN, " ".join(parts), r,
                                   wish_rank, fit, None, spouse, ()))
            continue
        code, why, higher = _own_reason(p, problem, own, by_id, occupants, suitable_cache)
        if cid in bought:
            o = bought[cid]
            assert isinstance(o, PurchasableOffer)
            urgent = is_urgent(p)
            lead = ("You can no longer be cared for safely at home, so a place is bought "
                    "(§ 3-3 first paragraph)." if urgent else
                    f"Your offer deadline {p.deadline.isoformat()} (§ 3-4) is reached or "
                    "near; you may choose this bought place or wait on for a municipal place.")
            text = (f"No municipal place: {why} {lead} {' '.join(parts)} "
                    f"It is offered by {o.provider} at {o.price_per_day} NOK per day.")
            out.append(Explanation(cid, "purchase",
                                   ReasonCode.PURCHASE_URGENT if urgent
                                   else ReasonCode.PURCHASE_DEADLINE,
                                   text, r, wish_rank, fit, code, spouse, higher))
            continue
        extra = ""
        if is_urgent(p):
            extra = (" No suitable place could be bought either; a short-term stay must bridge "
                     "the time until a long-term place (§ 3-3 first paragraph).")
        elif p.chose_to_wait:
            extra = (" You chose to wait for a place in the municipality's own stock "
                     "(§ 3-4 second paragraph).")
        elif p.deadline <= horizon:
            extra = " No suitable place could be bought before the deadline (§ 3-4)."
        elif pol.deadline_horizon_days >= 0:
            extra = f" Your offer deadline is {p.deadline.isoformat()} (§ 3-4)."
        out.append(Explanation(cid, "none", code, f"You are number {r} on the waiting list. "
                               f"{why}{extra}", r, None, "", code, spouse, higher))
    return tuple(out)
