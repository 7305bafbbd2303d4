"""Order lines from the catalogue (issue 20, the order side): what a line keeps of its part, the
customer's choice between grades (by the advisor or on the customer's page) until signed or
answered, the parts status with the header's parts_wait, the message when a date is set, and
the grade on the printed documents."""
from __future__ import annotations

import subprocess
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

import app as api
from chalicelib import customer_routes, models
from chalicelib.core import aws
from chalicelib.outward import notify
from devstack.poller import lambda_record
from tests.builders import a_shop, a_signature, an_order, new_id, walked_to

DAYTIME = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)  # 11:00 in Taipei
NIGHT = datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc)  # 22:00 in Taipei
OEM = {"part_key": "04465-0D130~TOYOTA", "part_number": "04465-0D130",
       "description": "前煞車來令片（正廠）", "grade": "oem", "brand": "TOYOTA", "unit_price": 3200}
AFTERMARKET = {"part_key": "BP-2231~BREMBO", "part_number": "BP-2231",
               "description": "前煞車來令片（副廠）", "grade": "aftermarket", "brand": "BREMBO",
               "unit_price": 1800}


@pytest.fixture(autouse=True)
def own_ip(monkeypatch):
    """Each test opens the customer's page from an address of its own (limits count per client)."""
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr(customer_routes, "client", lambda: {"ip": ip, "user_agent": "pytest"})


def a_pad_line(shop, order_id, quantity=1, **fields):
    """The brake pads as a catalogue part at 正廠, with 副廠 offered beside it."""
    body = {"line_id": new_id("line"), "kind": "part", "description": OEM["description"],
            "part_number": OEM["part_number"], "part_key": OEM["part_key"], "grade": "oem",
            "brand": "TOYOTA", "quantity": quantity, "unit_price": OEM["unit_price"],
            "alternatives": [OEM, AFTERMARKET], **fields}
    answer = shop.advisor.post(f"/api/orders/{order_id}/lines", body)
    assert answer.status == 201, answer.body
    return next(line for line in answer.body["lines"] if line["line_id"] == body["line_id"]), \
        answer.body


def a_labour_line(shop, order_id):
    answer = shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "更換前煞車來令片",
        "op_code": "BRAKE-F", "hours": 1, "rate": 1600,
        "menu": {"menu_id": "m20k", "name": "20,000 公里保養", "mileage_km": 20000, "months": 12}})
    assert answer.status == 201, answer.body
    return answer.body["lines"][-1]


def stocked(shop, part_key, on_hand, reserved=0):
    """The shop keeps the part (what the stock part writes; its routes are another part's)."""
    models.StockItem.from_dict({
        **models.StockItem.key(shop.shop_id, part_key), "type": "stock_item",
        "shop_id": shop.shop_id, "part_key": part_key, "part_number": part_key.split("~")[0],
        "name": "前煞車來令片", "on_hand": on_hand, "reserved": reserved,
        "updated_at": "2026-11-30T03:00:00.000Z"}).save()


def link_path(shop, order_id):
    answer = shop.advisor.get(f"/api/orders/{order_id}/link")
    assert answer.status == 200, answer.body
    return "/t/" + answer.body["url"].rsplit("/t/", 1)[1]


def page(shop, path):
    answer = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    return answer.body.decode() if isinstance(answer.body, bytes) else answer.body


def line_in(order, line_id):
    return next(line for line in order["lines"] if line["line_id"] == line_id)


# --- what a line keeps ---

def test_a_catalogue_line_keeps_its_part_grade_brand_menu_and_alternatives(shop):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    labour = a_labour_line(shop, order["order_id"])
    stored = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    pads, labour = line_in(stored, pads["line_id"]), line_in(stored, labour["line_id"])
    assert (pads["part_key"], pads["grade"], pads["brand"]) == (OEM["part_key"], "oem", "TOYOTA")
    assert [option["grade"] for option in pads["alternatives"]] == ["oem", "aftermarket"]
    assert pads["supply"] == {"status": "to_order"}  # not kept in stock
    assert labour["op_code"] == "BRAKE-F" and labour["menu_id"] == "m20k"
    assert labour["menu"] == {"menu_id": "m20k", "name": "20,000 公里保養", "mileage_km": 20000,
                              "months": 12}
    assert "supply" not in labour
    assert stored["totals"]["total"] == 3200 + 1600
    assert stored["parts_wait"] == {"lines": 1}


def test_a_part_kept_in_stock_is_in_stock_only_when_enough_is_free(shop):
    stocked(shop, OEM["part_key"], on_hand=3, reserved=1)
    order = an_order(shop)
    two, _ = a_pad_line(shop, order["order_id"], quantity=2)
    three, after = a_pad_line(shop, order["order_id"], quantity=3)
    assert two["supply"] == {"status": "in_stock"}
    assert three["supply"] == {"status": "to_order"}
    assert after["parts_wait"] == {"lines": 1}
    own = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": "客戶自備機油",
        "part_key": OEM["part_key"], "quantity": 1, "unit_price": 0, "customer_supplied": True})
    assert "supply" not in own.body["lines"][-1]


@pytest.fixture
def sent():
    """The operations sent to DynamoDB from now on (as test_customer_page_requests counts)."""
    names: list[str] = []

    def count(model, **_):
        names.append(model.name)

    clients = [models.Item._get_connection().connection.client, aws.table().meta.client,
               aws.client("dynamodb")]
    for client in clients:
        client.meta.events.register("before-call.dynamodb.*", count)
    yield names
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb.*", count)


def test_a_catalogue_part_costs_one_get_item_more_than_a_typed_line(shop, sent):
    order = an_order(shop)
    a_pad_line(shop, order["order_id"])  # the caller's first request reads who they are
    sent[:] = []
    shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": "雨刷片", "quantity": 1,
        "unit_price": 600})
    typed, sent[:] = list(sent), []
    a_pad_line(shop, order["order_id"])
    assert sorted(sent) == sorted([*typed, "GetItem"]), (typed, sent)
    assert sent.count("TransactWriteItems") == 1 and sent.count("Query") == 1


@pytest.mark.parametrize("alternatives, message", [
    ([OEM], "2 到 4"),
    ([OEM, AFTERMARKET, {**AFTERMARKET, "grade": "reman"}, {**AFTERMARKET, "grade": "used"},
      {**AFTERMARKET, "unit_price": 1}], "alternatives"),
    ([AFTERMARKET, {**AFTERMARKET, "grade": "reman"}], "目前的零件"),
    ([OEM, {**AFTERMARKET, "grade": "new"}], "grade"),
    ([OEM, {**AFTERMARKET, "unit_price": -5}], "unit_price"),
])
def test_alternatives_are_two_to_four_with_the_line_s_own_part_among_them(shop, alternatives,
                                                                            message):
    order = an_order(shop)
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "part", "description": OEM["description"],
        "part_number": OEM["part_number"], "part_key": OEM["part_key"], "grade": "oem",
        "quantity": 1, "unit_price": OEM["unit_price"], "alternatives": alternatives})
    assert answer.status == 422 and message in answer.body["error"]["message"], answer.body
    labour = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "工資", "hours": 1,
        "rate": 1000, "grade": "oem"})
    assert labour.status == 422


# --- choosing between grades ---

def test_the_advisor_records_the_customer_s_choice_and_the_totals_follow(shop):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"], quantity=2)
    path = f"/api/orders/{order['order_id']}/lines/{pads['line_id']}/choice"
    chosen = shop.advisor.post(path, {"option": 1})
    assert chosen.status == 200, chosen.body
    line = line_in(chosen.body, pads["line_id"])
    assert (line["grade"], line["brand"], line["part_key"], line["unit_price"], line["amount"]) \
        == ("aftermarket", "BREMBO", AFTERMARKET["part_key"], 1800, 3600)
    assert line["description"] == AFTERMARKET["description"]
    assert chosen.body["totals"]["total"] == 3600
    assert shop.advisor.post(path, {"option": 1}).body["totals"]["total"] == 3600  # a replay
    back = shop.advisor.post(path, {"option": 0}).body
    assert line_in(back, pads["line_id"])["amount"] == 6400 and back["totals"]["total"] == 6400
    assert shop.advisor.post(path, {"option": 3}).status == 404
    assert shop.advisor.post(path, {"option": 9}).status == 422
    assert shop.technician.post(path, {"option": 1}).status == 403


def test_choices_made_at_once_leave_the_totals_those_of_the_option_chosen_last(shop):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    path = f"/api/orders/{order['order_id']}/lines/{pads['line_id']}/choice"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: shop.advisor.post(path, {"option": n % 2}), range(8)))
    assert all(answer.status == 200 for answer in answers), [a.body for a in answers]
    stored = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    line = line_in(stored, pads["line_id"])
    assert stored["totals"]["total"] == line["amount"] == line["unit_price"]


def test_the_customer_chooses_on_their_page_and_sees_the_new_total(shop):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    a_labour_line(shop, order["order_id"])
    path = link_path(shop, order["order_id"])
    shown = page(shop, path)
    assert "正廠" in shown and "副廠" in shown and 'data-option=1' in shown
    assert "NT$3,400" in shown  # 副廠's total beside it: 1,800 + 1,600
    chosen = shop.anonymous.post(f"{path}/choice", {"line_id": pads["line_id"], "option": 1})
    assert chosen.status == 200, chosen.body
    assert chosen.body == {"line_id": pads["line_id"], "grade": "aftermarket", "amount": 1800,
                           "total": 3400}
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["totals"]["total"] == 3400
    again = page(shop, path)
    assert "NT$3,400" in again and 'class="opt on" data-line' in again
    bad = shop.anonymous.post(f"{path}/choice", {"line_id": pads["line_id"], "option": "x"})
    assert bad.status == 422
    other = an_order(shop)
    foreign, _ = a_pad_line(shop, other["order_id"])
    assert shop.anonymous.post(f"{path}/choice", {"line_id": foreign["line_id"],
                                                  "option": 1}).status == 404
    assert shop.advisor.get(f"/api/orders/{other['order_id']}").body["totals"]["total"] == 3200


def test_a_signed_line_is_frozen_and_an_added_one_until_the_customer_answers_it(shop):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    walked_to(shop, shop.advisor.get(f"/api/orders/{order['order_id']}").body, "in_progress")
    frozen = shop.advisor.post(f"/api/orders/{order['order_id']}/lines/{pads['line_id']}/choice",
                               {"option": 1})
    assert frozen.status == 409 and frozen.error == "line_frozen"
    path = link_path(shop, order["order_id"])
    by_customer = shop.anonymous.post(f"{path}/choice", {"line_id": pads["line_id"], "option": 1})
    assert by_customer.status == 409 and by_customer.body["error"]["code"] == "line_frozen"
    added, _ = a_pad_line(shop, order["order_id"])  # after authorization: additional work
    assert 'data-option=1' in page(shop, path)
    assert shop.anonymous.post(f"{path}/choice", {"line_id": added["line_id"],
                                                  "option": 1}).status == 200
    a_signature(shop, order["order_id"], "estimate")  # the customer approves it
    late = shop.anonymous.post(f"{path}/choice", {"line_id": added["line_id"], "option": 0})
    assert late.status == 409 and late.body["error"]["code"] == "line_frozen"
    assert "data-option" not in page(shop, path)


# --- the parts status ---

def supply(shop, order_id, line_id, **body):
    return shop.advisor.post(f"/api/orders/{order_id}/lines/{line_id}/supply", body)


def test_the_parts_status_is_checked(shop, clock):
    clock.value = DAYTIME
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    labour = a_labour_line(shop, order["order_id"])
    for body in ({"status": "ordered"}, {"status": "ordered", "expected_on": "2026-11-29"},
                 {"status": "ordered", "expected_on": "12/9"}, {"status": "lost"}):
        answer = supply(shop, order["order_id"], pads["line_id"], **body)
        assert answer.status == 422, (body, answer.body)
    assert supply(shop, order["order_id"], labour["line_id"], status="to_order").status == 409
    today = supply(shop, order["order_id"], pads["line_id"], status="ordered",
                   expected_on="2026-11-30", supplier="和泰")
    assert today.status == 200, today.body


def test_the_header_s_parts_wait_follows_the_lines_onto_the_board_and_the_page(shop, clock):
    clock.value = DAYTIME
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    wipers, _ = a_pad_line(shop, order["order_id"])
    ordered = supply(shop, order["order_id"], pads["line_id"], status="ordered",
                     supplier="和泰汽車", expected_on="2026-12-09").body
    assert line_in(ordered, pads["line_id"])["supply"] == {
        "status": "ordered", "supplier": "和泰汽車", "expected_on": "2026-12-09"}
    assert ordered["parts_wait"] == {"lines": 2, "expected_on": "2026-12-09"}
    later = supply(shop, order["order_id"], wipers["line_id"], status="ordered",
                   expected_on="2026-12-11").body
    assert later["parts_wait"] == {"lines": 2, "expected_on": "2026-12-11"}
    card = next(card for cards in shop.advisor.get("/api/board").body["columns"].values()
                for card in cards if card["order_id"] == order["order_id"])
    assert card["parts_wait"] == {"lines": 2, "expected_on": "2026-12-11"}
    shown = page(shop, link_path(shop, order["order_id"]))
    assert "等待零件，預計 <b>12/11</b> 到貨" in shown and "expected 12/11" in shown
    arrived = supply(shop, order["order_id"], wipers["line_id"], status="arrived").body
    assert arrived["parts_wait"] == {"lines": 1, "expected_on": "2026-12-09"}
    assert "expected_on" not in line_in(arrived, wipers["line_id"])["supply"]
    done = supply(shop, order["order_id"], pads["line_id"], status="arrived").body
    assert "parts_wait" not in done
    assert "等待零件" not in page(shop, link_path(shop, order["order_id"]))


# --- the message when a date is set ---

def line_records(order_id):
    """The order's line records as Lambda would hand them over, read from the real stream."""
    streams, table = aws.client("dynamodbstreams"), aws.table().name
    arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            got = streams.get_records(ShardIterator=iterator, Limit=1000)
            found += [record for record in got["Records"]
                      if record["dynamodb"]["Keys"]["pk"]["S"].endswith(f"#ORDER#{order_id}")
                      and record["dynamodb"]["Keys"]["sk"]["S"].startswith("LINE#")]
            iterator = got.get("NextShardIterator") if got["Records"] else None
    return [lambda_record(record, arn, "ap-northeast-1") for record in found]


def handle(records):
    assert api.on_change({"Records": records}, None) == {"batchItemFailures": []}


def parts_messages(shop, order_id):
    """The parts messages under the order, as stored (their text too)."""
    return {message["message_id"]: message for message in models.Message.items(
        models.order_pk(shop.shop_id, order_id),
        models.Message.sk.startswith(f"{models.MESSAGE_PREFIX}parts:"), consistent_read=True)}


def test_an_expected_date_tells_the_customer_once_and_a_new_date_again(shop, clock):
    clock.value = DAYTIME
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    supply(shop, order["order_id"], pads["line_id"], status="to_order", supplier="和泰")
    supply(shop, order["order_id"], pads["line_id"], status="ordered", expected_on="2026-12-09")
    records = line_records(order["order_id"])
    handle(records)
    handle(records)  # handed over again: told once
    sent = parts_messages(shop, order["order_id"])
    assert len(sent) == 1, sent
    (message,) = sent.values()
    assert message["state"] == "sent" and "零件" in message["text"] and "12/9 到貨" in message["text"]
    assert "/t/" in message["text"] and order["vehicle"]["plate"] not in message["text"]
    supply(shop, order["order_id"], pads["line_id"], status="ordered", supplier="和泰汽車",
           expected_on="2026-12-09")  # the supplier's name, the same date: nothing new to say
    supply(shop, order["order_id"], pads["line_id"], status="ordered", expected_on="2026-12-12")
    records = line_records(order["order_id"])
    handle(records)
    handle(records)
    texts = sorted(message["text"] for message in parts_messages(shop, order["order_id"]).values())
    assert len(texts) == 2 and "12/12 到貨" in texts[0] + texts[1], texts


def test_quiet_hours_hold_the_expected_date_until_the_morning(shop, clock):
    clock.value = NIGHT
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    supply(shop, order["order_id"], pads["line_id"], status="ordered", expected_on="2026-12-09")
    handle(line_records(order["order_id"]))
    (queued,) = parts_messages(shop, order["order_id"]).values()
    assert queued["state"] == "queued" and queued["not_before"] == "2026-11-30T00:00:00.000Z"
    assert notify.send_due(datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)) == 1
    (sent,) = parts_messages(shop, order["order_id"]).values()
    assert sent["state"] == "sent"


def test_another_shop_cannot_choose_or_set_the_status_of_a_line(shop, chalice_client):
    order = an_order(shop)
    pads, _ = a_pad_line(shop, order["order_id"])
    other = a_shop(chalice_client, name="別家保養廠")
    base = f"/api/orders/{order['order_id']}/lines/{pads['line_id']}"
    assert other.advisor.post(f"{base}/choice", {"option": 1}).status == 404
    assert other.advisor.post(f"{base}/supply", {"status": "arrived"}).status == 404
    line = line_in(shop.advisor.get(f"/api/orders/{order['order_id']}").body, pads["line_id"])
    assert line["grade"] == "oem" and line["supply"] == {"status": "to_order"}


# --- the grade on paper ---

def pdf_text(link, tmp_path):
    with urllib.request.urlopen(link["url"]) as response:
        data = response.read()
    file = tmp_path / f"{new_id('pdf')}.pdf"
    file.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(file), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_estimate_authorization_and_checkout_list_print_the_grade(shop, tmp_path):
    order = an_order(shop)
    a_pad_line(shop, order["order_id"])
    authorization = shop.advisor.get(
        f"/api/orders/{order['order_id']}/documents/authorization/pdf").body
    assert "正廠 OEM · TOYOTA" in pdf_text(authorization, tmp_path)
    order = walked_to(shop, shop.advisor.get(f"/api/orders/{order['order_id']}").body,
                      "in_progress")
    added, _ = a_pad_line(shop, order["order_id"])
    shop.advisor.post(f"/api/orders/{order['order_id']}/lines/{added['line_id']}/choice",
                      {"option": 1})
    estimate = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/estimate/pdf").body
    assert "副廠 Aftermarket · BREMBO" in pdf_text(estimate, tmp_path)
    checkout = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/checkout/pdf").body
    text = pdf_text(checkout, tmp_path)
    assert "正廠 OEM" in text and "副廠 Aftermarket" in text
