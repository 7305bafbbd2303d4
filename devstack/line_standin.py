"""A local stand-in for LINE, for `make dev` and the tests: the Messaging API endpoints the
product calls (push, reply, the rich menu's create / image / default, the notification message
by phone number), each request's body read with line-bot-sdk's own models (generated from
LINE's OpenAPI, /work/shared/reference/line/messaging-api.yml) and kept; and a phone-like page
where a person types as the customer: it posts a correctly signed webhook event to the API.

    standin = LineStandin(webhook_url, channel_secret).start()   # standin.url, standin.sent()
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

MAX_TEXT_UTF16 = 5000  # a text message's limit, in UTF-16 code units
TAIPEI_OFFSET = 8 * 3600  # the phone shows Taiwan's time
DEFAULT_USER = "U4af4980629c0ffee0000000000000001"  # the demo's linked customer


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_messages(messages: list) -> str | None:
    from linebot.v3.messaging import Message

    if not 1 <= len(messages) <= 5:
        return "messages: 1 to 5"
    for message in messages:
        Message.from_dict(message)  # raises on a shape LINE does not take
        if message.get("type") == "text" and utf16_units(message.get("text", "")) \
                > MAX_TEXT_UTF16:
            return "text: over 5000 UTF-16 units"
    return None


def check(path: str, headers: dict, body: bytes) -> str | None:
    """Why LINE would refuse this request (400), or None."""
    from linebot.v3.messaging import (PnpMessagesRequest, PushMessageRequest,
                                      ReplyMessageRequest, RichMenuRequest)

    if not headers.get("authorization", "").startswith("Bearer "):
        return "no channel access token"
    retry_key = headers.get("x-line-retry-key")
    if retry_key is not None:
        try:
            uuid.UUID(retry_key)
        except ValueError:
            return "X-Line-Retry-Key is not a UUID"
    if path.endswith("/content"):
        return None if body[:8] == b"\x89PNG\r\n\x1a\n" or body[:2] == b"\xff\xd8" \
            else "the rich menu image is not a PNG or a JPEG"
    models = {"/v2/bot/message/push": PushMessageRequest,
              "/v2/bot/message/reply": ReplyMessageRequest,
              "/bot/pnp/push": PnpMessagesRequest, "/v2/bot/richmenu": RichMenuRequest}
    model = models.get(path)
    if model is None:
        return None
    try:
        data = json.loads(body)
        model.from_dict(data)
        return _check_messages(data["messages"]) if "messages" in data else None
    except Exception as err:  # pydantic's or json's: the body is not what LINE takes
        return f"{model.__name__}: {err}"[:300]


class _Handler(BaseHTTPRequestHandler):
    server: "LineStandin"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path == "/send":
            return self._typed(body)
        headers = {key.lower(): value for key, value in self.headers.items()}
        standin = self.server
        with standin.lock:
            script = standin.scripts.get(self.path.split("?")[0]) or []
            status = script.pop(0) if script else None
            retry_key = headers.get("x-line-retry-key")
            accepted = standin.retry_keys.get(retry_key) if retry_key else None
        problem = check(self.path, headers, body)
        if problem:
            return self._json(400, {"message": problem})
        if status and status != 200:
            return self._json(status, {"message": "scripted failure"})
        if accepted:  # LINE's answer to a retry key it took before
            return self._json(409, {"message": "The retry key is already accepted"},
                              {"x-line-accepted-request-id": accepted})
        with standin.lock:
            request_id = f"req-{len(standin.requests) + 1}"
            standin.requests.append({"path": self.path, "headers": headers, "body": body,
                                     "json": _json_or_none(body), "at": time.time()})
            if retry_key:
                standin.retry_keys[retry_key] = request_id
        if self.path == "/v2/bot/richmenu":
            return self._json(200, {"richMenuId": f"richmenu-{uuid.uuid4().hex}"})
        if self.path in ("/v2/bot/message/push", "/v2/bot/message/reply"):
            return self._json(200, {"sentMessages": [{"id": request_id, "quoteToken": "q"}]},
                              {"x-line-request-id": request_id})
        return self._json(200, {}, {"x-line-request-id": request_id})

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/sent"):
            return self._json(200, [{**r, "body": None} for r in self.server.requests])
        path, _, query = self.path.partition("?")
        if path != "/":
            return self._json(404, {"message": "Not found"})
        user = (parse_qs(query).get("user") or [DEFAULT_USER])[0]
        page = PHONE_PAGE.replace("{{messages}}", self.server.chat_html(user)).replace(
            "{{user}}", html.escape(user, quote=True)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def _typed(self, body: bytes) -> None:
        """The phone page's form: what the person typed, as LINE's webhook would post it."""
        form = parse_qs(body.decode("utf-8"))
        text = (form.get("text") or [""])[0].strip()
        if text:
            self.server.customer_says(text, (form.get("user") or [DEFAULT_USER])[0])
        self.send_response(303)
        self.send_header("Location", f"/?{urlencode({'user': (form.get('user') or [DEFAULT_USER])[0]})}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _json(self, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def _json_or_none(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


class LineStandin(ThreadingHTTPServer):
    """LINE on a local port: `url` is both the Messaging API's host (SL_LINE_API) and the
    phone page's address."""
    daemon_threads = True

    def __init__(self, webhook_url: str, channel_secret: str, port: int = 0,
                 host: str = "127.0.0.1"):
        super().__init__((host, port), _Handler)
        self.webhook_url, self.channel_secret = webhook_url, channel_secret
        self.requests: list[dict] = []
        self.scripts: dict[str, list[int]] = {}  # path → statuses to answer, in turn
        self.retry_keys: dict[str, str] = {}
        self.typed: list[dict] = []  # what the person typed on the phone page
        self.lock = threading.Lock()
        self.url = f"http://{host}:{self.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> "LineStandin":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def sent(self, path: str = "/v2/bot/message/push") -> list[dict]:
        with self.lock:
            return [request for request in self.requests if request["path"] == path]

    def event(self, text: str | None = None, user_id: str = DEFAULT_USER, *,
              kind: str = "message", message_type: str = "text", mode: str = "active",
              event_id: str | None = None, redelivery: bool = False) -> dict:
        """One webhook event as LINE sends it."""
        event = {"type": kind, "mode": mode, "timestamp": int(time.time() * 1000),
                 "webhookEventId": event_id or uuid.uuid4().hex.upper()[:26],
                 "deliveryContext": {"isRedelivery": redelivery},
                 "source": {"type": "user", "userId": user_id}}
        if kind in ("message", "follow", "postback"):
            event["replyToken"] = uuid.uuid4().hex
        if kind == "follow":
            event["follow"] = {"isUnblocked": True}
        if kind == "message":
            message = {"id": str(int(time.time() * 1000)), "type": message_type,
                       "quoteToken": "q"}
            if message_type == "text":
                message["text"] = text or ""
            if message_type == "sticker":
                message.update(packageId="446", stickerId="1988", stickerResourceType="STATIC")
            if message_type == "image":
                message["contentProvider"] = {"type": "line"}
            event["message"] = message
        return event

    def body(self, *events: dict) -> bytes:
        return json.dumps({"destination": "Ustandin", "events": list(events)},
                          ensure_ascii=False).encode()

    def signature(self, body: bytes, secret: str | None = None) -> str:
        key = (secret or self.channel_secret).encode()
        return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()

    def post_webhook(self, body: bytes, signature: str | None = None) -> tuple[int, dict]:
        """The body posted to the API's webhook as LINE posts it: (status, answer)."""
        request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "x-line-signature": signature or self.signature(body)})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, _json_or_none(err.read()) or {}

    def customer_says(self, text: str, user_id: str = DEFAULT_USER) -> tuple[int, dict]:
        with self.lock:
            self.typed.append({"text": text, "user_id": user_id, "at": time.time()})
        return self.post_webhook(self.body(self.event(text, user_id)))

    def chat_html(self, user_id: str = DEFAULT_USER) -> str:
        """One LINE user's phone: what they typed, and what the shop pushed to them."""
        with self.lock:
            lines = [(item["at"], "me", item["text"]) for item in self.typed
                     if item["user_id"] == user_id]
            for request in self.requests:
                data = request.get("json") or {}
                if data.get("to") != user_id:
                    continue
                for message in data.get("messages") or []:
                    if message.get("type") == "text":
                        lines.append((request["at"], "shop", message["text"]))
        lines.sort(key=lambda line: line[0])
        return "".join(
            f'<p class="{who}">{html.escape(text)}<small>'
            f'{time.strftime("%H:%M", time.gmtime(at + TAIPEI_OFFSET))}</small></p>'
            for at, who, text in lines) or '<p class="hint">還沒有訊息 No messages yet</p>'


PHONE_PAGE = """<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>LINE（本機模擬）LINE stand-in</title>
<style>body{margin:0;font:16px system-ui,sans-serif;background:#8cabd9;display:flex;
flex-direction:column;min-height:100vh;max-width:420px;margin:auto}
header{background:#273246;color:#fff;padding:12px 16px;font-weight:600}
main{flex:1;padding:12px;display:flex;flex-direction:column;gap:8px}
p{margin:0;padding:8px 12px;border-radius:16px;max-width:75%;white-space:pre-wrap;
overflow-wrap:anywhere}
p small{display:block;font-size:11px;opacity:.6}
.me{align-self:flex-end;background:#06c755;color:#fff}.shop{align-self:flex-start;background:#fff}
.hint{align-self:center;background:none;color:#273246}
form{display:flex;gap:8px;padding:8px;background:#fff}
input{flex:1;font-size:16px;padding:10px;border:1px solid #ccc;border-radius:20px;min-height:28px}
button{min-width:64px;min-height:48px;border:0;border-radius:24px;background:#06c755;color:#fff;
font-size:16px}</style></head><body>
<header>順安汽車保養廠（本機 LINE 模擬 · local LINE stand-in）</header>
<main>{{messages}}</main>
<form method="post" action="/send"><input type="hidden" name="user" value="{{user}}">
<input name="text" autocomplete="off"
 placeholder="以客戶身分輸入 Type as the customer" aria-label="訊息 Message">
<button>傳送</button></form></body></html>"""


def main() -> None:  # python -m devstack.line_standin WEBHOOK_URL SECRET [PORT]
    import sys

    standin = LineStandin(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3
                          else 0)
    print(standin.url, flush=True)
    standin.serve_forever()


if __name__ == "__main__":
    main()
