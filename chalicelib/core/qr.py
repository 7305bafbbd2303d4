"""A link as a QR code to print or show (SVG): the progress link's, the booking page's."""
from __future__ import annotations


def qr_svg(text: str) -> str:
    import io

    import qrcode  # on first use: a cold start without a QR does not pay for it
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()
