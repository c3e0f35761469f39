"""``background.shadow``'s score does not hinge on one pixel, one column or one row (issues 13, 14)."""

from __future__ import annotations

import numpy as np
import pytest

from photocheck.scores.lighting import background_shadow


def _scene() -> tuple[np.ndarray, np.ndarray]:
    """A light wall, a head and body (columns 45-74 from row 20) and a shadow right of it."""
    rgb = np.full((80, 120, 3), 225, np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    rgb[20:, 75:85] = 170
    return rgb, background


@pytest.mark.parametrize("plain", [0, 1, 3, 8])
def test_a_side_with_a_few_plain_pixels_measures_about_as_one_with_none(plain: int) -> None:
    # The left half of the frame is a dark object but for ``plain`` pixels of wall beside the head:
    # the check neither turns not assessed at zero nor makes a difference out of a handful.
    rgb, background = _scene()
    rgb[:, :60] = (40, 30, 25)
    none = background_shadow(rgb, background, 60.0, near=10)
    rgb[30 : 30 + plain, 44] = 225
    few = background_shadow(rgb, background, 60.0, near=10)
    assert none.asymmetry == 0.0
    assert few.asymmetry == pytest.approx(none.asymmetry, abs=0.03)
    assert few.darkening == pytest.approx(none.darkening, abs=0.03)


def test_a_mirror_image_with_soft_weights_measures_the_same() -> None:
    rgb, background = _scene()
    weight = background.astype(np.float32)
    weight[:20, 50:70] = 0.4  # a soft chance of hair above the head
    distance = np.abs(np.arange(120, dtype=np.float32) - 59.5)[None, :].repeat(80, 0) - 15.0
    centre = 59.3  # column 59 straddles the centre line
    shadow = background_shadow(rgb, weight, centre, near=10, distance=distance)
    mirrored = background_shadow(
        np.ascontiguousarray(rgb[:, ::-1]),
        weight[:, ::-1],
        119 - centre,
        near=10,
        distance=distance[:, ::-1],
    )
    assert shadow.asymmetry > 0.15
    assert mirrored == pytest.approx(shadow, abs=1e-9)


def test_a_person_chance_takes_hair_out_of_the_band() -> None:
    # Dark, smooth, neutral "hair" beside the head on the left looks like a shadow to the
    # hue and lightness filter; the person mask's chance takes it out.
    rgb = np.full((80, 120, 3), 225, np.uint8)
    background = np.ones((80, 120), bool)
    background[20:, 45:75] = False
    rgb[20:, 37:45] = 110
    person = np.zeros((80, 120), np.float32)
    person[20:, 37:45] = 0.9
    assert background_shadow(rgb, background, 60.0, near=10).asymmetry > 0.15
    assert background_shadow(rgb, background, 60.0, near=10, person=person).asymmetry < 0.02
