"""Evaluate ``identity.same_person`` over pairs built from the development photos.

Same person:
- each one-face development photo against five variants of itself: JPEG quality 30, a 0.5x
  resize, a crop (the face kept, 15% of the width and height cut around it), a lighting
  change (gain falling from 1.15 to 0.45 across the face, then gamma 1.3) and a 10 degree roll;
- real pairs: photos that the manifest's sources name as the same person (:data:`REAL_PAIRS`).

Different people: every pair of one-face photos from different sources (no person is known to
appear in two sources).

The false match rate (different people within the limit) and the false non-match rate (the
same person beyond it) are reported at the ``icao`` profile's ``max_distance`` and at
neighbouring limits, with counts; nothing is fitted, so there is no cross-validation to do. A
variant in which MediaPipe does not find exactly one face is counted apart (the check would
report ``not_assessed``), not as a non-match.

    uv run python tools/eval_identity.py [--photos ../shared/data/photos] [--docs docs]

writes ``docs/identity.md`` and ``docs/identity-distances.png``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from photocheck import load_profile
from photocheck.imaging.load import load_image
from photocheck.vision.face import find_faces
from photocheck.vision.identity import FaceEncoding, face_distance, face_encoding

ROOT = Path(__file__).resolve().parents[1]
RGB = NDArray[np.uint8]

# Files of one person, by the source's own naming: face_recognition's knn_examples folders
# and example names, deepface's tests/unit/dataset/master.csv identity pairs (img1, 2, 4, 7
# and 11 are one person; img3 and img12 another), ai-passport-photo-ml's faiz / faiz_with_glasses.
PEOPLE = {
    "Joe Biden (face_recognition examples)": ["facerec_002.jpg", "facerec_004.jpg"],
    "Barack Obama (face_recognition examples)": ["facerec_007.jpg", "facerec_008.jpg", "facerec_019.jpg"],
    "Kit Harington (face_recognition knn_examples)": ["facerec_010.jpg", "facerec_011.jpg"],
    "Rose Leslie (face_recognition knn_examples)": ["facerec_012.jpg", "facerec_013.jpg"],
    "deepface img2/img4/img7/img11 (master.csv: same person)": ["deepface_003.jpg", "deepface_005.jpg", "deepface_006.jpg", "deepface_008.jpg"],
    "deepface img3/img12 (master.csv: same person)": ["deepface_004.jpg", "deepface_009.jpg"],
    "faiz / faiz_with_glasses (ai-passport-photo-ml)": ["passportml_026.png", "passportml_027.png"],
}  # fmt: skip
REAL_PAIRS = [
    (person, a, b) for person, files in PEOPLE.items() for a, b in itertools.combinations(files, 2)
]


def jpeg30(rgb: RGB, box: tuple[float, ...]) -> RGB:
    """Re-encode as JPEG quality 30."""
    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 30])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1].copy()


def half(rgb: RGB, box: tuple[float, ...]) -> RGB:
    """Resize to half the width and height."""
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


def crop(rgb: RGB, box: tuple[float, ...]) -> RGB:
    """Cut 15% of the width and height, from the sides away from the face where possible."""
    h, w = rgb.shape[:2]
    cut_x, cut_y = round(0.15 * w), round(0.15 * h)
    x0 = int(np.clip(round((box[0] + box[2]) / 2 - (w - cut_x) / 2), 0, cut_x))
    y0 = int(np.clip(round((box[1] + box[3]) / 2 - (h - cut_y) / 2), 0, cut_y))
    return rgb[y0 : y0 + h - cut_y, x0 : x0 + w - cut_x].copy()


def lighting(rgb: RGB, box: tuple[float, ...]) -> RGB:
    """Light from one side: gain 1.15 at the face's left edge to 0.45 at its right, gamma 1.3."""
    w = rgb.shape[1]
    x = np.arange(w, dtype=np.float32)
    t = np.clip((x - box[0]) / max(box[2] - box[0], 1.0), 0.0, 1.0)
    gain = (1.15 - 0.7 * t)[None, :, None]
    out = 255.0 * (rgb.astype(np.float32) / 255.0) ** 1.3 * gain
    return np.clip(out, 0, 255).astype(np.uint8)


def roll10(rgb: RGB, box: tuple[float, ...]) -> RGB:
    """Rotate 10 degrees about the face centre."""
    h, w = rgb.shape[:2]
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    matrix = cv2.getRotationMatrix2D(centre, 10.0, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


VARIANTS: dict[str, Callable[[RGB, tuple[float, ...]], RGB]] = {
    "jpeg q30": jpeg30,
    "resize 0.5x": half,
    "crop 15%": crop,
    "lighting": lighting,
    "roll 10 deg": roll10,
}


def encode(rgb: RGB) -> tuple[FaceEncoding | None, tuple[float, ...] | None]:
    """Encode the single face, or (None, None) when MediaPipe finds none or several."""
    faces = find_faces(rgb)
    if len(faces) != 1:
        return None, None
    return face_encoding(rgb, faces[0].box), faces[0].box


def rates(distances: list[float], limit: float, same: bool) -> tuple[int, int]:
    """(errors, total): same-person pairs beyond the limit, or different ones within it."""
    d = np.asarray(distances)
    errors = int((d > limit).sum()) if same else int((d <= limit).sum())
    return errors, int(d.size)


def _pct(errors: int, total: int) -> str:
    return f"{100 * errors / total:.1f}% ({errors}/{total})" if total else "-"


def main(argv: list[str] | None = None) -> int:
    """Build the pairs, write the page and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=Path, default=ROOT.parent / "shared" / "data" / "photos")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    manifest = args.photos / "manifest.csv"
    if not manifest.exists():
        sys.stderr.write(f"no development photos at {args.photos}\n")
        return 2
    rows = [r for r in csv.DictReader(manifest.open()) if r["n_faces"] == "1"]
    limit = float(load_profile("icao").rules["identity.same_person"]["max_distance"])
    strict = float(load_profile("cn-social-security").rules["identity.same_person"]["max_distance"])

    started = time.perf_counter()
    originals: dict[str, tuple[str, FaceEncoding]] = {}
    variant_d: dict[str, list[float]] = {name: [] for name in VARIANTS}
    variant_lost: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    skipped = 0
    for i, row in enumerate(rows):
        rgb = load_image(args.photos / "img" / row["file"]).rgb
        encoding, box = encode(rgb)
        if encoding is None or box is None:
            skipped += 1
            continue
        originals[row["file"]] = (row["source_repo"], encoding)
        for name, make in VARIANTS.items():
            other, _ = encode(make(rgb, box))
            if other is None:
                variant_lost[name] += 1
            else:
                variant_d[name].append(face_distance(encoding, other))
        if (i + 1) % 20 == 0:
            sys.stderr.write(f"{i + 1}/{len(rows)} photos, {time.perf_counter() - started:.0f} s\n")

    real: list[tuple[str, str, str, float | None]] = []
    for person, a, b in REAL_PAIRS:
        d = None
        if a in originals and b in originals:
            d = face_distance(originals[a][1], originals[b][1])
        real.append((person, a, b, d))
    real_d = [d for *_, d in real if d is not None]

    files = sorted(originals)
    different = [
        face_distance(originals[a][1], originals[b][1])
        for a, b in itertools.combinations(files, 2)
        if originals[a][0] != originals[b][0]
    ]
    all_variants = [d for ds in variant_d.values() for d in ds]

    args.docs.mkdir(parents=True, exist_ok=True)
    plot = args.docs / "identity-distances.png"
    _plot(plot, variant_d, real_d, different, limit)
    page = _page(
        limit,
        strict,
        len(rows),
        skipped,
        variant_d,
        variant_lost,
        all_variants,
        real,
        real_d,
        different,
        plot.name,
    )
    (args.docs / "identity.md").write_text(page)
    sys.stdout.write(page)
    sys.stderr.write(f"done in {time.perf_counter() - started:.0f} s\n")
    return 0


def _plot(
    path: Path,
    variant_d: dict[str, list[float]],
    real_d: list[float],
    different: list[float],
    limit: float,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    bins = np.linspace(0.0, 1.2, 61)
    variants = [d for ds in variant_d.values() for d in ds]
    kinds = (
        (variants, f"same photo, 5 variants (n={len(variants)})", "#0072B2"),
        (real_d, f"same person, real pairs (n={len(real_d)})", "#009E73"),
        (different, f"different people (n={len(different)})", "#D55E00"),
    )
    for values, label, colour in kinds:
        if values:
            ax.hist(values, bins=bins, density=True, histtype="stepfilled", alpha=0.35,
                    color=colour, label=label)  # fmt: skip
            ax.hist(values, bins=bins, density=True, histtype="step", color=colour)
    ax.axvline(limit, color="black", linestyle="--", label=f"icao max_distance {limit}")
    ax.set_xlabel("face encoding distance")
    ax.set_ylabel("density")
    ax.set_title("identity.same_person over the development photos")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def _page(
    limit: float,
    strict: float,
    photos: int,
    skipped: int,
    variant_d: dict[str, list[float]],
    variant_lost: dict[str, int],
    all_variants: list[float],
    real: list[tuple[str, str, str, float | None]],
    real_d: list[float],
    different: list[float],
    plot: str,
) -> str:
    limits = sorted({0.45, 0.5, 0.55, 0.6, 0.65, limit, strict})
    lines = [
        "# Same person: `identity.same_person`",
        "",
        "Generated by `uv run python tools/eval_identity.py` (do not edit by hand).",
        "",
        "`validate(photo, profile, reference=old_photo)` compares the photo's face with the",
        "reference's: the Euclidean distance between their 128-d encodings (dlib's ResNet, as",
        "face_recognition computes them, on the face MediaPipe found). The `icao` profile",
        f"allows at most {limit} (face_recognition's own tolerance), `cn-social-security` {strict}",
        "(the profile says why).",
        "",
        f"Pairs from the development photos: {photos} labelled one-face photos, {photos - skipped}",
        f"in which MediaPipe finds exactly one face ({skipped} left out). Nothing here is fitted",
        f"to these photos: {limit} is the library's limit, so its figures are not optimistic in the",
        f"way a limit chosen on the same photos would be ({strict} was chosen with these figures",
        "in view: read its row as optimistic). The sets are small: the different-people",
        "pairs are many but come from few sources, and real same-person pairs are few.",
        "",
        f"## At the profile's limit ({limit})",
        "",
        "| pairs | kind | rate | distance median (90th percentile) | no single face in the variant |",
        "|---|---|---|---|---|",
    ]
    for name, ds in variant_d.items():
        e, n = rates(ds, limit, True)
        lines.append(
            f"| same photo, {name} | false non-match | {_pct(e, n)} | "
            f"{np.median(ds):.3f} ({np.percentile(ds, 90):.3f}) | {variant_lost[name]} |"
        )
    e, n = rates(all_variants, limit, True)
    lines.append(f"| same photo, all five variants | false non-match | {_pct(e, n)} | "
                 f"{np.median(all_variants):.3f} ({np.percentile(all_variants, 90):.3f}) | "
                 f"{sum(variant_lost.values())} |")  # fmt: skip
    if real_d:
        e, n = rates(real_d, limit, True)
        lines.append(f"| same person, real pairs | false non-match | {_pct(e, n)} | "
                     f"{np.median(real_d):.3f} ({np.percentile(real_d, 90):.3f}) | - |")  # fmt: skip
    e, n = rates(different, limit, False)
    lines.append(f"| different people (different sources) | false match | {_pct(e, n)} | "
                 f"{np.median(different):.3f} (10th percentile {np.percentile(different, 10):.3f}) | - |")  # fmt: skip
    lines += [
        "",
        "## Neighbouring limits (including `cn-social-security`'s)",
        "",
        "| max_distance | false match (different people) | false non-match (variants) | false non-match (real pairs) |",
        "|---|---|---|---|",
    ]
    for lim in limits:
        fm = _pct(*rates(different, lim, False))
        fv = _pct(*rates(all_variants, lim, True))
        fr = _pct(*rates(real_d, lim, True)) if real_d else "-"
        lines.append(f"| {lim} | {fm} | {fv} | {fr} |")
    lines += [
        "",
        f"![distance distributions]({plot})",
        "",
        "## Real same-person pairs",
        "",
        "Files the sources name as one person (face_recognition's example and knn_examples",
        "names, deepface's `tests/unit/dataset/master.csv`, ai-passport-photo-ml's",
        "`faiz.png` / `faiz_with_glasses.png`):",
        "",
        "| person | photo | photo | distance |",
        "|---|---|---|---|",
    ]
    for person, a, b, d in real:
        shown = "no single face found" if d is None else f"{d:.3f}"
        lines.append(f"| {person} | {a} | {b} | {shown} |")
    lines += [
        "",
        "## Method",
        "",
        "- Variants: JPEG quality 30; 0.5x resize (area interpolation); a crop cutting 15% of",
        "  the width and height, around the face; a lighting change (gain 1.15 to 0.45 across",
        "  the face from one side, then gamma 1.3); a 10 degree roll about the face centre.",
        "- Different people: every pair of photos from two different sources. A famous face",
        "  could appear in two sources; none is known to.",
        "- The face box is BlazeFace's, moved to where dlib's frontal detector puts its box",
        "  (`photocheck.vision.identity.HOG_BOX`, median offsets measured on every fourth",
        "  one-face photo); on the others, encodings differ from face_recognition's own",
        "  pipeline (dlib HOG detector, same encoder) by a median distance of about 0.04.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
