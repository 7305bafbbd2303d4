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
from urllib.parse import unquote, urlsplit

from chalice.local import (ChaliceRequestHandler, ForbiddenError, LocalChalice, LocalDevServer,
                           LocalGatewayException, NotAuthorizedError)

from devstack import ROOT

API_PREFIX = "/api/"
LINK_PREFIX = "/t/"  # the customer's progress link: a page the API renders (infra/web.json too)
OPT_OUT_PREFIX = "/o/"  # the reminders' opt-out link, rendered by the API too
# Hashed build assets never change under their name; the shell files must be checked each time.
IMMUTABLE_PREFIX = "/assets/"
OUTBOX_PATH = "/dev/outbox"  # local only: what channels without credentials would have sent
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


class ProductRequestHandler(ChaliceRequestHandler):
    def __init__(self, *args, dist: Path, s3_origin: str, quiet: bool, **kwargs):
        self.dist, self.s3_origin, self.quiet = dist, s3_origin, quiet
        super().__init__(*args, **kwargs)

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith((API_PREFIX, LINK_PREFIX, OPT_OUT_PREFIX)):
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
        self.send_header("Content-Security-Policy", (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob: {self.s3_origin}; connect-src 'self' {self.s3_origin}; "
            "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'"))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def outbox_page() -> bytes:
    """/dev/outbox: the messages the local outbox kept, newest first, exactly as they would
    have been sent (chalicelib/notify/outbox.py)."""
    from html import escape

    from chalicelib.notify import outbox

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
    """The API and the PWA on one port, served from a background thread."""

    def __init__(self, host: str, port: int, dist: Path, s3_origin: str, quiet: bool = False):
        self.module, config = load_app()
        handler = functools.partial(ProductRequestHandler, dist=dist, s3_origin=s3_origin,
                                    quiet=quiet)
        self.server = LocalDevServer(self.module.app, config, host, port, handler_cls=handler)
        self.thread = threading.Thread(target=self.server.server.serve_forever,
                                       name="http", daemon=True)

    def start(self) -> "ProductServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server.server_close()
