"""A repair order (工單) and everything under it, in the order's one partition: the order
screen, the customer's page and a signature's document are each one Query of it.

PK `SHOP#<shop>#ORDER#<order>`; SK by item type: `ORDER` (the header), `LINE#<id>`,
`EVENT#<id>`, `INSPECTION`, `PHOTO#<id>`, `SIGNATURE#<id>`, `PART#<code>`, `MESSAGE#<id>`,
`LINK`, `FOLLOWUP`.
"""
from __future__ import annotations

from chalicelib.models.base import Document, Flag, Item, Number, Text, Values, Version
from chalicelib.models.customers import customer_key
from chalicelib.models.shops import shard_of, shop_pk

Key = dict[str, str]

ORDER_SK = "ORDER"
LINE_PREFIX = "LINE#"
EVENT_PREFIX = "EVENT#"
PHOTO_PREFIX = "PHOTO#"
SIGNATURE_PREFIX = "SIGNATURE#"
PART_PREFIX = "PART#"
MESSAGE_PREFIX = "MESSAGE#"
INSPECTION_SK = "INSPECTION"
LINK_SK = "LINK"
FOLLOWUP_SK = "FOLLOWUP"
BOARD_OPEN = "~open#"  # sorts after every date, so one Query from a date reads both


def order_pk(shop_id: str, order_id: str) -> str:
    return f"{shop_pk(shop_id)}#ORDER#{order_id}"


def order_key(shop_id: str, order_id: str) -> Key:
    return {"pk": order_pk(shop_id, order_id), "sk": ORDER_SK}


def order_of(pk: str) -> tuple[str, str] | None:
    """(shop id, order id) of an item in an order's partition, from its `pk`, or None."""
    shop, marker, order_id = pk.removeprefix("SHOP#").partition("#ORDER#")
    if not pk.startswith("SHOP#") or not marker or not order_id:
        return None
    return shop, order_id


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


class Order(Item, discriminator="order"):
    """The order's header. SK `ORDER`. gsi2 `BOARD#<shop>` / `~open#<created>#<id>` while
    open, `<closed on>#<id>` once closed: the board of a day is one Query. gsi1
    `VEHICLE#<shop>#<vehicle>` / `ORDER#<created>`: a car's orders. `version` guards every
    read-decide-write of the order (a new order is written without one: PynamoDB sets 1).
    `signed` names the document in force of each kind; `consented_total` what the customer
    agreed to pay."""
    shop_id = Text()
    order_id = Text()
    number = Text()
    state = Text()
    customer = Document()
    vehicle = Document()
    concerns = Values(null=True)
    promised_at = Text(null=True)  # as the authorization was signed with it
    promise = Document(null=True)  # revised after authorization: {at, reason, by, revised_at}
    waits_in_shop = Flag(null=True)
    mileage_km = Number(null=True)
    appointment_id = Text(null=True)
    old_parts = Text(null=True)
    road_test = Document(null=True)
    totals = Document()  # {total, sales, tax}: money.totals (older: {subtotal, tax, total})
    buyer = Document(null=True)  # a business buyer: {tax_id (統一編號), title (抬頭)}
    technician_names = Values(null=True)
    at_work = Values(null=True)  # who works on which line now: {staff_id, name, line_id, ...}
    quality = Document(null=True)  # the final check (品檢): {passed, items, by, at}
    found = Number(null=True)  # lines a technician proposed that wait for a price
    parts_wait = Document(null=True)  # lines waiting for parts: {lines, expected_on}
    help = Document(null=True)  # a technician's call for support (需要支援), until taken
    handover = Document(null=True)  # the delivery walk-around (交車檢查): work.handover
    signed = Document(null=True)
    # The checkout (models/payments.py): `paid` {paid, deposit, balance, state: unpaid | part |
    # paid | over, methods}; `invoice` the latest invoice's {seq, state, number, random_code,
    # issued_at, ...}; `invoice_to` what the invoice is to be, kept until it is issued when
    # paid; `unpaid_release` a manager's reason to let the car go unpaid.
    paid = Document(null=True)
    invoice = Document(null=True)
    invoice_to = Document(null=True)
    unpaid_release = Document(null=True)
    consented_total = Number(null=True)
    last_signature_hash = Text(null=True)
    closed_on = Text(null=True)
    created_at = Text()
    created_by = Document(null=True)
    updated_at = Text(null=True)
    version = Version()

    @staticmethod
    def key(shop_id: str, order_id: str) -> Key:
        return order_key(shop_id, order_id)


CUSTOMER_ORDER_PREFIX = "ORDER#"


class CustomerOrder(Item, discriminator="customer_order"):
    """An order of the customer's, in the customer's partition: PK
    `SHOP#<shop>#CUSTOMER#<customer>`, SK `ORDER#<created>#<order>`, written with the order.
    One Query of the customer's partition answers the customer, their browsers' push
    subscriptions and every order of theirs, so a data export or erasure reads that customer's
    items and never the shop's (the board's partition holds every order of the shop). Ids and
    a time only: nothing personal to erase."""
    shop_id = Text()
    customer_id = Text()
    order_id = Text()
    created_at = Text()

    @staticmethod
    def key(shop_id: str, customer_id: str, created_at: str, order_id: str) -> Key:
        return {"pk": customer_key(shop_id, customer_id)["pk"],
                "sk": f"{CUSTOMER_ORDER_PREFIX}{created_at}#{order_id}"}


def promised_time(order: dict) -> str | None:
    """The time the customer is promised now: the revised one, else the one first given (and
    signed on the authorization, which keeps it)."""
    return (order.get("promise") or {}).get("at") or order.get("promised_at")


def order_summary(order: dict) -> dict:
    """An order as the board and a vehicle's page list it, from its header (Order) alone: the
    header carries the plate and the names it shows, who works on it now and what asks for the
    advisor (a technician's proposed line, a call for help)."""
    vehicle, customer = order["vehicle"], order["customer"]
    return {"order_id": order["order_id"], "number": order["number"], "state": order["state"],
            "plate": vehicle["plate"], "make": vehicle.get("make", ""),
            "model": vehicle.get("model", ""), "customer_name": customer["name"],
            "promised_at": promised_time(order), "waits_in_shop": order["waits_in_shop"],
            "technician_names": order.get("technician_names", []),
            "at_work": order.get("at_work", []), "found": int(order.get("found") or 0),
            "help": order.get("help"), "parts_wait": order.get("parts_wait"),
            "total": order["totals"]["total"], "created_at": order["created_at"]}


def jobs_pk(shop_id: str, technician_id: str) -> str:
    return f"JOBS#{shop_id}#{technician_id}"


def jobs_index(shop_id: str, technician_id: str, created_at: str, order_id: str,
               line_id: str) -> Key:
    return {"gsi2pk": jobs_pk(shop_id, technician_id),
            "gsi2sk": f"{created_at}#{order_id}#{line_id}"}


class Line(Item, discriminator="order_line"):
    """A job line: labour, a part or a discount. SK `LINE#<line>`. Once dispatched, gsi2
    `JOBS#<shop>#<technician>` / `<order created>#<order>#<line>`: a technician's jobs are one
    Query (left when the order closes). `frozen_by` names the signatures that cover it: a
    priced change is written only while it is absent."""
    line_id = Text()
    kind = Text()
    description = Text()
    amount = Number()
    origin = Text()
    state = Text()
    hours = Number(null=True)
    rate = Number(null=True)
    part_number = Text(null=True)
    quantity = Number(null=True)
    unit_price = Number(null=True)
    customer_supplied = Flag(null=True)
    reason = Text(null=True)
    area = Text(null=True)  # which part of the car (a technician's finding)
    photo_id = Text(null=True)
    unpriced = Flag(null=True)  # proposed by a technician: the advisor prices it
    # From the catalogue (models/catalogue.py): the part or operation it was taken from, the
    # part's grade and brand, the service menu it came with.
    part_key = Text(null=True)
    op_code = Text(null=True)
    grade = Text(null=True)
    brand = Text(null=True)
    menu_id = Text(null=True)
    menu = Document(null=True)  # {menu_id, name, mileage_km, months}: what the reminders read
    # The customer's choice between grades (正廠 / 副廠…): [{part_key, part_number, description,
    # grade, brand, unit_price}], the line's own fields being the option chosen.
    alternatives = Values(null=True)
    # Parts status: {status: in_stock | to_order | ordered | arrived, supplier, expected_on}.
    supply = Document(null=True)
    stock = Text(null=True)  # the stock it holds: reserved (authorized), issued (done)
    clock = Document(null=True)  # time on the job: work.jobs
    rework = Document(null=True)  # the final check sent it back: {note, at, by}
    promised_at = Text(null=True)  # the order's promised time, for the job list's order
    frozen_by = Values(null=True)
    estimate_signature_id = Text(null=True)
    answered_at = Text(null=True)  # when the customer approved or declined it
    technician_id = Text(null=True)
    technician_name = Text(null=True)
    order_id = Text(null=True)
    order_number = Text(null=True)
    plate = Text(null=True)
    created_at = Text()
    created_by = Document(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, order_id: str, line_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{LINE_PREFIX}{line_id}"}


class Event(Item, discriminator="order_event"):
    """Who did what to the order, when, from which device: SK `EVENT#<client id of the step>`,
    so a replayed step finds it already there. Kept for good."""
    KEEP_NULL = ("from", "device_id")
    event_id = Text()
    at = Text()
    by = Document()
    device_id = Text(null=True)
    from_ = Text(attr_name="from", null=True)
    to = Text()
    note = Text(null=True)
    document = Document(null=True)
    dispatched_to = Document(null=True)
    line_ids = Values(null=True)
    job = Document(null=True)  # a tap on a job's clock: {line_id, action, reason}
    quality = Document(null=True)  # a final check recorded: {passed, items}
    promise = Document(null=True)  # the promised time revised: {at, previous, reason}
    handover = Document(null=True)  # the delivery walk-around recorded: {new_damage, ...}

    @staticmethod
    def key(shop_id: str, order_id: str, event_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{EVENT_PREFIX}{event_id}"}


# The walk-around's tyres and brakes, as its fields (`tyres.LF.inner`, `brakes.front.pad_mm`)
# and its photos (`tyre.LF`, `brake.front`) name them.
TYRE_POSITIONS = ("LF", "RF", "LR", "RR", "SPARE")
BRAKE_AXLES = ("front", "rear")


class Inspection(Item, discriminator="inspection"):
    """The walk-around (檢修確認表): SK `INSPECTION`, one per order. `values` maps each field
    (`tyres.LF.inner`) to its value, `changed` to when and by whom it last changed: the newest
    change of each field wins. Written only while the authorization is unsigned."""
    shop_id = Text()
    order_id = Text()
    values = Document()
    changed = Document()
    updated_at = Text(null=True)
    version = Version()

    @staticmethod
    def key(shop_id: str, order_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": INSPECTION_SK}


class Photo(Item, discriminator="photo"):
    """A checked photo of the order (EXIF-free display and thumbnail sizes in S3): SK
    `PHOTO#<photo>`."""
    shop_id = Text()
    order_id = Text()
    photo_id = Text()
    subject = Text()
    width = Number(null=True)
    height = Number(null=True)
    bytes = Document(null=True)
    by = Document(null=True)
    created_at = Text()

    @staticmethod
    def key(shop_id: str, order_id: str, photo_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{PHOTO_PREFIX}{photo_id}"}


def signature_hash_index(signature_hash: str) -> Key:
    """A signed document found by its hash alone (the QR on the paper copy): gsi1."""
    return {"gsi1pk": f"SIGHASH#{signature_hash}", "gsi1sk": "SIGNATURE"}


class Signature(Item, discriminator="signature"):
    """A signed document (委修確認單, 估價單, 結帳清單): SK `SIGNATURE#<signature>`; gsi1
    `SIGHASH#<hash>` / `SIGNATURE` (the verify page, from the QR). `record` is the canonical
    JSON that was hashed (`hash`), `seal` its HMAC with a key the table does not hold; the
    fields beside it repeat the record's, to list signatures without parsing. A customer's
    erasure moves the record to S3 beside the PDF (`redacted` names what was blanked)."""
    KEEP_NULL = ("previous_hash", "witness")
    shop_id = Text()
    order_id = Text()
    signature_id = Text()
    kind = Text()
    version = Number()
    hash = Text()
    seal = Text(null=True)
    sealed_at = Text(null=True)
    record = Text(null=True)
    plate = Text()
    signed_at = Text()
    signer_name = Text()
    method = Text()
    witness = Document(null=True)
    previous_hash = Text(null=True)
    pdf_at = Text(null=True)
    superseded_at = Text(null=True)
    superseded_by = Document(null=True)
    superseded_reason = Document(null=True)
    redacted = Values(null=True)

    @staticmethod
    def key(shop_id: str, order_id: str, signature_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{SIGNATURE_PREFIX}{signature_id}"}


def signed_recently_pk(day: str, shard: int) -> str:
    return f"SIGNED#{day}#{shard}"


SIGNED_PREFIX = "SIGNED#"


class SignedRecently(Item, discriminator="signed_recently"):
    """A document signed on a day (Asia/Taipei), for the daily check of what it covers; gone by
    TTL. PK `SIGNED#<day>#<shard of the shop>` (models.shard_of: the daily job's piece for a
    shard reads its partitions, and no key takes every shop's writes), SK
    `SIGNED#<shop>#<order>#<signature>`: a partition lists its shops one after another."""
    shop_id = Text()
    order_id = Text()
    signature_id = Text()
    kind = Text()
    expires_at = Number()

    @staticmethod
    def key(day: str, shop_id: str, order_id: str, signature_id: str) -> Key:
        return {"pk": signed_recently_pk(day, shard_of(shop_id)),
                "sk": f"{SIGNED_PREFIX}{shop_id}#{order_id}#{signature_id}"}


def integrity_alerts_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#ALERTS"


class IntegrityAlert(Item, discriminator="integrity_alert"):
    """An order whose signed documents no longer match it, told to the owner once per
    difference. PK `SHOP#<shop>#ALERTS`, SK `INTEGRITY#<order>#<digest of what differs>`."""
    shop_id = Text()
    order_id = Text()
    number = Text(null=True)
    problems = Values()
    found_at = Text()

    @staticmethod
    def key(shop_id: str, order_id: str, found: str) -> Key:
        return {"pk": integrity_alerts_pk(shop_id), "sk": f"INTEGRITY#{order_id}#{found}"}


def link_hash_index(token_hash: str) -> Key:
    """A link found by its token's hash alone (the customer's page): gsi1."""
    return {"gsi1pk": f"LINKHASH#{token_hash}", "gsi1sk": LINK_SK}


class ProgressLink(Item, discriminator="progress_link"):
    """The customer's progress link (/t/<token>): SK `LINK`; gsi1 `LINKHASH#<SHA-256 of the
    token>` / `LINK`. The token is derived from its generation and never stored; a new
    generation (or `revoked`) ends the old one."""
    shop_id = Text()
    order_id = Text()
    generation = Number()
    token_hash = Text()
    revoked = Flag(null=True)
    revoked_at = Text(null=True)
    revoked_by = Document(null=True)
    issued_at = Text(null=True)
    issued_by = Document(null=True)

    @staticmethod
    def key(shop_id: str, order_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": LINK_SK}


class LinkHash(Item, discriminator="link_hash"):
    """A working progress link found by its token's hash: PK `LINKHASH#<SHA-256 of the token>`,
    SK `LINK` → the shop and order. Written with the `LINK` item, deleted when the link is
    revoked or re-issued, so the customer's page finds the order by a key the token gives (one
    condition check, in the same transaction as the client's guard) rather than by a Query."""
    shop_id = Text()
    order_id = Text()

    @staticmethod
    def key(token_hash: str) -> Key:
        return {"pk": f"LINKHASH#{token_hash}", "sk": LINK_SK}


def followups_pending_pk(shard: int) -> str:
    """The calls not yet due of the shops of one shard (models.shard_of), by due date."""
    return f"FOLLOWUPS_PENDING#{shard}"


def followup_pending_index(due_on: str, shop_id: str, order_id: str) -> Key:
    """Until its day: the daily job's piece for the shop's shard finds it, gsi2sk <= the day."""
    return {"gsi2pk": followups_pending_pk(shard_of(shop_id)),
            "gsi2sk": f"{due_on}#{shop_id}#{order_id}"}


def followups_due_pk(shop_id: str) -> str:
    return f"FOLLOWUPS#{shop_id}"


def followup_due_index(shop_id: str, due_on: str, order_id: str) -> Key:
    """The shop's list of calls to make, oldest first: one Query on gsi2 (left when done)."""
    return {"gsi2pk": followups_due_pk(shop_id), "gsi2sk": f"{due_on}#{order_id}"}


class FollowUp(Item, discriminator="followup"):
    """The follow-up call after delivery (維修後關懷): SK `FOLLOWUP`, written at delivery. gsi2
    `FOLLOWUPS_PENDING#<shard>` / `<due on>#<shop>#<order>` until its day, then the shop's list
    `FOLLOWUPS#<shop>` / `<due on>#<order>` until done. `calls` are the calls made."""
    shop_id = Text()
    order_id = Text()
    number = Text()
    customer = Document()
    vehicle = Document()
    delivered_at = Text()
    delivered_on = Text()
    due_on = Text()
    status = Text()
    calls = Values(null=True)
    call_back_at = Text(null=True)
    case_id = Text(null=True)
    became_due_at = Text(null=True)
    done_at = Text(null=True)
    updated_at = Text(null=True)
    version = Version()

    @staticmethod
    def key(shop_id: str, order_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": FOLLOWUP_SK}


def messages_due_pk(shard: int) -> str:
    """The queued (quiet hours) messages of the shops of one shard (models.shard_of), by time."""
    return f"MESSAGES_DUE#{shard}"


def message_due_index(not_before: str, shop_id: str, order_id: str, message_id: str) -> Key:
    """A message held back by quiet hours: the due ones are one Query a shard, gsi2sk <= now."""
    return {"gsi2pk": messages_due_pk(shard_of(shop_id)),
            "gsi2sk": f"{not_before}#{shop_id}#{order_id}#{message_id}"}


def message_id(step: str, channel: str, occurrence: int = 1) -> str:
    """`ready.sms`; each later time the order reaches the step is a message of its own
    (`awaiting_approval.2.sms`). The first keeps the form every message had before the times
    were counted, so those stored then are the first ones."""
    return f"{step}.{channel}" if occurrence == 1 else f"{step}.{occurrence}.{channel}"


def message_step_prefix(step: str) -> str:
    """The sort keys of a step's messages under its order, every channel and occurrence."""
    return f"{MESSAGE_PREFIX}{step}."


class Message(Item, discriminator="message"):
    """A message to the customer about the order: SK `MESSAGE#<step>[.<occurrence>].<channel>`
    (read with the order). Held back by quiet hours, gsi2 `MESSAGES_DUE#<shard of the shop>` /
    `<not before>#…` until sent. Its state, tries and the provider's delivered/read times."""
    shop_id = Text()
    order_id = Text()
    message_id = Text()
    step = Text()
    channel = Text()
    occurrence = Number(null=True)
    state = Text()
    text = Text(null=True)
    tries = Number(null=True)
    resends = Number(null=True)
    error = Text(null=True)
    provider_id = Text(null=True)
    not_before = Text(null=True)
    created_at = Text()
    updated_at = Text(null=True)
    sent_at = Text(null=True)
    delivered_at = Text(null=True)
    read_at = Text(null=True)
    # A booking's message (chalicelib/outward/booking_messages.py) has no order: its
    # `order_id` is `appt-<appointment>` and it names the customer to send it to; held back,
    # it names the booking too (`appointment_id`): dropped, not sent, once that no longer stands.
    customer_id = Text(null=True)
    appointment_id = Text(null=True)

    @staticmethod
    def key(shop_id: str, order_id: str, message_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{MESSAGE_PREFIX}{message_id}"}


class ApprovalCode(Item, discriminator="approval_code"):
    """The one-time code texted to a customer approving large added work by link: its HMAC,
    never the code. PK `APPROVALCODE#<shop>#<order>` (apart from the order, so the order's
    Query never carries it), SK `APPROVALCODE`; gone by TTL. Tries and sends are taken by
    conditional ADDs before a code is compared or sent."""
    shop_id = Text()
    order_id = Text()
    code_mac = Text(null=True)
    code_expires_at = Number(null=True)
    tries = Number(null=True)
    to = Text(null=True)
    sent_at = Text(null=True)
    hour_started = Text(null=True)
    sends = Number(null=True)
    expires_at = Number()

    @staticmethod
    def key(shop_id: str, order_id: str) -> Key:
        return {"pk": f"APPROVALCODE#{shop_id}#{order_id}", "sk": "APPROVALCODE"}


# --- old-part tags (舊品): in their order's partition; the code claimed across every shop ---

def parts_month_pk(shop_id: str, month: str) -> str:
    """A shop's disposals and supplier returns of a month (Asia/Taipei `YYYY-MM`): gsi2."""
    return f"PARTS#{shop_id}#{month}"


def parts_pending_pk(shop_id: str) -> str:
    """Tags waiting to go back to a supplier (a warranty claim not yet shipped): gsi2."""
    return f"PARTS#{shop_id}#PENDING"


def parts_report_index(gsi2pk: str, at: str, code: str) -> Key:
    return {"gsi2pk": gsi2pk, "gsi2sk": f"{at}#{code}"}


class PartTag(Item, discriminator="part_tag"):
    """An old part's tag: SK `PART#<code>` under its order (read with it), or in the shop's
    `SHOP#<shop>#PARTS` partition when free-standing. gsi2: the month's disposals and returns
    (`PARTS#<shop>#<month>`), or the returns still to ship (`PARTS#<shop>#PENDING`). `events`
    is its custody, `version` guards each move."""
    shop_id = Text()
    tag_id = Text()
    code = Text()
    order_id = Text(null=True)
    order_number = Text(null=True)
    line_id = Text(null=True)
    plate = Text(null=True)
    part_name = Text()
    part_number = Text(null=True)
    quantity = Number(null=True)
    unit = Text(null=True)
    reason = Text(null=True)
    photo_id = Text(null=True)
    wish = Text(null=True)
    wish_by = Text(null=True)
    supplier = Text(null=True)
    state = Text()
    location = Text(null=True)
    disposal = Document(null=True)
    supplier_return = Document(null=True)
    events = Values(null=True)
    created_at = Text()
    created_by = Document(null=True)
    updated_at = Text(null=True)
    version = Version()

    @staticmethod
    def key(shop_id: str, order_id: str | None, code: str) -> Key:
        pk = order_pk(shop_id, order_id) if order_id else f"{shop_pk(shop_id)}#PARTS"
        return {"pk": pk, "sk": f"{PART_PREFIX}{code}"}


class PartCode(Item, discriminator="part_code"):
    """A tag's code, unique across all shops: written with the tag only if new, and how a
    scanned code finds its tag (it names the shop and the order). PK `PARTCODE#<code>`."""
    code = Text()
    shop_id = Text()
    order_id = Text(null=True)
    created_at = Text(null=True)

    @staticmethod
    def key(code: str) -> Key:
        return {"pk": f"PARTCODE#{code}", "sk": "PARTCODE"}


class PartClientId(Item, discriminator="part_client_id"):
    """The tablet's id for a new tag: a replayed create finds the code the first one got. PK
    `SHOP#<shop>#PARTTAG#<tag id>`, SK `PARTTAG`."""
    code = Text()
    order_id = Text(null=True)

    @staticmethod
    def key(shop_id: str, tag_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#PARTTAG#{tag_id}", "sk": "PARTTAG"}
