"""The shop's public booking page (`/b/<code>`) and a booking's manage link (`/m/<token>`),
outside /api/: nobody signs in. The code (or token) is resolved once per request, by
`with_shop` (`with_booking`), into what it opens; an unknown one gets the progress link's 404
page (with Retry-After once a client guesses too fast), and the pages' own requests answer
JSON in the error shape, in both languages (customer_routes.answers_json).
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from chalice import Blueprint, Response

from chalicelib.api import as_domain_error, client_of
from chalicelib.api.lazy import lazy
from chalicelib.core.errors import DomainError
from chalicelib.customer_routes import answers_json, not_found

booking_page = lazy("outward.booking_page")
booking_links = lazy("outward.booking_links")
customer_page = lazy("outward.customer_page")
links = lazy("outward.links")

routes = Blueprint(__name__)


def _client() -> dict:
    return client_of(routes.current_request)


def _params() -> dict:
    return dict(routes.current_request.query_params or {})


def _html(body: str) -> Response:
    return Response(body=body, status_code=200, headers=booking_page.headers())


def _opened(resolve: Callable[[str], Any]) -> Callable:
    """A view given what its code or token opens; the one 404 page otherwise (503 page when the
    table fails)."""
    def decorator(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def resolved(**params: str) -> Response:
            key = params.pop("code", None) or params.pop("token")
            try:
                opened = resolve(key)
            except links.LinkNotFound as missing:
                return not_found(missing.retry_after)
            except DomainError:
                raise
            except Exception as err:  # the table failing: 503, never a bare 500
                failure = as_domain_error(err)
                return Response(body=customer_page.unavailable_html(), status_code=failure.status,
                                headers={**customer_page.headers(),
                                         "Retry-After": str(failure.retry_after or 2)})
            return view(opened, key)
        return resolved
    return decorator


with_shop = _opened(lambda code: booking_page.shop_of(code, _client()["ip"]))
with_booking = _opened(lambda token: booking_links.resolve(token, _client()["ip"]))


# --- the booking page ---

@routes.route("/b/{code}", methods=["GET"])
@with_shop
def page(opened: dict, code: str) -> Response:
    return _html(booking_page.render(opened, code,
                                     routes.current_request.headers.get("user-agent")))


@routes.route("/b/{code}/slots", methods=["GET"])
@with_shop
@answers_json
def free_times(opened: dict, code: str) -> dict:
    """A day's free times for a service: `?date=YYYY-MM-DD&service=<service_id>`."""
    return booking_page.free_times(opened, _params())


@routes.route("/b/{code}/code", methods=["POST"])
@with_shop
@answers_json
def send_code(opened: dict, code: str) -> dict:
    """Text a one-time code to the mobile typed (limited per mobile and per address)."""
    return booking_page.send_code(opened, routes.current_request.raw_body, _client()["ip"])


@routes.route("/b/{code}/bookings", methods=["POST"])
@with_shop
@answers_json
def book(opened: dict, code: str) -> dict:
    """The booking, with the texted code; the same booking_id again answers the same booking."""
    return booking_page.book(opened, routes.current_request.raw_body)


# --- the manage link ---

@routes.route("/m/{token}", methods=["GET"])
@with_booking
def manage(managed: Any, token: str) -> Response:
    return _html(booking_page.manage_html(managed, token))


@routes.route("/m/{token}/slots", methods=["GET"])
@with_booking
@answers_json
def manage_times(managed: Any, token: str) -> dict:
    return booking_page.manage_times(managed, _params())


@routes.route("/m/{token}/reschedule", methods=["POST"])
@with_booking
@answers_json
def reschedule(managed: Any, token: str) -> dict:
    return booking_page.reschedule(managed, routes.current_request.raw_body)


@routes.route("/m/{token}/cancel", methods=["POST"])
@with_booking
@answers_json
def cancel(managed: Any, token: str) -> dict:
    return booking_page.cancel(managed)
