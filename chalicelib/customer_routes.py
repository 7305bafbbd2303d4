"""The customer's side, outside /api/: the progress page a link opens (`/t/<token>`) and what
it does, and the reminders' opt-out (`/o/<token>`). Public routes: nothing but the token names
the order, so every failure to resolve one gets the same 404 page (with Retry-After once a
client guesses too fast), and a page's own requests answer JSON in its error shape.

A Blueprint (registered by app.py): the token is resolved once, by `with_order`, into what it
opens (links.Opened: the order, and the shop, its settings and checklist, the car, read with it).
"""
from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, Callable

from chalice import Blueprint, Response

from chalicelib.api import as_domain_error, client_of, error_response, json_response, jsonable
from chalicelib.api.lazy import lazy
from chalicelib.core.errors import DomainError, NotFound, preferred_language

if TYPE_CHECKING:  # the domain is imported lazily (cold start): for the types only
    from chalicelib.outward.links import Opened

customer_page = lazy("outward.customer_page")
links = lazy("outward.links")
notify = lazy("outward.notify")
push = lazy("outward.notify.push")
reminders = lazy("after.reminders")

routes = Blueprint(__name__)


def client() -> dict:
    return client_of(routes.current_request)


def _language() -> str:
    return preferred_language(routes.current_request.headers.get("accept-language"))


def _page(body: str, status: int, headers: dict) -> Response:
    return Response(body=body, status_code=status, headers=headers)


def not_found(retry_after: int | None = None) -> Response:
    headers = customer_page.headers()
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return _page(customer_page.not_found_html(), 404, headers)


def too_many(over: Any) -> Response:
    """A client past its limit: 429 in the error shape, and when to try again."""
    response = json_response(over.error().body(_language()), 429)
    response.headers["Retry-After"] = str(over.retry_after)
    return response


def with_order(view: Callable[..., Response]) -> Callable[..., Response]:
    """What the link's token opens, given to the view; the one 404 page otherwise."""
    @wraps(view)
    def resolved(token: str, **params: str) -> Response:
        try:
            opened = links.resolve(token, client()["ip"])
            return view(opened, token=token, **params)
        except links.LinkNotFound as missing:
            return not_found(missing.retry_after)
        except DomainError:
            raise
        except Exception as err:  # the table or S3 failing: 503, never a bare 500
            failure = as_domain_error(err)
            return _page(customer_page.unavailable_html(), failure.status,
                         {**customer_page.headers(), "Retry-After": str(failure.retry_after or 2)})
    return resolved


def answers_json(view: Callable[..., Any]) -> Callable[..., Response]:
    """What the page's script asked, as JSON; a refusal in the page's error shape."""
    @wraps(view)
    def answered(*args: Any, **params: Any) -> Response:
        try:
            return json_response(jsonable(view(*args, **params)), 200)
        except links.Throttled as over:
            return too_many(over)
        except Exception as err:  # in both languages: the page is read on any phone
            return error_response(as_domain_error(err), "both")
    return answered


# --- the progress page and what it does ---

@routes.route("/t/{token}", methods=["GET"])
@with_order
def page(opened: Opened, token: str) -> Response:
    html, image_origins = customer_page.render(opened, token)
    return _page(html, 200, customer_page.headers(image_origins))


@routes.route("/t/{token}/documents/{signature_id}", methods=["GET"])
@with_order
def document(opened: Opened, token: str, signature_id: str) -> Response:
    """A signed document's PDF, by a short-lived link (302)."""
    try:
        url = customer_page.document_url(opened.order, signature_id)
    except DomainError:
        return not_found()
    return _page("", 302, {"Location": url, "Cache-Control": "no-store",
                           "Referrer-Policy": "no-referrer"})


@routes.route("/t/{token}/signatures", methods=["POST"])
@with_order
@answers_json
def signature(opened: Opened, token: str) -> dict:
    """The customer approves added work (or signs) from their phone."""
    return customer_page.sign(opened, routes.current_request.raw_body, client())


@routes.route("/t/{token}/code", methods=["POST"])
@with_order
@answers_json
def approval_code(opened: Opened, token: str) -> dict:
    """Text the customer a one-time code to approve added work above the shop's amount."""
    return customer_page.send_code(opened)


@routes.route("/t/{token}/parts/{code}", methods=["POST"])
@with_order
@answers_json
def part_choice(opened: Opened, token: str, code: str) -> dict:
    """Take an old part back, or leave it to the shop."""
    return customer_page.choose_part(opened.order, code, routes.current_request.raw_body)


@routes.route("/t/{token}/choice", methods=["POST"])
@with_order
@answers_json
def line_choice(opened: Opened, token: str) -> dict:
    """The customer chooses between a line's grades (正廠 / 副廠…) while it is theirs to choose."""
    return customer_page.choose(opened.order, routes.current_request.raw_body)


# Web Push from the page: its service worker (one for every link, scope /t/), the manifest that
# lets the page be added to the home screen, the browser's subscription, and the read receipt
# the service worker sends when a notification is tapped.
@routes.route("/t/sw.js", methods=["GET"])
def service_worker() -> Response:
    return _page(customer_page.service_worker(), 200, customer_page.service_worker_headers())


@routes.route("/t/{token}/manifest.webmanifest", methods=["GET"])
@with_order
def manifest(opened: Opened, token: str) -> Response:
    return _page(customer_page.manifest(opened, token), 200, customer_page.manifest_headers())


@routes.route("/t/{token}/push", methods=["POST", "DELETE"])
@with_order
@answers_json
def push_subscription(opened: Opened, token: str) -> dict:
    request = routes.current_request
    work = push.subscribe_request if request.method == "POST" else push.unsubscribe_request
    return work(opened.order, request.raw_body)


@routes.route("/t/{token}/messages/read", methods=["POST"])
@with_order
@answers_json
def message_read(opened: Opened, token: str) -> dict:
    return notify.mark_read(opened.order, routes.current_request.raw_body)


# --- the reminders' opt-out link (個資法 §20): the page stops them on opening ---
# Anyone holding it may open it, so page views and taps are limited per client and minute.

@routes.route("/o/{token}", methods=["GET"])
def opt_out_page(token: str) -> Response:
    try:
        name = reminders.link_page(token, client()["ip"])
    except links.Throttled as over:
        return _page(customer_page.opt_out_wait_html(over.retry_after), 429,
                     {**customer_page.headers(), "Retry-After": str(over.retry_after)})
    except NotFound:
        return not_found()
    return _page(customer_page.opt_out_html(name), 200, customer_page.opt_out_headers())


@routes.route("/o/{token}", methods=["POST"])
@answers_json
def opt_out(token: str) -> dict:
    return reminders.link_switch(token, routes.current_request.raw_body, client()["ip"])
