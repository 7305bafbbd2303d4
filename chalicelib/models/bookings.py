"""Online booking: a shop's booking setup, its public page's short code, and each local day's
places taken per slot (one item a day, so a day's free slots are one GetItem)."""
from __future__ import annotations

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action

from chalicelib.models.base import Document, Flag, Item, Number, Text, Values
from chalicelib.models.shops import shard_of, shop_pk

Key = dict[str, str]


class BookingSetup(Item, discriminator="booking_setup"):
    """How the shop takes bookings: slot length, cars a slot takes, how far ahead and how soon
    a customer may book online, confirmation by hand, holidays, the services offered, and the
    public page's code. PK `SHOP#<shop>`, SK `BOOKING`; absent fields take their defaults
    (chalicelib/records/booking_setup.py)."""
    shop_id = Text()
    slot_minutes = Number(null=True)
    cars_per_slot = Number(null=True)
    days_ahead = Number(null=True)
    notice_hours = Number(null=True)
    confirm_by_hand = Flag(null=True)
    holidays = Values(null=True)
    services = Values(null=True)
    online = Flag(null=True)
    code = Text(null=True)  # the public page's code (BookingPage), made on first read
    updated_at = Text(null=True)
    updated_by = Document(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "BOOKING"}


class BookingPage(Item, discriminator="booking_page"):
    """The shop of a public booking page's code: PK `BOOKINGPAGE#<code>`, SK `BOOKINGPAGE`
    (the page `/b/<code>` finds its shop with one GetItem)."""
    shop_id = Text()
    code = Text()
    created_at = Text()

    @staticmethod
    def key(code: str) -> Key:
        return {"pk": f"BOOKINGPAGE#{code}", "sk": "BOOKINGPAGE"}


def slot_days_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#SLOTS"


def slot_days_listed_pk(day: str, shard: int) -> str:
    """The shops of a shard with bookings on a day (gsi2): the day-before reminders' list."""
    return f"SLOTDAYS#{day}#{shard}"


def slot_day_index(shop_id: str, day: str) -> Key:
    return {"gsi2pk": slot_days_listed_pk(day, shard_of(shop_id)), "gsi2sk": shop_id}


class SlotDay(Item, discriminator="slot_day"):
    """The places taken in each slot of a local day (Asia/Taipei): PK `SHOP#<shop>#SLOTS`, SK
    `DAY#<date>` (a week is one Query between two days); gsi2 `SLOTDAYS#<date>#<shard>` /
    `<shop>` (the shard's shops with bookings that day: the day-before reminders). Besides
    `shop_id` and `day`, every attribute is a slot's count named by its local start, `s0930`
    (open attributes, ADD by name, each taken only while below the slot's capacity). Made by
    its first write (a booking's, even one outside the hours that takes no place)."""
    OPEN = True
    shop_id = Text()
    day = Text()

    @staticmethod
    def key(shop_id: str, day: str) -> Key:
        return {"pk": slot_days_pk(shop_id), "sk": f"DAY#{day}"}

    @staticmethod
    def counter(start: str) -> str:
        """The attribute counting a slot, by its local start `HH:MM`."""
        return "s" + start.replace(":", "")

    @staticmethod
    def start_of(counter: str) -> str:
        return f"{counter[1:3]}:{counter[3:5]}"

    @staticmethod
    def add(start: str, places: int) -> Action:
        return Path([SlotDay.counter(start)]).add(places)

    @staticmethod
    def has_room(start: str, capacity: int) -> Condition:
        """The slot has a free place (no count yet, or below `capacity`)."""
        count = Path([SlotDay.counter(start)])
        return count.does_not_exist() | (count < capacity)
