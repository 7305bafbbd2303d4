"""The one-time code that proves a mobile on the public booking page (/b/<code>).

Booking online asks for the mobile the shop will reach the customer at, and a six-digit code
texted to it, so a stranger cannot book (or find a customer's cars) under someone else's
number. As with the approval code (approval_codes.py), only the code's HMAC is kept, for ten
minutes; five wrong tries end it; a new one can be asked for once a minute and five times an
hour per mobile and shop; and every address may ask only IP_PER_MINUTE times a minute
(links.take_turn: one conditional ADD). The text is kept on the item with the code blanked.

One item per shop and mobile (models.BookingCode). Every change to it is one conditional write,
so a burst of requests cannot get past a limit: a code is sent only over the item as it was
read; a try is taken (`tries < MAX_TRIES`, the code there and unexpired) before the typed code
is compared; and a matching code is used up by a write conditioned on its own HMAC, so of two
bookings sent with one code, one goes on. When the booking it proved is then refused (the slot
was just taken), the code is given back, so the customer picks another time without a new text.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets as random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from chalicelib import models
from chalicelib.core import clock, phones
from chalicelib.core.errors import Conflict, TooManyAttempts, Unprocessable
from chalicelib.core.observability import logger
from chalicelib.outward import links, notify

CODE_SECONDS = 10 * 60
MAX_TRIES = 5
RESEND_SECONDS = 60
MAX_PER_HOUR = 5
IP_PER_MINUTE = 10  # code requests from one address a minute, whatever the numbers
CODE_DIGITS = 6
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


def _too_soon(wait: int) -> TooManyAttempts:
    return TooManyAttempts(f"驗證碼剛剛已傳送，請 {wait} 秒後再試。",
                           f"A code was just sent: try again in {wait} seconds.",
                           retry_after=wait)


def send(shop_id: str, shop_name: str, mobile: str, ip: str | None) -> dict:
    """Text a new code to `mobile` (E.164) for booking at the shop; answers where it went and
    when it ends. Throttled (links) past the address's turns; 429 within the minute or past the
    hour's texts."""
    links.take_turn(ip, "booking_code", IP_PER_MINUTE)
    now = clock.now()
    key = models.BookingCode.key(shop_id, mobile)
    previous = models.BookingCode.read(key, consistent=True) or {}
    if previous.get("sent_at"):
        waited = (now - clock.parse_iso(previous["sent_at"])).total_seconds()
        if waited < RESEND_SECONDS:
            raise _too_soon(int(RESEND_SECONDS - waited) + 1)
    hour_started = previous.get("hour_started")
    in_hour = bool(hour_started) and (now - clock.parse_iso(hour_started)).total_seconds() < 3600
    sends = int(previous.get("sends", 0)) + 1 if in_hour else 1
    if sends > MAX_PER_HOUR:
        raise TooManyAttempts("一小時內已傳送太多次驗證碼，請稍後再試或直接打電話給店家。",
                              "Too many codes this hour: try later or call the shop.",
                              retry_after=int((clock.parse_iso(hour_started) - now)
                                              .total_seconds()) + 3601)
    code = f"{random.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = now + timedelta(seconds=CODE_SECONDS)
    hour_started = hour_started if in_hour else clock.iso(now)
    hour_ends = clock.parse_iso(hour_started) + timedelta(seconds=3600)
    mac = _mac(shop_id, mobile, code)
    shown = TEXT.format(shop=shop_name, code="••••••")
    item = {**key, "type": "booking_code", "shop_id": shop_id, "code_mac": mac, "tries": 0,
            "sent_at": clock.iso(now), "to": phones.masked(mobile), "hour_started": hour_started,
            "sends": sends, "shown": shown, "code_expires_at": int(expires.timestamp()),
            # kept (by TTL) as long as this hour's count of texts matters
            "expires_at": int(max(expires, hour_ends).timestamp())}
    sent_at = models.BookingCode.sent_at
    as_read = (sent_at == previous["sent_at"]) if previous.get("sent_at") \
        else sent_at.does_not_exist()
    try:  # only over the item as read: of a burst of requests, one sends
        with models.refusals():
            models.BookingCode.from_dict(item).save(condition=as_read)
    except models.Refused:
        stored = models.BookingCode.read(key, consistent=True) or {}
        if stored.get("code_mac") != mac:  # not our own save, retried after a lost answer
            raise _too_soon(RESEND_SECONDS) from None
    except Exception:
        _unsend(key, mac, previous)
        raise
    try:
        delivery = _text(shop_id, mobile, TEXT.format(shop=shop_name, code=code))
    except Exception:
        _unsend(key, mac, previous)
        raise
    if delivery.state != "sent":
        _unsend(key, mac, previous)
        raise Conflict("驗證碼傳送失敗，請稍後再試或直接打電話給店家。",
                       "The code could not be sent: try again later or call the shop.",
                       code="code_not_sent")
    return {"sent_to": phones.masked(mobile), "expires_at": clock.iso(expires),
            "resend_after": RESEND_SECONDS}


def _text(shop_id: str, mobile: str, text: str) -> notify.Delivery:
    """The SMS, sent once now whatever the quiet hours (the customer is waiting for it); there
    is no order to record it under: the item keeps it, blanked."""
    message = notify.Message(message_id=f"{STEP}.sms", shop_id=shop_id, order_id="-",
                             step=STEP, channel="sms", to=mobile, text=text,
                             subject="預約驗證碼", retry_key=str(uuid.uuid4()))
    delivery = notify.adapter("sms")(message)
    logger().info("message", extra={"step": STEP, "channel": "sms", "state": delivery.state})
    return delivery


def _unsend(key: dict, mac: str, previous: dict) -> None:
    """A text that did not go out does not count: the item goes back to what it was."""
    ours = models.BookingCode.code_mac == mac
    try:
        with models.refusals():
            if previous.get("sent_at"):
                models.BookingCode.from_dict(previous).save(condition=ours)
            else:
                models.BookingCode.from_dict(key).delete(condition=ours)
    except models.Refused:
        pass
    except Exception:  # the table failing now too: the code's own minute ends the wait
        logger().warning("booking code not given back")


def _expired() -> Unprocessable:
    return Unprocessable("驗證碼已過期或尚未傳送，請按「傳送驗證碼」重新取得。",
                         "The code has expired or was not sent: tap Send code again.",
                         code="code_expired")


def _check(shop_id: str, mobile: str, code: str | None) -> dict:
    """One of the code's tries taken, then the code compared: the item as it is now."""
    if not code or not code.isdigit() or len(code) != CODE_DIGITS:
        raise Unprocessable("請輸入手機收到的 6 位數驗證碼。",
                            "Type the 6-digit code texted to your mobile.", code="code_required")
    codes = models.BookingCode
    key = codes.key(shop_id, mobile)
    taken = codes.from_dict(key)
    try:  # never creates the item: a code used, ended or never sent stays gone
        with models.refusals():
            taken.update(actions=[codes.tries.add(1)],
                         condition=codes.code_mac.exists()
                         & (codes.code_expires_at > int(clock.now().timestamp()))
                         & (codes.tries < MAX_TRIES))
    except models.Refused:
        raise _expired() from None
    item = taken.as_dict()
    if hmac.compare_digest(item["code_mac"], _mac(shop_id, mobile, code)):
        return item
    tries = int(item["tries"])
    if tries >= MAX_TRIES:
        _end(key, item["code_mac"])
        raise Unprocessable("驗證碼錯誤太多次，請重新傳送。",
                            "Too many wrong codes: send a new one.", code="code_expired")
    left = MAX_TRIES - tries
    raise Unprocessable(f"驗證碼不正確，還可以再試 {left} 次。",
                        f"Wrong code: {left} tries left.", code="code_wrong")


def _end(key: dict, mac: str) -> bool:
    """The code can no longer be used (True when this call ended it); the item stays, with
    this hour's count of texts."""
    codes = models.BookingCode
    try:
        with models.refusals():
            codes.from_dict(key).update(actions=[codes.code_mac.remove(),
                                                 codes.code_expires_at.remove()],
                                        condition=codes.code_mac == mac)
    except models.Refused:
        return False
    return True


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
    if not _end(key, item["code_mac"]):
        raise _expired()
    try:
        yield {"method": "sms_code", "sent_at": item["sent_at"], "to": item["to"]}
    except BaseException:
        _give_back(key, item)
        raise
