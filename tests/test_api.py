"""The public entry points: measure, judge, validate and checks.run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

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
    assert above["geometry.eye_distance"].limits == {"min_px": eye_px + step, "max_px": None}
    assert below["geometry.eye_distance"].limits == {"min_px": eye_px - step, "max_px": None}
    assert near["geometry.eye_distance"].code == "geometry.eye_distance.borderline"
    # Every other check is judged exactly as before.
    assert [r.check for r in below.results] == [r.check for r in above.results]
    for result in below.results:
        if result.check != "geometry.eye_distance":
            assert above[result.check] == result


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
    assert result.limits == {"allowed": others[:2], "min_lightness": None}  # every parameter
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
        alone = photocheck.checks.run(result.check, portrait, profile_name)
        # A verdict may put a photo-size failure first in its pixel framing messages.
        if "photocheck fix" in result.message and result.check.startswith("geometry."):
            alone = dataclasses.replace(alone, message=result.message)
        assert alone == result


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


# --------------------------------------------------------------------------------------------
# One result shape, and messages that agree with the decision


def _judge_one(check: str, values: dict[str, object], rule: dict[str, object]):
    from photocheck import Measurement, Measurements

    measurements = Measurements("x", {check: Measurement(check, values)})
    return photocheck.judge(measurements, Profile("p", rules={check: rule}))[check]


def _pose(degrees: float) -> dict[str, object]:
    return {"degrees": degrees, "abs_degrees": abs(degrees)}


def test_a_check_reports_one_value_and_the_same_limit_keys_whatever_the_status():
    rule = {"min_mean": 45.0, "max_mean": 225.0, "max_dark_fraction": 0.15}
    good = {"mean": 120.0, "dark_fraction": 0.01, "bright_fraction": 0.0}
    dark_patches = {"mean": 110.0, "dark_fraction": 0.4, "bright_fraction": 0.0}
    passed, failed = _judge_one("exposure", good, rule), _judge_one("exposure", dark_patches, rule)
    assert (passed.status, failed.code) == ("pass", "exposure.underexposed_areas")
    assert (passed.value, failed.value) == (120.0, 110.0)  # the grey level, not a fraction
    assert failed.details == {"dark_fraction": 0.4, "bright_fraction": 0.0}
    every = {"min_mean": 45.0, "max_mean": 225.0, "max_dark_fraction": 0.15}
    assert passed.limits == failed.limits == {**every, "max_bright_fraction": None}
    missing = _judge_one("exposure", {}, rule)  # not measured: no value, the same keys
    assert (missing.status, missing.value, missing.limits) == ("not_assessed", None, passed.limits)


@pytest.mark.parametrize("check", ["pose.yaw", "pose.pitch", "pose.roll"])
def test_pose_values_are_signed_with_the_same_limits_on_pass_and_fail(check):
    rule = {"max_abs_degrees": 5.0}
    passed, failed = _judge_one(check, _pose(-2.0), rule), _judge_one(check, _pose(-19.2), rule)
    assert (passed.status, failed.status) == ("pass", "fail")
    assert (passed.value, failed.value) == (-2.0, -19.2)
    assert passed.limits == failed.limits and "max_abs_degrees" in failed.limits
    assert failed.details["abs_degrees"] == 19.2


@pytest.mark.parametrize(
    ("check", "degrees", "words"),
    [
        # yaw > 0: the face turns towards the image's right, the person's own left.
        ("pose.yaw", 19.2, ("Turn your head to your right", "19° to your left", "at most 5°")),
        ("pose.yaw", -19.2, ("Turn your head to your left", "19° to your right")),
        ("pose.pitch", 19.2, ("Lower your chin", "tilted 19° up")),  # > 0: chin up
        ("pose.pitch", -19.2, ("Raise your chin", "tilted 19° down")),
        ("pose.roll", 19.2, ("towards your left shoulder",)),  # > 0: clockwise on screen
        ("pose.roll", -19.2, ("towards your right shoulder",)),
    ],
)
def test_pose_messages_say_which_way_to_turn(check, degrees, words):
    result = _judge_one(check, _pose(degrees), {"max_abs_degrees": 5.0})
    assert result.status == "fail"
    for word in words:
        assert word in result.message, result.message


def test_a_rounded_value_never_lands_on_its_limit_in_a_message():
    values = {"width": 358, "height": 441, "file_kb": 13.6}
    small = _judge_one("image.format", values, {"min_file_kb": 14})
    assert small.code == "image.format.file_too_small"
    assert "13.6 KB; it must be at least 14 KB" in small.message
    large = _judge_one("image.format", {**values, "file_kb": 40.3}, {"max_file_kb": 40})
    assert "40.3 KB; it must be at most 40 KB" in large.message
    clear = _judge_one("image.format", {**values, "file_kb": 12.2}, {"min_file_kb": 14})
    assert "is 12 KB" in clear.message  # no extra decimals when rounding keeps the side


def test_the_top_margin_message_agrees_with_a_fractional_pixel_value():
    from photocheck.rules.judging import _format

    template = get_message("geometry.top_margin.too_small", "px")
    text = _format(template, 0.79, 1, None, side="too_low")
    assert "0.8 px from the top edge; at least 1 px" in text


def get_message(code: str, value: str) -> str:
    from photocheck.authoring import Range, get_check

    for limit in get_check(code.rsplit(".", 1)[0]).limits:
        if isinstance(limit, Range) and limit.value == value:
            for outcome in (limit.too_low, limit.too_high):
                if outcome is not None and outcome.code == code:
                    return outcome.message
    raise AssertionError(code)


def test_no_message_names_the_class_other_or_calls_a_dark_face_washed_out():
    colour = _judge_one("background.colour", {"colour": "other"}, {"allowed": ["white"]})
    assert colour.code == "background.colour.not_allowed"
    assert "looks other" not in colour.message
    assert "must be white; this one is another colour" in colour.message
    contrast = _judge_one("contrast", {"range": 0.08, "entropy": 5.0}, {"min_range": 0.15})
    assert contrast.code == "contrast.too_low" and "washed out" not in contrast.message
    assert "8%" in contrast.message and "15%" in contrast.message


def test_only_the_head_height_tells_the_person_to_move_closer_or_back():
    """Head height and face width can fail in opposite directions on one photo."""
    from photocheck.authoring import Range, available_checks, get_check

    for check in available_checks():
        for limit in get_check(check).limits:
            if not isinstance(limit, Range):
                continue
            for outcome in (limit.too_low, limit.too_high):
                if outcome is not None and check != "geometry.head_height":
                    text = outcome.message.lower()
                    assert "move closer" not in text and "move back" not in text, outcome.code


# --------------------------------------------------------------------------------------------
# Imports after a plain ``import photocheck``


def test_checks_annotate_and_report_are_reachable_lazily_in_a_fresh_process():
    import subprocess
    import sys

    code = (
        "import sys, photocheck\n"
        "assert 'photocheck.visual.annotate' not in sys.modules\n"
        "assert 'numpy' not in sys.modules\n"
        "photo = 'examples/photos/blurred.jpg'\n"
        "assert photocheck.checks.run('sharpness', photo).code == 'sharpness.blurred'\n"
        "verdict = photocheck.validate(photo)\n"
        "a = photocheck.annotate(photo, verdict)\n"
        "b = photocheck.annotate.annotate(photo, verdict)\n"
        "assert a.shape == b.shape and (a == b).all()\n"
        "assert callable(photocheck.report.write_report)\n"
        "from photocheck import annotate\n"
        "assert annotate is photocheck.annotate\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_check_may_name_its_value_and_an_abs_limit_reports_the_signed_value(temp_check):
    from photocheck import Measurement, Measurements
    from photocheck.authoring import Outcome, Range

    too_far = Outcome("custom.tilt.far", "Tilted {value:.0f} deg {tilt:anticlockwise|clockwise}.")
    limits = [Range("abs_tilt", None, "max_abs", too_high=too_far), Range("px", "min_px", None)]
    temp_check("custom.tilt", summary="Tilt", passed="ok", limits=limits)(lambda a: {})
    temp_check("custom.named", summary="Named", passed="ok", limits=limits, value="px")(
        lambda a: {}
    )
    temp_check("custom.unsigned", summary="Abs only", passed="ok", limits=limits[:1])(lambda a: {})
    rule = {"max_abs": 5.0}
    values = {"tilt": -9.0, "abs_tilt": 9.0, "px": 40.0}
    by_check = {
        "custom.tilt": Measurement("custom.tilt", values),
        "custom.named": Measurement("custom.named", values),
        "custom.unsigned": Measurement("custom.unsigned", {"abs_tilt": 9.0}),
    }
    rules = {check: rule for check in by_check}
    verdict = photocheck.judge(Measurements("x", by_check), Profile("p", rules=rules))
    tilt, named, unsigned = (verdict[c] for c in by_check)
    assert (tilt.value, tilt.details) == (-9.0, {"abs_tilt": 9.0, "px": 40.0})
    assert tilt.message == "Tilted 9 deg anticlockwise."
    assert tilt.limits == {"max_abs": 5.0, "min_px": None}
    assert (named.value, named.details) == (40.0, {"tilt": -9.0, "abs_tilt": 9.0})
    assert (unsigned.value, unsigned.details) == (9.0, {})  # no signed value measured
