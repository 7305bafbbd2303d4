"""LINE both ways, against the local LINE stand-in (devstack/line_standin.py): LINE's webhook
(signed, each event once, standby ignored, strangers kept out), the customer's conversation
and the shop's inbox, and the advisor's reply pushed to LINE once per client id."""
from __future__ import annotations

import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import models
from chalicelib.core import aws
from chalicelib.outward.notify import chat
from chalicelib.records import customers
from devstack.line_standin import LineStandin
from tests.builders import a_customer_and_vehicle, new_id

LINE_TOKEN = "line-token-for-tests"
LINE_SECRET = "line-secret-for-tests"


@pytest.fixture
def line(app_env, monkeypatch, tmp_path):
    """LINE's API played by the stand-in, with the channel's secrets in the secrets folder."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    (secrets_dir / "line__channel-access-token").write_text(LINE_TOKEN)
    (secrets_dir / "line__channel-secret").write_text(LINE_SECRET)
    standin = LineStandin("http://127.0.0.1:9/unused", LINE_SECRET).start()
    monkeypatch.setenv("SL_LINE_API", standin.url)
    aws.reset()
    yield standin
    standin.stop()


def webhook(shop, line, body, signature=None):
    return shop.anonymous.post("/api/line/webhook", raw=body,
                               headers={"x-line-signature": signature or line.signature(body)})


def a_linked_customer(shop, user_id=None):
    customer, _ = a_customer_and_vehicle(shop)
    user_id = user_id or f"U{uuid.uuid4().hex}"
    assert customers.link_line(shop.shop_id, customer["customer_id"], user_id)
    return customer, user_id


def chat_items(shop, customer_id):
    return list(models.ChatMessage.items(models.customer_key(shop.shop_id, customer_id)["pk"],
                                         models.ChatMessage.sk.startswith(models.CHAT_PREFIX)))


# --- the webhook ---

def test_a_linked_customer_s_text_joins_their_conversation_and_the_shop_s_inbox(line, shop):
    customer, user_id = a_linked_customer(shop)
    answer = webhook(shop, line, line.body(line.event("請問我的車好了嗎？", user_id)))
    assert answer.status == 200 and answer.body["stored"] == 1
    path = f"/api/customers/{customer['customer_id']}/conversation"
    shown = shop.advisor.get(path)
    assert shown.status == 200
    assert [(m["direction"], m["text"]) for m in shown.body["messages"]] == [
        ("in", "請問我的車好了嗎？")]
    assert shown.body["unread"] == 1 and shown.body["linked"] is True
    inbox = shop.advisor.get("/api/inbox")
    assert inbox.body["unread"] == 1
    (entry,) = inbox.body["conversations"]
    assert (entry["customer_id"], entry["name"], entry["last_text"]) == (
        customer["customer_id"], "林美玲", "請問我的車好了嗎？")
    assert shop.advisor.get(path).body["unread"] == 1  # reading marks nothing
    read = shop.advisor.post(f"{path}/read")
    assert read.status == 200 and read.body["unread"] == 0
    assert shop.advisor.get("/api/inbox").body == {"conversations": [], "unread": 0}


def test_a_sticker_or_an_image_is_kept_as_a_placeholder_without_its_content(line, shop):
    customer, user_id = a_linked_customer(shop)
    body = line.body(line.event(user_id=user_id, message_type="sticker"),
                     line.event(user_id=user_id, message_type="image"))
    assert webhook(shop, line, body).body["stored"] == 2
    kept = chat_items(shop, customer["customer_id"])
    assert sorted((item["kind"], item["text"]) for item in kept) == [
        ("image", "傳送了圖片"), ("sticker", "傳送了貼圖")]
    assert shop.advisor.get("/api/inbox").body["unread"] == 2
    assert line.sent("/v2/bot/message/push") == []  # nothing fetched, nothing answered


def test_a_wrong_signature_is_refused_and_nothing_is_stored(line, shop):
    customer, user_id = a_linked_customer(shop)
    body = line.body(line.event("你好", user_id))
    forged = webhook(shop, line, body, signature=line.signature(body, "not the secret"))
    assert forged.status == 401
    unsigned = shop.anonymous.post("/api/line/webhook", raw=body)
    assert unsigned.status == 401
    assert chat_items(shop, customer["customer_id"]) == []
    assert shop.advisor.get("/api/inbox").body["unread"] == 0


def test_a_redelivered_event_is_kept_once(line, shop):
    customer, user_id = a_linked_customer(shop)
    event = line.event("明天幾點可以來拿？", user_id)
    first = webhook(shop, line, line.body(event))
    again = webhook(shop, line, line.body({**event, "deliveryContext": {"isRedelivery": True}}))
    assert (first.status, again.status) == (200, 200)
    assert (first.body["stored"], again.body["repeated"]) == (1, 1)
    assert len(chat_items(shop, customer["customer_id"])) == 1
    assert shop.advisor.get("/api/inbox").body["unread"] == 1


def test_one_event_delivered_many_times_at_once_is_kept_once(line, shop):
    customer, user_id = a_linked_customer(shop)
    body = line.body(line.event("同時送達", user_id))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: webhook(shop, line, body), range(8)))
    assert [answer.status for answer in answers] == [200] * 8
    assert sum(answer.body["stored"] for answer in answers) == 1
    assert sum(answer.body["repeated"] for answer in answers) == 7
    assert len(chat_items(shop, customer["customer_id"])) == 1
    assert shop.advisor.get("/api/inbox").body["unread"] == 1


def test_messages_of_many_events_at_once_are_each_counted_unread(line, shop):
    customer, user_id = a_linked_customer(shop)
    bodies = [line.body(line.event(f"第 {n} 則", user_id)) for n in range(10)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda body: webhook(shop, line, body), bodies))
    assert all(answer.status == 200 for answer in answers)
    assert len(chat_items(shop, customer["customer_id"])) == 10
    assert shop.advisor.get("/api/inbox").body["unread"] == 10


def test_a_standby_event_is_ignored(line, shop):
    customer, user_id = a_linked_customer(shop)
    answer = webhook(shop, line, line.body(line.event("待命中", user_id, mode="standby")))
    assert answer.status == 200 and answer.body["stored"] == 0
    assert chat_items(shop, customer["customer_id"]) == []


def test_an_event_type_new_to_us_is_answered_200(line, shop):
    _, user_id = a_linked_customer(shop)
    event = {**line.event(user_id=user_id, kind="membership"),
             "membership": {"type": "joined", "membershipId": 1}}
    unknown = {**line.event(user_id=user_id, kind="somethingLineAddsNextYear")}
    answer = webhook(shop, line, line.body(event, unknown))
    assert answer.status == 200 and answer.body["stored"] == 0


def test_a_stranger_s_message_is_counted_and_nothing_of_it_kept(line, shop):
    stranger = f"U{uuid.uuid4().hex}"
    before = models.LineStrangers.read(models.LineStrangers.key(
        chat.clock.now_iso()[:10]), consistent=True)
    answer = webhook(shop, line, line.body(line.event("我是陌生人 0912345678", stranger)))
    assert answer.status == 200 and answer.body["stored"] == 0
    after = models.LineStrangers.read(models.LineStrangers.key(
        chat.clock.now_iso()[:10]), consistent=True)
    assert after["messages"] == (before["messages"] if before else 0) + 1
    scanned = json.dumps(aws.client("dynamodb").scan(TableName=app_table_name())["Items"],
                         ensure_ascii=False)
    assert stranger not in scanned and "我是陌生人" not in scanned
    assert line.sent() == []  # answered nothing


def app_table_name():
    from chalicelib.core.config import settings

    return settings().table_name


def test_a_link_code_from_a_stranger_still_links_them(line, shop):
    customer, _ = a_customer_and_vehicle(shop)
    link = shop.advisor.get(f"/api/customers/{customer['customer_id']}/line-link")
    user_id = f"U{uuid.uuid4().hex}"
    answer = webhook(shop, line, line.body(line.event(f"綁定通知 {link.body['code']}", user_id)))
    assert answer.status == 200 and answer.body["linked"] == 1
    assert customers.get_customer(shop.shop_id, customer["customer_id"])["line_user_id"] \
        == user_id
    webhook(shop, line, line.body(line.event("綁好了", user_id)))
    assert [item["text"] for item in chat_items(shop, customer["customer_id"])] == ["綁好了"]


def test_a_user_linked_at_two_shops_reaches_the_one_linked_last(line, shop, chalice_client):
    from tests.builders import a_shop

    other = a_shop(chalice_client, name="第二家")
    user_id = f"U{uuid.uuid4().hex}"
    first, _ = a_linked_customer(shop, user_id)
    second, _ = a_linked_customer(other, user_id)
    webhook(shop, line, line.body(line.event("找第二家", user_id)))
    assert chat_items(shop, first["customer_id"]) == []
    assert [item["text"] for item in chat_items(other, second["customer_id"])] == ["找第二家"]
    assert shop.advisor.get("/api/inbox").body["unread"] == 0


def test_unfollow_and_follow_are_shown_on_the_customer(line, shop):
    customer, user_id = a_linked_customer(shop)
    webhook(shop, line, line.body(line.event(user_id=user_id, kind="unfollow")))
    path = f"/api/customers/{customer['customer_id']}"
    assert "line_blocked_at" in shop.advisor.get(path).body
    assert shop.advisor.get(f"{path}/conversation").body["blocked"] is True
    webhook(shop, line, line.body(line.event(user_id=user_id, kind="follow")))
    assert "line_blocked_at" not in shop.advisor.get(path).body


# --- the advisor's reply ---

def test_the_advisor_s_reply_is_pushed_to_line_once_with_a_retry_key(line, shop):
    customer, user_id = a_linked_customer(shop)
    path = f"/api/customers/{customer['customer_id']}/conversation"
    body = {"client_id": new_id("reply"), "text": "您好，車子下午四點可以取車。"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: shop.advisor.post(path, body), range(4)))
    assert {answer.status for answer in answers} <= {201, 409}, [a.body for a in answers]
    assert any(answer.status == 201 for answer in answers)
    again = shop.advisor.post(path, body)
    assert again.status == 201 and again.body["state"] == "sent"
    (pushed,) = line.sent()
    assert pushed["json"] == {"to": user_id, "messages": [
        {"type": "text", "text": "您好，車子下午四點可以取車。"}]} or \
        pushed["json"]["messages"][0]["text"] == "您好，車子下午四點可以取車。"
    assert pushed["json"]["to"] == user_id
    assert pushed["headers"]["authorization"] == f"Bearer {LINE_TOKEN}"
    assert str(uuid.UUID(pushed["headers"]["x-line-retry-key"])) == chat.retry_key(
        shop.shop_id, customer["customer_id"], body["client_id"])
    shown = shop.advisor.get(path).body["messages"]
    assert [(m["direction"], m["state"], m["text"]) for m in shown] == [
        ("out", "sent", "您好，車子下午四點可以取車。")]
    assert shown[0]["by"]["name"]  # who replied


def test_a_reply_line_refuses_is_kept_as_failed_with_the_reason(line, shop):
    customer, _ = a_linked_customer(shop)
    line.scripts["/v2/bot/message/push"] = [400]
    path = f"/api/customers/{customer['customer_id']}/conversation"
    body = {"client_id": new_id("reply"), "text": "收到"}
    answer = shop.advisor.post(path, body)
    assert answer.status == 502 and answer.error == "line_failed"
    assert "LINE 400" in answer.body["error"]["message"]
    (kept,) = shop.advisor.get(path).body["messages"]
    assert kept["state"] == "failed" and "LINE 400" in kept["error"]
    assert shop.advisor.post(path, body).status == 502  # the same reply: not sent again


def test_a_reply_to_a_customer_without_line_is_refused_and_not_kept(line, shop):
    customer, _ = a_customer_and_vehicle(shop)
    path = f"/api/customers/{customer['customer_id']}/conversation"
    answer = shop.advisor.post(path, {"client_id": new_id("reply"), "text": "您好"})
    assert answer.status == 409 and answer.error == "line_not_linked"
    assert shop.advisor.get(path).body["messages"] == []
    assert line.sent() == []


@pytest.mark.parametrize("text", ["", "   ", "字" * 1001])
def test_a_reply_is_1_to_1000_characters(line, shop, text):
    customer, _ = a_linked_customer(shop)
    answer = shop.advisor.post(f"/api/customers/{customer['customer_id']}/conversation",
                               {"client_id": new_id("reply"), "text": text})
    assert answer.status == 422


def test_quiet_hours_do_not_hold_a_reply(line, shop, clock):
    from datetime import datetime, timezone

    clock.value = datetime(2026, 11, 29, 14, 30, tzinfo=timezone.utc)  # 22:30 in Taipei
    customer, _ = a_linked_customer(shop)
    answer = shop.advisor.post(f"/api/customers/{customer['customer_id']}/conversation",
                               {"client_id": new_id("reply"), "text": "明早九點見"})
    assert answer.status == 201 and answer.body["state"] == "sent"
    assert len(line.sent()) == 1


def test_only_the_front_desk_talks_with_customers(line, shop):
    customer, _ = a_linked_customer(shop)
    path = f"/api/customers/{customer['customer_id']}/conversation"
    assert shop.technician.get(path).status == 403
    assert shop.technician.get("/api/inbox").status == 403
    assert shop.advisor.get("/api/customers/nobody-1234/conversation").status == 404


def test_erasing_the_customer_removes_their_conversation(line, shop):
    customer, user_id = a_linked_customer(shop)
    webhook(shop, line, line.body(line.event("請刪除我的資料", user_id)))
    from chalicelib.after import portability
    from chalicelib.api import Caller

    owner = Caller(shop_id=shop.shop_id, staff_id="owner", role="owner", name="老闆")
    erased = portability.erase(owner, customer["customer_id"])
    assert erased["counts"]["messages"] == 1
    assert chat_items(shop, customer["customer_id"]) == []
    assert shop.owner.get("/api/inbox").body["unread"] == 0
    assert list(models.LineUser.items(models.line_user_pk(user_id))) == []


# --- the rich menu ---

def test_the_rich_menu_command_sets_a_three_button_menu_as_the_default(line):
    import io
    import subprocess
    import sys

    from PIL import Image

    done = subprocess.run(
        [sys.executable, "-m", "devstack", "line-rich-menu", "--booking-url",
         "https://shop.example.tw/b/SHUNAN"], env={**os.environ, "SL_STAGE": "local"},
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (made,) = line.sent("/v2/bot/richmenu")
    menu = made["json"]
    assert menu["size"] == {"width": 2500, "height": 843}
    assert [area["action"] for area in menu["areas"]] == [
        {"type": "uri", "label": "預約", "uri": "https://shop.example.tw/b/SHUNAN"},
        {"type": "message", "label": "我的車進度", "text": "我的車進度"},
        {"type": "message", "label": "保養紀錄", "text": "保養紀錄"}]
    assert sum(area["bounds"]["width"] for area in menu["areas"]) <= 2500
    uploads = [r for r in line.requests if r["path"].endswith("/content")]
    (upload,) = uploads
    assert upload["headers"]["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(upload["body"]))
    assert picture.size == (2500, 843)
    menu_id = upload["path"].split("/")[4]
    assert line.sent(f"/v2/bot/user/all/richmenu/{menu_id}")
    assert menu_id in done.stdout


def test_the_menu_s_progress_button_is_answered_with_the_open_order_s_link(line, shop):
    from tests.builders import an_order

    order = an_order(shop)
    user_id = f"U{uuid.uuid4().hex}"
    assert customers.link_line(shop.shop_id, order["customer"]["customer_id"], user_id)
    answer = webhook(shop, line, line.body(line.event("我的車進度", user_id)))
    assert answer.status == 200 and answer.body["stored"] == 1
    (replied,) = line.sent("/v2/bot/message/reply")
    text = replied["json"]["messages"][0]["text"]
    assert order["vehicle"]["plate"] in text and "已接車" in text and "/t/" in text
    webhook(shop, line, line.body(line.event("保養紀錄", user_id)))
    assert line.sent("/v2/bot/message/reply")[1]["json"]["messages"][0]["text"] == \
        "還沒有在本店的保養紀錄。"


# --- the link code without a caller, and the stand-in's checks ---

def test_a_link_code_is_made_for_a_shop_s_customer_without_a_signed_in_caller(line, shop):
    from chalicelib.outward.notify import link_code

    customer, _ = a_customer_and_vehicle(shop)
    made = link_code(shop.shop_id, customer["customer_id"], {"customer": True})
    assert set(made) == {"code", "url", "qr_svg", "expires_at"}
    stored = models.LineLink.read(models.LineLink.key(made["code"]))
    assert (stored["shop_id"], stored["customer_id"], stored["created_by"]) == (
        shop.shop_id, customer["customer_id"], {"customer": True})
    # The front desk's QR is only for the shop's own customers (link_code trusts its caller).
    assert shop.advisor.get("/api/customers/nobody-1234/line-link").status == 404


def test_the_stand_in_refuses_what_line_would_refuse():
    from devstack.line_standin import check

    headers = {"authorization": "Bearer t", "x-line-retry-key": str(uuid.uuid4())}

    def push(body, sent_headers=headers):
        return check("/v2/bot/message/push", sent_headers,
                     json.dumps(body, ensure_ascii=False).encode())

    assert push({"to": "U1", "messages": [{"type": "text", "text": "您好"}]}) is None
    assert "to" in push({"messages": [{"type": "text", "text": "您好"}]})
    # 2,501 characters outside the BMP are 5,002 UTF-16 units: over LINE's limit
    assert "5000" in push({"to": "U1", "messages": [{"type": "text", "text": "𠀋" * 2501}]})
    assert push({"to": "U1", "messages": []}) is not None
    assert push({"to": "U1", "messages": [{"type": "text", "text": "x"}]},
                {**headers, "x-line-retry-key": "not-a-uuid"}) is not None
    assert push({"to": "U1", "messages": [{"type": "text", "text": "x"}]},
                {"x-line-retry-key": str(uuid.uuid4())}) == "no channel access token"
