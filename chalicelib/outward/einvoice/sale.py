"""What the shop asks a centre to issue, and what the centre answers: plain values, amounts in
whole NT$ with tax included (a 二聯式 sale's price is what the customer pays)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

CarrierType = Literal["mobile", "certificate"]


class Item(NamedTuple):
    """One line of the invoice; `unit_price` and `amount` include tax."""
    name: str
    quantity: float
    unit: str  # 單位: 個, 組, 次, 公升…
    unit_price: float
    amount: int


@dataclass(frozen=True)
class IssuedFor:
    """Who the invoice is for: where the centre sends its notice (mobile or e-mail), and, for a
    printed invoice, the name and address printed on it."""
    name: str | None = None
    mobile: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Sale:
    """One invoice to issue. `relate_number` is the sale's own number at the centre: the same
    sale always sends the same one, which is what makes a retry safe."""
    relate_number: str
    items: list[Item]
    total: int          # 總計, tax included: the sum of the items' amounts
    sales: int          # 銷售額 without tax
    tax: int            # 稅額 (5%)
    issued_for: IssuedFor = field(default_factory=IssuedFor)
    buyer_tax_id: str | None = None   # 買方統一編號: a company's invoice (三聯式 in effect)
    buyer_title: str | None = None    # 買方抬頭 (the company's name)
    carrier_type: CarrierType | None = None
    carrier_number: str | None = None
    donation_code: str | None = None  # 捐贈碼
    print: bool = False


@dataclass(frozen=True)
class Issued:
    number: str          # 發票號碼: 字軌 (two letters) and 8 digits, e.g. AB12345678
    random_code: str     # 隨機碼: 4 digits
    issued_at: datetime  # aware, as the centre dated it (Asia/Taipei)


@dataclass(frozen=True)
class Allowed:
    """An allowance (折讓) on an invoice."""
    number: str          # 折讓單號
    amount: int          # tax included
    at: datetime
    remaining: int       # what the invoice may still be allowed
