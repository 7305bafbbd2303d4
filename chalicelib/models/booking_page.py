"""The public booking page's own items: the one-time code that proves a mobile, and the
customer's manage link of a booking (chalicelib/outward/booking_codes.py, booking_links.py)."""
from __future__ import annotations

from chalicelib.models.base import Item, Number, Text

Key = dict[str, str]


class BookingCode(Item, discriminator="booking_code"):
    """The code texted to a mobile booking at a shop: its HMAC, never the code. PK
    `BOOKINGCODE#<shop>#<E.164>`, SK `BOOKINGCODE` (one per shop and mobile: the sends of the
    hour and the tries of the code are counted on it by conditional writes); gone by TTL.
    `shown` is the text as sent with the code blanked out."""
    shop_id = Text()
    code_mac = Text(null=True)
    code_expires_at = Number(null=True)
    tries = Number(null=True)
    to = Text(null=True)
    sent_at = Text(null=True)
    hour_started = Text(null=True)
    sends = Number(null=True)
    shown = Text(null=True)
    expires_at = Number()

    @staticmethod
    def key(shop_id: str, mobile: str) -> Key:
        return {"pk": f"BOOKINGCODE#{shop_id}#{mobile}", "sk": "BOOKINGCODE"}


class ManageLink(Item, discriminator="manage_link"):
    """A booking's manage link (`/m/<token>`) found by its token's hash: PK
    `MANAGE#<SHA-256 of the token>`, SK `MANAGE` → the shop and the appointment. The token is
    never stored; the page reads the appointment to decide what it offers."""
    shop_id = Text()
    appointment_id = Text()
    created_at = Text()

    @staticmethod
    def key(token_hash: str) -> Key:
        return {"pk": f"MANAGE#{token_hash}", "sk": "MANAGE"}
