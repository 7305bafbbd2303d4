"""What any value-added centre (加值中心) does for the shop: the one interface the rest of the
product uses, whichever centre a shop signed with (ECPay: ecpay.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol, Sequence

from chalicelib.outward.einvoice.sale import Allowed, Issued, Item, Sale


class Centre(Protocol):
    def issue(self, sale: Sale) -> Issued:
        """Issue the sale's invoice, once: when the centre already holds an invoice under the
        sale's relate number (a retry after a lost answer, two tablets at once), that invoice
        is returned and no second one is issued."""
        ...

    def void(self, number: str, issued_at: datetime, reason: str) -> None:
        """作廢 an invoice (within its two-month period)."""
        ...

    def allowance(self, number: str, issued_at: datetime, items: Sequence[Item], amount: int,
                  *, customer_name: str | None = None, notify_email: str | None = None,
                  notify_mobile: str | None = None) -> Allowed:
        """折讓: give back part of an invoice (tax included)."""
        ...

    def check_carrier(self, number: str) -> bool:
        """Whether a 手機條碼 exists (asked of the Ministry of Finance through the centre)."""
        ...

    def check_donation_code(self, code: str) -> bool:
        """Whether a 捐贈碼 names a charity."""
        ...
