"""Accuracy floors of the core checks on the labelled photos (skipped when they are absent)."""

from __future__ import annotations

import pytest

import core_accuracy

pytestmark = pytest.mark.evaluation


@pytest.fixture(scope="module")
def measured():
    if not core_accuracy.MANIFEST.exists():
        pytest.skip(f"labelled photos not found at {core_accuracy.PHOTOS}")
    pairs, unreadable = core_accuracy.measure_all()
    assert not unreadable, unreadable
    return pairs


def test_core_checks_meet_recorded_floors(measured):
    table = core_accuracy.core_agreement(measured)
    floors = {**core_accuracy.FLOORS, "pose (loose)": core_accuracy.LOOSE_POSE_FLOOR}
    below = {
        group: round(table[group].balanced_accuracy, 3)
        for group, floor in floors.items()
        if table[group].balanced_accuracy < floor
    }
    assert not below, f"balanced accuracy below the recorded floors {floors}: {below}"


def test_face_count_meets_the_issue_target(measured):
    assert core_accuracy.core_agreement(measured)["face.count"].balanced_accuracy >= 0.90


def test_sharp_compliant_photos_mostly_pass(measured):
    sharpness = core_accuracy.core_agreement(measured)["sharpness"]
    assert sharpness.pass_rate >= 0.90
