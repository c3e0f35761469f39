"""Verdict stability under changes that should not matter (skipped without the development photos).

Over the development photos labelled with one face (166), each reduced to at most 800 px on
its long side to keep the run near a minute: a JPEG re-encode at quality 95, a mirror image,
2 px cut from the left and top, a 0.95 x resize (``tools/stability.py`` makes them, lists the
checks left out for each, and prints the tables: ``uv run python tools/stability.py --exact
--noise``). Per change, three counts of photos: any check moved between pass and fail; any
check moved to or from not_assessed; any check moved between warn and pass or fail (a
borderline value, or the advisory glasses rule).

Issue 13 aims at 5% of photos per change flipped (pass<->fail or to/from not_assessed), issue
14 at 2% pass<->fail. The ceilings are the icao profile's rates with borderline results (each
limit's declared noise; docs/borderline.md) plus about 2 points (the limits are still being
re-derived; one photo is 0.6 point):

========== ======================= =========== =========== ===========================
change     pass<->fail             not_assessed flipped     warn (reported only)
           exact -> noise (ceil.)  (ceiling)   (ceiling)   exact -> noise
========== ======================= =========== =========== ===========================
jpeg95     6.0% -> 1.2% (4%)       0.0% (2%)   1.2% (4%)   0.6% -> 8.4%
mirror     19.9% -> 6.6% (9%)      0.6% (3%)   7.2% (10%)  2.4% -> 28.9%
crop2      13.9% -> 3.0% (5%)      0.6% (3%)   3.6% (6%)   0.6% -> 16.3%
resize95   12.0% -> 4.8% (7%)      0.6% (3%)   5.4% (8%)   0.6% -> 10.2%
========== ======================= =========== =========== ===========================

("exact" judges the same measurements with every noise 0.) Issue 13's 5% is met under jpeg95
and crop2 (not under the mirror, 12 photos, nor the resize, 9), issue 14's 2% under jpeg95
only.

What changed at the source (before: flipped 3.6/11.4/5.4/7.2%, not_assessed 1.2/5.4/2.4/2.4%):
``background.shadow`` used hard cut-offs (backdrop hue, texture and lightness filters, a
least count of 10 band pixels per side) and single percentiles of a few dozen pixels, so a
re-encoding moved whole groups of pixels in or out; its filters are now soft weights, its
levels means over a band of ranks, and a side with little plain backdrop is drawn towards
both sides' darkening (3/7/4/4 photos -> 0/2/2/2; ``evidence`` 5% of the band instead of 2%
gives 0/0/2/1 but detects the one-stop synthetic shadow of tests/test_lighting.py on 20/25
photos instead of 22/25). The eye-region and cheek checks
(``eyes.visible``, ``accessory.glasses``, ``accessory.sunglasses``, ``lighting.uniformity``,
``colour.natural``) decide not_assessed on a half profile (yaw over 45 degrees, as
``face.occlusion``) instead of on a region the mesh places just inside or outside the aligned
face.

The pass<->fail changes left are jumps far larger than the noise, from measures that are not
mirror-equivariant (the mesh and the person mask: ``accessory.headwear``,
``background.colour``, ``background.uniformity``, ``face.occlusion``, ``mouth.closed`` under
the mirror) or that count pixels past a quantised level (``lighting.hotspots`` on facerec_012:
the skin median moves one grey level and the hot-spot level crosses a level holding 1.4% of
the skin), and stargan_002's background band (hair as grey as the backdrop's shadow).

The noise test recomputes each value's 90th percentile of |change| on every other photo (83)
over the four changes and asserts the declared noise is within 0.5-3 x of it. Two changes
only do not fit the declarations, which pool four changes whose scales differ up to 8 x
(``pose.yaw:abs_degrees``: p90 0.29 degrees under jpeg95, 2.2 under the mirror); 40 photos
put one value just outside the window in 11 of 40 random subsets. Values that moved on fewer
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
CEILING = {
    "pass<->fail": {"jpeg95": 0.04, "mirror": 0.09, "crop2": 0.05, "resize95": 0.07},
    "not_assessed": {"jpeg95": 0.02, "mirror": 0.03, "crop2": 0.03, "resize95": 0.03},
    "flipped": {"jpeg95": 0.04, "mirror": 0.10, "crop2": 0.06, "resize95": 0.08},
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
