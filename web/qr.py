"""QR codes as SVG, drawn on the server (no image library, no outside service)."""

from __future__ import annotations

import qrcode
from qrcode.image.svg import SvgPathFillImage


def qr_svg(url: str) -> str:
    """Return an SVG document of a QR code for `url` (white background, scalable).

    Args:
        url: the address the code opens.

    Returns:
        The SVG markup.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    image = code.make_image(image_factory=SvgPathFillImage)
    return image.to_string(encoding="unicode")
