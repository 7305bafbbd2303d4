"""The 檢修確認表 on paper, whole: every field the advisor recorded at the car (KPS5220-004v1
T3.1), where the service authorization prints only what needs attention.

The mileage and fuel, the warning lights, each tyre's three grooves, pressure and 製造週/年
(DOT), the brake pads, the damage diagram with its numbered marks (numbered front to back, as
the tablet shows them), every checklist item with its colour (the green ones too) and the
walk-around's photos as thumbnails (the small copies the photo upload made, read from the
bucket).
"""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import aws, objects
from chalicelib.core.config import settings
from chalicelib.records import shop_settings, vehicles
from chalicelib.work import inspections, order_store, paper, pdf
from chalicelib.work.inspections import DAMAGE_NAMES, GROOVES, POSITIONS

VERDICTS = {"green": ("正常", "OK"), "yellow": ("注意", "Watch"), "red": ("需處理", "Needs work")}
GROOVE_NAMES = {"outer": ("外側", "Outer"), "centre": ("中間", "Centre"),
                "inner": ("內側", "Inner")}
TYRE_NAMES = {"LF": ("左前", "Left front"), "RF": ("右前", "Right front"),
              "LR": ("左後", "Left rear"), "RR": ("右後", "Right rear"),
              "SPARE": ("備胎", "Spare")}
AXLE_NAMES = {"front": ("前輪", "Front"), "rear": ("後輪", "Rear")}
NOT_CHECKED = ("未檢查", "Not checked")
# The PWA's outline of the car seen from above (pwa/src/ui/CarOutline.tsx), in its 200 × 400
# box: the marks' x and y (0..1) are fractions of it.
CAR_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 400" width="200" height="400">
<g fill="none" stroke="#495057" stroke-linejoin="round" stroke-linecap="round">
<g stroke-width="2"><rect x="22" y="70" width="18" height="52" rx="6"/>
<rect x="160" y="70" width="18" height="52" rx="6"/><rect x="22" y="280" width="18" height="52" rx="6"/>
<rect x="160" y="280" width="18" height="52" rx="6"/></g>
<path stroke-width="3" d="M70 14 Q100 6 130 14 Q158 22 164 52 L168 110 Q171 200 168 300 L164 356 Q158 386 128 392 Q100 396 72 392 Q42 386 36 356 L32 300 Q29 200 32 110 L36 52 Q42 22 70 14 Z"/>
<g stroke-width="2"><path d="M62 30 Q60 70 58 112 M138 30 Q140 70 142 112"/>
<path d="M52 128 Q100 108 148 128 L140 168 Q100 158 60 168 Z"/>
<path d="M60 168 L58 276 M140 168 L142 276"/>
<path d="M58 276 Q100 286 142 276 L148 312 Q100 326 52 312 Z"/>
<path d="M60 330 Q62 360 66 380 M140 330 Q138 360 134 380"/>
<path d="M34 176 H60 M140 176 H166 M33 230 H58 M142 230 H167"/>
<path d="M36 150 L18 146 L18 160 L34 162"/><path d="M164 150 L182 146 L182 160 L166 162"/>
<path d="M46 26 Q56 18 70 16 M154 26 Q144 18 130 16" stroke-width="4"/>
<path d="M44 382 Q56 390 72 392 M156 382 Q144 390 128 392" stroke-width="4"/></g></g>
</svg>"""


def pdf_link(caller: Caller, order_id: str) -> dict:
    """The order's whole walk-around as an A4 PDF: a 15-minute link."""
    require(caller, "orders.read")
    order = order_store.load(caller.shop_id, order_id)
    data = render(caller.shop_id, order)
    return paper.link(caller.shop_id, f"inspection-{order['number']}", data)


def render(shop_id: str, order: dict) -> bytes:
    inspection = order.get("inspection") or {}
    values = inspection.get("values", {})
    thresholds = shop_settings.thresholds(shop_id)
    found = inspections.findings(values, thresholds)
    template = shop_settings.template(shop_id)
    vehicle = vehicles.get_vehicle(shop_id, order["vehicle"]["vehicle_id"]) or {}
    shots = [shot for shot in order["photos"]
             if not shot["subject"].startswith(("line.", "delivery."))]
    sheet = paper.sheet(shop_id, ("檢修確認表", "Walk-around inspection"),
                        str([order["customer"], vehicle, values, template]))
    sheet.add_page()
    paper.header(sheet, [("工單編號", "Order no.", order["number"]),
                         ("接車", "Checked in", sheet.date(order["created_at"], time=True)),
                         ("最後更新", "Updated", sheet.date(inspection.get("updated_at"),
                                                         time=True))])
    _parties(sheet, order, vehicle, values)
    _lights(sheet, values)
    _tyres(sheet, values, found["tyres"])
    _brakes(sheet, values, found["brakes"])
    _damage(sheet, values)
    _checklist(sheet, values, template)
    _photos(sheet, shop_id, order["order_id"], shots, template)
    return bytes(sheet.output())


def _verdict(colour: str | None) -> paper.Cell:
    if colour not in VERDICTS:
        return f"{NOT_CHECKED[0]}\n{NOT_CHECKED[1]}"
    zh, en = VERDICTS[colour]
    return (f"● {zh}\n{en}", pdf.COLOURS[colour])


def _mm(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value):.1f}"


def _parties(sheet: Any, order: dict, vehicle: dict, values: dict) -> None:
    pdf.section(sheet, "客戶與車輛", "Customer & vehicle")
    make = " ".join(filter(None, [vehicle.get("make"), vehicle.get("model")]))
    if vehicle.get("year"):
        make = f"{make}（{vehicle['year']}）"
    mileage = values.get("mileage_km", order.get("mileage_km"))
    yes_no = {True: "是 Yes", False: "否 No", None: "—"}
    cells = [("車主", "Customer", order["customer"]["name"]),
             ("車牌", "Plate", order["vehicle"]["plate"]),
             ("廠牌車型", "Make/model", make or "—"),
             ("車身號碼", "VIN", vehicle.get("vin") or "—"),
             ("里程", "Mileage", f"{int(mileage):,} km" if mileage is not None else "—"),
             ("油量", "Fuel", None),
             ("車主在場", "Present", yes_no[values.get("customer_present")]),
             ("貴重物品提醒", "Valuables", yes_no[values.get("valuables_reminded")])]
    half, label_w = sheet.epw / 2, 36
    for index, (zh, en, value) in enumerate(cells):
        x = pdf.MARGIN + (index % 2) * half
        sheet.set_x(x)
        pdf.pair(sheet, zh, "", size=8.5, h=6)
        pdf.font(sheet, 6.2, colour=pdf.GREY)
        sheet.cell(label_w - sheet.get_x() + x, 6, en)
        sheet.set_x(x + label_w)
        if value is None:
            pdf.fuel(sheet, values.get("fuel_eighths"))
        else:
            pdf.font(sheet, 10, bold=zh in ("車主", "車牌"))
            sheet.cell(half - label_w - 2, 6, value)
        if index % 2:
            y = sheet.get_y() + 6
            sheet.line(pdf.MARGIN, y, sheet.w - pdf.MARGIN, y)
            sheet.ln(6.4)


def _lights(sheet: Any, values: dict) -> None:
    """The lit lights, each with its colour; "none lit" only when the advisor said so."""
    pdf.section(sheet, "儀表故障燈", "Warning lights")
    lit = [light for light in inspections.catalogue() if values.get(f"lights.{light['code']}")]
    sheet.set_x(pdf.MARGIN + 1)
    if not lit:
        pdf.font(sheet, 9.5)
        sheet.cell(0, 6, "全部未亮 None lit" if values.get("lights_none") else
                   f"{NOT_CHECKED[0]} {NOT_CHECKED[1]}")
        sheet.ln(6)
        return
    right = sheet.w - pdf.MARGIN
    for light in lit:
        pdf.font(sheet, 9)
        width = sheet.get_string_width(f"{light['zh']} {light['en']}") + 12
        if sheet.get_x() + width > right:
            sheet.ln(6)
            sheet.set_x(pdf.MARGIN + 1)
        pdf.dot(sheet, light["colour"], h=6)
        pdf.pair(sheet, light["zh"], light["en"], size=9, h=6)
        sheet.set_x(sheet.get_x() + 3)
    sheet.ln(6)


def _tyres(sheet: Any, values: dict, judged: dict) -> None:
    """A row a wheel: the three grooves (outer, centre, inner), pressure, 製造週/年."""
    recorded = [pos for pos in POSITIONS
                if any(values.get(f"tyres.{pos}.{name}") is not None
                       for name in (*GROOVES, "pressure_kpa", "dot"))]
    pdf.section(sheet, f"輪胎（已檢查 {len(recorded)} 條）", f"Tyres ({len(recorded)} checked)",
                needs=40)
    rows = []
    for pos in POSITIONS:
        if pos == "SPARE" and pos not in recorded:
            continue  # a spare is often not there to check
        tyre = judged.get(pos, {})
        dot = values.get(f"tyres.{pos}.dot")
        made = f"第 {dot[:2]} 週 / {2000 + int(dot[2:])} 年" if dot else "—"
        if tyre.get("dot_old"):
            made += "\n超過六年 Over 6 years"
        pressure = values.get(f"tyres.{pos}.pressure_kpa")
        verdict = _verdict("red" if tyre.get("dot_old") else tyre.get("colour"))
        if tyre.get("uneven") and isinstance(verdict, tuple):
            verdict = (f"{verdict[0]}\n偏磨 Uneven", verdict[1])
        rows.append([f"{TYRE_NAMES[pos][0]}\n{TYRE_NAMES[pos][1]}",
                     *(_mm(values.get(f"tyres.{pos}.{name}")) for name in GROOVE_NAMES),
                     str(pressure) if pressure is not None else "—", made, verdict])
    paper.table(sheet, [("位置", "Wheel"), *((f"{zh} mm", en) for zh, en in
                                            GROOVE_NAMES.values()),
                        ("胎壓 kPa", "Pressure"), ("製造週/年", "DOT week/year"),
                        ("判定", "Verdict")],
                [24, 20, 20, 20, 20, 0, 30], rows, aligns=["L", "R", "R", "R", "R", "C", "L"])
    pdf.font(sheet, 7.5, colour=pdf.GREY)
    sheet.multi_cell(0, 4, "胎紋深度以 mm 計；法定最低 1.6 mm。製造週/年即輪胎側面 DOT 碼的末四碼"
                           "（週次/年份），超過六年的輪胎不宜再使用。Tread in mm (legal minimum "
                           "1.6 mm). DOT week/year: the last four digits of the DOT code.",
                     wrapmode="CHAR", new_x="LMARGIN")


def _brakes(sheet: Any, values: dict, judged: dict) -> None:
    pdf.section(sheet, "煞車", "Brakes", needs=30)
    rows = [[f"{AXLE_NAMES[axle][0]}\n{AXLE_NAMES[axle][1]}",
             _mm(values.get(f"brakes.{axle}.pad_mm")),
             values.get(f"brakes.{axle}.disc_note") or "—",
             _verdict(judged.get(axle, {}).get("colour"))] for axle in inspections.AXLES]
    paper.table(sheet, [("位置", "Axle"), ("來令片 mm", "Pad"), ("碟盤", "Disc"),
                        ("判定", "Verdict")], [24, 24, 0, 30], rows,
                aligns=["L", "R", "L", "L"])


def marks_of(values: dict) -> list[dict]:
    """The damage marks numbered front to back (then left to right), as the tablet numbers
    them (pwa/src/ui/walkaround/Damage.tsx)."""
    marks = [marker for field, marker in values.items() if field.startswith("damage.")]
    return sorted(marks, key=lambda mark: (Decimal(mark["y"]), Decimal(mark["x"])))


def _damage(sheet: Any, values: dict) -> None:
    """The outline of the car with the numbered marks; the list of them beside it."""
    marks = marks_of(values)
    width, height = 44.0, 88.0
    pdf.section(sheet, f"外觀損傷（{len(marks)} 處）", f"Damage ({len(marks)})",
                needs=height + 12)
    top, left = sheet.get_y(), pdf.MARGIN + 8
    pdf.font(sheet, 7, colour=pdf.GREY)
    sheet.set_xy(left, top)
    sheet.cell(width, 4, "車頭 Front", align="C")
    sheet.image(io.BytesIO(CAR_SVG.encode()), x=left, y=top + 4, w=width, h=height)
    sheet.set_xy(left, top + height + 4)
    sheet.cell(width, 4, "車尾 Rear", align="C")
    for number, mark in enumerate(marks, 1):
        cx = left + float(mark["x"]) * width
        cy = top + 4 + float(mark["y"]) * height
        sheet.set_fill_color(*pdf.COLOURS["red"])
        sheet.ellipse(cx - 2.6, cy - 2.6, 5.2, 5.2, style="F")
        sheet.set_xy(cx - 2.6, cy - 2.1)
        pdf.font(sheet, 7, bold=True, colour=(255, 255, 255))
        sheet.cell(5.2, 4.2, str(number), align="C")
    list_x = left + width + 12
    sheet.set_xy(list_x, top)
    if not marks:
        pdf.font(sheet, 9.5)
        sheet.cell(0, 6, "無 None recorded")
    for number, mark in enumerate(marks, 1):
        if sheet.get_y() > top + height:
            break  # a hundred marks do not fit beside the car: the rest below it
        sheet.set_x(list_x)
        zh, en = DAMAGE_NAMES[mark["kind"]]
        pdf.font(sheet, 9, bold=True)
        sheet.cell(7, 5.5, f"{number}.")
        pdf.pair(sheet, zh, en, size=9, h=5.5)
        if mark.get("note"):
            pdf.font(sheet, 8.5)
            sheet.multi_cell(sheet.w - pdf.MARGIN - sheet.get_x(), 5.5, mark["note"],
                             wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
        else:
            sheet.ln(5.5)
    sheet.set_y(max(sheet.get_y(), top + height + 9))
    pdf.font(sheet, 9.5)


def _checklist(sheet: Any, values: dict, template: dict) -> None:
    """Every item of the shop's checklist, group by group, with its colour and note."""
    pdf.section(sheet, "檢查項目", "Checklist", needs=40)
    groups = {group["group"]: group for group in template["groups"]}
    rows: list[list[paper.Cell]] = []
    for group_code in dict.fromkeys(item["group"] for item in template["items"]):
        group = groups.get(group_code, {"zh": group_code, "en": group_code})
        for index, item in enumerate(item for item in template["items"]
                                     if item["group"] == group_code):
            checked = values.get(f"checklist.{item['item_id']}") or {}
            verdict = _verdict(checked.get("status"))
            rows.append([f"{group['zh']}\n{group['en']}" if index == 0 else "",
                         f"{item['zh']}\n{item['en']}",
                         (verdict[0].replace("\n", " "), verdict[1])
                         if isinstance(verdict, tuple) else verdict.replace("\n", " "),
                         checked.get("note") or ""])
    paper.table(sheet, [("類別", "Group"), ("項目", "Item"), ("結果", "Result"),
                        ("備註", "Note")], [34, 0, 34, 50], rows, size=8)


def _photos(sheet: Any, shop_id: str, order_id: str, shots: list[dict],
            template: dict) -> None:
    """Thumbnails, four to a row, each named by what it shows."""
    if not shots:
        return
    pdf.section(sheet, f"照片（{len(shots)} 張）", f"Photos ({len(shots)})", needs=52)
    with ThreadPoolExecutor(max_workers=8) as pool:
        pictures = list(pool.map(lambda shot: _thumb(shop_id, order_id, shot["photo_id"]), shots))
    names = {item["item_id"]: item["zh"] for item in template["items"]}
    gap, per_row = 4.0, 4
    width = (sheet.epw - gap * (per_row - 1)) / per_row
    row_top = row_bottom = sheet.get_y()
    for index, (shot, picture) in enumerate(zip(shots, pictures)):
        column = index % per_row
        if column == 0:
            if index:
                sheet.set_y(row_bottom + 2)
            if sheet.get_y() + width * 0.75 + 10 > sheet.page_break_trigger:
                sheet.add_page()
            row_top = sheet.get_y()
            row_bottom = row_top
        x = pdf.MARGIN + column * (width + gap)
        height = width * shot["height"] / shot["width"] if shot.get("width") else width * 0.75
        height = min(height, width)
        if picture:
            sheet.image(io.BytesIO(picture), x=x, y=row_top, w=width, h=height,
                        keep_aspect_ratio=True)
        sheet.rect(x, row_top, width, height)
        sheet.set_xy(x, row_top + height + 0.5)
        pdf.font(sheet, 7.5)
        sheet.cell(width, 4, subject_name(shot["subject"], names))
        row_bottom = max(row_bottom, row_top + height + 5)
    sheet.set_y(row_bottom + 2)


def subject_name(subject: str, checklist: dict[str, str]) -> str:
    """What a photo shows, in Chinese (as the tablet names it, pwa/src/ui/photoSubject.ts)."""
    kind, _, part = subject.partition(".")
    if kind == "tyre":
        return f"輪胎 {TYRE_NAMES.get(part, (part,))[0]}"
    if kind == "brake":
        return f"煞車 {AXLE_NAMES.get(part, (part,))[0]}"
    if kind == "damage":
        return "外觀損傷"
    if kind == "checklist":
        return checklist.get(part, part)
    return {"dashboard": "儀表板"}.get(kind, "一般")


def _thumb(shop_id: str, order_id: str, photo_id: str) -> bytes | None:
    """The photo's thumbnail (a JPEG the upload made), or None if it is gone."""
    try:
        answer = aws.client("s3").get_object(
            Bucket=settings().bucket_name,
            Key=objects.photo_object(shop_id, order_id, photo_id, "thumb"))
    except Exception as err:
        if aws.missing(err):
            return None
        raise
    return answer["Body"].read()
