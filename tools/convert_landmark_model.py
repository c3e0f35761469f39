"""Write ``src/photocheck/models/shape_predictor_68.npz`` from dlib's 68-point model file.

Run once, offline, when the source model changes (about 30 s)::

    uv run python tools/convert_landmark_model.py [PATH_TO_DAT] [OUTPUT]

The source defaults to ``shape_predictor_68_face_landmarks.dat`` from the installed
``face-recognition-models`` package. The trees are kept as they are; only the leaf
corrections are quantised to int8 with one scale per tree (see ``photocheck.vision.dlib_landmarks``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from dlib_shape_model import read_shape_predictor

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "src/photocheck/models/shape_predictor_68.npz"
)


def default_source() -> Path:
    """Return the 68-point model file that face-recognition-models installs."""
    import importlib.util

    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("face-recognition-models is not installed; pass the .dat path")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "models" / "shape_predictor_68_face_landmarks.dat"


def convert(source: Path, output: Path) -> None:
    """Read ``source`` (a dlib shape predictor) and write the NumPy model to ``output``."""
    raw = read_shape_predictor(str(source))
    levels, trees, splits, _ = raw["split_idx"].shape
    leaves = raw["leaves"]  # (levels, trees, splits + 1, 2P)
    scale = np.abs(leaves).max(axis=(2, 3)) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(leaves / scale[:, :, None, None]).astype(np.int8)
    np.savez(
        output,
        mean_shape=raw["initial_shape"].reshape(-1, 2).astype(np.float32),
        anchor=raw["anchor"],
        offset=raw["deltas"].astype(np.float32),
        split_first=raw["split_idx"][..., 0].reshape(levels, trees * splits),
        split_second=raw["split_idx"][..., 1].reshape(levels, trees * splits),
        split_threshold=raw["split_thresh"].reshape(levels, trees * splits).astype(np.float32),
        leaves=quantised.reshape(levels, trees * (splits + 1), -1),
        leaf_scale=scale.astype(np.float32),
    )


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else default_source()
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUTPUT
    convert(source, output)
    print(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB)")
