"""The one interface every channel adapter has: `send(message) -> Delivery`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One message to one customer on one channel, as rendered from the shop's template."""
    message_id: str  # models.message_id: `{step}.{channel}`, `{step}.{occurrence}.{channel}`
    shop_id: str
    order_id: str
    step: str
    channel: str
    to: str  # a LINE user id, an E.164 mobile or an e-mail address
    text: str
    subject: str
    # The same for every try of this message, so a provider that knows retry keys (LINE's
    # X-Line-Retry-Key) accepts it once even if our answer was lost on the way back.
    retry_key: str
    occurrence: int = 1  # which time the order reached the step: each time is told once


@dataclass(frozen=True)
class Delivery:
    state: str  # "sent" or "failed"
    provider_id: str | None = None
    error: str | None = None  # why it failed, for the advisor (no personal data)
    retryable: bool = False  # a throttle, a timeout, a 5xx: worth another try


def failed(error: str, retryable: bool) -> Delivery:
    return Delivery("failed", error=error[:300], retryable=retryable)
