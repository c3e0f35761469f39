"""Verdict stability under changes that should not matter (skipped without the development photos).

Over the development photos labelled with one face (166), each reduced to at most 800 px on
its long side to keep the run near a minute: a JPEG re-encode at quality 95, a mirror image,
2 px cut from the left and top, a 0.95 x resize (``tools/stability.py`` makes them, lists the
checks left out for each, and prints the table: ``uv run python tools/stability.py``). A photo
flips when any check moves between accepted, fail and not_assessed.

The issue's aim is at most 5% of photos per change. The limits of the profiles are being
re-derived for the MediaPipe backbone and checks are still being added, so the ceilings below
are today's rates (the icao profile as it stood mid-way through that work, face.occlusion
included) plus about 4 points, not the aim:

========== ============ =========
change     measured     ceiling
========== ============ =========
jpeg95     10.8% (18)   15%
mirror     23.5% (39)   28%
crop2      15.7% (26)   20%
resize95   14.5% (24)   19%
========== ============ =========

Most flips are one check on one photo near its limit; two photos flip every face check
because the mesh's presence gate moves across its threshold (facerec_019: a second,
false detection's presence 0.64 -> 0.39 after the re-encode; prnet_012, a profile view with
sunglasses: 0.81 -> 0.05 after the 2 px crop). No check flips on more than 8 photos (4.8%)
under any change (background.shadow under the mirror).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.evaluation

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos"
CEILING = {"jpeg95": 0.15, "mirror": 0.28, "crop2": 0.20, "resize95": 0.19}
CHECK_CEILING = 0.07  # share of photos on which any one check may flip, per change


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stability", ROOT / "tools" / "stability.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stability() -> Any:
    if not (PHOTOS / "manifest.csv").is_file():
        pytest.skip(f"development photos not found at {PHOTOS}")
    tool = _tool()
    result = tool.measure_stability(tool.one_face_photos(PHOTOS), "icao")
    print("\n" + result.to_markdown())
    return result


def test_every_change_is_measured_on_every_one_face_photo(stability: Any) -> None:
    tool = _tool()
    assert len(stability.photos) == len(tool.one_face_photos(PHOTOS)) > 150
    assert set(CEILING) == set(tool.CHANGES)


@pytest.mark.parametrize("change", list(CEILING))
def test_share_of_photos_flipped_stays_under_its_ceiling(stability: Any, change: str) -> None:
    rate = stability.photo_rate(change)
    assert rate <= CEILING[change], stability.to_markdown()


@pytest.mark.parametrize("change", list(CEILING))
def test_no_check_flips_often(stability: Any, change: str) -> None:
    counts = stability.check_counts(change)
    worst = max(counts.values(), default=0) / len(stability.photos)
    assert worst <= CHECK_CEILING, stability.to_markdown()
