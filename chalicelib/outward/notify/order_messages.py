"""An order's messages as the order screen shows them, the advisor's resend, and the customer's
read receipt (a push notification opened)."""
from __future__ import annotations

import json
import re

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Invalid, NotFound
from chalicelib.outward.notify.delivery import _address, _customer, _message, _once, _send

MESSAGE_ID = re.compile(r"^[a-z_]{1,30}(\.[1-9][0-9]{0,3})?\.[a-z_]{1,20}$")  # models.message_id


class Resend(Body):
    client_id: ClientId


def list_messages(shop_id: str, order_id: str) -> list[dict]:
    return models.message_views(list(models.Message.items(
        models.order_pk(shop_id, order_id), models.Message.sk.startswith(models.MESSAGE_PREFIX))))


def order_messages(caller: Caller, order_id: str) -> list[dict]:
    """The order screen's list: who may read the order may read what its customer was sent."""
    require(caller, "orders.read")
    key = models.order_key(caller.shop_id, order_id)
    try:
        models.Order.get(key["pk"], key["sk"], attributes_to_get=["pk"])
    except models.Order.DoesNotExist:
        raise NotFound("找不到這張工單。", "No such repair order.") from None
    return list_messages(caller.shop_id, order_id)


def resend(caller: Caller, order_id: str, message_id: str, body: Resend) -> dict:
    """The advisor sends a message again on its channel (once per client id: a replayed
    request from the tablet's queue sends nothing more)."""
    require(caller, "orders.write")
    key = models.Message.key(caller.shop_id, order_id, message_id)
    item = models.Message.read(key)
    if item is None:
        raise NotFound("找不到這則通知。", "No such message.")
    order = models.Order.read(models.order_key(caller.shop_id, order_id)) or {}
    customer = _customer(caller.shop_id, order)
    to = _address(customer, item["channel"]) if customer else None
    if not to:
        raise Conflict("這個管道已無法聯絡到客戶。", "The channel no longer reaches the customer.",
                       code="channel_unreachable")
    message = _message(caller.shop_id, order_id, item["step"], item["channel"], to, item["text"],
                       resend=body.client_id, occurrence=int(item.get("occurrence", 1)))
    _once(caller.shop_id, order_id,
          f"{caller.shop_id}#{order_id}#{message_id}#resend#{body.client_id}",
          lambda: _send(message, resend=True))
    return models.message_views([models.Message.read(key)])[0]


def mark_read(order: dict, raw: bytes | None) -> dict:
    """The customer opened a push notification (its service worker says so, with the link's
    token): the message gets `read_at`, once. Only channels that can tell are marked."""
    try:
        body = json.loads(raw or b"{}") if raw and len(raw) < 500 else {}
    except ValueError:
        body = {}
    message_id = body.get("message_id") if isinstance(body, dict) else None
    if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
        raise Invalid("請指定通知。", "message_id: which message was opened.")
    message = models.Message
    opened = message.from_dict(message.key(order["shop_id"], order["order_id"], message_id))
    try:
        with models.refusals():
            opened.update(actions=[message.read_at.set(message.read_at | clock.now_iso())],
                          condition=message.pk.exists() & (message.channel == "push"))
    except models.Refused:
        raise NotFound("找不到這則通知。", "No such message.") from None
    return {"message_id": message_id, "read_at": opened.read_at}
