"""The customer's page behind a progress link (`/t/<token>`): rendered on the server, small.

Opened mostly inside LINE's in-app browser on a phone, often on a weak connection: one HTML
answer with its CSS and a tiny script inline (allowed by their hashes in a strict
Content-Security-Policy; page/page.css and page/page.js, read once), photos as lazy thumbnails.
zh-TW first with the English beside it. Everything the page does goes through routes under the
same `/t/<token>`, which take nothing but the token: no staff route answers to a link token.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from chalicelib import models
from chalicelib.api import Body, parse
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.outward import approval_codes, links, opt_out
from chalicelib.outward.notify import push
from chalicelib.records import shops, vehicles
from chalicelib.work import (inspections, line_options, order_store, orders, parts, payments,
                             pdf, photos, signatures)

ASSETS = Path(__file__).parent / "page"
# The order's steps as a customer follows them (the board's states without the side roads).
JOURNEY = ("checked_in", "authorized", "in_progress", "quality_check", "ready", "delivered")
FLAGGED = ("red", "yellow")
COLOUR_NAMES = {"red": ("紅", "Red"), "yellow": ("黃", "Yellow"), "amber": ("黃", "Amber"),
                "green": ("綠", "Green"), "blue": ("藍", "Blue")}


@lru_cache(maxsize=None)
def _inline(name: str) -> tuple[str, str]:
    """A file of page/ to inline, and its CSP hash (`'sha256-…'`): page.css, page.js (the
    approval and the parts choice), push.js (有進度時通知我), optout.js (the reminders' page)."""
    text = (ASSETS / name).read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return text, f"'sha256-{digest}'"


def headers(img_origins: tuple[str, ...] = ()) -> dict:
    css_hash, js_hash, push_hash = (_inline(name)[1]
                                    for name in ("page.css", "page.js", "push.js"))
    img = " ".join(("'self'", *img_origins))
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            f"default-src 'none'; style-src {css_hash}; script-src {js_hash} {push_hash}; "
            f"img-src {img}; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        "X-Robots-Tag": "noindex, nofollow",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _document(title: str, body: str, script: bool = False, head: str = "") -> str:
    css, js = _inline("page.css")[0], _inline("page.js")[0]
    tail = f"<script>{js}</script>" if script else ""
    return ("<!doctype html><html lang=zh-Hant-TW><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
            "<meta name=robots content=noindex,nofollow><meta name=referrer content=no-referrer>"
            f"<title>{_e(title)}</title><style>{css}</style>{head}</head>"
            f"<body>{body}{tail}</body></html>")


@lru_cache(maxsize=1)
def not_found_html() -> str:
    return _document("找不到這個連結 Link not found", (
        "<main><section><h1>找不到這個連結</h1><p class=en>Link not found</p>"
        "<p>連結可能已過期或已更換。請聯絡保養廠，向服務顧問索取新的連結。</p>"
        "<p class=en>The link may have expired or been replaced. Please ask the shop for a new "
        "one.</p></section></main>"))


def unavailable_html() -> str:
    """The page when the shop's system cannot answer this moment (503, Retry-After)."""
    return _document("請稍後再試 Please try again shortly", (
        "<main><section><h1>系統暫時忙碌</h1><p class=en>Busy for a moment</p>"
        "<p>請稍候幾秒再重新整理這個頁面。</p>"
        "<p class=en>Please wait a few seconds and reload this page.</p></section></main>"))


# --- formatting ---

def _when(moment: str | None) -> str:
    return clock.local_text(moment) if moment else ""


def _nt(amount) -> str:
    """NT$1,650; a refund or a discount -NT$100."""
    value = int(amount)
    return f"{'-' if value < 0 else ''}NT${abs(value):,}"


def _bi(zh: str, en: str) -> str:
    return f"{_e(zh)} <span class=en>{_e(en)}</span>"


def _note(item: dict) -> str:
    return f" <small>{_e(item['note'])}</small>" if item.get("note") else ""


def _dot(colour: str) -> str:
    zh, en = COLOUR_NAMES.get(colour, (colour, colour))
    return f"<span class=\"dot {_e(colour)}\">{_e(zh)} {_e(en)}</span>"


# --- what the page shows ---

def _photos(order: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in sorted(order.get("photos", []), key=lambda item: item["created_at"]):
        found.setdefault(item["subject"], []).append(item)
    return {subject: [_shot(item) for item in items] for subject, items in found.items()}


def _shot(item: dict) -> dict:
    """A photo's thumbnail and display size, as presigned links (signed locally, no request)."""
    shown = photos.view(item)
    return {"thumb": shown["thumb_url"], "display": shown["display_url"]}


def _thumbs(shots: list[dict], alt: str) -> str:
    if not shots:
        return ""
    return "<div class=thumbs>" + "".join(
        f"<a href=\"{_e(s['display'])}\" target=_blank rel=noopener><img src=\"{_e(s['thumb'])}\" "
        f"alt=\"{_e(alt)}\" loading=lazy decoding=async width=96 height=72></a>"
        for s in shots) + "</div>"


def _timeline(order: dict) -> str:
    reached: dict[str, str] = {}
    for event in order["events"]:
        if event.get("to") and event.get("to") != event.get("from"):
            reached.setdefault(event["to"], event["at"])
    reached.setdefault("checked_in", order["created_at"])
    state = order["state"]
    steps = list(JOURNEY)
    if "awaiting_approval" in reached or state == "awaiting_approval":
        steps.insert(steps.index("in_progress") + 1, "awaiting_approval")
    if state == "cancelled":
        steps = [step for step in steps if step in reached] + ["cancelled"]
    rows = []
    for step in steps:
        zh, en = order_store.STATE_NAMES[step]
        at = reached.get(step)
        done = at is not None or step == state
        rows.append(f"<li{'' if done else ' class=todo'}>{_bi(zh, en)}"
                    f"{f' <small>{_e(_when(at))}</small>' if at else ''}</li>")
    promised = models.promised_time(order)
    revised = (order.get("promise") or {}).get("reason")
    promise = (f"<p>預計完成 <span class=en>Promised</span>：<b>{_e(_when(promised))}</b>"
               + (f"<br><small>時間已更新 <span class=en>Updated</span>：{_e(revised)}</small>"
                  if revised else "") + "</p>"
               if promised and state not in order_store.CLOSED else "")
    zh, en = order_store.STATE_NAMES[state]
    return (f"<section aria-labelledby=h-now><h2 id=h-now>目前進度 <span class=en>Progress</span></h2>"
            f"<p class=state>{_bi(zh, en)}</p>{promise}{_parts_wait(order)}"
            f"<ol class=tl>{''.join(rows)}</ol></section>")


def _parts_wait(order: dict) -> str:
    """等待零件 (and the day they are expected) while the car waits for parts."""
    wait = order.get("parts_wait")
    if not wait or order["state"] in order_store.CLOSED:
        return ""
    day = wait.get("expected_on")
    if day:
        shown = clock.day_text(day)
        return (f"<p class=wait id=partswait>等待零件，預計 <b>{_e(shown)}</b> 到貨 "
                f"<span class=en>Waiting for parts, expected {_e(shown)}</span></p>")
    return "<p class=wait id=partswait>等待零件 <span class=en>Waiting for parts</span></p>"


def _report(opened: links.Opened, shots: dict[str, list[dict]]) -> str:
    values = (opened.order.get("inspection") or {}).get("values") or {}
    if not values:
        return ""
    settings = opened.thresholds
    items = opened.template["items"]
    summary = inspections.summary(values, settings, items)
    found = inspections.findings(values, settings)
    parts_html = []
    if summary["lights"]:
        parts_html.append("<h3>儀表警示燈 <span class=en>Warning lights</span></h3><ul class=plain>"
                          + "".join(f"<li>{_dot(light['colour'])}{_bi(light['zh'], light['en'])}</li>"
                                    for light in summary["lights"]) + "</ul>"
                          + _thumbs(shots.get("dashboard", []), "儀表 Dashboard"))
    rows = []
    for pos, tyre in found["tyres"].items():
        zh, en = inspections._TYRE_NAMES[pos]
        colour = "red" if tyre["dot_old"] else (tyre["colour"] or "green")
        depth = f"{tyre['worst_mm']} mm" if tyre["worst_mm"] is not None else ""
        extra = _thumbs(shots.get(f"tyre.{pos}", []), zh) if colour in FLAGGED else ""
        rows.append(f"<li>{_dot(colour)}{_bi(zh, en)} <small>{_e(depth)}</small>{extra}</li>")
    for axle, brake in found["brakes"].items():
        zh, en = inspections._AXLE_NAMES[axle]
        extra = _thumbs(shots.get(f"brake.{axle}", []), zh) if brake["colour"] in FLAGGED else ""
        rows.append(f"<li>{_dot(brake['colour'])}{_bi(zh, en)} "
                    f"<small>{_e(brake['pad_mm'])} mm</small>{extra}</li>")
    checklist = {item["item_id"]: item for item in items}
    for field, value in sorted(values.items()):
        if field.startswith("checklist.") and value.get("status") in FLAGGED:
            code = field.removeprefix("checklist.")
            item = checklist.get(code, {"zh": code, "en": code})
            note = f" <small>{_e(value['note'])}</small>" if value.get("note") else ""
            rows.append(f"<li>{_dot(value['status'])}{_bi(item['zh'], item['en'])}{note}"
                        f"{_thumbs(shots.get(field, []), item['zh'])}</li>")
    if rows:
        parts_html.append("<h3>輪胎、煞車與檢查項目 <span class=en>Tyres, brakes and checks</span></h3>"
                          "<ul class=plain>" + "".join(rows) + "</ul>")
    if summary["damage"]:
        damage_shots = [shot for subject, items in shots.items() if subject.startswith("damage.")
                        for shot in items]
        parts_html.append("<h3>車身損傷 <span class=en>Body damage</span></h3><ul class=plain>"
                          + "".join(f"<li>{_bi(d['zh'], d['en'])}{_note(d)}</li>"
                                    for d in summary["damage"]) + "</ul>"
                          + _thumbs(damage_shots, "損傷 Damage"))
    return ("<section aria-labelledby=h-report><h2 id=h-report>檢修確認表 "
            "<span class=en>Walk-around report</span></h2>" + "".join(parts_html) + "</section>")


def _lines(order: dict) -> str:
    counted = [line for line in order["lines"] if line["state"] != "declined"]
    if not counted:
        return ""
    totals = order_store.totals_of(order["lines"])
    waiting = {"proposed", "pending"}
    rows = "".join(
        f"<tr><td>{_e(line['description'])}{_grade(line)}"
        f"{' <small>待您同意 Awaiting your answer</small>' if line['state'] in waiting and line.get('origin') == 'additional' else ''}"
        f"{_options(order, line)}</td><td class=n>{_e(_nt(line['amount']))}</td></tr>"
        for line in counted)
    return ("<section aria-labelledby=h-lines><h2 id=h-lines>維修項目與金額 <span class=en>Work and "
            f"price</span></h2><table>{rows}"
            + _total_rows(totals, order.get("buyer")) + "</table></section>")


def _receipt(order: dict) -> str:
    """What the customer paid, how, and the 電子發票 (its number, or that it waits for the
    value-added centre): the receipt (收據) of the visit."""
    taken = order.get("payments") or []
    invoice = payments.live_invoice(order) or next(iter(order.get("invoices", [])[-1:]), None)
    if not taken and not invoice:
        return ""
    rows = "".join(
        f"<tr><td>{_method(item['method'])}"
        f"{' · 退款 <span class=en>refund</span>' if item['kind'] == 'refund' else ''}"
        f"{' · 訂金 <span class=en>deposit</span>' if item['kind'] == 'deposit' else ''}"
        f"<br><small>{_e(_when(item['at']))}</small></td>"
        f"<td class=n>{_e(_nt(item['amount']))}</td></tr>" for item in taken)
    due = order_store.balance(order)
    rows += (f"<tr class=t><td>已收 <span class=en>Paid</span></td>"
             f"<td class=n>{_e(_nt((order.get('paid') or {}).get('paid', 0)))}</td></tr>")
    if due > 0:
        rows += (f"<tr><td>尚未付 <span class=en>Still to pay</span></td>"
                 f"<td class=n>{_e(_nt(due))}</td></tr>")
    return ("<section aria-labelledby=h-receipt><h2 id=h-receipt>收款明細 <span class=en>"
            f"Receipt</span></h2><table>{rows}</table>{_invoice(invoice)}</section>")


def _method(method: str) -> str:
    """現金 Cash; a name the same in both (LINE Pay) once."""
    zh, en = payments.METHOD_NAMES[method]
    return _e(zh) if zh == en else _bi(zh, en)


def _invoice(invoice: dict | None) -> str:
    if invoice is None:
        return ""
    if invoice["state"] == "issued":
        number = f"{invoice['number'][:2]}-{invoice['number'][2:]}"
        return (f"<p class=invoice>電子發票 <span class=en>E-invoice</span> <b>{_e(number)}</b>"
                f"<br>隨機碼 <span class=en>Random code</span> {_e(invoice['random_code'])} · "
                f"{_e(_when(invoice['issued_at']))}</p>")
    if invoice["state"] == "queued" and invoice.get("tries"):
        return ("<p class=invoice>電子發票開立中：加值中心暫時連不上，恢復後會自動開立並通知您。"
                "<br><span class=en>Your e-invoice is waiting for the invoicing centre: it is "
                "issued as soon as the centre is back.</span></p>")
    if invoice["state"] == "queued":
        return "<p class=invoice>電子發票開立中 <span class=en>E-invoice being issued</span></p>"
    if invoice["state"] == "voided":
        return "<p class=invoice>電子發票已作廢 <span class=en>E-invoice voided</span></p>"
    return ""


def _grade(line: dict) -> str:
    if not line.get("grade") or line["grade"] not in models.GRADE_NAMES:
        return ""
    zh, en = models.GRADE_NAMES[line["grade"]]
    return f" <span class=grade>{_e(zh)} <span class=en>{_e(en)}</span></span>"


def _options(order: dict, line: dict) -> str:
    """A line the customer may still choose on: each grade at its price, and what the order's
    total becomes with it (page.js posts the choice, then shows the page again)."""
    if not line_options.can_choose(order, line):
        return ""
    buttons = []
    for number, option in enumerate(line["alternatives"]):
        zh, en = models.GRADE_NAMES.get(option["grade"], (option["grade"], option["grade"]))
        mine = line_options.is_own(line, option)
        brand = f" {option['brand']}" if option.get("brand") else ""
        buttons.append(
            f"<button type=button class=\"opt{' on' if mine else ''}\" data-line=\"{_e(line['line_id'])}\" "
            f"data-option={number} aria-pressed={'true' if mine else 'false'}>"
            f"<b>{_e(zh)}</b> <span class=en>{_e(en)}</span>{_e(brand)}<br>{_e(_nt(option['unit_price']))}"
            f"<br><small>合計 Total {_e(_nt(line_options.total_if(order, line, number)))}</small></button>")
    return ("<div class=opts role=group aria-label=\"選擇零件等級 Choose the grade\">"
            f"{''.join(buttons)}</div><p class=msg role=status></p>")


def _total_rows(totals: dict, buyer: dict | None) -> str:
    """pdf.total_rows as table rows: the total in bold, the tax a consumer's total holds as a
    note beneath it."""
    rows = []
    for zh, en, amount, total in pdf.total_rows(totals, bool(buyer)):
        if total or buyer:
            rows.append(f"<tr{' class=t' if total or zh == '銷售額' else ''}><td>{zh} "
                        f"<span class=en>{en}</span></td><td class=n>{_nt(amount)}</td></tr>")
        else:
            rows.append(f"<tr class=note><td colspan=2>{zh} {_nt(amount)} "
                        f"<span class=en>{en.lower()}</span></td></tr>")
    return "".join(rows)


def _approval(opened: links.Opened) -> str:
    order = opened.order
    estimate = signatures.document(order["shop_id"], order, "estimate", opened.shop,
                                   opened.vehicle)
    content = estimate["content"]
    if not estimate["signable"] or not content["lines"]:
        return ""
    consented = int(content["consented_amount"])
    code_above = int(opened.thresholds["remote_code_above"])
    photo_items = {item["photo_id"]: item for item in order.get("photos", [])}
    items = []
    for line in content["lines"]:
        line_id = _e(line["line_id"])
        shots = [photo_items[photo_id] for photo_id in
                  [line.get("photo_id"), *line.get("photo_ids", [])] if photo_id in photo_items]
        items.append(
            f"<li><div class=row><b>{_e(line['description'])}</b><span>{_e(_nt(line['amount']))}</span></div>"
            + (f"<p class=why>{_e(line['reason'])}</p>" if line.get("reason") else "")
            + (_thumbs([_shot(photo) for photo in shots], line["description"]) if shots else "")
            + f"<div class=choice role=radiogroup aria-label=\"{_e(line['description'])}\">"
            f"<label><input type=radio name=\"{line_id}\" value=approved data-amount=\"{int(line['amount'])}\">同意 <span class=en>Approve</span></label>"
            f"<label><input type=radio name=\"{line_id}\" value=declined data-amount=\"{int(line['amount'])}\">不同意 <span class=en>Decline</span></label>"
            "</div></li>")
    return (
        "<section aria-labelledby=h-approve><h2 id=h-approve>追加項目待您同意 "
        "<span class=en>Additional work awaiting your answer</span></h2>"
        f"<form id=approve data-hash=\"{_e(estimate['content_hash'])}\" data-consented=\"{consented}\" "
        f"data-count=\"{len(content['lines'])}\" data-code-above=\"{code_above}\">"
        "<p>技師檢查後建議以下項目，請逐項選擇。"
        "<span class=en> The technician recommends the following: answer each item.</span></p>"
        f"<ul class=plain>{''.join(items)}</ul>"
        f"<div class=sum>原同意金額 <span class=en>Agreed so far</span>：{_e(_nt(content['consented_total']))}<br>"
        "新的總金額（含稅）<span class=en>New total, tax included</span>：<b id=newtotal aria-live=polite>"
        f"{_e(_nt(content['consented_total']))}</b></div>"
        "<label for=signer>簽名人姓名 <span class=en>Your name</span></label>"
        "<input type=text id=signer autocomplete=name maxlength=60 required>"
        "<p id=padlabel>請用手指在框內簽名 <span class=en>Sign with your finger in the box</span></p>"
        "<canvas id=pad role=img aria-labelledby=padlabel></canvas>"
        "<div class=btns><button type=button class=\"btn btn-s\" id=clear>清除 Clear</button></div>"
        "<div id=otp hidden><p>金額超過 " + _e(_nt(code_above)) + "，請輸入傳到您手機的確認碼。"
        "<span class=en> Above " + _e(_nt(code_above)) + ": type the code texted to your phone."
        "</span></p><div class=btns><button type=button class=\"btn btn-s\" id=sendcode>"
        "傳送確認碼 Send code</button></div>"
        "<label for=code>確認碼 <span class=en>Code</span></label>"
        "<input type=text id=code inputmode=numeric autocomplete=one-time-code maxlength=6 "
        "pattern=\"[0-9]{6}\"><p class=msg id=cmsg role=status></p></div>"
        "<label class=ck><input type=checkbox id=consent>"
        "<span>我已閱讀以上項目與金額，並同意以電子方式簽署。<span class=en> I have read the items and "
        "prices and agree to sign electronically.</span></span></label>"
        "<p class=msg id=amsg role=status></p>"
        "<button class=\"btn btn-p\" id=send type=submit disabled>送出回覆 Send my answer</button>"
        "</form></section>")


def _documents(order: dict, token: str) -> str:
    current = [item for item in order["signatures"] if not item.get("superseded_at")]
    if not current:
        return ""
    rows = "".join(
        f"<li><a href=\"/t/{_e(token)}/documents/{_e(item['signature_id'])}\">"
        f"{_e(signatures.TITLES[item['kind']]['zh'])} v{int(item['version'])}</a> "
        f"<small>{_e(_when(item['signed_at']))} · "
        f"{_e(signatures.METHODS.get(item.get('method'), ('', ''))[0])}</small></li>"
        for item in current)
    return ("<section aria-labelledby=h-docs><h2 id=h-docs>已簽署文件 <span class=en>Signed "
            f"documents (PDF)</span></h2><ul class=plain>{rows}</ul></section>")


def _parts(order: dict) -> str:
    tags = [parts.summary(tag) for tag in order["parts"]]
    if not tags:
        return ""
    rows = []
    for tag in tags:
        state_zh, state_en = parts.STATE_NAMES[tag["state"]]
        wish_zh, wish_en = parts.WISH_NAMES[tag["wish"]]
        choose = ""
        if tag["wish"] == "decide_at_delivery" and tag["state"] in parts.OPEN:
            code = _e(tag["code"])
            choose = ("<div class=btns>"
                      f"<button type=button class=\"btn btn-p\" data-wish=take_back data-code=\"{code}\">我要帶回 Take it back</button>"
                      f"<button type=button class=\"btn btn-s\" data-wish=dispose data-code=\"{code}\">交由本店處理 Leave it to the shop</button>"
                      "</div><p class=msg role=status></p>")
        quantity = f" × {tag['quantity']}" if tag.get("quantity") not in (None, 1) else ""
        rows.append(f"<li><b>{_e(tag['part_name'])}</b>{_e(quantity)} <small>{_e(tag['display_code'])}</small><br>"
                    f"<small>{_e(state_zh)} {_e(state_en)} · {_e(wish_zh)} {_e(wish_en)}</small>{choose}</li>")
    return ("<section aria-labelledby=h-parts><h2 id=h-parts>換下的舊品 <span class=en>Old parts</span></h2>"
            f"<ul class=plain>{''.join(rows)}</ul></section>")


def _answered(order: dict) -> str:
    """What the customer last answered through the link, so coming back they see it was heard."""
    remote = [item for item in order["signatures"]
              if item["kind"] == "estimate" and item["method"] == "remote"]
    if not remote:
        return ""
    lines = json.loads(remote[-1]["record"])["content"]["lines"]
    approved = sum(1 for line in lines if line.get("decision") == "approved")
    return (f"<p class=done role=status>您已於 {_e(_when(remote[-1]['signed_at']))} 回覆追加項目："
            f"同意 {approved} 項、不同意 {len(lines) - approved} 項。<span class=en> You answered the "
            f"additional work: {approved} approved, {len(lines) - approved} declined.</span></p>")


def render(opened: links.Opened, token: str) -> tuple[str, tuple[str, ...]]:
    """The page's HTML, and the origins its images come from (for the CSP). Nothing is read
    here: resolving the link read the shop, its settings and checklist, and the car."""
    order, shop = opened.order, opened.shop
    vehicle = order["vehicle"]
    shots = _photos(order)
    buttons = []
    if shop.get("phone"):
        buttons.append(f"<a class=\"btn btn-l\" href=\"tel:{_e(shop['phone'])}\">撥打電話 Call</a>")
    if shop.get("line_id"):
        buttons.append(f"<a class=\"btn btn-g\" href=\"https://line.me/R/ti/p/{quote(shop['line_id'])}\" "
                       "rel=noopener>LINE 聯絡 Chat</a>")
    car = " ".join(filter(None, [vehicle.get("make"), vehicle.get("model")]))
    approval = _approval(opened)
    logo = shops.logo_url(shop) if shop.get("logo_key") else None
    logo_html = f"<img class=logo src=\"{_e(logo)}\" alt=\"\" height=48>" if logo else ""
    body = (
        f"<header>{logo_html}<h1>{_e(shop.get('name', ''))}</h1>"
        f"<p>{_e(vehicles.mask_plate(vehicle['plate']))} {_e(car)} · 工單 <span class=en>Order</span> "
        f"<span class=nowrap>{_e(order['number'])}</span></p>"
        f"<div class=btns>{''.join(buttons)}</div></header><main>"
        + (approval or _answered(order)) + _timeline(order) + _push(order, token) + _lines(order) + _receipt(order) + _report(opened, shots)
        + _parts(order) + _documents(order, token)
        + "<footer>此頁面僅供車主查看，請勿轉傳。<br>This page is for the vehicle's owner: please "
          "do not forward it." + _reminders_link(order) + "</footer></main>")
    origins = tuple(sorted({_origin(shot["thumb"]) for items in shots.values() for shot in items}
                           | {_origin(logo or "")} - {""}))
    title = f"{shop.get('name', '')} · {order_store.STATE_NAMES[order['state']][0]}"
    return _document(title, body, script=bool(approval) or "data-wish" in body
                     or "data-option" in body,
                     head=_push_head(token)), origins


def _reminders_link(order: dict) -> str:
    """After delivery the shop may remind the customer of the next service: the page says how
    to stop that (the same link every reminder carries)."""
    customer_id = (order.get("customer") or {}).get("customer_id")
    if order["state"] not in ("delivered", "followed_up") or not customer_id:
        return ""
    url = opt_out.url(order["shop_id"], customer_id)
    return (f"<div class=btns><a class=\"btn btn-s\" href=\"{_e(urlsplit(url).path)}\">"
            "停止保養提醒 <span class=en>Stop service reminders</span></a></div>")


def _origin(url: str) -> str:
    parts_ = urlsplit(url)
    return f"{parts_.scheme}://{parts_.netloc}" if parts_.netloc else ""


# --- what the page does ---

def document_url(order: dict, signature_id: str) -> str:
    """A short presigned link to one of the order's signed documents (a PDF)."""
    return signatures.signed_pdf(order, signature_id, 5 * 60)["url"]


def sign(opened: links.Opened, raw: bytes | None, client: dict) -> dict:
    """The customer answers the additional items (the estimate) with a drawn signature, and the
    texted code when the new total is above the shop's amount."""
    order = opened.order
    body = parse(signatures.RemoteSignature, raw)
    if body.kind != "estimate":
        raise Unprocessable("這個連結只能回覆追加項目。", "kind: only the estimate is answered here.")
    verification = None
    # The same answer sent again goes straight on: signatures answers what it recorded then.
    if not any(item["signature_id"] == body.signature_id for item in order["signatures"]):
        content = signatures.document(order["shop_id"], order, "estimate", opened.shop,
                                      opened.vehicle)["content"]
        if not content["lines"]:
            raise Conflict("這些追加項目已經回覆過了，不需要再回覆。",
                           "These items were already answered.", code="already_answered")
        total = signatures.total_if_decided(content, body.decisions or {})
        if approval_codes.needed(order["shop_id"], total, opened.thresholds):
            verification = approval_codes.check(order, body.code)
    channel = order["link"].get("channel") or "link"
    return signatures.sign_remotely(
        order["shop_id"], order["order_id"],
        signatures.NewSignature(**body.model_dump(exclude={"code"})), client, channel,
        verification, approval_codes.consumed(order) if verification else None)


def send_code(opened: links.Opened) -> dict:
    """Text the customer a one-time code for approving above the shop's amount."""
    order = opened.order
    if not signatures.document(order["shop_id"], order, "estimate", opened.shop,
                               opened.vehicle)["content"]["lines"]:
        raise Conflict("目前沒有待回覆的追加項目。", "No added work is waiting for an answer.",
                       code="already_answered")
    return approval_codes.send(order)


class PartChoice(Body):
    wish: Literal["take_back", "dispose"]


def choose_part(order: dict, code: str, raw: bytes | None) -> dict:
    """Where the customer said they would decide at delivery: take the part back, or leave it."""
    wish = parse(PartChoice, raw).wish
    code = parts.normalise_code(code) if isinstance(code, str) else ""
    if not any(tag["code"] == code for tag in order["parts"]):
        raise NotFound("找不到這個舊品。", "No such old part on this order.")
    saved = parts.customer_decides(order["shop_id"], order["order_id"], code, wish)
    return {"code": saved["code"], "wish": saved["wish"]}


def choose(order: dict, raw: bytes | None) -> dict:
    """The customer chooses between a line's grades (正廠 / 副廠…): the line's new part and
    price, and the order's new total."""
    body = parse(line_options.CustomerChoice, raw)
    saved = orders.choose_for_customer(order["shop_id"], order["order_id"], body.line_id,
                                       body.option)
    line = line_options.line_of(saved, body.line_id)
    return {"line_id": line["line_id"], "grade": line.get("grade"),
            "amount": int(line["amount"]), "total": int(saved["totals"]["total"])}


# --- Web Push: the page's 有進度時通知我, its service worker and its manifest ---

def _push(order: dict, token: str) -> str:
    """The 通知我 section, hidden until push.js finds the browser can take push messages."""
    key = push.public_key()
    if order["state"] in order_store.CLOSED or not (order.get("customer") or {}).get("customer_id") \
            or not key:
        return ""
    return (
        f"<section id=push hidden data-key=\"{_e(key)}\" aria-labelledby=h-push>"
        "<h2 id=h-push>進度通知 <span class=en>Notifications</span></h2>"
        "<p>在這支手機上接收維修進度通知，不必再打電話詢問。<span class=en> Get the repair's "
        "progress on this phone.</span></p>"
        "<p id=pushios hidden>iPhone 請先點「分享」→「加入主畫面」，再從主畫面開啟此頁，才能開啟通知。"
        "<span class=en> On iPhone: tap Share → Add to Home Screen, then open this page from the "
        "home screen to turn on notifications.</span></p>"
        "<div class=btns><button type=button class=\"btn btn-p\" id=pushon>有進度時通知我 Notify me"
        "</button><button type=button class=\"btn btn-s\" id=pushoff hidden>關閉通知 Turn off"
        "</button></div><p class=msg id=pushmsg role=status aria-live=polite></p></section>"
        f"<script>{_inline('push.js')[0]}</script>")


def _push_head(token: str) -> str:
    # Unquoted: a token that opened the page is base64url, nothing to escape.
    return f"<link rel=manifest href=/t/{_e(token)}/manifest.webmanifest>"


def manifest(opened: links.Opened, token: str) -> str:
    """So the page can be added to the home screen (iPhone's push needs it): the shop's name,
    opening this order's link."""
    name = opened.shop.get("name") or "維修進度"
    return json.dumps({
        "name": name, "short_name": name[:12], "lang": "zh-Hant-TW", "dir": "ltr",
        "start_url": f"/t/{token}", "scope": f"/t/{token}", "display": "standalone",
        "background_color": "#f3f4f6", "theme_color": "#0b4f8a"}, ensure_ascii=False)


def manifest_headers() -> dict:
    return {"Content-Type": "application/manifest+json; charset=utf-8",
            "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


@lru_cache(maxsize=1)
def service_worker() -> str:
    return (ASSETS / "sw.js").read_text(encoding="utf-8")


def service_worker_headers() -> dict:
    """Its own strict policy: it may only call this origin (the read receipt)."""
    return {"Content-Type": "text/javascript; charset=utf-8",
            "Content-Security-Policy": "default-src 'none'; connect-src 'self'",
            "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


# --- the reminder opt-out page (/o/<token>: opt_out.py, chalicelib/after/reminders.py) ---

def opt_out_headers() -> dict:
    return {**headers(), "Content-Security-Policy": (
        f"default-src 'none'; style-src {_inline('page.css')[1]}; "
        f"script-src {_inline('optout.js')[1]}; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")}


def opt_out_wait_html(seconds: int) -> str:
    """The opt-out link opened too often from one place this minute: when to try again."""
    return _document("請稍後再試 Try again later", (
        "<main><section><h1>請稍後再試</h1><p class=en>Please try again later</p>"
        f"<p>這個連結剛剛開啟太多次了，請 {int(seconds)} 秒後再試。</p>"
        f"<p class=en>This link was opened too often just now: try again in {int(seconds)} "
        "seconds.</p></section></main>"))


def opt_out_html(shop_name: str) -> str:
    js = _inline("optout.js")[0]
    return _document("停止提醒 Stop reminders", (
        f"<header><h1>{_e(shop_name)}</h1></header><main><section aria-labelledby=h-opt>"
        "<h2 id=h-opt>保養與檢查提醒 <span class=en>Service reminders</span></h2>"
        "<p id=state role=status>處理中… <span class=en>Working…</span></p>"
        "<noscript><p>請開啟 JavaScript 後再試。 Please turn on JavaScript.</p></noscript>"
        "<div class=btns><button type=button class=\"btn btn-s\" id=toggle data-out=\"\">"
        "停止提醒 Stop reminders</button></div>"
        "<p><small>工單進度、追加項目確認等與您車輛維修有關的通知不受影響。</small><br>"
        "<small class=en>Messages about a repair in progress are not affected.</small></p>"
        f"</section></main><script>{js}</script>"))
