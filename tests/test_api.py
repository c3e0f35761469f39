"""The public entry points: measure, judge, validate and checks.run."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import photocheck
import photocheck.api
import photocheck.authoring
import photocheck.checks
from photocheck import Profile, UnknownCheckError, available_profiles, load_profile

# --------------------------------------------------------------------------------------------
# validate == judge(measure)


@pytest.mark.parametrize("profile_name", available_profiles())
def test_validate_equals_judge_of_measure(inputs, measured, input_name, profile_name):
    validated = photocheck.validate(inputs[input_name], profile_name)
    judged = photocheck.judge(measured[input_name], profile_name)  # measure(photo), cached
    assert validated.to_dict() == judged.to_dict()


def test_validate_defaults_to_icao(portrait, portrait_measurements):
    assert (
        photocheck.validate(portrait).to_dict()
        == photocheck.judge(portrait_measurements, "icao").to_dict()
    )
    assert photocheck.validate(portrait).profile == "icao"


def test_validate_measures_only_the_profiles_checks(portrait, monkeypatch):
    measured: list[str] = []
    real_measure = photocheck.api.measure

    def spy(photo, *, checks=None, **kwargs):
        measured.extend(checks)
        return real_measure(photo, checks=checks, **kwargs)

    monkeypatch.setattr(photocheck.api, "measure", spy)
    profile = Profile("two", "", {"face.count": {"min": 1}, "pose.roll": {"max_abs_degrees": 8}})
    photocheck.validate(portrait, profile)
    assert measured == ["face.count", "pose.roll"]


def test_verdict_carries_the_geometry_it_was_judged_on(portrait_measurements):
    verdict = photocheck.judge(portrait_measurements, "icao")
    assert verdict.geometry == portrait_measurements.geometry
    assert verdict.geometry["eye_distance"] > 0
    assert set(verdict.geometry) >= {"eye_midpoint", "eye_distance", "chin", "yaw", "pitch", "roll"}


def test_no_face_means_empty_geometry_and_not_assessed_results(blank):
    verdict = photocheck.validate(blank, "icao")
    assert verdict.geometry == {}
    assert not verdict.ok
    assert verdict["face.count"].code == "face.count.none"
    assert verdict["pose.yaw"].status == "not_assessed"
    assert "no face" in verdict["pose.yaw"].message


# --------------------------------------------------------------------------------------------
# judge touches no pixels


@pytest.fixture
def no_pixels(monkeypatch):
    """Make any attempt to load or analyse a photo fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("judge() touched pixels")

    monkeypatch.setattr(photocheck.api, "load_image", refuse)
    monkeypatch.setattr(photocheck.api, "Analysis", refuse)
    monkeypatch.setattr("photocheck.vision.face.find_faces", refuse)
    monkeypatch.setattr("photocheck.vision.runtime.run", refuse)


def test_rejudging_with_a_changed_profile_touches_no_pixels(portrait_measurements, no_pixels):
    eye_px = portrait_measurements["geometry.eye_distance"].values["px"]
    step = photocheck.authoring.get_check("geometry.eye_distance").limits[0].noise + 1
    base = load_profile("icao")
    below = photocheck.judge(
        portrait_measurements, base.with_rule("geometry.eye_distance", min_px=eye_px - step)
    )
    above = photocheck.judge(
        portrait_measurements, base.with_rule("geometry.eye_distance", min_px=eye_px + step)
    )
    near = photocheck.judge(
        portrait_measurements, base.with_rule("geometry.eye_distance", min_px=eye_px + 0.5)
    )
    assert below["geometry.eye_distance"].status == "pass"
    assert above["geometry.eye_distance"].status == "fail"
    assert above["geometry.eye_distance"].code == "geometry.eye_distance.too_small"
    assert above["geometry.eye_distance"].limits == {"min": eye_px + step, "max": None}
    assert near["geometry.eye_distance"].code == "geometry.eye_distance.borderline"
    # Every other check is judged exactly as before.
    for check in base.checks:
        if check != "geometry.eye_distance":
            assert below[check] == above[check]


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 300, allow_nan=False), high=st.floats(0, 300, allow_nan=False))
def test_a_range_fails_exactly_when_the_value_is_outside(portrait_measurements, low, high):
    """Outside by the limit's noise or more fails; closer to a limit than the noise warns."""
    value = portrait_measurements["geometry.eye_distance"].values["px"]
    noise = photocheck.authoring.get_check("geometry.eye_distance").limits[0].noise
    profile = Profile("p", "", {"geometry.eye_distance": {"min_px": low, "max_px": high}})
    result = photocheck.judge(portrait_measurements, profile)["geometry.eye_distance"]
    if value < low:
        expected = "too_small" if low - value >= noise else "borderline"
    elif value > high:
        expected = "too_large" if value - high >= noise else "borderline"
    else:
        expected = "borderline" if min(value - low, high - value) < noise else "ok"
    status = {"ok": "pass", "borderline": "warn"}.get(expected, "fail")
    assert (result.status, result.code) == (status, f"geometry.eye_distance.{expected}")
    assert result.value == value
    if status == "fail":
        assert f"{value:.0f}" in result.message
    if status == "warn":
        assert "close to the limit" in result.message


def test_categorical_rule_lists_the_allowed_values(portrait_measurements):
    colour = portrait_measurements["background.colour"].values["colour"]
    others = [c for c in ("white", "light_grey", "blue", "other") if c != colour]
    rejecting = Profile("p", "", {"background.colour": {"allowed": others[:2]}})
    result = photocheck.judge(portrait_measurements, rejecting)["background.colour"]
    assert (result.status, result.code, result.value) == (
        "fail",
        "background.colour.not_allowed",
        colour,
    )
    assert result.limits == {"allowed": others[:2]}
    for allowed in others[:2]:
        assert allowed.replace("_", " ") in result.message
    accepting = Profile("p", "", {"background.colour": {"allowed": [colour]}})
    assert photocheck.judge(portrait_measurements, accepting)["background.colour"].status == "pass"


def test_severity_warn_turns_a_fail_into_a_warning(portrait_measurements):
    eye_px = portrait_measurements["geometry.eye_distance"].values["px"]
    rule = {"min_px": eye_px + 50}
    failing = Profile("p", "", {"face.count": {"min": 1, "max": 1}, "geometry.eye_distance": rule})
    warning = failing.with_rule("geometry.eye_distance", severity="warn")
    hard = photocheck.judge(portrait_measurements, failing)
    soft = photocheck.judge(portrait_measurements, warning)
    assert hard["geometry.eye_distance"].status == "fail" and not hard.ok
    assert soft["geometry.eye_distance"].status == "warn" and soft.ok
    assert soft["geometry.eye_distance"].code == hard["geometry.eye_distance"].code
    assert soft.warnings == (soft["geometry.eye_distance"],)
    assert soft.failures == ()


def test_severity_warn_does_not_hide_not_assessed(blank):
    profile = Profile("p", "", {"pose.yaw": {"max_abs_degrees": 5, "severity": "warn"}})
    verdict = photocheck.validate(blank, profile)
    assert verdict["pose.yaw"].status == "not_assessed"
    assert not verdict.ok


def test_a_rule_without_limits_passes_when_measured(portrait_measurements):
    verdict = photocheck.judge(portrait_measurements, Profile("p", "", {"pose.yaw": {}}))
    assert verdict["pose.yaw"].status == "pass"
    assert verdict.ok


def test_a_check_that_was_not_measured_is_not_assessed(portrait):
    only_count = photocheck.measure(portrait, checks=["face.count"])
    verdict = photocheck.judge(only_count, "icao")
    assert verdict["face.count"].status == "pass"
    assert verdict["pose.yaw"].status == "not_assessed"
    assert "not measured" in verdict["pose.yaw"].message
    assert not verdict.ok


def test_a_missing_bound_value_is_not_assessed(portrait_measurements):
    # Arrays have no JPEG quality: a profile that bounds it cannot assess it.
    assert portrait_measurements["image.format"].values["jpeg_quality"] is None
    profile = Profile("p", "", {"image.format": {"min_jpeg_quality": 50}})
    result = photocheck.judge(portrait_measurements, profile)["image.format"]
    assert result.status == "not_assessed"
    assert "jpeg_quality" in result.message


def test_measure_rejects_unknown_check_ids(portrait):
    with pytest.raises(UnknownCheckError, match=r"Did you mean 'sharpness'"):
        photocheck.measure(portrait, checks=["sharpnes"])


def test_judge_rejects_unknown_profiles(portrait_measurements):
    with pytest.raises(photocheck.ProfileError, match=r"Did you mean 'icao'"):
        photocheck.judge(portrait_measurements, "icoa")


# --------------------------------------------------------------------------------------------
# One check on its own


def test_checks_run_one_check(portrait, portrait_measurements):
    result = photocheck.checks.run("sharpness", portrait)
    assert isinstance(result, photocheck.CheckResult)
    assert result.check == "sharpness"
    assert result == photocheck.judge(portrait_measurements, "icao")["sharpness"]


def test_checks_run_agrees_with_validate_for_every_check(portrait, portrait_measurements):
    profile_name = "cn-social-security"  # the profile with the most parameters
    verdict = photocheck.judge(portrait_measurements, profile_name)
    for result in verdict.results:
        assert photocheck.checks.run(result.check, portrait, profile_name) == result


def test_checks_run_without_a_rule_judges_with_open_limits(portrait):
    profile = Profile("p", "", {"face.count": {"min": 1}})
    result = photocheck.checks.run("pose.roll", portrait, profile)
    assert (result.status, result.code) == ("pass", "pose.roll.ok")


def test_checks_run_unknown_check(portrait):
    with pytest.raises(UnknownCheckError, match=r"Did you mean 'pose\.roll'"):
        photocheck.checks.run("pose.rol", portrait)


# --------------------------------------------------------------------------------------------
# JSON


@pytest.mark.parametrize("profile_name", available_profiles())
def test_to_dict_is_strict_json(measured, input_name, profile_name):
    verdict = photocheck.judge(measured[input_name], profile_name)
    for data in (verdict.to_dict(), measured[input_name].to_dict()):
        assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert json.loads(verdict.to_json(allow_nan=False)) == verdict.to_dict()


def test_to_dict_is_strict_json_on_real_photo(real_photo):
    for profile_name in available_profiles():
        data = photocheck.validate(real_photo, profile_name).to_dict()
        assert json.loads(json.dumps(data, allow_nan=False)) == data
        assert data["source"] == real_photo.name or real_photo.name in data["source"]
