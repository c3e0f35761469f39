"""Decoding: formats, EXIF orientation, the array policy, paths and file objects.

Every image is built in code (``tests/hostile/hostile_corpus.py``) from
``skimage.data.astronaut()`` (public domain).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import photocheck
from photocheck import (
    ImageTooLargeError,
    InvalidImageError,
    PhotocheckError,
    UnsupportedFormatError,
    load_image,
)
from photocheck.imaging.load import LoadedImage, _pil_guard, max_file_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
import hostile_corpus as corpus


@pytest.fixture(scope="module")
def upright() -> np.ndarray:
    return corpus.portrait()


def _grey(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).convert("L"))


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _check_invariants(image: LoadedImage) -> None:
    rgb = image.rgb
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert rgb.flags.c_contiguous and not rgb.flags.writeable
    assert image.width == rgb.shape[1] and image.height == rgb.shape[0]


# --- formats ------------------------------------------------------------------------------------


def test_lossless_formats_give_the_exact_pixels(upright: np.ndarray) -> None:
    for fmt, options in [("PNG", {}), ("BMP", {}), ("TIFF", {}), ("WEBP", {"lossless": True})]:
        image = load_image(corpus.encode(upright, fmt, **options))
        _check_invariants(image)
        assert image.format == fmt and image.mode == "RGB"
        assert np.array_equal(image.rgb, upright), fmt


def test_jpeg_fields_and_quality_estimate(upright: np.ndarray) -> None:
    for quality in (50, 70, 90):
        data = corpus.encode(upright, "JPEG", quality=quality)
        image = load_image(data)
        assert image.format == "JPEG" and image.file_bytes == len(data)
        assert image.jpeg_quality == pytest.approx(quality, abs=1.5)
        assert _diff(image.rgb, upright) < 4.0


@pytest.mark.parametrize(
    ("name", "mode", "grey", "max_diff"),
    [
        ("progressive_jpeg", "RGB", False, 4.0),
        ("cmyk_jpeg", "CMYK", False, 4.0),
        ("grey_jpeg", "L", True, 3.0),
        ("png16_grey", "I;16", True, 0.6),
        ("palette_png", "P", False, 20.0),
        ("animated_gif", "P", False, 20.0),
        ("webp_lossy", "RGB", False, 4.0),
        ("animated_webp", "RGBA", False, 4.0),
        ("multipage_tiff", "RGB", False, 0.0),
        ("mpo", "RGB", False, 4.0),
        ("avif", "RGB", False, 5.0),
    ],
)
def test_formats_decode_to_the_portrait(
    tmp_path: Path, upright: np.ndarray, name: str, mode: str, grey: bool, max_diff: float
) -> None:
    case = next(c for c in corpus.cases() if c.name == name)
    if corpus.VERDICT not in case.expect:
        pytest.skip(f"{name}: no decoder installed here ({sorted(case.expect)})")
    image = load_image(case.make(tmp_path))
    _check_invariants(image)
    assert image.mode == mode
    assert image.is_grey_mode == grey
    assert image.format != "MPO"  # phones' multi-picture JPEGs are reported as JPEG
    reference = _grey(upright) if grey else upright
    got = image.rgb[..., 0] if grey else image.rgb
    assert got.shape == reference.shape
    assert _diff(got, reference) <= max_diff, name


def test_alpha_is_composited_over_white(tmp_path: Path, upright: np.ndarray) -> None:
    rgba = load_image(next(c for c in corpus.cases() if c.name == "rgba_png").make(tmp_path))
    assert rgba.mode == "RGBA"
    assert np.all(rgba.rgb[:, :30] == 255)  # the transparent band
    assert np.array_equal(rgba.rgb[:, 30:], upright[:, 30:])
    la = load_image(
        corpus.cases()[[c.name for c in corpus.cases()].index("grey_alpha_png")].make(tmp_path)
    )
    assert la.mode == "LA" and la.is_grey_mode
    assert np.all(la.rgb[:40] == 255)


def test_sixteen_bit_scaling_is_rounded() -> None:
    values = np.array([[0, 128, 257, 32767, 32768, 65535]], dtype=np.uint16)
    expected = np.array([0, 0, 1, 127, 128, 255], dtype=np.uint8)
    from_png = load_image(corpus.encode(values, "PNG")).rgb[0, :, 0]
    from_array = load_image(values).rgb[0, :, 0]
    assert np.array_equal(from_png, expected)
    assert np.array_equal(from_array, expected)


def test_unsupported_formats_say_what_they_are_and_what_is_accepted(tmp_path: Path) -> None:
    for name, word in [
        ("heic", "HEIC"),
        ("pdf", "PDF"),
        ("svg", "SVG"),
        ("eps", "EPS"),
        ("psd", "PSD"),
    ]:
        case = next(c for c in corpus.cases() if c.name == name)
        with pytest.raises(UnsupportedFormatError, match=word) as info:
            load_image(case.make(tmp_path))
        assert "JPEG, PNG" in str(info.value)


def test_avif_without_a_decoder_is_unsupported(
    monkeypatch: pytest.MonkeyPatch, upright: np.ndarray
) -> None:
    from PIL import features

    if features.check("avif"):
        data = corpus.encode(upright[:64, :64], "AVIF")
    else:
        data = corpus.heif_like(b"avif")
    monkeypatch.setattr("photocheck.imaging.load._avif_supported", lambda: False)
    with pytest.raises(UnsupportedFormatError, match="AVIF image and no decoder"):
        load_image(data)


def test_text_and_garbage_are_invalid_not_unsupported() -> None:
    with pytest.raises(InvalidImageError, match="a text file") as info:
        load_image(b"just some words\n")
    assert not isinstance(info.value, UnsupportedFormatError)
    with pytest.raises(InvalidImageError, match="the file is empty"):
        load_image(b"")
    with pytest.raises(InvalidImageError, match="corrupt or truncated"):
        load_image(corpus.jpeg()[: len(corpus.jpeg()) // 2])


# --- size limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        corpus.png_header_only(100_000, 100_000),
        corpus.tiff_header_only(100_000, 100_000),
        corpus.bmp_header_only(100_000, 100_000),
    ],
    ids=["png", "tiff", "bmp"],
)
def test_bombs_are_refused_from_the_header(data: bytes) -> None:
    with pytest.raises(ImageTooLargeError, match=r"100000 x 100000 pixels \(10000.0 MP\)"):
        load_image(data)


def test_jpeg_and_webp_bombs_are_refused_from_the_header() -> None:
    with pytest.raises(ImageTooLargeError, match="65535 x 65535 pixels"):
        load_image(corpus.jpeg_with_size(corpus.jpeg(), 65535, 65535))
    with pytest.raises(ImageTooLargeError, match="16384 x 16384 pixels"):
        load_image(corpus.webp_lossless_with_size(16384, 16384))


def test_max_pixels_applies_to_files_and_arrays(upright: np.ndarray) -> None:
    with pytest.raises(ImageTooLargeError, match="400 x 600 pixels"):
        load_image(corpus.png(), max_pixels=400 * 600 - 1)
    assert load_image(corpus.png(), max_pixels=400 * 600).width == 400
    with pytest.raises(ImageTooLargeError, match="400 x 600"):
        load_image(upright, max_pixels=1000)
    with pytest.raises(ImageTooLargeError, match="400 x 600"):
        load_image(Image.fromarray(upright), max_pixels=1000)


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "10", None])
def test_max_pixels_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(PhotocheckError, match="max_pixels must be a positive integer"):
        load_image(b"x", max_pixels=bad)  # type: ignore[arg-type]


def test_pillow_bomb_limit_is_neither_used_nor_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A caller may have lowered Pillow's process-wide limit for their own use: photocheck's
    # limit is max_pixels, Pillow's warning must not leak (warnings are errors here) and the
    # setting must be left as the caller set it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    for data in (corpus.png(), corpus.jpeg(), corpus.encode(corpus.portrait(), "GIF")):
        assert load_image(data).width == 400
    assert Image.MAX_IMAGE_PIXELS == 1000
    with pytest.raises(Image.DecompressionBombError):  # the caller's own use still refuses
        Image.open(io.BytesIO(corpus.png()))


def test_pillow_decompression_bomb_error_becomes_too_large() -> None:
    with pytest.raises(ImageTooLargeError, match="MAX_IMAGE_PIXELS"):
        load_image(corpus.gif_bomb_offset())


def test_files_larger_than_the_limit_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    with path.open("wb") as f:
        f.write(corpus.jpeg())
        f.truncate(max_file_bytes(1000) + 1)
    with pytest.raises(ImageTooLargeError, match="at most"):
        load_image(path, max_pixels=1000)
    with pytest.raises(ImageTooLargeError, match="more than"), path.open("rb") as f:
        load_image(f, max_pixels=1000)


# --- EXIF orientation -------------------------------------------------------------------------


def test_every_exif_orientation_decodes_upright(upright: np.ndarray) -> None:
    for orientation in range(1, 9):
        stored = corpus.oriented(orientation)
        image = load_image(corpus.oriented_png(orientation))
        assert image.exif_orientation == orientation
        assert stored.shape != upright.shape or orientation in (1, 2, 3, 4)
        assert np.array_equal(image.rgb, upright), orientation


def _without_file_size(verdict: photocheck.Verdict) -> dict[str, object]:
    """The verdict as a dict, less the file's size (each stored orientation compresses anew)."""
    out = verdict.to_dict()
    for result in out["results"]:
        result["details"].pop("file_kb", None)
    return out


def test_every_exif_orientation_gives_the_upright_verdict(upright: np.ndarray) -> None:
    expected = _without_file_size(photocheck.validate(corpus.png()))
    assert any(r["status"] == "pass" for r in expected["results"])  # a face was measured
    for orientation in range(1, 9):
        got = _without_file_size(photocheck.validate(corpus.oriented_png(orientation)))
        assert got == expected, orientation


def test_jpeg_exif_orientation_gives_the_upright_statuses(upright: np.ndarray) -> None:
    base = photocheck.validate(corpus.jpeg())
    for orientation in (3, 6, 8):
        data = corpus.encode(
            corpus.oriented(orientation),
            "JPEG",
            quality=90,
            exif=corpus.exif_orientation_bytes(orientation),
        )
        image = load_image(data)
        assert image.exif_orientation == orientation and image.rgb.shape == upright.shape
        verdict = photocheck.validate(image)
        assert [r.code for r in verdict.results] == [r.code for r in base.results], orientation


@pytest.mark.parametrize("value", [0, 9, 65535])
def test_invalid_orientation_is_ignored(upright: np.ndarray, value: int) -> None:
    image = load_image(corpus.encode(upright, "PNG", exif=corpus.exif_orientation_bytes(value)))
    assert image.exif_orientation == 1
    assert np.array_equal(image.rgb, upright)


def test_garbage_exif_is_ignored_without_warnings(upright: np.ndarray) -> None:
    data = corpus.jpeg_with_app1(corpus.jpeg(), b"Exif\0\0" + corpus.random_bytes(3000, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = load_image(data)
    assert image.exif_orientation == 1
    assert _diff(image.rgb, upright) < 4.0


# --- arrays -------------------------------------------------------------------------------------


def test_array_dtype_policy() -> None:
    grey = np.array([[0.0, 0.5, 1.0]])
    assert load_image(grey).rgb[0, :, 0].tolist() == [0, 128, 255]
    assert load_image(grey.astype(np.float16)).rgb[0, :, 0].tolist() == [0, 128, 255]
    assert load_image(np.array([[False, True]])).rgb[0, :, 0].tolist() == [0, 255]
    assert load_image(np.array([[0, 65535]], dtype=">u2")).rgb[0, :, 0].tolist() == [0, 255]


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([[0.1, np.nan]]), r"float64 array holds 1 NaN and 0 infinite"),
        (
            np.array([[0.1, np.inf, -np.inf]], dtype=np.float32),
            r"float32 array holds 0 NaN and 2 infinite",
        ),
        (np.array([[0.0, 200.0]]), r"values in \[0, 200\].*If the values are 0-255, convert with"),
        (np.array([[-0.5, 0.5]]), r"values in \[-0.5, 0.5\]; float arrays must be in \[0, 1\]"),
        (
            np.array([[0, 255]], dtype=np.int64),
            r"dtype is int64.*values are 0-255: convert with arr.astype",
        ),
        (np.array([[-1, 300]], dtype=np.int16), r"dtype is int16.*scale them to 0-255"),
        (np.array([[1, 2]], dtype=np.uint32), r"dtype is uint32"),
        (np.array([[1j]]), r"dtype is complex128"),
        (np.array([["a"]]), r"dtype is <U1"),
        (np.zeros((4, 4), dtype=[("r", "u1"), ("g", "u1")]), r"expected uint8"),
    ],
)
def test_ambiguous_arrays_are_refused_with_what_was_received(
    array: np.ndarray, message: str
) -> None:
    with pytest.raises(InvalidImageError, match=message) as info:
        load_image(array)
    assert "expected" in str(info.value) or "accepted" in str(info.value)


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ((10,), r"shape \(10,\)"),
        ((1, 8, 8, 3), "batch of one image"),
        ((3, 8, 8), "channels-first"),
        ((8, 8, 2), "grey \\+ alpha"),
        ((8, 8, 5), r"shape \(8, 8, 5\)"),
        ((0, 8, 3), "no pixels"),
        ((8, 0), "no pixels"),
        ((), r"shape \(\)"),
    ],
)
def test_wrong_shapes_are_refused(shape: tuple[int, ...], hint: str) -> None:
    with pytest.raises(InvalidImageError, match=hint) as info:
        load_image(np.zeros(shape, np.uint8))
    assert "(H, W, 3) RGB" in str(info.value)


def test_rgba_array_is_composited_and_grey_array_expanded() -> None:
    rgba = np.array([[[10, 20, 30, 255], [10, 20, 30, 0], [0, 0, 0, 128]]], dtype=np.uint8)
    assert load_image(rgba).rgb[0].tolist() == [[10, 20, 30], [255, 255, 255], [127, 127, 127]]
    assert load_image(np.array([[7]], np.uint8)[:, :, None]).rgb.tolist() == [[[7, 7, 7]]]


def test_arrays_are_never_modified_nor_shared(upright: np.ndarray) -> None:
    variants = {
        "writeable": np.array(upright),
        "strided": np.array(upright)[::2, ::3],
        "reversed": np.array(upright)[::-1, ::-1],
        "fortran": np.asfortranarray(upright),
        "read_only": upright,
        "rgba": np.dstack([upright, np.full(upright.shape[:2], 200, np.uint8)]),
        "float": upright / 255.0,
        "uint16": upright.astype(np.uint16) * 257,
    }
    for name, array in variants.items():
        before = array.copy()
        flags = (array.flags.writeable, array.flags.c_contiguous, array.flags.f_contiguous)
        image = load_image(array)
        _check_invariants(image)
        assert np.array_equal(array, before), name
        assert (array.flags.writeable, array.flags.c_contiguous, array.flags.f_contiguous) == flags
        assert not np.shares_memory(image.rgb, array), name
    assert np.array_equal(load_image(variants["strided"]).rgb, upright[::2, ::3])
    assert np.array_equal(load_image(variants["reversed"]).rgb, upright[::-1, ::-1])
    assert np.array_equal(load_image(variants["float"]).rgb, upright)
    assert np.array_equal(load_image(variants["uint16"]).rgb, upright)


def test_array_subclasses_are_read_as_plain_arrays() -> None:
    masked = np.ma.masked_array(np.full((4, 4), 9, np.uint8), mask=False)
    assert load_image(masked).rgb[0, 0].tolist() == [9, 9, 9]


# --- PIL images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode",
    [
        "1",
        "L",
        "LA",
        "P",
        "PA",
        "RGB",
        "RGBA",
        "RGBX",
        "CMYK",
        "YCbCr",
        "LAB",
        "HSV",
        "I",
        "I;16",
        "F",
    ],
)
def test_pil_images_of_every_mode(mode: str) -> None:
    image = load_image(Image.new(mode, (6, 4)))
    _check_invariants(image)
    assert image.mode == mode and image.rgb.shape == (4, 6, 3) and image.format is None


def test_pil_float_image_with_nan_does_not_warn() -> None:
    values = np.array([[np.nan, 0.0], [np.inf, 2.0]], dtype=np.float32)
    image = load_image(Image.fromarray(values, mode="F"))
    assert image.rgb[..., 0].tolist() == [[0, 0], [0, 255]]


def test_pil_mode_that_cannot_become_rgb_is_invalid() -> None:
    with pytest.raises(InvalidImageError, match="colour mode 'La'"):
        load_image(Image.new("La", (4, 4)))


# --- paths and file objects ---------------------------------------------------------------------


def test_paths_and_file_objects(tmp_path: Path, upright: np.ndarray) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(corpus.png())
    for photo in (path, str(path), corpus.png(), bytearray(corpus.png()), memoryview(corpus.png())):
        assert np.array_equal(load_image(photo).rgb, upright)
    assert load_image(path).source == "photo.png"
    with path.open("rb") as f:
        assert load_image(f).source == "photo.png"
    assert load_image(io.BytesIO(corpus.png())).source == "<file>"
    assert load_image(corpus.png()).source == "<bytes>"
    loaded = load_image(path)
    assert load_image(loaded) is loaded


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.jpg", "no such file"),
        (lambda p: p, "is a folder"),
        (lambda p: "/dev/zero", "not a regular file"),
        (lambda p: str(p / "nul\0.jpg"), "embedded null byte"),
        (lambda p: p / "file.png" / "below.jpg", "cannot read|no such file"),
    ],
    ids=["missing", "folder", "dev_zero", "nul", "below_a_file"],
)
def test_bad_paths(tmp_path: Path, make: object, message: str) -> None:
    (tmp_path / "file.png").write_bytes(corpus.png())
    with pytest.raises(InvalidImageError, match=message):
        load_image(make(tmp_path))  # type: ignore[operator]


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(InvalidImageError, match="not a regular file"):
        load_image(fifo)


def test_broken_symlink_says_so(tmp_path: Path) -> None:
    link = tmp_path / "link.jpg"
    link.symlink_to(tmp_path / "gone.jpg")
    with pytest.raises(InvalidImageError, match="broken symbolic link"):
        load_image(link)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(corpus.png())
    path.chmod(0)
    with pytest.raises(InvalidImageError, match=r"cannot read .*Permission denied"):
        load_image(path)


def test_permission_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(corpus.png())

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InvalidImageError, match=r"cannot read .*Permission denied"):
        load_image(path)


def test_bad_file_objects() -> None:
    class Broken:
        def read(self, size: int = -1) -> bytes:
            raise RuntimeError("disk on fire")

    with pytest.raises(InvalidImageError, match="RuntimeError: disk on fire"):
        load_image(Broken())
    with pytest.raises(InvalidImageError, match="open it in binary mode"):
        load_image(io.StringIO("text"))


@pytest.mark.parametrize("thing", [None, 42, 3.5, ["a.jpg"], {"photo": 1}, object()])
def test_other_types_name_what_is_accepted(thing: object) -> None:
    with pytest.raises(InvalidImageError, match="expected a path, bytes, a binary file object"):
        load_image(thing)


# --- warnings and import cost -------------------------------------------------------------------


def test_other_warnings_raised_while_decoding_are_re_emitted() -> None:
    with pytest.warns(UserWarning, match="not from Pillow"), _pil_guard("x"):
        warnings.warn("not from Pillow", UserWarning, stacklevel=1)


def test_warning_filters_are_restored() -> None:
    before = list(warnings.filters)
    for data in (corpus.png(), corpus.gif_bomb_offset(), b"junk"):
        with contextlib.suppress(InvalidImageError):
            load_image(data)
    assert warnings.filters == before


def test_import_stays_light() -> None:
    code = (
        "import sys, photocheck; "
        "print(sorted(m for m in ('PIL', 'numpy', 'cv2', 'dlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_jpeg_with_thousands_of_scans_is_refused_before_decoding() -> None:
    bomb = corpus.jpeg_many_scans(2000, width=400, height=300)
    with pytest.raises(InvalidImageError, match=r"a JPEG with 20\d\d scans; .* at most 100"):
        load_image(bomb)
    assert load_image(corpus.jpeg_many_scans(0, width=400, height=300)).width == 400
