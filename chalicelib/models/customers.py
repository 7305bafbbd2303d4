"""Customers and their cars: a partition each, found through gsi1 by the digits typed at the
counter (a phone, a plate), a customer's cars through gsi2; the car's mileage readings, owners
and reminders under it."""
from __future__ import annotations

from pynamodb.constants import ALL_OLD

from chalicelib.models.base import Document, Flag, Item, Number, Text, Values
from chalicelib.models.shops import shard_of, shop_pk

Key = dict[str, str]


# --- customers ---

def customer_key(shop_id: str, customer_id: str) -> Key:
    return {"pk": f"{shop_pk(shop_id)}#CUSTOMER#{customer_id}", "sk": "CUSTOMER"}


def phone_index(shop_id: str, phone: str, customer_id: str) -> Key:
    """A customer found by the digits typed so far: begins_with on gsi1sk."""
    return {"gsi1pk": f"PHONE#{shop_id}", "gsi1sk": f"{phone}#{customer_id}"}


def phone_lookup(shop_id: str, number_prefix: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for customers whose number begins with an E.164 prefix."""
    return f"PHONE#{shop_id}", number_prefix


def phone_holders(shop_id: str, number: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for the customers whose number is exactly this E.164 number."""
    return f"PHONE#{shop_id}", f"{number}#"


class Customer(Item, discriminator="customer"):
    """A customer (車主). PK `SHOP#<shop>#CUSTOMER#<customer>`, SK `CUSTOMER`; gsi1
    `PHONE#<shop>` / `<E.164>#<customer>` (found by the digits typed so far, one Query).
    Their push subscriptions sit in the same partition (`PUSH#…`). The consent they gave, and
    the last few changes of their reminders' opt-out, are kept on the item (bounded lists).
    `marketing` is their separate consent to reminders and campaigns (with its history);
    `company` a business customer's {tax_id (統一編號), title}; `contacts` the people who bring
    the car or answer for it ({name, mobile, role}: 送修人, 會計…). Merged into another customer,
    the item stays as a tombstone: `merged_into` names the kept one (old links resolve), and it
    leaves the phone index."""
    shop_id = Text()
    customer_id = Text()
    name = Text()
    mobile = Text(null=True)
    email = Text(null=True)
    channel = Text()
    channel_before_push = Text(null=True)
    notes = Text(null=True)
    consent = Document(null=True)
    consent_history = Values(null=True)
    line_user_id = Text(null=True)
    line_linked_at = Text(null=True)
    line_blocked_at = Text(null=True)  # they blocked the shop's LINE account (unfollow)
    reminders_opt_out = Document(null=True)
    opt_out_history = Values(null=True)
    last_reminder_on = Text(null=True)
    erased_at = Text(null=True)
    erased_by = Document(null=True)
    erasure = Document(null=True)
    marketing = Document(null=True)
    marketing_history = Values(null=True)
    company = Document(null=True)
    contacts = Values(null=True)
    merging_into = Text(null=True)
    merged_into = Text(null=True)
    merged_at = Text(null=True)
    merged_by = Document(null=True)
    created_at = Text(null=True)
    created_by = Document(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, customer_id: str) -> Key:
        return customer_key(shop_id, customer_id)


class PhoneClaim(Item, discriminator="phone_claim"):
    """One customer per mobile within a shop: written with the customer (and moved with a new
    number) only if free, so two tablets typing one number at once make one customer. PK
    `SHOP#<shop>#PHONE#<E.164>`, SK `PHONE`."""
    shop_id = Text()
    mobile = Text()
    customer_id = Text()

    @staticmethod
    def key(shop_id: str, number: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#PHONE#{number}", "sk": "PHONE"}


PUSH_PREFIX = "PUSH#"


class PushSubscription(Item, discriminator="push_subscription"):
    """A browser's Web Push subscription, under its customer: PK the customer's, SK
    `PUSH#<SHA-256 of the endpoint>` (never the endpoint in a key). A customer's few are one
    Query of their partition."""
    shop_id = Text(null=True)
    customer_id = Text(null=True)
    order_id = Text(null=True)
    endpoint = Text()
    keys = Document(null=True)
    p256dh = Text(null=True)
    auth = Text(null=True)
    created_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, customer_id: str, endpoint_hash: str) -> Key:
        return {"pk": customer_key(shop_id, customer_id)["pk"],
                "sk": f"{PUSH_PREFIX}{endpoint_hash}"}


class OptOutLink(Item, discriminator="opt_out_link"):
    """A customer's reminder opt-out link (個資法 §20), by the SHA-256 of its token (the token
    is derived, never stored). PK `OPTOUT#<hash>`, SK `OPTOUT`."""
    shop_id = Text()
    customer_id = Text()

    @staticmethod
    def key(token_hash: str) -> Key:
        return {"pk": f"OPTOUT#{token_hash}", "sk": "OPTOUT"}


class LineLink(Item, discriminator="line_link"):
    """A one-time code a customer sends the shop's LINE account to link it to them. PK
    `LINELINK#<code>`, SK `LINELINK`; gone by TTL."""
    shop_id = Text()
    customer_id = Text()
    created_at = Text()
    created_by = Document(null=True)
    expires_at = Number()

    @staticmethod
    def key(code: str) -> Key:
        return {"pk": f"LINELINK#{code}", "sk": "LINELINK"}

    @classmethod
    def claim(cls, code: str) -> dict | None:
        """The code's item, deleted as it is read (None: never made, or used already): one
        DeleteItem answering what it deleted, so of two messages with one code one links.
        PynamoDB's `Model.delete` asks for no ReturnValues; its table connection can."""
        key = cls.key(code)
        answer = cls._get_connection().delete_item(key["pk"], range_key=key["sk"],
                                                   return_values=ALL_OLD)
        old = answer.get("Attributes")
        return cls.from_raw_data(old).as_dict() if old else None


# --- vehicles ---

MILEAGE_PREFIX = "MILEAGE#"
OWNER_PREFIX = "OWNER#"
REMINDER_PREFIX = "REMINDER#"
VEHICLE_SK = "VEHICLE"


def vehicle_pk(shop_id: str, vehicle_id: str) -> str:
    return f"{shop_pk(shop_id)}#VEHICLE#{vehicle_id}"


def vehicle_key(shop_id: str, vehicle_id: str) -> Key:
    return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": VEHICLE_SK}


def plate_index(shop_id: str, plate: str, vehicle_id: str) -> Key:
    """A vehicle found by the characters typed so far (hyphen left out): begins_with on gsi1sk."""
    return {"gsi1pk": f"PLATE#{shop_id}", "gsi1sk": f"{plate.replace('-', '')}#{vehicle_id}"}


def plate_lookup(shop_id: str, typed: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for plates beginning with what was typed (hyphen-less)."""
    return f"PLATE#{shop_id}", typed.replace("-", "")


def customer_vehicles_pk(shop_id: str, customer_id: str) -> str:
    return f"CUSTOMER_VEHICLES#{shop_id}#{customer_id}"


def customer_vehicles_index(shop_id: str, customer_id: str, plate: str, vehicle_id: str) -> Key:
    """A customer's vehicles, by plate: one Query on gsi2 (moves with an owner change)."""
    return {"gsi2pk": customer_vehicles_pk(shop_id, customer_id),
            "gsi2sk": f"{plate}#{vehicle_id}"}


class Vehicle(Item, discriminator="vehicle"):
    """A car. PK `SHOP#<shop>#VEHICLE#<vehicle>`, SK `VEHICLE`, with its mileage readings
    (`MILEAGE#<at>`), owners (`OWNER#<at>`) and reminders (`REMINDER#<kind>`) in the same
    partition: the vehicle page is one Query. gsi1 `PLATE#<shop>` / `<plate without hyphen>#<id>`
    (found by what was typed); gsi2 `CUSTOMER_VEHICLES#<shop>#<customer>` / `<plate>#<id>` (a
    customer's cars). `mileage` is the last reading; `latest_order_id` the last order opened for
    it, so two tablets cannot open two orders for one car at once."""
    shop_id = Text()
    vehicle_id = Text()
    plate = Text()
    vin = Text(null=True)
    make = Text()
    model = Text()
    year = Number(null=True)
    colour = Text(null=True)
    fuel = Text(null=True)
    customer_id = Text()
    customer_name = Text(null=True)
    mileage = Document(null=True)
    latest_order_id = Text(null=True)
    inspection_due_on = Text(null=True)
    insurance_due_on = Text(null=True)
    created_at = Text(null=True)
    created_by = Document(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, vehicle_id: str) -> Key:
        return vehicle_key(shop_id, vehicle_id)


class PlateClaim(Item, discriminator="plate_claim"):
    """One vehicle per plate within a shop: written with the vehicle, only if new. PK
    `SHOP#<shop>#PLATE#<plate>`, SK `PLATE`."""
    shop_id = Text()
    plate = Text()
    vehicle_id = Text()

    @staticmethod
    def key(shop_id: str, plate: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#PLATE#{plate}", "sk": "PLATE"}


class Mileage(Item, discriminator="mileage"):
    """An odometer reading, under its vehicle: SK `MILEAGE#<at>` (the history sorts by time;
    the reminders' pace is read from it)."""
    shop_id = Text()
    vehicle_id = Text()
    km = Number()
    at = Text()
    source = Text()
    by = Document(null=True)
    device_id = Text(null=True)
    order_id = Text(null=True)
    confirmed_lower = Flag(null=True)

    @staticmethod
    def key(shop_id: str, vehicle_id: str, at: str) -> Key:
        return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"{MILEAGE_PREFIX}{at}"}


class VehicleOwner(Item, discriminator="vehicle_owner"):
    """Who owned the car from when, under its vehicle: SK `OWNER#<at>`."""
    shop_id = Text()
    vehicle_id = Text()
    customer_id = Text()
    customer_name = Text(null=True)
    from_ = Text(attr_name="from")
    by = Document(null=True)

    @staticmethod
    def key(shop_id: str, vehicle_id: str, at: str) -> Key:
        return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"{OWNER_PREFIX}{at}"}


def reminders_pending_pk(shard: int) -> str:
    """The reminders not yet sent of the shops of one shard (models.shard_of), by send day."""
    return f"REMINDERS_PENDING#{shard}"


def reminder_pending_index(send_on: str, shop_id: str, vehicle_id: str, kind: str) -> Key:
    """Until sent: the daily job's piece for the shop's shard finds it, gsi2sk <= the day."""
    return {"gsi2pk": reminders_pending_pk(shard_of(shop_id)),
            "gsi2sk": f"{send_on}#{shop_id}#{vehicle_id}#{kind}"}


def invitations_pk(shop_id: str) -> str:
    """The shop's reminders by the day they are due: the invitation list (邀約回廠名單)."""
    return f"INVITE#{shop_id}"


def invite_index(shop_id: str, due_on: str, vehicle_id: str, kind: str) -> Key:
    """A reminder on its shop's invitation list, by due day (gsi1: a range of days is one
    Query, whatever the shard's other shops hold)."""
    return {"gsi1pk": invitations_pk(shop_id), "gsi1sk": f"{due_on}#{vehicle_id}#{kind}"}


class Reminder(Item, discriminator="reminder"):
    """One reminder per (vehicle, kind) — the next service, declined tyres or brakes, the
    inspection and insurance dates, and the declined work still open (`declined`, listed for the
    advisor, never sent) — under its vehicle: SK `REMINDER#<kind>` (a later delivery replaces
    it). Until sent, gsi2 `REMINDERS_PENDING#<shard of the shop>` /
    `<send on>#<shop>#<vehicle>#<kind>`: the daily job's piece for the shard Queries what is due.
    While it is worth a call, gsi1 `INVITE#<shop>` / `<due on>#<vehicle>#<kind>`: the shop's
    invitation list is one Query over a range of due days."""
    shop_id = Text()
    vehicle_id = Text()
    customer_id = Text(null=True)
    order_id = Text(null=True)
    kind = Text()
    source = Text(null=True)
    due_on = Text()
    send_on = Text()
    detail = Document(null=True)
    status = Text()
    sent_at = Text(null=True)
    skipped = Text(null=True)
    created_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, vehicle_id: str, kind: str) -> Key:
        return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"{REMINDER_PREFIX}{kind}"}
