"""The one-time code that proves a mobile on the public booking page (/b/<code>).

Booking online asks for the mobile the shop will reach the customer at, and a six-digit code
texted to it, so a stranger cannot book (or find a customer's cars) under someone else's
number. The code's limits and writes are texted_codes.py's, as the approval code's, on one item
per shop and mobile (models.BookingCode); besides, every address may ask only IP_PER_MINUTE
times a minute (links.take_turn: one conditional ADD). The text is kept on the item with the
code blanked. A matching code is used up by a write conditioned on its own HMAC, so of two
bookings sent with one code, one goes on. When the booking it proved is then refused (the slot
was just taken), the code is given back, so the customer picks another time without a new text.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from chalicelib import models
from chalicelib.core import clock, phones
from chalicelib.core.errors import Unprocessable
from chalicelib.core.observability import logger
from chalicelib.outward import links, notify, texted_codes

IP_PER_MINUTE = 10  # code requests from one address a minute, whatever the numbers
STEP = "booking_code"
TEXT = "【{shop}】預約驗證碼 {code}，10 分鐘內有效，請勿告訴他人。"


def _mac(shop_id: str, mobile: str, code: str) -> str:
    return hmac.new(links.signing_key(), f"booking:{shop_id}:{mobile}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def mobile_of(raw: str) -> str:
    """The mobile typed, in E.164; 422 `invalid_mobile` for anything else (a landline cannot
    take a text)."""
    number = phones.normalise(raw or "")
    if not number or not phones.is_mobile(number):
        raise Unprocessable("手機號碼格式不正確，請輸入 09 開頭的 10 碼號碼，例如 0912-345-678。",
                            "Not a Taiwan mobile number: type the 10 digits starting with 09 "
                            "(e.g. 0912-345-678).", code="invalid_mobile")
    return number


WORDS = texted_codes.Words("驗證碼", ("請按「傳送驗證碼」重新取得", "tap Send code again"),
                          "直接打電話給店家")


def send(shop_id: str, shop_name: str, mobile: str, ip: str | None) -> dict:
    """Text a new code to `mobile` (E.164) for booking at the shop; answers where it went and
    when it ends. Throttled (links) past the address's turns; 429 within the minute or past the
    hour's texts."""
    links.take_turn(ip, "booking_code", IP_PER_MINUTE)
    expires = texted_codes.send(
        models.BookingCode, models.BookingCode.key(shop_id, mobile),
        {"type": "booking_code", "shop_id": shop_id, "to": phones.masked(mobile),
         "shown": TEXT.format(shop=shop_name, code="••••••")}, WORDS,
        lambda code: _mac(shop_id, mobile, code),
        lambda code: _text(shop_id, mobile, TEXT.format(shop=shop_name, code=code)).state
        == "sent")
    return {"sent_to": phones.masked(mobile), "expires_at": clock.iso(expires),
            "resend_after": texted_codes.RESEND_SECONDS}


def _text(shop_id: str, mobile: str, text: str) -> notify.Delivery:
    """The SMS, sent once now whatever the quiet hours (the customer is waiting for it); there
    is no order to record it under: the item keeps it, blanked."""
    message = notify.Message(message_id=f"{STEP}.sms", shop_id=shop_id, order_id="-",
                             step=STEP, channel="sms", to=mobile, text=text,
                             subject="預約驗證碼", retry_key=str(uuid.uuid4()))
    delivery = notify.adapter("sms")(message)
    logger().info("message", extra={"step": STEP, "channel": "sms", "state": delivery.state})
    return delivery


def _check(shop_id: str, mobile: str, code: str | None) -> dict:
    """One of the code's tries taken, then the code compared: the item as it is now."""
    if not code or not code.isdigit() or len(code) != texted_codes.CODE_DIGITS:
        raise Unprocessable("請輸入手機收到的 6 位數驗證碼。",
                            "Type the 6-digit code texted to your mobile.", code="code_required")
    key = models.BookingCode.key(shop_id, mobile)
    item = texted_codes.take_try(models.BookingCode, key, WORDS)
    if hmac.compare_digest(item["code_mac"], _mac(shop_id, mobile, code)):
        return item
    raise texted_codes.wrong(models.BookingCode, key, item, WORDS)


def _give_back(key: dict, item: dict) -> None:
    """The code used up for a booking that was then refused: usable again, as it was."""
    codes = models.BookingCode
    try:
        with models.refusals():
            codes.from_dict(key).update(
                actions=[codes.code_mac.set(item["code_mac"]),
                         codes.code_expires_at.set(int(item["code_expires_at"]))],
                condition=codes.code_mac.does_not_exist() & (codes.sent_at == item["sent_at"]))
    except models.Refused:
        pass  # a new code was sent meanwhile: that one stands


@contextmanager
def proven(shop_id: str, mobile: str, code: str | None) -> Iterator[dict]:
    """The block runs only with the code texted to `mobile`, used up as it starts (of two
    requests with one code, one runs); given back if the block raises. Yields what the booking
    records about the proof."""
    item = _check(shop_id, mobile, code)
    key = models.BookingCode.key(shop_id, mobile)
    if not texted_codes.end(models.BookingCode, key, item["code_mac"]):
        raise texted_codes.expired(WORDS)
    try:
        yield {"method": "sms_code", "sent_at": item["sent_at"], "to": item["to"]}
    except BaseException:
        _give_back(key, item)
        raise
