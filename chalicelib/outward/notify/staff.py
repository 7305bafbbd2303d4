"""Telling the front desk of what the floor needs from them, by Web Push to the staff devices
that allowed it: a technician's finding to price, a technician's call for support. The same
VAPID keys, encryption and push services as the customer's notifications (push.py); a device is
subscribed by the person signed in on it, for their role.

Reactions to the table's stream (chalicelib/changes.py): a line a technician proposed (its first
image), and a header whose `help` appeared. Each is sent once per change (a redelivered record
finds nothing new: the old image already had it); nothing personal of the customer is in the
text (the plate and the job only).
"""
from __future__ import annotations

import json

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import FRONT_DESK
from chalicelib.core import clock
from chalicelib.core import secrets as secret_store
from chalicelib.core.observability import logger
import chalicelib.outward.notify.push as push

MAX_PER_PERSON = 5


def subscribe(caller: Caller, body: push.Subscription) -> dict:
    """This device tells its person (their role's alerts) from now on."""
    digest = push.endpoint_hash(body.endpoint)
    models.StaffPush.from_dict({
        **models.StaffPush.key(caller.shop_id, caller.staff_id, digest), "type": "staff_push",
        "shop_id": caller.shop_id, "staff_id": caller.staff_id, "role": caller.role,
        "endpoint": body.endpoint, "p256dh": body.keys.p256dh, "auth": body.keys.auth,
        "created_at": clock.now_iso()}).save()
    mine = sorted((item for item in _devices(caller.shop_id)
                   if item["staff_id"] == caller.staff_id), key=lambda item: item["created_at"])
    for old in mine[:-MAX_PER_PERSON]:  # a person's older devices make way
        models.StaffPush.from_dict({"pk": old["pk"], "sk": old["sk"]}).delete()
    return {"subscribed": True, "public_key": push.public_key()}


def unsubscribe(caller: Caller, body: push.Unsubscription) -> dict:
    digest = push.endpoint_hash(body.endpoint)
    models.StaffPush.from_dict(models.StaffPush.key(caller.shop_id, caller.staff_id,
                                                    digest)).delete()
    return {"subscribed": False}


def settings(caller: Caller) -> dict:
    """The key a device subscribes with (None: Web Push is not set up here)."""
    return {"public_key": push.public_key()}


def _devices(shop_id: str) -> list[dict]:
    return list(models.StaffPush.items(models.staff_push_pk(shop_id)))


def tell(shop_id: str, title: str, body: str, url: str, tag: str,
         roles: frozenset[str] = FRONT_DESK) -> int:
    """Push to the shop's devices of people in `roles`, once per `tag`; the number that took
    it. A gone subscription (404, 410) is removed; others are left for the next alert (an alert
    that arrives late is worse than none: no retry)."""
    try:
        private_key = secret_store.get("vapid/private-key")
    except Exception:
        return 0  # Web Push is not set up: the board's badge still shows it
    if not _first_time(shop_id, tag):
        return 0  # told already (the stream handed the same change over again)
    payload = json.dumps({"title": title, "body": body, "url": url, "tag": tag},
                         ensure_ascii=False)
    took = 0
    for device in _devices(shop_id):
        if device["role"] not in roles:
            continue
        status = push._post(device, payload, private_key, "staff")
        if status is not None and status < 300:
            took += 1
        elif status in (404, 410):
            models.StaffPush.from_dict({"pk": device["pk"], "sk": device["sk"]}).delete()
        else:
            logger().warning("staff push failed", extra={"status": status})
    return took


ALERT_SECONDS = 86400


def _first_time(shop_id: str, tag: str) -> bool:
    try:
        with models.refusals():
            models.StaffAlert.from_dict({
                **models.StaffAlert.key(shop_id, tag),
                "expires_at": int(clock.now().timestamp()) + ALERT_SECONDS}).save(
                condition=models.StaffAlert.pk.does_not_exist())
    except models.Refused:
        return False
    return True


def _plain(image: dict) -> dict:
    return models.Item.from_image(image).as_dict() if image else {}


def on_line(event_name: str, new_image: dict, old_image: dict) -> None:
    """A line a technician proposed (a finding): the front desk is told to price it."""
    if event_name != "INSERT":
        return
    line = _plain(new_image)
    finder = (line.get("created_by") or {}).get("staff_id")
    owner = models.order_of(line.get("pk", ""))
    if not owner or not line.get("unpriced") or finder != line.get("technician_id"):
        return
    shop_id, order_id = owner
    tell(shop_id, "技師發現問題 Found by a technician",
         f"{line.get('plate', '')}：{line['description']}（{line['created_by']['name']}）",
         f"/#/orders/{order_id}", f"finding-{line['line_id']}")


def on_order_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """A technician's call for support on an order: the front desk is told where."""
    if event_name == "REMOVE":
        return
    order, before = _plain(new_image), _plain(old_image)
    asked = order.get("help")
    if not asked or asked == before.get("help"):
        return
    tell(order["shop_id"], "需要支援 Help asked",
         f"{order['vehicle']['plate']}：{asked['by']['name']}" +
         (f"：{asked['note']}" if asked.get("note") else ""),
         f"/#/orders/{order['order_id']}", f"help-{order['order_id']}-{asked['at']}")
