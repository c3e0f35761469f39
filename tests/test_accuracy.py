"""Cross-validated accuracy of every labelled check group on the development photos.

Limits in the shape of the ``icao`` profile are chosen on four folds and the fifth is judged
with them (``photocheck.evaluation.crossval``), so each figure is measured on photos its
limits never saw. A floor sits a little under each measured figure; groups with fewer than
``MIN_NEGATIVES`` photos that should fail are reported, not gated. The full table:
``uv run python tools/derive_limits.py ../shared/data/photos/manifest.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import photocheck
from photocheck.batch.runner import iter_measurements
from photocheck.evaluation.crossval import GroupFigures, cross_validate_profile
from photocheck.evaluation.labels import read_manifest

pytestmark = pytest.mark.evaluation

PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "photos"
MANIFEST = PHOTOS / "manifest.csv"
MIN_NEGATIVES = 10
# Cross-validated balanced accuracy measured on the 184 development photos (5 folds, seed 0;
# 2026-12-07), minus a margin of about one photo of the smaller class.
FLOORS = {
    "face.count": 0.96,  # measured 0.994 (166 / 17)
    "pose": 0.80,  # 0.825 (133 / 28)
    "mouth.closed": 0.93,  # 0.943 (100 / 45)
    "background.uniformity": 0.92,  # 0.933 (88 / 76)
    "accessory.glasses": 0.92,  # 0.946 (144 / 22)
    "accessory.headwear": 0.79,  # 0.827 (151 / 15)
    "face.occlusion": 0.86,  # 0.915 (57 / 10)
}


@pytest.fixture(scope="module")
def figures() -> dict[str, GroupFigures]:
    if not MANIFEST.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must evaluate on the labelled photos, not found at {PHOTOS}")
        pytest.skip(f"labelled photos not found at {PHOTOS}")
    rows = read_manifest(MANIFEST)
    measured = [m for _, m, _ in iter_measurements([row["path"] for row in rows], workers=1)]
    results = cross_validate_profile(rows, measured, photocheck.load_profile("icao"))
    return {f.group: f for f in results}


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_cross_validated_balanced_accuracy_floor(
    figures: dict[str, GroupFigures], group: str
) -> None:
    result = figures[group].result
    assert result.negatives >= MIN_NEGATIVES, "a gated figure needs enough negatives"
    assert result.balanced_accuracy >= FLOORS[group], result


def test_thin_groups_are_reported_not_gated(figures: dict[str, GroupFigures]) -> None:
    thin = {g for g, f in figures.items() if f.result.negatives < MIN_NEGATIVES}
    assert thin.isdisjoint(FLOORS)
    assert "eyes.open" in thin  # two closed eyes in the set


def test_in_sample_figures_are_not_lower_than_cross_validated(
    figures: dict[str, GroupFigures],
) -> None:
    # Limits fitted on the photos they are scored on can only look better (or equal).
    for group in FLOORS:
        result = figures[group].result
        assert result.in_sample_balanced_accuracy >= result.balanced_accuracy - 1e-9, group
