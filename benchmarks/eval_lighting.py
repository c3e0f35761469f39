"""Accuracy of the lighting, colour and image-quality checks (the tables of docs/checks.md).

For every compliant photo of the development set (n_faces 1, plain background, exposure ok,
sharp, frontal), reduced to at most 800 px: the untouched photo and every variant of
``photocheck.evaluation.synthetic_lighting`` at each severity, judged with a profile. Prints, per check,
the false-rejection rate on the untouched photos; per variant and severity, the share the
target check rejects (fail or not_assessed); and the results on the real photos whose
exposure label is dark or bright. ``--json`` writes every record.

Usage::

    uv run python benchmarks/eval_lighting.py [--photos ../shared/data/photos] [--profile icao]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import photocheck
from photocheck.evaluation.synthetic import variant_info
from photocheck.evaluation.synthetic_lighting import (
    CHECKS,
    TARGETS,
    base_rows,
    evaluate_photo,
    reduce_to,
    rejected,
)

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--json", type=Path, default=None, help="write every record here")
    args = parser.parse_args(argv)
    manifest = args.photos / "manifest.csv"
    if not manifest.is_file():
        print(f"no manifest at {manifest}", file=sys.stderr)
        return 2
    with manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    compliant = base_rows(rows)
    plan = {name: variant_info(name).severities for name in TARGETS}
    records = []
    for row in compliant:
        rgb = reduce_to(photocheck.load_image(args.photos / "img" / row["file"]).rgb)
        for record in evaluate_photo(rgb, variants=plan, profile=args.profile):
            record["file"] = row["file"]
            records.append(record)
        print(f"measured {row['file']}", file=sys.stderr, flush=True)

    untouched = [r for r in records if r["variant"] == "none"]
    print(f"## False rejections on {len(untouched)} untouched compliant photos ({args.profile})\n")
    print("| check | rejected | rate | of which fail | of which not assessed | photos |")
    print("|---|---|---|---|---|---|")
    for check in CHECKS:
        bad = [r for r in untouched if rejected(r["status"][check])]
        failed = sum(r["status"][check] == "fail" for r in bad)
        names = ", ".join(
            r["file"] + (" (n/a)" if r["status"][check] == "not_assessed" else "") for r in bad
        )
        print(
            f"| `{check}` | {len(bad)}/{len(untouched)} | {len(bad) / len(untouched):.1%} | "
            f"{failed} | {len(bad) - failed} | {names or '-'} |"
        )
    print("\n## Detection on synthetic variants (target check rejects)\n")
    print("| variant | target check | severity | applied to | rejected | rate |")
    print("|---|---|---|---|---|---|")
    groups: dict[tuple[str, object], list[dict[str, object]]] = defaultdict(list)
    for r in records:
        if r["variant"] != "none":
            groups[(r["variant"], r["severity"])].append(r)
    for (variant, severity), group in groups.items():
        check, clear = TARGETS[variant]
        made = [r for r in group if r["status"]]
        hits = sum(rejected(r["status"][check]) for r in made)  # type: ignore[index]
        rate = f"{hits / len(made):.0%}" if made else "-"
        mark = " (clear)" if severity == clear else ""
        print(
            f"| `{variant}` | `{check}` | {severity}{mark} | {len(made)}/{len(group)} | "
            f"{hits} | {rate} |"
        )
    labelled = [r for r in rows if r["n_faces"] == "1" and r["exposure"] in ("dark", "bright")]
    print("\n## Real photos labelled exposure dark / bright\n")
    print("| photo | exposure | " + " | ".join(f"`{c}`" for c in CHECKS) + " |")
    print("|---|---|" + "---|" * len(CHECKS))
    for row in labelled:
        rgb = reduce_to(photocheck.load_image(args.photos / "img" / row["file"]).rgb)
        verdict = photocheck.validate(rgb, args.profile)
        status = {r.check: r.status for r in verdict.results}
        print(
            f"| {row['file']} | {row['exposure']} | "
            + " | ".join(status.get(c, "-") for c in CHECKS)
            + " |"
        )
    if args.json:
        args.json.write_text(json.dumps(records, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
