"""LINE Messaging API: a push message to a customer who linked the shop's official account,
and the webhook's signature check (line-bot-sdk v3)."""
from __future__ import annotations

from chalicelib.core import secrets
from chalicelib.core.config import settings
from chalicelib.outward.notify.base import Delivery, Message, failed

TIMEOUT_SECONDS = 5


def send(message: Message) -> Delivery:
    from linebot.v3.messaging import (ApiClient, Configuration, MessagingApi, PushMessageRequest,
                                      TextMessage)
    from linebot.v3.messaging.exceptions import ApiException

    try:
        token = secrets.get("line/channel-access-token")
    except Exception:  # not set up: nothing to retry until someone sets it
        return failed("LINE channel access token is not set", retryable=False)
    configuration = Configuration(host=settings().line_api_base, access_token=token)
    request = PushMessageRequest(to=message.to, messages=[TextMessage(text=message.text)])
    try:
        with ApiClient(configuration) as client:
            answer = MessagingApi(client).push_message_with_http_info(
                request, x_line_retry_key=message.retry_key, _request_timeout=TIMEOUT_SECONDS)
    except ApiException as err:
        headers = err.headers or {}
        if err.status == 409 and headers.get("x-line-accepted-request-id"):
            # The retry key was accepted before (our answer was lost): it went out once.
            return Delivery("sent", provider_id=headers["x-line-accepted-request-id"])
        return failed(f"LINE {err.status} {err.reason or ''}".strip(),
                      retryable=err.status == 429 or (err.status or 500) >= 500)
    except Exception as err:  # connection refused, timeout: the SDK raises urllib3's errors
        return failed(f"LINE unreachable: {type(err).__name__}", retryable=True)
    sent = answer.data.sent_messages if answer.data else None
    provider_id = sent[0].id if sent else (answer.headers or {}).get("x-line-request-id")
    return Delivery("sent", provider_id=provider_id)


def parse_webhook(body: str, signature: str) -> list | None:
    """The webhook's events, or None when the signature is not the channel's (or no secret is
    set up, so nothing could be verified)."""
    from linebot.v3 import WebhookParser
    from linebot.v3.exceptions import InvalidSignatureError

    try:
        secret = secrets.get("line/channel-secret")
    except Exception:
        return None
    try:
        return WebhookParser(secret).parse(body, signature)
    except InvalidSignatureError:
        return None
