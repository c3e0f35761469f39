"""The hostile-input corpus: every input is built in code, nothing binary is committed.

``cases()`` lists the inputs; each ``Case.make(folder)`` writes what it needs into ``folder``
and returns what is passed to :func:`photocheck.validate` (a path string, bytes or an array).
``expect`` is the set of acceptable outcomes: the name of a :class:`photocheck.PhotocheckError`
subclass, or ``"verdict"`` (the photo was decoded and judged; checks that could not measure
say ``not_assessed``).

The portrait is built from ``skimage.data.astronaut()`` (public domain, NASA) like
``tests/conftest.py``'s ``make_portrait``: rows 0-240, columns 145-305, resized to 400 x 600.
"""

from __future__ import annotations

import io
import itertools
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

INVALID = "InvalidImageError"
UNSUPPORTED = "UnsupportedFormatError"
TOO_LARGE = "ImageTooLargeError"
VERDICT = "verdict"
# A file name that tries terminal escapes (clear screen, red, window title) and HTML markup.
HOSTILE_NAME = "\x1b[2J\x1b[31m\x1b]0;pwned\x07<img src=x onerror=alert(1)>\u202e.png"


@dataclass(frozen=True)
class Case:
    """One hostile input."""

    name: str
    group: str
    description: str
    expect: frozenset[str]
    make: Callable[[Path], Any]


# --- building blocks --------------------------------------------------------------------------


@cache
def portrait() -> np.ndarray:
    """The astronaut head-and-shoulders portrait, 400 x 600 RGB uint8 (read-only)."""
    import skimage.data
    from PIL import Image

    crop = skimage.data.astronaut()[0:240, 145:305]
    big = np.asarray(Image.fromarray(crop).resize((400, 600), Image.Resampling.BICUBIC))
    big = np.ascontiguousarray(big)
    big.setflags(write=False)
    return big


def encode(array: np.ndarray, fmt: str, mode: str | None = None, **options: Any) -> bytes:
    """Encode an array with Pillow (``mode`` converts first, e.g. ``"CMYK"``)."""
    from PIL import Image

    im = Image.fromarray(array)
    if mode is not None:
        im = im.convert(mode)
    if fmt == "PNG":
        options.setdefault("compress_level", 1)  # fast: the corpus is built on every run
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` RGB pixels, with a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def png_with_chunk(png: bytes, chunk: bytes) -> bytes:
    """Insert a chunk right after IHDR."""
    at = 8 + 25
    return png[:at] + chunk + png[at:]


def jpeg_with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """Patch the SOF marker of a baseline/progressive JPEG to claim another size."""
    i = 2
    while i < len(jpeg) - 9:
        marker, length = jpeg[i + 1], int.from_bytes(jpeg[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return jpeg[: i + 5] + struct.pack(">HH", height, width) + jpeg[i + 9 :]
        i += 2 + length
    raise ValueError("no SOF marker")


def jpeg_scan_start(jpeg: bytes) -> int:
    """Offset of the first byte of entropy-coded data (after the first SOS header)."""
    i = 2
    while i < len(jpeg) - 4:
        marker, length = jpeg[i + 1], int.from_bytes(jpeg[i + 2 : i + 4], "big")
        if marker == 0xDA:
            return i + 2 + length
        i += 2 + length
    raise ValueError("no SOS marker")


def jpeg_with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """Insert an APP1 segment (e.g. EXIF) right after SOI."""
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def exif_orientation_bytes(orientation: int) -> bytes:
    """A little-endian EXIF block holding only the orientation tag."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def oriented(orientation: int) -> np.ndarray:
    """The pixels a camera stores for an upright scene when it writes EXIF ``orientation``.

    Applying ``orientation`` (as a viewer does) to the result gives the upright portrait back.
    """
    upright = portrait()
    inverse = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2),
        6: lambda a: np.rot90(a, 1),
        7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
        8: lambda a: np.rot90(a, -1),
    }
    return np.ascontiguousarray(inverse[orientation](upright))


def oriented_png(orientation: int) -> bytes:
    """A lossless PNG of :func:`oriented` with the EXIF orientation tag (eXIf chunk)."""
    return encode(oriented(orientation), "PNG", exif=exif_orientation_bytes(orientation))


def gif_bomb_offset() -> bytes:
    """A 10 x 10 GIF whose first frame is placed at (65000, 65000): Pillow grows the canvas."""
    gif = bytearray(encode(np.zeros((10, 10), np.uint8), "GIF"))
    flags = gif[10]
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while gif[i] == 0x21:  # skip extension blocks
        i += 2
        while gif[i]:
            i += gif[i] + 1
        i += 1
    assert gif[i] == 0x2C
    gif[i + 1 : i + 5] = struct.pack("<HH", 65000, 65000)
    return bytes(gif)


def tiff_header_only(width: int, height: int) -> bytes:
    """A little-endian TIFF whose IFD claims ``width`` x ``height`` grey pixels."""
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, 8 + 2 + 10 * 12 + 4),
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, 64),
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    body = b"II*\x00" + struct.pack("<I", 8) + ifd
    return body + b"\0" * (8 + 2 + 10 * 12 + 4 - len(body)) + b"\0" * 64


def bmp_header_only(width: int, height: int) -> bytes:
    """A 24-bit BMP whose header claims ``width`` x ``height`` pixels."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40 + 64, 0, 0, 14 + 40) + info + b"\0" * 64


def webp_lossless_with_size(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header claims ``width`` x ``height`` pixels."""
    data = bytearray(encode(np.zeros((8, 8, 3), np.uint8), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L", data[12:16]
    bits = int.from_bytes(data[21:25], "little")
    bits = (bits & ~0x0FFFFFFF) | (width - 1) | ((height - 1) << 14)
    data[21:25] = bits.to_bytes(4, "little")
    return bytes(data)


def heif_like(brand: bytes) -> bytes:
    """An ISO media file with an ``ftyp`` box of ``brand`` and junk after it."""
    ftyp = brand + b"\0\0\0\0" + b"mif1" + brand
    box = struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp
    return box + bytes(np.random.default_rng(7).integers(0, 256, 400, dtype=np.uint8))


def random_bytes(n: int, seed: int) -> bytes:
    """Seeded random bytes."""
    return bytes(np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8))


def write(folder: Path, name: str, data: bytes) -> str:
    """Write ``data`` to ``folder / name`` and return the path as a string."""
    path = folder / name
    path.write_bytes(data)
    return str(path)


def _file(name: str, build: Callable[[], bytes]) -> Callable[[Path], str]:
    return lambda folder: write(folder, name, build())


@cache
def jpeg() -> bytes:
    """The portrait as a quality-90 baseline JPEG."""
    return encode(portrait(), "JPEG", quality=90)


@cache
def png() -> bytes:
    """The portrait as a PNG."""
    return encode(portrait(), "PNG")


def _corrupt_scan() -> bytes:
    jpeg = bytearray(encode(portrait(), "JPEG", quality=90))
    start = jpeg_scan_start(bytes(jpeg))
    rng = np.random.default_rng(3)
    for offset in rng.integers(start + 200, len(jpeg) - 200, 40):
        jpeg[offset] ^= 0x5A
    return bytes(jpeg)


def _animated_gif() -> bytes:
    from PIL import Image

    frames = [Image.fromarray(portrait()), Image.fromarray(np.zeros((600, 400, 3), np.uint8))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _animated_webp() -> bytes:
    from PIL import Image

    frames = [Image.fromarray(portrait()), Image.fromarray(np.zeros((600, 400, 3), np.uint8))]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def _multipage_tiff() -> bytes:
    from PIL import Image

    noise = np.random.default_rng(5).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    pages = [Image.fromarray(portrait()), Image.fromarray(noise)]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return out.getvalue()


def _mpo() -> bytes:
    from PIL import Image

    pages = [Image.fromarray(portrait()), Image.fromarray(portrait()[:, ::-1])]
    out = io.BytesIO()
    pages[0].save(out, "MPO", save_all=True, append_images=pages[1:])
    return out.getvalue()


def _avif() -> bytes:
    from PIL import features

    if not features.check("avif"):
        return heif_like(b"avif")
    return encode(portrait(), "AVIF", quality=80, speed=10)


def _avif_expectation() -> frozenset[str]:
    from PIL import features

    return frozenset({VERDICT if features.check("avif") else UNSUPPORTED})


def _grey_alpha() -> bytes:
    grey = np.asarray(
        np.dot(portrait()[..., :3].astype(np.float32), [0.299, 0.587, 0.114]), dtype=np.uint8
    )
    alpha = np.full_like(grey, 255)
    alpha[:40] = 0  # a transparent band at the top
    return encode(np.dstack([grey, alpha]), "PNG")


def _rgba() -> bytes:
    alpha = np.full(portrait().shape[:2], 255, np.uint8)
    alpha[:, :30] = 0
    return encode(np.dstack([portrait(), alpha]), "PNG")


def _palette_transparent() -> bytes:
    from PIL import Image

    im = Image.fromarray(portrait()).quantize(64, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    im.save(out, "PNG", transparency=0, compress_level=1)
    return out.getvalue()


def _grey16() -> bytes:
    grey = np.dot(portrait().astype(np.float64), [0.299, 0.587, 0.114]) * 257.0
    return encode(np.clip(grey, 0, 65535).astype(np.uint16), "PNG")


def _over_limit_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (7200, 7200), 1).save(
        out, "PNG", compress_level=1
    )  # 51.8 MP, a real, valid image
    return out.getvalue()


def _large_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(portrait()).resize((4000, 6000)).save(out, "JPEG", quality=85)
    return out.getvalue()


def jpeg_many_scans(count: int, width: int = 2000, height: int = 3000) -> bytes:
    """A smooth progressive JPEG with its smallest scan repeated ``count`` more times.

    Each scan makes the decoder pass over every block of the image: on a 6 MP image a few
    hundred bytes per scan cost milliseconds each.
    """
    y, x = np.mgrid[0:height, 0:width]
    smooth = np.dstack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)])
    data = encode(smooth.astype(np.uint8), "JPEG", quality=90, progressive=True)
    starts = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\xff\xda"]
    starts.append(len(data) - 2)
    scans = [data[a:b] for a, b in itertools.pairwise(starts)]
    return data[:-2] + min(scans, key=len) * count + b"\xff\xd9"


def _fifo(folder: Path) -> str:
    path = folder / "pipe.jpg"
    os.mkfifo(path)
    return str(path)


def _symlink(folder: Path, name: str, target: str) -> str:
    path = folder / name
    path.symlink_to(target)
    return str(path)


def _loop(folder: Path) -> str:
    (folder / "loop_a.jpg").symlink_to(folder / "loop_b.jpg")
    (folder / "loop_b.jpg").symlink_to(folder / "loop_a.jpg")
    return str(folder / "loop_a.jpg")


def _sparse(folder: Path) -> str:
    path = folder / "huge_sparse.jpg"
    with path.open("wb") as f:
        f.write(encode(np.zeros((8, 8, 3), np.uint8), "JPEG"))
        f.truncate(2 * 2**30)  # 2 GiB apparent size, no disk used
    return str(path)


def _array(build: Callable[[], Any]) -> Callable[[Path], Any]:
    return lambda folder: build()


def _strided() -> np.ndarray:
    return portrait()[::2, ::2]


def _fortran() -> np.ndarray:
    return np.asfortranarray(portrait())


def _big_endian16() -> np.ndarray:
    return (portrait().astype(">u2") * 257).astype(">u2")


def cases() -> list[Case]:
    """Every hostile input, in the order of the table in docs/hostile-inputs.md."""
    e = frozenset
    rows: list[tuple[str, str, str, frozenset[str], Callable[[Path], Any]]] = [
        # garbage
        ("empty", "garbage", "zero bytes", e({INVALID}), _file("empty.jpg", lambda: b"")),
        (
            "random",
            "garbage",
            "4 KiB of random bytes",
            e({INVALID}),
            _file("random.jpg", lambda: random_bytes(4096, 1)),
        ),
        (
            "random_jpeg_magic",
            "garbage",
            "JPEG signature then random bytes",
            e({INVALID}),
            _file("rj.jpg", lambda: b"\xff\xd8\xff\xe0" + random_bytes(4096, 2)),
        ),
        (
            "random_png_magic",
            "garbage",
            "PNG signature then random bytes",
            e({INVALID}),
            _file("rp.png", lambda: b"\x89PNG\r\n\x1a\n" + random_bytes(4096, 3)),
        ),
        (
            "text",
            "garbage",
            "a text file named .jpg",
            e({INVALID}),
            _file("notes.jpg", lambda: b"hello, this is not a photo\n" * 20),
        ),
        (
            "pdf",
            "garbage",
            "a PDF document",
            e({UNSUPPORTED}),
            _file("doc.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        ),
        (
            "svg",
            "garbage",
            "an SVG document",
            e({UNSUPPORTED}),
            _file(
                "face.svg",
                lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            ),
        ),
        (
            "eps",
            "garbage",
            "an EPS file (Pillow would run Ghostscript)",
            e({UNSUPPORTED}),
            _file("x.eps", lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"),
        ),
        (
            "psd",
            "garbage",
            "a Photoshop signature",
            e({UNSUPPORTED}),
            _file("x.psd", lambda: b"8BPS" + random_bytes(200, 4)),
        ),
        # broken files
        (
            "truncated_jpeg",
            "broken",
            "a JPEG cut at 60%",
            e({INVALID}),
            _file("cut.jpg", lambda: jpeg()[: len(jpeg()) * 6 // 10]),
        ),
        (
            "truncated_png",
            "broken",
            "a PNG cut at 60%",
            e({INVALID}),
            _file("cut.png", lambda: png()[: len(png()) * 6 // 10]),
        ),
        (
            "header_only_jpeg",
            "broken",
            "a JPEG cut right after its scan header",
            e({INVALID}),
            _file("head.jpg", lambda: jpeg()[: jpeg_scan_start(jpeg())]),
        ),
        (
            "corrupt_scan_jpeg",
            "broken",
            "a JPEG with 40 bytes of its scan flipped",
            e({INVALID, VERDICT}),
            _file("scan.jpg", _corrupt_scan),
        ),
        (
            "bad_crc_png",
            "broken",
            "a PNG with a wrong IHDR checksum",
            e({INVALID}),
            _file("crc.png", lambda: png()[:29] + b"\0\0\0\0" + png()[33:]),
        ),
        (
            "zero_size_png",
            "broken",
            "a PNG whose header says 0 x 0",
            e({INVALID}),
            _file("zero.png", lambda: png_header_only(0, 0)),
        ),
        (
            "zero_height_jpeg",
            "broken",
            "a JPEG whose header says 400 x 0",
            e({INVALID}),
            _file("zero.jpg", lambda: jpeg_with_size(jpeg(), 400, 0)),
        ),
        (
            "garbage_exif",
            "broken",
            "a JPEG with a random EXIF block",
            e({VERDICT}),
            _file("exif.jpg", lambda: jpeg_with_app1(jpeg(), b"Exif\0\0" + random_bytes(3000, 6))),
        ),
        (
            "exif_orientation_9",
            "broken",
            "EXIF orientation 9 (out of range)",
            e({VERDICT}),
            _file("o9.jpg", lambda: encode(portrait(), "JPEG", exif=exif_orientation_bytes(9))),
        ),
        # decompression bombs and size limits
        (
            "bomb_png",
            "size",
            "PNG header claims 100000 x 100000",
            e({TOO_LARGE}),
            _file("bomb.png", lambda: png_header_only(100_000, 100_000)),
        ),
        (
            "bomb_jpeg",
            "size",
            "JPEG header claims 65535 x 65535 (the JPEG maximum)",
            e({TOO_LARGE}),
            _file("bomb.jpg", lambda: jpeg_with_size(jpeg(), 65535, 65535)),
        ),
        (
            "bomb_gif",
            "size",
            "GIF screen claims 65535 x 65535",
            e({TOO_LARGE}),
            _file(
                "bomb.gif",
                lambda: (
                    encode(np.zeros((4, 4), np.uint8), "GIF")[:6]
                    + b"\xff\xff\xff\xff"
                    + encode(np.zeros((4, 4), np.uint8), "GIF")[10:]
                ),
            ),
        ),
        (
            "bomb_gif_offset",
            "size",
            "GIF frame placed at (65000, 65000)",
            e({TOO_LARGE}),
            _file("offset.gif", gif_bomb_offset),
        ),
        (
            "bomb_webp",
            "size",
            "WebP header claims 16384 x 16384",
            e({TOO_LARGE}),
            _file("bomb.webp", lambda: webp_lossless_with_size(16384, 16384)),
        ),
        (
            "bomb_tiff",
            "size",
            "TIFF header claims 100000 x 100000",
            e({TOO_LARGE}),
            _file("bomb.tif", lambda: tiff_header_only(100_000, 100_000)),
        ),
        (
            "bomb_bmp",
            "size",
            "BMP header claims 100000 x 100000",
            e({TOO_LARGE}),
            _file("bomb.bmp", lambda: bmp_header_only(100_000, 100_000)),
        ),
        (
            "png_text_bomb",
            "size",
            "PNG with a zTXt chunk inflating to 16 MB",
            e({INVALID, VERDICT}),
            _file(
                "ztxt.png",
                lambda: png_with_chunk(
                    encode(np.zeros((64, 64, 3), np.uint8), "PNG"),
                    png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * 16_000_000, 9)),
                ),
            ),
        ),
        (
            "over_limit_png",
            "size",
            "a valid 7200 x 7200 PNG (51.8 MP > 50 MP)",
            e({TOO_LARGE}),
            _file("big.png", _over_limit_png),
        ),
        ("sparse_2gib", "size", "a 2 GiB (sparse) file", e({TOO_LARGE}), _sparse),
        (
            "large_24mp_jpeg",
            "size",
            "a valid 4000 x 6000 JPEG (24 MP)",
            e({VERDICT}),
            _file("large.jpg", _large_jpeg),
        ),
        (
            "jpeg_many_scans",
            "size",
            "6 MP progressive JPEG with 2000 extra scans (a decoding-time bomb)",
            e({INVALID}),
            _file("scans.jpg", lambda: jpeg_many_scans(2000)),
        ),
        (
            "tiny_1x1",
            "size",
            "a 1 x 1 PNG",
            e({VERDICT}),
            _file("1x1.png", lambda: encode(np.full((1, 1, 3), 200, np.uint8), "PNG")),
        ),
        (
            "tiny_10x10",
            "size",
            "a 10 x 10 JPEG",
            e({VERDICT}),
            _file("10x10.jpg", lambda: encode(portrait()[::60, ::40], "JPEG")),
        ),
        (
            "strip_1x40000",
            "size",
            "a 1 x 40000 PNG strip",
            e({VERDICT}),
            _file("strip.png", lambda: encode(np.full((40000, 1, 3), 128, np.uint8), "PNG")),
        ),
        # formats
        ("jpeg", "format", "baseline JPEG portrait", e({VERDICT}), _file("portrait.jpg", jpeg)),
        (
            "progressive_jpeg",
            "format",
            "progressive JPEG",
            e({VERDICT}),
            _file("prog.jpg", lambda: encode(portrait(), "JPEG", quality=90, progressive=True)),
        ),
        (
            "cmyk_jpeg",
            "format",
            "CMYK JPEG",
            e({VERDICT}),
            _file("cmyk.jpg", lambda: encode(portrait(), "JPEG", mode="CMYK", quality=90)),
        ),
        (
            "grey_jpeg",
            "format",
            "greyscale JPEG",
            e({VERDICT}),
            _file("grey.jpg", lambda: encode(portrait(), "JPEG", mode="L")),
        ),
        (
            "mpo",
            "format",
            "multi-picture JPEG (MPO, as phones write)",
            e({VERDICT}),
            _file("phone.jpg", _mpo),
        ),
        ("png16_grey", "format", "16-bit greyscale PNG", e({VERDICT}), _file("g16.png", _grey16)),
        (
            "grey_alpha_png",
            "format",
            "grey + alpha PNG",
            e({VERDICT}),
            _file("la.png", _grey_alpha),
        ),
        (
            "rgba_png",
            "format",
            "RGBA PNG with a transparent band",
            e({VERDICT}),
            _file("rgba.png", _rgba),
        ),
        (
            "palette_png",
            "format",
            "palette PNG (64 colours)",
            e({VERDICT}),
            _file("p.png", lambda: encode(portrait(), "PNG", mode="P")),
        ),
        (
            "palette_trns_png",
            "format",
            "palette PNG with a transparent colour",
            e({VERDICT}),
            _file("pt.png", _palette_transparent),
        ),
        (
            "bilevel_png",
            "format",
            "1-bit PNG",
            e({VERDICT}),
            _file("bw.png", lambda: encode(portrait(), "PNG", mode="1")),
        ),
        (
            "animated_gif",
            "format",
            "animated GIF (first frame is the portrait)",
            e({VERDICT}),
            _file("anim.gif", _animated_gif),
        ),
        (
            "webp_lossy",
            "format",
            "lossy WebP",
            e({VERDICT}),
            _file("p.webp", lambda: encode(portrait(), "WEBP", quality=85)),
        ),
        (
            "webp_lossless",
            "format",
            "lossless WebP",
            e({VERDICT}),
            _file("pl.webp", lambda: encode(portrait(), "WEBP", lossless=True, method=0)),
        ),
        (
            "animated_webp",
            "format",
            "animated WebP",
            e({VERDICT}),
            _file("anim.webp", _animated_webp),
        ),
        (
            "multipage_tiff",
            "format",
            "2-page TIFF (first page is the portrait)",
            e({VERDICT}),
            _file("pages.tif", _multipage_tiff),
        ),
        ("bmp", "format", "BMP", e({VERDICT}), _file("p.bmp", lambda: encode(portrait(), "BMP"))),
        (
            "avif",
            "format",
            "AVIF (decoded when Pillow has libavif)",
            _avif_expectation(),
            _file("p.avif", _avif),
        ),
        (
            "avif_junk",
            "format",
            "AVIF signature then junk",
            e({INVALID, UNSUPPORTED}),
            _file("junk.avif", lambda: heif_like(b"avif")),
        ),
        (
            "heic",
            "format",
            "HEIC signature (no decoder installed)",
            e({UNSUPPORTED}),
            _file("p.heic", lambda: heif_like(b"heic")),
        ),
        (
            "hostile_name",
            "format",
            "a valid PNG whose name holds terminal escapes and HTML",
            e({VERDICT}),
            _file(HOSTILE_NAME, png),
        ),
    ]
    rows += [
        (
            f"exif_orientation_{o}",
            "orientation",
            f"PNG stored rotated, EXIF orientation {o}",
            e({VERDICT}),
            _file(f"o{o}.png", lambda o=o: oriented_png(o)),
        )
        for o in range(1, 9)
    ]
    rows += [
        # paths
        ("missing_path", "path", "a path that does not exist", e({INVALID}), lambda f: str(f / "nope.jpg")),
        ("folder", "path", "a folder", e({INVALID}), lambda f: str(f)),
        ("fifo", "path", "a named pipe (reading it would block forever)", e({INVALID}), _fifo),
        ("dev_zero", "path", "/dev/zero (endless)", e({INVALID}), lambda f: "/dev/zero"),
        ("broken_symlink", "path", "a symbolic link to nothing", e({INVALID}), lambda f: _symlink(f, "broken.jpg", "/nonexistent/x.jpg")),
        ("symlink_loop", "path", "two symbolic links pointing at each other", e({INVALID}), _loop),
        ("nul_in_path", "path", "a path string containing a NUL byte", e({INVALID}), lambda f: str(f / "a\0b.jpg")),
        # arrays
        ("float_nan", "array", "float64 portrait with one NaN", e({INVALID}), _array(lambda: _with(portrait() / 255.0, (0, 0, 0), np.nan))),
        ("float_inf", "array", "float32 portrait with one inf", e({INVALID}), _array(lambda: _with((portrait() / 255.0).astype(np.float32), (5, 5, 1), np.inf))),
        ("float_0_255", "array", "float64 with values 0-255", e({INVALID}), _array(lambda: portrait().astype(np.float64))),
        ("float_0_1", "array", "float32 with values in [0, 1]", e({VERDICT}), _array(lambda: (portrait() / 255.0).astype(np.float32))),
        ("bool", "array", "bool (H, W) mask", e({VERDICT}), _array(lambda: portrait()[..., 0] > 128)),
        ("int64", "array", "int64 with values 0-255", e({INVALID}), _array(lambda: portrait().astype(np.int64))),
        ("uint16", "array", "uint16 with values 0-65535", e({VERDICT}), _array(lambda: portrait().astype(np.uint16) * 257)),
        ("uint16_big_endian", "array", "big-endian uint16", e({VERDICT}), _array(_big_endian16)),
        ("complex", "array", "complex128", e({INVALID}), _array(lambda: portrait().astype(np.complex128))),
        ("object", "array", "object dtype", e({INVALID}), _array(lambda: portrait().astype(object))),
        ("rank_1", "array", "1-D array", e({INVALID}), _array(lambda: portrait().ravel())),
        ("rank_4", "array", "batch (1, H, W, 3)", e({INVALID}), _array(lambda: portrait()[None])),
        ("channels_first", "array", "channels-first (3, H, W)", e({INVALID}), _array(lambda: portrait().transpose(2, 0, 1))),
        ("two_channels", "array", "(H, W, 2)", e({INVALID}), _array(lambda: portrait()[..., :2])),
        ("zero_size", "array", "shape (0, 400, 3)", e({INVALID}), _array(lambda: np.zeros((0, 400, 3), np.uint8))),
        ("non_contiguous", "array", "strided view portrait[::2, ::2]", e({VERDICT}), _array(_strided)),
        ("fortran_order", "array", "Fortran-ordered portrait", e({VERDICT}), _array(_fortran)),
        ("read_only", "array", "read-only portrait", e({VERDICT}), _array(portrait)),
        ("array_1x1", "array", "1 x 1 uint8", e({VERDICT}), _array(lambda: np.zeros((1, 1, 3), np.uint8))),
        ("huge_array", "array", "a 10000 x 10000 grey array (100 MP, as a view of one row)", e({TOO_LARGE}), _array(lambda: np.broadcast_to(np.zeros((1, 10000), np.uint8), (10000, 10000)))),
        ("not_an_image", "array", "a Python list", e({INVALID}), _array(lambda: [[0, 0, 0]])),
    ]  # fmt: skip
    return [Case(*row) for row in rows]


def _with(array: np.ndarray, index: tuple[int, ...], value: float) -> np.ndarray:
    out = np.array(array, dtype=array.dtype)
    out[index] = value
    return out
