"""Result types: Measurement, Measurements, CheckResult, Verdict and their JSON form."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck import CheckResult, Measurement, Measurements, UnknownCheckError, Verdict


def result(check: str, status: str, value=None) -> CheckResult:
    code = {"pass": f"{check}.ok", "not_assessed": f"{check}.not_assessed"}.get(
        status, f"{check}.bad"
    )
    return CheckResult(check, status, code, f"message for {check}", value, {"min": 1})  # type: ignore[arg-type]


def verdict(*statuses: str) -> Verdict:
    return Verdict("p", "<array>", tuple(result(f"c{i}", s) for i, s in enumerate(statuses)))


# --------------------------------------------------------------------------------------------
# ok / failures / warnings


def test_all_pass_is_ok():
    v = verdict("pass", "pass")
    assert v.ok and v.failures == () and v.warnings == ()


def test_a_fail_is_not_ok():
    v = verdict("pass", "fail")
    assert not v.ok
    assert [r.check for r in v.failures] == ["c1"]


def test_not_assessed_is_not_ok():
    """A check that could not measure does not accept the photo."""
    v = verdict("pass", "not_assessed")
    assert not v.ok
    assert [r.status for r in v.failures] == ["not_assessed"]
    assert not v.results[1].passed


def test_warn_keeps_ok_and_is_reported_as_a_warning():
    v = verdict("pass", "warn")
    assert v.ok
    assert v.failures == ()
    assert [r.check for r in v.warnings] == ["c1"]
    assert v.results[1].passed


def test_an_empty_verdict_is_ok():
    assert verdict().ok


@given(st.lists(st.sampled_from(["pass", "fail", "warn", "not_assessed"]), max_size=8))
def test_ok_iff_no_fail_and_no_not_assessed(statuses):
    v = verdict(*statuses)
    assert v.ok == all(s in ("pass", "warn") for s in statuses)
    assert len(v.failures) == sum(s in ("fail", "not_assessed") for s in statuses)
    assert len(v.warnings) == statuses.count("warn")
    assert v.to_dict()["ok"] == v.ok


def test_verdict_getitem():
    v = verdict("pass", "fail")
    assert v["c1"].status == "fail"
    with pytest.raises(KeyError, match="c9"):
        v["c9"]


# --------------------------------------------------------------------------------------------
# JSON


def test_to_dict_has_the_documented_shape():
    v = Verdict("icao", "a.jpg", (result("sharpness", "fail", 0.3),), {"eye_distance": 100.0})
    assert v.to_dict() == {
        "schema_version": "2.0",
        "source": "a.jpg",
        "profile": "icao",
        "ok": False,
        "results": [
            {
                "check": "sharpness",
                "status": "fail",
                "code": "sharpness.bad",
                "message": "message for sharpness",
                "value": 0.3,
                "limits": {"min": 1},
                "details": {},
                "fixable": False,
            }
        ],
        "geometry": {"eye_distance": 100.0},
    }
    assert json.loads(v.to_json()) == v.to_dict()


def test_to_dict_converts_numpy_tuples_and_non_finite_values():
    geometry = {
        "chin": (np.float64(1.5), np.int64(2)),
        "box": np.array([1, 2, 3, 4]),
        "yaw": math.nan,
        "pitch": np.float32(np.inf),
        "flag": np.bool_(True),
    }
    m = Measurement(
        "x.y", {"a": np.float32(0.5), "b": math.inf, "c": np.int16(3), "d": "s", "e": None}
    )
    ms = Measurements("<array>", {"x.y": m}, geometry)
    r = CheckResult("x.y", "fail", "x.y.bad", "msg", np.float64(math.nan), {"min": np.int64(1)})
    v = Verdict("p", "<array>", (r,), geometry)
    for data in (m.to_dict(), ms.to_dict(), r.to_dict(), v.to_dict()):
        text = json.dumps(data, allow_nan=False)  # raises on NaN/inf or NumPy types
        assert json.loads(text) == data
    assert m.to_dict()["values"] == {"a": 0.5, "b": None, "c": 3, "d": "s", "e": None}
    g = v.to_dict()["geometry"]
    assert g == {"chin": [1.5, 2], "box": [1, 2, 3, 4], "yaw": None, "pitch": None, "flag": True}
    assert type(g["flag"]) is bool and type(g["box"][0]) is int


json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats() | st.text(max_size=10)
)


@settings(max_examples=50)
@given(st.dictionaries(st.text(min_size=1, max_size=8), json_scalars, max_size=6))
def test_measurement_to_dict_is_always_strict_json(values):
    data = Measurement("a.b", values).to_dict()
    json.dumps(data, allow_nan=False)
    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            assert data["values"][name] is None
        else:
            assert data["values"][name] == value


# --------------------------------------------------------------------------------------------
# Measurement(s)


def test_measurement_assessed():
    assert Measurement("a.b", {"x": 1}).assessed
    assert not Measurement("a.b", {}, "no face was found").assessed


def test_measurements_lookup_iteration_and_flat():
    ms = Measurements(
        "<array>",
        {
            "face.count": Measurement("face.count", {"count": 0}),
            "pose.yaw": Measurement("pose.yaw", {}, "no face was found"),
        },
    )
    assert len(ms) == 2
    assert [m.check for m in ms] == ["face.count", "pose.yaw"]
    assert ms["face.count"].values == {"count": 0}
    assert ms.flat() == {"face.count:count": 0, "pose.yaw:reason": "no face was found"}
    with pytest.raises(KeyError):
        ms["pose.roll"]  # registered but not measured here
    with pytest.raises(UnknownCheckError, match=r"Did you mean 'pose\.yaw'"):
        ms["pose.yawn"]


def test_results_are_immutable():
    r = result("a.b", "pass")
    with pytest.raises(AttributeError):
        r.status = "fail"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# A photo of the wrong fixed size: pixel framing failures say so first


def _size(code: str, width: int, height: int) -> CheckResult:
    limits = {"min_width": 358, "max_width": 358, "min_height": 441, "max_height": 441}
    return CheckResult(
        "image.format", "fail", code, "size", width, limits, {"height": height, "aspect": 0.8}
    )


def _framing(check: str, limits: dict[str, float | None]) -> CheckResult:
    return CheckResult(check, "fail", f"{check}.too_large", "original", 0.5, limits, {"px": 300.0})


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (
            _size("image.format.too_wide", 1350, 441),
            "The photo must be 358 x 441 pixels (it is 1350 x 441)",
        ),
        (
            _size("image.format.too_tall", 358, 900),
            "The photo must be 358 x 441 pixels (it is 358 x 900)",
        ),
    ],
)
def test_pixel_framing_failures_name_the_wrong_photo_size_first(size, text):
    px = _framing("geometry.face_width", {"min_ratio": None, "max_ratio": None, "max_px": 255})
    ratio = _framing("geometry.head_height", {"min_ratio": 0.6, "max_ratio": 0.9, "max_px": None})
    v = Verdict("cn", "a.jpg", (size, px, ratio))
    assert v["geometry.face_width"].message.startswith(text)
    assert v["geometry.face_width"].code == "geometry.face_width.too_large"  # codes unchanged
    assert v["geometry.head_height"].message == "original"  # judged on a share, not pixels


def test_a_size_range_leaves_the_framing_messages_alone():
    size = CheckResult(
        "image.format", "fail", "image.format.too_narrow", "size", 200,
        {"min_width": 300, "max_width": None}, {"height": 400},
    )  # fmt: skip
    px = _framing("geometry.face_width", {"max_px": 255})
    assert Verdict("p", "a.jpg", (size, px))["geometry.face_width"].message == "original"
