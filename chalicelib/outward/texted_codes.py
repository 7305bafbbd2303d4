"""A six-digit code texted to a mobile, the one mechanism behind the approval code
(approval_codes.py: a large remote approval) and the booking page's code (booking_codes.py: a
mobile proven before booking).

Only the code's HMAC is kept (the caller's `mac_of`), for ten minutes; five wrong tries end it; a
new code can be asked for once a minute and five times an hour. One item holds the current code
and the count of texts sent this hour, and every change to it is one conditional write, so a
burst of requests cannot get past a limit: a code is sent only over the item as it was read; a
try is taken (`tries < MAX_TRIES`, the code there and unexpired) before the typed code is
compared; a code is ended only by a write conditioned on its own HMAC. A text that did not go out
does not count: the item goes back to what it was.
"""
from __future__ import annotations

import secrets as random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, TooManyAttempts, Unprocessable
from chalicelib.core.observability import logger

CODE_SECONDS = 10 * 60
MAX_TRIES = 5
RESEND_SECONDS = 60
MAX_PER_HOUR = 5
CODE_DIGITS = 6


@dataclass(frozen=True)
class Words:
    """How a kind of code is named to the customer, and what they can do instead."""
    name: str  # 確認碼, 驗證碼
    send_again: tuple[str, str]  # ("請重新傳送", "send a new one")
    otherwise: str  # 聯絡保養廠: what else the customer can do (English: "call the shop")


def _too_soon(words: Words, wait: int) -> TooManyAttempts:
    return TooManyAttempts(f"{words.name}剛剛已傳送，請 {wait} 秒後再試。",
                           f"A code was just sent: try again in {wait} seconds.",
                           retry_after=wait)


def expired(words: Words) -> Unprocessable:
    zh, en = words.send_again
    return Unprocessable(f"{words.name}已過期或尚未傳送，{zh}。",
                         f"The code has expired or was not sent: {en}.", code="code_expired")


def send(model: type[models.Item], key: dict, fields: dict, words: Words,
         mac_of: Callable[[str], str], deliver: Callable[[str], bool]) -> datetime:
    """A new code drawn, the item claimed for it over the item as read (the minute's and the
    hour's limits), and `deliver(code)` (True when the text went out); answers when the code
    expires. `fields`: what the item keeps beside the code (type, shop, masked number...)."""
    now = clock.now()
    previous = model.read(key, consistent=True) or {}
    if previous.get("sent_at"):
        waited = (now - clock.parse_iso(previous["sent_at"])).total_seconds()
        if waited < RESEND_SECONDS:
            raise _too_soon(words, int(RESEND_SECONDS - waited) + 1)
    hour_started = previous.get("hour_started")
    in_hour = bool(hour_started) and (now - clock.parse_iso(hour_started)).total_seconds() < 3600
    sends = int(previous.get("sends", 0)) + 1 if in_hour else 1
    if sends > MAX_PER_HOUR:
        raise TooManyAttempts(f"一小時內已傳送太多次{words.name}，請稍後再試或{words.otherwise}。",
                              "Too many codes this hour: try later or call the shop.",
                              retry_after=int((clock.parse_iso(hour_started) - now)
                                              .total_seconds()) + 3601)
    code = f"{random.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = now + timedelta(seconds=CODE_SECONDS)
    hour_started = hour_started if in_hour else clock.iso(now)
    hour_ends = clock.parse_iso(hour_started) + timedelta(seconds=3600)
    mac = mac_of(code)
    item = {**key, **fields, "code_mac": mac, "tries": 0, "sent_at": clock.iso(now),
            "hour_started": hour_started, "sends": sends,
            "code_expires_at": int(expires.timestamp()),
            # kept (by TTL) as long as this hour's count of texts matters
            "expires_at": int(max(expires, hour_ends).timestamp())}
    sent_at = model.sent_at
    as_read = (sent_at == previous["sent_at"]) if previous.get("sent_at") \
        else sent_at.does_not_exist()
    try:  # only over the item as read: of a burst of requests, one sends
        with models.refusals():
            model.from_dict(item).save(condition=as_read)
    except models.Refused:
        # The SDK's retry of our own save whose answer was lost is refused too: ours, go on.
        stored = model.read(key, consistent=True) or {}
        if stored.get("code_mac") != mac:
            raise _too_soon(words, RESEND_SECONDS) from None
    except Exception:
        _unsend(model, key, mac, previous)  # it may have landed, unanswered: no text, no wait
        raise
    try:
        sent = deliver(code)
    except Exception:
        _unsend(model, key, mac, previous)
        raise
    if not sent:
        _unsend(model, key, mac, previous)
        raise Conflict(f"{words.name}傳送失敗，請稍後再試或{words.otherwise}。",
                       "The code could not be sent: try again later or call the shop.",
                       code="code_not_sent")
    return expires


def _unsend(model: type[models.Item], key: dict, mac: str, previous: dict) -> None:
    """The item back to what it was (unless a newer code replaced it meanwhile)."""
    ours = model.code_mac == mac
    try:
        with models.refusals():
            if previous.get("sent_at"):
                model.from_dict(previous).save(condition=ours)
            else:
                model.from_dict(key).delete(condition=ours)
    except models.Refused:
        pass
    except Exception:  # the table failing now too: the code's own minute ends the wait
        logger().warning("texted code not given back", extra={"type": model.__name__})


def take_try(model: type[models.Item], key: dict, words: Words) -> dict:
    """One of the code's tries taken before any comparison (never creating the item: a code
    used, ended or never sent stays gone); the item as it is now."""
    taken = model.from_dict(key)
    try:
        with models.refusals():
            taken.update(actions=[model.tries.add(1)],
                         condition=model.code_mac.exists()
                         & (model.code_expires_at > int(clock.now().timestamp()))
                         & (model.tries < MAX_TRIES))
    except models.Refused:
        raise expired(words) from None
    return taken.as_dict()


def wrong(model: type[models.Item], key: dict, item: dict, words: Words) -> Unprocessable:
    """The refusal of a code that did not match: the tries left, or (none left) the code ended."""
    tries = int(item["tries"])
    if tries >= MAX_TRIES:
        end(model, key, item["code_mac"])
        zh, en = words.send_again
        return Unprocessable(f"{words.name}錯誤太多次，{zh}。", f"Too many wrong codes: {en}.",
                             code="code_expired")
    left = MAX_TRIES - tries
    return Unprocessable(f"{words.name}不正確，還可以再試 {left} 次。",
                         f"Wrong code: {left} tries left.", code="code_wrong")


def end(model: type[models.Item], key: dict, mac: str) -> bool:
    """The code can no longer be used (True when this call ended it); the item stays, with
    this hour's count of texts."""
    try:
        with models.refusals():
            model.from_dict(key).update(actions=[model.code_mac.remove(),
                                                 model.code_expires_at.remove()],
                                        condition=model.code_mac == mac)
    except models.Refused:
        return False
    return True
