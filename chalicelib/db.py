"""The single table's keys: the one place that knows how `pk`, `sk` and index keys are built.

The table itself (key schema, indexes, stream) is declared once, in infra/resources.json; the
cloud stack deploys that file and the local stack creates its table from it.

Indexes, each overloaded by item type:
- gsi1: look-ups by a natural key (a shop's plate or phone, a signed document's hash,
  a progress link's token hash);
- gsi2: lists in order (a shop's board for a day by state, a technician's jobs, a month's
  old parts out of the shop).

A part tag's code is found through its claim item (`PARTCODE#…`), which also makes it unique.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

Key = dict[str, str]

GSI_LOOKUP = "gsi1"
GSI_LISTS = "gsi2"


def shop_pk(shop_id: str) -> str:
    return f"SHOP#{shop_id}"


def shop_key(shop_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": "SHOP"}


def staff_key(shop_id: str, staff_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": f"STAFF#{staff_id}"}


def login_key(login: str) -> Key:
    """A sign-in name's item as made before logins were per shop (`shop_login_key`): still read
    at sign-in, and still keeps its name unique within its shop."""
    return {"pk": f"LOGIN#{login}", "sk": "LOGIN"}


def login_pk(login: str) -> str:
    """Everything about one sign-in name: the accounts it opens (one per shop) and its guard."""
    return f"LOGIN#{login}"


def shop_login_key(login: str, shop_id: str) -> Key:
    """A sign-in name is unique within a shop; the same name in another shop is another account,
    so a shop learns nothing from another's logins. Sign-in queries the name's partition."""
    return {"pk": login_pk(login), "sk": f"SHOP#{shop_id}"}


def login_guard_key(login: str) -> Key:
    """Failed sign-ins for a login, kept whether or not the account exists (expires by TTL)."""
    return {"pk": f"LOGIN#{login}", "sk": "GUARD"}


def refresh_key(token_hash: str) -> Key:
    return {"pk": f"REFRESH#{token_hash}", "sk": "REFRESH"}


def refresh_family_key(family: str) -> Key:
    """A chain of rotated refresh tokens: revoked as a whole on sign-out or on reuse."""
    return {"pk": f"REFRESHFAMILY#{family}", "sk": "FAMILY"}


def device_key(device_id: str) -> Key:
    """A shared tablet, found by its id alone (its shop is inside)."""
    return {"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}


def pin_guard_key(shop_id: str, staff_id: str) -> Key:
    """A person's PIN tries on the shop's tablets in the current 15 minutes (expires by TTL)."""
    return {"pk": f"PINGUARD#{shop_id}#{staff_id}", "sk": "GUARD"}


STAFF_PREFIX = "STAFF#"


# --- customers and vehicles: a partition each; look-ups as typed through gsi1 ---

def customer_key(shop_id: str, customer_id: str) -> Key:
    return {"pk": f"{shop_pk(shop_id)}#CUSTOMER#{customer_id}", "sk": "CUSTOMER"}


def phone_index(shop_id: str, phone: str, customer_id: str) -> Key:
    """A customer found by the digits typed so far: begins_with on gsi1sk."""
    return {"gsi1pk": f"PHONE#{shop_id}", "gsi1sk": f"{phone}#{customer_id}"}


def vehicle_pk(shop_id: str, vehicle_id: str) -> str:
    return f"{shop_pk(shop_id)}#VEHICLE#{vehicle_id}"


def vehicle_key(shop_id: str, vehicle_id: str) -> Key:
    return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": "VEHICLE"}


def mileage_key(shop_id: str, vehicle_id: str, at: str) -> Key:
    return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"MILEAGE#{at}"}


def owner_key(shop_id: str, vehicle_id: str, at: str) -> Key:
    return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"OWNER#{at}"}


def plate_claim_key(shop_id: str, plate: str) -> Key:
    """One vehicle per plate within a shop: the claim is written with the vehicle."""
    return {"pk": f"{shop_pk(shop_id)}#PLATE#{plate}", "sk": "PLATE"}


def plate_index(shop_id: str, plate: str, vehicle_id: str) -> Key:
    """A vehicle found by the characters typed so far (hyphen left out): begins_with on gsi1sk."""
    return {"gsi1pk": f"PLATE#{shop_id}", "gsi1sk": f"{plate.replace('-', '')}#{vehicle_id}"}


def plate_lookup(shop_id: str, typed: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for plates beginning with what was typed (hyphen-less)."""
    return f"PLATE#{shop_id}", typed.replace("-", "")


def phone_lookup(shop_id: str, number_prefix: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for customers whose number begins with an E.164 prefix."""
    return f"PHONE#{shop_id}", number_prefix


def phone_holders(shop_id: str, number: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for the customers whose number is exactly this E.164 number."""
    return f"PHONE#{shop_id}", f"{number}#"


def customer_vehicles_index(shop_id: str, customer_id: str, plate: str, vehicle_id: str) -> Key:
    """A customer's vehicles, by plate: one Query on gsi2 (moves with an owner change)."""
    return {"gsi2pk": customer_vehicles_pk(shop_id, customer_id),
            "gsi2sk": f"{plate}#{vehicle_id}"}


def customer_vehicles_pk(shop_id: str, customer_id: str) -> str:
    return f"CUSTOMER_VEHICLES#{shop_id}#{customer_id}"


MILEAGE_PREFIX = "MILEAGE#"
OWNER_PREFIX = "OWNER#"
VEHICLE_SK = "VEHICLE"


# --- appointments: the day's list through gsi2 ---

def appointment_key(shop_id: str, appointment_id: str) -> Key:
    return {"pk": f"{shop_pk(shop_id)}#APPT#{appointment_id}", "sk": "APPT"}


def appointment_day_index(shop_id: str, local_date: str, at: str, appointment_id: str) -> Key:
    return {"gsi2pk": appointment_day_pk(shop_id, local_date), "gsi2sk": f"{at}#{appointment_id}"}


def appointment_day_pk(shop_id: str, local_date: str) -> str:
    return f"APPTS#{shop_id}#{local_date}"


def customer_appointments_index(shop_id: str, customer_id: str, appointment_id: str) -> Key:
    """A customer's appointments (gsi1), so exporting or erasing their data needs no Scan."""
    return {"gsi1pk": customer_appointments_pk(shop_id, customer_id),
            "gsi1sk": f"APPT#{appointment_id}"}


def customer_appointments_pk(shop_id: str, customer_id: str) -> str:
    return f"CUSTOMER_APPTS#{shop_id}#{customer_id}"


# --- repair orders: everything under one order in one partition ---

ORDER_SK = "ORDER"
LINE_PREFIX = "LINE#"
EVENT_PREFIX = "EVENT#"
BOARD_OPEN = "~open#"  # sorts after every date, so one Query from a date reads both


def order_pk(shop_id: str, order_id: str) -> str:
    return f"{shop_pk(shop_id)}#ORDER#{order_id}"


def order_key(shop_id: str, order_id: str) -> Key:
    return {"pk": order_pk(shop_id, order_id), "sk": ORDER_SK}


def line_key(shop_id: str, order_id: str, line_id: str) -> Key:
    return {"pk": order_pk(shop_id, order_id), "sk": f"{LINE_PREFIX}{line_id}"}


def event_key(shop_id: str, order_id: str, event_id: str) -> Key:
    """Keyed by the client's id for the step, so a replayed step finds it already there."""
    return {"pk": order_pk(shop_id, order_id), "sk": f"{EVENT_PREFIX}{event_id}"}


def inspection_key(shop_id: str, order_id: str) -> Key:
    """The walk-around: one per order, read with the order in the same Query."""
    return {"pk": order_pk(shop_id, order_id), "sk": "INSPECTION"}


PHOTO_PREFIX = "PHOTO#"


def photo_key(shop_id: str, order_id: str, photo_id: str) -> Key:
    return {"pk": order_pk(shop_id, order_id), "sk": f"{PHOTO_PREFIX}{photo_id}"}


def photo_object(shop_id: str, order_id: str, photo_id: str, size: str) -> str:
    """An S3 key: `incoming/…` until the API checks it (removed after a day otherwise, by the
    bucket's lifecycle), then the display and thumbnail sizes under `photos/…`."""
    if size == "incoming":
        return f"incoming/{shop_id}/{order_id}/{photo_id}"
    return f"photos/{shop_id}/{order_id}/{photo_id}/{size}.jpg"


SIGNATURE_PREFIX = "SIGNATURE#"


def signature_key(shop_id: str, order_id: str, signature_id: str) -> Key:
    return {"pk": order_pk(shop_id, order_id), "sk": f"{SIGNATURE_PREFIX}{signature_id}"}


def signature_hash_index(signature_hash: str) -> Key:
    """A signed document found by its hash alone (the QR on the paper copy): gsi1."""
    return {"gsi1pk": f"SIGHASH#{signature_hash}", "gsi1sk": "SIGNATURE"}


SIGNED_SHARDS = 8


def signed_recently_key(day: str, shop_id: str, order_id: str, signature_id: str) -> Key:
    """A document signed on `day` (Asia/Taipei), listed for the daily job's check of what it
    covers (gone by TTL). Every shop's signatures of a day, spread over SIGNED_SHARDS partitions
    by order, so that no one key takes every shop's writes."""
    shard = sum(order_id.encode()) % SIGNED_SHARDS  # ids are random: an even spread, no import
    return {"pk": signed_recently_pk(day, shard),
            "sk": f"SIGNED#{shop_id}#{order_id}#{signature_id}"}


def signed_recently_pk(day: str, shard: int) -> str:
    return f"SIGNED#{day}#{shard}"


def integrity_alerts_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#ALERTS"


def integrity_alert_key(shop_id: str, order_id: str, found: str) -> Key:
    """An order whose signed documents no longer match it (`found`: a digest of what differs),
    so the owner is told once of each difference, however often the daily job finds it."""
    return {"pk": integrity_alerts_pk(shop_id), "sk": f"INTEGRITY#{order_id}#{found}"}


def signature_object(shop_id: str, order_id: str, signature_id: str, kind: str) -> str:
    """An S3 key: the signature's PNG (`png`) or the signed document's PDF (`pdf`)."""
    folder = "signatures" if kind == "png" else "documents"
    return f"{folder}/{shop_id}/{order_id}/{signature_id}.{kind}"


def shop_settings_key(shop_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": "SETTINGS"}


def inspection_template_key(shop_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": "TEMPLATE#inspection"}


def order_counter_key(shop_id: str, day: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": f"COUNTER#ORDER#{day}"}


def board_pk(shop_id: str) -> str:
    return f"BOARD#{shop_id}"


def board_index(shop_id: str, created_at: str, order_id: str, closed_on: str | None) -> Key:
    """Open orders sort after every date; a closed one sits at the local date it closed.

    The board for day D is then one Query, gsi2sk >= D: the orders closed that day (and any
    later day, dropped when D is in the past) followed by every open order.
    """
    sort = f"{closed_on}#{order_id}" if closed_on else f"{BOARD_OPEN}{created_at}#{order_id}"
    return {"gsi2pk": board_pk(shop_id), "gsi2sk": sort}


def vehicle_orders_index(shop_id: str, vehicle_id: str, created_at: str) -> Key:
    return {"gsi1pk": f"VEHICLE#{shop_id}#{vehicle_id}", "gsi1sk": f"ORDER#{created_at}"}


def vehicle_orders_lookup(shop_id: str, vehicle_id: str) -> tuple[str, str]:
    """(gsi1pk, gsi1sk prefix) for a vehicle's orders, oldest first (the header's created_at)."""
    return f"VEHICLE#{shop_id}#{vehicle_id}", "ORDER#"


def jobs_pk(shop_id: str, technician_id: str) -> str:
    return f"JOBS#{shop_id}#{technician_id}"


def jobs_index(shop_id: str, technician_id: str, created_at: str, order_id: str,
               line_id: str) -> Key:
    return {"gsi2pk": jobs_pk(shop_id, technician_id),
            "gsi2sk": f"{created_at}#{order_id}#{line_id}"}


def refused(err: Exception) -> bool:
    """Whether DynamoDB refused a write on its condition (a single write's failed condition, or
    a transaction it cancelled): the one test every "only if" write makes of its error."""
    from botocore.exceptions import ClientError

    return isinstance(err, ClientError) and err.response["Error"]["Code"] in (
        "ConditionalCheckFailedException", "TransactionCanceledException")


def transact_put(items: list[dict], condition: str = "attribute_not_exists(pk)") -> None:
    """Put items all or none, each only if new (raises TransactionCanceledException otherwise)."""
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib import aws

    serializer = TypeSerializer()
    aws.client("dynamodb").transact_write_items(TransactItems=[
        {"Put": {"TableName": aws.table().name, "ConditionExpression": condition,
                 "Item": {key: serializer.serialize(value) for key, value in item.items()}}}
        for item in items])


def transact_write(actions: list[dict]) -> None:
    """All or none, for writes that mix kinds: `{"Put"|"Update"|"ConditionCheck": {...}}`.

    Each action is written as for the Table resource (Python values, no TableName); this adds
    the table and the DynamoDB types. Raises TransactionCanceledException when a condition fails.
    """
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib import aws

    serializer = TypeSerializer()

    def typed(values: dict) -> dict:
        return {key: serializer.serialize(value) for key, value in values.items()}

    items = []
    for action in actions:
        (kind, params), = action.items()
        params = {**params, "TableName": aws.table().name}
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in params:
                params[field] = typed(params[field])
        items.append({kind: params})
    aws.client("dynamodb").transact_write_items(TransactItems=items)


# --- old-part tags (舊品): in their order's partition; the code claimed across every shop ---

PART_PREFIX = "PART#"


def part_tag_key(shop_id: str, order_id: str | None, code: str) -> Key:
    """A tag sits under its order (read with it in one Query); a free-standing tag (no order)
    in the shop's own parts partition."""
    pk = order_pk(shop_id, order_id) if order_id else f"{shop_pk(shop_id)}#PARTS"
    return {"pk": pk, "sk": f"{PART_PREFIX}{code}"}


def part_code_key(code: str) -> Key:
    """A tag's code is unique across all shops: this claim, written with the tag only if new,
    is also how a scanned code finds its tag (it names the shop and the order)."""
    return {"pk": f"PARTCODE#{code}", "sk": "PARTCODE"}


def part_client_key(shop_id: str, tag_id: str) -> Key:
    """The tablet's id for a new tag: a replayed create finds the code the first one got."""
    return {"pk": f"{shop_pk(shop_id)}#PARTTAG#{tag_id}", "sk": "PARTTAG"}


def parts_month_pk(shop_id: str, month: str) -> str:
    """A shop's disposals and supplier returns of a month (Asia/Taipei `YYYY-MM`): gsi2."""
    return f"PARTS#{shop_id}#{month}"


def parts_pending_pk(shop_id: str) -> str:
    """Tags waiting to go back to a supplier (a warranty claim not yet shipped): gsi2."""
    return f"PARTS#{shop_id}#PENDING"


def parts_report_index(gsi2pk: str, at: str, code: str) -> Key:
    return {"gsi2pk": gsi2pk, "gsi2sk": f"{at}#{code}"}


def label_object(shop_id: str, filename: str) -> str:
    """An S3 key for a printable label file (made again on every request: nothing to keep)."""
    return f"labels/{shop_id}/{filename}"


def report_object(shop_id: str, filename: str) -> str:
    return f"reports/{shop_id}/{filename}"


def sealed_record_object(shop_id: str, order_id: str, signature_id: str) -> str:
    """A signed record taken out of the table when its customer was erased: kept beside the
    signed PDF (which shows the same), so the signature still verifies."""
    return f"documents/{shop_id}/{order_id}/{signature_id}.record.json"


# --- data rights (chalicelib/portability.py): who exported, erased or imported, and when ---

def audit_key(shop_id: str, at: str, audit_id: str) -> Key:
    return {"pk": f"{shop_pk(shop_id)}#AUDIT", "sk": f"{at}#{audit_id}"}


# --- progress links (the customer's /t/<token>): the token itself is never stored ---

LINK_SK = "LINK"


def link_key(shop_id: str, order_id: str) -> Key:
    """The order's progress link: its generation, revoked or not, and the token's SHA-256."""
    return {"pk": order_pk(shop_id, order_id), "sk": LINK_SK}


def link_hash_index(token_hash: str) -> Key:
    """A link found by its token's hash alone (the customer's page): gsi1."""
    return {"gsi1pk": f"LINKHASH#{token_hash}", "gsi1sk": LINK_SK}


def client_guard_key(client_hash: str, scope: str, minute: str) -> Key:
    """One client's turns (its IP, hashed with a server key) at one kind of public route in one
    minute: `link` and `part` look-ups, `opt_out` taps (chalicelib/links.py; expires by TTL)."""
    return {"pk": f"GUARD#{scope}#{client_hash}", "sk": f"MINUTE#{minute}"}


# --- messages to customers (chalicelib/notify/): under their order; the due queue on gsi2 ---

MESSAGE_PREFIX = "MESSAGE#"
MESSAGES_DUE_PK = "MESSAGES_DUE"  # queued (quiet hours) messages of every shop, by send time
IDEMPOTENCY_PK = "IDEMPOTENCY#notify"  # Powertools' records: each message sent once


def message_key(shop_id: str, order_id: str, message_id: str) -> Key:
    """One message per (step, occurrence, channel) of an order (`message_id`), read with the
    order."""
    return {"pk": order_pk(shop_id, order_id), "sk": f"{MESSAGE_PREFIX}{message_id}"}


def message_id(step: str, channel: str, occurrence: int = 1) -> str:
    """`ready.sms`; each later time the order reaches the step is a message of its own
    (`awaiting_approval.2.sms`). The first keeps the form every message had before the times
    were counted, so those stored then are the first ones."""
    return f"{step}.{channel}" if occurrence == 1 else f"{step}.{occurrence}.{channel}"


def message_step_prefix(step: str) -> str:
    """The sort keys of a step's messages under its order, every channel and occurrence."""
    return f"{MESSAGE_PREFIX}{step}."


def message_once_key(shop_id: str, order_id: str, step: str, channel: str,
                     occurrence: int = 1) -> str:
    """What a message is sent once for (Powertools hashes it into its record's key). The first
    occurrence's is the key used before the times were counted: a batch handled then and handed
    over again now still sends nothing twice."""
    counted = step if occurrence == 1 else f"{step}#{occurrence}"
    return f"{shop_id}#{order_id}#{counted}#{channel}"


def message_due_index(not_before: str, shop_id: str, order_id: str, message_id: str) -> Key:
    """A message held back by quiet hours: the due ones are one Query, gsi2sk <= now."""
    return {"gsi2pk": MESSAGES_DUE_PK, "gsi2sk": f"{not_before}#{shop_id}#{order_id}#{message_id}"}


def dead_letter_key(shop_id: str, at: str, order_id: str, message_id: str) -> Key:
    """A message given up on after its last try, kept for the shop to look into."""
    return {"pk": f"{shop_pk(shop_id)}#DEADLETTERS", "sk": f"{at}#{order_id}#{message_id}"}


def notify_settings_key(shop_id: str) -> Key:
    """Which steps notify, the templates, channels and quiet hours: apart from the thresholds
    (which are replaced whole on each change)."""
    return {"pk": shop_pk(shop_id), "sk": "SETTINGS#notify"}


def line_link_key(code: str) -> Key:
    """A one-time code a customer sends the LINE account to link it (expires by TTL)."""
    return {"pk": f"LINELINK#{code}", "sk": "LINELINK"}


PUSH_PREFIX = "PUSH#"


def push_subscription_key(shop_id: str, customer_id: str, endpoint_hash: str) -> Key:
    """A browser's Web Push subscription, under its customer (the endpoint's SHA-256, never the
    endpoint, in the key): the customer's few are one Query."""
    return {"pk": customer_key(shop_id, customer_id)["pk"], "sk": f"{PUSH_PREFIX}{endpoint_hash}"}


def line_delivery_tag_key(tag: str) -> Key:
    """The opaque tag a LINE notification message was sent with: LINE's `delivery` webhook event
    names it, and it finds the message (expires by TTL)."""
    return {"pk": f"LINEDELIVERY#{tag}", "sk": "LINEDELIVERY"}


# --- reminders (chalicelib/reminders.py): under the vehicle; the days to send them on gsi2 ---

REMINDER_PREFIX = "REMINDER#"
REMINDERS_PENDING_PK = "REMINDERS_PENDING"  # every shop's reminders not yet sent, by send day


def reminder_key(shop_id: str, vehicle_id: str, kind: str) -> Key:
    """One reminder per (vehicle, kind): the next service, declined tyres or brakes, dates."""
    return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": f"{REMINDER_PREFIX}{kind}"}


def reminder_pending_index(send_on: str, shop_id: str, vehicle_id: str, kind: str) -> Key:
    return {"gsi2pk": REMINDERS_PENDING_PK, "gsi2sk": f"{send_on}#{shop_id}#{vehicle_id}#{kind}"}


def opt_out_key(token_hash: str) -> Key:
    """A customer's reminder opt-out link, by the SHA-256 of its token (the token is derived)."""
    return {"pk": f"OPTOUT#{token_hash}", "sk": "OPTOUT"}


def approval_code_key(shop_id: str, order_id: str) -> Key:
    """The one-time code texted to a customer approving large added work by link (its HMAC,
    never the code; gone by TTL). Apart from the order, so the order's Query never carries it."""
    return {"pk": f"APPROVALCODE#{shop_id}#{order_id}", "sk": "APPROVALCODE"}


def outbox_key(at: str, message_id: str) -> Key:
    """Locally only: what a channel without credentials would have sent (/dev/outbox)."""
    return {"pk": "OUTBOX", "sk": f"{at}#{message_id}"}


# --- the shop's numbers (chalicelib/dashboard.py): a day item per shop and day, kept from the
# stream; a period is one Query between two days ---

def dashboard_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#DASHBOARD"


def dashboard_day_key(shop_id: str, day: str) -> Key:
    """A day's counters (Asia/Taipei `YYYY-MM-DD`): sorts by date, so a period is `between`."""
    return {"pk": dashboard_pk(shop_id), "sk": f"DAY#{day}"}


def dashboard_seen_key(shop_id: str, change_id: str) -> Key:
    """A change already counted (written with its counts, only if new; gone by TTL)."""
    return {"pk": dashboard_pk(shop_id), "sk": f"SEEN#{change_id}"}


def dashboard_totals_key(shop_id: str) -> Key:
    """What is not per day: the follow-up cases open now."""
    return {"pk": dashboard_pk(shop_id), "sk": "TOTALS"}


def order_of(pk: str) -> tuple[str, str] | None:
    """(shop id, order id) of an item in an order's partition, from its `pk`, or None."""
    shop, marker, order_id = pk.removeprefix("SHOP#").partition("#ORDER#")
    if not pk.startswith("SHOP#") or not marker or not order_id:
        return None
    return shop, order_id


def health_key() -> Key:
    """A key no item uses: reading it proves the table answers, and costs half a read unit."""
    return {"pk": "HEALTH", "sk": "HEALTH"}


def kind_of(sk: str) -> str:
    """The item type from its sort key (`STAFF#…` → `STAFF`), as the stream handler routes by it."""
    return sk.split("#", 1)[0]


def now() -> datetime:
    """The one clock (tests move it to pass a lock-out without waiting)."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """Times are stored UTC, ISO 8601, to the millisecond (DESIGN.md §4)."""
    return iso(now())


# Taiwan keeps UTC+8 all year (no daylight saving since 1979): no tz database needed in Lambda.
SHOP_TIMEZONE = timezone(timedelta(hours=8), "Asia/Taipei")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_date(when: str | None = None) -> str:
    """The shop's calendar date (Asia/Taipei) of a stored UTC time, or of now."""
    moment = parse_iso(when) if when else now()
    return moment.astimezone(SHOP_TIMEZONE).date().isoformat()


# --- follow-up calls (維修後關懷) and the cases they open ---

FOLLOWUP_SK = "FOLLOWUP"
FOLLOWUPS_PENDING_PK = "FOLLOWUPS_PENDING"  # every shop's calls not yet due, by due date


def followup_key(shop_id: str, order_id: str) -> Key:
    """The order's follow-up call: written at delivery, read with the order in its Query."""
    return {"pk": order_pk(shop_id, order_id), "sk": FOLLOWUP_SK}


def followup_pending_index(due_on: str, shop_id: str, order_id: str) -> Key:
    """Until its day: the daily job finds every shop's calls now due in one Query, gsi2sk <= day."""
    return {"gsi2pk": FOLLOWUPS_PENDING_PK, "gsi2sk": f"{due_on}#{shop_id}#{order_id}"}


def followups_due_pk(shop_id: str) -> str:
    return f"FOLLOWUPS#{shop_id}"


def followup_due_index(shop_id: str, due_on: str, order_id: str) -> Key:
    """The shop's list of calls to make, oldest first: one Query on gsi2 (left when done)."""
    return {"gsi2pk": followups_due_pk(shop_id), "gsi2sk": f"{due_on}#{order_id}"}


def case_key(shop_id: str, case_id: str) -> Key:
    return {"pk": f"{shop_pk(shop_id)}#CASE#{case_id}", "sk": "CASE"}


def cases_pk(shop_id: str, state: str) -> str:
    """A shop's open cases (by due date) or closed ones (by the time they closed): gsi2."""
    return f"CASES#{shop_id}#{state.upper()}"


def case_index(shop_id: str, state: str, sort: str, case_id: str) -> Key:
    return {"gsi2pk": cases_pk(shop_id, state), "gsi2sk": f"{sort}#{case_id}"}
