"""Sending the 電子發票 to the value-added centre (加值中心), and what the centre does after:
void (作廢) and allowance (折讓).

A queued invoice (work/payments.py) is sent by the stream's reaction to its insert; when the
centre is down or slow it stays queued, waiting on the queue index, and the 5-minute schedule
(or the advisor's 「重新傳送」) sends it again. Each try names the sale by the same `relate`, and
the centre answers a relate it has seen with the invoice it issued then (outward/einvoice), so a
try whose answer was lost never issues a second invoice; and the invoice item moves from queued
to issued under its version, once, whoever's try lands first.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Literal

from pydantic import Field
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, ShortText
from chalicelib.api.roles import require
from chalicelib.core import clock, einvoice_codes, money, secrets
from chalicelib.core.errors import Conflict, DomainError
from chalicelib.core.observability import logger
from chalicelib.outward import einvoice
from chalicelib.records import shops
from chalicelib.work import invoice_print, orders, paper, payments
from chalicelib.work.order_store import busy, load, save

# After the n-th failed try, the next one waits this long (then the last, again and again).
BACKOFF_MINUTES = (1, 2, 5, 10, 30)
DUE_BATCH = 50  # a schedule's run sends at most this many (each may take a time-out)
# The schedule's Lambda has 300 s; a try may take the centre's 8 s time-out: stop in time.
SEND_BUDGET_SECONDS = 240


class Void(Body):
    client_id: ClientId
    reason: ShortText


class Allowance(Body):
    """A part of the sale given back after the invoice (折讓): `amount` tax included."""
    client_id: ClientId
    amount: Annotated[int, Field(gt=0, le=payments.MAX_AMOUNT)]
    reason: ShortText


# --- sending ---

def on_invoice(event_name: str, new_image: dict, old_image: dict) -> None:
    """A new queued invoice is sent at once; a later try is the schedule's or the advisor's."""
    if event_name != "INSERT":
        return
    invoice = models.Item.from_image(new_image).as_dict()
    if invoice["state"] == "queued":
        send(invoice["shop_id"], invoice["order_id"], int(invoice["seq"]))


def send_due(budget_seconds: float = SEND_BUDGET_SECONDS) -> dict:
    """The queued invoices whose next try is due (the schedule's), oldest first, until the
    budget is spent: a centre that times out on each would otherwise outlast the Lambda."""
    started, now = time.monotonic(), clock.now_iso()
    due = [found.as_dict() for found in models.Item.lookup.query(
        models.INVOICE_QUEUE, models.Item.gsi1sk <= f"{now}#~", limit=DUE_BATCH)]
    sent = []
    for item in due:
        if sent and time.monotonic() - started > budget_seconds:
            break  # the rest wait for the next run (one at least each run)
        sent.append(send(item["shop_id"], item["order_id"], int(item["seq"])))
    return {"tried": len(sent), "issued": sum(1 for state in sent if state == "issued")}


def resend(caller: Caller, order_id: str) -> dict:
    """The advisor's 「重新傳送」: the order's queued invoice is tried now."""
    require(caller, "payments.take")
    order = load(caller.shop_id, order_id)
    invoice = payments.live_invoice(order)
    if invoice is None or invoice["state"] != "queued":
        raise Conflict("這張工單沒有等待開立的發票。", "This order has no invoice waiting.",
                       code="nothing_queued")
    send(caller.shop_id, order_id, int(invoice["seq"]))
    return orders.view(load(caller.shop_id, order_id), caller)


def send(shop_id: str, order_id: str, seq: int) -> str:
    """One try of a queued invoice; answers its state after the try."""
    invoice = models.Invoice.read(models.Invoice.key(shop_id, order_id, seq), consistent=True)
    if invoice is None or invoice["state"] != "queued":
        return invoice["state"] if invoice else "missing"
    try:
        issued = einvoice.centre_for(shop_id).issue(sale_of(invoice, shops.get_shop(shop_id)
                                                            or {}))
    except einvoice.CentreDown as down:
        return _failed(invoice, "centre_down", "加值中心暫時連不上，恢復後會自動開立。",
                       "The value-added centre cannot be reached: the invoice goes out once it "
                       "is back.", retry=True, detail=down.detail)
    except einvoice.CentreRefused as refused:
        return _failed(invoice, refused.centre_code, refused.message_zh, refused.message_en,
                       retry=False)
    except DomainError as wrong:  # not set up (tried again later), or what the centre won't take
        return _failed(invoice, wrong.code, wrong.zh, wrong.en,
                       retry=wrong.code == "einvoice_not_set_up")
    at = clock.iso(issued.issued_at)
    changes = {"state": "issued", "number": issued.number, "random_code": issued.random_code,
               "issued_at": at, "last_error": None, "gsi1pk": None, "gsi1sk": None,
               **models.issued_index(shop_id, clock.local_date(at), seq, order_id)}
    return _update(invoice, changes)


def sale_of(invoice: dict, shop: dict) -> einvoice.Sale:
    """The invoice as the centre takes it. A printed one names an address: the buyer's is not
    kept, and the invoice is handed over at the shop's counter, so the shop's."""
    buyer, carrier = invoice.get("buyer") or {}, invoice.get("carrier") or {}
    printed = not (carrier or invoice.get("donation_code"))
    who = invoice.get("issued_for") or {}
    return einvoice.Sale(
        relate_number=invoice["relate"], buyer_tax_id=buyer.get("tax_id"),
        buyer_title=buyer.get("title"), carrier_type=carrier.get("type"),
        carrier_number=carrier.get("number"), donation_code=invoice.get("donation_code"),
        print=printed,
        issued_for=einvoice.IssuedFor(name=who.get("name"), mobile=who.get("mobile") or None,
                                      address=shop.get("address") if printed else None),
        items=[einvoice.Item(name=item["name"], quantity=payments.plain_number(item["quantity"]), unit="式",
                             unit_price=int(item["unit_price"]), amount=int(item["amount"]))
               for item in invoice["items"]],
        total=int(invoice["total"]), sales=int(invoice["sales"]), tax=int(invoice["tax"]))


def _failed(invoice: dict, code: str, zh: str, en: str, retry: bool, detail: str = "") -> str:
    tries = int(invoice.get("tries") or 0) + 1
    error = {"code": code, "message": zh, "message_en": en, "at": clock.now_iso()}
    logger().warning("invoice not issued", extra={"code": code, "tries": tries,
                                                  "order_id": invoice["order_id"],
                                                  "detail": detail[:200]})
    changes: dict = {"tries": tries, "last_error": error}
    if retry:
        wait = BACKOFF_MINUTES[min(tries, len(BACKOFF_MINUTES)) - 1]
        retry_at = clock.iso(clock.now() + timedelta(minutes=wait))
        changes.update(models.invoice_queue_index(retry_at, invoice["shop_id"],
                                                  invoice["order_id"], int(invoice["seq"])))
    else:
        changes.update(state="refused", gsi1pk=None, gsi1sk=None)
    return _update(invoice, changes)


def _update(invoice: dict, changes: dict) -> str:
    """The invoice's change while it is still queued, with the header's summary of it,
    together; answers the invoice's state after it (another try may have landed first: then
    this one changes nothing, and answers what that one made it)."""
    changed = {**invoice, **changes}
    model = models.Invoice.from_dict(models.Invoice.key(invoice["shop_id"], invoice["order_id"],
                                                        int(invoice["seq"])))
    header = models.Order.from_dict(models.order_key(invoice["shop_id"], invoice["order_id"]))
    try:
        with models.transaction() as writes:
            writes.update(model, actions=[_action(models.Invoice, name, value)
                                          for name, value in changes.items()],
                          condition=(models.Invoice.state == "queued")
                          & (models.Invoice.version == invoice["version"]),
                          add_version_condition=False)
            writes.update(header, actions=[models.Order.invoice.set(
                payments.invoice_summary(changed))], add_version_condition=False)
    except models.LostRace:
        now = models.Invoice.read(models.Invoice.key(invoice["shop_id"], invoice["order_id"],
                                                     int(invoice["seq"])), consistent=True)
        if now["state"] == "queued" and changes.get("state") == "issued":
            return _update(now, changes)  # a failed try wrote in between: the issue still lands
        return now["state"]
    return changed["state"]


def _action(model: type[models.Item], name: str, value: object):
    attribute = model.get_attributes()[name]
    return attribute.remove() if value is None else attribute.set(value)


# --- the 證明聯 (the printed proof of a paper invoice) ---

class ProofQuery(Body):
    """`?format=pdf` (a printer driver, or to keep) or `png` (a 57 mm thermal printer's bitmap)."""
    format: Literal["pdf", "png"] = "pdf"


def proof_link(caller: Caller, order_id: str, query: ProofQuery) -> dict:
    """The issued invoice's 證明聯, 57 mm wide, as a 15-minute link; from the second print on
    it says 補印. A carrier or donated invoice has no paper proof (the rules: its buyer keeps
    it in the carrier, or gave it away)."""
    require(caller, "payments.take")
    order = load(caller.shop_id, order_id)
    invoice = _issued(order)
    if invoice.get("carrier") or invoice.get("donation_code"):
        raise Conflict("存入載具或捐贈的發票不印證明聯。",
                       "An invoice kept in a carrier or donated has no printed proof.",
                       code="not_printed")
    shop = shops.get_shop(caller.shop_id) or {}
    if not shop.get("tax_id"):
        raise Conflict("請先在本店資料填統一編號。", "Set the shop's 統一編號 first.",
                       code="no_seller_tax_id")
    printed = _printed(invoice)
    proof = einvoice_codes.ProofInvoice(
        number=invoice["number"], random_code=invoice["random_code"],
        issued_at=clock.parse_iso(invoice["issued_at"]), total=int(invoice["total"]),
        sales=int(invoice["sales"]), tax=int(invoice["tax"]), seller_tax_id=shop["tax_id"],
        buyer_tax_id=(invoice.get("buyer") or {}).get("tax_id"),
        items=[(item["name"], item["quantity"], int(item["unit_price"]))
               for item in invoice["items"]],
        seller_name=shop.get("name", ""), printed_again=printed > 1)
    key = secrets.get(f"einvoice/{caller.shop_id}/qr-key")
    name = f"einvoice-{invoice['number']}" + ("-reprint" if printed > 1 else "")
    if query.format == "png":
        return paper.link(caller.shop_id, name, invoice_print.proof_png(
            proof, key, shop.get("name", "")), "png", "image/png")
    return paper.link(caller.shop_id, name, invoice_print.proof_pdf(proof, key,
                                                                    shop.get("name", "")))


def _printed(invoice: dict) -> int:
    """Count this print (an ADD: two prints at once are two), answering which print it is."""
    model = models.Invoice.from_dict(models.Invoice.key(invoice["shop_id"], invoice["order_id"],
                                                        int(invoice["seq"])))
    model.update(actions=[models.Invoice.printed.add(1)], add_version_condition=False)
    return int(model.printed)


# --- after issuing: void and allowance ---

def void(caller: Caller, order_id: str, body: Void) -> dict:
    """The order's issued invoice voided at the centre (within the period the rules allow),
    then here; the order may then be invoiced again."""
    require(caller, "payments.refund")
    order = load(caller.shop_id, order_id)
    if _change_done(order, body.client_id):
        return orders.view(order, caller)
    invoice = _issued(order)
    _refuse_past(invoice)
    # The centre first (down: its 503, nothing changed here; refused: its 422 and its words).
    einvoice.centre_for(caller.shop_id).void(invoice["number"],
                                             clock.parse_iso(invoice["issued_at"]), body.reason)

    def voided(invoice: dict, now: str) -> tuple[dict, dict]:
        left = int(invoice["total"]) - int(invoice.get("allowed") or 0)
        return ({**invoice, "state": "voided",
                 "voided": {"at": now, "reason": body.reason, "by": caller.stamp()}},
                _change_item(caller, order_id, body.client_id, "void", invoice, left,
                             body.reason, now))
    return _recorded(caller, order_id, body.client_id, voided)


def allow(caller: Caller, order_id: str, body: Allowance) -> dict:
    """An allowance (折讓) on the order's issued invoice, up to what is left of it."""
    require(caller, "payments.refund")
    order = load(caller.shop_id, order_id)
    if _change_done(order, body.client_id):
        return orders.view(order, caller)
    invoice = _issued(order)
    left = int(invoice["total"]) - int(invoice.get("allowed") or 0)
    if body.amount > left:
        raise Conflict(f"折讓金額不能超過發票尚未折讓的 {left:,} 元。",
                       f"An allowance cannot exceed the NT${left:,} left on the invoice.",
                       code="allowance_above_invoice")
    allowed = einvoice.centre_for(caller.shop_id).allowance(
        invoice["number"], clock.parse_iso(invoice["issued_at"]),
        [einvoice.Item(name=body.reason[:100], quantity=1, unit="式", unit_price=body.amount,
                       amount=body.amount)], body.amount,
        customer_name=(invoice.get("issued_for") or {}).get("name"),
        notify_mobile=(invoice.get("issued_for") or {}).get("mobile") or None)

    def with_allowance(invoice: dict, now: str) -> tuple[dict, dict]:
        return ({**invoice, "allowed": int(invoice.get("allowed") or 0) + body.amount},
                _change_item(caller, order_id, body.client_id, "allowance", invoice,
                             body.amount, body.reason, now, tax=money.split(body.amount)[1],
                             number=allowed.number))
    return _recorded(caller, order_id, body.client_id, with_allowance)


def _recorded(caller: Caller, order_id: str, client_id: str, change) -> dict:
    """What the centre did, written here: read again on a lost race (never asking the centre
    twice), the invoice and its change with the header's summary, together."""
    def write() -> dict:
        order = load(caller.shop_id, order_id)
        if _change_done(order, client_id):
            return orders.view(order, caller)
        invoice, item = change(_issued(order), clock.now_iso())
        saved = save(caller, order, {"invoice": payments.invoice_summary(invoice)},
                     puts=[invoice, item], as_read={invoice["sk"]: invoice["version"]})
        return orders.view(saved, caller)
    return models.retry(write, busy=busy())


# A B2C invoice may be voided until the 15th of the month after its two-month period, when
# the period's invoices are settled (統一發票使用辦法 §20-21; the centres close the period's
# voids then); after that only an allowance gives money back.
VOID_DAY = 15


def void_deadline(issued_at: str) -> str:
    """The last day (YYYY-MM-DD, Taiwan) an invoice issued at `issued_at` may be voided."""
    day = clock.local_date(issued_at)
    year, month = int(day[:4]), int(day[5:7])
    period_end = month + (month % 2)  # the period's even month
    month_after = period_end + 1
    if month_after > 12:
        year, month_after = year + 1, 1
    return f"{year:04d}-{month_after:02d}-{VOID_DAY:02d}"


def _refuse_past(invoice: dict) -> None:
    deadline = void_deadline(invoice["issued_at"])
    if clock.local_date() > deadline:
        raise Conflict(f"這張發票的作廢期限（{deadline}）已過，請改開折讓。",
                       f"The invoice could be voided until {deadline}: make an allowance "
                       "instead.", code="void_too_late")


def _issued(order: dict) -> dict:
    invoice = payments.live_invoice(order)
    if invoice is None or invoice["state"] != "issued":
        raise Conflict("這張工單沒有已開立的發票。", "This order has no issued invoice.",
                       code="no_invoice")
    return invoice


def _change_done(order: dict, client_id: str) -> bool:
    return any(change["change_id"] == client_id for change in order.get("invoice_changes", []))


def _change_item(caller: Caller, order_id: str, change_id: str, kind: str, invoice: dict,
                 amount: int, reason: str, now: str, **extra) -> dict:
    day = clock.local_date(now)
    return {**models.InvoiceChange.key(caller.shop_id, order_id, change_id),
            "type": "invoice_change", "shop_id": caller.shop_id, "order_id": order_id,
            "change_id": change_id, "kind": kind, "seq": int(invoice["seq"]),
            "invoice_number": invoice["number"], "amount": amount, "reason": reason,
            "by": caller.stamp(), "at": now, "day": day,
            **{key: value for key, value in extra.items() if value is not None},
            **models.invoice_change_index(caller.shop_id, day, change_id)}
