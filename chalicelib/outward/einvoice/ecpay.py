"""ECPay (綠界科技) as the shop's value-added centre: its B2C e-invoice API, version 3.

Every call is a POST of JSON `{MerchantID, RqHeader: {Timestamp}, Data}` where Data is the
request's own JSON, URL-encoded, then AES-128-CBC (PKCS7) with the merchant's HashKey and
HashIV, then base64. The answer is `{TransCode, TransMsg, Data}`: TransCode 1 means the envelope
was taken, and Data, decrypted the same way, holds RtnCode (1: done) and RtnMsg (zh-TW).
Sources: ECPay's developer pages (developers.ecpay.com.tw, B2C 電子發票: 開立發票 Issue, 查詢發票
明細 GetIssue, 作廢發票 Invalid, 開立折讓 Allowance, 手機條碼驗證 CheckBarcode, 捐贈碼驗證
CheckLoveCode), ECPay's own SDKs and the PHP wrapper CarlLee1983/ecpay-einvoice-B2C.

Only the two answers the product acts on are told apart: 5070357, "this RelateNumber was used
before" (then GetIssue by RelateNumber returns that invoice, so an issue is safe to repeat), and
the rest, passed on as `CentreRefused` with ECPay's own code and words.
"""
from __future__ import annotations

import base64
import json
import time
from datetime import datetime
from typing import Sequence
from urllib.parse import quote_plus, unquote_plus

import requests
from urllib3.util import Timeout

from chalicelib.core import secrets, tax_ids
from chalicelib.core.clock import SHOP_TIMEZONE
from chalicelib.core.config import settings
from chalicelib.core.einvoice_rules import (certificate_carrier_ok, donation_code_ok,
                                            mobile_carrier_ok, relate_number_ok)
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.outward.einvoice.centre import Centre
from chalicelib.outward.einvoice.errors import CentreDown, CentreRefused
from chalicelib.outward.einvoice.sale import Allowed, Issued, Item, Sale

ISSUE, GET_ISSUE, INVALID = "/B2CInvoice/Issue", "/B2CInvoice/GetIssue", "/B2CInvoice/Invalid"
ALLOWANCE = "/B2CInvoice/Allowance"
CHECK_BARCODE, CHECK_LOVE_CODE = "/B2CInvoice/CheckBarcode", "/B2CInvoice/CheckLoveCode"
DONE = 1
RELATE_NUMBER_USED = 5070357  # Issue: 自訂編號重複 (the invoice exists: look it up)
CARRIER_TYPES = {None: "", "certificate": "2", "mobile": "3"}
TIMEOUT_SECONDS = 8.0  # connect and read together: a tablet waits no longer than this


def seal(data: dict, hash_key: str, hash_iv: str) -> str:
    """Data as ECPay takes it: JSON, URL-encoded, AES-128-CBC with PKCS7 padding, base64."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    text = quote_plus(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    padder = padding.PKCS7(128).padder()
    plain = padder.update(text.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(hash_key.encode()), modes.CBC(hash_iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def unseal(sealed: str, hash_key: str, hash_iv: str) -> dict:
    """The reverse of `seal`; ValueError when it does not open with this key."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(hash_key.encode()), modes.CBC(hash_iv.encode())).decryptor()
    padded = decryptor.update(base64.b64decode(sealed)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    return json.loads(unquote_plus(plain.decode()))


class ECPayCentre:
    """One merchant (a shop's ECPay account) on one ECPay host (`einvoice_api_base`)."""

    def __init__(self, base_url: str | None, merchant_id: str, hash_key: str, hash_iv: str, *,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.merchant_id, self.hash_key, self.hash_iv = merchant_id, hash_key, hash_iv
        self.timeout = timeout

    def issue(self, sale: Sale) -> Issued:
        _check(sale)
        data = self._call(ISSUE, _issue_data(sale))
        if _relate_number_used(data):
            found = self.find(sale.relate_number)
            if found is None:  # said to be used a moment ago, yet not found: still under way
                raise CentreDown(f"GetIssue {sale.relate_number}: not found yet")
            return found
        _done(data)
        return Issued(number=data["InvoiceNo"], random_code=str(data["RandomNumber"]),
                      issued_at=_when(data["InvoiceDate"]))

    def find(self, relate_number: str) -> Issued | None:
        """The invoice ECPay holds under a relate number (查詢發票明細), or None."""
        data = self._call(GET_ISSUE, {"RelateNumber": relate_number})
        if data.get("RtnCode") != DONE or not data.get("IIS_Number"):
            return None
        return Issued(number=data["IIS_Number"], random_code=str(data["IIS_Random_Number"]),
                      issued_at=_when(data["IIS_Create_Date"]))

    def void(self, number: str, issued_at: datetime, reason: str) -> None:
        _done(self._call(INVALID, {"InvoiceNo": number, "InvoiceDate": _day(issued_at),
                                   "Reason": reason}))

    def allowance(self, number: str, issued_at: datetime, items: Sequence[Item], amount: int,
                  *, customer_name: str | None = None, notify_email: str | None = None,
                  notify_mobile: str | None = None) -> Allowed:
        items = [Item(*item) for item in items]
        if not items or sum(item.amount for item in items) != amount or amount <= 0:
            raise Invalid("折讓金額須等於各項金額合計，且大於 0。",
                          "An allowance's amount must be the sum of its items, above 0.")
        notify = {(True, True): "A", (True, False): "E", (False, True): "S",
                  (False, False): "N"}[(bool(notify_email), bool(notify_mobile))]
        data = _done(self._call(ALLOWANCE, {
            "InvoiceNo": number, "InvoiceDate": _day(issued_at), "AllowanceNotify": notify,
            "CustomerName": customer_name or "", "NotifyMail": notify_email or "",
            "NotifyPhone": notify_mobile or "", "AllowanceAmount": amount,
            "Items": _items(items)}))
        return Allowed(number=data["IA_Allow_No"], amount=amount, at=_when(data["IA_Date"]),
                       remaining=int(float(data.get("IA_Remain_Allowance_Amt") or 0)))

    def check_carrier(self, number: str) -> bool:
        if not mobile_carrier_ok(number):
            return False
        return _done(self._call(CHECK_BARCODE, {"BarCode": number})).get("IsExist") == "Y"

    def check_donation_code(self, code: str) -> bool:
        if not donation_code_ok(code):
            return False
        return _done(self._call(CHECK_LOVE_CODE, {"LoveCode": code})).get("IsExist") == "Y"

    def _call(self, path: str, data: dict) -> dict:
        """One request, its answer's Data opened; CentreDown when no answer can be trusted."""
        if self.base_url is None:  # the local stage with no stand-in named (SL_EINVOICE_API)
            raise CentreDown(f"{path}: no value-added centre on this stage")
        body = {"MerchantID": self.merchant_id, "RqHeader": {"Timestamp": int(time.time())},
                "Data": seal({"MerchantID": self.merchant_id, **data}, self.hash_key,
                             self.hash_iv)}
        try:
            answer = requests.post(self.base_url + path, json=body,
                                   timeout=Timeout(total=self.timeout))
        except requests.RequestException as err:  # refused, reset, timed out, lost answer
            raise CentreDown(f"{path}: {type(err).__name__}") from err
        if answer.status_code >= 500 or answer.status_code in (403, 429):  # 403: too fast
            raise CentreDown(f"{path}: HTTP {answer.status_code}")
        if answer.status_code != 200:
            raise CentreRefused(f"HTTP{answer.status_code}", answer.text[:200])
        try:
            envelope = answer.json()
        except ValueError as err:
            raise CentreDown(f"{path}: an answer that is not JSON") from err
        if envelope.get("TransCode") != 1:  # the envelope itself was not taken (key, clock)
            raise CentreRefused(f"T{envelope.get('TransCode')}", str(envelope.get("TransMsg")))
        try:
            return unseal(envelope["Data"], self.hash_key, self.hash_iv)
        except (KeyError, TypeError, ValueError) as err:
            raise CentreDown(f"{path}: an answer that does not open") from err


def centre_for(shop_id: str) -> Centre:
    """The shop's centre, with the shop's own ECPay account (secrets einvoice/<shop>/…)."""
    try:
        merchant_id, hash_key, hash_iv = (secrets.get(f"einvoice/{shop_id}/{name}")
                                          for name in ("merchant-id", "hash-key", "hash-iv"))
    except secrets.Missing as err:  # the shop's account is not set (SSM, or the local folder)
        raise Conflict("本店尚未設定電子發票加值中心帳號。",
                       "This shop has no e-invoice centre account set up.",
                       code="einvoice_not_set_up") from err
    return ECPayCentre(settings().einvoice_api_base, merchant_id, hash_key, hash_iv)


def _check(sale: Sale) -> None:
    """What can be known wrong before asking ECPay (its own rules on combinations it checks)."""
    problems = []
    if not relate_number_ok(sale.relate_number):
        problems.append(("發票自訂編號須為 1–30 個英數字", "the relate number: 1-30 letters/digits"))
    if not sale.items or sum(item.amount for item in sale.items) != sale.total:
        problems.append(("各項金額合計須等於總計", "the items must add up to the total"))
    if sale.sales + sale.tax != sale.total:
        problems.append(("銷售額加稅額須等於總計", "sales and tax must add up to the total"))
    checks = {"mobile": mobile_carrier_ok, "certificate": certificate_carrier_ok}
    if sale.carrier_type and not checks[sale.carrier_type](sale.carrier_number):
        problems.append(("載具號碼格式不符", "the carrier number's format"))
    if sale.carrier_number and not sale.carrier_type:
        problems.append(("載具號碼須有載具類別", "a carrier number needs a carrier type"))
    if sale.donation_code and not donation_code_ok(sale.donation_code):
        problems.append(("捐贈碼須為 3–7 位數字", "a donation code is 3-7 digits"))
    if sale.buyer_tax_id and not tax_ids.valid(sale.buyer_tax_id):
        problems.append(("統一編號不正確", "the buyer's tax id"))
    if problems:
        raise Invalid("發票資料有誤：" + "；".join(zh for zh, _ in problems) + "。",
                      "The invoice is wrong: " + "; ".join(en for _, en in problems) + ".",
                      code="einvoice_invalid")


def _issue_data(sale: Sale) -> dict:
    buyer = sale.issued_for
    return {
        "RelateNumber": sale.relate_number, "CustomerID": "",
        "CustomerIdentifier": sale.buyer_tax_id or "",
        "CustomerName": (sale.buyer_title if sale.buyer_tax_id else buyer.name) or "",
        "CustomerAddr": buyer.address or "", "CustomerPhone": buyer.mobile or "",
        "CustomerEmail": buyer.email or "", "ClearanceMark": "",
        "Print": "1" if sale.print else "0",
        "Donation": "1" if sale.donation_code else "0", "LoveCode": sale.donation_code or "",
        "CarrierType": CARRIER_TYPES[sale.carrier_type], "CarrierNum": sale.carrier_number or "",
        # TaxType 1 (應稅), InvType 07 (一般稅額), vat 1: prices include tax, ECPay splits the
        # tax out itself on a company's invoice; SalesAmount is the total with tax.
        "TaxType": "1", "SalesAmount": sale.total, "InvoiceRemark": "", "InvType": "07",
        "vat": "1", "Items": _items(sale.items),
    }


def _items(items: Sequence[Item]) -> list[dict]:
    return [{"ItemSeq": seq, "ItemName": item.name, "ItemCount": item.quantity,
             "ItemWord": item.unit, "ItemPrice": item.unit_price, "ItemTaxType": "1",
             "ItemAmount": item.amount, "ItemRemark": ""}
            for seq, item in enumerate(items, start=1)]


def _relate_number_used(data: dict) -> bool:
    """ECPay's answer that the RelateNumber was used: its code, or its words should the code
    ever differ (自訂編號重複, also written 重覆)."""
    words = str(data.get("RtnMsg") or "")
    return data.get("RtnCode") == RELATE_NUMBER_USED or (
        "自訂編號" in words and ("重複" in words or "重覆" in words))


def _done(data: dict) -> dict:
    if data.get("RtnCode") != DONE:
        raise CentreRefused(str(data.get("RtnCode")), str(data.get("RtnMsg") or ""))
    return data


def _when(text: str) -> datetime:
    """ECPay's times: Taipei wall clock, `2026-12-07 15:30:00` (GetIssue writes `+` for the
    space, some answers `/` in the date)."""
    cleaned = text.replace("+", " ").replace("/", "-")[:19]
    return datetime.strptime(cleaned, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHOP_TIMEZONE)


def _day(moment: datetime) -> str:
    return moment.astimezone(SHOP_TIMEZONE).strftime("%Y-%m-%d")
