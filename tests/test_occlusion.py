"""The face.occlusion check: a mask, a hand or hair covering part of the face.

- Built inputs: skimage's astronaut (public domain) with a mask, a hair band or fingers
  painted over her face at places the face mesh gives; the scores move the way their
  documentation says, and the proposed limits give the right failure code.
- Evaluation (skips without ``../shared/data/photos``): the cross-validated balanced accuracy
  of ``tools/eval_occlusion.py`` on the labelled development photos stays above a floor.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import pytest

from photocheck.analysis import Analysis
from photocheck.checks import occlusion as occlusion_check
from photocheck.imaging.load import load_image
from photocheck.rules.judging import judge_measurement
from photocheck.rules.registry import get_check
from photocheck.rules.verdict import CheckResult, Measurement

ROOT = Path(__file__).resolve().parents[1]
PHOTOS_DIR = ROOT.parent / "shared" / "data" / "photos"
# The limits proposed for the profiles (tools/eval_occlusion.py fits them).
RULE = {"max_lower_face_difference": 18.8, "min_mouth_contrast": 0.18, "max_eye_difference": 0.66}


def _measure(rgb: np.ndarray) -> Measurement:
    return get_check("face.occlusion").measure(Analysis(load_image(rgb)))


def _judge(measurement: Measurement, rule: Mapping[str, Any] = RULE) -> CheckResult:
    return judge_measurement(get_check("face.occlusion"), measurement, rule)


@pytest.fixture(scope="module")
def mesh(astronaut: np.ndarray) -> np.ndarray:
    face = Analysis(load_image(astronaut)).face
    assert face is not None
    return face.mesh[:, :2]


@pytest.fixture(scope="module")
def untouched(astronaut: np.ndarray) -> Measurement:
    return _measure(astronaut)


def _frame(mesh: np.ndarray) -> tuple[float, float]:
    """Inter-eye distance and the eye line's y (the astronaut is upright)."""
    right, left = mesh[468], mesh[473]
    return float(np.hypot(*(left - right))), float((right[1] + left[1]) / 2)


def paint_mask(rgb: np.ndarray, mesh: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """A uniform mask over the nose and mouth: the hull of the mesh below the upper nose."""
    ied, eye_y = _frame(mesh)
    lower = mesh[mesh[:, 1] >= eye_y + 0.35 * ied]
    out = rgb.copy()
    cv2.fillConvexPoly(out, cv2.convexHull(np.round(lower).astype(np.int32)), colour)
    return out


def paint_hair(rgb: np.ndarray, mesh: np.ndarray, seed: int = 0) -> np.ndarray:
    """A dark band of vertical strands over the person's left eye (image right), brow to cheek."""
    ied, _ = _frame(mesh)
    cx, cy = mesh[473]
    x0, x1 = round(cx - 0.45 * ied), round(cx + 0.45 * ied)
    y0, y1 = round(cy - 0.7 * ied), round(cy + 0.5 * ied)
    rng = np.random.default_rng(seed)
    band = np.full((y1 - y0, x1 - x0, 3), (55, 40, 30), np.float32)
    band += rng.normal(0.0, 18.0, (1, x1 - x0, 1))  # strands: columns lighter or darker
    band += rng.normal(0.0, 6.0, band.shape)
    out = rgb.copy()
    out[y0:y1, x0:x1] = np.clip(band, 0, 255).astype(np.uint8)
    return out


def paint_fingers(rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray:
    """Four skin-coloured fingers, shaded like cylinders, across the mouth from the image's left."""
    ied, _ = _frame(mesh)
    mouth = (mesh[13] + mesh[14]) / 2
    x, y = np.round(mesh[50]).astype(int)  # the person's right cheek
    skin = np.median(rgb[y - 4 : y + 4, x - 4 : x + 4].reshape(-1, 3), axis=0)
    width = 0.3 * ied
    out = rgb.astype(np.float32)
    ys, xs = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]].astype(np.float32)
    for offset in (-1.5, -0.5, 0.5, 1.5):
        tip_x, axis_y = mouth[0] + 0.8 * ied, mouth[1] + offset * width
        along = np.clip(xs, tip_x - 2.2 * ied, tip_x)
        d = np.hypot(xs - along, ys - axis_y) / (width / 2)
        inside = d < 1
        out[inside] = skin * (1.0 - 0.35 * d[inside] ** 2)[:, np.newaxis]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# Built inputs


def test_untouched_astronaut_passes(untouched: Measurement) -> None:
    assert untouched.assessed, untouched.reason
    values = untouched.values
    assert values["lower_face_difference"] < 10
    assert values["mouth_contrast"] > 1.0
    assert values["eye_difference"] < 0.1
    assert _judge(untouched).status == "pass"


@pytest.mark.parametrize(
    ("colour", "factor"),
    [((165, 205, 235), 4.0), ((245, 245, 245), 2.5)],
    ids=["light_blue", "white"],
)
def test_a_mask_raises_the_lower_face_difference(
    astronaut: np.ndarray, mesh: np.ndarray, untouched: Measurement, colour, factor
) -> None:
    masked = _measure(paint_mask(astronaut, mesh, colour))
    assert masked.assessed, masked.reason
    before = untouched.values["lower_face_difference"]
    after = masked.values["lower_face_difference"]
    assert isinstance(before, float) and isinstance(after, float)
    assert after > factor * before, (before, after)
    # The mask also hides the lip outline the mesh still places under it.
    assert masked.values["mouth_contrast"] < 0.1
    result = _judge(masked)
    assert result.status == "fail"
    # The light-blue mask is far from her skin; the white one is close to her bright brow
    # ridge (delta E 17.5) and is caught by the hidden mouth instead.
    expected = "face.occlusion.mask" if colour[2] < 240 else "face.occlusion.hand"
    assert result.code == expected, result


def test_the_mask_code_says_what_to_do(astronaut: np.ndarray, mesh: np.ndarray) -> None:
    result = _judge(_measure(paint_mask(astronaut, mesh, (165, 205, 235))))
    assert result.code == "face.occlusion.mask"
    assert "mask" in result.message and "nose and mouth" in result.message


def test_hair_over_one_eye_raises_the_eye_difference(
    astronaut: np.ndarray, mesh: np.ndarray, untouched: Measurement
) -> None:
    covered = _measure(paint_hair(astronaut, mesh))
    assert covered.assessed, covered.reason
    assert covered.values["eye_difference"] > 0.9
    assert covered.values["eye_difference"] > untouched.values["eye_difference"] + 0.8
    # Nothing changed at the mouth.
    assert covered.values["lower_face_difference"] == pytest.approx(
        untouched.values["lower_face_difference"], abs=2.0
    )
    result = _judge(covered)
    assert (result.status, result.code) == ("fail", "face.occlusion.hair")
    assert "hair" in result.message


def test_fingers_over_the_mouth_lower_its_contrast(
    astronaut: np.ndarray, mesh: np.ndarray, untouched: Measurement
) -> None:
    covered = _measure(paint_fingers(astronaut, mesh))
    assert covered.assessed, covered.reason
    before, after = untouched.values["mouth_contrast"], covered.values["mouth_contrast"]
    assert isinstance(before, float) and isinstance(after, float)
    # Measured 1.50 -> 0.90: the mesh puts its lips on the creases between the fingers, whose
    # shading still has some contrast, so the drop is clear but not large.
    assert after < 0.75 * before, (before, after)
    # Skin-coloured: not a mask.
    assert covered.values["lower_face_difference"] < RULE["max_lower_face_difference"]
    # A stricter hand limit (the proposed one only catches mouths with almost no outline,
    # see tools/eval_occlusion.py) turns the drop into the hand code.
    result = _judge(covered, {**RULE, "min_mouth_contrast": 0.9 * before})
    assert result.code == "face.occlusion.hand"


def test_mouth_outside_the_photo_is_not_assessed(astronaut: np.ndarray, mesh: np.ndarray) -> None:
    cut = round(float(mesh[2, 1]))  # just below the nose: the mouth is cut off
    measurement = _measure(np.ascontiguousarray(astronaut[:cut]))
    assert not measurement.assessed
    assert measurement.values == {}
    assert "outside the photo" in (measurement.reason or "")
    assert _judge(measurement).status == "not_assessed"


def test_no_face_is_not_assessed(blank: np.ndarray) -> None:
    measurement = _measure(blank)
    assert not measurement.assessed
    assert "no face" in (measurement.reason or "")


def test_a_head_turned_far_is_not_assessed(astronaut: np.ndarray) -> None:
    analysis = Analysis(load_image(astronaut))
    geometry = dict(analysis.geometry)
    geometry["yaw"] = 60.0
    analysis.__dict__["geometry"] = geometry  # a profile view, as the pose model would say
    measurement = get_check("face.occlusion").measure(analysis)
    assert not measurement.assessed
    assert "turned 60 degrees" in (measurement.reason or "")


def test_mesh_in_canonical_face_lands_on_its_landmarks(astronaut: np.ndarray) -> None:
    from photocheck.vision.geometry import LANDMARKS_68

    analysis = Analysis(load_image(astronaut))
    mapped = occlusion_check.mesh_in_canonical_face(analysis)
    assert mapped.shape == (478, 2)
    landmarks = analysis.canonical_face["landmarks"]
    np.testing.assert_allclose(mapped[list(LANDMARKS_68)], landmarks, atol=1e-6)


# --------------------------------------------------------------------------------------------
# Evaluation over the development photos


def _eval_tool() -> ModuleType:
    path = ROOT / "tools" / "eval_occlusion.py"
    spec = importlib.util.spec_from_file_location("eval_occlusion", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.evaluation
def test_cross_validated_balanced_accuracy_on_the_development_photos() -> None:
    if not (PHOTOS_DIR / "manifest.csv").is_file():
        pytest.skip(f"real photos not available ({PHOTOS_DIR} is absent)")
    tool = _eval_tool()
    result = tool.evaluate(PHOTOS_DIR)
    rows = {row.what: row for row in result.cv_real}
    overall, mask = rows["any occlusion"], rows["mask"]
    # Measured (5 folds, seed 0): 10 occluded (9 masks, 1 hair) against 57 bare faces; all
    # 10 rejected, 8 bare faces rejected (3 of them profiles the check does not assess):
    # balanced accuracy 0.930. One more missed occlusion costs 0.05 and each false alarm
    # 0.009, so 0.85 (the aim) leaves room for one miss and two more false alarms.
    assert (overall.positives, overall.negatives) == (10, 57)
    assert (mask.positives, mask.detected) == (9, 9)
    assert overall.ba >= 0.85, overall
    # Hair drawn over one eye of each bare face is found more often than not.
    drawn = {row.what: row for row in result.cv_drawn}
    assert drawn["hair"].detected >= 0.6 * drawn["hair"].positives, drawn["hair"]
