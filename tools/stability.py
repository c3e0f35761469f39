"""How often a verdict flips when a photo changes in a way that should not matter.

For every development photo labelled with one face, reduced to at most ``--long-side`` px (800
by default, to keep the run short; the reduced photo is the reference), four changes:

========== ================================================ =================================
change     what                                             checks left out
========== ================================================ =================================
jpeg95     re-encoded as JPEG at quality 95 (Pillow)        none
mirror     flipped left to right                            none
crop2      2 px cut from the left and from the top          ``image.format``, ``geometry.*``
resize95   resized to 0.95 x (OpenCV, area interpolation)   ``image.format``,
                                                            ``geometry.eye_distance``
========== ================================================ =================================

A check flips when its status moves between accepted (pass or warn), fail and not_assessed;
a photo flips for a change when any of the change's checks flips. Each version of a photo is
measured once (``photocheck.measure``) and judged with the profile (``photocheck.judge``).

    uv run python tools/stability.py [--photos ../shared/data/photos] [--profile icao] [--json out.json]

Prints a Markdown table: per change, the share of photos that flipped, then per check the
number of photos on which it flipped. ``tests/test_stability.py`` holds the floors.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import photocheck

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
LONG_SIDE = 800


def _jpeg95(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _resize95(rgb: np.ndarray) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (round(0.95 * w), round(0.95 * h)), interpolation=cv2.INTER_AREA)


# change -> (make the changed photo from the reference RGB, checks left out; "x.*" = family)
CHANGES: dict[str, tuple[Callable[[np.ndarray], Any], tuple[str, ...]]] = {
    "jpeg95": (_jpeg95, ()),
    "mirror": (lambda rgb: np.ascontiguousarray(rgb[:, ::-1]), ()),
    "crop2": (lambda rgb: np.ascontiguousarray(rgb[2:, 2:]), ("image.format", "geometry.*")),
    "resize95": (_resize95, ("image.format", "geometry.eye_distance")),
}


def _left_out(check: str, patterns: Iterable[str]) -> bool:
    return any(check == p or (p.endswith(".*") and check.startswith(p[:-1])) for p in patterns)


def _outcome(status: str) -> str:
    return "accepted" if status in ("pass", "warn") else status


def reference(path: Path, long_side: int = LONG_SIDE) -> np.ndarray:
    """Return the photo's pixels (orientation applied), reduced to at most ``long_side`` px."""
    import cv2

    rgb = photocheck.load_image(path).rgb
    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1.0:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def photo_flips(rgb: np.ndarray, profile: photocheck.Profile) -> dict[str, list[str]]:
    """Return, for each change, the checks whose outcome differs from the reference photo's."""
    checks = profile.checks

    def outcomes(photo: Any) -> dict[str, str]:
        verdict = photocheck.judge(photocheck.measure(photo, checks=checks), profile)
        return {r.check: _outcome(r.status) for r in verdict.results}

    base = outcomes(rgb)
    flips = {}
    for change, (make, left_out) in CHANGES.items():
        changed = outcomes(make(rgb))
        flips[change] = sorted(
            c for c in base if not _left_out(c, left_out) and changed.get(c) != base[c]
        )
    return flips


@dataclass
class Stability:
    """Flips per change over a set of photos."""

    profile: str
    long_side: int
    photos: list[str] = field(default_factory=list)
    # photo -> change -> checks that flipped
    flips: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def photo_rate(self, change: str) -> float:
        """Return the share of photos (0-1) on which at least one check flipped under ``change``."""
        return sum(bool(self.flips[p][change]) for p in self.photos) / max(1, len(self.photos))

    def check_counts(self, change: str) -> dict[str, int]:
        """Count the photos on which each check flipped under ``change``."""
        counts: dict[str, int] = {}
        for p in self.photos:
            for check in self.flips[p][change]:
                counts[check] = counts.get(check, 0) + 1
        return dict(sorted(counts.items()))

    def to_markdown(self) -> str:
        """Return the table: per change the share of photos flipped, then flips per check."""
        changes = list(CHANGES)
        n = len(self.photos)
        lines = [
            f"Verdict flips, profile `{self.profile}`, {n} photos (n_faces 1) reduced to at "
            f"most {self.long_side} px:",
            "",
            "| | " + " | ".join(changes) + " |",
            "|---|" + "---:|" * len(changes),
            "| photos flipped | "
            + " | ".join(
                f"{self.photo_rate(c):.1%} ({round(self.photo_rate(c) * n)})" for c in changes
            )
            + " |",
        ]
        per_check = {c: self.check_counts(c) for c in changes}
        for check in sorted({k for counts in per_check.values() for k in counts}):
            cells = []
            for c in changes:
                if _left_out(check, CHANGES[c][1]):
                    cells.append("-")
                else:
                    cells.append(str(per_check[c].get(check, 0)))
            lines.append(f"| {check} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the rates and per-check counts, plus every photo's flips."""
        return {
            "profile": self.profile,
            "long_side": self.long_side,
            "photos": len(self.photos),
            "photo_rate": {c: self.photo_rate(c) for c in CHANGES},
            "check_counts": {c: self.check_counts(c) for c in CHANGES},
            "flips": self.flips,
        }


def one_face_photos(folder: Path) -> list[Path]:
    """Return the manifest's photos labelled with exactly one face."""
    with (folder / "manifest.csv").open(newline="") as handle:
        rows: list[Mapping[str, str]] = list(csv.DictReader(handle))
    return [folder / "img" / r["file"] for r in rows if r["n_faces"] == "1"]


def measure_stability(
    paths: list[Path], profile: str = "icao", *, long_side: int = LONG_SIDE, workers: int = 0
) -> Stability:
    """Measure the flips of every photo under every change (``workers`` threads; 0 = up to 4)."""
    prof = photocheck.load_profile(profile)
    workers = workers or min(4, os.cpu_count() or 1)

    def one(path: Path) -> dict[str, list[str]]:
        return photo_flips(reference(path, long_side), prof)

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, paths))
    stability = Stability(prof.name, long_side)
    for path, flips in zip(paths, results, strict=True):
        stability.photos.append(path.name)
        stability.flips[path.name] = flips
    return stability


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--long-side", type=int, default=LONG_SIDE)
    parser.add_argument("--json", type=Path, help="also write every photo's flips here")
    args = parser.parse_args(argv)
    if not (args.photos / "manifest.csv").is_file():
        print(f"no manifest.csv in {args.photos}", file=sys.stderr)
        return 2
    stability = measure_stability(
        one_face_photos(args.photos), args.profile, long_side=args.long_side
    )
    print(stability.to_markdown())
    if args.json:
        args.json.write_text(json.dumps(stability.to_dict(), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
