"""A shop's thresholds and its walk-around checklist: defaults shipped with the product, each
replaceable by the shop (one item per shop each, in the shop's partition)."""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, StrictBool, StringConstraints, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.core import clock
from chalicelib.api import Body, Caller, ShortText, field_error
from chalicelib.core.errors import Unprocessable
from chalicelib.api.roles import require

DATA = Path(__file__).resolve().parents[1] / "catalogue"

# Facts of law, not settings: the legal minimum tread depth in Taiwan (道路交通安全規則 §39-1
# and the inspection rules: 1.6 mm) and the six-year limit on selling tyres (docs/design.md §7).
TREAD_LEGAL_MIN_MM = Decimal("1.6")
TYRE_MAX_AGE_YEARS = 6

DEFAULTS: dict[str, Decimal] = {
    "tread_yellow_mm": Decimal("3.0"),  # a common replacement advice
    "pad_red_mm": Decimal("3"),
    "pad_yellow_mm": Decimal("5"),
    "uneven_mm": Decimal("1.5"),  # grooves this far apart: an alignment hint
    # The repair standard contract's default warranty on the shop's work (docs/design.md §7).
    "warranty_months": Decimal(12),
    "warranty_km": Decimal(20_000),
    # The customer's progress link stops working this many days after delivery.
    "link_days_after_delivery": Decimal(30),
    # Approving added work through the link at a total (tax included) above this also needs a
    # one-time code texted to the customer's mobile (0: always).
    "remote_code_above": Decimal(20_000),
    # The follow-up call (維修後關懷) is due this many days after delivery, as set on the day
    # the car is delivered (chalicelib/after/followups.py).
    "followup_after_days": Decimal(3),
    # Reminders (chalicelib/after/reminders.py): the next service after this many months or km,
    # whichever comes first (a common interval for mineral oil), and at most one reminder per
    # customer in this many days.
    "service_months": Decimal(6),
    "service_km": Decimal(5_000),
    "reminder_gap_days": Decimal(30),
}

Mm = Annotated[Decimal, Field(ge=0, le=30, max_digits=3, decimal_places=1)]


class SettingsChange(Body):
    """Only what is sent changes."""
    tread_yellow_mm: Decimal | None = Field(default=None, ge=TREAD_LEGAL_MIN_MM, le=10,
                                            max_digits=3, decimal_places=1)
    pad_red_mm: Mm | None = None
    pad_yellow_mm: Mm | None = None
    uneven_mm: Decimal | None = Field(default=None, ge=Decimal("0.5"), le=10, max_digits=3,
                                      decimal_places=1)
    warranty_months: int | None = Field(default=None, ge=0, le=120)
    warranty_km: int | None = Field(default=None, ge=0, le=500_000)
    link_days_after_delivery: int | None = Field(default=None, ge=1, le=365)
    remote_code_above: int | None = Field(default=None, ge=0, le=10_000_000)
    followup_after_days: int | None = Field(default=None, ge=1, le=30)
    service_months: int | None = Field(default=None, ge=1, le=36)
    service_km: int | None = Field(default=None, ge=1_000, le=100_000)
    reminder_gap_days: int | None = Field(default=None, ge=1, le=365)
    dates_roc: StrictBool | None = None  # documents print 民國115年12月07日, not 2026-12-07


Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


class TemplateItem(Body):
    item_id: Code
    zh: ShortText
    en: ShortText
    group: Code


class TemplateGroup(Body):
    group: Code
    zh: ShortText
    en: ShortText


class Template(Body):
    items: list[TemplateItem] = Field(min_length=1, max_length=100)
    groups: list[TemplateGroup] | None = Field(default=None, max_length=30)

    @model_validator(mode="after")
    def _unique(self) -> "Template":
        ids = [item.item_id for item in self.items]
        twice = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if twice:
            raise field_error(f"檢查項目代碼重複：{'、'.join(twice)}。",
                              f"item_id used twice: {', '.join(twice)}")
        return self


# --- thresholds ---

def thresholds(shop_id: str) -> dict[str, Decimal]:
    """The shop's settings over the defaults (`inspections.findings` reads the thresholds, the
    checkout list the warranty)."""
    return thresholds_of(models.ShopSettings.read(models.ShopSettings.key(shop_id)))


def thresholds_of(stored: dict | None) -> dict[str, Decimal]:
    """The settings over the defaults, from the item as read (None: the shop changed none)."""
    stored = stored or {}
    return {name: Decimal(stored.get(name, default)) for name, default in DEFAULTS.items()}


def dates_roc(shop_id: str) -> bool:
    """Whether the shop's documents print dates in 民國 years (core/dates.py)."""
    return dates_roc_of(models.ShopSettings.read(models.ShopSettings.key(shop_id)))


def dates_roc_of(stored: dict | None) -> bool:
    return bool((stored or {}).get("dates_roc", False))


def _public(values: dict, roc: bool) -> dict:
    return {**values, "tread_legal_min_mm": TREAD_LEGAL_MIN_MM,
            "tyre_max_age_years": TYRE_MAX_AGE_YEARS, "dates_roc": roc}


def get_settings(caller: Caller) -> dict:
    require(caller, "orders.read")
    stored = models.ShopSettings.read(models.ShopSettings.key(caller.shop_id))
    return _public(thresholds_of(stored), dates_roc_of(stored))


def update_settings(caller: Caller, body: SettingsChange) -> dict:
    require(caller, "settings.manage")
    stored = models.ShopSettings.read(models.ShopSettings.key(caller.shop_id))
    changes = body.model_dump(exclude_none=True)
    roc = changes.pop("dates_roc", dates_roc_of(stored))
    merged = {**thresholds_of(stored), **changes}
    if merged["pad_red_mm"] >= merged["pad_yellow_mm"]:
        raise Unprocessable("煞車來令片的紅色門檻要小於黃色門檻。",
                            "pad_red_mm: must be less than pad_yellow_mm.")
    models.ShopSettings.from_dict({**models.ShopSettings.key(caller.shop_id),
                                   "shop_id": caller.shop_id, **merged, "dates_roc": roc,
                                   "updated_at": clock.now_iso(),
                                   "updated_by": caller.stamp()}).save()
    return _public(merged, roc)


# --- the checklist template ---

@lru_cache(maxsize=1)
def default_template() -> dict:
    shipped = json.loads((DATA / "inspection_template.json").read_text(encoding="utf-8"))
    return {"items": shipped["items"], "groups": shipped["groups"]}


def template(shop_id: str) -> dict:
    """The shop's checklist, or the default one until the shop edits it."""
    return template_of(models.InspectionTemplate.read(models.InspectionTemplate.key(shop_id)))


def template_of(stored: dict | None) -> dict:
    """The checklist from the shop's item as read (None: the default one)."""
    if not stored:
        return default_template()
    groups = {group["group"]: group for group in stored.get("groups") or default_template()["groups"]}
    for item in stored["items"]:  # a group an item names but nobody described: named by its code
        groups.setdefault(item["group"], {"group": item["group"], "zh": item["group"],
                                          "en": item["group"]})
    return {"items": stored["items"], "groups": list(groups.values())}


def item_ids(shop_id: str) -> frozenset[str]:
    return frozenset(item["item_id"] for item in template(shop_id)["items"])


def get_template(caller: Caller) -> dict:
    require(caller, "orders.read")
    return template(caller.shop_id)


def replace_template(caller: Caller, body: Template) -> dict:
    require(caller, "settings.manage")
    dumped = body.model_dump(exclude_none=True)
    models.InspectionTemplate.from_dict({**models.InspectionTemplate.key(caller.shop_id),
                                         "shop_id": caller.shop_id, **dumped,
                                         "updated_at": clock.now_iso(),
                                         "updated_by": caller.stamp()}).save()
    return template(caller.shop_id)


# --- notifications: which steps tell the customer, in which words, on which channels, when ---

NOTIFY_STEPS = ("checked_in", "awaiting_approval", "ready", "delivered")
NOTIFY_CHANNELS = ("line", "line_pnp", "sms", "email", "push")
TEMPLATE_FIELDS = frozenset({"shop", "plate", "link", "total"})

NOTIFY_DEFAULTS: dict = {
    "notify_steps": list(NOTIFY_STEPS),
    # Sent even in quiet hours: the work waits for the customer's answer.
    "urgent_steps": ["awaiting_approval"],
    "templates": {
        "checked_in": "【{shop}】您的愛車 {plate} 已完成接車，維修進度請看：{link}",
        "awaiting_approval": "【{shop}】您的愛車 {plate} 有追加維修項目等待您確認，"
                             "請點連結查看估價並回覆：{link}",
        "ready": "【{shop}】您的愛車 {plate} 已完成維修，可以取車了。應付金額（含稅）NT${total}。{link}",
        "delivered": "【{shop}】感謝您的光臨！{plate} 已交車，維修紀錄與文件：{link}",
    },
    # After the customer's own choice (customers.channel), in this order.
    "fallback_channels": ["line", "sms", "email"],
    # LINE notification messages (by mobile number) need the shop approved by LINE first.
    "line_pnp_approved": False,
    "quiet_start": "21:00",  # Asia/Taipei
    "quiet_end": "08:00",
}

NotifyStep = Annotated[str, StringConstraints(pattern=r"^(checked_in|awaiting_approval|ready|delivered)$")]
NotifyChannel = Annotated[str, StringConstraints(pattern=r"^(line|line_pnp|sms|email|push)$")]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
MessageTemplate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=500)]


class NotificationTemplates(Body):
    checked_in: MessageTemplate | None = None
    awaiting_approval: MessageTemplate | None = None
    ready: MessageTemplate | None = None
    delivered: MessageTemplate | None = None

    @model_validator(mode="after")
    def _known_fields(self) -> "NotificationTemplates":
        import string

        for step in NOTIFY_STEPS:
            text = getattr(self, step)
            if text is None:
                continue
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            except ValueError:
                names = {"?"}
            unknown = names - TEMPLATE_FIELDS
            if unknown:
                raise field_error("通知範本只能使用 {shop}、{plate}、{link}、{total}。",
                                  f"templates.{step}: only {{shop}}, {{plate}}, {{link}} and "
                                  "{total} may be used")
        return self


class NotificationSettingsChange(Body):
    """Only what is sent changes; a template sent replaces that step's template."""
    notify_steps: list[NotifyStep] | None = Field(default=None, max_length=4)
    urgent_steps: list[NotifyStep] | None = Field(default=None, max_length=4)
    templates: NotificationTemplates | None = None
    fallback_channels: list[NotifyChannel] | None = Field(default=None, max_length=5)
    line_pnp_approved: bool | None = None
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None


def notification_settings(shop_id: str) -> dict:
    """The shop's notification settings over the defaults (chalicelib/outward/notify reads them)."""
    stored = models.NotifySettings.read(models.NotifySettings.key(shop_id)) or {}
    merged = {name: stored.get(name, default) for name, default in NOTIFY_DEFAULTS.items()}
    merged["templates"] = {**NOTIFY_DEFAULTS["templates"], **(stored.get("templates") or {})}
    return merged


def get_notification_settings(caller: Caller) -> dict:
    require(caller, "orders.read")
    return notification_settings(caller.shop_id)


def update_notification_settings(caller: Caller, body: NotificationSettingsChange) -> dict:
    require(caller, "settings.manage")
    merged = notification_settings(caller.shop_id)
    change = body.model_dump(exclude_none=True)
    templates = change.pop("templates", {})
    merged.update(change)
    merged["templates"] = {**merged["templates"], **templates}
    for name in ("notify_steps", "urgent_steps", "fallback_channels"):
        merged[name] = list(dict.fromkeys(merged[name]))  # each once, in the order given
    models.NotifySettings.from_dict({**models.NotifySettings.key(caller.shop_id),
                                     "shop_id": caller.shop_id, **merged,
                                     "updated_at": clock.now_iso(),
                                     "updated_by": caller.stamp()}).save()
    return merged
