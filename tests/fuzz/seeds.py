"""Small valid images in every format photocheck reads: the seeds for both fuzzers.

Built in code from a synthetic gradient (no external data), 16 x 12 pixels so that each
fuzzing example decodes in microseconds.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np


def _gradient() -> np.ndarray:
    y, x = np.mgrid[0:12, 0:16]
    return np.dstack([x * 16, y * 20, (x + y) * 9]).astype(np.uint8)


def _save(array: np.ndarray, fmt: str, mode: str | None = None, **options: object) -> bytes:
    from PIL import Image

    im = Image.fromarray(array)
    if mode is not None:
        im = im.convert(mode)
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


@cache
def seeds() -> dict[str, bytes]:
    """Name -> encoded bytes of a small valid image."""
    from PIL import Image

    rgb = _gradient()
    grey16 = (rgb[..., 0].astype(np.uint16) * 257).astype(np.uint16)
    exif = Image.Exif()
    exif[0x0112] = 6
    frames = io.BytesIO()
    Image.fromarray(rgb).save(
        frames, "GIF", save_all=True, append_images=[Image.fromarray(rgb[::-1])], loop=0
    )
    pages = io.BytesIO()
    Image.fromarray(rgb).save(pages, "TIFF", save_all=True, append_images=[Image.fromarray(rgb)])
    return {
        "png": _save(rgb, "PNG"),
        "png_rgba": _save(np.dstack([rgb, rgb[..., 0]]), "PNG"),
        "png_palette": _save(rgb, "PNG", mode="P"),
        "png_grey16": _save(grey16, "PNG"),
        "jpeg": _save(rgb, "JPEG", exif=exif.tobytes()),
        "jpeg_progressive": _save(rgb, "JPEG", progressive=True),
        "jpeg_cmyk": _save(rgb, "JPEG", mode="CMYK"),
        "gif_animated": frames.getvalue(),
        "webp": _save(rgb, "WEBP"),
        "webp_lossless": _save(rgb, "WEBP", lossless=True),
        "tiff_pages": pages.getvalue(),
        "tiff_deflate": _save(rgb, "TIFF", compression="tiff_deflate"),
        "bmp": _save(rgb, "BMP"),
    }
