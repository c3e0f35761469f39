"""Cross-validated accuracy of the ``face.occlusion`` check, and the limits to ship.

Real photos: the development set's rows with an ``occlusion`` label (the rows after the first
116; ``unsure`` left out): ``none`` against anything else. Drawn photos: hair strands over one
eye and skin-coloured fingers over the mouth, drawn on every ``none`` photo (the set has one
real hair photo and no hand), to choose the hand and hair limits and to show that they react.

Protocol: 5 folds stratified by label (a drawn photo goes with the photo it was drawn on). For
each fold the three limits are chosen on the other four folds: the mask limit as the cut that
maximises balanced accuracy of real masks against real ``none`` photos
(``photocheck.evaluation.crossval.fit_limits``; ties go to the most lenient cut); the hand
and hair limits, which have no (or one) real example to weigh misses against, as the cut that
finds most drawn hands / drawn hair (plus any real one) while rejecting at most 2.5% of the
real ``none`` photos there (``--rule ba`` chooses them like the mask limit instead). The held
fold is then judged with them, in the check's order (mask, hand, hair). A photo the check
cannot measure (``not_assessed``) counts as rejected, as in ``photocheck evaluate``; a second
table leaves those out. Grouping the folds by ``source_repo`` is not possible: all nine masks
come from one repository. With 10 occluded photos the figure moves with the fold split:
``--seed`` changes it.

    uv run python tools/eval_occlusion.py [--photos DIR] [--folds 5] [--seed 0] [--rule cap|ba]
"""

from __future__ import annotations

import argparse
import csv
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from photocheck.analysis import Analysis
from photocheck.checks import occlusion as _occlusion  # noqa: F401 - registers face.occlusion
from photocheck.evaluation.crossval import Limit, balanced_accuracy, fit_limits
from photocheck.imaging.load import load_image
from photocheck.rules.registry import get_check

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
CHECK = "face.occlusion"
FIRST_LABELLED_ROW = 116  # the occlusion column is empty (not assessed) on the rows before
# cause -> (measured value, side, profile parameter), in the order the check judges them.
LIMITS: dict[str, tuple[str, str, str]] = {
    "mask": ("lower_face_difference", "max", "max_lower_face_difference"),
    "hand": ("mouth_contrast", "min", "min_mouth_contrast"),
    "hair": ("eye_difference", "max", "max_eye_difference"),
}
# The hand and hair limits may reject at most this share of the training folds' none photos.
FALSE_REJECT_CAP = 0.025
RULE = "cap"
HAIR_COLOURS = ((30, 25, 22), (70, 48, 32), (120, 85, 55), (190, 150, 100), (140, 70, 40))

RGB = NDArray[np.uint8]


@dataclass
class Item:
    """One photo measured: a real labelled photo or an occlusion drawn on one."""

    name: str
    label: str  # none, mask, hand, hair, other
    drawn: bool
    base: str  # the real photo's file
    source_repo: str
    values: dict[str, float] | None  # None: not assessed
    reason: str = ""


def measure(rgb: RGB) -> tuple[dict[str, float] | None, str]:
    """Measure face.occlusion on a photo; (None, reason) when it cannot."""
    measurement = get_check(CHECK).measure(Analysis(load_image(rgb)))
    if not measurement.assessed:
        return None, measurement.reason or ""
    return {k: float(v) for k, v in measurement.values.items() if isinstance(v, int | float)}, ""


def _frame(mesh: NDArray[np.float64]) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Inter-eye distance, unit vector along the eye line, unit vector down the face."""
    right, left = mesh[468, :2], mesh[473, :2]
    ied = float(np.hypot(*(left - right)))
    u = (left - right) / max(ied, 1e-6)
    v = np.array([-u[1], u[0]])
    return ied, u, v


def draw_hair(rgb: RGB, mesh: NDArray[np.float64], rng: np.random.Generator) -> RGB:
    """Draw strands of hair falling over one eye (chosen at random), from above the brow.

    50-120 strands, 1-3% of the inter-eye distance thick, from 0.9 inter-eye distances
    above the iris to 0.7 below, spread 0.55 either side of it, in one of five hair colours
    with a brightness that varies by strand.
    """
    import cv2

    ied, u, v = _frame(mesh)
    centre = mesh[468 if rng.random() < 0.5 else 473, :2]
    base = np.array(HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))], np.float64)
    layer = np.zeros(rgb.shape, np.float32)
    alpha = np.zeros(rgb.shape[:2], np.float32)
    t = np.linspace(0.0, 1.0, 30)[:, np.newaxis]
    for _ in range(int(rng.integers(50, 121))):
        a, sweep, bend = rng.uniform(-0.55, 0.55), rng.uniform(-0.25, 0.25), rng.uniform(-0.2, 0.2)
        start = centre + a * ied * u - 0.9 * ied * v
        end = centre + (a + sweep) * ied * u + 0.7 * ied * v
        control = (start + end) / 2 + bend * ied * u
        curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end
        pts = [np.round(curve).astype(np.int32)]
        thickness = max(1, round(rng.uniform(0.01, 0.03) * ied))
        colour = np.clip(base * rng.uniform(0.75, 1.25), 0, 255).tolist()
        cv2.polylines(layer, pts, False, colour, thickness, cv2.LINE_AA)
        cv2.polylines(alpha, pts, False, 1.0, thickness, cv2.LINE_AA)
    alpha = np.clip(alpha, 0.0, 1.0)[..., np.newaxis] * rng.uniform(0.85, 1.0)
    out = rgb.astype(np.float32) * (1 - alpha) + layer * alpha
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def draw_hand(rgb: RGB, mesh: NDArray[np.float64], rng: np.random.Generator) -> RGB:
    """Draw four skin-coloured fingers across the mouth, coming from one side of the face.

    The fingers are 0.3 inter-eye distances wide, stacked over the mouth, each shaded like a
    cylinder (darker at its edges, so the gaps between fingers show as creases) in the
    cheeks' own colour times 0.9-1.1, with a little noise; the fingertips end 0.6-0.9
    inter-eye distances past the mouth's centre.
    """
    ied, u, v = _frame(mesh)
    mouth = (mesh[13, :2] + mesh[14, :2]) / 2
    h, w = rgb.shape[:2]
    cheeks = []
    for index in (50, 280):  # the cheeks, under the outer eye corners
        x, y = np.round(mesh[index, :2]).astype(int)
        r = max(2, round(0.08 * ied))
        patch = rgb[max(y - r, 0) : min(y + r, h), max(x - r, 0) : min(x + r, w)].reshape(-1, 3)
        if patch.size:
            cheeks.append(patch)
    skin = np.median(np.concatenate(cheeks), axis=0) if cheeks else np.array([200.0, 160, 140])
    side = 1.0 if rng.random() < 0.5 else -1.0
    width = 0.3 * ied
    out = rgb.astype(np.float32)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for k, offset in enumerate((-1.5, -0.5, 0.5, 1.5)):
        tip = mouth + side * rng.uniform(0.6, 0.9) * ied * u + offset * width * v
        root = tip - side * 2.2 * ied * u
        seg = tip - root
        length2 = float(seg @ seg)
        along = np.clip(((xs - root[0]) * seg[0] + (ys - root[1]) * seg[1]) / length2, 0, 1)
        dx, dy = xs - (root[0] + along * seg[0]), ys - (root[1] + along * seg[1])
        d = np.sqrt(dx * dx + dy * dy) / (width / 2)
        inside = d < 1.0
        if not inside.any():
            continue
        shade = (1.0 - 0.35 * d[inside] ** 2) * rng.uniform(0.9, 1.1) * (1.0 + 0.02 * k)
        noise = rng.normal(0.0, 3.0, (int(inside.sum()), 1))
        out[inside] = skin[np.newaxis, :] * shade[:, np.newaxis] + noise
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def labelled_rows(photos: Path) -> list[dict[str, str]]:
    """Return the manifest rows with an occlusion label (``unsure`` and empty left out)."""
    with (photos / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))[FIRST_LABELLED_ROW:]
    return [r for r in rows if r["occlusion"] and r["occlusion"] != "unsure"]


def collect(photos: Path, rows: Iterable[Mapping[str, str]] | None = None) -> list[Item]:
    """Measure the labelled photos and the occlusions drawn on their ``none`` photos."""
    items = []
    for row in labelled_rows(photos) if rows is None else rows:
        name = row["file"]
        image = load_image(photos / "img" / name).rgb
        values, reason = measure(image)
        repo = row["source_repo"]
        items.append(Item(name, row["occlusion"], False, name, repo, values, reason))
        if row["occlusion"] != "none":
            continue
        face = Analysis(load_image(image)).face
        if face is None:
            continue
        for kind, draw in (("hair", draw_hair), ("hand", draw_hand)):
            rng = np.random.default_rng(zlib.crc32(f"{name}:{kind}".encode()))
            values, reason = measure(draw(image, face.mesh, rng))
            items.append(Item(f"{name}+{kind}", kind, True, name, repo, values, reason))
    return items


def assign_folds(items: Sequence[Item], k: int, seed: int) -> NDArray[np.intp]:
    """Fold of each item: real photos stratified by label; drawn ones follow their photo."""
    rng = np.random.default_rng(seed)
    real = [i for i, item in enumerate(items) if not item.drawn]
    fold_of: dict[str, int] = {}
    offset = 0
    for label in sorted({items[i].label for i in real}):
        members = [i for i in real if items[i].label == label]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold_of[items[i].base] = (j + offset) % k
        offset += len(members)
    return np.array([fold_of[item.base] for item in items], dtype=np.intp)


def fit(items: Sequence[Item], rule: str = RULE) -> dict[str, float]:
    """Choose each cause's limit on these items (see the module docstring).

    ``rule`` says how the hand and hair limits are chosen: ``"cap"`` (the cut that detects
    most of their positives while rejecting at most :data:`FALSE_REJECT_CAP` of the ``none``
    photos) or ``"ba"`` (the cut that maximises balanced accuracy, as for the mask).
    """
    negatives = [it.values for it in items if it.label == "none" and not it.drawn and it.values]
    cuts: dict[str, float] = {}
    for cause, (value, side, param) in LIMITS.items():
        positives = [it.values for it in items if it.label == cause and it.values]
        if not positives or not negatives:
            continue
        neg = np.array([v[value] for v in negatives])
        pos = np.array([v[value] for v in positives])
        if cause == "mask" or rule == "ba":
            scores = np.concatenate([neg, pos])
            truth = np.concatenate([np.ones(neg.size, bool), np.zeros(pos.size, bool)])
            limit = Limit(value, "max" if side == "max" else "min")
            cut = fit_limits({value: scores}, truth, [limit]).get(value)
        else:
            cut = _capped_cut(neg, pos, side)
        if cut is not None and math.isfinite(cut):
            cuts[param] = cut
    return cuts


def _capped_cut(neg: NDArray[np.float64], pos: NDArray[np.float64], side: str) -> float:
    """Return the cut detecting most positives of those rejecting <= the cap of negatives.

    Candidates are midway between neighbouring distinct values; ties go to the most lenient.
    """
    values = np.unique(np.concatenate([neg, pos]))
    mids = (values[:-1] + values[1:]) / 2
    allowed = math.floor(FALSE_REJECT_CAP * neg.size)
    best, best_hits = math.inf if side == "max" else -math.inf, -1
    for cut in mids[::-1] if side == "max" else mids:
        rejected = neg > cut if side == "max" else neg < cut
        if np.count_nonzero(rejected) > allowed:
            break
        hits = np.count_nonzero(pos > cut if side == "max" else pos < cut)
        if hits > best_hits:
            best, best_hits = float(cut), hits
    return best


def decide(item: Item, cuts: Mapping[str, float]) -> str:
    """Return the check's outcome code suffix: ``pass``, a cause, or ``not_assessed``."""
    if item.values is None:
        return "not_assessed"
    for cause, (value, side, param) in LIMITS.items():
        if param not in cuts:
            continue
        x = item.values[value]
        if (side == "max" and x > cuts[param]) or (side == "min" and x < cuts[param]):
            return cause
    return "pass"


def cross_validate(
    items: Sequence[Item], k: int = 5, seed: int = 0, rule: str = RULE
) -> tuple[list[str], list[dict[str, float]]]:
    """Held-out decision for every item, and the limits chosen for each fold."""
    folds = assign_folds(items, k, seed)
    decisions = [""] * len(items)
    fold_cuts = []
    for fold in range(k):
        train = [it for it, f in zip(items, folds, strict=True) if f != fold]
        cuts = fit(train, rule)
        fold_cuts.append(cuts)
        for i in np.flatnonzero(folds == fold):
            decisions[i] = decide(items[i], cuts)
    return decisions, fold_cuts


@dataclass(frozen=True)
class Row:
    """One line of the accuracy table."""

    what: str
    positives: int
    negatives: int
    detected: int  # positives rejected (any code or not assessed)
    right_code: int  # positives rejected with their own cause's code
    false_alarms: int  # negatives rejected
    ba: float


def table(
    items: Sequence[Item], decisions: Sequence[str], drawn: bool, assessed_only: bool = False
) -> list[Row]:
    """Accuracy per cause and overall: ``none`` photos against each cause's photos.

    With ``assessed_only``, the photos the check could not measure are left out instead of
    counting as rejected.
    """
    if assessed_only:
        kept = [(it, d) for it, d in zip(items, decisions, strict=True) if d != "not_assessed"]
        items, decisions = [it for it, _ in kept], [d for _, d in kept]
    negatives = [
        d for it, d in zip(items, decisions, strict=True) if it.label == "none" and not it.drawn
    ]
    rejected_neg = [d != "pass" for d in negatives]
    rows = []
    causes = [c for c in LIMITS if any(it.label == c and it.drawn == drawn for it in items)]
    groups = [(c, [c]) for c in causes]
    if not drawn:
        groups.append(("any occlusion", sorted({it.label for it in items if it.label != "none"})))
    for what, labels in groups:
        pos = [
            (it, d)
            for it, d in zip(items, decisions, strict=True)
            if it.label in labels and it.drawn == drawn
        ]
        if not pos:
            continue
        rejected = [d != "pass" for _, d in pos]
        accepted = [not r for r in rejected + rejected_neg]
        truth = [False] * len(pos) + [True] * len(negatives)
        right = sum(d == it.label for it, d in pos)
        rows.append(
            Row(
                what,
                len(pos),
                len(negatives),
                sum(rejected),
                right,
                sum(rejected_neg),
                balanced_accuracy(accepted, truth),
            )
        )
    return rows


def format_rows(title: str, rows: Sequence[Row]) -> str:
    """Return the rows as a plain-text table."""
    lines = [
        title,
        f"{'cause':<15}{'pos':>5}{'neg':>5}{'detected':>10}{'own code':>10}{'false alarms':>14}{'BA':>8}",
    ]
    for r in rows:
        lines.append(
            f"{r.what:<15}{r.positives:>5}{r.negatives:>5}{r.detected:>10}{r.right_code:>10}{r.false_alarms:>14}{r.ba:>8.3f}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Result:
    """Everything :func:`main` prints."""

    items: list[Item]
    decisions: list[str]  # held-out decision per item
    cv_real: list[Row]
    cv_real_assessed: list[Row]
    cv_drawn: list[Row]
    in_sample_real: list[Row]
    in_sample_drawn: list[Row]
    cuts: dict[str, float]  # fitted on every photo: what the profiles ship
    fold_cuts: list[dict[str, float]]


def evaluate(
    photos: Path, k: int = 5, seed: int = 0, items: Sequence[Item] | None = None, rule: str = RULE
) -> Result:
    """Measure (unless ``items`` are given), cross-validate, and fit on every photo."""
    items = collect(photos) if items is None else list(items)
    decisions, fold_cuts = cross_validate(items, k, seed, rule)
    cuts = fit(items, rule)
    in_sample = [decide(it, cuts) for it in items]
    return Result(
        items=items,
        decisions=decisions,
        cv_real=table(items, decisions, drawn=False),
        cv_real_assessed=table(items, decisions, drawn=False, assessed_only=True),
        cv_drawn=table(items, decisions, drawn=True),
        in_sample_real=table(items, in_sample, drawn=False),
        in_sample_drawn=table(items, in_sample, drawn=True),
        cuts=cuts,
        fold_cuts=fold_cuts,
    )


def main() -> int:
    """Command line entry point: print the accuracy tables and the limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rule", choices=("cap", "ba"), default=RULE, help="hand and hair limits")
    parser.add_argument("--verbose", action="store_true", help="list every photo's values")
    args = parser.parse_args()
    if not (args.photos / "manifest.csv").is_file():
        print(f"no development photos at {args.photos}")
        return 2
    result = evaluate(args.photos, args.folds, args.seed, rule=args.rule)
    real = [it for it in result.items if not it.drawn]
    unassessed = ", ".join(
        f"{it.name} ({it.label}: {it.reason})" for it in real if it.values is None
    )
    drawn = len(result.items) - len(real)
    print(f"{len(real)} labelled photos, {drawn} drawn; {args.folds} folds, seed {args.seed}")
    print(f"not assessed (counted as rejected): {unassessed or 'none'}")
    for title, rows in (
        ("Cross-validated, real photos", result.cv_real),
        ("Cross-validated, real photos measured (not assessed left out)", result.cv_real_assessed),
        ("Cross-validated, drawn occlusions (easier than real ones)", result.cv_drawn),
        (
            "In-sample (fitted and scored on the same photos: optimistic), real",
            result.in_sample_real,
        ),
        ("In-sample, drawn", result.in_sample_drawn),
    ):
        print()
        print(format_rows(title, rows))
    print()
    print("Limits per held-out fold:")
    for i, cuts in enumerate(result.fold_cuts):
        print(f"  fold {i}: " + ", ".join(f"{p} = {c:.3f}" for p, c in cuts.items()))
    print("Limits fitted on all photos (for the profiles):")
    for p, c in result.cuts.items():
        print(f"  {p} = {c:.3f}")
    if args.verbose:
        print()
        for it, d in zip(result.items, result.decisions, strict=True):
            values = it.values
            shown = (
                " ".join(f"{v}={values[v]:.3f}" for v, _, _ in LIMITS.values())
                if values
                else it.reason
            )
            print(f"{it.name:<24}{it.label:<6}{d:<14}{shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
