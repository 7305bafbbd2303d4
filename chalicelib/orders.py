"""Repair orders (工單): the number, the states and who may move them, job lines, dispatch.

Everything under an order (header, lines, events) lives in the order's partition, so the order
screen is one Query. The board is one Query on gsi2; a technician's jobs another.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from typing_extensions import Annotated

from chalicelib import aws, db, money
from chalicelib.api import Body, Caller, ClientId, LongText, ShortText, field_error
from chalicelib.errors import Busy, Conflict, Forbidden, Invalid, NotFound
from chalicelib.roles import EVERYONE, FRONT_DESK, require

State = Literal["booked", "checked_in", "authorized", "in_progress", "awaiting_approval",
                "quality_check", "ready", "delivered", "followed_up", "cancelled"]
STATES: tuple[str, ...] = State.__args__  # the board's columns, in the order of the work
CLOSED = frozenset({"delivered", "followed_up", "cancelled"})

STATE_NAMES = {
    "booked": ("已預約", "Booked"), "checked_in": ("已接車", "Checked in"),
    "authorized": ("已委修", "Authorized"), "in_progress": ("維修中", "In progress"),
    "awaiting_approval": ("待追加同意", "Awaiting approval"),
    "quality_check": ("品檢中", "Quality check"), "ready": ("待交車", "Ready"),
    "delivered": ("已交車", "Delivered"), "followed_up": ("已關懷", "Followed up"),
    "cancelled": ("已取消", "Cancelled"),
}


@dataclass(frozen=True)
class Step:
    """Who may take a step. Issues that guard a step add a guard name here (below)."""
    roles: frozenset[str]
    guards: tuple[str, ...] = ()


# DESIGN.md §1. Guards to come: checked_in → authorized needs the signed service authorization
# and awaiting_approval → in_progress every additional item answered (signature issue);
# quality_check → ready the final inspection; ready → delivered the signed checkout list.
TRANSITIONS: dict[tuple[str, str], Step] = {
    ("booked", "checked_in"): Step(FRONT_DESK),
    ("checked_in", "authorized"): Step(FRONT_DESK),
    ("authorized", "in_progress"): Step(EVERYONE),
    ("in_progress", "awaiting_approval"): Step(FRONT_DESK),
    ("awaiting_approval", "in_progress"): Step(FRONT_DESK, guards=("additional_items_answered",)),
    ("in_progress", "quality_check"): Step(EVERYONE),
    ("quality_check", "in_progress"): Step(EVERYONE),  # the check found something: back to work
    ("quality_check", "ready"): Step(FRONT_DESK),
    ("ready", "delivered"): Step(FRONT_DESK),
    ("delivered", "followed_up"): Step(FRONT_DESK),
    **{(state, "cancelled"): Step(FRONT_DESK)
       for state in ("booked", "checked_in", "authorized", "in_progress", "awaiting_approval",
                     "quality_check", "ready")},
}


def _additional_items_answered(order: dict) -> tuple[str, str] | None:
    waiting = [line for line in order["lines"]
               if line["origin"] == "additional" and line["state"] == "proposed"]
    if waiting:
        return (f"還有 {len(waiting)} 個追加項目客戶尚未同意或拒絕。",
                f"{len(waiting)} additional item(s) still wait for the customer's answer.")
    return None


# A guard returns None to allow the step, or the (zh, en) reason it is refused.
GUARDS: dict[str, Callable[[dict], tuple[str, str] | None]] = {
    "additional_items_answered": _additional_items_answered,
}


def next_states(state: str, role: str) -> list[str]:
    return [to for (start, to), step in TRANSITIONS.items() if start == state and role in step.roles]


def can_move(state: str, to: str, role: str) -> bool:
    step = TRANSITIONS.get((state, to))
    return step is not None and role in step.roles


# --- request bodies ---

def _promised_utc(text: str) -> str:
    return _utc(text, "promised_at")


# A time the customer is promised, stored UTC; a wall-clock time is the shop's (Asia/Taipei).
PromisedAt = Annotated[str, StringConstraints(max_length=40), AfterValidator(_promised_utc)]


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


class OrderChange(Body):
    concerns: list[LongText] | None = Field(default=None, max_length=20)
    promised_at: PromisedAt | None = None
    waits_in_shop: bool | None = None


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

    @model_validator(mode="after")
    def _priced(self) -> "NewLine":
        needs = {"labour": ("hours", "rate"), "part": ("quantity", "unit_price"),
                 "discount": ("amount",)}[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise field_error(f"這個項目需要填寫：{'、'.join(missing)}。",
                              f"a {self.kind} line needs {', '.join(missing)}")
        return self


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


class BoardQuery(Body):
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class JobsQuery(Body):
    technician_id: ClientId | None = None


def _utc(text: str, name: str) -> str:
    try:
        moment = db.parse_iso(text)
    except ValueError:
        raise field_error(f"{name} 的時間格式不正確。", f"{name} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=db.SHOP_TIMEZONE)  # a wall-clock time is the shop's
    return db.iso(moment)


# --- reading ---

def load(shop_id: str, order_id: str) -> dict:
    """The order with its lines and events, from one Query on its partition."""
    from boto3.dynamodb.conditions import Key

    items = aws.table().query(
        KeyConditionExpression=Key("pk").eq(db.order_pk(shop_id, order_id)))["Items"]
    header = next((item for item in items if item["sk"] == db.ORDER_SK), None)
    if header is None:
        raise NotFound("找不到這張工單。", "No such repair order.")
    lines = sorted((item for item in items if item["sk"].startswith(db.LINE_PREFIX)),
                   key=lambda line: line["created_at"])
    events = sorted((item for item in items if item["sk"].startswith(db.EVENT_PREFIX)),
                    key=lambda event: event["at"])
    return {**header, "lines": lines, "events": events}


_HIDDEN = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "type", "version"}


def view(order: dict, caller: Caller) -> dict:
    """The order as the API answers it, with the steps this caller may take now."""
    clean = {key: value for key, value in order.items() if key not in _HIDDEN}
    clean["lines"] = [{k: v for k, v in line.items() if k not in _HIDDEN}
                      for line in order["lines"]]
    clean["events"] = [{k: v for k, v in event.items() if k not in _HIDDEN}
                       for event in order["events"]]
    clean["next_states"] = next_states(order["state"], caller.role)
    return clean


def get_order(caller: Caller, order_id: str) -> dict:
    require(caller, "orders.read")
    return view(load(caller.shop_id, order_id), caller)


def board(caller: Caller, query: BoardQuery) -> dict:
    """The day's board: every open order and those closed that day, by state, in one Query."""
    from boto3.dynamodb.conditions import Key

    day = query.date or db.local_date()
    items = _query_all(IndexName=db.GSI_LISTS,
                       KeyConditionExpression=Key("gsi2pk").eq(db.board_pk(caller.shop_id))
                       & Key("gsi2sk").gte(day))
    columns: dict[str, list] = {state: [] for state in STATES}
    for order in items:
        if order.get("closed_on") and order["closed_on"] != day:
            continue
        columns[order["state"]].append(summary(order))
    for cards in columns.values():
        cards.sort(key=lambda card: (card.get("promised_at") or "~", card["number"]))
    return {"date": day, "columns": columns,
            "counts": {state: len(cards) for state, cards in columns.items()}}


def summary(order: dict) -> dict:
    vehicle, customer = order["vehicle"], order["customer"]
    return {"order_id": order["order_id"], "number": order["number"], "state": order["state"],
            "plate": vehicle["plate"], "make": vehicle.get("make", ""),
            "model": vehicle.get("model", ""), "customer_name": customer["name"],
            "promised_at": order.get("promised_at"), "waits_in_shop": order["waits_in_shop"],
            "technician_names": order.get("technician_names", []),
            "total": order["totals"]["total"], "created_at": order["created_at"]}


def _query_all(**kwargs) -> list[dict]:
    table, items = aws.table(), []
    while True:
        page = table.query(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# --- creating ---

def create_order(caller: Caller, body: NewOrder) -> dict:
    from botocore.exceptions import ClientError

    from chalicelib import customers, vehicles

    require(caller, "orders.write")
    replay = _existing(caller, body.order_id)
    if replay:
        return replay
    customer = customers.get_customer(caller.shop_id, body.customer_id)
    vehicle = vehicles.get_vehicle(caller.shop_id, body.vehicle_id)
    if customer is None or vehicle is None:
        raise NotFound("找不到這位客戶或這輛車。", "No such customer or vehicle.")
    if body.mileage_km is not None:
        vehicles.record_mileage(caller, body.vehicle_id, body.mileage_km, "reception")
    now = db.now_iso()
    state = "booked" if body.booked else "checked_in"
    header = {
        **db.order_key(caller.shop_id, body.order_id), "type": "order",
        "shop_id": caller.shop_id, "order_id": body.order_id,
        "number": _next_number(caller.shop_id), "state": state,
        "customer": {"customer_id": customer["customer_id"], "name": customer["name"],
                     "mobile": customer.get("mobile", "")},
        "vehicle": {"vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"],
                    "make": vehicle.get("make", ""), "model": vehicle.get("model", "")},
        "concerns": body.concerns, "waits_in_shop": body.waits_in_shop,
        "totals": money.totals([]), "technician_names": [], "created_at": now,
        "updated_at": now, "created_by": caller.stamp(), "version": 1,
        **({"promised_at": body.promised_at} if body.promised_at else {}),
        **({"mileage_km": body.mileage_km} if body.mileage_km is not None else {}),
        **({"appointment_id": body.appointment_id} if body.appointment_id else {}),
        **db.board_index(caller.shop_id, now, body.order_id, None),
        **db.vehicle_orders_index(caller.shop_id, body.vehicle_id, now),
    }
    event = _event(caller, body.order_id, f"created-{body.order_id}", None, state, None, now)
    try:
        db.transact_put([header, event])
    except ClientError as err:
        if not db.refused(err):
            raise
        replay = _existing(caller, body.order_id)  # a second tablet's replay won the race
        if replay:
            return replay
        raise
    return view({**header, "lines": [], "events": [event]}, caller)


def _existing(caller: Caller, order_id: str) -> dict | None:
    try:
        return view(load(caller.shop_id, order_id), caller)
    except NotFound:
        return None


def _next_number(shop_id: str) -> str:
    """`20261122-007`: the shop's day and a counter no two tablets can both get (ADD is atomic)."""
    day = db.local_date()
    answer = aws.table().update_item(
        Key=db.order_counter_key(shop_id, day), UpdateExpression="ADD seq :one",
        ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")
    return f"{day.replace('-', '')}-{int(answer['Attributes']['seq']):03d}"


def _event(caller: Caller, order_id: str, event_id: str, start: str | None, to: str,
           note: str | None, at: str, **extra) -> dict:
    """Who did what to the order, when, from which device (kept under the order for good)."""
    return {**db.event_key(caller.shop_id, order_id, event_id), "type": "order_event",
            "event_id": event_id, "at": at, "by": caller.stamp(),
            "device_id": caller.device_id, "from": start, "to": to,
            **({"note": note} if note else {}), **extra}


# --- changing ---

def update_order(caller: Caller, order_id: str, body: OrderChange) -> dict:
    return _retry(lambda: _update_order(caller, order_id, body))


def _update_order(caller: Caller, order_id: str, body: OrderChange) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    _refuse_closed(order)
    changes = body.model_dump(exclude_none=True)
    if changes:
        order = _save_header(caller, order, changes)
    return view(order, caller)


def transition(caller: Caller, order_id: str, body: TransitionRequest) -> dict:
    return _retry(lambda: _transition(caller, order_id, body))


def _transition(caller: Caller, order_id: str, body: TransitionRequest) -> dict:
    """Move the order one step, if the rules and the guards allow it; replays change nothing."""
    from botocore.exceptions import ClientError

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
    now = db.now_iso()
    closed_on = db.local_date(now) if to in CLOSED else None
    changes: dict = {"state": to, "updated_at": now,
                     **db.board_index(caller.shop_id, order["created_at"], order_id, closed_on)}
    if closed_on:
        changes["closed_on"] = closed_on
    line_updates = _lines_on_transition(order, to)
    event = _event(caller, order_id, body.client_id, start, to, body.note, now)
    try:
        order = _write(caller, order, changes, puts=[event, *line_updates], expect_state=start)
    except ClientError as err:
        if not db.refused(err):
            raise
        raise _LostRace from None
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


def _refuse_closed(order: dict) -> None:
    if order["state"] in CLOSED:
        raise Conflict("這張工單已經結案，不能再修改。", "This order is closed.",
                       code="order_closed")


def _save_header(caller: Caller, order: dict, changes: dict, puts: list[dict] = (),
                 deletes: list[dict] = ()) -> dict:
    from botocore.exceptions import ClientError

    try:
        return _write(caller, order, {**changes, "updated_at": db.now_iso()}, puts=list(puts),
               deletes=list(deletes))
    except ClientError as err:
        if not db.refused(err):
            raise
        raise _LostRace from None


class _LostRace(Exception):
    """Another write changed the order between this one's read and its write."""


WRITE_ATTEMPTS = 6


def _retry(write: Callable[[], dict]) -> dict:
    """Read, decide and write again when another tablet wrote in between: the second try sees
    their change (a step already taken, a line already added) and decides anew. DynamoDB may
    cancel both of two transactions that meet, so each waits a little, at random, first."""
    import random
    import time

    for attempt in range(WRITE_ATTEMPTS):
        try:
            return write()
        except _LostRace:
            time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
    raise Busy("工單正被多人同時修改，請再送一次。",
               "Several people are changing this order right now: send it again.")


def _write(caller: Caller, order: dict, changes: dict, puts: list[dict],
           expect_state: str | None = None, deletes: list[dict] = ()) -> dict:
    """The header's changes and the items beside it in one transaction, guarded by the header's
    version so two tablets never overwrite each other's totals. Returns the order as it now is
    (the transaction succeeded, so no second read is needed to answer)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    values = {f":{key}": serializer.serialize(value) for key, value in changes.items()}
    values[":version"] = serializer.serialize(order["version"])
    values[":one"] = serializer.serialize(1)
    condition = "version = :version"
    names = {f"#{key}": key for key in changes}
    if expect_state:
        values[":expected"] = serializer.serialize(expect_state)
        names["#state"] = "state"
        condition += " AND #state = :expected"
    header_key = db.order_key(caller.shop_id, order["order_id"])
    items = [{"Update": {
        "TableName": aws.table().name,
        "Key": {key: serializer.serialize(value) for key, value in header_key.items()},
        "UpdateExpression": "SET " + ", ".join(f"#{key} = :{key}" for key in changes)
                            + " ADD version :one",
        "ConditionExpression": condition, "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values}}]
    items += [{"Put": {"TableName": aws.table().name,
                       "Item": {key: serializer.serialize(value) for key, value in item.items()}}}
              for item in puts]
    items += [{"Delete": {"TableName": aws.table().name,
                          "Key": {k: serializer.serialize(v) for k, v in key.items()}}}
              for key in deletes]
    aws.client("dynamodb").transact_write_items(TransactItems=items)
    return _applied(order, changes, puts, deletes)


def _applied(order: dict, changes: dict, puts: list[dict], deletes: list[dict]) -> dict:
    header = {key: value for key, value in order.items() if key not in ("lines", "events")}
    header.update(changes, version=order["version"] + 1)
    items = {item["sk"]: item for item in (*order["lines"], *order["events"])}
    items.update({item["sk"]: item for item in puts})
    for key in deletes:
        items.pop(key["sk"], None)
    lines = [item for item in items.values() if item["sk"].startswith(db.LINE_PREFIX)]
    events = [item for item in items.values() if item["sk"].startswith(db.EVENT_PREFIX)]
    return {**header, "lines": sorted(lines, key=lambda line: line["created_at"]),
            "events": sorted(events, key=lambda event: event["at"])}


# --- job lines ---

def add_line(caller: Caller, order_id: str, body: NewLine) -> dict:
    return _retry(lambda: _add_line(caller, order_id, body))


def _add_line(caller: Caller, order_id: str, body: NewLine) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    if any(line["line_id"] == body.line_id for line in order["lines"]):
        return view(order, caller)  # replay
    _refuse_closed(order)
    before_work = order["state"] in ("booked", "checked_in")
    origin = body.origin or ("authorization" if before_work else "additional")
    if origin == "authorization" and not before_work:
        raise Conflict("委修確認後再加的項目要列為追加項目，請客戶另行同意。",
                       "Lines added after authorization are additional work and need the "
                       "customer's consent.", code="needs_consent")
    amount = money.line_amount(body.kind, hours=body.hours, rate=body.rate,
                               quantity=body.quantity, unit_price=body.unit_price,
                               amount=body.amount)
    line = {**db.line_key(caller.shop_id, order_id, body.line_id), "type": "order_line",
            "line_id": body.line_id, "kind": body.kind, "description": body.description,
            "amount": amount, "origin": origin, "state": "proposed",
            "created_at": db.now_iso(), "created_by": caller.stamp(),
            **{key: value for key in ("hours", "rate", "part_number", "quantity", "unit_price")
               if (value := getattr(body, key)) is not None}}
    lines = [*order["lines"], line]
    return view(_save_header(caller, order, {"totals": _totals(lines)}, puts=[line]), caller)


def _totals(lines: list[dict]) -> dict:
    return money.totals(line["amount"] for line in lines if line["state"] != "declined")


def update_line(caller: Caller, order_id: str, line_id: str, body: LineChange) -> dict:
    return _retry(lambda: _update_line(caller, order_id, line_id, body))


def _update_line(caller: Caller, order_id: str, line_id: str, body: LineChange) -> dict:
    order = load(caller.shop_id, order_id)
    line = _line(order, line_id)
    changes = body.model_dump(exclude_none=True)
    if caller.role == "technician":
        _check_technician_change(caller, order, line, changes)
    else:
        require(caller, "orders.write")
        _refuse_closed(order)
        _check_price_change(order, line, changes)
    updated = {**line, **changes}
    if changes.keys() & {"hours", "rate", "quantity", "unit_price", "amount"}:
        updated["amount"] = money.line_amount(
            updated["kind"], hours=updated.get("hours"), rate=updated.get("rate"),
            quantity=updated.get("quantity"), unit_price=updated.get("unit_price"),
            amount=updated.get("amount"))
    if updated == line:
        return view(order, caller)
    updated["updated_at"] = db.now_iso()
    lines = [updated if item["line_id"] == line_id else item for item in order["lines"]]
    return view(_save_header(caller, order, {"totals": _totals(lines)}, puts=[updated]), caller)


def _check_technician_change(caller: Caller, order: dict, line: dict, changes: dict) -> None:
    if set(changes) != {"state"} or changes["state"] != "done":
        raise Forbidden("技師只能把自己的項目標為完成。", "A technician may only mark their own "
                        "lines done.")
    if line.get("technician_id") != caller.staff_id:
        raise Forbidden("這個項目沒有派給你。", "This line is not assigned to you.")
    _check_done(order, line)


def _check_done(order: dict, line: dict) -> None:
    if order["state"] not in ("in_progress", "quality_check") or line["state"] != "approved":
        raise Conflict("只有維修中、已同意的項目可以標為完成。",
                       "Only approved lines of an order in progress can be marked done.",
                       code="line_not_ready")


def _check_price_change(order: dict, line: dict, changes: dict) -> None:
    """Signed means frozen: what the customer consented to cannot change without new consent."""
    priced = changes.keys() - {"state"}
    consented = line["state"] in ("approved", "done") or (
        line["origin"] == "authorization" and order["state"] not in ("booked", "checked_in"))
    if priced and consented:
        raise Conflict("客戶已同意的項目不能修改，請另開追加項目。",
                       "The customer consented to this line: add an additional line instead.",
                       code="line_frozen")
    if changes.get("state") == "done":
        _check_done(order, line)


def delete_line(caller: Caller, order_id: str, line_id: str) -> dict:
    return _retry(lambda: _delete_line(caller, order_id, line_id))


def _delete_line(caller: Caller, order_id: str, line_id: str) -> dict:
    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    _refuse_closed(order)
    line = _line(order, line_id)
    if line["state"] != "proposed" or (
            line["origin"] == "authorization" and order["state"] not in ("booked", "checked_in")):
        raise Conflict("只有尚未同意的項目可以刪除。", "Only lines not yet consented to can be "
                       "removed.", code="line_frozen")
    lines = [item for item in order["lines"] if item["line_id"] != line_id]
    return view(_save_header(caller, order, {"totals": _totals(lines)},
                             deletes=[db.line_key(caller.shop_id, order_id, line_id)]), caller)


def _line(order: dict, line_id: str) -> dict:
    line = next((item for item in order["lines"] if item["line_id"] == line_id), None)
    if line is None:
        raise NotFound("找不到這個項目。", "No such line on this order.")
    return line


# --- dispatch (派工) ---

def dispatch(caller: Caller, order_id: str, body: Dispatch) -> dict:
    return _retry(lambda: _dispatch(caller, order_id, body))


def _dispatch(caller: Caller, order_id: str, body: Dispatch) -> dict:
    from chalicelib import shops

    require(caller, "orders.write")
    order = load(caller.shop_id, order_id)
    _refuse_closed(order)
    technician = shops.get_staff(caller.shop_id, body.technician_id)
    if not technician or not technician.get("active", True):
        raise NotFound("找不到這位技師。", "No such technician.")
    chosen = [line for line in order["lines"] if line["state"] != "declined"
              and (body.line_ids is None or line["line_id"] in body.line_ids)]
    if body.line_ids is not None and len(chosen) != len(set(body.line_ids)):
        raise NotFound("找不到其中某個項目。", "One of the lines is not on this order.")
    if not chosen:
        raise Invalid("這張工單還沒有可派工的項目。", "This order has no lines to dispatch.",
                      code="nothing_to_dispatch")
    updated = [{**line, "technician_id": technician["staff_id"],
                "technician_name": technician["name"], "order_id": order_id,
                "order_number": order["number"], "plate": order["vehicle"]["plate"],
                **db.jobs_index(caller.shop_id, technician["staff_id"], order["created_at"],
                                order_id, line["line_id"])}
               for line in chosen]
    by_id = {line["line_id"]: line for line in updated}
    lines = [by_id.get(line["line_id"], line) for line in order["lines"]]
    names = sorted({line["technician_name"] for line in lines if line.get("technician_name")})
    event = _event(caller, order_id, f"dispatch-{db.now_iso()}-{technician['staff_id']}",
                   order["state"], order["state"], None, db.now_iso(),
                   dispatched_to={"staff_id": technician["staff_id"], "name": technician["name"]},
                   line_ids=[line["line_id"] for line in chosen])
    return view(_save_header(caller, order, {"technician_names": names},
                             puts=[*updated, event]), caller)


def jobs(caller: Caller, query: JobsQuery) -> dict:
    """A technician's job list: the lines assigned to them on open orders (one Query)."""
    from boto3.dynamodb.conditions import Key

    technician_id = query.technician_id or caller.staff_id
    if technician_id != caller.staff_id:
        require(caller, "jobs.others")
    items = _query_all(IndexName=db.GSI_LISTS, KeyConditionExpression=Key("gsi2pk").eq(
        db.jobs_pk(caller.shop_id, technician_id)))
    return {"technician_id": technician_id, "jobs": [
        {"order_id": item["order_id"], "number": item["order_number"], "plate": item["plate"],
         "line": {k: v for k, v in item.items() if k not in _HIDDEN}}
        for item in items if item["state"] != "declined"]}

