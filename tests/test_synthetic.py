"""The labelled synthetic-variant generator (photocheck.evaluation.synthetic).

Images: the astronaut portrait of conftest (public domain) and shapes drawn here; for the
evaluation, the real photos of ``../shared/data/photos`` read in place (skipped when absent,
failed when ``CI=true``).
"""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

import photocheck
from photocheck.evaluation import synthetic
from photocheck.evaluation.rejudge import judge_table
from photocheck.evaluation.synthetic import (
    VariantNotApplicable,
    available_variants,
    iter_variants,
    make_variant,
    plain_background_mask,
    register_variant,
    variant_info,
)
from photocheck.evaluation.tuning import rejection_rates, synthetic_set

from .conftest import EXPECTED_AGREEMENT, PHOTOS_DIR, assert_definitional_expectation

BUILT_IN = (
    "blur.gaussian", "blur.motion", "exposure.dark", "exposure.bright", "rotation",
    "background.recolour", "background.busy", "jpeg", "crop.off_centre", "crop.too_tight", "crop.too_loose",
)  # fmt: skip


@pytest.fixture(scope="module")
def plain_portrait() -> np.ndarray:
    """A dark 'head and shoulders' shape on a plain light background, 300 x 400."""
    img = np.full((400, 300, 3), (236, 236, 232), np.uint8)
    cv2.ellipse(img, (150, 170), (70, 95), 0, 0, 360, (150, 110, 90), -1)
    cv2.rectangle(img, (60, 300), (240, 400), (40, 50, 90), -1)
    img.setflags(write=False)
    return img


def test_built_in_variants_are_registered_with_valid_expectations():
    assert set(BUILT_IN) <= set(available_variants())
    checks = set(photocheck.available_checks())
    for name in BUILT_IN:
        spec = variant_info(name)
        assert spec.summary and spec.severities
        for severity in spec.severities:
            expected = spec.expected_for(severity)
            assert set(expected) <= checks, (name, expected)
            assert set(expected.values()) <= {"pass", "fail"}
        outcomes = {o for sev in spec.severities for o in spec.expected_for(sev).values()}
        # every variant labels both sides, except the JPEG round trip, which only checks that
        # sharpness survives moderate compression (photocheck.evaluation.synthetic_lighting labels
        # compression itself)
        assert outcomes == ({"pass"} if name == "jpeg" else {"pass", "fail"}), name


def test_every_variant_returns_new_rgb_and_leaves_the_input_alone(plain_portrait):
    before = plain_portrait.copy()
    made = list(iter_variants(plain_portrait))
    assert {v.name for v in made} >= set(BUILT_IN)
    for v in made:
        assert v.image.dtype == np.uint8 and v.image.ndim == 3 and v.image.shape[2] == 3
        assert v.image is not plain_portrait and not np.shares_memory(v.image, plain_portrait)
    assert np.array_equal(plain_portrait, before)


def test_variants_are_deterministic_per_seed(portrait):
    a = make_variant(portrait, "blur.motion", 3.0, seed=1).image
    b = make_variant(portrait, "blur.motion", 3.0, seed=1).image
    c = make_variant(portrait, "blur.motion", 3.0, seed=2).image
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_degradations_grow_with_severity(portrait):
    grey = cv2.cvtColor(np.asarray(portrait), cv2.COLOR_RGB2GRAY).astype(float)
    detail = [cv2.Laplacian(cv2.cvtColor(make_variant(portrait, "blur.gaussian", s).image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var()
              for s in (0.1, 0.4, 1.0, 1.5)]  # fmt: skip
    assert detail == sorted(detail, reverse=True)
    means = [
        make_variant(portrait, "exposure.dark", s).image.mean() for s in (0.7, 0.4, 0.25, 0.12)
    ]
    assert means == sorted(means, reverse=True) and means[0] < grey.mean()
    errors = [
        np.abs(make_variant(portrait, "jpeg", q).image.astype(float) - portrait).mean()
        for q in (70, 30, 10, 3)
    ]
    assert errors == sorted(errors)


def test_geometry_variants_move_the_measured_face_as_intended(portrait, portrait_measurements):
    checks = ["pose.roll", "geometry.centring", "geometry.face_width"]
    base = portrait_measurements
    rolled = photocheck.measure(make_variant(portrait, "rotation", 12).image, checks=checks)
    assert abs(
        rolled["pose.roll"].values["degrees"] - base["pose.roll"].values["degrees"]
    ) == pytest.approx(12, abs=2.5)
    shifted = photocheck.measure(
        make_variant(portrait, "crop.off_centre", 0.15).image, checks=checks
    )
    assert shifted["geometry.centring"].values["ratio"] - base["geometry.centring"].values[
        "ratio"
    ] == pytest.approx(0.15, abs=0.02)
    loose = photocheck.measure(make_variant(portrait, "crop.too_loose", 1.4).image, checks=checks)
    ratio = (
        base["geometry.face_width"].values["ratio"] / loose["geometry.face_width"].values["ratio"]
    )
    assert ratio == pytest.approx(1.4, rel=0.06)


def test_recolour_replaces_a_plain_background_only(plain_portrait, astronaut):
    mask = plain_background_mask(plain_portrait)
    assert mask[5, 5] and mask[5, -5] and not mask[170, 150] and not mask[390, 150]
    blue = make_variant(plain_portrait, "background.recolour", "blue")
    assert blue.expected == {"background.colour": "pass"}
    assert tuple(blue.image[5, 5]) == pytest.approx(synthetic.BACKGROUND_COLOURS["blue"][0], abs=12)
    assert np.array_equal(blue.image[170, 150], plain_portrait[170, 150])
    assert make_variant(plain_portrait, "background.recolour", "green").expected == {
        "background.colour": "fail"
    }
    with pytest.raises(VariantNotApplicable):
        make_variant(astronaut, "background.recolour", "blue")
    names = {v.name for v in iter_variants(astronaut, ["background.recolour", "jpeg"])}
    assert names == {"jpeg"}


def test_register_variant_for_other_modules(portrait):
    @register_variant(
        "test.invert", severities=(1, 2), expected=lambda s: {"exposure": "fail"} if s == 2 else {}
    )
    def invert(rgb, severity, rng):
        return 255 - rgb

    try:
        v = make_variant(portrait, "test.invert", 2)
        assert v.label == "test.invert@2" and dict(v.expected) == {"exposure": "fail"}
        assert [dict(x.expected) for x in iter_variants(portrait, ["test.invert"])] == [
            {},
            {"exposure": "fail"},
        ]
        with pytest.raises(photocheck.PhotocheckError, match="already registered"):
            register_variant("test.invert", severities=(1,), expected={})(invert)
    finally:
        synthetic._VARIANTS.pop("test.invert", None)


def test_misuse_gives_clear_errors(portrait):
    with pytest.raises(photocheck.PhotocheckError, match="Did you mean 'rotation'"):
        make_variant(portrait, "rotaton", 5)
    with pytest.raises(photocheck.PhotocheckError, match="RGB uint8"):
        make_variant(np.zeros((50, 50), np.uint8), "jpeg", 50)
    with pytest.raises(photocheck.PhotocheckError, match="background colour"):
        make_variant(portrait, "background.recolour", "purple")

    @register_variant("test.bad", severities=(1,), expected={"sharpness": "maybe"})  # type: ignore[dict-item]
    def same(rgb, severity, rng):
        return rgb.copy()

    try:
        with pytest.raises(photocheck.PhotocheckError, match="'pass' or 'fail'"):
            make_variant(portrait, "test.bad", 1)
    finally:
        synthetic._VARIANTS.pop("test.bad", None)


# --- evaluation on the real photos ----------------------------------------------------------

# The first 20 photos of the development set that suit a base (tuning.BASE_LABELS: one face,
# plain light background, frontal, sharp, exposure ok), framed the ICAO way, with each
# built-in variant at the strongest severity its check is expected to pass and the mildest it
# is expected to fail (both signs where the sign matters), judged by icao. The expectations
# are the registered ones, which follow from what each variant does (module docstring of
# photocheck.evaluation.synthetic), not from what the checks answered.
PLAN: dict[str, tuple[object, ...]] = {
    "blur.gaussian": (0.1, 1.0),
    "blur.motion": (0.5, 3.0),
    "exposure.dark": (0.7, 0.25),
    "exposure.bright": (1.4, 4.0),
    "rotation": (2, 12, -12),
    "background.recolour": tuple(synthetic.BACKGROUND_COLOURS),
    "background.busy": (3, 40),
    "jpeg": (30,),
    "crop.off_centre": (0.02, 0.15, -0.15),
    "crop.too_tight": (1.05, 1.4),
    "crop.too_loose": (1.05, 1.4),
}
EVAL_CHECKS = (
    "sharpness", "exposure", "pose.roll", "background.colour", "background.uniformity",
    "geometry.centring", "geometry.face_width",
)  # fmt: skip
# Where a check falls short, the shortfall is stated with the figure measured when it was
# recorded (icao); the test checks that it does not get worse than the guard and reports it
# as an expected failure (xfail). Once the check reaches EXPECTED_AGREEMENT the entry must go.
SHORTFALLS: dict[tuple[str, object], tuple[float, str]] = {
    ("blur.gaussian", 1.0): (0.7, "sigma 1% of the width: 16/20 (80%) rejected"),
    ("blur.motion", 3.0): (
        0.0,
        "a streak 3% of the width long: 0/20 rejected; the sharpness score does not see "
        "motion blur",
    ),
    ("exposure.dark", 0.25): (
        0.0,
        "two stops darker: 1/20 rejected; the mean skin level stays within limits wide enough "
        "for well-lit dark skin (45-225), and the check rejects on clipping",
    ),
    ("exposure.bright", 4.0): (
        0.8,
        "two stops brighter: 17/20 (85%) rejected; on the three others the face's bright "
        "share stays just under the 0.15 limit (one at 0.1496)",
    ),
    ("rotation", 12): (
        0.75,
        "12 degrees of roll: 17/19 (89%); the photo's own roll adds to the 12 degrees or takes "
        "from it, and a roll within the noise of the 8-degree limit warns",
    ),
    ("rotation", -12): (0.8, "-12 degrees of roll: 17/19 (89%), as for 12"),
    ("background.busy", 40): (0.7, "bars of 40 grey levels: 11/14 (79%) rejected"),
}


def _plan_cases() -> list[tuple[str, object]]:
    return [(name, severity) for name, severities in PLAN.items() for severity in severities]


@pytest.fixture(scope="module")
def builtin_evaluation():
    manifest = PHOTOS_DIR / "manifest.csv"
    if not manifest.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS_DIR}")
        pytest.skip(f"real photos not available ({PHOTOS_DIR} is absent)")
    severities = {name: list(values) for name, values in PLAN.items()}
    table = synthetic_set(
        manifest, names=list(PLAN), severities=severities, limit=20, originals=True,
        checks=EVAL_CHECKS, workers=1,
    )  # fmt: skip
    return table, judge_table(table, "icao")


def test_the_plan_sits_on_the_expectation_boundaries():
    for name, severity in _plan_cases():
        expected = variant_info(name).expected_for(severity)
        assert len(expected) == 1 and set(expected) <= set(EVAL_CHECKS), (name, severity)


@pytest.mark.evaluation
@pytest.mark.parametrize(("variant", "severity"), _plan_cases())
def test_checks_agree_with_the_definitional_expectations(builtin_evaluation, variant, severity):
    table, verdicts = builtin_evaluation
    ((check, outcome),) = variant_info(variant).expected_for(severity).items()
    key = (variant, str(severity), check)
    shortfall = SHORTFALLS.get((variant, severity))
    assert_definitional_expectation(table, verdicts, key, outcome == "fail", shortfall)


# The bases carry labels (sharp, exposure ok, frontal) and are framed the ICAO way, so these
# checks should pass them untouched; the same 1 in 10 is allowed. The background checks are
# left out: on the framed crops of photos labelled plain, background.uniformity rejected 4/20
# and background.colour 5/20 when this was written (background.uniformity's cross-validated
# figure on the uncropped photos is gated in tests/test_accuracy.py; background.colour has too
# few non-compliant photos there to be gated).
UNTOUCHED_MUST_PASS = (
    "sharpness",
    "exposure",
    "pose.roll",
    "geometry.centring",
    "geometry.face_width",
)


@pytest.mark.evaluation
@pytest.mark.parametrize("check", UNTOUCHED_MUST_PASS)
def test_untouched_bases_pass(builtin_evaluation, check):
    table, verdicts = builtin_evaluation
    bad, photos = rejection_rates(table, verdicts=verdicts, checks=[check])["none"][check]
    assert photos >= 10 and bad / photos <= 1 - EXPECTED_AGREEMENT, f"{check}: {bad}/{photos}"
