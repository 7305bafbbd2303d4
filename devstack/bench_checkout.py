"""`make bench`'s checkout (chalicelib/work/payments.py, chalicelib/outward/invoicing.py,
chalicelib/after/cashup.py, chalicelib/work/invoice_print.py): what a payment, the 電子發票 and
the day's cash-up cost in DynamoDB requests and capacity units, the send of a queued invoice to
the value-added centre (its stand-in, devstack/einvoice_standin.py, in this process on a free
port), exactly-once under the centre's faults as counts, and the printed 證明聯.

Through the API as the tablet does it (Chalice's test client, in-process), on shops of their
own: "a day of 50" (25 orders, each a partial payment, its invoice asked for, the rest paid)
and "a day of 500" (100 orders, five payments each, then a 統編 invoice each). No stream
poller runs: a queued invoice waits until this bench sends it (invoicing.send, as the stream's
reaction would), so each send is counted alone.

`checkout()` runs with the engines devstack/bench.py's main() has up; alone,
`python -m devstack.bench_checkout` starts its own and prints the section.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from devstack import ROOT

SHOP_TAX_ID = "22099131"
BUYER_TAX_ID = "04595257"
QR_KEY = "FE05F029154F6AA67A78B338ED2F6601"  # a made-up AES key, as tests/unit/test_invoice_print.py's


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def _meter():
    """devstack/bench.py's DynamoMeter, also naming the operations of each request."""
    from devstack.bench import DynamoMeter, table_clients

    class Meter(DynamoMeter):
        def __init__(self, clients) -> None:
            super().__init__(clients)
            for client in clients:
                client.meta.events.register("before-call.dynamodb.*", self._name)

        def _name(self, model, **_):
            self.operations.append(model.name)

        def reset(self) -> None:
            super().reset()
            self.operations = []

    meter = Meter(table_clients())
    meter.reset()
    return meter


SHORT = {"TransactWriteItems": "Transact", "BatchGetItem": "BatchGet"}


class _Costs:
    """Per-call DynamoDB requests (and their operations), capacity units and milliseconds of
    one kind of call."""

    def __init__(self, meter) -> None:
        self.meter, self.requests, self.units, self.ms, self.operations = meter, [], [], [], []

    def __call__(self, work):
        self.meter.reset()
        started = time.perf_counter()
        answer = work()
        self.ms.append((time.perf_counter() - started) * 1000)
        self.requests.append(self.meter.requests)
        self.units.append(self.meter.units)
        self.operations.append(tuple(self.meter.operations))
        return answer

    def row(self, name: str, target: str = "") -> str:
        low, high = min(self.requests), max(self.requests)
        requests = f"{low}" if low == high else f"{low}–{high}"
        common = max(set(self.operations), key=self.operations.count)
        named = ", ".join(SHORT.get(operation, operation) for operation in common)
        p50, p95 = _percentiles(self.ms)
        return (f"| {name} | {len(self.ms)} | {requests} ({named}) "
                f"| {statistics.mean(self.units):.1f} | {p50:.1f} / {p95:.1f} | {target} |")


def _ok(answer, status: int = 200):
    assert answer.status == status, (answer.status, answer.body)
    return answer.body


def _order(shop) -> dict:
    """A checked-in order with a labour and a part line (tests/builders.py), through the API."""
    from tests.builders import a_customer_and_vehicle, add_lines, new_id

    customer, vehicle = a_customer_and_vehicle(shop)
    order = _ok(shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["定期保養"]}), 201)
    return add_lines(shop, order["order_id"])


def _pay(shop, order_id: str, amount: int, method: str = "cash"):
    from tests.builders import new_id

    return shop.advisor.post(f"/api/orders/{order_id}/payments", {
        "client_id": new_id("pay"), "method": method, "amount": amount})


def _invoice(shop, order_id: str, **body):
    from tests.builders import new_id

    return shop.advisor.post(f"/api/orders/{order_id}/invoice",
                             {"client_id": new_id("inv"), **body})


def _due(shop, order_id: str) -> int:
    order = _ok(shop.advisor.get(f"/api/orders/{order_id}"))
    return order["totals"]["total"] - (order.get("paid") or {}).get("paid", 0)


def _queued(shop_id: str) -> list[tuple[str, int]]:
    """The shop's queued invoices, (order, seq), from the queue index."""
    from chalicelib import models

    found = [item.as_dict() for item in models.Item.lookup.query(models.INVOICE_QUEUE)]
    return [(item["order_id"], int(item["seq"])) for item in found if item["shop_id"] == shop_id]


def _issued_of(standin, shop_id: str) -> list[dict]:
    from chalicelib.core import secrets

    merchant = secrets.get(f"einvoice/{shop_id}/merchant-id")
    return [found for found in standin.issued() if found["MerchantID"] == merchant]


def _get_raw(client, shop, path: str):
    answer = client.http.get(path, headers={"authorization": f"Bearer {shop.owner.token}"})
    assert answer.status_code == 200, (path, answer.status_code, answer.body)
    return answer


def _a_shop(client, name: str):
    from tests.builders import a_shop

    shop = a_shop(client, name=name)
    _ok(shop.owner.patch("/api/shop", {"tax_id": SHOP_TAX_ID}))
    return shop


def checkout() -> list[str]:
    """The checkout's section of docs/bench.md."""
    from chalice.test import Client

    from app import app
    from chalicelib.core import aws
    from chalicelib.core import clock as times
    from chalicelib.outward import invoicing
    from devstack.einvoice_standin import EinvoiceStandin

    standin = EinvoiceStandin({}, accounts=Path(os.environ["SL_SECRETS_DIR"])).start()
    before = os.environ.get("SL_EINVOICE_API")
    os.environ["SL_EINVOICE_API"] = standin.url
    aws.reset()
    real_now = times.now
    try:
        meter = _meter()
        with Client(app, stage_name="bench") as client:
            rows, facts = _routes(client, meter, standin, invoicing)
            faults = _faults(client, meter, standin, invoicing, times)
    finally:
        times.now = real_now
        standin.stop()
        if before is None:
            os.environ.pop("SL_EINVOICE_API", None)
        else:
            os.environ["SL_EINVOICE_API"] = before
        aws.reset()
    proofs, first = proof_rendering()
    return _lines(rows, facts, faults, proofs, first)


def _routes(client, meter, standin, invoicing) -> tuple[list[str], dict]:
    from chalicelib.core import clock as times

    facts: dict = {}
    partial, ask_unpaid, paying, send_c, order_c = (_Costs(meter) for _ in range(5))
    ask_paid, fifth, cashup50, cashup500, csv25, csv100, order5 = (_Costs(meter)
                                                                  for _ in range(7))
    # A day of 50: 25 orders, each a partial payment, its invoice asked for while unpaid
    # (a mobile carrier), then the rest paid: that payment queues the invoice.
    small = _a_shop(client, "結帳測試車廠")
    orders = [_order(small) for _ in range(25)]
    facts["total"] = orders[0]["totals"]["total"]
    for order in orders:
        _ok(partial(lambda: _pay(small, order["order_id"], 1000)))
        _ok(ask_unpaid(lambda: _invoice(small, order["order_id"], carrier_type="mobile",
                                        carrier_number="/ABC+123")))
        due = _due(small, order["order_id"])
        paid = _ok(paying(lambda: _pay(small, order["order_id"], due)))
        assert paid["invoices"][-1]["state"] == "queued", paid["invoices"]
    queued = _queued(small.shop_id)
    assert len(queued) == 25, len(queued)
    for order_id, seq in queued:
        assert send_c(lambda: invoicing.send(small.shop_id, order_id, seq)) == "issued"
    assert len(_issued_of(standin, small.shop_id)) == 25
    for order in orders:
        shown = _ok(order_c(lambda: small.advisor.get(f"/api/orders/{order['order_id']}")))
        assert shown["invoice"]["state"] == "issued" and len(shown["payments"]) == 2
    month = times.local_date()[:7]  # the invoices' month, Taipei
    for _ in range(20):
        day = cashup50(lambda: _ok(small.owner.get("/api/cashup")))
        assert day["count"] == 50, day["count"]
        csv25(lambda: _get_raw(client, small, f"/api/invoices.csv?month={month}"))

    # A day of 500: 100 orders, five payments each (the fifth pays), then a 統編 invoice each,
    # queued at once (the order is paid).
    big = _a_shop(client, "結帳測試車廠（大）")
    big_orders = [_order(big) for _ in range(100)]
    total = big_orders[0]["totals"]["total"]
    part = total // 5
    for order in big_orders:
        for _ in range(4):
            _ok(_pay(big, order["order_id"], part))
        _ok(fifth(lambda: _pay(big, order["order_id"], total - 4 * part)))
        invoiced = _ok(ask_paid(lambda: _invoice(big, order["order_id"], tax_id=BUYER_TAX_ID,
                                                 title="大明貨運有限公司")))
        assert invoiced["invoices"][-1]["state"] == "queued"
    for order_id, seq in _queued(big.shop_id):
        assert send_c(lambda: invoicing.send(big.shop_id, order_id, seq)) == "issued"
    assert len(_issued_of(standin, big.shop_id)) == 100
    for order in big_orders[:25]:
        shown = _ok(order5(lambda: big.advisor.get(f"/api/orders/{order['order_id']}")))
        assert shown["invoice"]["state"] == "issued" and len(shown["payments"]) == 5
    for _ in range(20):
        day = cashup500(lambda: _ok(big.owner.get("/api/cashup")))
        assert day["count"] == 500 and day["invoices"]["issued"] == 100, day["count"]
        listed = csv100(lambda: _get_raw(client, big, f"/api/invoices.csv?month={month}"))
    body = listed.body if isinstance(listed.body, bytes) else listed.body.encode()
    facts["csv_rows"] = body.decode("utf-8-sig").count("\r\n") - 1
    facts["csv_bytes"] = len(body)
    rows = [
        partial.row("`POST /api/orders/{id}/payments`, a partial payment (the order's first)",
                    "load (1 Query) + 1 transaction"),
        fifth.row("the same, the fifth payment of an order (it pays the order)"),
        ask_unpaid.row("`POST /api/orders/{id}/invoice` before it is paid (a mobile carrier "
                       "kept)"),
        paying.row("`POST /api/orders/{id}/payments` that pays the order, queuing its invoice "
                   "in the same transaction"),
        ask_paid.row("`POST /api/orders/{id}/invoice` on a paid order (a 統編 invoice, queued "
                     "at once)"),
        send_c.row("`invoicing.send` of a queued invoice → issued (the stand-in over HTTP on "
                   "loopback; the time is the whole try)"),
        order_c.row("`GET /api/orders/{id}`, paid (2 payments) with its issued invoice",
                    "1 Query"),
        order5.row("the same, 5 payments and the invoice", "1 Query"),
        cashup50.row("`GET /api/cashup`, a day of 50 payments, 25 invoices issued (25 orders "
                     "open on the board)"),
        cashup500.row("`GET /api/cashup`, a day of 500 payments, 100 invoices issued (100 "
                      "orders open on the board)"),
        csv25.row("`GET /api/invoices.csv`, a month of 25 invoices"),
        csv100.row(f"`GET /api/invoices.csv`, a month of 100 invoices ({facts['csv_bytes']:,} "
                   "bytes)"),
    ]
    return rows, facts


def _faults(client, meter, standin, invoicing, times) -> dict:
    """Exactly-once under the centre's faults: 20 orders paid while it is down, then sent when
    it is back; 10 orders whose answers are lost, then tried again. Counts."""
    shop = _a_shop(client, "故障測試車廠")
    real_now = times.now
    out: dict = {}

    def paid_orders(count: int) -> list[str]:
        ids = []
        for _ in range(count):
            order = _order(shop)
            _ok(_invoice(shop, order["order_id"], carrier_type="mobile",
                         carrier_number="/ABC+123"))
            _ok(_pay(shop, order["order_id"], order["totals"]["total"]))
            ids.append(order["order_id"])
        return ids

    def states(ids: list[str]) -> list[str]:
        return [_ok(shop.advisor.get(f"/api/orders/{order_id}"))["invoice"]["state"]
                for order_id in ids]

    def later(minutes: int) -> None:
        moved = times.now() + timedelta(minutes=minutes)
        times.now = lambda: moved

    sends = _Costs(meter)
    try:
        standin.set_mode("down")
        down_ids = paid_orders(20)
        first = invoicing.send_due()  # the first try of each (the stream's, in the cloud)
        out["down_tried"] = first["tried"]
        out["down_queued"] = states(down_ids).count("queued")
        out["down_at_centre"] = len(_issued_of(standin, shop.shop_id))
        out["down_not_due"] = invoicing.send_due()["tried"]  # retries wait their minute
        standin.set_mode("ok")
        later(2)
        back = sends(invoicing.send_due)
        out["back"] = back
        out["back_requests"] = sends.requests[-1]
        out["down_issued"] = states(down_ids).count("issued")
        at_centre = _issued_of(standin, shop.shop_id)
        out["down_centre"] = len(at_centre)
        out["down_unique"] = len({found["RelateNumber"] for found in at_centre})

        standin.set_mode("lose_answer")
        lost_ids = paid_orders(10)
        lost = invoicing.send_due()
        out["lost_tried"], out["lost_issued_try"] = lost["tried"], lost["issued"]
        out["lost_queued"] = states(lost_ids).count("queued")
        out["lost_at_centre"] = len(_issued_of(standin, shop.shop_id)) - out["down_centre"]
        standin.set_mode("ok")
        later(2)
        calls_before = len(standin.calls)
        again = sends(invoicing.send_due)
        paths = [call["path"].rsplit("/", 1)[1] for call in standin.calls[calls_before:]]
        out["again"], out["again_requests"] = again, sends.requests[-1]
        out["again_calls"] = {name: paths.count(name) for name in sorted(set(paths))}
        out["lost_issued"] = states(lost_ids).count("issued")
        at_centre = _issued_of(standin, shop.shop_id)
        out["all_centre"] = len(at_centre)
        out["all_unique"] = len({found["RelateNumber"] for found in at_centre})
        numbers = {_ok(shop.advisor.get(f"/api/orders/{order_id}"))["invoice"]["number"]
                   for order_id in down_ids + lost_ids}
        out["numbers_match"] = numbers == {found["InvoiceNo"] for found in at_centre}
        out["left_due"] = invoicing.send_due()["tried"]
    finally:
        times.now = real_now
        standin.set_mode("ok")
    return out


def proof_rendering(rounds: int = 20) -> tuple[list[str], float]:
    """The 證明聯 as PNG and PDF for a B2C invoice of 3 items and a B2B one of 5, warm; and
    the first render in a fresh process (median of 5), as bench.py's label_rendering."""
    from chalicelib.core import einvoice_codes as codes
    from chalicelib.work import invoice_print

    shop = "大安汽車保養廠"
    b2c = codes.ProofInvoice(
        number="AB12345678", random_code="1234", issued_at=datetime(2026, 12, 7, 15, 30, 12),
        total=2835, sales=2700, tax=135, seller_tax_id=SHOP_TAX_ID, buyer_tax_id=None,
        items=[("機油更換 5W-30", 4, 250), ("機油濾芯", 1, 350), ("冷氣系統檢查", 1, 1350)],
        seller_name=shop)
    b2b = codes.ProofInvoice(
        number="CD87654321", random_code="0592", issued_at=datetime(2026, 12, 7, 9, 5, 3),
        total=26250, sales=25000, tax=1250, seller_tax_id=SHOP_TAX_ID, buyer_tax_id=BUYER_TAX_ID,
        items=[("煞車來令片（前）", 1, 3200), ("煞車碟盤研磨", 2, 900), ("工資", 3, 800),
               ("冷氣濾網", 1, 450), ("雨刷", 2, 380)], seller_name=shop)
    rows = []
    for name, invoice in (("B2C, 3 items", b2c), ("B2B (統編), 5 items", b2b)):
        for kind, render in (("PNG", invoice_print.proof_png), ("PDF", invoice_print.proof_pdf)):
            data = render(invoice, QR_KEY, shop)  # warm: fonts and libraries loaded
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                render(invoice, QR_KEY, shop)
                samples.append((time.perf_counter() - started) * 1000)
            p50, p95 = _percentiles(samples)
            rows.append(f"| {name}, {kind} | {len(data):,} | {p50:.0f} / {p95:.0f} |")
    first_code = (
        "import time; from datetime import datetime; "
        "from chalicelib.core import einvoice_codes as codes; "
        "inv = codes.ProofInvoice(number='AB12345678', random_code='1234', "
        "issued_at=datetime(2026, 12, 7, 15, 30, 12), total=2835, sales=2700, tax=135, "
        f"seller_tax_id='{SHOP_TAX_ID}', buyer_tax_id=None, items=[('機油更換 5W-30', 4, 250), "
        "('機油濾芯', 1, 350), ('冷氣系統檢查', 1, 1350)], seller_name='大安汽車保養廠'); "
        "t = time.perf_counter(); from chalicelib.work import invoice_print; "
        f"invoice_print.proof_png(inv, '{QR_KEY}', '大安汽車保養廠'); "
        "print((time.perf_counter() - t) * 1000)")
    first = statistics.median(
        float(subprocess.run([sys.executable, "-c", first_code], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout) for _ in range(5))
    return rows, first


def _lines(rows: list[str], facts: dict, faults: dict, proofs: list[str],
           first: float) -> list[str]:
    f = faults
    return [
        "## The checkout: payments, 電子發票, cash-up", "",
        "Through the API as the tablet does it (Chalice's test client, in-process), on shops of",
        "this bench's own (devstack/bench_checkout.py). An order: a labour and a part line,",
        f"NT${facts['total']:,}. \"A day of 50\": 25 orders, each a partial payment, its invoice",
        "asked for (a mobile carrier), the rest paid, which queues the invoice. \"A day of 500\":",
        "100 orders, five payments each, then a 統編 invoice each. The value-added centre is",
        "ECPay's stand-in (devstack/einvoice_standin.py) in this process on a free port; no",
        "stream poller runs, so each queued invoice is sent by the bench (`invoicing.send`, as",
        "the stream's reaction does) and counted alone. Requests are per call (a range where",
        "calls differ); capacity units are the mean per call, as DynamoDB Local reports them.",
        "", "| call | calls | DynamoDB requests (operations) | capacity units | p50 / p95 ms "
        "| target |",
        "| --- | --- | --- | --- | --- | --- |", *rows, "",
        f"The month's 發票清冊 of 100 invoices is {facts['csv_rows']} rows after its header.", "",
        "Exactly once under the centre's faults (a shop of its own; the clock moved two minutes",
        "for the retries to be due, `invoicing.send_due()` as the 5-minute schedule runs it):", "",
        "| step | count |", "| --- | --- |",
        f"| 20 orders paid while the centre is `down`; the first try of each (`send_due`) "
        f"| {f['down_tried']} tried, {f['down_queued']} queued, {f['down_at_centre']} at "
        f"the centre |",
        f"| `send_due` again at once (each retry waits its minute) | {f['down_not_due']} tried |",
        f"| centre `ok`, two minutes later: `send_due` | {f['back']['tried']} tried, "
        f"{f['back']['issued']} issued; {f['back_requests']} DynamoDB requests in all |",
        f"| orders showing their invoice issued / at the centre (`/_issued`) / distinct sales "
        f"there | {f['down_issued']} / {f['down_centre']} / {f['down_unique']} |",
        f"| 10 orders paid while the centre answers nothing (`lose_answer`); `send_due` "
        f"| {f['lost_tried']} tried, {f['lost_issued_try']} issued here, {f['lost_queued']} "
        f"still queued, {f['lost_at_centre']} issued at the centre |",
        f"| centre `ok`, two minutes later: `send_due` | {f['again']['tried']} tried, "
        f"{f['again']['issued']} issued; centre calls "
        f"{', '.join(f'{name} {count}' for name, count in f['again_calls'].items())}; "
        f"{f['again_requests']} DynamoDB requests in all |",
        f"| the 10 orders' invoices issued / invoices at the centre for the 30 orders / "
        f"distinct sales | {f['lost_issued']} / {f['all_centre']} / {f['all_unique']} |",
        f"| the numbers on the orders are the centre's, one each | "
        f"{'yes' if f['numbers_match'] else 'NO'} |",
        f"| left due afterwards | {f['left_due']} |", "",
        "The 電子發票證明聯 (chalicelib/work/invoice_print.py: 57 mm, 203 dpi, Code 39 and two QR",
        "codes; PNG for a thermal printer, PDF with real text). Warm: 20 renders in one process.",
        "", "| proof | bytes | p50 / p95 ms |", "| --- | --- | --- |", *proofs,
        f"| first B2C PNG in a fresh process (imports Pillow, qrcode, python-barcode; the font) "
        f"| | {first:.0f} (median of 5) |", "",
    ]


def main() -> int:
    from devstack import engines

    return engines.bench_alone("servicelane-bench-checkout-", checkout)


if __name__ == "__main__":
    raise SystemExit(main())
