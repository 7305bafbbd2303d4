"""Money: integer NT$, and the one place business tax (營業稅, 5 %) is computed."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

TAX_RATE = Decimal("0.05")


def dollars(value: Decimal | int | float) -> int:
    """Round to whole NT$, halves up (as a till does)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(kind: str, *, hours=None, rate=None, quantity=None, unit_price=None,
                amount=None) -> int:
    """What a job line costs before tax: hours × rate, quantity × unit price, or a discount."""
    if kind == "labour":
        return dollars(Decimal(str(hours)) * rate)
    if kind == "part":
        return dollars(Decimal(str(quantity)) * unit_price)
    return -abs(int(amount))


def totals(amounts: Iterable[int]) -> dict[str, int]:
    """Subtotal, tax and total of the lines that count (declined lines are left out first).

    Tax is computed once on the subtotal, not per line, so the receipt adds up.
    A discount can take the subtotal to zero, never below.
    """
    subtotal = max(0, sum(int(amount) for amount in amounts))
    tax = dollars(subtotal * TAX_RATE)
    return {"subtotal": subtotal, "tax": tax, "total": subtotal + tax}
