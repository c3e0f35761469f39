"""Issues 13 and 14: accessory.headwear and accessory.sunglasses measure smoothly.

A mirror, a 2 px crop or a re-encoding moves a region's edge or a pixel's colour by a little;
the scores must then move by a little too, not by a block of pixels switching in or out of a
hard cut, nor by a percentile jumping across the gap between two groups of pixels:

- ``covering_colour``: chroma, lightness and hue count through soft cuts, and each ring pixel
  by its person-mask certainty and its distance from the face oval;
- ``top_evenness``: the spread is read from means over quantile bands, of pixels weighted by
  how far they lie from the skin;
- ``lens_darkness``: the lids' mean, not their median (a face mask's edge crossing the band
  under the eyes); either cheek may be a sliver (a turned head), not both;
- ``accessory.headwear`` is not assessed on a half profile (as the eye-region checks).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from photocheck.analysis import Analysis
from photocheck.checks.features import head_crop, headwear
from photocheck.errors import NotAssessed
from photocheck.imaging.load import load_image
from photocheck.scores.features import lens_darkness
from photocheck.scores.headwear import covering_colour, head_regions, top_evenness

SKIN = np.array([65.0, 15.0, 20.0])  # CIELAB of a light skin, hue about 53 degrees


def _pale_blue(chroma: float, n: int = 100) -> np.ndarray:
    """n pixels of a pale blue (hue -90 degrees, far outside the hair band) of this chroma."""
    return np.tile([[60.0, 0.0, -chroma]], (n, 1))


def test_covering_colour_has_no_step_at_the_chroma_cut() -> None:
    """Faint blue pixels just below and just above chroma 10 count about the same."""
    below, at, above = (covering_colour(_pale_blue(c), SKIN, 1) for c in (9.9, 10.0, 10.1))
    assert below == at == 0.0  # under the cut a pixel has no hue (as before)
    assert 0.0 < above < 0.05  # just past it, it counts a little, not fully
    assert covering_colour(_pale_blue(13.0), SKIN, 1) == pytest.approx(0.5)
    assert covering_colour(_pale_blue(20.0), SKIN, 1) == 1.0


def test_covering_colour_has_no_step_at_the_band_edge() -> None:
    """A pixel a degree past the band's edge counts a tenth; ten degrees past, fully."""
    # The band for this skin (hue 53.13) runs from 18.13 to 123.13 degrees.
    shares = []
    for degrees in (19.0, 17.13, 8.0):
        turn = np.radians(degrees)
        pixel = np.array([[55.0, 30.0 * np.cos(turn), 30.0 * np.sin(turn)]])
        shares.append(covering_colour(pixel, SKIN, 1))
    assert shares[0] == 0.0
    assert shares[1] == pytest.approx(0.1, abs=0.01)
    assert shares[2] == 1.0


def test_near_grey_skin_blends_into_the_usual_hue() -> None:
    """A skin of chroma 4-12 (a face mask over the nose) does not set the band by its hue."""
    blue_grey = np.tile([[40.0, 0.0, -14.0]], (50, 1))  # hue -90 degrees
    hues = []
    for skin_hue in (-60.0, -45.0):  # the same grey skin, its hue moved by JPEG noise
        turn = np.radians(skin_hue)
        skin = np.array([74.0, 5.0 * np.cos(turn), 5.0 * np.sin(turn)])
        hues.append(covering_colour(blue_grey, skin, 1))
    assert hues[0] == pytest.approx(hues[1], abs=0.05)
    assert hues[0] > 0.5  # with the usual skin hue, blue-grey is off the hair hues


def test_covering_colour_weights_leave_out_pixels_at_zero() -> None:
    scarf = _pale_blue(30.0, 30)
    hair = np.tile([[30.0, 8.0, 12.0]], (70, 1))
    pixels = np.concatenate([scarf, hair])
    weights = np.ones(100)
    weights[:10] = 0.0  # ten scarf pixels outside the region
    assert covering_colour(pixels, SKIN, 1, weights) == pytest.approx(20 / 90)
    assert covering_colour(pixels[10:], SKIN, 1) == pytest.approx(20 / 90)


def test_top_evenness_moves_a_little_when_one_pixel_changes_group() -> None:
    """Dark headrest and light scalp: the 20th percentile would jump between the two."""
    scores = []
    for dark in (195, 200, 205):
        lightness = np.r_[np.full(dark, 10.0), np.full(1000 - dark, 60.0)]
        pixels = np.stack([lightness, np.full(1000, -20.0), np.full(1000, -30.0)], 1)
        scores.append(top_evenness(pixels, SKIN, 20))
    assert max(scores) - min(scores) < 0.02
    # The quantile bands still separate hair from a cap (as the percentiles did).
    rng = np.random.default_rng(0)
    hair = np.stack([rng.uniform(10, 60, 500), np.full(500, 5.0), np.full(500, 10.0)], 1)
    cap = np.stack([rng.normal(45, 1.5, 500), np.full(500, -20.0), np.full(500, -30.0)], 1)
    assert top_evenness(hair, SKIN, 20) < 0.7 < 0.9 < top_evenness(cap, SKIN, 20)


def test_top_evenness_weights_slide_pixels_out() -> None:
    rng = np.random.default_rng(2)
    pixels = np.stack([rng.uniform(10, 60, 400), np.full(400, -20.0), np.full(400, -30.0)], 1)
    weights = np.ones(400)
    weights[:100] = 0.0
    assert top_evenness(pixels, SKIN, 20, weights) == pytest.approx(
        top_evenness(pixels[100:], SKIN, 20), abs=1e-9
    )
    # A pixel's weight moving from 1 to 0 moves the score by about its share, not more.
    weights[:100] = 1.0
    full = top_evenness(pixels, SKIN, 20, weights)
    weights[0] = 0.0
    assert abs(top_evenness(pixels, SKIN, 20, weights) - full) < 0.005


def test_head_region_weights_fade_at_the_edges(astronaut: np.ndarray) -> None:
    crop = head_crop(Analysis(load_image(astronaut)))
    regions = head_regions(crop.valid, crop.person, crop.mesh)
    weight = regions.weight
    assert weight.min() >= 0.0 and weight.max() == 1.0
    assert (weight[regions.ring] > 0).all() and (weight[regions.top] > 0).all()
    assert not (weight[regions.face] > 0).any()
    # Some pixels count in part (the edges), most of the ring counts fully.
    ring = weight[regions.ring]
    assert 0.0 < np.mean(ring < 1.0) < 0.5


def _lens_face(mask_top: int) -> tuple[np.ndarray, np.ndarray]:
    """An aligned face (inter-eye distance 64) with a white face mask from row mask_top down."""
    lm = np.zeros((68, 2))
    lm[36:42] = [(48, 96), (56, 92), (72, 92), (80, 96), (72, 100), (56, 100)]
    lm[42:48] = lm[36:42] + np.array([64.0, 0.0])
    lm[31], lm[33], lm[35] = (84, 130), (96, 140), (108, 130)
    lm[45], lm[51] = (144, 96), (96, 160)
    face = np.full((240, 192), 150, np.uint8)
    face[mask_top:, :] = 235
    return face, lm


def test_lens_darkness_moves_a_little_as_a_mask_edge_crosses_the_band_under_the_eyes() -> None:
    """The band 4-14 px under the eyes half on skin, half on a face mask: a 1 px shift."""
    values = [lens_darkness(*_lens_face(top)) for top in (104, 105, 106, 107)]
    steps = np.abs(np.diff(values))
    assert steps.max() < 0.05, values
    # Past the band, the bare lids against the mask read as darker than against skin.
    assert lens_darkness(*_lens_face(200)) == pytest.approx(1 - 150 / 155)


def test_lens_darkness_with_one_cheek_a_sliver() -> None:
    """A turned head: the far cheek between the eye's outer corner and the nose is < 2 px."""
    face, lm = _lens_face(200)
    lm[31] = (lm[36][0] + 5.0, 130.0)  # nose side 1 px from the outer eye corner (+4 px gap)
    assert lens_darkness(face, lm) == pytest.approx(1 - 150 / 155)
    lm[35] = (lm[45][0] - 5.0, 130.0)  # both cheeks slivers: nothing to compare with
    with pytest.raises(ValueError, match="cheeks"):
        lens_darkness(face, lm)


def test_headwear_is_not_assessed_on_a_half_profile() -> None:
    turned = cast(Any, SimpleNamespace(geometry={"yaw": -61.0}))
    with pytest.raises(NotAssessed, match="turned 61 degrees"):
        headwear(turned)
