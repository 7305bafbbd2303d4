"""Every API route a shop needs has a screen that calls it: the routes no PWA code names are
listed here, each with the reason it has no screen. A new route without a screen fails this test
until it gets one, or a reason.

What the PWA calls is read from its sources: each `/api/...` path written in `pwa/src` (a quoted
or template string, `${…}` standing for one segment), with the HTTP method written just before
it when there is one; a path written without a method (a helper building the path for several
calls) counts for every method of its route.
"""
from __future__ import annotations

import re
from pathlib import Path

from app import app

PWA = Path(__file__).resolve().parents[2] / "pwa" / "src"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# (method, route) → why no staff screen calls it.
NO_SCREEN = {
    ("GET", "/api/openapi.json"): "the API's own description, for developers and tools",
    ("POST", "/api/line/webhook"): "called by the LINE platform, never by a person",
    ("GET", "/api/verify/{signature_hash}"): "opened from the QR code printed on a signed PDF, "
                                             "by whoever holds the paper",
    ("GET", "/api/me"): "the sign-in, PIN and refresh answers carry the person already",
    ("GET", "/api/orders/{order_id}/messages"): "the order's answer carries its messages: one "
                                                "request for the order screen",
    ("GET", "/api/cases/{case_id}"): "the open cases' list carries each case whole",
    ("POST", "/api/vehicles/{vehicle_id}/mileage"): "the walk-around and the new order record the "
                                                    "odometer with the order; this is for imports",
    # issue 20: the order screen's alternatives and supply controls are the tablet part's
    # (helper pwa); drop these two when its calls are merged
    ("POST", "/api/orders/{order_id}/lines/{line_id}/choice"): "the order screen's grade choice "
                                                               "(issue 20, the tablet part)",
    ("POST", "/api/orders/{order_id}/lines/{line_id}/supply"): "the order screen's parts status "
                                                               "(issue 20, the tablet part)",
}

_LITERAL = re.compile(r"""(?:'(?P<method>GET|POST|PUT|PATCH|DELETE)'\s*,\s*)?[`'"](?P<path>/api/[^`'"\s?]*)""")


def _pattern(route: str) -> re.Pattern:
    """A route as a pattern over the PWA's paths: `{name}` and `${…}` both one segment."""
    parts = re.split(r"\{[^}/]+\}", route)
    return re.compile("^" + r"[^/]+".join(re.escape(part) for part in parts) + "$")


def pwa_calls() -> set[tuple[str | None, str]]:
    calls = set()
    for source in PWA.rglob("*.ts*"):
        text = source.read_text()
        for found in _LITERAL.finditer(text):
            path = re.sub(r"\$\{[^}]*\}", "x", found["path"]).rstrip("/")
            calls.add((found["method"], path))
    return calls


def api_routes() -> set[tuple[str, str]]:
    return {(method, path) for path, methods in app.routes.items() for method in methods
            if path.startswith("/api/")}


def uncalled() -> set[tuple[str, str]]:
    calls = pwa_calls()
    left = set()
    for method, route in api_routes():
        pattern = _pattern(route)
        if not any(pattern.match(path) and called in (None, method) for called, path in calls):
            left.add((method, route))
    return left


def test_every_api_route_has_a_screen_or_a_reason():
    assert sorted(uncalled() - NO_SCREEN.keys()) == []


def test_every_reason_is_for_a_route_still_without_a_screen():
    assert sorted(NO_SCREEN.keys() - uncalled()) == []


def test_the_reader_sees_a_route_the_pwa_calls_and_one_it_does_not():
    """The reader itself: GET /api/staff is called (api.ts), and a made-up route is not."""
    calls = pwa_calls()
    assert any(method == "GET" and _pattern("/api/staff").match(path) for method, path in calls)
    assert not any(_pattern("/api/nothing/{id}").match(path) for _, path in calls)
