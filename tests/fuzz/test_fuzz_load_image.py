"""Hypothesis fuzzing of ``load_image`` over bytes (random and mutated files) and arrays.

Property: every input gives either a well-formed :class:`LoadedImage` or an
:class:`InvalidImageError` (or subclass) with a message, never another exception or a
warning, and an array argument is never modified. Runs derandomised in the normal test run;
``tests/fuzz/README.md`` says how to fuzz longer and with atheris.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from photocheck import InvalidImageError, load_image
from photocheck.imaging.load import LoadedImage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seeds import seeds

# Keep each example cheap: a mutated header may claim any size up to the limit.
MAX_PIXELS = 1 << 20
# PHOTOCHECK_FUZZ_EXAMPLES=5000 fuzzes longer, with fresh random examples each run.
EXAMPLES = os.environ.get("PHOTOCHECK_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(EXAMPLES) if EXAMPLES else 150,
    deadline=None,
    derandomize=EXAMPLES is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEEDS = seeds()


def _well_formed(image: LoadedImage) -> None:
    rgb = image.rgb
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert rgb.shape[0] >= 1 and rgb.shape[1] >= 1
    assert rgb.shape[0] * rgb.shape[1] <= MAX_PIXELS
    assert rgb.flags.c_contiguous and not rgb.flags.writeable
    assert 1 <= image.exif_orientation <= 8


def _load(photo: object) -> LoadedImage | InvalidImageError:
    try:
        image = load_image(photo, max_pixels=MAX_PIXELS)
    except InvalidImageError as exc:
        assert str(exc)
        return exc
    _well_formed(image)
    return image


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _load(data)


@FUZZ
@given(
    name=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=6),
    cut=st.none() | st.integers(1, 1 << 16),
)
def test_mutated_files(name: str, edits: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(SEEDS[name])
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data) or 1 :]
    _load(bytes(data))


def test_seeds_are_valid() -> None:
    for name, data in SEEDS.items():
        image = _load(data)
        assert isinstance(image, LoadedImage), name
        assert image.rgb.shape[:2] in ((12, 16), (16, 12)), name


_ACCEPTED_KINDS = {"u1", "u2", "b1", "f2", "f4", "f8"}


def _accepted(array: np.ndarray) -> bool:
    shape_ok = (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (1, 3, 4))) and (
        array.size > 0
    )
    dtype = array.dtype
    kind = f"{dtype.kind}{dtype.itemsize}"
    if not shape_ok or kind not in _ACCEPTED_KINDS or dtype.fields is not None:
        return False
    if dtype.kind == "f":
        return bool(np.isfinite(array).all() and array.min() >= 0 and array.max() <= 1)
    return True


arrays = hnp.arrays(
    dtype=hnp.scalar_dtypes() | hnp.byte_string_dtypes() | st.just(np.dtype(object)),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
)
float_images = hnp.arrays(
    dtype=st.sampled_from([np.float16, np.float32, np.float64]),
    shape=st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from([1, 3, 4])),
    elements=st.floats(-0.5, 1.5, width=16) | st.sampled_from([0.0, 1.0, np.nan, np.inf]),
)


@FUZZ
@given(st.one_of(arrays, float_images), st.data())
def test_arrays(array: np.ndarray, data: st.DataObject) -> None:
    if array.ndim >= 2 and data.draw(st.booleans()):  # a non-contiguous, reversed view
        array = array[::-1, :: data.draw(st.integers(1, 2))]
    if data.draw(st.booleans()):
        array.flags.writeable = False
    before = array.copy()
    result = _load(array)
    if array.dtype != object:
        assert array.tobytes() == before.tobytes()  # never modified (NaN-safe comparison)
    assert isinstance(result, LoadedImage) == _accepted(array), (array.dtype, array.shape)
    if isinstance(result, LoadedImage):
        assert not np.shares_memory(result.rgb, array)
        if array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3:
            assert np.array_equal(result.rgb, array)
    else:
        message = str(result)
        assert str(array.dtype) in message or str(array.shape) in message or "NaN" in message
