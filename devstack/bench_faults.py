"""`make bench-faults`: a shop's day driven through injected faults, and what came of it.

DynamoDB Local and s3rver of its own, the app in process (Chalice's test client), and between
them the project's fault-injecting proxy (devstack/faults.py) failing a share of the requests
(FAULT_RATE, 0.2): throughput exceeded, internal error, unavailable, a transaction conflict, and
the answer lost after the write was applied; S3's SlowDown and InternalError. The day's cars
(CARS, 12: each fault costs the SDK's backoff, a second or two) are driven as the tablet's queue does: a write answered 503, 429 or not at all is sent
again (the same body, the same client id), one refused with another 4xx is dropped.

Then, with the faults off, the table is read back and counted: writes acknowledged but lost,
records doubled (an odometer reading twice, two orders for a car, a gap in the day's numbers),
half-done changes (an order without its reading), false refusals (a 4xx for a write nothing
refused), bare 500s, and the share of answers that were 503 with `Retry-After`. Writes its
section of docs/bench.md.
"""
from __future__ import annotations

import os
import time
from collections import Counter

from devstack import ROOT

BEGIN, END = "<!-- bench-faults: begin -->", "<!-- bench-faults: end -->"
DYNAMODB_KINDS = ("throttle", "internal", "unavailable", "lost")
S3_KINDS = ("slowdown", "s3_internal")
TRIES = 40  # a queue's patience for one write (its waits shortened here: see `Driver.send`)


class Driver:
    """Requests as the tablet's queue sends them, and what their answers were."""

    def __init__(self, person) -> None:
        self.person = person
        self.answers: Counter = Counter()
        self.refused: list[tuple[str, int, str]] = []
        self.acknowledged = 0

    def send(self, method: str, path: str, body=None):
        for _ in range(TRIES):
            answer = self.person.request(method, path, body)
            self.answers["all"] += 1
            if answer.status == 500:
                self.answers["bare 500"] += 1
            if answer.status in (429, 503):
                self.answers["503/429 with Retry-After" if answer.headers.get("Retry-After")
                             else "503/429 without Retry-After"] += 1
            if answer.status in (429, 500, 502, 503, 504):
                # Retry-After honoured, shortened a hundredfold: the bench counts, it does not wait.
                time.sleep(int(answer.headers.get("Retry-After") or 1) / 100)
                continue
            if answer.status >= 400:
                self.refused.append((f"{method} {path.split('/')[2]}", answer.status,
                                     (answer.body or {}).get("error", {}).get("code", "")))
                return None
            if method != "GET":
                self.acknowledged += 1
            return answer.body
        self.answers["gave up"] += 1
        return None


def day(shop, cars: int) -> tuple[Driver, list[dict]]:
    from tests.builders import STROKES, new_id, quality_answers

    driver = Driver(shop.advisor)
    done = []
    for n in range(cars):
        mobile = f"0912-{n // 1000:03d}-{n % 1000:03d}"
        customer = driver.send("POST", "/api/customers", {
            "customer_id": new_id("cust"), "name": f"客戶 {n}", "mobile": mobile,
            "channel": "sms"})
        if not customer:
            continue
        vehicle_id, km = new_id("veh"), 10_000 + n * 100
        vehicle = driver.send("POST", "/api/vehicles", {
            "vehicle_id": vehicle_id, "plate": f"BF-{n:04d}", "make": "Toyota",
            "model": "Altis", "year": 2019, "fuel": "gasoline",
            "customer_id": customer["customer_id"], "mileage_km": km})
        if not vehicle:
            continue
        order_id = new_id("order")
        order = driver.send("POST", "/api/orders", {
            "order_id": order_id, "customer_id": customer["customer_id"],
            "vehicle_id": vehicle_id, "concerns": ["定期保養"], "mileage_km": km + 10})
        if not order:
            continue
        base = f"/api/orders/{order_id}"
        driver.send("PATCH", f"{base}/inspection", {"changes": [
            {"field": "mileage_km", "value": km + 20, "changed_at": "2026-12-06T09:00:00+08:00"}]})
        line_ids = [new_id("line"), new_id("line")]
        for line_id, (what, hours) in zip(line_ids, (("機油更換", 0.5), ("煞車檢查", 1))):
            driver.send("POST", f"{base}/lines", {"line_id": line_id, "kind": "labour",
                                                  "description": what, "hours": hours,
                                                  "rate": 1200})
        for step in ("authorized", "in_progress", "quality_check", "ready", "delivered"):
            if step == "ready":  # the work done and the final check passed first
                for line_id in line_ids:
                    driver.send("PATCH", f"{base}/lines/{line_id}", {"state": "done"})
                driver.send("PUT", f"{base}/quality-check", {
                    "client_id": new_id("qc"), "items": quality_answers()})
            if step == "delivered":
                driver.send("PUT", f"{base}/handover", {"client_id": new_id("handover"),
                                                        "valuables_returned": True})
            if step in ("authorized", "delivered"):
                kind = "authorization" if step == "authorized" else "checkout"
                drawn = driver.send("GET", f"{base}/documents/{kind}")
                if drawn:
                    driver.send("POST", f"{base}/signatures", {
                        "signature_id": new_id("sig"), "kind": kind,
                        "content_hash": drawn["content_hash"], "signer_name": "林美玲",
                        "consent": True, "strokes": STROKES, "width": 600, "height": 200})
            driver.send("POST", f"{base}/transitions", {"to": step, "client_id": new_id("step")})
        done.append({"order_id": order_id, "vehicle_id": vehicle_id, "km": km})
    return driver, done


def audit(shop_id: str, cars: list[dict]) -> dict[str, int]:
    """What the table holds after the day, counted with the faults off."""
    from boto3.dynamodb.conditions import Key

    from chalicelib import models
    from chalicelib.core import aws
    from chalicelib.work import orders

    found = Counter()
    numbers = []
    for car in cars:
        items = aws.query_all(KeyConditionExpression=Key("pk").eq(
            models.vehicle_key(shop_id, car["vehicle_id"])["pk"]), ConsistentRead=True)
        readings = Counter(int(item["km"]) for item in items if item.get("type") == "mileage")
        expected = {car["km"], car["km"] + 10, car["km"] + 20}
        found["duplicated"] += sum(count - 1 for count in readings.values() if count > 1)
        found["lost"] += len(expected - set(readings))
        order = orders.load(shop_id, car["order_id"])
        numbers.append(int(order["number"].split("-")[-1]))
        if order["state"] != "delivered":
            found["half-done"] += 1
        if order.get("mileage_km") is not None and car["km"] + 10 not in readings:
            found["half-done"] += 1
        kinds = Counter(item["kind"] for item in order["signatures"])
        found["duplicated"] += sum(count - 1 for count in kinds.values() if count > 1)
    numbers.sort()
    found["duplicated"] += len(numbers) - len(set(numbers))
    found["number gaps"] = (numbers[-1] - numbers[0] + 1 - len(set(numbers))) if numbers else 0
    return dict(found)


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    rate, cars = float(os.environ.get("FAULT_RATE") or 0.2), int(os.environ.get("CARS") or 12)

    from chalicelib.core import aws
    from devstack import engines

    with engines.private_engines("servicelane-bench-faults-") as local:
        driver, found, dynamodb, s3, finished, took = _drive(local, rate, cars)
    injected = Counter(kind for _, kind in dynamodb.log + s3.log)
    report = _report(rate, cars, finished, driver, found, injected,
                     len(dynamodb.seen) + len(s3.seen), took)
    print(report)
    _write(report)
    aws.reset()
    bad = sum(found.values()) + driver.answers["bare 500"] + len(driver.refused) \
        + driver.answers["gave up"]
    return 1 if bad else 0


def _drive(local, rate: float, cars: int):
    """The day through the proxies, and the audit with the faults off."""
    from chalice.test import Client

    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from devstack import provision
    from devstack.faults import Faults
    from tests.builders import a_shop

    aws.reset()
    provision.ensure_table(aws.client("dynamodb"), settings().table_name)
    provision.ensure_bucket(aws.client("s3"), settings().bucket_name, local.origin)
    dynamodb, s3 = Faults(local.ddb_endpoint), Faults(local.s3_endpoint)
    import app as api

    try:
        with Client(api.app, stage_name="bench") as client:
            shop = a_shop(client, name="故障演練保養廠")
            os.environ.update({"SL_DDB_ENDPOINT": dynamodb.url, "SL_S3_ENDPOINT": s3.url})
            aws.reset()
            for kind in DYNAMODB_KINDS:
                dynamodb.add(kind, rate=rate / (len(DYNAMODB_KINDS) + 1), times=0)
            dynamodb.add("conflict", "TransactWriteItems", rate=rate, times=0)
            for kind in S3_KINDS:
                s3.add(kind, rate=rate / len(S3_KINDS), times=0)
            started_at = time.perf_counter()
            driver, done = day(shop, cars)
            took = time.perf_counter() - started_at
            dynamodb.clear()
            s3.clear()
            found = audit(shop.shop_id, done)
    finally:
        dynamodb.stop()
        s3.stop()
    return driver, found, dynamodb, s3, len(done), took


def _report(rate, cars, finished, driver, found, injected, requests, took) -> str:
    answers = driver.answers
    retry_share = answers["503/429 with Retry-After"] / max(answers["all"], 1)
    lines = [BEGIN, "", "## `make bench-faults`: a shop's day through injected faults", "",
             f"{cars} cars driven from reception to delivery (customer, vehicle, order with its "
             f"mileage, walk-around, two lines, two signatures, five steps) as the tablet's "
             f"queue sends them, with {rate:.0%} of the requests to DynamoDB and S3 failed by "
             f"the fault proxy (devstack/faults.py); {requests:,} requests reached the proxies "
             f"in {took:.0f} s.", "",
             "| injected | count |", "| --- | --- |",
             *(f"| {kind} | {count} |" for kind, count in sorted(injected.items())), "",
             "| outcome | count |", "| --- | --- |",
             f"| cars delivered | {finished} of {cars} |",
             f"| writes acknowledged | {driver.acknowledged} |",
             f"| lost (acknowledged, not stored) | {found.get('lost', 0)} |",
             f"| duplicated (readings, signatures, order numbers) | {found.get('duplicated', 0)} |",
             f"| gaps in the day's order numbers | {found.get('number gaps', 0)} |",
             f"| half-done (order not delivered, or without its reading) | "
             f"{found.get('half-done', 0)} |",
             f"| false refusals (a 4xx nothing refused) | {len(driver.refused)} |",
             f"| bare 500s | {answers['bare 500']} |",
             f"| writes given up after {TRIES} tries | {answers['gave up']} |",
             f"| answers | {answers['all']} |",
             f"| answered 503/429 with `Retry-After` | {answers['503/429 with Retry-After']} "
             f"({retry_share:.1%}) |",
             f"| answered 503/429 without `Retry-After` | "
             f"{answers['503/429 without Retry-After']} |", ""]
    if driver.refused:
        lines += ["Refused: " + ", ".join(f"{what} {status} {code}"
                                          for what, status, code in driver.refused[:10]), ""]
    return "\n".join(lines + [END])


def _write(report: str) -> None:
    path = ROOT / "docs" / "bench.md"
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + report + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    path.write_text(text)
