"""The 68-point landmark model in NumPy: dlib's regression-tree cascade, loaded in milliseconds.

dlib's ``shape_predictor_68_face_landmarks.dat`` is an ensemble of regression trees (Kazemi
and Sullivan, 2014): 15 cascade levels of 500 trees of depth 4. Each level samples 500 grey
pixels at offsets from the current shape (after a similarity transform from the mean shape),
every tree compares two of them against a threshold at each node, and the leaves it reaches
add their shape corrections. dlib reads its own file in 0.7-1.1 s, most of the first
``validate()`` in a fresh process; the same trees stored as NumPy arrays
(``models/shape_predictor_68.npz``, written by ``tools/convert_landmark_model.py``) load in
about 10 ms. The leaf vectors are stored as int8 with one scale per tree, which moves the
landmarks by about 1.3% of the eye distance on average against dlib's float leaves: less than
moving the face box by one pixel does (1.7%), see ``tests/test_landmarks.py``.

Unlike dlib, :func:`predict_landmarks` returns sub-pixel coordinates (dlib rounds them).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import ModelNotFoundError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["LandmarkModel", "load_landmark_model", "predict_landmarks"]

MODEL_PATH = Path(__file__).parent.parent / "models" / "shape_predictor_68.npz"
_LOCK = threading.Lock()
_CACHE: dict[Path, LandmarkModel] = {}


class LandmarkModel(NamedTuple):
    """The arrays of a regression-tree cascade (L levels, T trees, S splits per tree).

    Attributes
    ----------
    mean_shape : ndarray of float64, shape (P, 2)
        The initial shape in box-normalised coordinates ((0, 0) top left, (1, 1) bottom right).
    anchor : ndarray of intp, shape (L, F)
        Per level, the landmark each feature pixel is attached to.
    offset : ndarray of float64, shape (L, F, 2)
        Per level, the feature pixel's offset from its landmark in the mean shape.
    split_first, split_second : ndarray of uint16, shape (L, T * S)
        The two feature pixels each split node compares (tree t's nodes at ``t * S``); kept
        small because the walk is bound by memory latency, not arithmetic.
    split_threshold : ndarray of float32, shape (L, T * S)
        A node sends the walk to its left child when ``first - second > threshold``.
    leaves : ndarray of int8, shape (L, T * (S + 1), 2P)
        Quantised leaf corrections (tree t's leaves at ``t * (S + 1)``).
    leaf_scale : ndarray of float32, shape (L, T)
        Per tree, the factor turning ``leaves`` back into box-normalised corrections.
    """

    mean_shape: NDArray[np.float64]
    anchor: NDArray[np.intp]
    offset: NDArray[np.float64]
    split_first: NDArray[np.uint16]
    split_second: NDArray[np.uint16]
    split_threshold: NDArray[np.float32]
    leaves: NDArray[np.int8]
    leaf_scale: NDArray[np.float32]


def load_landmark_model(path: str | Path | None = None) -> LandmarkModel:
    """Return the landmark model stored at ``path`` (the bundled one by default), once per process.

    Parameters
    ----------
    path : str or Path, optional
        An ``.npz`` file written by ``tools/convert_landmark_model.py``.

    Raises
    ------
    ModelNotFoundError
        When the file is missing or is not a landmark model.
    """
    key = Path(path) if path is not None else MODEL_PATH
    model = _CACHE.get(key)
    if model is None:
        with _LOCK:
            model = _CACHE.get(key)
            if model is None:
                model = _CACHE[key] = _read(key)
    return model


def _read(path: Path) -> LandmarkModel:
    import zipfile

    import numpy as np

    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            arrays = {name: data[name] for name in LandmarkModel._fields}
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelNotFoundError(f"cannot read the landmark model {str(path)!r}: {exc}") from exc
    return LandmarkModel(
        mean_shape=arrays["mean_shape"].astype(np.float64),
        anchor=arrays["anchor"].astype(np.intp),
        offset=arrays["offset"].astype(np.float64),
        split_first=arrays["split_first"].astype(np.uint16),
        split_second=arrays["split_second"].astype(np.uint16),
        split_threshold=arrays["split_threshold"].astype(np.float32),
        leaves=arrays["leaves"],
        leaf_scale=arrays["leaf_scale"].astype(np.float32),
    )


def _similarity(
    centred_mean: NDArray[np.float64],
    perpendicular: NDArray[np.float64],
    shape: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return the 2 x 2 rotation-and-scale part of the least-squares similarity mean -> shape.

    ``centred_mean`` is the mean shape minus its centroid, divided by its squared norm, and
    ``perpendicular`` the same rotated by 90 degrees; because their columns sum to zero the
    shape need not be centred.
    """
    import numpy as np

    cos = float(np.dot(centred_mean.ravel(), shape.ravel()))
    sin = float(np.dot(perpendicular.ravel(), shape.ravel()))
    return np.array([[cos, sin], [-sin, cos]])  # transposed: points are rows


def predict_landmarks(
    grey: NDArray[np.uint8], box: tuple[int, int, int, int], model: LandmarkModel | None = None
) -> NDArray[np.float64]:
    """Return the landmarks of the face in ``box`` as sub-pixel (x, y) image coordinates.

    Parameters
    ----------
    grey : ndarray of uint8, shape (H, W)
        The photo in grey levels.
    box : tuple of int
        ``(left, top, right, bottom)`` of the face, as dlib's detector gives it.
    model : LandmarkModel, optional
        The bundled 68-point model by default.

    Returns
    -------
    ndarray of float64, shape (P, 2)
        The landmarks (68 for the bundled model, in the iBUG 300-W order).

    Examples
    --------
    >>> import numpy as np
    >>> points = predict_landmarks(np.full((120, 100), 128, np.uint8), (20, 30, 80, 90))
    >>> points.shape
    (68, 2)
    """
    import numpy as np

    model = model if model is not None else load_landmark_model()
    left, top, right, bottom = box
    origin = np.array([left, top], dtype=np.float64)
    size = np.array([right - left, bottom - top], dtype=np.float64)
    height, width = grey.shape
    pixels = np.ascontiguousarray(grey).ravel()
    levels, n_trees = model.leaf_scale.shape
    splits = model.split_first.shape[1] // n_trees
    tree_node = np.arange(n_trees) * splits
    tree_leaf = np.arange(n_trees) * (splits + 1)
    centred = model.mean_shape - model.mean_shape.mean(axis=0)
    centred /= float(np.einsum("ij,ij->", centred, centred))
    perpendicular = np.column_stack([-centred[:, 1], centred[:, 0]])
    shape = model.mean_shape.copy()
    for level in range(levels):
        rotation = _similarity(centred, perpendicular, shape)
        # Element-wise rather than ``@``: NumPy hands even small products to the BLAS, whose
        # threads would compete for the cores with the other worker processes of a batch.
        offset = model.offset[level]
        points = shape[model.anchor[level]]
        points += offset[:, :1] * rotation[0] + offset[:, 1:] * rotation[1]
        # dlib rounds the feature pixel to the nearest integer (halves up) and reads 0 outside.
        xy = np.floor(points * size + origin + 0.5).astype(np.intp)
        x, y = xy[:, 0], xy[:, 1]
        inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        if inside.all():
            values = pixels[y * width + x].astype(np.float32)
        else:
            values = np.where(inside, pixels[np.where(inside, y * width + x, 0)], 0).astype(
                np.float32
            )
        first, second = model.split_first[level], model.split_second[level]
        threshold = model.split_threshold[level]
        node = np.zeros(n_trees, dtype=np.intp)
        while node[0] < splits:  # every tree is complete, so all walks end together
            index = tree_node + node
            left_turn = values[first[index]] - values[second[index]] > threshold[index]
            node = 2 * node + 2 - left_turn
        rows = model.leaves[level][tree_leaf + node - splits]
        shape += np.einsum("t,tk->k", model.leaf_scale[level], rows.astype(np.float32)).reshape(
            -1, 2
        )
    result: NDArray[np.float64] = shape * size + origin
    return result
