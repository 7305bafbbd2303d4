"""The customer's one-tap link that stops the reminders (`/o/<token>`, 個資法 §20).

The token is derived, never stored: base64url of HMAC-SHA256(link-signing-key,
"optout:<shop_id>:<customer_id>") cut to OPT_OUT_TOKEN_BYTES, the same in every reminder. The
table keeps only SHA-256(token) → the customer (OptOutLink), made once when a reminder is
scheduled or sent, so the link answers without the table holding anything that opens it. What
a tap changes is the reminders' (chalicelib/after/reminders.py); the customer's page offers the
link once the car is delivered (customer_page.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from chalicelib import models
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound
from chalicelib.outward import links

OPT_OUT_TOKEN_BYTES = 18


def token(shop_id: str, customer_id: str) -> str:
    mac = hmac.new(links.signing_key(), f"optout:{shop_id}:{customer_id}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:OPT_OUT_TOKEN_BYTES]).decode()


def keep_link(shop_id: str, customer_id: str) -> None:
    """Make the customer's opt-out link answer (its token's hash → the customer): once, when a
    reminder is scheduled or sent, never on a page view."""
    link = models.OptOutLink.from_dict({
        **models.OptOutLink.key(links.token_hash(token(shop_id, customer_id))),
        "shop_id": shop_id, "customer_id": customer_id})
    try:
        with models.refusals():
            link.save(condition=models.OptOutLink.pk.does_not_exist())
    except models.Refused:
        pass  # made before


def url(shop_id: str, customer_id: str) -> str:
    """The customer's own opt-out link, the same in every message (built, nothing read)."""
    return f"{settings().public_origin.rstrip('/')}/o/{token(shop_id, customer_id)}"


def resolve(opt_out_token: str) -> dict:
    """The customer an opt-out token belongs to (the OptOutLink item: shop_id, customer_id), or
    NotFound (the same for every failure)."""
    item = models.OptOutLink.read(models.OptOutLink.key(links.token_hash(opt_out_token)))
    if item is None or not hmac.compare_digest(opt_out_token, token(item["shop_id"],
                                                                    item["customer_id"])):
        raise NotFound("找不到這個連結。", "No such link.")
    return item
