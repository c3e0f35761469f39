"""Find faces with MediaPipe's BlazeFace detectors: short range first, full range as fallback.

The pre- and post-processing reproduce MediaPipe's ``FaceDetection`` subgraph
(``face_detection_short_range.pbtxt`` / ``face_detection_full_range.pbtxt``): the photo is
letterboxed into a centred black square and sampled bilinearly into the model's input (as
``ImageToTensorCalculator`` does on CPU with OpenCV: a plain bilinear warp, no area
averaging, which matched MediaPipe far better than ``INTER_AREA`` on the development photos), box and keypoint offsets are decoded against fixed-size
SSD anchors (``SsdAnchorsCalculator`` + ``TensorsToDetectionsCalculator``), overlapping boxes are
merged by score-weighted non-maximum suppression (``NonMaxSuppressionCalculator``, ``WEIGHTED``)
and the result is mapped back to the photo's pixels (``DetectionProjectionCalculator``).
"""

from __future__ import annotations

import math
from functools import cache
from typing import NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

from .runtime import run

__all__ = [
    "ANCHOR_OFFSET",
    "FULL_RANGE_API_MIN_SCORE",
    "FULL_RANGE_MIN_SCORE",
    "NMS_MIN_IOU",
    "SCORE_CLIP",
    "SHORT_RANGE_MIN_SCORE",
    "Detection",
    "detect_faces",
    "full_range_faces",
    "same_face",
    "short_range_faces",
]

# Minimum face probability kept, from the graphs' ``min_score_thresh``.
SHORT_RANGE_MIN_SCORE = 0.5
FULL_RANGE_MIN_SCORE = 0.6
# MediaPipe's public face-detection APIs (the Python ``FaceDetection`` solution and the Tasks
# ``FaceDetector``) replace the graph's threshold with ``min_detection_confidence``, 0.5 by
# default, for the full-range model too.
FULL_RANGE_API_MIN_SCORE = 0.5
# Logits are clipped to +-SCORE_CLIP before the sigmoid (``score_clipping_thresh``).
SCORE_CLIP = 100.0
# Boxes overlapping the best remaining box by more than this IoU are merged into it.
NMS_MIN_IOU = 0.3
# Anchor centres sit at (cell + ANCHOR_OFFSET) / cells; anchors have a fixed unit size.
ANCHOR_OFFSET = 0.5
# Values per anchor in the regressor output: box (cx, cy, w, h), then 6 keypoints (x, y).
_NUM_COORDS = 16
_NUM_KEYPOINTS = 6


class Detection(NamedTuple):
    """One detected face, in the photo's pixel coordinates (x right, y down).

    The pixel in column ``i``, row ``j`` has its centre at ``x = i, y = j``, as in OpenCV and
    in MediaPipe's CPU pipeline.

    Attributes
    ----------
    box : ndarray of float64, shape (4,)
        ``(x0, y0, x1, y1)``: left, top, right and bottom edges of the face box.
    keypoints : ndarray of float64, shape (6, 2)
        Points ``(x, y)``: right eye (image left), left eye, nose tip, mouth centre, right
        ear tragion, left ear tragion.
    score : float
        Face probability in ``[0, 1]`` of the best box of the merged group.
    """

    box: NDArray[np.float64]
    keypoints: NDArray[np.float64]
    score: float


class _Model(NamedTuple):
    name: str  # model file stem under vision/models/
    size: int  # square input side, px
    strides: tuple[int, ...]  # one per SSD layer
    anchors_per_layer: int  # 2 when interpolated_scale_aspect_ratio > 0, else 1
    min_score: float


_SHORT_RANGE = _Model("face_detection_short_range", 128, (8, 16, 16, 16), 2, SHORT_RANGE_MIN_SCORE)
_FULL_RANGE = _Model("face_detection_full_range_sparse", 192, (4,), 1, FULL_RANGE_MIN_SCORE)


def detect_faces(rgb: NDArray[np.uint8]) -> list[Detection]:
    """Find the faces in a photo.

    The short-range model (faces filling a good part of the frame, as in ID photos) runs
    first; the full-range model (small or distant faces) runs only when it finds nothing.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo, RGB.

    Returns
    -------
    list of Detection
        The faces, largest box first; empty when there is none. Coordinates are in the
        photo's pixels and may fall slightly outside it for faces cut by the frame.
    """
    return short_range_faces(rgb) or full_range_faces(rgb)


def short_range_faces(rgb: NDArray[np.uint8]) -> list[Detection]:
    """Find the faces the short-range model sees (faces filling a good part of the frame).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo, RGB.

    Returns
    -------
    list of Detection
        Faces scoring at least :data:`SHORT_RANGE_MIN_SCORE`, largest box first.
    """
    return sorted(_detect(rgb, _SHORT_RANGE), key=_area, reverse=True)


def full_range_faces(
    rgb: NDArray[np.uint8], min_score: float = FULL_RANGE_MIN_SCORE
) -> list[Detection]:
    """Find the faces the full-range model sees (down to small or distant faces).

    It misses some close-ups that the short-range model finds, and finds faces cut by the
    photo's edge or seen from afar that the short-range model misses.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo, RGB.
    min_score : float, optional
        Lowest face probability kept, in ``[0, 1]``; higher keeps fewer boxes. The graph's
        :data:`FULL_RANGE_MIN_SCORE` by default; MediaPipe's public APIs use
        :data:`FULL_RANGE_API_MIN_SCORE`. Boxes below it take no part in the merging either.

    Returns
    -------
    list of Detection
        Faces scoring at least ``min_score``, largest box first.
    """
    model = _FULL_RANGE._replace(min_score=min_score)
    return sorted(_detect(rgb, model), key=_area, reverse=True)


def same_face(a: NDArray[np.float64], b: NDArray[np.float64]) -> bool:
    """Return whether two ``(x0, y0, x1, y1)`` boxes mark the same face.

    They do when their intersection over union exceeds :data:`NMS_MIN_IOU`, the overlap at
    which the detector itself merges boxes. (On the development photos the two models' boxes
    of one face overlap by 0.56 or more and boxes of different faces not at all.)

    Parameters
    ----------
    a, b : ndarray of float, shape (4,)
        The boxes, in the same pixels.

    Returns
    -------
    bool
        True when the boxes overlap by more than :data:`NMS_MIN_IOU`.
    """
    return bool(
        _iou(np.asarray(a, dtype=np.float64)[None], np.asarray(b, dtype=np.float64))[0]
        > NMS_MIN_IOU
    )


def _area(detection: Detection) -> float:
    x0, y0, x1, y1 = detection.box
    return float((x1 - x0) * (y1 - y0))


def _detect(rgb: NDArray[np.uint8], model: _Model) -> list[Detection]:
    height, width = rgb.shape[:2]
    # Letterbox: a square of the long side centred on the photo, padded with black.
    side = float(max(width, height))
    origin = np.array([(width - side) / 2, (height - side) / 2])
    scale = model.size / side
    to_tensor = np.array([[scale, 0.0, -origin[0] * scale], [0.0, scale, -origin[1] * scale]])
    square = cv2.warpAffine(
        rgb,
        to_tensor,
        (model.size, model.size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    tensor = square.astype(np.float32)[None] * np.float32(1 / 127.5) - np.float32(1)
    outputs = list(run(model.name, tensor).values())
    regressors = next(o for o in outputs if o.shape[-1] == _NUM_COORDS).reshape(-1, _NUM_COORDS)
    logits = next(o for o in outputs if o.shape[-1] == 1).reshape(-1)

    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
    keep = np.flatnonzero(scores >= model.min_score)
    if keep.size == 0:
        return []
    anchors = _anchors(model)[keep]
    raw = regressors[keep].astype(np.float64) / model.size
    centre = raw[:, 0:2] + anchors
    half = raw[:, 2:4] / 2
    boxes = np.hstack([centre - half, centre + half])
    keypoints = raw[:, 4:].reshape(-1, _NUM_KEYPOINTS, 2) + anchors[:, None, :]
    # MediaPipe drops boxes decoded with a negative (or NaN) width or height.
    valid = np.all(raw[:, 2:4] >= 0, axis=1)
    merged = _weighted_nms(boxes[valid], keypoints[valid], scores[keep][valid])
    return [
        Detection(
            box=box * side + np.tile(origin, 2),
            keypoints=points * side + origin,
            score=float(score),
        )
        for box, points, score in merged
    ]


@cache
def _anchors(model: _Model) -> NDArray[np.float64]:
    """SSD anchor centres ``(N, 2)`` in [0, 1], in the model's output order."""
    layers: list[NDArray[np.float64]] = []
    strides = model.strides
    first = 0
    while first < len(strides):
        # Consecutive layers with the same stride share one feature map.
        last = first
        while last < len(strides) and strides[last] == strides[first]:
            last += 1
        cells = math.ceil(model.size / strides[first])
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = (np.stack([xs, ys], axis=-1).reshape(-1, 2) + ANCHOR_OFFSET) / cells
        layers.append(np.repeat(centres, model.anchors_per_layer * (last - first), axis=0))
        first = last
    anchors = np.concatenate(layers)
    anchors.setflags(write=False)
    return anchors


def _weighted_nms(
    boxes: NDArray[np.float64], keypoints: NDArray[np.float64], scores: NDArray[np.float64]
) -> list[tuple[NDArray[np.float64], NDArray[np.float64], float]]:
    """Merge overlapping boxes as MediaPipe's ``NonMaxSuppressionCalculator`` (WEIGHTED) does.

    The best remaining box and every remaining box overlapping it by IoU > NMS_MIN_IOU
    (itself included) are replaced by their score-weighted mean box and keypoints, keeping
    the best box's score; repeat on the rest.
    """
    order = np.argsort(-scores, kind="stable")
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    merged: list[tuple[NDArray[np.float64], NDArray[np.float64], float]] = []
    remaining = np.arange(scores.size)
    while remaining.size:
        top = remaining[0]
        members = _iou(boxes[remaining], boxes[top]) > NMS_MIN_IOU
        group = remaining[members]
        if group.size == 0:
            # A degenerate (zero-area) best box overlaps nothing, not even itself: MediaPipe
            # keeps it unchanged and stops.
            merged.append((boxes[top], keypoints[top], float(scores[top])))
            break
        weights = scores[group] / scores[group].sum()
        merged.append(
            (
                weights @ boxes[group],
                np.tensordot(weights, keypoints[group], axes=1),
                float(scores[top]),
            )
        )
        remaining = remaining[~members]
    return merged


def _iou(boxes: NDArray[np.float64], box: NDArray[np.float64]) -> NDArray[np.float64]:
    """Intersection over union of each ``(x0, y0, x1, y1)`` row of ``boxes`` with ``box``."""
    low = np.maximum(boxes[:, :2], box[:2])
    high = np.minimum(boxes[:, 2:], box[2:])
    inter = np.prod(np.clip(high - low, 0.0, None), axis=1)
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    union = areas + np.prod(box[2:] - box[:2]) - inter
    safe = np.where(union > 0, union, 1.0)
    return np.where(union > 0, inter / safe, 0.0)
