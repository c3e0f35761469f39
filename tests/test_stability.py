"""Verdict stability under changes that should not matter (skipped without the development photos).

Over the development photos labelled with one face (166), each reduced to at most 800 px on
its long side to keep the run near a minute: a JPEG re-encode at quality 95, a mirror image,
2 px cut from the left and top, a 0.95 x resize (``tools/stability.py`` makes them, lists the
checks left out for each, and prints the tables: ``uv run python tools/stability.py --exact
--noise``). Per change, three counts of photos: any check moved between pass and fail; any
check moved to or from not_assessed; any check moved between warn and pass or fail (a
borderline value, or the advisory glasses rule).

Issue 13 aims at 5% of photos per change, issue 14 at 2% pass<->fail. The ceilings are the
icao profile's rates with borderline results (each limit's declared noise; docs/borderline.md)
plus about 2 points; the limits are still being re-derived for the MediaPipe backbone.

========== ======================= ======================= ===========================
change     pass<->fail             not_assessed            warn (reported only)
           exact -> noise (ceil.)  (ceiling)               exact -> noise
========== ======================= ======================= ===========================
jpeg95     9.6% -> 3.6% (6%)       1.8% (4%)               1.8% -> 8.4%
mirror     21.1% -> 7.8% (10%)     5.4% (7%)               4.8% -> 28.3%
crop2      13.9% -> 3.6% (6%)      2.4% (4%)               2.4% -> 12.0%
resize95   11.4% -> 3.6% (6%)      3.0% (5%)               2.4% -> 12.0%
========== ======================= ======================= ===========================

("exact" judges the same measurements with every noise 0. The resize now leaves out
``image.compression``, whose fine detail and blocking a resampling changes for a reason;
with it, exact judging flipped 1-2 more photos under the resize.)

The pass<->fail changes left are jumps far larger than the noise (the background shadow
asymmetry of stargan_002 0.039 -> 0.62 after the crop, the mouth opening of cfm_010 0.008 ->
0.063 under the mirror); the not_assessed ones are the mesh's presence gate (facerec_019,
prnet_012) and background.shadow finding too little background.

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
    "pass<->fail": {"jpeg95": 0.06, "mirror": 0.10, "crop2": 0.06, "resize95": 0.06},
    "not_assessed": {"jpeg95": 0.04, "mirror": 0.07, "crop2": 0.04, "resize95": 0.05},
}
CHECK_CEILING = 0.07  # share of photos on which any one check may change (not warn), per change
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
