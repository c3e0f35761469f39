"""Read dlib's serialised ``shape_predictor`` (.dat) into NumPy arrays (used offline only).

dlib writes integers as one header byte (low nibble: byte count, bit 7: sign) followed by the
little-endian magnitude, and a float as two such integers, mantissa and binary exponent.
The model is: version, initial shape (136 x 1 matrix), forests (levels x trees, each tree a
list of splits ``(idx1, idx2, thresh)`` and a list of leaf vectors), then per level the
anchor landmark and the offset of every feature pixel.
"""

from __future__ import annotations

import numpy as np


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def integer(self) -> int:
        data, pos = self.data, self.pos
        head = data[pos]
        size = head & 0x0F
        value = int.from_bytes(data[pos + 1 : pos + 1 + size], "little")
        self.pos = pos + 1 + size
        return -value if head & 0x80 else value

    def floats(self, count: int) -> np.ndarray:
        data, pos = self.data, self.pos
        out = np.empty(count, dtype=np.float64)
        frombytes = int.from_bytes
        for i in range(count):
            head = data[pos]
            size = head & 0x0F
            mantissa = frombytes(data[pos + 1 : pos + 1 + size], "little")
            if head & 0x80:
                mantissa = -mantissa
            pos += 1 + size
            head = data[pos]
            size = head & 0x0F
            exponent = frombytes(data[pos + 1 : pos + 1 + size], "little")
            if head & 0x80:
                exponent = -exponent
            pos += 1 + size
            if exponent >= 32000:
                raise ValueError("infinite or NaN value in the model")
            out[i] = mantissa * 2.0**exponent
        self.pos = pos
        return out

    def column(self) -> np.ndarray:
        rows, cols = abs(self.integer()), abs(self.integer())
        return self.floats(rows * cols)


def read_shape_predictor(path: str) -> dict[str, np.ndarray]:
    """Return the arrays of a dlib shape predictor file.

    Returns
    -------
    dict
        ``initial_shape`` (2P,), ``split_idx`` (L, T, S, 2) uint16, ``split_thresh`` (L, T, S),
        ``leaves`` (L, T, S + 1, 2P), ``anchor`` (L, F) uint8, ``deltas`` (L, F, 2).
    """
    with open(path, "rb") as handle:
        reader = _Reader(handle.read())
    if reader.integer() != 1:
        raise ValueError("unsupported shape_predictor version")
    initial = reader.column()
    levels = reader.integer()
    split_idx, split_thresh, leaves = [], [], []
    for _ in range(levels):
        trees = reader.integer()
        level_idx, level_thresh, level_leaves = [], [], []
        for _ in range(trees):
            splits = reader.integer()
            idx = np.empty((splits, 2), dtype=np.int64)
            thresh = np.empty(splits, dtype=np.float64)
            for s in range(splits):
                idx[s] = reader.integer(), reader.integer()
                thresh[s] = reader.floats(1)[0]
            n_leaves = reader.integer()
            level_idx.append(idx)
            level_thresh.append(thresh)
            level_leaves.append(np.stack([reader.column() for _ in range(n_leaves)]))
        split_idx.append(level_idx)
        split_thresh.append(level_thresh)
        leaves.append(level_leaves)
    anchors = []
    for _ in range(reader.integer()):
        anchors.append([reader.integer() for _ in range(reader.integer())])
    deltas = []
    for _ in range(reader.integer()):
        count = reader.integer()
        deltas.append(reader.floats(2 * count).reshape(count, 2))
    if reader.pos != len(reader.data):
        raise ValueError("trailing bytes after the model")
    return {
        "initial_shape": initial,
        "split_idx": np.asarray(split_idx, dtype=np.uint16),
        "split_thresh": np.asarray(split_thresh),
        "leaves": np.asarray(leaves),
        "anchor": np.asarray(anchors, dtype=np.uint8),
        "deltas": np.asarray(deltas),
    }
