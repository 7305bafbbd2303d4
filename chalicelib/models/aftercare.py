"""After the car leaves: the follow-up call written at delivery, the cases a follow-up call opens,
the shop's numbers (營運報表), and a vehicle's reminders as its page shows them."""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib.core import clock
from chalicelib.models.base import Document, Item, Number, Text, Values, Version
from chalicelib.models.customers import REMINDER_PREFIX, vehicle_pk
from chalicelib.models.orders import FollowUp, followup_pending_index
from chalicelib.models.shops import shop_pk

Key = dict[str, str]
INVITATION_SK = "INVITATION"


def cases_pk(shop_id: str, state: str) -> str:
    """A shop's open cases (by due date) or closed ones (by the time they closed): gsi2."""
    return f"CASES#{shop_id}#{state.upper()}"


def case_index(shop_id: str, state: str, sort: str, case_id: str) -> Key:
    return {"gsi2pk": cases_pk(shop_id, state), "gsi2sk": f"{sort}#{case_id}"}


class Case(Item, discriminator="case"):
    """What an unhappy customer said, until resolved. PK `SHOP#<shop>#CASE#<case>`, SK `CASE`;
    gsi2 `CASES#<shop>#OPEN` / `<due on>#<case>` (the manager's board) or `CASES#<shop>#CLOSED`
    / `<closed at>#<case>`."""
    shop_id = Text()
    case_id = Text()
    order_id = Text()
    number = Text(null=True)
    customer = Document()
    vehicle = Document(null=True)
    summary = Text()
    call_note = Text(null=True)
    owner = Document()
    due_on = Text()
    state = Text()
    appointment_id = Text(null=True)
    resolution = Text(null=True)
    closed_at = Text(null=True)
    closed_by = Document(null=True)
    closed_client_id = Text(null=True)
    created_at = Text()
    created_by = Document(null=True)
    updated_at = Text(null=True)
    updated_by = Document(null=True)
    version = Version()

    @staticmethod
    def key(shop_id: str, case_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#CASE#{case_id}", "sk": "CASE"}


class Invitation(Item, discriminator="invitation"):
    """A car on the invitation list (邀約回廠名單): who contacted its owner, and its booking ahead.
    PK the vehicle's, SK `INVITATION` (read with its vehicle in one BatchGetItem). `reasons` are
    the reminders (`<kind>:<due on>`) the last contact covered, `hidden_until` the local day the
    row comes back (`9999-12-31`: not this round). A contact is written only while the car is
    not claimed for those reasons (a condition), so two advisors never call one customer twice.
    `booking` ({appointment_id, at}) is kept from the appointments' stream."""
    shop_id = Text()
    vehicle_id = Text()
    reasons = Values(null=True)
    claim = Text(null=True)
    hidden_until = Text(null=True)
    contacts = Values(null=True)
    booking = Document(null=True)
    updated_at = Text(null=True)

    @staticmethod
    def key(shop_id: str, vehicle_id: str) -> Key:
        return {"pk": vehicle_pk(shop_id, vehicle_id), "sk": INVITATION_SK}


def dashboard_pk(shop_id: str) -> str:
    return f"{shop_pk(shop_id)}#DASHBOARD"


class DashboardDay(Item, discriminator="dashboard_day"):
    """A day's counters (Asia/Taipei), kept from the stream: PK `SHOP#<shop>#DASHBOARD`, SK
    `DAY#<day>` (a period is one Query between two days). Besides `day`, every attribute is a
    counter named for what it counts (`opened`, `t.<state>.<bucket>`, `msg.<channel>.<state>`):
    open attributes, added to with ADD by name."""
    OPEN = True
    shop_id = Text()
    day = Text()

    @staticmethod
    def key(shop_id: str, day: str) -> Key:
        return {"pk": dashboard_pk(shop_id), "sk": f"DAY#{day}"}


class DashboardSeen(Item, discriminator="dashboard_seen"):
    """A change already counted (written with its counts, only if new; gone by TTL):
    SK `SEEN#<change>`."""
    expires_at = Number()

    @staticmethod
    def key(shop_id: str, change_id: str) -> Key:
        return {"pk": dashboard_pk(shop_id), "sk": f"SEEN#{change_id}"}


class DashboardTotals(Item, discriminator="dashboard_totals"):
    """What is not per day: the follow-up cases open now. SK `TOTALS`."""
    shop_id = Text()
    cases_open = Number(null=True)

    @staticmethod
    def key(shop_id: str) -> Key:
        return {"pk": dashboard_pk(shop_id), "sk": "TOTALS"}


def followup_pending_item(order: dict, delivered_at: str, after_days: int) -> dict:
    """The follow-up call (FollowUp) written with the delivery: due `after_days` (the shop's
    `followup_after_days`) after the local day of delivery, pending until then."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    delivered_on = clock.local_date(delivered_at)
    due_on = (date.fromisoformat(delivered_on) + timedelta(days=int(after_days))).isoformat()
    vehicle, customer = order["vehicle"], order["customer"]
    return {**FollowUp.key(shop_id, order_id), "type": "followup", "shop_id": shop_id,
            "order_id": order_id, "number": order["number"],
            "customer": {"customer_id": customer["customer_id"], "name": customer["name"],
                         "mobile": customer.get("mobile", "")},
            "vehicle": {"vehicle_id": vehicle["vehicle_id"], "plate": vehicle["plate"],
                        "make": vehicle.get("make", ""), "model": vehicle.get("model", "")},
            "delivered_at": delivered_at, "delivered_on": delivered_on, "due_on": due_on,
            "status": "pending", "calls": [],
            **followup_pending_index(due_on, shop_id, order_id)}


_REMINDER_SHOWN = ("kind", "status", "due_on", "send_on", "sent_at", "detail", "skipped")


def reminder_views(items: list[dict]) -> list[dict]:
    """A vehicle's reminders (Reminder) as staff see them, from the vehicle's one Query (its
    partition's items, of any type)."""
    return [{name: item[name] for name in _REMINDER_SHOWN if item.get(name) is not None}
            for item in items if item.get("sk", "").startswith(REMINDER_PREFIX)]
