"""The invitation list (邀約回廠名單): the shop's due reminders and declined work of the coming
weeks, one row per car with its reasons merged, worked through by the advisors (call, LINE, SMS)
so that nobody is contacted twice (KPS5220-004v1 P2.1.1).

The reasons are the vehicles' reminders (chalicelib/after/reminders.py): the next service,
declined tyres and brakes, inspection, insurance, and the declined work still open (`declined`).
Each sits on gsi1 `INVITE#<shop>` by the day it is due, so the list is one Query over a range of
days, then one BatchGetItem of the cars and their Invitation items and one of their owners: three
requests for up to 33 cars, one more per 33 after (docs/design.md, "What each screen costs").

A contact is a conditional write on the car's Invitation item: it claims the car for the reasons
it covered (`claim`) until `hidden_until`, only while no one else holds that claim. Of two
advisors recording at once, one wins; the other is told who called. A booking ahead (kept on the
item from the appointments' stream, `on_appointment`) takes the car off the to-do list too.
Sending the invitation by LINE or SMS is marketing: only to a customer who has not said no
(`customers.wants_marketing`), outside quiet hours, with the opt-out link (個資法 §20).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from boto3.dynamodb.types import TypeDeserializer
from pydantic import Field, model_validator
from pynamodb.expressions.condition import size
from pynamodb.expressions.operand import Path
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, Day, LongText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock, phones
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.outward import notify, opt_out
from chalicelib.outward.notify import quiet_hours
from chalicelib.records import customers, shop_settings, shops, vehicles
from chalicelib.work import history
from chalicelib.after import reminders

BACK_DAYS = 30  # overdue reasons stay on the list this long
MAX_WEEKS = 12
FOREVER = "9999-12-31"  # hidden for this round: until the car's reasons change
LATER_DAYS = 14  # "later" without a day to call back
NO_ANSWER_DAYS = 1  # tried again tomorrow
SENT_DAYS = 3  # a sent invitation waits this long for the customer's answer
KEPT_CONTACTS = 20  # the last contacts kept on the item (400 KB)
LIVE = ("booked", "pending")  # an appointment that holds a place
ORDER = ("service", "tyres", "brakes", "inspection", "insurance", "declined")


class ListQuery(Body):
    weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)] = 4


class Contact(Body):
    client_id: ClientId
    method: Literal["call", "line", "sms"]
    outcome: Literal["booked", "later", "declined", "no_answer", "wrong_number"]
    note: LongText | None = None
    call_back_on: Day | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Contact":
        if self.call_back_on and self.outcome not in ("later", "no_answer"):
            raise field_error("只有「再聯絡」或「沒接」需要回電日期。",
                              "call_back_on: only for later or no_answer")
        if self.call_back_on and self.call_back_on <= clock.local_date():
            raise field_error("回電日期要在今天之後。", "call_back_on: a day after today")
        return self


class Send(Body):
    client_id: ClientId
    channel: Literal["line", "sms"] | None = None  # None: LINE when linked, else SMS


# --- the list ---

def _today() -> date:
    return date.fromisoformat(clock.local_date())


def _reason_key(reminder: dict) -> str:
    return f"{reminder['kind']}:{reminder['due_on']}"


def _batch(keys: list[dict]) -> dict[tuple[str, str], dict]:
    """Items by (pk, sk): BatchGetItem, 100 keys a request (unprocessed keys asked again)."""
    unique = list({(key["pk"], key["sk"]) for key in keys})
    return {(item["pk"], item["sk"]): item
            for item in (found.as_dict() for found in models.Item.batch_get(unique))}


def _reason(reminder: dict) -> dict:
    detail = reminder.get("detail") or {}
    reason = {"kind": reminder["kind"], "due_on": reminder["due_on"],
              "zh": reminders.NAMES[reminder["kind"]][0],
              "en": reminders.NAMES[reminder["kind"]][1]}
    if reminder["kind"] == "declined":
        reason["lines"] = [line["description"] for line in detail.get("lines", [])]
    elif detail.get("colour"):
        reason["colour"] = detail["colour"]
    if detail.get("due_km"):
        reason["due_km"] = detail["due_km"]
    return reason


def _last_contact(invitation: dict) -> dict | None:
    contacts = invitation.get("contacts") or []
    return contacts[-1] if contacts else None


def _state(invitation: dict, reasons: list[dict], today: str, now: str) -> str:
    """todo, contacted (claimed for these reasons until a later day) or booked (ahead)."""
    booking = invitation.get("booking") or {}
    if booking.get("at", "") >= now:
        return "booked"
    covered = set(invitation.get("reasons") or [])
    if covered and {_reason_key(r) for r in reasons} <= covered \
            and (invitation.get("hidden_until") or "") > today:
        return "contacted"
    return "todo"


def _row(vehicle: dict, customer: dict, invitation: dict, reasons: list[dict], today: str,
         now: str) -> dict:
    reasons = sorted(reasons, key=lambda r: (r["due_on"], ORDER.index(r["kind"])))
    mobile = customer.get("mobile") or ""
    booking = invitation.get("booking") or {}
    return {
        "invitation_id": vehicle["vehicle_id"], "vehicle_id": vehicle["vehicle_id"],
        "plate": vehicle["plate"], "make": vehicle.get("make", ""),
        "model": vehicle.get("model", ""), "customer_id": customer["customer_id"],
        "name": customer.get("name", ""), "mobile": mobile,
        "mobile_masked": phones.masked(mobile) if mobile else "",
        "line_linked": bool(customer.get("line_user_id")),
        "marketing": customers.wants_marketing(customer)
        and not customer.get("reminders_opt_out"),
        "due_on": reasons[0]["due_on"], "overdue": reasons[0]["due_on"] < today,
        "reasons": [_reason(reason) for reason in reasons],
        "last_contact": _last_contact(invitation),
        "hidden_until": invitation.get("hidden_until"),
        "booking": booking if booking.get("at", "") >= now else None,
        "state": _state(invitation, reasons, today, now)}


def listing(caller: Caller, query: ListQuery) -> dict:
    """GET /api/invitations: the to-do rows by due day (overdue first), and the ones contacted
    or booked (by the last contact, newest first)."""
    require(caller, "invitations.work")
    shop_id, today = caller.shop_id, _today()
    start, end = today - timedelta(days=BACK_DAYS), today + timedelta(weeks=query.weeks)
    by_car: dict[str, list[dict]] = {}
    for reminder in models.Item.lookup.query(
            models.invitations_pk(shop_id),
            models.Item.gsi1sk.between(f"{start.isoformat()}#", f"{end.isoformat()}#~")):
        item = reminder.as_dict()
        by_car.setdefault(item["vehicle_id"], []).append(item)
    cars = _batch([key for vehicle_id in by_car for key in (
        models.vehicle_key(shop_id, vehicle_id), models.Invitation.key(shop_id, vehicle_id))])
    vehicles_found = {vehicle_id: cars.get((models.vehicle_pk(shop_id, vehicle_id),
                                            models.VEHICLE_SK)) for vehicle_id in by_car}
    owners = _batch([models.customer_key(shop_id, vehicle["customer_id"])
                     for vehicle in vehicles_found.values() if vehicle])
    now, day = clock.now_iso(), today.isoformat()
    rows = []
    for vehicle_id, reasons in by_car.items():
        vehicle = vehicles_found[vehicle_id]
        if not vehicle:
            continue
        key = models.customer_key(shop_id, vehicle["customer_id"])
        customer = owners.get((key["pk"], key["sk"]))
        if not customer or customer.get("erased_at") or customer.get("merged_into"):
            continue
        invitation = cars.get((models.vehicle_pk(shop_id, vehicle_id),
                               models.INVITATION_SK)) or {}
        rows.append(_row(vehicle, customer, invitation, reasons, day, now))
    todo = sorted((row for row in rows if row["state"] == "todo"),
                  key=lambda row: (row["due_on"], row["plate"]))
    done = sorted((row for row in rows if row["state"] != "todo"),
                  key=lambda row: (row["last_contact"] or {}).get("at", ""), reverse=True)
    return {"date": day, "from": start.isoformat(), "to": end.isoformat(),
            "invitations": todo, "contacted": done}


# --- one car: its reasons and its Invitation, one Query of its partition ---

def _car(shop_id: str, vehicle_id: str) -> tuple[dict, dict, list[dict]]:
    """The vehicle, its Invitation (or {}) and its reminders on the list (due from BACK_DAYS
    ago on): one strongly consistent Query of the vehicle's partition."""
    items = list(models.Item.items(models.vehicle_pk(shop_id, vehicle_id), consistent_read=True))
    vehicle = next((item for item in items if item["sk"] == models.VEHICLE_SK), None)
    if vehicle is None:
        raise NotFound("找不到這輛車。", "No such vehicle.")
    invitation = next((item for item in items if item["sk"] == models.INVITATION_SK), {})
    since = (_today() - timedelta(days=BACK_DAYS)).isoformat()
    listed = [item for item in items if item["sk"].startswith(models.REMINDER_PREFIX)
              and item.get("gsi1pk") and item["due_on"] >= since]
    if not listed:
        raise NotFound("這輛車目前不在邀約名單上。", "This car is not on the invitation list.",
                       code="not_on_list")
    return vehicle, invitation, listed


def _hidden_until(outcome: str, call_back_on: str | None) -> str:
    today = _today()
    if outcome in ("booked", "declined", "wrong_number"):
        return FOREVER
    if call_back_on:
        return call_back_on
    days = {"later": LATER_DAYS, "no_answer": NO_ANSWER_DAYS, "sent": SENT_DAYS}[outcome]
    return (today + timedelta(days=days)).isoformat()


def _contacted_already(invitation: dict, client_id: str) -> bool:
    return any(contact["contact_id"] == client_id for contact in invitation.get("contacts") or [])


def _claim(caller: Caller, vehicle_id: str, contact: dict, reasons: list[dict],
           hidden_until: str) -> tuple[bool, dict]:
    """Write the contact if the car is free for these reasons: (written, the item after).
    Refused: another advisor holds the claim (Conflict `already_contacted`), or this very
    contact was written already (a replay: False)."""
    Invitation = models.Invitation
    claim = "|".join(sorted(_reason_key(reason) for reason in reasons))
    item = Invitation.from_dict(Invitation.key(caller.shop_id, vehicle_id))
    free = (Invitation.pk.does_not_exist() | Invitation.claim.does_not_exist()
            | (Invitation.claim != claim) | (Invitation.hidden_until <= _today().isoformat()))
    try:
        with models.refusals():
            item.update(actions=[
                Invitation.type.set(Invitation), Invitation.shop_id.set(caller.shop_id),
                Invitation.vehicle_id.set(vehicle_id),
                Invitation.reasons.set(sorted(_reason_key(reason) for reason in reasons)),
                Invitation.claim.set(claim), Invitation.hidden_until.set(hidden_until),
                Invitation.contacts.set((Invitation.contacts | []).append([contact])),
                Invitation.updated_at.set(contact["at"])], condition=free)
    except models.Refused:
        stored = Invitation.read(Invitation.key(caller.shop_id, vehicle_id), consistent=True) or {}
        if _contacted_already(stored, contact["contact_id"]):
            return False, stored
        last = _last_contact(stored) or {}
        who, day = (last.get("by") or {}).get("name", ""), clock.local_date(last.get("at"))
        raise Conflict(f"{who} 已經聯絡過這位客戶了（{day}）。",
                       f"{who} contacted this customer already ({day}).",
                       code="already_contacted") from None
    after = item.as_dict()
    _trim(caller.shop_id, vehicle_id, after.get("contacts") or [])
    return True, after


def _trim(shop_id: str, vehicle_id: str, contacts: list) -> None:
    """Keep the last KEPT_CONTACTS, only while the list is as this write left it."""
    extra = len(contacts) - KEPT_CONTACTS
    if extra <= 0:
        return
    Invitation = models.Invitation
    try:
        with models.refusals():
            Invitation.from_dict(Invitation.key(shop_id, vehicle_id)).update(
                actions=[Invitation.contacts[n].remove() for n in range(extra)],
                condition=size(Invitation.contacts) == len(contacts))
    except models.Refused:
        pass  # another contact landed meanwhile: it trims


def _view(caller: Caller, vehicle_id: str, invitation: dict) -> dict:
    return {"invitation_id": vehicle_id, "last_contact": _last_contact(invitation),
            "hidden_until": invitation.get("hidden_until"),
            "contacts": invitation.get("contacts") or []}


def record(caller: Caller, vehicle_id: str, body: Contact) -> dict:
    """POST /api/invitations/{id}/contacts: the advisor's call (or message) and its outcome.
    A replay (same client id) changes nothing."""
    require(caller, "invitations.work")
    vehicle, invitation, reasons = _car(caller.shop_id, vehicle_id)
    if _contacted_already(invitation, body.client_id):
        return _view(caller, vehicle_id, invitation)
    contact = {"contact_id": body.client_id, "at": clock.now_iso(), "by": caller.stamp(),
               "method": body.method, "outcome": body.outcome,
               **({"note": body.note} if body.note else {}),
               **({"call_back_on": body.call_back_on} if body.call_back_on else {})}
    _, after = _claim(caller, vehicle_id, contact, reasons,
                      _hidden_until(body.outcome, body.call_back_on))
    return _view(caller, vehicle_id, after)


# --- sending the invitation by LINE or SMS ---

def text(shop: dict, customer: dict, vehicle: dict, reasons: list[dict], shop_id: str) -> str:
    """The shop's invitation in zh-TW: the car, what is due, the shop's phone, the opt-out."""
    plate = vehicles.mask_plate(vehicle.get("plate", ""))
    what = "、".join(dict.fromkeys(reminders.NAMES[reason["kind"]][0] for reason in
                                   sorted(reasons, key=lambda r: ORDER.index(r["kind"]))))
    phone = f"預約請電 {shop['phone']}，" if shop.get("phone") else ""
    return (f"【{shop.get('name', '')}】{customer.get('name', '')} 您好，您的 {plate} {what}"
            f"時間到了，{phone}歡迎回廠。"
            f"\n不想再收到通知：{opt_out.url(shop_id, customer['customer_id'])}")


def send(caller: Caller, vehicle_id: str, body: Send) -> dict:
    """POST /api/invitations/{id}/messages: the invitation sent now by LINE (linked) or SMS,
    recorded as the contact (claimed first, so two tablets never both send it)."""
    require(caller, "invitations.work")
    shop_id = caller.shop_id
    vehicle, invitation, reasons = _car(shop_id, vehicle_id)
    if _contacted_already(invitation, body.client_id):
        return _view(caller, vehicle_id, invitation)
    customer = customers.get_customer(shop_id, vehicle["customer_id"]) or {}
    if not customer or customer.get("erased_at"):
        raise NotFound("找不到這位客戶。", "No such customer.")
    if not customers.wants_marketing(customer) or customer.get("reminders_opt_out"):
        raise Conflict("這位客戶不同意接收行銷訊息，請改用電話聯絡。",
                       "This customer said no to marketing messages: call instead.",
                       code="no_marketing")
    channel = body.channel or ("line" if customer.get("line_user_id") else "sms")
    to = customer.get("line_user_id") if channel == "line" else customer.get("mobile")
    if not to or (channel == "sms" and not phones.is_mobile(to)):
        raise Conflict("這位客戶沒有可用的 LINE 或手機號碼。",
                       "This customer has no linked LINE or mobile number for this.",
                       code="no_channel")
    if quiet_hours.quiet(clock.now(), shop_settings.notification_settings(shop_id)):
        raise Conflict("現在是夜間勿擾時段，請明天早上再傳。",
                       "It is the shop's quiet hours: send it in the morning.",
                       code="quiet_hours")
    order_id = vehicle.get("latest_order_id") or max(
        (reason.get("order_id") or "" for reason in reasons), default="")
    if not order_id:
        raise Conflict("這輛車還沒有工單，無法傳訊息，請改用電話聯絡。",
                       "This car has no order to send from: call instead.", code="no_order")
    contact = {"contact_id": body.client_id, "at": clock.now_iso(), "by": caller.stamp(),
               "method": channel, "outcome": "sent"}
    written, after = _claim(caller, vehicle_id, contact, reasons, _hidden_until("sent", None))
    if not written:
        return _view(caller, vehicle_id, after)
    opt_out.keep_link(shop_id, customer["customer_id"])
    message = text(shops.get_shop(shop_id) or {}, customer, vehicle, reasons, shop_id)
    sent = notify.send_direct(shop_id, order_id, f"invitation:{clock.local_date()}", channel, to,
                              message, shown=message)
    if sent["state"] != "sent":
        _unsent(shop_id, vehicle_id, after, body.client_id)
        raise Conflict("訊息沒有送出，請改用電話聯絡。", "The message was not sent: call instead.",
                       code="not_sent")
    return _view(caller, vehicle_id, after)


def _unsent(shop_id: str, vehicle_id: str, invitation: dict, contact_id: str) -> None:
    """A message that did not go out: the contact says so and the car is back on the list."""
    Invitation = models.Invitation
    contacts = invitation.get("contacts") or []
    index = next(n for n, contact in enumerate(contacts) if contact["contact_id"] == contact_id)
    try:
        with models.refusals():
            Invitation.from_dict(Invitation.key(shop_id, vehicle_id)).update(
                actions=[Invitation.contacts[index].set({**contacts[index], "outcome": "not_sent"}),
                         Invitation.hidden_until.set(_today().isoformat())],
                condition=Invitation.contacts[index]["contact_id"] == contact_id)
    except models.Refused:
        pass  # trimmed or claimed again meanwhile


# --- a booking ahead, from the appointments' stream (chalicelib/changes.py) ---

_deserializer = TypeDeserializer()
_READ = ("shop_id", "appointment_id", "vehicle_id", "state", "at")


def _fields(image: dict) -> dict:
    """The few fields read (not the model: an appointment may carry fields added later)."""
    return {name: _deserializer.deserialize(image[name]) for name in _READ if name in image}


def on_appointment(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an appointment (Appointment): a live one is the car's booking
    ahead; one cancelled, missed, checked in or removed is no longer (if it was the one kept)."""
    appointment = _fields(new_image if event_name != "REMOVE" else old_image)
    if not {"shop_id", "appointment_id", "vehicle_id"} <= set(appointment):
        return
    Invitation = models.Invitation
    item = Invitation.from_dict(Invitation.key(appointment["shop_id"],
                                               appointment["vehicle_id"]))
    if event_name != "REMOVE" and appointment.get("state") in LIVE:
        _keep_booking(appointment)
        return
    try:
        with models.refusals():
            item.update(actions=[Invitation.booking.remove()],
                        condition=Path(["booking", "appointment_id"])
                        == appointment["appointment_id"])
    except models.Refused:
        pass  # another booking is kept (or none)


def _keep_booking(appointment: dict) -> None:
    Invitation = models.Invitation
    Invitation.from_dict(Invitation.key(appointment["shop_id"], appointment["vehicle_id"])).update(
        actions=[Invitation.type.set(Invitation), Invitation.shop_id.set(appointment["shop_id"]),
                 Invitation.vehicle_id.set(appointment["vehicle_id"]),
                 Invitation.booking.set({"appointment_id": appointment["appointment_id"],
                                         "at": appointment["at"]})])


# --- the backfill: a shop's data from before the list (devstack `invitations-backfill`) ---

CLOSED = ("opted_out", "no_consent", "unreachable")  # reminders not worth a call
BOOKING_DAYS_AHEAD = 120


def backfill(shop_id: str) -> dict:
    """Put a shop's existing data on the invitation list, once, when it is deployed: each car's
    reminders on gsi1, its declined work still open (from its history), and the bookings ahead
    on the cars. Safe to run again: each write sets what the reactions would."""
    Reminder, counts = models.Reminder, {"vehicles": 0, "reminders": 0, "declined": 0,
                                         "bookings": 0}
    for found in models.Item.lookup.query(models.plate_lookup(shop_id, "")[0]):
        vehicle_id = found.as_dict().get("vehicle_id")
        if not vehicle_id:
            continue
        counts["vehicles"] += 1
        for reminder in Reminder.query(models.vehicle_pk(shop_id, vehicle_id),
                                       Reminder.sk.startswith(models.REMINDER_PREFIX)):
            if reminder.gsi1pk or reminder.status in CLOSED or reminder.kind == "declined":
                continue
            listed = models.invite_index(shop_id, reminder.due_on, vehicle_id, reminder.kind)
            reminder.update(actions=[Reminder.gsi1pk.set(listed["gsi1pk"]),
                                     Reminder.gsi1sk.set(listed["gsi1sk"])])
            counts["reminders"] += 1
        past = history.history_of(shop_id, vehicle_id)
        still = past["declined_open"]
        if still:
            latest = past["visits"][0]["order_id"] if past["visits"] else still[-1]["order_id"]
            reminders.write_declined(shop_id, vehicle_id, past["vehicle"].get("customer_id"),
                                     latest, still)
            counts["declined"] += 1
    today = _today()
    for offset in range(BOOKING_DAYS_AHEAD + 1):
        day = (today + timedelta(days=offset)).isoformat()
        for booked in models.Item.lists.query(models.appointment_day_pk(shop_id, day)):
            appointment = booked.as_dict()
            if appointment.get("state") in LIVE and appointment.get("vehicle_id"):
                _keep_booking(appointment)
                counts["bookings"] += 1
    return counts
