"""A fault-injecting proxy between the app and DynamoDB Local or s3rver (docs/design.md, "Faults").

The fault tests and `make bench-faults` point the app's endpoint at it; each request is forwarded
to the engine unless a rule picks it, and then it gets what a rule says instead:

- `throttle`, `internal`, `unavailable`: DynamoDB's ProvisionedThroughputExceeded (400),
  InternalServerError (500) and ServiceUnavailable (503), not forwarded;
- `conflict`: a transaction cancelled for a TransactionConflict on each of its parts (400);
- `slowdown`, `s3_internal`: S3's SlowDown (503) and InternalError (500);
- `lost`: forwarded and applied, then the connection is closed without an answer (the answer
  lost after the write landed; the client's timeout or its retry sees nothing came back).

A rule matches on the DynamoDB operation (`X-Amz-Target`, e.g. "TransactWriteItems") or the HTTP
method for S3, and on a piece of the body; it fires `times` times (then the engine answers), or
at a `rate` (a share of the matching requests, random).
"""
from __future__ import annotations

import http.client
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DYNAMODB_ERRORS = {
    "throttle": (400, "ProvisionedThroughputExceededException",
                 "The level of configured provisioned throughput for the table was exceeded."),
    "internal": (500, "InternalServerError", "Internal server error"),
    "unavailable": (503, "ServiceUnavailable", "Service unavailable"),
}
S3_ERRORS = {"slowdown": (503, "SlowDown", "Please reduce your request rate."),
             "s3_internal": (500, "InternalError", "We encountered an internal error.")}
KINDS = (*DYNAMODB_ERRORS, *S3_ERRORS, "conflict", "lost")


@dataclass
class Rule:
    kind: str
    operation: str = ""  # "PutItem", "TransactWriteItems"… or "PUT"/"GET"/"HEAD" for S3
    contains: str = ""  # a piece of the request body (or the S3 path) that must be there
    times: int = 1  # how many matching requests it fires on (with rate: no limit when 0)
    rate: float = 0.0  # instead of `times`: the share of matching requests it fires on
    fired: int = 0

    def matches(self, operation: str, body: str) -> bool:
        if self.operation and self.operation != operation:
            return False
        if self.contains and self.contains not in body:
            return False
        if self.rate:
            return (not self.times or self.fired < self.times) and random.random() < self.rate
        return self.fired < self.times


@dataclass
class Faults:
    """A running proxy to `target` (the engine's URL): `url` is what the app is pointed at."""
    target: str
    rules: list[Rule] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)  # (operation, kind) of each fault
    seen: list[tuple[str, str]] = field(default_factory=list)  # (operation, body or path), all
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        faults = self

        class Handler(_Handler):
            proxy = faults

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, kind: str, operation: str = "", contains: str = "", times: int = 1,
            rate: float = 0.0) -> Rule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        rule = Rule(kind, operation, contains, times, rate)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def pick(self, operation: str, body: str) -> str | None:
        with self.lock:
            self.seen.append((operation, body))
            for rule in self.rules:
                if rule.matches(operation, body):
                    rule.fired += 1
                    self.log.append((operation, rule.kind))
                    return rule.kind
        return None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    proxy: Faults
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # the test's output is not the place
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        dynamodb = bool(target)
        operation = target.rsplit(".", 1)[-1] if dynamodb else self.command
        kind = self.proxy.pick(operation, raw.decode("utf-8", "replace") if dynamodb
                               else self.path)
        if kind in DYNAMODB_ERRORS or kind == "conflict":
            return self._dynamodb_error(kind, raw)
        if kind in S3_ERRORS:
            return self._s3_error(kind)
        status, headers, body = self._forward(raw)
        if kind == "lost":  # applied; the answer never comes
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

    def _forward(self, raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        where = urlsplit(self.proxy.target)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        headers = {name: value for name, value in self.headers.items()
                   if name.lower() not in ("connection", "keep-alive")}
        try:
            connection.request(self.command, self.path, body=raw or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dynamodb_error(self, kind: str, raw: bytes) -> None:
        if kind == "conflict":
            parts = len(json.loads(raw or b"{}").get("TransactItems") or [None])
            status, code = 400, "TransactionCanceledException"
            body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                    "message": "Transaction cancelled, please refer cancellation reasons for "
                               "specific reasons [" + ", ".join(["TransactionConflict"] * parts)
                               + "]",
                    "CancellationReasons": [{"Code": "TransactionConflict",
                                             "Message": "Transaction is ongoing for the item"}]
                    * parts}
        else:
            status, code, message = DYNAMODB_ERRORS[kind]
            body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}
        self._answer(status, "application/x-amz-json-1.0", json.dumps(body).encode())

    def _s3_error(self, kind: str) -> None:
        status, code, message = S3_ERRORS[kind]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>").encode()
        self._answer(status, "application/xml", body)
