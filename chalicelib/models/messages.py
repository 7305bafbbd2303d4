"""What the notification channels keep beside the order's messages: the messages given up on,
LINE's delivery tags, and locally the outbox of what would have been sent."""
from __future__ import annotations

from chalicelib.models.base import Item, Number, Text
from chalicelib.models.orders import MESSAGE_PREFIX
from chalicelib.models.shops import shop_pk

Key = dict[str, str]

def idempotency_pk(shop_id: str, order_id: str) -> str:
    """The partition of an order's Powertools idempotency records (each message sent once):
    one an order, so no key takes every shop's sends. Powertools reads and writes them itself
    (chalicelib/outward/notify/delivery.py), SK the hash of `message_once_key`."""
    return f"IDEMPOTENCY#notify#{shop_id}#{order_id}"


def message_once_key(shop_id: str, order_id: str, step: str, channel: str,
                     occurrence: int = 1) -> str:
    """What a message is sent once for (Powertools hashes it into its record's key). The first
    occurrence's is the key used before the times were counted: a batch handled then and handed
    over again now still sends nothing twice."""
    counted = step if occurrence == 1 else f"{step}#{occurrence}"
    return f"{shop_id}#{order_id}#{counted}#{channel}"


class DeadLetter(Item, discriminator="message_dead_letter"):
    """A message given up on after its last try, kept for the shop to look into. PK
    `SHOP#<shop>#DEADLETTERS`, SK `<at>#<order>#<message>`."""
    shop_id = Text()
    order_id = Text()
    message_id = Text()
    step = Text()
    channel = Text()
    error = Text(null=True)
    tries = Number(null=True)
    at = Text()

    @staticmethod
    def key(shop_id: str, at: str, order_id: str, message_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#DEADLETTERS", "sk": f"{at}#{order_id}#{message_id}"}


class LineDeliveryTag(Item, discriminator="line_delivery_tag"):
    """The opaque tag a LINE notification message was sent with: LINE's `delivery` webhook
    event names it, and it finds the message. PK `LINEDELIVERY#<tag>`; gone by TTL."""
    shop_id = Text()
    order_id = Text()
    message_id = Text()
    expires_at = Number()

    @staticmethod
    def key(tag: str) -> Key:
        return {"pk": f"LINEDELIVERY#{tag}", "sk": "LINEDELIVERY"}


class Outbox(Item, discriminator="outbox"):
    """Locally only: what a channel without credentials would have sent (/dev/outbox). PK
    `OUTBOX`, SK `<at>#<message>`; gone by TTL."""
    at = Text()
    message_id = Text()
    channel = Text()
    to = Text()
    text = Text()
    subject = Text(null=True)
    shop_id = Text(null=True)
    order_id = Text(null=True)
    step = Text(null=True)
    provider_id = Text(null=True)
    expires_at = Number()

    @staticmethod
    def key(at: str, message_id: str) -> Key:
        return {"pk": "OUTBOX", "sk": f"{at}#{message_id}"}


# What the order screen shows of each message (Message, in the order's partition).
_SHOWN = ("message_id", "step", "occurrence", "channel", "state", "created_at", "updated_at",
          "sent_at", "not_before", "delivered_at", "read_at", "error", "tries", "resends")


def message_views(order_items: list[dict]) -> list[dict]:
    """The order's messages as the order screen shows them, in the order they were made, from
    the order's one Query (its partition's items, of any type)."""
    messages = [item for item in order_items if item.get("sk", "").startswith(MESSAGE_PREFIX)]
    messages.sort(key=lambda item: (item.get("created_at", ""), int(item.get("occurrence", 1)),
                                    item["message_id"]))
    return [{name: item[name] for name in _SHOWN if item.get(name) is not None}
            for item in messages]
