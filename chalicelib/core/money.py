"""Money: integer NT$, and the one place the business tax (營業稅, 5 %) is worked out.

Every price a shop types is what the customer pays, tax included (加值型及非加值型營業稅法 §32:
定價應內含營業稅). An order's total is the sum of its lines that count; nothing is added to it.
The tax is only ever *derived* from that total: the 銷售額 (sales amount) is the total divided by
1.05, rounded half-up to whole NT$, and the 稅額 is the rest, so 銷售額 + 稅額 = 總計 — the figures
a business buyer's invoice shows, and the 「內含營業稅」 a consumer may read beneath the total.
docs/design.md, "Money"; the worked cases are tests/cases/tax_included.json.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

TAX_RATE = Decimal("0.05")


def dollars(value: Decimal | int | float) -> int:
    """Round to whole NT$, halves up (as a till does)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(kind: str, *, hours=None, rate=None, quantity=None, unit_price=None,
                amount=None) -> int:
    """What a job line costs the customer, tax included: hours × rate, quantity × unit price,
    or a discount."""
    if kind == "labour":
        return dollars(Decimal(str(hours)) * rate)
    if kind == "part":
        return dollars(Decimal(str(quantity)) * unit_price)
    return -abs(int(amount))


def split(total: int) -> tuple[int, int]:
    """A tax-included total as (銷售額, 稅額): the sales amount half-up, the tax the rest."""
    sales = dollars(Decimal(int(total)) / (1 + TAX_RATE))
    return sales, int(total) - sales


def totals(amounts: Iterable[int]) -> dict[str, int]:
    """The total of the lines that count (declined lines are left out first), tax included,
    with the sales amount and the tax it holds. A discount takes it to zero, never below."""
    total = max(0, sum(int(amount) for amount in amounts))
    sales, tax = split(total)
    return {"total": total, "sales": sales, "tax": tax}


def stored(totals_: dict | None) -> dict[str, int]:
    """Totals as written, in today's shape. Those written before prices included the tax
    (`subtotal`, `tax` added on top, `total`) keep their figures: the total was what the
    customer paid and held that tax, so the subtotal is its sales amount."""
    found = totals_ or {}
    if "sales" in found or "subtotal" not in found:
        return {"total": int(found.get("total", 0)), "sales": int(found.get("sales", 0)),
                "tax": int(found.get("tax", 0))}
    return {"total": int(found["total"]), "sales": int(found["subtotal"]),
            "tax": int(found["tax"])}
