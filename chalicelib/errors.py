"""Domain errors and their one mapping to `{"error": {"code", "message"}}`.

Services raise these; app.py turns them into responses in one place. Every message a person may
read is written in zh-TW, with English beside it for staff who switch the app to English.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, zh: str, en: str, *, code: str | None = None) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en
        if code:
            self.code = code

    def body(self, language: str = "zh-TW") -> dict:
        message = self.en if language == "en" else self.zh
        return {"error": {"code": self.code, "message": message}}


class Invalid(DomainError):
    status, code = 400, "invalid"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


def preferred_language(accept_language: str | None) -> str:
    """zh-TW unless the client asks for English first (the PWA sends its chosen language)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh-TW"
