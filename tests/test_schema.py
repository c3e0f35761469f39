"""``docs/verdict.schema.json``: the published JSON Schema of ``Verdict.to_dict()``.

Every verdict of the bundled example photos, of generated photos with no face and with two
faces, and of the development photos (measured once, judged with every shipped profile)
must validate against it. Its per-check part (which ``limits`` keys, what type of ``value``)
comes from the registry; ``uv run python tests/test_schema.py`` rewrites the file after a
check or a parameter is added.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import photocheck
from photocheck.rules.registry import CheckSpec, OneOf, Range, registered
from photocheck.rules.verdict import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "verdict.schema.json"
EXAMPLES = ROOT / "examples" / "photos"
PHOTOS = ROOT.parent / "shared" / "data" / "photos"
SCALAR = {"type": ["number", "string", "boolean", "null"]}


def _value_schema(spec: CheckSpec) -> dict[str, Any]:
    """The type of a check's ``value``: what its limit on that value judges."""
    name = spec.value_name
    for limit in spec.limits:
        if limit.value in (name, f"abs_{name}"):
            if isinstance(limit, Range):
                return {"type": ["number", "null"]}
            if isinstance(limit, OneOf):
                return {"type": ["string", "null"]}
    return SCALAR


def _check_schema(spec: CheckSpec) -> dict[str, Any]:
    limit_value = {"type": ["number", "string", "boolean", "null", "array"]}
    return {
        "if": {"properties": {"check": {"const": spec.id}}, "required": ["check"]},
        "then": {
            "properties": {
                "code": {"pattern": f"^{spec.id.replace('.', '[.]')}[.]"},
                "value": _value_schema(spec),
                "limits": {
                    "properties": {param: limit_value for param in spec.params},
                    "required": list(spec.params),
                    "additionalProperties": False,
                },
            }
        },
    }


def build_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``Verdict.to_dict()`` for every built-in check."""
    import photocheck.checks  # noqa: F401 - registers the built-in checks

    result = {
        "type": "object",
        "required": ["check", "status", "code", "message", "value", "limits", "details", "fixable"],
        "additionalProperties": False,
        "properties": {
            "check": {"type": "string", "description": "The dotted check id."},
            "status": {"enum": ["pass", "fail", "warn", "not_assessed"]},
            "code": {
                "type": "string",
                "description": "Stable machine code: <check>.ok, <check>.borderline, "
                "<check>.not_assessed or a failure code.",
            },
            "message": {"type": "string", "description": "What the person should do."},
            "value": {
                **SCALAR,
                "description": "The check's main measured value: the same quantity and unit for "
                "a check whatever the status; null when it could not be measured.",
            },
            "limits": {
                "type": "object",
                "description": "Every parameter of the check with the profile's setting (null: "
                "not set); the same keys for a check whatever the status.",
            },
            "details": {
                "type": "object",
                "additionalProperties": SCALAR,
                "description": "The check's other measured values by name (a value that could not be measured is left out).",
            },
            "fixable": {
                "type": "boolean",
                "description": "Whether `photocheck fix` can repair it.",
            },
        },
        "allOf": [_check_schema(spec) for spec in registered().values()],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "photocheck verdict",
        "description": "Verdict.to_dict(): one profile's verdict on one photo. Regenerate with "
        "`uv run python tests/test_schema.py`.",
        "type": "object",
        "required": ["schema_version", "source", "profile", "ok", "results", "geometry"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "source": {"type": "string"},
            "profile": {"type": "string"},
            "ok": {"type": "boolean"},
            "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
            "geometry": {"type": "object"},
        },
        "$defs": {"result": result},
    }


@pytest.fixture(scope="module")
def validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _assert_valid(validator: Any, data: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, f"{data['source']}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
    )


def _verdicts(measurements: photocheck.Measurements) -> Iterator[dict[str, Any]]:
    for name in photocheck.available_profiles():
        yield photocheck.judge(measurements, name).to_dict()


def test_the_published_schema_is_the_registry_s() -> None:
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert published == build_schema(), "run `uv run python tests/test_schema.py` to update it"


def test_example_and_generated_photos_validate(validator: Any) -> None:
    photos: list[Any] = sorted(EXAMPLES.glob("*.jpg"))
    assert len(photos) >= 5
    blank = np.full((400, 300, 3), 235, dtype=np.uint8)
    import skimage.data

    astronaut = skimage.data.astronaut()
    photos += [blank, np.hstack([astronaut, astronaut[:, ::-1]])]
    statuses = set()
    for photo in photos:
        for data in _verdicts(photocheck.measure(photo)):
            _assert_valid(validator, data)
            statuses |= {r["status"] for r in data["results"]}
    # A borderline result (warn) whatever the photos give: yaw with its limit on the value.
    measured = photocheck.measure(astronaut)
    yaw = measured["pose.yaw"].values["abs_degrees"]
    borderline = photocheck.Profile("borderline", rules={"pose.yaw": {"max_abs_degrees": yaw}})
    data = photocheck.judge(measured, borderline).to_dict()
    _assert_valid(validator, data)
    statuses |= {r["status"] for r in data["results"]}
    assert statuses == {"pass", "fail", "warn", "not_assessed"}


def test_the_old_shape_is_refused(validator: Any) -> None:
    """A failure whose limits take another shape than its passes is invalid."""
    data = photocheck.judge(photocheck.measure(EXAMPLES / "head_tilted.jpg"), "icao").to_dict()
    yaw = next(r for r in data["results"] if r["check"] == "pose.yaw")
    yaw["limits"] = {"min": None, "max": 5.0}
    assert not validator.is_valid(data)
    del data["schema_version"]
    assert not validator.is_valid(data)


def test_every_development_photo_validates(validator: Any) -> None:
    """Every verdict of the development photos validates, and keeps one shape per check."""
    if not (PHOTOS / "manifest.csv").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must validate the development photos, not found at {PHOTOS}")
        pytest.skip(f"development photos not found at {PHOTOS}")
    from photocheck.batch.runner import iter_measurements
    from photocheck.evaluation.labels import read_manifest

    paths = [row["path"] for row in read_manifest(PHOTOS / "manifest.csv")]
    shapes: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    value_types: dict[str, set[str]] = {}
    count = 0
    for source, measurements, error in iter_measurements(paths, workers=1):
        assert measurements is not None, f"{source}: {error}"
        for data in _verdicts(measurements):
            _assert_valid(validator, data)
            count += 1
            for r in data["results"]:
                shapes.setdefault((data["profile"], r["check"]), set()).add(tuple(r["limits"]))
                if r["value"] is not None:
                    value_types.setdefault(r["check"], set()).add(type(r["value"]).__name__)
    assert count == len(paths) * len(photocheck.available_profiles())
    assert all(len(keys) == 1 for keys in shapes.values())
    # One quantity per check: numbers may be whole (int) or not (float), never a string too.
    assert all(not ({"str", "bool"} & types) or len(types) == 1 for types in value_types.values())


if __name__ == "__main__":
    SCHEMA_PATH.write_text(json.dumps(build_schema(), indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {SCHEMA_PATH}\n")
