"""ServiceLane API: routes and event handlers only. Each parses, calls chalicelib, shapes the answer."""
from chalice import Chalice, Response

from chalicelib import changes, health
from chalicelib.config import settings
from chalicelib.errors import DomainError, preferred_language

app = Chalice(app_name="servicelane")

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@app.middleware("http")
def errors_and_headers(event, get_response):
    try:
        response = get_response(event)
    except DomainError as err:
        language = preferred_language(event.headers.get("accept-language"))
        response = Response(body=err.body(language), status_code=err.status)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@app.route("/api/health", methods=["GET"])
def get_health():
    healthy, body = health.report()
    return Response(body=body, status_code=200 if healthy else 503)


@app.on_dynamodb_record(stream_arn=settings().stream_arn, batch_size=100, name="on_change")
def on_change(event):
    return changes.handle(event)
