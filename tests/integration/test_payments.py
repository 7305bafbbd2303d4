"""The checkout at the counter: payments by method (cash with change), deposits, refunds, the car
leaving only when paid (or 月結, or a manager's release), races of tablets taking the last
payment, and the day's cash-up adding up per method and per cashier."""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.builders import (a_customer, a_plate, a_signature, a_vehicle, an_order, new_id,
                            walked_to)

GOOD_TAX_ID = "04595257"


def ready_order(shop, customer=None) -> dict:
    if customer is None:
        return an_order(shop, "ready", lines=True)
    vehicle = a_vehicle(shop, customer["customer_id"], plate=a_plate())
    opened = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["定期保養"]})
    assert opened.status == 201, opened.body
    return walked_to(shop, opened.body, "ready")


def pay(shop, order_id, person=None, **body) -> object:
    return (person or shop.advisor).post(f"/api/orders/{order_id}/payments",
                                         {"client_id": new_id("pay"), **body})


def deliver(shop, order_id, person=None):
    a_signature(shop, order_id, "checkout")
    return (person or shop.advisor).post(f"/api/orders/{order_id}/transitions",
                                         {"to": "delivered", "client_id": new_id("step")})


def csv_rows(shop, path: str) -> list[list[str]]:
    answer = shop.advisor.client.http.get(path, headers={
        "authorization": f"Bearer {shop.advisor.token}"})
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_cash_with_change_then_line_pay_pays_the_order(shop):
    order = ready_order(shop)
    total = order["totals"]["total"]
    cash = pay(shop, order["order_id"], method="cash", amount=1000, received=2000)
    assert cash.status == 200, cash.body
    taken = cash.body["payments"][0]
    assert (taken["amount"], taken["received"], taken["change"]) == (1000, 2000, 1000)
    assert cash.body["paid"]["paid"] == 1000
    rest = pay(shop, order["order_id"], method="line_pay", amount=total - 1000,
               reference="LP20261207001")
    assert rest.status == 200, rest.body
    assert rest.body["paid"] == {"paid": total, "taken": total, "refunded": 0, "deposit": 0,
                                 "methods": {"cash": 1000, "line_pay": total - 1000}}
    assert deliver(shop, order["order_id"]).status == 200


def test_more_than_is_left_to_pay_is_refused_and_nothing_is_kept(shop):
    order = ready_order(shop)
    total = order["totals"]["total"]
    answer = pay(shop, order["order_id"], method="card", amount=total + 1)
    assert answer.status == 409 and answer.error == "overpaid"
    assert "超過" in answer.body["error"]["message"]
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["payments"] == []
    short = pay(shop, order["order_id"], method="cash", amount=100, received=50)
    assert short.status == 422
    not_cash = pay(shop, order["order_id"], method="card", amount=100, received=200)
    assert not_cash.status == 422


def test_the_same_payment_sent_twice_is_taken_once(shop):
    order = ready_order(shop)
    body = {"client_id": new_id("pay"), "method": "cash", "amount": 500}
    first = shop.advisor.post(f"/api/orders/{order['order_id']}/payments", body)
    again = shop.advisor.post(f"/api/orders/{order['order_id']}/payments", body)
    assert first.status == again.status == 200
    assert len(again.body["payments"]) == 1 and again.body["paid"]["paid"] == 500


def test_tablets_taking_the_last_payment_at_once_take_it_once(shop):
    order = ready_order(shop)
    total = order["totals"]["total"]
    start = threading.Barrier(8)

    def take(_):
        start.wait()
        return pay(shop, order["order_id"], method="cash", amount=total)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(take, range(8)))
    assert sorted(answer.status for answer in answers) == [200] + [409] * 7
    assert {answer.error for answer in answers if answer.status == 409} == {"overpaid"}
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after["paid"]["paid"] == total and len(after["payments"]) == 1


def test_one_payment_replayed_by_many_tablets_at_once_is_one_payment(shop):
    order = ready_order(shop)
    body = {"client_id": new_id("pay"), "method": "jko", "amount": 300}
    start = threading.Barrier(6)

    def take(_):
        start.wait()
        return shop.advisor.post(f"/api/orders/{order['order_id']}/payments", body)

    with ThreadPoolExecutor(6) as pool:
        assert {answer.status for answer in pool.map(take, range(6))} == {200}
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert len(after["payments"]) == 1 and after["paid"]["paid"] == 300


def test_an_unpaid_car_cannot_leave_and_says_what_is_left(shop):
    order = ready_order(shop)
    total = order["totals"]["total"]
    pay(shop, order["order_id"], method="cash", amount=100)
    refused = deliver(shop, order["order_id"])
    assert refused.status == 409
    assert f"還有 {total - 100:,} 元尚未收款" in refused.body["error"]["message"]


def test_a_manager_may_let_a_car_go_unpaid_with_a_reason_an_advisor_may_not(shop):
    order = ready_order(shop)
    path = f"/api/orders/{order['order_id']}/unpaid-release"
    assert shop.advisor.post(path, {"reason": "老客戶，明天匯款"}).status == 403
    assert shop.manager.post(path, {"reason": ""}).status == 422
    released = shop.manager.post(path, {"reason": "老客戶，明天匯款"})
    assert released.status == 200
    assert released.body["unpaid_release"]["reason"] == "老客戶，明天匯款"
    assert released.body["unpaid_release"]["balance"] == order["totals"]["total"]
    assert deliver(shop, order["order_id"]).status == 200


def test_monthly_account_is_only_for_customers_set_up_for_it(shop):
    plain = ready_order(shop)
    refused = pay(shop, plain["order_id"], method="monthly", amount=plain["totals"]["total"])
    assert refused.status == 422 and refused.error == "not_monthly"
    fleet = a_customer(shop, name="大明貨運", company={"tax_id": GOOD_TAX_ID,
                                                     "title": "大明貨運有限公司",
                                                     "monthly": True})
    order = ready_order(shop, fleet)
    charged = pay(shop, order["order_id"], method="monthly", amount=order["totals"]["total"])
    assert charged.status == 200, charged.body
    assert deliver(shop, order["order_id"]).status == 200


def test_a_deposit_at_authorization_counts_toward_the_bill(shop):
    order = an_order(shop, "checked_in", lines=True)
    deposit = pay(shop, order["order_id"], kind="deposit", method="transfer", amount=2000,
                  reference="末五碼 12345")
    assert deposit.status == 200, deposit.body
    assert deposit.body["paid"]["deposit"] == 2000
    later = walked_to(shop, deposit.body, "ready")
    assert later["paid"]["paid"] == 2000
    too_late = pay(shop, order["order_id"], kind="deposit", method="cash", amount=100)
    assert too_late.status == 409 and too_late.error == "deposit_too_late"


def test_a_refund_gives_back_only_what_a_method_took_and_only_by_a_manager(shop):
    order = ready_order(shop)
    pay(shop, order["order_id"], method="card", amount=800, reference="1234")
    path = f"/api/orders/{order['order_id']}/refunds"
    body = {"client_id": new_id("refund"), "method": "card", "amount": 300, "reason": "雨刷退貨"}
    assert shop.advisor.post(path, body).status == 403
    above = shop.manager.post(path, {**body, "amount": 900})
    assert above.status == 409 and above.error == "refund_above_taken"
    wrong_method = shop.manager.post(path, {**body, "method": "cash"})
    assert wrong_method.status == 409
    refunded = shop.manager.post(path, body)
    assert refunded.status == 200
    assert refunded.body["paid"]["paid"] == 500 and refunded.body["paid"]["refunded"] == 300
    assert refunded.body["payments"][-1]["amount"] == -300


def test_the_days_cash_up_adds_up_per_method_and_per_cashier(shop):
    first, second = ready_order(shop), ready_order(shop)
    pay(shop, first["order_id"], method="cash", amount=1000, received=1500)
    pay(shop, first["order_id"], person=shop.manager, method="line_pay", amount=500)
    pay(shop, second["order_id"], method="card", amount=700, reference="9911")
    shop.manager.post(f"/api/orders/{second['order_id']}/refunds", {
        "client_id": new_id("refund"), "method": "card", "amount": 200, "reason": "折扣"})
    day = shop.advisor.get("/api/cashup")
    assert day.status == 200, day.body
    assert day.body["methods"] == {"cash": 1000, "card": 500, "transfer": 0, "line_pay": 500,
                                   "jko": 0, "monthly": 0}
    assert day.body["total"] == 2000 and day.body["count"] == 4 and day.body["refunds"] == 200
    cashiers = {who["name"]: who for who in day.body["cashiers"]}
    assert sum(who["total"] for who in cashiers.values()) == 2000
    assert sorted(who["count"] for who in cashiers.values()) == [2, 2]
    assert shop.technician.get("/api/cashup").status == 403
    rows = csv_rows(shop, "/api/cashup.csv")
    assert rows[0][0] == "時間 Time" and len([row for row in rows[1:] if row and row[1]]) == 4
    assert ["合計 Total", "", "", "", "2000"] in rows
