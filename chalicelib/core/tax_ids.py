"""統一編號: a business's 8-digit unified business number, checked by the Ministry of Finance's
rule (財政部, 營利事業統一編號檢查碼邏輯, the divisor 5 in force since 2023 — every number valid
under the older divisor 10 is valid under it too).

Each digit is multiplied by its weight (1 2 1 2 1 2 4 1) and the digits of each product added;
the number is valid when that sum divides by 5, or, when the seventh digit is 7 (its product 28
counts as 10, or as 1 and 0), when the sum plus one does.
"""
from __future__ import annotations

import re

WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)
DIVISOR = 5


def valid(tax_id: str) -> bool:
    if not re.fullmatch(r"\d{8}", tax_id or ""):
        return False
    digits = [int(digit) for digit in tax_id]
    total = sum(product // 10 + product % 10
                for product in (digit * weight for digit, weight in zip(digits, WEIGHTS)))
    return total % DIVISOR == 0 or (digits[6] == 7 and (total + 1) % DIVISOR == 0)
