"""annotate(): golden image on a synthetic face, framing bands, and behaviour on real input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest

import photocheck
from photocheck.visual.annotate import PALETTE, annotate, framing_bands

DATA = Path(__file__).with_name("data")


def _golden_module() -> ModuleType:
    name = "make_annotate_golden"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def golden_case() -> tuple[np.ndarray, photocheck.Verdict, photocheck.Profile]:
    return _golden_module().synthetic_case()


def test_annotate_matches_golden_image() -> None:
    """The drawing is stable: regenerate with tests/data/make_annotate_golden.py on purpose."""
    drawn = _golden_module().render()
    golden = cv2.imread(str(DATA / "annotate_golden.png"), cv2.IMREAD_COLOR)[:, :, ::-1]
    assert drawn.shape == golden.shape
    diff = np.abs(drawn.astype(np.int16) - golden.astype(np.int16)).max(axis=2)
    # Small tolerance for anti-aliasing differences between OpenCV builds.
    assert diff.mean() < 0.5
    assert (diff > 32).mean() < 0.002


def test_background_region_is_the_one_the_checks_sample(golden_case) -> None:
    from photocheck.analysis import Analysis
    from photocheck.imaging.load import load_image
    from photocheck.visual.annotate import _background_region

    rgb, verdict, _ = golden_case
    region = _background_region(load_image(rgb), verdict.geometry)
    assert region is not None
    analysis = Analysis(load_image(rgb))
    analysis.__dict__["geometry"] = dict(verdict.geometry)
    np.testing.assert_array_equal(region, analysis.background_mask)
    assert region.any() and not region.all()
    assert _background_region(load_image(rgb), {}) is None  # no face, no region


def test_golden_verdict_is_what_the_picture_shows(golden_case) -> None:
    _, verdict, _ = golden_case
    failed = {r.check for r in verdict.failures}
    assert failed == {"geometry.centring", "sharpness"}


def test_annotate_does_not_modify_the_photo_and_keeps_size_when_asked(golden_case) -> None:
    rgb, verdict, profile = golden_case
    before = rgb.copy()
    drawn = annotate(rgb, verdict, profile=profile, width=None, legend=False)
    assert np.array_equal(rgb, before)
    assert drawn.shape == rgb.shape and drawn.dtype == np.uint8
    assert not np.array_equal(drawn, rgb)
    with_legend = annotate(rgb, verdict, profile=profile, width=None)
    assert with_legend.shape[1] == rgb.shape[1] and with_legend.shape[0] > rgb.shape[0]
    np.testing.assert_array_equal(with_legend[: rgb.shape[0]], drawn)


def test_landmarks_and_eye_centres_are_drawn_where_the_geometry_says(golden_case) -> None:
    rgb, verdict, profile = golden_case
    drawn = annotate(rgb, verdict, profile=profile, width=None, legend=False)
    yellow = np.array(PALETTE["yellow"])
    for x, y in verdict.geometry["landmarks"][::7]:
        assert np.abs(drawn[round(y), round(x)].astype(int) - yellow).max() < 40
    # Doubling the output width puts the same landmark at twice the coordinates.
    big = annotate(rgb, verdict, profile=profile, width=2 * rgb.shape[1], legend=False)
    x, y = verdict.geometry["landmarks"][30]
    assert np.abs(big[round(2 * y), round(2 * x)].astype(int) - yellow).max() < 40


def test_framing_bands_follow_the_profile(golden_case) -> None:
    _, verdict, profile = golden_case
    bands = framing_bands(verdict, (400, 500), profile=profile)
    assert bands["geometry.eye_line"] == ("y", pytest.approx(150.0), pytest.approx(250.0))
    assert bands["geometry.centring"] == ("x", pytest.approx(180.0), pytest.approx(220.0))
    assert bands["geometry.top_margin"] == ("y", pytest.approx(1.0), None)
    crown = verdict.geometry["crown_y"]
    # chin must lie 60%-90% of the height below the crown; clipped to the photo.
    assert bands["geometry.head_height"] == (
        "y",
        pytest.approx(crown + 300.0),
        pytest.approx(500.0),
    )
    cn_rules = photocheck.load_profile("cn-social-security").rules
    cn = framing_bands(verdict, (358, 441), profile="cn-social-security")
    eye, centre, top = (
        cn_rules["geometry.eye_line"],
        cn_rules["geometry.centring"],
        cn_rules["geometry.top_margin"],
    )
    # px from the bottom edge turns into rows from the top: the eyes must lie above this row.
    assert cn["geometry.eye_line"] == ("y", None, pytest.approx(441 - eye["min_px_from_bottom"]))
    assert cn["geometry.centring"] == ("x", centre["min_px"], centre["max_px"])
    assert cn["geometry.top_margin"] == ("y", top["min_px"], top["max_px"])
    assert "geometry.head_height" not in cn  # the profile does not bound it


def test_framing_bands_fall_back_to_the_passing_results(golden_case) -> None:
    """A verdict judged by a profile that cannot be loaded by name still shows its bands."""
    _, verdict, _ = golden_case  # profile "golden" is not a shipped profile
    bands = framing_bands(verdict, (400, 500))
    assert bands["geometry.eye_line"] == ("y", pytest.approx(150.0), pytest.approx(250.0))
    assert "geometry.centring" not in bands  # it failed: its limits are recorded as min/max only


def test_annotate_without_a_face_draws_only_the_legend() -> None:
    blank = np.full((400, 300, 3), 235, dtype=np.uint8)
    # What measure() returns when no face is found: no geometry, nothing assessed.
    verdict = photocheck.judge(photocheck.Measurements("<array>", {}, {}), "icao")
    assert not verdict.ok
    drawn = annotate(blank, verdict, width=None)
    assert drawn.shape[1] == 300 and drawn.shape[0] > 400
    assert np.all(drawn[:400] == 235)  # nothing drawn on the photo
    assert drawn[400:].min() == 0  # legend text


def test_annotate_real_detection_on_the_astronaut() -> None:
    import skimage.data

    photo = skimage.data.astronaut()
    verdict = photocheck.validate(photo)
    assert len(verdict.geometry["landmarks"]) == 68
    drawn = annotate(photo, verdict, width=512, legend=False)
    x, y = verdict.geometry["right_eye"]
    # The eye centre is circled: the ring (radius ~ 0.12 x eye distance) is sky blue or black.
    radius = max(3, round(0.12 * verdict.geometry["eye_distance"]))
    ring = drawn[round(y) - radius, round(x)].astype(int)
    assert min(np.abs(ring - PALETTE["sky_blue"]).max(), np.abs(ring).max()) < 60


def test_annotate_rejects_bad_width(golden_case) -> None:
    rgb, verdict, _ = golden_case
    with pytest.raises(ValueError, match="width"):
        annotate(rgb, verdict, width=0)
    with pytest.raises(photocheck.InvalidImageError):
        annotate(b"not an image", verdict)


def test_legend_text_is_plain_ascii() -> None:
    from photocheck.visual.annotate import plain_text

    assert (
        plain_text("at most 5\u00b0 \u2265 0.5 \u2013 caf\u00e9\x1b[31m")
        == "at most 5 deg >= 0.5 - cafe [31m"
    )


def _simulate_deuteranopia(rgb: np.ndarray) -> np.ndarray:
    """Vienot, Brettel & Mollon (1999) deuteranope simulation, in linear RGB."""
    linear = (rgb / 255.0) ** 2.2
    matrix = np.array([[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]])
    return 255.0 * np.clip(linear @ matrix.T, 0, 1) ** (1 / 2.2)


def test_feature_colours_stay_apart_for_deuteranopes() -> None:
    names = ["orange", "sky_blue", "bluish_green", "yellow", "blue", "reddish_purple"]
    colours = _simulate_deuteranopia(np.array([PALETTE[n] for n in names], dtype=float))
    distances = np.linalg.norm(colours[:, None] - colours[None], axis=2)
    distances[np.diag_indices(len(names))] = np.inf
    assert distances.min() > 25
