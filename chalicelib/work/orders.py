"""Repair orders (工單): the number, the steps and their guards, job lines, dispatch, the board.

Everything under an order (header, lines, events) lives in the order's partition, so the order
screen is one Query (chalicelib/work/order_store.py reads and writes it, and holds the states).
The board is one Query on gsi2; a technician's jobs another.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator
from pynamodb.expressions.condition import Condition
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, LongText, ShortText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock, money, tax_ids
from chalicelib.core.errors import Busy, Conflict, Forbidden, Invalid, NotFound, Unprocessable
from chalicelib.records import customers, shop_settings, shops, vehicles
from chalicelib.work import line_options, parts, signatures
from chalicelib.work.order_store import (CLOSED, STATE_NAMES, TRANSITIONS, State, assemble,
                                         balance, busy, event_item, is_job, load, of_lines, read,
                                         save, write)


# --- the guards the steps name (order_store.TRANSITIONS) ---

def _additional_items_answered(order: dict) -> tuple[str, str] | None:
    waiting = [line for line in order["lines"]
               if line["origin"] == "additional" and line["state"] == "proposed"]
    if waiting:
        return (f"還有 {len(waiting)} 個追加項目客戶尚未同意或拒絕。",
                f"{len(waiting)} additional item(s) still wait for the customer's answer.")
    return None


def _authorization_signed(order: dict) -> tuple[str, str] | None:
    if "authorization" not in order.get("signed", {}):
        return ("客戶尚未簽署委修確認單，不能開始施工。",
                "The customer has not signed the service authorization: no work may start.")
    return None


def _checkout_signed(order: dict) -> tuple[str, str] | None:
    if "checkout" not in order.get("signed", {}):
        return ("客戶尚未簽署結帳清單，不能交車。",
                "The customer has not signed the checkout list: the car cannot be delivered.")
    again = signatures.to_sign_again(order).get("checkout")  # old parts tagged since
    return (again["zh"], again["en"]) if again else None


def _within_consented_total(order: dict) -> tuple[str, str] | None:
    """The contract: the shop cannot charge above what the customer consented to (the signed
    authorization plus the approved items of signed estimates) without a new signed estimate."""
    total, consented = int(order["totals"]["total"]), int(order.get("consented_total") or 0)
    if total > consented:
        return (f"合計 {total:,} 元超過客戶同意的 {consented:,} 元，請先請客戶簽署追加估價單。",
                f"The total NT${total:,} is above the NT${consented:,} the customer consented "
                "to: have the customer sign an estimate for the difference first.")
    return None


def _paid(order: dict) -> tuple[str, str] | None:
    """The bill is settled before the car leaves: paid in full (月結 counts for an account
    customer), or a manager let it go unpaid with a reason (work.payments)."""
    due = balance(order)
    if due <= 0 or order.get("unpaid_release"):
        return None
    return (f"還有 {due:,} 元尚未收款，不能交車；月結客戶請記「月結」，或請經理註明原因放行。",
            f"NT${due:,} is still to be paid: the car cannot leave. Record a monthly-account "
            "charge for an account customer, or have a manager let it go with a reason.")


def _quality_passed(order: dict) -> tuple[str, str] | None:
    """The final check (品檢) passed, item by item, by someone other than who did the work."""
    if not (order.get("quality") or {}).get("passed"):
        return ("品檢尚未完成或未通過，不能改為待交車。",
                "The quality check has not passed: the car cannot be ready.")
    return None


# A guard answers None to allow the step, or the (zh, en) reason it is refused.
GUARDS: dict[str, Callable[[dict], tuple[str, str] | None]] = {
    "additional_items_answered": _additional_items_answered,
    "authorization_signed": _authorization_signed,
    "checkout_signed": _checkout_signed,
    "within_consented_total": _within_consented_total,
    "old_parts_decided": lambda order: parts.undecided(order["parts"]),
    "quality_passed": _quality_passed,
    "paid": _paid,
}


# --- request bodies ---

def _promised_utc(text: str) -> str:
    return _utc(text, "promised_at")


# A time the customer is promised, stored UTC; a wall-clock time is the shop's (Asia/Taipei).
PromisedAt = Annotated[str, StringConstraints(max_length=40), AfterValidator(_promised_utc)]


OldParts = Literal["take_back", "dispose", "decide_at_delivery"]


class NewOrder(Body):
    order_id: ClientId
    customer_id: ClientId
    vehicle_id: ClientId
    concerns: list[LongText] = Field(default_factory=list, max_length=20)
    promised_at: PromisedAt | None = None
    waits_in_shop: bool = False
    mileage_km: int | None = Field(default=None, ge=0, le=3_000_000)
    appointment_id: ClientId | None = None
    booked: bool = False
    old_parts: OldParts = "decide_at_delivery"


class Buyer(Body):
    """A business buyer (買受人): the invoice and the checkout list show the total split into
    銷售額 and 稅額 for its 統一編號."""
    tax_id: str = Field(min_length=8, max_length=8)
    title: ShortText

    @field_validator("tax_id")
    @classmethod
    def _checked(cls, value: str) -> str:
        if not tax_ids.valid(value):
            raise field_error("統一編號不正確，請再核對一次。",
                              "tax_id: not a valid 統一編號 (its check digit does not match)")
        return value


class OrderChange(Body):
    concerns: list[LongText] | None = Field(default=None, max_length=20)
    promised_at: PromisedAt | None = None
    waits_in_shop: bool | None = None
    old_parts: OldParts | None = None
    # A business buyer for the invoice; null: the buyer is a consumer again.
    buyer: Buyer | None = None


class PromiseRevision(Body):
    client_id: ClientId
    at: PromisedAt
    reason: ShortText


class TransitionRequest(Body):
    to: State
    client_id: ClientId
    note: LongText | None = None


Hours = Field(default=None, gt=0, le=200, max_digits=6, decimal_places=2)
Quantity = Field(default=None, gt=0, le=10_000, max_digits=8, decimal_places=3)
Price = Field(default=None, ge=0, le=10_000_000)


class NewLine(Body):
    line_id: ClientId
    kind: Literal["labour", "part", "discount"]
    description: ShortText
    hours: Decimal | None = Hours
    rate: int | None = Price
    part_number: str | None = Field(default=None, max_length=60)
    quantity: Decimal | None = Quantity
    unit_price: int | None = Price
    amount: int | None = Field(default=None, gt=0, le=10_000_000)
    origin: Literal["authorization", "additional"] | None = None
    customer_supplied: bool = False  # a part the customer brought: fitted, not warranted
    # Why the work is needed, and a photo of the order showing it: what the customer is shown
    # (and signs) when asked to approve added work.
    reason: LongText | None = None
    photo_id: ClientId | None = None
    # Taken from the catalogue (models/catalogue.py): the part or operation, the part's grade
    # and brand, the service menu it came with; the grades the customer may choose between.
    part_key: str | None = Field(default=None, max_length=80)
    op_code: str | None = Field(default=None, max_length=40)
    grade: models.Grade | None = None
    brand: str | None = Field(default=None, max_length=60)
    menu: line_options.Menu | None = None
    alternatives: list[line_options.Option] | None = Field(default=None,
                                                           max_length=line_options.MAX_OPTIONS)

    @model_validator(mode="after")
    def _priced(self) -> "NewLine":
        needs = {"labour": ("hours", "rate"), "part": ("quantity", "unit_price"),
                 "discount": ("amount",)}[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise field_error(f"這個項目需要填寫：{'、'.join(missing)}。",
                              f"a {self.kind} line needs {', '.join(missing)}")
        if self.customer_supplied and self.kind != "part":
            raise field_error("只有零件可以是客戶自備。", "only a part can be customer supplied")
        if self.kind != "part" and (self.part_key or self.grade or self.brand):
            raise field_error("只有零件有料號鍵、等級與品牌。",
                              "part_key, grade and brand are a part's")
        if self.op_code and self.kind != "labour":
            raise field_error("只有工資項目有工時代碼。", "op_code is a labour line's")
        if self.alternatives is not None:
            line_options.check_alternatives(self.model_dump(exclude_none=True))
        return self


class Finding(Body):
    """What a technician found during the work: a line proposed without a price (the advisor
    prices it and asks the customer), why, and which part of the car; its photos are the
    order's photos whose subject is `line.<line_id>`."""
    line_id: ClientId
    kind: Literal["labour", "part"]
    description: ShortText
    reason: LongText = Field(min_length=1)
    area: ShortText | None = None
    part_number: str | None = Field(default=None, max_length=60)
    quantity: Decimal | None = Quantity


class LineChange(Body):
    description: ShortText | None = None
    hours: Decimal | None = Hours
    rate: int | None = Price
    part_number: str | None = Field(default=None, max_length=60)
    quantity: Decimal | None = Quantity
    unit_price: int | None = Price
    amount: int | None = Field(default=None, gt=0, le=10_000_000)
    state: Literal["proposed", "approved", "declined", "done"] | None = None


class Dispatch(Body):
    technician_id: ClientId
    line_ids: list[ClientId] | None = Field(default=None, max_length=100)


def _utc(text: str, name: str) -> str:
    try:
        moment = clock.parse_iso(text)
    except ValueError:
        raise field_error(f"{name} 的時間格式不正確。", f"{name} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.SHOP_TIMEZONE)  # a wall-clock time is the shop's
    return clock.iso(moment)


# --- reading ---

def view(order: dict, caller: Caller) -> dict:
    """The order as the API answers it, with the steps this caller may take now: composed with
    its documents in signatures.order_view (revising a document answers the order too)."""
    return signatures.order_view(order, caller)


def get_order(caller: Caller, order_id: str) -> dict:
    require(caller, "orders.read")
    return view(load(caller.shop_id, order_id), caller)


# --- creating ---

# A shop's orders of a day share its number counter, so a burst of them takes turns: more tries
# than a single write's for a busy morning's tablets at once (each try is a few reads and one
# transaction; models.retry's waits grow with each, spreading the burst out).
CREATE_ATTEMPTS = 10


def create_order(caller: Caller, body: NewOrder) -> dict:
    """Open the order once, however often and however many at once its request arrives.

    The header, its first event, the day's number, the reception reading and the vehicle's
    mark of its latest order are one transaction, each write conditional on what was read: a
    lost race (another order took the number, another tablet opened this order or another for
    the car, a reading came in) reads again and decides again after a short random wait, and a
    replay whose header exists answers the order as it is. A refused order uses up no number.
    """
    require(caller, "orders.write")
    return models.retry(lambda: _existing(caller, body.order_id) or _open(caller, body),
                        busy=Busy("同時開立的工單太多，請再送一次。",
                                  "Many orders are being opened at this moment: send it again."),
                        attempts=CREATE_ATTEMPTS)


def _open(caller: Caller, body: NewOrder) -> dict:
    """Write the header, its first event, the day's number and the vehicle's part, decided on
    what is stored now; raises models.LostRace when any of it changed since."""
    customer = customers.get_customer(caller.shop_id, body.customer_id)
    vehicle = vehicles.get_vehicle(caller.shop_id, body.vehicle_id, consistent=True)
    if customer is None or vehicle is None:
        raise NotFound("找不到這位客戶或這輛車。", "No such customer or vehicle.")
    _refuse_second_open_order(caller.shop_id, vehicle, body.order_id)
    number, counter, counted = _next_number(caller.shop_id)
    now = clock.now_iso()
    state = "booked" if body.booked else "checked_in"
    header = models.Order.from_dict({
        **models.order_key(caller.shop_id, body.order_id), "type": "order",
        "shop_id": caller.shop_id, "order_id": body.order_id,
        "number": number, "state": state,
        "customer": {"customer_id": customer["customer_id"], "name": customer["name"],
                     "mobile": customer.get("mobile", "")},
        "vehicle": {"vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"],
                    "make": vehicle.get("make", ""), "model": vehicle.get("model", "")},
        "concerns": body.concerns, "waits_in_shop": body.waits_in_shop,
        "old_parts": body.old_parts, "totals": money.totals([]), "technician_names": [],
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        **({"promised_at": body.promised_at} if body.promised_at else {}),
        **({"mileage_km": body.mileage_km} if body.mileage_km is not None else {}),
        **({"appointment_id": body.appointment_id} if body.appointment_id else {}),
        **models.board_index(caller.shop_id, now, body.order_id, None),
        **models.vehicle_orders_index(caller.shop_id, body.vehicle_id, now),
    })  # new: saved without a version, PynamoDB writes 1
    event = models.Event.from_dict(
        event_item(caller, body.order_id, f"created-{body.order_id}", None, state, None, now))
    with models.transaction() as writes:
        writes.save(counter, condition=counted)
        writes.save(header, condition=models.Order.pk.does_not_exist())
        writes.save(event, condition=models.Event.pk.does_not_exist())
        writes.save(models.CustomerOrder.from_dict({
            **models.CustomerOrder.key(caller.shop_id, customer["customer_id"], now,
                                       body.order_id),
            "type": "customer_order", "shop_id": caller.shop_id,
            "customer_id": customer["customer_id"], "order_id": body.order_id,
            "created_at": now}))
        vehicles.order_opening(writes, caller, vehicle, body.order_id, body.mileage_km)
    return view(assemble(header.as_dict(), [event.as_dict()]), caller)


def _existing(caller: Caller, order_id: str) -> dict | None:
    """The order already made with this id (the create replayed), read strongly: whether it
    exists decides whether to write."""
    order = read(caller.shop_id, order_id, consistent=True)
    return view(order, caller) if order else None


# An open order is always among a vehicle's newest (no order opens while another is open);
# a few more cover orders opened before that rule.
OPEN_LOOKBACK = 5


def _refuse_second_open_order(shop_id: str, vehicle: dict, order_id: str) -> None:
    """A car in the shop has one open order: a second, opened by mistake (a booking checked in
    for a car already in), would walk the car around twice and message the customer twice.
    The order being opened is not a second one (its replay may have just written it)."""
    open_order = _open_order_of(shop_id, vehicle["vehicle_id"], vehicles.latest_order_id(vehicle))
    if open_order and open_order["order_id"] != order_id:
        number, (zh, en) = open_order["number"], STATE_NAMES[open_order["state"]]
        raise Conflict(f"這輛車還有未結案的工單 {number}（{zh}），請直接開啟這張工單；"
                       "要另開新工單，請先交車或取消它。",
                       f"This vehicle already has an open order, {number} ({en.lower()}): "
                       "open that one, or deliver or cancel it before opening another.",
                       code="vehicle_has_open_order")


def _open_order_of(shop_id: str, vehicle_id: str, latest: str | None) -> dict | None:
    """The vehicle's order not yet delivered, followed up or cancelled, if any: its newest few
    headers in one Query on its orders index, and its latest order (`latest`, from a strong
    read of the vehicle) read strongly when the index does not show it yet."""
    shown = ["order_id", "number", "state"]
    orders_pk, prefix = models.vehicle_orders_lookup(shop_id, vehicle_id)
    headers = [header.as_dict() for header in models.Order.lookup.query(
        orders_pk, models.Order.gsi1sk.startswith(prefix), scan_index_forward=False,
        limit=OPEN_LOOKBACK, attributes_to_get=shown)]
    if latest and all(header["order_id"] != latest for header in headers):
        key = models.order_key(shop_id, latest)
        try:
            header = models.Order.get(key["pk"], key["sk"], consistent_read=True,
                                      attributes_to_get=shown).as_dict()
            headers = [header, *headers]
        except models.Order.DoesNotExist:
            pass
    return next((header for header in headers if header["state"] not in CLOSED), None)


def _next_number(shop_id: str) -> tuple[str, models.OrderCounter, Condition]:
    """`20261122-007`, and the counter to write in the order's transaction with its condition:
    set to the number only if still at the one before, so no two orders get one number and a
    refused order leaves no gap (an ADD would use the number up before the order is written)."""
    day = clock.local_date()
    key = models.OrderCounter.key(shop_id, day)
    stored = models.OrderCounter.read(key, consistent=True)
    seq = int(stored["seq"]) if stored else 0
    counter = models.OrderCounter.from_dict({**key, "type": "order_counter", "seq": seq + 1})
    seen = (models.OrderCounter.seq == seq) if stored else models.OrderCounter.pk.does_not_exist()
    return f"{day.replace('-', '')}-{seq + 1:03d}", counter, seen


# --- changing ---

def update_order(caller: Caller, order_id: str, body: OrderChange) -> dict:
    return models.retry(lambda: _update_order(caller, order_id, body), busy=busy())


def _update_order(caller: Caller, order_id: str, body: OrderChange) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    refuse_closed(order)
    asked = body.model_dump(exclude_none=True)
    if "buyer" in body.model_fields_set and body.buyer is None:
        asked["buyer"] = None  # removed
    changes = {key: value for key, value in asked.items()
               if order.get(key) != value}  # the same value again (a replay) changes nothing
    for kind, covered in signatures.COVERED_FIELDS.items():
        if kind == "authorization" and order.get("old_parts") == "decide_at_delivery":
            covered = covered - {"old_parts"}  # the customer said they would decide later
        if changes.keys() & covered and kind in order.get("signed", {}):
            refuse_signed(kind)
    if changes:
        jobs = [{**line, "promised_at": changes["promised_at"]} for line in order["lines"]
                if line.get("technician_id")] if "promised_at" in changes else []
        order = save(caller, order, changes, puts=jobs)  # the job lists sort by the promise
    return view(order, caller)


def revise_promise(caller: Caller, order_id: str, body: PromiseRevision) -> dict:
    """A new promised time, with why (added work, a part late). Once the authorization is
    signed it keeps the time it was signed with: the new one is the header's `promise`, an
    event of the order, and a message to the customer (notify, from the stream)."""
    require(caller, "orders.write")
    return models.retry(lambda: _revise_promise(caller, order_id, body), busy=busy())


def _revise_promise(caller: Caller, order_id: str, body: PromiseRevision) -> dict:
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return view(order, caller)
    refuse_closed(order)
    now = clock.now_iso()
    previous = models.promised_time(order)
    if "authorization" in order.get("signed", {}):
        changes: dict = {"promise": {"at": body.at, "reason": body.reason, "by": caller.stamp(),
                                     "revised_at": now, **({"previous": previous}
                                                           if previous else {})}}
    else:
        changes = {"promised_at": body.at}  # nothing signed yet: simply the time
    event = event_item(caller, order_id, body.client_id, order["state"], order["state"],
                       body.reason, now, promise={"at": body.at,
                                                  **({"previous": previous} if previous else {})})
    jobs = [{**line, "promised_at": body.at} for line in order["lines"]
            if line.get("technician_id")]  # the job lists sort by it
    return view(save(caller, order, changes, puts=[event, *jobs]), caller)


def transition(caller: Caller, order_id: str, body: TransitionRequest) -> dict:
    return models.retry(lambda: _transition(caller, order_id, body), busy=busy())


def _transition(caller: Caller, order_id: str, body: TransitionRequest) -> dict:
    """Move the order one step, if the rules and the guards allow it; replays change nothing."""
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return view(order, caller)  # the tablet sent the same step again
    start, to = order["state"], body.to
    step = TRANSITIONS.get((start, to))
    if step is None:
        raise Conflict(f"工單「{STATE_NAMES[start][0]}」不能直接改為「{STATE_NAMES[to][0]}」。",
                       f"An order that is {STATE_NAMES[start][1].lower()} cannot become "
                       f"{STATE_NAMES[to][1].lower()}.", code="transition_not_allowed")
    if caller.role not in step.roles:
        raise Forbidden(f"你的角色不能把工單改為「{STATE_NAMES[to][0]}」。",
                        f"Your role may not move an order to {STATE_NAMES[to][1].lower()}.")
    for guard in step.guards:
        reason = GUARDS[guard](order)
        if reason:
            raise Conflict(*reason, code="transition_not_allowed")
    now = clock.now_iso()
    closed_on = clock.local_date(now) if to in CLOSED else None
    changes: dict = {"state": to, "updated_at": now,
                     **models.board_index(caller.shop_id, order["created_at"], order_id, closed_on)}
    if closed_on:
        changes["closed_on"] = closed_on
        changes.update(at_work=None, help=None)  # nobody works on a closed order
    if to == "quality_check" and order.get("quality"):
        changes["quality"] = None  # each time the car comes to the check, it is checked anew
    line_updates = _lines_on_transition(order, to)
    event = event_item(caller, order_id, body.client_id, start, to, body.note, now)
    if to == "delivered":  # the follow-up call (維修後關懷), due some days from now
        after_days = shop_settings.thresholds(caller.shop_id)["followup_after_days"]
        line_updates.append(models.followup_pending_item(order, now, after_days))
    order = write(caller, order, changes, puts=[event, *line_updates], expect_state=start)
    return view(order, caller)


def _lines_on_transition(order: dict, to: str) -> list[dict]:
    """Lines the step changes: the signed authorization approves its lines; a closed order
    leaves the technicians' job lists."""
    updated = []
    for line in order["lines"]:
        changed = dict(line)
        if to == "authorized" and line["origin"] == "authorization" and line["state"] == "proposed":
            changed["state"] = "approved"
        if to in CLOSED:
            for key in ("gsi2pk", "gsi2sk"):
                changed.pop(key, None)
        if changed != line:
            updated.append(changed)
    return updated


def refuse_signed(kind: str) -> None:
    title = signatures.TITLES[kind]
    raise Conflict(f"客戶已簽署{title['zh']}，內容不能再修改；要修改請先重新製作新版本。",
                   f"The customer signed the {title['en'].lower()}: it cannot change until a new "
                   "version is drawn up and signed.", code="document_signed")


def refuse_closed(order: dict) -> None:
    if order["state"] in CLOSED:
        raise Conflict("這張工單已經結案，不能再修改。", "This order is closed.",
                       code="order_closed")


# --- job lines ---

def add_line(caller: Caller, order_id: str, body: NewLine) -> dict:
    return models.retry(lambda: _add_line(caller, order_id, body), busy=busy())


def _add_line(caller: Caller, order_id: str, body: NewLine) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    if any(line["line_id"] == body.line_id for line in order["lines"]):
        return view(order, caller)  # replay
    refuse_closed(order)
    before_work = order["state"] in ("booked", "checked_in")
    origin = body.origin or ("authorization" if before_work else "additional")
    if origin == "authorization" and not before_work:
        raise Conflict("委修確認後再加的項目要列為追加項目，請客戶另行同意。",
                       "Lines added after authorization are additional work and need the "
                       "customer's consent.", code="needs_consent")
    for kind in ("authorization", "checkout"):
        if kind in order.get("signed", {}) and (kind == "checkout" or origin == "authorization"):
            refuse_signed(kind)
    if body.photo_id and not any(photo["photo_id"] == body.photo_id for photo in order["photos"]):
        raise Unprocessable("找不到這張照片：請先上傳到這張工單。",
                            "photo_id: no such photo on this order (upload it first).",
                            code="unknown_photo")
    amount = money.line_amount(body.kind, hours=body.hours, rate=body.rate,
                               quantity=body.quantity, unit_price=body.unit_price,
                               amount=body.amount)
    line = {**models.Line.key(caller.shop_id, order_id, body.line_id), "type": "order_line",
            "line_id": body.line_id, "kind": body.kind, "description": body.description,
            "amount": amount, "origin": origin, "state": "proposed",
            "created_at": clock.now_iso(), "created_by": caller.stamp(),
            **{key: value for key in ("hours", "rate", "part_number", "quantity", "unit_price")
               if (value := getattr(body, key)) is not None},
            **({"customer_supplied": True} if body.customer_supplied else {}),
            **{key: value for key in ("reason", "photo_id", "part_key", "op_code", "grade",
                                      "brand") if (value := getattr(body, key))}}
    if body.menu:
        line.update(menu_id=body.menu.menu_id, menu=body.menu.model_dump(exclude_none=True))
    if body.alternatives is not None:
        line["alternatives"] = [option.model_dump(exclude_none=True)
                                for option in body.alternatives]
    supply = line_options.initial_supply(caller.shop_id, line)
    if supply:
        line["supply"] = supply
    lines = [*order["lines"], line]
    return view(save(caller, order, of_lines(lines), puts=[line]), caller)


def choose(caller: Caller, order_id: str, line_id: str, body: line_options.Choice) -> dict:
    """The advisor records the customer's choice between a line's grades (正廠 / 副廠…) at the
    counter: the option's part and price become the line's."""
    require(caller, "orders.write")
    return view(models.retry(lambda: _choose(caller, load(caller.shop_id, order_id), line_id,
                                             body.option), busy=busy()), caller)


def choose_for_customer(shop_id: str, order_id: str, line_id: str, option: int) -> dict:
    """The customer chooses on their page (the link's token named the order): the same rule."""
    def attempt() -> dict:
        order = load(shop_id, order_id)
        customer = Caller(shop_id=shop_id, staff_id="customer", role="customer",
                          name=order["customer"]["name"])
        return _choose(customer, order, line_id, option)

    return models.retry(attempt, busy=busy())


def _choose(caller: Caller, order: dict, line_id: str, option: int) -> dict:
    """The order with the option chosen (as it was, for a replay)."""
    updated = line_options.chosen(order, line_id, option)
    if updated is line_options.line_of(order, line_id):
        return order
    lines = [updated if item["line_id"] == line_id else item for item in order["lines"]]
    # Not once a signature covers it, even one written since this read: checked with the write.
    return save(caller, order, of_lines(lines), puts=[updated], unfrozen=[updated["sk"]])


def set_supply(caller: Caller, order_id: str, line_id: str,
               body: line_options.SupplyChange) -> dict:
    """A part's status (有庫存 / 待訂 / 已訂 with its supplier and expected date / 已到): the
    header's parts_wait follows; a new expected date tells the customer (notify, from the
    stream)."""
    require(caller, "orders.write")
    return models.retry(lambda: _set_supply(caller, order_id, line_id, body), busy=busy())


def _set_supply(caller: Caller, order_id: str, line_id: str,
                body: line_options.SupplyChange) -> dict:
    order = load(caller.shop_id, order_id)
    refuse_closed(order)
    line = line_options.line_of(order, line_id)
    updated = line_options.supplied(line, body)
    if updated == line:
        return view(order, caller)
    updated["updated_at"] = clock.now_iso()
    lines = [updated if item["line_id"] == line_id else item for item in order["lines"]]
    return view(save(caller, order, of_lines(lines), puts=[updated]), caller)


def propose(caller: Caller, order_id: str, body: Finding) -> dict:
    """A technician (or the advisor) records a problem found during the work: an added line,
    proposed and not yet priced, that comes back to whoever found it once it is approved."""
    require(caller, "photos.write")  # everyone on the floor
    return models.retry(lambda: _propose(caller, order_id, body), busy=busy())


def _propose(caller: Caller, order_id: str, body: Finding) -> dict:
    order = load(caller.shop_id, order_id)
    if any(line["line_id"] == body.line_id for line in order["lines"]):
        return view(order, caller)  # replay
    refuse_closed(order)
    if order["state"] not in WORK_STATES:
        raise Conflict("開工後才能提出追加項目；開工前請列在委修確認單。",
                       "Findings are added once work started; before, lines go on the "
                       "service authorization.", code="not_in_progress")
    if "checkout" in order.get("signed", {}):
        refuse_signed("checkout")
    now = clock.now_iso()
    line = {**models.Line.key(caller.shop_id, order_id, body.line_id), "type": "order_line",
            "line_id": body.line_id, "kind": body.kind, "description": body.description,
            "amount": 0, "origin": "additional", "state": "proposed", "unpriced": True,
            "reason": body.reason, "created_at": now, "created_by": caller.stamp(),
            **{key: value for key in ("area", "part_number", "quantity")
               if (value := getattr(body, key)) is not None}}
    if caller.role == "technician":  # it comes back to them once approved, without a dispatch
        line.update(_assigned(order, line, caller.stamp()))
    lines = [*order["lines"], line]
    names = _technician_names(lines)
    return view(save(caller, order, {**of_lines(lines), "technician_names": names},
                     puts=[line]), caller)


# The order's states while work goes on: findings, time on jobs.
WORK_STATES = ("authorized", "in_progress", "awaiting_approval", "quality_check")


def update_line(caller: Caller, order_id: str, line_id: str, body: LineChange) -> dict:
    return models.retry(lambda: _update_line(caller, order_id, line_id, body), busy=busy())


def _update_line(caller: Caller, order_id: str, line_id: str, body: LineChange) -> dict:
    order = load(caller.shop_id, order_id)
    line = line_options.line_of(order, line_id)
    changes = body.model_dump(exclude_none=True)
    if caller.role == "technician":
        _check_technician_change(caller, order, line, changes)
    else:
        require(caller, "orders.write")
        refuse_closed(order)
        _check_price_change(order, line, changes)
    updated = {**line, **changes}
    if changes.keys() & {"hours", "rate", "quantity", "unit_price", "amount"}:
        _check_priced(updated)
        updated.pop("unpriced", None)
        updated["amount"] = money.line_amount(
            updated["kind"], hours=updated.get("hours"), rate=updated.get("rate"),
            quantity=updated.get("quantity"), unit_price=updated.get("unit_price"),
            amount=updated.get("amount"))
    if updated == line:
        return view(order, caller)
    updated["updated_at"] = clock.now_iso()
    if changes.get("state") in ("approved", "declined"):
        updated["answered_at"] = updated["updated_at"]
    header = {}
    if changes.get("state") == "done" and (line.get("clock") or {}).get("state") in (
            "running", "paused"):  # marked done without the clock's finish: it stops now
        updated["clock"] = clocked(line["clock"], "finished", caller.stamp(), clock.now_iso())
    lines = [updated if item["line_id"] == line_id else item for item in order["lines"]]
    if updated.get("clock") != line.get("clock"):
        header["at_work"] = at_work(lines)
    # A priced change (or a line declined) must not land on a line a signature covers, even if
    # a signature was written since this read: the database checks it with the write.
    guarded = [updated["sk"]] if changes.keys() - {"state"} or changes.get("state") == "declined" \
        else []
    return view(save(caller, order, {**of_lines(lines), **header}, puts=[updated],
                     unfrozen=guarded), caller)


def clocked(current: dict, state: str, who: dict, at: str, reason: str | None = None) -> dict:
    """A line's clock after a tap at `at`: its state (running, paused, finished), since when,
    who, and the seconds worked by each person (a running period counts when it stops)."""
    seconds = int(current.get("seconds") or 0)
    by_staff = dict(current.get("by_staff") or {})
    if current.get("state") == "running":
        worked = int((clock.parse_iso(at) - clock.parse_iso(current["since"])).total_seconds())
        seconds += worked
        runner = current["by"]["staff_id"]
        by_staff[runner] = int(by_staff.get(runner, 0)) + worked
    return {"state": state, "since": at, "by": who, "seconds": seconds, "by_staff": by_staff,
            "started_at": current.get("started_at") or at,
            **({"reason": reason} if state == "paused" and reason else {}),
            **({"finished_at": at} if state == "finished" else {})}


def at_work(lines: list[dict]) -> list[dict]:
    """Who works on which line now (and who paused, and why), with the time counted so far and
    the hours sold: the header keeps it for the board, which reads headers alone (and flags a
    job over its sold hours)."""
    working = []
    for line in lines:
        now = line.get("clock") or {}
        if now.get("state") in ("running", "paused"):
            working.append({"line_id": line["line_id"], "description": line["description"],
                            "staff_id": now["by"]["staff_id"], "name": now["by"]["name"],
                            "state": now["state"], "since": now["since"],
                            "seconds": int(now.get("seconds") or 0),
                            **({"sold_hours": line["hours"]}
                               if line["kind"] == "labour" and line.get("hours") else {}),
                            **({"reason": now["reason"]} if now.get("reason") else {})})
    return working


def _check_priced(line: dict) -> None:
    """A line priced (a technician's finding, priced by the advisor) has what its kind needs."""
    needs = {"labour": ("hours", "rate"), "part": ("quantity", "unit_price"),
             "discount": ("amount",)}[line["kind"]]
    missing = [name for name in needs if line.get(name) is None]
    if missing:
        raise Unprocessable(f"這個項目需要填寫：{'、'.join(missing)}。",
                            f"a {line['kind']} line needs {', '.join(missing)}",
                            code="validation")


def _check_technician_change(caller: Caller, order: dict, line: dict, changes: dict) -> None:
    if set(changes) != {"state"} or changes["state"] != "done":
        raise Forbidden("技師只能把自己的項目標為完成。", "A technician may only mark their own "
                        "lines done.")
    if line.get("technician_id") != caller.staff_id:
        raise Forbidden("這個項目沒有派給你。", "This line is not assigned to you.")
    check_done(order, line)


def check_done(order: dict, line: dict) -> None:
    """A line may be done while the work goes on, or once the car is ready (a small job the
    customer asked for at the counter, added and answered there)."""
    if order["state"] not in ("in_progress", "quality_check", "ready") \
            or line["state"] != "approved":
        raise Conflict("只有維修中、已同意的項目可以標為完成。",
                       "Only approved lines of an order in progress can be marked done.",
                       code="line_not_ready")
    if line["origin"] == "additional" and not line.get("estimate_signature_id"):
        raise Conflict("追加項目要等客戶簽署估價單後才能施工完成。",
                       "An additional item can be done only once the customer signed its "
                       "estimate.", code="needs_signed_estimate")


def _refuse_frozen_line(line: dict, changes: dict) -> None:
    """A line a signature covers keeps its price and its answer; only its work goes on."""
    if line.get("frozen_by") and (changes.keys() - {"state"} or changes.get("state") == "declined"):
        raise Conflict("客戶已簽署的項目不能修改；要修改請先重新製作新版本。",
                       "A signed document covers this line: it cannot change until a new "
                       "version is drawn up and signed.", code="document_signed")


def _check_price_change(order: dict, line: dict, changes: dict) -> None:
    """Signed means frozen: what the customer consented to cannot change without new consent."""
    priced = changes.keys() - {"state"}
    _refuse_frozen_line(line, changes)
    consented = line["state"] in ("approved", "done") or (
        line["origin"] == "authorization" and order["state"] not in ("booked", "checked_in"))
    if priced and consented:
        raise Conflict("客戶已同意的項目不能修改，請另開追加項目。",
                       "The customer consented to this line: add an additional line instead.",
                       code="line_frozen")
    if changes.get("state") == "done":
        check_done(order, line)


def delete_line(caller: Caller, order_id: str, line_id: str) -> dict:
    return models.retry(lambda: _delete_line(caller, order_id, line_id), busy=busy())


def _delete_line(caller: Caller, order_id: str, line_id: str) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    refuse_closed(order)
    line = line_options.line_of(order, line_id)
    _refuse_frozen_line(line, {"removed": True})
    if line["state"] != "proposed" or (
            line["origin"] == "authorization" and order["state"] not in ("booked", "checked_in")):
        raise Conflict("只有尚未同意的項目可以刪除。", "Only lines not yet consented to can be "
                       "removed.", code="line_frozen")
    lines = [item for item in order["lines"] if item["line_id"] != line_id]
    key = models.Line.key(caller.shop_id, order_id, line_id)
    return view(save(caller, order, of_lines(lines), deletes=[key],
                     unfrozen=[key["sk"]]), caller)


# --- dispatch (派工) ---

def dispatch(caller: Caller, order_id: str, body: Dispatch) -> dict:
    return models.retry(lambda: _dispatch(caller, order_id, body), busy=busy())


def _dispatch(caller: Caller, order_id: str, body: Dispatch) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    refuse_closed(order)
    technician = shops.get_staff(caller.shop_id, body.technician_id)
    if not technician or not technician.get("active", True):
        raise NotFound("找不到這位技師。", "No such technician.")
    chosen = [line for line in order["lines"] if line["state"] != "declined" and is_job(line)
              and (body.line_ids is None or line["line_id"] in body.line_ids)]
    if body.line_ids is not None and len(chosen) != len(set(body.line_ids)):
        raise NotFound("找不到其中某個項目，或它不是施工項目（折扣、客戶自備零件不派工）。",
                       "One of the lines is not on this order, or is not work (a discount or a "
                       "part the customer brought is never a job).")
    if not chosen:
        raise Invalid("這張工單還沒有可派工的項目。", "This order has no lines to dispatch.",
                      code="nothing_to_dispatch")
    running = [line for line in chosen if (line.get("clock") or {}).get("state") == "running"
               and line.get("technician_id") != technician["staff_id"]]
    if running:  # the clock would go on for the one who stopped having the job
        line = running[0]
        raise Conflict(f"「{line['description']}」正由{line['clock']['by']['name']}施工中，"
                       "請先暫停再改派。",
                       f"{line['clock']['by']['name']} is working on “{line['description']}”: "
                       "pause it before giving it to someone else.", code="job_running")
    who = {"staff_id": technician["staff_id"], "name": technician["name"]}
    updated = [{**line, **_assigned(order, line, who)} for line in chosen]
    by_id = {line["line_id"]: line for line in updated}
    lines = [by_id.get(line["line_id"], line) for line in order["lines"]]
    event = event_item(caller, order_id, f"dispatch-{clock.now_iso()}-{technician['staff_id']}",
                       order["state"], order["state"], None, clock.now_iso(),
                       dispatched_to=who, line_ids=[line["line_id"] for line in chosen])
    return view(save(caller, order, {"technician_names": _technician_names(lines)},
                     puts=[*updated, event]), caller)


def _assigned(order: dict, line: dict, technician: dict) -> dict:
    """What a line carries once given to a technician: who, and what their job list shows of
    its order (one Query of the technician's jobs, nothing else read)."""
    return {"technician_id": technician["staff_id"], "technician_name": technician["name"],
            "order_id": order["order_id"], "order_number": order["number"],
            "plate": order["vehicle"]["plate"],
            **({"promised_at": promised} if (promised := models.promised_time(order)) else {}),
            **models.jobs_index(order["shop_id"], technician["staff_id"], order["created_at"],
                                order["order_id"], line["line_id"])}


def _technician_names(lines: list[dict]) -> list[str]:
    return sorted({line["technician_name"] for line in lines if line.get("technician_name")})
