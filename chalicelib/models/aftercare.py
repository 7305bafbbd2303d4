"""After the car leaves: the cases a follow-up call opens, and the shop's numbers (營運數據)."""
from __future__ import annotations

from chalicelib.models.base import Document, Item, Number, Text, Version
from chalicelib.models.shops import shop_pk

Key = dict[str, str]


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
