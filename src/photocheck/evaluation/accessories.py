"""Accessories drawn on real photos: evaluation data for the feature and accessory checks.

:func:`add_accessory` draws, from a photo's 68 landmarks, tinted sunglasses, clear frames, a
cap (plain, knitted or near black), a headscarf that leaves the face visible, a patch hiding
one eye, or crudely closed eyes. :func:`accessory_set` measures the feature checks on
compliant real photos and on each of their drawn variants. The drawings show that the whole
pipeline reacts to an accessory; they are easier than real accessories (``docs/features.md``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..batch.table import MeasurementTable

__all__ = ["ACCESSORIES", "FEATURE_CHECKS", "accessory_bases", "accessory_set", "add_accessory"]

RGB = NDArray[np.uint8]

#: The checks the accessories speak to.
FEATURE_CHECKS = (
    "eyes.open",
    "eyes.visible",
    "mouth.closed",
    "accessory.glasses",
    "accessory.sunglasses",
    "accessory.headwear",
)
#: What :func:`add_accessory` draws.
ACCESSORIES = (
    "sunglasses",
    "clear_glasses",
    "cap",
    "knit_cap",
    "dark_cap",
    "headscarf",
    "eye_patch",
)


def add_accessory(rgb: RGB, landmarks: NDArray[np.floating[Any]], kind: str, seed: int = 0) -> RGB:
    """Draw an accessory on a photo, placed from its 68 landmarks (image coordinates).

    ``kind`` is one of :data:`ACCESSORIES`: ``sunglasses`` (dark tinted lenses and a
    frame), ``clear_glasses`` (dark rims and bridge, clear lenses), ``cap`` (a plain cap with
    a brim down to the upper forehead), ``knit_cap`` (the same cap knitted: ribs, noise and
    shading), ``dark_cap`` (the same cap near black), ``headscarf`` (fabric over the head and around the
    face, face from chin to forehead left visible), ``eye_patch`` (a skin-toned patch, like a
    hand or hair, over the subject's left eye). Closed eyes are drawn by
    :func:`photocheck.evaluation.synthetic_lighting.closed_eyes`.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The photo (not modified).
    landmarks : ndarray, shape (68, 2)
        The mesh points at the 68 iBUG positions, in image coordinates.
    kind : str
        The accessory.
    seed : int, optional
        Seed of the random colours, tints and texture.

    Returns
    -------
    ndarray of uint8
        A new photo with the accessory drawn.

    Raises
    ------
    ValueError
        For an unknown ``kind``.
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

    def pt(p: Any) -> tuple[int, int]:
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
            wool = rng.integers(40, 220, 3).astype(np.float32)
            ys, xs = np.nonzero(sel)
            ribs = 18.0 * np.sin(2 * np.pi * xs / max(2.0, 0.12 * ied))
            shade = 1.0 - 0.1 * (ys - top) / max(1.0, bottom - top)
            noise = rng.normal(0.0, 6.0, xs.size)
            value = wool[None, :] * shade[:, None] + (ribs + noise)[:, None]
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
    else:
        raise ValueError(f"unknown accessory {kind!r}")
    return out


def accessory_bases(
    rows: Iterable[Mapping[str, str]], limit: int = 10, width: int = 480
) -> Iterator[tuple[str, RGB, NDArray[np.floating[Any]]]]:
    """Yield compliant photos to draw on: ``(file, rgb, landmarks)``, by file name.

    A photo qualifies when it is labelled without glasses or headwear, eyes open, frontal, and
    is not an illustration, and photocheck finds its face and landmarks.

    Parameters
    ----------
    rows : iterable of mapping
        Manifest rows (see :func:`photocheck.evaluation.labels.read_manifest`).
    limit : int, optional
        Yield at most this many photos.
    width : int, optional
        Photos wider than this are reduced (area average) to this width first.

    Yields
    ------
    tuple
        File name, the (reduced) RGB photo, and its 68 landmarks in its coordinates.
    """
    import cv2

    from ..analysis import Analysis
    from ..imaging.load import load_image

    found = 0
    for row in sorted(rows, key=lambda r: r["file"]):
        labels = (row["glasses"], row["headwear"], row["eyes_open"], row["frontal"])
        if labels != ("none", "none", "yes", "yes") or "illustration" in row["notes"].lower():
            continue
        rgb = load_image(row["path"]).rgb
        if rgb.shape[1] > width:
            scale = width / rgb.shape[1]
            size = (width, round(rgb.shape[0] * scale))
            rgb = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))
        face = Analysis(load_image(rgb)).face
        if face is None or face.landmarks is None:
            continue
        yield row["file"], rgb, face.landmarks
        found += 1
        if found >= limit:
            return


def accessory_set(
    rows: Iterable[Mapping[str, str]],
    *,
    limit: int = 10,
    accessories: Iterable[str] = ACCESSORIES,
    checks: Iterable[str] = FEATURE_CHECKS,
    workers: int | None = 1,
) -> MeasurementTable:
    """Measure compliant photos and every accessory drawn on each of them.

    Parameters
    ----------
    rows : iterable of mapping
        Manifest rows; the bases are chosen by :func:`accessory_bases`.
    limit : int, optional
        Number of base photos.
    accessories : iterable of str, optional
        What to draw (default: all of :data:`ACCESSORIES`); base ``i`` uses seed ``i``.
    checks : iterable of str, optional
        The checks to measure (default :data:`FEATURE_CHECKS`).
    workers : int, optional
        Worker processes (default 1: in this process; None: one per core).

    Returns
    -------
    MeasurementTable
        One row per image, with ``meta:base`` and ``meta:variant`` (``"original"`` for the
        untouched photo, else the accessory).
    """
    from ..batch.table import measure_many

    kinds = list(accessories)
    images: list[RGB] = []
    extra: list[dict[str, str]] = []
    for i, (name, rgb, landmarks) in enumerate(accessory_bases(rows, limit)):
        images.append(rgb)
        extra.append({"meta:base": name, "meta:variant": "original"})
        for kind in kinds:
            images.append(add_accessory(rgb, landmarks, kind, seed=i))
            extra.append({"meta:base": name, "meta:variant": kind})
    return measure_many(images, checks=list(checks), workers=workers, extra=extra)
