"""Profiles: loading by name and path, strict validation, extends, with_rule, TOML round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import photocheck
from photocheck import (
    Profile,
    ProfileError,
    UnknownCheckError,
    available_profiles,
    load_profile,
)
from photocheck.authoring import Outcome, Range


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_of(profile: Profile) -> dict[str, dict]:
    return {check: dict(rule) for check, rule in profile.rules.items()}


# --------------------------------------------------------------------------------------------
# Loading


@pytest.mark.parametrize("name", available_profiles())
def test_load_shipped_profile_by_name(name):
    profile = load_profile(name)
    assert isinstance(profile, Profile)
    assert profile.name == name
    assert load_profile(profile) is profile  # a Profile passes through


def test_load_profile_by_path_str_and_path(tmp_path):
    path = write(
        tmp_path,
        """
        name = "narrow"
        description = "only pose"
        [checks."pose.yaw"]
        max_abs_degrees = 3.5
        """,
    )
    for given_path in (path, str(path)):
        profile = load_profile(given_path)
        assert profile.name == "narrow"
        assert profile.description == "only pose"
        assert rules_of(profile) == {"pose.yaw": {"max_abs_degrees": 3.5}}


def test_profile_name_defaults_to_the_file_stem(tmp_path):
    path = write(tmp_path, '[checks."face.count"]\nmin = 1\n', name="kiosk-rules.toml")
    assert load_profile(path).name == "kiosk-rules"


def test_unknown_profile_name_suggests_the_closest():
    with pytest.raises(ProfileError) as info:
        load_profile("icoa")
    message = str(info.value)
    assert "'icoa'" in message
    assert "Did you mean 'icao'" in message
    assert "cn-social-security" in message  # the shipped names are listed


def test_unknown_profile_name_without_close_match_lists_the_shipped_ones():
    with pytest.raises(ProfileError) as info:
        load_profile("zzzzzzzz")
    assert "Did you mean" not in str(info.value)
    for name in available_profiles():
        assert name in str(info.value)


def test_missing_profile_file_raises_profile_error(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "absent.toml")


def test_invalid_toml_raises_profile_error(tmp_path):
    path = write(tmp_path, "name = \n[checks\n")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(path)


@pytest.mark.parametrize("bad", [42, None, ["icao"], b"icao"])
def test_profile_of_wrong_type_raises(bad):
    with pytest.raises(ProfileError, match="name, a path or a Profile"):
        load_profile(bad)


# --------------------------------------------------------------------------------------------
# Strictness: unknown keys, checks, parameters and wrong types


def test_unknown_top_level_key_raises_with_suggestion(tmp_path):
    path = write(tmp_path, '[chekcs."face.count"]\nmin = 1\n')
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert "'chekcs'" in str(info.value)
    assert "Did you mean 'checks'" in str(info.value)
    assert str(path) in str(info.value)  # says which file


def test_unknown_check_raises_unknown_check_error_with_suggestion(tmp_path):
    path = write(tmp_path, '[checks."pose.yaww"]\nmax_abs_degrees = 5\n')
    with pytest.raises(UnknownCheckError) as info:
        load_profile(path)
    assert isinstance(info.value, ProfileError)  # one except clause catches both
    assert "'pose.yaw'" in str(info.value)
    assert "pose.yaww" in str(info.value)


def test_unknown_parameter_raises_with_suggestion_and_valid_names(tmp_path):
    path = write(tmp_path, '[checks."pose.yaw"]\nmax_abs_degree = 5\n')
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert "'max_abs_degree'" in message
    assert "Did you mean 'max_abs_degrees'" in message
    assert "severity" in message  # lists the valid parameters


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ('max_abs_degrees = "5"', "must be a number"),
        ("max_abs_degrees = true", "must be a number"),
        ("max_abs_degrees = [5]", "must be a number"),
        ('severity = "error"', "severity must be one of"),
    ],
)
def test_wrong_parameter_types_raise(tmp_path, rule, match):
    path = write(tmp_path, f'[checks."pose.yaw"]\n{rule}\n')
    with pytest.raises(ProfileError, match=match):
        load_profile(path)


@pytest.mark.parametrize(
    ("rule", "match"),
    [('allowed = "white"', "non-empty list"), ("allowed = []", "non-empty list")],
)
def test_categorical_parameter_must_be_a_non_empty_list(tmp_path, rule, match):
    path = write(tmp_path, f'[checks."background.colour"]\n{rule}\n')
    with pytest.raises(ProfileError, match=match):
        load_profile(path)


@pytest.mark.parametrize(
    "text",
    [
        'name = 3\n[checks."face.count"]\nmin = 1\n',
        'description = ["x"]\n',
        "extends = 5\n",
        'checks = "face.count"\n',
        '[checks]\n"face.count" = 1\n',
    ],
)
def test_wrong_top_level_types_raise(tmp_path, text):
    with pytest.raises(ProfileError):
        load_profile(write(tmp_path, text))


def test_profile_constructor_validates_rules_too():
    with pytest.raises(UnknownCheckError):
        Profile("p", "", {"no.such.check": {}})
    with pytest.raises(ProfileError, match="unknown parameter"):
        Profile("p", "", {"face.count": {"mni": 1}})


def test_profile_rules_are_read_only():
    profile = load_profile("icao")
    with pytest.raises(TypeError):
        profile.rules["face.count"] = {}  # type: ignore[index]


# --------------------------------------------------------------------------------------------
# extends


def test_extends_inherits_overrides_adds_and_removes(tmp_path):
    base = load_profile("icao")
    assert "pose.roll" in base.checks and "geometry.top_margin" in base.checks
    path = write(
        tmp_path,
        """
        name = "icao-kiosk"
        extends = "icao"
        [checks."pose.yaw"]
        max_abs_degrees = 2.0
        severity = "warn"
        [checks."pose.roll"]
        enabled = false
        [checks]
        "geometry.top_margin" = false
        """,
    )
    child = load_profile(path)
    assert child.name == "icao-kiosk"
    assert "pose.roll" not in child.checks
    assert "geometry.top_margin" not in child.checks
    assert child.rules["pose.yaw"] == {"max_abs_degrees": 2.0, "severity": "warn"}
    for check in set(base.checks) - {"pose.yaw", "pose.roll", "geometry.top_margin"}:
        assert child.rules[check] == base.rules[check]
    # The base profile is untouched.
    assert load_profile("icao").rules == base.rules


def test_extends_a_user_file(tmp_path):
    write(tmp_path, '[checks."face.count"]\nmin = 1\nmax = 1\n', name="base.toml")
    child = write(
        tmp_path, f'extends = "{tmp_path / "base.toml"}"\n[checks."face.count"]\nmax = 3\n'
    )
    assert rules_of(load_profile(child)) == {"face.count": {"min": 1, "max": 3}}


def test_extends_an_unknown_profile_raises(tmp_path):
    with pytest.raises(ProfileError, match=r"Did you mean 'icao'"):
        load_profile(write(tmp_path, 'extends = "icoa"\n'))


# --------------------------------------------------------------------------------------------
# with_rule / without_rule


def test_with_rule_returns_a_modified_copy():
    original = load_profile("icao")
    snapshot = rules_of(original)
    stricter = original.with_rule("pose.yaw", max_abs_degrees=1.5, severity="warn")
    assert stricter is not original
    assert stricter.rules["pose.yaw"] == {"max_abs_degrees": 1.5, "severity": "warn"}
    assert rules_of(original) == snapshot
    assert stricter.checks == original.checks  # same order
    assert stricter.name == original.name


def test_with_rule_none_removes_a_parameter_and_can_add_a_check():
    profile = Profile("p", "", {"face.count": {"min": 1, "max": 1}})
    assert rules_of(profile.with_rule("face.count", max=None)) == {"face.count": {"min": 1}}
    added = profile.with_rule("pose.roll", max_abs_degrees=8)
    assert added.checks == ("face.count", "pose.roll")


def test_with_rule_validates():
    profile = load_profile("icao")
    with pytest.raises(ProfileError, match=r"Did you mean 'max_abs_degrees'"):
        profile.with_rule("pose.yaw", max_degrees=3)
    with pytest.raises(UnknownCheckError, match=r"pose\.yaw"):
        profile.with_rule("pose.yawn", max_abs_degrees=3)
    with pytest.raises(ProfileError, match="must be a number"):
        profile.with_rule("pose.yaw", max_abs_degrees="3")


def test_without_rule():
    profile = load_profile("icao")
    smaller = profile.without_rule("pose.roll")
    assert "pose.roll" not in smaller.checks
    assert "pose.roll" in profile.checks
    with pytest.raises(UnknownCheckError, match=r"'pose\.roll'"):
        profile.without_rule("pose.rol")


# --------------------------------------------------------------------------------------------
# to_toml round trip


@pytest.mark.parametrize("name", available_profiles())
def test_to_toml_round_trips_shipped_profiles(tmp_path, name):
    profile = load_profile(name)
    again = load_profile(write(tmp_path, profile.to_toml()))
    assert again == profile
    assert again.checks == profile.checks


toml_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    name=toml_text.filter(bool),
    description=toml_text,
    yaw=st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**62), 2**62),
    allowed=st.lists(toml_text.filter(bool), min_size=1, max_size=3),
)
def test_to_toml_round_trips_arbitrary_values(tmp_path_factory, name, description, yaw, allowed):
    profile = Profile(
        name,
        description,
        {
            "pose.yaw": {"max_abs_degrees": yaw, "severity": "warn"},
            "background.colour": {"allowed": allowed},
        },
    )
    path = tmp_path_factory.mktemp("toml") / "p.toml"
    path.write_text(profile.to_toml(), encoding="utf-8")
    assert load_profile(path) == profile


# --------------------------------------------------------------------------------------------
# A user's own check in a user's own profile


def test_user_registered_check_can_be_named_in_a_toml_profile(tmp_path, temp_check, portrait):
    too_narrow = Outcome(
        "custom.width_px.small", "Use a photo at least {min} px wide (this one is {value})."
    )

    @temp_check(
        "custom.width_px",
        summary="Image width in pixels",
        passed="The image is wide enough.",
        limits=[Range("px", "min_px", None, too_low=too_narrow)],
    )
    def width(analysis):
        return {"px": analysis.width}

    assert "custom.width_px" in photocheck.available_checks()
    width_px = portrait.shape[1]
    strict = write(
        tmp_path, f'extends = "icao"\n[checks."custom.width_px"]\nmin_px = {width_px + 1}\n'
    )
    lenient = write(tmp_path, f'[checks."custom.width_px"]\nmin_px = {width_px}\n', name="ok.toml")

    result = photocheck.validate(portrait, strict)["custom.width_px"]
    assert (result.status, result.code, result.value) == ("fail", "custom.width_px.small", width_px)
    assert (
        result.message == f"Use a photo at least {width_px + 1} px wide (this one is {width_px})."
    )
    verdict = photocheck.validate(portrait, lenient)
    assert [r.check for r in verdict.results] == ["custom.width_px"]
    assert verdict.ok and verdict["custom.width_px"].code == "custom.width_px.ok"


def test_user_check_is_gone_after_the_test():
    assert "custom.width_px" not in photocheck.available_checks()


def test_registering_an_existing_id_needs_replace(temp_check):
    with pytest.raises(photocheck.PhotocheckError, match="already registered"):
        photocheck.authoring.register_check("face.count", summary="x", passed="x", limits=[])(
            lambda a: {}
        )


def test_profile_pickles_for_worker_processes():
    import pickle

    profile = photocheck.load_profile("icao").with_rule("pose.yaw", max_abs_degrees=3)
    copy = pickle.loads(pickle.dumps(profile))
    assert copy == profile
    assert copy.rules["pose.yaw"]["max_abs_degrees"] == 3
