"""`make bench-scale`: the routes' costs on a large shop, and the busiest keys' writes.

Builds two large shops of the same size with the product's own domain functions (customers,
vehicles, repair orders walked through lines, signatures and steps to delivery, the clock set
back so the orders spread over two years), on a DynamoDB Local of its own (in memory), the
stream's reactions running through the local poller as they would in the cloud. Then:

- every route's DynamoDB requests, items read (ScannedCount) and returned (Count) and read
  units, on the large shop beside the demo shop (devstack/seed.py);
- each written key's shape (ids replaced: `SHOP#<shop>`), its writes per order in the build,
  and what that makes per partition per second at SHOPS shops × ORDERS_PER_DAY orders a day.

Not part of `make test` or `make bench` (it takes long at full size). Parameters from the
environment: SCALE (1.0: 20,000 customers, 25,000 vehicles, 40,000 orders per shop), SHOPS
(20,000), ORDERS_PER_DAY (200), WORK_HOURS (10: the day's orders come in that many hours),
THREADS (8). Writes its section of docs/bench.md (between markers `make bench` keeps).
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from devstack import ROOT
from devstack.bench import DynamoMeter, drain, table_clients

FULL = {"customers": 20_000, "vehicles": 25_000, "orders": 40_000}
DAYS = 730  # two years of orders
TECHNICIANS = 4
BEGIN, END = "<!-- bench-scale: begin -->", "<!-- bench-scale: end -->"
# Partitions only the local stack writes: the outbox stands in for LINE and SMS without
# credentials (models.Outbox), so its writes are no load in the cloud.
LOCAL_ONLY = {"OUTBOX"}


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


# --- counting -------------------------------------------------------------------------------

class ReadMeter(DynamoMeter):
    """DynamoMeter, and the items each read went through (ScannedCount) and answered (Count),
    with the worst Query (most items read per item answered)."""

    def __init__(self, clients) -> None:
        super().__init__(clients)
        self.reset()
        self.route = ""
        self.worst: tuple[float, int, int, str] = (0.0, 0, 0, "")  # over every route measured

    def reset(self) -> None:
        super().reset()
        self.scanned, self.returned = 0, 0

    def _add(self, parsed, model=None, **kwargs):
        super()._add(parsed=parsed, **kwargs)
        name = model.name if model is not None else ""
        if "ScannedCount" in parsed:  # Query, Scan
            scanned, count = parsed["ScannedCount"], parsed.get("Count", 0)
            self.scanned += scanned
            self.returned += count
            ratio = scanned / max(count, 1)
            if name == "Query" and ratio > self.worst[0]:
                self.worst = (ratio, scanned, count, self.route)
        elif "Item" in parsed:  # GetItem
            self.scanned += 1
            self.returned += 1
        elif "Responses" in parsed:  # BatchGetItem, TransactGetItems
            answered = parsed["Responses"]
            found = (sum(len(items) for items in answered.values())
                     if isinstance(answered, dict) else sum(1 for r in answered if r.get("Item")))
            self.scanned += found
            self.returned += found


_SHARD_MAX = 64  # a key's number below this is a shard (models.SHARDS); above, an id


class WriteLog:
    """Every write's partition keys (the table's pk, and gsi1pk / gsi2pk when the write sets
    them), reduced to their shape. An update that does not name an index key writes the index
    entry the item has (the indexes project every attribute): those are resolved from the
    table after the build (`resolve`)."""

    WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")

    def __init__(self, clients, shop_ids: set[str]) -> None:
        self.shop_ids = shop_ids
        self.shapes: Counter = Counter()         # (index, shape) -> writes
        self.keys: Counter = Counter()           # (index, key) -> writes, for the busiest key
        self.unresolved: Counter = Counter()     # (pk, sk) of updates naming no index key
        self.shards: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()
        self.on = True
        for client in clients:
            client.meta.events.register("before-parameter-build.dynamodb.*", self._record)

    def _record(self, params, model, **_):
        if not self.on or model.name not in self.WRITES:
            return
        writes = []  # (what: put / update / delete, the item or its key, index keys set)
        if model.name == "PutItem":
            writes.append(("put", params["Item"], params["Item"]))
        elif model.name == "UpdateItem":
            writes.append(("update", params["Key"], self._set_keys(params)))
        elif model.name == "DeleteItem":
            writes.append(("delete", params["Key"], {}))
        elif model.name == "TransactWriteItems":
            for action in params["TransactItems"]:
                if "Put" in action:
                    writes.append(("put", action["Put"]["Item"], action["Put"]["Item"]))
                elif "Update" in action:
                    writes.append(("update", action["Update"]["Key"],
                                   self._set_keys(action["Update"])))
                elif "Delete" in action:
                    writes.append(("delete", action["Delete"]["Key"], {}))
        else:
            for requests in params["RequestItems"].values():
                for request in requests:
                    if "PutRequest" in request:
                        item = request["PutRequest"]["Item"]
                        writes.append(("put", item, item))
                    else:
                        writes.append(("delete", request["DeleteRequest"]["Key"], {}))
        with self._lock:
            for what, item, index_keys in writes:
                self._count("table", _text(item["pk"]))
                for index in ("gsi1pk", "gsi2pk"):
                    if index in index_keys:
                        self._count(index.removesuffix("pk"), _text(index_keys[index]))
                if what == "update" and not index_keys:
                    self.unresolved[(_text(item["pk"]), _text(item["sk"]))] += 1

    @staticmethod
    def _set_keys(update: dict) -> dict:
        """The index keys an update expression sets (`SET #0 = :0`), as name -> value."""
        names = update.get("ExpressionAttributeNames") or {}
        values = update.get("ExpressionAttributeValues") or {}
        found = {}
        for name, value in re.findall(r"(#\w+)\s*=\s*(:\w+)", update.get("UpdateExpression", "")):
            if names.get(name) in ("gsi1pk", "gsi2pk") and value in values:
                found[names[name]] = values[value]
        return found

    def _count(self, index: str, key: str) -> None:
        shape = self.shape(key)
        self.shapes[(index, shape)] += 1
        self.keys[(index, key)] += 1
        if "<shard>" in shape:
            self.shards.setdefault((index, shape), set()).add(key.rsplit("#", 1)[-1])

    def shape(self, key: str) -> str:
        parts = []
        for part in key.split("#"):
            if part in self.shop_ids:
                parts.append("<shop>")
            elif re.fullmatch(r"[A-Za-z_]+", part):  # a word (`notify`), not an id or a hash
                parts.append(part)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
                parts.append("<day>")
            elif re.fullmatch(r"\d{4}-\d{2}", part):
                parts.append("<month>")
            elif part.isdigit() and int(part) < _SHARD_MAX:
                parts.append("<shard>")
            else:
                parts.append("*")
        return "#".join(parts)

    def resolve(self, dynamodb, table_name: str) -> None:
        """The index entries the plain updates wrote: each item's index keys as it is now (an
        item deleted since is counted on the table only)."""
        self.on = False
        wanted = dict(self.unresolved)
        if not wanted:
            return
        paginator = dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=table_name,
                                       ProjectionExpression="pk, sk, gsi1pk, gsi2pk"):
            for item in page["Items"]:
                times = wanted.get((_text(item["pk"]), _text(item["sk"])))
                if not times:
                    continue
                for index in ("gsi1pk", "gsi2pk"):
                    if index in item:
                        key = _text(item[index])
                        for _ in range(times):
                            self._count(index.removesuffix("pk"), key)


def _text(value) -> str:
    return value["S"] if isinstance(value, dict) else str(value)


# --- the clock, set back per thread ---------------------------------------------------------

_local = threading.local()


def _install_clock() -> None:
    """Each building thread says what time it is (`_local.now`); other threads (the stream's
    reactions, the routes measured) keep the real time."""
    from chalicelib.core import clock

    real = clock.now

    def now() -> datetime:
        moment = getattr(_local, "now", None)
        return moment if moment is not None else real()
    clock.now = now


def _at(moment: datetime) -> None:
    _local.now = moment


# --- building -------------------------------------------------------------------------------

@dataclass
class Size:
    customers: int
    vehicles: int
    orders: int

    @classmethod
    def at(cls, scale: float) -> "Size":
        return cls(*(max(1, round(FULL[name] * scale))
                     for name in ("customers", "vehicles", "orders")))

    def __str__(self) -> str:
        return (f"{self.customers:,} customers, {self.vehicles:,} vehicles, {self.orders:,} "
                f"orders over {DAYS} days")


@dataclass
class BuiltShop:
    shop_id: str
    staff: dict  # role -> staff dict (technicians: "technician0"…)
    customer_ids: list[str]
    vehicle_ids: list[str]
    order_ids: list[str]
    open_orders: list[str]


def _plate(number: int) -> str:
    letters = "".join(chr(ord("A") + (number // 9000 // 26 ** i) % 26) for i in (2, 1, 0))
    return f"{letters}-{1000 + number % 9000}"


def _caller(staff: dict):
    from chalicelib.api import Caller

    return Caller(shop_id=staff["shop_id"], staff_id=staff["staff_id"], role=staff["role"],
                  name=staff["name"])


def new_shop(label: str) -> BuiltShop:
    from chalicelib.records import auth, shops

    shop_id = f"scale-{label}-{uuid.uuid4().hex[:8]}"
    shops.create_shop(shop_id, name=f"大型保養廠 {label}", phone="02-2765-1234",
                      address="臺北市")
    hashed = auth.hash_secret("bench scale password")
    staff = {}
    for role in ["owner", "advisor", *[f"technician{i}" for i in range(TECHNICIANS)]]:
        staff_id = f"{role}-{shop_id[-8:]}"
        member = shops.NewStaff(staff_id=staff_id, name=f"{role} {label}",
                                role=role.rstrip("0123456789"),
                                email=f"{staff_id}@{shop_id}.test", password="bench scale password")
        shops.add_staff(shop_id, member, hashed)
        staff[role] = shops.get_staff(shop_id, staff_id)
    return BuiltShop(shop_id, staff, [], [], [], [])


class Builder:
    """Customers, vehicles and orders of one shop through the domain functions, on threads."""

    # tests/builders.py's 王 on a 600 × 200 pad.
    STROKES = [[[100, 60, 0], [160, 58, 40], [220, 57, 80], [280, 60, 120]],
               [[190, 60, 300], [190, 100, 340], [190, 140, 380], [191, 170, 420]],
               [[110, 112, 600], [170, 110, 640], [230, 110, 680]],
               [[90, 172, 900], [160, 170, 940], [230, 169, 980], [300, 171, 1020]]]

    def __init__(self, shop: BuiltShop, size: Size, today: datetime) -> None:
        self.shop, self.size, self.today = shop, size, today
        self.advisor = _caller(shop.staff["advisor"])
        self.start = today - timedelta(days=DAYS - 1)
        self.done = 0
        self.failed: Counter = Counter()
        self._lock = threading.Lock()
        shop.customer_ids = [f"cust-{i:06d}-{shop.shop_id[-8:]}" for i in range(size.customers)]
        shop.vehicle_ids = [f"veh-{i:06d}-{shop.shop_id[-8:]}" for i in range(size.vehicles)]
        shop.order_ids = [f"order-{k:06d}-{shop.shop_id[-8:]}" for k in range(size.orders)]

    def customer(self, i: int) -> None:
        from chalicelib.records import customers

        _at(self.start + timedelta(minutes=i % 600))
        customers.create_customer(self.advisor, customers.NewCustomer(
            customer_id=self.shop.customer_ids[i], name=f"客戶{i:05d}",
            mobile=f"0938{i:06d}", channel="line" if i % 3 else "sms",
            consent={"version": "2026-01", "method": "tablet"}))

    def vehicle(self, v: int) -> None:
        from chalicelib.records import vehicles

        _at(self.start + timedelta(hours=11, minutes=v % 600))
        vehicles.create_vehicle(self.advisor, vehicles.NewVehicle(
            vehicle_id=self.shop.vehicle_ids[v], plate=_plate(v), make="Toyota",
            model="Corolla Altis", year=2015 + v % 10, fuel="gasoline",
            customer_id=self.shop.customer_ids[v % self.size.customers]))

    def when(self, k: int) -> datetime:
        """Order k's check-in: spread evenly over the days, 09:00-18:00 Taipei."""
        day = k * DAYS // self.size.orders
        minute = (k * 977) % 540
        return self.start.replace(hour=1, minute=0) + timedelta(days=day, minutes=minute)

    def orders_of(self, v: int) -> None:
        """The vehicle's orders, oldest first (a car has one open order at a time)."""
        for k in range(v, self.size.orders, self.size.vehicles):
            try:
                self.order(k, v)
            except Exception as err:  # noqa: BLE001 — counted and shown; the build goes on
                with self._lock:
                    self.failed[f"{type(err).__name__}: {str(err)[:80]}"] += 1
            with self._lock:
                self.done += 1

    def order(self, k: int, v: int) -> None:
        from chalicelib.work import orders, signatures

        order_id = self.shop.order_ids[k]
        moment = self.when(k)
        last_day = moment.date() >= self.today.date()
        _at(moment)
        orders.create_order(self.advisor, orders.NewOrder(
            order_id=order_id, customer_id=self.shop.customer_ids[v % self.size.customers],
            vehicle_id=self.shop.vehicle_ids[v], concerns=["定期保養"],
            mileage_km=10_000 + v % 1000 + k // self.size.vehicles * 10_000))
        if k % 37 == 36 and not last_day:
            self.step(order_id, "cancelled", moment, 10)
            return
        for number, (kind, line) in enumerate((
                ("labour", {"hours": "1.5", "rate": 1200, "description": "定期保養工資"}),
                ("part", {"quantity": "1", "unit_price": 450, "description": "機油濾芯",
                          "part_number": "90915-YZZE1"}))):
            _at(moment + timedelta(minutes=5 + number))
            orders.add_line(self.advisor, order_id, orders.NewLine(
                line_id=f"line-{number}-{order_id}", kind=kind, **line))
        path = ["authorized", "in_progress", "quality_check", "ready", "delivered"]
        if last_day:
            path = path[:k % 5]  # today's board: checked in … ready
        minutes = 15
        for to in path:
            if to == "ready":  # the work done and the final check passed first
                self.work_done(order_id, moment + timedelta(minutes=minutes - 3))
            if to in ("authorized", "delivered"):
                kind = "authorization" if to == "authorized" else "checkout"
                _at(moment + timedelta(minutes=minutes - 2))
                if to == "delivered":
                    self.handover(order_id)
                shown = signatures.get_document(self.advisor, order_id, kind)
                signatures.sign(self.advisor, order_id, signatures.NewSignature(
                    signature_id=f"sig-{kind[:4]}-{order_id}", kind=kind,
                    content_hash=shown["content_hash"], signer_name="客戶",
                    consent=True, strokes=self.STROKES, width=600, height=200),
                    {"ip": "127.0.0.1", "user_agent": "bench-scale"})
            self.step(order_id, to, moment, minutes)
            if to == "authorized":
                technician = self.shop.staff[f"technician{k % TECHNICIANS}"]
                _at(moment + timedelta(minutes=minutes + 1))
                orders.dispatch(self.advisor, order_id,
                                orders.Dispatch(technician_id=technician["staff_id"]))
            minutes += 40
        if last_day and path != ["authorized", "in_progress", "quality_check", "ready",
                                 "delivered"]:
            with self._lock:
                self.shop.open_orders.append(order_id)

    def work_done(self, order_id: str, moment: datetime) -> None:
        from chalicelib.work import orders, quality
        from tests.builders import quality_answers

        _at(moment)
        for number in range(2):
            orders.update_line(self.advisor, order_id, f"line-{number}-{order_id}",
                               orders.LineChange(state="done"))
        quality.record(self.advisor, order_id, quality.QualityCheck(
            client_id=f"qc-{order_id}", items=quality_answers()))

    def handover(self, order_id: str) -> None:
        from chalicelib.work import handover

        handover.record(self.advisor, order_id, handover.Handover(
            client_id=f"handover-{order_id}", valuables_returned=True))

    def step(self, order_id: str, to: str, moment: datetime, minutes: int) -> None:
        from chalicelib.work import orders

        _at(moment + timedelta(minutes=minutes))
        orders.transition(self.advisor, order_id, orders.TransitionRequest(
            to=to, client_id=f"step-{to[:6]}-{order_id}"))


def build(shops: list[BuiltShop], size: Size, threads: int, today: datetime) -> dict:
    """Customers, then vehicles, then orders of every shop, on `threads` threads; seconds each."""
    builders = [Builder(shop, size, today) for shop in shops]
    took = {}
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for phase, count in (("customers", size.customers), ("vehicles", size.vehicles),
                             ("orders", size.vehicles)):
            started = time.perf_counter()
            work = {"customers": lambda b: b.customer, "vehicles": lambda b: b.vehicle,
                    "orders": lambda b: b.orders_of}[phase]
            futures = [pool.submit(work(b), i) for i in range(count) for b in builders]
            for number, future in enumerate(futures, 1):
                future.result()
                if phase == "orders" and number % 500 == 0:
                    done = sum(b.done for b in builders)
                    rate = done / (time.perf_counter() - started)
                    print(f"  orders built: {done:,} of {size.orders * len(builders):,} "
                          f"({rate:.1f}/s)", flush=True)
            took[phase] = time.perf_counter() - started
            made = (size.orders if phase == "orders" else count) * len(builders)
            print(f"  {phase}: {made:,} in {took[phase]:.0f} s", flush=True)
    failed = sum((b.failed for b in builders), Counter())
    if failed:
        print("  orders not built as planned:", dict(failed.most_common(5)), flush=True)
    took["failed"] = sum(failed.values())
    return took


# --- measuring the routes -------------------------------------------------------------------

@dataclass
class Cost:
    requests: int
    scanned: int
    returned: int
    units: float
    bytes: int
    ms: float
    status: int = 200
    job: "Cost | None" = None
    ended: str = "done"  # a job's state at its end

    @property
    def ideal_units(self) -> float:
        """The least a read of the answer's size could cost: 0.5 unit per 4 KB (eventually
        consistent), at least one half unit."""
        return max(0.5, self.bytes / 8192)


def measure_routes(client, tokens: dict, targets: dict, meter: ReadMeter,
                   today: str) -> dict[str, Cost]:
    """Each route once warm (a first call to load its modules), then once measured; a write
    route once. `targets` names the shop's ids the routes use."""
    from chalicelib.core import pieces

    def call(role, method, path, body=None, expect=300):
        headers = {"authorization": f"Bearer {tokens[role]}", "content-type": "application/json"}
        answer = client.http.request(method, path, headers=headers,
                                     body=json.dumps(body) if body is not None else None)
        assert answer.status_code < expect, (path, answer.status_code, answer.body[:300])
        return answer

    day = datetime.fromisoformat(today).date()
    reads = [
        ("board today", "advisor", "/api/board"),
        ("board 90 days ago", "advisor", f"/api/board?date={day - timedelta(days=90)}"),
        ("board a year ago", "advisor", f"/api/board?date={day - timedelta(days=365)}"),
        ("an order (delivered, 2 lines, 2 signatures)", "advisor",
         f"/api/orders/{targets['order']}"),
        ("search by plate (3 letters)", "advisor", f"/api/vehicles?plate={targets['plate']}"),
        ("search by phone (7 digits)", "advisor", f"/api/customers?phone={targets['phone']}"),
        ("a customer", "advisor", f"/api/customers/{targets['customer']}"),
        ("a vehicle (with its orders)", "advisor", f"/api/vehicles/{targets['vehicle']}"),
        ("technician's jobs", "technician", "/api/jobs"),
        ("dashboard, 90 days", "owner",
         f"/api/dashboard?from={day - timedelta(days=89)}&to={day}"),
        ("follow-ups", "advisor", "/api/followups"),
    ]
    costs = {}

    cost_answer = [None]  # the last answer measured

    def measured(name, work):
        meter.route = name
        meter.reset()
        started = time.perf_counter()
        answer = cost_answer[0] = work()
        ms = (time.perf_counter() - started) * 1000
        return Cost(meter.requests, meter.scanned, meter.returned, meter.units,
                    len(answer.body or b""), ms, answer.status_code)

    for name, role, path in reads:
        call(role, "GET", path)
        costs[name] = measured(name, lambda: call(role, "GET", path))
    link = json.loads(call("advisor", "GET", f"/api/orders/{targets['open_order']}/link").body)
    page = "/t/" + link["url"].rsplit("/t/", 1)[1]
    client.http.get(page)
    costs["the customer's page /t/<token>"] = measured(
        "the customer's page /t/<token>", lambda: client.http.get(page))

    def as_job(name, start, status_path):
        """The start measured, then the whole job (its pieces) until it ends."""
        cost = measured(name, start)
        job_id = json.loads(cost_answer[0].body)["job_id"]
        meter.route = name + ", the whole job"
        meter.reset()
        started = time.perf_counter()
        pieces.wait(3600)
        ms = (time.perf_counter() - started) * 1000
        state = json.loads(call("owner", "GET", status_path.format(job_id)).body)
        cost.job = Cost(meter.requests, meter.scanned, meter.returned, meter.units,
                        len(json.dumps(state)), ms)
        cost.ended = state["state"] + (f" ({state['error']['code']})" if "error" in state else "")
        costs[name] = cost

    for name, body in (("a customer's export (job)",
                        {"kind": "customer", "customer_id": targets["export_customer"]}),
                       ("the shop's export (job)", {"kind": "shop"})):
        as_job(name, lambda: call("owner", "POST", "/api/exports",
                                  {"job_id": f"bench-{uuid.uuid4().hex[:12]}", **body}),
               "/api/exports/{}")
    erased = targets["erase_customer"]
    name_now = json.loads(call("advisor", "GET", f"/api/customers/{erased}").body)["name"]
    as_job("a customer's erasure (job)", lambda: call(
        "owner", "POST", f"/api/customers/{erased}/erasure",
        {"client_id": f"erase-{uuid.uuid4().hex[:12]}", "confirm_name": name_now}),
        "/api/erasures/{}")
    return costs


# --- hot keys -------------------------------------------------------------------------------

def hot_keys(log: WriteLog, orders_built: int, shops: int, per_day: int,
             hours: float) -> list[dict]:
    """Per shape: writes per order in the build, who shares one partition, and its writes per
    second at `shops` × `per_day` orders a day arriving over `hours` hours."""
    per_shop_second = per_day / (hours * 3600)
    rows = []
    for (index, shape), writes in log.shapes.items():
        per_order = writes / orders_built
        if shape in LOCAL_ONLY:
            shared, rate = "locally only (the outbox, in place of LINE and SMS)", None
        elif "<shop>" in shape:
            shared = "one shop" + (" (upper bound: one partition per id)" if "*" in shape else "")
            rate = per_order * per_shop_second
        elif "<shard>" in shape:
            # The deployment's shards (models.SHARDS: shops spread evenly, tests/unit/
            # test_shards.py), not the few this build's two shops fell in.
            from chalicelib.models import SHARDS

            count = min(SHARDS, shops)
            shared = f"every shop, over {count} shards" + (" (per day)" if "<day>" in shape else "")
            rate = per_order * per_shop_second * shops / count
        elif "*" in shape:
            busiest = max(n for (i, key), n in log.keys.items()
                          if i == index and log.shape(key) == shape)
            shared = f"one partition per id (busiest: {busiest:,} writes in the build)"
            rate = None
        else:
            shared = "every shop" + (" (per day)" if "<day>" in shape or "<month>" in shape else "")
            rate = per_order * per_shop_second * shops
        rows.append({"index": index, "shape": shape, "writes": writes, "per_order": per_order,
                     "shared": shared, "rate": rate})
    rows.sort(key=lambda row: (row["rate"] is None, -(row["rate"] or 0), -row["per_order"]))
    return rows


# --- the report -----------------------------------------------------------------------------

def report(size: Size, scale: float, took: dict, large: dict[str, Cost], demo: dict[str, Cost],
           worst: tuple, keys: list[dict], shops: int, per_day: int, hours: float,
           shops_built: int) -> str:
    orders_built = size.orders * shops_built
    per_thousand = took["orders"] / orders_built * 1000
    lines = [
        BEGIN, "## At scale (`make bench-scale`)", "",
        f"Written by `SCALE={scale:g} make bench-scale` (devstack/bench_scale.py): two shops of "
        f"{size} each, built with the product's domain functions (an order: 2 lines, the two "
        "signatures, dispatched, walked to delivery; every 37th cancelled; today's left open "
        "from checked in to ready), the stream's reactions running through the local poller, "
        "then this morning's daily job (its follow-up list: no call recorded in the build, so "
        "every delivered order's call is due). The signed documents' PDFs are not drawn in the "
        "build (a stand-in file; pdf_at written). "
        "DynamoDB Local in memory; counts are exact, milliseconds are this 2-core machine's.", "",
        f"Build: customers {took['customers']:.0f} s, vehicles {took['vehicles']:.0f} s, "
        f"orders {took['orders']:.0f} s for {orders_built:,} orders ({per_thousand:.0f} s per "
        f"1,000 orders, {took['failed']} not built as planned); at SCALE=1 (80,000 orders) "
        f"about {per_thousand * 80 / 3600:.1f} h for the orders. The stream's reactions (one "
        f"local poller thread) finished {took.get('reactions', 0):.0f} s after the last order.",
        "",
        f"### Routes: the large shop ({size}) beside the demo shop", "",
        "One call each after a warm one, through Chalice's test client. Items read is DynamoDB's "
        "ScannedCount (a GetItem: 1), returned its Count; units are read and write capacity "
        "consumed as DynamoDB Local reports them. Units ÷ least: the units against the least "
        "a read of the answer's size could cost (0.5 per 8 KB of JSON answered, at least 0.5).",
        "",
        "| route | requests | items read / returned | units | answer KB | units ÷ least "
        "| ms | demo shop: requests, items read, units |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, cost in large.items():
        other = demo.get(name)
        shown = f"{other.requests}, {other.scanned}, {other.units:.1f}" if other else "–"
        if other and other.status >= 300:
            shown += f" (answered {other.status})"
        if cost.status >= 300:
            name += f" (answered {cost.status})"
        lines.append(
            f"| {name} | {cost.requests} | {cost.scanned:,} / {cost.returned:,} | "
            f"{cost.units:.1f} | {cost.bytes / 1024:.1f} | {cost.units / cost.ideal_units:.1f}× "
            f"| {cost.ms:.0f} | {shown} |")
        if cost.job:
            job, other_job = cost.job, other.job if other else None
            if other_job and other.ended != "done":
                shown = f"{other_job.requests}, {other_job.scanned}, {other_job.units:.1f}" \
                    f" (ended {other.ended})"
            else:
                shown = (f"{other_job.requests}, {other_job.scanned}, {other_job.units:.1f}"
                         if other_job else "–")
            ended = "" if cost.ended == "done" else f" (ended {cost.ended})"
            lines.append(
                f"| {name}: the whole job{ended} | {job.requests} | {job.scanned:,} / "
                f"{job.returned:,} | {job.units:.1f} | | | {job.ms:.0f} | {shown} |")
    lines += ["", "Goals: requests ≤ 3 per route, units within 2× of the least; the exports "
              "and the erasure jobs.", "",
              f"Worst Query, items read per item returned: {worst[0]:.1f} ({worst[1]:,} read, "
              f"{worst[2]:,} returned) in {worst[3] or '–'}.", "",
              f"### Busiest partitions at {shops:,} shops × {per_day} orders a day", "",
              f"Every write of the build (two shops, {orders_built:,} orders with their customers "
              "and vehicles, the stream's reactions included) by its partition key's shape, on "
              "the table and each index (an index entry is written when its item is). Writes "
              f"per second per partition with the day's orders arriving over {hours:g} hours: a "
              "key holding the shop's id is shared by that shop's orders only (an upper bound "
              "when it also holds another id), a key with a shard by every shop over the shards, "
              "any other key without an id by every shop. DynamoDB takes 1,000 writes a second "
              "on one partition; the goal is below 100.", "",
              "| index | key shape | writes per order | shared by | writes/s per partition |",
              "| --- | --- | --- | --- | --- |"]
    for row in keys[:20]:
        rate = "–" if row["rate"] is None else f"{row['rate']:.{1 if row['rate'] >= 1 else 3}f}"
        lines.append(f"| {row['index']} | `{row['shape']}` | {row['per_order']:.3f} | "
                     f"{row['shared']} | {rate} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Into docs/bench.md between the markers (after `make bench`'s part when new)."""
    path = ROOT / "docs" / "bench.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section.rstrip("\n") + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


# --- the run --------------------------------------------------------------------------------

def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    scale = _env("SCALE", 1.0)
    shops_n, per_day = int(_env("SHOPS", 20_000)), int(_env("ORDERS_PER_DAY", 200))
    hours, threads = _env("WORK_HOURS", 10), int(_env("THREADS", 8))
    size = Size.at(scale)
    print(f"bench-scale: SCALE={scale:g}: two shops of {size}", flush=True)

    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from devstack import engines, provision, seed
    from devstack.poller import Checkpoints, StreamPoller

    poller = None
    with engines.private_engines("servicelane-bench-scale-") as local:
        data_dir = local.data_dir
        try:
            aws.reset()
            provision.ensure_table(aws.client("dynamodb"), settings().table_name)
            provision.ensure_bucket(aws.client("s3"), settings().bucket_name, local.origin)
            seed.seed(data_dir)

            import app as api
            from chalicelib.work import pdf

            # The signed documents' PDFs are drawn later (a quarter second each, the build's
            # largest cost and no DynamoDB work): their pdf_at mark is still written.
            pdf.render = lambda *args, **kwargs: b"%PDF-1.4\n% bench-scale: not drawn\n"
            _install_clock()
            today = datetime.now(timezone.utc)
            large = [new_shop("a"), new_shop("b")]
            poller = StreamPoller(aws.client("dynamodbstreams"), aws.client("dynamodb"),
                                  settings().table_name, api.on_change,
                                  Checkpoints(data_dir / "cp.json"), data_dir / "dead",
                                  settings().region)
            drain(poller)  # the demo shop's and the new shops' reactions: not the build's
            log = WriteLog(table_clients(), {shop.shop_id for shop in large})
            thread = poller.start()
            took = build(large, size, threads, today)
            poller.stop()
            thread.join()
            drained = time.perf_counter()
            drain(poller)  # the reactions still to come, before counting
            took["reactions"] = time.perf_counter() - drained
            print(f"  the stream's reactions caught up {took['reactions']:.0f} s after", flush=True)
            log.resolve(aws.client("dynamodb"), settings().table_name)
            _morning(api)
            orders_built = size.orders * len(large)
            keys = hot_keys(log, orders_built, shops_n, per_day, hours)

            section = measure(api, large[0], size, scale, took, keys, shops_n, per_day, hours,
                              len(large))
        finally:
            if poller:
                poller.stop()
    write_section(section)
    print(section)
    return 0


def _morning(api) -> None:
    """This morning's daily job, as the schedule runs it (the follow-up list of the day)."""
    from chalicelib.core import clock, pieces

    event = {"version": "0", "id": "bench-scale", "detail-type": "Scheduled Event",
             "source": "aws.events", "account": "000000000000", "time": clock.now_iso(),
             "region": "ap-northeast-1", "resources": [], "detail": {}}
    started = time.perf_counter()
    try:
        api.daily_jobs(event, None)
        pieces.wait(1800)
    except Exception as err:  # noqa: BLE001 — the routes are measured all the same
        print(f"  the daily job failed: {type(err).__name__}: {err}", flush=True)
    print(f"  the daily job: {time.perf_counter() - started:.0f} s", flush=True)


def measure(api, shop: BuiltShop, size: Size, scale: float, took: dict, keys: list[dict],
            shops_n: int, per_day: int, hours: float, shops_built: int) -> str:
    from chalice.test import Client

    from chalicelib.core import clock
    from chalicelib.records import auth, shops
    from devstack import seed

    today = clock.local_date()
    meter = ReadMeter(table_clients())
    middle = next(k for k in range(size.orders // 2, size.orders) if k % 37 != 36)
    tokens = {role: auth.access_token(shop.staff[name], None)
              for role, name in (("advisor", "advisor"), ("owner", "owner"),
                                 ("technician", "technician0"))}
    large_targets = {
        "order": shop.order_ids[middle], "plate": _plate(5)[:3],
        "phone": "0938000", "customer": shop.customer_ids[5 % size.customers],
        "vehicle": shop.vehicle_ids[5 % size.vehicles],
        "open_order": (shop.open_orders or shop.order_ids)[-1],
        "export_customer": shop.customer_ids[2 % size.customers],
        "erase_customer": shop.customer_ids[3 % size.customers]}
    demo_staff = {role: shops.get_staff(seed.DEMO_SHOP_ID, staff_id) for role, staff_id in
                  (("advisor", seed.DEMO_ADVISOR_ID), ("owner", seed.DEMO_OWNER_ID),
                   ("technician", seed.DEMO_TECHNICIAN_IDS[0]))}
    demo_tokens = {role: auth.access_token(staff, None) for role, staff in demo_staff.items()}
    demo_targets = {
        "order": seed.demo_order_id(4), "plate": "ANB", "phone": "0912",
        "customer": seed.DEMO_CUSTOMER_CHEN, "vehicle": seed.DEMO_VEHICLE_RAV4,
        "open_order": seed.demo_order_id(4), "export_customer": seed.DEMO_CUSTOMER_CHEN,
        "erase_customer": seed.DEMO_CUSTOMER_LIN}
    with Client(api.app, stage_name="bench") as client:
        large = measure_routes(client, tokens, large_targets, meter, today)
        worst = meter.worst
        demo = measure_routes(client, demo_tokens, demo_targets, meter, today)
    return report(size, scale, took, large, demo, worst, keys, shops_n, per_day, hours,
                  shops_built)
