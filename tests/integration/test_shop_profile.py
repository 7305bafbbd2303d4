"""The shop's own details (name, phone, address, LINE ID, logo) and where the customer sees
them: the header of their progress page."""
import base64
import io

from PIL import Image

from chalicelib.core import aws
from chalicelib.records import shops
from chalicelib.core.config import settings
from tests.builders import an_order


def png(colour=(11, 79, 138), size=(600, 200), exif=False) -> str:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        image.save(out, "JPEG", exif=data.tobytes())
    else:
        image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_managers_change_the_shop_details_and_others_may_only_read_them(shop):
    changed = shop.manager.patch("/api/shop", {"phone": "02-2345-6789", "line_id": " @shunan88 ",
                                               "address": "台北市大安區和平東路二段 100 號"})
    assert changed.status == 200, changed.body
    assert changed.body["phone"] == "+886223456789"
    assert changed.body["line_id"] == "@shunan88"
    assert shop.technician.get("/api/shop").body["line_id"] == "@shunan88"
    assert shop.advisor.patch("/api/shop", {"name": "別家"}).status == 403
    bad = shop.manager.patch("/api/shop", {"line_id": "not a line id!"})
    assert bad.status == 422 and "LINE" in bad.body["error"]["message"]
    assert shop.manager.patch("/api/shop", {"phone": "12"}).status == 422
    assert shop.manager.get("/api/shop").body["line_id"] == "@shunan88"  # nothing lost
    cleared = shop.manager.patch("/api/shop", {"line_id": ""})
    assert cleared.status == 200 and cleared.body["line_id"] == ""


def test_the_logo_is_checked_re_encoded_and_replaced(shop):
    first = shop.owner.put("/api/shop/logo", {"image": png(exif=True)})
    assert first.status == 200, first.body
    key = aws.table().get_item(Key={"pk": f"SHOP#{shop.shop_id}", "sk": "SHOP"})["Item"]["logo_key"]
    stored = aws.client("s3").get_object(Bucket=settings().bucket_name, Key=key)["Body"].read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) <= 320
        assert not image.getexif()  # nothing of the original travels
    second = shop.owner.put("/api/shop/logo", {"image": png(colour=(200, 0, 0))})
    assert second.status == 200 and second.body["logo_url"] != first.body["logo_url"]
    gone = aws.client("s3").list_objects_v2(Bucket=settings().bucket_name, Prefix=key)
    assert gone.get("KeyCount", 0) == 0  # the old logo removed
    assert shop.advisor.put("/api/shop/logo", {"image": png()}).status == 403
    garbage = shop.owner.put("/api/shop/logo", {"image": "%%%"})
    assert garbage.status == 422
    text = shop.owner.put("/api/shop/logo", {"image": base64.b64encode(b"hello").decode()})
    assert text.status == 422 and text.error == "bad_image"
    huge = shop.owner.put("/api/shop/logo", {"image": base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + bytes(shops.LOGO_MAX_BYTES)).decode()})
    assert huge.status == 422


def test_the_customer_page_shows_the_logo_and_the_line_button(shop):
    shop.manager.patch("/api/shop", {"line_id": "@shunan88"})
    shop.owner.put("/api/shop/logo", {"image": png()})
    order = an_order(shop)
    url = shop.advisor.get(f"/api/orders/{order['order_id']}/link").body["url"]
    page = shop.anonymous.request("GET", "/t/" + url.rsplit("/t/", 1)[1],
                                  headers={"accept": "text/html"})
    body = page.body.decode() if isinstance(page.body, bytes) else page.body
    assert "https://line.me/R/ti/p/%40shunan88" in body
    logo = body.split("<img class=logo src=\"", 1)[1].split('"', 1)[0]
    assert "/shop/logo-" in logo and "X-Amz-Signature" in logo
    origin = "/".join(logo.split("/")[:3])
    assert origin in page.headers["Content-Security-Policy"]
