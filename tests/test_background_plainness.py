"""background.uniformity's plainness score and the fill it leaves out, on built and real photos.

Built backgrounds (about the size of the analysis' reduced photo, feature size 30 px like a
passport photo there): flat colour, smooth gradients and vignettes score low; texture and
clutter score high, and higher as their contrast rises. Black fill (letterbox bars, rotation
corners) is found and kept out of the background. On the development photos the check's two
limits, chosen on four folds and judged on the fifth, keep their balanced accuracy.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

import photocheck
from photocheck.analysis import Analysis
from photocheck.evaluation.crossval import Limit, cross_validate
from photocheck.evaluation.labels import expected_outcomes, read_manifest
from photocheck.imaging.colour import to_lab
from photocheck.imaging.fill import fill_mask
from photocheck.imaging.load import load_image
from photocheck.rules.registry import Range, get_check
from photocheck.scores.plainness import Plainness, plainness

SHAPE = (160, 200)  # rows, columns
FEATURE = 30.0  # inter-eye distance in pixels at that size


def _grey(values: np.ndarray) -> np.ndarray:
    """A grey RGB image from float levels (clipped to 0-255)."""
    level = np.clip(np.round(values), 0, 255).astype(np.uint8)
    return np.repeat(level[:, :, None], 3, axis=2)


def _score(rgb: np.ndarray, mask: np.ndarray | None = None, feature: float = FEATURE) -> Plainness:
    region = np.ones(rgb.shape[:2], bool) if mask is None else mask
    return plainness(to_lab(rgb), region, feature_size=feature)


def _clutter(seed: int = 0) -> np.ndarray:
    """A pattern in -1..1: blocks of other shades (posters, shelves) over a fine texture."""
    rng = np.random.default_rng(seed)
    h, w = SHAPE
    coarse = rng.uniform(-1.0, 1.0, (h // 4 + 1, w // 4 + 1))
    pattern = 0.5 * np.repeat(np.repeat(coarse, 4, axis=0), 4, axis=1)[:h, :w]
    for _ in range(6):
        y, x = rng.integers(0, h - 30), rng.integers(0, w - 40)
        height, width = rng.integers(15, 30), rng.integers(20, 40)
        pattern[y : y + height, x : x + width] = rng.choice([-1.0, 1.0])
    return pattern


def test_flat_colour_is_perfectly_plain() -> None:
    wall = np.empty((*SHAPE, 3), np.uint8)
    wall[:] = (236, 232, 225)
    assert _score(wall) == Plainness(texture=0.0, patches=0.0)


def test_gradient_and_vignette_with_camera_noise_score_low() -> None:
    h, w = SHAPE
    y, x = np.mgrid[0:h, 0:w].astype(float)
    noise = np.random.default_rng(1).normal(0.0, 1.0, SHAPE)
    gradient = 170.0 + 70.0 * x / w + noise  # 70 levels across the frame
    r2 = ((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2
    vignette = 225.0 - 18.0 * r2 + noise  # corners 36 levels darker than the centre
    for wall in (gradient, vignette, 0.5 * (gradient + vignette)):
        score = _score(_grey(wall))
        assert score.texture < 0.02, score
        assert score.patches < 0.05, score


def test_texture_scores_high() -> None:
    textured = _score(_grey(200.0 + 40.0 * _clutter()))
    assert textured.texture > 0.5, textured


def test_objects_of_another_colour_score_high() -> None:
    h, w = SHAPE
    room = np.empty((*SHAPE, 3), np.uint8)
    room[:] = (230, 228, 220)
    room[30:h, 10:50] = (70, 55, 40)  # a wooden door
    room[20:60, w - 60 : w - 20] = (190, 40, 45)  # a red poster
    cluttered = _score(room)
    assert cluttered.patches > 0.15, cluttered
    assert cluttered.texture > 0.02, cluttered


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_rise_with_clutter_contrast(seed: int) -> None:
    pattern = _clutter(seed)
    scores = [_score(_grey(128.0 + c * pattern)) for c in (0, 2, 4, 8, 16, 32, 64, 100)]
    for name in ("texture", "patches"):
        values = [getattr(s, name) for s in scores]
        assert values[0] == 0.0
        assert all(b >= a for a, b in itertools.pairwise(values)), (name, values)
        assert values[-1] > 0.3, (name, values)


def test_only_the_region_counts() -> None:
    w = SHAPE[1]
    image = _grey(np.full(SHAPE, 220.0))
    clutter = _grey(128.0 + 100.0 * _clutter())
    image[:, w // 2 :] = clutter[:, w // 2 :]  # a busy right half, outside the region
    region = np.zeros(SHAPE, bool)
    region[:, : w // 2 - 1] = True
    assert _score(image, region) == Plainness(texture=0.0, patches=0.0)
    assert _score(image).texture > 0.3


def test_texture_is_judged_at_the_face_scale() -> None:
    # The same scene photographed at twice the resolution (face twice as large) scores alike.
    image = _grey(200.0 + 12.0 * _clutter())
    double = cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    small, large = _score(image), _score(double, feature=2 * FEATURE)
    assert abs(small.texture - large.texture) < 0.05, (small, large)
    assert abs(small.patches - large.patches) < 0.02, (small, large)


def test_a_mirror_image_scores_the_same() -> None:
    # An even width: every other column of the mirror image is the other half of the columns.
    # Noise on every pixel, so that the two halves of the columns differ.
    rng = np.random.default_rng(3)
    rgb = _grey(170 + rng.normal(0.0, 15.0, SHAPE))
    region = np.ones(SHAPE, bool)
    region[40:, 60:140] = False  # the person
    assert _score(rgb[:, ::-1], region[:, ::-1]) == _score(rgb, region)


def test_empty_region_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        _score(_grey(np.full(SHAPE, 200.0)), np.zeros(SHAPE, bool))


def test_letterbox_bars_are_fill() -> None:
    photo = _grey(150.0 + 60.0 * _clutter())
    photo[:20] = 0
    photo[-12:] = 0
    fill = fill_mask(photo)
    assert fill[:22].all() and fill[-14:].all()
    assert not fill[25:-17].any()


def test_rotation_corners_are_fill() -> None:
    h, w = SHAPE
    photo = _grey(np.full(SHAPE, 205.0))
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 12.0, 1.0)
    rotated = cv2.warpAffine(photo, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    black = rotated.max(axis=2) == 0
    fill = fill_mask(rotated)
    assert black.sum() > 0.05 * h * w
    assert fill[black].mean() > 0.99
    assert not fill[h // 2 - 30 : h // 2 + 30, w // 2 - 40 : w // 2 + 40].any()


def test_black_backdrop_around_the_person_is_not_fill() -> None:
    # A lit head and shoulders in a dark studio: the backdrop wraps around the head.
    h, w = SHAPE
    person = np.zeros(SHAPE, np.uint8)
    cv2.ellipse(person, (w // 2, 70), (28, 38), 0, 0, 360, 255, -1)
    cv2.rectangle(person, (0, 115), (w - 1, h - 1), 255, -1)
    photo = _grey(np.where(person > 0, 190.0, 0.0))
    fill = fill_mask(photo)
    beside_head = np.zeros(SHAPE, bool)
    beside_head[60:80, : w // 2 - 40] = True
    beside_head[60:80, w // 2 + 40 :] = True
    assert not fill[beside_head].any()
    inside = cv2.erode(person, np.ones((7, 7), np.uint8)) > 0  # fill is grown by 2 px
    assert not fill[inside].any()


@pytest.mark.parametrize("region", ["background_mask", "background_weight"])
def test_the_background_region_leaves_letterbox_bars_out(portrait: np.ndarray, region: str) -> None:
    bar = 80
    padded = np.zeros((portrait.shape[0], portrait.shape[1] + 2 * bar, 3), np.uint8)
    padded[:, bar:-bar] = portrait
    analysis = Analysis(load_image(padded))
    values = getattr(analysis, region)
    _, scale = analysis.small
    edge = int(np.ceil(bar * scale))
    assert not values[:, :edge].any() and not values[:, -edge:].any()
    assert values.sum() > 0.1 * values.size


def test_person_mask_is_reduced_over_the_blocks_the_small_copy_covers() -> None:
    # 663 px wide: halved twice to 165 columns covering photo columns 0-659. Each reduced
    # mask pixel is the mean of the photo block under the reduced photo's pixel, so a mask
    # edge lands where the photo's edge does on the reduced copy.
    photo = np.full((628, 663, 3), 200, np.uint8)
    analysis = Analysis(load_image(photo))
    small, scale = analysis.small
    h, w = small.shape[:2]
    factor = round(1 / scale)
    assert (h, w, factor) == (157, 165, 4)
    mask = np.zeros((628, 663), np.float32)
    mask[:, 330:] = 1.0  # the person from the photo's middle to its right edge
    analysis.__dict__["person_mask"] = mask
    blocks = mask[: factor * h, : factor * w].reshape(h, factor, w, factor).mean(axis=(1, 3))
    np.testing.assert_allclose(analysis.small_person_mask, blocks, atol=1e-6)


# --- the development photos ------------------------------------------------------------

PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "photos"
MANIFEST = PHOTOS / "manifest.csv"
# Measured with the weighted background region (each pixel by its chance of being background):
# 0.933 0.939 0.939 0.920 0.933 cross-validated over fold seeds 0-4 (mean 0.933; 88 plain /
# 76 busy); the hard region read 0.891 0.903 0.909 0.896 0.908 (mean 0.902). The floor sits
# about two photos under the mean.
MEAN_FLOOR = 0.92


@pytest.mark.evaluation
def test_cross_validated_plain_vs_busy_on_development_photos() -> None:
    if not MANIFEST.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS}")
        pytest.skip(f"labelled photos not found at {PHOTOS}")
    spec = get_check("background.uniformity")
    ranges = [limit for limit in spec.limits if isinstance(limit, Range)]
    values: dict[str, list[float]] = {limit.value: [] for limit in ranges}
    truth = []
    for row in read_manifest(MANIFEST):
        should_pass = expected_outcomes(row).get("background.uniformity")
        if should_pass is None:
            continue
        truth.append(should_pass)
        try:
            measured = photocheck.measure(row["path"], checks=["background.uniformity"])
            measured = measured.by_check["background.uniformity"].values
        except photocheck.PhotocheckError:
            measured = {}
        for name, column in values.items():
            value = measured.get(name)  # not measured: rejected, as the verdict would
            column.append(float(value) if isinstance(value, int | float) else np.inf)
    limits = [Limit(limit.value, "max") for limit in ranges]
    results = [
        cross_validate(values, truth, limits, k=5, seed=seed, resamples=0) for seed in range(5)
    ]
    assert (results[0].positives, results[0].negatives) == (88, 76)
    mean = float(np.mean([r.balanced_accuracy for r in results]))
    assert mean >= MEAN_FLOOR, [round(r.balanced_accuracy, 3) for r in results]
