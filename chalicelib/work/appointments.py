"""Appointments (預約表): the bookings of a day and a week, the places they take in the shop's
slots, and checking a booked car in as a repair order.

An appointment sits on gsi2 under its shop's local day (Asia/Taipei), sorted by its UTC time,
so the day's list is one Query; a reschedule moves it to its new day. The customer's name and
the plate are copied on it so the list needs no other read.

Its life: `pending` (booked online, the shop confirms by hand) → `booked` → `checked_in`, or
`cancelled`, or `no_show` once its time has come. Booking takes a place in each slot it covers
(chalicelib/work/slots.py) in the same transaction as the appointment's own write; a
reschedule gives the old places back and takes the new ones in one transaction; a cancellation
or a no-show gives them back. The places held are stored on the appointment (`slot_day`,
`slot_starts`), so what is given back is what was taken, whatever the setup says since.
The advisor may put a car into a full slot on purpose (`overbook`); the online page never can.
"""
from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any, Callable, Literal

from pydantic import Field, StrictBool, StrictInt, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from pynamodb.expressions.update import Action
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, Day, ShortText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Busy, Conflict, DomainError, NotFound, Unprocessable
from chalicelib.records import customers, shops, vehicles
from chalicelib.work import orders, slots

Source = Literal["phone", "line", "online", "walk_in", "invitation"]
Minutes = Annotated[StrictInt, Field(ge=15, le=600)]
Part = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Parts = Annotated[list[Part], Field(max_length=30)]
Moment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Amount = Annotated[StrictInt, Field(ge=0, le=100_000_000)]  # NT$, tax included
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]

EDITABLE = ("pending", "booked")


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise field_error("時間格式不正確，例如 2026-11-22T09:30:00+08:00。",
                          "not an ISO 8601 time (e.g. 2026-11-22T09:30:00+08:00)") from None
    if moment.tzinfo is None:
        raise field_error("時間要帶時區，例如 +08:00 或 Z。", "the time needs an offset, e.g. +08:00 or Z")
    if not 2000 <= moment.year <= 2100:
        raise field_error("預約時間不合理。", "the time is out of range")
    return moment


def _utc(value: str) -> str:
    """An ISO 8601 time with its offset (or Z), as the stored UTC form."""
    return clock.iso(_moment(value))


def _utc_checked(value: str) -> str:
    """As `_utc`, for a caller that is not a route's body (the booking page): a 422."""
    try:
        return _utc(value)
    except PydanticCustomError:
        raise Unprocessable("時間格式不正確，例如 2026-12-08T09:30:00+08:00。",
                            "at: not an ISO 8601 time with its offset") from None


class NewAppointment(Body):
    appointment_id: ClientId
    at: Moment
    duration_minutes: Minutes
    purpose: ShortText
    source: Source
    parts_to_prepare: Parts = Field(default_factory=list)
    customer_id: ClientId
    vehicle_id: ClientId
    technician_id: ClientId | None = None
    estimate_amount: Amount | None = None
    note: Note | None = None
    service_id: ServiceId | None = None
    overbook: StrictBool = False  # the advisor puts the car into a full slot on purpose

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str) -> str:
        return _utc(value)


class AppointmentChange(Body):
    """Any subset; `technician_id` or `estimate_amount` null clears it."""
    at: Moment | None = None
    duration_minutes: Minutes | None = None
    purpose: ShortText | None = None
    parts_to_prepare: Parts | None = None
    parts_ready: Parts | None = None
    technician_id: ClientId | None = None
    estimate_amount: Amount | None = None
    state: Literal["booked", "cancelled", "no_show"] | None = None
    overbook: StrictBool = False

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str | None) -> str | None:
        return None if value is None else _utc(value)


class CheckIn(Body):
    order_id: ClientId


class DayQuery(Body):
    date: Day


class WeekQuery(Body):
    start: Day


# --- reading ---

_PUBLIC = ("appointment_id", "at", "duration_minutes", "purpose", "source", "parts_to_prepare",
           "parts_ready", "customer_id", "vehicle_id", "customer_name", "plate", "state",
           "order_id", "technician_id", "technician_name", "estimate_amount", "note",
           "service_id", "overbooked", "confirmed_at", "reminded_at", "created_at", "updated_at")


def public(item: dict) -> dict:
    return {key: item[key] for key in _PUBLIC if item.get(key) is not None}


def get_appointment(shop_id: str, appointment_id: str) -> dict | None:
    return models.Appointment.read(models.Appointment.key(shop_id, appointment_id))


def _existing(shop_id: str, appointment_id: str) -> dict:
    appointment = get_appointment(shop_id, appointment_id)
    if appointment is None:
        raise NotFound("找不到這筆預約。", "No such appointment.")
    return appointment


def _on_day(shop_id: str, day: str) -> list[dict]:
    booked = models.Appointment.lists.query(models.appointment_day_pk(shop_id, day))
    return [public(item.as_dict()) for item in booked]


def day(caller: Caller, query: DayQuery) -> dict:
    """The shop's appointments on a local day, by time: one Query on gsi2."""
    return {"date": query.date, "appointments": _on_day(caller.shop_id, query.date)}


def week(caller: Caller, query: WeekQuery) -> dict:
    """Seven local days from `start`: each day's hours, its slots with the places taken, and
    its appointments (the calendar, one Query of the week's counts, one Query a day)."""
    cal = slots.calendar(caller.shop_id)
    first = date.fromisoformat(query.start)
    days = [(first + timedelta(days=n)).isoformat() for n in range(7)]
    taken = slots.taken_between(caller.shop_id, days[0], days[-1])
    capacity = cal["setup"]["cars_per_slot"]
    out = []
    for day_ in days:
        hours = slots.hours_on(cal, day_)
        counts = taken.get(day_, {})
        out.append({"date": day_, "open": hours is not None,
                    "hours": list(hours) if hours else None,
                    "slots": [{"at": slots.at_utc(day_, start), "taken": counts.get(start, 0),
                               "capacity": capacity} for start in slots.starts_on(cal, day_)],
                    "appointments": _on_day(caller.shop_id, day_)})
    return {"start": query.start, "slot_minutes": cal["setup"]["slot_minutes"], "days": out}


# --- booking: the appointment and its places in one transaction ---

def _write(build: Callable[[Any], None]) -> None:
    """A transaction built by `build(writes)`, sent again while another transaction on the same
    items cancels it (many bookings of one day at once); a refused condition is raised."""
    for attempt in range(models.ATTEMPTS):
        try:
            with models.transaction() as writes:
                build(writes)
            return
        except models.Conflicted:
            time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
    raise Busy("同時有太多人在預約，請再送一次。",
               "Many bookings at the same moment: send it again.")


def _technician(shop_id: str, technician_id: str) -> dict:
    member = shops.get_staff(shop_id, technician_id)
    if not member or member.get("role") != "technician" or not member.get("active", True):
        raise Unprocessable("指定的技師不是本店在職的技師。",
                            "technician_id: not an active technician of this shop.",
                            code="not_a_technician")
    return member


def _insert(shop_id: str, item: dict, cal: dict, overbook: bool) -> dict:
    """The new appointment and its places together; a replay answers the first booking."""
    capacity = cal["setup"]["cars_per_slot"]

    def build(writes: Any) -> None:
        writes.save(models.Appointment.from_dict(item),
                    condition=models.Appointment.pk.does_not_exist())
        slots.change(writes, shop_id, item["slot_day"], item["slot_starts"], [], capacity,
                     overbook)

    try:
        _write(build)
    except models.Refused as refused:
        if refused.parts and refused.parts[0]:  # another copy of this request booked it first
            return public(get_appointment(shop_id, item["appointment_id"]))
        raise slots.slot_full() from None
    return public(item)


def _new_item(shop_id: str, appointment_id: str, at: str, minutes: int, purpose: str,
              source: str, customer: dict, vehicle: dict, state: str, by: dict, cal: dict,
              places: tuple[str, list[str]], **more: Any) -> dict:
    now = clock.now_iso()
    return {
        **models.Appointment.key(shop_id, appointment_id), "type": "appointment",
        "shop_id": shop_id, "appointment_id": appointment_id, "at": at,
        "duration_minutes": minutes, "purpose": purpose, "source": source,
        "customer_id": customer["customer_id"], "customer_name": customer["name"],
        "vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"], "state": state,
        "slot_day": places[0], "slot_starts": places[1],
        "created_at": now, "updated_at": now, "created_by": by,
        **{name: value for name, value in more.items() if value is not None},
        **models.appointment_day_index(shop_id, clock.local_date(at), at, appointment_id),
        **models.customer_appointments_index(shop_id, customer["customer_id"], appointment_id),
    }


def create_appointment(caller: Caller, body: NewAppointment) -> dict:
    """The advisor books a car (by phone, at the counter): places taken in the slots it covers
    within the shop's hours, 409 `slot_full` unless `overbook`."""
    require(caller, "appointments.write")
    replay = get_appointment(caller.shop_id, body.appointment_id)
    if replay:
        return public(replay)
    customer = customers.get_customer(caller.shop_id, body.customer_id)
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    vehicle = vehicles.get_vehicle(caller.shop_id, body.vehicle_id)
    if vehicle is None:
        raise NotFound("找不到這輛車。", "No such vehicle.")
    technician = _technician(caller.shop_id, body.technician_id) if body.technician_id else {}
    cal = slots.calendar(caller.shop_id)
    places = slots.covered(cal, body.at, body.duration_minutes)
    item = _new_item(caller.shop_id, body.appointment_id, body.at, body.duration_minutes,
                     body.purpose, body.source, customer, vehicle, "booked", caller.stamp(), cal,
                     places, parts_to_prepare=body.parts_to_prepare,
                     technician_id=technician.get("staff_id"),
                     technician_name=technician.get("name"),
                     estimate_amount=body.estimate_amount, note=body.note or None,
                     service_id=body.service_id, overbooked=True if body.overbook else None)
    return _insert(caller.shop_id, item, cal, body.overbook)


def book(shop_id: str, *, appointment_id: str, at: str, duration_minutes: int, purpose: str,
         service_id: str | None, source: str, note: str | None, customer: dict, vehicle: dict,
         by: dict) -> dict:
    """A booking from the public page (or LINE): only at a free slot start within the window
    customers may book; `pending` when the shop confirms by hand, else `booked`. Replay-safe
    by `appointment_id`; 409 `slot_full`; 422 too soon, too far, not a slot."""
    replay = get_appointment(shop_id, appointment_id)
    if replay:
        return public(replay)
    cal = slots.calendar(shop_id)
    if not cal["setup"]["online"]:
        raise Conflict("本店目前暫停線上預約，請來電預約。",
                       "The shop is not taking online bookings now: please call.",
                       code="booking_off")
    at = _utc_checked(at)
    places = slots.bookable(cal, at, duration_minutes)
    state = "pending" if cal["setup"]["confirm_by_hand"] else "booked"
    item = _new_item(shop_id, appointment_id, at, duration_minutes, purpose, source, customer,
                     vehicle, state, by, cal, places, note=note or None, service_id=service_id,
                     parts_to_prepare=[])
    return _insert(shop_id, item, cal, overbook=False)


# --- changing ---

def update_appointment(caller: Caller, appointment_id: str, body: AppointmentChange) -> dict:
    """Reschedule or change a booking, confirm a pending one, or mark it cancelled or a
    no-show."""
    require(caller, "appointments.write")
    appointment = _existing(caller.shop_id, appointment_id)
    changes = body.model_dump(exclude_none=True, exclude={"overbook"})
    cleared = {name for name in ("technician_id", "estimate_amount")
               if name in body.model_fields_set and getattr(body, name) is None}
    return _change(caller.shop_id, appointment, changes, cleared, caller.stamp(),
                   overbook=body.overbook)


def reschedule(shop_id: str, appointment_id: str, at: str, by: dict) -> dict:
    """The customer moves their booking (their manage link): only to a free slot start within
    the window customers may book; the old places given back, the new ones taken, together."""
    appointment = _existing(shop_id, appointment_id)
    at = _utc_checked(at)
    return _change(shop_id, appointment, {"at": at}, set(), by, online=True)


def cancel(shop_id: str, appointment_id: str, by: dict) -> dict:
    """The customer cancels their booking (their manage link): its places given back."""
    appointment = _existing(shop_id, appointment_id)
    return _change(shop_id, appointment, {"state": "cancelled"}, set(), by)


def _change(shop_id: str, appointment: dict, changes: dict, cleared: set[str], by: dict,
            overbook: bool = False, online: bool = False) -> dict:
    state, appointment_id = appointment["state"], appointment["appointment_id"]
    if state not in EDITABLE:
        if changes == {"state": state} and not cleared:
            return public(appointment)  # the same change, replayed
        raise Conflict(*_CLOSED[state])
    if changes.get("state") == state:
        changes.pop("state")  # a pending one confirmed twice, a booked one "booked" again
    if changes.get("at") == appointment["at"]:
        changes.pop("at")
    if not changes and not cleared:
        return public(appointment)
    now = clock.now_iso()
    target = changes.get("state", state)
    if target == "no_show" and clock.parse_iso(appointment["at"]) > clock.now():
        raise Unprocessable("還沒到預約時間，不能標記未到。",
                            "The appointment's time has not come yet: it cannot be a no-show.",
                            code="not_yet")
    if target == "booked" and state == "pending":
        changes.update(confirmed_at=now, confirmed_by=by)
    if target in ("cancelled", "no_show"):
        changes.update(state_changed_at=now, state_changed_by=by)
    if changes.get("technician_id"):
        changes["technician_name"] = _technician(shop_id, changes["technician_id"])["name"]
    if "technician_id" in cleared:
        cleared.add("technician_name")
    _check_parts(appointment, changes)

    cal = slots.calendar(shop_id)
    old_day, old_starts = appointment.get("slot_day"), list(appointment.get("slot_starts") or [])
    at = changes.get("at", appointment["at"])
    minutes = int(changes.get("duration_minutes", appointment["duration_minutes"]))
    if target in ("cancelled", "no_show"):
        new_day, new_starts = old_day, []
    elif online and "at" in changes:
        new_day, new_starts = slots.bookable(cal, at, minutes)
    elif "at" in changes or "duration_minutes" in changes:
        new_day, new_starts = slots.covered(cal, at, minutes)
    else:
        new_day, new_starts = old_day, old_starts
    if "at" in changes:
        changes.update(models.appointment_day_index(shop_id, clock.local_date(at), at,
                                                    appointment_id))
    if (new_day, new_starts) != (old_day, old_starts):
        changes.update(slot_day=new_day, slot_starts=new_starts)
    if overbook and new_starts:
        changes["overbooked"] = True
    changes.update(updated_at=now, updated_by=by)
    capacity = cal["setup"]["cars_per_slot"]

    def build(writes: Any) -> None:
        Appointment = models.Appointment
        writes.update(Appointment.from_dict(Appointment.key(shop_id, appointment_id)),
                      actions=[*(_set(name, value) for name, value in changes.items()),
                               *(_FIELDS[name].remove() for name in sorted(cleared))],
                      condition=(Appointment.state == state)
                      & (Appointment.updated_at == appointment["updated_at"]))
        if new_day == old_day:
            if new_starts != old_starts:
                slots.change(writes, shop_id, new_day, new_starts, old_starts, capacity, overbook)
            return
        if old_day and old_starts:
            slots.change(writes, shop_id, old_day, [], old_starts, capacity)
        slots.change(writes, shop_id, new_day, new_starts, [], capacity, overbook)

    try:
        _write(build)
    except models.Refused as refused:
        if refused.parts and refused.parts[0]:
            raise Conflict("這筆預約剛被其他人變更，請重新整理。",
                           "Someone just changed this appointment; reload it.") from None
        raise slots.slot_full() from None
    changed = {**appointment, **changes}
    return public({name: value for name, value in changed.items() if name not in cleared})


def _check_parts(appointment: dict, changes: dict) -> None:
    """What is ticked ready is among the parts to prepare (a shorter list drops its ticks)."""
    to_prepare = changes.get("parts_to_prepare", appointment.get("parts_to_prepare") or [])
    if "parts_ready" in changes:
        unknown = [part for part in changes["parts_ready"] if part not in to_prepare]
        if unknown:
            raise Unprocessable(f"備妥的零件不在待備清單裡：{'、'.join(unknown)}。",
                                f"parts_ready: not in parts_to_prepare: {', '.join(unknown)}.")
        changes["parts_ready"] = list(dict.fromkeys(changes["parts_ready"]))
    elif "parts_to_prepare" in changes and appointment.get("parts_ready"):
        changes["parts_ready"] = [part for part in appointment["parts_ready"]
                                  if part in to_prepare]


_FIELDS = {attribute.attr_name: attribute
           for attribute in models.Appointment.get_attributes().values()}


def _set(name: str, value: object) -> Action:
    """The change of one attribute of an appointment, by its stored name."""
    if name not in _FIELDS:
        raise models.UndeclaredAttribute(f"Appointment does not declare {name}")
    return _FIELDS[name].set(value)


_CLOSED = {
    "checked_in": ("這筆預約已經報到，不能再修改。", "This appointment is checked in already."),
    "cancelled": ("這筆預約已經取消。", "This appointment was cancelled."),
    "no_show": ("這筆預約已標記未到，請另外預約。", "This appointment was marked a no-show; book again."),
}


def check_in(caller: Caller, appointment_id: str, body: CheckIn) -> dict:
    """The booked car arrives: its repair order is opened and the booking points at it.

    The booking is claimed for this order first, then the order created (itself replay-safe):
    two tablets cannot open two orders for one booking, and a replay after a failure between
    the two steps completes the check-in. An order refused (the car is in the shop under an
    open order already: 409 `vehicle_has_open_order`) gives the booking back.
    """
    require(caller, "appointments.write")
    appointment = _existing(caller.shop_id, appointment_id)
    state = appointment["state"]
    claimed = False
    if state == "checked_in":
        if appointment.get("order_id") != body.order_id:
            raise Conflict("這筆預約已經用另一張工單報到了。",
                           "This appointment was checked in with another order.")
    elif state == "cancelled":
        raise Conflict(*_CLOSED["cancelled"])
    else:
        _claim(caller, appointment, body.order_id)
        claimed = True
    try:
        order = orders.create_order(caller, orders.NewOrder(
            order_id=body.order_id, customer_id=appointment["customer_id"],
            vehicle_id=appointment["vehicle_id"], concerns=[appointment["purpose"]],
            appointment_id=appointment_id))
        if order.get("appointment_id") != appointment_id:
            # create_order answered an order made earlier for something else (its replay)
            raise Conflict("這個工單編號已經用在另一張工單。",
                           "That order id belongs to another order.")
    except DomainError:
        if claimed:
            _release(caller, appointment, body.order_id)
        raise
    return order


def _claim(caller: Caller, appointment: dict, order_id: str) -> None:
    now = clock.now_iso()
    booking = models.Appointment.from_dict(
        models.Appointment.key(caller.shop_id, appointment["appointment_id"]))
    state = models.Appointment.state
    try:
        with models.refusals():
            booking.update(
                actions=[state.set("checked_in"), models.Appointment.order_id.set(order_id),
                         models.Appointment.checked_in_at.set(now),
                         models.Appointment.checked_in_by.set(caller.stamp()),
                         models.Appointment.updated_at.set(now)],
                condition=(state == appointment["state"])
                | ((state == "checked_in") & (models.Appointment.order_id == order_id)))
    except models.Refused:
        raise Conflict("這筆預約剛被其他人變更或報到，請重新整理。",
                       "Someone just changed or checked in this appointment; reload it.") from None


def _release(caller: Caller, appointment: dict, order_id: str) -> None:
    """Undo a claim when the order could not be opened (only if the claim is still ours)."""
    booking = models.Appointment.from_dict(
        models.Appointment.key(caller.shop_id, appointment["appointment_id"]))
    try:
        with models.refusals():
            booking.update(
                actions=[models.Appointment.state.set(appointment["state"]),
                         models.Appointment.updated_at.set(clock.now_iso()),
                         models.Appointment.order_id.remove(),
                         models.Appointment.checked_in_at.remove(),
                         models.Appointment.checked_in_by.remove()],
                condition=(models.Appointment.state == "checked_in")
                & (models.Appointment.order_id == order_id))
    except models.Refused:
        pass  # claimed since by another order: not ours to give back
