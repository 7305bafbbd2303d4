"""The 電子發票 of an order through the value-added centre (its stand-in, devstack/
einvoice_standin.py, speaking ECPay's API): queued when the order is paid and sent by the
stream's reaction; B2B with a checked 統一編號; waiting while the centre is down and going out
once, exactly, when it is back — retries, a lost answer and parallel tries included; void within
its period and allowance; the printed 證明聯; the month's invoice list."""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.outward import invoicing
from tests.builders import an_order, new_id

GOOD_TAX_ID = "04595257"


def ready(shop) -> dict:
    return an_order(shop, "ready", lines=True)


def invoice_to(shop, order_id, **body):
    return shop.advisor.post(f"/api/orders/{order_id}/invoice",
                             {"client_id": new_id("inv"), **body})


def pay_all(shop, order_id, method="cash"):
    order = shop.advisor.get(f"/api/orders/{order_id}").body
    due = order["totals"]["total"] - (order.get("paid") or {}).get("paid", 0)
    answer = shop.advisor.post(f"/api/orders/{order_id}/payments", {
        "client_id": new_id("pay"), "method": method, "amount": due})
    assert answer.status == 200, answer.body
    return answer.body


def customer_page(shop, order_id) -> str:
    """The customer's page as their phone opens it from the progress link."""
    link = shop.advisor.get(f"/api/orders/{order_id}/link").body
    path = "/t/" + link["url"].rsplit("/t/", 1)[1]
    answer = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    assert answer.status == 200
    return answer.body.decode() if isinstance(answer.body, bytes) else answer.body


def latest(shop, order_id) -> dict:
    return shop.advisor.get(f"/api/orders/{order_id}").body["invoices"][-1]


def test_a_paid_order_gets_its_invoice_on_the_mobile_carrier_once(app_env, shop, stream, centre):
    order = ready(shop)
    chosen = invoice_to(shop, order["order_id"], carrier_type="mobile",
                        carrier_number="/ABC+123")
    assert chosen.status == 200, chosen.body
    assert chosen.body["invoices"] == []  # not paid yet: nothing to issue
    paid = pay_all(shop, order["order_id"])
    assert paid["invoices"][0]["state"] == "queued"
    stream.drain()
    issued = latest(shop, order["order_id"])
    assert issued["state"] == "issued" and len(issued["number"]) == 10
    assert issued["carrier"] == {"type": "mobile", "number": "/ABC+123"}
    at_centre = centre.issued()
    assert len(at_centre) == 1 and at_centre[0]["InvoiceNo"] == issued["number"]
    assert at_centre[0]["CarrierNum"] == "/ABC+123"
    assert at_centre[0]["SalesAmount"] == order["totals"]["total"]
    header = shop.advisor.get(f"/api/orders/{order['order_id']}").body["invoice"]
    assert header["number"] == issued["number"] and header["state"] == "issued"
    stream.hand(stream.records())  # every record again: a redelivered batch
    assert len(centre.issued()) == 1


def test_a_business_invoice_carries_the_buyer_and_a_wrong_checksum_is_refused(app_env, shop, stream, centre):
    order = ready(shop)
    wrong = invoice_to(shop, order["order_id"], tax_id="04595258", title="大明貨運有限公司")
    assert wrong.status == 422
    assert "統一編號不正確" in wrong.body["error"]["message"]
    no_title = invoice_to(shop, order["order_id"], tax_id=GOOD_TAX_ID)
    assert no_title.status == 422
    assert invoice_to(shop, order["order_id"], tax_id=GOOD_TAX_ID, title="大明貨運有限公司",
                      when="now").status == 200
    stream.drain()
    issued = latest(shop, order["order_id"])
    assert issued["state"] == "issued"
    assert issued["buyer"] == {"tax_id": GOOD_TAX_ID, "title": "大明貨運有限公司"}
    assert centre.issued()[0]["CustomerIdentifier"] == GOOD_TAX_ID
    assert issued["sales"] + issued["tax"] == issued["total"]


def test_bad_carriers_and_donation_codes_are_refused_before_anything_is_sent(shop, centre):
    order = ready(shop)
    for body, words in [({"carrier_type": "mobile", "carrier_number": "ABC+1234"}, "手機條碼"),
                        ({"carrier_type": "certificate", "carrier_number": "AB123"}, "自然人憑證"),
                        ({"donation_code": "12"}, "捐贈碼"),
                        ({"donation_code": "168001", "carrier_type": "mobile",
                          "carrier_number": "/ABC+123"}, "只能選一種")]:
        answer = invoice_to(shop, order["order_id"], **body)
        assert answer.status == 422, body
        assert words in answer.body["error"]["message"]
    assert centre.issued() == []


def test_while_the_centre_is_down_the_invoice_waits_then_goes_out_once(app_env, shop, stream, centre,
                                                                       clock):
    order = ready(shop)
    invoice_to(shop, order["order_id"], donation_code="168001")
    centre.set_mode("down")
    pay_all(shop, order["order_id"])
    stream.drain()
    waiting = latest(shop, order["order_id"])
    assert waiting["state"] == "queued" and waiting["tries"] == 1
    assert waiting["last_error"]["code"] == "centre_down"
    page = shop.advisor.get(f"/api/orders/{order['order_id']}").body["invoice"]
    assert page["waiting"] is True
    assert invoicing.send_due() == {"tried": 0, "issued": 0}  # its next try is a minute away
    centre.set_mode("ok")
    clock.value = times.now() + timedelta(minutes=2)
    assert invoicing.send_due() == {"tried": 1, "issued": 1}
    assert latest(shop, order["order_id"])["state"] == "issued"
    assert invoicing.send_due() == {"tried": 0, "issued": 0}
    assert len(centre.issued()) == 1


def test_an_answer_lost_after_the_centre_issued_never_issues_twice(app_env, shop, stream, centre):
    order = ready(shop)
    invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
    centre.set_mode("lose_answer")
    pay_all(shop, order["order_id"])
    stream.drain()
    assert latest(shop, order["order_id"])["state"] == "queued"
    assert len(centre.issued()) == 1  # it was issued: only the answer was lost
    centre.set_mode("ok")
    resent = shop.advisor.post(f"/api/orders/{order['order_id']}/invoice/resend")
    assert resent.status == 200, resent.body
    issued = resent.body["invoices"][-1]
    assert issued["state"] == "issued"
    assert [found["InvoiceNo"] for found in centre.issued()] == [issued["number"]]


def test_tries_at_once_issue_one_invoice(shop, centre):
    order = ready(shop)
    invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
    pay_all(shop, order["order_id"])  # no stream here: the tries below are the only ones
    start = threading.Barrier(6)

    def attempt(_):
        start.wait()
        return invoicing.send(shop.shop_id, order["order_id"], 1)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(attempt, range(6)))
    assert "issued" in answers  # each answers the state it left (a slow one: still queued)
    assert len(centre.issued()) == 1
    item = models.Invoice.read(models.Invoice.key(shop.shop_id, order["order_id"], 1))
    assert item["number"] == centre.issued()[0]["InvoiceNo"]


def test_a_void_within_the_period_then_a_new_invoice(app_env, shop, stream, centre):
    order = ready(shop)
    invoice_to(shop, order["order_id"], tax_id=GOOD_TAX_ID, title="大明貨運有限公司")
    pay_all(shop, order["order_id"])
    stream.drain()
    path = f"/api/orders/{order['order_id']}/invoice/void"
    body = {"client_id": new_id("void"), "reason": "統編打錯"}
    assert shop.advisor.post(path, body).status == 403
    voided = shop.manager.post(path, body)
    assert voided.status == 200, voided.body
    assert voided.body["invoices"][0]["state"] == "voided"
    assert shop.manager.post(path, body).status == 200  # the same void again: nothing new
    assert [found["Invalid"] for found in centre.issued()] == [True]
    again = invoice_to(shop, order["order_id"], tax_id="22099131", title="正確公司")
    assert again.status == 200, again.body
    stream.drain()
    invoices = shop.advisor.get(f"/api/orders/{order['order_id']}").body["invoices"]
    assert [invoice["state"] for invoice in invoices] == ["voided", "issued"]
    assert invoices[1]["relate"] != invoices[0]["relate"]


def test_a_void_after_its_period_is_refused_and_an_allowance_takes_its_place(app_env, shop, stream, centre, clock):
    order = ready(shop)
    invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
    pay_all(shop, order["order_id"])
    stream.drain()
    issued = latest(shop, order["order_id"])
    clock.value = times.now() + timedelta(days=80)
    late = shop.manager.post(f"/api/orders/{order['order_id']}/invoice/void",
                             {"client_id": new_id("void"), "reason": "退貨"})
    assert late.status == 409 and late.error == "void_too_late"
    assert invoicing.void_deadline(issued["issued_at"]) in late.body["error"]["message"]
    path = f"/api/orders/{order['order_id']}/invoice/allowances"
    above = shop.manager.post(path, {"client_id": new_id("allow"), "amount": issued["total"] + 1,
                                     "reason": "退貨"})
    assert above.status == 409 and above.error == "allowance_above_invoice"
    allowed = shop.manager.post(path, {"client_id": new_id("allow"), "amount": 500,
                                       "reason": "雨刷退貨"})
    assert allowed.status == 200, allowed.body
    assert allowed.body["invoices"][-1]["allowed"] == 500
    change = allowed.body["invoice_changes"][-1]
    assert change["kind"] == "allowance" and change["amount"] == 500 and change["number"]


def test_void_deadline_is_the_15th_after_the_two_month_period():
    assert invoicing.void_deadline("2026-11-03T02:00:00Z") == "2027-01-15"
    assert invoicing.void_deadline("2026-12-31T16:30:00Z") == "2027-03-15"  # Jan 1 in Taipei
    assert invoicing.void_deadline("2026-07-15T00:00:00Z") == "2026-09-15"
    assert invoicing.void_deadline("2026-08-31T10:00:00Z") == "2026-09-15"


def test_the_printed_proof_is_for_paper_invoices_and_says_reprint_the_second_time(app_env, shop, stream, centre):
    order = ready(shop)
    invoice_to(shop, order["order_id"], tax_id=GOOD_TAX_ID, title="大明貨運有限公司")
    pay_all(shop, order["order_id"])
    stream.drain()
    path = f"/api/orders/{order['order_id']}/invoice/proof"
    first = shop.advisor.get(path)
    assert first.status == 200, first.body
    assert first.body["content_type"] == "application/pdf" and "reprint" not in first.body["filename"]
    png = shop.advisor.get(f"{path}?format=png")
    assert png.body["content_type"] == "image/png" and "reprint" in png.body["filename"]
    carrier = ready(shop)
    invoice_to(shop, carrier["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
    pay_all(shop, carrier["order_id"])
    stream.drain()
    refused = shop.advisor.get(f"/api/orders/{carrier['order_id']}/invoice/proof")
    assert refused.status == 409 and refused.error == "not_printed"


def test_the_month_list_and_the_cash_up_count_issued_and_voided(app_env, shop, stream, centre):
    kept, voided = ready(shop), ready(shop)
    for order in (kept, voided):
        invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
        pay_all(shop, order["order_id"])
    stream.drain()
    shop.manager.post(f"/api/orders/{voided['order_id']}/invoice/void",
                      {"client_id": new_id("void"), "reason": "重開"})
    day = shop.advisor.get("/api/cashup").body
    assert day["invoices"]["issued"] == 2 and day["invoices"]["voided"] == 1
    assert day["invoices"]["voided_total"] == voided["totals"]["total"]
    month = times.local_date()[:7]
    answer = shop.advisor.client.http.get(f"/api/invoices.csv?month={month}", headers={
        "authorization": f"Bearer {shop.advisor.token}"})
    assert answer.status_code == 200
    raw = answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    states = sorted(row[7] for row in rows[1:])
    assert states == ["作廢", "作廢 Void", "開立"]
    assert shop.advisor.get("/api/invoices.csv?month=2026-13").status == 422


def test_the_customer_page_shows_the_receipt_and_the_invoice_number(app_env, shop, stream, centre):
    order = ready(shop)
    invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
    pay_all(shop, order["order_id"], method="line_pay")
    stream.drain()
    number = latest(shop, order["order_id"])["number"]
    html = customer_page(shop, order["order_id"])
    assert "收款明細" in html and "LINE Pay" in html
    assert f"{number[:2]}-{number[2:]}" in html


def test_the_schedule_stops_when_its_time_is_spent_and_the_rest_wait(shop, centre, clock):
    orders = [ready(shop) for _ in range(3)]
    centre.set_mode("down")
    for order in orders:
        invoice_to(shop, order["order_id"], carrier_type="mobile", carrier_number="/ABC+123")
        pay_all(shop, order["order_id"])  # no stream: queued, first try not made
    centre.set_mode("ok")
    assert invoicing.send_due(budget_seconds=0) == {"tried": 1, "issued": 1}
    assert invoicing.send_due() == {"tried": 2, "issued": 2}
    assert len(centre.issued()) == 3
