"""The customer's progress link (`/t/<token>`): made on first use, re-issued, revoked, expired.

The token is derived, never stored: base64url of HMAC-SHA256(link-signing-key,
"<shop_id>:<order_id>:<generation>") cut to 24 bytes (192 bits). The link item in the order's
partition keeps the generation, whether it was revoked, and only SHA-256(token) (on gsi1 too, for
links issued before entries existed). So the server can write the URL into a message again (the
stream function does) without anyone being able to read a token from the table.

A working link also has an entry keyed by that hash (models.LinkHash → shop, order), written and
deleted with the link item in one transaction: the page finds the order by a key the token
gives. The entry only says where to look; the link item read with the order decides.

A token stops working when the advisor re-issues (a new generation, a new hash) or revokes the
link, and a set time after the order closed (shop setting `link_days_after_delivery`, counted at
read time from the step that closed it: nothing to run on a schedule).

Failed look-ups are counted per client (its IP hashed with a server key, never the IP itself) per
minute; past LIMIT_PER_MINUTE every look-up from that client fails the same way until the minute
is over. The page costs three requests whatever the order holds: one transaction checks the
token's entry and, only when there is none, takes a turn of the client's guard (so a token that
opens its page costs the guard nothing, and however many arrive at once no more than the limit
find nothing); one Query of the order's partition; one BatchGetItem of what the page shows
beside it. Expired, revoked, malformed and unknown tokens all fail the same way, after as many
requests.

That per-client guard is shared by every public route a stranger can try things on (the opt-out
link, the public answer of an old-part label): there a turn is taken with one conditional ADD
before the work is done, so a burst of requests gets no more turns than the limit, and where
only failures count the turn is given back when the work succeeds.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core import secrets as secret_store
from chalicelib.core.config import settings
from chalicelib.core.errors import Busy, NotFound, TooManyAttempts
from chalicelib.core.qr import qr_svg
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


def _entry(link: dict) -> dict:
    """The link's entry by its token's hash: where the page finds the order, nothing more."""
    return {**models.LinkHash.key(link["token_hash"]), "shop_id": link["shop_id"],
            "order_id": link["order_id"]}


def _entry_gone(link: dict) -> models.LinkHash:
    return models.LinkHash.from_dict(models.LinkHash.key(link["token_hash"]))


def _stored(shop_id: str, order_id: str) -> dict | None:
    return models.ProgressLink.read(models.ProgressLink.key(shop_id, order_id), consistent=True)


def _order_found(shop_id: str, order_id: str) -> bool:
    return models.Order.read(models.order_key(shop_id, order_id)) is not None


def ensure(shop_id: str, order_id: str) -> dict:
    """The order's link item, made now (generation 1, with its entry) if it has none. Safe to
    call from two places at once: the conditional put lets one win and the other reads what it
    wrote."""
    def made() -> dict:
        stored = _stored(shop_id, order_id)
        if stored:
            return stored
        item = _item(shop_id, order_id, 1, None)
        with models.transaction() as writes:
            writes.save(models.ProgressLink.from_dict(item),
                        condition=models.ProgressLink.pk.does_not_exist())
            writes.save(models.LinkHash.from_dict(_entry(item)))
        return item
    return models.retry(made)


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
    """A new generation: the old URL stops working at once (its entry goes with it)."""
    def written() -> dict:
        stored = _stored(shop_id, order_id)
        generation = int(stored["generation"]) + 1 if stored else 1
        item = _item(shop_id, order_id, generation, by)
        with models.transaction() as writes:
            writes.save(models.ProgressLink.from_dict(item))
            writes.save(models.LinkHash.from_dict(_entry(item)))
            if stored:
                writes.delete(_entry_gone(stored))
        return item
    return models.retry(written)


def revoke(shop_id: str, order_id: str, by: dict | None = None) -> None:
    """The link stops working and is no longer found by its hash; re-issuing makes a new one."""
    link = models.ProgressLink

    def written() -> None:
        stored = ensure(shop_id, order_id)
        with models.transaction() as writes:
            writes.update(link.from_dict(link.key(shop_id, order_id)), actions=[
                link.revoked.set(True), link.revoked_at.set(clock.now_iso()),
                link.revoked_by.set(by or {}), link.gsi1pk.remove(), link.gsi1sk.remove()])
            writes.delete(_entry_gone(stored))
    models.retry(written)


# --- expiry ---

def closed_at(order: dict) -> str | None:
    """When the order was delivered (or cancelled): the first step into one of those states."""
    moments = [event["at"] for event in order.get("events", []) if event.get("to") in CLOSED]
    if moments:
        return min(moments)
    if order.get("closed_on"):  # no event found (should not happen): the end of that local day
        return order["closed_on"] + "T15:59:59.999Z"
    return None


def expires_at(order: dict, thresholds: dict | None = None) -> str | None:
    """`thresholds`: the shop's settings when already read (else read here, if closed)."""
    closed = closed_at(order)
    if closed is None:
        return None
    days = int((thresholds or shop_settings.thresholds(order["shop_id"]))
               ["link_days_after_delivery"])
    return clock.iso(clock.parse_iso(closed) + timedelta(days=days))


def expired(order: dict, thresholds: dict | None = None) -> bool:
    ends = expires_at(order, thresholds)
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


def _guard_key(ip: str | None, scope: str, now: datetime) -> dict:
    return models.ClientGuard.key(client_hash(ip), scope, now.strftime("%Y%m%d%H%M"))


def _turn_taken(now: datetime) -> list:
    guard = models.ClientGuard
    return [guard.turns.add(1), guard.expires_at.set(int(now.timestamp()) + 180),
            guard.type.set(guard)]


def _turn_left(limit: int):
    guard = models.ClientGuard
    return guard.turns.does_not_exist() | (guard.turns < limit)


def take_turn(ip: str | None, scope: str, limit: int) -> dict:
    """One of the client's `limit` turns at `scope` this minute (its guard's key, to give it back),
    or Throttled. One conditional ADD: however many arrive at once, `limit` get a turn."""
    now = clock.now()
    key = _guard_key(ip, scope, now)
    try:
        with models.refusals():
            models.ClientGuard.from_dict(key).update(actions=_turn_taken(now),
                                                     condition=_turn_left(limit))
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

@dataclass(frozen=True)
class Opened:
    """What a token opens: the order (as order_store.load assembles it, with its `link` item),
    and what its page shows beside it, read together: the shop, its settings over the defaults,
    its checklist, the car."""
    order: dict
    shop: dict
    thresholds: dict
    template: dict
    vehicle: dict


def resolve(token: str, ip: str | None) -> Opened:
    """What a token opens, or LinkNotFound, in three requests: the token's entry checked with
    the client's guard, the order's partition, what the page shows beside it."""
    digest, now = token_hash(token), clock.now()
    turn = _guard_key(ip, "link", now)
    try:
        entry = _entry_checked(digest, turn, now)
    except Throttled as over:
        raise LinkNotFound(retry_after=over.retry_after) from None
    if entry is not None:
        opened = _open(token, digest, entry["shop_id"], entry["order_id"])
    else:
        opened = _unlisted(token, digest, turn)
    if opened is None:
        raise LinkNotFound()
    return opened


def _entry_checked(digest: str, turn: dict, now: datetime) -> dict | None:
    """The token's entry (shop, order), or None, in one transaction with the client's guard:
    the entry's condition check hands back the item it found (so it is the look-up too), and
    the guard's turn is taken only when there is none. A token that opens its page costs the
    guard nothing; one that finds nothing is counted as it is looked up, so however many arrive
    at once no more than the limit find nothing. A client with no turn left is Throttled
    whatever its token: the guard's refusal is read before what the check found."""
    guard, entry = models.ClientGuard, models.LinkHash.key(digest)

    def checked() -> dict | None:
        try:
            with models.transaction() as writes:
                writes.condition_check(models.LinkHash, entry["pk"], entry["sk"],
                                       condition=models.LinkHash.pk.does_not_exist(),
                                       return_values="ALL_OLD")
                writes.update(guard.from_dict(turn), actions=_turn_taken(now),
                              condition=_turn_left(LIMIT_PER_MINUTE))
        except models.Refused as lost:
            if lost.parts[1]:
                raise Throttled(retry_after=60 - now.second) from None
            if models.reasons(lost.__cause__)[1]:  # the guard met another request: again
                raise
            return lost.items[0]
        return None

    try:
        return models.retry(checked)
    except Busy:  # a burst from one client, colliding on its guard again and again
        raise Throttled(retry_after=60 - now.second) from None


def _unlisted(token: str, digest: str, turn: dict) -> Opened | None:
    """A token with no entry (it took a turn): unknown, malformed, revoked or re-issued, or a
    link made before entries were written, still found on gsi1 by its hash. Such a link gets
    its entry now and the turn back; the others read a decoy partition, so every failure costs
    what an expired link does."""
    index = models.link_hash_index(digest)
    link = next((found.as_dict() for found in models.Item.lookup.query(
        index["gsi1pk"], models.Item.gsi1sk == index["gsi1sk"])), None)
    shop_id, order_id = (link["shop_id"], link["order_id"]) if link else _DECOY_ORDER
    opened = _open(token, digest, shop_id, order_id)
    if opened is not None:
        models.LinkHash.from_dict(_entry(opened.order["link"])).save()
        give_back(turn)
    return opened


def _open(token: str, digest: str, shop_id: str, order_id: str) -> Opened | None:
    """The order if the token is its link's current one, not revoked, not expired; else None.
    The entry only says where to look: the link item read with the order decides."""
    items = list(models.Item.items(models.order_pk(shop_id, order_id)))
    header = next((item for item in items if item["sk"] == models.ORDER_SK), None)
    stored = next((item for item in items if item["sk"] == models.LINK_SK), None)
    well_formed = len(token) == TOKEN_LENGTH
    valid = (header is not None and stored is not None and well_formed
             and not stored.get("revoked") and stored.get("token_hash") == digest
             and hmac.compare_digest(token, token_for(shop_id, order_id,
                                                       int(stored["generation"]))))
    if not valid:
        return None
    beside = _beside(shop_id, header["vehicle"]["vehicle_id"])
    order = order_store.assemble(header, items)
    if expired(order, beside["thresholds"]):
        return None
    return Opened(order={**order, "link": stored}, **beside)


def _beside(shop_id: str, vehicle_id: str) -> dict:
    """What the page shows beside the order, in one BatchGetItem: the shop (name, phone, logo),
    its settings (expiry, the walk-around's colours, the code's amount), its checklist, the car
    (the estimate's document names it). Read on every view, so a change shows at once."""
    keys = {"shop": models.Shop.key(shop_id), "settings": models.ShopSettings.key(shop_id),
            "template": models.InspectionTemplate.key(shop_id),
            "vehicle": models.vehicle_key(shop_id, vehicle_id)}
    found = {(item.pk, item.sk): item.as_dict() for item in models.Item.batch_get(
        [(key["pk"], key["sk"]) for key in keys.values()])}
    read = {name: found.get((key["pk"], key["sk"])) for name, key in keys.items()}
    return {"shop": read["shop"] or {}, "thresholds": shop_settings.thresholds_of(read["settings"]),
            "template": shop_settings.template_of(read["template"]),
            "vehicle": read["vehicle"] or {}}


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
