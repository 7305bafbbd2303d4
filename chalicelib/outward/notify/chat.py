"""LINE both ways (docs/design.md, "Inbound LINE"): what a linked customer writes to the shop's
LINE account, kept in their partition as a conversation with the advisors' replies, and the
shop's unread conversations (the header's badge).

One LINE official account serves the deployment. A LINE user linked to customers of two shops
(or twice in one) reaches the customer they linked MOST RECENTLY: what they write goes to one
shop only, never to a shop it may not be meant for, and the latest link is the counter they
last stood at. The other shops still reach them by push.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from pydantic import StringConstraints
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotDelivered, NotFound
from chalicelib.outward.notify.delivery import adapter
from chalicelib.outward.notify.base import Message
from chalicelib.records import customers

SHOWN_MESSAGES = 50  # the conversation panel: the newest, oldest first
PREVIEW_CHARACTERS = 60  # the inbox's line of the last message
RETRY_NAMESPACE = uuid.UUID("5d6f1f2e-7a53-4c1b-9a1e-2f0c3b6d8e41")
# What a message that is not text reads as (its content is never fetched from LINE).
PLACEHOLDERS = {"sticker": "傳送了貼圖", "image": "傳送了圖片", "video": "傳送了影片",
                "audio": "傳送了語音訊息", "file": "傳送了檔案", "location": "傳送了位置"}
OTHER_PLACEHOLDER = "傳送了訊息"

ReplyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=1000)]


class Reply(Body):
    """An advisor's reply: the tablet makes `client_id`, so a retry sends it once."""
    client_id: ClientId
    text: ReplyText


def view(item: dict) -> dict:
    return {key: item[key] for key in ("chat_id", "direction", "kind", "text", "at", "state",
                                       "error", "by") if item.get(key) is not None}


# --- inbound (the webhook) ---

def customer_of_line_user(line_user_id: str) -> dict | None:
    """The customer this LINE user linked most recently and who still answers to it (not
    erased, not merged, not linked to another LINE account since): one Query, then one read."""
    links = sorted(models.LineUser.items(models.line_user_pk(line_user_id)),
                   key=lambda link: link["linked_at"], reverse=True)
    for link in links:
        customer = customers.get_customer(link["shop_id"], link["customer_id"])
        if customer and customer.get("line_user_id") == line_user_id \
                and not customer.get("erased_at") and not customer.get("merged_into"):
            return customer
    return None


def receive(customer: dict, event_id: str, kind: str, text: str | None, at_ms: int) -> dict:
    """A message the customer wrote, kept in their conversation and counted unread for the
    shop, together; a non-text message as its placeholder."""
    at = clock.iso(datetime.fromtimestamp(at_ms / 1000, timezone.utc)) if at_ms \
        else clock.now_iso()
    words = text if kind == "text" and text else PLACEHOLDERS.get(kind, OTHER_PLACEHOLDER)
    shop_id, customer_id = customer["shop_id"], customer["customer_id"]
    item = {**models.ChatMessage.key(shop_id, customer_id, at, event_id), "shop_id": shop_id,
            "customer_id": customer_id, "chat_id": event_id, "direction": "in", "kind": kind,
            "text": words, "at": at, "line_event_id": event_id}
    entry = models.InboxEntry
    try:
        with models.transaction() as writes:
            writes.save(models.ChatMessage.from_dict(item),
                        condition=models.ChatMessage.pk.does_not_exist())
            writes.update(entry.from_dict(models.InboxEntry.key(shop_id, customer_id)), actions=[
                entry.type.set(entry), entry.shop_id.set(shop_id),
                entry.customer_id.set(customer_id),
                entry.name.set(customer.get("name") or ""), entry.unread.add(1),
                entry.last_at.set(at), entry.last_text.set(words[:PREVIEW_CHARACTERS])])
    except models.Refused:
        pass  # kept already (the same event, handled before its marker was written)
    return view(item)


def follow(customer: dict, followed: bool) -> None:
    """They added the shop's account again (follow) or blocked it (unfollow): shown on the
    customer, so the advisor knows a LINE message will not reach them."""
    row = models.Customer
    action = row.line_blocked_at.remove() if followed else row.line_blocked_at.set(
        clock.now_iso())
    try:
        with models.refusals():
            row.from_dict(models.customer_key(customer["shop_id"], customer["customer_id"])
                          ).update(actions=[action], condition=row.pk.exists()
                                   & row.erased_at.does_not_exist())
    except models.Refused:
        pass


def stranger() -> None:
    """A message from a LINE user linked to nobody: counted, nothing else kept."""
    row = models.LineStrangers
    day = clock.now_iso()[:10]
    row.from_dict(row.key(day)).update(actions=[row.type.set(row), row.day.set(day),
                                               row.messages.add(1)])


# --- the advisor's side ---

def _customer(caller: Caller, customer_id: str) -> dict:
    require(caller, "customers.write")
    customer = customers.get_customer(caller.shop_id, customer_id)
    if customer is None or customer.get("erased_at"):
        raise NotFound("找不到這位客戶。", "No such customer.")
    return customer


def conversation(caller: Caller, customer_id: str) -> dict:
    """The newest messages both ways, oldest first; reading marks nothing."""
    customer = _customer(caller, customer_id)
    newest = models.ChatMessage.query(
        models.customer_key(caller.shop_id, customer_id)["pk"],
        models.ChatMessage.sk.startswith(models.CHAT_PREFIX), scan_index_forward=False,
        limit=SHOWN_MESSAGES)
    messages = [view(item.as_dict()) for item in newest][::-1]
    unread = models.InboxEntry.read(models.InboxEntry.key(caller.shop_id, customer_id))
    return {"customer_id": customer_id, "messages": messages,
            "unread": int(unread["unread"]) if unread else 0,
            "linked": bool(customer.get("line_user_id")),
            "blocked": bool(customer.get("line_blocked_at"))}


def retry_key(shop_id: str, customer_id: str, chat_id: str) -> str:
    """LINE's X-Line-Retry-Key: a UUID made from the reply's client id, the same each try."""
    return str(uuid.uuid5(RETRY_NAMESPACE, f"{shop_id}/{customer_id}/{chat_id}"))


def reply(caller: Caller, customer_id: str, body: Reply) -> dict:
    """The advisor's reply pushed to the customer's LINE at once (they just wrote: quiet hours
    hold nothing), kept in the conversation as sent, or as failed with LINE's reason (502)."""
    customer = _customer(caller, customer_id)
    shop_id, chat_id = caller.shop_id, body.client_id
    claim = models.ChatClaim.read(models.ChatClaim.key(shop_id, customer_id, chat_id),
                                  consistent=True)
    if claim:
        return _replayed(shop_id, customer_id, claim)
    user_id = customer.get("line_user_id")
    if not user_id:
        raise Conflict("這位客戶還沒綁定 LINE，無法用 LINE 回覆。",
                       "The customer has not linked LINE: a LINE reply cannot reach them.",
                       code="line_not_linked")
    at = clock.now_iso()
    key = models.ChatMessage.key(shop_id, customer_id, at, chat_id)
    item = {**key, "shop_id": shop_id, "customer_id": customer_id, "chat_id": chat_id,
            "direction": "out", "kind": "text", "text": body.text, "at": at,
            "state": "sending", "by": caller.stamp()}
    try:
        with models.transaction() as writes:
            writes.save(models.ChatMessage.from_dict(item))
            writes.save(models.ChatClaim.from_dict({
                **models.ChatClaim.key(shop_id, customer_id, chat_id), "chat_id": chat_id,
                "at": at}), condition=models.ChatClaim.pk.does_not_exist())
    except models.LostRace:  # the same reply, sent twice at once: the other try sends it
        claim = models.ChatClaim.read(models.ChatClaim.key(shop_id, customer_id, chat_id),
                                      consistent=True)
        return _replayed(shop_id, customer_id, claim)
    sent = adapter("line")(Message(
        message_id=chat_id, shop_id=shop_id, order_id="", step="reply", channel="line",
        to=user_id, text=body.text, subject="", retry_key=retry_key(shop_id, customer_id,
                                                                     chat_id)))
    row = models.ChatMessage
    actions = [row.state.set(sent.state)]
    if sent.provider_id:
        actions.append(row.provider_id.set(sent.provider_id))
    if sent.error:
        actions.append(row.error.set(sent.error))
    row.from_dict(key).update(actions=actions)
    stored = {**item, "state": sent.state, "error": sent.error}
    if sent.state != "sent":
        raise _not_delivered(sent.error)
    return view(stored)


def _replayed(shop_id: str, customer_id: str, claim: dict | None) -> dict:
    stored = claim and models.ChatMessage.read(
        models.ChatMessage.key(shop_id, customer_id, claim["at"], claim["chat_id"]),
        consistent=True)
    if not stored:
        raise Conflict("這則回覆正在送出，請稍候。", "This reply is being sent: wait a moment.",
                       code="reply_in_progress")
    if stored.get("state") == "failed":
        raise _not_delivered(stored.get("error"))
    return view(stored)


def _not_delivered(reason: str | None) -> NotDelivered:
    return NotDelivered(f"LINE 沒有送出這則回覆（{reason or '原因不明'}），請再試一次或打電話。",
                        f"LINE did not take the reply ({reason or 'no reason given'}): try "
                        "again or call.", code="line_failed")


def mark_read(caller: Caller, customer_id: str) -> dict:
    """The conversation read: it leaves the inbox and the badge."""
    _customer(caller, customer_id)
    models.InboxEntry.from_dict(models.InboxEntry.key(caller.shop_id, customer_id)).delete()
    return {"customer_id": customer_id, "unread": 0}


def inbox(caller: Caller) -> dict:
    """The conversations with unread messages, newest first, and their total (the badge)."""
    require(caller, "customers.write")
    entries = sorted(models.InboxEntry.items(models.inbox_pk(caller.shop_id)),
                     key=lambda entry: entry["last_at"], reverse=True)
    shown = [{key: entry[key] for key in ("customer_id", "name", "unread", "last_at",
                                          "last_text")} for entry in entries]
    return {"conversations": shown, "unread": sum(int(entry["unread"]) for entry in shown)}
