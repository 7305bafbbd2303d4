"""Linking a customer's LINE account to the shop's: a one-time code the customer sends from a QR
the front desk shows, and LINE's webhook that receives it (and LINE's delivery reports)."""
from __future__ import annotations

import re
import secrets as random
from datetime import timedelta
from urllib.parse import quote

import chalicelib.outward.notify.chat as chat
import chalicelib.outward.notify.line as line
import chalicelib.outward.notify.line_menu as line_menu
import chalicelib.outward.notify.line_pnp as line_pnp
from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Invalid, NotFound, Unauthorized
from chalicelib.core.observability import logger
from chalicelib.outward import links
from chalicelib.records import customers

LINK_CODE_SECONDS = 24 * 3600
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
LINK_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{10})\b")
EVENT_MARK_SECONDS = 7 * 24 * 3600  # LINE redelivers for a day or so: kept a week


def line_link(caller: Caller, customer_id: str) -> dict:
    """The front desk's QR for linking the customer's LINE (link_code, for the caller's shop)."""
    require(caller, "customers.write")
    if customers.get_customer(caller.shop_id, customer_id) is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return link_code(caller.shop_id, customer_id, caller.stamp())


def link_code(shop_id: str, customer_id: str, by: dict) -> dict:
    """A one-time code, the URL that opens the shop's LINE account with it typed in, and that
    URL as a QR (SVG) the customer scans with LINE; `by` is who asked (a staff stamp, or
    {"customer": True} from the booking page). No caller: the caller checks who may ask and
    that the customer is the shop's."""
    basic_id = settings().line_basic_id
    if not basic_id:
        raise Conflict("尚未設定 LINE 官方帳號。", "No LINE official account is set up.",
                       code="line_not_configured")
    code = "".join(random.choice(LINK_CODE_ALPHABET) for _ in range(10))
    expires = clock.now() + timedelta(seconds=LINK_CODE_SECONDS)
    models.LineLink.from_dict({
        **models.LineLink.key(code), "type": "line_link", "shop_id": shop_id,
        "customer_id": customer_id, "created_at": clock.now_iso(), "created_by": by,
        "expires_at": int(expires.timestamp())}).save(
            condition=models.LineLink.pk.does_not_exist())
    text = f"綁定通知 {code}"
    url = f"https://line.me/R/oaMessage/{quote(basic_id)}/?{quote(text)}"
    return {"code": code, "expires_at": clock.iso(expires), "url": url,
            "qr_svg": links.qr_svg(url)}


def line_webhook(body: bytes | None, signature: str | None) -> dict:
    """LINE's webhook: signature checked first (401, nothing stored, when it is not LINE's);
    then every event once by its `webhookEventId` (LINE redelivers), standby ones ignored, and
    200 for whatever LINE sends: a text with a link code links the sender, a linked customer's
    message joins their conversation, follow/unfollow marks them, a stranger's is counted."""
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
    done = {"linked": 0, "stored": 0, "repeated": 0}
    for event in events:
        if _value(getattr(event, "mode", None)) == "standby":  # another channel answers it
            continue
        event_id = getattr(event, "webhook_event_id", None)
        if event_id and not _first_time(event_id):
            done["repeated"] += 1
            continue
        try:
            outcome = _handle(event, event_id)
        except Exception:
            if event_id:  # not handled: LINE's redelivery may try it again
                models.LineEvent.from_dict(models.LineEvent.key(event_id)).delete()
            raise
        if outcome:
            done[outcome] += 1
    return done


def _value(enum_or_text) -> str | None:
    return getattr(enum_or_text, "value", enum_or_text)


def _first_time(event_id: str) -> bool:
    """A marker per event, put only if absent: of two deliveries of one event, one goes on."""
    try:
        with models.refusals():
            models.LineEvent.from_dict({
                **models.LineEvent.key(event_id), "received_at": clock.now_iso(),
                "expires_at": int(clock.now().timestamp()) + EVENT_MARK_SECONDS}).save(
                    condition=models.LineEvent.pk.does_not_exist())
    except models.Refused:
        return False
    return True


def _handle(event, event_id: str | None) -> str | None:
    kind = getattr(event, "type", None)
    if kind == "delivery":  # a LINE notification message arrived
        line_pnp.delivered(event.delivery.data)
        return None
    user_id = getattr(getattr(event, "source", None), "user_id", None)
    if not user_id or kind not in ("message", "follow", "unfollow"):
        return None  # a group, a postback we do not use, an event type new to us: 200, nothing
    message = getattr(event, "message", None)
    words = getattr(message, "text", None)
    found = LINK_CODE.search(words or "")
    if found and _use_link_code(found.group(1), user_id):
        return "linked"
    customer = chat.customer_of_line_user(user_id)
    if customer is None:
        if kind == "message":
            chat.stranger()
        return None
    if kind in ("follow", "unfollow"):
        chat.follow(customer, kind == "follow")
        return None
    chat.receive(customer, event_id or f"line-{message.id}",
                         _value(getattr(message, "type", None)) or "text", words,
                         int(getattr(event, "timestamp", 0) or 0))
    reply_token = getattr(event, "reply_token", None)
    if reply_token and line_menu.answers(words):  # a button of the rich menu
        try:
            line_menu.reply(reply_token, line_menu.answer_for(customer, words))
        except Exception:  # kept already; the customer can tap again
            logger().warning("the rich menu's reply failed", exc_info=True)
    return "stored"


def _use_link_code(code: str, user_id: str) -> bool:
    claim = models.LineLink.claim(code)
    if not claim or int(claim["expires_at"]) < clock.now().timestamp():
        return False
    return customers.link_line(claim["shop_id"], claim["customer_id"], user_id)
