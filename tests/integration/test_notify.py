"""Notifications: each channel adapter against a local server playing the provider's API, and an
order's state change, read back from the table's stream, telling the customer exactly once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from boto3.dynamodb.conditions import Key

import app as api
from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import aws, pieces
from chalicelib.outward import notify
from chalicelib.records import customers
from chalicelib.outward.notify import base, delivery, email, line, sms, steps
from devstack.poller import Checkpoints, StreamPoller, lambda_record
from tests.builders import a_customer_and_vehicle, a_signature, an_added_line, an_order, new_id

LINE_TOKEN = "line-token-for-tests"
LINE_SECRET = "line-secret-for-tests"
DAYTIME = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)  # 11:00 in Taipei
NIGHT = datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc)  # 22:00 in Taipei


class Provider(BaseHTTPRequestHandler):
    """LINE's push API, SNS Publish and SES v2 SendEmail on one port; answers can be scripted."""

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        server = self.server
        if self.path == "/v2/bot/message/push":
            service = "line"
        elif self.path == "/v2/email/outbound-emails":
            service = "ses"
        else:
            service = "sns"
        with server.lock:
            server.requests.append({"service": service, "path": self.path,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": body})
            script = server.scripts.get(service) or []
            status = script.pop(0) if script else 200
        if status != 200:
            payload = {"message": "scripted failure"}
            if service == "sns":
                self._answer(status, "text/xml", b"<ErrorResponse><Error><Type>Receiver</Type>"
                             b"<Code>InternalError</Code><Message>scripted</Message></Error>"
                             b"</ErrorResponse>")
            else:
                self._answer(status, "application/json", json.dumps(payload).encode())
            return
        count = len(server.requests)
        if service == "line":
            self._answer(200, "application/json", json.dumps(
                {"sentMessages": [{"id": f"line-{count}", "quoteToken": "q"}]}).encode())
        elif service == "ses":
            self._answer(200, "application/json", json.dumps({"MessageId": f"ses-{count}"}).encode())
        else:
            self._answer(200, "text/xml", (
                '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
                f"<PublishResult><MessageId>sns-{count}</MessageId></PublishResult>"
                "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                "</PublishResponse>").encode())

    def _answer(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-line-request-id", "req-1")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    server.requests, server.scripts, server.lock = [], {}, threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.sent = lambda service=None: [r for r in server.requests
                                        if service in (None, r["service"])]
    yield server
    server.shutdown()


@pytest.fixture
def channels(app_env, provider, monkeypatch, tmp_path):
    """Every channel pointed at the local provider, with LINE's secrets in the secrets folder."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    (secrets_dir / "line__channel-access-token").write_text(LINE_TOKEN)
    (secrets_dir / "line__channel-secret").write_text(LINE_SECRET)
    for name, value in {"SL_SNS_ENDPOINT": provider.url, "SL_SES_ENDPOINT": provider.url,
                        "SL_LINE_API": provider.url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", 0.01)
    aws.reset()
    return provider


def a_message(channel, to, text="【順安】您的愛車 ABC-**34 已完成維修"):
    return base.Message(message_id=f"ready.{channel}", shop_id="s1", order_id="o1", step="ready",
                        channel=channel, to=to, text=text, subject="可以取車了",
                        retry_key="123e4567-e89b-12d3-a456-426614174000")


# --- each adapter against its provider ---

def test_line_pushes_with_the_channel_token_and_a_retry_key(channels):
    delivery = line.send(a_message("line", "U1234567890abcdef"))
    assert delivery.state == "sent" and delivery.provider_id == "line-1"
    (request,) = channels.sent("line")
    assert request["headers"]["authorization"] == f"Bearer {LINE_TOKEN}"
    assert request["headers"]["x-line-retry-key"] == "123e4567-e89b-12d3-a456-426614174000"
    assert json.loads(request["body"]) == {"to": "U1234567890abcdef", "messages": [
        {"type": "text", "text": "【順安】您的愛車 ABC-**34 已完成維修"}], "notificationDisabled": False}


def test_sms_is_an_sns_publish_signed_with_sigv4(channels):
    delivery = sms.send(a_message("sms", "+886912345678"))
    assert delivery.state == "sent" and delivery.provider_id == "sns-1"
    (request,) = channels.sent("sns")
    assert request["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert "/sns/aws4_request" in request["headers"]["authorization"]
    form = parse_qs(request["body"].decode())
    assert form["Action"] == ["Publish"] and form["PhoneNumber"] == ["+886912345678"]
    assert form["Message"] == ["【順安】您的愛車 ABC-**34 已完成維修"]
    assert any(value == ["Transactional"] for value in form.values())


def test_email_is_an_ses_v2_send_email_signed_with_sigv4(channels):
    delivery = email.send(a_message("email", "lin@example.tw"))
    assert delivery.state == "sent" and delivery.provider_id == "ses-1"
    (request,) = channels.sent("ses")
    assert request["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert "/ses/aws4_request" in request["headers"]["authorization"]
    sent = json.loads(request["body"])
    assert sent["Destination"] == {"ToAddresses": ["lin@example.tw"]}
    assert sent["Content"]["Simple"]["Body"]["Text"]["Data"].startswith("【順安】")
    assert sent["Content"]["Simple"]["Subject"]["Charset"] == "UTF-8"


def test_a_provider_error_is_a_failed_delivery_with_the_reason(channels):
    channels.scripts["line"] = [500]
    delivery = line.send(a_message("line", "U1"))
    assert delivery.state == "failed" and delivery.retryable and "500" in delivery.error
    channels.scripts["sns"] = [400]
    delivery = sms.send(a_message("sms", "+886912345678"))
    assert delivery.state == "failed" and "InternalError" in delivery.error


# --- from the table's stream to the customer ---

def stream_records(order_id):
    """The order header's records as Lambda would hand them over, read from the real stream."""
    return item_records(lambda pk, sk: pk.endswith(f"#ORDER#{order_id}") and sk == "ORDER")


def item_records(wanted):
    """The records of the items `wanted(pk, sk)` picks, in order, as Lambda would hand them
    over, read from the real stream."""
    streams, table = aws.client("dynamodbstreams"), aws.table().name
    arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            found += [r for r in page["Records"] if wanted(r["dynamodb"]["Keys"]["pk"]["S"],
                                                           r["dynamodb"]["Keys"]["sk"]["S"])]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return [lambda_record(r, arn, "ap-northeast-1") for r in found]


def handle(records):
    return api.on_change({"Records": records}, None)


def linked_customer_order(shop, state="checked_in", **customer_fields):
    order = an_order(shop, state=state)
    customer_id = order["customer"]["customer_id"]
    customers.link_line(shop.shop_id, customer_id, "U-line-user-1")
    if customer_fields:
        aws.table().update_item(
            Key=models.customer_key(shop.shop_id, customer_id),
            UpdateExpression="SET " + ", ".join(f"{k} = :{k}" for k in customer_fields),
            ExpressionAttributeValues={f":{k}": v for k, v in customer_fields.items()})
    return order


def messages(shop, order_id):
    return {m["message_id"]: m for m in notify.list_messages(shop.shop_id, order_id)}


def test_a_batch_delivered_twice_sends_one_message_per_channel(channels, shop, clock):
    order = linked_customer_order(shop)
    records = stream_records(order["order_id"])
    assert [r["eventName"] for r in records] == ["INSERT"]
    clock.value = DAYTIME
    assert handle(records) == {"batchItemFailures": []}
    assert handle(records) == {"batchItemFailures": []}  # the same batch, handed over again
    (push,) = channels.sent()
    assert push["service"] == "line"
    text = json.loads(push["body"])["messages"][0]["text"]
    plate = order["vehicle"]["plate"]
    assert "測試保養廠" in text and plate not in text and plate[-2:] in text
    assert "/t/" in text  # the customer's progress link
    sent = messages(shop, order["order_id"])
    assert sent["checked_in.line"]["state"] == "sent"
    assert set(sent) == {"checked_in.line"}


def test_what_was_sent_once_is_kept_under_the_order_not_a_key_every_shop_shares(channels, shop,
                                                                               clock):
    """Powertools' records, each message sent once, in a partition of the order's own: the
    sends of every shop on one key would pass DynamoDB's writes a partition takes."""
    first, second = linked_customer_order(shop), linked_customer_order(shop)
    clock.value = DAYTIME
    handle(stream_records(first["order_id"]) + stream_records(second["order_id"]))
    assert len(channels.sent("line")) == 2
    table = aws.table()
    for order in (first, second):
        records = table.query(KeyConditionExpression=Key("pk").eq(
            models.idempotency_pk(shop.shop_id, order["order_id"])))["Items"]
        assert [record["status"] for record in records] == ["COMPLETED"]
    assert table.query(KeyConditionExpression=Key("pk").eq("IDEMPOTENCY#notify"))["Items"] == []


def test_a_failing_channel_is_retried_recorded_and_the_next_channel_used(channels, shop, clock):
    order = linked_customer_order(shop, email="lin@example.tw")
    channels.scripts["line"] = [500, 500, 500]
    clock.value = DAYTIME
    records = stream_records(order["order_id"])
    handle(records)
    handle(records)
    assert [r["service"] for r in channels.sent()] == ["line", "line", "line", "sns"]
    sent = messages(shop, order["order_id"])
    assert sent["checked_in.line"]["state"] == "failed"
    assert "500" in sent["checked_in.line"]["error"] and sent["checked_in.line"]["tries"] == 3
    assert sent["checked_in.sms"]["state"] == "sent"
    from boto3.dynamodb.conditions import Key

    dead = aws.table().query(KeyConditionExpression=Key("pk").eq(
        f"{models.shop_pk(shop.shop_id)}#DEADLETTERS"))["Items"]
    assert [(d["message_id"], d["tries"]) for d in dead] == [("checked_in.line", 3)]


def test_every_notifying_step_of_an_order_sends_its_own_message(channels, shop, clock):
    order = linked_customer_order(shop, state="delivered")
    clock.value = DAYTIME
    handle(stream_records(order["order_id"]))
    steps = [m["message_id"] for m in notify.list_messages(shop.shop_id, order["order_id"])]
    assert sorted(steps) == ["checked_in.line", "delivered.line", "ready.line"]
    texts = [json.loads(r["body"])["messages"][0]["text"] for r in channels.sent("line")]
    assert any("可以取車" in text and "NT$" in text for text in texts)


def test_one_bad_record_does_not_block_or_repeat_the_others(channels, shop, clock, monkeypatch):
    good, bad = linked_customer_order(shop), linked_customer_order(shop)
    clock.value = DAYTIME
    real = notify.notify_step

    def breaks_on_bad(order, step):
        if order["order_id"] == bad["order_id"]:
            raise RuntimeError("table unavailable")
        return real(order, step)

    monkeypatch.setattr(steps, "notify_step", breaks_on_bad)  # the stream reaction's own
    records = stream_records(good["order_id"]) + stream_records(bad["order_id"])
    answer = handle(records)
    assert answer == {"batchItemFailures": [{"itemIdentifier":
                                             records[1]["dynamodb"]["SequenceNumber"]}]}
    monkeypatch.setattr(steps, "notify_step", real)
    handle(records[1:])  # the retry starts at the failed record
    assert len(channels.sent("line")) == 2


def test_quiet_hours_hold_a_message_until_the_morning(channels, shop, clock):
    order = linked_customer_order(shop)
    clock.value = NIGHT
    handle(stream_records(order["order_id"]))
    assert channels.sent() == []
    queued = messages(shop, order["order_id"])["checked_in.line"]
    assert queued["state"] == "queued" and queued["not_before"] == "2026-11-30T00:00:00.000Z"
    assert notify.send_due(datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc)) == 0
    assert notify.send_due(datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)) == 1
    assert notify.send_due(datetime(2026, 11, 30, 0, 5, tzinfo=timezone.utc)) == 0
    handle(stream_records(order["order_id"]))  # the change seen again in the morning
    assert len(channels.sent("line")) == 1
    assert messages(shop, order["order_id"])["checked_in.line"]["state"] == "sent"


def test_the_15_minute_schedule_sends_what_quiet_hours_held_back(channels, shop, clock,
                                                                  chalice_client):
    """The scheduled Lambda (app.send_queued_messages), as CloudWatch Events invokes it."""
    order = linked_customer_order(shop)
    clock.value = NIGHT
    handle(stream_records(order["order_id"]))
    event = chalice_client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    asked = chalice_client.lambda_.invoke("send_queued_messages", event).payload
    assert asked["pieces"] == models.SHARDS  # one piece per shard of shops
    pieces.wait()
    assert channels.sent("line") == []
    assert messages(shop, order["order_id"])["checked_in.line"]["state"] == "queued"
    clock.value = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # 08:00 in Taipei
    chalice_client.lambda_.invoke("send_queued_messages", event)
    pieces.wait()
    assert len(channels.sent("line")) == 1
    assert messages(shop, order["order_id"])["checked_in.line"]["state"] == "sent"


def test_a_shards_morning_queue_goes_on_in_the_next_piece_when_one_runs_out_of_time(
        channels, shop, clock, monkeypatch):
    """Three customers' messages held in one shop's shard; each piece has time for one."""
    from chalicelib.outward.notify import quiet_hours

    monkeypatch.setattr(quiet_hours, "PIECE_SECONDS", 0)
    orders = [linked_customer_order(shop) for _ in range(3)]
    clock.value = NIGHT
    for order in orders:
        handle(stream_records(order["order_id"]))
    clock.value = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
    first = quiet_hours.send_due_piece({"at": times.now_iso(),
                                        "shard": models.shard_of(shop.shop_id)})
    assert (first["taken"], first["continued"]) == (1, True)
    pieces.wait()  # the pieces it handed on to
    assert len(channels.sent("line")) == 3
    assert all(messages(shop, order["order_id"])["checked_in.line"]["state"] == "sent"
               for order in orders)


def test_an_urgent_step_is_sent_in_quiet_hours(channels, shop, clock):
    order = linked_customer_order(shop, state="awaiting_approval")
    clock.value = NIGHT
    handle(stream_records(order["order_id"]))
    sent = messages(shop, order["order_id"])
    assert sent["awaiting_approval.line"]["state"] == "sent"
    assert sent["checked_in.line"]["state"] == "queued"


def test_a_customer_who_wants_no_messages_gets_none(channels, shop, clock):
    order = linked_customer_order(shop, channel="none")
    clock.value = DAYTIME
    handle(stream_records(order["order_id"]))
    assert channels.sent() == [] and messages(shop, order["order_id"]) == {}


def test_the_shop_chooses_which_steps_notify_and_their_words(channels, shop, clock):
    changed = shop.owner.request("PATCH", "/api/shop/notification-settings", {
        "notify_steps": ["ready"], "templates": {"ready": "{shop}：{plate} 好了，{total} 元"}})
    assert changed.status == 200, changed.body
    refused = shop.owner.request("PATCH", "/api/shop/notification-settings", {
        "templates": {"ready": "{name} 您好"}})
    assert refused.status == 422
    order = linked_customer_order(shop, state="ready")
    clock.value = DAYTIME
    handle(stream_records(order["order_id"]))
    (push,) = channels.sent("line")
    assert json.loads(push["body"])["messages"][0]["text"].startswith("測試保養廠：")


def test_a_state_change_reaches_the_customer_through_the_stream_poller(channels, shop, clock,
                                                                       tmp_path):
    order = linked_customer_order(shop)
    clock.value = DAYTIME
    poller = StreamPoller(streams=aws.client("dynamodbstreams"), dynamodb=aws.client("dynamodb"),
                          table_name=aws.table().name, handler=api.on_change,
                          checkpoints=Checkpoints(tmp_path / "checkpoints.json"),
                          dead_letters=tmp_path / "dead", region="ap-northeast-1",
                          interval=0.05)
    thread = poller.start()
    try:
        deadline = time.monotonic() + 10
        while not channels.sent("line") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
        thread.join()
    (push,) = channels.sent("line")
    assert json.loads(push["body"])["to"] == "U-line-user-1"
    assert messages(shop, order["order_id"])["checked_in.line"]["state"] == "sent"


# --- a step the order reaches again: each time is a message of its own ---

def two_estimates(shop, clock, at, **customer_fields):
    order = linked_customer_order(shop, state="in_progress", **customer_fields)
    estimates_twice(shop, clock, at, order["order_id"])
    return order


def estimates_twice(shop, clock, at, order_id):
    """The work finds more twice: in_progress → awaiting_approval (an added line, which the
    customer approves and signs) → in_progress → awaiting_approval (another added line); each
    step a minute after the one before, from `at`."""
    minutes = iter(range(1, 10))

    def move(to):
        clock.value = at + timedelta(minutes=next(minutes))
        moved = shop.advisor.post(f"/api/orders/{order_id}/transitions",
                                  {"to": to, "client_id": new_id("step")})
        assert moved.status == 200, moved.body

    an_added_line(shop, order_id, "前煞車來令片", 2400)
    move("awaiting_approval")
    a_signature(shop, order_id, "estimate")
    move("in_progress")
    an_added_line(shop, order_id, "雨刷片", 600)
    move("awaiting_approval")


def text_of(request):
    """What a LINE push or an SNS Publish carried."""
    if request["service"] == "line":
        return json.loads(request["body"])["messages"][0]["text"]
    return parse_qs(request["body"].decode())["Message"][0]


def estimates_told(shop, order_id):
    return {m["message_id"]: m for m in notify.list_messages(shop.shop_id, order_id)
            if m["step"] == "awaiting_approval"}


@pytest.mark.parametrize("channel, service", [("line", "line"), ("sms", "sns")])
def test_a_second_estimate_is_announced_once_like_the_first(channels, shop, clock, channel,
                                                             service):
    order = two_estimates(shop, clock, DAYTIME, channel=channel)
    records = stream_records(order["order_id"])
    assert [r["dynamodb"]["NewImage"]["state"]["S"] for r in records].count(
        "awaiting_approval") >= 2
    assert handle(records) == {"batchItemFailures": []}
    told = estimates_told(shop, order["order_id"])
    assert set(told) == {f"awaiting_approval.{channel}", f"awaiting_approval.2.{channel}"}
    assert all(m["state"] == "sent" and m["tries"] == 1 for m in told.values())
    assert told[f"awaiting_approval.2.{channel}"]["occurrence"] == 2
    estimates = [r for r in channels.sent(service) if "追加" in text_of(r)]
    assert len(estimates) == 2
    if service == "line":  # LINE accepts a retry key once: the second estimate needs its own
        assert len({r["headers"]["x-line-retry-key"] for r in estimates}) == 2
    sent = len(channels.sent())
    assert handle(records) == {"batchItemFailures": []}  # the same batch, handed over again
    assert len(channels.sent()) == sent
    shown = [m["message_id"] for m in shop.advisor.get(
        f"/api/orders/{order['order_id']}/messages").body["messages"]
        if m["step"] == "awaiting_approval"]
    assert shown == [f"awaiting_approval.{channel}", f"awaiting_approval.2.{channel}"]


def test_quiet_hours_hold_both_estimates_and_the_morning_sends_both(channels, shop, clock):
    changed = shop.owner.request("PATCH", "/api/shop/notification-settings",
                                 {"urgent_steps": []})
    assert changed.status == 200, changed.body
    order = two_estimates(shop, clock, NIGHT)
    records = stream_records(order["order_id"])
    handle(records)
    assert channels.sent() == []
    told = estimates_told(shop, order["order_id"])
    assert {(m["message_id"], m["state"], m["not_before"]) for m in told.values()} == {
        ("awaiting_approval.line", "queued", "2026-11-30T00:00:00.000Z"),
        ("awaiting_approval.2.line", "queued", "2026-11-30T00:00:00.000Z")}
    handle(records)  # seen again before the morning: nothing more queued
    morning = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
    assert notify.send_due(morning) == 3  # the check-in too, held since the night
    assert notify.send_due(morning) == 0
    clock.value = morning
    handle(records)  # and again after
    told = estimates_told(shop, order["order_id"])
    assert {m["state"] for m in told.values()} == {"sent"} and len(told) == 2
    estimates = [r for r in channels.sent("line") if "追加" in text_of(r)]
    assert len(estimates) == 2 and len(channels.sent("line")) == 3


def test_what_the_previous_key_recorded_still_stops_a_send(channels, shop, clock):
    """A batch handled before messages were keyed by occurrence and handed over again after:
    the first estimate was sent then (under `{shop}#{order}#{step}#{channel}`, as
    `awaiting_approval.line`) and is not sent again; the second, which that key swallowed,
    is sent now."""
    order = two_estimates(shop, clock, DAYTIME)
    order_id = order["order_id"]
    records = stream_records(order_id)
    clock.value = DAYTIME + timedelta(minutes=5)
    for step in ("checked_in", "awaiting_approval"):
        delivery._once(shop.shop_id, order_id, f"{shop.shop_id}#{order_id}#{step}#line",
                       lambda: {"state": "sent"})
        aws.table().put_item(Item={
            **models.Message.key(shop.shop_id, order_id, f"{step}.line"), "type": "message",
            "shop_id": shop.shop_id, "order_id": order_id, "message_id": f"{step}.line",
            "step": step, "channel": "line", "text": "before", "state": "sent",
            "created_at": times.iso(DAYTIME), "updated_at": times.iso(DAYTIME),
            "sent_at": times.iso(DAYTIME), "tries": 1})
    handle(records)
    (request,) = channels.sent("line")
    assert "追加" in text_of(request)
    told = estimates_told(shop, order_id)
    assert told["awaiting_approval.line"]["sent_at"] == times.iso(DAYTIME)  # kept, not sent again
    assert told["awaiting_approval.2.line"]["state"] == "sent"


# --- the order screen ---

def test_the_advisor_resends_a_message_once_per_request(channels, shop, clock):
    order = linked_customer_order(shop)
    clock.value = DAYTIME
    handle(stream_records(order["order_id"]))
    clock.value = None
    path = f"/api/orders/{order['order_id']}/messages/checked_in.line/resend"
    client_id = new_id("resend")
    first = shop.advisor.post(path, {"client_id": client_id})
    again = shop.advisor.post(path, {"client_id": client_id})  # the tablet's queue replays it
    assert first.status == again.status == 200, first.body
    assert first.body["state"] == "sent" and again.body["resends"] == 1
    assert len(channels.sent("line")) == 2
    assert shop.technician.post(path, {"client_id": new_id("r")}).status == 403
    missing = shop.advisor.post(f"/api/orders/{order['order_id']}/messages/ready.sms/resend",
                                {"client_id": new_id("r")})
    assert missing.status == 404
    listed = shop.technician.get(f"/api/orders/{order['order_id']}/messages")
    assert [m["message_id"] for m in listed.body["messages"]] == ["checked_in.line"]


def test_a_resend_of_the_second_estimate_goes_out_as_that_message(channels, shop, clock):
    order = two_estimates(shop, clock, DAYTIME)
    handle(stream_records(order["order_id"]))
    clock.value = None
    path = f"/api/orders/{order['order_id']}/messages/awaiting_approval.2.line/resend"
    client_id = new_id("resend")
    first = shop.advisor.post(path, {"client_id": client_id})
    again = shop.advisor.post(path, {"client_id": client_id})
    assert first.status == again.status == 200, first.body
    assert first.body["message_id"] == "awaiting_approval.2.line" and again.body["resends"] == 1
    told = estimates_told(shop, order["order_id"])
    assert "resends" not in told["awaiting_approval.line"]
    estimates = [r for r in channels.sent("line") if "追加" in text_of(r)]
    assert len(estimates) == 3  # two announcements and the one resend
    assert len({r["headers"]["x-line-retry-key"] for r in estimates}) == 3


def test_each_code_texted_shows_as_a_message_of_its_own(channels, shop, clock):
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order = an_order(shop, state="in_progress")
    an_added_line(shop, order["order_id"])
    token = shop.advisor.get(f"/api/orders/{order['order_id']}/link").body["url"].rsplit(
        "/t/", 1)[1]
    clock.value = DAYTIME
    assert shop.anonymous.post(f"/t/{token}/code", {}).status == 200
    clock.value = DAYTIME + timedelta(minutes=2)  # a new code may be asked for after a minute
    assert shop.anonymous.post(f"/t/{token}/code", {}).status == 200
    texted = [m for m in notify.list_messages(shop.shop_id, order["order_id"])
              if m["step"] == "approval_code"]
    assert [(m["message_id"], m["state"], m["sent_at"]) for m in texted] == [
        ("approval_code.sms", "sent", times.iso(DAYTIME)),
        ("approval_code.2.sms", "sent", times.iso(DAYTIME + timedelta(minutes=2)))]
    assert len(channels.sent("sns")) == 2


def test_codes_asked_for_at_once_each_take_a_message_of_their_own(channels, shop, clock,
                                                                   monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    order = an_order(shop, state="in_progress")
    clock.value = DAYTIME
    tried, real = [], delivery._put_new

    def counted(*args, **kwargs):
        taken = real(*args, **kwargs)
        tried.append(taken)
        return taken

    monkeypatch.setattr(delivery, "_put_new", counted)  # as send_direct finds it
    count = 12
    with ThreadPoolExecutor(count) as pool:
        sent = list(pool.map(lambda n: notify.send_direct(
            shop.shop_id, order["order_id"], "approval_code", "sms", "+886912345678",
            f"確認碼 {n:06d}", "確認碼 ••••••"), range(count)))
    print(f"\n{count} codes at once: {len(tried)} claims tried, {tried.count(False)} lost")
    assert sorted(result["message_id"] for result in sent) == sorted(
        ["approval_code.sms"] + [f"approval_code.{n}.sms" for n in range(2, count + 1)])
    texted = [m for m in notify.list_messages(shop.shop_id, order["order_id"])
              if m["step"] == "approval_code"]
    assert len(texted) == count and {m["state"] for m in texted} == {"sent"}
    assert len(channels.sent("sns")) == count
    assert tried.count(True) == count


# --- linking LINE ---

def signed(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def a_text_event(text, user_id="U-from-line"):
    return json.dumps({"destination": "Ubot", "events": [{
        "type": "message", "mode": "active", "timestamp": 1764400000000,
        "webhookEventId": "01H0000000000000000000000", "deliveryContext": {"isRedelivery": False},
        "replyToken": "r", "source": {"type": "user", "userId": user_id},
        "message": {"id": "1", "type": "text", "text": text, "quoteToken": "q"}}]},
        ensure_ascii=False).encode()


def test_a_customer_links_line_by_sending_the_code_from_the_qr(channels, shop):
    customer, _ = a_customer_and_vehicle(shop)
    link = shop.advisor.get(f"/api/customers/{customer['customer_id']}/line-link")
    assert link.status == 200, link.body
    assert link.body["url"].startswith("https://line.me/R/oaMessage/")
    assert link.body["code"] in link.body["url"] or "%" in link.body["url"]
    body = a_text_event(f"綁定通知 {link.body['code']}")

    forged = shop.anonymous.post("/api/line/webhook", raw=body,
                                 headers={"x-line-signature": signed(body, "not the secret")})
    assert forged.status == 401
    assert "line_user_id" not in customers.get_customer(shop.shop_id, customer["customer_id"])
    unsigned = shop.anonymous.post("/api/line/webhook", raw=body)
    assert unsigned.status == 401

    good = shop.anonymous.post("/api/line/webhook", raw=body,
                               headers={"x-line-signature": signed(body)})
    assert good.status == 200 and good.body["linked"] == 1
    stored = customers.get_customer(shop.shop_id, customer["customer_id"])
    assert stored["line_user_id"] == "U-from-line"
    replay = shop.anonymous.post("/api/line/webhook", raw=body,
                                 headers={"x-line-signature": signed(body)})
    assert replay.body["linked"] == 0  # the event was handled (and the code is used up)


def test_the_line_link_is_for_the_front_desk_of_the_customer_s_shop(channels, shop):
    customer, _ = a_customer_and_vehicle(shop)
    path = f"/api/customers/{customer['customer_id']}/line-link"
    assert shop.technician.get(path).status == 403
    assert shop.advisor.get("/api/customers/nobody-1234/line-link").status == 404


def test_locally_a_channel_without_credentials_delivers_to_the_outbox_page(app_env, shop, clock,
                                                                          monkeypatch):
    from devstack.server import outbox_page

    order = an_order(shop)  # channel "line", no LINE account linked: SMS, to the outbox
    clock.value = DAYTIME
    handle(stream_records(order["order_id"]))
    assert messages(shop, order["order_id"])["checked_in.sms"]["state"] == "sent"
    page = outbox_page().decode()
    assert "+886912345678" in page and "已完成接車" in page


def test_a_revised_promise_tells_the_customer_the_new_time_once(channels, shop, clock):
    order = an_order(shop, state="in_progress", promised_at="2026-11-30T17:00")
    customers.link_line(shop.shop_id, order["customer"]["customer_id"], "U-line-user-1")
    clock.value = DAYTIME
    revised = shop.advisor.post(f"/api/orders/{order['order_id']}/promise", {
        "client_id": new_id("promise"), "at": "2026-11-30T19:30", "reason": "追加更換來令片"})
    assert revised.status == 200, revised.body
    records = stream_records(order["order_id"])
    handle(records)
    handle(records)  # handed over again: told once
    texts = [json.loads(r["body"])["messages"][0]["text"] for r in channels.sent("line")]
    told = [text for text in texts if "預計完成時間更新" in text]
    assert len(told) == 1, texts
    assert "11/30 19:30" in told[0] and "追加更換來令片" in told[0]
