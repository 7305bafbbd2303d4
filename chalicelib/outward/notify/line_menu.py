"""The LINE official account's rich menu (圖文選單), set up once per deployment by an operator
(`python -m devstack line-rich-menu --booking-url …`), and what its two message buttons are
answered with when a linked customer taps them (a reply, with LINE's reply token):

- 預約: opens the shop's booking page (a URI action; nothing comes back to us);
- 我的車進度: the customer's car in the shop now, its state and its progress link;
- 保養紀錄: their last visits, a line each.
"""
from __future__ import annotations

import io

from chalicelib import models
from chalicelib.core import secrets
from chalicelib.core.config import settings
from chalicelib.outward import links
from chalicelib.work import fonts, order_store

WIDTH, HEIGHT = 2500, 843  # LINE's compact full-width size
PROGRESS = "我的車進度"
VISITS = "保養紀錄"
LABELS = ("預約", PROGRESS, VISITS)
SHOWN_VISITS = 3
COLOURS = ("#17495c", "#06c755", "#0f3645")


def image(labels: tuple[str, ...] = LABELS) -> bytes:
    """The menu's picture: one column per button, its label large in the documents' CJK font."""
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(picture)
    font = ImageFont.truetype(str(fonts.font_path("bold")), 150)
    column = WIDTH // len(labels)
    for index, label in enumerate(labels):
        left = index * column
        draw.rectangle((left + 12, 12, left + column - 12, HEIGHT - 12),
                       fill=COLOURS[index % len(COLOURS)])
        box = draw.textbbox((0, 0), label, font=font)
        draw.text((left + (column - (box[2] - box[0])) / 2 - box[0],
                   (HEIGHT - (box[3] - box[1])) / 2 - box[1]), label, font=font, fill="#ffffff")
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def request(booking_url: str) -> dict:
    """The menu as LINE's RichMenuRequest (JSON): three areas side by side."""
    column = WIDTH // 3
    actions = [{"type": "uri", "label": "預約", "uri": booking_url},
               {"type": "message", "label": PROGRESS, "text": PROGRESS},
               {"type": "message", "label": VISITS, "text": VISITS}]
    return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True,
            "name": "ServiceLane", "chatBarText": "選單 Menu",
            "areas": [{"bounds": {"x": index * column, "y": 0, "width": column,
                                  "height": HEIGHT}, "action": action}
                      for index, action in enumerate(actions)]}


def install(booking_url: str) -> str:
    """The menu made, its picture uploaded and set as the account's default: its id."""
    from linebot.v3.messaging import (ApiClient, Configuration, MessagingApi,
                                      MessagingApiBlob, RichMenuRequest)

    token = secrets.get("line/channel-access-token")
    api = Configuration(host=settings().line_api_base, access_token=token)
    data = Configuration(host=settings().line_data_api_base, access_token=token)
    with ApiClient(api) as client:
        made = MessagingApi(client).create_rich_menu(
            RichMenuRequest.from_dict(request(booking_url)))
    with ApiClient(data) as client:
        MessagingApiBlob(client).set_rich_menu_image(
            made.rich_menu_id, body=bytearray(image()), _headers={"Content-Type": "image/png"})
    with ApiClient(api) as client:
        MessagingApi(client).set_default_rich_menu(made.rich_menu_id)
    return made.rich_menu_id


# --- the buttons' answers ---

def answers(text: str | None) -> bool:
    return (text or "").strip() in (PROGRESS, VISITS)


def answer_for(customer: dict, text: str) -> str:
    """What the menu's button asks, answered from the customer's orders (newest first)."""
    orders = _orders(customer["shop_id"], customer["customer_id"])
    if text.strip() == PROGRESS:
        open_orders = [order for order in orders if order["state"] not in order_store.CLOSED]
        if not open_orders:
            return "目前沒有在廠維修的車。需要預約請按選單的「預約」。"
        parts = []
        for order in open_orders:
            state = order_store.STATE_NAMES.get(order["state"], (order["state"],))[0]
            url = links.url_for(order["shop_id"], order["order_id"])
            parts.append(f"{order['vehicle'].get('plate', '')}：{state}"
                         + (f"\n進度：{url}" if url else ""))
        return "\n\n".join(parts)
    done = [order for order in orders if order["state"] in ("delivered", "followed_up")]
    if not done:
        return "還沒有在本店的保養紀錄。"
    return "最近的保養紀錄：\n" + "\n".join(
        f"{(order.get('closed_on') or order['created_at'])[:10]} "
        f"{order['vehicle'].get('plate', '')}"
        + (f" {int(order['mileage_km']):,} km" if order.get("mileage_km") else "")
        + (f"：{'、'.join(order['concerns'][:2])}" if order.get("concerns") else "")
        for order in done[:SHOWN_VISITS])


def _orders(shop_id: str, customer_id: str) -> list[dict]:
    marks = models.CustomerOrder.query(
        models.customer_key(shop_id, customer_id)["pk"],
        models.CustomerOrder.sk.startswith(models.CUSTOMER_ORDER_PREFIX),
        scan_index_forward=False, limit=10)
    found = [models.Order.read(models.order_key(shop_id, mark.order_id)) for mark in marks]
    return [order for order in found if order]


def reply(reply_token: str, text: str) -> None:
    """A reply to what the customer just sent (free of charge, once, within a minute)."""
    from linebot.v3.messaging import (ApiClient, Configuration, MessagingApi,
                                      ReplyMessageRequest, TextMessage)

    configuration = Configuration(host=settings().line_api_base,
                                  access_token=secrets.get("line/channel-access-token"))
    with ApiClient(configuration) as client:
        MessagingApi(client).reply_message(ReplyMessageRequest(
            reply_token=reply_token, messages=[TextMessage(text=text[:5000])]))
