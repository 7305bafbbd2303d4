"""Vehicles: plates and VINs in one form, owners over time, every mileage reading.

A vehicle is its own partition (the vehicle item, its `MILEAGE#` readings and `OWNER#` records),
so its page is one Query there plus one on gsi1 for its orders. A plate is claimed per shop by an
item written in the same transaction as the vehicle, so one shop never has two cars with one
plate. The owner's name is copied onto the vehicle so a plate look-up needs no second read.
The vehicle names its latest order, written in the order's own transaction (with the reading
at reception), so two orders never open for one car at once.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import (AfterValidator, Field, StrictBool, StrictInt, StringConstraints,
                      model_validator)
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.core import clock, money
from chalicelib.models.writes import Writes
from chalicelib.api import Body, Caller, ClientId, Day, field_error
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.api.roles import require

FUELS = ("gasoline", "diesel", "hybrid", "plugin", "ev")
MILEAGE_SOURCES = ("reception", "walkaround", "manual", "delivery", "order")
MAX_KM = 3_000_000
FIRST_YEAR = 1950
LOOKUP_LIMIT = 20

Fuel = Literal["gasoline", "diesel", "hybrid", "plugin", "ev"]
MileageSource = Literal["reception", "walkaround", "manual", "delivery", "order"]
Km = Annotated[StrictInt, Field(ge=0, le=MAX_KM)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Colour = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
RawPlate = Annotated[str, StringConstraints(max_length=20)]
RawVin = Annotated[str, StringConstraints(max_length=30)]

# --- plates and VINs ---

_SEPARATORS = re.compile(r"[\s\-]+")
_GROUP = re.compile(r"^[A-Z0-9]{2,4}$")
_LETTERS_THEN_DIGITS = re.compile(r"^([A-Z]+)([0-9]+)$")
_DIGITS_THEN_LETTERS = re.compile(r"^([0-9]+)([A-Z]+)$")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_TYPED_PLATE = re.compile(r"^[A-Z0-9]{1,8}$")


def _plain(raw: str) -> str:
    """Full-width letters and digits (a Chinese keyboard's ＡＢＣ－１２３４) as ASCII, upper case."""
    return unicodedata.normalize("NFKC", raw or "").strip().upper()


def normalise_plate(raw: str) -> str | None:
    """A Taiwan plate as `ABC-1234`, `AB-1234`, `1234-AB`, `AB-123`…, or None.

    Two groups of 2–4 letters or digits, 5 to 7 in all, with at least one letter and one digit.
    Spaces are dropped. Typed without a hyphen, the plate is split where the letters end and
    the digits begin (or the reverse); a run that mixes them needs the hyphen typed, as it
    could split two ways.
    """
    groups = re.sub(r"\s+", "", _plain(raw)).split("-")
    if len(groups) == 1:
        run = _LETTERS_THEN_DIGITS.match(groups[0]) or _DIGITS_THEN_LETTERS.match(groups[0])
        if not run:
            return None
        groups = list(run.groups())
    if len(groups) != 2 or not all(_GROUP.match(group) for group in groups):
        return None
    plate = "-".join(groups)
    letters = any(char.isalpha() for char in plate)
    digits = any(char.isdigit() for char in plate)
    return plate if letters and digits and 5 <= len(plate) - 1 <= 7 else None


def plate_prefix(typed: str) -> str | None:
    """What the stored (hyphen-less) plates begin with, from what was typed so far."""
    text = _SEPARATORS.sub("", _plain(typed))
    return text if _TYPED_PLATE.match(text) else None


def valid_vin(raw: str) -> str | None:
    """The VIN in upper case when it is 17 characters of A–Z and 0–9 without I, O and Q."""
    text = _plain(raw)
    return text if _VIN.match(text) else None


def _plate_field(value: str) -> str:
    plate = normalise_plate(value)
    if not plate:
        raise field_error("車牌格式不正確，例如 ABC-1234、AB-1234 或 1234-AB。",
                          "not a Taiwan plate (e.g. ABC-1234, AB-1234, 1234-AB)")
    return plate


def _vin_field(value: str | None) -> str | None:
    if value is None:
        return None
    vin = valid_vin(value)
    if not vin:
        raise field_error("車身號碼要 17 碼英數字，不含 I、O、Q。",
                          "a VIN is 17 letters and digits without I, O or Q")
    return vin


def _year_field(value: int | None) -> int | None:
    last = int(clock.local_date()[:4]) + 1
    if value is not None and not FIRST_YEAR <= value <= last:
        raise field_error(f"年份要在 {FIRST_YEAR} 到 {last} 之間。",
                          f"the year must be {FIRST_YEAR} to {last}")
    return value


# The checked forms a request body takes (each validator also answers in zh-TW).
Plate = Annotated[RawPlate, AfterValidator(_plate_field)]
Vin = Annotated[RawVin, AfterValidator(_vin_field)]
Year = Annotated[StrictInt, AfterValidator(_year_field)]


# --- request bodies ---

class NewVehicle(Body):
    vehicle_id: ClientId
    plate: Plate
    vin: Vin | None = None
    make: Name
    model: Name
    year: Year | None = None
    colour: Colour | None = None
    fuel: Fuel
    customer_id: ClientId
    mileage_km: Km | None = None


class VehicleChange(Body):
    """Only what is sent changes; `null` clears the VIN, year, colour or a due date."""
    make: Name | None = None
    model: Name | None = None
    year: Year | None = None
    colour: Colour | None = None
    fuel: Fuel | None = None
    vin: Vin | None = None
    # Dates the shop records for the car (定期檢驗, 強制險到期): reminded two weeks before.
    inspection_due_on: Day | None = None
    insurance_due_on: Day | None = None

    @model_validator(mode="after")
    def _required_stay(self) -> "VehicleChange":
        for name in ("make", "model", "fuel"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise field_error(f"欄位 {name} 不可清除。", f"{name} cannot be cleared")
        return self


class NewOwner(Body):
    customer_id: ClientId


class MileageReading(Body):
    km: Km
    source: MileageSource
    confirm_lower: StrictBool = False  # an odometer replaced: a lower reading, on purpose


class PlateLookup(Body):
    plate: RawPlate


def mask_plate(plate: str) -> str:
    """A plate as customer-facing pages show it: the longer part kept to its last two
    characters (`ABC-1234` → `ABC-**34`, `1234-AB` → `**34-AB`)."""
    parts = plate.split("-")
    longest = max(reversed(range(len(parts))), key=lambda index: len(parts[index]))
    word = parts[longest]
    parts[longest] = "*" * (len(word) - 2) + word[-2:] if len(word) > 2 else word
    return "-".join(parts)


# --- reading ---

_PUBLIC = ("vehicle_id", "plate", "vin", "make", "model", "year", "colour", "fuel",
           "customer_id", "customer_name", "mileage", "inspection_due_on", "insurance_due_on",
           "created_at", "updated_at")


def public(item: dict) -> dict:
    return {key: item[key] for key in _PUBLIC if item.get(key) is not None}


def get_vehicle(shop_id: str, vehicle_id: str, consistent: bool = False) -> dict | None:
    """The raw vehicle item, or None when the shop has no such vehicle (`consistent`: read
    strongly, when a write is decided on what it says)."""
    return models.Vehicle.read(models.vehicle_key(shop_id, vehicle_id), consistent=consistent)


def latest_order_id(vehicle: dict) -> str | None:
    """The order opened last for this vehicle: written with the order, so a strong read of the
    vehicle names it even before the vehicle's orders index shows it."""
    return vehicle.get("latest_order_id")


def _existing(caller: Caller, vehicle_id: str) -> dict:
    vehicle = get_vehicle(caller.shop_id, vehicle_id)
    if vehicle is None:
        raise NotFound("找不到這輛車。", "No such vehicle.")
    return vehicle


def vehicle_page(caller: Caller, vehicle_id: str) -> dict:
    """The vehicle with its mileage readings and owners (newest first), its orders and its
    reminders."""
    items = list(models.Item.items(models.vehicle_pk(caller.shop_id, vehicle_id)))
    vehicle = next((item for item in items if item["sk"] == models.VEHICLE_SK), None)
    if vehicle is None:
        raise NotFound("找不到這輛車。", "No such vehicle.")
    readings = [item for item in items if item["sk"].startswith(models.MILEAGE_PREFIX)]
    owners = [item for item in items if item["sk"].startswith(models.OWNER_PREFIX)]
    orders_pk, prefix = models.vehicle_orders_lookup(caller.shop_id, vehicle_id)
    headers = [order.as_dict() for order in models.Order.lookup.query(
        orders_pk, models.Order.gsi1sk.startswith(prefix), scan_index_forward=False)]
    return {
        **public(vehicle),
        "mileage_history": [{key: reading[key] for key in ("km", "at", "source")}
                            for reading in reversed(readings)],
        "owners": [{"customer_id": owner["customer_id"],
                    "customer_name": owner.get("customer_name", ""), "from": owner["from"]}
                   for owner in reversed(owners)],
        "orders": [_order_summary(header) for header in headers],
        "reminders": models.reminder_views(items),
    }


def _order_summary(header: dict) -> dict:
    """docs/api.md's OrderSummary, from the order header alone (it carries plate and names)."""
    return {**models.order_summary(header), "totals": money.stored(header["totals"])}


def find_by_plate(caller: Caller, typed: str) -> dict:
    """Vehicles whose plate begins with what was typed (hyphen optional): one Query on gsi1."""
    prefix = plate_prefix(typed)
    if prefix is None:
        raise Unprocessable("請輸入車牌的英文字母或數字。", "plate: type letters and digits of a plate.")
    pk, start = models.plate_lookup(caller.shop_id, prefix)
    found = models.Vehicle.lookup.query(pk, models.Vehicle.gsi1sk.startswith(start),
                                        limit=LOOKUP_LIMIT)
    return {"vehicles": [public(vehicle.as_dict()) for vehicle in found]}


def vehicles_of(shop_id: str, customer_id: str) -> list[dict]:
    """A customer's vehicles (raw items), by plate: one Query on gsi2."""
    pk = models.customer_vehicles_pk(shop_id, customer_id)
    return [vehicle.as_dict() for vehicle in models.Vehicle.lists.query(pk)]


# --- writing ---

def _owner_record(caller: Caller, vehicle_id: str, customer: dict, at: str) -> models.VehicleOwner:
    return models.VehicleOwner.from_dict({
        **models.VehicleOwner.key(caller.shop_id, vehicle_id, at), "shop_id": caller.shop_id,
        "vehicle_id": vehicle_id, "customer_id": customer["customer_id"],
        "customer_name": customer["name"], "from": at, "by": caller.stamp()})


def _reading(caller: Caller, vehicle_id: str, reading: dict, **more) -> models.Mileage:
    return models.Mileage.from_dict({
        **models.Mileage.key(caller.shop_id, vehicle_id, reading["at"]),
        "shop_id": caller.shop_id, "vehicle_id": vehicle_id, **reading, "by": caller.stamp(),
        **({"device_id": caller.device_id} if caller.device_id else {}), **more})


def _customer(caller: Caller, customer_id: str) -> dict:
    """The customer a vehicle is registered to (read here: customers sit above vehicles)."""
    customer = models.Customer.read(models.customer_key(caller.shop_id, customer_id))
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    if customer.get("merged_into") or customer.get("merging_into"):
        raise Conflict("這位客戶已合併到另一位客戶，請改選那位客戶。",
                       "This customer was merged into another: pick that one.",
                       code="customer_merged")
    return customer


def create_vehicle(caller: Caller, body: NewVehicle) -> dict:
    """The vehicle, its plate claim, first owner and first reading: all or none."""
    require(caller, "vehicles.write")
    replay = get_vehicle(caller.shop_id, body.vehicle_id)
    if replay:
        return public(replay)
    customer = _customer(caller, body.customer_id)
    now = clock.now_iso()
    vehicle = {
        **models.vehicle_key(caller.shop_id, body.vehicle_id),
        "shop_id": caller.shop_id, "vehicle_id": body.vehicle_id, "plate": body.plate,
        "make": body.make, "model": body.model, "fuel": body.fuel,
        "customer_id": customer["customer_id"], "customer_name": customer["name"],
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        **{key: value for key, value in (("vin", body.vin), ("year", body.year),
                                         ("colour", body.colour)) if value is not None},
        **models.plate_index(caller.shop_id, body.plate, body.vehicle_id),
        **models.customer_vehicles_index(caller.shop_id, customer["customer_id"], body.plate,
                                         body.vehicle_id),
    }
    if body.mileage_km is not None:
        vehicle["mileage"] = {"km": body.mileage_km, "at": now, "source": "reception"}
    claim = models.PlateClaim.from_dict({
        **models.PlateClaim.key(caller.shop_id, body.plate), "shop_id": caller.shop_id,
        "plate": body.plate, "vehicle_id": body.vehicle_id})
    try:
        with models.transaction() as writes:
            for new in (models.Vehicle.from_dict(vehicle), claim,
                        _owner_record(caller, body.vehicle_id, customer, now),
                        *([_reading(caller, body.vehicle_id, vehicle["mileage"])]
                          if body.mileage_km is not None else [])):
                writes.save(new, condition=models.Item.pk.does_not_exist())
    except models.LostRace:
        replay = get_vehicle(caller.shop_id, body.vehicle_id)  # another tablet's replay won
        if replay:
            return public(replay)
        raise _plate_taken(caller.shop_id, body.plate) from None
    return public(vehicle)


def _plate_taken(shop_id: str, plate: str) -> Conflict:
    """409 `plate_taken`, naming the vehicle that has the plate and its owner."""
    claim = models.PlateClaim.read(models.PlateClaim.key(shop_id, plate), consistent=True)
    held = get_vehicle(shop_id, claim["vehicle_id"]) if claim else None
    if not held:
        return Conflict(f"車牌 {plate} 已經登錄在本店的另一輛車。",
                        f"The plate {plate} is already registered to another vehicle in this "
                        "shop.", code="plate_taken")
    car = f"{held['make']} {held['model']}".strip()
    owner = held.get("customer_name") or ""
    return Conflict(f"車牌 {plate} 已登錄為 {car}（車主 {owner}），請直接選這輛車。",
                    f"The plate {plate} is already registered: {car}, owner {owner}. "
                    "Pick that vehicle instead.", code="plate_taken")


def update_vehicle(caller: Caller, vehicle_id: str, body: VehicleChange) -> dict:
    require(caller, "vehicles.write")
    _existing(caller, vehicle_id)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    row = models.Vehicle
    actions = [*(getattr(row, name).set(value) for name, value in changes.items()
                 if value is not None),
               *(getattr(row, name).remove() for name, value in changes.items()
                 if value is None),
               row.updated_at.set(clock.now_iso())]
    changed = row.from_dict(models.vehicle_key(caller.shop_id, vehicle_id))
    with models.refusals():
        changed.update(actions=actions, condition=row.pk.exists())
    # A new inspection or insurance date becomes a reminder higher up, in the same request
    # (after/reminders.update_vehicle composes this change and the reminder).
    return public(changed.as_dict())  # as it is now (the update reads it back)


def change_owner(caller: Caller, vehicle_id: str, body: NewOwner) -> dict:
    """A new owner: the vehicle keeps its history; an owner record marks the change."""
    require(caller, "vehicles.write")
    vehicle = _existing(caller, vehicle_id)
    if vehicle["customer_id"] == body.customer_id:
        return public(vehicle)  # already theirs (or this change, replayed)
    customer = _customer(caller, body.customer_id)
    now = clock.now_iso()
    moved = models.customer_vehicles_index(caller.shop_id, customer["customer_id"],
                                           vehicle["plate"], vehicle_id)
    row = models.Vehicle
    try:
        with models.transaction() as writes:
            writes.update(row.from_dict(models.vehicle_key(caller.shop_id, vehicle_id)),
                          actions=[row.customer_id.set(customer["customer_id"]),
                                   row.customer_name.set(customer["name"]),
                                   row.gsi2pk.set(moved["gsi2pk"]),
                                   row.gsi2sk.set(moved["gsi2sk"]), row.updated_at.set(now)],
                          condition=row.customer_id == vehicle["customer_id"])
            writes.save(_owner_record(caller, vehicle_id, customer, now))
    except models.LostRace:
        raise Conflict("這輛車的車主剛被變更，請重新整理後再試。",
                       "The owner was just changed by someone else; reload and try again."
                       ) from None
    return public(get_vehicle(caller.shop_id, vehicle_id))


def rename_owner(shop_id: str, customer_id: str, name: str) -> None:
    """Keep the owner's name copied on their vehicles (plate look-ups show it without a read)."""
    row = models.Vehicle
    for vehicle in vehicles_of(shop_id, customer_id):
        try:
            with models.refusals():
                row.from_dict(models.vehicle_key(shop_id, vehicle["vehicle_id"])).update(
                    actions=[row.customer_name.set(name)],
                    condition=row.customer_id == customer_id)
        except models.Refused:
            pass  # the vehicle changed owner meanwhile: the new name is right


def record_mileage(caller: Caller, vehicle_id: str, km: int, source: str,
                   confirm_lower: bool = False) -> dict:
    """Record an odometer reading; one lower than the last needs `confirm_lower` (a new meter)."""
    require(caller, "vehicles.mileage")
    if isinstance(km, bool) or not isinstance(km, int) or not 0 <= km <= MAX_KM:
        raise Unprocessable(f"里程要是 0 到 {MAX_KM:,} 之間的整數。",
                            f"km: must be a whole number from 0 to {MAX_KM:,}.")
    try:
        with models.transaction() as writes:
            add_reading(writes, caller, vehicle_id, km, source, confirm_lower)
    except models.LostRace:
        vehicle = _existing(caller, vehicle_id)
        raise _lower(km, int(vehicle.get("mileage", {}).get("km", 0))) from None
    return public(get_vehicle(caller.shop_id, vehicle_id))


def add_reading(writes: Writes, caller: Caller, vehicle_id: str, km: int, source: str,
                confirm_lower: bool = False) -> None:
    """An odometer reading as two parts of the caller's own transaction (`models.transaction()`),
    so it is recorded only with the write it belongs to: first the vehicle's last reading
    (refused when lower, unless confirmed: its place in `lost.parts` says so), then the reading."""
    require(caller, "vehicles.mileage")
    if source not in MILEAGE_SOURCES:
        raise Unprocessable("里程來源不正確。", f"source: must be one of {', '.join(MILEAGE_SOURCES)}.")
    reading = {"km": km, "at": clock.now_iso(), "source": source}
    _update_vehicle(writes, caller.shop_id, vehicle_id, reading=reading,
                    confirm_lower=confirm_lower)
    writes.save(_reading(caller, vehicle_id, reading,
                         **({"confirmed_lower": True} if confirm_lower else {})))


def order_opening(writes: Writes, caller: Caller, vehicle: dict, order_id: str,
                  km: int | None) -> None:
    """The vehicle's parts of the transaction that opens an order (orders.create_order): first
    the vehicle's update, then the reading at reception, if any.

    The order becomes the vehicle's latest only if no other order was opened since `vehicle`
    was read (strongly), so two tablets never open two orders for one car at once. The reading
    at reception, if any, lands with the order or not at all, so a replayed order records it
    once; below the last reading it is refused (409 `mileage_lower`), as on the walk-around,
    before anything is added.
    """
    reading = None
    if km is not None:
        last = vehicle.get("mileage")
        if last and int(last["km"]) > km:
            raise _lower(km, int(last["km"]), code="mileage_lower")
        reading = {"km": km, "at": clock.now_iso(), "source": "reception"}
    vehicle_id = vehicle["vehicle_id"]
    _update_vehicle(writes, caller.shop_id, vehicle_id, reading=reading,
                    opened=(order_id, latest_order_id(vehicle)))
    if reading:
        writes.save(_reading(caller, vehicle_id, reading, order_id=order_id),
                    condition=models.Mileage.pk.does_not_exist())


def _update_vehicle(writes: Writes, shop_id: str, vehicle_id: str, *,
                    reading: dict | None = None, confirm_lower: bool = False,
                    opened: tuple[str, str | None] | None = None) -> None:
    """The vehicle item's one write in a transaction (a transaction may touch an item once):
    its last reading, refused below the last one unless confirmed; and `opened`, (the order
    opened, the latest order the vehicle named when read), refused if another came since."""
    row = models.Vehicle
    actions, condition = [], row.pk.exists()
    if reading:
        actions += [row.mileage.set(reading), row.updated_at.set(reading["at"])]
        if not confirm_lower:
            condition &= row.mileage.does_not_exist() | (row.mileage["km"] <= reading["km"])
    if opened:
        order_id, seen = opened
        actions.append(row.latest_order_id.set(order_id))
        condition &= (row.latest_order_id == seen) if seen else \
            row.latest_order_id.does_not_exist()
    writes.update(row.from_dict(models.vehicle_key(shop_id, vehicle_id)), actions=actions,
                  condition=condition)


def _lower(km: int, last: int, code: str | None = None) -> Conflict:
    return Conflict(f"里程 {km:,} 公里比上次的 {last:,} 公里少；若更換過里程表，請確認後再送出。",
                    f"{km:,} km is less than the last reading, {last:,} km; if the odometer "
                    f"was replaced, confirm the lower reading.", code=code)
