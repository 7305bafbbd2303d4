"""Follow-up calls after delivery (維修後關懷, T5.2): the list of calls due and their record.

At delivery the order gets a follow-up item in its partition, pending on gsi2 under the day it
falls due (delivery day + the shop's `followup_after_days`, as set that day). The daily job moves
the calls whose day has come onto their shop's list; the advisor calls, records the answer, and
a call that reached the customer closes the follow-up and moves the order to `followed_up`. An
unhappy customer opens a case (chalicelib/after/cases.py).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import db, models
from chalicelib.core import clock
from chalicelib.core import aws
from chalicelib.api import Body, Caller, ClientId, Day, LongText, field_error
from chalicelib.core.errors import Busy, Conflict, NotFound
from chalicelib.api.roles import require

MAX_CALLS = 20  # a follow-up is a few calls; more is a case, not a call log
Moment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


def _utc(value: str) -> str:
    from chalicelib.work.appointments import _utc as appointment_time

    return appointment_time(value)


class NewCase(Body):
    """What an unhappy customer said, who handles it and by when."""
    case_id: ClientId
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=500)]
    owner_id: ClientId
    due_on: Day
    invite: "Invitation | None" = None


class Invitation(Body):
    """Invite the customer back: an appointment (source `invitation`) for the car."""
    appointment_id: ClientId
    at: Moment
    duration_minutes: int = Field(default=60, ge=15, le=600)

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        return _utc(value)


NewCase.model_rebuild()


class CallRecord(Body):
    client_id: ClientId
    outcome: Literal["reached", "no_answer", "call_back"]
    call_back_at: Moment | None = None
    reaction: Literal["satisfied", "issue"] | None = None
    note: LongText | None = None
    case: NewCase | None = None

    @field_validator("call_back_at")
    @classmethod
    def _call_back_at(cls, value: str | None) -> str | None:
        return None if value is None else _utc(value)

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


# --- at delivery (orders.py) ---

def pending_item(order: dict, delivered_at: str) -> dict:
    """The follow-up written with the delivery: due `followup_after_days` after the local day."""
    from chalicelib.records import shop_settings

    shop_id, order_id = order["shop_id"], order["order_id"]
    delivered_on = clock.local_date(delivered_at)
    days = int(shop_settings.thresholds(shop_id)["followup_after_days"])
    due_on = (date.fromisoformat(delivered_on) + timedelta(days=days)).isoformat()
    vehicle, customer = order["vehicle"], order["customer"]
    return {**models.FollowUp.key(shop_id, order_id), "type": "followup", "shop_id": shop_id,
            "order_id": order_id, "number": order["number"],
            "customer": {"customer_id": customer["customer_id"], "name": customer["name"],
                         "mobile": customer.get("mobile", "")},
            "vehicle": {"vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"],
                        "make": vehicle.get("make", ""), "model": vehicle.get("model", "")},
            "delivered_at": delivered_at, "delivered_on": delivered_on, "due_on": due_on,
            "status": "pending", "calls": [], "version": 1,
            **models.followup_pending_index(due_on, shop_id, order_id)}


# --- the daily job ---

def make_due(today: str) -> dict:
    """Move every shop's follow-ups due by `today` onto their shop's list. A second run finds
    nothing left pending, and each move is conditional, so two runs at once move each once."""
    from boto3.dynamodb.conditions import Key
    from botocore.exceptions import ClientError

    table, moved, closed = aws.table(), 0, 0
    pending = aws.query_all(IndexName=db.GSI_LISTS, KeyConditionExpression=Key("gsi2pk").eq(
        models.FOLLOWUPS_PENDING_PK) & Key("gsi2sk").lte(f"{today}#~"))
    for item in pending:
        shop_id, order_id = item["shop_id"], item["order_id"]
        header = table.get_item(Key=models.order_key(shop_id, order_id),
                                ProjectionExpression="#s",
                                ExpressionAttributeNames={"#s": "state"}).get("Item") or {}
        still_delivered = header.get("state") == "delivered"
        try:
            if still_delivered:
                listed = models.followup_due_index(shop_id, item["due_on"], order_id)
                table.update_item(
                    Key=models.FollowUp.key(shop_id, order_id),
                    UpdateExpression="SET #status = :due, gsi2pk = :pk, gsi2sk = :sk, "
                                     "became_due_at = :now ADD version :one",
                    ConditionExpression="#status = :pending",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":due": "due", ":pending": "pending", ":now": clock.now_iso(), ":one": 1,
                        ":pk": listed["gsi2pk"], ":sk": listed["gsi2sk"]})
                moved += 1
            else:  # followed up from the order screen already, without a call record
                table.update_item(
                    Key=models.FollowUp.key(shop_id, order_id),
                    UpdateExpression="SET #status = :closed REMOVE gsi2pk, gsi2sk "
                                     "ADD version :one",
                    ConditionExpression="#status = :pending",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":closed": "closed_elsewhere",
                                               ":pending": "pending", ":one": 1})
                closed += 1
        except ClientError as err:
            if not db.refused(err):
                raise  # another run moved it first: nothing to do
    return {"due": moved, "closed_elsewhere": closed}


# --- the advisor's list and record ---

_SHOWN = ("order_id", "number", "customer", "vehicle", "delivered_on", "due_on", "status",
          "calls", "call_back_at", "case_id")


def view(item: dict) -> dict:
    return {key: item[key] for key in _SHOWN if item.get(key) is not None}


def due(caller: Caller) -> dict:
    """The shop's calls to make: one Query on gsi2, oldest due first; a call-back at its time."""
    from boto3.dynamodb.conditions import Key

    require(caller, "followups.record")
    items = aws.query_all(IndexName=db.GSI_LISTS, KeyConditionExpression=Key("gsi2pk").eq(
        models.followups_due_pk(caller.shop_id)))
    listed = sorted((view(item) for item in items),
                    key=lambda item: (item.get("call_back_at") or item["due_on"], item["number"]))
    return {"date": clock.local_date(), "followups": listed}


def _load(caller: Caller, order_id: str) -> dict:
    item = aws.table().get_item(Key=models.FollowUp.key(caller.shop_id, order_id),
                                ConsistentRead=True).get("Item")
    if item is None:
        raise NotFound("這張工單沒有維修後關懷（尚未交車）。",
                       "This order has no follow-up call (it has not been delivered).")
    return item


def record(caller: Caller, order_id: str, body: CallRecord) -> dict:
    """Record one call; a call that reached the customer closes the follow-up, opens a case for
    an issue, and moves the order to `followed_up`. A replay (same client id) changes nothing."""
    from botocore.exceptions import ClientError

    from chalicelib.after import cases
    from chalicelib.records import shops

    require(caller, "followups.record")
    item = _load(caller, order_id)
    if any(call["call_id"] == body.client_id for call in item["calls"]):
        return _finish(caller, item, body)
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
    puts = []
    if body.case:
        owner = shops.get_staff(caller.shop_id, body.case.owner_id)
        if not owner or not owner.get("active", True):
            raise NotFound("找不到這位負責人。", "No such staff member to own the case.")
        if body.case.invite:
            invite_back(caller, item, body.case.summary, body.case.invite)
        puts.append(cases.new_item(caller, item, body.case, owner, body.note, now))
    names = {"#status": "status", "#calls": "calls"}
    values = {":calls": [call], ":version": item["version"], ":one": 1, ":now": now,
              ":status": "done" if done else "due"}
    update = "SET #calls = list_append(#calls, :calls), #status = :status, updated_at = :now"
    if done:
        update += ", done_at = :now REMOVE gsi2pk, gsi2sk, call_back_at"
    elif body.call_back_at:
        update += ", call_back_at = :call_back_at"
        values[":call_back_at"] = body.call_back_at
    else:
        update += " REMOVE call_back_at"
    if body.case:
        update = update.replace(", updated_at = :now", ", updated_at = :now, case_id = :case_id")
        values[":case_id"] = body.case.case_id
    if not done and item["status"] == "pending":  # called before its day: onto the list now
        update = update.replace(", updated_at = :now", ", updated_at = :now, gsi2pk = :gpk, "
                                                       "gsi2sk = :gsk")
        index = models.followup_due_index(caller.shop_id, item["due_on"], order_id)
        values.update({":gpk": index["gsi2pk"], ":gsk": index["gsi2sk"]})
    actions = [{"Update": {"Key": models.FollowUp.key(caller.shop_id, order_id),
                           "UpdateExpression": update + " ADD version :one",
                           "ConditionExpression": "version = :version",
                           "ExpressionAttributeNames": names,
                           "ExpressionAttributeValues": values}},
               *({"Put": {"Item": put, "ConditionExpression": "attribute_not_exists(pk)"}}
                 for put in puts)]
    try:
        db.transact_write(actions)
    except ClientError as err:
        if not db.refused(err):
            raise
        raise Busy("這筆關懷正被其他人同時記錄，請再送一次。",
                   "Someone else is recording this follow-up right now: send it again.") from None
    if body.case:  # the shop's numbers (the stream counts it too; once, by the change's id)
        from chalicelib.after import dashboard
        dashboard.case_opened(caller.shop_id, body.case.case_id, now)
    return _finish(caller, _load(caller, order_id), body)


def invite_back(caller: Caller, item: dict, summary: str, invite: Invitation) -> None:
    """The appointment inviting the customer back (made once: its id is the client's). `item`
    is the follow-up or the case: both carry the customer and the vehicle."""
    from chalicelib.work import appointments

    appointments.create_appointment(caller, appointments.NewAppointment(
        appointment_id=invite.appointment_id, at=invite.at,
        duration_minutes=invite.duration_minutes, purpose=f"回廠處理：{summary}"[:200],
        source="invitation", customer_id=item["customer"]["customer_id"],
        vehicle_id=item["vehicle"]["vehicle_id"]))


def _finish(caller: Caller, item: dict, body: CallRecord) -> dict:
    """Move the order on once the follow-up is done: with the call's own id, so a replay (or
    the retry of a write cut off in between) takes the step once."""
    from chalicelib.work import orders

    if item["status"] == "done":
        try:
            orders.transition(caller, item["order_id"], orders.TransitionRequest(
                to="followed_up", client_id=body.client_id, note=body.note))
        except Conflict as refused:
            if refused.code != "transition_not_allowed":
                raise  # already followed_up (from the order screen): nothing to move
    return view(item)
