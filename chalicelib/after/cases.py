"""Cases (客訴案件): what an unhappy customer said on a follow-up call, until it is resolved.

A case is opened by a follow-up call (chalicelib/after/followups.py) with an owner and a due date,
and may invite the customer back (an appointment); it sits on gsi2 in its shop's open list (by
due date) until the owner or a manager closes it with the resolution, then in the closed list (by
the time it closed). The manager's board shows the open list. The shop's numbers count a case
opened and closed from the table's stream (chalicelib/after/dashboard.py `on_case`).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, StringConstraints, field_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, Day
from chalicelib.api.roles import allowed, require
from chalicelib.core import clock
from chalicelib.core.errors import Busy, Conflict, Forbidden, NotFound
from chalicelib.records import shops
from chalicelib.work import appointments

CLOSED_SHOWN = 100  # the closed list shows the latest ones; older cases stay readable by id
Resolution = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Moment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class Invitation(Body):
    """Invite the customer back: an appointment (source `invitation`) for the car."""
    appointment_id: ClientId
    at: Moment
    duration_minutes: int = Field(default=60, ge=15, le=600)

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        return appointments._utc(value)  # as an appointment's own time is read


class NewCase(Body):
    """What an unhappy customer said, who handles it and by when (opened by a follow-up call)."""
    case_id: ClientId
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=500)]
    owner_id: ClientId
    due_on: Day
    invite: Invitation | None = None


class CasesQuery(Body):
    state: Literal["open", "closed"] = "open"


class CaseChange(Body):
    """Hand the case to someone else, move its due date, or invite the customer back."""
    owner_id: ClientId | None = None
    due_on: Day | None = None
    invite: Invitation | None = None


class CaseClose(Body):
    client_id: ClientId
    resolution: Resolution


def new_item(caller: Caller, followup: dict, case: NewCase, owner: dict, note: str | None,
             now: str) -> dict:
    """The case a follow-up call opens, written in the call's transaction."""
    return {**models.Case.key(caller.shop_id, case.case_id), "type": "case", "shop_id": caller.shop_id,
            "case_id": case.case_id, "order_id": followup["order_id"],
            "number": followup["number"], "customer": followup["customer"],
            "vehicle": followup["vehicle"], "summary": case.summary,
            **({"call_note": note} if note else {}),
            "owner": {"staff_id": owner["staff_id"], "name": owner["name"]},
            "due_on": case.due_on, "state": "open",
            **({"appointment_id": case.invite.appointment_id} if case.invite else {}),
            "created_at": now, "created_by": caller.stamp(),
            **models.case_index(caller.shop_id, "open", case.due_on, case.case_id)}


def invite_back(caller: Caller, item: dict, summary: str, invite: Invitation) -> None:
    """The appointment inviting the customer back (made once: its id is the client's). `item`
    is the follow-up or the case: both carry the customer and the vehicle."""
    appointments.create_appointment(caller, appointments.NewAppointment(
        appointment_id=invite.appointment_id, at=invite.at,
        duration_minutes=invite.duration_minutes, purpose=f"回廠處理：{summary}"[:200],
        source="invitation", customer_id=item["customer"]["customer_id"],
        vehicle_id=item["vehicle"]["vehicle_id"]))


_SHOWN = ("case_id", "order_id", "number", "customer", "vehicle", "summary", "call_note",
          "owner", "due_on", "state", "appointment_id", "created_at", "created_by",
          "resolution", "closed_at", "closed_by")


def view(item: dict, caller: Caller) -> dict:
    shown = {key: item[key] for key in _SHOWN if item.get(key) is not None}
    shown["may_close"] = item["state"] == "open" and _may_handle(caller, item)
    return shown


def _may_handle(caller: Caller, item: dict) -> bool:
    return item["owner"]["staff_id"] == caller.staff_id or allowed(caller.role, "cases.manage")


def list_cases(caller: Caller, query: CasesQuery) -> dict:
    """Open cases by due date (all of them), or the latest closed ones: one Query on gsi2."""
    require(caller, "followups.record")
    listed = models.cases_pk(caller.shop_id, query.state)
    items = models.Item.lists.query(listed, scan_index_forward=False, limit=CLOSED_SHOWN) \
        if query.state == "closed" else models.Item.lists.query(listed)
    return {"state": query.state, "cases": [view(item.as_dict(), caller) for item in items]}


def _load(caller: Caller, case_id: str) -> dict:
    item = models.Case.read(models.Case.key(caller.shop_id, case_id), consistent=True)
    if item is None:
        raise NotFound("找不到這個案件。", "No such case.")
    return item


def get_case(caller: Caller, case_id: str) -> dict:
    require(caller, "followups.record")
    return view(_load(caller, case_id), caller)


def _require_handler(caller: Caller, item: dict) -> None:
    require(caller, "followups.record")
    if not _may_handle(caller, item):
        raise Forbidden("只有案件負責人或主管可以處理這個案件。",
                        "Only the case's owner or a manager may handle this case.")


def _refuse_closed(item: dict) -> None:
    if item["state"] != "open":
        raise Conflict("這個案件已經結案。", "This case is closed.", code="case_closed")


def _busy() -> Busy:
    return Busy("這個案件正被其他人同時修改，請再送一次。",
                "Someone else is changing this case right now: send it again.")


def update_case(caller: Caller, case_id: str, body: CaseChange) -> dict:
    """Hand the case over, move its due date or invite the customer back (read, decide, write:
    again when someone else's change landed in between)."""
    return models.retry(lambda: _update_case(caller, case_id, body), busy=_busy())


def _update_case(caller: Caller, case_id: str, body: CaseChange) -> dict:
    item = _load(caller, case_id)
    _require_handler(caller, item)
    changes: dict = {}
    if body.owner_id and body.owner_id != item["owner"]["staff_id"]:
        owner = shops.get_staff(caller.shop_id, body.owner_id)
        if not owner or not owner.get("active", True):
            raise NotFound("找不到這位負責人。", "No such staff member to own the case.")
        changes["owner"] = {"staff_id": owner["staff_id"], "name": owner["name"]}
    if body.due_on and body.due_on != item["due_on"]:
        changes["due_on"] = body.due_on
    if body.invite and body.invite.appointment_id != item.get("appointment_id"):
        changes["appointment_id"] = body.invite.appointment_id
    if not changes:
        return view(item, caller)  # nothing new (a replay)
    _refuse_closed(item)
    if "appointment_id" in changes:
        invite_back(caller, item, item["summary"], body.invite)
    if "due_on" in changes:
        changes.update(models.case_index(caller.shop_id, "open", changes["due_on"], case_id))
    changes.update(updated_at=clock.now_iso(), updated_by=caller.stamp())
    return view(_save(caller, item, changes), caller)


def close_case(caller: Caller, case_id: str, body: CaseClose) -> dict:
    """Closed with its resolution; it leaves the board (and the stream counts it on the shop's
    numbers). The same close again changes nothing."""
    return models.retry(lambda: _close_case(caller, case_id, body), busy=_busy())


def _close_case(caller: Caller, case_id: str, body: CaseClose) -> dict:
    item = _load(caller, case_id)
    if item["state"] == "closed" and item.get("closed_client_id") == body.client_id:
        return view(item, caller)
    _require_handler(caller, item)
    _refuse_closed(item)
    now = clock.now_iso()
    closed = _save(caller, item, {
        "state": "closed", "resolution": body.resolution, "closed_at": now,
        "closed_by": caller.stamp(), "closed_client_id": body.client_id, "updated_at": now,
        **models.case_index(caller.shop_id, "closed", now, case_id)})
    return view(closed, caller)


def _save(caller: Caller, item: dict, changes: dict) -> dict:
    """The case's changes, only over the case as read (its version): `models.Refused` when
    someone else's change landed first. Answers the case as it now is."""
    case = models.Case.from_dict({**models.Case.key(caller.shop_id, item["case_id"]),
                                  "version": item.get("version")})
    fields = {attribute.attr_name: attribute for attribute in models.Case.get_attributes().values()}
    with models.refusals():
        case.update(actions=[fields[name].set(value) for name, value in changes.items()])
    return case.as_dict()
