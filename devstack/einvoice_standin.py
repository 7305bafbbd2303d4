"""A local stand-in for ECPay's B2C e-invoice API (v3), for `make dev` and the tests, as
line_standin.py plays LINE: Issue, GetIssue, Invalid, Allowance, CheckBarcode, CheckLoveCode.

It takes the envelope as ECPay does — `{MerchantID, RqHeader: {Timestamp}, Data}`, Data opened
with the merchant's own HashKey/HashIV (AES-128-CBC, PKCS7, base64 of the URL-encoded JSON) —
and answers `{TransCode, TransMsg, Data}` sealed the same way. An envelope it cannot take (an
unknown merchant, a key that does not open Data, a Timestamp more than 10 minutes off) gets
TransCode other than 1; a request it takes but refuses gets RtnCode other than 1 and a zh-TW
RtnMsg, like ECPay. Only 5070357 (the RelateNumber was used before) is ECPay's own code as
seen in the field; the stand-in's other refusal codes are its own.

Invoice numbers come from one 字軌 (two letters + 8 digits, counting up under a lock), with a
4-digit random code, kept by RelateNumber (upper and lower case the same, as ECPay reads it).

Faults, set by `POST /_mode {"mode": ...}` (local callers only), for every /B2CInvoice call:
  "down"         503, nothing done;
  "timeout"      the request is done, the answer held until the mode changes (past any
                 client's time-out);
  "lose_answer"  the request is done, the connection closed with no answer (the double-issue
                 trap: the invoice exists, the caller saw an error);
  "ok"           answer normally.
`GET /_issued` lists every invoice issued, so a test can assert "exactly once".

    standin = EinvoiceStandin({merchant_id: (hash_key, hash_iv)}).start()   # standin.url
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote_plus, unquote_plus

TAIPEI = timezone(timedelta(hours=8))
MODES = ("ok", "down", "timeout", "lose_answer")
CLOCK_WINDOW = 600  # ECPay: the Timestamp is good for 10 minutes
HOLD_LIMIT = 60     # "timeout" never holds a thread longer than this
RELATE_NUMBER_USED = 5070357
KNOWN_BARCODES = {"/ABC+123", "/TEST.01", "/7RD-X2K"}
KNOWN_LOVE_CODES = {"168001", "25885", "8585"}

MOBILE = re.compile(r"/[0-9A-Z.+\-]{7}")
CERTIFICATE = re.compile(r"[A-Z]{2}[0-9]{14}")
LOVE_CODE = re.compile(r"[0-9]{3,7}")
RELATE = re.compile(r"[A-Za-z0-9]{1,30}")
TAX_ID = re.compile(r"[0-9]{8}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Refused(Exception):
    """RtnCode ≠ 1: ECPay took the request and said no."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class EnvelopeRefused(Exception):
    """TransCode ≠ 1: the envelope itself was not taken."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _cipher(hash_key: str, hash_iv: str):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    return Cipher(algorithms.AES(hash_key.encode()), modes.CBC(hash_iv.encode()))


def open_data(sealed: str, hash_key: str, hash_iv: str) -> dict:
    from cryptography.hazmat.primitives import padding

    decryptor = _cipher(hash_key, hash_iv).decryptor()
    padded = decryptor.update(base64.b64decode(sealed, validate=True)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    text = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    return json.loads(unquote_plus(text))


def seal_data(data: dict, hash_key: str, hash_iv: str) -> str:
    from cryptography.hazmat.primitives import padding

    text = quote_plus(json.dumps(data, ensure_ascii=False))
    padder = padding.PKCS7(128).padder()
    plain = padder.update(text.encode()) + padder.finalize()
    encryptor = _cipher(hash_key, hash_iv).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _now_text() -> str:
    return datetime.now(TAIPEI).strftime("%Y-%m-%d %H:%M:%S")


def _int(value, field: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Refused(1200050, f"{field} 格式錯誤") from None
    if number != int(number):
        raise Refused(1200050, f"{field} 請帶整數")
    return int(number)


def _check_items(items, total: int) -> None:
    if not isinstance(items, list) or not items:
        raise Refused(1200060, "商品資訊 Items 不可為空")
    seqs = set()
    amount_sum = 0.0
    for item in items:
        seq = item.get("ItemSeq")
        if not isinstance(seq, int) or not 1 <= seq <= 999 or seq in seqs:
            raise Refused(1200061, "商品排序 ItemSeq 請帶 1~999 不重複的整數")
        seqs.add(seq)
        if not str(item.get("ItemName") or "").strip() or not str(item.get("ItemWord") or
                                                                      "").strip():
            raise Refused(1200062, "商品名稱與單位不可為空")
        try:
            count, price, amount = (float(item[key]) for key in ("ItemCount", "ItemPrice",
                                                                 "ItemAmount"))
        except (KeyError, TypeError, ValueError):
            raise Refused(1200063, "商品數量、單價、小計格式錯誤") from None
        if count <= 0 or abs(count * price - amount) >= 1:
            raise Refused(1200064, f"商品 {seq} 小計須為數量乘以單價")
        amount_sum += amount
    if round(amount_sum) != total:
        raise Refused(1200065, "商品合計與發票金額不符")


class _Handler(BaseHTTPRequestHandler):
    server: "EinvoiceStandin"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        standin = self.server
        if self.path == "/_mode":
            if self.client_address[0] not in ("127.0.0.1", "::1"):
                return self._json(403, {"error": "local only"})
            try:
                standin.set_mode(json.loads(body)["mode"])
            except (ValueError, KeyError):
                return self._json(400, {"error": f"mode: one of {', '.join(MODES)}"})
            return self._json(200, {"mode": standin.mode})
        if self.path == "/_barcodes":
            standin.barcodes.add(json.loads(body)["barcode"])
            return self._json(200, {})
        handler = standin.routes.get(self.path)
        if handler is None:
            return self._json(404, {"Message": "Not found"})
        mode = standin.mode
        if mode == "down":
            return self._json(503, {"Message": "Service Unavailable"})
        answer = standin.answer(handler, body)
        with standin.lock:
            standin.calls.append({"path": self.path, "at": time.time(), "mode": mode})
        if mode == "lose_answer":
            self.close_connection = True
            return None  # done, and nothing said: the caller's connection just ends
        if mode == "timeout":
            standin.released.wait(HOLD_LIMIT)
        return self._json(200, answer)

    def do_GET(self):  # noqa: N802
        if self.path == "/_issued":
            return self._json(200, self.server.issued())
        return self._json(404, {"Message": "Not found"})

    def _json(self, status: int, payload) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up waiting
            pass

    def log_message(self, *args) -> None:
        pass


class EinvoiceStandin(ThreadingHTTPServer):
    """ECPay's e-invoice host on a local port: `url` is what SL_EINVOICE_API names."""
    daemon_threads = True
    request_queue_size = 64  # a burst of tablets at once is queued, not dropped (backlog 5)

    def __init__(self, merchants: dict[str, tuple[str, str]], port: int = 0,
                 host: str = "127.0.0.1", track: str = "SL", first: int = 10000000,
                 accounts: Path | None = None):
        super().__init__((host, port), _Handler)
        self.merchants = dict(merchants)  # MerchantID → (HashKey, HashIV)
        # The local secrets folder: a shop's account made there (chalicelib/core/secrets.py,
        # `einvoice__<shop>__merchant-id`…) is known here the first time it is used.
        self.accounts = accounts
        self.track, self.next_number = track, first
        self.invoices: dict[tuple[str, str], dict] = {}  # (merchant, RELATE NUMBER) → invoice
        self.by_number: dict[str, dict] = {}
        self.allowances = 0
        self.barcodes, self.love_codes = set(KNOWN_BARCODES), set(KNOWN_LOVE_CODES)
        self.calls: list[dict] = []
        self.mode = "ok"
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.url = f"http://{host}:{self.server_address[1]}"
        self.routes = {"/B2CInvoice/Issue": self._issue, "/B2CInvoice/GetIssue": self._get_issue,
                       "/B2CInvoice/Invalid": self._invalid,
                       "/B2CInvoice/Allowance": self._allowance,
                       "/B2CInvoice/CheckBarcode": self._check_barcode,
                       "/B2CInvoice/CheckLoveCode": self._check_love_code}
        self._thread: threading.Thread | None = None

    def _enrol(self, merchant_id: str) -> bool:
        """A merchant of the local secrets folder, read the first time it calls."""
        if self.accounts is None or not self.accounts.is_dir():
            return False
        for path in self.accounts.glob("einvoice__*__merchant-id"):
            if path.read_text().strip() == merchant_id:
                base = str(path)[:-len("merchant-id")]
                self.merchants[merchant_id] = (Path(base + "hash-key").read_text().strip(),
                                               Path(base + "hash-iv").read_text().strip())
                return True
        return False

    def start(self) -> "EinvoiceStandin":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()  # no handler left holding an answer
        self.shutdown()
        self.server_close()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        if mode == "timeout":
            self.released.clear()
        else:
            self.released.set()

    def issued(self) -> list[dict]:
        with self.lock:
            return [{key: invoice.get(key) for key in ("MerchantID", "RelateNumber", "InvoiceNo",
                                                   "InvoiceDate", "RandomNumber", "SalesAmount",
                                                   "TaxAmount", "CustomerIdentifier",
                                                   "CarrierType", "CarrierNum", "LoveCode",
                                                   "Invalid", "RemainAllowance")}
                    for invoice in self.by_number.values()]

    # --- the envelope ---

    def answer(self, handler, body: bytes) -> dict:
        merchant_id = ""
        try:
            envelope = json.loads(body)
            merchant_id = str(envelope.get("MerchantID") or "")
            if merchant_id not in self.merchants and not self._enrol(merchant_id):
                raise EnvelopeRefused(9000002, "MerchantID 不存在")
            timestamp = (envelope.get("RqHeader") or {}).get("Timestamp")
            if not isinstance(timestamp, int) or abs(time.time() - timestamp) > CLOCK_WINDOW:
                raise EnvelopeRefused(9000003, "Timestamp 已超過有效時間")
            hash_key, hash_iv = self.merchants[merchant_id]
            try:
                data = open_data(envelope.get("Data") or "", hash_key, hash_iv)
            except Exception:  # a wrong key: bad padding, or bytes that are not the JSON
                raise EnvelopeRefused(9000004, "Data 解密失敗") from None
            if str(data.get("MerchantID")) != merchant_id:
                raise EnvelopeRefused(9000005, "Data 內的 MerchantID 與傳入值不符")
        except EnvelopeRefused as refused:
            return {"PlatformID": "", "MerchantID": merchant_id,
                    "RpHeader": {"Timestamp": int(time.time())}, "TransCode": refused.code,
                    "TransMsg": refused.message, "Data": ""}
        except (ValueError, AttributeError):
            return {"PlatformID": "", "MerchantID": "", "RpHeader": {"Timestamp": int(time.time())},
                    "TransCode": 9000001, "TransMsg": "傳入參數格式錯誤", "Data": ""}
        try:
            result = {"RtnCode": 1, **handler(merchant_id, data)}
        except Refused as refused:
            result = {"RtnCode": refused.code, "RtnMsg": refused.message}
        return {"PlatformID": "", "MerchantID": merchant_id,
                "RpHeader": {"Timestamp": int(time.time())}, "TransCode": 1,
                "TransMsg": "Success", "Data": seal_data(result, *self.merchants[merchant_id])}

    # --- the endpoints: each returns the answer's Data or raises Refused ---

    def _issue(self, merchant_id: str, data: dict) -> dict:
        relate = str(data.get("RelateNumber") or "")
        if not RELATE.fullmatch(relate):
            raise Refused(1200001, "特店自訂編號 RelateNumber 須為 30 碼以內英數字")
        self._check_issue(data)
        total = _int(data.get("SalesAmount"), "SalesAmount")
        with self.lock:  # the check and the number together: two at once never both issue
            if (merchant_id, relate.upper()) in self.invoices:
                raise Refused(RELATE_NUMBER_USED, "特店自訂編號重複，該發票已開立")
            number = f"{self.track}{self.next_number:08d}"
            self.next_number += 1
            tax = total - round(total / 1.05) if data.get("CustomerIdentifier") else 0
            invoice = {**data, "MerchantID": merchant_id, "RelateNumber": relate,
                       "InvoiceNo": number, "InvoiceDate": _now_text(),
                       "RandomNumber": f"{secrets.randbelow(10000):04d}",
                       "SalesAmount": total, "TaxAmount": tax, "Invalid": False,
                       "RemainAllowance": total}
            self.invoices[(merchant_id, relate.upper())] = invoice
            self.by_number[number] = invoice
        return {"RtnMsg": "開立發票成功", "InvoiceNo": number,
                "InvoiceDate": invoice["InvoiceDate"], "RandomNumber": invoice["RandomNumber"]}

    def _check_issue(self, data: dict) -> None:
        """ECPay's rules on a B2C issue (開立發票: Print, Donation, CustomerIdentifier,
        CarrierType together; the carriers' formats; amounts tax included)."""
        printed, donated = data.get("Print"), data.get("Donation")
        carrier, carrier_num = str(data.get("CarrierType") or ""), str(data.get("CarrierNum") or "")
        tax_id = str(data.get("CustomerIdentifier") or "")
        if printed not in ("0", "1") or donated not in ("0", "1"):
            raise Refused(1200010, "列印註記 Print 與捐贈註記 Donation 僅可帶 0 或 1")
        if carrier not in ("", "1", "2", "3"):
            raise Refused(1200011, "載具類別 CarrierType 格式錯誤")
        if data.get("TaxType") != "1" or data.get("InvType") != "07":
            raise Refused(1200012, "本模擬僅支援應稅 TaxType=1、一般稅額 InvType=07")
        if str(data.get("vat", "1")) != "1":
            raise Refused(1200013, "本模擬僅支援含稅單價 vat=1")
        if not data.get("CustomerPhone") and not data.get("CustomerEmail"):
            raise Refused(1200020, "客戶手機號碼與電子信箱請至少填寫一項")
        if data.get("CustomerEmail") and not EMAIL.fullmatch(str(data["CustomerEmail"])):
            raise Refused(1200021, "客戶電子信箱格式錯誤")
        if tax_id:
            if not TAX_ID.fullmatch(tax_id):
                raise Refused(1200030, "統一編號 CustomerIdentifier 須為 8 碼數字")
            if donated == "1":
                raise Refused(1200031, "有統一編號時，捐贈註記請帶 0")
            if not carrier and printed != "1":
                raise Refused(1200032, "有統一編號且無載具時，列印註記請帶 1")
            if not data.get("CustomerName"):
                raise Refused(1200033, "有統一編號時，客戶名稱不可為空")
        if printed == "1":
            if not data.get("CustomerName") or not data.get("CustomerAddr"):
                raise Refused(1200022, "列印發票時，客戶名稱與地址不可為空")
            if carrier and not (carrier == "3" and tax_id):
                raise Refused(1200040, "載具類別有值時，列印註記請帶 0")
        if donated == "1":
            if not LOVE_CODE.fullmatch(str(data.get("LoveCode") or "")):
                raise Refused(1200041, "捐贈時，捐贈碼 LoveCode 須為 3~7 碼數字")
            if printed == "1":
                raise Refused(1200042, "捐贈發票不可列印")
        if carrier == "" and carrier_num:
            raise Refused(1200043, "載具類別為空時，載具編號請勿填寫")
        if carrier == "3" and not MOBILE.fullmatch(carrier_num):
            raise Refused(1200044, "手機條碼載具編號格式錯誤，須為 / 開頭共 8 碼")
        if carrier == "2" and not CERTIFICATE.fullmatch(carrier_num):
            raise Refused(1200045, "自然人憑證載具編號格式錯誤，須為 2 碼大寫英文加 14 碼數字")
        total = _int(data.get("SalesAmount"), "SalesAmount")
        if total <= 0:
            raise Refused(1200050, "發票金額 SalesAmount 須大於 0")
        _check_items(data.get("Items"), total)

    def _invoice(self, merchant_id: str, data: dict) -> dict:
        invoice = self.by_number.get(str(data.get("InvoiceNo") or ""))
        if invoice is None or invoice["MerchantID"] != merchant_id:
            raise Refused(1300001, "查無此發票號碼")
        if str(data.get("InvoiceDate") or "").replace("/", "-") != invoice["InvoiceDate"][:10]:
            raise Refused(1300002, "發票開立日期不符")
        return invoice

    def _get_issue(self, merchant_id: str, data: dict) -> dict:
        relate = str(data.get("RelateNumber") or "")
        with self.lock:
            invoice = (self.invoices.get((merchant_id, relate.upper())) if relate
                       else self._invoice(merchant_id, data))
            if invoice is None:
                raise Refused(1300003, "查無發票資料")
            return {"RtnMsg": "查詢成功", "IIS_Mer_ID": merchant_id,
                    "IIS_Number": invoice["InvoiceNo"],
                    "IIS_Relate_Number": invoice["RelateNumber"],
                    "IIS_Create_Date": invoice["InvoiceDate"].replace(" ", "+"),
                    "IIS_Random_Number": invoice["RandomNumber"],
                    "IIS_Identifier": invoice.get("CustomerIdentifier") or "0000000000",
                    "IIS_Sales_Amount": invoice["SalesAmount"],
                    "IIS_Tax_Amount": invoice["TaxAmount"],
                    "IIS_Carrier_Type": invoice.get("CarrierType", ""),
                    "IIS_Carrier_Num": invoice.get("CarrierNum", ""),
                    "IIS_Love_Code": invoice.get("LoveCode", ""),
                    "IIS_Invalid_Status": "1" if invoice["Invalid"] else "0",
                    "IIS_Remain_Allowance_Amt": invoice["RemainAllowance"],
                    "Items": invoice.get("Items", [])}

    def _invalid(self, merchant_id: str, data: dict) -> dict:
        reason = str(data.get("Reason") or "").strip()
        if not reason or len(reason) > 20:
            raise Refused(1300010, "作廢原因 Reason 不可為空，且至多 20 字")
        with self.lock:
            invoice = self._invoice(merchant_id, data)
            if invoice["Invalid"]:
                raise Refused(1300011, "該發票已作廢")
            if invoice["RemainAllowance"] != invoice["SalesAmount"]:
                raise Refused(1300012, "發票已折讓，請先作廢折讓單")
            invoice["Invalid"] = True
            invoice["InvalidReason"] = reason
        return {"RtnMsg": "作廢發票成功", "InvoiceNo": invoice["InvoiceNo"]}

    def _allowance(self, merchant_id: str, data: dict) -> dict:
        notify = data.get("AllowanceNotify")
        if notify not in ("S", "E", "A", "N"):
            raise Refused(1400001, "通知類別 AllowanceNotify 僅可帶 S、E、A、N")
        if notify in ("E", "A") and not EMAIL.fullmatch(str(data.get("NotifyMail") or "")):
            raise Refused(1400002, "通知電子信箱 NotifyMail 格式錯誤")
        if notify in ("S", "A") and not data.get("NotifyPhone"):
            raise Refused(1400003, "通知手機號碼 NotifyPhone 不可為空")
        amount = _int(data.get("AllowanceAmount"), "AllowanceAmount")
        if amount <= 0:
            raise Refused(1400004, "折讓金額須大於 0")
        _check_items(data.get("Items"), amount)
        with self.lock:
            invoice = self._invoice(merchant_id, data)
            if invoice["Invalid"]:
                raise Refused(1400005, "該發票已作廢，無法折讓")
            if amount > invoice["RemainAllowance"]:
                raise Refused(1400006, "折讓金額超過發票剩餘可折讓金額")
            invoice["RemainAllowance"] -= amount
            self.allowances += 1
            now = datetime.now(TAIPEI)
            number = f"{now:%Y%m%d%H%M}{self.allowances % 10000:04d}"  # 16 characters
            remaining = invoice["RemainAllowance"]
        return {"RtnMsg": "開立折讓成功", "IA_Allow_No": number,
                "IA_Invoice_No": invoice["InvoiceNo"], "IA_Date": f"{now:%Y-%m-%d %H:%M:%S}",
                "IA_Remain_Allowance_Amt": remaining}

    def _check_barcode(self, merchant_id: str, data: dict) -> dict:
        code = str(data.get("BarCode") or "")
        if not MOBILE.fullmatch(code):
            raise Refused(1500001, "手機條碼格式錯誤")
        return {"RtnMsg": "執行成功", "IsExist": "Y" if code in self.barcodes else "N"}

    def _check_love_code(self, merchant_id: str, data: dict) -> dict:
        code = str(data.get("LoveCode") or "")
        if not LOVE_CODE.fullmatch(code):
            raise Refused(1500002, "捐贈碼格式錯誤")
        return {"RtnMsg": "執行成功", "IsExist": "Y" if code in self.love_codes else "N"}


def main() -> None:  # python -m devstack.einvoice_standin MERCHANT_ID HASH_KEY HASH_IV [PORT]
    import sys

    standin = EinvoiceStandin({sys.argv[1]: (sys.argv[2], sys.argv[3])},
                              int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    print(standin.url, flush=True)
    standin.serve_forever()


if __name__ == "__main__":
    main()
