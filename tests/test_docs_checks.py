"""docs/checks.md must list every registered check with the limits the shipped profiles set."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from photocheck import available_profiles, load_profile
from photocheck.rules import registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "checks.md"


def _table() -> tuple[list[str], list[list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split("<!-- table:start -->", 1)[1].split("<!-- table:end -->", 1)[0]
    rows = [line for line in body.strip().splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip().strip("|").split(" | ")] for row in rows]
    header, data = cells[0], [r for r in cells[2:]]
    return header, data


def _parse_limits(cell: str) -> dict[str, Any] | None:
    """``"min=1; allowed=white/blue"`` -> dict; ``"not applied"`` -> None; ``"—"`` -> {}."""
    if cell == "not applied":
        return None
    if cell == "—":
        return {}
    out: dict[str, Any] = {}
    for part in cell.split("; "):
        key, _, value = part.partition("=")
        out[key] = value
    return out


def _same(doc_value: str, rule_value: Any) -> bool:
    if isinstance(rule_value, list | tuple):
        return doc_value.split("/") == [str(v) for v in rule_value]
    if isinstance(rule_value, bool | str):
        return doc_value == str(rule_value)
    try:
        return math.isclose(float(doc_value), float(rule_value))
    except ValueError:
        return False


def test_page_lists_every_registered_check_once() -> None:
    _, rows = _table()
    ids = [row[0].strip("`") for row in rows]
    assert len(ids) == len(set(ids)), f"listed twice: {sorted(i for i in ids if ids.count(i) > 1)}"
    registered = set(registry.registered())
    assert set(ids) == registered, (
        f"missing from docs/checks.md: {sorted(registered - set(ids))}; "
        f"listed but not registered: {sorted(set(ids) - registered)}"
    )


def test_every_row_is_filled_in() -> None:
    header, rows = _table()
    for row in rows:
        assert len(row) == len(header), f"{row[0]}: {len(row)} cells, header has {len(header)}"
        assert all(cell and cell != "TODO" for cell in row), f"{row[0]} has an empty cell"


@pytest.mark.parametrize("profile_name", available_profiles())
def test_profile_limits_match_the_page(profile_name: str) -> None:
    header, rows = _table()
    column = f"`{profile_name}` limits"
    assert column in header, f"docs/checks.md has no column for profile {profile_name!r}"
    index = header.index(column)
    rules = load_profile(profile_name).rules
    for row in rows:
        check = row[0].strip("`")
        documented = _parse_limits(row[index])
        if check not in rules:
            assert documented is None, (
                f"{profile_name}: {check} is not applied, page says {row[index]!r}"
            )
            continue
        assert documented is not None, f"{profile_name}: {check} is applied, page says not applied"
        rule = dict(rules[check])
        assert set(documented) == set(rule), (
            f"{profile_name}: {check} parameters differ: page {sorted(documented)}, "
            f"profile {sorted(rule)}"
        )
        for key, value in rule.items():
            assert _same(documented[key], value), (
                f"{profile_name}: {check}.{key} is {value!r} in the profile, "
                f"{documented[key]!r} on the page"
            )


def test_parser_rejects_a_wrong_limit() -> None:
    """The comparison can fail: a changed number or list is caught."""
    assert _same("0.6", 0.6) and not _same("0.6", 0.65)
    assert _same("white/blue", ["white", "blue"]) and not _same("white", ["white", "blue"])
    assert _parse_limits("min=1; max=2") == {"min": "1", "max": "2"}
    assert _parse_limits("not applied") is None
