"""How often verdicts change, and how much measured values move, when a photo changes in a way that should not matter.

For every development photo labelled with one face, reduced to at most ``--long-side`` px (800
by default, to keep the run short; the reduced photo is the reference), four changes:

========== ================================================ =================================
change     what                                             checks left out
========== ================================================ =================================
jpeg95     re-encoded as JPEG at quality 95 (Pillow)        none
mirror     flipped left to right                            none
crop2      2 px cut from the left and from the top          ``image.format``, ``geometry.*``
resize95   resized to 0.95 x (OpenCV, area interpolation)   ``image.format``,
                                                            ``geometry.eye_distance``,
                                                            ``image.compression``
========== ================================================ =================================

A change leaves out the checks it alters for a reason: a crop moves the face in the frame, a
resize changes the pixel size and resamples the fine detail and JPEG blocking that
``image.compression`` looks for (its fine detail drops by up to 0.07 under the resize, 0.009
under the other changes).

Each version of a photo is measured once (``photocheck.measure``, every registered check) and
judged with the profile (``photocheck.judge``). A check's status change between the reference
and a changed version falls in one of three kinds:

- ``pass<->fail``: between pass and fail;
- ``not_assessed``: to or from not_assessed;
- ``warn``: between warn and pass or fail (a borderline value, or an advisory rule).

A photo counts for a kind and a change when any of the change's checks changes that way.
``flipped`` counts the photos with a ``pass<->fail`` or a ``not_assessed`` change (issue 13's
measure: at most 5% per change); ``accept<->reject`` counts the photos whose any check moved between accepted (pass or warn)
and rejected (fail or not_assessed), the measure used before borderline results existed.

``--noise`` prints, per numeric value a check's limits bound, how much the value moves under
the changes (|changed - reference| over the photos and changes where both are measured;
median and 90th percentile) next to the ``noise`` its ``Range`` declares, and the 90th
percentile rounded up to 2 significant digits (the rule the declarations follow). Values
that a change moves for a reason are brought back first: a mirror image maps the face
centre's ratio ``r`` to ``1 - r`` and its px ``x`` to ``width - x``; a resize scales px
values; the checks a change leaves out are left out here too. A value in :data:`RELATIVE`
moves in proportion to its size: its change is taken relative to the reference value, and its
noise is that 90th percentile times the shipped ``icao`` limit (the noise at the limit).
``--exact`` judges with every noise set to 0 (as before borderline results existed).

    uv run python tools/stability.py [--photos ../shared/data/photos] [--profile icao]
                                     [--noise] [--exact] [--json out.json] [--doc PAGE]

Prints Markdown tables; ``--doc docs/borderline.md`` (implies ``--noise --exact``) also
rewrites the page's blocks between ``<!-- stability:NAME -->`` and ``<!-- /stability:NAME -->``
(``changes``, ``exact``, ``noise``). ``tests/test_stability.py`` holds the ceilings and the
noise bounds.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import photocheck
from photocheck.authoring import CheckSpec, Range, get_check, registered
from photocheck.rules.judging import judge_measurement
from photocheck.rules.verdict import Measurement, Measurements

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
LONG_SIDE = 800
REFERENCE = "reference"
KINDS = ("pass<->fail", "not_assessed", "warn")
FLIPPED = "flipped"  # pass<->fail or not_assessed: issue 13's measure


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
    "resize95": (_resize95, ("image.format", "geometry.eye_distance", "image.compression")),
}
# Values whose change is proportional to their size, so that the change pooled over all photos
# says little about the change near a limit far in their tail: the lip-outline contrast moves
# by about 15% of its value (p90) whether it is 0.1 or 3, and icao's lower limit is 0.18 while
# most faces measure 0.5-2 (pooled, its p90 change 0.18 would swallow the limit itself).
RELATIVE = frozenset({"face.occlusion:mouth_contrast"})
# Values in px of the image (a resize scales them).
PX_VALUES = frozenset(
    {
        "geometry.eye_distance:px",
        "geometry.head_height:px",
        "geometry.face_width:px",
        "geometry.eye_line:px_from_bottom",
        "geometry.centring:px",
        "geometry.top_margin:px",
    }
)


def left_out(check: str, patterns: Iterable[str]) -> bool:
    """Return whether ``check`` is one of ``patterns`` (``"family.*"`` names a family)."""
    return any(check == p or (p.endswith(".*") and check.startswith(p[:-1])) for p in patterns)


def change_kind(before: str, after: str) -> str | None:
    """Return the kind of a status change (one of :data:`KINDS`), None when there is none."""
    pair = {before, after}
    if before == after:
        return None
    if "not_assessed" in pair:
        return "not_assessed"
    if pair == {"pass", "fail"}:
        return "pass<->fail"
    return "warn"


def _accepted(status: str) -> bool:
    return status in ("pass", "warn")


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


@dataclass
class PhotoRun:
    """One photo's measurements: the reference and each changed version.

    Attributes
    ----------
    width : int
        The reference's width in px.
    versions : dict
        ``"reference"`` and each change's name -> its :class:`photocheck.Measurements`.
    widths : dict
        The same keys -> the version's width in px.
    """

    width: int
    versions: dict[str, Measurements] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)


def measure_photo(
    rgb: np.ndarray, changes: Sequence[str] = tuple(CHANGES), checks: Iterable[str] | None = None
) -> PhotoRun:
    """Measure the reference photo and each of ``changes`` of it (default every check)."""
    names = list(checks) if checks is not None else None
    run = PhotoRun(int(rgb.shape[1]))
    run.versions[REFERENCE] = photocheck.measure(rgb, checks=names)
    run.widths[REFERENCE] = int(rgb.shape[1])
    for change in changes:
        photo = CHANGES[change][0](rgb)
        run.versions[change] = photocheck.measure(photo, checks=names)
        size = photocheck.load_image(photo).rgb.shape if isinstance(photo, bytes) else photo.shape
        run.widths[change] = int(size[1])
    return run


def measure_runs(
    paths: Sequence[Path],
    changes: Sequence[str] = tuple(CHANGES),
    *,
    long_side: int = LONG_SIDE,
    workers: int = 0,
) -> dict[str, PhotoRun]:
    """Measure every photo and its changes (``workers`` threads; 0 = up to 4); name -> run."""
    workers = workers or min(4, os.cpu_count() or 1)

    def one(path: Path) -> PhotoRun:
        return measure_photo(reference(path, long_side), changes)

    with ThreadPoolExecutor(workers) as pool:
        runs = list(pool.map(one, paths))
    return {path.name: run for path, run in zip(paths, runs, strict=True)}


def exact(spec: CheckSpec) -> CheckSpec:
    """Return ``spec`` with every limit's noise set to 0 (judged as before borderline results)."""
    limits = tuple(
        dataclasses.replace(lim, noise=0.0) if isinstance(lim, Range) else lim
        for lim in spec.limits
    )
    return dataclasses.replace(spec, limits=limits)


def statuses(
    measurements: Measurements, profile: photocheck.Profile, *, noise: bool = True
) -> dict[str, str]:
    """Judge ``measurements`` with ``profile``: check -> status (``noise=False``: exactly)."""
    out: dict[str, str] = {}
    if noise:
        out.update((r.check, r.status) for r in photocheck.judge(measurements, profile).results)
        return out
    for check, rule in profile.rules.items():
        m = measurements.by_check.get(check) or Measurement(check, {}, "not measured")
        out[check] = judge_measurement(exact(get_check(check)), m, rule).status
    return out


@dataclass
class Stability:
    """Status changes per change over a set of photos."""

    profile: str
    long_side: int
    photos: list[str] = field(default_factory=list)
    # photo -> version ("reference" or a change) -> check -> status
    status: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def changed(self, photo: str, change: str) -> dict[str, tuple[str, str]]:
        """Return the checks whose status differs from the reference's: check -> (was, is)."""
        base, other = self.status[photo][REFERENCE], self.status[photo][change]
        return {
            c: (s, other.get(c, "not_assessed"))
            for c, s in base.items()
            if not left_out(c, CHANGES[change][1]) and other.get(c, "not_assessed") != s
        }

    def photos_with(self, kind: str, change: str) -> int:
        """Count the photos where any check changed status in ``kind``.

        ``kind`` is one of :data:`KINDS`, ``"flipped"`` (``pass<->fail`` or ``not_assessed``)
        or ``"accept<->reject"``.
        """
        n = 0
        for photo in self.photos:
            pairs = self.changed(photo, change).values()
            if kind == "accept<->reject":
                n += any(_accepted(a) != _accepted(b) for a, b in pairs)
            elif kind == FLIPPED:
                n += any(change_kind(a, b) in KINDS[:2] for a, b in pairs)
            else:
                n += any(change_kind(a, b) == kind for a, b in pairs)
        return n

    def rate(self, kind: str, change: str) -> float:
        """Share of photos (0-1) where any check changed status in ``kind`` under ``change``."""
        return self.photos_with(kind, change) / max(1, len(self.photos))

    def check_counts(self, change: str, kinds: Iterable[str] = KINDS) -> dict[str, int]:
        """Count the photos on which each check changed status (in ``kinds``) under ``change``."""
        wanted = set(kinds)
        counts: dict[str, int] = {}
        for photo in self.photos:
            for check, (a, b) in self.changed(photo, change).items():
                if change_kind(a, b) in wanted:
                    counts[check] = counts.get(check, 0) + 1
        return dict(sorted(counts.items()))

    def to_markdown(self) -> str:
        """Return the tables: per change and kind the photos changed, then per check."""
        changes = list(CHANGES)
        n = len(self.photos)
        lines = [
            f"Status changes, profile `{self.profile}`, {n} photos (n_faces 1) reduced to at "
            f"most {self.long_side} px; photos with any check changed:",
            "",
            "| | " + " | ".join(changes) + " |",
            "|---|" + "---:|" * len(changes),
        ]
        for kind in (*KINDS, FLIPPED, "accept<->reject"):
            cells = [f"{self.rate(kind, c):.1%} ({self.photos_with(kind, c)})" for c in changes]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        hard = {c: self.check_counts(c, KINDS[:2]) for c in changes}
        soft = {c: self.check_counts(c, KINDS[2:]) for c in changes}
        lines += [
            "",
            "Per check: photos with a pass<->fail or not_assessed change / with a warn change:",
            "",
            "| check | " + " | ".join(changes) + " |",
            "|---|" + "---:|" * len(changes),
        ]
        named = {k for counts in (*hard.values(), *soft.values()) for k in counts}
        for check in sorted(named):
            cells = [
                "-"
                if left_out(check, CHANGES[c][1])
                else f"{hard[c].get(check, 0)} / {soft[c].get(check, 0)}"
                for c in changes
            ]
            lines.append(f"| {check} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the counts per kind and change, and every photo's changed checks."""
        kinds = (*KINDS, FLIPPED, "accept<->reject")
        return {
            "profile": self.profile,
            "long_side": self.long_side,
            "photos": len(self.photos),
            "photos_changed": {k: {c: self.photos_with(k, c) for c in CHANGES} for k in kinds},
            "changed": {
                p: {c: {k: list(v) for k, v in self.changed(p, c).items()} for c in CHANGES}
                for p in self.photos
            },
        }


def judge_runs(
    runs: Mapping[str, PhotoRun],
    profile: str = "icao",
    *,
    long_side: int = LONG_SIDE,
    noise: bool = True,
) -> Stability:
    """Judge every version of every photo with ``profile`` (``noise=False``: exactly)."""
    prof = photocheck.load_profile(profile)
    stability = Stability(prof.name, long_side)
    for name, run in runs.items():
        stability.photos.append(name)
        stability.status[name] = {
            v: statuses(m, prof, noise=noise) for v, m in run.versions.items()
        }
    return stability


def measure_stability(
    paths: list[Path],
    profile: str = "icao",
    *,
    long_side: int = LONG_SIDE,
    workers: int = 0,
    noise: bool = True,
) -> Stability:
    """Measure every photo under every change and judge each version with ``profile``."""
    runs = measure_runs(paths, long_side=long_side, workers=workers)
    return judge_runs(runs, profile, long_side=long_side, noise=noise)


# --- how much values move ------------------------------------------------------------------


def numeric_values() -> list[tuple[str, str]]:
    """Return every ``(check, value)`` a registered check's ``Range`` bounds, in order."""
    return [
        (spec.id, lim.value)
        for spec in registered().values()
        for lim in spec.limits
        if isinstance(lim, Range)
    ]


def _comparable(value: Any) -> float | None:
    if value is None or isinstance(value, bool | str):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _brought_back(key: str, change: str, value: float, run: PhotoRun) -> float:
    """Map a changed version's value back to the reference's frame (see the module docstring)."""
    if change == "mirror" and key == "geometry.centring:ratio":
        return 1.0 - value
    if change == "mirror" and key == "geometry.centring:px":
        return run.widths[change] - value
    if change == "resize95" and key in PX_VALUES:
        return value * run.width / run.widths[change]
    return value


def value_changes(runs: Mapping[str, PhotoRun]) -> dict[str, dict[str, list[float]]]:
    """Return ``"check:value"`` -> change -> every photo's ``|changed - reference|``.

    For the values of :data:`RELATIVE`, ``|changed - reference| / |reference|`` (photos whose
    reference value is 0 are left out).
    """
    out: dict[str, dict[str, list[float]]] = {}
    for check, name in numeric_values():
        key = f"{check}:{name}"
        per_change = out.setdefault(key, {})
        for run in runs.values():
            base_m = run.versions[REFERENCE].by_check.get(check)
            base = _comparable(base_m.values.get(name)) if base_m else None
            for change, measured in run.versions.items():
                if change == REFERENCE or left_out(check, CHANGES[change][1]):
                    continue
                m = measured.by_check.get(check)
                value = _comparable(m.values.get(name)) if m else None
                if base is None or value is None or (key in RELATIVE and base == 0):
                    continue
                moved = abs(_brought_back(key, change, value, run) - base)
                per_change.setdefault(change, []).append(
                    moved / abs(base) if key in RELATIVE else moved
                )
    return out


def round_up(x: float, digits: int = 2) -> float:
    """Round ``x >= 0`` up to ``digits`` significant digits (0 stays 0)."""
    if x <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(x)) - digits + 1)
    return float(f"{math.ceil(round(x / step, 9)) * step:.{digits + 12}g}")


def declared_noise(key: str) -> float:
    """Return the noise the registry declares for ``"check:value"``."""
    check, name = key.split(":", 1)
    return next(
        lim.noise for lim in get_check(check).limits if isinstance(lim, Range) and lim.value == name
    )


def noise_scale(key: str, profile: str = "icao") -> float:
    """Return what turns the 90th percentile of ``key``'s change into its noise.

    1 for an absolute change; for a value of :data:`RELATIVE`, the size of ``profile``'s
    limit on it (the nearer to 0 of its minimum and maximum).
    """
    if key not in RELATIVE:
        return 1.0
    check, name = key.split(":", 1)
    rule = photocheck.load_profile(profile).rules[check]
    limit = next(lim for lim in get_check(check).limits if getattr(lim, "value", None) == name)
    bounds = [abs(float(rule[p])) for p in limit.params if p in rule]
    if not bounds:
        raise SystemExit(f"{key} is relative but profile {profile!r} does not limit it")
    return min(bounds)


@dataclass(frozen=True)
class Noise:
    """How much one value moved: pooled over the changes, and per change.

    For a value of :data:`RELATIVE` the figures are relative to the reference value and
    ``scale`` is the limit they are applied at; otherwise ``scale`` is 1.
    """

    key: str
    n: int
    median: float
    p90: float
    p90_per_change: Mapping[str, float]
    scale: float = 1.0

    @property
    def declared(self) -> float:
        """The noise the check's ``Range`` declares."""
        return declared_noise(self.key)

    @property
    def at_limit(self) -> float:
        """The 90th percentile in the value's unit (times the limit for a relative value)."""
        return self.p90 * self.scale

    @property
    def suggested(self) -> float:
        """The 90th percentile at the limit rounded up to 2 significant digits."""
        return round_up(self.at_limit)


def noise_stats(changes: Mapping[str, Mapping[str, list[float]]]) -> list[Noise]:
    """Summarise :func:`value_changes` per value (values never measured are left out)."""
    out = []
    for key, per_change in changes.items():
        pooled = np.array([d for moved in per_change.values() for d in moved], dtype=float)
        if pooled.size == 0:
            continue
        p90s = {c: float(np.percentile(v, 90)) for c, v in per_change.items() if v}
        median, p90 = np.percentile(pooled, [50, 90])
        scale = noise_scale(key)
        out.append(Noise(key, int(pooled.size), float(median), float(p90), p90s, scale))
    return out


def noise_markdown(stats: Sequence[Noise], photos: int) -> str:
    """Return the table of value changes and declared noise."""
    changes = list(CHANGES)
    lines = [
        f"Absolute change of each value under the {len(changes)} changes over {photos} photos "
        "(pooled: n, median, 90th percentile), the noise its limit declares, and the 90th "
        "percentile per change. A value marked *relative* has its changes divided by its "
        "reference value and its noise is the 90th percentile times the icao limit:",
        "",
        "| check:value | n | median | p90 | declared | " + " | ".join(changes) + " |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(changes),
    ]
    for s in stats:
        cells = [f"{s.p90_per_change[c]:.3g}" if c in s.p90_per_change else "-" for c in changes]
        name = f"`{s.key}`" + (f" (*relative*, x {s.scale:g})" if s.key in RELATIVE else "")
        lines.append(
            f"| {name} | {s.n} | {s.median:.3g} | {s.p90:.3g} | {s.declared:g} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def write_blocks(path: Path, blocks: Mapping[str, str]) -> None:
    """Replace each ``<!-- stability:NAME -->`` ... ``<!-- /stability:NAME -->`` block of a page."""
    text = path.read_text(encoding="utf-8")
    for name, body in blocks.items():
        begin, end = f"<!-- stability:{name} -->", f"<!-- /stability:{name} -->"
        if begin not in text or end not in text.split(begin, 1)[1]:
            raise SystemExit(f"{path}: no {begin} ... {end} block")
        head, rest = text.split(begin, 1)
        text = f"{head}{begin}\n{body.strip()}\n{end}{rest.split(end, 1)[1]}"
    path.write_text(text, encoding="utf-8")


def one_face_photos(folder: Path) -> list[Path]:
    """Return the manifest's photos labelled with exactly one face."""
    with (folder / "manifest.csv").open(newline="") as handle:
        rows: list[Mapping[str, str]] = list(csv.DictReader(handle))
    return [folder / "img" / r["file"] for r in rows if r["n_faces"] == "1"]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--long-side", type=int, default=LONG_SIDE)
    parser.add_argument("--noise", action="store_true", help="also print how much values move")
    parser.add_argument("--exact", action="store_true", help="also judge with every noise 0")
    parser.add_argument("--json", type=Path, help="also write every photo's changes here")
    parser.add_argument("--doc", type=Path, help="rewrite this page's stability blocks")
    args = parser.parse_args(argv)
    if args.doc:
        args.noise = args.exact = True
    if not (args.photos / "manifest.csv").is_file():
        print(f"no manifest.csv in {args.photos}", file=sys.stderr)
        return 2
    runs = measure_runs(one_face_photos(args.photos), long_side=args.long_side)
    stability = judge_runs(runs, args.profile, long_side=args.long_side)
    blocks = {"changes": stability.to_markdown()}
    print(blocks["changes"])
    out: dict[str, Any] = {"stability": stability.to_dict()}
    if args.exact:
        before = judge_runs(runs, args.profile, long_side=args.long_side, noise=False)
        blocks["exact"] = before.to_markdown()
        print("\nJudged exactly (every noise 0):\n")
        print(blocks["exact"])
        out["exact"] = before.to_dict()
    if args.noise:
        stats = noise_stats(value_changes(runs))
        blocks["noise"] = noise_markdown(stats, len(runs))
        print()
        print(blocks["noise"])
        out["noise"] = [dataclasses.asdict(s) | {"declared": s.declared} for s in stats]
    if args.doc:
        write_blocks(args.doc, blocks)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
