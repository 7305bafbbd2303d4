"""The one-time code for a large remote approval.

When the customer approves added work through their link and the new total (tax included) is
above the shop's `remote_code_above`, a drawn signature is not enough: a six-digit code texted to
the mobile number the shop has on file must be typed too, so a forwarded link alone cannot
approve a big bill. Only the code's HMAC is kept, for ten minutes; five wrong tries end it; a new
code can be asked for once a minute and five times an hour. The text is recorded under the order
like any message, with the code blanked out.

One item per order holds the current code and the count of texts sent this hour. Every change to
it is one conditional write, so a burst of requests cannot get past a limit: a try is taken
(`tries < MAX_TRIES`, the code there and unexpired) before the typed code is compared, a code is
sent only over the item as it was read, and nothing but `send` ever creates the item.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets as random
from datetime import timedelta

from chalicelib import models
from chalicelib.core import clock, phones
from chalicelib.core.errors import Conflict, TooManyAttempts, Unprocessable
from chalicelib.core.observability import logger
from chalicelib.outward import links, notify
from chalicelib.records import customers, shop_settings, shops

CODE_SECONDS = 10 * 60
MAX_TRIES = 5
RESEND_SECONDS = 60
MAX_PER_HOUR = 5
CODE_DIGITS = 6


def needed(shop_id: str, new_total: int, thresholds: dict | None = None) -> bool:
    """Whether approving at this total (tax included) asks for a code; 0 means always.
    `thresholds`: the shop's settings when already read."""
    settings = thresholds or shop_settings.thresholds(shop_id)
    return new_total > int(settings["remote_code_above"])


def _mac(shop_id: str, order_id: str, code: str) -> str:
    return hmac.new(links.signing_key(), f"approval:{shop_id}:{order_id}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _mobile(order: dict) -> str:
    customer_id = (order.get("customer") or {}).get("customer_id")
    customer = customers.get_customer(order["shop_id"], customer_id) if customer_id else None
    mobile = (customer or {}).get("mobile")
    if not mobile or not phones.is_mobile(mobile):
        raise Conflict("保養廠沒有您的手機號碼，無法傳送確認碼，請直接聯絡保養廠。",
                       "The shop has no mobile number of yours to text a code to: please call "
                       "the shop.", code="no_mobile")
    return mobile


def _too_soon(wait: int) -> TooManyAttempts:
    return TooManyAttempts(f"確認碼剛剛已傳送，請 {wait} 秒後再試。",
                           f"A code was just sent: try again in {wait} seconds.",
                           retry_after=wait)


def send(order: dict) -> dict:
    """Text a new code to the customer's mobile (the SMS channel); answers where it went."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    mobile = _mobile(order)
    now = clock.now()
    key = models.ApprovalCode.key(shop_id, order_id)
    previous = models.ApprovalCode.read(key, consistent=True) or {}
    if previous.get("sent_at"):
        waited = (now - clock.parse_iso(previous["sent_at"])).total_seconds()
        if waited < RESEND_SECONDS:
            raise _too_soon(int(RESEND_SECONDS - waited) + 1)
    hour_started = previous.get("hour_started")
    in_hour = bool(hour_started) and (now - clock.parse_iso(hour_started)).total_seconds() < 3600
    sends = int(previous.get("sends", 0)) + 1 if in_hour else 1
    if sends > MAX_PER_HOUR:
        raise TooManyAttempts("一小時內已傳送太多次確認碼，請稍後再試或聯絡保養廠。",
                              "Too many codes this hour: try later or call the shop.",
                              retry_after=int((clock.parse_iso(hour_started) - now).total_seconds())
                              + 3601)
    code = f"{random.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = now + timedelta(seconds=CODE_SECONDS)
    hour_started = hour_started if in_hour else clock.iso(now)
    hour_ends = clock.parse_iso(hour_started) + timedelta(seconds=3600)
    mac = _mac(shop_id, order_id, code)
    item = {**key, "type": "approval_code", "shop_id": shop_id, "order_id": order_id,
            "code_mac": mac, "tries": 0, "sent_at": clock.iso(now), "to": phones.masked(mobile),
            "hour_started": hour_started, "sends": sends,
            "code_expires_at": int(expires.timestamp()),
            # kept (by TTL) as long as this hour's count of texts matters
            "expires_at": int(max(expires, hour_ends).timestamp())}
    sent_at = models.ApprovalCode.sent_at
    as_read = (sent_at == previous["sent_at"]) if previous.get("sent_at") \
        else sent_at.does_not_exist()
    try:  # only over the item as read: of a burst of requests, one sends
        with models.refusals():
            models.ApprovalCode.from_dict(item).save(condition=as_read)
    except models.Refused:
        # The SDK's retry of our own save whose answer was lost is refused too: ours, go on.
        stored = models.ApprovalCode.read(key, consistent=True) or {}
        if stored.get("code_mac") != mac:
            raise _too_soon(RESEND_SECONDS) from None
    except Exception:
        _unsend(key, mac, previous)  # it may have landed, unanswered: no text, no wait
        raise
    try:
        delivery = _text(shop_id, order_id, mobile, code)
    except Exception:
        _unsend(key, mac, previous)
        raise
    if delivery["state"] != "sent":
        _unsend(key, mac, previous)
        raise Conflict("確認碼傳送失敗，請稍後再試或聯絡保養廠。",
                       "The code could not be sent: try again later or call the shop.",
                       code="code_not_sent")
    return {"sent_to": phones.masked(mobile), "expires_at": clock.iso(expires)}


def _text(shop_id: str, order_id: str, mobile: str, code: str) -> dict:
    shop = (shops.get_shop(shop_id) or {}).get("name", "")
    text = "【{shop}】追加項目確認碼 {code}，10 分鐘內有效，請勿告訴他人。"
    return notify.send_direct(shop_id, order_id, "approval_code", "sms", mobile,
                              text.format(shop=shop, code=code),
                              shown=text.format(shop=shop, code="••••••"))


def _unsend(key: dict, mac: str, previous: dict) -> None:
    """A text that did not go out does not count: the item goes back to what it was (unless a
    newer code replaced it meanwhile)."""
    ours = models.ApprovalCode.code_mac == mac
    try:
        with models.refusals():
            if previous.get("sent_at"):
                models.ApprovalCode.from_dict(previous).save(condition=ours)
            else:
                models.ApprovalCode.from_dict(key).delete(condition=ours)
    except models.Refused:
        pass
    except Exception:  # the table failing now too: the code's own minute ends the wait
        logger().warning("approval code not given back")


def _expired() -> Unprocessable:
    return Unprocessable("確認碼已過期或尚未傳送，請重新傳送。",
                         "The code has expired or was not sent: send a new one.",
                         code="code_expired")


def check(order: dict, code: str | None) -> dict:
    """The code typed is the one sent and still good; answers what the signature records about
    it. Each check takes one of the code's tries first, so at most MAX_TRIES codes are ever
    compared, however many arrive at once. Used up with the answer it approved (`consumed`)."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    if not code:
        raise Unprocessable("金額超過店家設定，請輸入手機收到的確認碼。",
                            "Above the shop's amount: type the code texted to your phone.",
                            code="code_required")
    codes = models.ApprovalCode
    key = codes.key(shop_id, order_id)
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
    if hmac.compare_digest(item["code_mac"], _mac(shop_id, order_id, code)):
        return {"method": "sms_code", "sent_at": item["sent_at"], "to": item["to"]}
    tries = int(item["tries"])
    if tries >= MAX_TRIES:
        _end(key, item["code_mac"])
        raise Unprocessable("確認碼錯誤太多次，請重新傳送。",
                            "Too many wrong codes: send a new one.", code="code_expired")
    left = MAX_TRIES - tries
    raise Unprocessable(f"確認碼不正確，還可以再試 {left} 次。",
                        f"Wrong code: {left} tries left.", code="code_wrong")


def _end(key: dict, mac: str) -> None:
    """The code can no longer be used; the item stays, with this hour's count of texts."""
    codes = models.ApprovalCode
    try:
        with models.refusals():
            codes.from_dict(key).update(actions=[codes.code_mac.remove(),
                                                 codes.code_expires_at.remove()],
                                        condition=codes.code_mac == mac)
    except models.Refused:
        pass


def consumed(order: dict) -> tuple[models.Item, None]:
    """The code, used up in the transaction that stores the answer it approved (whichever code
    is there by then: the estimate is answered, no code of this order approves anything more)."""
    return models.ApprovalCode.from_dict(models.ApprovalCode.key(order["shop_id"],
                                                                 order["order_id"])), None
