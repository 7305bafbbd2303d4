"""Photos of a car: uploaded straight to S3, checked and cleaned by the server, kept in two sizes.

The tablet asks for a presigned POST (`presign`): S3 itself refuses a body over the size limit
or of another type, and the object lands under `incoming/` (the bucket's lifecycle removes what
is never completed, after a day). `complete` then reads the object and trusts nothing about it:
the bytes must start like a JPEG, PNG or WebP, Pillow must open them under a pixel limit, and
what is kept is re-encoded from the pixels alone: turned upright by its EXIF orientation, with
no EXIF at all (GPS and device data are personal data, DESIGN.md §5), as a display size and a
thumbnail under `photos/`. The incoming object is removed either way. Reads are presigned GETs.
"""
from __future__ import annotations

import io
from typing import Literal

from pydantic import Field, StrictInt

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import objects
from chalicelib.core import aws
from chalicelib.api import Body, Caller, ClientId
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, DomainError, NotFound, Unprocessable
from chalicelib.api.roles import require

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000  # 50 MP: more than any phone camera; a "pixel bomb" declares far more
DISPLAY_PX = 1600
THUMB_PX = 320
JPEG_QUALITY = 82
URL_SECONDS = 15 * 60
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")

ContentType = Literal["image/jpeg", "image/png", "image/webp"]


class NewPhoto(Body):
    photo_id: ClientId
    subject: str = Field(min_length=1, max_length=100)
    content_type: ContentType
    size: StrictInt = Field(ge=1, le=MAX_BYTES)


# --- reading ---

def object_url(key: str) -> str:
    """A presigned link to a stored image (signed locally, no request; 15 minutes)."""
    return aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": settings().bucket_name, "Key": key},
        ExpiresIn=URL_SECONDS)


def view(item: dict) -> dict:
    """docs/api.md's Photo, with presigned GETs (signed locally: no request to S3)."""
    shop_id, order_id, photo_id = item["shop_id"], item["order_id"], item["photo_id"]
    return {"photo_id": photo_id, "subject": item["subject"], "width": item["width"],
            "height": item["height"], "created_at": item["created_at"], "by": item["by"],
            "display_url": object_url(objects.photo_object(shop_id, order_id, photo_id, "display")),
            "thumb_url": object_url(objects.photo_object(shop_id, order_id, photo_id, "thumb"))}


def views(items: list[dict]) -> list[dict]:
    return [view(item) for item in sorted(items, key=lambda item: item["created_at"])]


def _order_and_photos(caller: Caller, order_id: str) -> tuple[dict, list[dict]]:
    from chalicelib.work import inspections

    order, _, photos = inspections._read(caller.shop_id, order_id)
    return order, photos


def list_photos(caller: Caller, order_id: str) -> dict:
    require(caller, "orders.read")
    _, photos = _order_and_photos(caller, order_id)
    return {"photos": views(photos)}


# --- what a photo may be added to, and when ---

def _check_may_add(caller: Caller, order: dict, subject: str) -> None:
    """A walk-around photo only while the walk-around may change; a general one until the
    order is closed (a technician's photo of a worn part, during the work)."""
    from chalicelib.work import inspections, orders

    inspections.check_subject(subject, inspections.Known(caller.shop_id))
    if subject != "general":
        inspections.refuse_frozen(order)
    elif order["state"] in orders.CLOSED:
        raise Conflict("這張工單已結束，不能再加照片。", "The order is closed: no more photos.",
                       code="order_closed")


# --- upload ---

def presign(caller: Caller, order_id: str, body: NewPhoto) -> dict:
    """A presigned POST for one photo: S3 enforces size, type and key; 15 minutes."""
    require(caller, "photos.write")
    order, _ = _order_and_photos(caller, order_id)
    _check_may_add(caller, order, body.subject)
    key = objects.photo_object(caller.shop_id, order_id, body.photo_id, "incoming")
    fields = {"Content-Type": body.content_type, "x-amz-meta-subject": body.subject}
    post = aws.client("s3").generate_presigned_post(
        settings().bucket_name, key, Fields=fields, ExpiresIn=URL_SECONDS,
        Conditions=[{"Content-Type": body.content_type},
                    {"x-amz-meta-subject": body.subject},
                    ["content-length-range", 1, MAX_BYTES]])
    return {"photo_id": body.photo_id, "upload": {"url": post["url"], "fields": post["fields"]}}


class Rejected(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def kind_of(head: bytes) -> str | None:
    """JPEG, PNG or WebP by the file's first bytes (never by its name or declared type)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _fit(width: int, height: int, longest: int) -> tuple[int, int]:
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def process(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """(display JPEG, thumbnail JPEG, display size) from an uploaded image, or Rejected.

    JPEGs are decoded at reduced scale (libjpeg's DCT scaling, Pillow's draft mode): a 12 MP
    photo decodes at 1/2 the size, several times faster than a full decode.
    """
    import warnings

    from PIL import Image, ImageOps

    kind = kind_of(data[:16])
    if kind is None:
        raise Rejected("這個檔案不是 JPEG、PNG 或 WebP 圖片。",
                       "The file is not a JPEG, PNG or WebP image.")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                if kind == "JPEG":
                    image.draft("RGB", _fit(image.width, image.height, DISPLAY_PX))
                image.load()  # decodes, and so checks, every byte of the pixels
                ImageOps.exif_transpose(image, in_place=True)
                upright = image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected("圖片的像素太多（可能是惡意檔案），請重新拍照。",
                       "The image declares too many pixels; take the photo again.") from None
    except (OSError, SyntaxError, ValueError):
        raise Rejected("圖片檔已損壞或不完整，請重新上傳。",
                       "The image is damaged or incomplete; upload it again.") from None
    display = _rgb(upright)
    # After the decoder's scaling what is left is a factor under 2, where Pillow's bilinear
    # (antialiased when shrinking) looks as good as Lanczos at a quarter of the time.
    if max(display.size) > DISPLAY_PX:
        display = display.resize(_fit(*display.size, DISPLAY_PX), Image.Resampling.BILINEAR,
                                 reducing_gap=2.0)
    thumb = display.resize(_fit(*display.size, THUMB_PX), Image.Resampling.BILINEAR,
                           reducing_gap=2.0)
    return _jpeg(display), _jpeg(thumb), display.size


def _rgb(image):
    """RGB on white (a PNG's transparency would turn black in a JPEG)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    image.info = {}  # nothing of the original travels: no EXIF, comment, ICC or XMP
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def complete(caller: Caller, order_id: str, photo_id: str) -> dict:
    """Check the uploaded object, keep its clean sizes, record the photo; else 422, removed."""
    from botocore.exceptions import ClientError

    require(caller, "photos.write")
    order, photos = _order_and_photos(caller, order_id)
    s3, bucket = aws.client("s3"), settings().bucket_name
    incoming = objects.photo_object(caller.shop_id, order_id, photo_id, "incoming")
    done = next((item for item in photos if item["photo_id"] == photo_id), None)
    if done:  # a replay: the photo is kept already; an upload sent again is not needed
        s3.delete_object(Bucket=bucket, Key=incoming)
        return view(done)
    try:
        head = s3.head_object(Bucket=bucket, Key=incoming)
    except ClientError as err:
        if err.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
        raise NotFound("找不到上傳的照片，請重新上傳。", "The upload was not found; upload it again.",
                       code="photo_not_uploaded") from None
    try:
        subject = head.get("Metadata", {}).get("subject", "")
        try:
            _check_may_add(caller, order, subject)  # the order may have moved on since presign
        except DomainError as refused:
            raise Rejected(refused.zh, refused.en) from None
        if not 0 < head["ContentLength"] <= MAX_BYTES:
            # S3 refuses these at upload already (the POST policy); checked again here.
            raise Rejected("照片檔案要在 15 MB 以內。", "A photo must be at most 15 MB.")
        data = s3.get_object(Bucket=bucket, Key=incoming)["Body"].read()
        display, thumb, (width, height) = process(data)
    except Rejected as rejected:
        s3.delete_object(Bucket=bucket, Key=incoming)
        raise Unprocessable(rejected.zh, rejected.en) from None
    for size, body in (("display", display), ("thumb", thumb)):
        s3.put_object(Bucket=bucket, Key=objects.photo_object(caller.shop_id, order_id, photo_id, size),
                      Body=body, ContentType="image/jpeg")
    item = {**models.Photo.key(caller.shop_id, order_id, photo_id), "type": "photo",
            "shop_id": caller.shop_id, "order_id": order_id, "photo_id": photo_id,
            "subject": subject, "width": width, "height": height,
            "bytes": {"display": len(display), "thumb": len(thumb)},
            "created_at": clock.now_iso(), "by": caller.stamp()}
    try:
        with models.refusals():
            models.Photo.from_dict(item).save(condition=models.Photo.pk.does_not_exist())
    except models.Refused:  # another copy of this request kept it first
        item = models.Photo.read(models.Photo.key(caller.shop_id, order_id, photo_id),
                                 consistent=True)
    s3.delete_object(Bucket=bucket, Key=incoming)
    return view(item)


def delete(caller: Caller, order_id: str, photo_id: str) -> None:
    """Remove a photo while the walk-around may change (afterwards it is evidence)."""
    require(caller, "photos.delete")
    order, photos = _order_and_photos(caller, order_id)
    photo = next((item for item in photos if item["photo_id"] == photo_id), None)
    if photo is None:
        return  # already gone: a replayed delete
    if photo["subject"] != "general":
        from chalicelib.work import inspections

        inspections.refuse_frozen(order)
    models.Photo.from_dict(models.Photo.key(caller.shop_id, order_id, photo_id)).delete()
    s3 = aws.client("s3")
    for size in ("display", "thumb"):
        s3.delete_object(Bucket=settings().bucket_name,
                         Key=objects.photo_object(caller.shop_id, order_id, photo_id, size))
