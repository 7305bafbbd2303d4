"""The one-time code for a large remote approval.

When the customer approves added work through their link and the new total (tax included) is
above the shop's `remote_code_above`, a drawn signature is not enough: a six-digit code texted to
the mobile number the shop has on file must be typed too, so a forwarded link alone cannot
approve a big bill. The code's limits and writes are texted_codes.py's (one item per order);
the text is recorded under the order like any message, with the code blanked out.
"""
from __future__ import annotations

import hashlib
import hmac

from chalicelib import models
from chalicelib.core import clock, phones
from chalicelib.core.errors import Conflict, Unprocessable
from chalicelib.outward import links, notify, texted_codes
from chalicelib.records import customers, shop_settings, shops


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


WORDS = texted_codes.Words("確認碼", ("請重新傳送", "send a new one"), "聯絡保養廠")


def send(order: dict) -> dict:
    """Text a new code to the customer's mobile (the SMS channel); answers where it went."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    mobile = _mobile(order)
    expires = texted_codes.send(
        models.ApprovalCode, models.ApprovalCode.key(shop_id, order_id),
        {"type": "approval_code", "shop_id": shop_id, "order_id": order_id,
         "to": phones.masked(mobile)}, WORDS, lambda code: _mac(shop_id, order_id, code),
        lambda code: _text(shop_id, order_id, mobile, code)["state"] == "sent")
    return {"sent_to": phones.masked(mobile), "expires_at": clock.iso(expires)}


def _text(shop_id: str, order_id: str, mobile: str, code: str) -> dict:
    shop = (shops.get_shop(shop_id) or {}).get("name", "")
    text = "【{shop}】追加項目確認碼 {code}，10 分鐘內有效，請勿告訴他人。"
    return notify.send_direct(shop_id, order_id, "approval_code", "sms", mobile,
                              text.format(shop=shop, code=code),
                              shown=text.format(shop=shop, code="••••••"))


def check(order: dict, code: str | None) -> dict:
    """The code typed is the one sent and still good; answers what the signature records about
    it. Each check takes one of the code's tries first, so at most MAX_TRIES codes are ever
    compared, however many arrive at once (texted_codes.MAX_TRIES). Used up with the answer it approved (`consumed`)."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    if not code:
        raise Unprocessable("金額超過店家設定，請輸入手機收到的確認碼。",
                            "Above the shop's amount: type the code texted to your phone.",
                            code="code_required")
    key = models.ApprovalCode.key(shop_id, order_id)
    item = texted_codes.take_try(models.ApprovalCode, key, WORDS)
    if hmac.compare_digest(item["code_mac"], _mac(shop_id, order_id, code)):
        return {"method": "sms_code", "sent_at": item["sent_at"], "to": item["to"]}
    raise texted_codes.wrong(models.ApprovalCode, key, item, WORDS)


def consumed(order: dict) -> tuple[models.Item, None]:
    """The code, used up in the transaction that stores the answer it approved (whichever code
    is there by then: the estimate is answered, no code of this order approves anything more)."""
    return models.ApprovalCode.from_dict(models.ApprovalCode.key(order["shop_id"],
                                                                 order["order_id"])), None
