"""The stock of kept parts: the routes (list, counts, minimums, goods received, the CSV to order
from), and the stream reactions that reserve, issue and release it as order lines move, once
each even when a record is handed over twice or records race (DynamoDB Local's real stream).
"""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import app as api
from chalicelib import models
from chalicelib.core import clock
from tests.builders import a_customer_and_vehicle, a_shop, a_signature, new_id


# --- builders ---

def a_catalogue_part(shop_id: str, number: str, name: str, brand: str | None = None,
                     price: int = 450) -> str:
    """A part in the shop's catalogue (written as its item: the catalogue's routes are
    another part's), answering its key."""
    key = models.part_key(number, brand)
    models.CataloguePart.from_dict({
        **models.CataloguePart.key(shop_id, key), "shop_id": shop_id, "part_key": key,
        "part_number": number, "name": name, "grade": "oem", "brand": brand, "price": price,
        "updated_at": clock.now_iso()}).save()
    return key


def kept_part(shop, number="04152-YZZA1", name="機油濾芯", on_hand=10, minimum=3) -> str:
    key = a_catalogue_part(shop.shop_id, number, name)
    answer = shop.manager.put(f"/api/stock/{key}", {"on_hand": on_hand, "minimum": minimum})
    assert answer.status == 200, answer.body
    return key


def stock_of(shop, key) -> dict:
    return next(item for item in shop.technician.get("/api/stock").body["items"]
                if item["part_key"] == key)


def an_open_order(shop) -> str:
    customer, vehicle = a_customer_and_vehicle(shop)
    answer = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["定期保養"]})
    assert answer.status == 201, answer.body
    return answer.body["order_id"]


def a_part_line(shop, order_id, key, quantity=2, **fields) -> str:
    """A part line taken from the catalogue, as the tablet's catalogue search adds it."""
    line_id = new_id("line")
    answer = shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": line_id, "kind": "part", "description": "機油濾芯", "part_number": "04152",
        "part_key": key, "quantity": quantity, "unit_price": 450, **fields})
    assert answer.status == 201, answer.body
    return line_id


def step(shop, order_id, to):
    answer = shop.advisor.post(f"/api/orders/{order_id}/transitions",
                               {"to": to, "client_id": new_id("step")})
    assert answer.status == 200, answer.body
    return answer.body


def authorized(shop, order_id):
    a_signature(shop, order_id, "authorization")
    return step(shop, order_id, "authorized")


def line_of(shop, order_id, line_id) -> dict:
    return models.Line.read(models.Line.key(shop.shop_id, order_id, line_id), consistent=True)


def set_line(shop, order_id, line_id, state, person=None):
    answer = (person or shop.advisor).patch(f"/api/orders/{order_id}/lines/{line_id}",
                                            {"state": state})
    assert answer.status == 200, answer.body


# --- the stream ---

def approvals(records: list[dict]) -> list[dict]:
    """The records of part lines becoming approved."""
    def state(image):
        return (image.get("state") or {}).get("S")
    return [r for r in records if (r["dynamodb"].get("NewImage") or {}).get("type", {}).get("S")
            == "order_line" and state(r["dynamodb"]["NewImage"]) == "approved"
            and state(r["dynamodb"].get("OldImage") or {}) != "approved"]


# --- the routes ---

def test_a_count_keeps_a_catalogue_part_and_the_list_shows_it(chalice_client, shop):
    key = a_catalogue_part(shop.shop_id, "04152-YZZA1", "機油濾芯", brand="TOYOTA")
    answer = shop.manager.put(f"/api/stock/{key}", {"on_hand": 4, "minimum": 6})
    assert answer.status == 200, answer.body
    assert answer.body == {"part_key": "04152YZZA1~TOYOTA", "part_number": "04152-YZZA1",
                           "name": "機油濾芯", "on_hand": 4, "reserved": 0, "available": 4,
                           "minimum": 6, "below": True, "version": 1}
    assert shop.technician.get("/api/stock").body["items"] == [answer.body]


def test_the_list_puts_the_parts_below_their_minimum_first_and_filters_them(chalice_client,
                                                                            shop):
    plenty = kept_part(shop, "A-100", "雨刷", on_hand=20, minimum=2)
    short = kept_part(shop, "Z-900", "煞車來令片", on_hand=1, minimum=4)
    listed = shop.advisor.get("/api/stock").body["items"]
    assert [item["part_key"] for item in listed] == [short, plenty]
    below = shop.advisor.get("/api/stock?below=1").body["items"]
    assert [item["part_key"] for item in below] == [short]
    assert shop.advisor.get("/api/stock?below=yes").status == 422


def test_a_part_not_in_the_catalogue_is_404_and_a_bad_count_is_422(chalice_client, shop):
    missing = shop.manager.put("/api/stock/NOSUCHPART", {"on_hand": 3})
    assert missing.status == 404 and missing.body["error"]["code"] == "part_not_found"
    assert shop.manager.post("/api/stock/NOSUCHPART/receipts",
                             {"client_id": new_id("in"), "quantity": 1}).status == 404
    key = a_catalogue_part(shop.shop_id, "90915-YZZE1", "機油芯")
    for body in ({}, {"on_hand": -1}, {"minimum": "many"}, {"on_hand": 1, "colour": "red"}):
        answer = shop.manager.put(f"/api/stock/{key}", body)
        assert answer.status == 422, (body, answer.body)
        assert answer.body["error"]["code"] == "validation"
    for body in ({"client_id": new_id("in"), "quantity": 0}, {"quantity": 2}):
        assert shop.manager.post(f"/api/stock/{key}/receipts", body).status == 422


def test_a_count_on_a_stale_version_is_409_and_changes_nothing(chalice_client, shop):
    key = kept_part(shop, on_hand=10, minimum=3)
    seen = stock_of(shop, key)
    shop.manager.post(f"/api/stock/{key}/receipts", {"client_id": new_id("in"), "quantity": 5})
    stale = shop.manager.put(f"/api/stock/{key}", {"on_hand": 7, "version": seen["version"]})
    assert stale.status == 409 and stale.body["error"]["code"] == "stale_version"
    assert stock_of(shop, key)["on_hand"] == 15
    fresh = shop.manager.put(f"/api/stock/{key}", {"on_hand": 14,
                                                   "version": stock_of(shop, key)["version"]})
    assert fresh.status == 200 and fresh.body["on_hand"] == 14


def test_goods_received_add_once_per_client_id_even_when_sent_again(chalice_client, shop):
    key = kept_part(shop, on_hand=2, minimum=5)
    receipt = {"client_id": new_id("in"), "quantity": 6}
    first = shop.advisor.post(f"/api/stock/{key}/receipts", receipt)
    again = shop.advisor.post(f"/api/stock/{key}/receipts", receipt)
    assert first.status == again.status == 200
    assert first.body["on_hand"] == again.body["on_hand"] == 8
    assert first.body["below"] is False
    assert stock_of(shop, key)["on_hand"] == 8


def test_goods_received_of_a_catalogue_part_not_yet_kept_keep_it(chalice_client, shop):
    key = a_catalogue_part(shop.shop_id, "17801-0T030", "空氣濾芯")
    answer = shop.advisor.post(f"/api/stock/{key}/receipts",
                               {"client_id": new_id("in"), "quantity": 3})
    assert answer.status == 200 and answer.body["on_hand"] == 3 and answer.body["minimum"] is None


def test_receipts_sent_at_once_all_count_and_a_replayed_one_once(chalice_client, shop):
    key = kept_part(shop, on_hand=0, minimum=1)
    ids = [new_id("in") for _ in range(8)]
    bodies = [{"client_id": client_id, "quantity": 1} for client_id in ids + ids[:4]]
    start = threading.Barrier(len(bodies))

    def send(body):
        start.wait()
        return shop.advisor.post(f"/api/stock/{key}/receipts", body).status

    with ThreadPoolExecutor(len(bodies)) as pool:
        statuses = list(pool.map(send, bodies))
    assert statuses == [200] * len(bodies)
    assert stock_of(shop, key)["on_hand"] == 8


@pytest.mark.parametrize("role,status", [("owner", 200), ("manager", 200), ("advisor", 200),
                                         ("technician", 403)])
def test_every_staff_reads_the_stock_and_the_front_desk_changes_it(chalice_client, shop, role,
                                                                   status):
    key = kept_part(shop)
    person = shop.as_role(role)
    assert person.get("/api/stock").status == 200
    assert person.get("/api/stock/below.csv").status == 200
    assert person.put(f"/api/stock/{key}", {"minimum": 9}).status == status
    assert person.post(f"/api/stock/{key}/receipts",
                       {"client_id": new_id("in"), "quantity": 1}).status == status


def test_the_csv_to_order_from_has_a_bom_both_languages_and_what_to_order(chalice_client, shop):
    short = kept_part(shop, "04465-02220", "前煞車來令片", on_hand=1, minimum=4)
    kept_part(shop, "A-100", "雨刷", on_hand=20, minimum=2)
    answer = shop.advisor.client.http.get("/api/stock/below.csv", headers={
        "authorization": f"Bearer {shop.advisor.token}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    raw = answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["料號 Part number", "品名 Name", "庫存 On hand", "已保留 Reserved",
                       "可用 Available", "安全量 Minimum", "建議訂購量 To order"]
    assert rows[1:] == [["04465-02220", "前煞車來令片", "1", "0", "1", "4", "3"]]
    assert short == "0446502220"


def test_another_shop_sees_none_of_the_stock_and_cannot_change_it(chalice_client, shop):
    key = kept_part(shop, on_hand=5, minimum=2)
    other = a_shop(chalice_client, name="別家")
    assert other.owner.get("/api/stock").body == {"items": []}
    assert "機油濾芯".encode() not in other.owner.get("/api/stock/below.csv").body
    assert other.owner.put(f"/api/stock/{key}", {"on_hand": 0}).status == 404
    assert other.owner.post(f"/api/stock/{key}/receipts",
                            {"client_id": new_id("in"), "quantity": 50}).status == 404
    assert stock_of(shop, key)["on_hand"] == 5


# --- the reactions ---

def test_an_authorized_part_line_reserves_its_quantity(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 0  # proposed: not yet the customer's
    authorized(shop, order_id)
    stream.drain()
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"], item["available"]) == (10, 2, 8)
    assert line_of(shop, order_id, line_id)["stock"] == "reserved"


def test_a_done_line_issues_what_it_reserved(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    authorized(shop, order_id)
    step(shop, order_id, "in_progress")
    stream.drain()
    set_line(shop, order_id, line_id, "done")
    stream.drain()
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"]) == (8, 0)
    assert line_of(shop, order_id, line_id)["stock"] == "issued"


def test_an_issue_may_take_the_shelf_below_zero_and_the_list_shows_it(app_env, shop, stream):
    key = kept_part(shop, on_hand=1, minimum=2)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=3)
    authorized(shop, order_id)
    step(shop, order_id, "in_progress")
    set_line(shop, order_id, line_id, "done")
    stream.drain()
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"], item["below"]) == (-2, 0, True)


def test_added_work_approved_then_declined_reserves_then_releases(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    a_part_line(shop, order_id, a_catalogue_part(shop.shop_id, "X-1", "其他"), quantity=1)
    authorized(shop, order_id)
    step(shop, order_id, "in_progress")
    line_id = a_part_line(shop, order_id, key, quantity=4)  # found during the work
    set_line(shop, order_id, line_id, "approved")  # the customer said yes on the phone
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 4
    set_line(shop, order_id, line_id, "declined")  # and changed their mind
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 0
    assert line_of(shop, order_id, line_id)["stock"] == "released"


def test_a_cancelled_order_releases_its_reservations(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    authorized(shop, order_id)
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 2
    step(shop, order_id, "cancelled")
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 0
    assert line_of(shop, order_id, line_id)["stock"] == "released"


def test_a_deleted_line_was_never_consented_to_and_moves_nothing(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    assert shop.advisor.delete(f"/api/orders/{order_id}/lines/{line_id}").status == 200
    stream.drain()
    assert (stock_of(shop, key)["reserved"], stock_of(shop, key)["on_hand"]) == (0, 10)


def test_a_part_not_kept_or_brought_by_the_customer_moves_no_stock(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    loose = a_catalogue_part(shop.shop_id, "Y-7", "不備庫存的零件")
    order_id = an_open_order(shop)
    not_kept = a_part_line(shop, order_id, loose)
    brought = a_part_line(shop, order_id, key, customer_supplied=True)
    authorized(shop, order_id)
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 0
    assert "stock" not in line_of(shop, order_id, not_kept)
    assert "stock" not in line_of(shop, order_id, brought)
    assert models.StockItem.read(models.StockItem.key(shop.shop_id, loose)) is None


def test_records_handed_over_twice_move_the_stock_once(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    authorized(shop, order_id)
    records = stream.fresh()
    stream.hand(records)
    stream.hand(records)  # the batch again (a retried Lambda)
    stream.drain()
    assert stock_of(shop, key)["reserved"] == 2
    step(shop, order_id, "in_progress")
    set_line(shop, order_id, line_id, "done")
    stream.drain()
    stream.hand(stream.records())  # everything from the start, again
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"]) == (8, 0)


def test_a_line_written_whole_without_its_stock_still_issues_what_it_reserved(app_env, shop,
                                                                              stream):
    """The order's writes put a line as they read it: one read before the reservation landed
    drops `stock`; the record's old image still shows it, so the issue takes the reservation
    back rather than leaving it held for good."""
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=2)
    authorized(shop, order_id)
    read_before = line_of(shop, order_id, line_id)
    stream.drain()
    assert line_of(shop, order_id, line_id)["stock"] == "reserved"
    models.Line.from_dict({**read_before, "state": "done"}).save()
    stream.drain()
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"]) == (8, 0)
    assert line_of(shop, order_id, line_id)["stock"] == "issued"


# --- races ---

def test_ten_lines_reserving_one_part_at_once_reserve_exactly_their_sum(app_env, shop, stream):
    key = kept_part(shop, on_hand=100, minimum=3)
    for n in range(10):
        order_id = an_open_order(shop)
        a_part_line(shop, order_id, key, quantity=n + 1)
        authorized(shop, order_id)
    records = stream.fresh()
    approved = approvals(records)
    assert len(approved) == 10
    burst = approved + approved  # each handed twice, all at once
    start = threading.Barrier(len(burst))

    def hand(record):
        start.wait()
        return api.on_change({"Records": [record]}, None)

    with ThreadPoolExecutor(len(burst)) as pool:
        answers = list(pool.map(hand, burst))
    assert answers == [{"batchItemFailures": []}] * len(burst)
    stream.handed.update(r["eventID"] for r in approved)
    stream.drain()
    assert stock_of(shop, key)["reserved"] == sum(range(1, 11))


def test_an_issue_racing_goods_received_leaves_on_hand_exact(app_env, shop, stream):
    key = kept_part(shop, on_hand=10, minimum=3)
    order_id = an_open_order(shop)
    line_id = a_part_line(shop, order_id, key, quantity=3)
    authorized(shop, order_id)
    step(shop, order_id, "in_progress")
    stream.drain()
    set_line(shop, order_id, line_id, "done")
    done = stream.fresh()
    receipts = [{"client_id": new_id("in"), "quantity": 2} for _ in range(6)]
    start = threading.Barrier(len(receipts) + 1)

    def receive(body):
        start.wait()
        return shop.advisor.post(f"/api/stock/{key}/receipts", body).status

    def issue():
        start.wait()
        stream.hand(done)

    with ThreadPoolExecutor(len(receipts) + 1) as pool:
        issued = pool.submit(issue)
        statuses = list(pool.map(receive, receipts))
        issued.result()
    assert statuses == [200] * len(receipts)
    stream.drain()
    item = stock_of(shop, key)
    assert (item["on_hand"], item["reserved"]) == (10 - 3 + 12, 0)
