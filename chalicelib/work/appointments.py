"""Appointments (預約表): the day's bookings, and checking a booked car in as a repair order.

An appointment sits on gsi2 under its shop's local day (Asia/Taipei), sorted by its UTC time,
so the day's list is one Query; a reschedule moves it to its new day. The customer's name and
the plate are copied on it so the list needs no other read.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictInt, StringConstraints, field_validator
from pynamodb.expressions.update import Action
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, Day, ShortText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, DomainError, NotFound
from chalicelib.records import customers, vehicles
from chalicelib.work import orders

Source = Literal["phone", "line", "online", "walk_in", "invitation"]
Minutes = Annotated[StrictInt, Field(ge=15, le=600)]
Part = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Parts = Annotated[list[Part], Field(max_length=30)]
Moment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


def _utc(value: str) -> str:
    """An ISO 8601 time with its offset (or Z), as the stored UTC form."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise field_error("時間格式不正確，例如 2026-11-22T09:30:00+08:00。",
                          "not an ISO 8601 time (e.g. 2026-11-22T09:30:00+08:00)") from None
    if moment.tzinfo is None:
        raise field_error("時間要帶時區，例如 +08:00 或 Z。", "the time needs an offset, e.g. +08:00 or Z")
    if not 2000 <= moment.year <= 2100:
        raise field_error("預約時間不合理。", "the time is out of range")
    return clock.iso(moment)


class NewAppointment(Body):
    appointment_id: ClientId
    at: Moment
    duration_minutes: Minutes
    purpose: ShortText
    source: Source
    parts_to_prepare: Parts = Field(default_factory=list)
    customer_id: ClientId
    vehicle_id: ClientId

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str) -> str:
        return _utc(value)


class AppointmentChange(Body):
    at: Moment | None = None
    duration_minutes: Minutes | None = None
    purpose: ShortText | None = None
    parts_to_prepare: Parts | None = None
    state: Literal["cancelled", "no_show"] | None = None

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str | None) -> str | None:
        return None if value is None else _utc(value)


class CheckIn(Body):
    order_id: ClientId


class DayQuery(Body):
    date: Day


# --- reading ---

_PUBLIC = ("appointment_id", "at", "duration_minutes", "purpose", "source", "parts_to_prepare",
           "customer_id", "vehicle_id", "customer_name", "plate", "state", "order_id",
           "created_at", "updated_at")


def public(item: dict) -> dict:
    return {key: item[key] for key in _PUBLIC if item.get(key) is not None}


def get_appointment(shop_id: str, appointment_id: str) -> dict | None:
    return models.Appointment.read(models.Appointment.key(shop_id, appointment_id))


def _existing(caller: Caller, appointment_id: str) -> dict:
    appointment = get_appointment(caller.shop_id, appointment_id)
    if appointment is None:
        raise NotFound("找不到這筆預約。", "No such appointment.")
    return appointment


def day(caller: Caller, query: DayQuery) -> dict:
    """The shop's appointments on a local day, by time: one Query on gsi2."""
    booked = models.Appointment.lists.query(models.appointment_day_pk(caller.shop_id, query.date))
    return {"date": query.date, "appointments": [public(item.as_dict()) for item in booked]}


# --- writing ---

def create_appointment(caller: Caller, body: NewAppointment) -> dict:
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
    now = clock.now_iso()
    item = {
        **models.Appointment.key(caller.shop_id, body.appointment_id), "type": "appointment",
        "shop_id": caller.shop_id, "appointment_id": body.appointment_id, "at": body.at,
        "duration_minutes": body.duration_minutes, "purpose": body.purpose,
        "source": body.source, "parts_to_prepare": body.parts_to_prepare,
        "customer_id": customer["customer_id"], "customer_name": customer["name"],
        "vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"], "state": "booked",
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        **models.appointment_day_index(caller.shop_id, clock.local_date(body.at), body.at,
                                   body.appointment_id),
        **models.customer_appointments_index(caller.shop_id, customer["customer_id"],
                                         body.appointment_id),
    }
    try:
        with models.refusals():
            models.Appointment.from_dict(item).save(
                condition=models.Appointment.pk.does_not_exist())
    except models.Refused:  # another copy of this request booked it first
        return public(get_appointment(caller.shop_id, body.appointment_id))
    return public(item)


def update_appointment(caller: Caller, appointment_id: str, body: AppointmentChange) -> dict:
    """Reschedule or change a booking, or mark it cancelled or a no-show."""
    require(caller, "appointments.write")
    appointment = _existing(caller, appointment_id)
    changes = body.model_dump(exclude_none=True)
    state = appointment["state"]
    if state != "booked":
        if changes == {"state": state}:
            return public(appointment)  # the same change, replayed
        raise Conflict(_CLOSED[state][0], _CLOSED[state][1])
    if not changes:
        return public(appointment)
    now = clock.now_iso()
    if "at" in changes:
        changes.update(models.appointment_day_index(caller.shop_id, clock.local_date(changes["at"]),
                                                changes["at"], appointment_id))
    if "state" in changes:
        changes.update({"state_changed_at": now, "state_changed_by": caller.stamp()})
    changes["updated_at"] = now
    booking = models.Appointment.from_dict(models.Appointment.key(caller.shop_id, appointment_id))
    try:
        with models.refusals():  # PynamoDB refreshes `booking` with what is now stored
            booking.update(actions=[_set(name, value) for name, value in changes.items()],
                           condition=models.Appointment.state == "booked")
    except models.Refused:
        raise Conflict("這筆預約剛被其他人變更，請重新整理。",
                       "Someone just changed this appointment; reload it.") from None
    return public(booking.as_dict())


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
    appointment = _existing(caller, appointment_id)
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
