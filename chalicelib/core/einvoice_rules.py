"""The formats an 電子發票's buyer details must have before anything is sent (財政部電子發票
整合服務平台: 共通性載具 手機條碼, 自然人憑證條碼, 捐贈碼).

- 手機條碼 (mobile barcode): "/" and 7 characters of 0-9, A-Z, ".", "-", "+".
- 自然人憑證 (citizen digital certificate): 2 capital letters and 14 digits.
- 捐贈碼 (a charity's donation code, 愛心碼): 3 to 7 digits.
"""
from __future__ import annotations

import re

_MOBILE = re.compile(r"/[0-9A-Z.+-]{7}")
_CERTIFICATE = re.compile(r"[A-Z]{2}[0-9]{14}")
_DONATION = re.compile(r"[0-9]{3,7}")


def mobile_carrier_ok(text: str) -> bool:
    return bool(_MOBILE.fullmatch(text or ""))


def certificate_carrier_ok(text: str) -> bool:
    return bool(_CERTIFICATE.fullmatch(text or ""))


def donation_code_ok(text: str) -> bool:
    return bool(_DONATION.fullmatch(text or ""))
