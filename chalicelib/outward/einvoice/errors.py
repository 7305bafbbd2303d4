"""The two ways a call to the centre fails, told apart because the caller acts on them apart:
try again later (`CentreDown`), or change what was sent (`CentreRefused`)."""
from __future__ import annotations

from chalicelib.core.errors import DomainError


class CentreDown(DomainError):
    """The centre could not be reached, timed out or failed (5xx, 403 rate limit): nothing is
    known to have been issued, and the same call may be made again later (an issue is safe to
    repeat: the sale's relate number finds the invoice if it was issued after all)."""
    status, code = 503, "einvoice_centre_down"
    retry_after = 60

    def __init__(self, detail: str = "") -> None:
        super().__init__("發票加值中心暫時無法連線，請稍後再試。",
                         "The e-invoice centre cannot be reached; try again later.")
        self.detail = detail


class CentreRefused(DomainError):
    """The centre said no (a carrier it does not take, an invoice already void…): `code` and
    `message_zh` are the centre's own words, kept for the person who fixes it."""
    status, code = 422, "einvoice_refused"

    def __init__(self, code: str, message_zh: str, message_en: str = "") -> None:
        message_en = message_en or f"The e-invoice centre refused ({code})."
        super().__init__(f"發票加值中心拒絕：{message_zh}（{code}）", message_en)
        self.centre_code, self.message_zh, self.message_en = code, message_zh, message_en
