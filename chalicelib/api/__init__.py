"""How a route is declared: who may call it, which body it parses, what it answers.

`Api.route` registers a Chalice route and remembers its models, so `/api/openapi.json` is
generated from the very models the routes parse with, and the tenant-isolation test can walk
every route from the app's own table.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from chalice import Chalice, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from chalicelib.core.errors import (DomainError, Invalid, Unauthorized, Unprocessable,
                                   preferred_language, unavailable)
from chalicelib.core.observability import logger

# A client-made id (a UUID from the tablet): every create carries one so a replay is a no-op.
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _real_day(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise field_error("日期不存在。", "no such date") from None


# A calendar day, `YYYY-MM-DD`, that exists (no 2027-02-30).
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_day)]
MAX_BODY_BYTES = 64 * 1024


class Body(BaseModel):
    """A request body or query: unknown fields refused, strings trimmed and bounded."""
    # defer_build: a model is compiled when a route first parses with it, not at cold start.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=2000,
                              defer_build=True)


def field_error(zh: str, en: str) -> PydanticCustomError:
    """A validator's error that reads well in both languages (parse() picks one)."""
    return PydanticCustomError("invalid_value", en, {"zh": zh})


@dataclass(frozen=True)
class Caller:
    """Who is acting, from the verified access token: the person, never the device."""
    shop_id: str
    staff_id: str
    role: str
    name: str
    device_id: str | None = None
    token_version: int = 0  # the staff item's when the token was made (auth.token_version)

    def stamp(self) -> dict:
        return {"staff_id": self.staff_id, "name": self.name}


def parse(model: type[BaseModel], raw: bytes | None) -> Any:
    """The body as `model`; a model that carries a file says its own size limit (`max_body`)."""
    if raw and len(raw) > getattr(model, "max_body", MAX_BODY_BYTES):
        raise Invalid("內容太大。", "The request body is too large.", code="too_large")
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        raise Invalid("內容不是有效的 JSON。", "The body is not valid JSON.", code="malformed_json")
    return validate(model, data)


def validate(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _unprocessable(err.errors()[0]) from None


def _unprocessable(error: dict) -> Unprocessable:
    name = ".".join(str(part) for part in error["loc"]) or "body"
    kind = error["type"]
    zh_by_kind = {
        "missing": f"缺少欄位 {name}。",
        "extra_forbidden": f"不接受的欄位 {name}。",
        "string_too_long": f"欄位 {name} 太長。",
        "string_too_short": f"欄位 {name} 不可空白。",
        "model_type": "內容必須是 JSON 物件。",
    }
    custom_zh = (error.get("ctx") or {}).get("zh")
    zh = custom_zh or zh_by_kind.get(kind) or f"欄位 {name} 格式不正確。"
    en = f"{name}: {error['msg']}" if kind != "model_type" else "The body must be a JSON object."
    return Unprocessable(zh, en)


def jsonable(value: Any) -> Any:
    """DynamoDB's Decimals and models as plain JSON (money and counts are integers)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    return value


def json_response(body: Any, status: int, headers: dict | None = None) -> Response:
    """UTF-8 JSON (zh-TW text stays readable and a third of the size of escaped text)."""
    return Response(body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                    status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8",
                             **(headers or {})})


def error_response(err: DomainError, language: str) -> Response:
    """A domain error as its status and `{"error": {"code", "message"}}`, with `Retry-After`
    when it says when to try again."""
    retry = {"Retry-After": str(err.retry_after)} if err.retry_after else {}
    return json_response(err.body(language), err.status, retry)


def as_domain_error(err: Exception) -> DomainError:
    """A route's error as what it tells the caller: its own, 503 when a dependency failed
    (logged), or raised again (a bug: Chalice answers 500 and logs it)."""
    if isinstance(err, DomainError):
        return err
    failure = unavailable(err)
    if failure is None:
        raise err
    logger().warning("dependency failed", extra={"error": type(err).__name__,
                                                 "cause": repr(err)[:300]})
    return failure


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    name: str
    summary: str
    body_ref: "ModelRef | None"
    query_ref: "ModelRef | None"
    status: int
    public: bool

    @property
    def body(self) -> type[BaseModel] | None:
        return model_of(self.body_ref)

    @property
    def query(self) -> type[BaseModel] | None:
        return model_of(self.query_ref)


# Where a body or query model lives, under chalicelib ("after.cases:CaseChange"): its module is
# imported when a route first parses with it, not at every cold start (chalicelib/api/lazy.py).
ModelRef = str


def model_of(ref: ModelRef | None) -> type[BaseModel] | None:
    if ref is None:
        return None
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"chalicelib.{module}"), name)


def client_of(request: Any) -> dict:
    """Where a request came from, as a signature records it: {ip, user_agent} (the guards of
    the public routes key on the IP, hashed)."""
    identity = (request.context or {}).get("identity") or {}
    return {"ip": identity.get("sourceIp") or "",
            "user_agent": (request.headers.get("user-agent") or "")[:300]}


class Api:
    """The app's routes as declared. `still_current(caller)` checks, before each write, that the
    person's access has not changed since their token was made (records/auth.py)."""

    def __init__(self, app: Chalice, still_current: Callable[[Caller], None]) -> None:
        self.app = app
        self.still_current = still_current
        self.authorizer: Any = None
        self.routes: list[RouteDoc] = []

    def route(self, path: str, method: str, *, body: ModelRef | None = None,
              query: ModelRef | None = None, status: int = 200,
              public: bool = False) -> Callable:
        def register(view: Callable) -> Callable:
            self.routes.append(RouteDoc(path, method, view.__name__,
                                        (view.__doc__ or view.__name__).strip(), body, query,
                                        status, public))

            def handler(**params: str) -> Response:
                request = self.app.current_request
                try:
                    if body is not None:
                        params["body"] = parse(model_of(body), request.raw_body)
                    if query is not None:
                        params["query"] = validate(model_of(query),
                                                   dict(request.query_params or {}))
                    result = view(**params)
                except Exception as err:
                    language = preferred_language(request.headers.get("accept-language"))
                    return error_response(as_domain_error(err), language)
                if isinstance(result, Response):
                    return result  # a route that answers other than JSON (a page, a file)
                if status == 204:
                    return Response(body="", status_code=204)
                return json_response(jsonable(result), status)

            handler.__name__ = view.__name__
            handler.__doc__ = view.__doc__
            self.app.route(path, methods=[method],
                           authorizer=None if public else self.authorizer)(handler)
            return view
        return register

    def caller(self) -> Caller:
        """The signed-in person, as the authorizer verified them; for a write, still as the
        staff item says now."""
        request = self.app.current_request
        context = (request.context or {}).get("authorizer") or {}
        if not context.get("staff_id"):
            raise Unauthorized("請重新登入。", "Please sign in again.")
        caller = Caller(shop_id=context["shop_id"], staff_id=context["staff_id"],
                        role=context["role"], name=context.get("name", ""),
                        device_id=context.get("device_id") or None,
                        token_version=int(context.get("token_version") or 0))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.still_current(caller)
        return caller

    def client(self) -> dict:
        return client_of(self.app.current_request)

    def wants_html(self) -> bool:
        """A browser opening the link (a phone that scanned a QR), rather than a program."""
        return "text/html" in (self.app.current_request.headers.get("accept") or "")
