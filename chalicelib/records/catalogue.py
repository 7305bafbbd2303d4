"""The shop's catalogue: its labour rates, labour operations (工時項目), parts and service menus
(保養套餐), edited by a manager one item at a time; and the tablets' copy of it, one gzip JSON
snapshot in S3 (docs/design.md, "The catalogue").

Every edit moves the head's `version` in its own transaction (`touch`); `GET /api/catalogue`
builds a snapshot when the version has moved past the one built (one Query of the catalogue's
partition), keeps it under a name carrying its content's hash, and sets the head's `built`,
`object`, `bytes` and `counts` together, on the condition that no newer snapshot is already
there: two tablets asking at once may both build, one head wins and names bytes that match it.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from decimal import Decimal
from typing import Any, Literal

from boto3.dynamodb.conditions import Key as KeyCondition
from pydantic import Field, StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ShortText, field_error, validate
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, objects
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound, Unprocessable

# A tablet downloads the snapshot within minutes of asking; the link is signed for this long.
URL_SECONDS = 15 * 60

Code = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                        pattern=r"^[A-Z0-9_-]{1,20}$")]
RateId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,30}$")]
Maker = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1,
                                         max_length=40)]
CarKey = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                          pattern=r"^[^|]{1,40}\|[^|]{0,40}$")]
Hours = Annotated[Decimal, Field(ge=0, le=200, max_digits=5, decimal_places=2)]
Price = Annotated[int, Field(ge=0, le=10_000_000)]


class Rate(Body):
    rate_id: RateId
    name: ShortText
    name_en: ShortText | None = None
    rate: Price  # NT$ an hour


class RatesChange(Body):
    rates: list[Rate] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _unique(self) -> "RatesChange":
        ids = [rate.rate_id for rate in self.rates]
        if len(set(ids)) != len(ids):
            raise field_error("工資類別代碼重複。", "rate_id used twice")
        return self


class OperationChange(Body):
    name: ShortText
    name_en: ShortText | None = None
    hours: Hours
    # The shop's own time for a car: {"TOYOTA|ALTIS": 0.4, "HONDA|": 0.6} (an empty model is
    # the make's).
    by_model: dict[CarKey, Hours] | None = Field(default=None, max_length=200)
    rate_id: RateId


class MenuItem(Body):
    kind: Literal["labour", "part"]
    code: Code | None = None
    part_key: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    quantity: Decimal | None = Field(default=None, gt=0, le=1000, max_digits=7, decimal_places=2)

    @model_validator(mode="after")
    def _names_one(self) -> "MenuItem":
        if self.kind == "labour" and not self.code:
            raise field_error("工時項目要有代碼。", "a labour item needs its code")
        if self.kind == "part" and not self.part_key:
            raise field_error("零件項目要有料號。", "a part item needs its part_key")
        if self.kind == "part" and self.quantity is None:
            self.quantity = Decimal(1)
        return self


class MenuChange(Body):
    name: ShortText
    name_en: ShortText | None = None
    mileage_km: int | None = Field(default=None, ge=100, le=1_000_000)
    months: int | None = Field(default=None, ge=1, le=120)
    make: Maker | None = None
    model: Maker | None = None
    items: list[MenuItem] = Field(min_length=1, max_length=60)
    price: Price | None = None  # a fixed price; absent: the items' prices add up

    @model_validator(mode="after")
    def _make_before_model(self) -> "MenuChange":
        if self.model and not self.make:
            raise field_error("指定車型時也要指定廠牌。", "a model needs its make")
        return self


class PartChange(Body):
    part_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=60)]
    name: ShortText
    name_en: ShortText | None = None
    grade: models.Grade
    brand: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                            max_length=40)] | None = None
    price: Price
    cost: Price | None = None
    supplier: ShortText | None = None

    @field_validator("part_number")
    @classmethod
    def _has_a_number(cls, value: str) -> str:
        if not models.part_key(value):
            raise field_error("料號要有英文字母或數字。", "part_number has no letters or digits")
        return value


# --- the head's version ---

def touch(shop_id: str, writes: Any = None, also: list | None = None) -> None:
    """The head's `version` moves (ADD 1): the tablets' copy is out of date. Inside `writes`
    (a transaction) when given, as its own UpdateItem otherwise (once at the end of an import);
    `also`: more actions on the head in the same update."""
    head = models.CatalogueHead
    item = head.from_dict({**head.key(shop_id), "shop_id": shop_id})
    actions = [head.type.set(head), head.version.add(1), head.updated_at.set(clock.now_iso()),
               head.shop_id.set(shop_id), *(also or [])]
    if writes is not None:
        writes.update(item, actions=actions)
    else:
        item.update(actions=actions)


# --- editing ---

def put_rates(caller: Caller, body: RatesChange) -> dict:
    require(caller, "catalogue.write")
    rates = [_clean(rate.model_dump()) for rate in body.rates]
    touch(caller.shop_id, also=[models.CatalogueHead.rates.set(rates)])
    return {"rates": rates}


def put_operation(caller: Caller, code: str, body: OperationChange) -> dict:
    require(caller, "catalogue.write")
    code = _code(code)
    head = models.CatalogueHead.read(models.CatalogueHead.key(caller.shop_id), consistent=True)
    if body.rate_id not in {rate["rate_id"] for rate in (head or {}).get("rates") or []}:
        raise Unprocessable(f"沒有「{body.rate_id}」這個工資類別，請先在工資費率設定。",
                            f"rate_id: no labour rate {body.rate_id!r}; set it in the rates "
                            "first.", code="unknown_rate")
    item = {**models.LabourOp.key(caller.shop_id, code), "shop_id": caller.shop_id,
            "code": code, **_clean(body.model_dump()), "updated_at": clock.now_iso()}
    return _write(caller.shop_id, models.LabourOp, item)


def put_menu(caller: Caller, menu_id: str, body: MenuChange) -> dict:
    require(caller, "catalogue.write")
    _valid(menu_id, r"^[A-Za-z0-9_-]{1,40}$", "menu_id")
    _check_items(caller.shop_id, body.items)
    values = body.model_dump()
    values["items"] = [_clean(item) for item in values["items"]]
    item = {**models.ServiceMenu.key(caller.shop_id, menu_id), "shop_id": caller.shop_id,
            "menu_id": menu_id, **_clean(values), "updated_at": clock.now_iso()}
    return _write(caller.shop_id, models.ServiceMenu, item)


def put_part(caller: Caller, key: str, body: PartChange) -> dict:
    require(caller, "catalogue.write")
    expected = models.part_key(body.part_number, body.brand)
    if key != expected:
        raise Unprocessable(f"料號鍵應為「{expected}」（料號加廠牌）。",
                            f"part_key: must be {expected!r} (the number and brand).",
                            code="part_key_mismatch")
    item = {**models.CataloguePart.key(caller.shop_id, key), "shop_id": caller.shop_id,
            "part_key": key, **_clean(body.model_dump()), "updated_at": clock.now_iso()}
    return _write(caller.shop_id, models.CataloguePart, item)


def delete_operation(caller: Caller, code: str) -> None:
    require(caller, "catalogue.write")
    _delete(caller.shop_id, models.LabourOp, models.LabourOp.key(caller.shop_id, _code(code)))


def delete_menu(caller: Caller, menu_id: str) -> None:
    require(caller, "catalogue.write")
    _delete(caller.shop_id, models.ServiceMenu, models.ServiceMenu.key(caller.shop_id, menu_id))


def delete_part(caller: Caller, key: str) -> None:
    require(caller, "catalogue.write")
    _delete(caller.shop_id, models.CataloguePart, models.CataloguePart.key(caller.shop_id, key))


def _check_items(shop_id: str, items: list[MenuItem]) -> None:
    """A menu's items name operations and parts of the catalogue (one BatchGetItem): 422
    `unknown_item` naming those it does not hold."""
    keys = {(item.kind, item.code or item.part_key): models.LabourOp.key(shop_id, item.code)
            if item.kind == "labour" else models.CataloguePart.key(shop_id, item.part_key)
            for item in items}
    found = {(row.pk, row.sk) for row in models.Item.batch_get(
        [(key["pk"], key["sk"]) for key in keys.values()])}
    missing = [name for (_, name), key in keys.items() if (key["pk"], key["sk"]) not in found]
    if missing:
        raise Unprocessable(f"目錄裡沒有：{'、'.join(missing)}。",
                            f"items: not in the catalogue: {', '.join(missing)}",
                            code="unknown_item")


def _write(shop_id: str, model: type[models.Item], item: dict) -> dict:
    with models.transaction() as writes:
        writes.save(model.from_dict(item))
        touch(shop_id, writes)
    return public(item)


def _delete(shop_id: str, model: type[models.Item], key: dict) -> None:
    try:
        with models.transaction() as writes:
            writes.delete(model.from_dict(key), condition=model.pk.exists())
            touch(shop_id, writes)
    except models.LostRace:
        raise NotFound("目錄裡沒有這個項目。", "No such item in the catalogue.") from None


def _code(code: str) -> str:
    return _valid(code.upper(), r"^[A-Z0-9_-]{1,20}$", "code")


def _valid(value: str, pattern: str, name: str) -> str:
    if not re.match(pattern, value):
        raise Unprocessable(f"{name} 格式不對。", f"{name}: not a valid value.")
    return value


def _clean(values: dict) -> dict:
    """What is stored: no empty optional fields."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


def public(item: dict) -> dict:
    return {name: value for name, value in item.items()
            if name not in ("pk", "sk", "type", "shop_id", "gsi1pk", "gsi1sk", "gsi2pk",
                            "gsi2sk")}


# --- reading: the tablets' snapshot ---

def get_catalogue(caller: Caller) -> dict:
    """`{version, url, bytes, counts, rates}`: the snapshot built first when the catalogue
    changed since the last one."""
    require(caller, "orders.read")
    head = current(caller.shop_id)
    return {"version": head["built"], "bytes": head["bytes"], "counts": head["counts"],
            "rates": head.get("rates") or [],
            "url": aws.download_url(head["object"], f"catalogue-{head['built']}.json.gz",
                                    "application/gzip", URL_SECONDS)}


def current(shop_id: str) -> dict:
    """The head as it names a snapshot at its version (built now when it was behind)."""
    head = models.CatalogueHead.read(models.CatalogueHead.key(shop_id), consistent=True) or {}
    if head.get("object") and head.get("built") == (head.get("version") or 0):
        return head
    return build(shop_id, head)


def build(shop_id: str, head: dict) -> dict:
    """One Query of the catalogue, the snapshot put to S3 under a name carrying its hash, the
    head set to it unless a snapshot as new or newer is already there (then that one stands,
    and this one is removed)."""
    version = int(head.get("version") or 0)
    rows = aws.query_all(KeyConditionExpression=KeyCondition("pk").eq(models.catalogue_pk(shop_id)),
                         ConsistentRead=True, **_PROJECTION)
    snapshot = snapshot_of(version, rows)
    data = gzip.compress(json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
                         .encode(), mtime=0)
    key = objects.catalogue_object(shop_id, version, hashlib.sha256(data).hexdigest()[:16])
    bucket = settings().bucket_name
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data,
                                ContentType="application/gzip")
    counts = {"parts": len(snapshot["parts"]["part_key"]),
              "operations": len(snapshot["operations"]), "menus": len(snapshot["menus"])}
    row = models.CatalogueHead
    try:
        with models.refusals():
            row.from_dict({**row.key(shop_id), "shop_id": shop_id}).update(
                actions=[row.type.set(row), row.built.set(version), row.object.set(key), row.bytes.set(len(data)),
                         row.counts.set(counts), row.shop_id.set(shop_id)],
                condition=row.built.does_not_exist() | (row.built < version))
    except models.LostRace:
        # Another request built this version (or a newer one) first: its snapshot stands.
        stood = models.CatalogueHead.read(row.key(shop_id), consistent=True)
        if stood.get("object") != key:
            aws.client("s3").delete_object(Bucket=bucket, Key=key)
        return stood
    if head.get("object") and head["object"] != key:
        aws.client("s3").delete_object(Bucket=bucket, Key=head["object"])
    return {**head, "built": version, "object": key, "bytes": len(data), "counts": counts}


# Only what the snapshot shows is read (not a part's cost, supplier, import or times): about a
# third less to read for a price list of 30,000 parts.
SNAPSHOT_FIELDS = ("type", "part_key", "part_number", "name", "name_en", "grade", "brand", "price",
                   "code", "hours", "by_model", "rate_id", "menu_id", "mileage_km", "months",
                   "make", "model", "items", "rates")
_PROJECTION = {"ProjectionExpression": ", ".join(f"#f{n}" for n in range(len(SNAPSHOT_FIELDS))),
               "ExpressionAttributeNames": {f"#f{n}": field
                                            for n, field in enumerate(SNAPSHOT_FIELDS)}}


def snapshot_of(version: int, rows: list[dict]) -> dict:
    """The snapshot's JSON (docs/api.md, "The catalogue snapshot"): parts as columns, the rest
    as rows."""
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        by_type.setdefault(row.get("type"), []).append(row)
    head = (by_type.get(models.CatalogueHead.type_name()) or [{}])[0]
    columns = ("part_key", "part_number", "name", "grade", "brand", "price")
    parts: dict[str, list] = {column: [] for column in columns}
    for part in by_type.get(models.CataloguePart.type_name(), []):
        for column in columns:
            parts[column].append(_number(part.get(column, "" if column == "brand" else None)))
    return {
        "version": version,
        "rates": [_plain(rate) for rate in head.get("rates") or []],
        "operations": [{"code": op["code"], "name": op["name"], "name_en": op.get("name_en"),
                        "hours": _number(op["hours"]),
                        "by_model": _plain(op.get("by_model") or {}), "rate_id": op["rate_id"]}
                       for op in by_type.get(models.LabourOp.type_name(), [])],
        "menus": [_menu(menu) for menu in by_type.get(models.ServiceMenu.type_name(), [])],
        "parts": parts,
    }


def _menu(menu: dict) -> dict:
    return {"menu_id": menu["menu_id"], "name": menu["name"], "name_en": menu.get("name_en"),
            "mileage_km": _number(menu.get("mileage_km")), "months": _number(menu.get("months")),
            "make": menu.get("make"), "model": menu.get("model"),
            "items": _plain(menu.get("items") or []), "price": _number(menu.get("price"))}


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _plain(value: Any) -> Any:
    """Decimals as JSON numbers, all the way down."""
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return _number(value)


# --- a car's maintenance schedule (the reminders read it) ---

def schedule(shop_id: str, make: str | None, model: str | None = None) -> list[dict]:
    """The menus that are a car's maintenance schedule, by mileage: its make and model's, else
    its make's, else the shop's generic ones (those with a mileage). One Query."""
    # models.Item's: ServiceMenu's own `items` is the menu's lines.
    menus = [menu for menu in models.Item.items(
        models.catalogue_pk(shop_id), models.Item.sk.startswith(models.MENU_PREFIX))
        if menu.get("mileage_km")]
    make, model = (make or "").strip().upper(), (model or "").strip().upper()
    for chosen in ([m for m in menus if make and m.get("make") == make and m.get("model")
                    and _same_model(m["model"], model)],
                   [m for m in menus if make and m.get("make") == make and not m.get("model")],
                   [m for m in menus if not m.get("make")]):
        if chosen:
            return sorted(chosen, key=lambda menu: menu["mileage_km"])
    return []


def _same_model(menu_model: str, model: str) -> bool:
    """A menu's model names the car's when it is its model or one word of it (a menu for ALTIS
    is a COROLLA ALTIS's)."""
    return bool(model) and (menu_model == model or menu_model in model.split())


def next_menu(shop_id: str, make: str | None, model: str | None, mileage_km: int) -> dict | None:
    """The car's next service in its schedule: the menu with the smallest mileage above the
    car's; None when there is no schedule or the car is past its last menu."""
    return next((menu for menu in schedule(shop_id, make, model)
                 if menu["mileage_km"] > mileage_km), None)


# --- a shop's export imported again (after/portability.py) ---

def restore(shop_id: str, rows: list[dict]) -> dict[str, int]:
    """The catalogue rows of an export (each as `portability.record` shows it) written back,
    each checked by the routes' own bodies: parts, operations and menus by their keys (an
    import over a catalogue replaces what it names, adds nothing twice), the head's rates; the
    version moved once at the end. Answers how many of each."""
    counts = {"parts": 0, "operations": 0, "menus": 0, "rates": 0}
    now = clock.now_iso()
    written: dict[type[models.Item], list[dict]] = {}
    rates = None
    for row in rows:
        kind = row.get("type")
        if kind == models.CatalogueHead.type_name() and row.get("rates"):
            rates = [_clean(rate.model_dump())
                     for rate in validate(RatesChange, {"rates": row["rates"]}).rates]
            counts["rates"] = len(rates)
        elif kind == models.CataloguePart.type_name():
            body = validate(PartChange, _fields(row, PartChange))
            key = models.part_key(body.part_number, body.brand)
            written.setdefault(models.CataloguePart, []).append({
                **models.CataloguePart.key(shop_id, key), "shop_id": shop_id, "part_key": key,
                **_clean(body.model_dump()), "updated_at": now})
            counts["parts"] += 1
        elif kind == models.LabourOp.type_name():
            body = validate(OperationChange, _fields(row, OperationChange))
            code = _code(str(row.get("code") or ""))
            written.setdefault(models.LabourOp, []).append({
                **models.LabourOp.key(shop_id, code), "shop_id": shop_id, "code": code,
                **_clean(body.model_dump()), "updated_at": now})
            counts["operations"] += 1
        elif kind == models.ServiceMenu.type_name():
            body = validate(MenuChange, _fields(row, MenuChange))
            menu_id = _valid(str(row.get("menu_id") or ""), r"^[A-Za-z0-9_-]{1,40}$", "menu_id")
            values = body.model_dump()
            values["items"] = [_clean(item) for item in values["items"]]
            written.setdefault(models.ServiceMenu, []).append({
                **models.ServiceMenu.key(shop_id, menu_id), "shop_id": shop_id, "menu_id": menu_id,
                **_clean(values), "updated_at": now})
            counts["menus"] += 1
    for model, items in written.items():
        with model.batch_write() as batch:  # 25 items a request
            for item in items:
                batch.save(model.from_dict(item))
    touch(shop_id, also=[models.CatalogueHead.rates.set(rates)] if rates else None)
    return counts


def _fields(row: dict, body: type[Body]) -> dict:
    """A row's fields that the body takes (an export carries its keys and words beside)."""
    return {name: row[name] for name in body.model_fields if row.get(name) is not None}
