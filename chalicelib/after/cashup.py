"""The day's cash-up (日結) and the month's invoices (發票清冊), for the counter and the
accountant.

A day's takings are one Query (models.takings_index: every payment, deposit and refund by the
day it was taken); its invoices another (models.issued_index and invoice_change_index: issued,
voided, allowed on that day). Deposits held are the deposits of orders still open, read from
the board's open orders (one Query).
"""
from __future__ import annotations

import csv
import io

from chalice import Response
from pydantic import Field

from chalicelib import models
from chalicelib.api import Body, Caller, Day
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.work.order_store import CLOSED
from chalicelib.work.payments import METHOD_NAMES

METHODS = tuple(METHOD_NAMES)


class DayQuery(Body):
    """`?day=YYYY-MM-DD` (Asia/Taipei; today when absent)."""
    day: Day | None = None


class MonthQuery(Body):
    """`?month=YYYY-MM`."""
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


def _by_method(payments: list[dict]) -> dict[str, int]:
    return {method: sum(int(p["amount"]) for p in payments if p["method"] == method)
            for method in METHODS}


def takings(shop_id: str, day: str) -> list[dict]:
    return [found.as_dict() for found in models.Item.lists.query(
        models.takings_pk(shop_id), models.Item.gsi2sk.startswith(f"{day}#"))]


def invoice_records(shop_id: str, prefix: str) -> tuple[list[dict], list[dict]]:
    """(invoices issued, voids and allowances) of a day or a month (`prefix`)."""
    found = [item.as_dict() for item in models.Item.lists.query(
        models.invoices_pk(shop_id), models.Item.gsi2sk.startswith(prefix))]
    return ([item for item in found if item["type"] == "invoice"],
            [item for item in found if item["type"] == "invoice_change"])


def deposits_held(shop_id: str) -> int:
    """The deposits of the orders not yet delivered (or cancelled): money held for work."""
    held = 0
    for order in models.Item.lists.query(models.board_pk(shop_id),
                                         models.Item.gsi2sk.startswith(models.BOARD_OPEN)):
        found = order.as_dict()
        if found.get("state") not in CLOSED:
            held += int((found.get("paid") or {}).get("deposit", 0))
    return held


def cashup(caller: Caller, query: DayQuery) -> dict:
    require(caller, "payments.cashup")
    day = query.day or clock.local_date()
    payments = takings(caller.shop_id, day)
    issued, changes = invoice_records(caller.shop_id, f"{day}#")
    cashiers: dict[str, dict] = {}
    for payment in payments:
        who = cashiers.setdefault(payment["by"]["staff_id"], {
            "staff_id": payment["by"]["staff_id"], "name": payment["by"]["name"],
            "payments": []})
        who["payments"].append(payment)
    voids = [change for change in changes if change["kind"] == "void"]
    allowances = [change for change in changes if change["kind"] == "allowance"]
    return {
        "day": day,
        "total": sum(int(p["amount"]) for p in payments),
        "methods": _by_method(payments),
        "count": len(payments),
        "refunds": -sum(int(p["amount"]) for p in payments if p["kind"] == "refund"),
        "deposits_taken": sum(int(p["amount"]) for p in payments if p["kind"] == "deposit"),
        "deposits_held": deposits_held(caller.shop_id),
        "cashiers": [{"staff_id": who["staff_id"], "name": who["name"],
                      "count": len(who["payments"]),
                      "total": sum(int(p["amount"]) for p in who["payments"]),
                      "methods": _by_method(who["payments"])}
                     for who in sorted(cashiers.values(), key=lambda who: who["name"])],
        "invoices": {"issued": len(issued), "issued_total": sum(int(i["total"]) for i in issued),
                     "voided": len(voids), "voided_total": sum(int(c["amount"]) for c in voids),
                     "allowed": len(allowances),
                     "allowed_total": sum(int(c["amount"]) for c in allowances)},
        "payments": [_row(payment) for payment in sorted(payments, key=lambda p: p["at"])],
    }


def _row(payment: dict) -> dict:
    keep = ("order_id", "order_number", "payment_id", "kind", "method", "amount", "received",
            "change", "reference", "reason", "at")
    return {key: payment[key] for key in keep if payment.get(key) is not None} | {
        "by": payment["by"]["name"]}


KIND_NAMES = {"payment": "收款", "deposit": "訂金", "refund": "退款"}


def cashup_csv(caller: Caller, query: DayQuery) -> Response:
    """The day's takings for the accountant: one row a payment, then the sum by method."""
    day = cashup(caller, query)
    rows = [["時間 Time", "工單 Order", "類別 Kind", "付款方式 Method", "金額 Amount",
             "收現 Received", "找零 Change", "參考號 Reference", "經手 Cashier"]]
    for row in day["payments"]:
        rows.append([clock.local_text(row["at"]), row["order_number"], KIND_NAMES[row["kind"]],
                     METHOD_NAMES[row["method"]][0], row["amount"], row.get("received", ""),
                     row.get("change", ""), row.get("reference", ""), row["by"]])
    rows.append([])
    for method, amount in day["methods"].items():
        rows.append(["小計 Subtotal", "", "", METHOD_NAMES[method][0], amount])
    rows.append(["合計 Total", "", "", "", day["total"]])
    return _csv(rows, f"cashup-{day['day']}.csv")


def invoices_csv(caller: Caller, query: MonthQuery) -> Response:
    """The month's invoices (發票清冊): each issued one, and each void and allowance."""
    require(caller, "payments.cashup")
    issued, changes = invoice_records(caller.shop_id, f"{query.month}-")
    rows = [["發票號碼 Number", "日期 Date", "隨機碼 Random", "買方統編 Buyer",
             "銷售額 Sales", "稅額 Tax", "總計 Total", "狀態 State", "工單 Order"]]
    for invoice in sorted(issued, key=lambda invoice: invoice["issued_at"]):
        rows.append([invoice["number"], clock.local_text(invoice["issued_at"]),
                     invoice["random_code"], (invoice.get("buyer") or {}).get("tax_id", ""),
                     invoice["sales"], invoice["tax"], invoice["total"],
                     {"voided": "作廢"}.get(invoice["state"], "開立"), invoice["order_number"]])
    for change in sorted(changes, key=lambda change: change["at"]):
        kind = "作廢 Void" if change["kind"] == "void" else "折讓 Allowance"
        rows.append([change["invoice_number"], clock.local_text(change["at"]),
                     change.get("number", ""), "", "", change.get("tax", ""),
                     -int(change["amount"]), kind, ""])
    return _csv(rows, f"invoices-{query.month}.csv")


def _csv(rows: list[list], name: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return Response(body="\ufeff" + out.getvalue(), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"'})
