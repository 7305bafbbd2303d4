"""The walk-around (檢修確認表): what the advisor records at the car, and what it means.

One inspection item per order, in the order's partition. It is a flat map of fields
(`tyres.LF.inner`, `lights.abs`, …) set one by one, each with the time the advisor changed it on
the tablet: two tablets on one car merge field by field, the newest change of each field wins
(a cleared field keeps its time, so an older write cannot bring it back). The fields and their
checks are the table `RULES`; what the values mean is `findings`, the one place that colours a
tyre or a brake pad.

Editable while the order is booked or checked in; the service authorization freezes it, which
the write itself checks (a condition on the order's state in the same transaction).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import Field, StrictBool, field_validator
from pynamodb.expressions import operand

from chalicelib import models
from chalicelib.api import Body, Caller, field_error, jsonable
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Busy, Conflict, Invalid
from chalicelib.records import shop_settings, vehicles
from chalicelib.records.shop_settings import TREAD_LEGAL_MIN_MM, TYRE_MAX_AGE_YEARS
from chalicelib.work import order_store, photos

MAX_CHANGES = 100
MAX_DAMAGE_MARKERS = 100
MAX_KM = 3_000_000
POSITIONS = models.TYRE_POSITIONS  # as the walk-around's fields and photos name them
GROOVES = ("inner", "centre", "outer")
AXLES = models.BRAKE_AXLES
DAMAGE_KINDS = ("scratch", "dent", "crack", "chip", "rust", "other")
STATUSES = ("green", "yellow", "red")

POSITION_NAMES = {"LF": "左前", "RF": "右前", "LR": "左後", "RR": "右後", "SPARE": "備胎"}


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict, ...]:
    """The warning lights (ISO 2575 telltales) the advisor can mark as lit."""
    path = Path(__file__).resolve().parents[1] / "catalogue" / "warning_lights.json"
    return tuple(json.loads(path.read_text(encoding="utf-8"))["lights"])


def light_codes() -> tuple[str, ...]:
    return tuple(light["code"] for light in catalogue())


def warning_lights() -> dict:
    return {"lights": list(catalogue())}


# --- the fields and their checks ---

class Bad(Exception):
    """A value a field does not take: the (zh, en) of what it takes."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise Bad("要是數字。", "must be a number")
    return Decimal(str(value))


def _whole(low: int, high: int, what_zh: str, unit: str = "") -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = _number(value)
        if number != number.to_integral_value() or not low <= number <= high:
            raise Bad(f"{what_zh}要是 {low} 到 {high:,} 之間的整數{unit}。",
                      f"must be a whole number from {low} to {high:,}")
        return int(number)
    return check


def _mm(high: int, what_zh: str) -> Callable[[Any], Decimal]:
    """Millimetres in steps of 0.1 (a tread gauge reads no finer)."""
    def check(value: Any) -> Decimal:
        number = _number(value)
        if not 0 <= number <= high or number != number.quantize(Decimal("0.1")):
            raise Bad(f"{what_zh}要在 0 到 {high} mm 之間，以 0.1 mm 為單位。",
                      f"must be 0 to {high} mm in steps of 0.1 mm")
        return number.quantize(Decimal("0.1"))
    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad("要是 true 或 false。", "must be true or false")
    return value


def _text(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value.strip()) > limit:
            raise Bad(f"要是 {limit} 字以內的文字。", f"must be text of at most {limit} characters")
        return value.strip()
    return check


def dot_made(code: str) -> date:
    """The week a tyre was made, from its DOT date code `WWYY` (week 01–53, year 20YY).

    Makers number weeks 01–53 in any year; week 53 is taken as the last days of the year.
    """
    if not isinstance(code, str) or not re.fullmatch(r"[0-9]{4}", code):
        raise Bad("DOT 製造週/年要是 4 位數字（前兩碼週次、後兩碼年份），例如 2319。",
                  "a DOT date code is 4 digits, week then year (WWYY), e.g. 2319")
    week, year = int(code[:2]), 2000 + int(code[2:])
    if not 1 <= week <= 53:
        raise Bad("DOT 日期碼的週數要在 01 到 53 之間。", "the DOT week must be 01 to 53")
    return min(date(year, 1, 1) + timedelta(weeks=week - 1), date(year, 12, 31))


def dot_old(code: str, today: date) -> bool:
    """Older than six years: such a tyre may no longer be sold in Taiwan (docs/design.md §7)."""
    made = dot_made(code)
    try:
        limit = today.replace(year=today.year - TYRE_MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - TYRE_MAX_AGE_YEARS, day=28)
    return made < limit


def _dot(value: Any) -> str:
    made = dot_made(value)
    if made > clock.now().date():
        raise Bad("DOT 日期碼不能是未來的日期。", "the DOT date code is in the future")
    return value


def _coordinate(value: Any) -> Decimal:
    number = _number(value)
    if not 0 <= number <= 1:
        raise Bad("位置要在 0 到 1 之間。", "x and y must be from 0 to 1")
    return number.quantize(Decimal("0.0001"))


def _marker(value: Any) -> dict:
    if not isinstance(value, dict) or not {"x", "y", "kind"} <= set(value) \
            or not set(value) <= {"x", "y", "kind", "note"}:
        raise Bad("外觀損傷標記要有 x、y、kind，可加 note。",
                  "a damage marker is {x, y, kind, note?}")
    if value["kind"] not in DAMAGE_KINDS:
        raise Bad("外觀損傷種類要是：刮傷 scratch、凹陷 dent、裂痕 crack、掉漆 chip、生鏽 rust、其他 other。",
                  f"kind must be one of {', '.join(DAMAGE_KINDS)}")
    marker = {"x": _coordinate(value["x"]), "y": _coordinate(value["y"]), "kind": value["kind"]}
    note = _text(200)(value["note"]) if value.get("note") is not None else ""
    return {**marker, "note": note} if note else marker


def _check_item(value: Any) -> dict:
    if not isinstance(value, dict) or "status" not in value \
            or not set(value) <= {"status", "note"}:
        raise Bad("檢查項目要有 status，可加 note。", "a checklist item is {status, note?}")
    if value["status"] not in STATUSES:
        raise Bad("檢查結果要是 green、yellow 或 red。", "status must be green, yellow or red")
    note = _text(500)(value["note"]) if value.get("note") is not None else ""
    return {"status": value["status"], **({"note": note} if note else {})}


@dataclass(frozen=True)
class Rule:
    pattern: str
    check: Callable[[Any], Any]
    zh: str  # what the field is, for the message a person reads

    def match(self, field: str) -> re.Match | None:
        return re.fullmatch(self.pattern, field)


_POS = r"tyres\.(?P<pos>[^.]+)"
# docs/api.md, "The walk-around": every field an inspection takes, with what it takes.
RULES: tuple[Rule, ...] = (
    Rule(r"mileage_km", _whole(0, MAX_KM, "里程", " 公里"), "里程"),
    Rule(r"fuel_eighths", _whole(0, 8, "油量（八分之幾）"), "油量"),
    Rule(r"lights\.(?P<code>[^.]+)", _flag, "故障燈"),
    Rule(r"lights_none", _flag, "故障燈（全部未亮）"),
    Rule(_POS + r"\.(?P<groove>inner|centre|outer)", _mm(20, "胎紋深度"), "胎紋深度"),
    Rule(_POS + r"\.pressure_kpa", _whole(0, 600, "胎壓", " kPa"), "胎壓"),
    Rule(_POS + r"\.dot", _dot, "輪胎 DOT 日期碼"),
    Rule(r"brakes\.(?P<axle>[^.]+)\.pad_mm", _mm(30, "煞車來令片厚度"), "煞車來令片"),
    Rule(r"brakes\.(?P<axle>[^.]+)\.disc_note", _text(200), "煞車碟盤"),
    Rule(r"damage\.(?P<marker>[A-Za-z0-9_-]{1,64})", _marker, "外觀損傷"),
    Rule(r"checklist\.(?P<item>[^.]+)", _check_item, "檢查項目"),
    Rule(r"valuables_reminded", _flag, "貴重物品提醒"),
    Rule(r"customer_present", _flag, "車主在場"),
)

# What a named part of a field must be, and how a person reads the refusal.
_NAMES: dict[str, tuple[Callable[["Known"], Iterable[str]], str, str]] = {
    "pos": (lambda known: POSITIONS, "輪胎位置", "tyre position"),
    "axle": (lambda known: AXLES, "煞車位置（front、rear）", "brake axle"),
    "code": (lambda known: light_codes(), "故障燈代碼", "warning light code"),
    "item": (lambda known: known.item_ids(), "檢查項目", "checklist item"),
}


class Known:
    """What depends on the shop, read only when a change needs it (the checklist template)."""

    def __init__(self, shop_id: str) -> None:
        self.shop_id = shop_id
        self._items: frozenset[str] | None = None

    def item_ids(self) -> frozenset[str]:
        if self._items is None:
            self._items = shop_settings.item_ids(self.shop_id)
        return self._items


def check_field(field: str, value: Any, known: Known) -> Any:
    """The value as stored (None clears the field), or Bad."""
    rule = next((rule for rule in RULES if rule.match(field)), None)
    if rule is None:
        raise Bad(f"沒有 {field} 這個欄位。", f"{field} is not a field of the inspection")
    for name, part in rule.match(field).groupdict().items():
        allowed, zh, en = _NAMES.get(name, (None, "", ""))
        if allowed is not None and part not in allowed(known):
            raise Bad(f"沒有 {part} 這個{zh}。", f"{part} is not a known {en}")
    if value is None:
        return None
    try:
        return rule.check(value)
    except Bad as bad:
        raise Bad(f"{rule.zh}：{bad.zh}", bad.en) from None


# --- merging: the newest change of each field wins ---

@dataclass(frozen=True)
class Write:
    field: str
    value: Any
    at: str  # UTC, clock.iso format: compares as text
    by: dict


def _expand(write: Write) -> list[Write]:
    """"None lit" clears every light; a light lit clears "none lit" (each at the same time, so
    the merge stays field by field and the order changes arrive in does not matter)."""
    if write.field == "lights_none" and write.value is True:
        return [write, *(Write(f"lights.{code}", None, write.at, write.by)
                         for code in light_codes())]
    if write.field.startswith("lights.") and write.value is True:
        return [write, Write("lights_none", None, write.at, write.by)]
    return [write]


def _rank(at: str, value: Any, by: dict) -> tuple[str, str, str]:
    # Equal times (two tablets in one millisecond): decided by content, the same everywhere.
    return (at, json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False),
            json.dumps(jsonable(by), sort_keys=True, ensure_ascii=False))


def merge(values: dict, changed: dict, writes: Iterable[Write]) -> tuple[dict, dict, list[Write]]:
    """Apply `writes` field by field, newest wins: (values, changed, the writes that won)."""
    values, changed, won = dict(values), dict(changed), []
    for write in (part for original in writes for part in _expand(original)):
        last = changed.get(write.field)
        if last and _rank(last["at"], values.get(write.field), last["by"]) >= \
                _rank(write.at, write.value, write.by):
            continue
        changed[write.field] = {"at": write.at, "by": write.by}
        if write.value is None:
            values.pop(write.field, None)
        else:
            values[write.field] = write.value
        won.append(write)
    return values, changed, won


# --- what the values mean ---

def _colour(value: Decimal, red_below: Decimal, yellow_below: Decimal) -> str:
    return "red" if value < red_below else "yellow" if value < yellow_below else "green"


def tyre_finding(grooves: list[Decimal], dot: str | None, settings: dict, today: date) -> dict:
    """Coloured by the worst groove; uneven when the grooves differ by the shop's margin."""
    worst = min(grooves) if grooves else None
    return {
        "colour": _colour(worst, TREAD_LEGAL_MIN_MM, Decimal(settings["tread_yellow_mm"]))
        if worst is not None else None,
        "worst_mm": worst,
        "uneven": len(grooves) > 1 and max(grooves) - min(grooves) >= Decimal(settings["uneven_mm"]),
        "dot_old": dot_old(dot, today) if dot else False,
    }


def findings(values: dict, settings: dict, today: date | None = None) -> dict:
    """What the walk-around concludes: the one place tyres, pads and lights are judged."""
    today = today or clock.now().astimezone(clock.SHOP_TIMEZONE).date()
    tyres = {}
    for pos in POSITIONS:
        grooves = [Decimal(values[f"tyres.{pos}.{g}"]) for g in GROOVES
                   if values.get(f"tyres.{pos}.{g}") is not None]
        dot = values.get(f"tyres.{pos}.dot")
        if grooves or dot:
            tyres[pos] = tyre_finding(grooves, dot, settings, today)
    brakes = {}
    for axle in AXLES:
        pad = values.get(f"brakes.{axle}.pad_mm")
        if pad is not None:
            brakes[axle] = {"colour": _colour(Decimal(pad), Decimal(settings["pad_red_mm"]),
                                              Decimal(settings["pad_yellow_mm"])),
                            "pad_mm": Decimal(pad)}
    lights: dict[str, list[str]] = {"red": [], "amber": [], "green": [], "blue": []}
    for light in catalogue():
        if values.get(f"lights.{light['code']}") is True:
            lights[light["colour"]].append(light["code"])
    checklist = [value["status"] for field, value in values.items()
                 if field.startswith("checklist.")]
    colours = [finding["colour"] for finding in [*tyres.values(), *brakes.values()]] + checklist
    return {
        "tyres": tyres, "brakes": brakes, "lights": lights,
        "counts": {"red": colours.count("red") + len(lights["red"]),
                   "yellow": colours.count("yellow") + len(lights["amber"])},
    }


_TYRE_NAMES = {"LF": ("左前輪胎", "Left front tyre"), "RF": ("右前輪胎", "Right front tyre"),
               "LR": ("左後輪胎", "Left rear tyre"), "RR": ("右後輪胎", "Right rear tyre"),
               "SPARE": ("備胎", "Spare tyre")}
_AXLE_NAMES = {"front": ("前輪煞車來令片", "Front brake pads"),
               "rear": ("後輪煞車來令片", "Rear brake pads")}
DAMAGE_NAMES = {"scratch": ("刮傷", "Scratch"), "dent": ("凹陷", "Dent"),
                 "crack": ("裂痕", "Crack"), "chip": ("掉漆", "Chip"), "rust": ("生鏽", "Rust"),
                 "other": ("其他損傷", "Other damage")}
_FLAGGED = {"red": "red", "yellow": "yellow"}


def summary(values: dict, settings: dict, checklist: list[dict], today: date | None = None) -> dict:
    """What the service authorization shows of the walk-around: the lit warning lights, every
    red or yellow item (tyres, pads, checklist) and the damage markers, named in both languages."""
    found = findings(values, settings, today)
    by_code = {light["code"]: light for light in catalogue()}
    lights = [{"code": code, "colour": colour, "zh": by_code[code]["zh"], "en": by_code[code]["en"]}
              for colour, codes in found["lights"].items() for code in codes]
    items = []
    for pos, tyre in found["tyres"].items():
        colour = "red" if tyre["dot_old"] else _FLAGGED.get(tyre["colour"])
        if colour:
            zh, en = _TYRE_NAMES[pos]
            depth = f"{tyre['worst_mm']} mm" if tyre["worst_mm"] is not None else ""
            note = "、".join(filter(None, [depth, "超過六年 DOT over 6 years" if tyre["dot_old"] else ""]))
            items.append({"zh": zh, "en": en, "colour": colour, **({"note": note} if note else {})})
    for axle, brake in found["brakes"].items():
        if brake["colour"] in _FLAGGED:
            zh, en = _AXLE_NAMES[axle]
            items.append({"zh": zh, "en": en, "colour": brake["colour"],
                          "note": f"{brake['pad_mm']} mm"})
    names = {item["item_id"]: item for item in checklist}
    for field, value in sorted(values.items()):
        if field.startswith("checklist.") and value["status"] in _FLAGGED:
            item = names.get(field.removeprefix("checklist."), {})
            code = field.removeprefix("checklist.")
            items.append({"zh": item.get("zh", code), "en": item.get("en", code),
                          "colour": value["status"], **({"note": value["note"]}
                                                        if value.get("note") else {})})
    damage = [{"zh": DAMAGE_NAMES[marker["kind"]][0], "en": DAMAGE_NAMES[marker["kind"]][1],
               **({"note": marker["note"]} if marker.get("note") else {})}
              for field, marker in sorted(values.items()) if field.startswith("damage.")]
    return {"lights": lights, "items": items, "damage": damage}


# --- request bodies ---

class Change(Body):
    field: str = Field(min_length=1, max_length=120)
    value: Any
    changed_at: str = Field(max_length=40)
    confirm_lower: StrictBool = False  # a lower mileage, on purpose (a replaced odometer)

    @field_validator("changed_at")
    @classmethod
    def _time(cls, text: str) -> str:
        try:
            moment = clock.parse_iso(text)
        except ValueError:
            raise field_error("changed_at 的時間格式不正確。", "changed_at is not an ISO 8601 time") \
                from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.SHOP_TIMEZONE)
        # A tablet whose clock runs ahead must not hold a field forever: no later than now.
        return clock.iso(min(moment, clock.now()))


class InspectionChanges(Body):
    changes: list[Change] = Field(min_length=1, max_length=MAX_CHANGES)


# --- reading and writing ---

def _read(shop_id: str, order_id: str) -> tuple[dict, dict | None, list[dict]]:
    """The order, its inspection and photos: one Query on the order's partition."""
    order = order_store.load(shop_id, order_id)
    return order, order["inspection"], order["photos"]


def _view(caller: Caller, order: dict, inspection: dict | None, shots: list[dict]) -> dict:
    values = (inspection or {}).get("values", {})
    return {"order_id": order["order_id"], "values": values,
            "changed": (inspection or {}).get("changed", {}),
            "findings": findings(values, shop_settings.thresholds(caller.shop_id)),
            "photos": photos.views(shots), "editable": order_store.walkaround_editable(order)}


def get_inspection(caller: Caller, order_id: str) -> dict:
    require(caller, "orders.read")
    return _view(caller, *_read(caller.shop_id, order_id))


def _writes(caller: Caller, changes: list[Change]) -> list[Write]:
    """Every change checked before anything is stored: one bad change refuses them all."""
    known, writes = Known(caller.shop_id), []
    for index, change in enumerate(changes):
        try:
            value = check_field(change.field, change.value, known)
        except Bad as bad:
            raise Invalid(f"第 {index + 1} 項（{change.field}）：{bad.zh}",
                          f"changes[{index}] {change.field}: {bad.en}.",
                          code="invalid_change") from None
        writes.append(Write(change.field, value, change.changed_at, caller.stamp()))
    return writes


def update_inspection(caller: Caller, order_id: str, body: InspectionChanges) -> dict:
    """Merge the changes field by field (newest wins), guarded against a concurrent write and
    against the order leaving the states where the walk-around may change. A new mileage goes on
    the vehicle in the same transaction: copies of one request arriving together record it once,
    by the copy that wins (the others find nothing newer to merge). A lost race reads and merges
    again (models.retry)."""
    require(caller, "inspections.write")
    first = _read(caller.shop_id, order_id)
    order_store.refuse_walkaround_frozen(first[0])
    writes = _writes(caller, body.changes)
    confirm_lower = any(change.confirm_lower for change in body.changes
                        if change.field == "mileage_km")
    reads = iter([first])  # the first try merges into what was just read

    def merge_and_write() -> dict:
        order, inspection, shots = next(reads, None) or _read(caller.shop_id, order_id)
        order_store.refuse_walkaround_frozen(order)
        return _merge_and_write(caller, order, inspection, shots, writes, confirm_lower)

    return models.retry(merge_and_write,
                        busy=Busy("檢修確認表正被同時修改，請再送一次。",
                                  "The walk-around is being changed from elsewhere; send again."))


def _merge_and_write(caller: Caller, order: dict, inspection: dict | None, shots: list[dict],
                     writes: list[Write], confirm_lower: bool) -> dict:
    """Merge `writes` into the inspection as read and write it, only if it and the order are
    still as read (raises models.LostRace otherwise); a replay finds nothing newer to write."""
    values, changed, won = merge((inspection or {}).get("values", {}),
                                 (inspection or {}).get("changed", {}), writes)
    if not won:
        return _view(caller, order, inspection, shots)  # nothing newer: a replay
    markers = sum(1 for field in values if field.startswith("damage."))
    if markers > MAX_DAMAGE_MARKERS:
        raise Invalid(f"外觀損傷標記最多 {MAX_DAMAGE_MARKERS} 個。",
                      f"At most {MAX_DAMAGE_MARKERS} damage markers.", code="invalid_change")
    mileage = next((w for w in reversed(won) if w.field == "mileage_km"), None)
    km = mileage.value if mileage is not None else None
    shop_id, order_id = caller.shop_id, order["order_id"]
    # Saved at the version read (PynamoDB checks it and writes the next), or new without one.
    item = models.Inspection.from_dict({
        **models.Inspection.key(shop_id, order_id), "type": "inspection", "shop_id": shop_id,
        "order_id": order_id, "values": values, "changed": changed,
        "version": (inspection or {}).get("version"), "updated_at": clock.now_iso()})
    header = models.order_key(shop_id, order_id)
    try:
        with models.transaction() as transaction:
            transaction.condition_check(
                models.Order, header["pk"], header["sk"],
                condition=models.Order.state.is_in(*order_store.WALKAROUND_STATES)
                & operand.Path(["signed", "authorization"]).does_not_exist())
            transaction.save(item, condition=None if inspection else
                             models.Inspection.pk.does_not_exist())
            if km is not None:
                vehicles.add_reading(transaction, caller, order["vehicle"]["vehicle_id"],
                                     int(km), "walkaround", confirm_lower)
    except models.Refused as lost:
        # Refused only for the vehicle's last reading (the order and the walk-around as read):
        # the mileage is lower. Otherwise another tablet wrote first, or the order moved on.
        if lost.parts[:3] == [False, False, True]:
            raise _lower(caller, order, int(km)) from None
        raise
    return _view(caller, order, item.as_dict(), shots)


def _lower(caller: Caller, order: dict, km: int) -> Conflict:
    """The walk-around's mileage is below the vehicle's last reading: a typing slip, or a
    replaced odometer to confirm."""
    vehicle = vehicles.get_vehicle(caller.shop_id, order["vehicle"]["vehicle_id"]) or {}
    last = int(vehicle.get("mileage", {}).get("km", 0))
    return Conflict(f"里程 {km:,} 公里比上次的 {last:,} 公里少；若更換過里程表，請確認後再送出。",
                    f"{km:,} km is less than the last reading, {last:,} km; if the odometer was "
                    "replaced, confirm the lower reading.", code="mileage_lower")
