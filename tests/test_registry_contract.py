"""Contract tests over the check registry.

Every test iterates ``photocheck.available_checks()`` (or the measurements of every check), so
a newly registered check is held to the same contract without editing this file.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from pathlib import Path

import numpy as np
import pytest

import photocheck
from photocheck import available_checks, available_profiles, load_profile
from photocheck.authoring import OneOf, Range, get_check
from photocheck.checks.identity import REFERENCE_CHECKS

CHECK_IDS = available_checks()
# What measure() measures without a reference photo: every check but those comparing with one
# (tests/test_identity.py holds them to the same contract with a reference).
MEASURED_IDS = tuple(c for c in CHECK_IDS if c not in REFERENCE_CHECKS)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _categorical_values(spec) -> set[str]:
    return {limit.value for limit in spec.limits if isinstance(limit, OneOf)}


def _numeric_values(spec) -> set[str]:
    return {limit.value for limit in spec.limits if isinstance(limit, Range)}


def assert_measurement_contract(measurement: photocheck.Measurement) -> None:
    spec = get_check(measurement.check)
    if not measurement.assessed:
        assert measurement.values == {}, f"{spec.id}: not_assessed with values"
        assert isinstance(measurement.reason, str) and measurement.reason.strip()
        assert "internal error" not in measurement.reason, f"{spec.id}: {measurement.reason}"
        return
    assert measurement.values, f"{spec.id}: assessed but measured nothing"
    numeric, categorical = _numeric_values(spec), _categorical_values(spec)
    for limit in spec.limits:
        assert limit.value in measurement.values, f"{spec.id}: limit value {limit.value!r} missing"
    for name, value in measurement.values.items():
        assert isinstance(name, str) and name
        if name in categorical:
            assert isinstance(value, str | bool), f"{spec.id}:{name} = {value!r} is not categorical"
        elif name in numeric:
            # None is allowed for a bound value that does not apply (e.g. JPEG quality of a
            # PNG); judge() then reports not_assessed for a rule that bounds it.
            if value is not None:
                assert isinstance(value, int | float) and not isinstance(value, bool), (
                    f"{spec.id}:{name} = {value!r} ({type(value).__name__}) is not a number"
                )
                assert math.isfinite(value), f"{spec.id}:{name} = {value!r} is not finite"
        else:  # extra, informative values (e.g. how the crown was found)
            assert value is None or isinstance(value, str | bool | int | float), (
                f"{spec.id}:{name} = {value!r} ({type(value).__name__}) is not a plain scalar"
            )
            if isinstance(value, float):
                assert math.isfinite(value), f"{spec.id}:{name} = {value!r} is not finite"


# --------------------------------------------------------------------------------------------
# The registry itself


def test_builtin_checks_are_registered():
    # The ids of issue 2 are a public contract: they must stay registered.
    issue_2 = {
        "image.format", "face.count", "background.uniformity", "background.colour",
        "sharpness", "exposure", "contrast", "pose.yaw", "pose.pitch", "pose.roll",
        "geometry.eye_distance", "geometry.head_height", "geometry.face_width",
        "geometry.eye_line", "geometry.centring", "geometry.top_margin",
    }  # fmt: skip
    assert issue_2 <= set(CHECK_IDS)
    assert len(CHECK_IDS) == len(set(CHECK_IDS))


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_check_declaration(check_id):
    spec = get_check(check_id)
    assert spec.id == check_id
    assert ID_PATTERN.match(check_id), f"{check_id!r} is not dotted lowercase"
    assert spec.summary.strip() and "\n" not in spec.summary
    assert spec.passed.strip()
    assert spec.limits, f"{check_id} declares no limit: a profile could not judge it"
    params = spec.params
    assert len(params) == len(set(params)), f"{check_id}: a parameter bounds two values"
    assert "severity" not in params
    for limit in spec.limits:
        outcomes = [limit.too_low, limit.too_high] if isinstance(limit, Range) else [limit.outcome]
        if isinstance(limit, Range):
            assert limit.params, f"{check_id}: a Range without parameters"
            assert (limit.min_param is None) == (limit.too_low is None)
            assert (limit.max_param is None) == (limit.too_high is None)
        for outcome in outcomes:
            if outcome is None:
                continue
            assert outcome.code.startswith(check_id + "."), outcome.code
            assert ID_PATTERN.match(outcome.code), outcome.code
            assert outcome.message.strip()


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_failure_messages_format_with_plausible_values(check_id):
    """Every message template renders (no KeyError / bad format spec, no braces left)."""
    from photocheck.rules.judging import _format

    spec = get_check(check_id)
    for limit in spec.limits:
        if isinstance(limit, Range):
            for outcome in (limit.too_low, limit.too_high):
                if outcome is not None:
                    for value, low, high in ((0.5, 0.25, 0.75), (120, 100, 200)):
                        text = _format(outcome.message, value, low, high, None)
                        assert "{" not in text and "}" not in text, text
        else:
            text = _format(limit.outcome.message, "some_value", None, None, ["a_b", "c"])
            assert "{" not in text and "}" not in text, text


@pytest.mark.parametrize("profile_name", available_profiles())
def test_shipped_profiles_load_and_name_only_registered_checks(profile_name):
    profile = load_profile(profile_name)
    assert profile.checks, f"profile {profile_name} applies no check"
    assert set(profile.checks) <= set(CHECK_IDS)
    assert profile.description.strip()
    for check, rule in profile.rules.items():
        allowed = {*get_check(check).params, "severity"}
        assert set(rule) <= allowed, (check, set(rule) - allowed)
        for param, value in rule.items():
            if isinstance(value, float):
                assert math.isfinite(value), (check, param, value)


def test_shipped_profiles_include_icao_and_cn_social_security():
    assert {"icao", "cn-social-security"} <= set(available_profiles())


# --------------------------------------------------------------------------------------------
# Measuring every check on a few inputs


def test_measure_covers_every_check(measured, input_name):
    measurements = measured[input_name]
    assert tuple(m.check for m in measurements) == MEASURED_IDS
    for check in MEASURED_IDS:
        assert measurements[check].check == check


@pytest.mark.parametrize("check_id", MEASURED_IDS)
def test_measurement_is_assessed_with_valid_values_or_not_assessed_with_reason(
    measured, input_name, check_id
):
    assert_measurement_contract(measured[input_name][check_id])


def test_portrait_is_assessed_by_every_check(measured):
    """The portrait crop shows one well-framed face: every check can measure it."""
    reasons = {m.check: m.reason for m in measured["portrait"] if not m.assessed}
    assert not reasons


def test_blank_image_is_not_assessed_where_a_face_is_needed(measured):
    blank = measured["blank"]
    assert blank["face.count"].values == {"count": 0}
    assert blank["image.format"].assessed
    for check in ("sharpness", "pose.yaw", "geometry.head_height", "background.colour"):
        assert not blank[check].assessed
        assert "face" in (blank[check].reason or "")


def test_two_faces_are_counted_and_geometry_is_not_guessed(measured):
    two = measured["two_faces"]
    assert two["face.count"].values["count"] == 2
    for check in ("geometry.head_height", "pose.yaw", "sharpness"):
        assert not two[check].assessed


def test_measuring_is_deterministic(measured, inputs, input_name):
    again = photocheck.measure(inputs[input_name])
    assert again.to_dict() == measured[input_name].to_dict()


def test_each_check_measured_alone_gives_the_same_result(measured, inputs):
    """A check must not depend on which other checks ran before it (shared cache order)."""
    for check in MEASURED_IDS:
        alone = photocheck.measure(inputs["portrait"], checks=[check])
        assert tuple(alone.by_check) == (check,)
        assert alone[check].to_dict() == measured["portrait"][check].to_dict(), check


def test_the_callers_array_is_not_mutated(inputs, input_name):
    original = np.array(inputs[input_name])  # a writeable copy
    before = original.copy()
    measurements = photocheck.measure(original)
    np.testing.assert_array_equal(original, before)
    assert original.flags.writeable
    for profile in available_profiles():
        photocheck.judge(measurements, profile)
    photocheck.validate(original, "icao")
    np.testing.assert_array_equal(original, before)


def test_a_read_only_array_is_accepted(measured, inputs, input_name):
    read_only = inputs[input_name]
    assert not read_only.flags.writeable
    assert photocheck.measure(read_only).to_dict() == measured[input_name].to_dict()


def test_non_contiguous_views_measure_like_their_copies(measured, inputs):
    """A strided view (e.g. a crop or a channel-flipped array) is as good as its copy."""
    portrait = inputs["portrait"]
    padded = np.zeros((portrait.shape[0] + 20, portrait.shape[1] + 20, 3), np.uint8)
    padded[10:-10, 10:-10] = portrait
    view = padded[10:-10, 10:-10]
    assert not view.flags.c_contiguous
    assert photocheck.measure(view).to_dict() == measured["portrait"].to_dict()


@pytest.mark.parametrize("profile_name", available_profiles())
def test_judging_every_input_gives_well_formed_results(measured, input_name, profile_name):
    profile = load_profile(profile_name)
    verdict = photocheck.judge(measured[input_name], profile)
    applied = tuple(c for c in profile.checks if c not in REFERENCE_CHECKS)  # no reference
    assert tuple(r.check for r in verdict.results) == applied
    for result in verdict.results:
        assert result.status in ("pass", "fail", "warn", "not_assessed")
        assert result.code.startswith(result.check + "."), result.code
        assert result.message.strip()
        assert "{" not in result.message and "}" not in result.message, result.message
        assert not any(ch in result.message for ch in string.whitespace.replace(" ", ""))
        if result.status == "not_assessed":
            assert result.code == f"{result.check}.not_assessed"
        elif result.status == "pass":
            assert result.code == f"{result.check}.ok"
        else:
            assert result.limits, f"{result.check} failed without saying against what"


# --------------------------------------------------------------------------------------------
# Real photos (optional)


def test_real_photos_meet_the_contract(real_photo: Path):
    measurements = photocheck.measure(real_photo)
    assert tuple(m.check for m in measurements) == MEASURED_IDS
    for measurement in measurements:
        assert_measurement_contract(measurement)
    assert photocheck.measure(real_photo).to_dict() == measurements.to_dict()


# --------------------------------------------------------------------------------------------
# Metamorphic properties: measured values follow simple edits of the portrait. These pin the
# direction and size of the change, never a threshold.


def _values(photo, *checks: str) -> dict:
    flat = photocheck.measure(photo, checks=checks).flat()
    for check in checks:
        assert f"{check}:reason" not in flat, flat[f"{check}:reason"]
    return flat


@pytest.mark.parametrize("factor", [0.75, 1.5])
def test_resizing_keeps_ratios_sharpness_and_pose(portrait, portrait_measurements, factor):
    import cv2

    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(portrait, None, fx=factor, fy=factor, interpolation=interpolation)
    base = portrait_measurements.flat()
    checks = ("sharpness", "exposure", "geometry.head_height", "geometry.face_width",
              "geometry.eye_line", "geometry.centring", "geometry.eye_distance", "pose.roll")  # fmt: skip
    new = _values(resized, *checks)
    # The issue asks for a sharpness score that does not depend on the image size.
    assert new["sharpness:sharpness"] == pytest.approx(base["sharpness:sharpness"], abs=0.05)
    assert new["exposure:mean"] == pytest.approx(base["exposure:mean"], abs=3.0)
    for key in ("geometry.head_height:ratio", "geometry.face_width:ratio",
                "geometry.eye_line:ratio_from_top", "geometry.centring:ratio"):  # fmt: skip
        assert new[key] == pytest.approx(base[key], abs=0.02), key
    for key in ("geometry.eye_distance:px", "geometry.face_width:px", "geometry.centring:px"):
        assert new[key] == pytest.approx(factor * base[key], rel=0.04), key
    assert new["pose.roll:degrees"] == pytest.approx(base["pose.roll:degrees"], abs=1.0)


def test_blurring_lowers_sharpness(portrait, portrait_measurements):
    import cv2

    scores = [portrait_measurements["sharpness"].values["sharpness"]]
    for sigma in (1.5, 3.0):
        blurred = cv2.GaussianBlur(portrait, (0, 0), sigma)
        scores.append(_values(blurred, "sharpness")["sharpness:sharpness"])
    assert scores[0] > scores[1] > scores[2]
    assert scores[0] - scores[2] > 0.1


def test_mirroring_flips_the_sign_of_yaw_and_roll(portrait, portrait_measurements):
    base = portrait_measurements.flat()
    new = _values(portrait[:, ::-1], "pose.yaw", "pose.pitch", "pose.roll", "geometry.centring")
    assert new["pose.roll:degrees"] == pytest.approx(-base["pose.roll:degrees"], abs=1.0)
    assert new["pose.yaw:degrees"] == pytest.approx(-base["pose.yaw:degrees"], abs=2.0)
    assert new["pose.pitch:degrees"] == pytest.approx(base["pose.pitch:degrees"], abs=1.5)
    assert new["geometry.centring:ratio"] == pytest.approx(
        1 - base["geometry.centring:ratio"], abs=0.01
    )


@pytest.mark.parametrize("degrees", [-6.0, 6.0, 12.0])
def test_rotating_the_photo_changes_roll_by_the_same_angle(
    portrait, portrait_measurements, degrees
):
    import cv2

    centre = portrait_measurements.geometry["eye_midpoint"]
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)  # counter-clockwise on screen
    h, w = portrait.shape[:2]
    rotated = cv2.warpAffine(portrait, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    roll = _values(rotated, "pose.roll")["pose.roll:degrees"]
    # Positive roll is clockwise in the image, so a counter-clockwise turn lowers it.
    assert roll == pytest.approx(portrait_measurements.geometry["roll"] - degrees, abs=1.0)


def test_exposure_follows_brightness(portrait):
    import cv2

    means, darks = [], []
    for gamma in (1.6, 1.25, 1.0, 0.8, 0.6):  # darker -> brighter
        lut = (255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
        values = _values(cv2.LUT(portrait, lut), "exposure")
        means.append(values["exposure:mean"])
        darks.append(values["exposure:dark_fraction"])
    assert means == sorted(means)
    # The landmarks (and so the skin mask) move by a pixel or so between exposures, which
    # shifts the dark fraction by a few parts in 10,000: allow that much noise.
    assert all(later <= earlier + 1e-3 for earlier, later in itertools.pairwise(darks))
    assert darks[0] > darks[-1]
    assert means[-1] - means[0] > 40


def test_washing_out_lowers_contrast_proportionally(portrait, portrait_measurements):
    base = portrait_measurements["contrast"].values["range"]
    for gain in (0.75, 0.5):
        washed = np.clip(127.5 + gain * (portrait.astype(np.float64) - 127.5), 0, 255).astype(
            np.uint8
        )
        new = _values(washed, "contrast")["contrast:range"]
        assert new == pytest.approx(gain * base, abs=0.03)
