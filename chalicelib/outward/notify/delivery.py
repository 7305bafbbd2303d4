"""Sending one message to a customer: the channels that reach them, in order, each tried with
backoff, each (order, step, occurrence, channel) at most once, and the outcome recorded under the
order.

The customer's own channel goes first, then the shop's fallback order (`_channels`); the first
channel that delivers ends the round. Each send is done once per key (Powertools idempotency on
our own table), retried with backoff on a channel's error, and recorded under the order
(`MESSAGE#{step}.{channel}` the first time, `MESSAGE#{step}.{n}.{channel}` the n-th: queued,
sent, failed with the reason); the last failure leaves a dead letter.
"""
from __future__ import annotations

import time
import uuid
from typing import Callable

# The channel adapters by their full module names: `from chalicelib.outward.notify import …`
# would import the package's face, which imports this module.
import chalicelib.outward.notify.email as email
import chalicelib.outward.notify.line as line
import chalicelib.outward.notify.line_pnp as line_pnp
import chalicelib.outward.notify.outbox as outbox
import chalicelib.outward.notify.push as push
import chalicelib.outward.notify.sms as sms
from chalicelib import models
from chalicelib.core import aws, clock, phones
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.outward.notify.base import Delivery, Message, failed
from chalicelib.records import customers

MAX_TRIES = 3
BACKOFF_SECONDS = 0.5  # then 1 s: a throttled provider gets a moment, a stream batch no minute
IDEMPOTENCY_SECONDS = 14 * 86400  # a batch redelivered within two weeks sends nothing twice
# The longest one send may take (MAX_TRIES of a channel's 5 s timeout, and the backoff, with
# room): a send's "in progress" record ends after it, so one whose answer was lost, or whose
# sender died, is taken over then instead of blocking that message for the two weeks.
SEND_WINDOW_SECONDS = 60
SUBJECTS = {"reminder": "保養提醒", "approval_code": "追加項目確認碼", "parts": "零件預計到貨",
            "checked_in": "已接車", "awaiting_approval": "追加項目待確認",
            "ready": "可以取車了", "delivered": "已交車"}
# Each adapter's `send(message) -> Delivery`, looked up when sending (a stand-in set on the
# module, as the benchmark's timed outbox, takes effect).
ADAPTERS = {"line": line, "sms": sms, "email": email, "push": push, "line_pnp": line_pnp}


def _customer(shop_id: str, order: dict) -> dict | None:
    """The order's customer as they are now (their channel may have changed since)."""
    customer_id = (order.get("customer") or {}).get("customer_id")
    return customers.get_customer(shop_id, customer_id) if customer_id else None


# --- channels ---

def _address(customer: dict, channel: str) -> str | None:
    """Where the channel reaches this customer, or None when it cannot."""
    if channel == "line":
        return customer.get("line_user_id")
    if channel in ("sms", "line_pnp"):  # LINE notification messages reach a mobile by its number
        mobile = customer.get("mobile")
        return mobile if mobile and phones.is_mobile(mobile) else None
    if channel == "email":
        return customer.get("email")
    if channel == "push":
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


def adapter(channel: str) -> Callable[[Message], Delivery]:
    """The channel's send; locally, for a channel without credentials, the outbox's."""
    if outbox.used_for(channel):
        return outbox.send
    return ADAPTERS[channel].send


# --- sending ---

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
        result = _once(shop_id, order_id,
                       models.message_once_key(shop_id, order_id, step, channel, occurrence),
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
    send, delivery, tries = adapter(message.channel), None, 0
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
    while not _put_new(shop_id, order_id, models.message_id(step, channel, occurrence), step,
                       channel, shown, "sending", occurrence):
        occurrence += 1
    return occurrence


# --- the record under the order, and sending once ---

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


def _once(shop_id: str, order_id: str, key: str, work: Callable[[], dict]) -> dict:
    """`work()` once per key: a repeat gets the first one's answer (Powertools idempotency, its
    records in our table under the order's own `IDEMPOTENCY#notify#<shop>#<order>`, so no key
    takes every shop's sends; gone by TTL)."""
    from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer,
                                                             IdempotencyConfig,
                                                             idempotent_function)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError)

    store = DynamoDBPersistenceLayer(table_name=settings().table_name, key_attr="pk",
                                     sort_key_attr="sk",
                                     static_pk_value=models.idempotency_pk(shop_id, order_id),
                                     expiry_attr="expires_at",
                                     boto3_client=aws.client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath="key", raise_on_no_idempotency_key=True,
                               expires_after_seconds=IDEMPOTENCY_SECONDS)
    # Powertools ends an "in progress" record when the Lambda's remaining time does; a send's
    # own window is shorter than any invocation and holds outside Lambda (the local poller).
    config.register_lambda_context(_SendWindow())

    @idempotent_function(data_keyword_argument="request", persistence_store=store,
                         config=config, key_prefix="notify")
    def run(request: dict) -> dict:
        return work()

    ends = time.monotonic() + SEND_WINDOW_SECONDS + 1
    while True:
        try:
            return run(request={"key": key})
        except IdempotencyAlreadyInProgressError:
            # Another sender (done within the window: its answer is then ours), or our own
            # record whose answer was lost (taken over once the window ends).
            if time.monotonic() > ends:
                raise
            time.sleep(0.5)


class _SendWindow:
    """What Powertools asks of a Lambda context: the time the send may still take."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return SEND_WINDOW_SECONDS * 1000
