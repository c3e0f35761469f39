"""Cross-validated accuracy of the face-analysis checks on a labelled photo set, and their limits.

Measures every photo of a manifest once, then for each labelled rule (face count, pose,
eyes, mouth, background, accessories, occlusion) chooses the limits on K-1 folds and judges
the held fold (``photocheck.evaluation.crossval``). Prints, per rule: positives and negatives,
cross-validated FRR / FAR / balanced accuracy, the in-sample balanced accuracy (limits fitted on
every photo, optimistic), the limits fitted on every photo, and how far the per-fold limits
moved. It also scores the shipped ``icao`` limits on the same photos (no fitting: an
out-of-sample figure for photos the limits were not chosen on).

Usage::

    uv run python tools/derive_limits.py ../shared/data/photos/manifest.csv [--folds 5] [--markdown OUT.md]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import photocheck
from photocheck.evaluation.crossval import CrossValidated, Limit, balanced_accuracy, cross_validate
from photocheck.evaluation.labels import read_manifest

PLAIN = ("plain_white", "plain_blue", "plain_light_other", "plain_dark")


@dataclass(frozen=True)
class Rule:
    """A labelled rule: which manifest label decides pass/fail, and which limits judge it."""

    name: str
    column: str
    should_pass: Mapping[str, bool]
    # (check id, value name, Limit side, profile parameter) per limit
    limits: Sequence[tuple[str, str, str, str]]
    face_level: bool = True


RULES = (
    Rule("pose (frontal label)", "frontal", {"yes": True, "no": False}, (
        ("pose.yaw", "abs_degrees", "max", "max_abs_degrees"),
        ("pose.pitch", "abs_degrees", "max", "max_abs_degrees"),
        ("pose.roll", "abs_degrees", "max", "max_abs_degrees"),
    )),
    Rule("eyes.open", "eyes_open", {"yes": True, "no": False}, (
        ("eyes.open", "openness", "min", "min_openness"),
    )),
    Rule("mouth.closed", "mouth_closed", {"yes": True, "no": False}, (
        ("mouth.closed", "opening", "max", "max_opening"),
        ("mouth.closed", "teeth", "max", "max_teeth"),
    )),
    Rule("background.uniformity", "background", {**dict.fromkeys(PLAIN, True), "busy": False}, (
        ("background.uniformity", "colour_spread", "max", "max_colour_spread"),
        ("background.uniformity", "edge_density", "max", "max_edge_density"),
    )),
    Rule("accessory.glasses (any glasses)", "glasses", {"none": True, "clear": False, "sunglasses": False, "other": False}, (
        ("accessory.glasses", "bridge_edge", "max", "max_bridge_edge"),
    )),
    Rule("accessory.sunglasses", "glasses", {"none": True, "clear": True, "sunglasses": False}, (
        ("accessory.sunglasses", "lens_darkness", "max", "max_lens_darkness"),
    )),
    Rule("accessory.headwear", "headwear", {"none": True, "hat": False, "scarf": False, "other": False}, (
        ("accessory.headwear", "score", "max", "max_score"),
    )),
    Rule("face.occlusion", "occlusion", {"none": True, "mask": False, "hand": False, "hair": False, "other": False}, (
        ("face.occlusion", "lower_face", "max", "max_lower_face"),
        ("face.occlusion", "eye_cover", "max", "max_eye_cover"),
    )),
)  # fmt: skip


def measure_all(rows: Sequence[Mapping[str, str]]) -> list[photocheck.Measurements | None]:
    """Measure every photo once (None when it cannot be read)."""
    out: list[photocheck.Measurements | None] = []
    for row in rows:
        try:
            out.append(photocheck.measure(row["path"]))
        except photocheck.PhotocheckError:
            out.append(None)
    return out


def _value(m: photocheck.Measurements | None, check: str, name: str) -> float:
    if m is None or check not in m.by_check:
        return float("nan")
    value = m.by_check[check].values.get(name)
    return float(value) if isinstance(value, int | float) else float("nan")


def rule_arrays(
    rule: Rule, rows: Sequence[Mapping[str, str]], measured: Sequence[photocheck.Measurements | None]
) -> tuple[dict[str, np.ndarray], np.ndarray, list[Limit]] | None:
    """Values per limit and labels of the photos the rule can be scored on."""
    keep = [
        i for i, row in enumerate(rows)
        if row.get(rule.column, "") in rule.should_pass and (not rule.face_level or row["n_faces"] == "1")
    ]  # fmt: skip
    if not keep:
        return None
    if not all(measured[i] is not None and rule.limits[0][0] in measured[i].by_check for i in keep):  # type: ignore[union-attr]
        return None
    values: dict[str, np.ndarray] = {}
    limits = []
    for check, name, side, _ in rule.limits:
        key = f"{check}:{name}"
        # A photo the check could not measure is rejected by it, whatever the limit.
        arr = np.array([_value(measured[i], check, name) for i in keep])
        values[key] = np.where(np.isnan(arr), np.inf if side == "max" else -np.inf, arr)
        limits.append(Limit(key, "max" if side == "max" else "min"))
    truth = np.array([rule.should_pass[rows[i][rule.column]] for i in keep])
    return values, truth, limits


def shipped_ba(rule: Rule, values: Mapping[str, np.ndarray], truth: np.ndarray, profile: photocheck.Profile) -> float | None:
    """Balanced accuracy of the profile's current limits for this rule (no fitting)."""
    ok = np.ones(truth.size, dtype=bool)
    for check, name, side, param in rule.limits:
        cut = profile.rules.get(check, {}).get(param)
        if cut is None:
            continue
        v = values[f"{check}:{name}"]
        ok &= v <= cut if side == "max" else v >= cut
    return balanced_accuracy(ok, truth)


def face_count_figures(rows: Sequence[Mapping[str, str]], measured: Sequence[photocheck.Measurements | None]) -> tuple[int, int, float]:
    """(photos whose count equals the label, photos labelled, balanced accuracy of 'exactly one')."""
    equal = total = 0
    one, labelled_one = [], []
    for row, m in zip(rows, measured, strict=True):
        label = row["n_faces"]
        if label not in ("0", "1", "2", "2+"):
            continue
        count = int(_value(m, "face.count", "count")) if m is not None else -1
        total += 1
        equal += str(count) == label or (label == "2+" and count >= 2)
        one.append(count == 1)
        labelled_one.append(label == "1")
    return equal, total, balanced_accuracy(one, labelled_one)


def _fmt_cut(value: float) -> str:
    return "open" if not np.isfinite(value) else f"{value:.4g}"


def report(manifest: Path, folds: int) -> str:
    """Measure, cross-validate and return the Markdown report."""
    rows = read_manifest(manifest)
    measured = measure_all(rows)
    icao = photocheck.load_profile("icao")
    equal, total, one_ba = face_count_figures(rows, measured)
    lines = [
        f"Photos: {len(rows)} from `{manifest}`; {folds}-fold stratified cross-validation "
        "(seed 0): limits chosen on the other folds maximise balanced accuracy there.",
        "",
        f"face.count: the count equals the label on {equal}/{total} photos; "
        f"'exactly one face' balanced accuracy {one_ba:.3f} (no limit is fitted).",
        "",
        "| rule | pos | neg | CV FRR | CV FAR | CV BA | in-sample BA | shipped icao BA | limits fitted on all photos | per-fold range |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    results: dict[str, CrossValidated] = {}
    for rule in RULES:
        arrays = rule_arrays(rule, rows, measured)
        if arrays is None:
            lines.append(f"| {rule.name} | - | - | | | | | | not measured | |")
            continue
        values, truth, limits = arrays
        cv = cross_validate(values, truth, limits, k=folds)
        results[rule.name] = cv
        shipped = shipped_ba(rule, values, truth, icao)
        fitted = ", ".join(f"{key.split(':')[1]} {_fmt_cut(cut)}" for key, cut in cv.cuts.items())
        spread = "; ".join(
            f"{key.split(':')[1]} {_fmt_cut(min(c.get(key, np.inf) for c in cv.fold_cuts))}-"
            f"{_fmt_cut(max(c.get(key, np.inf) for c in cv.fold_cuts))}"
            for key in cv.cuts
        )
        few = " (few negatives)" if cv.negatives < 10 else ""
        lines.append(
            f"| {rule.name} | {cv.positives} | {cv.negatives}{few} | {cv.frr:.3f} | {cv.far:.3f} | "
            f"**{cv.balanced_accuracy:.3f}** | {cv.in_sample_balanced_accuracy:.3f} | "
            f"{'-' if shipped is None else f'{shipped:.3f}'} | {fitted} | {spread} |"
        )
    compliant = _compliant_pose_acceptance(rows, measured, icao)
    lines += ["", compliant]
    return "\n".join(lines) + "\n"


def _compliant_pose_acceptance(
    rows: Sequence[Mapping[str, str]], measured: Sequence[photocheck.Measurements | None], profile: photocheck.Profile
) -> str:
    """Share of fully compliant photos that every shipped pose.* limit accepts."""
    accepted = total = 0
    for row, m in zip(rows, measured, strict=True):
        if not is_compliant(row) or m is None:
            continue
        total += 1
        accepted += all(
            _value(m, check, "abs_degrees") <= profile.rules[check]["max_abs_degrees"]
            for check in ("pose.yaw", "pose.pitch", "pose.roll")
        )
    return f"Fully compliant photos accepted by the shipped `icao` pose.* limits: {accepted}/{total}."


def is_compliant(row: Mapping[str, str]) -> bool:
    """One face, plain background, frontal, eyes open, mouth closed, no accessory or cover."""
    checks: dict[str, Callable[[str], bool]] = {
        "n_faces": lambda v: v == "1",
        "background": lambda v: v in PLAIN,
        "frontal": lambda v: v == "yes",
        "eyes_open": lambda v: v == "yes",
        "mouth_closed": lambda v: v == "yes",
        "glasses": lambda v: v == "none",
        "headwear": lambda v: v == "none",
        "occlusion": lambda v: v in ("", "none"),
        "sharp": lambda v: v == "yes",
        "exposure": lambda v: v == "ok",
    }
    return all(test(row.get(column, "")) for column, test in checks.items()) and "illustration" not in row.get("notes", "")


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    text = report(args.manifest, args.folds)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
