"""LINE notification messages (LINE 通知型訊息, "PNP"): a message reaching a customer by their
mobile number, without their having added the shop's official account. Only for shops LINE
approved (shop setting `line_pnp_approved`); Taiwan is one of the few markets.

LINE gets the SHA-256 of the E.164 number, never the number. Each message goes with an opaque
`X-Line-Delivery-Tag` (no personal data) that LINE's `delivery` webhook event names when the
message reached the phone: the tag's item finds the message, which is marked `delivered_at`.
"""
from __future__ import annotations

import hashlib

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import secrets
from chalicelib.core.config import settings
from chalicelib.outward.notify.base import Delivery, Message, failed

TIMEOUT_SECONDS = 5
TAG_DAYS = 30  # LINE reports a delivery within minutes; a month is generous


def hashed_number(e164: str) -> str:
    """What LINE matches a phone number by: hex SHA-256 of the E.164 form (`+886912345678`)."""
    return hashlib.sha256(e164.encode()).hexdigest()


def delivery_tag(message: Message) -> str:
    """Opaque, 32 characters (LINE takes 16–100): the message's retry key without hyphens."""
    return message.retry_key.replace("-", "")


def send(message: Message) -> Delivery:
    from linebot.v3.messaging import (ApiClient, Configuration, MessagingApi, PnpMessagesRequest,
                                      TextMessage)
    from linebot.v3.messaging.exceptions import ApiException

    try:
        token = secrets.get("line/channel-access-token")
    except Exception:
        return failed("LINE channel access token is not set", retryable=False)
    tag = delivery_tag(message)
    models.LineDeliveryTag.from_dict({
        **models.LineDeliveryTag.key(tag), "type": "line_delivery_tag",
        "shop_id": message.shop_id, "order_id": message.order_id,
        "message_id": message.message_id,
        "expires_at": int(clock.now().timestamp()) + TAG_DAYS * 86400}).save()
    configuration = Configuration(host=settings().line_api_base, access_token=token)
    request = PnpMessagesRequest(to=hashed_number(message.to),
                                 messages=[TextMessage(text=message.text)])
    try:
        with ApiClient(configuration) as client:
            answer = MessagingApi(client).push_messages_by_phone_with_http_info(
                request, x_line_delivery_tag=tag, _request_timeout=TIMEOUT_SECONDS)
    except ApiException as err:
        # 422 and the like: the number has no LINE account, or no consent; not worth a retry.
        return failed(f"LINE PNP {err.status} {err.reason or ''}".strip(),
                      retryable=err.status == 429 or (err.status or 500) >= 500)
    except Exception as err:
        return failed(f"LINE unreachable: {type(err).__name__}", retryable=True)
    return Delivery("sent", provider_id=(answer.headers or {}).get("x-line-request-id") or tag)


def delivered(tag: str) -> bool:
    """LINE's delivery completion event for a tag: the message gets `delivered_at` (once)."""
    found = models.LineDeliveryTag.read(models.LineDeliveryTag.key(tag))
    if not found:
        return False
    message = models.Message
    try:
        with models.refusals():
            message.from_dict(message.key(found["shop_id"], found["order_id"],
                                          found["message_id"])).update(
                actions=[message.delivered_at.set(message.delivered_at | clock.now_iso())],
                condition=message.pk.exists())
    except models.Refused:
        return False
    return True
