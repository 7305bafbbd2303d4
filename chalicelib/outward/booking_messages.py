"""Telling the customer about their booking: booked (or received, waiting for the shop's
confirmation), confirmed, moved, cancelled, and the reminder the day before.

The appointment's changes come from the table's stream (chalicelib/changes.py): the work layer
books, this layer tells. By LINE when the customer's LINE is linked to the shop's account,
else by SMS to their mobile. What the customer just did themselves (on the booking page or
their manage link) is answered at once; what the shop did in quiet hours waits for the
morning, as does the reminder (the daily job runs at 06:00). Each message is sent once per
change (its step names the change: a reschedule names its new time) and recorded as the
order's messages are, under `appt-<appointment>` in place of an order.
"""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib import models
from chalicelib.core import clock
from chalicelib.outward import booking_links
from chalicelib.outward.notify import delivery, quiet_hours
from chalicelib.records import customers, shop_settings, shops, vehicles

WEEKDAYS = "一二三四五六日"


def message_key(appointment_id: str) -> str:
    """Where a booking's messages are recorded (in place of an order's id)."""
    return f"appt-{appointment_id}"


def when_text(at: str) -> str:
    """`12/08（二）09:30`, as a shop writes a booking's time in a text."""
    local = clock.parse_iso(at).astimezone(clock.SHOP_TIMEZONE)
    return f"{local:%m/%d}（{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def text(kind: str, appointment: dict, shop_name: str) -> str:
    """The message of a booking's change, in zh-TW as a Taiwanese shop writes it."""
    when, what = when_text(appointment["at"]), appointment.get("purpose", "")
    plate = vehicles.mask_plate(appointment.get("plate") or "")
    link = booking_links.url_for(appointment["shop_id"], appointment["appointment_id"])
    manage = f"如需改期或取消：{link}" if link else "如需改期或取消，請與我們聯絡。"
    head = f"【{shop_name}】"
    return head + {
        "booked": f"您已預約 {when} {what}，車牌 {plate}。{manage}",
        "received": f"已收到您 {when} {what}的預約（車牌 {plate}），店家確認後會再通知您。",
        "confirmed": f"您 {when} {what}的預約已確認，車牌 {plate}，當天見！{manage}",
        "rescheduled": f"您的預約已改到 {when} {what}，車牌 {plate}。{manage}",
        "cancelled": f"您 {when} {what}的預約已取消。歡迎再與我們預約。",
        "reminder": f"提醒您明天 {when} {what}，車牌 {plate}，請準時到店。{manage}",
    }[kind]


def _plain(image: dict) -> dict:
    return models.Item.from_image(image).as_dict() if image else {}


def change_of(appointment: dict, before: dict) -> tuple[str, str] | None:
    """What a change tells the customer: (kind, step), or None."""
    state, was = appointment.get("state"), before.get("state")
    if not before:
        if appointment.get("source") == "walk_in" or state not in ("booked", "pending"):
            return None
        return ("received", "booking:received") if state == "pending" else \
            ("booked", "booking:booked")
    if state == "cancelled" and was in ("pending", "booked"):
        return "cancelled", "booking:cancelled"
    if state == "booked" and was == "pending":
        return "confirmed", "booking:confirmed"
    if state in ("pending", "booked") and appointment.get("at") != before.get("at"):
        return "rescheduled", f"booking:moved:{appointment['at']}"
    return None


def on_appointment_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an appointment (chalicelib/changes.py)."""
    if event_name == "REMOVE" or not new_image:
        return
    appointment, before = _plain(new_image), _plain(old_image)
    found = change_of(appointment, before)
    if found:
        by = appointment.get("updated_by") or appointment.get("created_by") or {}
        tell(appointment, *found, urgent=bool(by.get("customer")))


def tell(appointment: dict, kind: str, step: str, urgent: bool = False) -> list[dict]:
    """Send the message now, or (not `urgent`, in quiet hours) queue it for the morning."""
    shop_id = appointment["shop_id"]
    customer = customers.get_customer(shop_id, appointment["customer_id"])
    if not customer or customer.get("channel") == "none" or customer.get("erased_at"):
        return []  # the customer asked not to be told, or is gone
    channel = "line" if customer.get("line_user_id") else "sms"
    shop = shops.get_shop(shop_id) or {}
    body = text(kind, appointment, shop.get("name", ""))
    rules = shop_settings.notification_settings(shop_id)
    key = message_key(appointment["appointment_id"])
    now = clock.now()
    if not urgent and quiet_hours.quiet(now, rules):
        # What is not the cancellation goes only if the booking still stands by the morning.
        return [quiet_hours.queue(shop_id, key, step, [channel], body,
                                  quiet_hours.next_send_time(now, rules),
                                  customer_id=customer["customer_id"],
                                  while_booked=None if kind == "cancelled"
                                  else appointment["appointment_id"])]
    return delivery.deliver(shop_id, key, step, body, {**customer, "channel": channel},
                            {"fallback_channels": []})


# --- the day-before reminder (the daily job, chalicelib/after/daily.py) ---

def days_to_remind(today: str, shard: int, after: str | None = None):
    """The shard's shops with bookings tomorrow (their slot days, listed by shop), from the
    shop after `after`: (shop, (shop, tomorrow))."""
    tomorrow = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    SlotDay = models.SlotDay
    start = SlotDay.gsi2sk > after if after else None
    for item in SlotDay.lists.query(models.slot_days_listed_pk(tomorrow, shard), start):
        yield item.shop_id, (item.shop_id, tomorrow)


def remind_day(shop_id: str, day: str) -> dict:
    """Tomorrow's booked appointments of a shop not reminded yet: each claimed by setting its
    `reminded_at` only if unset (two runs remind once), then told (quiet hours hold it)."""
    Appointment = models.Appointment
    counts = {"reminded": 0, "held": 0}
    for item in Appointment.lists.query(models.appointment_day_pk(shop_id, day)):
        if item.state != "booked" or item.reminded_at:
            continue
        try:
            with models.refusals():
                item.update(actions=[Appointment.reminded_at.set(clock.now_iso())],
                            condition=(Appointment.state == "booked")
                            & Appointment.reminded_at.does_not_exist())
        except models.Refused:
            continue  # another run reminded it, or it changed
        sent = tell(item.as_dict(), "reminder", f"booking:reminder:{item.at}")
        held = any(result.get("state") == "queued" for result in sent)
        counts["held" if held else "reminded"] += 1
    return counts
