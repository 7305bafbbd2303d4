"""Chalice's own local server, also serving the built PWA, so both share one origin.

`/api/...` goes to the Chalice app exactly as `chalice local` would run it (same gateway, same
authorizers); every other path is a file of the PWA's build, or its index.html for an app route.
"""
from __future__ import annotations

import functools
import importlib
import json
import mimetypes
import os
import threading
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from chalice.local import (ChaliceRequestHandler, ForbiddenError, LocalChalice, LocalDevServer,
                           LocalGatewayException, NotAuthorizedError)

from devstack import ROOT

API_PREFIX = "/api/"
LINK_PREFIX = "/t/"  # the customer's progress link: a page the API renders (infra/web.json too)
OPT_OUT_PREFIX = "/o/"  # the reminders' opt-out link, rendered by the API too
BOOKING_PREFIX = "/b/"  # the shop's public booking page, rendered by the API too
MANAGE_PREFIX = "/m/"  # a booking's manage link, rendered by the API too
# Hashed build assets never change under their name; the shell files must be checked each time.
IMMUTABLE_PREFIX = "/assets/"
OUTBOX_PATH = "/dev/outbox"  # local only: what channels without credentials would have sent
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


class ProductRequestHandler(ChaliceRequestHandler):
    def __init__(self, *args, dist: Path, s3_origin: str, quiet: bool,
                 access_log: TextIO | None = None, **kwargs):
        self.dist, self.s3_origin, self.quiet = dist, s3_origin, quiet
        self.access_log = access_log
        super().__init__(*args, **kwargs)

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith((API_PREFIX, LINK_PREFIX, OPT_OUT_PREFIX, BOOKING_PREFIX,
                             MANAGE_PREFIX)):
            return self._generic_handle()
        if self.command not in ("GET", "HEAD"):
            return self._send_static(405, b"", "text/plain", "no-store")
        if path == OUTBOX_PATH:
            return self._send_static(200, outbox_page(), "text/html; charset=utf-8", "no-store")
        return self._serve_file(path)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _route

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """What API Gateway answers itself (no token, a refused token, an unknown path), in the
        shape the cloud stack gives it (infra/functions.json GatewayResponses)."""
        kind = _gateway_kind(error)
        response = gateway_responses().get(kind)
        if response is None:
            return super()._send_error_response(error)
        headers = {name: value.strip("'") for name, value in
                   response.get("ResponseParameters", {}).get("Headers", {}).items()}
        headers["Content-Type"] = "application/json; charset=utf-8"
        self._send_http_response(int(response.get("StatusCode", error.CODE)), headers,
                                 response["ResponseTemplates"]["application/json"].encode())

    def _serve_file(self, path: str) -> None:
        root = self.dist.resolve()
        target = (root / unquote(path).lstrip("/")).resolve()
        if not target.is_relative_to(root):
            return self._send_static(404, b"Not found", "text/plain", "no-store")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            if Path(path).suffix:  # a missing file, not an app route
                return self._send_static(404, b"Not found", "text/plain", "no-store")
            target = root / "index.html"  # the PWA routes this path itself
            if not target.is_file():
                return self._send_static(
                    503, "The PWA is not built yet: run `make dev`.".encode(), "text/plain",
                    "no-store")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith(("json", "javascript")):
            content_type += "; charset=utf-8"
        cache = ("public, max-age=31536000, immutable" if path.startswith(IMMUTABLE_PREFIX)
                 else "no-cache")
        self._send_static(200, target.read_bytes(), content_type, cache)

    def _send_static(self, status: int, body: bytes, content_type: str, cache: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # As the cloud's shell policy (infra/web.json ShellHeaders). frame-src blob: is the
        # signed PDF printed from a frame of the app (pwa/src/ui/printPdf.ts).
        self.send_header("Content-Security-Policy", (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob: {self.s3_origin}; connect-src 'self' {self.s3_origin}; "
            "frame-src 'self' blob:; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'"))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request, with the path only: a query can hold a phone number
        (`/api/customers?phone=`), and a customer's link its token."""
        self.log_message('"%s %s" %s', self.command, loggable_path(self.path), code)

    def log_message(self, format: str, *args) -> None:
        if self.quiet:
            return
        if self.access_log is None:
            return super().log_message(format, *args)
        if self.access_log.closed:  # a kept-alive connection answered while the stack stops
            return
        self.access_log.write(f"{self.address_string()} - - [{self.log_date_time_string()}] "
                              f"{(format % args).translate(self._control_char_table)}\n")


def loggable_path(raw: str) -> str:
    """The request's path for a log: no query, and the customer's link tokens held back."""
    path = urlsplit(raw).path
    for prefix in (LINK_PREFIX, OPT_OUT_PREFIX, MANAGE_PREFIX):
        token, slash, rest = path[len(prefix):].partition("/")
        if path.startswith(prefix) and token and "." not in token:  # not /t/sw.js
            return f"{prefix}…{slash}{rest}"
    return path


def outbox_page() -> bytes:
    """/dev/outbox: the messages the local outbox kept, newest first, exactly as they would
    have been sent (chalicelib/outward/notify/outbox.py)."""
    from html import escape

    from chalicelib.outward.notify import outbox

    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(item.get(name, '')))}</td>" for name in (
            "at", "channel", "step", "to", "order_id")) +
        f"<td><pre>{escape(str(item.get('text', '')))}</pre></td></tr>"
        for item in outbox.recent())
    return ("<!doctype html><html lang=\"zh-Hant\"><meta charset=\"utf-8\">"
            "<title>Outbox · ServiceLane (local)</title><style>body{font:14px sans-serif;"
            "margin:1rem}td{border-top:1px solid #ccc;padding:.3rem;vertical-align:top}"
            "pre{white-space:pre-wrap;margin:0}</style><h1>Local outbox</h1>"
            "<p>Messages channels without credentials would have sent.</p><table><tr><th>at"
            "<th>channel<th>step<th>to<th>order<th>text</tr>" + rows + "</table>").encode()


def _gateway_kind(error: LocalGatewayException) -> str:
    if isinstance(error, NotAuthorizedError):
        return "UNAUTHORIZED"
    if isinstance(error, ForbiddenError):
        denied = error.headers.get("x-amzn-ErrorType") == "AccessDeniedException"
        return "ACCESS_DENIED" if denied else "MISSING_AUTHENTICATION_TOKEN"
    return "DEFAULT_5XX"


@functools.lru_cache(maxsize=1)
def gateway_responses() -> dict:
    template = json.loads((ROOT / "infra" / "functions.json").read_text())
    return template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]


def _handle_error(request, client_address) -> None:
    """A request that failed outside the app (socketserver would print its traceback to the
    terminal): a browser that went away is a note in the log, anything else an error."""
    import logging
    import sys

    log = logging.getLogger("devstack.http")
    if isinstance(sys.exc_info()[1], ConnectionError):
        log.warning("the browser closed the connection before the answer was sent")
    else:
        log.error("a request failed outside the app", exc_info=True)


def load_app():
    """Load app.py as `chalice local --stage local` does: the stage's variables, then the module."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="local")
    chalice_app = config.chalice_app
    if not isinstance(chalice_app, LocalChalice):
        # Chalice's local server gives each request thread its own current_request this way.
        class ThreadLocalApp(LocalChalice, chalice_app.__class__):
            pass
        chalice_app.__class__ = ThreadLocalApp
    return importlib.import_module("app"), config


class ProductServer:
    """The API and the PWA on one port, served from a background thread.

    Each request is logged as one line to `access_log` (stderr when not given), or not at all
    when `quiet`.
    """

    def __init__(self, host: str, port: int, dist: Path, s3_origin: str, quiet: bool = False,
                 access_log: TextIO | None = None):
        self.module, config = load_app()
        handler = functools.partial(ProductRequestHandler, dist=dist, s3_origin=s3_origin,
                                    quiet=quiet, access_log=access_log)
        self.server = LocalDevServer(self.module.app, config, host, port, handler_cls=handler)
        self.server.server.handle_error = _handle_error
        self.thread = threading.Thread(target=self.server.server.serve_forever,
                                       name="http", daemon=True)

    def start(self) -> "ProductServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():  # shutdown() waits for a serve_forever that never began
            self.server.shutdown()
        self.server.server.server_close()
