"""Web Push (VAPID, aes128gcm, pywebpush) to the browsers where a customer tapped
「有進度時通知我」 on their page, and those browsers' subscriptions.

A subscription is kept under its customer (`PUSH#<sha256 of the endpoint>`), at most
MAX_PER_CUSTOMER (the oldest goes); its endpoint is where we post, so it must be https on a
known push service (anything else would let a link holder make the server call any address), and
it is never logged. Subscribing makes push the customer's channel (their earlier choice is kept
and comes back when their last subscription is gone). A push service answering 404 or 410 says
the subscription is gone: it is deleted.
"""
from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Optional
from urllib.parse import urlsplit

from pydantic import StringConstraints, field_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, field_error, parse
from chalicelib.core import clock
from chalicelib.core import secrets as secret_store
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict
from chalicelib.outward import links
from chalicelib.outward.notify.base import Delivery, Message, failed
from chalicelib.records import customers

MAX_PER_CUSTOMER = 5
TTL_SECONDS = 24 * 3600  # a phone off for the night still gets "ready for pickup" in the morning
VAPID_SECONDS = 12 * 3600  # the JWT's life (push services refuse more than 24 h)
TIMEOUT_SECONDS = 5
# Where browsers' push services live: Chrome/Edge-on-Android (FCM), Firefox, Safari, Edge.
PUSH_HOSTS = ("fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
              "web.push.apple.com")
PUSH_HOST_SUFFIXES = (".push.apple.com", ".notify.windows.com", ".push.services.mozilla.com")
URGENCY = {"awaiting_approval": "high", "ready": "high"}  # the customer's answer or their car

Base64Url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+={0,2}$", max_length=200)]


def _decoded(value: str) -> bytes:
    return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))


class SubscriptionKeys(Body):
    p256dh: Base64Url
    auth: Base64Url

    @field_validator("p256dh")
    @classmethod
    def _point(cls, value: str) -> str:
        raw = _decoded(value)
        if len(raw) != 65 or raw[0] != 4:
            raise field_error("通知金鑰不正確。", "keys.p256dh: not a P-256 public key")
        return value

    @field_validator("auth")
    @classmethod
    def _secret(cls, value: str) -> str:
        if len(_decoded(value)) != 16:
            raise field_error("通知金鑰不正確。", "keys.auth: not a 16-byte secret")
        return value


class Subscription(Body):
    """What the browser's PushSubscription.toJSON() gives."""
    endpoint: Annotated[str, StringConstraints(max_length=1000)]
    keys: SubscriptionKeys
    expirationTime: Optional[float] = None  # noqa: N815 (the browser's own name)

    @field_validator("endpoint")
    @classmethod
    def _known_service(cls, value: str) -> str:
        if not allowed_endpoint(value):
            raise field_error("不支援的推播服務。",
                              "endpoint: not an https address of a known push service")
        return value


class Unsubscription(Body):
    endpoint: Annotated[str, StringConstraints(max_length=1000)]


def allowed_endpoint(endpoint: str) -> bool:
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return False
    test_origin = settings().push_test_origin  # the local stage only (config.py)
    if test_origin and f"{parts.scheme}://{parts.netloc}" == test_origin.rstrip("/"):
        return True
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username or parts.password or parts.port not in (None, 443):
        return False
    return host in PUSH_HOSTS or any(host.endswith(suffix) for suffix in PUSH_HOST_SUFFIXES)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def public_key() -> str | None:
    """The applicationServerKey the page subscribes with (None: Web Push is not set up)."""
    try:
        return secret_store.get("vapid/public-key")
    except Exception:
        return None


# --- the customer's subscriptions ---

def subscriptions(shop_id: str, customer_id: str) -> list[dict]:
    """The customer's subscriptions, oldest first (one Query of their partition)."""
    subscription = models.PushSubscription
    found = subscription.items(subscription.key(shop_id, customer_id, "")["pk"],
                               subscription.sk.startswith(models.PUSH_PREFIX),
                               consistent_read=True)
    return sorted(found, key=lambda item: item["created_at"])


def subscribe(order: dict, body: Subscription) -> dict:
    """This browser will be told of the order's steps (the customer's channel becomes push)."""
    shop_id = order["shop_id"]
    customer_id = _customer_id(order)
    customer = customers.get_customer(shop_id, customer_id)
    if customer is None or customer.get("erased_at"):
        raise Conflict("這張工單沒有客戶資料，無法通知。", "The order has no customer to notify.",
                       code="no_customer")
    digest = endpoint_hash(body.endpoint)
    now = clock.now_iso()
    models.PushSubscription.from_dict({
        **models.PushSubscription.key(shop_id, customer_id, digest), "type": "push_subscription",
        "shop_id": shop_id, "customer_id": customer_id, "endpoint": body.endpoint,
        "p256dh": body.keys.p256dh, "auth": body.keys.auth, "order_id": order["order_id"],
        "created_at": now}).save()
    kept = subscriptions(shop_id, customer_id)
    for old in kept[:-MAX_PER_CUSTOMER]:  # a customer's older phones make way
        if old["sk"] != f"{models.PUSH_PREFIX}{digest}":
            models.PushSubscription.from_dict({"pk": old["pk"], "sk": old["sk"]}).delete()
    _make_push_the_channel(shop_id, customer_id, now)
    return {"subscribed": True}


def unsubscribe(order: dict, body: Unsubscription) -> dict:
    forget(order["shop_id"], _customer_id(order), endpoint_hash(body.endpoint))
    return {"subscribed": False}


def forget(shop_id: str, customer_id: str, digest: str) -> None:
    """A subscription removed (by the customer, or gone at the push service); with the last
    one gone, the customer's earlier channel comes back."""
    subscription = models.PushSubscription
    subscription.from_dict(subscription.key(shop_id, customer_id, digest)).delete()
    if not subscriptions(shop_id, customer_id):
        customer = models.Customer
        try:
            with models.refusals():
                customer.from_dict(models.customer_key(shop_id, customer_id)).update(
                    actions=[customer.channel.set(customer.channel_before_push | "sms"),
                             customer.updated_at.set(clock.now_iso()),
                             customer.channel_before_push.remove()],
                    condition=customer.channel == "push")
        except models.Refused:
            pass  # the advisor chose another channel since


def _make_push_the_channel(shop_id: str, customer_id: str, now: str) -> None:
    customer = models.Customer
    try:
        with models.refusals():
            customer.from_dict(models.customer_key(shop_id, customer_id)).update(
                actions=[customer.channel_before_push.set(customer.channel),
                         customer.channel.set("push"), customer.updated_at.set(now)],
                condition=customer.pk.exists() & (customer.channel != "push"))
    except models.Refused:
        pass  # push already, or the customer was erased


def _customer_id(order: dict) -> str:
    customer_id = (order.get("customer") or {}).get("customer_id")
    if not customer_id:
        raise Conflict("這張工單沒有客戶資料，無法通知。", "The order has no customer to notify.",
                       code="no_customer")
    return customer_id


# --- sending ---

def send(message: Message) -> Delivery:
    """To each of the customer's browsers (`message.to` is the customer id); sent when one took
    it. Retries only happen when none did, so no browser is told twice."""
    try:
        private_key = secret_store.get("vapid/private-key")
    except Exception:  # not set up: nothing to retry until someone sets it
        return failed("Web Push VAPID key is not set", retryable=False)
    targets = subscriptions(message.shop_id, message.to)
    if not targets:
        return failed("no Web Push subscription left", retryable=False)
    payload = json.dumps(_payload(message), ensure_ascii=False)
    sent, errors, retryable = [], [], False
    for target in targets:
        status = _post(target, payload, private_key, message.step)
        if status is not None and status < 300:
            sent.append(target["sk"].removeprefix(models.PUSH_PREFIX)[:12])
        elif status in (404, 410):
            forget(message.shop_id, message.to, target["sk"].removeprefix(models.PUSH_PREFIX))
            errors.append(f"push {status} subscription gone")
        else:
            retryable = retryable or status is None or status == 429 or status >= 500
            errors.append(f"push {status or 'unreachable'}")
    if sent:
        return Delivery("sent", provider_id="push-" + ",".join(sent))
    return failed("; ".join(dict.fromkeys(errors)), retryable=retryable)


def _payload(message: Message) -> dict:
    return {"title": message.subject or "維修進度通知", "body": message.text,
            "url": links.url_for(message.shop_id, message.order_id) or "",
            "message_id": message.message_id, "tag": message.order_id}


def _post(target: dict, payload: str, private_key: str, step: str) -> int | None:
    """The push service's status, or None when it could not be reached."""
    from pywebpush import WebPushException, webpush

    try:
        answer = webpush(
            subscription_info={"endpoint": target["endpoint"],
                               "keys": {"p256dh": target["p256dh"], "auth": target["auth"]}},
            data=payload, vapid_private_key=private_key,
            vapid_claims={"sub": f"mailto:{settings().mail_from}",
                          "exp": int(time.time()) + VAPID_SECONDS},
            ttl=TTL_SECONDS, timeout=TIMEOUT_SECONDS,
            headers={"Urgency": URGENCY.get(step, "normal")})
    except WebPushException as err:
        return err.response.status_code if err.response is not None else None
    except Exception:  # connection refused, timeout, TLS: requests' own errors
        return None
    return answer.status_code


def subscribe_request(order: dict, raw: bytes | None) -> dict:
    return subscribe(order, parse(Subscription, raw))


def unsubscribe_request(order: dict, raw: bytes | None) -> dict:
    return unsubscribe(order, parse(Unsubscription, raw))

