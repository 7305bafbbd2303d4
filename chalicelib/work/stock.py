"""The stock of the parts a shop keeps (庫存): what is on the shelf, what authorized orders hold,
the minimum to keep (安全量), goods received (進貨) and counts (盤點); and the stream reactions
that reserve, issue and release it as order lines move (docs/design.md, "Stock").

A part is kept when it has a StockItem (a count or a minimum put it there); a line of a part
not kept moves no stock. Each line's share is written on the line (`stock`: reserved, issued,
released) in the same transaction as the stock's ADD, conditional on the line as the stream
record shows it: a record handed over twice, or two records racing, move the stock once.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from pydantic import Field, model_validator

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.observability import logger

# A replayed receipt finds its client id among the item's latest ones (far more than a tablet's
# offline queue holds).
RECENT_RECEIPTS = 50
Quantity = Field(default=None, ge=0, le=1_000_000, max_digits=10, decimal_places=3)


class StockQuery(Body):
    """`?below=1`: only the parts below their minimum."""
    below: str | None = Field(default=None, pattern=r"^[01]$")


class StockChange(Body):
    """A count (`on_hand`, 盤點) or a new minimum (安全量), or both; `version` as read: a
    change made on a stale screen is refused (409) rather than overwriting another's."""
    on_hand: Decimal | None = Quantity
    minimum: Decimal | None = Quantity
    version: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _something(self) -> "StockChange":
        if self.on_hand is None and self.minimum is None:
            raise field_error("請填寫庫存數量或安全量。", "give on_hand or minimum")
        return self


class Receipt(Body):
    """Goods received (進貨): added to what is on the shelf, once per `client_id`."""
    client_id: ClientId
    quantity: Decimal = Field(gt=0, le=1_000_000, max_digits=10, decimal_places=3)


# --- reading ---

def view(item: dict) -> dict:
    on_hand, reserved = item["on_hand"], item.get("reserved") or 0
    minimum = item.get("minimum")
    available = on_hand - reserved
    return {"part_key": item["part_key"], "part_number": item["part_number"],
            "name": item["name"], "on_hand": on_hand, "reserved": reserved,
            "available": available, "minimum": minimum,
            "below": minimum is not None and available < minimum, "version": item["version"]}


def kept(shop_id: str) -> list[dict]:
    """Every kept part, below its minimum first, then by part number (one Query)."""
    items = [view(item) for item in models.StockItem.items(models.stock_pk(shop_id))]
    return sorted(items, key=lambda item: (not item["below"], item["part_number"]))


def listing(caller: Caller, query: StockQuery) -> dict:
    """GET /api/stock: every staff member reads it (the technician checks a part is there)."""
    require(caller, "stock.read")
    items = kept(caller.shop_id)
    return {"items": [item for item in items if item["below"]] if query.below == "1" else items}


# (zh-TW header with English beside, the row's value) of the list to order from.
CSV_COLUMNS = (("料號 Part number", lambda item: item["part_number"]),
               ("品名 Name", lambda item: item["name"]),
               ("庫存 On hand", lambda item: item["on_hand"]),
               ("已保留 Reserved", lambda item: item["reserved"]),
               ("可用 Available", lambda item: item["available"]),
               ("安全量 Minimum", lambda item: item["minimum"]),
               ("建議訂購量 To order", lambda item: to_order(item)))


def to_order(item: dict) -> int | Decimal:
    """What brings the available stock back to the minimum."""
    return max((item["minimum"] or 0) - item["available"], 0)


def below_csv(caller: Caller):
    """GET /api/stock/below.csv: the parts below their minimum, for the supplier's order; UTF-8
    with a BOM, so Excel on a Taiwanese Windows reads the Chinese headers right."""
    from chalice import Response

    require(caller, "stock.read")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for item in kept(caller.shop_id):
        if item["below"]:
            writer.writerow([value(item) for _, value in CSV_COLUMNS])
    day = clock.local_date(clock.now_iso())
    return Response(body="\ufeff" + out.getvalue(), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="stock-below-{day}.csv"'})


# --- counts, minimums, goods received ---

def _part(shop_id: str, part_key: str) -> dict:
    part = models.CataloguePart.read(models.CataloguePart.key(shop_id, part_key))
    if part is None:
        raise NotFound("零件目錄裡沒有這個料號。", "No such part in the catalogue.",
                       code="part_not_found")
    return part


def _new_item(shop_id: str, part: dict, now: str) -> dict:
    return {**models.StockItem.key(shop_id, part["part_key"]), "type": "stock_item",
            "shop_id": shop_id, "part_key": part["part_key"], "part_number": part["part_number"],
            "name": part["name"], "on_hand": 0, "updated_at": now}


def _stale() -> Conflict:
    return Conflict("庫存剛被別人改過，請重新整理後再改。",
                    "Someone changed this stock a moment ago: reload and try again.",
                    code="stale_version")


def change(caller: Caller, part_key: str, body: StockChange) -> dict:
    """PUT /api/stock/{part_key}: a count or a minimum; the first keeps the part."""
    require(caller, "stock.write")
    part = _part(caller.shop_id, part_key)
    return models.retry(lambda: _change(caller, part, body))


def _change(caller: Caller, part: dict, body: StockChange) -> dict:
    key = models.StockItem.key(caller.shop_id, part["part_key"])
    item = models.StockItem.read(key, consistent=True)
    if body.version is not None and body.version != (item or {}).get("version", 0):
        raise _stale()
    now = clock.now_iso()
    item = item or _new_item(caller.shop_id, part, now)
    fields = {"on_hand": body.on_hand, "minimum": body.minimum}
    item.update({name: value for name, value in fields.items() if value is not None},
                name=part["name"], part_number=part["part_number"], updated_at=now)
    model = models.StockItem.from_dict(item)
    try:
        with models.refusals():
            model.save()  # on the version read (none: not there yet)
    except models.Refused:
        if body.version is not None:
            raise _stale() from None
        raise
    return view(model.as_dict())


def receive(caller: Caller, part_key: str, body: Receipt) -> dict:
    """POST /api/stock/{part_key}/receipts: goods in, added once per client id."""
    require(caller, "stock.write")
    part = _part(caller.shop_id, part_key)
    return models.retry(lambda: _receive(caller, part, body))


def _receive(caller: Caller, part: dict, body: Receipt) -> dict:
    key = models.StockItem.key(caller.shop_id, part["part_key"])
    now = clock.now_iso()
    item = models.StockItem.read(key, consistent=True) or _new_item(caller.shop_id, part, now)
    recent = item.get("receipts") or []
    if body.client_id in recent:
        return view(item)  # the tablet sent it again
    item.update(on_hand=item["on_hand"] + body.quantity, updated_at=now,
                receipts=[*recent, body.client_id][-RECENT_RECEIPTS:])
    model = models.StockItem.from_dict(item)
    with models.refusals():
        model.save()  # on the version read: an issue or another receipt in between, read again
    return view(model.as_dict())


# --- the order lines' share (stream reactions) ---

RESERVED, ISSUED, RELEASED = "reserved", "issued", "released"


def moves_stock(line: dict) -> bool:
    """A part from the catalogue that the shop supplies (not one the customer brought)."""
    return line.get("kind") == "part" and bool(line.get("part_key")) \
        and not line.get("customer_supplied")


def wanted(state: str, held: str | None, cancelled: bool) -> str | None:
    """What a line should hold: what is issued stays issued (it is on the car); a done line is
    issued; an approved line of an order not cancelled reserves; any other holds nothing."""
    if held == ISSUED or state == "done":
        return ISSUED
    if state == "approved" and not cancelled:
        return RESERVED
    return None


# (held, wanted) → the ADDs to the stock item: on_hand, reserved
DELTAS = {(None, RESERVED): (0, 1), (None, ISSUED): (-1, 0), (RESERVED, ISSUED): (-1, -1),
          (RESERVED, None): (0, -1)}


def on_line(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order line: its part reserved when the customer authorized
    it, issued when done, released when declined. A removed line held nothing (only a line
    not yet consented to may be removed), so a REMOVE moves nothing."""
    if event_name == "REMOVE":
        return
    line = models.Item.from_image(new_image).as_dict()
    before = models.Item.from_image(old_image).as_dict() if old_image else {}
    owner = models.order_of(line["pk"])
    if owner is None or not moves_stock(line):
        return
    shown = line.get("stock")
    # The order's own writes put a line whole, as they read it: one read before this reaction
    # wrote drops `stock`, and the record's old image still shows what the line held.
    stored = shown or before.get("stock")
    held = None if stored == RELEASED else stored
    cancelled = line["state"] == "approved" and held != ISSUED and _cancelled(*owner)
    to = wanted(line["state"], held, cancelled)
    if to == held and shown == stored:
        return
    _move(owner[0], owner[1], line, shown, held, to)


def on_order_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order: a cancelled order releases what its lines hold."""
    if event_name == "REMOVE" or not new_image:
        return
    order = models.Item.from_image(new_image).as_dict()
    if order.get("state") != "cancelled" or models.order_of(order["pk"]) is None:
        return
    shop_id, order_id = models.order_of(order["pk"])
    for line in models.Line.items(models.order_pk(shop_id, order_id),
                                  models.Line.sk.startswith(models.LINE_PREFIX),
                                  consistent_read=True):
        if moves_stock(line) and line.get("stock") == RESERVED:
            _move(shop_id, order_id, line, RESERVED, RESERVED, None)


def _cancelled(shop_id: str, order_id: str) -> bool:
    header = models.Order.read(models.order_key(shop_id, order_id), consistent=True)
    return header is None or header["state"] == "cancelled"


def _move(shop_id: str, order_id: str, line: dict, shown: str | None, held: str | None,
          to: str | None) -> None:
    """The line's new share and the stock's ADDs in one transaction, while the line is as the
    record shows it (its state and `stock`) and, for a reservation, its order not cancelled."""
    stock_key = models.StockItem.key(shop_id, line["part_key"])
    delta = DELTAS.get((held, to)) if held != to else None
    if delta and held is None and models.StockItem.read(stock_key) is None:
        return  # not a part the shop keeps
    quantity = line.get("quantity") or 1
    as_shown = (models.Line.state == line["state"]) & (
        models.Line.stock == shown if shown else models.Line.stock.does_not_exist())
    try:
        with models.transaction() as writes:
            writes.update(models.Line.from_dict(models.Line.key(shop_id, order_id,
                                                                line["line_id"])),
                          actions=[models.Line.stock.set(to or RELEASED)], condition=as_shown)
            if delta:
                on_hand, reserved = delta
                actions = [models.StockItem.updated_at.set(clock.now_iso())]
                if on_hand:
                    actions.append(models.StockItem.on_hand.add(on_hand * quantity))
                if reserved:
                    actions.append(models.StockItem.reserved.add(reserved * quantity))
                writes.update(models.StockItem.from_dict({**stock_key, "version": 0}),
                              actions=actions, condition=models.StockItem.pk.exists(),
                              add_version_condition=False)  # an ADD: no read to guard
            if to == RESERVED and held is None:
                writes.condition_check(models.Order, models.order_pk(shop_id, order_id),
                                       models.ORDER_SK,
                                       condition=models.Order.state != "cancelled")
    except models.Refused:
        # The line moved on (its next record decides), the order was cancelled (its reaction
        # releases what was held), or the part is no longer kept: nothing to do for this one.
        return
    if to == ISSUED and delta:
        after = models.StockItem.read(stock_key) or {}
        if (after.get("on_hand") or 0) < 0:  # the technician is never stopped: the list shows it
            logger().warning("stock below zero", extra={"part_key": line["part_key"],
                                                        "on_hand": str(after["on_hand"])})
