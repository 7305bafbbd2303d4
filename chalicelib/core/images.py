"""Uploaded images made safe to keep: checked by their bytes, decoded under a pixel limit,
re-encoded from the pixels alone (upright, no EXIF: GPS and device data are personal data,
docs/design.md §7), in a display size and a thumbnail; and a short link to a kept one.

Used by an order's photos (chalicelib/work/photos.py) and the shop's logo
(chalicelib/records/shops.py). Pillow is imported where an image is decoded, not on the API
Lambda's cold start.
"""
from __future__ import annotations

import io

from chalicelib.core import aws
from chalicelib.core.config import settings

MAX_PIXELS = 50_000_000  # 50 MP: more than any phone camera; a "pixel bomb" declares far more
DISPLAY_PX = 1600
THUMB_PX = 320
JPEG_QUALITY = 82
URL_SECONDS = 15 * 60


class Rejected(Exception):
    """The upload is not an image that can be kept: the (zh, en) of why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def image_url(key: str) -> str:
    """A presigned link to a stored image (signed locally, no request; 15 minutes)."""
    return aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": settings().bucket_name, "Key": key},
        ExpiresIn=URL_SECONDS)


def kind_of(head: bytes) -> str | None:
    """JPEG, PNG or WebP by the file's first bytes (never by its name or declared type)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def fit(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size scaled down (never up) so its longer side is at most `longest`."""
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
                    image.draft("RGB", fit(image.width, image.height, DISPLAY_PX))
                image.load()  # decodes, and so checks, every byte of the pixels
                ImageOps.exif_transpose(image, in_place=True)
                upright = image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected("圖片的像素太多（可能是惡意檔案），請重新拍照。",
                       "The image declares too many pixels; take the photo again.") from None
    except (OSError, SyntaxError, ValueError):
        raise Rejected("圖片檔已損壞或不完整，請重新上傳。",
                       "The image is damaged or incomplete; upload it again.") from None
    display = rgb(upright)
    # After the decoder's scaling what is left is a factor under 2, where Pillow's bilinear
    # (antialiased when shrinking) looks as good as Lanczos at a quarter of the time.
    if max(display.size) > DISPLAY_PX:
        display = display.resize(fit(*display.size, DISPLAY_PX), Image.Resampling.BILINEAR,
                                 reducing_gap=2.0)
    thumb = display.resize(fit(*display.size, THUMB_PX), Image.Resampling.BILINEAR,
                           reducing_gap=2.0)
    return jpeg(display), jpeg(thumb), display.size


def rgb(image):
    """RGB on white (a PNG's transparency would turn black in a JPEG)."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def jpeg(image) -> bytes:
    """The pixels as a JPEG, with nothing of the original: no EXIF, comment, ICC or XMP."""
    out = io.BytesIO()
    image.info = {}
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
