"""The shop's catalogue: labour operations, parts with their grade, service menus (保養套餐), the
labour rates; and the stock of the parts the shop keeps.

Everything the catalogue holds is in one partition, `SHOP#<shop>#CATALOGUE`: the tablet's copy
(a snapshot in S3, rebuilt when the head's `version` moves past `built`) is one Query of it.
Stock sits apart, `SHOP#<shop>#STOCK`, because it changes with every authorized order while the
catalogue changes with a price list: a reservation never makes the tablets download again.
"""
from __future__ import annotations

import re
from typing import Literal

from chalicelib.models.base import Document, Item, Number, Text, Values, Version
from chalicelib.models.shops import shop_pk

Key = dict[str, str]

Grade = Literal["oem", "aftermarket", "reman", "used"]
# As a Taiwanese shop says it, zh-TW first: what the estimate, the authorization and the
# checkout list print beside a part.
GRADE_NAMES = {"oem": ("正廠", "OEM"), "aftermarket": ("副廠", "Aftermarket"),
               "reman": ("再生", "Remanufactured"), "used": ("中古", "Used")}

PART_PREFIX = "PART#"
OP_PREFIX = "OP#"
MENU_PREFIX = "MENU#"
HEAD_SK = "HEAD"
_NOT_KEPT = re.compile(r"[\s\-./_]+")


def catalogue_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#CATALOGUE"


def stock_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#STOCK"


def part_key(part_number: str, brand: str | None = None) -> str:
    """A part's key in the catalogue: its number without spaces, dashes, dots or slashes, upper
    case (`04152-YZZA1` and `04152yzza1` are one part), and its brand likewise when it has one
    (the same number from two brands is two parts). A re-import finds its parts by it."""
    number = _NOT_KEPT.sub("", part_number).upper()
    maker = _NOT_KEPT.sub("", brand or "").upper()
    return f"{number}~{maker}" if maker else number


class CatalogueHead(Item, discriminator="catalogue_head"):
    """The catalogue's head: SK `HEAD`. `version` moves on every change of an operation, part,
    menu or rate (ADD 1); `built` is the version of the snapshot in S3 (`object`, `bytes`),
    so the tablets download again only when they differ. `rates` are the shop's labour rates:
    `[{rate_id, name, name_en, rate}]` (general, electrical, body…)."""
    shop_id = Text()
    version = Number(null=True)
    built = Number(null=True)
    object = Text(null=True)
    bytes = Number(null=True)
    counts = Document(null=True)  # {parts, operations, menus} at the last build
    rates = Values(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": catalogue_pk(shop_id), "sk": HEAD_SK}


class CataloguePart(Item, discriminator="catalogue_part"):
    """A part the shop sells: SK `PART#<part key>` (models.part_key). `grade` is one of
    GRADE_NAMES; `price` and `cost` in whole NT$; `import_id` names the price list that last
    wrote it."""
    shop_id = Text()
    part_key = Text()
    part_number = Text()
    name = Text()
    name_en = Text(null=True)
    grade = Text()
    brand = Text(null=True)
    price = Number()
    cost = Number(null=True)
    supplier = Text(null=True)
    import_id = Text(null=True)
    updated_at = Text()

    @staticmethod
    def key(shop_id: str, key: str) -> Key:
        return {"pk": catalogue_pk(shop_id), "sk": f"{PART_PREFIX}{key}"}


class LabourOp(Item, discriminator="labour_op"):
    """A labour operation (工時項目): SK `OP#<code>`. `hours` is the generic standard time;
    `by_model` the shop's own times per car, `{"TOYOTA|ALTIS": 1.2, "HONDA|": 1.0}` (make and
    model upper case; an empty model is the make's); `rate_id` names one of the head's rates."""
    shop_id = Text()
    code = Text()
    name = Text()
    name_en = Text(null=True)
    hours = Number()
    by_model = Document(null=True)
    rate_id = Text()
    updated_at = Text()

    @staticmethod
    def key(shop_id: str, code: str) -> Key:
        return {"pk": catalogue_pk(shop_id), "sk": f"{OP_PREFIX}{code}"}


class ServiceMenu(Item, discriminator="service_menu"):
    """A service menu (保養套餐): SK `MENU#<id>`. At `mileage_km` or `months`, for every car or
    one make (and model); `items` are its lines, `{kind: "labour", code}` or `{kind: "part",
    part_key, quantity}`; `price` a fixed price in NT$, or absent when the lines' prices add
    up. A make's menus are also its maintenance schedule: the reminders read the next one."""
    shop_id = Text()
    menu_id = Text()
    name = Text()
    name_en = Text(null=True)
    mileage_km = Number(null=True)
    months = Number(null=True)
    make = Text(null=True)
    model = Text(null=True)
    items = Values()
    price = Number(null=True)
    updated_at = Text()

    @staticmethod
    def key(shop_id: str, menu_id: str) -> Key:
        return {"pk": catalogue_pk(shop_id), "sk": f"{MENU_PREFIX}{menu_id}"}


class StockItem(Item, discriminator="stock_item"):
    """The stock of a part the shop keeps: PK `SHOP#<shop>#STOCK`, SK `PART#<part key>` (a
    few hundred a shop: the list below the minimum, 安全量, is one Query). `reserved` counts
    what authorized orders hold, `on_hand` what is on the shelf; every change is conditional
    on `version`."""
    shop_id = Text()
    part_key = Text()
    part_number = Text()
    name = Text()
    on_hand = Number()
    reserved = Number(null=True)
    minimum = Number(null=True)
    receipts = Values(null=True)  # the client ids of the latest goods received: a replay's own
    updated_at = Text()
    version = Version()

    @staticmethod
    def key(shop_id: str, key: str) -> Key:
        return {"pk": stock_pk(shop_id), "sk": f"{PART_PREFIX}{key}"}
