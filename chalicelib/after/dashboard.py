"""The shop's numbers (營運報表): daily figures kept from the table's stream, read for a period.

Every change that counts adds to one item per shop and day (Asia/Taipei), by DynamoDB's atomic
ADD, in one transaction with a marker of that change written only if new: a batch handed over
twice, or a change counted by the backfill and seen again on the stream, counts once. The
dashboard of a period is then one Query over its day items (and one read of the open cases), no
matter how many orders the period had.

What counts, on the day it happened:
- an order opened (its `created-…` event); an order leaving a state: the time it spent there,
  from the event that entered the state to the one that left it (each stay of an order counts:
  in_progress ⇄ awaiting_approval twice is two stays of each);
- delivered: an order delivered; authorized: whether the walk-around, frozen by the
  signature, is complete (`WALKAROUND_REQUIRED`); followed_up: a follow-up done;
- money taken (the payment items, `on_payment`): revenue, tax included, and the tax it holds
  (revenue_tax), on the day it was taken, a refund taking it back; per method (`pay.<method>`);
- an additional line: proposed when added, approved or declined (with its amount and the time
  since it was proposed) when the customer answers;
- a message to the customer: sent or failed, per channel;
- a follow-up case opened or closed (the case item's changes, `on_case`);
- a booking (the appointment item's changes, `on_appointment`): made, per source, on the day it
  was made; checked in (and so turned into an order), a no-show or cancelled, on the day of the
  booking's time. The show rate is checked in / (checked in + no-shows): a no-show is marked only
  once the booking's time has come, so both are of bookings whose time has passed.

Times are kept as histograms of fixed buckets (`BUCKETS`), not as lists of durations: buckets
of different days add up by plain ADD, so a period's median and 90th percentile come from the
summed histogram without reading a single order. The buckets grow by at most 2× from one to
the next (5 min … 30 days), so a figure read from them is off by less than its bucket's width —
a shop wants to know "about 40 minutes" against "about 3 hours", not the minute.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable, Iterable

from boto3.dynamodb.types import TypeDeserializer
from pydantic import Field
from pynamodb.expressions.operand import Path

from chalicelib import models
from chalicelib.core import clock, money
from chalicelib.api import Body, Caller
from chalicelib.core.errors import Invalid
from chalicelib.api.roles import require
from chalicelib.work import dispatch_sheet

MAX_DAYS = 366
SEEN_SECONDS = 7 * 86400  # the stream keeps a record 24 h: a marker outlives any redelivery
WRITE_ATTEMPTS = 6

# Upper bounds (seconds) of the histogram buckets; the last bucket holds everything longer.
BUCKETS: tuple[int, ...] = (
    5 * 60, 10 * 60, 15 * 60, 20 * 60, 30 * 60, 45 * 60, 3600, 5400, 2 * 3600, 3 * 3600,
    4 * 3600, 6 * 3600, 8 * 3600, 12 * 3600, 86400, 36 * 3600, 2 * 86400, 3 * 86400,
    5 * 86400, 7 * 86400, 14 * 86400, 21 * 86400, 30 * 86400)

# The states an order spends time in (the closed ones end its clock).
TIMED_STATES = ("booked", "checked_in", "authorized", "in_progress", "awaiting_approval",
                "quality_check", "ready")
# The reception walk-around as the competency standard lists it (docs/design.md §1, T3.1): mileage,
# warning lights, fuel, tread depth of the four road wheels, the valuables reminder. Damage and
# leaks may rightly be empty; the shop's own checklist varies and is not required here.
WALKAROUND_REQUIRED = ("mileage_km", "fuel_eighths", "lights", "tyres", "valuables_reminded")
ROAD_WHEELS = ("LF", "RF", "LR", "RR")
CHANNELS = ("line", "line_pnp", "sms", "email", "push", "none")  # "none": none reached them
SOURCES = ("phone", "line", "online", "walk_in", "invitation")  # where a booking came from
BOOKING_ENDS = ("checked_in", "no_show", "cancelled")

Counts = dict[str, int]


class PeriodQuery(Body):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` (Asia/Taipei days, both included); `format=csv`."""
    from_: str | None = Field(default=None, alias="from", max_length=10)
    to: str | None = Field(default=None, max_length=10)
    format: str | None = Field(default=None, max_length=4)


# --- what a change counts (pure: the stream and the backfill share them) ---

def bucket(seconds: float) -> int:
    for index, bound in enumerate(BUCKETS):
        if seconds < bound:
            return index
    return len(BUCKETS)


def _seconds(start: str, end: str) -> float:
    return max(0.0, (clock.parse_iso(end) - clock.parse_iso(start)).total_seconds())


def _moves(events: Iterable[dict]) -> list[dict]:
    """The state changes among an order's events (dispatches and signatures keep the state)."""
    return sorted((event for event in events if event.get("from") != event.get("to")),
                  key=lambda event: (event["at"], event["event_id"]))


def event_counts(event: dict, events: list[dict], header: dict,
                 inspection: dict | None) -> Counts:
    """What an order's event adds to its day: opened, the stay it ends, and the step's figures."""
    start, to = event.get("from"), event.get("to")
    if start == to:
        return {}
    counts: Counts = {}
    if start is None:
        counts["opened"] = 1
    else:
        entered = [earlier for earlier in _moves(events) if earlier["to"] == start
                   and earlier["at"] <= event["at"] and earlier["event_id"] != event["event_id"]]
        if entered and start in TIMED_STATES:
            counts[f"t.{start}.{bucket(_seconds(entered[-1]['at'], event['at']))}"] = 1
    if to == "delivered":
        counts["delivered"] = 1
    elif to == "cancelled":
        counts["cancelled"] = 1
    elif to == "followed_up":
        counts["followed_up"] = 1
    elif to == "authorized":
        counts["walk_checked"] = 1
        counts["walk_complete"] = int(walkaround_complete((inspection or {}).get("values", {})))
    return counts


def walkaround_complete(values: dict) -> bool:
    """Every part of the reception walk-around the standard asks for was recorded."""
    def has(field: str) -> bool:
        return values.get(field) is not None

    lights = values.get("lights_none") is True or any(
        value is True for field, value in values.items() if field.startswith("lights."))
    tyres = all(any(has(f"tyres.{pos}.{groove}") for groove in ("inner", "centre", "outer"))
                for pos in ROAD_WHEELS)
    return (has("mileage_km") and has("fuel_eighths") and lights and tyres
            and values.get("valuables_reminded") is True)


def line_counts(new: dict, old: dict) -> list[tuple[str, str, Counts]]:
    """(what, day, counts) for an additional line proposed, or answered by the customer."""
    if new.get("origin") != "additional":
        return []
    found = []
    amount = int(new.get("amount") or 0)
    if not old and new.get("state") == "proposed":
        found.append(("proposed", clock.local_date(new["created_at"]),
                      {"add_proposed": 1, "add_proposed_amount": amount}))
    state = new.get("state")
    if state in ("approved", "declined") and (old or {}).get("state") != state:
        answered = new.get("answered_at") or new.get("updated_at") or new["created_at"]
        found.append((state, clock.local_date(answered), {
            f"add_{state}": 1, f"add_{state}_amount": amount,
            f"appr.{bucket(_seconds(new['created_at'], answered))}": 1}))
    return found


def job_counts(new: dict, old: dict) -> list[tuple[str, str, Counts]]:
    """(what, day, counts) for time on a job (工時效率): the seconds each person worked since the
    line's last change, on the day of the tap; and the sold hours of a labour job, to its
    technician, the day it is first done."""
    now, before = new.get("clock") or {}, (old or {}).get("clock") or {}
    if not now or now == before:
        return []
    found = []
    worked = {staff: int(seconds) - int((before.get("by_staff") or {}).get(staff, 0))
              for staff, seconds in (now.get("by_staff") or {}).items()}
    worked = {f"work.{staff}.worked": seconds for staff, seconds in worked.items() if seconds > 0}
    if worked:
        found.append((f"clock#{now['since']}", clock.local_date(now["since"]), worked))
    first_done = new.get("state") == "done" and (old or {}).get("state") != "done"
    if first_done and new.get("kind") == "labour" and new.get("hours") \
            and new.get("technician_id"):
        sold = int(Decimal(str(new["hours"])) * 3600)
        found.append(("sold", clock.local_date(now.get("finished_at") or now["since"]),
                      {f"work.{new['technician_id']}.sold": sold,
                       f"work.{new['technician_id']}.jobs": 1}))
    return found


def line_history(line: dict) -> list[tuple[str, str, Counts]]:
    """For a rebuild: a line as it is now, as the changes that made it so (a line done was
    approved; its answer's time is `answered_at`, or for a line answered before that was kept,
    when it was last changed, the closest the table has)."""
    proposed = {**line, "state": "proposed"}
    found = line_counts(proposed, {})
    answer = {"done": "approved"}.get(line.get("state"), line.get("state"))
    if answer in ("approved", "declined"):
        found += line_counts({**line, "state": answer}, proposed)
    return found + job_counts(line, {})


def payment_counts(payment: dict) -> Counts:
    """Money taken (or, below zero, given back): the day's revenue, its tax, by method."""
    amount = int(payment["amount"])
    tax = money.split(abs(amount))[1] * (1 if amount >= 0 else -1)
    return {"revenue": amount, "revenue_tax": tax, f"pay.{payment['method']}": amount}


def message_counts(new: dict, old: dict) -> Counts:
    """A message whose delivery was just recorded: sent or failed on its channel."""
    state = new.get("state")
    if state not in ("sent", "failed") or not new.get("updated_at"):
        return {}
    if (old or {}).get("state") == state and old.get("updated_at") == new["updated_at"]:
        return {}
    channel = new.get("channel") if new.get("channel") in CHANNELS else "none"
    return {f"msg.{channel}.{state}": 1}


# --- applying counts: the marker and the ADD in one transaction ---

def add(shop_id: str, day: str, change_id: str, counts: Counts, open_cases: int = 0) -> bool:
    """Add a change's counts to its day, once; False when the change was counted before."""
    counts = {name: int(value) for name, value in counts.items() if value}
    if not counts and not open_cases:
        return False
    Day, Totals = models.DashboardDay, models.DashboardTotals
    seen = models.DashboardSeen.from_dict({
        **models.DashboardSeen.key(shop_id, change_id),
        "expires_at": int(clock.now().timestamp()) + SEEN_SECONDS})
    # The day's counters are named by what they count (open attributes): ADD by name, with
    # the item's type and keys set in the same update, so a new day item is typed.
    day_actions = [Day.type.set(Day), Day.shop_id.set(shop_id), Day.day.set(day),
                   *(Path([name]).add(value) for name, value in sorted(counts.items()))]

    def write() -> bool:
        try:
            with models.transaction() as writes:
                writes.save(seen, condition=models.DashboardSeen.pk.does_not_exist())
                writes.update(Day.from_dict(Day.key(shop_id, day)), actions=day_actions)
                if open_cases:
                    writes.update(Totals.from_dict(Totals.key(shop_id)), actions=[
                        Totals.type.set(Totals), Totals.shop_id.set(shop_id),
                        Totals.cases_open.add(open_cases)])
        except models.Refused:
            return False  # the marker is there: this change is counted already
        return True

    # Conflicted (another day write met this one) is tried again; spent, the batch is retried
    # from this record.
    return models.retry(write, attempts=WRITE_ATTEMPTS)


# --- the stream's reactions (chalicelib/changes.py) ---

def _plain(image: dict) -> dict:
    """A stream record's image as the item's dict (read as its model)."""
    return models.Item.from_image(image).as_dict() if image else {}


def _order_items(shop_id: str, order_id: str) -> list[dict]:
    """The order's partition: its header, inspection, events, lines and messages."""
    return list(models.Item.items(models.order_pk(shop_id, order_id)))


def _count_event(shop_id: str, order_id: str, event: dict, items: list[dict]) -> bool:
    header = next((item for item in items if item["sk"] == models.ORDER_SK), {})
    inspection = next((item for item in items if item["sk"] == "INSPECTION"), None)
    events = [item for item in items if item["sk"].startswith(models.EVENT_PREFIX)]
    counts = event_counts(event, events, header, inspection)
    return add(shop_id, clock.local_date(event["at"]), f"event#{order_id}#{event['event_id']}",
               counts)


def on_event(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order's step event (Event): read with its order, the stay
    it ends and its total."""
    if event_name != "INSERT":
        return
    event = _plain(new_image)
    owner = models.order_of(event.get("pk", ""))
    if owner is None or event.get("from") == event.get("to"):
        return
    _count_event(*owner, event, _order_items(*owner))


def on_line(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order's line (Line): an additional line proposed, approved
    or declined."""
    if event_name == "REMOVE":
        return
    line, before = _plain(new_image), _plain(old_image)
    owner = models.order_of(line.get("pk", ""))
    if owner is None:
        return
    for what, day, counts in line_counts(line, before) + job_counts(line, before):
        add(owner[0], day, f"line#{owner[1]}#{line['line_id']}#{what}", counts)


def on_message(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to a message (Message): its delivery recorded
    (chalicelib/outward/notify/delivery.py)."""
    if event_name == "REMOVE":
        return
    message, before = _plain(new_image), _plain(old_image)
    counts = message_counts(message, before)
    if counts and message.get("shop_id"):
        add(message["shop_id"], clock.local_date(message["updated_at"]),
            f"message#{message['order_id']}#{message['message_id']}#{message['updated_at']}",
            counts)


def on_payment(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to a payment (Payment): money taken or refunded."""
    if event_name != "INSERT":
        return
    payment = _plain(new_image)
    add(payment["shop_id"], payment["day"], f"payment#{payment['order_id']}#"
        f"{payment['payment_id']}", payment_counts(payment))


# --- bookings, counted from the appointment items' changes (`on_appointment`) ---

def appointment_counts(new: dict, old: dict) -> list[tuple[str, str, Counts]]:
    """(what, day, counts) of an appointment's change: made (by source) on the day it was
    made; checked in (into an order: converted), no-show or cancelled on its own day."""
    found = []
    if not old and new.get("created_at"):
        source = new.get("source") if new.get("source") in SOURCES else "phone"
        found.append(("made", clock.local_date(new["created_at"]),
                      {"bk.made": 1, f"bk.src.{source}": 1}))
    state = new.get("state")
    if state in BOOKING_ENDS and (old or {}).get("state") != state and new.get("at"):
        counts = {f"bk.{state}": 1}
        if state == "checked_in" and new.get("order_id"):
            counts["bk.converted"] = 1
        found.append((state, clock.local_date(new["at"]), counts))
    return found


def on_appointment(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an appointment (Appointment): a booking made, kept or missed."""
    if event_name == "REMOVE":
        return
    appointment, before = _fields(new_image), _fields(old_image)
    if not appointment.get("shop_id") or not appointment.get("appointment_id"):
        return
    for what, day, counts in appointment_counts(appointment, before):
        add(appointment["shop_id"], day,
            f"appt#{appointment['appointment_id']}#{what}", counts)


_deserializer = TypeDeserializer()
_APPOINTMENT_FIELDS = ("shop_id", "appointment_id", "state", "at", "source", "created_at",
                       "order_id")


def _fields(image: dict) -> dict:
    """An appointment's few counted fields (not its model: a booking may carry fields added
    later, which the count does not read)."""
    return {name: _deserializer.deserialize(image[name]) for name in _APPOINTMENT_FIELDS
            if name in image}


# --- follow-up cases, counted from the case items' changes (`on_case`) ---

def case_opened(shop_id: str, case_id: str, at: str) -> bool:
    """A follow-up found an issue: counted on its day, and open until `case_closed`; with the
    same marker as the stream's, so a case counted here is not counted again. Idempotent."""
    return add(shop_id, clock.local_date(at), f"case#{case_id}#opened", {"cases_opened": 1},
               open_cases=1)


def case_closed(shop_id: str, case_id: str, at: str) -> bool:
    return add(shop_id, clock.local_date(at), f"case#{case_id}#closed", {"cases_closed": 1},
               open_cases=-1)


def on_case(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to a case (Case, chalicelib/after/cases.py): opened or closed."""
    if event_name == "REMOVE":
        return
    case, before = _plain(new_image), _plain(old_image)
    for change_id, day, counts, open_cases in case_changes(case, before):
        add(case["shop_id"], day, change_id, counts, open_cases)


def case_changes(case: dict, before: dict) -> list[tuple[str, str, Counts, int]]:
    """(change id, day, counts, open-cases delta) of a case item's change."""
    if not case.get("shop_id") or not case.get("case_id"):
        return []
    found = []
    if not before and case.get("created_at"):
        found.append((f"case#{case['case_id']}#opened", clock.local_date(case["created_at"]),
                      {"cases_opened": 1}, 1))
    if (case.get("state") == "closed" and before.get("state") != "closed"
            and case.get("closed_at")):
        found.append((f"case#{case['case_id']}#closed", clock.local_date(case["closed_at"]),
                      {"cases_closed": 1}, -1))
    return found


def _cases_again(shop_id: str) -> Iterable[tuple[str, str, Counts, int]]:
    """For a rebuild: every case of the shop, open and closed (their gsi2 lists)."""
    for state in ("open", "closed"):
        for case in models.Item.lists.query(models.cases_pk(shop_id, state)):
            yield from case_changes(case.as_dict(), {})


BOOKING_DAYS_BACK, BOOKING_DAYS_AHEAD = 400, 120  # the booking days a rebuild reads again


def _bookings_again(shop_id: str) -> Iterable[tuple[str, str, Counts, int]]:
    """For a rebuild: the bookings of the days around today, a Query of each day's list (the
    shop's bookings have no other list: a rebuild is rare, and each day costs one request)."""
    today = date.fromisoformat(clock.local_date())
    for offset in range(-BOOKING_DAYS_BACK, BOOKING_DAYS_AHEAD + 1):
        day = (today + timedelta(days=offset)).isoformat()
        for item in models.Item.lists.query(models.appointment_day_pk(shop_id, day)):
            appointment = item.as_dict()
            for what, when, counts in appointment_counts(appointment, {}):
                yield f"appt#{appointment['appointment_id']}#{what}", when, counts, 0


# --- rebuilding from the orders (devstack `python -m devstack dashboard-backfill`) ---

# Other modules' changes to count again on a rebuild: each gives (change id, day, counts,
# open-cases delta) for a shop — the follow-up's cases register theirs here.
BACKFILL_SOURCES: list[Callable[[str], Iterable[tuple[str, str, Counts, int]]]] = [
    _cases_again, _bookings_again]


def backfill(shop_id: str) -> dict:
    """The shop's day items made again from its orders (every order, one Query each).

    The day items and markers go first; then every change is counted through `add`, with the
    same markers as the stream, so a change the stream counts meanwhile counts once. What the
    table no longer holds cannot come back: a message's earlier failures before its resend.
    """
    with models.Item.batch_write() as batch:
        for item in models.Item.query(models.dashboard_pk(shop_id),
                                      attributes_to_get=["pk", "sk"]):
            batch.delete(item)
    orders = [{"order_id": order.order_id} for order in models.Item.lists.query(
        models.board_pk(shop_id), attributes_to_get=["type", "order_id"])]
    changes = 0
    for order in orders:
        items = _order_items(shop_id, order["order_id"])
        for item in items:
            sk = item["sk"]
            if sk.startswith(models.EVENT_PREFIX) and item.get("from") != item.get("to"):
                changes += _count_event(shop_id, order["order_id"], item, items)
            elif sk.startswith(models.LINE_PREFIX):
                for what, day, counts in line_history(item):
                    changes += add(shop_id, day,
                                   f"line#{order['order_id']}#{item['line_id']}#{what}", counts)
            elif sk.startswith(models.PAYMENT_PREFIX):
                changes += add(shop_id, item["day"],
                               f"payment#{order['order_id']}#{item['payment_id']}",
                               payment_counts(item))
            elif sk.startswith(models.MESSAGE_PREFIX):
                counts = message_counts(item, {})
                if counts:
                    changes += add(shop_id, clock.local_date(item["updated_at"]),
                                   f"message#{order['order_id']}#{item['message_id']}#"
                                   f"{item['updated_at']}", counts)
    for source in BACKFILL_SOURCES:
        for change_id, day, counts, open_cases in source(shop_id):
            changes += add(shop_id, day, change_id, counts, open_cases)
    return {"orders": len(orders), "changes": changes}


# --- reading a period ---

def period(query: PeriodQuery) -> tuple[str, str]:
    """The period asked for, checked: real dates, from ≤ to, at most MAX_DAYS days."""
    if not query.from_ or not query.to:
        raise Invalid("請選擇期間的開始與結束日期（YYYY-MM-DD）。",
                      "Give the period's from and to dates (YYYY-MM-DD).", code="invalid_period")
    try:
        start, end = date.fromisoformat(query.from_), date.fromisoformat(query.to)
        if len(query.from_) != 10 or len(query.to) != 10:
            raise ValueError
    except ValueError:
        raise Invalid("日期格式不正確，請用 YYYY-MM-DD。", "A date is not YYYY-MM-DD.",
                      code="invalid_period") from None
    if end < start:
        raise Invalid("結束日期早於開始日期。", "The period ends before it starts.",
                      code="invalid_period")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"期間最長 {MAX_DAYS} 天。", f"A period is at most {MAX_DAYS} days.",
                      code="invalid_period")
    return start.isoformat(), end.isoformat()


def _days(shop_id: str, start: str, end: str) -> dict[str, dict]:
    """The period's day items: one Query (pages only past 1 MB, about a year of busy days)."""
    low, high = (models.DashboardDay.key(shop_id, day)["sk"] for day in (start, end))
    items = models.Item.items(models.dashboard_pk(shop_id), models.Item.sk.between(low, high))
    return {item["day"]: item for item in items}


def quantile(histogram: list[int], q: float) -> int | None:
    """Seconds at the q-th quantile of a bucket histogram, linear within its bucket."""
    total = sum(histogram)
    if not total:
        return None
    rank, seen = q * total, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low = BUCKETS[index - 1] if index else 0
            high = BUCKETS[index] if index < len(BUCKETS) else low
            return round(low + (high - low) * (rank - seen) / count)
        seen += count
    return None


def _histogram(items: Iterable[dict], prefix: str) -> list[int]:
    histogram = [0] * (len(BUCKETS) + 1)
    for item in items:
        for index in range(len(histogram)):
            histogram[index] += int(item.get(f"{prefix}.{index}", 0))
    return histogram


def _sum(items: Iterable[dict], name: str) -> int:
    return sum(int(item.get(name, 0)) for item in items)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _revenue_tax(item: dict) -> int:
    """The business tax the day's takings hold: each delivered order's, added up (a day
    counted before it was kept: worked out from the day's takings)."""
    if "revenue_tax" in item:
        return int(item["revenue_tax"])
    return money.split(int(item.get("revenue", 0)))[1]


def _day_row(day: str, item: dict) -> dict:
    delivered, revenue = int(item.get("delivered", 0)), int(item.get("revenue", 0))
    return {"date": day, "opened": int(item.get("opened", 0)), "delivered": delivered,
            "revenue": revenue, "revenue_tax": _revenue_tax(item),
            "average_order_value": round(revenue / delivered) if delivered else None,
            "cancelled": int(item.get("cancelled", 0)),
            "walkarounds": int(item.get("walk_checked", 0)),
            "walkarounds_complete": int(item.get("walk_complete", 0)),
            "followed_up": int(item.get("followed_up", 0)),
            "state_medians": {state: quantile(_histogram([item], f"t.{state}"), 0.5)
                              for state in TIMED_STATES},
            "additional": {what: {"count": int(item.get(f"add_{what}", 0)),
                                  "amount": int(item.get(f"add_{what}_amount", 0))}
                           for what in ("proposed", "approved", "declined")},
            "approval_median": quantile(_histogram([item], "appr"), 0.5),
            "notifications": {channel: {state: int(item.get(f"msg.{channel}.{state}", 0))
                                        for state in ("sent", "failed")}
                              for channel in CHANNELS},
            "cases_opened": int(item.get("cases_opened", 0)),
            "cases_closed": int(item.get("cases_closed", 0)),
            "bookings": bookings([item])}


def figures(shop_id: str, start: str, end: str) -> dict:
    """The period's figures from its day items (and the shop's open-case count)."""
    items = _days(shop_id, start, end)
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    span = (last - first).days + 1
    days = [_day_row(day, items.get(day, {}))
            for day in ((first + timedelta(days=n)).isoformat() for n in range(span))]
    found = list(items.values())
    opened, delivered = _sum(found, "opened"), _sum(found, "delivered")
    revenue = _sum(found, "revenue")
    checked, complete = _sum(found, "walk_checked"), _sum(found, "walk_complete")
    states = {}
    for state in TIMED_STATES:
        histogram = _histogram(found, f"t.{state}")
        states[state] = {"stays": sum(histogram), "median": quantile(histogram, 0.5),
                         "p90": quantile(histogram, 0.9)}
    approvals = _histogram(found, "appr")
    totals = models.DashboardTotals.read(models.DashboardTotals.key(shop_id)) or {}
    return {
        "from": start, "to": end, "days": days,
        "orders": {"opened": opened, "per_day": round(opened / span, 2),
                   "delivered": delivered, "cancelled": _sum(found, "cancelled"),
                   "revenue": revenue, "revenue_tax": sum(_revenue_tax(item) for item in found),
                   "average_order_value": round(revenue / delivered) if delivered else None},
        "states": states,
        "walkaround": {"checked": checked, "complete": complete,
                       "share_complete": _share(complete, checked)},
        "additional": {
            **{what: {"count": _sum(found, f"add_{what}"),
                      "amount": _sum(found, f"add_{what}_amount")}
               for what in ("proposed", "approved", "declined")},
            "approval_median": quantile(approvals, 0.5), "approval_p90": quantile(approvals, 0.9)},
        "notifications": {channel: {state: _sum(found, f"msg.{channel}.{state}")
                                    for state in ("sent", "failed")} for channel in CHANNELS},
        "follow_ups": {"done": _sum(found, "followed_up"),
                       "cases_opened": _sum(found, "cases_opened"),
                       "cases_closed": _sum(found, "cases_closed"),
                       "cases_open": int(totals.get("cases_open", 0))},
        "technicians": technicians(found),
        "bookings": bookings(found),
        "buckets": list(BUCKETS),
    }


def bookings(items: list[dict]) -> dict:
    """預約: made (by source), checked in, no-shows, cancelled; the show rate (checked in of
    those whose time came) and the conversion (turned into an order, of those made)."""
    made, checked_in = _sum(items, "bk.made"), _sum(items, "bk.checked_in")
    no_show, converted = _sum(items, "bk.no_show"), _sum(items, "bk.converted")
    return {"made": made, "by_source": {source: _sum(items, f"bk.src.{source}")
                                        for source in SOURCES},
            "checked_in": checked_in, "no_show": no_show,
            "cancelled": _sum(items, "bk.cancelled"), "converted": converted,
            "show_rate": _share(checked_in, checked_in + no_show),
            "conversion": _share(converted, made)}


def technicians(items: list[dict]) -> list[dict]:
    """工時效率 per person over the period: the sold hours of the labour jobs they finished
    against the hours they worked (the names are the staff list's, on the screen)."""
    people: dict[str, dict[str, int]] = {}
    for item in items:
        for name, value in item.items():
            if name.startswith("work.") and name.count(".") >= 2:
                staff, what = name[len("work."):].rsplit(".", 1)
                people.setdefault(staff, {"sold": 0, "worked": 0, "jobs": 0})[what] += int(value)
    return [{"staff_id": staff, "jobs": counts["jobs"],
             "sold_hours": round(counts["sold"] / 3600, 2),
             "worked_hours": round(counts["worked"] / 3600, 2),
             "efficiency": dispatch_sheet.efficiency(counts["sold"], counts["worked"])}
            for staff, counts in sorted(people.items())]


def dashboard(caller: Caller, query: PeriodQuery):
    """GET /api/dashboard: the figures as JSON, or (format=csv) one row per day for Excel."""
    require(caller, "dashboard.read")
    if query.format not in (None, "json", "csv"):
        raise Invalid("format 只能是 json 或 csv。", "format is json or csv.",
                      code="invalid_format")
    start, end = period(query)
    result = figures(caller.shop_id, start, end)
    if query.format == "csv":
        return csv_file(result)
    return result


# (zh-TW header with English, the day row's value): minutes where it is a time.
def _minutes(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.0f}"


_STATE_HEADERS = {"booked": "已預約", "checked_in": "已接車", "authorized": "已委修",
                  "in_progress": "維修中", "awaiting_approval": "待追加同意",
                  "quality_check": "品檢中", "ready": "待交車"}
_ADDITIONAL = {"proposed": ("追加提出", "proposed"), "approved": ("追加同意", "approved"),
               "declined": ("追加拒絕", "declined")}
_SOURCE_NAMES = {"phone": "電話", "line": "LINE", "online": "線上", "walk_in": "現場",
                 "invitation": "邀約"}
_CHANNEL_NAMES = {"line": "LINE", "line_pnp": "LINE 通知型訊息 LINE by number",
                  "sms": "簡訊 SMS", "email": "電子郵件 E-mail", "push": "網頁推播 Web Push",
                  "none": "無管道 No channel"}


def csv_columns() -> list[tuple[str, Callable[[dict], object]]]:
    columns: list[tuple[str, Callable[[dict], object]]] = [
        ("日期 Date", lambda row: row["date"]),
        ("開單數 Orders opened", lambda row: row["opened"]),
        ("交車數 Delivered", lambda row: row["delivered"]),
        ("營收（含稅，元）Revenue, tax included (NT$)", lambda row: row["revenue"]),
        ("其中營業稅（元）Business tax in it (NT$)", lambda row: row["revenue_tax"]),
        ("平均客單價（元）Average order value (NT$)",
         lambda row: "" if row["average_order_value"] is None else row["average_order_value"]),
        ("取消數 Cancelled", lambda row: row["cancelled"]),
        ("檢修確認表 Walk-arounds", lambda row: row["walkarounds"]),
        ("完整檢修確認表 Complete walk-arounds", lambda row: row["walkarounds_complete"]),
    ]
    for state, zh in _STATE_HEADERS.items():
        columns.append((f"{zh}時間中位數（分）{state} median (min)",
                        lambda row, state=state: _minutes(row["state_medians"][state])))
    for what, (zh, en) in _ADDITIONAL.items():
        columns.append((f"{zh}件數 Additional {en}",
                        lambda row, what=what: row["additional"][what]["count"]))
        columns.append((f"{zh}金額（元）Additional {en} (NT$)",
                        lambda row, what=what: row["additional"][what]["amount"]))
    columns.append(("追加同意時間中位數（分）Approval time median (min)",
                    lambda row: _minutes(row["approval_median"])))
    for channel, name in _CHANNEL_NAMES.items():
        for state, zh, en in (("sent", "成功", "sent"), ("failed", "失敗", "failed")):
            columns.append((f"{name} 通知{zh} {en}",
                            lambda row, c=channel, s=state: row["notifications"][c][s]))
    columns += [("關懷完成 Follow-ups done", lambda row: row["followed_up"]),
                ("新開客訴案件 Cases opened", lambda row: row["cases_opened"]),
                ("結案 Cases closed", lambda row: row["cases_closed"]),
                ("新預約 Bookings made", lambda row: row["bookings"]["made"])]
    for source, zh in _SOURCE_NAMES.items():
        columns.append((f"預約來源：{zh} Bookings by {source}",
                        lambda row, source=source: row["bookings"]["by_source"][source]))
    columns += [("預約到場 Bookings checked in", lambda row: row["bookings"]["checked_in"]),
                ("預約未到 No-shows", lambda row: row["bookings"]["no_show"]),
                ("預約取消 Bookings cancelled", lambda row: row["bookings"]["cancelled"]),
                ("預約轉工單 Bookings turned into orders",
                 lambda row: row["bookings"]["converted"])]
    return columns


def csv_text(result: dict) -> str:
    """UTF-8 with a BOM (Excel on Windows then reads the Chinese headers right), CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = csv_columns()
    writer.writerow([name for name, _ in columns])
    for row in result["days"]:
        writer.writerow([value(row) for _, value in columns])
    return "\ufeff" + out.getvalue()


def csv_file(result: dict):
    from chalice import Response

    name = f"dashboard-{result['from']}-{result['to']}.csv"
    return Response(body=csv_text(result), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"'})
