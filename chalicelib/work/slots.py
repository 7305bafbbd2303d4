"""Slots and their places (時段與名額): when a car may be booked, and how many a slot still takes.

A slot is the setup's `slot_minutes` long, from the shop's opening time (the profile's
`opening_hours` for the weekday) while a whole slot fits before closing; a holiday or a weekday
without hours has none. A booking of N minutes takes ceil(N / slot_minutes) consecutive slots.

Each local day's counts are one item (models.SlotDay, a counter per slot): a booking takes a
place in every slot it covers by one UpdateItem whose condition asks each of those slots to be
below `cars_per_slot`, so places are never given twice whatever the number of bookings at once,
and a booking over two slots takes both or neither. That update goes in the same transaction
as the appointment's own write (chalicelib/work/appointments.py), so a booking and its places
land together; a reschedule gives the old places back and takes the new ones in it too.

Reading a day's free slots is one GetItem of its counts once the calendar (the setup and the
opening hours: one BatchGetItem) is read.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Unprocessable
from chalicelib.records import booking_setup

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def slot_full() -> Conflict:
    return Conflict("這個時段剛好額滿了，請選別的時間。",
                    "That time just filled up: please choose another.", code="slot_full")


# --- the calendar: the setup and the opening hours ---

def calendar(shop_id: str) -> dict:
    """The shop's booking setup and opening hours, in one BatchGetItem."""
    keys = [models.BookingSetup.key(shop_id), models.Shop.key(shop_id)]
    found = {item.sk: item.as_dict()
             for item in models.Item.batch_get([(key["pk"], key["sk"]) for key in keys])}
    setup = found.get("BOOKING")
    return {"shop_id": shop_id, "setup": {**booking_setup.setup_of(setup),
                                          "code": (setup or {}).get("code")},
            "hours": (found.get("SHOP") or {}).get("opening_hours") or {}}


def hours_on(cal: dict, day: str) -> tuple[str, str] | None:
    """The shop's (open, close) on a local day, or None when it is closed (a holiday too)."""
    if day in cal["setup"]["holidays"]:
        return None
    hours = cal["hours"].get(WEEKDAYS[date.fromisoformat(day).weekday()])
    return (hours["open"], hours["close"]) if hours else None


def _minute(time_of_day: str) -> int:
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


def _text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def starts_on(cal: dict, day: str) -> list[str]:
    """The day's slots by their local start (`HH:MM`), none when the shop is closed."""
    hours = hours_on(cal, day)
    if hours is None:
        return []
    step, opens, closes = cal["setup"]["slot_minutes"], _minute(hours[0]), _minute(hours[1])
    return [_text(minute) for minute in range(opens, closes - step + 1, step)]


def at_utc(day: str, start: str) -> str:
    """A local day and time as the stored UTC time."""
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(start),
                             tzinfo=clock.SHOP_TIMEZONE)
    return clock.iso(local)


def local_of(at: str) -> tuple[str, str]:
    """A stored UTC time as its local (day, `HH:MM`)."""
    local = clock.parse_iso(at).astimezone(clock.SHOP_TIMEZONE)
    return local.date().isoformat(), f"{local:%H:%M}"


def covered(cal: dict, at: str, minutes: int) -> tuple[str, list[str]]:
    """The local day and the slots a booking from `at` for `minutes` overlaps (those within the
    shop's hours: a booking the advisor put outside them takes no place)."""
    day, start = local_of(at)
    begin, end, step = _minute(start), _minute(start) + minutes, cal["setup"]["slot_minutes"]
    return day, [slot for slot in starts_on(cal, day)
                 if _minute(slot) < end and _minute(slot) + step > begin]


def needed(cal: dict, minutes: int) -> int:
    return math.ceil(minutes / cal["setup"]["slot_minutes"])


def bookable(cal: dict, at: str, minutes: int) -> tuple[str, list[str]]:
    """The day and slots of an online booking, refused (422) unless `at` starts a slot on an
    open day within the window customers may book (`notice_hours` from now to `days_ahead`)
    and the booking's slots all fit before closing."""
    setup = cal["setup"]
    moment, now = clock.parse_iso(at), clock.now()
    if moment < now + timedelta(hours=setup["notice_hours"]):
        raise Unprocessable(f"線上預約最晚要提前 {setup['notice_hours']} 小時，請選晚一點的時間。",
                            f"Online bookings need {setup['notice_hours']} hours' notice.",
                            code="too_soon")
    last = date.fromisoformat(clock.local_date()) + timedelta(days=setup["days_ahead"])
    day, start = local_of(at)
    if date.fromisoformat(day) > last:
        raise Unprocessable(f"線上只能預約 {setup['days_ahead']} 天內的時間。",
                            f"Online bookings go {setup['days_ahead']} days ahead at most.",
                            code="too_far")
    starts = starts_on(cal, day)
    if start not in starts or moment.second or moment.microsecond:
        raise Unprocessable("這個時間不是可預約的時段，請從清單裡選。",
                            "That time is not a bookable slot: choose one from the list.",
                            code="not_a_slot")
    first = starts.index(start)
    taken = starts[first:first + needed(cal, minutes)]
    if len(taken) < needed(cal, minutes):
        raise Unprocessable("這個時段接近打烊，做不完這項服務，請選早一點的時間。",
                            "Too close to closing for this service: choose an earlier time.",
                            code="not_a_slot")
    return day, taken


# --- the day's counts ---

def counts(item: dict | None) -> dict[str, int]:
    """A SlotDay item's places taken, by slot start (`HH:MM`)."""
    return {models.SlotDay.start_of(name): int(value) for name, value in (item or {}).items()
            if name.startswith("s") and name[1:].isdigit() and len(name) == 5}


def taken_on(shop_id: str, day: str) -> dict[str, int]:
    """One GetItem: the places taken in each slot of the day."""
    return counts(models.SlotDay.read(models.SlotDay.key(shop_id, day)))


def taken_between(shop_id: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """One Query: the places taken per slot on each day from `first` to `last`."""
    SlotDay = models.SlotDay
    items = SlotDay.items(models.slot_days_pk(shop_id),
                          SlotDay.sk.between(f"DAY#{first}", f"DAY#{last}"))
    return {item["day"]: counts(item) for item in items}


def free_slots(shop_id: str, day: str, minutes: int, cal: dict | None = None) -> list[dict]:
    """The slots a booking of `minutes` can start at online on a local day, with the places
    left (the fewest over the slots it takes): none on a holiday or closed day, before
    `notice_hours` from now or beyond `days_ahead`. Given the calendar, one GetItem."""
    cal = cal or calendar(shop_id)
    setup = cal["setup"]
    starts = starts_on(cal, day)
    last = date.fromisoformat(clock.local_date()) + timedelta(days=setup["days_ahead"])
    if not starts or date.fromisoformat(day) > last:
        return []
    soonest = clock.now() + timedelta(hours=setup["notice_hours"])
    taken, span, capacity = taken_on(shop_id, day), needed(cal, minutes), setup["cars_per_slot"]
    free = []
    for index in range(len(starts) - span + 1):
        at = at_utc(day, starts[index])
        if clock.parse_iso(at) < soonest:
            continue
        left = min(capacity - taken.get(slot, 0) for slot in starts[index:index + span])
        if left > 0:
            free.append({"at": at, "free": left})
    return free


# --- taking and giving back (parts of the caller's transaction) ---

def change(writes: Any, shop_id: str, day: str, take: list[str],
           give_back: list[str], capacity: int, overbook: bool = False) -> None:
    """Add to `writes` the update of a day's counts: a place taken in each slot of `take`
    (each below `capacity`, unless `overbook`), one given back in each of `give_back`; the
    day listed for its shard's reminders (models.slot_day_index) whatever the counts."""
    delta = {slot: 0 for slot in [*take, *give_back]}
    for slot in take:
        delta[slot] += 1
    for slot in give_back:
        delta[slot] -= 1
    delta = {slot: places for slot, places in delta.items() if places}
    SlotDay = models.SlotDay
    listed = models.slot_day_index(shop_id, day)
    condition = None
    if not overbook:
        for slot in sorted(slot for slot, places in delta.items() if places > 0):
            room = SlotDay.has_room(slot, capacity)
            condition = room if condition is None else condition & room
    writes.update(SlotDay.from_dict(SlotDay.key(shop_id, day)),
                  actions=[SlotDay.type.set(SlotDay), SlotDay.shop_id.set(shop_id),
                           SlotDay.day.set(day), SlotDay.gsi2pk.set(listed["gsi2pk"]),
                           SlotDay.gsi2sk.set(listed["gsi2sk"]),
                           *(SlotDay.add(slot, places) for slot, places in sorted(delta.items()))],
                  condition=condition)
