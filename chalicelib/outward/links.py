"""The customer's progress link (`/t/<token>`): made on first use, re-issued, revoked, expired.

The token is derived, never stored: base64url of HMAC-SHA256(link-signing-key,
"<shop_id>:<order_id>:<generation>") cut to 24 bytes (192 bits). The link item in the order's
partition keeps the generation, whether it was revoked, and only SHA-256(token), indexed on gsi1
for the customer's page. So the server can write the URL into a message again (the stream
function does) without anyone being able to read a token from the table.

A token stops working when the advisor re-issues (a new generation, a new hash) or revokes the
link, and a set time after the order closed (shop setting `link_days_after_delivery`, counted at
read time from the step that closed it: nothing to run on a schedule).

Failed look-ups are counted per client (its IP hashed with a server key, never the IP itself) per
minute; past LIMIT_PER_MINUTE every look-up from that client fails the same way until the minute
is over. Expired, revoked, malformed and unknown tokens all fail the same way, after the same
work: one hash, one Query on gsi1, one Query of a partition.

That per-client guard is shared by every public route a stranger can try things on (the opt-out
link, the public answer of an old-part label): a turn is taken with one conditional ADD before
the work is done, so a burst of requests gets no more turns than the limit, and where only
failures count the turn is given back when the work succeeds.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core import secrets as secret_store
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound, TooManyAttempts
from chalicelib.records import shop_settings
from chalicelib.work import order_store

TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # base64url of 24 bytes, no padding
MAX_TOKEN_INPUT = 200  # longer input is cut before hashing (it can never match anyway)
LIMIT_PER_MINUTE = 20  # failed look-ups per client: of a progress link, of an old-part label
CLOSED = ("delivered", "cancelled")  # the steps that start the expiry clock
_DECOY_ORDER = ("-", "-")  # the partition a failed look-up reads, so it costs what a found one does


class LinkNotFound(Exception):
    """The one failure the customer's page shows: unknown, malformed, revoked or expired (or the
    client is over its limit; then `retry_after` says when to try again)."""

    def __init__(self, retry_after: int | None = None):
        super().__init__("not found")
        self.retry_after = retry_after


def signing_key() -> bytes:
    """The link key: it derives the progress links, the opt-out links and keys the other MACs
    of what a customer is sent (a client's IP, a texted code)."""
    return secret_store.get("link-signing-key").encode()


def token_for(shop_id: str, order_id: str, generation: int) -> str:
    mac = hmac.new(signing_key(), f"{shop_id}:{order_id}:{generation}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:TOKEN_BYTES]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token[:MAX_TOKEN_INPUT].encode("utf-8", "replace")).hexdigest()


def url_of(token: str) -> str:
    return f"{settings().public_origin.rstrip('/')}/t/{token}"


# --- the link item ---

def _item(shop_id: str, order_id: str, generation: int, by: dict | None) -> dict:
    digest = token_hash(token_for(shop_id, order_id, generation))
    return {**models.ProgressLink.key(shop_id, order_id), **models.link_hash_index(digest), "type": "progress_link",
            "shop_id": shop_id, "order_id": order_id, "generation": generation,
            "token_hash": digest, "revoked": False, "issued_at": clock.now_iso(),
            **({"issued_by": by} if by else {})}


def _stored(shop_id: str, order_id: str) -> dict | None:
    return models.ProgressLink.read(models.ProgressLink.key(shop_id, order_id), consistent=True)


def _order_found(shop_id: str, order_id: str) -> bool:
    return models.Order.read(models.order_key(shop_id, order_id)) is not None


def ensure(shop_id: str, order_id: str) -> dict:
    """The order's link item, made now (generation 1) if it has none. Safe to call from two places
    at once: the conditional put lets one win and the other reads what it wrote."""
    stored = _stored(shop_id, order_id)
    if stored:
        return stored
    item = _item(shop_id, order_id, 1, None)
    try:
        with models.refusals():
            models.ProgressLink.from_dict(item).save(
                condition=models.ProgressLink.pk.does_not_exist())
    except models.Refused:
        return _stored(shop_id, order_id) or item
    return item


def url_for(shop_id: str, order_id: str) -> str | None:
    """The customer's current link URL (made on first call), or None when the advisor revoked it
    or the order does not exist. Expiry is not checked here: a message about delivery may still
    carry the link, and the page itself refuses it once expired."""
    stored = _stored(shop_id, order_id)
    if stored is None:
        if not _order_found(shop_id, order_id):
            return None
        stored = ensure(shop_id, order_id)
    if stored.get("revoked"):
        return None
    return url_of(token_for(shop_id, order_id, int(stored["generation"])))


def reissue(shop_id: str, order_id: str, by: dict | None = None) -> dict:
    """A new generation: the old URL stops working at once."""
    stored = _stored(shop_id, order_id)
    generation = int(stored["generation"]) + 1 if stored else 1
    item = _item(shop_id, order_id, generation, by)
    models.ProgressLink.from_dict(item).save()
    return item


def revoke(shop_id: str, order_id: str, by: dict | None = None) -> None:
    """The link stops working and is no longer found by its hash; re-issuing makes a new one."""
    link = models.ProgressLink
    ensure(shop_id, order_id)
    link.from_dict(link.key(shop_id, order_id)).update(actions=[
        link.revoked.set(True), link.revoked_at.set(clock.now_iso()), link.revoked_by.set(by or {}),
        link.gsi1pk.remove(), link.gsi1sk.remove()])


# --- expiry ---

def closed_at(order: dict) -> str | None:
    """When the order was delivered (or cancelled): the first step into one of those states."""
    moments = [event["at"] for event in order.get("events", []) if event.get("to") in CLOSED]
    if moments:
        return min(moments)
    if order.get("closed_on"):  # no event found (should not happen): the end of that local day
        return order["closed_on"] + "T15:59:59.999Z"
    return None


def expires_at(order: dict) -> str | None:
    closed = closed_at(order)
    if closed is None:
        return None
    days = int(shop_settings.thresholds(order["shop_id"])["link_days_after_delivery"])
    return clock.iso(clock.parse_iso(closed) + timedelta(days=days))


def expired(order: dict) -> bool:
    ends = expires_at(order)
    return ends is not None and clock.parse_iso(ends) <= clock.now()


# --- the per-client guard of the public routes ---

class Throttled(Exception):
    """A client past its limit on a public route this minute: to try again in `retry_after` s."""

    def __init__(self, retry_after: int):
        super().__init__("too many requests")
        self.retry_after = retry_after

    def error(self) -> TooManyAttempts:
        wait = self.retry_after
        return TooManyAttempts(f"操作太頻繁，請 {wait} 秒後再試。",
                               f"Too many tries: try again in {wait} seconds.")


def client_hash(ip: str | None) -> str:
    """Who is guessing, without keeping who they are: the IP under a keyed hash."""
    mac = hmac.new(signing_key(), f"client:{ip or '-'}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def take_turn(ip: str | None, scope: str, limit: int) -> dict:
    """One of the client's `limit` turns at `scope` this minute (its guard's key, to give it back),
    or Throttled. One conditional ADD: however many arrive at once, `limit` get a turn."""
    guard = models.ClientGuard
    now = clock.now()
    key = guard.key(client_hash(ip), scope, now.strftime("%Y%m%d%H%M"))
    try:
        with models.refusals():
            guard.from_dict(key).update(
                actions=[guard.turns.add(1), guard.expires_at.set(int(now.timestamp()) + 180),
                         guard.type.set(guard)],
                condition=guard.turns.does_not_exist() | (guard.turns < limit))
    except models.Refused:
        raise Throttled(retry_after=60 - now.second) from None
    return key


def give_back(turn: dict) -> None:
    """A turn that does not count (what was looked for was found); never re-creates a guard."""
    guard = models.ClientGuard
    try:
        with models.refusals():
            guard.from_dict(turn).update(actions=[guard.turns.add(-1)],
                                         condition=guard.turns > 0)
    except models.Refused:
        pass


@contextmanager
def failures_limited(ip: str | None, scope: str, limit: int) -> Iterator[None]:
    """Only failures count: the turn taken before the block is given back if it ends without
    raising. Throttled, before the block runs, for a client with `limit` failures this minute."""
    turn = take_turn(ip, scope, limit)
    yield
    give_back(turn)


# --- the customer's side: finding the order by a token ---

def resolve(token: str, ip: str | None) -> dict:
    """The order a token opens (assembled as order_store.load does, with `link` added), or
    LinkNotFound. The same work is done whatever the failure."""
    try:
        with failures_limited(ip, "link", LIMIT_PER_MINUTE):
            return _resolve(token)
    except Throttled as over:
        raise LinkNotFound(retry_after=over.retry_after) from None


def _resolve(token: str) -> dict:
    digest = token_hash(token)
    index = models.link_hash_index(digest)
    link = next((found.as_dict() for found in models.Item.lookup.query(
        index["gsi1pk"], models.Item.gsi1sk == index["gsi1sk"])), None)
    shop_id, order_id = (link["shop_id"], link["order_id"]) if link else _DECOY_ORDER
    items = list(models.Item.items(models.order_pk(shop_id, order_id)))
    header = next((item for item in items if item["sk"] == models.ORDER_SK), None)
    stored = next((item for item in items if item["sk"] == models.LINK_SK), None)
    well_formed = len(token) == TOKEN_LENGTH
    valid = (link is not None and header is not None and stored is not None and well_formed
             and not stored.get("revoked") and stored.get("token_hash") == digest
             and hmac.compare_digest(token, token_for(shop_id, order_id,
                                                       int(stored["generation"]))))
    order = order_store.assemble(header, items) if valid else None
    if not valid or expired(order):
        raise LinkNotFound()
    photos = [item for item in items if item["sk"].startswith(models.PHOTO_PREFIX)]
    return {**order, "link": stored, "photos": photos}


# --- the advisor's routes ---

def _answer(shop_id: str, order_id: str, item: dict) -> dict:
    order = order_store.load(shop_id, order_id)
    if item.get("revoked"):
        return {"url": None, "revoked": True, "generation": int(item["generation"]),
                "expires_at": expires_at(order), "qr_svg": None}
    url = url_of(token_for(shop_id, order_id, int(item["generation"])))
    return {"url": url, "revoked": False, "generation": int(item["generation"]),
            "issued_at": item.get("issued_at"), "expires_at": expires_at(order),
            "expired": expired(order), "qr_svg": qr_svg(url)}


def qr_svg(text: str) -> str:
    import io

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def _order_exists(shop_id: str, order_id: str) -> None:
    if not _order_found(shop_id, order_id):
        raise NotFound("找不到這張工單。", "No such repair order.")


def get_link(caller: Caller, order_id: str) -> dict:
    require(caller, "links.manage")
    _order_exists(caller.shop_id, order_id)
    return _answer(caller.shop_id, order_id, ensure(caller.shop_id, order_id))


def reissue_link(caller: Caller, order_id: str) -> dict:
    require(caller, "links.manage")
    _order_exists(caller.shop_id, order_id)
    return _answer(caller.shop_id, order_id, reissue(caller.shop_id, order_id, caller.stamp()))


def revoke_link(caller: Caller, order_id: str) -> dict:
    require(caller, "links.manage")
    _order_exists(caller.shop_id, order_id)
    revoke(caller.shop_id, order_id, caller.stamp())
    return _answer(caller.shop_id, order_id, _stored(caller.shop_id, order_id))
