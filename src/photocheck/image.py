"""Turn whatever the caller passed into one RGB uint8 array, or raise a clear error.

This is the only module that decodes images. It accepts a path (str or Path), bytes, a binary
file object, a NumPy array (H x W x 3 RGB, H x W grey, H x W x 4 RGBA, all uint8) or a PIL
image; it applies the EXIF orientation and refuses images over a pixel limit from the header,
before any pixel is decoded.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .errors import ImageTooLargeError, InvalidImageError, UnsupportedFormatError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["DEFAULT_MAX_PIXELS", "LoadedImage", "PhotoInput", "load_image"]

DEFAULT_MAX_PIXELS = 50_000_000
PhotoInput = Any  # str | Path | bytes | BinaryIO | np.ndarray | PIL.Image.Image

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_ACCEPTED = "a path, bytes, a binary file object, a NumPy uint8 array or a PIL image"
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
        A short description of the input (file name, ``"<bytes>"``, ``"<array>"``...).
    format : str or None
        The file format as PIL names it (``"JPEG"``, ``"PNG"``...), None for arrays.
    mode : str
        The colour mode before conversion (``"RGB"``, ``"L"``, ``"RGBA"``, ``"CMYK"``...).
    file_bytes : int or None
        Size of the encoded file, None when the input was not encoded.
    jpeg_quality : float or None
        Quality (1-100) estimated from the JPEG quantisation tables, None for other formats.
    exif_orientation : int
        The EXIF orientation tag that was applied (1 = upright or absent).
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


def load_image(photo: PhotoInput, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode ``photo`` into an upright RGB uint8 array.

    Parameters
    ----------
    photo : str, Path, bytes, binary file, ndarray or PIL.Image.Image
        The photo. Arrays must be uint8 with shape (H, W), (H, W, 3) or (H, W, 4); they are
        copied, never modified.
    max_pixels : int, optional
        Refuse images with more pixels than this (checked from the file header before
        decoding). Default 50 megapixels.

    Returns
    -------
    LoadedImage

    Raises
    ------
    InvalidImageError
        The input is not a readable image, or has the wrong type, shape or dtype.
    UnsupportedFormatError
        The data is an image format no installed decoder reads (e.g. HEIC, AVIF).
    ImageTooLargeError
        The image has more than ``max_pixels`` pixels.
    """
    import numpy as np

    if isinstance(photo, LoadedImage):
        return photo
    if isinstance(photo, np.ndarray):
        return _from_array(photo, max_pixels)
    if isinstance(photo, str | os.PathLike):
        return _from_path(Path(photo), max_pixels)
    if isinstance(photo, bytes | bytearray | memoryview):
        data = bytes(photo)
        return _from_bytes(data, "<bytes>", max_pixels)
    if hasattr(photo, "read"):
        return _from_file(photo, max_pixels)
    if type(photo).__module__.startswith("PIL."):
        return _from_pil(photo, "<PIL image>", None, max_pixels)
    raise InvalidImageError(f"cannot read a photo from {type(photo).__name__}: expected {_ACCEPTED}")


def _from_path(path: Path, max_pixels: int) -> LoadedImage:
    if not path.exists():
        raise InvalidImageError(f"no such file: {str(path)!r}")
    if path.is_dir():
        raise InvalidImageError(f"{str(path)!r} is a folder, not an image file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidImageError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    return _from_bytes(data, path.name, max_pixels)


def _from_file(fileobj: BinaryIO, max_pixels: int) -> LoadedImage:
    try:
        data = fileobj.read()
    except (OSError, ValueError) as exc:
        raise InvalidImageError(f"cannot read from the file object: {exc}") from None
    if not isinstance(data, bytes | bytearray):
        raise InvalidImageError(
            f"the file object returned {type(data).__name__}, not bytes: open it in binary mode"
        )
    name = getattr(fileobj, "name", None)
    source = Path(name).name if isinstance(name, str) else "<file>"
    return _from_bytes(bytes(data), source, max_pixels)


def _from_bytes(data: bytes, source: str, max_pixels: int) -> LoadedImage:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidImageError(f"{source}: the file is empty (0 bytes)")
    try:
        im = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise _unidentified(data, source) from None
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{source}: {exc}") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InvalidImageError(f"{source}: not a readable image ({exc})") from None
    return _from_pil(im, source, len(data), max_pixels)


def _unidentified(data: bytes, source: str) -> InvalidImageError:
    head = data[:32]
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace")
        return UnsupportedFormatError(
            f"{source}: HEIC/AVIF-family image (brand {brand!r}) and no decoder for it is "
            "installed; convert it to JPEG or PNG"
        )
    if head.startswith(b"%PDF"):
        return UnsupportedFormatError(f"{source}: a PDF document, not an image; send a JPEG or PNG")
    return InvalidImageError(
        f"{source}: not an image in a format photocheck reads (JPEG, PNG, WebP, GIF, TIFF, BMP)"
    )


def _from_pil(im: Any, source: str, file_bytes: int | None, max_pixels: int) -> LoadedImage:
    import numpy as np
    from PIL import Image

    width, height = im.size
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{source}: {width} x {height} pixels ({width * height / 1e6:.1f} MP) is more than "
            f"the limit of {max_pixels / 1e6:.1f} MP; send a smaller photo or raise max_pixels"
        )
    if width < 1 or height < 1:
        raise InvalidImageError(f"{source}: the image has no pixels ({width} x {height})")
    fmt = im.format
    quality = _jpeg_quality(im) if fmt == "JPEG" else None
    try:
        orientation = int(im.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block must not stop decoding
        orientation = 1
    mode = im.mode
    try:
        im.load()
        rgb = _to_rgb(im, np, Image)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{source}: {exc}") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InvalidImageError(f"{source}: the image data is corrupt or truncated ({exc})") from None
    rgb = _apply_orientation(rgb, orientation if 1 <= orientation <= 8 else 1, np)
    rgb.setflags(write=False)
    return LoadedImage(rgb, source, fmt, mode, file_bytes, quality, orientation)


def _to_rgb(im: Any, np: Any, image_module: Any) -> Any:
    mode = im.mode
    if mode == "RGB":
        return np.array(im, dtype=np.uint8)
    if mode.startswith("I;16") or mode in ("I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if mode != "F" else max(float(np.nanmax(arr)), 1.0)
        grey = np.clip(np.nan_to_num(arr) * (255.0 / top), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if "A" in mode or mode == "P" and "transparency" in im.info:
        rgba = im.convert("RGBA")
        white = image_module.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.array(image_module.alpha_composite(white, rgba).convert("RGB"), dtype=np.uint8)
    return np.array(im.convert("RGB"), dtype=np.uint8)


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
        return rgb
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


def _from_array(arr: Any, max_pixels: int) -> LoadedImage:
    import numpy as np

    if arr.dtype != np.uint8:
        raise InvalidImageError(
            f"array dtype is {arr.dtype}; expected uint8 (0-255). Convert first, e.g. with "
            "skimage.util.img_as_ubyte"
        )
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise InvalidImageError(
            f"array shape is {arr.shape}; expected (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA"
        )
    height, width = arr.shape[:2]
    if height == 0 or width == 0:
        raise InvalidImageError(f"array shape is {arr.shape}: the image has no pixels")
    if height * width > max_pixels:
        raise ImageTooLargeError(
            f"array of {width} x {height} pixels is more than the limit of "
            f"{max_pixels / 1e6:.1f} MP"
        )
    if arr.ndim == 2:
        rgb, mode = np.repeat(arr[:, :, None], 3, axis=2), "L"
    elif arr.shape[2] == 4:
        alpha = arr[:, :, 3:4].astype(np.float32) / 255.0
        rgb = (arr[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
        mode = "RGBA"
    else:
        rgb, mode = np.array(arr, dtype=np.uint8, order="C", copy=True), "RGB"
    rgb = np.ascontiguousarray(rgb)
    rgb.setflags(write=False)
    return LoadedImage(rgb, "<array>", None, mode, None, None, 1)
