"""Profiles: named rule sets (TOML) that say which checks apply and with which limits."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import ProfileError, UnknownCheckError, suggest
from .registry import OneOf, Range, get_check

__all__ = ["Profile", "available_profiles", "load_profile"]

_TOP_LEVEL_KEYS = ("name", "description", "extends", "background_colours", "checks")
_SEVERITIES = ("fail", "warn")


@dataclass(frozen=True)
class Profile:
    """A validated rule set.

    Attributes
    ----------
    name : str
        The profile's name.
    description : str
        What the profile is for and where its numbers come from.
    rules : Mapping[str, Mapping[str, Any]]
        Check id -> parameters, in the order results are reported. Every check listed is
        applied; a parameter that is absent leaves that side of the limit open.
    background_colours : Mapping[str, tuple of int]
        Named plain background colours (sRGB 0-255) that ``photocheck fix --background``
        may paint, e.g. ``{"white": (255, 255, 255)}``.
    """

    name: str
    description: str = ""
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    background_colours: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checked = {
            check: _validate_rule(self.name, check, rule) for check, rule in self.rules.items()
        }
        object.__setattr__(self, "rules", MappingProxyType(checked))
        colours = _validate_colours(self.name, self.background_colours)
        object.__setattr__(self, "background_colours", MappingProxyType(colours))

    def __reduce__(self) -> tuple[type[Profile], tuple[Any, ...]]:
        # MappingProxyType cannot be pickled; rebuild from plain dicts (worker processes).
        rules = {c: dict(r) for c, r in self.rules.items()}
        return (Profile, (self.name, self.description, rules, dict(self.background_colours)))

    @property
    def checks(self) -> tuple[str, ...]:
        """The ids of the checks this profile applies."""
        return tuple(self.rules)

    def with_rule(self, check: str, **params: Any) -> Profile:
        """Return a copy with ``check``'s parameters updated (or the check added).

        Parameters
        ----------
        check : str
            A registered check id.
        **params
            Parameters to set, e.g. ``min_ratio=0.65``; ``None`` removes a parameter.

        Returns
        -------
        Profile
            A new profile; this one is unchanged.

        Examples
        --------
        >>> import photocheck
        >>> strict = photocheck.load_profile("icao").with_rule("pose.yaw", max_abs_degrees=3)
        >>> strict.rules["pose.yaw"]["max_abs_degrees"]
        3
        """
        rule = dict(self.rules.get(check, {}))
        for key, value in params.items():
            if value is None:
                rule.pop(key, None)
            else:
                rule[key] = value
        rules = dict(self.rules)
        rules[check] = rule
        return Profile(self.name, self.description, rules, self.background_colours)

    def without_rule(self, check: str) -> Profile:
        """Return a copy that no longer applies ``check``."""
        if check not in self.rules:
            raise UnknownCheckError(
                f"profile {self.name!r} has no rule for {check!r}.{suggest(check, self.rules)}"
            )
        return Profile(
            self.name,
            self.description,
            {c: r for c, r in self.rules.items() if c != check},
            self.background_colours,
        )

    def to_toml(self) -> str:
        """Return the profile as TOML text that :func:`load_profile` reads back."""
        lines = [
            f"name = {_toml_value(self.name)}",
            f"description = {_toml_value(self.description)}",
        ]
        if self.background_colours:
            lines += ["", "[background_colours]"]
            lines += [f"{k} = {_toml_value(list(v))}" for k, v in self.background_colours.items()]
        for check, rule in self.rules.items():
            lines.append("")
            lines.append(f'[checks."{check}"]')
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in rule.items())
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_toml_char(ch) for ch in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ProfileError(f"cannot write {value!r} ({type(value).__name__}) to TOML")


def _toml_char(ch: str) -> str:
    """Escape one character for a TOML basic string (control characters are not allowed)."""
    if ch in '"\\':
        return "\\" + ch
    if ch == "\n":
        return "\\n"
    if (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
        return f"\\u{ord(ch):04x}"
    return ch


def _validate_colours(profile: str, colours: Mapping[str, Any]) -> dict[str, tuple[int, int, int]]:
    if not isinstance(colours, Mapping):
        raise ProfileError(f"profile {profile!r}: [background_colours] must be a table")
    out = {}
    for name, value in colours.items():
        if (
            not isinstance(value, list | tuple)
            or len(value) != 3
            or not all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value
            )
        ):
            raise ProfileError(
                f"profile {profile!r}: background colour {name!r} must be three integers "
                f"0-255 (red, green, blue), got {value!r}"
            )
        out[str(name)] = (int(value[0]), int(value[1]), int(value[2]))
    return out


def _validate_rule(profile: str, check: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    try:
        spec = get_check(check)
    except UnknownCheckError as exc:
        raise UnknownCheckError(f"profile {profile!r}: {exc}") from None
    if not isinstance(rule, Mapping):
        raise ProfileError(f"profile {profile!r}: the rule for {check!r} must be a table")
    out: dict[str, Any] = {}
    kinds = {p: limit for limit in spec.limits for p in limit.params}
    for key, value in rule.items():
        if key == "severity":
            if value not in _SEVERITIES:
                raise ProfileError(
                    f"profile {profile!r}, check {check!r}: severity must be one of "
                    f"{list(_SEVERITIES)}, got {value!r}"
                )
        elif key not in kinds:
            valid = [*kinds, "severity"]
            raise ProfileError(
                f"profile {profile!r}, check {check!r}: unknown parameter {key!r}."
                f"{suggest(key, valid)} Valid parameters: {', '.join(valid)}"
            )
        elif isinstance(kinds[key], Range):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProfileError(
                    f"profile {profile!r}, check {check!r}: {key} must be a number, got {value!r}"
                )
        elif isinstance(kinds[key], OneOf):
            if not isinstance(value, list | tuple) or not value:
                raise ProfileError(
                    f"profile {profile!r}, check {check!r}: {key} must be a non-empty list, "
                    f"got {value!r}"
                )
            value = list(value)
        out[key] = value
    return out


@functools.lru_cache(maxsize=1)
def available_profiles() -> tuple[str, ...]:
    """Return the names of the profiles shipped with photocheck."""
    folder = resources.files("photocheck.rules") / "profiles"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def load_profile(name_or_path: str | Path | Profile) -> Profile:
    """Load a shipped profile by name, or a user's TOML file by path.

    Parameters
    ----------
    name_or_path : str, Path or Profile
        A shipped profile name (see :func:`available_profiles`), a path to a TOML file, or a
        profile (returned as is).

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        Unknown name (the closest names are suggested), unreadable file, unknown keys or
        parameters, or values of the wrong type.

    Examples
    --------
    >>> import photocheck
    >>> "pose.yaw" in photocheck.load_profile("icao").checks
    True
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    if not isinstance(name_or_path, str | Path):
        raise ProfileError(
            f"a profile must be a name, a path or a Profile, got {type(name_or_path).__name__}"
        )
    if isinstance(name_or_path, str) and name_or_path in available_profiles():
        return _load_shipped(name_or_path)
    return _load_from_text(name_or_path)


@functools.cache
def _load_shipped(name: str) -> Profile:
    # Shipped profiles cannot change while the process runs, and Profile is immutable.
    return _load_from_text(name)


def _load_from_text(name_or_path: str | Path) -> Profile:
    text, origin = _read_profile_text(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin} is not valid TOML: {exc}") from None
    return _profile_from_data(data, origin, default_name=Path(str(name_or_path)).stem)


def _read_profile_text(name_or_path: str | Path) -> tuple[str, str]:
    shipped = available_profiles()
    if isinstance(name_or_path, str) and name_or_path in shipped:
        folder = resources.files("photocheck.rules") / "profiles"
        return (folder / f"{name_or_path}.toml").read_text(
            encoding="utf-8"
        ), f"profile {name_or_path!r}"
    path = Path(name_or_path)
    if path.suffix.lower() == ".toml" or path.exists():
        try:
            return path.read_text(encoding="utf-8"), f"profile file {str(path)!r}"
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"cannot read profile file {str(path)!r}: {exc}") from None
    raise ProfileError(
        f"unknown profile {str(name_or_path)!r}.{suggest(str(name_or_path), shipped)} "
        f"Shipped profiles: {', '.join(shipped)}; or give the path of a .toml file."
    )


def _profile_from_data(data: Mapping[str, Any], origin: str, default_name: str) -> Profile:
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise ProfileError(
                f"{origin}: unknown key {key!r}.{suggest(key, _TOP_LEVEL_KEYS)} "
                f"Valid keys: {', '.join(_TOP_LEVEL_KEYS)}"
            )
    rules: dict[str, dict[str, Any]] = {}
    colours: dict[str, Any] = {}
    if "extends" in data:
        base = data["extends"]
        if not isinstance(base, str):
            raise ProfileError(f"{origin}: extends must be a profile name or path, got {base!r}")
        parent = load_profile(base)
        rules = {c: dict(r) for c, r in parent.rules.items()}
        colours = dict(parent.background_colours)
    named = data.get("background_colours", {})
    if not isinstance(named, Mapping):
        raise ProfileError(f"{origin}: [background_colours] must be a table")
    colours.update(named)
    checks = data.get("checks", {})
    if not isinstance(checks, Mapping):
        raise ProfileError(f"{origin}: [checks] must be a table of tables")
    for check, rule in checks.items():
        if rule is False or (isinstance(rule, Mapping) and rule.get("enabled") is False):
            rules.pop(check, None)
            continue
        if not isinstance(rule, Mapping):
            raise ProfileError(f"{origin}: checks.{check} must be a table, got {rule!r}")
        merged = {**rules.get(check, {}), **rule}
        merged.pop("enabled", None)
        rules[check] = merged
    name = data.get("name", default_name)
    description = data.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ProfileError(f"{origin}: name and description must be strings")
    try:
        return Profile(name, description, rules, colours)
    except ProfileError as exc:
        raise type(exc)(f"{origin}: {exc}") from None
