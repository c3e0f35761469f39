"""Build the synthetic face used by tests/test_annotate.py and (re)generate its golden image.

Run from the repository root after an intended change to the drawing:

    uv run python tests/data/make_annotate_golden.py

The face is drawn with OpenCV from 68 landmarks placed on ellipses and lines (no photo, no
model): a cartoon head on a plain light-blue background. Its verdict is real: the geometry
is derived from those landmarks (:func:`landmark_geometry`), the geometry checks are
measured by their registered functions, and the result is judged by a fixed profile (the
ISO/ICAO framing numbers, written out here so that later tuning of the shipped ``icao`` profile
does not move the golden image) plus a sharpness rule fed a low value, so that the legend lists
failures. The messages are replaced by fixed text naming each code, so that rewording a
check's message does not change the golden image either: the test is about the drawing.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from photocheck import Measurements, Profile, Verdict, judge
from photocheck.analysis import Analysis
from photocheck.imaging.load import load_image
from photocheck.rules.registry import get_check
from photocheck.rules.verdict import Measurement

GOLDEN = Path(__file__).with_name("annotate_golden.png")
WIDTH, HEIGHT = 400, 500
GOLDEN_WIDTH = 400  # annotate(..., width=GOLDEN_WIDTH)
# ISO/IEC 19794-5 / ICAO 9303 framing numbers (see docs and DESIGN.md).
RULES = {
    "geometry.eye_distance": {"min_px": 90},
    "geometry.head_height": {"min_ratio": 0.60, "max_ratio": 0.90},
    "geometry.face_width": {"min_ratio": 0.50, "max_ratio": 0.75},
    "geometry.eye_line": {"min_ratio_from_top": 0.30, "max_ratio_from_top": 0.50},
    "geometry.centring": {"min_ratio": 0.45, "max_ratio": 0.55},
    "geometry.top_margin": {"min_px": 1},
    "sharpness": {"min": 0.45},
}
_CHECKS = (
    "geometry.eye_distance",
    "geometry.head_height",
    "geometry.face_width",
    "geometry.eye_line",
    "geometry.centring",
    "geometry.top_margin",
)


def _arc(
    cx: float, cy: float, ax: float, ay: float, start: float, stop: float, n: int
) -> np.ndarray:
    """``n`` points on an ellipse from angle ``start`` to ``stop`` (radians, y down)."""
    t = np.linspace(start, stop, n)
    return np.stack([cx + ax * np.cos(t), cy + ay * np.sin(t)], axis=1)


def synthetic_landmarks(cx: float = 238.0, eye_y: float = 200.0, ied: float = 100.0) -> np.ndarray:
    """68 iBUG landmarks (x, y) of a frontal face, eyes ``ied`` px apart at height ``eye_y``."""
    s = ied / 100.0
    pts = np.zeros((68, 2))
    pts[0:17] = _arc(cx, eye_y + 15 * s, 110 * s, 150 * s, math.pi, 0.0, 17)  # jaw, chin at 8
    pts[17:22] = _arc(cx - 50 * s, eye_y - 22 * s, 32 * s, 12 * s, math.pi, 2 * math.pi, 5)
    pts[22:27] = _arc(cx + 50 * s, eye_y - 22 * s, 32 * s, 12 * s, math.pi, 2 * math.pi, 5)
    pts[27:31] = np.stack([np.full(4, cx), eye_y + s * np.array([5, 25, 45, 65])], axis=1)
    pts[31:36] = np.stack([cx + s * np.linspace(-18, 18, 5), np.full(5, eye_y + 78 * s)], axis=1)
    for first, ex in ((36, cx - 50 * s), (42, cx + 50 * s)):
        # corner, two upper points, corner, two lower points (iBUG order, clockwise)
        angles = [math.pi, 1.25 * math.pi, 1.75 * math.pi, 0.0, 0.25 * math.pi, 0.75 * math.pi]
        pts[first : first + 6] = [
            (ex + 20 * s * math.cos(a), eye_y + 9 * s * math.sin(a)) for a in angles
        ]
    mouth_y = eye_y + 110 * s
    outer = [math.pi + k * math.pi / 6 for k in range(7)] + [k * math.pi / 6 for k in range(1, 6)]
    pts[48:60] = [(cx + 40 * s * math.cos(a), mouth_y + 14 * s * math.sin(a)) for a in outer]
    inner = [math.pi + k * math.pi / 4 for k in range(5)] + [k * math.pi / 4 for k in range(1, 4)]
    pts[60:68] = [(cx + 30 * s * math.cos(a), mouth_y + 5 * s * math.sin(a)) for a in inner]
    return pts


def landmark_geometry(pts: np.ndarray) -> dict[str, object]:
    """The named geometry the checks read, from 68 iBUG landmarks of a frontal, level face.

    Eye centres are the means of the eye contours; the face width spans the jaw points 0-16.
    The face is drawn frontal and level, so yaw and pitch are 0 (no pose check is judged).
    """
    right_eye, left_eye = pts[36:42].mean(axis=0), pts[42:48].mean(axis=0)
    midpoint, delta = (right_eye + left_eye) / 2.0, left_eye - right_eye
    roll = math.degrees(math.atan2(delta[1], delta[0]))
    return {
        "right_eye": (float(right_eye[0]), float(right_eye[1])),
        "left_eye": (float(left_eye[0]), float(left_eye[1])),
        "eye_midpoint": (float(midpoint[0]), float(midpoint[1])),
        "eye_distance": float(np.hypot(*delta)),
        "eye_line_angle": roll,
        "chin": (float(pts[8, 0]), float(pts[8, 1])),
        "face_width": float(np.hypot(*(pts[16] - pts[0]))),
        "brow_y": float(pts[17:27, 1].mean()),
        "yaw": 0.0,
        "pitch": 0.0,
        "roll": roll,
    }


def synthetic_face() -> tuple[np.ndarray, np.ndarray, float]:
    """The drawn face: (RGB image HEIGHT x WIDTH, its 68 landmarks, the crown row)."""
    pts = synthetic_landmarks()
    cx, chin_y = pts[8]
    crown_y = 62.0
    img = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    img[:] = (205, 222, 240)  # plain light-blue background
    cv2.ellipse(
        img, (int(cx), HEIGHT + 40), (190, 120), 0, 180, 360, (40, 60, 110), -1
    )  # shoulders
    cv2.rectangle(
        img, (int(cx) - 45, int(chin_y) - 30), (int(cx) + 45, HEIGHT - 60), (225, 180, 150), -1
    )
    top = pts[0, 1]
    cv2.ellipse(
        img, (int(cx), int(top)), (122, int(top - crown_y)), 0, 180, 360, (70, 45, 30), -1
    )  # hair
    cv2.rectangle(img, (int(cx) - 122, int(top)), (int(cx) + 122, int(top) + 60), (70, 45, 30), -1)
    skin = (235, 195, 165)
    forehead = _arc(cx, top, 110, 115, math.pi, 2 * math.pi, 20)
    face = np.concatenate([pts[0:17], forehead[::-1][1:-1]]).round().astype(np.int32)
    cv2.fillPoly(img, [face], skin)
    for first in (36, 42):
        eye = pts[first : first + 6].round().astype(np.int32)
        cv2.fillPoly(img, [eye], (250, 250, 250))
        centre = eye.mean(axis=0).round().astype(int)
        cv2.circle(img, (int(centre[0]), int(centre[1])), 8, (60, 90, 60), -1)
        cv2.circle(img, (int(centre[0]), int(centre[1])), 3, (10, 10, 10), -1)
    for brow in (pts[17:22], pts[22:27]):
        cv2.polylines(img, [brow.round().astype(np.int32)], False, (60, 40, 25), 5)
    cv2.polylines(img, [pts[27:31].round().astype(np.int32)], False, (190, 140, 115), 2)
    cv2.polylines(img, [pts[31:36].round().astype(np.int32)], False, (160, 110, 90), 3)
    cv2.fillPoly(img, [pts[48:60].round().astype(np.int32)], (185, 80, 80))
    cv2.fillPoly(img, [pts[60:68].round().astype(np.int32)], (110, 30, 40))
    return img, pts, crown_y


def synthetic_case() -> tuple[np.ndarray, Verdict, Profile]:
    """The synthetic face, its verdict and the profile the verdict was judged with."""
    rgb, pts, crown_y = synthetic_face()
    geometry = landmark_geometry(pts)
    xs, ys = pts[:, 0], pts[:, 1]
    geometry["box"] = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))
    geometry["landmarks"] = tuple((float(x), float(y)) for x, y in pts)
    geometry["crown_y"] = crown_y
    geometry["crown_method"] = "synthetic"
    analysis = Analysis(load_image(rgb))
    analysis.__dict__["geometry"] = geometry  # skip detection: the landmarks are known
    by_check = {c: get_check(c).measure(analysis) for c in _CHECKS}
    by_check["sharpness"] = Measurement("sharpness", {"sharpness": 0.2})
    measurements = Measurements("synthetic-face", by_check, geometry)
    profile = Profile("golden", "ISO/ICAO framing rules and sharpness, for the golden image", RULES)
    verdict = judge(measurements, profile)
    fixed = tuple(
        replace(
            r,
            message=f"Fixed text for {r.code}: the golden test is about the drawing.",
        )
        for r in verdict.results
    )
    return rgb, replace(verdict, results=fixed), profile


def background_regions() -> np.ndarray:
    """Fixed background mask for the golden image: all but the head, down to the chin.

    The real masks come from :class:`photocheck.analysis.Analysis`, whose margins other work
    tunes; the golden image uses these fixed ones so that it tests the drawing only.
    """
    pts = synthetic_landmarks()
    cx, chin_y = pts[8]
    mask = np.full((HEIGHT, WIDTH), 255, np.uint8)
    cv2.ellipse(mask, (int(cx), 210), (150, 175), 0, 0, 360, 0, -1)
    mask[int(chin_y) :] = 0
    return mask > 0


def render() -> np.ndarray:
    """The annotated synthetic face, as the golden test draws it."""
    from unittest import mock

    from photocheck.visual.annotate import annotate

    rgb, verdict, profile = synthetic_case()
    with mock.patch(
        "photocheck.visual.annotate._background_region", return_value=background_regions()
    ):
        return annotate(rgb, verdict, profile=profile, width=GOLDEN_WIDTH)


def main() -> int:
    """Write the golden PNG."""
    drawn = render()
    if not cv2.imwrite(str(GOLDEN), drawn[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        return 1
    print(f"wrote {GOLDEN} ({drawn.shape[1]} x {drawn.shape[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
