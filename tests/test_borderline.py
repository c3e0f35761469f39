"""Borderline results: a value closer to a limit than the limit's declared noise warns.

The noise of each built-in limit comes from ``tools/stability.py --noise`` (see
docs/borderline.md); ``tests/test_stability.py`` keeps the declarations honest against the
development photos. Here: the judging rules on the public-domain portrait of conftest and on
every built-in declaration.
"""

from __future__ import annotations

import math

import pytest

import photocheck
from photocheck.authoring import OneOf, Outcome, Range, available_checks, get_check
from photocheck.errors import PhotocheckError
from photocheck.rules.judging import borderline_message

NOISY = [
    (check, limit)
    for check in available_checks()
    for limit in get_check(check).limits
    if isinstance(limit, Range) and limit.noise > 0
]


def test_noise_declarations_are_finite_non_negative_and_numeric_only():
    assert len(NOISY) >= 40  # every built-in value that moves declares its noise
    for check in available_checks():
        spec = get_check(check)
        assert spec.retake.strip(), f"{check}: no retake advice for a borderline result"
        for limit in spec.limits:
            if isinstance(limit, Range):
                assert math.isfinite(limit.noise) and limit.noise >= 0, (check, limit.value)
            else:
                assert isinstance(limit, OneOf) and not hasattr(limit, "noise")


@pytest.mark.parametrize("noise", [-0.1, math.nan])
def test_a_negative_or_nan_noise_is_refused(noise):
    with pytest.raises(PhotocheckError, match="noise"):
        Range("v", "min_v", None, too_low=Outcome("x.low", "low"), noise=noise)


@pytest.mark.parametrize(("check", "limit"), NOISY, ids=[f"{c}:{lim.value}" for c, lim in NOISY])
def test_borderline_message_names_the_value_the_limit_and_a_retake(check, limit):
    spec = get_check(check)
    text = borderline_message(spec, limit, 0.3049, 0.3)
    assert text.startswith("This is close to the limit (") and text.endswith(" is safer.")
    assert "0.305" in text and "limit 0.3)" in text
    assert f"a retake {spec.retake} is safer." in text
    assert "{" not in text and "}" not in text and "(" not in text[28:].split(":")[0]


def _only(check: str, **rule: float) -> photocheck.Profile:
    return photocheck.Profile("p", rules={"face.count": {"min": 1, "max": 1}, check: rule})


def test_a_borderline_value_warns_on_either_side_and_keeps_the_photo_accepted(
    portrait_measurements,
):
    yaw = portrait_measurements["pose.yaw"].values["abs_degrees"]
    noise = get_check("pose.yaw").limits[0].noise
    for limit in (yaw + noise / 2, yaw - noise / 2):  # passes / fails by less than the noise
        verdict = photocheck.judge(portrait_measurements, _only("pose.yaw", max_abs_degrees=limit))
        result = verdict["pose.yaw"]
        assert (result.status, result.code) == ("warn", "pose.yaw.borderline")
        signed = portrait_measurements["pose.yaw"].values["degrees"]
        assert result.value == signed and result.details["abs_degrees"] == yaw
        assert result.limits == {"max_abs_degrees": limit}
        assert "facing the camera squarely" in result.message
        assert verdict.ok and verdict.warnings == (result,) and verdict.failures == ()
    clear = photocheck.judge(portrait_measurements, _only("pose.yaw", max_abs_degrees=yaw - 1.5 * noise))
    assert (clear["pose.yaw"].status, clear["pose.yaw"].code) == ("fail", "pose.yaw.turned")
    assert not clear.ok
    wide = photocheck.judge(portrait_measurements, _only("pose.yaw", max_abs_degrees=yaw + 1.5 * noise))
    assert wide["pose.yaw"].code == "pose.yaw.ok"


def test_one_clear_failure_outweighs_a_borderline_limit(portrait_measurements):
    values = portrait_measurements["exposure"].values
    noises = {lim.value: lim.noise for lim in get_check("exposure").limits}
    rule = {
        "min_mean": values["mean"] + noises["mean"] / 2,  # borderline
        "max_dark_fraction": values["dark_fraction"] - 2 * noises["dark_fraction"] - 1e-6,
    }
    result = photocheck.judge(portrait_measurements, _only("exposure", **rule))["exposure"]
    assert (result.status, result.code) == ("fail", "exposure.underexposed_areas")


def test_severity_warn_borderline_keeps_its_own_code(portrait_measurements):
    yaw = portrait_measurements["pose.yaw"].values["abs_degrees"]
    noise = get_check("pose.yaw").limits[0].noise
    profile = _only("pose.yaw", max_abs_degrees=yaw - noise / 2).with_rule(
        "pose.yaw", severity="warn"
    )
    result = photocheck.judge(portrait_measurements, profile)["pose.yaw"]
    assert (result.status, result.code) == ("warn", "pose.yaw.borderline")


@pytest.mark.parametrize(("check", "limit"), NOISY, ids=[f"{c}:{lim.value}" for c, lim in NOISY])
def test_every_noisy_builtin_limit_gives_borderline_on_the_portrait(
    portrait_measurements, check, limit
):
    value = portrait_measurements[check].values.get(limit.value)
    if value is None:
        pytest.skip(f"{check}:{limit.value} is not measured on the portrait")
    param = limit.min_param if limit.min_param is not None else limit.max_param
    assert param is not None
    for offset in (-0.5, 0.5):
        profile = photocheck.Profile("p", rules={check: {param: value + offset * limit.noise}})
        result = photocheck.judge(portrait_measurements, profile)[check]
        assert (result.status, result.code) == ("warn", f"{check}.borderline"), result
        # The limited value is the result's value, or one of its details (e.g. |yaw|).
        assert result.details.get(limit.value, result.value) == value
        assert "close to the limit" in result.message
