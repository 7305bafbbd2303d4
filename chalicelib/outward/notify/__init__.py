"""Telling the customer, by the step their repair order reached (DESIGN.md §5).

An order's state change reaches `on_order_change` from the table's stream. The shop's settings
say which steps notify and in which words; the customer's own channel goes first, then the
shop's fallback order. An order may reach a step more than once (a second estimate): each time
is an occurrence of its own, counted from the order's step events, and each (order, step,
occurrence, channel) is sent at most once (Powertools idempotency on our own table), retried
with backoff on channel errors, and recorded under the order (`MESSAGE#{step}.{channel}` the
first time, `MESSAGE#{step}.{n}.{channel}` the n-th: queued, sent, failed with the reason). In
quiet hours a message that is not urgent waits, queued with a `not_before`, until `send_due`
sends it.
"""
from __future__ import annotations

import importlib
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Callable

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import aws
from chalicelib.api import Body, Caller, ClientId
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Invalid, NotFound, Unauthorized
from chalicelib.outward.notify.base import Delivery, Message, failed
from chalicelib.core.observability import logger
from chalicelib.api.roles import require

MAX_TRIES = 3
BACKOFF_SECONDS = 0.5  # then 1 s: a throttled provider gets a moment, a stream batch no minute
IDEMPOTENCY_SECONDS = 14 * 86400  # a batch redelivered within two weeks sends nothing twice
LINK_CODE_SECONDS = 24 * 3600
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
LINK_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{10})\b")
SUBJECTS = {"reminder": "保養提醒", "approval_code": "追加項目確認碼",
            "checked_in": "已接車", "awaiting_approval": "追加項目待確認",
            "ready": "可以取車了", "delivered": "已交車"}
ADAPTERS = {"line": "chalicelib.outward.notify.line", "sms": "chalicelib.outward.notify.sms",
            "email": "chalicelib.outward.notify.email", "push": "chalicelib.outward.notify.push",
            "line_pnp": "chalicelib.outward.notify.line_pnp"}


class Resend(Body):
    client_id: ClientId


# --- the stream's reaction ---

def on_order_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """REACTIONS["ORDER"]: a state change tells the customer (when the shop says so)."""
    if event_name == "REMOVE" or not new_image:
        return
    order, before = _plain(new_image), _plain(old_image)
    step = order.get("state")
    if step and step != before.get("state"):
        notify_step(order, step)


def _plain(image: dict) -> dict:
    """A stream record's image (DynamoDB's typed JSON) as the plain dict its model reads."""
    return models.Item.from_image(image).as_dict() if image else {}


def notify_step(order: dict, step: str) -> list[dict]:
    """Send (or queue, in quiet hours) the step's message; answers what each channel did."""
    from chalicelib.records import shop_settings, shops

    shop_id, order_id = order["shop_id"], order["order_id"]
    rules = shop_settings.notification_settings(shop_id)
    if step not in rules["notify_steps"] or step not in rules["templates"]:
        return []
    customer = _customer(shop_id, order)
    if customer is None or customer.get("channel") == "none":
        return []  # the customer asked not to be told
    shop = shops.get_shop(shop_id) or {}
    text = render(rules["templates"][step], shop=shop.get("name", ""),
                  plate=order.get("vehicle", {}).get("plate", ""), link=_link(shop_id, order_id),
                  total=int((order.get("totals") or {}).get("total") or 0))
    return _send_or_queue(order, step, text, customer, rules, step in rules["urgent_steps"],
                          occurrence=_occurrence(order, step))


def _occurrence(order: dict, step: str) -> int:
    """Which time this is that the order reached `step` (1, 2, …). Each step event is written
    in the transaction that moved the header, `at` its `updated_at`: the ones before this change
    are the same however often, or late, the stream hands the change over."""
    event = models.Event
    events = event.items(models.order_pk(order["shop_id"], order["order_id"]),
                         event.sk.startswith(models.EVENT_PREFIX), consistent_read=True,
                         attributes_to_get=["from", "to", "at"])
    changed_at = order.get("updated_at", "")
    return 1 + sum(1 for event in events if event.get("to") == step
                   and event.get("from") != step and event.get("at", "") < changed_at)


def send_text(order: dict, step: str, text: str) -> list[dict]:
    """A message written elsewhere (a reminder) to the order's customer, on their channel:
    held back in quiet hours, at most once per (order, step, channel): its step names the
    occurrence itself (`reminder:tyres:2027-03-24`)."""
    from chalicelib.records import shop_settings

    customer = _customer(order["shop_id"], order)
    if customer is None or customer.get("channel") == "none":
        return []
    rules = shop_settings.notification_settings(order["shop_id"])
    return _send_or_queue(order, step, text, customer, rules, urgent=False)


def _send_or_queue(order: dict, step: str, text: str, customer: dict, rules: dict,
                   urgent: bool, occurrence: int = 1) -> list[dict]:
    shop_id, order_id = order["shop_id"], order["order_id"]
    now = clock.now()
    if not urgent and quiet(now, rules):
        # Recorded on the channel that will carry it (the first that reaches the customer).
        reaching = [channel for channel in _channels(customer, rules)
                    if _address(customer, channel)]
        return [queue(shop_id, order_id, step, reaching, text, next_send_time(now, rules),
                      occurrence)]
    return deliver(shop_id, order_id, step, text, customer, rules, occurrence=occurrence)


def render(template: str, *, shop: str, plate: str, link: str | None, total: int) -> str:
    from chalicelib.records import vehicles

    values = {"shop": shop, "plate": vehicles.mask_plate(plate) if plate else "",
              "link": link or "", "total": f"{total:,}"}
    return template.format_map(values).strip()


def _link(shop_id: str, order_id: str) -> str | None:
    from chalicelib.outward import links  # the progress link (issue 7's other half)

    return links.url_for(shop_id, order_id)


def _customer(shop_id: str, order: dict) -> dict | None:
    from chalicelib.records import customers

    customer_id = (order.get("customer") or {}).get("customer_id")
    return customers.get_customer(shop_id, customer_id) if customer_id else None


# --- channels ---

def _address(customer: dict, channel: str) -> str | None:
    """Where the channel reaches this customer, or None when it cannot."""
    from chalicelib.core import phones

    if channel == "line":
        return customer.get("line_user_id")
    if channel in ("sms", "line_pnp"):  # LINE notification messages reach a mobile by its number
        mobile = customer.get("mobile")
        return mobile if mobile and phones.is_mobile(mobile) else None
    if channel == "email":
        return customer.get("email")
    if channel == "push":
        from chalicelib.outward.notify import push

        return customer["customer_id"] if push.subscriptions(customer["shop_id"],
                                                             customer["customer_id"]) else None
    return None


def _channels(customer: dict, rules: dict) -> list[str]:
    """The customer's own channel first, then the shop's fallback order."""
    preferred = customer.get("channel")
    ordered = ([preferred] if preferred in ADAPTERS else []) + list(rules["fallback_channels"])
    if preferred == "line":  # not linked to the shop's account: LINE by number, where allowed
        ordered.insert(1, "line_pnp")
    return [channel for channel in dict.fromkeys(ordered)
            if channel != "line_pnp" or rules.get("line_pnp_approved")]


def _adapter(channel: str) -> Callable[[Message], Delivery]:
    from chalicelib.outward.notify import outbox

    if outbox.used_for(channel):
        return outbox.send
    return importlib.import_module(ADAPTERS[channel]).send


def deliver(shop_id: str, order_id: str, step: str, text: str, customer: dict,
            rules: dict, unreachable_id: str | None = None, occurrence: int = 1) -> list[dict]:
    """Channel after channel until one delivers; each at most once per occurrence of the step
    (a batch handed over twice, a queued message found by two runs, send nothing twice)."""
    results = []
    for channel in _channels(customer, rules):
        to = _address(customer, channel)
        if not to:
            continue
        message = _message(shop_id, order_id, step, channel, to, text, occurrence=occurrence)
        result = _once(models.message_once_key(shop_id, order_id, step, channel, occurrence),
                       lambda: _send(message))
        results.append(result)
        if result["state"] == "sent":
            break
    if not results:
        now = clock.now_iso()
        message_id = unreachable_id or models.message_id(step, "none", occurrence)
        _record(shop_id, order_id, message_id, step, message_id.split(".")[-1], text, now,
                failed("no channel reaches this customer", retryable=False),
                occurrence=occurrence)
    return results


def _message(shop_id: str, order_id: str, step: str, channel: str, to: str, text: str,
             resend: str = "", occurrence: int = 1) -> Message:
    # The provider's retry key differs for each occurrence too: LINE takes a key only once.
    key = f"{models.message_once_key(shop_id, order_id, step, channel, occurrence)}#{resend}"
    return Message(message_id=models.message_id(step, channel, occurrence), shop_id=shop_id,
                   order_id=order_id, step=step, channel=channel, to=to, text=text,
                   subject=SUBJECTS.get(step.split(":")[0], ""),
                   retry_key=str(uuid.uuid5(uuid.NAMESPACE_URL, key)), occurrence=occurrence)


def _send(message: Message, resend: bool = False, shown: str | None = None) -> dict:
    """Tries with backoff; the outcome recorded under the order (as `shown`, when the text holds
    what must not be kept, a one-time code), a dead letter after the last."""
    send, delivery, tries = _adapter(message.channel), None, 0
    for tries in range(1, MAX_TRIES + 1):
        try:
            delivery = send(message)
        except Exception as err:  # an adapter's own bug must not stop the other channels
            logger().exception("adapter failed", extra={"channel": message.channel})
            delivery = failed(f"{message.channel}: {type(err).__name__}", retryable=True)
        if delivery.state == "sent" or not delivery.retryable or tries == MAX_TRIES:
            break
        time.sleep(BACKOFF_SECONDS * 2 ** (tries - 1))
    now = clock.now_iso()
    _record(message.shop_id, message.order_id, message.message_id, message.step,
            message.channel, shown or message.text, now, delivery, tries=tries, resend=resend,
            occurrence=message.occurrence)
    if delivery.state != "sent":
        models.DeadLetter.from_dict({
            **models.DeadLetter.key(message.shop_id, now, message.order_id, message.message_id),
            "type": "message_dead_letter", "shop_id": message.shop_id,
            "order_id": message.order_id, "message_id": message.message_id,
            "step": message.step, "channel": message.channel, "error": delivery.error,
            "tries": tries, "at": now}).save()
    logger().info("message", extra={"order_id": message.order_id, "step": message.step,
                                    "channel": message.channel, "state": delivery.state,
                                    "tries": tries})
    return {"message_id": message.message_id, "channel": message.channel,
            "state": delivery.state, "provider_id": delivery.provider_id,
            "error": delivery.error, "tries": tries}


def _record(shop_id: str, order_id: str, message_id: str, step: str, channel: str, text: str,
            now: str, delivery: Delivery, tries: int = 0, resend: bool = False,
            occurrence: int = 1) -> None:
    """The message's outcome (made if it has no record yet); out of the due list either way."""
    message = models.Message
    actions = [message.type.set(message), message.shop_id.set(shop_id),
               message.order_id.set(order_id), message.message_id.set(message_id),
               message.step.set(step), message.channel.set(channel), message.text.set(text),
               message.state.set(delivery.state), message.updated_at.set(now),
               message.tries.set(tries), message.created_at.set(message.created_at | now),
               message.gsi2pk.remove(), message.gsi2sk.remove(), message.not_before.remove()]
    if occurrence > 1:  # as _counted: the first has none
        actions.append(message.occurrence.set(occurrence))
    if delivery.state == "sent":
        actions += [message.sent_at.set(now), message.error.remove(),
                    message.provider_id.set(delivery.provider_id) if delivery.provider_id
                    else message.provider_id.remove()]
    else:
        actions.append(message.error.set(delivery.error or "failed"))
    if resend:
        actions.append(message.resends.add(1))
    message.from_dict(message.key(shop_id, order_id, message_id)).update(actions=actions)


def _counted(occurrence: int) -> dict:
    """A message's `occurrence`, kept from the second on (the first, like every message from
    before the times were counted, has none)."""
    return {"occurrence": occurrence} if occurrence > 1 else {}


def _put_new(shop_id: str, order_id: str, message_id: str, step: str, channel: str, text: str,
             state: str, occurrence: int, **more) -> bool:
    """The message's first record; False when it is there already."""
    at = clock.now_iso()
    try:
        with models.refusals():
            models.Message.from_dict({
                **models.Message.key(shop_id, order_id, message_id), "type": "message",
                "shop_id": shop_id, "order_id": order_id, "message_id": message_id,
                "step": step, "channel": channel, "text": text, "state": state,
                "created_at": at, "updated_at": at, "tries": 0, **_counted(occurrence),
                **more}).save(condition=models.Message.pk.does_not_exist())
    except models.Refused:
        return False
    return True


def _once(key: str, work: Callable[[], dict]) -> dict:
    """`work()` once per key: a repeat gets the first one's answer (Powertools idempotency, its
    records in our table under `IDEMPOTENCY#notify`, gone by TTL)."""
    from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer,
                                                             IdempotencyConfig,
                                                             idempotent_function)

    store = DynamoDBPersistenceLayer(table_name=settings().table_name, key_attr="pk",
                                     sort_key_attr="sk", static_pk_value=models.IDEMPOTENCY_PK,
                                     expiry_attr="expires_at",
                                     boto3_client=aws.client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath="key", raise_on_no_idempotency_key=True,
                               expires_after_seconds=IDEMPOTENCY_SECONDS)

    @idempotent_function(data_keyword_argument="request", persistence_store=store,
                         config=config, key_prefix="notify")
    def run(request: dict) -> dict:
        return work()

    import warnings

    with warnings.catch_warnings():  # no Lambda context to register outside a handler
        warnings.filterwarnings("ignore", message="Couldn't determine the remaining time")
        return run(request={"key": key})


# --- quiet hours ---

def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def quiet(now: datetime, rules: dict) -> bool:
    local = now.astimezone(clock.SHOP_TIMEZONE)
    minute = local.hour * 60 + local.minute
    start, end = _minutes(rules["quiet_start"]), _minutes(rules["quiet_end"])
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # over midnight, 21:00–08:00


def next_send_time(now: datetime, rules: dict) -> datetime:
    """When quiet hours end next (Asia/Taipei)."""
    local = now.astimezone(clock.SHOP_TIMEZONE)
    end = _minutes(rules["quiet_end"])
    moment = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)
    return moment


def queue(shop_id: str, order_id: str, step: str, channels: list[str], text: str,
          not_before: datetime, occurrence: int = 1) -> dict:
    """Held back until `not_before`; a second sight of the same change queues nothing more."""
    channel = channels[0] if channels else "none"
    message_id = models.message_id(step, channel, occurrence)
    due = clock.iso(not_before)
    _put_new(shop_id, order_id, message_id, step, channel, text, "queued", occurrence,
             not_before=due, **models.message_due_index(due, shop_id, order_id, message_id))
    return {"message_id": message_id, "channel": channel, "state": "queued", "not_before": due}


def send_due_now() -> int:
    """The schedule's run (every 15 minutes): send what quiet hours held back and is now due."""
    return send_due(clock.now())


def send_due(now: datetime) -> int:
    """Send the queued messages whose time has come (the schedule and the stream call it);
    answers how many were taken. Each is claimed first, so two runs never both take one."""
    from chalicelib.records import shop_settings

    message = models.Message
    due = [found.as_dict() for found in models.Item.lists.query(
        models.MESSAGES_DUE_PK, models.Item.gsi2sk <= f"{clock.iso(now)}#~")]
    taken = 0
    for item in due:
        key = message.key(item["shop_id"], item["order_id"], item["message_id"])
        try:
            with models.refusals():
                message.from_dict(key).update(
                    actions=[message.state.set("sending"), message.gsi2pk.remove(),
                             message.gsi2sk.remove()],
                    condition=message.state == "queued")
        except models.Refused:
            continue  # another run took it
        taken += 1
        order = models.Order.read(models.order_key(item["shop_id"], item["order_id"])) or {}
        customer = _customer(item["shop_id"], order) if order else None
        occurrence = int(item.get("occurrence", 1))  # none: queued before times were counted
        if not customer or customer.get("channel") == "none":
            _record(item["shop_id"], item["order_id"], item["message_id"], item["step"],
                    item["channel"], item["text"], clock.now_iso(),
                    failed("the customer can no longer be reached", retryable=False),
                    occurrence=occurrence)
            continue
        results = deliver(item["shop_id"], item["order_id"], item["step"], item["text"],
                          customer, shop_settings.notification_settings(item["shop_id"]),
                          unreachable_id=item["message_id"], occurrence=occurrence)
        if results and all(result["message_id"] != item["message_id"] for result in results):
            # Another channel carried it (the customer's changed since): that one's record
            # stands, the queued one goes.
            message.from_dict(key).delete(condition=message.state == "sending")
    return taken


# --- the order screen: the messages and a resend ---

_SHOWN = ("message_id", "step", "occurrence", "channel", "state", "created_at", "updated_at",
          "sent_at", "not_before", "delivered_at", "read_at", "error", "tries", "resends")
MESSAGE_ID = re.compile(r"^[a-z_]{1,30}(\.[1-9][0-9]{0,3})?\.[a-z_]{1,20}$")  # models.message_id


def views(order_items: list[dict]) -> list[dict]:
    """The order's messages as the order screen shows them (from the order's one Query)."""
    messages = [item for item in order_items if item.get("sk", "").startswith(models.MESSAGE_PREFIX)]
    messages.sort(key=lambda item: (item.get("created_at", ""), int(item.get("occurrence", 1)),
                                    item["message_id"]))
    return [{name: item[name] for name in _SHOWN if item.get(name) is not None}
            for item in messages]


def list_messages(shop_id: str, order_id: str) -> list[dict]:
    return views(list(models.Message.items(models.order_pk(shop_id, order_id),
                                           models.Message.sk.startswith(models.MESSAGE_PREFIX))))


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
    _once(f"{caller.shop_id}#{order_id}#{message_id}#resend#{body.client_id}",
          lambda: _send(message, resend=True))
    return views([models.Message.read(key)])[0]


def mark_read(order: dict, raw: bytes | None) -> dict:
    """The customer opened a push notification (its service worker says so, with the link's
    token): the message gets `read_at`, once. Only channels that can tell are marked."""
    import json

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


def send_direct(shop_id: str, order_id: str, step: str, channel: str, to: str, text: str,
                shown: str) -> dict:
    """A message the customer asked for this moment (a one-time code): sent now on one channel,
    whatever the quiet hours, recorded under the order as `shown`, each asking a message of its
    own."""
    occurrence = _claim(shop_id, order_id, step, channel, shown)
    return _send(_message(shop_id, order_id, step, channel, to, text, resend=uuid.uuid4().hex,
                          occurrence=occurrence), shown=shown)


def _claim(shop_id: str, order_id: str, step: str, channel: str, shown: str) -> int:
    """The next occurrence of a step sent on request, taken by its first record (`sending`):
    two requests at once take two."""
    earlier = models.Message.items(models.order_pk(shop_id, order_id),
                                   models.Message.sk.startswith(models.message_step_prefix(step)),
                                   consistent_read=True, attributes_to_get=["channel"])
    occurrence = 1 + sum(1 for item in earlier if item.get("channel") == channel)
    while not _put_new(shop_id, order_id, models.message_id(step, channel, occurrence), step, channel,
                       shown, "sending", occurrence):
        occurrence += 1
    return occurrence


# --- linking a customer's LINE account ---

def line_link(caller: Caller, customer_id: str) -> dict:
    """A one-time code and the URL of a QR that opens the shop's LINE account with it typed in."""
    import secrets as random
    from urllib.parse import quote

    from chalicelib.records import customers
    from chalicelib.core.config import settings

    require(caller, "customers.write")
    if customers.get_customer(caller.shop_id, customer_id) is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    basic_id = settings().line_basic_id
    if not basic_id:
        raise Conflict("尚未設定 LINE 官方帳號。", "No LINE official account is set up.",
                       code="line_not_configured")
    code = "".join(random.choice(LINK_CODE_ALPHABET) for _ in range(10))
    expires = clock.now() + timedelta(seconds=LINK_CODE_SECONDS)
    models.LineLink.from_dict({
        **models.LineLink.key(code), "type": "line_link", "shop_id": caller.shop_id,
        "customer_id": customer_id, "created_at": clock.now_iso(), "created_by": caller.stamp(),
        "expires_at": int(expires.timestamp())}).save(
            condition=models.LineLink.pk.does_not_exist())
    text = f"綁定通知 {code}"
    return {"code": code, "expires_at": clock.iso(expires),
            "url": f"https://line.me/R/oaMessage/{quote(basic_id)}/?{quote(text)}"}


def line_webhook(body: bytes | None, signature: str | None) -> dict:
    """LINE's webhook: signature checked first (401, nothing stored, when it is not LINE's);
    a text with a link code links the sender's LINE user id to that customer, once."""
    from chalicelib.outward.notify import line

    try:
        text = (body or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("內容不是 UTF-8。", "The body is not UTF-8.") from None
    try:
        events = line.parse_webhook(text, signature or "")
    except Exception:  # signed by LINE but not a shape the SDK knows
        raise Invalid("無法解讀的 LINE 事件。", "Unreadable LINE events.") from None
    if events is None:
        raise Unauthorized("簽章不符。", "The signature does not match.")
    from chalicelib.outward.notify import line_pnp

    linked = 0
    for event in events:
        if getattr(event, "type", None) == "delivery":  # a LINE notification message arrived
            line_pnp.delivered(event.delivery.data)
            continue
        user_id = getattr(getattr(event, "source", None), "user_id", None)
        words = getattr(getattr(event, "message", None), "text", None)
        found = LINK_CODE.search(words or "")
        if user_id and found and _use_link_code(found.group(1), user_id):
            linked += 1
    return {"linked": linked}


def _use_link_code(code: str, user_id: str) -> bool:
    from chalicelib.records import customers

    claim = models.LineLink.claim(code)
    if not claim or int(claim["expires_at"]) < clock.now().timestamp():
        return False
    return customers.link_line(claim["shop_id"], claim["customer_id"], user_id)
