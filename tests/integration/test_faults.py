"""Faults survived: a throttled, failing or silent DynamoDB (or S3) never doubles a record, never
refuses falsely, never loses a customer's message, never answers a bare 500.

The app is pointed at the project's own fault-injecting proxy (devstack/faults.py) in front of
DynamoDB Local and s3rver; each test aims one kind of fault at one write and asserts what the
person sees and what is stored.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from boto3.dynamodb.conditions import Key

from chalicelib import models
from chalicelib.core import aws
from chalicelib.outward.notify import delivery, outbox
from chalicelib.work import orders
from devstack.faults import Faults
from tests.builders import a_customer_and_vehicle, a_signature, add_lines, an_order, new_id


@pytest.fixture
def faults(shop, monkeypatch):
    """The shop built on the engines themselves; from here on the app goes through the proxies
    (`faults.dynamodb`, `faults.s3`)."""
    import os

    dynamodb, s3 = Faults(os.environ["SL_DDB_ENDPOINT"]), Faults(os.environ["SL_S3_ENDPOINT"])
    monkeypatch.setenv("SL_DDB_ENDPOINT", dynamodb.url)
    monkeypatch.setenv("SL_S3_ENDPOINT", s3.url)
    aws.reset()

    yield SimpleNamespace(dynamodb=dynamodb, s3=s3)
    monkeypatch.undo()
    aws.reset()
    dynamodb.stop()
    s3.stop()


def _readings(shop, vehicle_id):
    return [item for item in aws.query_all(KeyConditionExpression=Key("pk").eq(
        models.vehicle_key(shop.shop_id, vehicle_id)["pk"]))
        if item.get("type") == "mileage"]


def _no_bare_500(answer):
    assert answer.status != 500, answer.body
    if answer.status >= 400:
        assert set(answer.body["error"]) == {"code", "message"}, answer.body


def test_an_order_whose_answer_is_lost_is_opened_once_with_one_reading(shop, faults):
    customer, vehicle = a_customer_and_vehicle(shop)
    body = {"order_id": new_id("order"), "customer_id": customer["customer_id"],
            "vehicle_id": vehicle["vehicle_id"], "concerns": ["異音"], "mileage_km": 52_000}
    faults.dynamodb.add("lost", "TransactWriteItems", contains=body["order_id"])
    first = shop.advisor.post("/api/orders", body)
    again = shop.advisor.post("/api/orders", body)  # the tablet's queue sends it again
    assert faults.dynamodb.log == [("TransactWriteItems", "lost")]
    assert (first.status, again.status) == (201, 201), (first.body, again.body)
    assert first.body["number"] == again.body["number"]
    assert [item["km"] for item in _readings(shop, vehicle["vehicle_id"])] == [52_000]
    following = an_order(shop)  # no number used up in between
    assert int(following["number"].split("-")[-1]) == int(first.body["number"].split("-")[-1]) + 1


def test_a_transaction_conflict_is_sent_again_not_refused_as_a_taken_plate(shop, faults):
    customer, _ = a_customer_and_vehicle(shop)
    body = {"vehicle_id": new_id("veh"), "plate": "FLT-" + new_id("")[-4:].upper(),
            "make": "Toyota", "model": "Yaris", "year": 2020, "fuel": "gasoline",
            "customer_id": customer["customer_id"], "mileage_km": 1200}
    faults.dynamodb.add("conflict", "TransactWriteItems", contains=body["vehicle_id"], times=2)
    answer = shop.advisor.post("/api/vehicles", body)
    assert answer.status == 201, answer.body
    assert [kind for _, kind in faults.dynamodb.log] == ["conflict", "conflict"]
    assert shop.advisor.get(f"/api/vehicles/{body['vehicle_id']}").status == 200


def test_conflicts_that_go_on_are_a_503_with_retry_after_never_a_409(shop, faults):
    order = an_order(shop)
    faults.dynamodb.add("conflict", "TransactWriteItems", times=1000)
    patched = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "mileage_km", "value": 89_032, "changed_at": "2026-12-06T10:00:00+08:00"}]})
    assert patched.status == 503, patched.body
    assert patched.error == "busy" and patched.headers["Retry-After"] == "1"
    faults.dynamodb.clear()
    again = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "mileage_km", "value": 89_032, "changed_at": "2026-12-06T10:00:00+08:00"}]})
    assert again.status == 200, again.body


@pytest.mark.parametrize("kind", ["throttle", "internal", "unavailable"])
def test_a_failing_table_is_a_503_with_retry_after_in_both_languages(shop, faults, kind):
    faults.dynamodb.add(kind, times=1000)
    answer = shop.advisor.get("/api/customers?phone=0912")
    _no_bare_500(answer)
    assert answer.status == 503 and answer.error == "unavailable"
    assert answer.headers["Retry-After"] == "2"
    assert "稍後" in answer.body["error"]["message"]
    english = shop.advisor.request("GET", "/api/customers?phone=0912",
                                   headers={"accept-language": "en"})
    assert english.status == 503 and "shortly" in english.body["error"]["message"]


def test_a_lost_answer_to_storing_the_approval_code_still_texts_it_once(shop, faults):
    from tests.integration.test_links import _estimate_waiting

    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    faults.dynamodb.clear()
    order, path, _, body = _estimate_waiting(shop, [500])
    faults.dynamodb.add("lost", "PutItem", contains='"approval_code"')
    sent = shop.anonymous.post(path + "/code", {})
    assert faults.dynamodb.log == [("PutItem", "lost")]
    assert sent.status == 200, sent.body
    texts = [item for item in outbox.recent() if item["order_id"] == order["order_id"]
             and item["step"] == "approval_code"]
    assert len(texts) == 1
    too_soon = shop.anonymous.post(path + "/code", {})
    assert too_soon.status == 429 and int(too_soon.headers["Retry-After"]) > 0
    message = too_soon.body["error"]["message"]
    assert "確認碼剛剛已傳送" in message and "A code was just sent" in message
    code = texts[0]["text"].split("確認碼 ", 1)[1][:6]
    # The approval and the code's end in one transaction, its answer lost: stored once.
    faults.dynamodb.add("lost", "TransactWriteItems", contains="APPROVALCODE")
    signed = shop.anonymous.post(path + "/signatures", {**body, "code": code})
    assert faults.dynamodb.log[-1] == ("TransactWriteItems", "lost")
    assert signed.status == 200, signed.body
    replayed = shop.anonymous.post(path + "/signatures", {**body, "code": code})
    assert replayed.status == 200 and replayed.body == signed.body
    stored = orders.load(shop.shop_id, order["order_id"])
    assert [item["signature_id"] for item in stored["signatures"]
            if item["kind"] == "estimate"] == [body["signature_id"]]
    assert aws.table().get_item(Key=models.ApprovalCode.key(
        shop.shop_id, order["order_id"]), ConsistentRead=True).get("Item") is None


def test_a_signed_pdf_whose_mark_was_lost_is_not_drawn_again(shop, faults):
    order = an_order(shop)
    order = add_lines(shop, order["order_id"])
    faults.dynamodb.add("unavailable", "UpdateItem", contains="pdf_at", times=1000)
    signature = a_signature(shop, order["order_id"], "authorization")
    faults.dynamodb.clear()
    stored = orders.load(shop.shop_id, order["order_id"])
    assert not stored["signatures"][-1].get("pdf_at")  # the mark did not land
    puts_before = sum(1 for operation, _ in faults.s3.seen if operation == "PUT")
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/signatures/"
                            f"{signature['signature_id']}/pdf")
    assert link.status == 200, link.body
    assert sum(1 for operation, _ in faults.s3.seen if operation == "PUT") == puts_before
    assert orders.load(shop.shop_id, order["order_id"])["signatures"][-1].get("pdf_at")


def test_a_message_whose_idempotency_record_answer_was_lost_is_sent_once(shop, faults,
                                                                         monkeypatch):
    monkeypatch.setattr(delivery, "SEND_WINDOW_SECONDS", 2)
    order = an_order(shop)
    customer = {"customer_id": new_id("cus"), "shop_id": shop.shop_id, "channel": "sms",
                "mobile": "+886912345678"}
    faults.dynamodb.add("lost", "PutItem", contains="IDEMPOTENCY#notify")
    args = (shop.shop_id, order["order_id"], "ready", "您的車已經可以取車了。", customer,
            {"fallback_channels": ["sms"]})
    first = delivery.deliver(*args)
    again = delivery.deliver(*args)  # the stream record handed over again
    assert faults.dynamodb.log == [("PutItem", "lost")]
    assert [result["state"] for result in first] == ["sent"]
    assert again == first
    texts = [item for item in outbox.recent() if item["order_id"] == order["order_id"]
             and item["step"] == "ready"]
    assert len(texts) == 1


def test_a_refresh_whose_answer_was_lost_keeps_the_advisor_signed_in(shop, faults):
    from tests.integration.test_auth import login_of, sign_in

    session = sign_in(shop, login_of(shop, "advisor")).body
    faults.dynamodb.add("lost", "UpdateItem", contains="REFRESH")
    refreshed = shop.anonymous.post("/api/auth/refresh",
                                    {"refresh_token": session["refresh_token"]})
    assert faults.dynamodb.log == [("UpdateItem", "lost")]
    assert refreshed.status == 200, refreshed.body  # the SDK's retry is not a reuse
    again = shop.anonymous.post("/api/auth/refresh",  # nor the tablet's own
                                {"refresh_token": session["refresh_token"]})
    assert again.status == 200 and again.body["refresh_token"] == refreshed.body["refresh_token"]
    onward = shop.anonymous.post("/api/auth/refresh",
                                 {"refresh_token": refreshed.body["refresh_token"]})
    assert onward.status == 200, onward.body


def test_the_customers_page_is_a_503_page_when_the_table_fails(shop, faults):
    from tests.integration.test_links import link_of, page, path_of

    order = an_order(shop)
    path = path_of(link_of(shop, order["order_id"])["url"])
    faults.dynamodb.add("internal", times=1000)
    answer = page(shop, path)
    assert answer.status == 503 and answer.headers["Retry-After"] == "2"
    assert "系統暫時忙碌" in answer.body and "Busy for a moment" in answer.body
