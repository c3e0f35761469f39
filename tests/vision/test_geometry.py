"""Named face measurements on point sets built from MediaPipe's canonical face model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck.vision import geometry as g
from photocheck.vision.runtime import MODEL_DIR

SCALE = 20.0  # pixels per canonical unit: eyes about 150 px apart
CENTRE = (300.0, 400.0)
IRIS_RADIUS = 11.0


def _canonical() -> np.ndarray:
    with np.load(MODEL_DIR / "canonical_face.npz") as data:
        return np.asarray(data["vertices"], dtype=np.float64)


def make_face(scale: float = SCALE, centre: tuple[float, float] = CENTRE) -> np.ndarray:
    """A frontal, upright (478, 3) mesh in image pixels (y down), irises between the corners."""
    v = _canonical() * scale
    mesh = np.column_stack([centre[0] + v[:, 0], centre[1] - v[:, 1], -v[:, 2]])
    ring = (
        np.array([[1.0, 0.0], [0.0, -1.0], [-1.0, 0.0], [0.0, 1.0]]) * IRIS_RADIUS * scale / SCALE
    )
    irises = []
    for corners in (g.RIGHT_EYE_CORNERS, g.LEFT_EYE_CORNERS):
        centre_xy = mesh[list(corners), :2].mean(axis=0)
        points = np.vstack([centre_xy, centre_xy + ring])
        irises.append(np.column_stack([points, np.zeros(5)]))
    return np.vstack([mesh, *irises])


def similarity(points: np.ndarray, k: float, angle_deg: float, dx: float, dy: float) -> np.ndarray:
    """Scale by k, rotate in the image plane, translate (x, y); z scaled with x."""
    a = math.radians(angle_deg)
    r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    out = points.copy()
    out[:, :2] = k * points[:, :2] @ r.T + np.array([dx, dy])
    out[:, 2] = k * points[:, 2]
    return out


def open_lids(points: np.ndarray, pairs: tuple[tuple[int, int], ...], by: float) -> np.ndarray:
    """Move each (upper, lower) point apart vertically by ``by`` pixels each."""
    out = points.copy()
    idx = np.asarray(pairs)
    out[idx[:, 0], 1] -= by
    out[idx[:, 1], 1] += by
    return out


def close_lids(points: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Move each (upper, lower) point to their midpoint, in depth too."""
    out = points.copy()
    idx = np.asarray(pairs)
    middle = (out[idx[:, 0]] + out[idx[:, 1]]) / 2
    out[idx[:, 0]] = middle
    out[idx[:, 1]] = middle
    return out


def turned(points: np.ndarray, yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """Rotate the mesh rigidly in 3D about its centroid (image axes: x right, y down, z depth)."""
    y, p, r = (math.radians(a) for a in (yaw_deg, pitch_deg, roll_deg))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    centre = points.mean(axis=0)
    return (points - centre) @ (ry @ rx @ rz).T + centre


# --- eyes --------------------------------------------------------------------------------


def test_eye_centres_are_the_irises_person_right_on_image_left() -> None:
    face = make_face()
    right, left = g.eye_centres(face)
    np.testing.assert_array_equal(right, face[468, :2])
    np.testing.assert_array_equal(left, face[473, :2])
    assert right[0] < CENTRE[0] < left[0]
    assert g.eye_distance(face) == pytest.approx(float(np.linalg.norm(left - right)))
    v = _canonical()
    corners_mid_gap = (v[263, 0] + v[362, 0] - v[33, 0] - v[133, 0]) / 2
    assert g.eye_distance(face) == pytest.approx(corners_mid_gap * SCALE)


@given(k=st.floats(0.1, 10))
def test_eye_distance_scales_with_the_face(k: float) -> None:
    face = make_face()
    assert g.eye_distance(similarity(face, k, 17.0, 5.0, -3.0)) == pytest.approx(
        k * g.eye_distance(face), rel=1e-9
    )


def test_open_canonical_eyes_are_symmetric_and_plausible() -> None:
    right, left = g.eye_openness(make_face())
    assert right == pytest.approx(left, rel=1e-6)
    assert 0.15 < right < 0.35  # a relaxed open eye


def test_closed_eye_has_zero_openness_and_the_other_is_unchanged() -> None:
    face = make_face()
    right, left = g.eye_openness(close_lids(face, g.RIGHT_EYE_LIDS))
    assert right == pytest.approx(0.0, abs=1e-12)
    assert left == pytest.approx(g.eye_openness(face)[1])


@pytest.mark.parametrize(
    ("pairs", "side"), [(g.RIGHT_EYE_LIDS, 0), (g.LEFT_EYE_LIDS, 1)], ids=["right", "left"]
)
def test_openness_rises_monotonically_as_the_lids_part(
    pairs: tuple[tuple[int, int], ...], side: int
) -> None:
    closed = close_lids(make_face(), pairs)
    values = [g.eye_openness(open_lids(closed, pairs, by))[side] for by in np.linspace(0, 20, 21)]
    assert values[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(values) > 0)
    other = [g.eye_openness(open_lids(closed, pairs, by))[1 - side] for by in (0, 10, 20)]
    assert other[0] == other[1] == other[2]


@settings(deadline=None)
@given(
    k=st.floats(0.05, 20),
    angle=st.floats(-180, 180),
    dx=st.floats(-1e4, 1e4),
    dy=st.floats(-1e4, 1e4),
)
def test_eye_and_mouth_ratios_are_similarity_invariant(
    k: float, angle: float, dx: float, dy: float
) -> None:
    face = open_lids(make_face(), g.MOUTH_GAPS, 6.0)
    moved = similarity(face, k, angle, dx, dy)
    assert g.eye_openness(moved) == pytest.approx(g.eye_openness(face), rel=1e-6)
    assert g.mouth_opening(moved) == pytest.approx(g.mouth_opening(face), rel=1e-6)


# --- mouth -------------------------------------------------------------------------------


def test_mouth_opening_is_zero_when_closed_and_rises_as_it_opens() -> None:
    closed = close_lids(make_face(), g.MOUTH_GAPS)
    values = [g.mouth_opening(open_lids(closed, g.MOUTH_GAPS, by)) for by in np.linspace(0, 30, 16)]
    assert values[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(values) > 0)
    # each lip moved 30 px: a 60 px gap over irises 6.302 units apart
    assert values[-1] == pytest.approx(60.0 / (6.302291 * SCALE), rel=1e-3)


def test_canonical_mouth_is_slightly_open() -> None:
    # The canonical model's inner lips are about 0.57 units apart (in 3D), its irises 6.3.
    assert g.mouth_opening(make_face()) == pytest.approx(0.090, abs=0.002)


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(30, 0, 0), (0, 25, 0), (0, 0, 40), (-35, -20, 15)]
)
def test_mouth_opening_does_not_change_when_the_head_turns(
    yaw: float, pitch: float, roll: float
) -> None:
    face = open_lids(make_face(), g.MOUTH_GAPS, 4.0)
    moved = turned(face, yaw, pitch, roll)
    assert g.mouth_opening(moved) == pytest.approx(g.mouth_opening(face), rel=1e-9)
    # while the gap seen in the image does change (foreshortened or rotated out of the plane)
    idx = np.asarray(g.MOUTH_GAPS)
    seen = np.linalg.norm(moved[idx[:, 0], :2] - moved[idx[:, 1], :2], axis=1)
    flat = np.linalg.norm(face[idx[:, 0], :2] - face[idx[:, 1], :2], axis=1)
    assert yaw == pitch == 0 or not np.allclose(seen, flat, rtol=1e-3)


def test_mouth_opening_reads_a_gap_in_depth() -> None:
    # Lips parted front to back (the lower lip pushed back) are open, not closed.
    closed = close_lids(make_face(), g.MOUTH_GAPS)
    pushed = closed.copy()
    pushed[[lower for _, lower in g.MOUTH_GAPS], 2] += 10.0
    assert g.mouth_opening(closed) == pytest.approx(0.0, abs=1e-12)
    assert g.mouth_opening(pushed) == pytest.approx(10.0 / g.eye_distance(closed), rel=1e-9)


# --- contour -----------------------------------------------------------------------------


def test_chin_is_the_lowest_point_of_the_upright_oval() -> None:
    face = make_face()
    oval = g.face_oval(face)
    assert g.chin(face)[1] == pytest.approx(oval[:, 1].max())
    np.testing.assert_array_equal(g.chin(face), face[152, :2])


def test_face_oval_is_a_clockwise_polygon_from_the_forehead_around_the_face() -> None:
    from skimage.measure import points_in_poly

    face = make_face()
    oval = g.face_oval(face)
    assert oval.shape == (36, 2)
    assert len(set(g.FACE_OVAL)) == 36
    np.testing.assert_array_equal(oval[0], face[10, :2])
    x, y = oval[:, 0], oval[:, 1]
    signed_area = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    assert signed_area > 0  # with y down: clockwise on screen
    inside = [1, 4, 13, 14, 33, 263, 468, 473]  # nose, lips, eye corners, irises
    assert points_in_poly(face[inside, :2], oval).all()
    assert oval[1, 0] > oval[0, 0]  # goes towards the image's right first


def test_face_width_is_the_ear_level_contour_span() -> None:
    face = make_face()
    width = g.face_width(face)
    assert width == pytest.approx(float(np.linalg.norm(face[454, :2] - face[234, :2])))
    extent = np.ptp(g.face_oval(face)[:, 0])
    assert 0.98 * extent < width <= extent
    assert g.face_width(similarity(face, 0.5, 30.0, 0.0, 0.0)) == pytest.approx(width / 2)


def test_iris_radius() -> None:
    assert g.iris_radius(make_face()) == pytest.approx(IRIS_RADIUS)
    assert g.iris_radius(make_face(scale=2 * SCALE)) == pytest.approx(2 * IRIS_RADIUS)


# --- crown from the person mask ----------------------------------------------------------


def head_mask(
    shape: tuple[int, int], centre: tuple[float, float], axes: tuple[float, float], soft: float = 0
) -> np.ndarray:
    """An elliptical "person" of probability 1 inside, 0 outside (soft: edge width in px)."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    r = np.hypot((xx - centre[0]) / axes[0], (yy - centre[1]) / axes[1])
    if soft == 0:
        return (r <= 1).astype(np.float32)
    # distance outside the ellipse, roughly in pixels along y near the top
    return (1 / (1 + np.exp((r - 1) * axes[1] / soft))).astype(np.float32)


@settings(deadline=None, max_examples=50)
@given(top=st.floats(3, 150), soft=st.sampled_from([0.0, 2.0]))
def test_crown_is_the_top_of_an_elliptical_head(top: float, soft: float) -> None:
    face = make_face()
    forehead = face[10, 1]  # 400 - 8.26 x 20 = 234.8
    axes = (200.0, (700.0 - top) / 2)
    mask = head_mask((800, 600), (CENTRE[0], top + axes[1]), axes, soft)
    crown = g.crown_from_mask(mask, face)
    assert crown is not None
    assert crown == pytest.approx(top, abs=1.0)
    assert crown < forehead


def test_crown_is_none_when_the_head_is_cut_by_the_top_edge() -> None:
    face = make_face()
    mask = head_mask((800, 600), (CENTRE[0], 320.0), (200.0, 340.0))
    assert mask[0, 300] == 1
    assert g.crown_from_mask(mask, face) is None


def test_crown_is_none_when_the_face_reaches_above_the_image() -> None:
    face = make_face(centre=(CENTRE[0], 100.0))  # forehead at y = -65
    mask = np.ones((800, 600), dtype=np.float32)
    assert g.crown_from_mask(mask, face) is None


def test_crown_is_none_when_the_mask_misses_the_face() -> None:
    face = make_face()
    assert g.crown_from_mask(np.zeros((800, 600), dtype=np.float32), face) is None


def test_crown_ignores_person_pixels_not_connected_to_the_head() -> None:
    face = make_face()
    mask = head_mask((800, 600), (CENTRE[0], 450.0), (200.0, 350.0))  # top at y = 100
    mask[20:40, 250:350] = 1.0  # something above the head, in the face's columns
    assert g.crown_from_mask(mask, face) == pytest.approx(100.0, abs=1.0)


def test_crown_follows_hair_connected_to_the_head() -> None:
    face = make_face()
    mask = head_mask((800, 600), (CENTRE[0], 450.0), (200.0, 350.0))  # top at y = 100
    mask[60:110, 290:310] = 1.0  # a bun on top of the head
    assert g.crown_from_mask(mask, face) == pytest.approx(60.0)


def test_crown_looks_only_above_the_face_columns() -> None:
    face = make_face()
    mask = head_mask((800, 600), (CENTRE[0], 450.0), (200.0, 350.0))  # top at y = 100
    oval_x = g.face_oval(face)[:, 0]
    # a raised arm beside the head, outside the face's columns, reaching the top edge
    mask[0:300, int(oval_x.max()) + 5 : int(oval_x.max()) + 40] = 1.0
    assert g.crown_from_mask(mask, face) == pytest.approx(100.0, abs=1.0)


# --- input checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    [g.eye_centres, g.eye_distance, g.eye_openness, g.mouth_opening, g.chin, g.face_width,
     g.face_oval, g.iris_radius],
)  # fmt: skip
def test_468_points_without_irises_are_rejected(function: object) -> None:
    assert callable(function)
    with pytest.raises(ValueError, match="478"):
        function(make_face()[:468])


def test_crown_rejects_a_colour_mask() -> None:
    with pytest.raises(ValueError, match="mask"):
        g.crown_from_mask(np.zeros((800, 600, 3), dtype=np.float32), make_face())
