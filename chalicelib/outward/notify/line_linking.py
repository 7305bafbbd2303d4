"""Linking a customer's LINE account to the shop's: a one-time code the customer sends from a QR
the front desk shows, and LINE's webhook that receives it (and LINE's delivery reports)."""
from __future__ import annotations

import re
import secrets as random
from datetime import timedelta
from urllib.parse import quote

import chalicelib.outward.notify.line as line
import chalicelib.outward.notify.line_pnp as line_pnp
from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Invalid, NotFound, Unauthorized
from chalicelib.outward import links
from chalicelib.records import customers

LINK_CODE_SECONDS = 24 * 3600
LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
LINK_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{10})\b")


def line_link(caller: Caller, customer_id: str) -> dict:
    """A one-time code, the URL that opens the shop's LINE account with it typed in, and that
    URL as a QR (SVG) the customer scans with LINE on the counter's tablet."""
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
    url = f"https://line.me/R/oaMessage/{quote(basic_id)}/?{quote(text)}"
    return {"code": code, "expires_at": clock.iso(expires), "url": url,
            "qr_svg": links.qr_svg(url)}


def line_webhook(body: bytes | None, signature: str | None) -> dict:
    """LINE's webhook: signature checked first (401, nothing stored, when it is not LINE's);
    a text with a link code links the sender's LINE user id to that customer, once."""
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
    claim = models.LineLink.claim(code)
    if not claim or int(claim["expires_at"]) < clock.now().timestamp():
        return False
    return customers.link_line(claim["shop_id"], claim["customer_id"], user_id)
