"""Web Push and LINE notification messages, each against a local server playing the provider:
the customer's browser subscribing through their link, VAPID-signed and encrypted pushes the
test decrypts, gone subscriptions, read receipts; messages to a phone number with a delivery tag
and LINE's delivery event."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import app as api
from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import aws, secrets
from chalicelib.outward import notify
from chalicelib.records import customers
from chalicelib.outward.notify import base, delivery, line_pnp, push
from tests.builders import a_dispatched_order, an_order, new_id
from tests.integration.test_notify import estimates_twice, handle, item_records, stream_records

LINE_TOKEN = "line-token-for-tests"
LINE_SECRET = "line-secret-for-tests"
DAYTIME = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)  # 11:00 in Taipei


class Provider(BaseHTTPRequestHandler):
    """A push service (any path under /push/) and LINE's PNP API; answers can be scripted."""

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        service = "pnp" if self.path == "/bot/pnp/push" else "push"
        with self.server.lock:
            self.server.requests.append({"service": service, "path": self.path, "body": body,
                                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            script = self.server.scripts.get(service) or []
            status = script.pop(0) if script else 201 if service == "push" else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-line-request-id", f"req-{len(self.server.requests)}")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(app_env, monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    server.requests, server.scripts, server.lock = [], {}, threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.sent = lambda service: [r for r in server.requests if r["service"] == service]
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    (secrets_dir / "line__channel-access-token").write_text(LINE_TOKEN)
    (secrets_dir / "line__channel-secret").write_text(LINE_SECRET)
    for name, value in {"SL_PUSH_TEST_ORIGIN": server.url, "SL_LINE_API": server.url,
                        "SL_SNS_ENDPOINT": server.url, "SL_NOTIFY_LIVE": "push"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(api.api, "client", lambda: {"ip": "203.0.113.7", "user_agent": "pytest"})
    aws.reset()
    yield server
    server.shutdown()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """What a browser keeps for one push subscription: its P-256 key pair and auth secret."""

    def __init__(self, origin: str, name: str = "device-1"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.endpoint = f"{origin}/push/{name}-{os.urandom(6).hex()}"
        self.subscription = {"endpoint": self.endpoint, "expirationTime": None,
                             "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        import http_ece

        return json.loads(http_ece.decrypt(body, private_key=self.private,
                                           auth_secret=self.auth, version="aes128gcm"))


def token_of(shop, order_id):
    answer = shop.advisor.get(f"/api/orders/{order_id}/link")
    assert answer.status == 200, answer.body
    return answer.body["url"].rsplit("/t/", 1)[1]


def subscribed(shop, provider, state="checked_in"):
    order = an_order(shop, state=state)
    token = token_of(shop, order["order_id"])
    browser = Browser(provider.url)
    answer = shop.anonymous.post(f"/t/{token}/push", browser.subscription)
    assert answer.status == 200, answer.body
    return order, token, browser


def a_message(order, customer_id, step="ready", channel="push"):
    return base.Message(message_id=f"{step}.{channel}", shop_id=order["shop_id"],
                        order_id=order["order_id"], step=step, channel=channel, to=customer_id,
                        text="【測試保養廠】您的愛車已完成維修，可以取車了。", subject="可以取車了",
                        retry_key="123e4567-e89b-12d3-a456-426614174000")


def customer_of(shop, order):
    return customers.get_customer(shop.shop_id, order["customer"]["customer_id"])


# --- Web Push ---

def test_a_push_is_vapid_signed_for_the_push_service_and_only_the_browser_can_read_it(
        provider, shop):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    order, token, browser = subscribed(shop, provider)
    delivery = push.send(a_message(order, order["customer"]["customer_id"]))
    assert delivery.state == "sent", delivery

    (request,) = provider.sent("push")
    assert request["path"] == browser.endpoint.removeprefix(provider.url)
    headers = request["headers"]
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == secrets.get("vapid/public-key")  # the key the page subscribed with
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    claims = jwt.decode(fields["t"], key=public, algorithms=["ES256"], audience=provider.url)
    assert claims["aud"] == provider.url  # the endpoint's origin
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith("mailto:")
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == str(push.TTL_SECONDS) and headers["urgency"] == "high"

    assert browser.subscription["keys"]["auth"].encode() not in request["body"]
    shown = browser.decrypt(request["body"])
    assert shown["body"] == "【測試保養廠】您的愛車已完成維修，可以取車了。"
    assert shown["title"] == "可以取車了" and shown["message_id"] == "ready.push"
    assert shown["url"].endswith(f"/t/{token}")


def test_a_gone_subscription_is_deleted_not_retried_and_the_old_channel_comes_back(
        provider, shop):
    order, _, _ = subscribed(shop, provider)
    customer = customer_of(shop, order)
    assert customer["channel"] == "push" and customer["channel_before_push"] == "line"
    provider.scripts["push"] = [410]
    delivery = push.send(a_message(order, customer["customer_id"]))
    assert delivery.state == "failed" and not delivery.retryable and "410" in delivery.error
    assert push.subscriptions(shop.shop_id, customer["customer_id"]) == []
    assert customer_of(shop, order)["channel"] == "line"


def test_a_throttled_or_failing_push_service_is_worth_a_retry(provider, shop):
    order, _, _ = subscribed(shop, provider)
    customer_id = order["customer"]["customer_id"]
    for status in (429, 503):
        provider.scripts["push"] = [status]
        delivery = push.send(a_message(order, customer_id))
        assert delivery.state == "failed" and delivery.retryable and str(status) in delivery.error
    assert len(push.subscriptions(shop.shop_id, customer_id)) == 1  # still there


@pytest.mark.parametrize("endpoint", [
    "http://fcm.googleapis.com/fcm/send/x",  # not https
    "https://169.254.169.254/latest/meta-data",  # the instance's metadata
    "https://fcm.googleapis.com.evil.example/x",
    "https://fcm.googleapis.com:8443/fcm/send/x",
    "https://user@fcm.googleapis.com/fcm/send/x",
    "https://example.com/push",
    "not a url",
])
def test_a_subscription_must_name_a_known_push_service(provider, shop, endpoint):
    order = an_order(shop)
    token = token_of(shop, order["order_id"])
    browser = Browser(provider.url)
    answer = shop.anonymous.post(f"/t/{token}/push", {**browser.subscription,
                                                      "endpoint": endpoint})
    assert answer.status in (400, 422) and answer.body["error"]["message"]
    assert push.subscriptions(shop.shop_id, order["customer"]["customer_id"]) == []
    assert customer_of(shop, order)["channel"] == "line"  # nothing changed


def test_the_real_push_services_are_allowed_and_bad_keys_are_not(provider, shop):
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc",
                     "https://updates.push.services.mozilla.com/wpush/v2/abc",
                     "https://web.push.apple.com/QGx", "https://wns2-par02p.notify.windows.com/w/"):
        assert push.allowed_endpoint(endpoint), endpoint
    order = an_order(shop)
    token = token_of(shop, order["order_id"])
    good = Browser(provider.url).subscription
    for keys in ({"p256dh": "AAAA", "auth": good["keys"]["auth"]},
                 {"p256dh": good["keys"]["p256dh"], "auth": b64url(b"short")},
                 {"p256dh": good["keys"]["p256dh"]}):
        answer = shop.anonymous.post(f"/t/{token}/push", {**good, "keys": keys})
        assert answer.status in (400, 422), keys
    assert shop.anonymous.post(f"/t/{token}/push", raw=b"{not json").status == 400
    assert shop.anonymous.post("/t/not-a-real-token-at-all-xxxxxxxx/push", good).status == 404
    assert push.subscriptions(shop.shop_id, order["customer"]["customer_id"]) == []


def test_a_customer_keeps_a_few_subscriptions_and_can_remove_one(provider, shop):
    order, token, first = subscribed(shop, provider)
    customer_id = order["customer"]["customer_id"]
    later = [Browser(provider.url, f"device-{n}") for n in range(push.MAX_PER_CUSTOMER)]
    for browser in later:
        assert shop.anonymous.post(f"/t/{token}/push", browser.subscription).status == 200
    kept = push.subscriptions(shop.shop_id, customer_id)
    assert len(kept) == push.MAX_PER_CUSTOMER
    assert first.endpoint not in {item["endpoint"] for item in kept}  # the oldest made way
    assert kept[0]["sk"] == f"PUSH#{hashlib.sha256(later[0].endpoint.encode()).hexdigest()}"
    gone = shop.anonymous.delete(f"/t/{token}/push", body={"endpoint": later[0].endpoint})
    assert gone.status == 200 and gone.body == {"subscribed": False}
    assert len(push.subscriptions(shop.shop_id, customer_id)) == push.MAX_PER_CUSTOMER - 1


def test_a_step_reaches_the_browser_and_a_tap_marks_the_message_read(provider, shop, monkeypatch):
    order, token, browser = subscribed(shop, provider)
    monkeypatch.setattr(times, "now", lambda: DAYTIME)
    stored = aws.table().get_item(Key=models.order_key(shop.shop_id, order["order_id"]))["Item"]
    (result,) = notify.notify_step(stored, "ready")
    assert result["channel"] == "push" and result["state"] == "sent"
    (request,) = provider.sent("push")
    assert "可以取車了" in browser.decrypt(request["body"])["body"]
    assert provider.sent("pnp") == [] and provider.sent("push") == [request]  # once, on push

    read = shop.anonymous.post(f"/t/{token}/messages/read", {"message_id": "ready.push"})
    assert read.status == 200 and read.body["read_at"]
    again = shop.anonymous.post(f"/t/{token}/messages/read", {"message_id": "ready.push"})
    assert again.body["read_at"] == read.body["read_at"]  # the first time it was opened
    shown = shop.advisor.get(f"/api/orders/{order['order_id']}/messages").body["messages"]
    assert [(m["message_id"], m["read_at"]) for m in shown] == [("ready.push", read.body["read_at"])]
    for bad in ({"message_id": "ready.sms"}, {"message_id": "../x"}, {}):
        assert shop.anonymous.post(f"/t/{token}/messages/read", bad).status in (400, 404)


def test_each_estimate_is_a_push_of_its_own_and_a_tap_marks_only_its_own(provider, shop,
                                                                          clock):
    order, token, browser = subscribed(shop, provider, state="in_progress")
    estimates_twice(shop, clock, DAYTIME, order["order_id"])
    records = stream_records(order["order_id"])
    handle(records)
    handle(records)  # handed over again: nothing more
    shown = [browser.decrypt(request["body"]) for request in provider.sent("push")]
    assert [payload["message_id"] for payload in shown] == [
        "checked_in.push", "awaiting_approval.push", "awaiting_approval.2.push"]
    read = shop.anonymous.post(f"/t/{token}/messages/read",
                               {"message_id": "awaiting_approval.2.push"})
    assert read.status == 200, read.body
    listed = {m["message_id"]: m for m in notify.list_messages(shop.shop_id, order["order_id"])}
    assert listed["awaiting_approval.2.push"]["read_at"] == read.body["read_at"]
    assert "read_at" not in listed["awaiting_approval.push"]
    for bad in ("awaiting_approval.x.push", "awaiting_approval.2.", "awaiting_approval..push"):
        assert shop.anonymous.post(f"/t/{token}/messages/read",
                                   {"message_id": bad}).status == 400


def test_the_page_offers_push_with_its_own_script_hash_a_manifest_and_a_service_worker(
        provider, shop):
    order = an_order(shop)
    token = token_of(shop, order["order_id"])
    page = shop.anonymous.request("GET", f"/t/{token}", headers={"accept": "text/html"})
    html = page.body.decode() if isinstance(page.body, bytes) else page.body
    assert "有進度時通知我" in html and "Notify me" in html and "加入主畫面" in html
    assert f"data-key=\"{secrets.get('vapid/public-key')}\"" in html
    assert f"<link rel=manifest href=/t/{token}/manifest.webmanifest>" in html
    script = (push.__file__.rsplit("/notify/", 1)[0] + "/page/push.js")
    with open(script, encoding="utf-8") as source:
        digest = base64.b64encode(hashlib.sha256(source.read().strip().encode()).digest()).decode()
    policy = page.headers["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy and "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy and "unsafe-inline" not in policy

    manifest = shop.anonymous.get(f"/t/{token}/manifest.webmanifest")
    assert manifest.status == 200
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    assert manifest.body["name"] == "測試保養廠" and manifest.body["start_url"] == f"/t/{token}"
    assert manifest.body["display"] == "standalone"
    assert shop.anonymous.get("/t/not-a-real-token-at-all-xxxxxxxx/manifest.webmanifest"
                              ).status == 404

    worker = shop.anonymous.get("/t/sw.js")
    assert worker.status == 200 and worker.headers["Content-Type"].startswith("text/javascript")
    assert worker.headers["Content-Security-Policy"] == "default-src 'none'; connect-src 'self'"
    source = worker.body.decode() if isinstance(worker.body, bytes) else worker.body
    assert "showNotification" in source and "/messages/read" in source


def test_no_endpoint_reaches_the_logs(provider, shop, capsys):
    order, _, browser = subscribed(shop, provider)
    provider.scripts["push"] = [500, 500, 500]
    notify.deliver(shop.shop_id, order["order_id"], "ready", "text", customer_of(shop, order),
                   {"fallback_channels": [], "line_pnp_approved": False})
    logs = capsys.readouterr()
    assert browser.endpoint.rsplit("/", 1)[1] not in logs.out + logs.err
    assert "push 500" in notify.list_messages(shop.shop_id, order["order_id"])[0]["error"]


# --- LINE notification messages by phone number ---

def approve_pnp(shop, approved=True):
    answer = shop.owner.patch("/api/shop/notification-settings", {"line_pnp_approved": approved})
    assert answer.status == 200 and answer.body["line_pnp_approved"] is approved


def test_pnp_sends_the_number_s_hash_with_an_opaque_delivery_tag(provider, shop):
    order = an_order(shop)
    message = a_message(order, "+886912345678", channel="line_pnp")
    delivery = line_pnp.send(message)
    assert delivery.state == "sent"
    (request,) = provider.sent("pnp")
    assert request["headers"]["authorization"] == f"Bearer {LINE_TOKEN}"
    tag = request["headers"]["x-line-delivery-tag"]
    assert tag == "123e4567e89b12d3a456426614174000" and 16 <= len(tag) <= 100
    sent = json.loads(request["body"])
    assert sent["to"] == hashlib.sha256(b"+886912345678").hexdigest()
    assert sent["messages"] == [{"type": "text", "text": message.text}]
    assert b"0912345678" not in request["body"] and b"912345678" not in request["body"]


def test_a_line_customer_not_linked_is_reached_by_number_only_where_the_shop_is_approved(
        provider, shop, monkeypatch):
    monkeypatch.setattr(times, "now", lambda: DAYTIME)
    order = an_order(shop)  # channel "line", no LINE account linked
    stored = aws.table().get_item(Key=models.order_key(shop.shop_id, order["order_id"]))["Item"]
    (result,) = notify.notify_step(stored, "ready")
    assert result["channel"] == "sms" and provider.sent("pnp") == []

    approve_pnp(shop)
    other = an_order(shop)
    stored = aws.table().get_item(Key=models.order_key(shop.shop_id, other["order_id"]))["Item"]
    (result,) = notify.notify_step(stored, "ready")
    assert result["channel"] == "line_pnp" and result["state"] == "sent"
    assert len(provider.sent("pnp")) == 1


def signed(body: bytes) -> str:
    return base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()


def delivery_event(data: str) -> bytes:
    return json.dumps({"destination": "Ubot", "events": [{
        "type": "delivery", "mode": "active", "timestamp": 1764400000000,
        "webhookEventId": "01H0000000000000000000001", "deliveryContext": {"isRedelivery": False},
        "source": {"type": "user", "userId": "U-someone"}, "delivery": {"data": data}}]}).encode()


def test_line_s_delivery_event_marks_the_message_delivered(provider, shop, monkeypatch):
    approve_pnp(shop)
    monkeypatch.setattr(times, "now", lambda: DAYTIME)
    order = an_order(shop)
    stored = aws.table().get_item(Key=models.order_key(shop.shop_id, order["order_id"]))["Item"]
    notify.notify_step(stored, "ready")
    (request,) = provider.sent("pnp")
    tag = request["headers"]["x-line-delivery-tag"]

    forged = delivery_event(tag)
    assert shop.anonymous.post("/api/line/webhook", raw=forged,
                               headers={"x-line-signature": signed(b"x")}).status == 401
    assert "delivered_at" not in notify.list_messages(shop.shop_id, order["order_id"])[0]
    for body in (delivery_event(tag), delivery_event("unknown-tag-0000000000")):
        answer = shop.anonymous.post("/api/line/webhook", raw=body,
                                     headers={"x-line-signature": signed(body)})
        assert answer.status == 200
    (message,) = notify.list_messages(shop.shop_id, order["order_id"])
    assert message["message_id"] == "ready.line_pnp"
    assert message["delivered_at"] == times.iso(DAYTIME)


def test_each_estimate_by_number_has_its_own_delivery_tag(provider, shop, clock):
    approve_pnp(shop)
    order = an_order(shop, state="in_progress")  # channel "line", no LINE account linked
    estimates_twice(shop, clock, DAYTIME, order["order_id"])
    handle(stream_records(order["order_id"]))
    estimates = [r for r in provider.sent("pnp")
                 if "追加" in json.loads(r["body"])["messages"][0]["text"]]
    first, second = (r["headers"]["x-line-delivery-tag"] for r in estimates)
    assert first != second
    body = delivery_event(second)
    assert shop.anonymous.post("/api/line/webhook", raw=body,
                               headers={"x-line-signature": signed(body)}).status == 200
    listed = {m["message_id"]: m for m in notify.list_messages(shop.shop_id, order["order_id"])}
    assert listed["awaiting_approval.2.line_pnp"]["delivered_at"]
    assert "delivered_at" not in listed["awaiting_approval.line_pnp"]


def test_locally_push_and_pnp_without_credentials_go_to_the_outbox(app_env, shop, monkeypatch):
    from chalicelib.outward.notify import outbox

    monkeypatch.delenv("SL_NOTIFY_LIVE", raising=False)
    monkeypatch.delenv("SL_LINE_API", raising=False)
    aws.reset()
    assert outbox.used_for("push") and outbox.used_for("line_pnp")
    monkeypatch.setenv("SL_NOTIFY_LIVE", "push,line_pnp")
    aws.reset()
    assert not outbox.used_for("push") and not outbox.used_for("line_pnp")


# --- the front desk's devices: a technician's finding, a call for support ---

def test_a_finding_and_a_call_for_help_reach_the_desks_devices_once_and_not_the_floors(
        provider, shop):
    desk, floor = Browser(provider.url, "desk"), Browser(provider.url, "floor")

    def pushes():
        """What reached the browsers' push endpoints: in the daytime the customer's SMS of the
        order's steps goes to this provider too (SNS), at night quiet hours hold it."""
        return [r for r in provider.sent("push") if r["path"].startswith("/push/")]

    subscribed = shop.advisor.post("/api/me/push", desk.subscription)
    assert subscribed.status == 200 and subscribed.body["public_key"] == secrets.get(
        "vapid/public-key")
    assert shop.technician.post("/api/me/push", floor.subscription).status == 200
    assert shop.advisor.post("/api/me/push", {**desk.subscription, "endpoint":
                                              "http://evil.example/push/x"}).status == 422
    order = a_dispatched_order(shop)
    found = shop.technician.post(f"/api/orders/{order['order_id']}/findings", {
        "line_id": new_id("line"), "kind": "part", "description": "前煞車來令片",
        "reason": "剩 2 mm"})
    assert found.status == 201
    lines = item_records(lambda pk, sk: pk.endswith(order["order_id"]) and sk.startswith("LINE#"))
    handle(lines)
    handle(lines)  # handed over again: told once
    (alert,) = pushes()
    assert alert["path"] == desk.endpoint.removeprefix(provider.url)
    shown = desk.decrypt(alert["body"])
    assert shown["title"].startswith("技師發現問題")
    assert order["vehicle"]["plate"] in shown["body"] and "前煞車來令片" in shown["body"]
    assert shown["url"] == f"/#/orders/{order['order_id']}"
    assert order["customer"]["name"] not in shown["body"]  # nothing of the customer's

    shop.technician.post(f"/api/orders/{order['order_id']}/help", {
        "client_id": new_id("help"), "note": "螺絲鏽死"})
    handle(stream_records(order["order_id"]))
    help_alert = desk.decrypt(pushes()[-1]["body"])
    assert help_alert["title"].startswith("需要支援") and "螺絲鏽死" in help_alert["body"]
    assert len(pushes()) == 2

    assert shop.advisor.post("/api/me/push/off", {"endpoint": desk.endpoint}).status == 200
    shop.technician.post(f"/api/orders/{order['order_id']}/help", {
        "client_id": new_id("help"), "note": "再一次"})
    handle(stream_records(order["order_id"]))
    assert len(pushes()) == 2  # no desk device left
