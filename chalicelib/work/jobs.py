"""The workshop floor from the technician's phone: time on each job (start, pause with a reason,
resume, finish), a call for support (需要支援), and the job list.

A tap is an event of the order (`EVENT#<client id>`, so the phone's queue may send it again) and
a change of its line's `clock`, written with the header, which keeps `at_work` (who works on
what now: the board shows it from the header alone). A tap carries the time it was made on the
phone: a queue that held it through a lost network sends it later, and the minutes are counted
from when the technician tapped, never before the line's last tap nor after the server's now.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, model_validator

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, LongText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Forbidden, NotFound
from chalicelib.work import orders
from chalicelib.work.order_store import HIDDEN, busy, event_item, is_job, load, save

Action = Literal["start", "pause", "resume", "finish"]
PauseReason = Literal["parts", "approval", "break", "other"]
PAUSE_REASONS = {"parts": ("等零件", "waiting for parts"),
                 "approval": ("等客戶同意", "waiting for approval"),
                 "break": ("休息", "break"), "other": ("其他", "other")}

# From which clock state each tap may be taken ("idle": never started).
_FROM = {"start": ("idle",), "pause": ("running",), "resume": ("paused",),
         "finish": ("idle", "running", "paused")}
_TO = {"start": "running", "pause": "paused", "resume": "running", "finish": "finished"}
# A tap held by the phone's queue longer than this is counted from when it arrived.
OFFLINE_LIMIT = timedelta(hours=12)


class ClockTap(Body):
    client_id: ClientId
    action: Action
    reason: PauseReason | None = None
    note: LongText | None = None
    at: str | None = Field(default=None, max_length=40)  # when it was tapped, on the phone

    @model_validator(mode="after")
    def _reason(self) -> "ClockTap":
        if self.action == "pause" and self.reason is None:
            raise field_error("暫停要選原因：等零件、等客戶同意、休息或其他。",
                              "a pause needs a reason: parts, approval, break or other")
        return self


class HelpCall(Body):
    client_id: ClientId
    line_id: ClientId | None = None
    note: LongText | None = None


class HelpTaken(Body):
    client_id: ClientId


# --- time on a job ---

def tap(caller: Caller, order_id: str, line_id: str, body: ClockTap) -> dict:
    return models.retry(lambda: _tap(caller, order_id, line_id, body), busy=busy())


def _tap(caller: Caller, order_id: str, line_id: str, body: ClockTap) -> dict:
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return orders.view(order, caller)  # the phone sent the same tap again
    line = next((item for item in order["lines"] if item["line_id"] == line_id), None)
    if line is None or not is_job(line):
        raise NotFound("找不到這項工作。", "No such job on this order.")
    _may_clock(caller, line)
    if order["state"] not in ("in_progress", "awaiting_approval", "quality_check", "ready"):
        raise Conflict("工單不在維修中，不能記錄工時。",
                       "The order is not in progress: no time can be recorded.",
                       code="line_not_ready")
    # The final check sent the job back: it is done, and worked on again until finished anew.
    reworking = bool(line.get("rework")) and line["state"] == "done"
    now_clock = line.get("clock") or {"state": "idle", "seconds": 0}
    allowed = _FROM[body.action] + (("finished",) if reworking and body.action == "start" else ())
    if now_clock["state"] not in allowed:
        raise Conflict(_refusal_text(body.action, now_clock["state"]),
                       f"This job is {now_clock['state']}: it cannot {body.action} now.",
                       code="clock_state")
    if body.action != "pause" and line["state"] != "approved" and not reworking:
        raise Conflict("客戶同意的項目才能施工。", "Only work the customer approved can be done.",
                       code="line_not_ready")
    if body.action == "finish" and not reworking:
        orders.check_done(order, line)
    at = _moment(body.at, now_clock.get("since"))
    updated = {**line, "clock": orders.clocked(now_clock, _TO[body.action], caller.stamp(), at,
                                                body.reason),
               "updated_at": clock.now_iso()}
    if body.action == "finish":
        updated["state"] = "done"
        updated.pop("rework", None)
    lines = [updated if item["line_id"] == line_id else item for item in order["lines"]]
    event = event_item(caller, order_id, body.client_id, order["state"], order["state"],
                       body.note, clock.now_iso(),
                       job={"line_id": line_id, "action": body.action, "at": at,
                            **({"reason": body.reason} if body.reason else {})})
    changes = {"at_work": orders.at_work(lines)}
    return orders.view(save(caller, order, changes, puts=[updated, event]), caller)


def _may_clock(caller: Caller, line: dict) -> None:
    if caller.role == "technician" and line.get("technician_id") != caller.staff_id:
        raise Forbidden("這項工作沒有派給你。", "This job is not assigned to you.")
    if caller.role != "technician":
        require(caller, "orders.write")


def _refusal_text(action: str, state: str) -> str:
    return {("start", "running"): "這項工作已經開始。", ("start", "paused"): "這項工作暫停中，請按繼續。",
            ("start", "finished"): "這項工作已經完成。", ("pause", "idle"): "這項工作還沒開始。",
            ("pause", "paused"): "這項工作已經暫停。", ("pause", "finished"): "這項工作已經完成。",
            ("resume", "idle"): "這項工作還沒開始。", ("resume", "running"): "這項工作正在進行。",
            ("resume", "finished"): "這項工作已經完成。",
            ("finish", "finished"): "這項工作已經完成。"}.get((action, state), "現在不能這樣做。")


def _moment(tapped: str | None, since: str | None) -> str:
    """When the tap counts from: the phone's time, within what the server can believe."""
    now = clock.now()
    moment = now
    if tapped:
        try:
            moment = clock.parse_iso(tapped)
        except ValueError:
            raise Conflict("時間格式不正確。", "at: not an ISO 8601 time.",
                           code="invalid_time") from None
        if moment.tzinfo is None or moment > now or now - moment > OFFLINE_LIMIT:
            moment = now
    if since and moment < clock.parse_iso(since):
        moment = clock.parse_iso(since)
    return clock.iso(moment)


# --- asking for support ---

def ask_help(caller: Caller, order_id: str, body: HelpCall) -> dict:
    return models.retry(lambda: _ask_help(caller, order_id, body), busy=busy())


def _ask_help(caller: Caller, order_id: str, body: HelpCall) -> dict:
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return orders.view(order, caller)
    orders.refuse_closed(order)
    line = next((item for item in order["lines"] if item["line_id"] == body.line_id), None)
    if body.line_id and line is None:
        raise NotFound("找不到這項工作。", "No such job on this order.")
    now = clock.now_iso()
    asked = {"by": caller.stamp(), "at": now, "note": body.note or "",
             **({"line_id": line["line_id"], "description": line["description"]} if line else {})}
    event = event_item(caller, order_id, body.client_id, order["state"], order["state"],
                       body.note, now, job={"action": "help",
                                            **({"line_id": line["line_id"]} if line else {})})
    return orders.view(save(caller, order, {"help": asked}, puts=[event]), caller)


def take_help(caller: Caller, order_id: str, body: HelpTaken) -> dict:
    """Someone goes to help: the call leaves the board (the event keeps who took it)."""
    require(caller, "orders.write")
    return models.retry(lambda: _take_help(caller, order_id, body), busy=busy())


def _take_help(caller: Caller, order_id: str, body: HelpTaken) -> dict:
    order = load(caller.shop_id, order_id)
    if not order.get("help") or any(event["event_id"] == body.client_id
                                    for event in order["events"]):
        return orders.view(order, caller)
    event = event_item(caller, order_id, body.client_id, order["state"], order["state"], None,
                       clock.now_iso(), job={"action": "help_taken",
                                             "asked_by": order["help"]["by"]})
    return orders.view(save(caller, order, {"help": None}, puts=[event]), caller)


# --- the job list ---

class JobsQuery(Body):
    technician_id: ClientId | None = None


def jobs(caller: Caller, query: JobsQuery) -> dict:
    """A technician's job list (派工): the lines given to them on open orders (one Query), each
    with its clock; the phone groups them by order, in the order of the promised time."""
    technician_id = query.technician_id or caller.staff_id
    if technician_id != caller.staff_id:
        require(caller, "jobs.others")
    lines = models.Line.lists.query(models.jobs_pk(caller.shop_id, technician_id))
    found = [line.as_dict() for line in lines]
    listed = [{"order_id": item["order_id"], "number": item["order_number"],
               "plate": item["plate"], "promised_at": item.get("promised_at"),
               "line": {k: v for k, v in item.items() if k not in HIDDEN}}
              for item in found if item["state"] != "declined" and is_job(item)]
    listed.sort(key=lambda job: (job["promised_at"] or "~", job["number"],
                                 job["line"]["created_at"]))
    return {"technician_id": technician_id, "jobs": listed}
