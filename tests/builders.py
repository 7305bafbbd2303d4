"""Builders for test data: a signed-in shop with one person in each role, and an API client.

Tests talk to the app through Chalice's test client (the same routing, authorizer and
middleware as the local server and API Gateway) on DynamoDB Local.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalice.test import Client

from chalicelib import models
from chalicelib.core import clock
from chalicelib.records import auth, shops
from chalicelib.work import quality

PASSWORD = "correct horse battery"


def new_id(prefix: str = "id") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict

    @property
    def error(self) -> str | None:
        return (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None


class ApiClient:
    """Requests as one person (or nobody), with their bearer token."""

    def __init__(self, client: Client, token: str | None = None, language: str = "zh-TW",
                 staff_id: str = "", role: str = ""):
        self.client, self.token, self.language = client, token, language
        self.staff_id, self.role = staff_id, role

    def request(self, method: str, path: str, body: Any = None, raw: bytes | str | None = None,
                headers: dict | None = None) -> Answer:
        sent = {"content-type": "application/json", "accept-language": self.language,
                **({"authorization": f"Bearer {self.token}"} if self.token else {}),
                **(headers or {})}
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.http.request(method, path, headers=sent, body=payload)
        try:
            parsed = json.loads(response.body) if response.body else None
        except ValueError:
            parsed = response.body
        return Answer(response.status_code, parsed, dict(response.headers))

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Answer:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw) -> Answer:
        return self.request("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw) -> Answer:
        return self.request("PUT", path, body, **kw)

    def delete(self, path: str, **kw) -> Answer:
        return self.request("DELETE", path, **kw)


@dataclass
class Shop:
    shop_id: str
    owner: ApiClient
    manager: ApiClient
    advisor: ApiClient
    technician: ApiClient
    anonymous: ApiClient

    def as_role(self, role: str) -> ApiClient:
        return getattr(self, role)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return auth.hash_secret(PASSWORD)


def a_shop(client: Client, name: str = "測試保養廠", shop_id: str | None = None) -> Shop:
    """A fresh shop with an owner, a manager, an advisor and a technician, each signed in (its
    id given when the test needs it in a certain shard)."""
    shop_id = shop_id or new_id("shop")
    shops.create_shop(shop_id, name=name, phone="02-2765-1234", address="臺北市")
    people = {}
    for role in ("owner", "manager", "advisor", "technician"):
        staff_id = new_id(role)
        member = shops.NewStaff(staff_id=staff_id, name=f"{role} {staff_id[-4:]}", role=role,
                                email=f"{staff_id}@{shop_id}.test", password=PASSWORD)
        assert shops.add_staff(shop_id, member, password_hash())
        staff = shops.get_staff(shop_id, staff_id)
        people[role] = ApiClient(client, auth.access_token(staff, None), staff_id=staff_id,
                                 role=role)
    return Shop(shop_id=shop_id, anonymous=ApiClient(client), **people)


# The privacy notice acknowledged on the tablet (a new customer needs it: 422 without).
CONSENT = {"version": "2026-01", "method": "tablet"}

_MOBILES_GIVEN: dict[str, int] = {}


def a_mobile(shop: Shop) -> str:
    """A mobile number for the next customer a builder makes in the shop (a shop keeps one
    customer per number): the shop's first gets 0912-345-678, later ones 0912-9xx-xxx."""
    given = _MOBILES_GIVEN.get(shop.shop_id, 0)
    _MOBILES_GIVEN[shop.shop_id] = given + 1
    return "0912-345-678" if not given else f"0912-{900 + given // 1000:03d}-{given % 1000:03d}"


def a_customer(shop: Shop, **fields: Any) -> dict:
    """A customer of the shop, created by its advisor through the API."""
    given = a_mobile(shop)  # taken even when the test names the number: the next stays free
    body = {"customer_id": new_id("cust"), "name": "林美玲", "mobile": given, "channel": "line",
            "consent": CONSENT, **fields}
    answer = shop.advisor.post("/api/customers", body)
    assert answer.status == 201, answer.body
    return answer.body


def a_vehicle(shop: Shop, customer_id: str, plate: str = "ABC-1234", **fields: Any) -> dict:
    """A vehicle of the shop's customer, created by its advisor through the API."""
    body = {"vehicle_id": new_id("veh"), "plate": plate, "make": "Toyota", "model": "Altis",
            "fuel": "gasoline", "customer_id": customer_id, **fields}
    answer = shop.advisor.post("/api/vehicles", body)
    assert answer.status == 201, answer.body
    return answer.body


def a_plate() -> str:
    """A plate no other test uses (ABC-1234 form)."""
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in uuid.uuid4().hex[:3])
    return f"{letters}-{uuid.uuid4().int % 9000 + 1000}"


def a_customer_and_vehicle(shop: Shop, plate: str | None = None) -> tuple[dict, dict]:
    customer = shop.advisor.post("/api/customers", {
        "customer_id": new_id("cust"), "name": "林美玲", "mobile": a_mobile(shop),
        "channel": "line", "consent": {"version": "2026-01", "method": "tablet"}})
    assert customer.status == 201, customer.body
    vehicle = shop.advisor.post("/api/vehicles", {
        "vehicle_id": new_id("veh"), "plate": plate or a_plate(), "make": "Toyota",
        "model": "Corolla Altis", "year": 2019, "fuel": "gasoline",
        "customer_id": customer.body["customer_id"]})
    assert vehicle.status == 201, vehicle.body
    return customer.body, vehicle.body


def an_order(shop: Shop, state: str = "checked_in", lines: bool = False, **fields) -> dict:
    """An order walked to `state` through the API, optionally with a labour and a part line."""
    customer, vehicle = a_customer_and_vehicle(shop)
    answer = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["冷氣不冷"], **fields})
    assert answer.status == 201, answer.body
    order = answer.body
    if lines:
        order = add_lines(shop, order["order_id"])
    return walked_to(shop, order, state)


def walked_to(shop: Shop, order: dict, state: str) -> dict:
    """A checked-in order moved to `state` through the API, each step with what it needs."""
    path = {"checked_in": [], "authorized": ["authorized"],
            "in_progress": ["authorized", "in_progress"],
            "awaiting_approval": ["authorized", "in_progress", "awaiting_approval"],
            "quality_check": ["authorized", "in_progress", "quality_check"],
            "ready": ["authorized", "in_progress", "quality_check", "ready"],
            "delivered": ["authorized", "in_progress", "quality_check", "ready", "delivered"],
            "cancelled": ["cancelled"]}[state]
    for to in path:
        if to == "authorized":
            if not order["lines"]:
                order = add_lines(shop, order["order_id"])
            a_signature(shop, order["order_id"], "authorization")
        if to == "ready":
            order = checked(shop, order["order_id"])
        if to == "delivered":
            a_signature(shop, order["order_id"], "checkout")
            paid_in_full(shop, order["order_id"])
        moved = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                                  {"to": to, "client_id": new_id("step")})
        assert moved.status == 200, moved.body
        order = moved.body
    return order


def paid_in_full(shop: Shop, order_id: str, method: str = "cash") -> dict:
    """What is left to pay on the order taken at the counter (the car leaves paid)."""
    return settled(shop.advisor, order_id, method)


def settled(person: "ApiClient", order_id: str, method: str = "cash") -> dict:
    """paid_in_full, by this person."""
    order = person.get(f"/api/orders/{order_id}").body
    due = order["totals"]["total"] - (order.get("paid") or {}).get("paid", 0)
    if due <= 0:
        return order
    answer = person.post(f"/api/orders/{order_id}/payments", {
        "client_id": new_id("pay"), "method": method, "amount": due})
    assert answer.status == 200, answer.body
    return answer.body


def a_visit(shop: Shop, vehicle: dict, km: int, tread: dict[str, tuple], pads: dict[str, float],
            lines: list[tuple[str, str]]) -> dict:
    """A delivered visit of an existing vehicle: opened at `km`, the walk-around's tread
    ({wheel: (inner, centre, outer)}) and pads ({axle: mm}), and labour lines
    [(description, "approved" or "declined")] (a declined one declined before authorization)."""
    answer = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": vehicle["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "mileage_km": km, "concerns": ["定期保養"]})
    assert answer.status == 201, answer.body
    order = answer.body
    at = clock.now_iso()
    values = [*((f"tyres.{wheel}.{groove}", depth) for wheel, depths in tread.items()
                for groove, depth in zip(("inner", "centre", "outer"), depths)),
              *((f"brakes.{axle}.pad_mm", mm) for axle, mm in pads.items())]
    walked = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": field, "value": value, "changed_at": at} for field, value in values]})
    assert walked.status == 200, walked.body
    for description, decision in lines:
        added = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
            "line_id": new_id("line"), "kind": "labour", "description": description,
            "hours": 1, "rate": 1000})
        assert added.status == 201, added.body
        if decision == "declined":
            line = added.body["lines"][-1]
            answer = shop.advisor.patch(
                f"/api/orders/{order['order_id']}/lines/{line['line_id']}", {"state": "declined"})
            assert answer.status == 200, answer.body
    return walked_to(shop, shop.advisor.get(f"/api/orders/{order['order_id']}").body, "delivered")


def a_dispatched_order(shop: Shop) -> dict:
    """An order in progress, its labour and part lines given to the shop's technician."""
    order = an_order(shop, state="authorized", lines=True)
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/dispatch",
                               {"technician_id": shop.technician.staff_id})
    assert answer.status == 200, answer.body
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                               {"to": "in_progress", "client_id": new_id("step")})
    assert answer.status == 200, answer.body
    return answer.body


def a_handover(shop: Shop, order_id: str, **fields: Any) -> dict:
    """The delivery walk-around with the customer: nothing new, the valuables returned."""
    answer = shop.advisor.put(f"/api/orders/{order_id}/handover", {
        "client_id": new_id("handover"), "valuables_returned": True, **fields})
    assert answer.status == 200, answer.body
    return answer.body


def checked(shop: Shop, order_id: str) -> dict:
    """What `ready` needs, on an order at the quality check: its work done, the check passed."""
    work_done(shop, shop.advisor.get(f"/api/orders/{order_id}").body)
    return a_passed_check(shop, order_id)


def work_done(shop: Shop, order: dict) -> dict:
    """Every approved job of the order that may be done marked done (the advisor's tick on each
    line); an added one waits for its signed estimate."""
    for line in order["lines"]:
        if line["state"] == "approved" and line["kind"] != "discount" \
                and not line.get("customer_supplied") \
                and (line["origin"] != "additional" or line.get("estimate_signature_id")):
            answer = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line['line_id']}",
                                        {"state": "done"})
            assert answer.status == 200, answer.body
            order = answer.body
    return order


def quality_answers(failed: dict[str, str] | None = None, items: list[dict] | None = None) -> dict:
    """Every item of the final check (the shipped one unless `items`) passed, the road test with
    its distance, but `failed`: {item: note}."""
    failed = failed or {}
    return {item["item_id"]: ({"ok": False, "note": failed[item["item_id"]]}
                              if item["item_id"] in failed else
                              {"ok": True, **({"km": 5} if item.get("kind") == "road_test"
                                              else {})})
            for item in (items or quality.default_template()["items"])}


def a_passed_check(shop: Shop, order_id: str, person: "ApiClient | None" = None) -> dict:
    """The final check (品檢) recorded, every item passed, by the advisor unless `person`."""
    answer = (person or shop.advisor).put(f"/api/orders/{order_id}/quality-check", {
        "client_id": new_id("qc"), "items": quality_answers()})
    assert answer.status == 200, answer.body
    assert answer.body["quality"]["passed"], answer.body
    return answer.body


# A hand-written 王 on a 600 × 200 pad: three strokes, CSS pixels, ms since the first point.
STROKES = [[[100, 60, 0], [160, 58, 40], [220, 57, 80], [280, 60, 120]],
           [[190, 60, 300], [190, 100, 340], [190, 140, 380], [191, 170, 420]],
           [[110, 112, 600], [170, 110, 640], [230, 110, 680]],
           [[90, 172, 900], [160, 170, 940], [230, 169, 980], [300, 171, 1020]]]


def a_signature(shop: Shop, order_id: str, kind: str, decisions: dict | None = None,
                person: "ApiClient | None" = None, **fields: Any) -> dict:
    """The customer signs the document as drawn up now, witnessed by the advisor."""
    person = person or shop.advisor
    if kind == "checkout" and not person.get(f"/api/orders/{order_id}").body.get("handover"):
        a_handover(shop, order_id)  # the walk around the car with the customer comes first
    drawn = person.get(f"/api/orders/{order_id}/documents/{kind}")
    assert drawn.status == 200 and drawn.body["signable"], drawn.body
    if kind == "estimate" and decisions is None:
        decisions = {line["line_id"]: "approved" for line in drawn.body["content"]["lines"]}
    answer = person.post(f"/api/orders/{order_id}/signatures", {
        "signature_id": new_id("sig"), "kind": kind, "content_hash": drawn.body["content_hash"],
        "signer_name": "林美玲", "consent": True, "strokes": STROKES, "width": 600,
        "height": 200, **({"decisions": decisions} if decisions is not None else {}), **fields})
    assert answer.status == 201, answer.body
    return answer.body


def add_lines(shop: Shop, order_id: str) -> dict:
    shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "冷氣系統檢查",
        "hours": 1.5, "rate": 1200})
    answer = shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": "冷媒 R134a",
        "part_number": "R134A-500", "quantity": 2, "unit_price": 450})
    assert answer.status == 201, answer.body
    return answer.body


def an_added_line(shop: Shop, order_id: str, description: str = "前煞車來令片",
                  amount: int = 2400, **fields: Any) -> dict:
    """A part line the technician found needed (on an authorized order: additional work)."""
    answer = shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": description,
        "quantity": 1, "unit_price": amount, **fields})
    assert answer.status == 201, answer.body
    return answer.body["lines"][-1]


def a_part_tag(shop: Shop, order: dict | None = None, person: "ApiClient | None" = None,
               **fields: Any) -> dict:
    """An old-part tag made through the API (on `order`, if given): by the technician, or by
    the advisor when it records the customer's wish or a supplier."""
    body = {"tag_id": new_id("tag"), "part_name": "機油濾芯", "part_number": "90915-YZZE1",
            "quantity": 1, "reason": "定期更換",
            **({"order_id": order["order_id"]} if order else {}), **fields}
    deciding = fields.keys() & {"wish", "supplier"}  # the front desk records those
    answer = (person or (shop.advisor if deciding else shop.technician)).post("/api/parts", body)
    assert answer.status == 201, answer.body
    return answer.body


def a_catalogue(shop: Shop) -> dict:
    """The seed catalogue (tests/e2e/catalogue.mjs makes the same): the general rate, two
    operations, a Toyota 正廠 oil filter and a 副廠 one, engine oil, a TOYOTA/ALTIS 10,000 km
    menu at a fixed price and a generic one. Answers what was written, by kind."""
    made: dict[str, Any] = {"rates": shop.manager.put("/api/catalogue/rates", {"rates": [
        {"rate_id": "general", "name": "一般工資", "name_en": "General", "rate": 1600}]}).body}
    made["operations"] = [shop.manager.put(f"/api/catalogue/operations/{code}", {
        "name": name, "name_en": name_en, "hours": 0.5, "rate_id": "general"}).body
        for code, name, name_en in (("OIL", "更換機油", "Oil change"),
                                    ("ROT", "輪胎對調", "Tyre rotation"))]
    parts = [("04152-YZZA1", "機油芯", "Oil filter", "oem", "TOYOTA", 380),
             ("F026407209", "機油芯", "Oil filter", "aftermarket", "BOSCH", 220),
             ("08880-83715", "機油 5W-30 4公升", "Engine oil 5W-30 4 L", "oem", "TOYOTA", 1200)]
    made["parts"] = []
    for number, name, name_en, grade, brand, price in parts:
        answer = shop.manager.put(f"/api/catalogue/parts/{models.part_key(number, brand)}", {
            "part_number": number, "name": name, "name_en": name_en, "grade": grade,
            "brand": brand, "price": price})
        assert answer.status == 200, answer.body
        made["parts"].append(answer.body)
    items = [{"kind": "labour", "code": "OIL"}, {"kind": "labour", "code": "ROT"},
             {"kind": "part", "part_key": models.part_key("04152-YZZA1", "TOYOTA"), "quantity": 1},
             {"kind": "part", "part_key": models.part_key("08880-83715", "TOYOTA"), "quantity": 1}]
    made["menus"] = [
        shop.manager.put("/api/catalogue/menus/altis-10k", {
            "name": "10,000 公里保養", "name_en": "10,000 km service", "mileage_km": 10000,
            "months": 6, "make": "TOYOTA", "model": "ALTIS", "items": items, "price": 2800}).body,
        shop.manager.put("/api/catalogue/menus/generic-10k", {
            "name": "10,000 公里保養", "name_en": "10,000 km service", "mileage_km": 10000,
            "months": 6, "items": items[:2]}).body]
    return made
