"""The bundled example photos get the verdicts examples/photos/README.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

import photocheck
from photocheck.evaluation.labels import expected_outcomes, group_checks, read_manifest

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


def test_the_bundled_manifest_labels_every_photo_as_it_was_made():
    # examples/photos/manifest.csv (the notebook's start without the development photos): the
    # check a photo is made to fail has a non-compliant label wherever a label speaks to it.
    rows = {r["file"]: r for r in read_manifest(PHOTOS / "manifest.csv")}
    assert sorted(rows) == sorted(EXPECTED)
    for name, (_, failing) in EXPECTED.items():
        outcomes = expected_outcomes(rows[name])
        rejected = {group for group, ok in outcomes.items() if not ok}
        if failing is None:
            assert not rejected, name
        else:
            assert {g for g in outcomes if failing in group_checks(g)} <= rejected, name
    assert {g for g, ok in expected_outcomes(rows["blurred.jpg"]).items() if not ok} == {
        "sharpness"
    }
