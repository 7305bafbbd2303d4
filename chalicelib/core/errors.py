"""Domain errors and their one mapping to `{"error": {"code", "message"}}`.

Services raise these; app.py turns them into responses in one place. Every message a person may
read is written in zh-TW, with English beside it for staff who switch the app to English.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "invalid"
    retry_after: int | None = None  # seconds, sent as `Retry-After` (a 429 or a 503)

    def __init__(self, zh: str, en: str, *, code: str | None = None) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en
        if code:
            self.code = code

    def body(self, language: str = "zh-TW") -> dict:
        """`language` "both": zh-TW, then English (the customer's page, read on any phone)."""
        message = {"en": self.en, "both": f"{self.zh} {self.en}"}.get(language, self.zh)
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


class NotDelivered(DomainError):
    """A provider (LINE) refused or could not be reached: what was tried is recorded."""
    status, code = 502, "not_delivered"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Unprocessable(DomainError):
    """The body is JSON but a field is wrong: the message names the field."""
    status, code = 422, "validation"


class TooManyAttempts(DomainError):
    status, code = 429, "too_many_attempts"

    def __init__(self, zh: str, en: str, *, code: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(zh, en, code=code)
        self.retry_after = retry_after


def gateway_error(response, language: str):
    """Chalice's own errors (unknown route, wrong method or content type) in our shape."""
    body = response.body
    chalice_shape = isinstance(body, dict) and body and set(body) <= {"Code", "Message", "message"}
    if response.status_code < 400 or not chalice_shape:
        return response
    message = body.get("Message") or body.get("message") or ""
    zh = {404: "找不到這個網址。", 405: "不支援這個方法。", 415: "請用 application/json 傳送。"}
    response.body = {"error": {"code": str(body.get("Code") or "request_error").lower(),
                               "message": message if language == "en"
                               else zh.get(response.status_code, message)}}
    return response


class Busy(DomainError):
    """Others kept writing the same thing at the same moment: nothing was stored, send again
    (a 503, so the tablet's queue keeps the write and retries it)."""
    status, code, retry_after = 503, "busy", 1


class Unavailable(DomainError):
    """A service the request needs (DynamoDB, S3) failed or did not answer in time, after the
    SDK's own retries: send again shortly (the tablet's queue keeps the write)."""
    status, code, retry_after = 503, "unavailable", 2


# What a service answers when it is throttled or failing (the SDK retried it already); and the
# connection errors botocore raises when it gets no answer at all.
TRANSIENT_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException",
                   "RequestLimitExceeded", "Throttling", "SlowDown", "InternalServerError",
                   "InternalError", "ServiceUnavailable", "TransactionInProgressException",
                   "RequestTimeout"}
NO_ANSWER = {"ReadTimeoutError", "ConnectTimeoutError", "EndpointConnectionError",
             "ConnectionClosedError", "ConnectionError", "ProxyConnectionError"}


def unavailable(err: BaseException) -> Unavailable | None:
    """The 503 an unexpected error means when a dependency caused it (anywhere in its chain of
    causes: PynamoDB wraps botocore's errors), else None (a bug: a 500, logged)."""
    seen: BaseException | None = err
    while seen is not None:
        response = getattr(seen, "response", None)
        if isinstance(response, dict):
            error = response.get("Error") or {}
            status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
            if error.get("Code") in TRANSIENT_CODES or status >= 500:
                break
        if type(seen).__name__ in NO_ANSWER or isinstance(seen, (ConnectionError, TimeoutError)):
            break
        seen = seen.__cause__ or getattr(seen, "cause", None)
    else:
        return None
    return Unavailable("系統暫時忙碌，請稍後再送一次（資料沒有遺失）。",
                       "The service is busy for a moment: send it again shortly (nothing was "
                       "lost).")
