"""The formats a 電子發票 carries, checked before any call to the value-added centre (加值中心).

- 手機條碼 (the Ministry of Finance's common carrier, 共通性載具): "/" and 7 characters of
  0-9, A-Z, "." "+" "-" (39 characters in all), 8 in total.
- 自然人憑證條碼: 2 upper-case letters and 14 digits, 16 in total.
- 捐贈碼 (愛心碼, a charity's donation code): 3 to 7 digits.
- A sale's own number at the centre (ECPay's RelateNumber): up to 30 letters and digits; ECPay
  reads upper and lower case as the same number.
"""
from __future__ import annotations

import re

MOBILE_CARRIER = re.compile(r"/[0-9A-Z.+\-]{7}")
CERTIFICATE_CARRIER = re.compile(r"[A-Z]{2}[0-9]{14}")
DONATION_CODE = re.compile(r"[0-9]{3,7}")
RELATE_NUMBER = re.compile(r"[A-Za-z0-9]{1,30}")


def mobile_carrier_ok(text: str | None) -> bool:
    return bool(MOBILE_CARRIER.fullmatch(text or ""))


def certificate_carrier_ok(text: str | None) -> bool:
    return bool(CERTIFICATE_CARRIER.fullmatch(text or ""))


def donation_code_ok(text: str | None) -> bool:
    return bool(DONATION_CODE.fullmatch(text or ""))


def relate_number_ok(text: str | None) -> bool:
    return bool(RELATE_NUMBER.fullmatch(text or ""))
