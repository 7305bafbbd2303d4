"""Follow-up calls after delivery (維修後關懷): the list of calls due and their record.

At delivery the order gets a follow-up item in its partition (models.followup_pending_item,
written with the delivery), pending on gsi2 under the day it falls due (delivery day + the
shop's `followup_after_days`, as set that day), in its shop's shard (models.shard_of). The
daily job's piece for the shard moves the calls whose day has come onto their shop's list; the
advisor calls, records the answer, and a call that reached the customer closes the follow-up and
moves the order to `followed_up`. An unhappy customer opens a case (chalicelib/after/cases.py).
"""
from __future__ import annotations

from typing import Iterator, Literal

from pydantic import StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.after import cases
from chalicelib.api import Body, Caller, ClientId, LongText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Busy, Conflict, NotFound
from chalicelib.records import shops
from chalicelib.work import appointments, orders

MAX_CALLS = 20  # a follow-up is a few calls; more is a case, not a call log
Moment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class CallRecord(Body):
    client_id: ClientId
    outcome: Literal["reached", "no_answer", "call_back"]
    call_back_at: Moment | None = None
    reaction: Literal["satisfied", "issue"] | None = None
    note: LongText | None = None
    case: cases.NewCase | None = None

    @field_validator("call_back_at")
    @classmethod
    def _call_back_at(cls, value: str | None) -> str | None:
        return None if value is None else appointments._utc(value)  # as an appointment's time

    @model_validator(mode="after")
    def _consistent(self) -> "CallRecord":
        if self.outcome == "call_back" and not self.call_back_at:
            raise field_error("請填寫要回電的時間。", "call_back_at: needed to call back")
        if self.outcome != "call_back" and self.call_back_at:
            raise field_error("只有「再回電」需要回電時間。", "call_back_at: only to call back")
        if self.outcome == "reached" and not self.reaction:
            raise field_error("聯絡上客戶時，請選擇滿意或有問題。",
                              "reaction: satisfied or issue, once the customer was reached")
        if self.outcome != "reached" and self.reaction:
            raise field_error("沒聯絡上客戶，不能記錄滿意度。",
                              "reaction: only when the customer was reached")
        if self.reaction == "issue" and not self.case:
            raise field_error("客戶有問題時，請開立案件：負責人與期限。",
                              "case: an issue opens a case (owner and due date)")
        if self.case and self.reaction != "issue":
            raise field_error("只有客戶有問題時才開立案件。", "case: only for an issue")
        return self


# --- the daily job ---

def pending(today: str, shard: int) -> Iterator[tuple[str, models.FollowUp]]:
    """The follow-ups of the shard's shops due by `today`, with their shop: the daily job's
    piece for the shard moves each (make_one_due). The list drains as they move."""
    for item in models.Item.lists.query(models.followups_pending_pk(shard),
                                        models.Item.gsi2sk <= f"{today}#~"):
        yield item.shop_id, item


def make_one_due(item: models.FollowUp) -> dict:
    """Onto its shop's list (or closed, the order followed up already). Conditional on its
    status: a second run finds nothing left pending, and two runs at once move it once."""
    FollowUp = models.FollowUp
    shop_id, order_id = item.shop_id, item.order_id
    still_delivered = _order_state(shop_id, order_id) == "delivered"
    if still_delivered:
        listed = models.followup_due_index(shop_id, item.due_on, order_id)
        actions = [FollowUp.status.set("due"), FollowUp.gsi2pk.set(listed["gsi2pk"]),
                   FollowUp.gsi2sk.set(listed["gsi2sk"]),
                   FollowUp.became_due_at.set(clock.now_iso())]
    else:  # followed up from the order screen already, without a call record
        actions = [FollowUp.status.set("closed_elsewhere"), FollowUp.gsi2pk.remove(),
                   FollowUp.gsi2sk.remove()]
    try:
        with models.refusals():  # its status decides, whatever its version now
            item.update(actions=actions, condition=FollowUp.status == "pending",
                        add_version_condition=False)
    except models.Refused:
        return {}  # another run moved it first: nothing to do
    return {"due": 1} if still_delivered else {"closed_elsewhere": 1}


def make_due(today: str) -> dict:
    """Every shop's follow-ups due by `today` moved at once, shard after shard (the demo data's
    seed; the daily job moves them piece by piece)."""
    counts = {"due": 0, "closed_elsewhere": 0}
    for shard in range(models.SHARDS):
        for _, item in pending(today, shard):
            for name, count in make_one_due(item).items():
                counts[name] += count
    return counts


def _order_state(shop_id: str, order_id: str) -> str | None:
    """The order's state alone (one read of its header's one attribute)."""
    key = models.order_key(shop_id, order_id)
    try:
        return models.Order.get(key["pk"], key["sk"], attributes_to_get=["state"]).state
    except models.Order.DoesNotExist:
        return None


# --- the advisor's list and record ---

_SHOWN = ("order_id", "number", "customer", "vehicle", "delivered_on", "due_on", "status",
          "calls", "call_back_at", "case_id")


def view(item: dict) -> dict:
    return {key: item[key] for key in _SHOWN if item.get(key) is not None}


def due(caller: Caller) -> dict:
    """The shop's calls to make: one Query on gsi2, oldest due first; a call-back at its time."""
    require(caller, "followups.record")
    items = (item.as_dict() for item in models.Item.lists.query(
        models.followups_due_pk(caller.shop_id)))
    listed = sorted((view(item) for item in items),
                    key=lambda item: (item.get("call_back_at") or item["due_on"], item["number"]))
    return {"date": clock.local_date(), "followups": listed}


def _load(caller: Caller, order_id: str) -> dict:
    item = models.FollowUp.read(models.FollowUp.key(caller.shop_id, order_id), consistent=True)
    if item is None:
        raise NotFound("這張工單沒有維修後關懷（尚未交車）。",
                       "This order has no follow-up call (it has not been delivered).")
    return item


def record(caller: Caller, order_id: str, body: CallRecord) -> dict:
    """Record one call; a call that reached the customer closes the follow-up, opens a case for
    an issue (the stream counts it on the shop's numbers), and moves the order to
    `followed_up`. A replay (same client id) changes nothing."""
    require(caller, "followups.record")
    item, written_at = models.retry(lambda: _record(caller, order_id, body), busy=Busy(
        "這筆關懷正被其他人同時記錄，請再送一次。",
        "Someone else is recording this follow-up right now: send it again."))
    if written_at:
        item = _load(caller, order_id)
    return _finish(caller, item, body)


def _record(caller: Caller, order_id: str, body: CallRecord) -> tuple[dict, str | None]:
    """Read the follow-up, decide, and write the call (with the case it opens) in one
    transaction; answers the follow-up as read and when the call was written (None for a
    replay)."""
    item = _load(caller, order_id)
    if any(call["call_id"] == body.client_id for call in item["calls"]):
        return item, None
    if item["status"] not in ("pending", "due"):
        raise Conflict("這張工單已經完成關懷。", "This order has been followed up already.",
                       code="followup_done")
    if len(item["calls"]) >= MAX_CALLS:
        raise Conflict("這張工單的通話紀錄已滿，請改開案件處理。",
                       "This follow-up has too many calls: open a case instead.",
                       code="too_many_calls")
    now = clock.now_iso()
    call = {"call_id": body.client_id, "at": now, "by": caller.stamp(), "outcome": body.outcome,
            **{key: value for key in ("reaction", "note", "call_back_at")
               if (value := getattr(body, key))},
            **({"case_id": body.case.case_id} if body.case else {})}
    done = body.outcome == "reached"
    case = None
    if body.case:
        owner = shops.get_staff(caller.shop_id, body.case.owner_id)
        if not owner or not owner.get("active", True):
            raise NotFound("找不到這位負責人。", "No such staff member to own the case.")
        if body.case.invite:
            cases.invite_back(caller, item, body.case.summary, body.case.invite)
        case = models.Case.from_dict(cases.new_item(caller, item, body.case, owner, body.note,
                                                    now))
    FollowUp = models.FollowUp
    actions = [FollowUp.calls.set(FollowUp.calls.append([call])),
               FollowUp.status.set("done" if done else "due"), FollowUp.updated_at.set(now)]
    if done:
        actions += [FollowUp.done_at.set(now), FollowUp.gsi2pk.remove(), FollowUp.gsi2sk.remove(),
                    FollowUp.call_back_at.remove()]
    elif body.call_back_at:
        actions.append(FollowUp.call_back_at.set(body.call_back_at))
    else:
        actions.append(FollowUp.call_back_at.remove())
    if body.case:
        actions.append(FollowUp.case_id.set(body.case.case_id))
    if not done and item["status"] == "pending":  # called before its day: onto the list now
        index = models.followup_due_index(caller.shop_id, item["due_on"], order_id)
        actions += [FollowUp.gsi2pk.set(index["gsi2pk"]), FollowUp.gsi2sk.set(index["gsi2sk"])]
    # Only over the follow-up as read (its version); the case only if new.
    followup = FollowUp.from_dict({**FollowUp.key(caller.shop_id, order_id),
                                   "version": item.get("version")})
    with models.transaction() as writes:
        writes.update(followup, actions=actions)
        if case is not None:
            writes.save(case, condition=models.Case.pk.does_not_exist())
    return item, now


def _finish(caller: Caller, item: dict, body: CallRecord) -> dict:
    """Move the order on once the follow-up is done: with the call's own id, so a replay (or
    the retry of a write cut off in between) takes the step once."""
    if item["status"] == "done":
        try:
            orders.transition(caller, item["order_id"], orders.TransitionRequest(
                to="followed_up", client_id=body.client_id, note=body.note))
        except Conflict as refused:
            if refused.code != "transition_not_allowed":
                raise  # already followed_up (from the order screen): nothing to move
    return view(item)
