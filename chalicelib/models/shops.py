"""A shop and who works in it: its profile, settings and templates; staff, their sign-in names,
sessions and shared tablets; the guards that count tries."""
from __future__ import annotations

import hashlib

from chalicelib.models.base import Document, Flag, Item, Number, Text, Values

Key = dict[str, str]


def shop_pk(shop_id: str) -> str:
    return f"SHOP#{shop_id}"


# The lists that gather every shop's items (what is due for the daily job and the 15-minute
# schedule, the day's signed documents) are cut into SHARDS partitions by shop, so no key takes
# the writes of every shop: DynamoDB gives a partition 1,000 writes a second (docs/design.md §2,
# "Shards"). A reader of such a list reads every shard; the daily job is one piece per shard.
SHARDS = 64


def shard_of(shop_id: str) -> int:
    """The shop's shard, 0 to SHARDS - 1: the same in every process and every release (Python's
    hash() of a string changes with each interpreter)."""
    digest = hashlib.blake2b(shop_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % SHARDS


class Shop(Item, discriminator="shop"):
    """A shop (a tenant). PK `SHOP#<shop>`, SK `SHOP`; read with its staff in one Query of the
    shop's partition (a shared tablet's staff list) or alone (names on documents and pages)."""
    shop_id = Text()
    name = Text()
    phone = Text(null=True)
    address = Text(null=True)
    line_id = Text(null=True)
    tax_id = Text(null=True)  # 統一編號 (chalicelib/core/tax_ids.py)
    opening_hours = Document(null=True)  # {"mon": {"open": "08:30", "close": "18:00"}, …}
    logo_key = Text(null=True)
    timezone = Text(null=True)
    created_at = Text(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "SHOP"}


STAFF_PREFIX = "STAFF#"


class Staff(Item, discriminator="staff"):
    """A person of the shop. PK `SHOP#<shop>`, SK `STAFF#<staff>`: the shop's staff are one
    Query of its partition. `token_version` moves when their role or access changes, which ends
    the sessions they hold."""
    shop_id = Text()
    staff_id = Text()
    name = Text()
    role = Text()
    active = Flag(null=True)
    mobile = Text(null=True)
    email = Text(null=True)
    password_hash = Text(null=True)
    pin_hash = Text(null=True)
    token_version = Number(null=True)
    created_at = Text(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, staff_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": f"{STAFF_PREFIX}{staff_id}"}


def staff_push_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#STAFFPUSH"


class StaffPush(Item, discriminator="staff_push"):
    """A staff device's Web Push subscription (a tablet at the desk that allowed it): PK
    `SHOP#<shop>#STAFFPUSH`, SK `<staff>#<SHA-256 of the endpoint>` (never the endpoint in a
    key). The shop's are one Query: who is told of a technician's finding or call for help."""
    shop_id = Text()
    staff_id = Text()
    role = Text()
    endpoint = Text()
    p256dh = Text()
    auth = Text()
    created_at = Text()

    @staticmethod
    def key(shop_id: str, staff_id: str, endpoint_hash: str) -> Key:
        return {"pk": staff_push_pk(shop_id), "sk": f"{staff_id}#{endpoint_hash}"}


class StaffAlert(Item, discriminator="staff_alert"):
    """An alert to the front desk's devices, sent once: PK `STAFFALERT#<shop>#<what>`, SK
    `SENT`, written only if new before the push goes out (a redelivered stream record finds it);
    gone by TTL after a day."""
    expires_at = Number()

    @staticmethod
    def key(shop_id: str, what: str) -> Key:
        return {"pk": f"STAFFALERT#{shop_id}#{what}", "sk": "SENT"}


def login_pk(login: str) -> str:
    """Everything about one sign-in name: the accounts it opens (one per shop) and its guard."""
    return f"LOGIN#{login}"


class Login(Item, discriminator="login"):
    """A sign-in name (a normalised mobile or e-mail) of one shop's person. PK `LOGIN#<name>`,
    SK `SHOP#<shop>`: sign-in reads the name's partition (every shop it opens, one Query). The
    same name in another shop is another account, so a shop learns nothing of another's logins.
    Made before logins were per shop: SK `LOGIN` (still read, still unique in its shop)."""
    shop_id = Text()
    staff_id = Text()

    @staticmethod
    def key(login: str, shop_id: str) -> Key:
        return {"pk": login_pk(login), "sk": f"SHOP#{shop_id}"}

    @staticmethod
    def old_key(login: str) -> Key:
        return {"pk": login_pk(login), "sk": "LOGIN"}


class LoginGuard(Item, discriminator="login_guard"):
    """Sign-in tries of a name in the current 15 minutes, kept whether or not an account has
    it (gone by TTL). PK `LOGIN#<name>`, SK `GUARD`. A try is taken before the password is
    checked, by a conditional ADD, so a burst never gets more checks than the limit."""
    tries = Number(null=True)
    failures = Number(null=True)  # guards made before tries were taken first (15 minutes at most)
    next_try_at = Number(null=True)
    expires_at = Number()

    @staticmethod
    def key(login: str) -> Key:
        return {"pk": login_pk(login), "sk": "GUARD"}


class PinGuard(Item, discriminator="pin_guard"):
    """A person's PIN tries on the shop's tablets in the current 15 minutes (gone by TTL).
    PK `PINGUARD#<shop>#<staff>`, SK `GUARD`."""
    tries = Number(null=True)
    next_try_at = Number(null=True)
    expires_at = Number()

    @staticmethod
    def key(shop_id: str, staff_id: str) -> Key:
        return {"pk": f"PINGUARD#{shop_id}#{staff_id}", "sk": "GUARD"}


class RefreshToken(Item, discriminator="refresh"):
    """A refresh token, by its SHA-256 (never the token). PK `REFRESH#<hash>`, SK `REFRESH`.
    Used once: each refresh marks it used (and when, `used_at`, epoch seconds: the same token
    seen again within a few seconds is a retry, not a copy) and makes the next of its family."""
    shop_id = Text()
    staff_id = Text()
    device_id = Text(null=True)
    family = Text()
    used = Flag()
    used_at = Number(null=True)
    token_version = Number(null=True)
    created_at = Text()
    expires_at = Number()

    @staticmethod
    def key(token_hash: str) -> Key:
        return {"pk": f"REFRESH#{token_hash}", "sk": "REFRESH"}


class RefreshFamily(Item, discriminator="refresh_revoked"):
    """A revoked chain of rotated refresh tokens (sign-out, or a used token seen again).
    PK `REFRESHFAMILY#<family>`, SK `FAMILY`; gone by TTL when its tokens would have expired."""
    expires_at = Number()

    @staticmethod
    def key(family: str) -> Key:
        return {"pk": f"REFRESHFAMILY#{family}", "sk": "FAMILY"}


def devices_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#DEVICES"


class Device(Item, discriminator="device"):
    """A shared tablet a manager registered; staff switch in on it with a PIN. PK
    `DEVICE#<id>` (made from the shop and the tablet's own id), SK `DEVICE`; the shop's
    tablets are one Query of gsi2 `SHOP#<shop>#DEVICES` by when they were registered (Settings).
    A revoked one stays listed, its secret refused."""
    shop_id = Text()
    device_id = Text()
    name = Text()
    secret_hash = Text()
    revoked = Flag(null=True)
    revoked_at = Text(null=True)
    registered_by = Document()
    created_at = Text()
    last_used_at = Text(null=True)

    @staticmethod
    def key(device_id: str) -> Key:
        return {"pk": f"DEVICE#{device_id}", "sk": "DEVICE"}

    @staticmethod
    def listed(shop_id: str, created_at: str, device_id: str) -> Key:
        return {"gsi2pk": devices_pk(shop_id), "gsi2sk": f"{created_at}#{device_id}"}


class Welcome(Item, discriminator="welcome"):
    """A one-time sign-in link for a new shop's first owner, by the SHA-256 of its token (never
    the token). PK `WELCOME#<hash>`, SK `WELCOME`. Redeemed once (a conditional write on
    `used`); gone by TTL after it expires."""
    shop_id = Text()
    staff_id = Text()
    used = Flag()
    used_at = Text(null=True)
    created_at = Text()
    expires_at = Number()

    @staticmethod
    def key(token_hash: str) -> Key:
        return {"pk": f"WELCOME#{token_hash}", "sk": "WELCOME"}


class ShopSettings(Item, discriminator="shop_settings"):
    """The shop's numbers: inspection thresholds, warranty, link and follow-up days, reminder
    intervals, the amount above which a remote approval needs a texted code, whether documents
    print 民國 years. PK `SHOP#<shop>`, SK `SETTINGS`; absent fields take their defaults
    (chalicelib/records/shop_settings.py)."""
    shop_id = Text()
    tread_yellow_mm = Number(null=True)
    uneven_mm = Number(null=True)
    pad_red_mm = Number(null=True)
    pad_yellow_mm = Number(null=True)
    warranty_months = Number(null=True)
    warranty_km = Number(null=True)
    link_days_after_delivery = Number(null=True)
    followup_after_days = Number(null=True)
    reminder_gap_days = Number(null=True)
    remote_code_above = Number(null=True)
    service_km = Number(null=True)
    service_months = Number(null=True)
    dates_roc = Flag(null=True)
    updated_at = Text(null=True)
    updated_by = Document(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "SETTINGS"}


class NotifySettings(Item, discriminator="notify_settings"):
    """Which steps tell the customer, the message templates, fallback channels and quiet
    hours. PK `SHOP#<shop>`, SK `SETTINGS#notify`."""
    shop_id = Text()
    notify_steps = Values(null=True)
    urgent_steps = Values(null=True)
    templates = Document(null=True)
    fallback_channels = Values(null=True)
    quiet_start = Text(null=True)
    quiet_end = Text(null=True)
    line_pnp_approved = Flag(null=True)
    updated_at = Text(null=True)
    updated_by = Document(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "SETTINGS#notify"}


class InspectionTemplate(Item, discriminator="inspection_template"):
    """The shop's walk-around checklist (the default one until it edits it). PK `SHOP#<shop>`,
    SK `TEMPLATE#inspection`."""
    shop_id = Text()
    items = Values()
    groups = Values(null=True)
    updated_at = Text(null=True)
    updated_by = Document(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "TEMPLATE#inspection"}


class QualityTemplate(Item, discriminator="quality_template"):
    """The shop's final-check list (品檢), once it edits it; the shipped one until then
    (catalogue/quality_check.json). PK `SHOP#<shop>`, SK `TEMPLATE#quality`. The item
    `road_test` is the one that takes the distance driven."""
    shop_id = Text()
    items = Values()
    updated_at = Text(null=True)
    updated_by = Document(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": "TEMPLATE#quality"}


class OrderCounter(Item, discriminator="order_counter"):
    """The shop's repair-order numbers of a day (`20261122-007`). PK `SHOP#<shop>`, SK
    `COUNTER#ORDER#<day>`: set to n only while it holds n-1, in the order's own transaction."""
    seq = Number()

    @staticmethod
    def key(shop_id: str, day: str) -> Key:
        return {"pk": shop_pk(shop_id), "sk": f"COUNTER#ORDER#{day}"}


class Audit(Item, discriminator="audit"):
    """Who exported, erased, imported or merged personal data, and when (個資法). PK
    `SHOP#<shop>#AUDIT`, SK `<at>#<audit>`: the shop's record, oldest first."""
    shop_id = Text()
    audit_id = Text()
    action = Text()
    at = Text()
    by = Document()
    customer_id = Text(null=True)
    import_id = Text(null=True)
    job_id = Text(null=True)  # an export's job (after/exports.py)
    merged_customer_id = Text(null=True)  # a merge's other customer (after/merge.py)
    counts = Document(null=True)
    bad_lines = Values(null=True)

    @staticmethod
    def key(shop_id: str, at: str, audit_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#AUDIT", "sk": f"{at}#{audit_id}"}


class ClientGuard(Item, discriminator="client_guard"):
    """One client's turns (its IP, hashed with a server key) at one kind of public route in
    one minute: `link` and `part` look-ups, `opt_out` taps. PK `GUARD#<scope>#<client>`, SK
    `MINUTE#<minute>`; gone by TTL."""
    turns = Number()
    expires_at = Number()

    @staticmethod
    def key(client_hash: str, scope: str, minute: str) -> Key:
        return {"pk": f"GUARD#{scope}#{client_hash}", "sk": f"MINUTE#{minute}"}
