"""Turn whatever the caller passed into one RGB uint8 array, or raise a clear error.

This is the only module that decodes images, and it assumes the input is hostile: photos
arrive from public upload forms. It accepts a path (str or Path), bytes, a binary file
object, a NumPy array or a PIL image, and returns a :class:`LoadedImage`.

Hardening, in the order it is applied:

* files: only regular files are read (a FIFO or ``/dev/zero`` would hang), and at most
  :func:`max_file_bytes` bytes are read from a path or file object;
* formats: the file type is identified from its signature and only JPEG, PNG, WebP, GIF,
  TIFF, BMP (and AVIF when Pillow has a decoder) are handed to Pillow, through the format's
  own plugin class. PDF, HEIC, PSD, EPS, SVG... get :class:`UnsupportedFormatError` without
  any Pillow plugin touching them (Pillow's EPS plugin would run Ghostscript);
* size: the pixel count is read from the header and checked against ``max_pixels`` before
  any pixel buffer is allocated (decompression bombs); Pillow's own bomb check (a
  ``DecompressionBombWarning`` / ``DecompressionBombError`` driven by the process-wide
  ``PIL.Image.MAX_IMAGE_PIXELS``) is neither changed nor allowed to leak out;
* warnings: Pillow warns about malformed files (corrupt EXIF, odd TIFF tags...). Those
  warnings are caught while decoding (under a lock, because :mod:`warnings` state is
  process-wide) and dropped; warnings that other threads raise meanwhile are re-emitted;
* every exception Pillow raises on bad data becomes :class:`InvalidImageError`.
"""

from __future__ import annotations

import io
import os
import stat
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import ImageTooLargeError, InvalidImageError, PhotocheckError, UnsupportedFormatError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "MAX_JPEG_SCANS",
    "LoadedImage",
    "PhotoInput",
    "load_image",
    "max_file_bytes",
]

DEFAULT_MAX_PIXELS = 50_000_000
# Progressive JPEGs from cameras, phones and encoders have 1-12 scans (mozjpeg about 10);
# more than this is refused (each scan costs a pass over the whole image).
MAX_JPEG_SCANS = 100
PhotoInput = Any  # str | Path | bytes | BinaryIO | np.ndarray | PIL.Image.Image

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_ACCEPTED = "a path, bytes, a binary file object, a NumPy array or a PIL image"
_READABLE = "JPEG, PNG, WebP, GIF, TIFF, BMP"
_ARRAY_SHAPES = "(H, W) grey, (H, W, 1) grey, (H, W, 3) RGB or (H, W, 4) RGBA"
_ARRAY_DTYPES = "uint8 (0-255), uint16 (0-65535), bool, or float in [0, 1] without NaN/inf"
# Bytes per pixel of the widest layout we decode (16-bit RGBA), plus room for metadata:
# a file larger than this for the pixel limit is not an image we would accept anyway.
_BYTES_PER_PIXEL = 8
_METADATA_BYTES = 16 * 1024 * 1024
# ISO base media file brands (HEIF family). AVIF brands are decoded when Pillow can.
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
# Serialises the (process-wide) warnings capture around Pillow calls.
_WARNINGS_LOCK = threading.RLock()
_PIL_DIR: str | None = None
# Standard IJG luminance quantisation table (quality 50), used to estimate JPEG quality.
_IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
    56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
    104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo and what is known about its file.

    Attributes
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The pixels, upright (EXIF orientation applied), C-contiguous, read-only.
    source : str
        A short description of the input (file name, ``"<bytes>"``, ``"<array>"``...). It
        comes from the input and may hold any character: escape it before display.
    format : str or None
        The file format as PIL names it (``"JPEG"``, ``"PNG"``...), None for arrays. A
        multi-picture JPEG from a phone (Pillow's "MPO") is reported as ``"JPEG"``.
    mode : str
        The colour mode before conversion (``"RGB"``, ``"L"``, ``"RGBA"``, ``"CMYK"``...).
    file_bytes : int or None
        Size of the encoded file, None when the input was not encoded.
    jpeg_quality : float or None
        Quality (1-100) estimated from the JPEG quantisation tables, None for other formats.
    exif_orientation : int
        The EXIF orientation tag that was applied (1 = upright, absent or invalid).

    """

    rgb: NDArray[np.uint8]
    source: str
    format: str | None
    mode: str
    file_bytes: int | None
    jpeg_quality: float | None
    exif_orientation: int = 1

    @property
    def height(self) -> int:
        """Height in pixels (after EXIF orientation)."""
        return int(self.rgb.shape[0])

    @property
    def width(self) -> int:
        """Width in pixels (after EXIF orientation)."""
        return int(self.rgb.shape[1])

    @property
    def is_grey_mode(self) -> bool:
        """Whether the source stored a single grey channel."""
        return self.mode in _GREY_MODES or self.mode.startswith("I;16")


def max_file_bytes(max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """Return the largest encoded file (in bytes) read for a given pixel limit.

    An image within ``max_pixels`` needs at most 8 bytes per pixel (16-bit RGBA,
    uncompressed) plus metadata; larger files are refused before they are read in full.

    Parameters
    ----------
    max_pixels : int, optional
        The pixel limit (default :data:`DEFAULT_MAX_PIXELS`).

    Returns
    -------
    int
        ``8 * max_pixels + 16 MiB``.

    Examples
    --------
    >>> max_file_bytes(1_000_000)
    24777216

    """
    return _BYTES_PER_PIXEL * max_pixels + _METADATA_BYTES


def load_image(photo: PhotoInput, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode ``photo`` into an upright RGB uint8 array.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo. Files may be JPEG, PNG, WebP, GIF, TIFF or BMP (AVIF when Pillow has an
        AVIF decoder); for animated or multi-page files the first frame is used, and the
        EXIF orientation is applied. Transparent pixels are composited over white.

        Arrays are copied, never modified, and may be non-contiguous or read-only. Shapes:
        (H, W) or (H, W, 1) grey, (H, W, 3) RGB, (H, W, 4) RGBA. Dtypes, the unambiguous
        ones only:

        - ``uint8``: used as is (0-255);
        - ``uint16`` (either byte order): full range, 65535 -> 255;
        - ``bool``: False -> 0 (black), True -> 255 (white);
        - ``float16/32/64`` with every value finite and in [0, 1] (scikit-image's
          convention): 1.0 -> 255.

        Everything else is refused with :class:`InvalidImageError` naming what was received:
        NaN or inf, floats outside [0, 1] (is 200.0 a 0-255 value or an overexposed 0-1
        value?), signed or wider integers (int64 from ``np.array([[...]])`` too: convert with
        ``.astype(np.uint8)`` when the values are 0-255), complex, object, two channels,
        channels-first (3, H, W), batches (1, H, W, 3), zero-size arrays.
    max_pixels : int, optional
        Refuse images with more pixels than this (checked from the file header before
        decoding). Default 50 megapixels. Files larger than :func:`max_file_bytes` are
        refused without being read in full.

    Returns
    -------
    LoadedImage

    Raises
    ------
    InvalidImageError
        The input is not a readable image, or has the wrong type, shape or dtype; the path
        does not exist, is a folder or a special file, or cannot be read; a JPEG has more
        than :data:`MAX_JPEG_SCANS` scans.
    UnsupportedFormatError
        The data is a format photocheck does not decode (HEIC, AVIF without a decoder, PDF,
        PSD, SVG...). A subclass of InvalidImageError.
    ImageTooLargeError
        The image has more than ``max_pixels`` pixels, or the file is larger than
        :func:`max_file_bytes`. A subclass of InvalidImageError.

    Examples
    --------
    >>> import numpy as np
    >>> image = load_image(np.zeros((4, 6), dtype=bool))
    >>> image.rgb.shape, image.mode
    ((4, 6, 3), 'L')
    >>> load_image(np.full((4, 6), 300.0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    photocheck.errors.InvalidImageError: float64 array has values in [300, 300]; float ...

    """
    import numpy as np

    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise PhotocheckError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    if isinstance(photo, LoadedImage):
        return photo
    if isinstance(photo, np.ndarray):
        return _from_array(photo, max_pixels)
    if isinstance(photo, str | os.PathLike):
        return _from_path(photo, max_pixels)
    if isinstance(photo, bytes | bytearray | memoryview):
        return _from_bytes(bytes(photo), "<bytes>", max_pixels)
    if hasattr(photo, "read"):
        return _from_file(photo, max_pixels)
    if type(photo).__module__.startswith("PIL."):
        with _pil_guard("<PIL image>"):
            return _from_pil(photo, "<PIL image>", None, max_pixels)
    raise InvalidImageError(
        f"cannot read a photo from {type(photo).__name__}: expected {_ACCEPTED}"
    )


# --- files ----------------------------------------------------------------------------------


def _from_path(photo: str | os.PathLike[str], max_pixels: int) -> LoadedImage:
    try:
        path = Path(photo)
        shown = repr(str(path))
        info = path.stat()
    except (TypeError, ValueError) as exc:  # e.g. an embedded NUL byte
        raise InvalidImageError(f"not a usable file path: {exc}") from None
    except FileNotFoundError:
        hint = " (a broken symbolic link)" if path.is_symlink() else ""
        raise InvalidImageError(f"no such file: {shown}{hint}") from None
    except OSError as exc:
        raise InvalidImageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidImageError(f"{shown} is a folder, not an image file")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidImageError(
            f"{shown} is not a regular file (a device, pipe or socket); expected an image file"
        )
    limit = max_file_bytes(max_pixels)
    if info.st_size > limit:
        raise ImageTooLargeError(_file_too_large(path.name, info.st_size, limit))
    try:
        with path.open("rb") as handle:
            # read(n) allocates n bytes up front: ask for the file's size, not the limit.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # the file grew after stat()
                data += _read_bounded(handle, limit + 1 - len(data))
    except OSError as exc:
        raise InvalidImageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(data) > limit:  # the file grew after stat()
        raise ImageTooLargeError(_file_too_large(path.name, len(data), limit))
    return _from_bytes(data, path.name, max_pixels)


def _from_file(fileobj: BinaryIO, max_pixels: int) -> LoadedImage:
    name = getattr(fileobj, "name", None)
    source = Path(name).name if isinstance(name, str) else "<file>"
    limit = max_file_bytes(max_pixels)
    try:
        data = _read_bounded(fileobj, limit + 1)
    except Exception as exc:
        raise InvalidImageError(
            f"cannot read from the file object: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(data, bytes | bytearray):
        raise InvalidImageError(
            f"the file object returned {type(data).__name__}, not bytes: open it in binary mode"
        )
    if len(data) > limit:
        raise ImageTooLargeError(_file_too_large(_label(source), len(data), limit, at_least=True))
    return _from_bytes(bytes(data), source, max_pixels)


def _read_bounded(fileobj: Any, size: int) -> Any:
    """Read at most ``size`` bytes in 1 MiB pieces (``read(size)`` would allocate ``size``)."""
    first = fileobj.read(min(size, 2**20))
    if not isinstance(first, bytes | bytearray) or len(first) < min(size, 2**20):
        return first  # all of it, or not bytes (the caller reports that)
    pieces, total = [bytes(first)], len(first)
    while total < size:
        piece = fileobj.read(min(size - total, 2**20))
        if not piece:
            break
        pieces.append(bytes(piece))
        total += len(piece)
    return b"".join(pieces)


def _file_too_large(source: str, size: int, limit: int, *, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"{source}: the file is {more}{size / 2**20:.1f} MiB; at most {limit / 2**20:.1f} MiB "
        "is read for the pixel limit (raise max_pixels to allow larger files)"
    )


def _from_bytes(data: bytes, source: str, max_pixels: int) -> LoadedImage:
    label = _label(source)
    if not data:
        raise InvalidImageError(f"{label}: the file is empty (0 bytes)")
    limit = max_file_bytes(max_pixels)
    if len(data) > limit:
        raise ImageTooLargeError(_file_too_large(label, len(data), limit))
    fmt = _sniff(data, label)
    if fmt == "JPEG":
        _check_jpeg_scans(data, label)
    header_size = _header_size(fmt, data)
    if header_size is not None:
        _check_pixels(label, *header_size, max_pixels)
    with _pil_guard(label):
        im = _open(fmt, data)
        try:
            return _from_pil(im, source, len(data), max_pixels)
        finally:
            im.close()


def _sniff(data: bytes, source: str) -> str:
    """Name the format from the file signature, or raise saying what the data is."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "TIFF"
    if head.startswith(b"BM") and len(head) >= 26:
        return "BMP"
    if head[4:8] == b"ftyp":
        brands = _ftyp_brands(data)
        if brands & _AVIF_BRANDS and _avif_supported():
            return "AVIF"
        kind = "AVIF" if brands & _AVIF_BRANDS else "HEIC/HEIF"
        if not brands & (_AVIF_BRANDS | _HEIF_BRANDS):
            raise UnsupportedFormatError(
                f"{source}: an ISO media file (brand {head[8:12].decode('ascii', 'replace')!r}), "
                f"not an image photocheck reads ({_READABLE})"
            )
        raise UnsupportedFormatError(
            f"{source}: {kind} image and no decoder for it is installed; "
            f"convert it to JPEG or PNG (photocheck reads {_READABLE})"
        )
    other = _other_format(head)
    if other is not None:
        raise UnsupportedFormatError(
            f"{source}: {other}, not an image photocheck reads; send a JPEG or PNG "
            f"(accepted: {_READABLE})"
        )
    return _unknown(data, source)


def _ftyp_brands(data: bytes) -> set[bytes]:
    size = int.from_bytes(data[:4], "big")
    end = min(max(size, 16), 4096, len(data))
    brands = {data[8:12]}
    brands.update(data[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def _avif_supported() -> bool:
    try:
        from PIL import features

        return bool(features.check("avif"))
    except Exception:
        return False


def _other_format(head: bytes) -> str | None:
    signatures = (
        (b"%PDF", "a PDF document"),
        (b"%!PS", "a PostScript/EPS document"),
        (b"\xc5\xd0\xd3\xc6", "an EPS document"),
        (b"8BPS", "a Photoshop (PSD) file"),
        (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
        (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
        (b"\x00\x00\x01\x00", "an icon (ICO) file"),
        (b"PK\x03\x04", "a ZIP archive (or an office document)"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"\xff\x0a", "a JPEG XL image"),
        (b"\x00\x00\x00\x0cJXL ", "a JPEG XL image"),
        (b"qoif", "a QOI image"),
    )
    for prefix, name in signatures:
        if head.startswith(prefix):
            return name
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")):
        return "an SVG or XML document"
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML document"
    if len(head) >= 2 and head[0:1] == b"P" and head[1:2] in b"123456":
        return "a PNM/PPM image"
    return None


def _unknown(data: bytes, source: str) -> str:
    head = data[:512]
    if all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        raise InvalidImageError(
            f"{source}: a text file, not an image; photocheck reads {_READABLE} files"
        )
    raise InvalidImageError(
        f"{source}: not an image in a format photocheck reads ({_READABLE}): "
        "the file signature is not one of theirs"
    )


def _check_jpeg_scans(data: bytes, label: str) -> None:
    """Refuse progressive JPEGs with an absurd number of scans (a decoding-time bomb).

    Each scan makes libjpeg revisit every block of the image, so a small file holding
    thousands of tiny scans takes seconds to minutes to decode. ``FF DA`` (start of scan)
    cannot occur inside entropy-coded data (an ``FF`` there is followed by ``00`` or a
    restart marker), so counting it bounds the number of scans from above.
    """
    scans = data.count(b"\xff\xda")
    if scans > MAX_JPEG_SCANS:
        raise InvalidImageError(
            f"{label}: a JPEG with {scans} scans; photocheck decodes at most {MAX_JPEG_SCANS} "
            "(camera and phone JPEGs have 1 to about 12): refused as a denial-of-service risk"
        )


def _header_size(fmt: str, data: bytes) -> tuple[int, int] | None:
    """Width and height from formats whose Pillow plugin allocates pixels when opening."""
    if fmt == "WEBP":
        return _webp_size(data)
    if fmt == "AVIF":
        return _avif_size(data)
    return None  # Pillow's other plugins only parse the header when opening


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8 " and len(data) >= 30:
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def _avif_size(data: bytes) -> tuple[int, int] | None:
    """Return the largest ``ispe`` (image spatial extents) box in the file."""
    best: tuple[int, int] | None = None
    start = data.find(b"ispe")
    while start != -1 and start + 16 <= len(data):
        width = int.from_bytes(data[start + 8 : start + 12], "big")
        height = int.from_bytes(data[start + 12 : start + 16], "big")
        if best is None or width * height > best[0] * best[1]:
            best = (width, height)
        start = data.find(b"ispe", start + 4)
    return best


def _open(fmt: str, data: bytes) -> Any:
    """Open ``data`` with the plugin class of ``fmt`` only (parses the header, no pixels).

    Calling the plugin class directly, rather than ``PIL.Image.open``, skips Pillow's
    process-wide decompression-bomb check (we check against ``max_pixels`` instead) and the
    MPO detour of Pillow's JPEG factory (the first picture of an MPO file is its JPEG).
    """
    from PIL import (
        BmpImagePlugin,
        GifImagePlugin,
        JpegImagePlugin,
        PngImagePlugin,
        TiffImagePlugin,
        WebPImagePlugin,
    )

    classes: dict[str, Any] = {
        "JPEG": JpegImagePlugin.JpegImageFile,
        "PNG": PngImagePlugin.PngImageFile,
        "GIF": GifImagePlugin.GifImageFile,
        "WEBP": WebPImagePlugin.WebPImageFile,
        "TIFF": TiffImagePlugin.TiffImageFile,
        "BMP": BmpImagePlugin.BmpImageFile,
    }
    if fmt == "AVIF":
        from PIL import AvifImagePlugin

        classes["AVIF"] = AvifImagePlugin.AvifImageFile
    return classes[fmt](io.BytesIO(data))


def _check_pixels(source: str, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{source}: {width} x {height} pixels ({width * height / 1e6:.1f} MP) is more than "
            f"the limit of {max_pixels / 1e6:.1f} MP; send a smaller photo or raise max_pixels"
        )
    if width < 1 or height < 1:
        raise InvalidImageError(f"{source}: the image has no pixels ({width} x {height})")


@contextmanager
def _pil_guard(source: str) -> Iterator[None]:
    """Run Pillow code: its warnings are dropped and its errors become ours.

    ``warnings.catch_warnings`` changes process-wide state, so it runs under a lock; warnings
    raised by other code (e.g. other threads) while it is active are re-emitted afterwards.
    """
    from PIL import Image

    caught: list[warnings.WarningMessage] = []
    try:
        with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            except PhotocheckError:
                raise
            except Image.DecompressionBombError as exc:
                raise ImageTooLargeError(
                    f"{source}: refused by Pillow's process-wide limit "
                    f"(PIL.Image.MAX_IMAGE_PIXELS): {exc}"
                ) from None
            except MemoryError:
                raise ImageTooLargeError(
                    f"{source}: not enough memory to decode this image; send a smaller photo"
                ) from None
            except (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError) as exc:
                raise InvalidImageError(_corrupt(source, exc)) from None
            except (TypeError, AttributeError, ZeroDivisionError, OverflowError) as exc:
                # Pillow plugins raise these on some malformed headers.
                raise InvalidImageError(_corrupt(source, exc)) from None
            except Exception as exc:
                if type(exc).__module__.startswith(("PIL", "struct", "zlib", "_")):
                    raise InvalidImageError(_corrupt(source, exc)) from None
                raise
    finally:
        for w in caught:
            if not _is_pil_warning(w):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _label(text: str) -> str:
    """Return ``text`` (a file name from the input) with control characters made visible.

    Error messages quote names from the input; escaping here keeps terminal escape
    sequences out of any log or console the message reaches.
    """
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


def _corrupt(source: str, exc: BaseException) -> str:
    detail = _label(str(exc) or type(exc).__name__)
    return f"{source}: not a readable image: the data is corrupt or truncated ({detail})"


def _is_pil_warning(w: warnings.WarningMessage) -> bool:
    global _PIL_DIR
    if _PIL_DIR is None:
        import PIL

        _PIL_DIR = os.path.dirname(os.path.abspath(PIL.__file__))
    from PIL import Image

    if issubclass(w.category, Image.DecompressionBombWarning):
        return True
    return os.path.abspath(w.filename).startswith(_PIL_DIR)


# --- decoding ---------------------------------------------------------------------------------


def _from_pil(im: Any, source: str, file_bytes: int | None, max_pixels: int) -> LoadedImage:
    import numpy as np
    from PIL import Image

    label = _label(source)
    width, height = im.size
    _check_pixels(label, width, height, max_pixels)
    fmt = im.format
    if fmt == "MPO":
        fmt = "JPEG"
    quality = _jpeg_quality(im) if fmt == "JPEG" else None
    orientation = _orientation(im)
    mode = im.mode
    im.load()
    if im.size != (width, height):  # a plugin may only know the size once it decodes
        _check_pixels(label, im.size[0], im.size[1], max_pixels)
    try:
        rgb = _to_rgb(im, np, Image)
    except ValueError as exc:
        raise InvalidImageError(
            f"{label}: cannot convert colour mode {im.mode!r} to RGB ({exc})"
        ) from None
    rgb = _apply_orientation(rgb, orientation, np)
    rgb.setflags(write=False)
    return LoadedImage(rgb, source, fmt, mode, file_bytes, quality, orientation)


def _orientation(im: Any) -> int:
    """Return the EXIF orientation (1-8); 1 when absent, unreadable or out of range."""
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:
        return 1
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    return 1


def _to_rgb(im: Any, np: Any, image_module: Any) -> Any:
    mode = im.mode
    if mode == "RGB":
        return np.array(im, dtype=np.uint8)
    if mode.startswith("I;16"):
        return _grey_to_rgb(_u16_to_u8(np.asarray(im), np), np)
    if mode == "I":
        arr = np.clip(np.asarray(im, dtype=np.int64), 0, 65535)
        return _grey_to_rgb(_u16_to_u8(arr, np), np)
    if mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        finite = np.isfinite(arr)
        arr = np.where(finite, arr, 0.0)
        top = max(float(arr.max()), 1.0)
        return _grey_to_rgb(np.clip(arr * (255.0 / top) + 0.5, 0, 255).astype(np.uint8), np)
    if "A" in mode or "a" in mode or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = image_module.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.array(image_module.alpha_composite(white, rgba).convert("RGB"), dtype=np.uint8)
    return np.array(im.convert("RGB"), dtype=np.uint8)


def _u16_to_u8(arr: Any, np: Any) -> Any:
    """Scale 0-65535 to 0-255 with rounding (65535 -> 255, 32767 -> 127)."""
    return ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


def _grey_to_rgb(grey: Any, np: Any) -> Any:
    return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))


def _apply_orientation(rgb: Any, orientation: int, np: Any) -> Any:
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
        8: lambda a: np.rot90(a, 1),
    }
    if orientation == 1:
        return np.ascontiguousarray(rgb)
    return np.ascontiguousarray(ops[orientation](rgb))


def _jpeg_quality(im: Any) -> float | None:
    tables = getattr(im, "quantization", None)
    if not tables or 0 not in tables:
        return None
    lum = list(tables[0])
    if len(lum) != 64:
        return None
    scale = 100.0 * sum(lum) / sum(_IJG_LUMINANCE)
    if scale <= 0:
        return None
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return float(min(100.0, max(1.0, round(quality, 1))))


# --- arrays -----------------------------------------------------------------------------------


def _from_array(arr: Any, max_pixels: int) -> LoadedImage:
    import numpy as np

    arr = np.asarray(arr)  # a subclass (matrix, masked array) as a plain view
    received = f"{arr.dtype} array of shape {arr.shape}"
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise InvalidImageError(f"{received}: expected {_ARRAY_SHAPES}{_shape_hint(arr.shape)}")
    height, width = arr.shape[:2]
    if height == 0 or width == 0:
        raise InvalidImageError(f"{received}: the image has no pixels; expected {_ARRAY_SHAPES}")
    if height * width > max_pixels:
        raise ImageTooLargeError(
            f"array of {width} x {height} pixels ({width * height / 1e6:.1f} MP) is more than "
            f"the limit of {max_pixels / 1e6:.1f} MP"
        )
    data = _array_to_uint8(arr, np)
    if data.ndim == 2:
        rgb, mode = _grey_to_rgb(data, np), "L"
    elif data.shape[2] == 4:
        alpha = data[:, :, 3:4].astype(np.float32) / 255.0
        rgb = (data[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
        mode = "RGBA"
    else:
        rgb, mode = data, "RGB"
    rgb = np.array(rgb, dtype=np.uint8, order="C", copy=True)  # never share the caller's memory
    rgb.setflags(write=False)
    return LoadedImage(rgb, "<array>", None, mode, None, None, 1)


def _array_to_uint8(arr: Any, np: Any) -> Any:
    """Convert an accepted dtype to uint8 (a new array or a read-only use of ``arr``)."""
    kind, dtype = arr.dtype.kind, arr.dtype
    if dtype == np.uint8:
        return arr
    if kind == "b":
        return arr.astype(np.uint8) * np.uint8(255)
    if kind == "u" and dtype.itemsize == 2:
        return _u16_to_u8(arr, np)
    if kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            nan = int(np.isnan(arr).sum())
            inf = int(arr.size - finite.sum()) - nan
            raise InvalidImageError(
                f"{dtype} array holds {nan} NaN and {inf} infinite values; expected "
                f"{_ARRAY_DTYPES}. Replace them first, e.g. with np.nan_to_num"
            )
        low, high = float(arr.min()), float(arr.max())
        if low < 0.0 or high > 1.0:
            hint = ""
            if low >= 0.0 and high <= 255.0:
                hint = " If the values are 0-255, convert with arr.astype(np.uint8)."
            raise InvalidImageError(
                f"{dtype} array has values in [{low:.4g}, {high:.4g}]; float arrays must be in "
                f"[0, 1] (accepted: {_ARRAY_DTYPES}).{hint}"
            )
        return (arr.astype(np.float64) * 255.0 + 0.5).astype(np.uint8)
    hint = ""
    if kind in "iu" and arr.size:
        low, high = int(arr.min()), int(arr.max())
        if low >= 0 and high <= 255:
            hint = f" Its values are {low}-{high}: convert with arr.astype(np.uint8)."
        else:
            hint = f" Its values are {low}-{high}: scale them to 0-255 and convert to uint8."
    raise InvalidImageError(f"array dtype is {dtype}; expected {_ARRAY_DTYPES}.{hint}")


def _shape_hint(shape: tuple[int, ...]) -> str:
    if len(shape) == 3 and shape[0] in (1, 3, 4) and shape[2] not in (1, 3, 4):
        return "; this looks channels-first: use arr.transpose(1, 2, 0)"
    if len(shape) == 4 and shape[0] == 1:
        return "; this looks like a batch of one image: use arr[0]"
    if len(shape) == 3 and shape[2] == 2:
        return "; grey + alpha (2 channels) is not accepted: pass arr[:, :, 0] or add colour"
    return ""
