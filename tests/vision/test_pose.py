"""Head pose from mesh points: the canonical face, rotated and projected, gives its angles back."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photocheck.vision.pose import head_pose
from photocheck.vision.runtime import MODEL_DIR

NOSE_TIP = 1
RIGHT_EYE_OUTER = 33  # the person's right eye: image left on an upright face
LEFT_EYE_OUTER = 263
RIGHT_CHEEK = 234
LEFT_CHEEK = 454


def _canonical() -> np.ndarray:
    with np.load(MODEL_DIR / "canonical_face.npz") as data:
        return np.asarray(data["vertices"], dtype=np.float64)


def _rx(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def _ry(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _rz(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def project(
    yaw: float,
    pitch: float,
    roll: float,
    scale: float = 20.0,
    centre: tuple[float, float] = (300.0, 400.0),
) -> np.ndarray:
    """The canonical face turned by the angles, as MediaPipe-style (478, 3) image points.

    The model frame is x right, y up, z towards the camera; image points are x right, y down
    and z = depth with smaller = closer to the camera (MediaPipe), in pixels like x.
    """
    rotation = _ry(yaw) @ _rx(-pitch) @ _rz(-roll)
    turned = scale * _canonical() @ rotation.T
    image = np.column_stack([centre[0] + turned[:, 0], centre[1] - turned[:, 1], -turned[:, 2]])
    irises = np.repeat(image[[RIGHT_EYE_OUTER, LEFT_EYE_OUTER]], 5, axis=0)
    return np.vstack([image, irises])


def test_frontal_face_has_zero_angles() -> None:
    pose = head_pose(project(0, 0, 0))
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((0, 0, 0), abs=1e-9)
    np.testing.assert_allclose(pose.rotation, np.eye(3), atol=1e-12)
    assert pose.scale == pytest.approx(20.0)


@settings(max_examples=200, deadline=None)
@given(
    yaw=st.floats(-40, 40),
    pitch=st.floats(-40, 40),
    roll=st.floats(-40, 40),
)
def test_recovers_known_angles(yaw: float, pitch: float, roll: float) -> None:
    pose = head_pose(project(yaw, pitch, roll))
    assert pose.yaw == pytest.approx(yaw, abs=0.5)
    assert pose.pitch == pytest.approx(pitch, abs=0.5)
    assert pose.roll == pytest.approx(roll, abs=0.5)


@settings(max_examples=50, deadline=None)
@given(
    yaw=st.floats(-40, 40),
    pitch=st.floats(-40, 40),
    roll=st.floats(-40, 40),
    noise=st.integers(0, 2**32 - 1),
)
def test_recovers_angles_from_noisy_points(
    yaw: float, pitch: float, roll: float, noise: int
) -> None:
    # Jitter of 1% of the inter-ocular distance on every point, like a real mesh's.
    points = project(yaw, pitch, roll, scale=20.0)
    points += np.random.default_rng(noise).normal(scale=1.8, size=points.shape)
    pose = head_pose(points)
    assert pose.yaw == pytest.approx(yaw, abs=2.0)
    assert pose.pitch == pytest.approx(pitch, abs=2.0)
    assert pose.roll == pytest.approx(roll, abs=2.0)


@settings(max_examples=100, deadline=None)
@given(
    yaw=st.floats(-40, 40),
    pitch=st.floats(-40, 40),
    roll=st.floats(-40, 40),
    width=st.floats(200, 4000),
)
def test_mirrored_points_flip_yaw_and_roll(
    yaw: float, pitch: float, roll: float, width: float
) -> None:
    points = project(yaw, pitch, roll, centre=(width / 2 + 13.0, 500.0))
    mirrored = points.copy()
    mirrored[:, 0] = width - 1 - points[:, 0]
    # The mirror image of the person's right eye is the mirrored person's left eye.
    mirrored[:468] = mirrored[_mirror_index()]
    pose, pose_m = head_pose(points), head_pose(mirrored)
    assert pose_m.yaw == pytest.approx(-pose.yaw, abs=1e-6)
    assert pose_m.roll == pytest.approx(-pose.roll, abs=1e-6)
    assert pose_m.pitch == pytest.approx(pose.pitch, abs=1e-6)


def _mirror_index() -> np.ndarray:
    """For each canonical vertex, the vertex at its mirror position (x -> -x)."""
    vertices = _canonical()
    flipped = vertices * np.array([-1.0, 1.0, 1.0])
    distance = np.linalg.norm(vertices[:, None, :] - flipped[None, :, :], axis=2)
    index = distance.argmin(axis=1)
    assert distance[np.arange(len(index)), index].max() < 1e-3  # the model is symmetric
    return index


@settings(max_examples=100, deadline=None)
@given(
    yaw=st.floats(-40, 40),
    pitch=st.floats(-40, 40),
    roll=st.floats(-40, 40),
    scale=st.floats(2, 200),
    dx=st.floats(-5000, 5000),
    dy=st.floats(-5000, 5000),
    dz=st.floats(-500, 500),
)
def test_scale_and_translation_do_not_change_angles(
    yaw: float, pitch: float, roll: float, scale: float, dx: float, dy: float, dz: float
) -> None:
    base = head_pose(project(yaw, pitch, roll))
    moved = head_pose(project(yaw, pitch, roll, scale=scale) + np.array([dx, dy, dz]))
    assert (moved.yaw, moved.pitch, moved.roll) == pytest.approx(
        (base.yaw, base.pitch, base.roll), abs=1e-6
    )
    assert moved.scale == pytest.approx(scale)


def test_sign_convention_as_seen_in_the_image() -> None:
    # yaw > 0: the nose moves towards the image's right of the cheeks' midpoint.
    turned = project(20, 0, 0)
    cheeks_mid = (turned[RIGHT_CHEEK, 0] + turned[LEFT_CHEEK, 0]) / 2
    assert turned[NOSE_TIP, 0] > cheeks_mid + 2
    assert head_pose(turned).yaw > 19
    # pitch > 0 (chin up): the nose tip rises towards the eyes (smaller y).
    level, raised = project(0, 0, 0), project(0, 20, 0)
    eyes = [RIGHT_EYE_OUTER, LEFT_EYE_OUTER]
    gap_level = level[NOSE_TIP, 1] - level[eyes, 1].mean()
    gap_raised = raised[NOSE_TIP, 1] - raised[eyes, 1].mean()
    assert gap_raised < gap_level - 5
    assert head_pose(raised).pitch > 19
    # roll > 0: clockwise on screen, the eye on the image's right is lower (larger y).
    tilted = project(0, 0, 20)
    assert tilted[RIGHT_EYE_OUTER, 0] < tilted[LEFT_EYE_OUTER, 0]
    assert tilted[LEFT_EYE_OUTER, 1] > tilted[RIGHT_EYE_OUTER, 1] + 20
    assert head_pose(tilted).roll > 19


def test_468_and_478_points_agree() -> None:
    points = project(12, -7, 5)
    a, b = head_pose(points), head_pose(points[:468])
    assert (a.yaw, a.pitch, a.roll) == (b.yaw, b.pitch, b.roll)


def test_float32_points_are_accepted() -> None:
    pose = head_pose(project(10, 5, -3).astype(np.float32))
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((10, 5, -3), abs=0.01)


@pytest.mark.parametrize("shape", [(467, 3), (478, 2), (478,)])
def test_wrong_shape_is_rejected(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="mesh points"):
        head_pose(np.zeros(shape))
