"""The customer's manage link of a booking (`/m/<token>`): see it, move it, cancel it.

The token is derived like the progress link's (links.py): base64url of HMAC-SHA256 under the
link-signing key of "manage:<shop>:<appointment>", cut to 24 bytes (192 bits), so it is as
unguessable as a random one, yet `url_for` can write the same URL into every message about the
booking without the table ever holding a token. The table keeps only SHA-256(token), as the key
of the link's entry (models.ManageLink → shop, appointment): the page finds the booking by a
key the token gives, one GetItem.

A link stops working LINK_DAYS after the booking's time (the page would offer nothing then).
Failed look-ups are counted per client and minute (links.take_turn, scope `manage`, taken on a
miss): past the limit every miss answers with Retry-After until the minute ends. A token opening
its page costs the guard nothing (two GetItems: the entry, the booking).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core.config import settings
from chalicelib.outward import links
from chalicelib.work import appointments

TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # base64url of 24 bytes, no padding
LINK_DAYS = 7  # after the booking's time


def token_for(shop_id: str, appointment_id: str) -> str:
    mac = hmac.new(links.signing_key(), f"manage:{shop_id}:{appointment_id}".encode(),
                   hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:TOKEN_BYTES]).decode().rstrip("=")


def url_for(shop_id: str, appointment_id: str) -> str:
    """The booking's manage link, its entry written on first call (the same URL every time):
    for the booking page's answer and for bookcore's messages about the booking."""
    token = token_for(shop_id, appointment_id)
    key = models.ManageLink.key(links.token_hash(token))
    if models.ManageLink.read(key) is None:  # the same item whoever writes it: no condition
        models.ManageLink.from_dict({**key, "type": "manage_link", "shop_id": shop_id,
                                     "appointment_id": appointment_id,
                                     "created_at": clock.now_iso()}).save()
    return f"{settings().public_origin.rstrip('/')}/m/{token}"


@dataclass(frozen=True)
class Managed:
    """What a manage token opens: the shop and the booking as stored."""
    shop_id: str
    appointment: dict


def expired(appointment: dict) -> bool:
    ends = clock.parse_iso(appointment["at"]) + timedelta(days=LINK_DAYS)
    return ends <= clock.now()


def resolve(token: str, ip: str | None) -> Managed:
    """The booking a token opens, or links.LinkNotFound (unknown, malformed, for a booking
    gone or long past; or the client over its limit, with `retry_after`)."""
    found = _open(token)
    if found is None:
        try:  # a miss takes a turn: 192 bits are not guessed, the guard stops a client trying
            links.take_turn(ip, "manage", links.LIMIT_PER_MINUTE)
        except links.Throttled as over:
            raise links.LinkNotFound(retry_after=over.retry_after) from None
        raise links.LinkNotFound()
    return found


def _open(token: str) -> Managed | None:
    if len(token) != TOKEN_LENGTH:
        return None
    entry = models.ManageLink.read(models.ManageLink.key(links.token_hash(token)))
    if entry is None or not hmac.compare_digest(
            token, token_for(entry["shop_id"], entry["appointment_id"])):
        return None
    appointment = appointments.get_appointment(entry["shop_id"], entry["appointment_id"])
    if appointment is None or expired(appointment):
        return None
    return Managed(shop_id=entry["shop_id"], appointment=appointment)
