"""An allocation run (tildelingsrunde): the optimizer's proposal and the officer's answer
to each proposed offer.

The software proposes; a person in the allocation unit approves, changes or rejects every
offer (R17, § 3-3 third paragraph). The run keeps the problem exactly as it was given to
the optimizer, its hash, the solver's version and settings, the plan and its explanation,
so a complaint handler can re-run it years later and see the identical plan (R21).

**How a run is stored** (version 2 of :class:`AllocationRun.Proposed`). The problem and the
plan are one *record*: their JSON, compressed (Zstandard) and carried as base64 text — at a
large municipality's size (1,700 persons) 180 kB instead of 5.2 MB. Beside it the event
carries what is read often without them: a small ``summary`` (persons, vacancies, other
providers' places, proposed offers, persons without an offer; the runs list reads it from
the read models) and the proposed offers (``assignments``; an approval reads them). The
record is unpacked only when the problem or the plan is asked for
(:attr:`AllocationRun.problem`, :attr:`.plan`), and unpacks to exactly the dicts that were
recorded. Runs recorded before (version 1: the problem and the plan as JSON in the event)
are upcast: their summary and assignments are taken from the plan they carry, which they
keep as it is.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
import zstandard

from domain.base import Base
from domain.errors import InvalidState, InvalidValue, RuleViolation

PROPOSED = "proposed"
APPROVED = "approved"
CHANGED = "changed"  # approved with another place than the one proposed
REJECTED = "rejected"

#: How a run's record is packed: its JSON, compressed with Zstandard, as base64 text.
RECORD_CODEC = "zstd+base64"
_LEVEL = 3  # a 5 MB plan of a large municipality: 135 kB in 3 ms (zlib: 220 kB in 25 ms)


def pack_record(problem: dict[str, Any], plan: dict[str, Any]) -> str:
    """The problem and the plan as one compact text (:data:`RECORD_CODEC`)."""
    text = orjson.dumps({"problem": problem, "plan": plan})
    return base64.b64encode(zstandard.ZstdCompressor(level=_LEVEL).compress(text)
                            ).decode("ascii")


def unpack_record(record: str, codec: str = RECORD_CODEC) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
    """The problem and the plan a packed record holds, as they were recorded."""
    if codec != RECORD_CODEC:
        raise ValueError(f"unknown record codec {codec!r}")
    data = orjson.loads(zstandard.ZstdDecompressor().decompress(base64.b64decode(record)))
    return data["problem"], data["plan"]


def summarise(problem: dict[str, Any], plan: dict[str, Any]) -> dict[str, int]:
    """What the runs list shows of a run, without its problem or plan."""
    return {"persons": len(problem.get("persons", [])),
            "vacancies": len(problem.get("vacancies", [])),
            "purchasable": len(problem.get("purchasable", [])),
            "proposed": len(plan.get("assignments", [])),
            "unplaced": len(plan.get("unplaced", [])),
            **({"moves": len(plan["moves"])} if plan.get("moves") else {})}


class AllocationRun(Base):
    class Proposed(Base.Created):
        """The optimizer's proposal. Version 2 packs the problem and the plan into
        ``record`` (see the module docstring) and adds ``summary``, ``assignments`` and
        ``read_position`` (the read models' position the problem was built from; None when
        it was built from the aggregates). Version 1 events keep ``problem`` and ``plan``."""

        class_version = 3

        as_of: date
        problem_hash: str
        solver: dict[str, Any]
        started_by: str
        summary: dict[str, int]
        assignments: list[dict[str, Any]]
        record: str | None
        codec: str | None
        read_position: int | None
        problem: dict[str, Any] | None
        plan: dict[str, Any] | None
        moves: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(summary=summarise(state["problem"], state["plan"]),
                         assignments=list(state["plan"].get("assignments", [])),
                         record=None, codec=None, read_position=None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["moves"] = []  # version 3: the proposed moves (R28), none before

    class ItemApproved(Base.Event):
        case_id: str
        offer_id: UUID
        target_id: str
        approved_by: str
        changed: bool
        reason: str | None

        def on(self, run: AllocationRun) -> None:
            run.item_status[self.case_id] = CHANGED if self.changed else APPROVED
            run.offer_ids[self.case_id] = self.offer_id

    class ItemRejected(Base.Event):
        case_id: str
        rejected_by: str
        reason: str

        def on(self, run: AllocationRun) -> None:
            run.item_status[self.case_id] = REJECTED

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        as_of: date,
        problem_hash: str,
        solver: dict[str, Any],
        started_by: str,
        summary: dict[str, int],
        assignments: list[dict[str, Any]],
        record: str | None,
        codec: str | None,
        read_position: int | None,
        problem: dict[str, Any] | None,
        plan: dict[str, Any] | None,
        moves: list[dict[str, Any]],
    ) -> None:
        super().__init__(municipality, command_id)
        self.as_of = as_of
        self.problem_hash = problem_hash
        self.solver = solver
        self.started_by = started_by
        self.summary = summary
        self.read_position = read_position
        self._record = (record, codec or RECORD_CODEC) if record is not None else None
        self._problem = problem
        self._plan = plan
        self.proposed: dict[str, dict[str, Any]] = {a["case_id"]: a for a in assignments}
        #: R28: the proposed moves, approved or rejected like offers (a mover is never a
        #: person on the list, so one key space holds both)
        self.moves: dict[str, dict[str, Any]] = {a["case_id"]: a for a in moves}
        self.proposed.update(self.moves)
        self.item_status: dict[str, str] = dict.fromkeys(self.proposed, PROPOSED)
        self.offer_ids: dict[str, UUID] = {}

    def _unpack(self) -> None:
        if self._record is not None and (self._problem is None or self._plan is None):
            self._problem, self._plan = unpack_record(*self._record)

    @property
    def problem(self) -> dict[str, Any]:
        """The problem exactly as it was given to the optimizer (R21)."""
        self._unpack()
        assert self._problem is not None
        return self._problem

    @property
    def plan(self) -> dict[str, Any]:
        """The plan with its explanation, as it was recorded (R21)."""
        self._unpack()
        assert self._plan is not None
        return self._plan

    @classmethod
    def propose(
        cls, now: datetime, *, run_id: UUID, municipality: str, as_of: date,
        problem: dict[str, Any], problem_hash: str, solver: dict[str, Any],
        plan: dict[str, Any], started_by: str, command_id: str | None = None,
        read_position: int | None = None,
    ) -> AllocationRun:
        if not started_by.strip():
            raise InvalidValue("started_by", "name who started the run")
        run = cls._create(
            cls.Proposed, id=run_id, timestamp=now, municipality=municipality,
            command_id=command_id, as_of=as_of, problem_hash=problem_hash, solver=solver,
            started_by=started_by, summary=summarise(problem, plan),
            assignments=list(plan.get("assignments", [])),
            record=pack_record(problem, plan), codec=RECORD_CODEC,
            read_position=read_position, problem=None, plan=None,
            moves=list(plan.get("moves", [])),
        )
        # what was given is what the record holds: no need to unpack it again
        run._problem, run._plan = problem, plan
        return run

    def _open_item(self, case_id: str) -> dict[str, Any]:
        if case_id not in self.proposed:
            raise InvalidState("the run proposed no offer for this case", field="case_id")
        if self.item_status[case_id] != PROPOSED:
            raise InvalidState(f"the proposal is already {self.item_status[case_id]}",
                               field="case_id")
        return self.proposed[case_id]

    def approve(self, now: datetime, *, case_id: str, offer_id: UUID, target_id: str,
                approved_by: str, reason: str | None = None,
                command_id: str | None = None) -> None:
        """R17: an officer approves the proposed offer, or changes it with a reason."""
        item = self._open_item(case_id)
        if not approved_by.strip():
            raise RuleViolation("R17", "a person in the allocation unit approves every offer: "
                                "name the officer", field="approved_by")
        changed = item["place_id"] != target_id
        if changed and not (reason and reason.strip()):
            raise RuleViolation("R17", "an offer other than the proposed one needs the "
                                "officer's reason", field="reason", missing=("reason",))
        self.trigger_event(self.ItemApproved, timestamp=now, command_id=command_id,
                           case_id=case_id, offer_id=offer_id, target_id=target_id,
                           approved_by=approved_by, changed=changed, reason=reason)

    def reject(self, now: datetime, *, case_id: str, rejected_by: str, reason: str,
               command_id: str | None = None) -> None:
        self._open_item(case_id)
        if not reason.strip():
            raise InvalidValue("reason", "say why the proposed offer is rejected")
        self.trigger_event(self.ItemRejected, timestamp=now, command_id=command_id,
                           case_id=case_id, rejected_by=rejected_by, reason=reason)

    # --- the run by person ------------------------------------------------------------

    def people(self) -> list[dict[str, Any]]:
        """Every person the run considered, one entry each, in the order its pages show
        them: those proposed an offer first, then the others, each by their rank on the
        waiting list. An entry: ``case_id``, ``rank``, ``outcome`` ("own", "purchase" or
        "none"), the proposed offer's fields (``kind``, ``place_id``, ``facility_id``,
        ``place_type``, ``room``, ``price_per_day_ore``; None without one), ``status``
        (the officer's answer; None without a proposal), ``offer_id`` once approved, and
        the ``explanation`` as recorded."""
        out = []
        for e in self.plan.get("explanations", []):
            case_id = e["case_id"]
            proposal = self.proposed.get(case_id) or {}
            offer_id = self.offer_ids.get(case_id)
            out.append({
                "case_id": case_id, "rank": int(e.get("waiting_list_rank") or 0),
                "outcome": e.get("outcome", "none"),
                **{k: proposal.get(k) for k in _PROPOSAL_FIELDS},
                "status": self.item_status.get(case_id),
                "offer_id": str(offer_id) if offer_id else None, "explanation": e,
            })
        out.sort(key=lambda p: (p["case_id"] not in self.proposed, p["rank"], p["case_id"]))
        return out

    def movers(self) -> list[dict[str, Any]]:
        """R28: every mover the run considered, as :meth:`people` (``rank``: in the movers'
        own order; ``outcome`` "move" or "none"), those proposed a move first."""
        out = []
        for e in self.plan.get("move_explanations", []):
            case_id = e["case_id"]
            proposal = self.moves.get(case_id) or {}
            offer_id = self.offer_ids.get(case_id)
            out.append({
                "case_id": case_id, "rank": int(e.get("waiting_list_rank") or 0),
                "outcome": e.get("outcome", "none"),
                **{k: proposal.get(k) for k in _PROPOSAL_FIELDS},
                "status": self.item_status.get(case_id) if proposal else None,
                "offer_id": str(offer_id) if offer_id else None, "explanation": e,
            })
        out.sort(key=lambda p: (p["case_id"] not in self.moves, p["rank"], p["case_id"]))
        return out


#: What a person's entry (:meth:`AllocationRun.people`) carries of the proposed offer.
_PROPOSAL_FIELDS = ("kind", "place_id", "facility_id", "place_type", "room",
                    "price_per_day_ore")
