"""Old parts (舊品): tags with a QR code, their chain of custody, labels and the month's report.

A tag sits in its order's partition (`PART#<code>`), so an order and its old parts are one
Query; a tag without an order sits in the shop's parts partition. Its code is claimed across
every shop in the same transaction (`PARTCODE#<code>`, only if new): the claim is how a scanned
code finds its tag, and why another shop's code is simply not found. Custody events live inside
the tag (a handful each), so a move is one write, conditional on the tag's version. A tag on
its way out (disposed, returned to a supplier, or waiting to go back to one) carries gsi2 keys
that file it under its month, so the month's report is a Query and never a Scan.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path as AttributePath
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, LongText, ShortText, field_error
from chalicelib.api.roles import allowed, require
from chalicelib.core import aws, clock, objects
from chalicelib.core.config import settings
from chalicelib.core.errors import (Busy, Conflict, DomainError, Forbidden, NotFound,
                                    Unprocessable)
from chalicelib.work import labels, order_store, photos
from chalicelib.work.labels import grouped  # `ABCD EFGH`, as printed under the QR

# No 0/O and no 1/I: a code is read aloud and typed by hand without doubt. 32^8 ≈ 1.1 × 10^12.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_ATTEMPTS = 5
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
MAX_CODES = 100  # one request's tags (a crate, a sheet): BatchGetItem reads 100 keys at most
URL_SECONDS = 15 * 60
CLOCK_SKEW = timedelta(minutes=5)  # a tablet's clock may run this far ahead of the server's

State = Literal["removed", "held", "shown_to_customer", "returned_to_customer", "disposed",
                "returned_to_supplier", "kept_as_evidence"]
OPEN = ("removed", "held", "shown_to_customer")
FINAL = ("returned_to_customer", "disposed", "returned_to_supplier", "kept_as_evidence")
STATE_NAMES = {
    "removed": ("已拆下", "Removed"), "held": ("暫存保管中", "Held"),
    "shown_to_customer": ("已給客戶過目", "Shown to the customer"),
    "returned_to_customer": ("已交還客戶", "Returned to the customer"),
    "disposed": ("已報廢回收", "Disposed of"),
    "returned_to_supplier": ("已退回供應商", "Returned to the supplier"),
    "kept_as_evidence": ("留存為證", "Kept as evidence"),
}

Wish = Literal["take_back", "dispose", "decide_at_delivery"]
WISH_NAMES = {"take_back": ("客戶帶回", "The customer takes it back"),
              "dispose": ("交由本店處理", "Left to the shop"),
              "decide_at_delivery": ("交車時決定", "Decided at delivery")}

Unit = Literal["piece", "litre"]
UNIT_NAMES = {"piece": ("個", "pcs"), "litre": ("公升", "L")}
# A counted category's own measure word: tyres are 條, batteries 顆.
MEASURE_WORDS = {"tyre": ("條", "tyres"), "battery": ("顆", "pcs")}
Category = Literal["waste_oil", "battery", "tyre", "filter", "metal", "other"]
# (zh, en, unit): what the recycling record counts each category in.
CATEGORIES = {
    "waste_oil": ("廢機油", "Waste oil", "litre"), "battery": ("廢電瓶", "Batteries", "piece"),
    "tyre": ("廢輪胎", "Tyres", "piece"), "filter": ("廢濾芯", "Filters", "piece"),
    "metal": ("廢金屬", "Scrap metal", "piece"), "other": ("其他", "Other", "piece"),
}


def unit_name(unit: str, category: str | None = None) -> tuple[str, str]:
    """How a quantity is counted, in zh-TW and English: a category's measure word for pieces."""
    if unit == "piece" and category in MEASURE_WORDS:
        return MEASURE_WORDS[category]
    return UNIT_NAMES[unit]


# --- codes ---

def new_code() -> str:
    """A random code from the unambiguous alphabet (`secrets`: not guessable from others)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A code as typed or scanned: any case, with the space or hyphen of `ABCD EFGH`."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    if not _CODE.fullmatch(code):
        raise Unprocessable("這不是舊品標籤代碼（8 個字元，不含 0、O、1、I）。",
                            "Not an old-part tag code (8 characters, without 0, O, 1 or I).",
                            code="invalid_code")
    return code


def tag_url(code: str) -> str:
    """What the QR encodes: the PWA's page for the tag, which a plain phone camera opens."""
    return f"{settings().public_origin.rstrip('/')}/q/{code}"


# --- the custody state machine: who may make which move, and what must hold of the tag ---

@dataclass(frozen=True)
class Move:
    permission: str
    guards: tuple[str, ...] = ()


MOVES: dict[tuple[str, str], Move] = {
    ("removed", "held"): Move("parts.write"),
    ("held", "held"): Move("parts.write"),                  # to another shelf
    ("removed", "shown_to_customer"): Move("parts.write"),  # the customer came to the bay
    ("held", "shown_to_customer"): Move("parts.write"),
    ("shown_to_customer", "held"): Move("parts.write"),     # back on the shelf until delivery
    **{(start, "returned_to_customer"): Move("parts.decide", ("not_claimed_by_supplier",))
       for start in OPEN},
    **{(start, "disposed"): Move("parts.decide", ("left_to_the_shop",)) for start in OPEN},
    **{(start, "returned_to_supplier"): Move("parts.decide", ("left_to_the_shop",))
       for start in OPEN},
    **{(start, "kept_as_evidence"): Move("parts.decide") for start in OPEN},
}


def _left_to_the_shop(tag: dict) -> tuple[str, str, str] | None:
    """The part belongs to the customer until they give it up: only then may it leave the
    shop for a recycler or a supplier."""
    if tag["wish"] == "take_back":
        return ("customer_wants_it_back", "客戶要帶回這個舊品，不能報廢或退回供應商。",
                "The customer wants this part back: it cannot be disposed of or returned.")
    if tag["wish"] == "decide_at_delivery":
        return ("customer_has_not_decided", "客戶還沒決定是否帶回這個舊品，請先詢問客戶。",
                "The customer has not decided about this part yet: ask them first.")
    return None


def _not_claimed_by_supplier(tag: dict) -> tuple[str, str, str] | None:
    if tag.get("supplier"):
        return ("supplier_claim", "這個舊品要退回供應商（保固），請先取消退回再交還客戶。",
                "This part goes back to the supplier (warranty): cancel that first.")
    return None


# A guard answers None to allow the move, or (error code, zh, en) to refuse it.
GUARDS: dict[str, Callable[[dict], tuple[str, str, str] | None]] = {
    "left_to_the_shop": _left_to_the_shop,
    "not_claimed_by_supplier": _not_claimed_by_supplier,
}


def refusal(tag: dict, to: str, role: str) -> DomainError | None:
    """Why `role` may not move `tag` to `to` now (None: it may). Pure: the table above."""
    start = tag["state"]
    if start in FINAL:
        return _closed(tag)
    move = MOVES.get((start, to))
    if move is None:
        return Conflict(f"舊品不能從「{STATE_NAMES[start][0]}」改為「{STATE_NAMES[to][0]}」。",
                        f"A part that is {STATE_NAMES[start][1].lower()} cannot become "
                        f"{STATE_NAMES[to][1].lower()}.", code="move_not_allowed")
    if not allowed(role, move.permission):
        return Forbidden(f"你的角色不能把舊品改為「{STATE_NAMES[to][0]}」。",
                         f"Your role may not mark a part {STATE_NAMES[to][1].lower()}.")
    for guard in move.guards:
        refused = GUARDS[guard](tag)
        if refused:
            return Conflict(refused[1], refused[2], code=refused[0])
    return None


def _closed(tag: dict) -> Conflict:
    zh, en = STATE_NAMES[tag["state"]]
    return Conflict(f"這個舊品已{zh}，不能再變更。", f"This part is closed ({en.lower()}).",
                    code="tag_closed")


def actions(tag: dict, role: str) -> list[str]:
    """The moves `role` may make now, for the tag screen's buttons."""
    return [to for (start, to) in MOVES if start == tag["state"] and not refusal(tag, to, role)]


def decided(tag: dict) -> bool:
    """Settled as far as delivery goes: closed, or left to the shop by the customer (the shop
    keeps it after the car leaves, to dispose of it or return it to the supplier later)."""
    return tag["state"] in FINAL or tag["wish"] == "dispose"


# What the signed checkout list shows of each old part (chalicelib/work/signatures.py): a change to
# any of it once the list is signed sets the signature aside, in the same write (`_save`).
ON_CHECKOUT = ("code", "part_name", "quantity", "unit", "state", "wish")


def on_checkout(tag: dict) -> dict:
    return {key: tag[key] for key in ON_CHECKOUT if tag.get(key) is not None}


def undecided(tags: list[dict]) -> tuple[str, str] | None:
    """The delivery guard (ready → delivered): the (zh, en) reason to refuse while a tag of the
    order is still open and not left to the shop — the customer wants it back and has not got
    it yet, or has not decided. None when every tag is decided (see `decided`)."""
    waiting = [tag for tag in tags if not decided(tag)]
    if not waiting:
        return None
    shown = waiting[:3]
    more = "…" if len(waiting) > len(shown) else ""
    zh = "、".join(f"{tag['part_name']}（{grouped(tag['code'])}）" for tag in shown) + more
    en = ", ".join(f"{tag['part_name']} ({grouped(tag['code'])})" for tag in shown) + more
    return (f"還有 {len(waiting)} 個舊品尚未處理：{zh}。客戶要帶回的請先點交，未決定的請先詢問客戶。",
            f"{len(waiting)} old part(s) still wait: {en}. Hand back what the customer takes; "
            f"ask them about the rest.")


# --- request bodies ---

def _when(text: str) -> str:
    try:
        moment = clock.parse_iso(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.SHOP_TIMEZONE)  # a wall-clock time is the shop's
        return clock.iso(moment)
    except (ValueError, OverflowError):
        raise field_error("時間格式不正確。", "not an ISO 8601 time") from None


At = Annotated[str, StringConstraints(max_length=40), AfterValidator(_when)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
CodeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Quantity = Annotated[Decimal, Field(gt=0, le=100_000, max_digits=9, decimal_places=3)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class NewTag(Body):
    tag_id: ClientId
    order_id: ClientId | None = None
    line_id: ClientId | None = None
    part_name: ShortText | None = None       # default: the line's description
    part_number: Reference | None = None     # default: the line's part number
    quantity: Quantity | None = None         # default: the line's quantity, else 1
    unit: Unit = "piece"
    reason: LongText | None = None
    photo_id: ClientId | None = None
    wish: Wish | None = None                 # default: the order's old_parts
    supplier: ShortText | None = None        # a warranty claim: to go back to this supplier
    location: Location | None = None

    @model_validator(mode="after")
    def _needs_an_order(self) -> "NewTag":
        if (self.line_id or self.photo_id) and not self.order_id:
            raise field_error("項目與照片屬於工單：請一併提供 order_id。",
                              "line_id and photo_id need the order_id")
        if not self.line_id and not self.part_name:
            raise field_error("請填寫舊品名稱。", "part_name is needed without a line_id")
        return self


class TagChange(Body):
    part_name: ShortText | None = None
    part_number: Reference | None = None
    quantity: Quantity | None = None
    unit: Unit | None = None
    reason: LongText | None = None
    photo_id: ClientId | None = None
    wish: Wish | None = None
    supplier: ShortText | None = None  # null: the supplier claim is cancelled


class Disposal(Body):
    category: Category
    quantity: Quantity | None = None  # in the category's unit; default: the tag's quantity
    recycler: ShortText
    manifest_number: Reference | None = None


class SupplierReturn(Body):
    supplier: ShortText | None = None  # default: the tag's supplier
    batch: Reference | None = None
    rma: Reference | None = None
    tracking: Reference | None = None


class EventFields(Body):
    event_id: ClientId
    to: State
    at: At | None = None  # when it happened (a queued offline scan); default: now
    location: Location | None = None
    note: LongText | None = None
    disposal: Disposal | None = None
    supplier_return: SupplierReturn | None = None

    @model_validator(mode="after")
    def _details_fit_the_move(self) -> "EventFields":
        if self.to == "removed":
            raise field_error("「已拆下」是建立標籤時的狀態。", "a tag is removed when it is created")
        if self.to == "held" and not self.location:
            raise field_error("放到暫存區要填寫位置（架位代碼）。", "held needs a location")
        if (self.to == "disposed") != (self.disposal is not None):
            raise field_error("報廢要填寫 disposal（分類、回收商），其他動作不填。",
                              "disposal is given with to=disposed, and only then")
        if self.supplier_return is not None and self.to != "returned_to_supplier":
            raise field_error("只有退回供應商要填寫 supplier_return。",
                              "supplier_return is given only with to=returned_to_supplier")
        return self


class NewEvent(EventFields):
    photo_id: ClientId | None = None  # a photo of the tag's order


class BatchMove(Body):
    codes: list[CodeText] = Field(min_length=1, max_length=MAX_CODES)
    event: EventFields


class LabelQuery(Body):
    format: Literal["png", "pdf"] = "pdf"


class LabelsRequest(Body):
    codes: list[CodeText] = Field(min_length=1, max_length=MAX_CODES)
    layout: Literal["thermal", "a4"] = "a4"


class ReportQuery(Body):
    month: Month | None = None  # default: this month (Asia/Taipei)
    format: Literal["json", "csv"] = "json"


# --- reading ---

_HIDDEN = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "type", "version"}


def summary(tag: dict) -> dict:
    """A tag without its events: the order's parts list, the checkout list, a batch answer."""
    clean = {key: value for key, value in tag.items() if key not in _HIDDEN | {"events"}}
    return {**clean, "display_code": grouped(tag["code"]), "url": tag_url(tag["code"]),
            "decided": decided(tag)}


def view(tag: dict, caller: Caller, photo: dict | None = None) -> dict:
    """docs/api.md's Tag: the tag, its events and the moves this caller may make now."""
    return {**summary(tag), "events": tag["events"], "actions": actions(tag, caller.role),
            "may_edit": tag["state"] in OPEN and allowed(caller.role, "parts.write"),
            "photo": photos.view(photo) if photo else None}


def _not_found() -> NotFound:
    return NotFound("找不到這個舊品標籤。", "No such old-part tag.")


def _claim(code: str) -> dict | None:
    return models.PartCode.read(models.PartCode.key(code), consistent=True)


def _find(shop_id: str, code: str) -> dict:
    """The tag of a code, if it is this shop's (another shop's code is not found: no leak)."""
    claim = _claim(code)
    if not claim or claim["shop_id"] != shop_id:
        raise _not_found()
    tag = models.PartTag.read(models.PartTag.key(shop_id, claim.get("order_id"), code),
                              consistent=True)
    if tag is None:
        raise _not_found()
    return tag


def _photo(tag: dict, photo_id: str | None) -> dict | None:
    if not photo_id or not tag.get("order_id"):
        return None
    return models.Photo.read(models.Photo.key(tag["shop_id"], tag["order_id"], photo_id))


def get_tag(caller: Caller, code: str) -> dict:
    require(caller, "orders.read")
    tag = _find(caller.shop_id, normalise_code(code))
    return view(tag, caller, _photo(tag, tag.get("photo_id")))


def public_tag(code: str) -> dict:
    """What anyone who scans the label learns: that it is a part tag of that shop, no more."""
    code = normalise_code(code)
    claim = _claim(code)
    shop = claim and models.Shop.read(models.Shop.key(claim["shop_id"]))
    if not shop:
        raise _not_found()
    return {"code": code, "kind": "part_tag", "shop": {"name": shop["name"]}}


def order_parts(caller: Caller, order_id: str) -> dict:
    """The order's old parts with their state: the checkout list, the customer's page."""
    require(caller, "orders.read")
    header = models.Order.read(models.order_key(caller.shop_id, order_id))
    if header is None:
        raise NotFound("找不到這張工單。", "No such repair order.")
    tags = sorted(models.PartTag.items(header["pk"], models.Item.sk.startswith(models.PART_PREFIX)),
                  key=lambda tag: tag["created_at"])
    reason = undecided(tags)
    return {"order_id": order_id, "number": header["number"],
            "plate": header["vehicle"]["plate"], "tags": [summary(tag) for tag in tags],
            "undecided": {"zh": reason[0], "en": reason[1]} if reason else None}


def _batch_get(keys: list[dict]) -> list[dict]:
    """Items by key, of any type, read consistently: up to 100 a call (DynamoDB's limit),
    unprocessed keys asked again (PynamoDB's batch_get)."""
    return [item.as_dict() for item in models.Item.batch_get(
        {(key["pk"], key["sk"]) for key in keys}, consistent_read=True)]


def _find_many(shop_id: str, codes: list[str]) -> dict[str, dict]:
    """This shop's tags of the codes, by code, in two batched reads (claims, then tags)."""
    claims = [claim for claim in _batch_get([models.PartCode.key(code) for code in codes])
              if claim["shop_id"] == shop_id]
    tags = _batch_get([models.PartTag.key(shop_id, claim.get("order_id"), claim["code"])
                       for claim in claims])
    return {tag["code"]: tag for tag in tags}


# --- creating ---

def create_tag(caller: Caller, body: NewTag) -> dict:
    """Tag an old part; a replay of the same `tag_id` answers the tag it made."""
    require(caller, "parts.write")
    if body.wish or body.supplier:
        require(caller, "parts.decide")  # the customer's word, recorded by the front desk
    replay = _replayed(caller, body.tag_id)
    if replay:
        return replay
    tag, photo, still_open = _new_tag(caller, body)
    order_id = {"order_id": body.order_id} if body.order_id else {}
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        tag = {**tag, **models.PartTag.key(caller.shop_id, body.order_id, code), "code": code}
        tag = {**tag, **_report_keys(tag)}
        try:
            with models.transaction() as writes:
                writes.save(models.PartCode.from_dict({
                    **models.PartCode.key(code), "type": "part_code", "code": code,
                    "shop_id": caller.shop_id, "created_at": tag["created_at"], **order_id}),
                    condition=models.PartCode.pk.does_not_exist())
                writes.save(models.PartClientId.from_dict({
                    **models.PartClientId.key(caller.shop_id, body.tag_id),
                    "type": "part_client_id", "code": code, **order_id}),
                    condition=models.PartClientId.pk.does_not_exist())
                # New: saved without a version (PynamoDB writes 1, only if there is none).
                writes.save(models.PartTag.from_dict(tag),
                            condition=models.PartTag.pk.does_not_exist())
                if still_open is not None:
                    writes.condition_check(models.Order,
                                           models.order_pk(caller.shop_id, body.order_id),
                                           models.ORDER_SK, condition=still_open)
            return view({**tag, "version": 1}, caller, photo)
        except models.LostRace as lost:
            failed = lost.parts
            if len(failed) > 1 and failed[1]:
                return _replayed(caller, body.tag_id)  # another copy of this create won
            if len(failed) > 3 and failed[3]:
                raise _order_closed() from None
            if not failed or not failed[0]:
                raise
            # failed[0]: the code is taken (a one-in-10^12 chance per existing tag): draw again
    raise Busy("無法產生新的標籤代碼，請再送一次。", "Could not make a new tag code: send again.")


def _replayed(caller: Caller, tag_id: str) -> dict | None:
    made = models.PartClientId.read(models.PartClientId.key(caller.shop_id, tag_id),
                                    consistent=True)
    if not made:
        return None
    tag = models.PartTag.read(models.PartTag.key(caller.shop_id, made.get("order_id"),
                                                 made["code"]), consistent=True)
    return view(tag, caller, _photo(tag, tag.get("photo_id")))


def _order_closed() -> Conflict:
    return Conflict("這張工單已結束，不能再登記舊品。", "The order is closed: no more part tags.",
                    code="order_closed")


def _new_tag(caller: Caller, body: NewTag) -> tuple[dict, dict | None, Condition | None]:
    """The tag as it will be stored (without its code, nor a version: it is new), its photo,
    and the condition that its order is still open when it is written."""
    now = clock.now_iso()
    line, photo, order, still_open = None, None, None, None
    if body.order_id:
        order, line, photo = _order_line_photo(caller.shop_id, body)
        if order["state"] in order_store.CLOSED:
            raise _order_closed()
        still_open = models.Order.pk.exists() & ~models.Order.state.is_in(
            *sorted(order_store.CLOSED))
    quantity = body.quantity or (line or {}).get("quantity") or Decimal(1)
    event = {"event_id": f"removed-{body.tag_id}", "from": None, "to": "removed", "at": now,
             "recorded_at": now, "by": caller.stamp(),
             **_optional(device_id=caller.device_id, location=body.location)}
    tag = {
        "type": "part_tag", "shop_id": caller.shop_id, "tag_id": body.tag_id,
        "part_name": body.part_name or line["description"], "quantity": quantity,
        "unit": body.unit, "reason": body.reason or "", "state": "removed",
        "wish": body.wish or (order or {}).get("old_parts") or "decide_at_delivery",
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        "events": [event],
        **_optional(order_id=body.order_id, order_number=order and order["number"],
                    plate=order and order["vehicle"]["plate"], line_id=body.line_id,
                    part_number=body.part_number or (line or {}).get("part_number"),
                    photo_id=body.photo_id, supplier=body.supplier, location=body.location),
    }
    return tag, photo, still_open


def _order_line_photo(shop_id: str, body: NewTag) -> tuple[dict, dict | None, dict | None]:
    """The order header and the line and photo named, in one batched read (not the whole
    partition: a signed order carries large signature records)."""
    keys = {"order": models.order_key(shop_id, body.order_id),
            "line": body.line_id and models.Line.key(shop_id, body.order_id, body.line_id),
            "photo": body.photo_id and models.Photo.key(shop_id, body.order_id, body.photo_id)}
    found = {item["sk"]: item for item in _batch_get([key for key in keys.values() if key])}
    order, line, photo = (found.get(key["sk"]) if key else None for key in keys.values())
    if order is None:
        raise NotFound("找不到這張工單。", "No such repair order.")
    if body.line_id and line is None:
        raise NotFound("找不到這個項目。", "No such line on this order.")
    if body.photo_id and photo is None:
        raise _unknown_photo()
    return order, line, photo


def _optional(**fields) -> dict:
    return {key: value for key, value in fields.items() if value is not None}


def _unknown_photo() -> Unprocessable:
    return Unprocessable("這張工單沒有這張照片（請先上傳；沒有工單的舊品不能附照片）。",
                         "No such photo on the tag's order (upload it first; a tag without "
                         "an order has none).", code="unknown_photo")


# --- changing a tag and moving it ---

def _save(tag: dict, before: dict, caller: Caller | None = None) -> dict:
    """Write the tag whole, only if nobody wrote it since it was read (its version, which
    PynamoDB checks and moves on). A change to what its order's checkout list shows is written
    with that list's guard: the signed list set aside, or none signed meanwhile
    (`_save_shown`). `caller` None: the customer, through their link. Raises models.LostRace;
    answers the tag as written."""
    tag = {key: value for key, value in tag.items() if key not in ("gsi2pk", "gsi2sk")}
    tag.update(_report_keys(tag), version=before["version"], updated_at=clock.now_iso())
    if tag.get("order_id") and on_checkout(tag) != on_checkout(before):
        _save_shown(caller, tag, before)
    else:
        with models.refusals():
            models.PartTag.from_dict(tag).save()
    return {**tag, "version": before["version"] + 1}


def _save_shown(caller: Caller | None, tag: dict, before: dict) -> None:
    """Write a change to an old part of an order that its checkout list shows: while no list is
    signed (a signature written at the same moment holds only while the tag is as it read it),
    or once the car is delivered. With the list signed and the car still here, the signature is
    set aside in the same transaction: the customer signs the list again, as it now is.
    `tag` carries the version it was read at (`before`'s): written only if still that one, as
    the next. Raises models.LostRace."""
    shop_id, order_id = tag["shop_id"], tag["order_id"]
    try:
        with models.transaction() as writes:
            writes.save(models.PartTag.from_dict({**tag, "version": before["version"]}))
            writes.condition_check(
                models.Order, models.order_pk(shop_id, order_id), models.ORDER_SK,
                condition=AttributePath(["signed", "checkout"]).does_not_exist()
                | models.Order.state.is_in(*sorted(order_store.CLOSED)))
        return  # the common case: one write, no read of the order
    except models.LostRace as lost:
        if lost.parts[:2] != [False, True]:
            raise  # the tag changed since it was read (or the write met another): decide again
    order = order_store.load(shop_id, order_id)
    if "checkout" not in order.get("signed", {}) or order["state"] in order_store.CLOSED:
        raise models.LostRace()  # changed in between: decide again
    _set_checkout_aside(caller, order, tag, before)


def _set_checkout_aside(caller: Caller | None, order: dict, tag: dict, before: dict) -> None:
    """The tag written with its order's signed checkout list set aside, saying why."""
    by = caller or Caller(shop_id=order["shop_id"], staff_id="customer", role="customer",
                          name=order["customer"]["name"])
    name, code = tag["part_name"], grouped(tag["code"])
    reason = {"code": "old_part_changed",
              "zh": f"結帳清單簽署後，舊品「{name}」（{code}）有變更：請客戶重新簽署。",
              "en": f"The old part {name} ({code}) changed after the checkout list was signed: "
                    "have the customer sign it again."}
    changes, puts = order_store.set_aside(by, order, "checkout",
                                          f"set-aside-{tag['code']}-{before['version'] + 1}",
                                          reason)
    # The tag with the version it was read at: written only if still that one (as the next).
    order_store.save(by, order, changes, puts=[*puts, {**tag, "version": before["version"]}],
                     as_read={tag["sk"]: before["version"]})


def _changing(shop_id: str, code: str, change: Callable[[dict], dict],
              tag: dict | None = None) -> Callable[[], dict]:
    """`change` of the tag as read now, for models.retry: the first time `tag` when it was
    read already (a batch), then read again after a lost race."""
    known = [tag] if tag else []
    return lambda: change(known.pop() if known else _find(shop_id, code))


def _busy() -> Busy:
    return Busy("這個舊品正被多人同時變更，請再送一次。",
                "Several people are changing this part right now: send it again.")


def customer_decides(shop_id: str, order_id: str, code: str, wish: str) -> dict:
    """The customer, through their link, decides a part they had left to decide at delivery:
    once only (a decided wish is the shop's to change), and only while the part is open."""
    def change(tag: dict) -> dict:
        if tag.get("order_id") != order_id or tag["state"] not in OPEN:
            raise Conflict("這個舊品已經處理，不能再變更。", "This part is already dealt with.",
                           code="part_closed")
        if tag["wish"] == wish:
            return tag
        if tag["wish"] != "decide_at_delivery":
            raise Conflict("這個舊品的去向已經決定，如需變更請聯絡保養廠。",
                           "What happens to this part was already decided: ask the shop.",
                           code="already_decided")
        return _save({**tag, "wish": wish, "wish_by": "customer"}, tag)

    return models.retry(_changing(shop_id, code, change), busy=_busy())


def update_tag(caller: Caller, code: str, body: TagChange) -> dict:
    """Correct what the tag says, or record the customer's wish, while the tag is open."""
    require(caller, "parts.write")
    changes = body.model_dump(exclude_unset=True)
    if changes.keys() & {"wish", "supplier"}:
        require(caller, "parts.decide")
    code = normalise_code(code)

    def change(tag: dict) -> dict:
        if tag["state"] in FINAL:
            raise _closed(tag)
        photo = _photo(tag, changes.get("photo_id"))
        if changes.get("photo_id") and photo is None:
            raise _unknown_photo()
        updated = {**tag}
        for key, value in changes.items():
            if value is None:
                if key in ("supplier", "photo_id", "part_number"):
                    updated.pop(key, None)  # null clears what may be absent
            else:
                updated[key] = value
        if updated == tag:
            return view(tag, caller, _photo(tag, tag.get("photo_id")))
        saved = _save(updated, tag, caller)
        return view(saved, caller, photo or _photo(saved, saved.get("photo_id")))

    return models.retry(_changing(caller.shop_id, code, change), busy=_busy())


def record_event(caller: Caller, code: str, body: NewEvent) -> dict:
    """One custody event on one tag; a replayed `event_id` changes nothing."""
    require(caller, "parts.write")
    code = normalise_code(code)

    def change(tag: dict) -> dict:
        if _seen(tag, body.event_id):
            return view(tag, caller, _photo(tag, tag.get("photo_id")))
        if body.photo_id and _photo(tag, body.photo_id) is None:
            raise _unknown_photo()
        saved = _save(_moved(caller, tag, body), tag, caller)
        return view(saved, caller, _photo(saved, saved.get("photo_id")))

    return models.retry(_changing(caller.shop_id, code, change), busy=_busy())


def _seen(tag: dict, event_id: str) -> bool:
    return any(event["event_id"] == event_id for event in tag["events"])


def _moved(caller: Caller, tag: dict, body: EventFields) -> dict:
    """The tag after the event, or the DomainError that refuses it (nothing is written)."""
    refused = refusal(tag, body.to, caller.role)
    if refused:
        raise refused
    now = clock.now_iso()
    at = body.at or now
    if clock.parse_iso(at) > clock.parse_iso(now) + CLOCK_SKEW:
        raise Unprocessable("事件時間在未來，請檢查平板的時鐘。",
                            "The event's time is in the future: check the tablet's clock.",
                            code="event_in_future")
    last = tag["events"][-1]["at"]
    if at < last:
        raise Conflict("這個事件比舊品最近的紀錄還早（可能是離線時的舊操作），請重新掃描確認。",
                       "This event is older than the part's latest one (a stale offline "
                       "scan?): scan the part again.", code="event_out_of_order")
    event = {"event_id": body.event_id, "from": tag["state"], "to": body.to, "at": at,
             "recorded_at": now, "by": caller.stamp(),
             **_optional(device_id=caller.device_id, location=body.location, note=body.note,
                         photo_id=getattr(body, "photo_id", None))}
    if body.disposal:
        event["disposal"] = _disposal(tag, body.disposal)
    if body.to == "returned_to_supplier":
        event["supplier_return"] = _supplier_return(tag, body.supplier_return)
    moved = {**tag, "state": body.to, "events": [*tag["events"], event]}
    if body.location:
        moved["location"] = body.location
    return moved


def _disposal(tag: dict, disposal: Disposal) -> dict:
    unit = CATEGORIES[disposal.category][2]
    quantity = disposal.quantity
    if quantity is None:
        if tag["unit"] != unit:
            zh_unit, en_unit = unit_name(unit, disposal.category)
            raise Unprocessable(f"請填寫報廢數量（{zh_unit}）。",
                                f"Give the quantity disposed of in {en_unit}.",
                                code="quantity_needed")
        quantity = tag["quantity"]
    return {"category": disposal.category, "quantity": quantity, "unit": unit,
            "recycler": disposal.recycler,
            **_optional(manifest_number=disposal.manifest_number)}


def _supplier_return(tag: dict, details: SupplierReturn | None) -> dict:
    details = details or SupplierReturn()
    supplier = details.supplier or tag.get("supplier")
    if not supplier:
        raise Unprocessable("請填寫供應商。", "Name the supplier.", code="supplier_needed")
    return {"supplier": supplier, **_optional(batch=details.batch, rma=details.rma,
                                              tracking=details.tracking)}


def move_many(caller: Caller, body: BatchMove, language: str = "zh-TW") -> dict:
    """One event for many tags (a crate to the shelf, a drum to the recycler): each tag is its
    own conditional write, so one refused tag does not hold back the others; the answer says,
    per code, ok or why not. Reads are two batched reads for all the codes."""
    require(caller, "parts.write")
    codes: dict[str, str | DomainError] = {}  # as sent → the code, or why it is not one
    for raw in body.codes:
        try:
            codes[raw] = normalise_code(raw)
        except DomainError as err:
            codes[raw] = err
    valid = list(dict.fromkeys(code for code in codes.values() if isinstance(code, str)))
    tags = _find_many(caller.shop_id, valid) if valid else {}
    results: list[dict] = []
    for raw, code in codes.items():
        try:
            if isinstance(code, DomainError):
                raise code
            if any(result["code"] == code for result in results):
                continue  # the same code twice (typed once, scanned once)
            if code not in tags:
                raise _not_found()
            moved = models.retry(_changing(caller.shop_id, code,
                                           lambda tag: _move_one(caller, tag, body.event),
                                           tags[code]), busy=_busy())
            results.append({"code": code, "ok": True, "tag": moved})
        except DomainError as err:
            results.append({"code": code if isinstance(code, str) else raw, "ok": False,
                            **err.body(language)})
    done = sum(result["ok"] for result in results)
    return {"event_id": body.event.event_id, "to": body.event.to, "moved": done,
            "failed": len(results) - done, "results": results}


def _move_one(caller: Caller, tag: dict, event: EventFields) -> dict:
    if _seen(tag, event.event_id):
        return summary(tag)
    return summary(_save(_moved(caller, tag, event), tag, caller))


# --- the month's report: disposals and supplier returns ---

def _report_keys(tag: dict) -> dict:
    """Where the tag files itself for the report: the month it was disposed of or returned to
    its supplier, or the supplier returns still pending; nowhere otherwise."""
    if tag["state"] in ("disposed", "returned_to_supplier"):
        at = tag["events"][-1]["at"]
        return models.parts_report_index(models.parts_month_pk(tag["shop_id"], clock.local_date(at)[:7]),
                                     at, tag["code"])
    if tag["state"] in OPEN and tag.get("supplier"):
        return models.parts_report_index(models.parts_pending_pk(tag["shop_id"]), tag["created_at"],
                                     tag["code"])
    return {}


def _row(tag: dict) -> dict:
    """A tag as a line of the report, with the details of the event that closed it."""
    last = tag["events"][-1]
    row = {"code": tag["code"], "part_name": tag["part_name"], "state": tag["state"],
           "quantity": tag["quantity"], "unit": tag["unit"],
           **_optional(part_number=tag.get("part_number"), order_id=tag.get("order_id"),
                       order_number=tag.get("order_number"), plate=tag.get("plate"))}
    if tag["state"] == "disposed":
        row.update(last["disposal"], at=last["at"])
    elif tag["state"] == "returned_to_supplier":
        row.update(last["supplier_return"], at=last["at"])
    else:
        row.update(supplier=tag["supplier"], since=tag["created_at"],
                   **_optional(location=tag.get("location")))
    return row


def monthly(shop_id: str, month: str) -> dict:
    """The month's disposals by category and its supplier returns, and the returns pending:
    two Queries on gsi2."""
    def filed(pk: str) -> list[dict]:
        return [tag.as_dict() for tag in models.Item.lists.query(pk)]

    done = [_row(tag) for tag in filed(models.parts_month_pk(shop_id, month))]
    pending = [_row(tag) for tag in filed(models.parts_pending_pk(shop_id))]
    disposals = [row for row in done if row["state"] == "disposed"]
    totals = []
    for category, (zh, en, unit) in CATEGORIES.items():
        rows = [row for row in disposals if row["category"] == category]
        if rows:
            totals.append({"category": category, "name": {"zh": zh, "en": en}, "unit": unit,
                           "quantity": sum(row["quantity"] for row in rows), "tags": len(rows)})
    return {"month": month, "disposals": {"totals": totals, "items": disposals},
            "supplier_returns": {"done": [row for row in done
                                          if row["state"] == "returned_to_supplier"],
                                 "pending": pending}}


CSV_COLUMNS = [  # (key, zh, en)
    ("kind", "類型", "kind"), ("at", "日期", "date"), ("code", "標籤代碼", "code"),
    ("part_name", "品名", "part"), ("part_number", "料號", "part number"),
    ("category", "分類", "category"), ("quantity", "數量", "quantity"), ("unit", "單位", "unit"),
    ("party", "回收商／供應商", "recycler / supplier"),
    ("reference", "聯單／RMA 編號", "manifest / RMA number"), ("batch", "批號", "batch"),
    ("tracking", "貨運單號", "tracking"), ("order_number", "工單", "order"),
    ("plate", "車牌", "plate"),
]
CSV_KINDS = {"disposed": ("報廢", "disposed"), "returned_to_supplier": ("退回供應商", "returned"),
             "pending": ("待退回供應商", "pending return")}


def csv_text(report: dict, language: str = "zh-TW") -> str:
    """The report as a CSV for the recycling and warranty paperwork: one row per part, with a
    byte-order mark so Excel opens the zh-TW text as UTF-8."""
    pick = 1 if language == "en" else 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column[1 + pick] for column in CSV_COLUMNS])
    rows = [("disposed", row) for row in report["disposals"]["items"]]
    rows += [("returned_to_supplier", row) for row in report["supplier_returns"]["done"]]
    rows += [("pending", row) for row in report["supplier_returns"]["pending"]]
    for kind, row in rows:
        category = CATEGORIES[row["category"]][pick] if row.get("category") else ""
        values = {**row, "kind": CSV_KINDS[kind][pick], "category": category,
                  "at": clock.local_date(row.get("at") or row["since"]),
                  "unit": unit_name(row["unit"], row.get("category"))[pick],
                  "party": row.get("recycler") or row.get("supplier", ""),
                  "reference": row.get("manifest_number") or row.get("rma", "")}
        writer.writerow([_csv_value(values.get(key, "")) for key, _, _ in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def _csv_value(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: never let a part name be one.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def report(caller: Caller, query: ReportQuery, language: str = "zh-TW") -> dict:
    require(caller, "parts.reports")
    month = query.month or clock.local_date()[:7]
    result = monthly(caller.shop_id, month)
    if query.format == "json":
        return result
    filename = f"old-parts-{month}.csv"
    return _stored(objects.report_object(caller.shop_id, f"{language}-{filename}"),
                   csv_text(result, language).encode("utf-8"), "text/csv; charset=utf-8",
                   filename)


# --- labels ---

def _label(tag: dict) -> labels.Label:
    quantity = format(Decimal(tag["quantity"]).normalize(), "f")
    return labels.Label(code=tag["code"], url=tag_url(tag["code"]),
                        plate=tag.get("plate") or "—", order_number=tag.get("order_number", ""),
                        part_name=tag["part_name"],
                        quantity="" if quantity == "1" and tag["unit"] == "piece"
                        else f"{quantity}{' L' if tag['unit'] == 'litre' else ''}")


def label(caller: Caller, code: str, query: LabelQuery) -> dict:
    """A link to the tag's 50 × 30 mm label: PNG, or PDF for the thermal printer."""
    require(caller, "parts.write")
    tag = _find(caller.shop_id, normalise_code(code))
    if query.format == "png":
        data, content_type = labels.png(_label(tag)), "image/png"
    else:
        data, content_type = labels.thermal_pdf([_label(tag)]), "application/pdf"
    filename = f"label-{tag['code']}.{query.format}"
    return _stored(objects.label_object(caller.shop_id, filename), data, content_type, filename)


def label_sheet(caller: Caller, body: LabelsRequest) -> dict:
    """A link to one PDF with the labels of many tags: one thermal label per page, or A4
    sheets of 27 for a laser printer. An unknown code refuses the whole request (404)."""
    require(caller, "parts.write")
    codes = list(dict.fromkeys(normalise_code(raw) for raw in body.codes))
    tags = _find_many(caller.shop_id, codes)
    missing = [code for code in codes if code not in tags]
    if missing:
        raise NotFound(f"找不到舊品標籤 {grouped(missing[0])}。",
                       f"No such old-part tag: {grouped(missing[0])}.")
    chosen = [_label(tags[code]) for code in codes]
    data = labels.thermal_pdf(chosen) if body.layout == "thermal" else labels.sheet_pdf(chosen)
    digest = hashlib.sha256(f"{body.layout}:{','.join(codes)}".encode()).hexdigest()[:16]
    filename = f"labels-{body.layout}-{digest}.pdf"
    stored = _stored(objects.label_object(caller.shop_id, filename), data, "application/pdf",
                     filename)
    return {**stored, "count": len(chosen)}


def _stored(key: str, data: bytes, content_type: str, filename: str) -> dict:
    """Put a made file in the bucket and answer a 15-minute link to it (Lambda answers JSON
    more reliably than binary through API Gateway)."""
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key, Body=data,
                                ContentType=content_type)
    return {"url": aws.download_url(key, filename, content_type, URL_SECONDS),
            "filename": filename, "content_type": content_type, "bytes": len(data)}
