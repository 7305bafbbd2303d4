"""What the 電子發票證明聯's barcode and two QR codes hold, as text (財政部財政資訊中心,
「電子發票證明聯一維及二維條碼規格說明」; chalicelib/work/invoice_print.py draws them).

- The Code 39 barcode, 19 characters: the period (民國 year and the period's even month, 5),
  the invoice number (10), the random code (4). `10404UZ176908720122` in the spec.
- The left QR code: a 77-character head (invoice number 10, date in 民國 yyyMMdd 7, random code 4,
  sales and total as 8 hexadecimal digits each, the buyer's 統編 or 00000000, the seller's, and
  the 24-character encrypted verification), then `:`-separated: the shop's own 10 characters
  (`**********` when unused), how many items the two codes record, how many the invoice has,
  the encoding (1: UTF-8), then name:quantity:unit price for each item.
- The right QR code: `**`, then the items the left one had no room for.

The verification is AES-128-CBC of number + random code under the shop's QR key (its 32-hex
「QR Code 種子密碼」, made by the platform's genKey), with the spec's fixed IV, PKCS#7 padding,
Base64. The spec's reference source (QREncrypter) and every implementation we found use the IV
below; it reproduces the worked example in tests/unit/test_einvoice_codes.py.

cryptography is imported where it is used (cold start).
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from chalicelib.core import clock
from chalicelib.core.dates import ROC_OFFSET
from chalicelib.core.errors import Invalid

IV_BASE64 = "Dt8lyToo17X/XkXaQvihuA=="  # the spec's fixed IV (QREncrypter in its reference source)
UNUSED_SHOP_AREA = "*" * 10  # field 9: the shop's own 10 characters, unused
UTF8 = "1"  # field 12: 0 Big5, 1 UTF-8, 2 Base64
RIGHT_MARK = "**"
HEAD_LENGTH = 77
# How much one QR code may hold: both codes print the same size side by side on 5.7 cm paper
# (the spec: 左右並列、大小一致), each at most version 10 with level L (57 modules, 21.4 mm at 3
# printer dots a module), whose byte mode holds 271 bytes. Items that do not fit are left out
# and the count of recorded items says so (the spec: 以記載最多可放置於左右兩個二維條碼之品目為原則).
QR_MAX_BYTES = 271

NUMBER = re.compile(r"[A-Z]{2}\d{8}")
DIGITS4 = re.compile(r"\d{4}")
TAX_ID = re.compile(r"\d{8}")
KEY_HEX = re.compile(r"[0-9A-Fa-f]{32}")

Item = tuple[str, int | Decimal, int | Decimal]  # name, quantity, unit price


@dataclass(frozen=True)
class ProofInvoice:
    """An issued e-invoice as its 證明聯 prints it. `issued_at` in Taiwan time (a naive
    datetime is taken as Taiwan's); amounts in whole NT$, `total` with tax, `sales` without."""
    number: str
    random_code: str
    issued_at: datetime
    total: int
    sales: int
    tax: int
    seller_tax_id: str
    buyer_tax_id: str | None
    items: list[Item] = field(default_factory=list)
    seller_name: str = ""
    printed_again: bool = False

    def __post_init__(self) -> None:
        checks = [(NUMBER, self.number, "發票號碼", "invoice number"),
                  (DIGITS4, self.random_code, "隨機碼", "random code"),
                  (TAX_ID, self.seller_tax_id, "賣方統編", "seller's tax ID")]
        if self.buyer_tax_id is not None:
            checks.append((TAX_ID, self.buyer_tax_id, "買方統編", "buyer's tax ID"))
        for pattern, value, zh, en in checks:
            if not pattern.fullmatch(value or ""):
                raise Invalid(f"{zh}格式不對：{value}", f"The {en} is not well formed: {value}")
        if self.total < 0 or self.sales < 0 or self.tax < 0:
            raise Invalid("金額不可為負數", "Amounts cannot be negative")

    @property
    def number_written(self) -> str:
        """`AB-12345678`, as the 證明聯 prints it."""
        return f"{self.number[:2]}-{self.number[2:]}"


def local_time(issued_at: datetime) -> datetime:
    """`issued_at` on Taiwan's clock (a naive datetime is taken as already so)."""
    if issued_at.tzinfo is None:
        return issued_at
    return issued_at.astimezone(clock.SHOP_TIMEZONE)


def period(issued_at: datetime) -> str:
    """The two-month period as printed: `115年11-12月`."""
    moment = local_time(issued_at)
    first = moment.month - (moment.month + 1) % 2  # odd month that opens the period
    return f"{moment.year - ROC_OFFSET}年{first:02d}-{first + 1:02d}月"


def period_code(issued_at: datetime) -> str:
    """The period in the barcode: 民國 year (3) and the period's even month (2), `11512`."""
    moment = local_time(issued_at)
    even = moment.month + moment.month % 2
    return f"{moment.year - ROC_OFFSET:03d}{even:02d}"


def roc_date(issued_at: datetime) -> str:
    """`1151207`: the day in 民國 yyyMMdd."""
    moment = local_time(issued_at)
    return f"{moment.year - ROC_OFFSET:03d}{moment:%m%d}"


def barcode_text(inv: ProofInvoice) -> str:
    """The Code 39's 19 characters: period (5) + invoice number (10) + random code (4)."""
    return period_code(inv.issued_at) + inv.number + inv.random_code


def verification(number: str, random_code: str, key_hex: str) -> str:
    """The 24-character encrypted verification: AES-128-CBC of `number + random_code` under
    the shop's 32-hex QR key, the spec's IV, PKCS#7, Base64."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not KEY_HEX.fullmatch(key_hex or ""):
        raise Invalid("QR Code 種子密碼應為 32 位十六進位字元",
                      "The QR code key must be 32 hexadecimal characters")
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    plain = padder.update((number + random_code).encode("ascii")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(bytes.fromhex(key_hex)),
                       modes.CBC(base64.b64decode(IV_BASE64))).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def head(inv: ProofInvoice, key_hex: str) -> str:
    """The left code's fixed 77 characters."""
    text = (inv.number + roc_date(inv.issued_at) + inv.random_code + f"{inv.sales:08x}"
            + f"{inv.total:08x}" + (inv.buyer_tax_id or "00000000") + inv.seller_tax_id
            + verification(inv.number, inv.random_code, key_hex))
    assert len(text) == HEAD_LENGTH, text
    return text


def _number(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def item_text(item: Item) -> str:
    """`name:quantity:unit price`; a `:` in the name would split it, so it is written `：`
    (the spec: 品名請避免使用間隔符號)."""
    name, quantity, unit_price = item
    return f"{name.replace(':', '：')}:{_number(quantity)}:{_number(unit_price)}"


def _pair(left_head: str, items: list[str], on_left: int) -> tuple[str, str]:
    left = left_head + "".join(f":{text}" for text in items[:on_left])
    rest = items[on_left:]
    if not rest:
        return left, RIGHT_MARK
    return left + ":", RIGHT_MARK + ":".join(rest)  # the left ends ':' where the right goes on


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def split(inv: ProofInvoice, key_hex: str) -> tuple[str, str]:
    """Both codes: as many items as fit in two codes of `QR_MAX_BYTES`, the first on the left
    (as in the spec's example), the rest shared so the larger code is as small as it can be
    (the two print at the same size, so the larger one decides it)."""
    texts = [item_text(item) for item in inv.items]
    for recorded in range(len(texts), -1, -1):
        left_head = (head(inv, key_hex) + f":{UNUSED_SHOP_AREA}:{recorded}:{len(texts)}:{UTF8}")
        options = [_pair(left_head, texts[:recorded], on_left)
                   for on_left in range(min(1, recorded), recorded + 1)]
        fitting = [pair for pair in options if max(map(_size, pair)) <= QR_MAX_BYTES]
        if fitting:
            return min(fitting, key=lambda pair: max(map(_size, pair)))
    raise Invalid("發票資料放不進 QR Code", "The invoice does not fit its QR codes")


def left_qr(inv: ProofInvoice, key_hex: str) -> str:
    """The left QR code's text (77-character head, the counts, the first items)."""
    return split(inv, key_hex)[0]


def right_qr(inv: ProofInvoice) -> str:
    """The right QR code's text: `**` and the items the left code had no room for. The split
    depends only on the lengths, and the verification is always 24 characters, so any key
    gives the same right code."""
    return split(inv, "0" * 32)[1]
