"""The single table's keys: the one place that knows how `pk`, `sk` and index keys are built.

The table itself (key schema, indexes, stream) is declared once, in infra/resources.json; the
cloud stack deploys that file and the local stack creates its table from it.

Indexes, each overloaded by item type:
- gsi1: look-ups by a natural key (a shop's plate or phone, a sign-in name, a part tag's code,
  a progress link's token hash);
- gsi2: lists in order (a shop's board for a day by state, a technician's jobs).
"""
from __future__ import annotations

from datetime import datetime, timezone

Key = dict[str, str]

GSI_LOOKUP = "gsi1"
GSI_LISTS = "gsi2"


def shop_pk(shop_id: str) -> str:
    return f"SHOP#{shop_id}"


def shop_key(shop_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": "SHOP"}


def staff_key(shop_id: str, staff_id: str) -> Key:
    return {"pk": shop_pk(shop_id), "sk": f"STAFF#{staff_id}"}


def login_key(login: str) -> Key:
    """A sign-in name (normalised phone or e-mail) is unique across all shops: it finds the shop."""
    return {"pk": f"LOGIN#{login}", "sk": "LOGIN"}


def health_key() -> Key:
    """A key no item uses: reading it proves the table answers, and costs half a read unit."""
    return {"pk": "HEALTH", "sk": "HEALTH"}


def kind_of(sk: str) -> str:
    """The item type from its sort key (`STAFF#…` → `STAFF`), as the stream handler routes by it."""
    return sk.split("#", 1)[0]


def now_iso() -> str:
    """Times are stored UTC, ISO 8601, to the millisecond (DESIGN.md §4)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
