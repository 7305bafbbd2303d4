"""The checkout at the counter (結帳): money taken on an order, by method; a deposit at
authorization; refunds; what the 電子發票 is to be, queued for the value-added centre once the
order is paid (or at once, when the shop chooses). Sending it is outward/invoicing.py's.

An order is paid when what was taken, less what was refunded, covers its total. The header keeps
the sums (`paid`) beside the order's version, so two tablets taking the last payment at once
cannot both take it: the second reads the first's and finds nothing left to pay.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, ShortText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock, einvoice_rules, phones
from chalicelib.core.errors import Conflict, Unprocessable
from chalicelib.records import customers, shops
from chalicelib.work import orders
from chalicelib.work.order_store import balance, busy, load, save

Method = Literal["cash", "card", "transfer", "line_pay", "jko", "monthly"]
METHOD_NAMES = {"cash": ("現金", "Cash"), "card": ("信用卡", "Credit card"),
                "transfer": ("轉帳", "Bank transfer"), "line_pay": ("LINE Pay", "LINE Pay"),
                "jko": ("街口支付", "JKOPAY"), "monthly": ("月結", "Monthly account")}
# A payment is taken from check-in on (a deposit when the authorization is signed) until the
# car has left; a refund only of what was taken.
PAYABLE = frozenset({"checked_in", "authorized", "in_progress", "awaiting_approval",
                     "quality_check", "ready", "delivered", "followed_up"})
MAX_AMOUNT = 10_000_000  # NT$: above any repair bill; a typo's extra zeros stop here
Amount = Annotated[int, Field(gt=0, le=MAX_AMOUNT)]


class NewPayment(Body):
    """Money taken: `amount` applies to the order; for cash, `received` is what the customer
    handed over (the change is the rest); `reference` the card slip's or transfer's number."""
    client_id: ClientId
    kind: Literal["payment", "deposit"] = "payment"
    method: Method
    amount: Amount
    received: Amount | None = None
    reference: ShortText | None = None

    @model_validator(mode="after")
    def _cash(self) -> "NewPayment":
        if self.received is not None and self.method != "cash":
            raise field_error("只有現金會找零。", "received: only cash is handed over")
        if self.received is not None and self.received < self.amount:
            raise field_error("收到的現金少於這筆金額。", "received: less than the amount")
        return self


class NewRefund(Body):
    client_id: ClientId
    method: Method
    amount: Amount
    reason: ShortText


class UnpaidRelease(Body):
    """A manager lets the car go before it is paid, and says why."""
    reason: ShortText


class InvoiceTo(Body):
    """What the 電子發票 is to be: to a business (`tax_id`, `title`: B2B, the tax shown
    apart), or to a consumer on a carrier (手機條碼 `/ABC1234`, 自然人憑證), given to a
    charity by its 捐贈碼, or printed. `when`: at payment (the order paid) or now."""
    client_id: ClientId
    tax_id: Annotated[str, Field(min_length=8, max_length=8)] | None = None
    title: ShortText | None = None
    carrier_type: Literal["mobile", "certificate"] | None = None
    carrier_number: Annotated[str, Field(max_length=64)] | None = None
    donation_code: Annotated[str, Field(max_length=7)] | None = None
    when: Literal["paid", "now"] = "paid"

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, value: str | None) -> str | None:
        return shops.tax_id_checked(value)

    @model_validator(mode="after")
    def _one_way(self) -> "InvoiceTo":
        if self.tax_id and not self.title:
            raise field_error("打統一編號的發票要填買受人抬頭。", "title: required with tax_id")
        ways = sum(bool(way) for way in (self.tax_id, self.carrier_type, self.donation_code))
        if ways > 1:
            raise field_error("統一編號、載具與捐贈只能選一種。",
                              "choose one of tax_id, carrier or donation_code")
        if self.carrier_type == "mobile" and not einvoice_rules.mobile_carrier_ok(
                self.carrier_number or ""):
            raise field_error("手機條碼格式不正確：斜線「/」加 7 碼英數字（例如 /ABC+123）。",
                              "carrier_number: a mobile barcode is '/' and 7 characters")
        if self.carrier_type == "certificate" and not einvoice_rules.certificate_carrier_ok(
                self.carrier_number or ""):
            raise field_error("自然人憑證條碼格式不正確：2 個大寫英文字母加 14 碼數字。",
                              "carrier_number: a citizen certificate is 2 letters and 14 digits")
        if self.donation_code and not einvoice_rules.donation_code_ok(self.donation_code):
            raise field_error("捐贈碼是 3 到 7 碼數字。", "donation_code: 3 to 7 digits")
        return self


# --- reading ---

def summary(payments: list[dict]) -> dict:
    """The sums the header keeps: taken (payments and deposits), refunded, by method, and the
    deposit part of what was taken."""
    methods: dict[str, int] = {}
    for payment in payments:
        methods[payment["method"]] = methods.get(payment["method"], 0) + int(payment["amount"])
    taken = sum(int(p["amount"]) for p in payments if p["kind"] != "refund")
    refunded = -sum(int(p["amount"]) for p in payments if p["kind"] == "refund")
    return {"paid": taken - refunded, "taken": taken, "refunded": refunded,
            "deposit": sum(int(p["amount"]) for p in payments if p["kind"] == "deposit"),
            "methods": methods}


# --- writing ---

def take(caller: Caller, order_id: str, body: NewPayment) -> dict:
    require(caller, "payments.take")
    return models.retry(lambda: _take(caller, order_id, body), busy=busy())


def _take(caller: Caller, order_id: str, body: NewPayment) -> dict:
    order = load(caller.shop_id, order_id)
    if _already(order, body.client_id):
        return orders.view(order, caller)
    _refuse_unpayable(order)
    due = balance(order)
    if body.kind == "deposit" and order["state"] not in ("checked_in", "authorized"):
        raise Conflict("訂金在簽委修確認單時收；之後請收一般款項。",
                       "A deposit is taken at authorization; take a payment now.",
                       code="deposit_too_late")
    if body.amount > due:
        raise Conflict(f"這筆 {body.amount:,} 元超過尚未付的 {max(due, 0):,} 元。",
                       f"NT${body.amount:,} is more than the NT${max(due, 0):,} left to pay.",
                       code="overpaid")
    if body.method == "monthly":
        _refuse_not_monthly(caller.shop_id, order)
    now = clock.now_iso()
    payment = _payment_item(caller, order, body.client_id, body.kind, body.method, body.amount,
                            now, received=body.received, reference=body.reference,
                            change=(body.received - body.amount) if body.received else None)
    return _saved(caller, order, payment)


def refund(caller: Caller, order_id: str, body: NewRefund) -> dict:
    require(caller, "payments.refund")
    return models.retry(lambda: _refund(caller, order_id, body), busy=busy())


def _refund(caller: Caller, order_id: str, body: NewRefund) -> dict:
    order = load(caller.shop_id, order_id)
    if _already(order, body.client_id):
        return orders.view(order, caller)
    taken_by_method = summary(order.get("payments", []))["methods"].get(body.method, 0)
    if body.amount > taken_by_method:
        name = METHOD_NAMES[body.method]
        raise Conflict(f"以{name[0]}收的款只有 {taken_by_method:,} 元，不能退 {body.amount:,} 元。",
                       f"Only NT${taken_by_method:,} was taken by {name[1].lower()}.",
                       code="refund_above_taken")
    payment = _payment_item(caller, order, body.client_id, "refund", body.method, -body.amount,
                            clock.now_iso(), reason=body.reason)
    return _saved(caller, order, payment)


def release_unpaid(caller: Caller, order_id: str, body: UnpaidRelease) -> dict:
    """The car may leave unpaid: a manager's decision, with the reason kept on the order."""
    require(caller, "payments.release")
    return models.retry(lambda: _release(caller, order_id, body), busy=busy())


def _release(caller: Caller, order_id: str, body: UnpaidRelease) -> dict:
    order = load(caller.shop_id, order_id)
    orders.refuse_closed(order)
    release = {"reason": body.reason, "by": caller.stamp(), "at": clock.now_iso(),
               "balance": balance(order)}
    return orders.view(save(caller, order, {"unpaid_release": release}), caller)


def invoice_to(caller: Caller, order_id: str, body: InvoiceTo) -> dict:
    """Keep what the invoice is to be; queue it now when the order is paid or the shop says
    now. One live invoice per sale: asked again, it answers the order as it is."""
    require(caller, "payments.take")
    return models.retry(lambda: _invoice_to(caller, order_id, body), busy=busy())


def _invoice_to(caller: Caller, order_id: str, body: InvoiceTo) -> dict:
    order = load(caller.shop_id, order_id)
    if (order.get("invoice_to") or {}).get("client_id") == body.client_id:
        return orders.view(order, caller)
    if live_invoice(order):
        raise Conflict("這張工單已開立發票；要改請先作廢。",
                       "This order's invoice is issued: void it first to change it.",
                       code="invoice_exists")
    if not (shops.get_shop(caller.shop_id) or {}).get("tax_id"):
        raise Conflict("請先在「設定 → 本店資料」填入本店統一編號，才能開立發票。",
                       "Set the shop's 統一編號 in Settings first: an invoice names its seller.",
                       code="no_seller_tax_id")
    wanted = body.model_dump(exclude_none=True)
    changes: dict = {"invoice_to": wanted}
    puts = []
    if body.when == "now" or balance(order) <= 0:
        invoice = queued_invoice(caller, order, wanted)
        puts.append(invoice)
        changes["invoice"] = invoice_summary(invoice)
    return orders.view(save(caller, order, changes, puts=puts), caller)


def live_invoice(order: dict) -> dict | None:
    """The order's invoice that stands (queued or issued, not voided or refused), if any."""
    return next((invoice for invoice in order.get("invoices", [])
                 if invoice["state"] in ("queued", "issued")), None)


def queued_invoice(caller: Caller, order: dict, wanted: dict) -> dict:
    """A new invoice for the order's sale, waiting for the centre: its items are the lines
    that count, the total the order's; `relate` names the sale at the centre (the order's
    number and the invoice's seq: the same on every try, never reused)."""
    seq = 1 + max((int(invoice["seq"]) for invoice in order.get("invoices", [])), default=0)
    totals = order["totals"]
    now = clock.now_iso()
    buyer = {"tax_id": wanted["tax_id"], "title": wanted["title"]} if wanted.get("tax_id") \
        else None
    items = [{"name": line["description"][:100], "quantity": _quantity(line),
              "unit_price": _unit_price(line), "amount": int(line["amount"])}
             for line in order["lines"] if line["state"] != "declined"]
    return {**models.Invoice.key(caller.shop_id, order["order_id"], seq), "type": "invoice",
            "shop_id": caller.shop_id, "order_id": order["order_id"],
            "order_number": order["number"], "seq": seq,
            "relate": f"{order['number'].replace('-', '')}I{seq:02d}"[:30],
            "state": "queued", "items": items, "total": int(totals["total"]),
            "sales": int(totals["sales"]), "tax": int(totals["tax"]),
            **({"buyer": buyer} if buyer else {}),
            **({"carrier": {"type": wanted["carrier_type"], "number": wanted["carrier_number"]}}
               if wanted.get("carrier_type") else {}),
            **({"donation_code": wanted["donation_code"]} if wanted.get("donation_code") else {}),
            "issued_for": {"name": order["customer"]["name"],
                           "mobile": phones.national(order["customer"].get("mobile") or "")},
            "requested_by": caller.stamp(), "requested_at": now, "tries": 0,
            **models.invoice_queue_index(now, caller.shop_id, order["order_id"], seq)}


def invoice_summary(invoice: dict) -> dict:
    """What the header (the board, the checkout list) shows of the order's latest invoice."""
    keep = ("seq", "state", "number", "random_code", "issued_at", "total", "allowed")
    return {key: invoice[key] for key in keep if invoice.get(key) is not None} | (
        {"waiting": True} if invoice["state"] == "queued" and invoice.get("tries") else {})


def _quantity(line: dict) -> int | float:
    return plain_number(line.get("quantity") if line["kind"] == "part" else 1)


def plain_number(value) -> int | float:
    """A quantity as JSON writes it (the table gives a Decimal back): 2, or 1.5."""
    number = float(value or 1)
    return int(number) if number.is_integer() else number


def _unit_price(line: dict) -> int:
    if line["kind"] == "part" and line.get("unit_price") is not None:
        return int(line["unit_price"])
    return int(line["amount"])


def _already(order: dict, client_id: str) -> bool:
    return any(payment["payment_id"] == client_id for payment in order.get("payments", []))


def _refuse_unpayable(order: dict) -> None:
    if order["state"] not in PAYABLE:
        raise Conflict("這張工單現在不能收款。", "This order cannot take a payment now.",
                       code="not_payable")


def _refuse_not_monthly(shop_id: str, order: dict) -> None:
    customer = customers.get_customer(shop_id, order["customer"]["customer_id"]) or {}
    if not (customer.get("company") or {}).get("monthly"):
        raise Unprocessable("這位客戶沒有月結帳戶；月結只給設定為月結的公司或車隊客戶。",
                            "This customer has no monthly account (月結 is for company or "
                            "fleet customers set up for it).", code="not_monthly")


def _payment_item(caller: Caller, order: dict, payment_id: str, kind: str, method: str,
                  amount: int, now: str, **extra) -> dict:
    day = clock.local_date(now)
    return {**models.Payment.key(caller.shop_id, order["order_id"], payment_id),
            "type": "payment", "shop_id": caller.shop_id, "order_id": order["order_id"],
            "order_number": order["number"], "payment_id": payment_id, "kind": kind,
            "method": method, "amount": amount, "by": caller.stamp(), "at": now, "day": day,
            **{key: value for key, value in extra.items() if value is not None},
            **models.takings_index(caller.shop_id, day, now, payment_id)}


def _saved(caller: Caller, order: dict, payment: dict) -> dict:
    """The payment with the header's new sums; the payment that pays the order queues the
    invoice it was asked for (when none stands yet), in the same transaction."""
    paid = summary([*order.get("payments", []), payment])
    changes: dict = {"paid": paid}
    puts = [payment]
    wanted = order.get("invoice_to")
    if wanted and not live_invoice(order) and paid["paid"] >= int(order["totals"]["total"]):
        invoice = queued_invoice(caller, order, wanted)
        puts.append(invoice)
        changes["invoice"] = invoice_summary(invoice)
    saved = save(caller, order, changes, puts=puts, as_read={payment["sk"]: None})
    return orders.view(saved, caller)

