"""The mesh's mirror partners: the fast lookup gives what the full distance array gives."""

from __future__ import annotations

import numpy as np
import pytest

from photocheck.vision import mesh
from photocheck.vision.runtime import MODEL_DIR


def _brute_force(vertices: np.ndarray) -> np.ndarray:
    mirrored = vertices * np.array([-1.0, 1.0, 1.0])
    return np.argmin(np.linalg.norm(vertices[:, None] - mirrored[None], axis=2), axis=1)


def test_mirror_partners_are_the_nearest_mirrored_vertices_of_the_bundled_model() -> None:
    with np.load(MODEL_DIR / "canonical_face.npz") as data:
        vertices = np.asarray(data["vertices"], dtype=np.float64)
    expected = np.arange(mesh.NUM_POINTS)
    expected[: len(vertices)] = _brute_force(vertices)
    expected[[468, 469, 470, 471, 472]] = [473, 476, 475, 474, 477]
    expected[[473, 476, 475, 474, 477]] = [468, 469, 470, 471, 472]
    partners = mesh.mirror_partners()
    np.testing.assert_array_equal(partners, expected)
    np.testing.assert_array_equal(partners[partners], np.arange(mesh.NUM_POINTS))


@pytest.mark.parametrize("noise", [0.0, 1e-9, 0.3])
def test_nearest_mirrored_matches_argmin_with_and_without_exact_mirrors(noise: float) -> None:
    rng = np.random.default_rng(3)
    half = rng.normal(size=(40, 3))
    midline = rng.normal(size=(6, 3)) * np.array([0.0, 1.0, 1.0])
    # An exactly symmetric set with a duplicated vertex (argmin takes the first of equals),
    # then moved off symmetry by ``noise`` (no exact mirror left: the distances decide).
    vertices = np.concatenate([half, half * np.array([-1.0, 1.0, 1.0]), midline, half[:1]])
    vertices = vertices + rng.normal(scale=noise, size=vertices.shape)
    np.testing.assert_array_equal(mesh._nearest_mirrored(vertices), _brute_force(vertices))
