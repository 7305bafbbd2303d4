"""Repair orders through the API: numbers, the lifecycle, lines and totals, dispatch, the board."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import aws
from tests.builders import (a_customer, a_customer_and_vehicle, a_signature, a_vehicle,
                            an_order, checked, new_id, paid_in_full)


def move(person, order_id, to, client_id=None):
    return person.post(f"/api/orders/{order_id}/transitions",
                       {"to": to, "client_id": client_id or new_id("step")})


def test_a_new_order_gets_the_days_number_and_a_created_event(shop):
    order = an_order(shop, waits_in_shop=True, promised_at="2026-11-22T17:30:00+08:00")
    today = times.local_date().replace("-", "")
    assert order["number"] == f"{today}-001"
    assert order["state"] == "checked_in"
    assert order["promised_at"] == "2026-11-22T09:30:00.000Z"
    assert order["waits_in_shop"] is True
    assert order["events"][0]["to"] == "checked_in"
    assert order["events"][0]["by"]["staff_id"] == shop.advisor.staff_id
    assert an_order(shop)["number"] == f"{today}-002"


def test_creating_an_order_twice_with_one_id_makes_one_order(shop):
    customer, vehicle = a_customer_and_vehicle(shop)
    body = {"order_id": new_id("order"), "customer_id": customer["customer_id"],
            "vehicle_id": vehicle["vehicle_id"]}
    first = shop.advisor.post("/api/orders", body)
    second = shop.advisor.post("/api/orders", body)
    assert first.status == second.status == 201
    assert first.body["number"] == second.body["number"]
    board = shop.advisor.get("/api/board").body
    assert board["counts"]["checked_in"] == 1


def at_once(count, request):
    """`request(i)` for i in 0..count-1, from `count` threads released together: the answers."""
    gate = threading.Barrier(count)

    def send(i):
        gate.wait()
        return request(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def new_order_body(customer, vehicle, **fields):
    return {"order_id": new_id("order"), "customer_id": customer["customer_id"],
            "vehicle_id": vehicle["vehicle_id"], **fields}


def day_number(n):
    return f"{times.local_date().replace('-', '')}-{n:03d}"


def test_twenty_tablets_opening_orders_at_once_number_them_001_to_020(shop):
    cars = [a_customer_and_vehicle(shop) for _ in range(20)]
    answers = at_once(20, lambda i: shop.advisor.post("/api/orders", new_order_body(*cars[i])))
    assert [a.status for a in answers] == [201] * 20, [a.body for a in answers if a.status != 201]
    assert sorted(a.body["number"] for a in answers) == [day_number(n) for n in range(1, 21)]
    assert shop.advisor.get("/api/board").body["counts"]["checked_in"] == 20


def test_one_create_arriving_eight_times_at_once_makes_one_order_number_and_reading(shop):
    customer, vehicle = a_customer_and_vehicle(shop)
    body = new_order_body(customer, vehicle, mileage_km=42_000)
    answers = at_once(8, lambda _: shop.advisor.post("/api/orders", body))
    assert [a.status for a in answers] == [201] * 8, [a.body for a in answers]
    assert {(a.body["order_id"], a.body["number"]) for a in answers} == \
        {(body["order_id"], day_number(1))}
    page = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body
    assert [(r["km"], r["source"]) for r in page["mileage_history"]] == [(42_000, "reception")]
    assert [o["order_id"] for o in page["orders"]] == [body["order_id"]]
    stored = shop.advisor.get(f"/api/orders/{body['order_id']}").body
    assert [event["to"] for event in stored["events"]] == ["checked_in"]
    assert an_order(shop)["number"] == day_number(2)  # the replays used up no number


def test_different_orders_for_one_car_at_once_open_one(shop):
    customer, vehicle = a_customer_and_vehicle(shop)
    answers = at_once(8, lambda _: shop.advisor.post("/api/orders",
                                                     new_order_body(customer, vehicle)))
    opened = [a.body for a in answers if a.status == 201]
    refused = [a for a in answers if a.status != 201]
    assert len(opened) == 1, [a.body for a in answers]
    assert {(a.status, a.error) for a in refused} == {(409, "vehicle_has_open_order")}
    assert all(opened[0]["number"] in a.body["error"]["message"] for a in refused)
    page = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body
    assert [o["order_id"] for o in page["orders"]] == [opened[0]["order_id"]]
    assert an_order(shop)["number"] == day_number(2)


@pytest.mark.parametrize("booked", [False, True])
def test_a_car_with_an_open_order_gets_no_second_one_until_that_one_is_closed(shop, booked):
    customer, vehicle = a_customer_and_vehicle(shop)
    first = shop.advisor.post("/api/orders", new_order_body(customer, vehicle, booked=booked))
    assert first.status == 201, first.body
    second = new_order_body(customer, vehicle)
    refused = shop.advisor.post("/api/orders", second)
    assert (refused.status, refused.error) == (409, "vehicle_has_open_order"), refused.body
    assert first.body["number"] in refused.body["error"]["message"]
    shop.advisor.language = "en"
    english = shop.advisor.post("/api/orders", second)
    assert "open order" in english.body["error"]["message"]
    assert shop.advisor.get(f"/api/orders/{second['order_id']}").status == 404
    assert move(shop.advisor, first.body["order_id"], "cancelled").status == 200
    opened = shop.advisor.post("/api/orders", second)
    assert opened.status == 201, opened.body
    assert opened.body["number"] == day_number(2)  # the refusals used up no number


def test_a_lower_reading_at_reception_is_refused_and_opens_nothing(shop):
    customer = a_customer(shop)
    vehicle = a_vehicle(shop, customer["customer_id"], mileage_km=50_000)
    body = new_order_body(customer, vehicle, mileage_km=5_000)
    refused = shop.advisor.post("/api/orders", body)
    assert (refused.status, refused.error) == (409, "mileage_lower"), refused.body
    assert "50,000" in refused.body["error"]["message"]
    assert shop.advisor.get(f"/api/orders/{body['order_id']}").status == 404
    page = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body
    assert [r["km"] for r in page["mileage_history"]] == [50_000]
    opened = shop.advisor.post("/api/orders", {**body, "mileage_km": 50_100})
    assert opened.status == 201 and opened.body["number"] == day_number(1)
    page = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body
    assert [(r["km"], r["source"]) for r in page["mileage_history"]] == [
        (50_100, "reception"), (50_000, "reception")]
    assert page["mileage"]["km"] == 50_100


def test_an_order_for_an_unknown_customer_or_vehicle_is_404_and_makes_nothing(shop):
    customer, _ = a_customer_and_vehicle(shop)
    answer = shop.advisor.post("/api/orders", {"order_id": new_id("order"),
                                               "customer_id": customer["customer_id"],
                                               "vehicle_id": new_id("veh")})
    assert answer.status == 404
    assert sum(shop.advisor.get("/api/board").body["counts"].values()) == 0


def test_lines_priced_with_tax_in_whole_dollars(shop):
    order = an_order(shop, lines=True)
    labour, part = order["lines"]
    assert labour["amount"] == 1800 and part["amount"] == 900
    assert order["totals"] == {"total": 2700, "sales": 2571, "tax": 129}  # nothing added
    discount = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "discount", "description": "老客戶折扣", "amount": 200})
    assert discount.body["totals"] == {"total": 2500, "sales": 2381, "tax": 119}


def test_a_business_buyer_splits_the_same_total_and_the_signed_checkout_keeps_it(shop):
    order = an_order(shop, lines=True)
    path = f"/api/orders/{order['order_id']}"
    wrong = shop.advisor.patch(path, {"buyer": {"tax_id": "22099132", "title": "台積電"}})
    assert wrong.status == 422 and "統一編號" in wrong.body["error"]["message"]
    assert "buyer" not in shop.advisor.get(path).body  # nothing stored
    buyer = {"tax_id": "22099131", "title": "順安物流股份有限公司"}
    answer = shop.advisor.patch(path, {"buyer": buyer})
    assert answer.status == 200 and answer.body["buyer"] == buyer
    assert answer.body["totals"] == {"total": 2700, "sales": 2571, "tax": 129}  # the same total
    checkout = shop.advisor.get(f"{path}/documents/checkout").body["content"]
    assert checkout["order"]["buyer"] == buyer and checkout["totals"]["total"] == 2700
    for to in ("authorized", "in_progress", "quality_check", "ready"):
        if to == "authorized":
            a_signature(shop, order["order_id"], "authorization")
        if to == "ready":
            checked(shop, order["order_id"])
        assert move(shop.advisor, order["order_id"], to).status == 200
    a_signature(shop, order["order_id"], "checkout")
    changed = shop.advisor.patch(path, {"buyer": None})  # the signed checkout names the buyer
    assert changed.status == 409, changed.body
    assert shop.advisor.get(path).body["buyer"] == buyer


def test_the_whole_flow_is_recorded_step_by_step_with_its_signatures(shop):
    order = an_order(shop, lines=True)
    for to in ("authorized", "in_progress", "quality_check", "ready", "delivered", "followed_up"):
        if to in ("authorized", "delivered"):
            a_signature(shop, order["order_id"], "authorization" if to == "authorized"
                        else "checkout")
        if to == "ready":
            checked(shop, order["order_id"])
        if to == "delivered":
            paid_in_full(shop, order["order_id"])
        answer = move(shop.advisor, order["order_id"], to)
        assert answer.status == 200, (to, answer.body)
        assert answer.body["state"] == to
    events = answer.body["events"]
    steps = [event for event in events if event.get("from") != event["to"]]
    assert [event["to"] for event in steps] == ["checked_in", "authorized", "in_progress",
                                                "quality_check", "ready", "delivered",
                                                "followed_up"]
    assert [event["document"]["kind"] for event in events if "document" in event] == [
        "authorization", "checkout"]
    assert all(event["by"]["staff_id"] == shop.advisor.staff_id for event in events)
    assert steps[2]["from"] == "authorized"


def test_a_skipped_step_is_409_with_a_clear_message_and_changes_nothing(shop):
    order = an_order(shop)
    answer = move(shop.advisor, order["order_id"], "delivered")
    assert answer.status == 409 and answer.error == "transition_not_allowed"
    assert "已接車" in answer.body["error"]["message"]
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["state"] == "checked_in"


def test_a_replayed_transition_changes_nothing(shop):
    order = an_order(shop, lines=True)
    a_signature(shop, order["order_id"], "authorization")
    step = new_id("step")
    assert move(shop.advisor, order["order_id"], "authorized", step).status == 200
    again = move(shop.advisor, order["order_id"], "authorized", step)
    assert again.status == 200 and again.body["state"] == "authorized"
    assert len(again.body["events"]) == 3  # created, signed, authorized


def test_authorizing_approves_the_authorization_lines(shop):
    order = an_order(shop, state="authorized", lines=True)
    assert {line["state"] for line in order["lines"]} == {"approved"}


def test_lines_the_customer_consented_to_are_frozen(shop):
    order = an_order(shop, state="authorized", lines=True)
    line_id = order["lines"][0]["line_id"]
    path = f"/api/orders/{order['order_id']}/lines/{line_id}"
    assert shop.advisor.patch(path, {"rate": 1}).error == "document_signed"
    assert shop.advisor.delete(path).error == "document_signed"


def test_work_found_later_is_additional_and_waits_for_the_customer(shop):
    order = an_order(shop, state="in_progress", lines=True)
    oid = order["order_id"]
    added = shop.advisor.post(f"/api/orders/{oid}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": "來令片（前）",
        "quantity": 1, "unit_price": 2400})
    line = added.body["lines"][-1]
    assert line["origin"] == "additional" and line["state"] == "proposed"
    assert move(shop.advisor, oid, "awaiting_approval").status == 200
    refused = move(shop.advisor, oid, "in_progress")
    assert refused.status == 409 and "追加" in refused.body["error"]["message"]
    declined = shop.advisor.patch(f"/api/orders/{oid}/lines/{line['line_id']}",
                                  {"state": "declined"})
    assert declined.body["totals"]["total"] == 2700  # a declined line does not count
    assert move(shop.advisor, oid, "in_progress").status == 200


def test_an_authorization_line_cannot_be_added_after_the_customer_signed(shop):
    order = an_order(shop, state="authorized")
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "x", "hours": 1,
        "rate": 100, "origin": "authorization"})
    assert answer.status == 409 and answer.error == "needs_consent"


def test_dispatch_puts_lines_on_the_technicians_list_and_they_mark_them_done(shop):
    order = an_order(shop, state="in_progress", lines=True)
    oid = order["order_id"]
    dispatched = shop.advisor.post(f"/api/orders/{oid}/dispatch",
                                   {"technician_id": shop.technician.staff_id})
    assert dispatched.status == 200
    assert dispatched.body["technician_names"] == [dispatched.body["lines"][0]["technician_name"]]
    jobs = shop.technician.get("/api/jobs").body["jobs"]
    assert {job["order_id"] for job in jobs} == {oid}
    assert jobs[0]["plate"] == order["vehicle"]["plate"]
    line_id = jobs[0]["line"]["line_id"]
    done = shop.technician.patch(f"/api/orders/{oid}/lines/{line_id}", {"state": "done"})
    assert done.status == 200
    assert next(l for l in done.body["lines"] if l["line_id"] == line_id)["state"] == "done"


def test_a_technician_cannot_price_cancel_or_touch_anothers_line(shop):
    order = an_order(shop, state="in_progress", lines=True)
    oid, line_id = order["order_id"], order["lines"][0]["line_id"]
    tech = shop.technician
    assert tech.post(f"/api/orders/{oid}/lines", {"line_id": new_id("line"), "kind": "discount",
                                                  "description": "x", "amount": 1}).status == 403
    assert tech.patch(f"/api/orders/{oid}/lines/{line_id}", {"unit_price": 1}).status == 403
    assert tech.patch(f"/api/orders/{oid}/lines/{line_id}", {"state": "done"}).status == 403
    assert move(tech, oid, "cancelled").status == 403
    assert "cancelled" not in tech.get(f"/api/orders/{oid}").body["next_states"]
    assert move(tech, oid, "quality_check").status == 200


def test_a_technicians_list_is_their_own_unless_front_desk_asks(shop):
    assert shop.technician.get(f"/api/jobs?technician_id={shop.advisor.staff_id}").status == 403
    assert shop.advisor.get(f"/api/jobs?technician_id={shop.technician.staff_id}").status == 200


def test_a_closed_order_leaves_the_job_list_and_cannot_change(shop):
    order = an_order(shop, state="in_progress", lines=True)
    oid = order["order_id"]
    shop.advisor.post(f"/api/orders/{oid}/dispatch", {"technician_id": shop.technician.staff_id})
    assert move(shop.advisor, oid, "cancelled").status == 200
    assert shop.technician.get("/api/jobs").body["jobs"] == []
    assert shop.advisor.patch(f"/api/orders/{oid}", {"waits_in_shop": True}).error == "order_closed"


def test_the_board_shows_open_orders_by_state_and_those_closed_today(shop):
    an_order(shop)
    an_order(shop, state="in_progress")
    an_order(shop, state="delivered")
    board = shop.advisor.get("/api/board").body
    assert board["date"] == times.local_date()
    assert board["counts"]["checked_in"] == 1
    assert board["counts"]["in_progress"] == 1
    assert board["counts"]["delivered"] == 1
    card = board["columns"]["in_progress"][0]
    assert set(card) >= {"order_id", "number", "plate", "customer_name", "total"}
    yesterday = shop.advisor.get("/api/board?date=2000-01-01").body
    assert yesterday["counts"]["delivered"] == 0 and yesterday["counts"]["checked_in"] == 1


def test_the_order_screen_and_the_board_are_one_dynamodb_request_each(shop):
    order = an_order(shop, state="in_progress", lines=True)
    calls = []

    def record(**kw):
        calls.append(kw["model"].name)

    # boto3's client and the models' one connection (chalicelib/models/base.py)
    clients = (aws.table().meta.client, models.Item._get_connection().connection.client)
    for client in clients:
        client.meta.events.register("before-call.dynamodb", record)
    try:
        shop.advisor.get(f"/api/orders/{order['order_id']}")
        assert calls == ["Query"]
        calls.clear()
        shop.advisor.get("/api/board")
        assert calls == ["Query"]
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", record)


def test_the_board_of_an_earlier_day_reads_that_days_orders_and_the_open_ones_only(shop, clock):
    """Orders closed on three days: the board of the first reads that day's and the open one,
    never the later days' (ScannedCount as DynamoDB Local reports it)."""
    days, start = [], times.now()
    for back in (3, 2, 1):
        clock.value = start - timedelta(days=back)
        days.append(times.local_date())
        for _ in range(2):
            an_order(shop, state="delivered")
    clock.value = None
    an_order(shop, state="in_progress")
    scanned = []

    def record(parsed, model, **kw):
        if model.name == "Query":
            scanned.append(parsed.get("ScannedCount"))

    client = models.Item._get_connection().connection.client
    client.meta.events.register("after-call.dynamodb", record)
    try:
        board = shop.advisor.get(f"/api/board?date={days[0]}").body
    finally:
        client.meta.events.unregister("after-call.dynamodb", record)
    assert board["counts"]["delivered"] == 2 and board["counts"]["in_progress"] == 1
    assert len(scanned) == 2 and sum(scanned) == 3  # that day's two, the open one


@pytest.mark.parametrize("body, code", [
    ({"to": "flying", "client_id": "step-12345678"}, "validation"),
    ({"to": "authorized"}, "validation"),
    ({"to": "authorized", "client_id": "x"}, "validation"),
    ({"to": "authorized", "client_id": "step-12345678", "by": "owner"}, "validation"),
])
def test_bad_transition_bodies_are_422_and_change_nothing(shop, body, code):
    order = an_order(shop)
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions", body)
    assert answer.status == 422 and answer.error == code
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["state"] == "checked_in"


@pytest.mark.parametrize("line", [
    {"kind": "labour", "description": "x", "hours": 1},                    # no rate
    {"kind": "part", "description": "x", "quantity": -1, "unit_price": 1},
    {"kind": "part", "description": "x" * 500, "quantity": 1, "unit_price": 1},
    {"kind": "labour", "description": "x", "hours": "lots", "rate": 1},
    {"kind": "labour", "description": "x", "hours": 1, "rate": 1.5},
    {"kind": "gift", "description": "x"},
])
def test_bad_lines_are_422_and_change_nothing(shop, line):
    order = an_order(shop, lines=True)
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/lines",
                               {"line_id": new_id("line"), **line})
    assert answer.status == 422, answer.body
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after["totals"] == order["totals"] and len(after["lines"]) == 2


def test_an_unknown_order_is_404(shop):
    assert shop.advisor.get(f"/api/orders/{new_id('order')}").status == 404


def test_a_write_answers_exactly_what_a_fresh_read_shows(shop):
    order = an_order(shop, state="in_progress", lines=True)
    oid = order["order_id"]
    writes = [
        lambda: shop.advisor.post(f"/api/orders/{oid}/lines", {
            "line_id": new_id("line"), "kind": "part", "description": "雨刷", "quantity": 1,
            "unit_price": 650}),
        lambda: shop.advisor.patch(f"/api/orders/{oid}/lines/{order['lines'][0]['line_id']}",
                                   {"state": "done"}),
        lambda: shop.advisor.post(f"/api/orders/{oid}/dispatch",
                                  {"technician_id": shop.technician.staff_id}),
        lambda: shop.advisor.patch(f"/api/orders/{oid}", {"buyer": {
            "tax_id": "22099131", "title": "順安物流股份有限公司"}}),
        lambda: move(shop.advisor, oid, "quality_check"),
    ]
    for write in writes:
        answer = write()
        assert answer.status in (200, 201), answer.body
        assert answer.body == shop.advisor.get(f"/api/orders/{oid}").body


def test_tablets_adding_lines_at_once_lose_none(shop):
    order = an_order(shop)
    oid, failures = order["order_id"], []

    def add(person, n):
        for i in range(3):
            answer = person.post(f"/api/orders/{oid}/lines", {
                "line_id": new_id("line"), "kind": "part", "description": f"零件 {n}-{i}",
                "quantity": 1, "unit_price": 100})
            if answer.status != 201:
                failures.append(answer.body)

    threads = [threading.Thread(target=add, args=(person, n))
               for n, person in enumerate((shop.advisor, shop.manager, shop.owner))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    stored = shop.advisor.get(f"/api/orders/{oid}").body
    assert len(stored["lines"]) == 9
    assert stored["totals"] == {"total": 900, "sales": 857, "tax": 43}
