"""Photos of a car: uploaded straight to S3, checked and cleaned by the server, kept in two sizes.

The tablet asks for a presigned POST (`presign`): S3 itself refuses a body over the size limit
or of another type, and the object lands under `incoming/` (the bucket's lifecycle removes what
is never completed, after a day). `complete` then reads the object and trusts nothing about it:
the bytes must start like a JPEG, PNG or WebP, Pillow must open them under a pixel limit, and
what is kept is re-encoded from the pixels alone: turned upright by its EXIF orientation, with
no EXIF at all (GPS and device data are personal data, docs/design.md §7), as a display size and a
thumbnail under `photos/`. The incoming object is removed either way. Reads are presigned GETs.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, StrictInt

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, objects
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, DomainError, Invalid, NotFound, Unprocessable
from chalicelib.core.images import Rejected, image_url, process
from chalicelib.records import shop_settings
from chalicelib.work import order_store

MAX_BYTES = 15 * 1024 * 1024
URL_SECONDS = 15 * 60
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")

ContentType = Literal["image/jpeg", "image/png", "image/webp"]


class NewPhoto(Body):
    photo_id: ClientId
    subject: str = Field(min_length=1, max_length=100)
    content_type: ContentType
    size: StrictInt = Field(ge=1, le=MAX_BYTES)


# --- reading ---

def view(item: dict) -> dict:
    """docs/api.md's Photo, with presigned GETs (signed locally: no request to S3)."""
    shop_id, order_id, photo_id = item["shop_id"], item["order_id"], item["photo_id"]
    return {"photo_id": photo_id, "subject": item["subject"], "width": item["width"],
            "height": item["height"], "created_at": item["created_at"], "by": item["by"],
            "display_url": image_url(objects.photo_object(shop_id, order_id, photo_id,
                                                          "display")),
            "thumb_url": image_url(objects.photo_object(shop_id, order_id, photo_id, "thumb"))}


def views(items: list[dict]) -> list[dict]:
    return [view(item) for item in sorted(items, key=lambda item: item["created_at"])]


def _order_and_photos(caller: Caller, order_id: str) -> tuple[dict, list[dict]]:
    """The order (with what lives beside it) and its photos: one Query on its partition."""
    order = order_store.load(caller.shop_id, order_id)
    return order, order["photos"]


def list_photos(caller: Caller, order_id: str) -> dict:
    require(caller, "orders.read")
    _, photos = _order_and_photos(caller, order_id)
    return {"photos": views(photos)}


# --- what a photo may be of, and when it may be added ---

def check_subject(shop_id: str, subject: str) -> None:
    """`dashboard`, `general`, `tyre.<pos>`, `brake.<axle>`, `damage.<marker>`,
    `checklist.<item>` (an item of the shop's checklist, read only for such a subject),
    `line.<line>` (what a technician found, shown with the line it belongs to),
    `delivery.<mark>` (damage found at the delivery walk-around)."""
    if subject in ("dashboard", "general"):
        return
    kind, _, part = subject.partition(".")
    ok = {"tyre": lambda: part in models.TYRE_POSITIONS,
          "brake": lambda: part in models.BRAKE_AXLES,
          "damage": lambda: re.fullmatch(r"[A-Za-z0-9_-]{1,64}", part) is not None,
          "line": lambda: re.fullmatch(r"[A-Za-z0-9_-]{8,64}", part) is not None,
          "delivery": lambda: re.fullmatch(r"[A-Za-z0-9_-]{8,64}", part) is not None,
          "checklist": lambda: part in shop_settings.item_ids(shop_id)}.get(kind)
    if ok is None or not ok():
        raise Invalid(f"照片的項目 {subject} 不正確。", f"{subject} is not something a photo can be of.",
                      code="invalid_subject")


def during_work(subject: str) -> bool:
    """A photo taken during the work or at delivery, not part of the walk-around the
    authorization covers."""
    return subject == "general" or subject.startswith((LINE_SUBJECT, "delivery."))


LINE_SUBJECT = "line."


def of_line(photos: list[dict], line_id: str) -> list[dict]:
    """The photos of a line: what the technician took when they found it."""
    return [photo for photo in photos if photo["subject"] == f"{LINE_SUBJECT}{line_id}"]


def _check_may_add(caller: Caller, order: dict, subject: str) -> None:
    """A walk-around photo only while the walk-around may change; a general one, or one of a
    line, until the order is closed (a technician's photo of a worn part, during the work)."""
    check_subject(caller.shop_id, subject)
    if not during_work(subject):
        order_store.refuse_walkaround_frozen(order)
    elif order["state"] in order_store.CLOSED:
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
        if not aws.missing(err):
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
    if not during_work(photo["subject"]):
        order_store.refuse_walkaround_frozen(order)
    models.Photo.from_dict(models.Photo.key(caller.shop_id, order_id, photo_id)).delete()
    s3 = aws.client("s3")
    for size in ("display", "thumb"):
        s3.delete_object(Bucket=settings().bucket_name,
                         Key=objects.photo_object(caller.shop_id, order_id, photo_id, size))
