"""background.uniformity on a soft background region: each pixel counts by its chance of being background.

The mirror-averaged person mask is half sure wherever its two runs disagree (a second person
or an object behind, a raised arm). A hard cut at a low chance of "person" dropped such areas
from the background whole; weighted shares count them in part. Built regions check the
weighting exactly; the portrait checks :attr:`Analysis.background_weight` against the mask it
is made from. The cross-validated figure on the development photos is tested in
``test_background_plainness.py``.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photocheck.analysis import Analysis
from photocheck.imaging.colour import to_lab
from photocheck.imaging.load import load_image
from photocheck.scores.plainness import PATCH_DELTA_E, plainness

SHAPE = (160, 200)  # rows, columns: about the analysis' reduced photo
FEATURE = 30.0  # inter-eye distance in pixels at that size


def _wall_with_blob() -> tuple[np.ndarray, np.ndarray]:
    """A light wall with a smooth gradient and a dark square (an object) on it, and the square."""
    ramp = np.linspace(200.0, 230.0, SHAPE[1])
    level = np.repeat(ramp[None, :], SHAPE[0], axis=0)
    blob = np.zeros(SHAPE, bool)
    blob[30:70, 120:170] = True
    level[blob] = 60.0
    rgb = np.repeat(np.round(level).astype(np.uint8)[:, :, None], 3, axis=2)
    return rgb, blob


def test_a_bool_region_and_its_zero_one_weights_score_the_same() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(120, 200, (*SHAPE, 3)).astype(np.uint8)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 2.0)
    region = np.zeros(SHAPE, bool)
    region[:, :70] = True
    region[:50, :] = True
    lab = to_lab(rgb)
    hard = plainness(lab, region, feature_size=FEATURE)
    soft = plainness(lab, region.astype(np.float32), feature_size=FEATURE)
    assert hard == soft
    assert 0.0 < hard.texture < 1.0


@pytest.mark.parametrize("weight", [0.1, 0.3, 0.5, 1.0])
def test_a_half_sure_object_counts_by_its_weight(weight: float) -> None:
    rgb, blob = _wall_with_blob()
    weights = np.where(blob, np.float32(weight), np.float32(1.0))
    lab = to_lab(rgb)
    result = plainness(lab, weights, feature_size=FEATURE)
    # The gradient is fitted away; the object is far more than PATCH_DELTA_E off the wall.
    assert np.linalg.norm(lab[blob].mean(axis=0) - lab[~blob].mean(axis=0)) > 3 * PATCH_DELTA_E
    inside, outside = np.count_nonzero(blob), np.count_nonzero(~blob)
    assert result.patches == pytest.approx(weight * inside / (outside + weight * inside), rel=1e-6)


def test_an_object_of_weight_zero_is_left_out() -> None:
    rgb, blob = _wall_with_blob()
    lab = to_lab(rgb)
    result = plainness(lab, np.where(blob, 0.0, 1.0), feature_size=FEATURE)
    assert result == plainness(lab, ~blob, feature_size=FEATURE)
    assert result.patches == 0.0


def test_scores_rise_with_the_weight_of_the_busy_part() -> None:
    rng = np.random.default_rng(5)
    rgb, blob = _wall_with_blob()
    noisy = rgb.astype(np.int16)
    noisy[blob] += rng.integers(-40, 41, (np.count_nonzero(blob), 1)).astype(np.int16)
    lab = to_lab(np.clip(noisy, 0, 255).astype(np.uint8))
    scores = [
        plainness(lab, np.where(blob, w, 1.0).astype(np.float32), feature_size=FEATURE)
        for w in (0.2, 0.5, 0.8)
    ]
    assert scores[0].texture < scores[1].texture < scores[2].texture
    assert scores[0].patches < scores[1].patches < scores[2].patches


def test_a_mirror_image_with_mirrored_weights_scores_the_same() -> None:
    rgb, blob = _wall_with_blob()
    weights = np.where(blob, np.float32(0.4), np.float32(0.9))
    weights[:, :20] = 0.0
    here = plainness(to_lab(rgb), weights, feature_size=FEATURE)
    there = plainness(
        to_lab(np.ascontiguousarray(rgb[:, ::-1])),
        np.ascontiguousarray(weights[:, ::-1]),
        feature_size=FEATURE,
    )
    assert here.patches == pytest.approx(there.patches, abs=1e-9)
    assert here.texture == pytest.approx(there.texture, abs=1e-9)


def test_weights_of_nothing_are_an_error() -> None:
    rgb, _ = _wall_with_blob()
    with pytest.raises(ValueError, match="empty"):
        plainness(to_lab(rgb), np.zeros(SHAPE, np.float32), feature_size=FEATURE)


# --- the background weight of an Analysis -------------------------------------------------


@pytest.fixture(scope="module")
def half_sure(portrait: np.ndarray) -> Analysis:
    """The portrait with a half-sure area (chance 0.3) added to its person mask, top left."""
    mask = Analysis(load_image(portrait)).person_mask.copy()
    area = np.zeros(mask.shape, bool)
    area[5:95, 5:70] = True
    assert mask[area].max() < 0.05  # away from the person
    mask[area] = 0.3
    analysis = Analysis(load_image(portrait))
    analysis.__dict__["person_mask"] = mask
    return analysis


def test_background_weight_is_the_chance_of_background_beside_the_person(
    half_sure: Analysis,
) -> None:
    analysis = half_sure
    weight = analysis.background_weight
    chance = analysis.small_person_mask
    assert weight.dtype == np.float32 and weight.shape == chance.shape
    assert weight.min() >= 0.0 and weight.max() <= 1.0
    assert not weight[chance >= 0.5].any()  # the person
    counted = weight > 0
    np.testing.assert_allclose(weight[counted], 1.0 - chance[counted], atol=1e-6)
    # The margin: nothing counts right next to the person, beyond it the chance does.
    person = (chance >= 0.5).astype(np.uint8)
    ring = (cv2.dilate(person, np.ones((3, 3), np.uint8)) > 0) & (person == 0)
    assert not counted[ring].any()


def test_a_half_sure_area_counts_in_part_where_the_mask_drops_it(half_sure: Analysis) -> None:
    analysis = half_sure
    _, scale = analysis.small
    y0, y1, x0, x1 = (round(v * scale) for v in (5, 95, 5, 70))
    inside = np.zeros(analysis.small_person_mask.shape, bool)
    inside[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] = True
    np.testing.assert_allclose(analysis.background_weight[inside], 0.7, atol=1e-5)
    assert not analysis.background_mask[inside].any()
