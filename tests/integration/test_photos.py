"""Photos end to end on DynamoDB Local and s3rver: presign, upload as a browser does (a multipart
form POST straight to the bucket), complete, and read back the clean sizes; every rejection
leaves nothing recorded and the upload removed.

s3rver 3.7.1 stores a presigned POST's file but does not evaluate its policy (size, type, key,
expiry, signature): the policy is checked here as a document, and the server's own check at
`complete` is what refuses an oversize file locally.
"""
import base64
import io
import json
import random
import struct
import zlib

import pytest
import requests
from PIL import ExifTags, Image

from chalicelib.core import clock as times
from chalicelib.core import objects
from chalicelib.core import aws
from chalicelib.core.config import settings
from tests.builders import a_signature, an_order, new_id

ORIGIN = "http://127.0.0.1:8000"  # the PWA's origin, which the bucket's CORS allows


def a_jpeg(width=2400, height=1800, gps=True, orientation=1, quality=85) -> bytes:
    """A photo as a phone takes it: noisy pixels, EXIF with the camera and where it was."""
    rng = random.Random(7)
    small = Image.frombytes("RGB", (width // 8, height // 8), rng.randbytes(width * height * 3 // 64))
    image = small.resize((width, height), Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Apple", "iPhone 15"
    exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({
            ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (25.0, 2.0, 51.0),
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 33.0, 54.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif, comment=b"Taipei, Songshan")
    return out.getvalue()


def a_png(width, height, pixels: bytes | None = None, mode=2) -> bytes:
    """A PNG written by hand, so it can declare a size its pixels do not have (a pixel bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, mode, 0, 0, 0)
    data = pixels if pixels is not None else zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + \
        chunk(b"IEND", b"")


def photos_path(order):
    return f"/api/orders/{order['order_id']}/photos"


def presign(client, order, data, subject="tyre.LF", content_type="image/jpeg", photo_id=None):
    answer = client.post(photos_path(order), {"photo_id": photo_id or new_id("photo"),
                                              "subject": subject, "content_type": content_type,
                                              "size": len(data)})
    assert answer.status == 200, answer.body
    return answer.body


def upload(target, data, content_type="image/jpeg", filename="IMG_0001.jpg"):
    """What the PWA's fetch with a FormData does: the policy's fields, then the file, last."""
    response = requests.post(target["url"], data=target["fields"], headers={"Origin": ORIGIN},
                             files={"file": (filename, data, content_type)}, timeout=30)
    assert response.status_code in (200, 201, 204), response.text
    return response


def complete(client, order, photo_id):
    return client.post(f"{photos_path(order)}/{photo_id}/complete")


def exists(key) -> bool:
    s3 = aws.client("s3")
    try:
        s3.head_object(Bucket=settings().bucket_name, Key=key)
        return True
    except s3.exceptions.ClientError:
        return False


def incoming(shop, order, photo_id):
    return objects.photo_object(shop.shop_id, order["order_id"], photo_id, "incoming")


def fetch(url) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return response.content


def test_a_photo_goes_up_comes_back_upright_in_two_sizes_with_no_exif_at_all(shop):
    order = an_order(shop)
    original = a_jpeg(2400, 1800, gps=True, orientation=6)  # held sideways: turn 90°
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    target = presign(shop.technician, order, original)
    upload(target["upload"], original)
    answer = complete(shop.technician, order, target["photo_id"])
    assert answer.status == 201, answer.body
    photo = answer.body
    assert (photo["width"], photo["height"]) == (1200, 1600)
    assert photo["subject"] == "tyre.LF" and photo["by"]["staff_id"] == shop.technician.staff_id
    for url, size in ((photo["display_url"], (1200, 1600)), (photo["thumb_url"], (240, 320))):
        data = fetch(url)
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.size == size
        assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
        assert b"Exif" not in data and b"iPhone" not in data and b"Songshan" not in data
    assert not exists(incoming(shop, order, target["photo_id"]))
    listed = shop.advisor.get(photos_path(order)).body["photos"]
    assert [p["photo_id"] for p in listed] == [target["photo_id"]]
    inspection = shop.advisor.get(f"/api/orders/{order['order_id']}/inspection").body
    assert [p["photo_id"] for p in inspection["photos"]] == [target["photo_id"]]


def test_the_presigned_post_limits_size_type_and_key_for_15_minutes(shop):
    order = an_order(shop)
    target = presign(shop.advisor, order, b"x" * 1000, subject="dashboard",
                     content_type="image/webp")["upload"]
    assert target["url"].startswith(settings().s3_endpoint)
    fields = target["fields"]
    assert fields["key"] == f"incoming/{shop.shop_id}/{order['order_id']}/" + \
        fields["key"].rsplit("/", 1)[1]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 15 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/webp"} in conditions
    assert {"key": fields["key"]} in conditions
    assert {"x-amz-meta-subject": "dashboard"} in conditions
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    expires = times.parse_iso(policy["expiration"])
    assert 14 * 60 <= (expires - times.now()).total_seconds() <= 15 * 60


def test_a_png_and_a_webp_become_jpegs_too(shop):
    order = an_order(shop)
    for content_type, fmt in (("image/png", "PNG"), ("image/webp", "WEBP")):
        out = io.BytesIO()
        Image.new("RGBA", (800, 400), (0, 120, 200, 128)).save(out, fmt)
        target = presign(shop.advisor, order, out.getvalue(), subject="general",
                         content_type=content_type)
        upload(target["upload"], out.getvalue(), content_type, f"x.{fmt.lower()}")
        answer = complete(shop.advisor, order, target["photo_id"])
        assert answer.status == 201, answer.body
        assert (answer.body["width"], answer.body["height"]) == (800, 400)
        assert Image.open(io.BytesIO(fetch(answer.body["display_url"]))).format == "JPEG"


def test_completing_again_answers_the_same_photo(shop):
    order = an_order(shop)
    data = a_jpeg(640, 480)
    target = presign(shop.advisor, order, data)
    upload(target["upload"], data)
    first = complete(shop.advisor, order, target["photo_id"])
    again = complete(shop.advisor, order, target["photo_id"])
    assert again.status == 201
    assert {k: v for k, v in again.body.items() if not k.endswith("_url")} == \
        {k: v for k, v in first.body.items() if not k.endswith("_url")}
    assert len(shop.advisor.get(photos_path(order)).body["photos"]) == 1


def truncated_jpeg():
    data = a_jpeg(1200, 900, gps=False)
    return data[: len(data) // 2]


def text_file():
    return "這不是照片，只是一個改名成 .jpg 的文字檔。\n".encode() * 50


def pixel_bomb():
    return a_png(30000, 30000)


def oversize():
    return b"\xff\xd8\xff\xe0" + bytes(15 * 1024 * 1024 - 3)  # one byte over 15 MB


@pytest.mark.parametrize("make, words", [
    (text_file, "不是 JPEG、PNG 或 WebP"), (truncated_jpeg, "損壞或不完整"),
    (pixel_bomb, "像素太多"), (oversize, "15 MB")])
def test_what_is_not_a_sound_photo_is_refused_removed_and_not_recorded(shop, make, words):
    order = an_order(shop)
    data = make()
    photo_id = new_id("photo")
    # The tablet declares what it thinks it sends; the server believes only the bytes.
    target = presign(shop.advisor, order, b"x" * 100_000, photo_id=photo_id)
    upload(target["upload"], data, "image/jpeg", "photo.jpg")  # s3rver enforces no policy
    assert exists(incoming(shop, order, photo_id))
    answer = complete(shop.advisor, order, photo_id)
    assert answer.status == 422 and answer.error == "validation", answer.body
    assert words in answer.body["error"]["message"]
    assert not exists(incoming(shop, order, photo_id))
    for size in ("display", "thumb"):
        assert not exists(objects.photo_object(shop.shop_id, order["order_id"], photo_id, size))
    assert shop.advisor.get(photos_path(order)).body["photos"] == []


def test_a_rejection_reads_in_english_when_asked(shop):
    order = an_order(shop)
    target = presign(shop.advisor, order, b"x" * 100)
    upload(target["upload"], b"%PDF-1.7 not a photo")
    shop.advisor.language = "en"
    answer = complete(shop.advisor, order, target["photo_id"])
    assert answer.body["error"]["message"] == "The file is not a JPEG, PNG or WebP image."


def test_completing_before_uploading_says_so(shop):
    order = an_order(shop)
    target = presign(shop.advisor, order, b"x" * 100)
    answer = complete(shop.advisor, order, target["photo_id"])
    assert answer.status == 404 and answer.error == "photo_not_uploaded"


@pytest.mark.parametrize("body, status", [
    ({"subject": "tyre.XX"}, 400), ({"subject": "checklist.no_such_item"}, 400),
    ({"subject": "selfie"}, 400), ({"content_type": "image/gif"}, 422),
    ({"content_type": "text/plain"}, 422), ({"size": 15 * 1024 * 1024 + 1}, 422),
    ({"size": 0}, 422), ({"photo_id": "../../etc"}, 422)])
def test_a_presign_for_something_else_is_refused(shop, body, status):
    order = an_order(shop)
    answer = shop.advisor.post(photos_path(order), {
        "photo_id": new_id("photo"), "subject": "dashboard", "content_type": "image/jpeg",
        "size": 1000, **body})
    assert answer.status == status, answer.body


@pytest.mark.parametrize("role, presign_status, delete_status", [
    ("owner", 200, 204), ("manager", 200, 204), ("advisor", 200, 204),
    ("technician", 200, 403)])
def test_everyone_adds_photos_and_front_desk_removes_them(shop, role, presign_status,
                                                          delete_status):
    order = an_order(shop)
    client = shop.as_role(role)
    data = a_jpeg(400, 300, gps=False)
    answer = client.post(photos_path(order), {"photo_id": new_id("photo"), "subject": "general",
                                              "content_type": "image/jpeg", "size": len(data)})
    assert answer.status == presign_status
    upload(answer.body["upload"], data)
    photo = complete(client, order, answer.body["photo_id"])
    assert photo.status == 201
    deleted = client.delete(f"{photos_path(order)}/{photo.body['photo_id']}")
    assert deleted.status == delete_status
    left = shop.owner.get(photos_path(order)).body["photos"]
    assert len(left) == (1 if delete_status == 403 else 0)
    display = objects.photo_object(shop.shop_id, order["order_id"], photo.body["photo_id"], "display")
    assert exists(display) is (delete_status == 403)


def test_nobody_signed_out_touches_photos(shop):
    order = an_order(shop)
    assert shop.anonymous.get(photos_path(order)).status == 401
    assert shop.anonymous.post(photos_path(order), {}).status == 401
    assert shop.advisor.get(f"/api/orders/{new_id('order')}/photos").status == 404


def test_walk_around_photos_freeze_with_it_and_general_ones_go_on_until_closed(shop):
    order = an_order(shop, lines=True)
    data = a_jpeg(400, 300, gps=False)
    target = presign(shop.advisor, order, data, subject="damage.front-bumper")
    upload(target["upload"], data)
    kept = complete(shop.advisor, order, target["photo_id"]).body
    late = presign(shop.advisor, order, data, subject="dashboard")
    upload(late["upload"], data)
    a_signature(shop, order["order_id"], "authorization")
    # Uploaded before the signature, completed after: the walk-around is frozen by then.
    refused = complete(shop.advisor, order, late["photo_id"])
    assert refused.status == 422 and "委修確認單" in refused.body["error"]["message"]
    assert not exists(incoming(shop, order, late["photo_id"]))
    frozen = shop.advisor.post(photos_path(order), {"photo_id": new_id("p"), "subject": "tyre.RR",
                                                    "content_type": "image/jpeg", "size": 10})
    assert frozen.status == 409 and frozen.error == "inspection_frozen"
    gone = shop.advisor.delete(f"{photos_path(order)}/{kept['photo_id']}")
    assert gone.status == 409 and gone.error == "inspection_frozen"
    general = presign(shop.technician, order, data, subject="general")
    upload(general["upload"], data)
    assert complete(shop.technician, order, general["photo_id"]).status == 201
    cancelled = an_order(shop, state="cancelled")
    closed = shop.advisor.post(photos_path(cancelled), {"photo_id": new_id("p"),
                                                        "subject": "general",
                                                        "content_type": "image/jpeg",
                                                        "size": 10})
    assert closed.status == 409 and closed.error == "order_closed"
