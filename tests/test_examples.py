"""The bundled example photos get the verdicts examples/photos/README.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

import photocheck

PHOTOS = Path(__file__).resolve().parents[1] / "examples" / "photos"

# photo -> (profile, the check that must fail; None means the photo must pass)
EXPECTED = {
    "compliant_icao.jpg": ("icao", None),
    "cn_social_security_card.jpg": ("cn-social-security", None),
    "busy_background.jpg": ("icao", "background.uniformity"),
    "blurred.jpg": ("icao", "sharpness"),
    "too_dark.jpg": ("icao", "exposure"),
    "face_too_small.jpg": ("icao", "geometry.head_height"),
    "head_tilted.jpg": ("icao", "pose.roll"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_photo_verdict(name):
    profile, failing = EXPECTED[name]
    verdict = photocheck.validate(PHOTOS / name, profile)
    if failing is None:
        assert verdict.ok, [(r.check, r.message) for r in verdict.failures]
    else:
        assert verdict[failing].status == "fail"


def test_every_example_photo_is_listed():
    assert sorted(p.name for p in PHOTOS.glob("*.jpg")) == sorted(EXPECTED)
