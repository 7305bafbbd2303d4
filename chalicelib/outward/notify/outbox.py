"""Locally (`make dev`), a channel without credentials delivers here: what would have been sent,
kept in the table and shown on /dev/outbox. Never used in the cloud."""
from __future__ import annotations

import uuid

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core.config import settings
from chalicelib.outward.notify.base import Delivery, Message


def used_for(channel: str) -> bool:
    cfg = settings()
    if cfg.stage != "local" or channel in cfg.notify_live:
        return False
    line = None if cfg.line_api_base == "https://api.line.me" else cfg.line_api_base
    # Web Push has no endpoint of ours: a browser's subscription names its push service, so
    # locally it reaches the outbox unless SL_NOTIFY_LIVE names it.
    endpoint = {"sms": cfg.sns_endpoint, "email": cfg.ses_endpoint, "line": line,
                "line_pnp": line}
    return not endpoint.get(channel)


def send(message: Message) -> Delivery:
    at = clock.now_iso()
    provider_id = f"outbox-{uuid.uuid4().hex[:12]}"
    models.Outbox.from_dict({
        **models.Outbox.key(at, provider_id), "type": "outbox", "at": at,
        "provider_id": provider_id, "shop_id": message.shop_id, "order_id": message.order_id,
        "message_id": message.message_id, "step": message.step, "channel": message.channel,
        "to": message.to, "subject": message.subject, "text": message.text,
        "expires_at": int(clock.now().timestamp()) + 30 * 86400}).save()
    return Delivery("sent", provider_id=provider_id)


def recent(limit: int = 100) -> list[dict]:
    """The newest first."""
    return list(models.Outbox.items(models.Outbox.key("", "")["pk"], scan_index_forward=False,
                                    limit=limit))
