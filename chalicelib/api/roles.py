"""What each role may do: one table, checked by the services on every route."""
from __future__ import annotations

from chalicelib.api import Caller
from chalicelib.core.errors import Forbidden

ROLES = ("owner", "manager", "advisor", "technician")
MANAGERS = frozenset({"owner", "manager"})
FRONT_DESK = frozenset({"owner", "manager", "advisor"})
EVERYONE = frozenset(ROLES)
# Not a person: the shop's public booking page records the customer and car of a booking whose
# mobile its texted code proved (chalicelib/outward/booking_page.py); nothing else.
BOOKING_PAGE = "booking_page"

PERMISSIONS: dict[str, frozenset[str]] = {
    "staff.manage": MANAGERS,
    "devices.manage": MANAGERS,
    "customers.write": FRONT_DESK | {BOOKING_PAGE},
    "customers.merge": MANAGERS,     # two records of one customer made one
    "vehicles.write": FRONT_DESK | {BOOKING_PAGE},
    "vehicles.mileage": EVERYONE,
    "appointments.write": FRONT_DESK,
    "orders.write": FRONT_DESK,      # create, edit, price lines, dispatch
    "orders.cancel": FRONT_DESK,
    "documents.sign": FRONT_DESK,    # hand the tablet to the customer and witness the signature
    "orders.read": EVERYONE,
    "jobs.others": FRONT_DESK,       # see another technician's job list
    "inspections.write": FRONT_DESK,  # the walk-around at reception
    "photos.write": EVERYONE,        # a photo of a tyre, a worn part, a scratch
    "photos.delete": FRONT_DESK,
    "settings.manage": MANAGERS,     # thresholds and the checklist template
    "parts.write": EVERYONE,         # tag an old part, scan it to a shelf, print its label
    "parts.decide": FRONT_DESK,      # the customer's wish; hand back, dispose, return, keep
    "parts.reports": FRONT_DESK,     # the month's disposals and supplier returns
    "links.manage": FRONT_DESK,      # the customer's progress link: show, re-issue, revoke
    "data.rights": MANAGERS,         # export or erase a customer's data; export, import all
    "followups.record": FRONT_DESK,  # call the customer after delivery, record it, open a case
    "cases.manage": MANAGERS,        # reassign or close any case (its owner may close their own)
    "dashboard.read": MANAGERS,      # the shop's numbers (營運報表) and their CSV
    "history.print": FRONT_DESK,     # a car's 維修履歷 as a PDF for its owner
    "booking.read": FRONT_DESK,      # the booking setup, the page's link and QR
    "booking.manage": MANAGERS,      # change the booking setup
    "invitations.work": FRONT_DESK,  # the invitation list (邀約回廠名單): call, LINE, SMS
    "catalogue.write": MANAGERS,     # parts, labour operations, menus and rates
    "stock.read": EVERYONE,          # the kept parts: on hand, reserved, the minimum
    "stock.write": FRONT_DESK,       # goods received, a count, a minimum
    "payments.take": FRONT_DESK,     # take a payment or deposit; what the invoice is to be
    "payments.refund": MANAGERS,     # money given back; an invoice voided or allowed
    "payments.release": MANAGERS,    # let a car go unpaid, with a reason
    "payments.cashup": FRONT_DESK,   # the day's takings (日結) and the month's invoices
}

# (permission zh, en) for the message a refused person reads.
_ACTIONS = {
    "staff.manage": ("管理員工", "manage staff"),
    "devices.manage": ("登記共用平板", "register shop devices"),
    "customers.write": ("修改客戶資料", "change customers"),
    "customers.merge": ("合併重複的客戶", "merge duplicate customers"),
    "vehicles.write": ("修改車輛資料", "change vehicles"),
    "vehicles.mileage": ("登錄里程", "record mileage"),
    "appointments.write": ("安排預約", "change appointments"),
    "orders.write": ("建立或修改工單、報價與派工", "create, price or dispatch orders"),
    "orders.cancel": ("取消工單", "cancel orders"),
    "documents.sign": ("請客戶簽署文件", "have customers sign documents"),
    "orders.read": ("查看工單", "read orders"),
    "jobs.others": ("查看其他技師的工作", "see other technicians' jobs"),
    "inspections.write": ("填寫檢修確認表", "fill in the walk-around"),
    "photos.write": ("上傳照片", "add photos"),
    "photos.delete": ("刪除照片", "delete photos"),
    "settings.manage": ("變更本店設定", "change the shop's settings"),
    "parts.write": ("登記或移動舊品", "tag or move old parts"),
    "parts.decide": ("決定舊品去向（交還、報廢、退回供應商、留存）",
                     "decide what happens to old parts"),
    "parts.reports": ("查看舊品報表", "see the old-parts reports"),
    "links.manage": ("管理客戶的進度連結", "manage the customer's progress link"),
    "data.rights": ("匯出、刪除或匯入客戶資料", "export, erase or import customer data"),
    "followups.record": ("做維修後關懷並記錄", "make and record follow-up calls"),
    "cases.manage": ("處理別人負責的客訴案件", "change or close cases others own"),
    "dashboard.read": ("查看營運報表", "see the shop's numbers"),
    "history.print": ("列印車輛維修履歷給客戶", "print a vehicle's service history"),
    "booking.read": ("查看預約設定", "see the booking setup"),
    "booking.manage": ("變更預約設定", "change the booking setup"),
    "invitations.work": ("邀約客戶回廠", "invite customers back"),
    "catalogue.write": ("修改零件、工時、保養套餐與工資", "change the catalogue"),
    "stock.read": ("查看庫存", "see the stock"),
    "stock.write": ("登錄進貨、盤點或安全量", "record goods received, counts or minimums"),
    "payments.take": ("收款或開立發票", "take payments or issue invoices"),
    "payments.refund": ("退款、作廢發票或開立折讓", "refund, void invoices or make allowances"),
    "payments.release": ("讓未付清的車交車", "let a car leave unpaid"),
    "payments.cashup": ("查看日結與發票清冊", "see the cash-up and the invoice list"),
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def require(caller: Caller, permission: str) -> None:
    if not allowed(caller.role, permission):
        zh, en = _ACTIONS[permission]
        raise Forbidden(f"你的角色不能{zh}。", f"Your role may not {en}.")
