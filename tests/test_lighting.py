"""Lighting, colour and image-quality checks: scores, checks, variants and their evaluation.

Images: synthetic arrays built here, the astronaut portrait of ``conftest.py`` (public domain)
and, for the evaluation, the real photos of ``../shared/data/photos`` read in place (those
tests skip when the folder is absent).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import photocheck
from photocheck.batch.table import MeasurementTable
from photocheck.evaluation.labels import read_manifest
from photocheck.evaluation.rejudge import TableVerdicts, judge_table
from photocheck.evaluation.synthetic import make_variant, variant_info
from photocheck.evaluation.synthetic_lighting import (
    CHECKS,
    MILDEST,
    TARGETS,
    base_rows,
    colour_cast,
    lighting_set,
)
from photocheck.evaluation.tuning import rejection_rates
from photocheck.scores.colour import eye_white, red_eye, red_eye_shares, red_pixels, skin_colour
from photocheck.scores.compression import blockiness, fine_detail, level_coverage
from photocheck.scores.lighting import (
    background_shadow,
    cheek_boxes,
    cheek_zones,
    hot_spots,
    illumination_balance,
)

from .conftest import PHOTOS_DIR, assert_definitional_expectation, textured

# --- scores -------------------------------------------------------------------------------


def _skin_patch(seed: int = 0, level: float = 150.0) -> np.ndarray:
    """A grey skin-like texture (uint8) around ``level``."""
    tex = cv2.GaussianBlur(textured(seed, (120, 160)), (0, 0), 2.0)
    return np.clip(level + (tex - 128.0) * 0.3, 0, 255).astype(np.uint8)


def test_balance_falls_as_one_side_darkens() -> None:
    grey = _skin_patch().astype(np.float32)
    cols = np.arange(grey.shape[1])[None, :].repeat(grey.shape[0], axis=0)
    left, right = cols < 60, cols >= 100
    previous = 1.01
    for loss in (0.0, 0.2, 0.4, 0.6):
        shaded = grey.copy()
        shaded[:, 80:] *= 1.0 - loss
        out = illumination_balance(shaded.astype(np.uint8), left, right)
        assert out.balance < previous
        previous = out.balance
    assert previous == pytest.approx(0.4, abs=0.03)


def test_balance_rejects_an_empty_zone() -> None:
    grey = _skin_patch()
    with pytest.raises(ValueError, match="empty"):
        illumination_balance(grey, np.zeros(grey.shape, bool), np.ones(grey.shape, bool))


def test_cheek_zones_sit_below_the_eyes_on_the_outer_sides() -> None:
    pts = np.zeros((68, 2))
    pts[36:42] = (60, 80)
    pts[42:48] = (124, 80)
    pts[[62, 66]] = (92, 140)
    left, right = cheek_zones(pts, (240, 192))
    ys, xs = np.nonzero(left)
    assert ys.min() > 80 and xs.max() < 60
    ys, xs = np.nonzero(right)
    assert ys.min() > 80 and xs.min() >= 124


def test_cheek_boxes_are_the_cheek_zones() -> None:
    pts = np.zeros((68, 2))
    pts[36:42] = (10, 30)  # the left zone runs off the image's left edge
    pts[42:48] = (74, 30)
    pts[[62, 66]] = (42, 90)
    for shape in ((240, 192), (70, 100)):
        zones = cheek_zones(pts, shape)
        for zone, (rows, cols) in zip(zones, cheek_boxes(pts, shape), strict=True):
            box = np.zeros(shape, bool)
            box[rows, cols] = True
            np.testing.assert_array_equal(zone, box)


def test_hot_spots_are_the_same_on_8_bit_and_float_levels() -> None:
    rng = np.random.default_rng(4)
    for level in (120.0, 170.0, 215.0):
        skin = np.clip(rng.normal(level, 25.0, (60, 80)), 0, 255).astype(np.uint8)
        mask = rng.random((60, 80)) > 0.3
        fast = hot_spots(skin, mask)
        slow = hot_spots(skin.astype(np.float32), mask)
        assert fast.fraction == pytest.approx(slow.fraction, abs=1e-6)
        assert abs(fast.peak - slow.peak) <= 1.0


def test_hot_spot_fraction_grows_with_the_spot() -> None:
    fractions = []
    for radius in (0, 4, 8, 12):
        skin = _skin_patch(1)
        if radius:
            cv2.circle(skin, (80, 60), radius, 255, -1)
        fractions.append(hot_spots(skin, np.ones(skin.shape, bool)).fraction)
    assert fractions[0] == 0.0
    assert fractions == sorted(fractions) and fractions[-1] > 0.02


def test_a_bright_face_without_a_spot_is_not_a_hot_spot() -> None:
    skin = _skin_patch(2, level=225.0)  # evenly bright: a matter for `exposure`, not here
    assert hot_spots(skin, np.ones(skin.shape, bool)).fraction < 0.01


def test_background_shadow_sees_one_sided_darkening() -> None:
    rgb = np.full((80, 120, 3), 225, np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False  # the head and body
    clean = background_shadow(rgb, background, 60.0, near=10)
    rgb[20:, 75:85] = 170  # a shadow right of the head
    shaded = background_shadow(rgb, background, 60.0, near=10)
    assert clean.darkening == 0.0 and clean.asymmetry == 0.0
    assert shaded.darkening > 0.15 and shaded.asymmetry > 0.15


def test_background_lit_unevenly_is_not_a_shadow() -> None:
    # A backdrop lit more on the right (a smooth gradient) against a shadow next to the head.
    ramp = np.linspace(190.0, 235.0, 120)
    rgb = np.repeat(np.repeat(ramp[None, :, None], 80, 0), 3, 2).astype(np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    assert background_shadow(rgb, background, 60.0, near=10).asymmetry < 0.1
    rgb[20:, 75:85] = (rgb[20:, 75:85] * 0.7).astype(np.uint8)
    assert background_shadow(rgb, background, 60.0, near=10).asymmetry > 0.15


def test_background_shadow_without_backdrop_on_one_side_measures_the_other() -> None:
    # A side that shows no plain backdrop takes both sides' darkening (no difference is made
    # out of nothing, and no pixel count turns the check not assessed).
    rgb = np.full((80, 120, 3), 225, np.uint8)
    rgb[:, 60:] = (40, 30, 25)  # a dark object fills the right half of the frame
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    clean = background_shadow(rgb, background, 60.0, near=10)
    rgb[20:, 35:45] = 170  # a shadow left of the head
    shaded = background_shadow(rgb, background, 60.0, near=10)
    assert clean.darkening == 0.0 and clean.asymmetry == 0.0
    assert shaded.darkening > 0.15 and shaded.asymmetry == 0.0
    rgb[:] = 40
    with pytest.raises(ValueError, match="too dark"):
        background_shadow(rgb, background, 60.0, near=10)


def test_background_shadow_ignores_textured_hair() -> None:
    rng = np.random.default_rng(5)
    rgb = np.full((80, 120, 3), 225, np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    # Dark strands one pixel wide beside the head on the right only.
    strands = rng.random((60, 10)) < 0.35
    rgb[20:, 75:85][strands] = 90
    assert background_shadow(rgb, background, 60.0, near=10).asymmetry < 0.15


def test_background_shadow_refuses_a_dark_background() -> None:
    rgb = np.full((80, 120, 3), 30, np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    with pytest.raises(ValueError, match="too dark"):
        background_shadow(rgb, background, 60.0, near=10)


def test_skin_colour_tracks_a_cast() -> None:
    skin = np.zeros((20, 20, 3), np.uint8)
    skin[:] = (205, 150, 125)
    mask = np.ones((20, 20), bool)
    natural = skin_colour(skin, mask)
    blue = skin_colour(colour_cast(skin, np.array([-0.5, 0.0, 0.5])), mask)
    green = skin_colour(colour_cast(skin, np.array([-0.25, 0.5, -0.25])), mask)
    assert 5 <= natural.a <= 25 and 5 <= natural.b <= 35 and natural.distance == 0
    assert blue.b < natural.b - 10 and blue.hue < natural.hue
    assert green.a < natural.a - 5 and green.hue > natural.hue
    grey = skin_colour(
        cv2.cvtColor(cv2.cvtColor(skin, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB), mask
    )
    assert grey.chroma < 0.5


def test_eye_whites_turn_blue_with_a_blue_cast() -> None:
    eye = np.full((12, 24, 3), (232, 226, 218), np.uint8)  # sclera, slightly warm
    cv2.circle(eye, (12, 6), 5, (110, 70, 45), -1)  # brown iris
    mask = np.ones(eye.shape[:2], bool)
    natural = eye_white(eye, mask)
    blue = eye_white(colour_cast(eye, np.array([-0.5, 0.0, 0.5])), mask)
    assert natural.b > 0 and natural.lightness > 85
    assert blue.b < natural.b - 10 and blue.b < -8
    with pytest.raises(ValueError):
        eye_white(eye, np.zeros(eye.shape[:2], bool))


def test_red_pupils_are_left_out_of_the_eye_whites() -> None:
    # A dim eye whose flash-red pupil is brighter than its whites: taken as "white", the
    # pupil would read as a red cast; red_pixels marks it so that the check leaves it out.
    eye = np.full((12, 24, 3), (110, 100, 95), np.uint8)
    cv2.circle(eye, (12, 6), 4, (255, 80, 80), -1)
    mask = np.ones(eye.shape[:2], bool)
    red = red_pixels(eye)
    assert red[6, 12] and not red[0, 0]
    assert eye_white(eye, mask).a > 24
    assert abs(eye_white(eye, mask & ~red).a) < 5
    left = np.zeros(eye.shape[:2], bool)
    left[:, :12] = True
    shares = red_eye_shares(eye, [left, ~left])
    assert shares == [red_eye(eye, left), red_eye(eye, ~left)] and shares[0] > 0.1


def test_eye_whites_turn_red_with_a_red_cast() -> None:
    # Sclera at L* 77, as in photos (the set's eye whites: L* 55-83). Near-white sclera
    # (L* 90) clips the red channel and moves less (a* 16 at this cast).
    eye = np.full((12, 24, 3), (200, 190, 182), np.uint8)
    cv2.circle(eye, (12, 6), 5, (110, 70, 45), -1)  # brown iris
    mask = np.ones(eye.shape[:2], bool)
    natural = eye_white(eye, mask)
    red = eye_white(colour_cast(eye, np.array([0.5, -0.25, -0.25])), mask)
    assert abs(natural.a) < 5
    # The icao limit on eye-white a* is 24: half a stop of red cast must exceed it.
    assert red.a > natural.a + 15 and red.a > 24


def test_red_eye_counts_red_not_brown() -> None:
    eye = np.full((12, 24, 3), (235, 230, 225), np.uint8)  # sclera
    cv2.circle(eye, (12, 6), 5, (110, 70, 45), -1)  # brown iris
    mask = np.ones(eye.shape[:2], bool)
    assert red_eye(eye, mask) == 0.0
    cv2.circle(eye, (12, 6), 3, (200, 30, 30), -1)  # red pupil
    assert red_eye(eye, mask) > 0.08
    with pytest.raises(ValueError):
        red_eye(eye, np.zeros(eye.shape[:2], bool))


def _jpeg(grey: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def test_blockiness_rises_as_jpeg_quality_falls() -> None:
    import skimage.data

    grey = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)[:256, 128:384]
    scores = [blockiness(_jpeg(grey, q)) for q in (95, 50, 20, 10, 5)]
    assert scores == sorted(scores)
    assert scores[0] < 0.2 and scores[-2] > 0.5
    # A crop that moves the grid is scored the same way (the phase is searched).
    assert blockiness(_jpeg(grey, 10)[3:, 5:]) == pytest.approx(scores[-2], rel=0.15)


def test_fine_detail_falls_with_enlargement() -> None:
    import skimage.data

    grey = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)[:256, 128:384]
    scores = []
    for factor in (1, 2, 3, 4):
        small = cv2.resize(grey, (256 // factor, 256 // factor), interpolation=cv2.INTER_AREA)
        scores.append(fine_detail(cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC)))
    assert scores == sorted(scores, reverse=True)
    assert fine_detail(np.full((32, 32), 90.0)) == 0.0


def test_level_coverage_sees_posterisation() -> None:
    rng = np.random.default_rng(3)
    ramp = np.tile(np.linspace(60.0, 200.0, 160), (120, 1)) + rng.normal(0.0, 2.0, (120, 160))
    skin = np.clip(ramp, 0, 255).astype(np.uint8)
    assert level_coverage(skin) > 0.9
    assert level_coverage(skin // 32 * 32) < 0.1


# --- checks on the astronaut portrait -------------------------------------------------------


@pytest.fixture(scope="module")
def portrait_rgb(portrait: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(portrait)


def _results(photo: Any) -> dict[str, photocheck.CheckResult]:
    verdict = photocheck.judge(photocheck.measure(photo, checks=CHECKS), "icao")
    return {r.check: r for r in verdict.results if r.check in CHECKS}


def test_registered_and_in_both_profiles() -> None:
    for check in CHECKS:
        assert check in photocheck.available_checks()
        for profile in photocheck.available_profiles():
            assert check in photocheck.load_profile(profile).rules


def test_portrait_values_are_finite(portrait_measurements: photocheck.Measurements) -> None:
    for check in CHECKS:
        measurement = portrait_measurements.by_check[check]
        for name, value in measurement.values.items():
            assert isinstance(value, float | int) and math.isfinite(value), (check, name, value)


def test_no_face_is_not_assessed(blank: np.ndarray) -> None:
    results = _results(blank)
    assert all(results[c].status == "not_assessed" for c in CHECKS)


@pytest.mark.parametrize(
    ("variant", "severity", "check"),
    [
        ("eyes.red", 1.0, "eyes.red"),
        ("colour.greyscale", 1.0, "colour.natural"),
        ("colour.cast_green", 0.5, "colour.natural"),
        ("compression.jpeg", 5, "image.compression"),
        ("lighting.side_shadow", 0.85, "lighting.uniformity"),
        ("lighting.hotspot", 1.0, "lighting.hotspots"),
        ("eyes.closed", 1.0, "eyes.open"),
    ],
)
def test_clear_variants_of_the_portrait_fail(
    portrait_rgb: np.ndarray, variant: str, severity: Any, check: str
) -> None:
    assert _results(portrait_rgb)[check].passed, "the untouched portrait should pass"
    made = make_variant(portrait_rgb, variant, severity)
    assert made.expected == {check: "fail"}  # the severity lies in the variant's fail zone
    result = _results(made.image)[check]
    assert result.status == "fail", result


def test_failure_codes_name_the_problem(portrait_rgb: np.ndarray) -> None:
    result = _results(make_variant(portrait_rgb, "colour.greyscale", 1.0).image)["colour.natural"]
    assert result.code == "colour.natural.greyscale"
    result = _results(make_variant(portrait_rgb, "compression.jpeg", 5).image)["image.compression"]
    assert result.code == "image.compression.blocky"


def test_variants_leave_the_input_alone(portrait_rgb: np.ndarray) -> None:
    before = portrait_rgb.copy()
    for name in TARGETS:
        make_variant(portrait_rgb, name, TARGETS[name][1])
    np.testing.assert_array_equal(portrait_rgb, before)


# --- evaluation on the real photos ----------------------------------------------------------

# Every second compliant photo of the development set (n_faces 1, plain background, exposure
# ok, sharp, frontal; 36 of 71 in manifest order), reduced to at most 800 px, judged by icao.
# Each variant is made at two severities: the strongest at which its target check is expected
# to pass (MILDEST) and the mildest at which it is expected to fail (TARGETS). Those
# expectations follow from what the variant does (module docstring of
# photocheck.evaluation.synthetic_lighting), not from what the checks answered. The full set at
# every severity: uv run python tools/make_docs.py lighting (docs/checks.md).

# Where a check falls short of that, the shortfall is stated here with the figure measured
# when it was recorded (36 photos, icao). The test then checks that the check does not do
# worse than the stated guard and reports the shortfall as an expected failure (xfail); once
# the check reaches EXPECTED_AGREEMENT the entry must go.
SHORTFALLS: dict[tuple[str, str], tuple[float, str]] = {
    ("lighting.side_shadow", "fail"): (
        0.7,
        "two stops on one side of the face: 30/36 (83%) rejected; at 0.85 35/36",
    ),
    ("eyes.closed", "fail"): (
        0.6,
        "skin painted over the whole eye opening: 22/36 (61%) rejected; most others measure an "
        "openness within the noise of the 0.09 limit (borderline: warn, which passes), and on "
        "a few the mesh still places open eyes (the mirrored run guesses more open lids)",
    ),
    ("colour.cast_red", "pass"): (
        0.8,
        "a 5% red cast, mild enough to pass: 29/33 (88%) accepted; the skin region moved "
        "with the mirror-averaged mesh and one more photo's chroma or hue now sits past its "
        "limit (untouched photos: none rejected)",
    ),
    ("compression.rescale", "fail"): (
        0.5,
        "a 4x reduction enlarged back: 23/36 (64%); its fine-detail value often lies within "
        "the noise of the limit (borderline, accepted)",
    ),
}
# Untouched photos are not labelled for lighting: the share any of these checks rejects is
# held under the same 1 in 10.
FALSE_REJECTION_CEILING = 0.1


def _need_photos() -> Path:
    manifest = PHOTOS_DIR / "manifest.csv"
    if not manifest.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS_DIR}")
        pytest.skip(f"real photos not available ({PHOTOS_DIR} is absent)")
    return manifest


@pytest.fixture(scope="session")
def lighting_evaluation() -> tuple[MeasurementTable, TableVerdicts]:
    """Half the compliant photos and their variants at both severities, measured once."""
    rows = base_rows(read_manifest(_need_photos()))[::2]
    plan = {name: [MILDEST[name], TARGETS[name][1]] for name in TARGETS}
    table = lighting_set(rows, severities=plan, workers=1)
    return table, judge_table(table, "icao")


def test_targets_and_mildest_match_the_registered_expectations() -> None:
    for name, (check, severity) in TARGETS.items():
        spec = variant_info(name)
        assert spec.expected_for(severity) == {check: "fail"}, name
        assert spec.expected_for(MILDEST[name]) == {check: "pass"}, name
        assert severity in spec.severities and MILDEST[name] in spec.severities, name


@pytest.mark.evaluation
@pytest.mark.parametrize("check", CHECKS)
def test_false_rejections_on_compliant_photos(
    lighting_evaluation: tuple[MeasurementTable, TableVerdicts], check: str
) -> None:
    table, verdicts = lighting_evaluation
    bad, photos = rejection_rates(table, verdicts=verdicts, checks=[check])["none"][check]
    assert bad / photos <= FALSE_REJECTION_CEILING, f"{check}: {bad}/{photos} rejected"


@pytest.mark.evaluation
@pytest.mark.parametrize("side", ["fail", "pass"])
@pytest.mark.parametrize("variant", list(TARGETS))
def test_checks_agree_with_the_definitional_expectations(
    lighting_evaluation: tuple[MeasurementTable, TableVerdicts], variant: str, side: str
) -> None:
    table, verdicts = lighting_evaluation
    check, clear = TARGETS[variant]
    severity = clear if side == "fail" else MILDEST[variant]
    key = (variant, str(severity), check)
    shortfall = SHORTFALLS.get((variant, side))
    assert_definitional_expectation(table, verdicts, key, side == "fail", shortfall)
