"""Verdict stability under changes that should not matter (skipped without the development photos).

Over the development photos labelled with one face (166), each reduced to at most 800 px on
its long side to keep the run near a minute: a JPEG re-encode at quality 95, a mirror image,
2 px cut from the left and top, a 0.95 x resize (``tools/stability.py`` makes them, lists the
checks left out for each, and prints the tables: ``uv run python tools/stability.py --exact
--noise``). Per change, three counts of photos: any check moved between pass and fail; any
check moved to or from not_assessed; any check moved between warn and pass or fail (a
borderline value, or the advisory glasses rule).

Issue 13 aims at 5% of photos per change flipped (pass<->fail or to/from not_assessed), issue
14 at 2% pass<->fail. The ceilings are those aims; the icao profile's rates with borderline
results (each limit's declared noise; docs/borderline.md) are:

========== ======================= =========== =========== ===========================
change     pass<->fail             not_assessed flipped     warn (reported only)
           exact -> noise (ceil.)  (ceiling)   (ceiling)   exact -> noise
========== ======================= =========== =========== ===========================
jpeg95     1.2% -> 0.0% (2%)       0.0% (2%)   0.0% (5%)   1.2% -> 10.8%
mirror     11.4% -> 1.8% (2%)      0.0% (2%)   1.8% (5%)   1.2% -> 19.3%
crop2      6.0% -> 1.8% (2%)       0.0% (2%)   1.8% (5%)   0.6% -> 12.7%
resize95   6.0% -> 0.0% (2%)       0.0% (2%)   0.0% (5%)   0.6% -> 16.3%
========== ======================= =========== =========== ===========================

("exact" judges the same measurements with every noise 0.) One photo is 0.6 point, so the
mirror and the crop sit one photo under issue 14's ceiling.

What changed at the source (first measured: flipped 3.6/11.4/5.4/7.2%):

- The mesh and the person mask are mirror-averaged (``photocheck.vision.mesh``,
  ``photocheck.vision.segmentation``): both models run on their input and on its mirror
  image, and the mirrored output is mapped back and averaged, so a mirror image gets the
  mirrored mesh and mask. This took the mirror's pass<->fail photos from 11 to about 3.
- Hard cut-offs became soft weights where a pixel or a grey level decided: background.shadow
  (backdrop filters, a side with little backdrop, the head outline), accessory.headwear
  (chroma, lightness and hue cut-offs, the ring and mask edges; quantile bands instead of
  single percentiles), lighting.hotspots (the skin median between levels, a soft hot level),
  eyes.red (soft redness, counted inside the iris), eyes.visible (glare from 245 up, partial
  edge pixels) and accessory.sunglasses (mean of the lids, either cheek may be empty).
- The eye-region and cheek checks decide not_assessed on a half profile (yaw over 45 degrees)
  instead of on a region the mesh places just inside or outside the aligned face.

The flips left are perseus_004's mouth (16 px between the eyes), cfm_006's mouth under a
mask (the detector's box differs on the mirror image), cfm_012's headwear (a hood whose only
colour cue is a mask edge), and two background measures on thin or two-toned backdrops
(cfm_025, cfm_004).

The noise test recomputes each value's 90th percentile of |change| on every other photo (83)
over the four changes and asserts the declared noise is within 0.5-3 x of it (the
declarations pool four changes whose scales differ several-fold, so a subset of photos can
move a value's percentile by half). Values that moved on fewer
than a quarter of the subset's changes (mostly zero: the face count, glare, clipped shares)
have no stable 90th percentile; their declared noise must only not exceed the largest change
seen. ``face.occlusion:mouth_contrast`` moves in proportion to its size and is compared at the
icao limit (``tools/stability.py``, ``RELATIVE``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.evaluation

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos"
CEILING = {  # issue 14's 2% pass<->fail, issue 13's 5% flipped
    "pass<->fail": {"jpeg95": 0.02, "mirror": 0.02, "crop2": 0.02, "resize95": 0.02},
    "not_assessed": {"jpeg95": 0.02, "mirror": 0.02, "crop2": 0.02, "resize95": 0.02},
    "flipped": {"jpeg95": 0.05, "mirror": 0.05, "crop2": 0.05, "resize95": 0.05},
}
CHECK_CEILING = 0.03  # share of photos on which any one check may change (not warn), per change
MIN_MOVING = 0.25  # share of non-zero changes below which a 90th percentile is not checked


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stability", ROOT / "tools" / "stability.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _tool()


@pytest.fixture(scope="module")
def runs(tool: ModuleType) -> dict[str, Any]:
    """Every one-face photo and its four changes, measured once."""
    if not (PHOTOS / "manifest.csv").is_file():
        pytest.skip(f"development photos not found at {PHOTOS}")
    return tool.measure_runs(tool.one_face_photos(PHOTOS))


@pytest.fixture(scope="module")
def stability(tool: ModuleType, runs: dict[str, Any]) -> Any:
    result = tool.judge_runs(runs, "icao")
    print("\n" + result.to_markdown())
    return result


def test_every_change_is_measured_on_every_one_face_photo(tool, stability) -> None:
    assert len(stability.photos) == len(tool.one_face_photos(PHOTOS)) > 150
    for ceilings in CEILING.values():
        assert set(ceilings) == set(tool.CHANGES)


@pytest.mark.parametrize("kind", list(CEILING))
@pytest.mark.parametrize("change", list(CEILING["pass<->fail"]))
def test_share_of_photos_changed_stays_under_its_ceiling(stability, kind, change) -> None:
    rate = stability.rate(kind, change)
    assert rate <= CEILING[kind][change], stability.to_markdown()


@pytest.mark.parametrize("change", list(CEILING["pass<->fail"]))
def test_no_check_changes_often(stability, change) -> None:
    counts = stability.check_counts(change, ("pass<->fail", "not_assessed"))
    worst = max(counts.values(), default=0) / len(stability.photos)
    assert worst <= CHECK_CEILING, stability.to_markdown()


def test_borderline_results_take_the_place_of_pass_fail_flips(tool, runs, stability) -> None:
    exact = tool.judge_runs(runs, "icao", noise=False)
    print("\nJudged exactly (every noise 0):\n" + exact.to_markdown())
    for change in tool.CHANGES:
        assert stability.photos_with("pass<->fail", change) < exact.photos_with(
            "pass<->fail", change
        ), change
        # Borderline results only replace flips: what could not be measured is unchanged.
        assert stability.photos_with("not_assessed", change) == exact.photos_with(
            "not_assessed", change
        )


def test_declared_noise_matches_the_changes_on_half_the_photos(tool, runs) -> None:
    subset = {name: run for i, (name, run) in enumerate(runs.items()) if i % 2 == 0}
    changes = tool.value_changes(subset)
    checked, report = 0, []
    for key, per_change in changes.items():
        moved = np.array([d for values in per_change.values() for d in values])
        if moved.size == 0:
            continue
        declared, scale = tool.declared_noise(key), tool.noise_scale(key)
        if np.mean(moved > 0) < MIN_MOVING:
            assert declared <= moved.max() * scale, (key, declared, moved.max() * scale)
            continue
        p90 = float(np.percentile(moved, 90)) * scale
        report.append(f"{key}: declared {declared:g}, p90 {p90:.3g} ({declared / p90:.2f} x)")
        assert 0.5 * p90 <= declared <= 3 * p90, report[-1]
        checked += 1
    print("\n" + "\n".join(report))
    assert checked >= 40
