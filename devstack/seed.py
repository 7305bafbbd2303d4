"""The demo shop `make dev` opens with. Idempotent: a second run adds nothing.

Later parts of the product add their demo data (customers, vehicles, orders in every state) as
further steps of `seed()`.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import money
from chalicelib.core.errors import Conflict
from chalicelib.records import catalogue, customers, onboarding, shops, vehicles
from chalicelib.work import appointments, handover, jobs, order_store, orders, payments, quality
from chalicelib.api import Caller
from devstack import line_standin

DEMO_SHOP_ID = "demo"
DEMO_OWNER_ID = "demo-owner"
DEMO_EMAIL = "owner@demo.servicelane.tw"
LOGIN_FILE = "demo-login.json"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def saved_login(data_dir: Path) -> DemoLogin | None:
    """The demo owner's sign-in kept by an earlier `make dev`, if any."""
    path = data_dir / LOGIN_FILE
    return DemoLogin(**json.loads(path.read_text())) if path.exists() else None


def _login(data_dir: Path) -> tuple[DemoLogin, bool]:
    """The demo owner's sign-in, made once per machine (a random password, never in the repo)."""
    saved = saved_login(data_dir)
    if saved:
        return saved, False
    path = data_dir / LOGIN_FILE
    login = DemoLogin(DEMO_EMAIL, secrets.token_urlsafe(9))
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(login.__dict__, out)
    return login, True


DEMO_HOURS = {**{day: {"open": "08:30", "close": "18:30"}
                 for day in ("mon", "tue", "wed", "thu", "fri")},
              "sat": {"open": "09:00", "close": "12:00"}}


def seed(data_dir: Path) -> DemoLogin:
    login, new_login = _login(data_dir)
    try:
        # As the hosting team opens a shop (python -m devstack new-shop), without the link:
        # the demo owner's password is set here instead.
        onboarding.open_shop(onboarding.NewShop(
            shop_id=DEMO_SHOP_ID, name="順安汽車保養廠", tax_id="04595257", phone="02-2765-1234",
            address="臺北市松山區八德路四段 100 號", opening_hours=DEMO_HOURS,
            owner_name="王店長", owner_login=login.email), welcome=False, owner_id=DEMO_OWNER_ID)
        new_login = True
    except Conflict:
        pass  # seeded before
    if new_login:
        # A new shop, or the data outlived the login file: the owner gets the demo password.
        shops.set_password(DEMO_SHOP_ID, DEMO_OWNER_ID, login.password)
    seed_staff(login.password, reset=new_login)
    seed_notification_settings()
    seed_customers()
    seed_followup()  # delivered days ago, before today's board opens an order on the same car
    seed_orders()
    seed_inspection()
    seed_parts()
    seed_dashboard()
    seed_catalogue()
    return login


def seed_notification_settings() -> None:
    """The demo shop is approved for LINE notification messages (by phone number), so a LINE
    customer not yet linked is reached that way: `make dev`'s outbox shows what it would send.
    Set once: what the owner changes later stays."""
    from chalicelib.records import shop_settings

    approved = models.NotifySettings.from_dict({
        **models.NotifySettings.key(DEMO_SHOP_ID), "shop_id": DEMO_SHOP_ID,
        **shop_settings.NOTIFY_DEFAULTS, "line_pnp_approved": True,
        "updated_at": times.now_iso()})
    try:
        with models.refusals():
            approved.save(condition=models.NotifySettings.pk.does_not_exist())
    except models.Refused:
        pass  # set before


# --- customers, vehicles and today's appointments (fixed ids: the order seed uses them) ---

DEMO_CUSTOMER_CHEN = "demo-cust-chen"
DEMO_CUSTOMER_LIN = "demo-cust-lin"
DEMO_CUSTOMER_HUANG = "demo-cust-huang"
DEMO_CUSTOMER_CHANG = "demo-cust-chang"
DEMO_CUSTOMER_LI = "demo-cust-li"
DEMO_CUSTOMER_WANG = "demo-cust-wang"
DEMO_CUSTOMER_WU = "demo-cust-wu"
DEMO_CUSTOMER_TSAI = "demo-cust-tsai"

DEMO_VEHICLE_ALTIS = "demo-veh-altis"
DEMO_VEHICLE_RAV4 = "demo-veh-rav4"
DEMO_VEHICLE_CRV = "demo-veh-crv"
DEMO_VEHICLE_FIT = "demo-veh-fit"
DEMO_VEHICLE_SENTRA = "demo-veh-sentra"
DEMO_VEHICLE_OUTLANDER = "demo-veh-outlander"
DEMO_VEHICLE_FOCUS = "demo-veh-focus"
DEMO_VEHICLE_NX = "demo-veh-lexus-nx"
DEMO_VEHICLE_MODEL3 = "demo-veh-model3"
DEMO_VEHICLE_LUXGEN = "demo-veh-luxgen"

# (customer_id, name, mobile, channel, notes)
DEMO_CUSTOMERS = [
    (DEMO_CUSTOMER_CHEN, "陳志明", "0912-345-601", "line", "上班族，習慣早上送車"),
    (DEMO_CUSTOMER_LIN, "林美玲", "0922-118-602", "line", ""),
    (DEMO_CUSTOMER_HUANG, "黃建宏", "0933-260-603", "sms", "車隊客戶（兩台車）"),
    (DEMO_CUSTOMER_CHANG, "張淑芬", "0955-772-604", "line", "等車時需要休息室"),
    (DEMO_CUSTOMER_LI, "李宗翰", "0968-405-605", "sms", ""),
    (DEMO_CUSTOMER_WANG, "王雅婷", "0975-331-606", "line", "電動車，請勿用一般洗車"),
    (DEMO_CUSTOMER_WU, "吳俊傑", "0988-902-607", "none", "只接受電話聯絡"),
    (DEMO_CUSTOMER_TSAI, "蔡佩珊", "02-2765-8608", "none", "公司市話"),
]

# (vehicle_id, customer_id, plate, make, model, year, colour, fuel, km)
DEMO_VEHICLES = [
    (DEMO_VEHICLE_ALTIS, DEMO_CUSTOMER_CHEN, "ANB-3261", "Toyota", "Corolla Altis", 2019,
     "銀", "gasoline", 68_420),
    (DEMO_VEHICLE_RAV4, DEMO_CUSTOMER_LIN, "BFK-7720", "Toyota", "RAV4", 2021, "白",
     "hybrid", 41_080),
    (DEMO_VEHICLE_CRV, DEMO_CUSTOMER_HUANG, "AYL-1508", "Honda", "CR-V", 2018, "黑",
     "gasoline", 97_350),
    (DEMO_VEHICLE_FIT, DEMO_CUSTOMER_HUANG, "8721-QJ", "Honda", "Fit", 2014, "藍",
     "gasoline", 132_900),
    (DEMO_VEHICLE_SENTRA, DEMO_CUSTOMER_CHANG, "BCM-2087", "Nissan", "Sentra", 2020, "灰",
     "gasoline", 55_610),
    (DEMO_VEHICLE_OUTLANDER, DEMO_CUSTOMER_LI, "AKT-9913", "Mitsubishi", "Outlander", 2017,
     "白", "gasoline", 110_240),
    (DEMO_VEHICLE_FOCUS, DEMO_CUSTOMER_WU, "RDA-6352", "Ford", "Focus", 2016, "紅",
     "diesel", 143_775),
    (DEMO_VEHICLE_NX, DEMO_CUSTOMER_TSAI, "BRP-0309", "Lexus", "NX 350h", 2023, "黑",
     "hybrid", 18_930),
    (DEMO_VEHICLE_MODEL3, DEMO_CUSTOMER_WANG, "EAC-3682", "Tesla", "Model 3", 2022, "白",
     "ev", 35_200),
    (DEMO_VEHICLE_LUXGEN, DEMO_CUSTOMER_CHANG, "BGH-5576", "Luxgen", "U6 GT", 2019, "灰",
     "gasoline", 74_110),
]

# (customer_id, vehicle_id, local time today, minutes, purpose, source, parts)
DEMO_APPOINTMENTS = [
    (DEMO_CUSTOMER_CHEN, DEMO_VEHICLE_ALTIS, "09:00", 60, "七萬公里定期保養", "line",
     ["機油", "機油濾芯", "空氣濾芯"]),
    (DEMO_CUSTOMER_LIN, DEMO_VEHICLE_RAV4, "09:30", 90, "冷氣不冷", "phone", []),
    (DEMO_CUSTOMER_HUANG, DEMO_VEHICLE_FIT, "10:30", 120, "煞車異音、更換來令片", "phone",
     ["前煞車來令片"]),
    (DEMO_CUSTOMER_WANG, DEMO_VEHICLE_MODEL3, "13:30", 60, "輪胎對調與胎壓檢查", "online", []),
    (DEMO_CUSTOMER_TSAI, DEMO_VEHICLE_NX, "15:00", 60, "一萬五千公里保養", "invitation",
     ["機油", "機油濾芯"]),
]


def demo_appointment_id(day: str, index: int) -> str:
    """Today's demo bookings carry the date, so a run on another day books that day."""
    return f"demo-appt-{day}-{index}"


def seed_customers() -> None:
    """Demo customers, their vehicles and today's appointments: each create is replay-safe."""
    owner = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_OWNER_ID, role="owner", name="王店長")
    consent = customers.Consent(version=customers.NOTICE_VERSION, method="paper")
    marketing = customers.Marketing(agreed=True, method="paper")
    for customer_id, name, mobile, channel, notes in DEMO_CUSTOMERS:
        customers.create_customer(owner, customers.NewCustomer(
            customer_id=customer_id, name=name, mobile=mobile, channel=channel, notes=notes,
            consent=consent, marketing=marketing))
    for vehicle_id, customer_id, plate, make, model, year, colour, fuel, km in DEMO_VEHICLES:
        vehicles.create_vehicle(owner, vehicles.NewVehicle(
            vehicle_id=vehicle_id, plate=plate, make=make, model=model, year=year,
            colour=colour, fuel=fuel, customer_id=customer_id, mileage_km=km))
    today = times.local_date()
    for index, (customer_id, vehicle_id, time, minutes, purpose, source, parts) in enumerate(
            DEMO_APPOINTMENTS, start=1):
        appointments.create_appointment(owner, appointments.NewAppointment(
            appointment_id=demo_appointment_id(today, index), at=f"{today}T{time}:00+08:00",
            duration_minutes=minutes, purpose=purpose, source=source, parts_to_prepare=parts,
            customer_id=customer_id, vehicle_id=vehicle_id))
    seed_line_link()


def seed_line_link() -> None:
    """王雅婷 linked LINE (the stand-in's phone page types as her): what she writes there shows
    on her customer screen and the header's badge at once, and replies reach that page."""
    wang = customers.get_customer(DEMO_SHOP_ID, DEMO_CUSTOMER_WANG)
    if wang and not wang.get("line_user_id"):
        customers.link_line(DEMO_SHOP_ID, DEMO_CUSTOMER_WANG, line_standin.DEFAULT_USER)


# --- staff and today's board: an order in every state ---

DEMO_ADVISOR_ID = "demo-advisor"
DEMO_TECHNICIAN_IDS = ("demo-tech-chen", "demo-tech-lin")


def seed_staff(password: str, reset: bool) -> None:
    """An advisor and two technicians, signing in with the owner's demo password (given again
    when the login file was made anew, as the owner's is)."""
    people = [(DEMO_ADVISOR_ID, "張服務顧問", "advisor", "advisor@demo.servicelane.tw"),
              (DEMO_TECHNICIAN_IDS[0], "陳技師", "technician", "chen@demo.servicelane.tw"),
              (DEMO_TECHNICIAN_IDS[1], "林技師", "technician", "lin@demo.servicelane.tw")]
    for staff_id, name, role, email in people:
        member = shops.NewStaff(staff_id=staff_id, name=name, role=role, email=email,
                                password=password)
        if not shops.add_staff(DEMO_SHOP_ID, member) and reset:
            shops.set_password(DEMO_SHOP_ID, staff_id, password)


# (vehicle_id, customer_id, state, concerns, lines: (kind, description, a, b))
DEMO_ORDERS = [
    (DEMO_VEHICLE_NX, DEMO_CUSTOMER_TSAI, "booked", ["一萬五千公里保養"], []),
    (DEMO_VEHICLE_ALTIS, DEMO_CUSTOMER_CHEN, "checked_in", ["七萬公里定期保養"],
     [("labour", "定期保養工資", "1.0", 1200), ("part", "機油 5W-30（公升）", "4.5", 450)]),
    (DEMO_VEHICLE_RAV4, DEMO_CUSTOMER_LIN, "authorized", ["冷氣不冷"],
     [("labour", "冷氣系統檢查", "1.5", 1200), ("part", "冷媒 R134a", "2", 500)]),
    (DEMO_VEHICLE_CRV, DEMO_CUSTOMER_HUANG, "in_progress", ["引擎故障燈亮", "怠速不穩"],
     [("labour", "引擎診斷", "1.0", 1600), ("part", "點火線圈", "1", 3400)]),
    (DEMO_VEHICLE_SENTRA, DEMO_CUSTOMER_CHANG, "awaiting_approval", ["煞車異音"],
     [("labour", "煞車系統檢查", "0.5", 1200), ("part", "前煞車來令片", "1", 2500)]),
    (DEMO_VEHICLE_OUTLANDER, DEMO_CUSTOMER_LI, "quality_check", ["更換電瓶"],
     [("part", "電瓶 75D23L", "1", 3800), ("labour", "電瓶更換與充電系統檢測", "0.5", 800)]),
    (DEMO_VEHICLE_FOCUS, DEMO_CUSTOMER_WU, "ready", ["四輪定位", "輪胎偏磨"],
     [("labour", "四輪定位", "1.0", 1200), ("discount", "老客戶折扣", "", 200)]),
    (DEMO_VEHICLE_LUXGEN, DEMO_CUSTOMER_CHANG, "delivered", ["雨刷更換"],
     [("part", "雨刷組", "1", 680)]),
    (DEMO_VEHICLE_MODEL3, DEMO_CUSTOMER_WANG, "cancelled", ["胎壓警示燈"], []),
]
_PATH = ["checked_in", "authorized", "in_progress", "quality_check", "ready", "delivered"]


def demo_order_id(index: int) -> str:
    """The demo board's orders keep their ids from the first run on: a car has one open order
    at a time, so a later day's run replays them (no-op) instead of opening new ones."""
    return f"demo-order-{index}"


def seed_orders() -> None:
    """The first day's board with an order in every state; a rerun changes nothing."""
    advisor = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_ADVISOR_ID, role="advisor",
                     name="張服務顧問")
    today = times.local_date()
    for index, (vehicle_id, customer_id, state, concerns, lines) in enumerate(DEMO_ORDERS, 1):
        order_id = demo_order_id(index)
        order = orders.create_order(advisor, orders.NewOrder(
            order_id=order_id, customer_id=customer_id, vehicle_id=vehicle_id,
            concerns=concerns, booked=state == "booked", waits_in_shop=index % 3 == 0,
            promised_at=f"{today}T{10 + index:02d}:30:00+08:00"))
        for number, (kind, description, a, b) in enumerate(lines, 1):
            priced = {"labour": {"hours": a, "rate": b}, "part": {"quantity": a, "unit_price": b},
                      "discount": {"amount": b}}[kind]
            orders.add_line(advisor, order_id, orders.NewLine(
                line_id=f"{order_id}-line-{number}", kind=kind, description=description,
                **priced))
        special = {"booked": [], "cancelled": ["cancelled"],
                   "awaiting_approval": ["authorized", "in_progress", "awaiting_approval"]}
        steps = special[state] if state in special else _PATH[1:_PATH.index(state) + 1]
        for step in steps:
            if step == "in_progress" and not order["technician_names"] and lines:
                order = orders.dispatch(advisor, order_id, orders.Dispatch(
                    technician_id=DEMO_TECHNICIAN_IDS[index % 2]))
            if step == "awaiting_approval":
                orders.add_line(advisor, order_id, orders.NewLine(
                    line_id=f"{order_id}-extra", kind="part", description="煞車碟盤（前）",
                    quantity="2", unit_price=2900))
            order = _take_step(advisor, order_id, step)


def seed_followup() -> None:
    """A service delivered three days ago, so today's 關懷 list has a call to make (and the car a
    service reminder): the shop's clock is set back while it is done."""
    from datetime import timedelta

    from chalicelib.after import followups

    advisor = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_ADVISOR_ID, role="advisor",
                     name="張服務顧問")
    today = times.local_date()
    order_id = "demo-followup"  # once: its car has today's open order afterwards
    real_now = times.now
    times.now = lambda: real_now() - timedelta(days=3)
    try:
        order = orders.create_order(advisor, orders.NewOrder(
            order_id=order_id, customer_id=DEMO_CUSTOMER_CHEN, vehicle_id=DEMO_VEHICLE_ALTIS,
            concerns=["定期保養"], booked=False, waits_in_shop=True))
        orders.add_line(advisor, order_id, orders.NewLine(
            line_id=f"{order_id}-line-1", kind="labour", description="定期保養（更換機油、機油芯）",
            hours="1.0", rate=1200))
        for step in _PATH[1:]:
            if step == "in_progress" and not order["technician_names"]:
                order = orders.dispatch(advisor, order_id, orders.Dispatch(
                    technician_id=DEMO_TECHNICIAN_IDS[0]))
            order = _take_step(advisor, order_id, step)
    finally:
        times.now = real_now
    followups.make_due(today)


def _take_step(advisor: Caller, order_id: str, step: str) -> dict:
    """What a step needs first (the jobs timed, the final check, the walk around the car, the
    customer's signature), then the step; a rerun replays each."""
    if step == "quality_check":
        _work_demo(order_id)
    if step == "ready":
        _check_demo(advisor, order_id)
    if step == "delivered":
        handover.record(advisor, order_id, handover.Handover(
            client_id=f"{order_id}-handover", valuables_returned=True))
        due = order_store.balance(orders.load(DEMO_SHOP_ID, order_id))
        if due > 0:  # paid at the counter in cash (a rerun replays the same payment)
            payments.take(advisor, order_id, payments.NewPayment(
                client_id=f"{order_id}-paid", method="cash", amount=due))
    document = {"authorized": "authorization", "delivered": "checkout"}.get(step)
    if document:
        _sign_demo(advisor, order_id, document)
    return orders.transition(advisor, order_id, orders.TransitionRequest(
        to=step, client_id=f"{order_id}-{step}"))


def _work_demo(order_id: str) -> None:
    """Each job timed by its technician, started 90 and finished 20 minutes ago (the 派工表 has
    hours to show), before the car goes to the final check. A rerun replays."""
    from datetime import timedelta

    order = orders.load(DEMO_SHOP_ID, order_id)
    now = times.now()
    for line in order["lines"]:
        if line["state"] != "approved" or not line.get("technician_id"):
            continue
        technician = Caller(shop_id=DEMO_SHOP_ID, staff_id=line["technician_id"],
                            role="technician", name=line["technician_name"])
        for action, back in (("start", 90), ("finish", 20)):
            jobs.tap(technician, order_id, line["line_id"], jobs.ClockTap(
                client_id=f"{line['line_id']}-{action}", action=action,
                at=times.iso(now - timedelta(minutes=back))))


def _check_demo(advisor: Caller, order_id: str) -> None:
    """The final check, every item passed, by the advisor. A rerun replays."""
    items = {item["item_id"]: {"ok": True, **({"km": 5} if item.get("kind") == "road_test"
                                              else {})}
             for item in quality.default_template()["items"]}
    quality.record(advisor, order_id, quality.QualityCheck(client_id=f"{order_id}-qc",
                                                           items=items))


def _demo_strokes() -> list[list[tuple[int, int, int]]]:
    """A flowing two-stroke signature on a 600 × 200 pad, as a finger would draw it."""
    import math

    loop = [(60 + i * 9, 110 + round(38 * math.sin(i / 3.2)), i * 16) for i in range(48)]
    underline = [(80 + i * 20, 165 - i, 900 + i * 15) for i in range(22)]
    return [loop, underline]


def _sign_demo(advisor: Caller, order_id: str, kind: str) -> None:
    from chalicelib.work import signatures

    order = orders.load(DEMO_SHOP_ID, order_id)
    shown = signatures.document(DEMO_SHOP_ID, order, kind)
    signatures.sign(advisor, order_id, signatures.NewSignature(
        signature_id=f"{order_id}-{kind}", kind=kind, content_hash=shown["content_hash"],
        signer_name=order["customer"]["name"], consent=True,
        strokes=_demo_strokes(), width=600, height=200),
        {"ip": "127.0.0.1", "user_agent": "ServiceLane demo seed"})


# --- a finished walk-around with photos, on the checked-in order ---

def _demo_photo(subject: str) -> bytes:
    """A stand-in photo drawn with Pillow: a dashboard, a worn tyre, a scratched bumper."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (58, 62, 70))
    draw = ImageDraw.Draw(image)
    if subject == "dashboard":
        for x in (520, 1080):
            draw.ellipse((x - 300, 300, x + 300, 900), outline=(220, 220, 220), width=18)
        draw.rectangle((730, 820, 870, 900), fill=(255, 170, 0))  # the amber engine light
    elif subject.startswith("tyre."):
        draw.ellipse((300, 100, 1300, 1100), fill=(25, 25, 28))
        draw.ellipse((550, 350, 1050, 850), fill=(150, 150, 160))
        for y in range(160, 1040, 60):
            draw.line((330, y, 420, y + 30), fill=(70, 70, 75), width=10)
    else:
        image.paste((190, 30, 40), (0, 500, 1600, 1200))
        draw.line((400, 760, 1150, 700), fill=(235, 235, 235), width=7)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _upload(target: dict, data: bytes) -> None:
    """The presigned POST as a browser sends it: the policy's fields, then the file."""
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in target["fields"].items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                 + data + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        target["url"], data=b"".join(parts), method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    urllib.request.urlopen(request, timeout=30).close()


def seed_inspection() -> None:
    """Today's checked-in Altis: a walk-around with two reds, two amber lights and photos."""
    from chalicelib.work import inspections, photos

    advisor = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_ADVISOR_ID, role="advisor",
                     name="張服務顧問")
    today = times.local_date()
    order_id = demo_order_id(2)
    current = inspections.get_inspection(advisor, order_id)
    if not current["values"]:  # once: a second run must not record the mileage again
        values = [
            ("mileage_km", 68_455), ("fuel_eighths", 3), ("lights.engine", True),
            ("lights.tpms", True),
            *[(f"tyres.{pos}.{groove}", depth)
              for pos, depths in {"LF": (3.5, 3.0, 2.5), "RF": (4.0, 4.0, 3.5),
                                  "LR": (1.4, 2.0, 2.2), "RR": (5.0, 5.5, 5.0)}.items()
              for groove, depth in zip(inspections.GROOVES, depths)],
            ("tyres.LF.dot", "2319"), ("tyres.LR.pressure_kpa", 180),
            ("brakes.front.pad_mm", 4.0), ("brakes.rear.pad_mm", 7.5),
            ("damage.rear-bumper", {"x": 0.55, "y": 0.95, "kind": "scratch",
                                    "note": "後保桿右側刮傷（車主確認為舊傷）"}),
            ("checklist.wiper_blades", {"status": "red", "note": "雨刷片硬化，刮不乾淨"}),
            ("checklist.engine_oil", {"status": "yellow", "note": "油色偏黑"}),
            ("checklist.leak_underbody", {"status": "green"}),
            ("valuables_reminded", True), ("customer_present", True)]
        inspections.update_inspection(advisor, order_id, inspections.InspectionChanges(changes=[
            inspections.Change(field=field, value=value,
                               changed_at=f"{today}T09:{10 + n // 10:02d}:{n % 10 * 5:02d}+08:00")
            for n, (field, value) in enumerate(values)]))
    kept = {photo["photo_id"] for photo in current["photos"]}
    for number, subject in enumerate(("dashboard", "tyre.LR", "damage.rear-bumper"), 1):
        photo_id = f"{order_id}-photo-{number}"
        if photo_id in kept:
            continue
        data = _demo_photo(subject)
        target = photos.presign(advisor, order_id, photos.NewPhoto(
            photo_id=photo_id, subject=subject, content_type="image/jpeg", size=len(data)))
        _upload(target["upload"], data)
        photos.complete(advisor, order_id, photo_id)


# --- old parts (舊品): tags in every state, on today's orders and free-standing ---

def seed_parts() -> None:
    """Tags in each custody state (fixed ids: a rerun replays them and changes nothing), so the tag screens, the order's parts list and the month's report have data."""
    from chalicelib.work import parts

    advisor = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_ADVISOR_ID, role="advisor",
                     name="張服務顧問")
    technician = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_TECHNICIAN_IDS[0],
                        role="technician", name="陳技師")
    today = times.local_date()
    day = today.replace("-", "")

    order = demo_order_id

    # (tag id, order, line, fields, moves: (who, to, extra))
    tags = [
        ("coil", order(4), f"{order(4)}-line-2",
         {"wish": "dispose", "supplier": "和泰零件", "reason": "線圈漏電、引擎缺火（保固）"},
         [(technician, "held", {"location": "B-02"})]),
        ("plugs", order(4), None,
         {"part_name": "火星塞", "part_number": "90919-01253", "quantity": 4,
          "reason": "電極磨耗"}, []),
        ("pads", order(5), f"{order(5)}-line-2", {"wish": "take_back", "reason": "來令片剩 2 mm"},
         [(technician, "held", {"location": "A-01"}), (advisor, "shown_to_customer", {})]),
        ("battery", order(6), f"{order(6)}-line-1", {"wish": "dispose", "reason": "CCA 不足"},
         [(technician, "held", {"location": "回收區"}),
          (advisor, "disposed", {"disposal": {"category": "battery", "recycler": "台灣電池回收",
                                              "manifest_number": f"B{day}01"}})]),
        ("tyre", order(7), None,
         {"part_name": "舊輪胎（右前）", "wish": "take_back", "reason": "偏磨、胎紋 1.4 mm"},
         [(technician, "held", {"location": "輪胎架"}),
          (advisor, "returned_to_customer", {"note": "客戶放後車廂帶回"})]),
        ("oil", None, None,
         {"part_name": "廢機油（集油桶）", "quantity": 18, "unit": "litre", "wish": "dispose"},
         [(advisor, "disposed", {"disposal": {"category": "waste_oil", "recycler": "綠能環保回收",
                                              "manifest_number": f"W{day}07"}})]),
        ("sensor", None, None,
         {"part_name": "含氧感知器（新品不良）", "part_number": "0258006537", "wish": "dispose",
          "supplier": "博世汽車零件"},
         [(advisor, "returned_to_supplier", {"supplier_return": {
             "batch": "LOT-2611", "rma": "RMA-30418", "tracking": "黑貓 9034-5521-0418"}})]),
        ("belt", None, None,
         {"part_name": "斷裂的正時皮帶", "wish": "take_back", "reason": "客戶申請保險理賠"},
         [(advisor, "kept_as_evidence", {"location": "經理室", "note": "等保險公司鑑定"})]),
    ]
    for name, order_id, line_id, fields, moves in tags:
        tag_id = f"demo-tag-{name}"
        maker = advisor if fields.keys() & {"wish", "supplier"} else technician
        tag = parts.create_tag(maker, parts.NewTag(
            tag_id=tag_id, order_id=order_id, line_id=line_id, **fields))
        for number, (who, to, extra) in enumerate(moves, 1):
            parts.record_event(who, tag["code"], parts.NewEvent(
                event_id=f"{tag_id}-{number}", to=to, **extra))


# --- the shop's numbers: rebuilt from the orders, with two months of made-up days before ---

DEMO_HISTORY_DAYS = 60


def seed_dashboard() -> None:
    """The dashboard's day items rebuilt from the demo orders (dashboard.backfill), then two
    months of plausible days before today, so the charts show a shop at work. Those days are
    figures only (no orders behind them), added once each like any counted change."""
    import random
    from datetime import date, timedelta

    from chalicelib.after import dashboard

    if next(models.Item.items(models.dashboard_pk(DEMO_SHOP_ID), limit=1), None):
        return  # built once; from then on the stream (the local poller) keeps it
    dashboard.backfill(DEMO_SHOP_ID)
    today = date.fromisoformat(times.local_date())
    for back in range(DEMO_HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue  # closed on Sundays
        dice = random.Random(day.isoformat())
        opened = dice.randint(3, 9) + (2 if day.weekday() == 5 else 0)
        delivered = max(0, opened - dice.randint(0, 2))
        proposed = dice.randint(0, 4)
        approved = dice.randint(0, proposed)
        paid = [dice.randint(18, 95) * 100 for _ in range(delivered)]  # each order, tax included
        counts = {"opened": opened, "delivered": delivered, "revenue": sum(paid),
                  "revenue_tax": sum(money.split(amount)[1] for amount in paid),
                  "walk_checked": opened, "walk_complete": opened - dice.randint(0, 2),
                  "add_proposed": proposed, "add_approved": approved,
                  "add_declined": proposed - approved, "cancelled": dice.randint(0, 1),
                  "followed_up": max(0, delivered - dice.randint(0, 3)),
                  "msg.line.sent": dice.randint(opened, opened * 3),
                  "msg.sms.sent": dice.randint(0, opened), "msg.sms.failed": dice.randint(0, 1)}
        prices = [dice.randint(6, 60) * 100 for _ in range(proposed)]
        counts["add_proposed_amount"] = sum(prices)
        counts["add_approved_amount"] = sum(prices[:approved])
        counts["add_declined_amount"] = sum(prices[approved:])
        for state, (low, high) in {"checked_in": (600, 2700), "authorized": (300, 3600),
                                   "in_progress": (3600, 6 * 3600),
                                   "awaiting_approval": (600, 5400),
                                   "quality_check": (600, 2400), "ready": (1800, 8 * 3600)}.items():
            for _ in range(opened):
                name = f"t.{state}.{dashboard.bucket(dice.uniform(low, high))}"
                counts[name] = counts.get(name, 0) + 1
        for _ in range(proposed):
            name = f"appr.{dashboard.bucket(dice.uniform(300, 7200))}"
            counts[name] = counts.get(name, 0) + 1
        dashboard.add(DEMO_SHOP_ID, day.isoformat(), f"demo#{day.isoformat()}",
                      {name: value for name, value in counts.items() if value > 0})


# --- the catalogue: labour rates, operations, parts 正廠 and 副廠, menus by mileage ---

DEMO_RATES = [("general", "一般工資", "General", 1600), ("electrical", "電系工資", "Electrical", 1800)]
# (code, name, English, hours, the shop's hours per car, rate)
DEMO_OPERATIONS = [
    ("OIL", "更換機油", "Oil change", 0.5, {"TOYOTA|ALTIS": 0.4}, "general"),
    ("ROT", "輪胎對調", "Tyre rotation", 0.5, None, "general"),
    ("AIRF", "更換空氣濾芯", "Air filter replacement", 0.3, None, "general"),
    ("BRKF", "更換前煞車來令片", "Front brake pads", 1.0, {"HONDA|FIT": 0.8}, "general"),
    ("ALN", "四輪定位", "Wheel alignment", 1.0, None, "general"),
    ("BATT", "電瓶檢測", "Battery test", 0.3, None, "electrical"),
]
# (number, name, English, grade, brand, price, cost)
DEMO_PARTS = [
    ("04152-YZZA1", "機油芯", "Oil filter", "oem", "TOYOTA", 380, 260),
    ("F026407209", "機油芯", "Oil filter", "aftermarket", "BOSCH", 220, 140),
    ("08880-83715", "機油 5W-30 4公升", "Engine oil 5W-30 4 L", "oem", "TOYOTA", 1200, 850),
    ("15400-RTA-003", "機油芯", "Oil filter", "oem", "HONDA", 320, 210),
    ("W610/3", "機油芯", "Oil filter", "aftermarket", "MANN", 250, 160),
    ("17801-0T020", "空氣濾芯", "Air filter", "oem", "TOYOTA", 650, 420),
    ("DCA-1069", "空氣濾芯", "Air filter", "aftermarket", "DENSO", 380, 240),
    ("04465-02220", "前煞車來令片", "Front brake pads", "oem", "TOYOTA", 2800, 1900),
    ("P83 150", "前煞車來令片", "Front brake pads", "aftermarket", "BREMBO", 1900, 1250),
    ("28100-0T010", "起動馬達", "Starter motor", "reman", "TOYOTA", 3500, 2400),
]
# (make, model, the menu's price by mileage: None when its items add up)
DEMO_MENU_CARS = [("TOYOTA", "ALTIS", {5000: 1800, 10000: 2800, 20000: 3600, 40000: 6800}),
                  ("HONDA", None, {5000: 1700, 10000: 2600, 20000: 3400, 40000: 6500}),
                  (None, None, {5000: None, 10000: None, 20000: None, 40000: None})]


def seed_catalogue() -> None:
    """A small catalogue, so the order screen has parts, operations and menus to offer; written
    once (a rerun would move the version, and every tablet would download it again)."""
    head = models.CatalogueHead.read(models.CatalogueHead.key(DEMO_SHOP_ID))
    if head and head.get("version"):
        return
    owner = Caller(shop_id=DEMO_SHOP_ID, staff_id=DEMO_OWNER_ID, role="owner", name="王店長")
    catalogue.put_rates(owner, catalogue.RatesChange(rates=[
        {"rate_id": rate_id, "name": name, "name_en": name_en, "rate": rate}
        for rate_id, name, name_en, rate in DEMO_RATES]))
    for code, name, name_en, hours, by_model, rate_id in DEMO_OPERATIONS:
        catalogue.put_operation(owner, code, catalogue.OperationChange(
            name=name, name_en=name_en, hours=hours, by_model=by_model, rate_id=rate_id))
    for number, name, name_en, grade, brand, price, cost in DEMO_PARTS:
        catalogue.put_part(owner, models.part_key(number, brand), catalogue.PartChange(
            part_number=number, name=name, name_en=name_en, grade=grade, brand=brand,
            price=price, cost=cost, supplier="和泰零件" if brand == "TOYOTA" else "順發汽材"))
    key = models.part_key
    oil = {"TOYOTA": key("04152-YZZA1", "TOYOTA"), "HONDA": key("15400-RTA-003", "HONDA")}
    for make, model, prices in DEMO_MENU_CARS:
        for km, price in prices.items():
            items = [{"kind": "labour", "code": "OIL"}, {"kind": "labour", "code": "ROT"},
                     {"kind": "part", "part_key": key("08880-83715", "TOYOTA"), "quantity": 1},
                     {"kind": "part", "part_key": oil.get(make, key("F026407209", "BOSCH")),
                      "quantity": 1}]
            if km >= 20000:
                items += [{"kind": "labour", "code": "AIRF"},
                          {"kind": "part", "part_key": key("17801-0T020", "TOYOTA")
                           if make == "TOYOTA" else key("DCA-1069", "DENSO"), "quantity": 1}]
            if km >= 40000:
                items += [{"kind": "labour", "code": "BRKF"}, {"kind": "labour", "code": "BATT"}]
            catalogue.put_menu(owner, f"{(make or 'any').lower()}-{km // 1000}k",
                               catalogue.MenuChange(
                name=f"{km:,} 公里保養", name_en=f"{km:,} km service", mileage_km=km,
                months=6 if km < 40000 else 24, make=make, model=model, items=items,
                price=price))
