"""Quiet hours (the shop's `quiet_start`–`quiet_end`, Asia/Taipei): a message that is not urgent
waits, queued under its order with a `not_before` and listed on gsi2 by that time (in its
shop's shard), until the 15-minute schedule sends it: one piece per shard (core/pieces.py), each
handing its shard on to a next piece when it runs out of time, so a morning's queue of every
shop is sent within the schedule's turns whatever its size."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from chalicelib import models
from chalicelib.core import clock, pieces
from chalicelib.outward.notify.base import failed
from chalicelib.outward.notify.delivery import _customer, _put_new, _record, deliver
from chalicelib.records import customers, shop_settings

# Shards read and sent at once by the 15-minute schedule: each shard's messages go one after
# another (its partition's writes stay few a second), the shards side by side.
SHARD_WORKERS = 8
PIECE_SECONDS = 600  # a piece's sending before it hands its shard to the next (Lambda: 900 s)


def _minutes(time_of_day: str) -> int:
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


def quiet(now: datetime, rules: dict) -> bool:
    local = now.astimezone(clock.SHOP_TIMEZONE)
    minute = local.hour * 60 + local.minute
    start, end = _minutes(rules["quiet_start"]), _minutes(rules["quiet_end"])
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # over midnight, 21:00–08:00


def next_send_time(now: datetime, rules: dict) -> datetime:
    """When quiet hours end next (Asia/Taipei)."""
    local = now.astimezone(clock.SHOP_TIMEZONE)
    end = _minutes(rules["quiet_end"])
    moment = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)
    return moment


def queue(shop_id: str, order_id: str, step: str, channels: list[str], text: str,
          not_before: datetime, occurrence: int = 1, customer_id: str | None = None,
          while_booked: str | None = None) -> dict:
    """Held back until `not_before`; a second sight of the same change queues nothing more.
    A booking's message (no order) names its customer, and goes on its one channel; with
    `while_booked` (the appointment's id) only if the booking still stands by then."""
    channel = channels[0] if channels else "none"
    message_id = models.message_id(step, channel, occurrence)
    due = clock.iso(not_before)
    for_customer = {"customer_id": customer_id} if customer_id else {}
    if while_booked:
        for_customer["appointment_id"] = while_booked
    _put_new(shop_id, order_id, message_id, step, channel, text, "queued", occurrence,
             not_before=due, **for_customer,
             **models.message_due_index(due, shop_id, order_id, message_id))
    return {"message_id": message_id, "channel": channel, "state": "queued", "not_before": due}


def send_due_now() -> dict:
    """The schedule's run (every 15 minutes): one piece per shard sends what quiet hours held
    back and is due by now; answered at once."""
    at = clock.now_iso()
    for shard in range(models.SHARDS):
        pieces.later(send_due_piece, {"at": at, "shard": shard})
    return {"at": at, "pieces": models.SHARDS}


def send_due_piece(payload: dict) -> dict:
    """One shard's messages due by `at`, until PIECE_SECONDS; the rest to the next piece."""
    deadline = time.monotonic() + PIECE_SECONDS
    taken, more = _send_due_in(payload["shard"], clock.parse_iso(payload["at"]), deadline)
    if more:
        pieces.later(send_due_piece, payload)
    return {"shard": payload["shard"], "taken": taken, "continued": more}


def send_due(now: datetime) -> int:
    """Send the queued messages whose time has come, here and now (tests, the seed); answers
    how many were taken. The shards are read at once, a few at a time, each sending its own in
    order; each message is claimed first, so two runs never both take one."""
    with ThreadPoolExecutor(max_workers=SHARD_WORKERS, thread_name_prefix="due") as pool:
        return sum(pool.map(lambda shard: _send_due_in(shard, now)[0], range(models.SHARDS)))


def _send_due_in(shard: int, now: datetime, deadline: float | None = None) -> tuple[int, bool]:
    """One shard's due messages (models.messages_due_pk), sent one after another until the
    deadline: (how many were taken, whether some are left)."""
    message = models.Message
    due = [found.as_dict() for found in models.Item.lists.query(
        models.messages_due_pk(shard), models.Item.gsi2sk <= f"{clock.iso(now)}#~")]
    taken = 0
    for index, item in enumerate(due):
        if index and deadline is not None and time.monotonic() >= deadline:
            return taken, True  # one message at least each piece
        key = message.key(item["shop_id"], item["order_id"], item["message_id"])
        try:
            with models.refusals():
                message.from_dict(key).update(
                    actions=[message.state.set("sending"), message.gsi2pk.remove(),
                             message.gsi2sk.remove()],
                    condition=message.state == "queued")
        except models.Refused:
            continue  # another run took it
        taken += 1
        if item.get("appointment_id") and not _still_booked(item):
            message.from_dict(key).update(actions=[
                message.state.set("dropped"), message.updated_at.set(clock.now_iso()),
                message.error.set("the booking was cancelled or missed before it could go")])
            continue
        rules = shop_settings.notification_settings(item["shop_id"])
        if item.get("customer_id"):  # a booking's message: its customer, its one channel
            customer = customers.get_customer(item["shop_id"], item["customer_id"])
            customer = customer and {**customer, "channel": item["channel"]}
            rules = {"fallback_channels": []}
        else:
            order = models.Order.read(models.order_key(item["shop_id"], item["order_id"])) or {}
            customer = _customer(item["shop_id"], order) if order else None
        occurrence = int(item.get("occurrence", 1))  # none: queued before times were counted
        if not customer or customer.get("channel") == "none":
            _record(item["shop_id"], item["order_id"], item["message_id"], item["step"],
                    item["channel"], item["text"], clock.now_iso(),
                    failed("the customer can no longer be reached", retryable=False),
                    occurrence=occurrence)
            continue
        results = deliver(item["shop_id"], item["order_id"], item["step"], item["text"],
                          customer, rules, unreachable_id=item["message_id"],
                          occurrence=occurrence)
        if results and all(result["message_id"] != item["message_id"] for result in results):
            # Another channel carried it (the customer's changed since): that one's record
            # stands, the queued one goes.
            message.from_dict(key).delete(condition=message.state == "sending")
    return taken, False


def _still_booked(item: dict) -> bool:
    """Whether the booking a held-back message is about still stands (booked or pending)."""
    booking = models.Appointment.read(models.Appointment.key(item["shop_id"],
                                                             item["appointment_id"]))
    return bool(booking) and booking.get("state") in ("booked", "pending")
