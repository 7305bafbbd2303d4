"""What a catalogue part line offers and waits for: the customer's choice between grades (正廠 /
副廠 / 再生 / 中古, `alternatives`), and its parts status (有庫存 / 待訂 / 已訂 / 已到, `supply`).

The advisor (orders.choose) and the customer on their page (customer_page.choose) choose by
the one rule here, `refuse_unchoosable`: a line is chosen while no signature covers it and the
customer has not answered it. The header's `parts_wait` (the board's 待料 and the customer's
page) is worked out from the lines with the totals (order_store.of_lines, parts_wait).
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from chalicelib import models
from chalicelib.api import Body, ClientId, ShortText, field_error
from chalicelib.core import clock, money
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.work.order_store import CLOSED, WAITING, totals_of

MAX_OPTIONS = 4
SupplyStatus = Literal["in_stock", "to_order", "ordered", "arrived"]
SUPPLY_NAMES = {"in_stock": ("有庫存", "In stock"), "to_order": ("待訂", "To order"),
                "ordered": ("已訂", "Ordered"), "arrived": ("已到", "Arrived")}
# What an option gives the line it is chosen on.
OPTION_FIELDS = ("part_key", "part_number", "description", "grade", "brand", "unit_price")


class Option(Body):
    """One of a line's alternatives: a part at its grade and price."""
    part_key: str | None = Field(default=None, max_length=80)
    part_number: str = Field(min_length=1, max_length=60)
    description: ShortText
    grade: models.Grade
    brand: str | None = Field(default=None, max_length=60)
    unit_price: int = Field(ge=0, le=10_000_000)


class Menu(Body):
    """The service menu (保養套餐) a line came with: what the reminders read of it."""
    menu_id: str = Field(min_length=1, max_length=64)
    name: ShortText
    mileage_km: int | None = Field(default=None, ge=0, le=3_000_000)
    months: int | None = Field(default=None, ge=0, le=240)


class Choice(Body):
    option: int = Field(ge=0, lt=MAX_OPTIONS)


class CustomerChoice(Body):
    line_id: ClientId
    option: int = Field(ge=0, lt=MAX_OPTIONS)


class SupplyChange(Body):
    status: SupplyStatus
    supplier: ShortText | None = None
    expected_on: str | None = Field(default=None, max_length=10)

    @field_validator("expected_on")
    @classmethod
    def _a_day_ahead(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise field_error("預計到貨日的格式應為 YYYY-MM-DD。",
                              "expected_on: a date, YYYY-MM-DD") from None
        if day.isoformat() < clock.local_date():
            raise field_error("預計到貨日不能是過去的日期。", "expected_on: not a day in the past")
        return day.isoformat()

    @model_validator(mode="after")
    def _ordered_has_a_date(self) -> "SupplyChange":
        if self.status == "ordered" and not self.expected_on:
            raise field_error("已訂的零件請填寫預計到貨日。",
                              "expected_on: an ordered part needs its expected date")
        return self


# --- a new line's options and status ---

def check_alternatives(line: dict) -> None:
    """A new line's alternatives (a pydantic validator's check, on the request's fields): a
    part line's, two to four, its own option among them."""
    options = line["alternatives"]
    if line["kind"] != "part" or line.get("customer_supplied"):
        raise field_error("只有本店提供的零件可以有其他選擇。",
                          "alternatives: only a part the shop supplies has alternatives")
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise field_error(f"請提供 2 到 {MAX_OPTIONS} 個選擇。",
                          f"alternatives: 2 to {MAX_OPTIONS} options")
    if not any(is_own(line, option) for option in options):
        raise field_error("選項中要包含這個項目目前的零件（料號、等級與單價相同）。",
                          "alternatives: the line's own part (number, grade and price) must be "
                          "one of them")


def is_own(line: dict, option: dict) -> bool:
    """Whether `option` is the line's part as it stands: the same part, grade and price."""
    same_part = (option.get("part_key") == line["part_key"] if line.get("part_key")
                 else option["part_number"] == line.get("part_number"))
    return same_part and option["grade"] == line.get("grade") \
        and option["unit_price"] == line.get("unit_price")


def initial_supply(shop_id: str, line: dict) -> dict | None:
    """A catalogue part's status when it is added: in stock when the shop keeps it and enough of
    it is not held by other orders, else to order (one GetItem). None for what is not a part
    the shop supplies from its catalogue."""
    if line["kind"] != "part" or line.get("customer_supplied") or not line.get("part_key"):
        return None
    stock = models.StockItem.read(models.StockItem.key(shop_id, line["part_key"]))
    free = int(stock["on_hand"]) - int(stock.get("reserved") or 0) if stock else 0
    return {"status": "in_stock" if stock and free >= line.get("quantity", 1) else "to_order"}


# --- choosing ---

def refuse_unchoosable(order: dict, line: dict) -> None:
    """The one rule of choosing: while the line is the customer's to decide. A signature covers
    it, the customer answered it, or the signed authorization already holds it: too late."""
    if not can_choose(order, line):
        raise Conflict("這個項目客戶已簽署或已回覆，不能再更換選擇。",
                       "The customer signed or answered this line: its option cannot change.",
                       code="line_frozen")


def can_choose(order: dict, line: dict) -> bool:
    return bool(line.get("alternatives")) and order["state"] not in CLOSED \
        and not line.get("frozen_by") and not line.get("answered_at") \
        and line["state"] == "proposed" \
        and not (line["origin"] == "authorization"
                 and order["state"] not in ("booked", "checked_in"))


def chosen(order: dict, line_id: str, option: int) -> dict:
    """The line with `option` of its alternatives as its own part, priced again; the line as
    it is when that option is already its own (a replay). Raises when it cannot be chosen."""
    line = line_of(order, line_id)
    options = line.get("alternatives") or []
    if option >= len(options):
        raise NotFound("這個項目沒有這個選擇。", "No such option on this line.")
    picked = options[option]
    if is_own(line, picked) and line["description"] == picked["description"]:
        return line
    refuse_unchoosable(order, line)
    updated = {key: value for key, value in line.items() if key not in OPTION_FIELDS}
    updated.update({key: picked[key] for key in OPTION_FIELDS if picked.get(key) is not None})
    updated["amount"] = money.line_amount("part", quantity=updated.get("quantity"),
                                          unit_price=updated["unit_price"])
    updated.pop("supply", None)
    supply = initial_supply(order["shop_id"], updated)
    if supply:
        updated["supply"] = supply
    updated["updated_at"] = clock.now_iso()
    return updated


def line_of(order: dict, line_id: str) -> dict:
    line = next((item for item in order["lines"] if item["line_id"] == line_id), None)
    if line is None:
        raise NotFound("找不到這個項目。", "No such line on this order.")
    return line


def total_if(order: dict, line: dict, option: int) -> int:
    """The order's total (tax included) were `option` chosen on `line`: what the page shows
    beside each option."""
    amount = money.line_amount("part", quantity=line.get("quantity"),
                               unit_price=line["alternatives"][option]["unit_price"])
    lines = [{**item, "amount": amount} if item["line_id"] == line["line_id"] else item
             for item in order["lines"]]
    return int(totals_of(lines)["total"])


# --- parts status ---

def supplied(line: dict, body: SupplyChange) -> dict:
    """The line with its new parts status; the expected date is kept only while it waits."""
    if line["kind"] != "part" or line.get("customer_supplied"):
        raise Conflict("只有本店提供的零件有到貨狀態。",
                       "Only a part the shop supplies has a parts status.", code="not_a_part")
    supply = {"status": body.status,
              "supplier": body.supplier or (line.get("supply") or {}).get("supplier"),
              "expected_on": body.expected_on if body.status in WAITING else None}
    return {**line, "supply": {key: value for key, value in supply.items() if value}}

