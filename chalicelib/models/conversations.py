"""LINE both ways: who a LINE user is at each shop, the messages a customer and the shop wrote
each other, the shop's unread conversations, and the webhook events already handled."""
from __future__ import annotations

from chalicelib.models.base import Document, Item, Number, Text
from chalicelib.models.customers import customer_key
from chalicelib.models.shops import shop_pk

Key = dict[str, str]

CHAT_PREFIX = "CHAT#"
CHAT_ID_PREFIX = "CHATID#"


def line_user_pk(line_user_id: str) -> str:
    return f"LINEUSER#{line_user_id}"


class LineUser(Item, discriminator="line_user"):
    """A LINE user linked to a shop's customer, so an inbound message finds its customer with
    one Query of `LINEUSER#<LINE user id>` (SK `SHOP#<shop>#<customer>`: one per customer it
    was linked to). Written with the link; the customer item stays the truth (a customer who
    linked another LINE account since no longer answers to this one)."""
    shop_id = Text()
    customer_id = Text()
    line_user_id = Text()
    linked_at = Text()

    @staticmethod
    def key(line_user_id: str, shop_id: str, customer_id: str) -> Key:
        return {"pk": line_user_pk(line_user_id), "sk": f"{shop_pk(shop_id)}#{customer_id}"}


class ChatMessage(Item, discriminator="chat_message"):
    """One message of a customer's LINE conversation, either way, in the customer's partition:
    SK `CHAT#<at>#<id>` (newest N is one Query backwards). `direction` "in" (the customer wrote;
    `kind` text, sticker, image…: only text is kept word for word) or "out" (an advisor's
    reply: `state` sending, sent or failed with `error`)."""
    shop_id = Text()
    customer_id = Text()
    chat_id = Text()
    direction = Text()
    kind = Text()
    text = Text()
    at = Text()
    state = Text(null=True)
    error = Text(null=True)
    provider_id = Text(null=True)
    by = Document(null=True)
    line_event_id = Text(null=True)

    @staticmethod
    def key(shop_id: str, customer_id: str, at: str, chat_id: str) -> Key:
        return {"pk": customer_key(shop_id, customer_id)["pk"],
                "sk": f"{CHAT_PREFIX}{at}#{chat_id}"}


class ChatClaim(Item, discriminator="chat_claim"):
    """A reply's client-made id, taken with the reply in one transaction, so a reply sent twice
    (the tablet's retry) is stored and pushed once. In the customer's partition: SK
    `CHATID#<id>`, naming the message's `at`."""
    chat_id = Text()
    at = Text()

    @staticmethod
    def key(shop_id: str, customer_id: str, chat_id: str) -> Key:
        return {"pk": customer_key(shop_id, customer_id)["pk"],
                "sk": f"{CHAT_ID_PREFIX}{chat_id}"}


def inbox_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#INBOX"


class InboxEntry(Item, discriminator="inbox_entry"):
    """A conversation with messages the shop has not read: PK `SHOP#<shop>#INBOX`, SK the
    customer id. Added to by each inbound message, deleted when an advisor reads it, so the
    header's badge and the inbox list are one Query of the partition."""
    shop_id = Text()
    customer_id = Text()
    name = Text(null=True)
    unread = Number()
    last_at = Text()
    last_text = Text()

    @staticmethod
    def key(shop_id: str, customer_id: str) -> Key:
        return {"pk": inbox_pk(shop_id), "sk": customer_id}


class LineEvent(Item, discriminator="line_event"):
    """A LINE webhook event already handled, by its `webhookEventId` (LINE redelivers, and may
    deliver one event twice): PK `LINEEVENT#<id>`, SK `LINEEVENT`; gone by TTL."""
    received_at = Text()
    expires_at = Number()

    @staticmethod
    def key(event_id: str) -> Key:
        return {"pk": f"LINEEVENT#{event_id}", "sk": "LINEEVENT"}


class LineStrangers(Item, discriminator="line_strangers"):
    """How many messages came from LINE users linked to no customer, a day (UTC): a count only,
    nothing of who they are or what they wrote. PK `LINESTRANGERS`, SK `<YYYY-MM-DD>`."""
    day = Text()
    messages = Number()

    @staticmethod
    def key(day: str) -> Key:
        return {"pk": "LINESTRANGERS", "sk": day}
