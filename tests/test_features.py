"""Facial features and accessories: scores, checks, profiles, and accuracy floors.

Evaluation data:
- real: the labelled photos in ``../shared/data/photos`` (read in place, never copied), one
  face only, ``unsure``/``na`` labels left out; the tests skip when the folder is absent;
- synthetic: accessories drawn by :func:`add_accessory` on real compliant photos (no
  glasses, no headwear, eyes open) reduced to 480 px wide: tinted lenses, clear frames, a cap,
  a headscarf that leaves the face visible, a patch hiding one eye, and crudely closed
  eyes (eyes inpainted from the lids, a lash line drawn). They show that the
  whole pipeline reacts to the drawn accessory; they are easier than real accessories.

Run ``uv run python tests/test_features.py`` to print the evaluation tables of
``docs/features.md``.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import photocheck
from photocheck.evaluation.labels import (
    CheckAgreement,
    agreement,
    expected_outcomes,
    format_markdown,
    read_manifest,
)
from photocheck.rules.profile import load_profile
from photocheck.scores.features import (
    bridge_edge,
    eye_aspect_ratio,
    eye_openness,
    eye_visibility,
    headwear_scores,
    lens_darkness,
    mouth_opening,
    teeth_share,
)

PHOTOS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
FEATURE_CHECKS = (
    "eyes.open",
    "eyes.visible",
    "mouth.closed",
    "accessory.glasses",
    "accessory.sunglasses",
    "accessory.headwear",
)
# The evaluation judges accessory.glasses at "fail" (cn-social-security); icao only warns.
EVAL_PROFILE = "cn-social-security"
# Balanced-accuracy floors: the measured figures (docs/features.md) minus a small margin.
REAL_FLOORS = {
    "accessory.glasses": 0.95,
    "accessory.sunglasses": 0.93,
    "mouth.closed": 0.86,  # 0.89 measured (limit 0.08 since the NumPy landmarks; see docs/features.md)
    "eyes.open": 0.90,  # two closed-eye photos only: one miss drops it to about 0.7
    # Below the 0.85 aim (measured 0.66): 1 of 5 real coverings detected, 1 more not assessed
    # (no face); see docs/features.md.
    "accessory.headwear": 0.63,
}
# Share of compliant real photos that must pass (1 - false rejections), for every check.
REAL_PASS_FLOORS = {
    "accessory.glasses": 0.97,
    "accessory.sunglasses": 0.94,
    # 58/64 measured with max_opening 0.08 (recalibrated on the NumPy landmarks).
    "mouth.closed": 0.88,
    "eyes.open": 0.85,
    "accessory.headwear": 0.89,  # measured 92%: 7 of 93 not assessed, no false rejection
}
# Synthetic: share of drawn accessories detected, per (variant, check).
SYNTHETIC_FLOORS = {
    ("sunglasses", "accessory.sunglasses"): 0.7,
    ("clear_glasses", "accessory.glasses"): 0.6,
    ("cap", "accessory.headwear"): 0.9,  # measured 100% (1 of 10 via not_assessed)
    ("headscarf", "accessory.headwear"): 0.9,
    # Near-black caps look like dark hair: measured 40% (1 of 10 via not_assessed). Knitted
    # caps (10%, the not_assessed one only) have no floor: the check does not see them.
    ("dark_cap", "accessory.headwear"): 0.3,
    ("eye_patch", "eyes.visible"): 0.9,
    ("sunglasses", "eyes.visible"): 0.8,
    # Measured 0.3, and 0.2 on the untouched originals: eyes.open barely reacts (see docs).
    ("closed_eyes", "eyes.open"): 0.2,
}
SYNTHETIC_BASES = 10
SYNTHETIC_VARIANTS = (
    "sunglasses",
    "clear_glasses",
    "cap",
    "knit_cap",
    "dark_cap",
    "headscarf",
    "eye_patch",
    "closed_eyes",
)


# --------------------------------------------------------------------------------------
# Synthetic accessories
# --------------------------------------------------------------------------------------


def add_accessory(rgb: np.ndarray, landmarks: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """Draw an accessory on a photo, placed from its 68 landmarks (image coordinates).

    ``kind`` is one of :data:`SYNTHETIC_VARIANTS`: ``sunglasses`` (dark tinted lenses and a
    frame), ``clear_glasses`` (dark rims and bridge, clear lenses), ``cap`` (a plain cap with
    a brim down to the upper forehead), ``knit_cap`` (the same cap knitted: ribs, noise and
    shading), ``dark_cap`` (the same cap near black), ``headscarf`` (fabric over the head and around the
    face, face from chin to forehead left visible), ``eye_patch`` (a skin-toned patch, like a
    hand or hair, over the subject's left eye), ``closed_eyes`` (eyes inpainted from the lids
    and a lash line drawn: crude).
    """
    import cv2

    out = np.ascontiguousarray(rgb).copy()
    rng = np.random.default_rng(seed)
    right, left = landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)
    ied = float(np.hypot(*(left - right)))
    angle = math.degrees(math.atan2(left[1] - right[1], left[0] - right[0]))
    brow_y = float(landmarks[17:27, 1].mean())
    chin_y = float(landmarks[8, 1])
    mid = (right + left) / 2.0
    thick = max(2, round(0.06 * ied))

    def pt(p: np.ndarray) -> tuple[int, int]:
        return (round(float(p[0])), round(float(p[1])))

    if kind in ("sunglasses", "clear_glasses"):
        axes = (round(0.42 * ied), round(0.3 * ied))
        frame = tuple(int(c) for c in rng.integers(0, 60, 3))
        if kind == "sunglasses":
            tint = np.array(rng.integers(15, 70, 3), dtype=np.float32)
            lens = np.zeros(out.shape[:2], np.uint8)
            for eye in (right, left):
                cv2.ellipse(
                    lens, pt(eye + np.array([0.0, 0.05 * ied])), axes, angle, 0, 360, 255, -1
                )
            alpha = 0.88
            sel = lens > 0
            out[sel] = (alpha * tint + (1 - alpha) * out[sel].astype(np.float32)).astype(np.uint8)
        for eye in (right, left):
            cv2.ellipse(
                out,
                pt(eye + np.array([0.0, 0.05 * ied])),
                axes,
                angle,
                0,
                360,
                frame,
                thick,
                cv2.LINE_AA,
            )
        bridge_y = -0.12 * ied
        a = right + np.array([0.42 * ied, bridge_y])
        b = left - np.array([0.42 * ied, -bridge_y])
        cv2.line(out, pt(a), pt(b), frame, thick, cv2.LINE_AA)
    elif kind == "cap":
        colour = tuple(int(c) for c in rng.integers(20, 230, 3))
        top = brow_y - 2.6 * ied
        bottom = brow_y - 0.55 * ied
        half = 1.25 * ied
        cv2.ellipse(
            out,
            pt((mid[0], bottom)),
            (round(half), round(bottom - top)),
            angle,
            180,
            360,
            colour,
            -1,
        )
        cv2.rectangle(
            out,
            pt((mid[0] - half * 1.05, bottom - 0.12 * ied)),
            pt((mid[0] + half * 1.05, bottom + 0.1 * ied)),
            colour,
            -1,
        )
    elif kind in ("knit_cap", "dark_cap"):
        # The same cap, harder: knitted (vertical ribs, noise and shading) or near black
        # (like black hair: no colour to tell them apart).
        cap = np.zeros(out.shape[:2], np.uint8)
        top, bottom, half = brow_y - 2.6 * ied, brow_y - 0.55 * ied, 1.25 * ied
        cv2.ellipse(
            cap, pt((mid[0], bottom)), (round(half), round(bottom - top)), angle, 180, 360, 255, -1
        )
        cv2.rectangle(
            cap,
            pt((mid[0] - half * 1.05, bottom - 0.12 * ied)),
            pt((mid[0] + half * 1.05, bottom + 0.1 * ied)),
            255,
            -1,
        )
        sel = cap > 0
        if kind == "dark_cap":
            out[sel] = rng.integers(15, 45, 3).astype(np.uint8)
        else:
            colour = rng.integers(40, 220, 3).astype(np.float32)
            ys, xs = np.nonzero(sel)
            ribs = 18.0 * np.sin(2 * np.pi * xs / max(2.0, 0.12 * ied))
            shade = 1.0 - 0.1 * (ys - top) / max(1.0, bottom - top)
            noise = rng.normal(0.0, 6.0, xs.size)
            value = colour[None, :] * shade[:, None] + (ribs + noise)[:, None]
            out[sel] = np.clip(value, 0, 255).astype(np.uint8)
    elif kind == "headscarf":
        colour = tuple(int(c) for c in rng.integers(40, 230, 3))
        scarf = np.zeros(out.shape[:2], np.uint8)
        cv2.ellipse(
            scarf,
            pt((mid[0], (brow_y + chin_y) / 2 - 0.4 * ied)),
            (round(1.45 * ied), round(0.55 * (chin_y - brow_y) + 1.9 * ied)),
            angle,
            0,
            360,
            255,
            -1,
        )
        face = np.zeros(out.shape[:2], np.uint8)
        hull = np.vstack([landmarks[:17], landmarks[17:27] - (0, 0.5 * ied)])
        cv2.fillConvexPoly(face, cv2.convexHull(np.round(hull).astype(np.int32)), 255)
        sel = (scarf > 0) & (face == 0)
        out[sel] = colour
    elif kind == "eye_patch":
        cheek = landmarks[[1, 2, 3, 13, 14, 15, 29, 30, 31, 35]].astype(int)
        ys = np.clip(cheek[:, 1], 0, out.shape[0] - 1)
        xs = np.clip(cheek[:, 0], 0, out.shape[1] - 1)
        tone = tuple(int(c) for c in np.median(out[ys, xs], axis=0))
        cv2.ellipse(out, pt(left), (round(0.5 * ied), round(0.32 * ied)), angle, 0, 360, tone, -1)
    elif kind == "closed_eyes":
        # Crude: inpaint each eye from the surrounding lids, then draw a thin lash line
        # along the lower lid. dlib's shape prior sometimes still places an open eye.
        for eye in (landmarks[36:42], landmarks[42:48]):
            mask = np.zeros(out.shape[:2], np.uint8)
            cv2.fillPoly(mask, [np.round(eye).astype(np.int32)], 255)
            mask = cv2.dilate(mask, np.ones((5, 5), np.uint8), iterations=max(2, round(ied / 25)))
            out = cv2.inpaint(out, mask, max(3, round(ied / 10)), cv2.INPAINT_TELEA)
            lash = np.array([eye[0], eye[5], eye[4], eye[3]]) - np.array([0.0, 0.03 * ied])
            cv2.polylines(
                out,
                [np.round(lash).astype(np.int32)],
                False,
                (60, 45, 40),
                max(1, round(ied / 50)),
                cv2.LINE_AA,
            )
    else:
        raise ValueError(f"unknown accessory {kind!r}")
    return out


# --------------------------------------------------------------------------------------
# Evaluation (measured once per test session)
# --------------------------------------------------------------------------------------


def _real_rows() -> list[dict[str, str]]:
    manifest = PHOTOS_DIR / "manifest.csv"
    if not manifest.is_file():
        return []
    return [r for r in read_manifest(manifest) if r["n_faces"] == "1"]


def measure_real() -> list[tuple[dict[str, str], photocheck.Measurements]]:
    """Measure the feature checks once on every one-face labelled photo."""
    return [
        (row, photocheck.measure(row["path"], checks=list(FEATURE_CHECKS))) for row in _real_rows()
    ]


def real_table(
    measured: list[tuple[dict[str, str], photocheck.Measurements]], profile: Any = EVAL_PROFILE
) -> dict[str, CheckAgreement]:
    """Agreement with the labels, for the feature checks only."""
    pairs = []
    for row, measurements in measured:
        expected = {g: ok for g, ok in expected_outcomes(row).items() if g in FEATURE_CHECKS}
        pairs.append((expected, photocheck.judge(measurements, profile)))
    return agreement(pairs)


def synthetic_bases(
    rows: list[dict[str, str]], limit: int = SYNTHETIC_BASES
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Compliant real photos (name, rgb reduced to 480 px wide, landmarks) to draw on."""
    import cv2

    from photocheck.analysis import Analysis
    from photocheck.imaging.load import load_image

    found = 0
    for row in sorted(rows, key=lambda r: r["file"]):
        labels = (row["glasses"], row["headwear"], row["eyes_open"], row["frontal"])
        if labels != ("none", "none", "yes", "yes") or "illustration" in row["notes"].lower():
            continue
        rgb = load_image(row["path"]).rgb
        if rgb.shape[1] > 480:
            scale = 480 / rgb.shape[1]
            rgb = cv2.resize(rgb, (480, round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        face = Analysis(load_image(rgb)).face
        if face is None or face.landmarks is None:
            continue
        yield row["file"], rgb, face.landmarks
        found += 1
        if found >= limit:
            return


def measure_synthetic(rows: list[dict[str, str]]) -> dict[str, list[photocheck.Measurements]]:
    """Measure the feature checks on each base photo and on each of its drawn variants."""
    out: dict[str, list[photocheck.Measurements]] = {"original": []}
    for i, (_, rgb, landmarks) in enumerate(synthetic_bases(rows)):
        out["original"].append(photocheck.measure(rgb, checks=list(FEATURE_CHECKS)))
        for kind in SYNTHETIC_VARIANTS:
            variant = add_accessory(rgb, landmarks, kind, seed=i)
            out.setdefault(kind, []).append(
                photocheck.measure(variant, checks=list(FEATURE_CHECKS))
            )
    return out


def synthetic_rates(
    measured: dict[str, list[photocheck.Measurements]], profile: Any = EVAL_PROFILE
) -> dict[str, dict[str, float]]:
    """Per variant and check: share of photos the check fails (not_assessed counts as a fail)."""
    rates: dict[str, dict[str, float]] = {}
    for kind, measurements in measured.items():
        verdicts = [photocheck.judge(m, profile) for m in measurements]
        rates[kind] = {}
        for check in FEATURE_CHECKS:
            results = [r for v in verdicts for r in v.results if r.check == check]
            if results:
                rates[kind][check] = sum(not r.passed for r in results) / len(results)
    return rates


def _needs_photos() -> None:
    if not (PHOTOS_DIR / "manifest.csv").is_file():
        pytest.skip(f"real photos not available ({PHOTOS_DIR} is absent)")


@pytest.fixture(scope="module")
def real_measured() -> list[tuple[dict[str, str], photocheck.Measurements]]:
    _needs_photos()
    return measure_real()


@pytest.fixture(scope="module")
def synthetic_measured() -> dict[str, list[photocheck.Measurements]]:
    _needs_photos()
    return measure_synthetic(_real_rows())


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------


def _eye(height: float) -> np.ndarray:
    return np.array([[0, 0], [3, -height], [7, -height], [10, 0], [7, height], [3, height]], float)


def test_eye_aspect_ratio_grows_with_lid_gap() -> None:
    values = [eye_aspect_ratio(_eye(h)) for h in (0.0, 0.5, 1.0, 2.0, 3.0)]
    assert values[0] == 0.0
    assert all(a < b for a, b in itertools.pairwise(values))
    assert values[2] == pytest.approx(0.2)


def test_eye_aspect_ratio_degenerate_eye_is_zero() -> None:
    assert eye_aspect_ratio(np.zeros((6, 2))) == 0.0


def test_eye_openness_reports_the_less_open_eye() -> None:
    lm = np.zeros((68, 2))
    lm[36:42] = _eye(2.0)
    lm[42:48] = _eye(0.5) + np.array([40.0, 0.0])
    values = eye_openness(lm)
    assert values["min"] == values["left"] < values["right"]


def test_mouth_opening_grows_with_the_gap() -> None:
    lm = np.zeros((68, 2))
    lm[48], lm[54] = (0, 0), (50, 0)
    gaps = []
    for gap in (0.0, 2.0, 6.0, 12.0):
        lm[61:64, 1] = -gap / 2
        lm[65:68, 1] = gap / 2
        gaps.append(mouth_opening(lm))
    assert gaps[0] == 0.0
    assert all(a < b for a, b in itertools.pairwise(gaps))


def _face_landmarks() -> np.ndarray:
    """Plausible landmarks on the 192 x 240 canonical crop (eyes at (64, 96), (128, 96))."""
    lm = np.zeros((68, 2))
    jaw_t = np.linspace(-1.0, 1.0, 17)
    lm[:17] = np.stack(
        [96 + 85 * jaw_t, 100 + 95 * np.sqrt(1 - jaw_t**2) * 0.9 + 10 * (1 - np.abs(jaw_t))], 1
    )
    lm[17:22] = np.stack([np.linspace(40, 86, 5), [74, 70, 68, 69, 72]], 1)
    lm[22:27] = np.stack([np.linspace(106, 152, 5), [72, 69, 68, 70, 74]], 1)
    lm[27:31] = np.stack([[96] * 4, [96, 108, 120, 132]], 1)
    lm[31:36] = np.stack([[84, 90, 96, 102, 108], [140, 142, 144, 142, 140]], 1)
    lm[36:42] = _eye(4.0) * (1.6, 1.0) + (48, 96)
    lm[42:48] = _eye(4.0) * (1.6, 1.0) + (112, 96)
    lm[48:60] = np.stack(
        [
            [72, 80, 88, 96, 104, 112, 120, 112, 104, 96, 88, 80],
            [172, 168, 166, 167, 166, 168, 172, 178, 181, 182, 181, 178],
        ],
        1,
    )
    lm[60:68] = np.stack(
        [[75, 88, 96, 104, 117, 104, 96, 88], [172, 171, 171, 171, 172, 173, 173, 173]], 1
    )
    return lm


def test_bridge_edge_detects_a_drawn_bridge() -> None:
    lm = _face_landmarks()
    face = np.full((240, 192), 170, np.uint8)
    bare = bridge_edge(face, lm)
    face[90:94, 70:122] = 40
    assert bare == 0.0
    assert bridge_edge(face, lm) > 30.0


def test_lens_darkness_rises_with_lens_tint() -> None:
    lm = _face_landmarks()
    values = []
    for tint in (170, 120, 70, 20):
        face = np.full((240, 192), 170, np.uint8)
        face[78:118, 36:156] = tint
        values.append(lens_darkness(face, lm))
    assert values[0] == pytest.approx(1 - 170 / 175)
    assert all(a < b for a, b in itertools.pairwise(values))


def test_eye_visibility_flat_eye_and_glare() -> None:
    lm = _face_landmarks()
    face = np.full((240, 192), 160, np.uint8)
    face[94:99, 56:72] = 40  # a dark iris in each eye
    face[94:99, 120:136] = 40
    seen = eye_visibility(face, lm)
    hidden = face.copy()
    hidden[85:108, 105:150] = 160  # the left eye hidden by a flat patch
    assert eye_visibility(hidden, lm)["contrast"] < 0.1 < seen["contrast"]
    glare = face.copy()
    glare[88:100, 50:80] = 255
    assert eye_visibility(glare, lm)["glare"] > seen["glare"] == 0.0


def test_teeth_share_sees_white_teeth_between_red_lips() -> None:
    lm = _face_landmarks()
    rgb = np.full((240, 192, 3), (200, 160, 140), np.uint8)
    import cv2

    cv2.fillPoly(rgb, [np.round(lm[48:60]).astype(np.int32)], (170, 70, 80))
    closed = teeth_share(rgb, lm)
    cv2.rectangle(rgb, (82, 168), (110, 175), (240, 240, 235), -1)
    assert closed == 0.0
    assert teeth_share(rgb, lm) > 0.1


def test_headwear_scores_smooth_colour_vs_textured_hair(make_texture: Any) -> None:
    lm = _face_landmarks() * 0.5 + (32, 48)  # head-crop scale: inter-eye distance 32 px
    rgb = np.zeros((224, 160, 3), np.uint8)
    rgb[:] = (200, 160, 140)
    rgb[85:88, 20:70] = rgb[85:88, 90:140] = 60  # brows
    rgb[94:99, 28:36] = rgb[94:99, 60:68] = 40  # irises: the face's own texture
    hair = rgb.copy()
    hair[:70] = (make_texture(1, (70, 160), scale=2)[:, :, None] * 0.4).astype(np.uint8)
    cap = rgb.copy()
    cap[:70, 30:130] = (30, 60, 200)  # narrower than the crop: the sides stay background
    valid = np.ones((224, 160), bool)
    assert headwear_scores(cap, valid, lm)["score"] > 2 * headwear_scores(hair, valid, lm)["score"]
    with pytest.raises(ValueError, match="outside"):
        headwear_scores(cap, np.zeros((224, 160), bool), lm)


def test_headwear_plain_wall_above_short_hair_is_not_a_covering(make_texture: Any) -> None:
    """A smooth coloured wall that fills the band is background joined to the photo's sides."""
    import cv2

    lm = _face_landmarks() * 0.5 + (32, 48)
    wall = np.zeros((224, 160, 3), np.uint8)
    shade = np.linspace(0.9, 1.1, 160)[None, :, None]  # unevenly lit, as walls are
    wall[:] = np.clip(np.array([215, 190, 150]) * shade, 0, 255).astype(np.uint8)
    face = (200, 160, 140)
    cv2.ellipse(wall, (80, 110), (48, 70), 0, 0, 360, face, -1)  # the head
    hair = (make_texture(3, (34, 96), scale=2) * 0.4).astype(np.uint8)
    wall[46:80, 32:128] = hair[:, :, None] + np.array([30, 20, 10], np.uint8)  # short hair
    wall[85:88, 20:70] = wall[85:88, 90:140] = 60
    wall[94:99, 28:36] = wall[94:99, 60:68] = 40
    valid = np.ones((224, 160), bool)
    bare = headwear_scores(wall, valid, lm)
    assert bare["head_share"] < 0.25 and bare["score"] == 0.0
    capped = wall.copy()
    cv2.ellipse(capped, (80, 60), (50, 45), 0, 180, 360, (40, 70, 160), -1)  # a cap on the hair
    covered = headwear_scores(capped, valid, lm)
    assert covered["head_share"] > 0.9 and covered["score"] > 1.0


def test_headwear_score_does_not_rise_with_blur(make_texture: Any) -> None:
    """Blur smooths hair and face alike: the relative texture, not the raw one, is scored."""
    import cv2

    lm = _face_landmarks() * 0.5 + (32, 48)
    rgb = np.zeros((224, 160, 3), np.uint8)
    rgb[:] = (200, 160, 140)
    grey = (make_texture(2, (70, 160), scale=2) * 0.5).astype(np.uint8)
    rgb[:70] = grey[:, :, None] + np.array([40, 25, 10], np.uint8)  # brown hair
    rgb[85:88, 20:70] = rgb[85:88, 90:140] = 60
    rgb[94:99, 28:36] = rgb[94:99, 60:68] = 40
    valid = np.ones((224, 160), bool)
    sharp = headwear_scores(rgb, valid, lm)
    blurred = headwear_scores(cv2.GaussianBlur(rgb, (0, 0), 2.0), valid, lm)
    assert blurred["texture"] < 0.5 * sharp["texture"]  # the raw texture drops...
    assert blurred["score"] < 0.6 and sharp["score"] < 0.6  # ...the score stays low


def test_scores_reject_regions_outside_the_image() -> None:
    lm = _face_landmarks() + np.array([500.0, 0.0])
    with pytest.raises(ValueError):
        bridge_edge(np.zeros((240, 192), np.uint8), lm)


# --------------------------------------------------------------------------------------
# Checks and profiles
# --------------------------------------------------------------------------------------


def test_feature_checks_are_registered_and_in_profiles() -> None:
    assert set(FEATURE_CHECKS) <= set(photocheck.available_checks())
    cn, icao = load_profile("cn-social-security"), load_profile("icao")
    for check in ("accessory.sunglasses", "accessory.headwear", "mouth.closed", "eyes.open"):
        assert check in cn.checks and check in icao.checks
    assert cn.rules["accessory.glasses"].get("severity", "fail") == "fail"
    assert icao.rules["accessory.glasses"]["severity"] == "warn"  # clear glasses pass in icao


def test_no_face_gives_not_assessed(blank: np.ndarray) -> None:
    measurements = photocheck.measure(blank, checks=list(FEATURE_CHECKS))
    for m in measurements:
        assert not m.assessed and m.reason == "no face was found"


def test_blurred_example_is_not_taken_for_headwear() -> None:
    """Blur smooths hair like fabric; scored against the face's own texture it stays hair."""
    photo = Path(__file__).resolve().parents[1] / "examples" / "photos" / "blurred.jpg"
    measurements = photocheck.measure(photo, checks=["accessory.headwear"])
    result = _result(measurements, "icao", "accessory.headwear")
    assert result.status == "pass", measurements["accessory.headwear"].values
    # The band's raw texture is as low as a plain cap's (blur); next to the face's it is not.
    values = measurements["accessory.headwear"].values
    assert values["texture"] < 0.05 and values["relative_texture"] > 0.5


def test_head_top_cut_by_the_frame_gives_not_assessed(portrait: np.ndarray) -> None:
    # Cut the portrait 90 px under its top edge: the face is whole, the top of the head is not.
    cut = np.ascontiguousarray(portrait[90:])
    measurements = photocheck.measure(cut, checks=["accessory.headwear", "eyes.open"])
    assert measurements["eyes.open"].assessed
    headwear = measurements["accessory.headwear"]
    assert not headwear.assessed
    assert headwear.reason == "the band above the forehead is outside the photo"
    assert _result(measurements, "icao", "accessory.headwear").status == "not_assessed"


def test_portrait_values_are_finite(portrait_measurements: photocheck.Measurements) -> None:
    for check in FEATURE_CHECKS:
        m = portrait_measurements[check]
        assert m.assessed, m.reason
        assert all(isinstance(v, float) and math.isfinite(v) for v in m.values.values())


def test_astronaut_smile_shows_teeth(portrait_measurements: photocheck.Measurements) -> None:
    # Eileen Collins smiles with her teeth showing (labelled mouth_closed = no).
    mouth = _result(portrait_measurements, "icao", "mouth.closed")
    assert mouth.status == "fail"
    assert mouth.code.startswith("mouth.closed.")


def _measured(check: str, **values: float) -> photocheck.Measurements:
    from photocheck.rules.verdict import Measurement, Measurements

    return Measurements("<values>", {check: Measurement(check, values)}, {})


def _result(measurements: photocheck.Measurements, profile: Any, check: str | None = None) -> Any:
    check = check or next(iter(measurements.by_check))
    return next(r for r in photocheck.judge(measurements, profile).results if r.check == check)


def _status(measurements: photocheck.Measurements, profile: Any) -> str:
    return str(_result(measurements, profile).status)


def test_icao_warns_on_glasses_and_cn_fails() -> None:
    glasses = _measured("accessory.glasses", bridge_edge=60.0)
    bare = _measured("accessory.glasses", bridge_edge=5.0)
    assert (_status(glasses, "icao"), _status(glasses, "cn-social-security")) == ("warn", "fail")
    assert (_status(bare, "icao"), _status(bare, "cn-social-security")) == ("pass", "pass")
    assert _result(glasses, "cn-social-security").code == "accessory.glasses.present"


def test_sunglasses_fail_in_every_shipped_profile() -> None:
    dark = _measured("accessory.sunglasses", lens_darkness=0.8)
    for name in photocheck.available_profiles():
        if "accessory.sunglasses" in load_profile(name).checks:
            assert _status(dark, name) == "fail", name


def test_religious_covering_option() -> None:
    """Judging covered_face instead of the score accepts coverings that leave the face visible."""
    allow = load_profile("icao").with_rule(
        "accessory.headwear", max_score=None, max_covered_face=0.3
    )
    scarf = _measured("accessory.headwear", score=2.5, covered_face=0.05, chroma=30.0, texture=0.05)
    hood = _measured("accessory.headwear", score=2.5, covered_face=0.6, chroma=30.0, texture=0.05)
    assert (_status(scarf, "icao"), _status(scarf, allow)) == ("fail", "pass")
    assert _status(hood, allow) == "fail"
    assert _result(hood, allow).code == "accessory.headwear.covers_face"


def test_synthetic_headscarf_leaves_the_face_visible(synthetic_measured: Any) -> None:
    """On drawn headscarves the score fires and covered_face stays low (the option passes them)."""
    allow = load_profile("icao").with_rule(
        "accessory.headwear", max_score=None, max_covered_face=0.3
    )
    scarves = synthetic_measured["headscarf"]
    passed = [_result(m, allow, "accessory.headwear").passed for m in scarves]
    strict = [_result(m, "icao", "accessory.headwear").passed for m in scarves]
    assert sum(passed) >= 0.8 * len(scarves) and sum(strict) <= 0.3 * len(scarves)


# --------------------------------------------------------------------------------------
# Accuracy floors (real photos, then synthetic accessories)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", sorted(REAL_FLOORS))
def test_real_balanced_accuracy_floor(real_measured: Any, check: str) -> None:
    table = real_table(real_measured)
    assert table[check].balanced_accuracy >= REAL_FLOORS[check], format_markdown(table)


@pytest.mark.parametrize("check", sorted(REAL_PASS_FLOORS))
def test_real_false_rejection_floor(real_measured: Any, check: str) -> None:
    table = real_table(real_measured)
    assert table[check].pass_rate >= REAL_PASS_FLOORS[check], format_markdown(table)


@pytest.mark.parametrize(("variant", "check"), sorted(SYNTHETIC_FLOORS))
def test_synthetic_detection_floor(synthetic_measured: Any, variant: str, check: str) -> None:
    rates = synthetic_rates(synthetic_measured)
    assert rates[variant][check] >= SYNTHETIC_FLOORS[(variant, check)], rates


def test_synthetic_originals_pass_accessory_checks(synthetic_measured: Any) -> None:
    rates = synthetic_rates(synthetic_measured)["original"]
    for check in (
        "accessory.glasses",
        "accessory.sunglasses",
        "accessory.headwear",
        "eyes.visible",
    ):
        assert rates[check] <= 0.2, rates


def test_synthetic_clear_glasses_are_not_sunglasses(synthetic_measured: Any) -> None:
    assert synthetic_rates(synthetic_measured)["clear_glasses"]["accessory.sunglasses"] <= 0.1


def _print_tables() -> None:  # pragma: no cover - a report for docs/features.md
    rows = _real_rows()
    if not rows:
        sys.exit(f"real photos not available ({PHOTOS_DIR} is absent)")
    measured = measure_real()
    print(f"## Real photos ({len(rows)} one-face photos), profile {EVAL_PROFILE}\n")
    print(format_markdown(real_table(measured), floors=REAL_FLOORS))
    assessed = [(r, m) for r, m in measured if all(x.assessed for x in m)]
    print(f"Assessed only ({len(assessed)} photos where every feature check could measure):\n")
    print(format_markdown(real_table(assessed), floors=REAL_FLOORS))
    rates = synthetic_rates(measure_synthetic(rows))
    n = SYNTHETIC_BASES
    print(f"## Synthetic variants ({n} base photos): share failing each check\n")
    print("| variant | " + " | ".join(FEATURE_CHECKS) + " |")
    print("|---|" + "---|" * len(FEATURE_CHECKS))
    for kind, per in rates.items():
        print(
            f"| {kind} | "
            + " | ".join(f"{per.get(c, float('nan')):.0%}" for c in FEATURE_CHECKS)
            + " |"
        )


if __name__ == "__main__":  # pragma: no cover
    _print_tables()
