"""Taiwan phone numbers in one form (E.164): `0912-345-678` → `+886912345678`.

Mobiles are 09 + 8 digits; landlines are an area code (02, 03, 037, 04, 049, 05, 06, 07, 08,
089, 082, 0826, 0836 …) and 6–8 digits, 9–10 digits in all with the leading 0. Customers and
staff sign-ins use the same rule.
"""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")


def normalise(raw: str) -> str | None:
    """The E.164 form, or None when it is not a Taiwan number."""
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+886"):
        national = text[4:]
    elif text.startswith("886") and len(text) > 10:
        national = text[3:]
    elif text.startswith("0"):
        national = text
    else:
        return None
    national = national[1:] if national.startswith("0") else national
    if not national.isdigit():
        return None
    if national.startswith("9"):
        return f"+886{national}" if len(national) == 9 else None
    return f"+886{national}" if 8 <= len(national) <= 9 else None


def prefix(typed: str) -> str:
    """What a number begins with in E.164, from the digits typed so far (for look-ups)."""
    digits = re.sub(r"\D", "", typed or "")
    if digits.startswith("886"):
        digits = digits[3:]
    return "+886" + digits.removeprefix("0")


def is_mobile(number: str) -> bool:
    return number.startswith("+8869")


def national(number: str) -> str:
    """As a Taiwanese person writes it: `+886912345678` → `0912345678` ("" stays "")."""
    return "0" + number.removeprefix("+886") if number else ""


_LANDLINE = re.compile(r"\+886([2-8])(\d{3,4})(\d{4})")


def written(number: str) -> str:
    """As the counter and the paper write it: `0912-345-678`, `02-2765-1234` ("" stays "")."""
    if is_mobile(number) and len(number) == 13:
        national_ = national(number)
        return f"{national_[:4]}-{national_[4:7]}-{national_[7:]}"
    landline = _LANDLINE.fullmatch(number or "")
    if landline:
        return f"0{landline[1]}-{landline[2]}-{landline[3]}"
    return national(number)


def masked(number: str) -> str:
    """For customer-facing pages and logs: `0912-***-678`."""
    national_ = national(number)
    return f"{national_[:4]}-***-{national_[-3:]}"
