"""Measurement tables, vectorised re-judging, evaluation figures and tuning.

Inputs: the astronaut-derived arrays of conftest (public domain) and a few real photos of
../shared/data/photos read in place (skipped when absent), measured once per session.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import photocheck
from photocheck.batch.table import MeasurementTable, measure_many, read_table
from photocheck.evaluation.rejudge import check_scores, judge_table, limits_at
from photocheck.evaluation.synthetic import make_variant
from photocheck.evaluation.tuning import evaluate, tune

from .conftest import SYNTHETIC_INPUTS, real_photos


@pytest.fixture(scope="session")
def measured() -> tuple[MeasurementTable, list[photocheck.Measurements | None]]:
    """Synthetic inputs, a few variants of the portrait and a few real photos, measured once."""
    from photocheck.batch.runner import iter_measurements

    portrait = SYNTHETIC_INPUTS["portrait"]()
    photos: list[object] = [make() for make in SYNTHETIC_INPUTS.values()]
    photos += [
        make_variant(portrait, n, s).image for n, s in (("rotation", 12), ("crop.too_loose", 1.6))
    ]
    photos += [str(p) for p in real_photos(4)]
    photos.append(b"not an image")
    items = list(iter_measurements(photos, workers=1))
    return MeasurementTable.from_measurements(items), [m for _, m, _ in items]


def _profiles() -> list[photocheck.Profile]:
    out = [photocheck.load_profile(name) for name in photocheck.available_profiles()]
    icao = out[0]
    out.append(icao.with_rule("sharpness", min=0.9, severity="warn"))
    out.append(icao.with_rule("geometry.face_width", min_ratio=0.1, max_ratio=0.3))
    out.append(
        icao.with_rule("background.colour", allowed=["light_grey"]).with_rule(
            "pose.roll", max_abs_degrees=1.0
        )
    )
    return out


@pytest.mark.parametrize("index", range(5))
def test_vectorised_verdicts_equal_api_judge(measured, index):
    table, measurements = measured
    profile = _profiles()[index]
    verdicts = judge_table(table, profile)
    compared = 0
    for row, m in enumerate(measurements):
        if m is None:
            assert all(v.status[row] == 3 for v in verdicts.checks.values())
            assert not verdicts.ok[row]
            continue
        expected = photocheck.judge(m, profile)
        for result in expected.results:
            got = verdicts.checks[result.check]
            assert (verdicts.status_names(result.check)[row], got.code[row]) == (
                result.status,
                result.code,
            )
            compared += 1
        assert bool(verdicts.ok[row]) == expected.ok
        # The row rebuilt from the table judges the same too.
        assert (
            photocheck.judge(table.measurements(row), profile).to_dict()["results"]
            == expected.to_dict()["results"]
        )
    assert compared > 50


def test_a_check_missing_from_the_table_is_not_assessed_like_judge(measured, temp_check):
    table, measurements = measured

    @temp_check("test.later", summary="Registered after measuring", passed="fine", limits=[])
    def later(analysis):
        return {}

    profile = photocheck.Profile("p", rules={"test.later": {}, "face.count": {"min": 1}})
    verdicts = judge_table(table, profile)
    for row, m in enumerate(measurements):
        if m is not None:
            assert photocheck.judge(m, profile)["test.later"].status == "not_assessed"
            assert verdicts.status_names("test.later")[row] == "not_assessed"


def test_scores_cross_one_exactly_where_the_profile_rejects(measured):
    table, _ = measured
    profile = photocheck.load_profile("icao")
    verdicts = judge_table(table, profile)
    for check, rule in profile.rules.items():
        scores = check_scores(table, check, rule)
        with np.errstate(invalid="ignore"):
            rejected = scores > 1.0
        assert np.array_equal(rejected, ~verdicts.passed(check)), check


def test_limits_at_one_are_the_profile_and_widen_above_one():
    rule = {
        "min_mean": 60.0,
        "max_mean": 215.0,
        "max_dark_fraction": 0.1,
        "max_bright_fraction": 0.1,
    }
    assert limits_at("exposure", rule, 1.0) == pytest.approx(rule)
    wide = limits_at("exposure", rule, 1.5)
    assert wide["min_mean"] < 60.0 and wide["max_mean"] > 215.0 and wide["max_dark_fraction"] > 0.1
    assert limits_at("sharpness", {"min": 0.45}, 0.5)["min"] == pytest.approx(0.45 + 0.5 * 0.45)


def test_table_round_trips_through_csv_parquet_and_pandas(measured, tmp_path):
    table, _ = measured
    extra = MeasurementTable.from_records(
        [
            {
                "source": "x",
                "meta:flag": True,
                "meta:n": 3,
                "meta:txt": "",
                "meta:obj": [1, 2],
                "a:v": math.nan,
            },
            {
                "source": "y",
                "meta:flag": None,
                "meta:n": None,
                "meta:txt": '"q"',
                "meta:obj": None,
                "a:v": None,
            },
        ]
    )
    for t in (table, extra):
        for name in ("t.csv", "t.parquet"):
            back = read_table(t.write(tmp_path / name))
            assert back.kinds == t.kinds
            assert _same(back.to_records(), t.to_records())
        assert _same(MeasurementTable.from_pandas(t.to_pandas()).to_records(), t.to_records())
    assert extra.kinds["meta:flag"] == "bool" and extra.kinds["meta:n"] == "int"
    records = read_table(extra.write(tmp_path / "e.csv")).to_records()
    assert records[0]["meta:txt"] == "" and records[1]["meta:txt"] == '"q"'
    assert math.isnan(records[0]["a:v"]) and records[1]["a:v"] is None


def _same(a: list[dict], b: list[dict]) -> bool:
    def norm(v: object) -> object:
        return "NaN" if isinstance(v, float) and math.isnan(v) else v

    return [{k: norm(v) for k, v in r.items()} for r in a] == [
        {k: norm(v) for k, v in r.items()} for r in b
    ]


def test_table_has_one_row_per_photo_with_errors(measured):
    table, measurements = measured
    assert len(table) == len(measurements)
    errors = [table.value("error", i) for i in range(len(table))]
    assert errors[-1] is not None and errors[-1].startswith("InvalidImageError")
    assert all(e is None for e in errors[:-1])
    assert "sharpness:sharpness" in table.names and table.kinds["face.count:count"] == "int"
    assert table.value("face.count:count", 2) == 0  # the blank image has no face
    assert table.value("sharpness:reason", 2)


def test_measure_many_matches_measure(portrait):
    table = measure_many([portrait], workers=1, extra=[{"meta:id": "p"}])
    direct = photocheck.measure(portrait).flat()
    row = table.to_records()[0]
    assert row["meta:id"] == "p"
    assert {k: row[k] for k in direct} == direct


def test_evaluate_counts_rates_and_eer_by_hand():
    values = [0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    labels = [{"sharpness": ok} for ok in (True, True, True, False, True, False, False, False)]
    table = MeasurementTable.from_records(
        [{"source": str(i), "sharpness:sharpness": v} for i, v in enumerate(values)]
    )
    profile = photocheck.Profile("t", rules={"sharpness": {"min": 0.45}})
    e = evaluate(table, labels, profile)["sharpness"]
    # min 0.45: passes 0.9, 0.8, 0.6, 0.5; compliant are 0.9, 0.8, 0.6, 0.4.
    assert (e.true_accepts, e.false_rejects, e.true_rejects, e.false_accepts) == (3, 1, 3, 1)
    assert e.frr == 0.25 and e.far == 0.25 and e.balanced_accuracy == 0.75
    assert e.eer == 0.25
    # ROC: FAR rises and FRR falls as the cut-off loosens; ends at accept-all.
    fars = [p[1] for p in e.roc]
    frrs = [p[2] for p in e.roc]
    assert fars == sorted(fars) and frrs == sorted(frrs, reverse=True)
    assert (fars[0], frrs[0], fars[-1], frrs[-1]) == (0.0, 1.0, 1.0, 0.0)


def test_evaluate_separable_scores_have_zero_eer_and_groups_combine_checks():
    rows, labels = [], []
    for i, (roll, yaw, ok) in enumerate(
        [(1, 1, True), (2, 3, True), (12, 1, False), (1, 14, False)]
    ):
        rows.append(
            {
                "source": str(i),
                "pose.roll:abs_degrees": roll,
                "pose.yaw:abs_degrees": yaw,
                "pose.pitch:abs_degrees": 0.0,
            }
        )
        labels.append({"frontal": "yes" if ok else "no", "n_faces": "1"})
    e = evaluate(MeasurementTable.from_records(rows), labels, "icao")
    pose = e["pose"]
    assert pose.checks == ("pose.yaw", "pose.pitch", "pose.roll")
    assert (pose.compliant, pose.non_compliant, pose.frr, pose.far, pose.eer) == (
        2,
        2,
        0.0,
        0.0,
        0.0,
    )


def test_labels_may_be_manifest_rows_or_verdicts_per_group():
    table = MeasurementTable.from_records(
        [{"source": str(i), "exposure:mean": m, "exposure:dark_fraction": 0.0, "exposure:bright_fraction": 0.0}
         for i, m in enumerate((120.0, 20.0, 250.0))]
    )  # fmt: skip
    profile = photocheck.Profile("t", rules={"exposure": {"min_mean": 60.0, "max_mean": 215.0}})
    as_groups = [{"exposure": "pass"}, {"exposure": False}, {"exposure": "fail"}]
    as_manifest = [{"n_faces": "1", "exposure": x} for x in ("ok", "dark", "bright")]
    for labels in (as_groups, as_manifest):
        e = evaluate(table, labels, profile)["exposure"]
        assert (e.true_accepts, e.true_rejects, e.false_accepts, e.false_rejects) == (1, 2, 0, 0)


def test_tune_meets_the_target_on_its_data_and_roundtrips_as_toml(tmp_path):
    rng = np.random.default_rng(0)
    good = rng.normal(0.6, 0.08, 200)
    bad = rng.normal(0.35, 0.08, 200)
    table = MeasurementTable.from_records(
        [{"source": str(i), "sharpness:sharpness": float(v), "label:sharpness": lab}
         for i, (v, lab) in enumerate([(v, "pass") for v in good] + [(v, "fail") for v in bad])]
    )  # fmt: skip
    profile = photocheck.Profile("t", rules={"sharpness": {"min": 0.55}})
    before = evaluate(table, None, profile)["sharpness"]
    assert before.frr > 0.2  # the starting limit rejects too many good photos
    tuned, report = tune(table, None, profile, target_frr=0.02)
    after = evaluate(table, None, tuned)["sharpness"]
    assert after.frr <= 0.02 and after.far > before.far
    assert report["sharpness"]["after"]["frr"] == pytest.approx(after.frr)
    new_min = tuned.rules["sharpness"]["min"]
    assert (
        np.mean(good < new_min) <= 0.02
        and np.mean(good < new_min - 0.02) < np.mean(good < new_min) + 1e-9
    )
    saved = tmp_path / "tuned.toml"
    saved.write_text(tuned.to_toml(), encoding="utf-8")
    assert photocheck.load_profile(saved).rules["sharpness"]["min"] == new_min
    at_eer, _ = tune(table, None, profile, eer=True)
    e = evaluate(table, None, at_eer)["sharpness"]
    assert abs(e.frr - e.far) <= 0.02 and e.frr == pytest.approx(before.eer, abs=0.02)
    # the page's "limits at the EER" are what tune(eer=True) writes (up to the half-step)
    assert before.eer_limits["sharpness"]["min"] == pytest.approx(
        at_eer.rules["sharpness"]["min"], abs=0.01
    )


def test_tune_refuses_ambiguous_targets_and_skips_thin_groups():
    table = MeasurementTable.from_records(
        [{"source": "a", "sharpness:sharpness": 0.5, "label:sharpness": "pass"}]
    )
    with pytest.raises(photocheck.PhotocheckError, match="exactly one"):
        tune(table, None, "icao")
    _, report = tune(table, None, "icao", target_frr=0.1)
    assert "fewer than" in report["sharpness"]["skipped"]


def test_cli_evaluate_and_tune_on_a_tiny_manifest(tmp_path, capsys):
    from PIL import Image

    from photocheck.cli.main import main

    (tmp_path / "img").mkdir()
    rows = ["file,n_faces,background,frontal,sharp,exposure"]
    for name, label in (
        ("portrait", "1,busy,yes,yes,ok"),
        ("blank", "0,plain_light_other,na,unsure,unsure"),
    ):
        Image.fromarray(SYNTHETIC_INPUTS[name]()).save(tmp_path / "img" / f"{name}.png")
        rows.append(f"{name}.png,{label}")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = tmp_path / "m.csv"
    out = tmp_path / "out.json"
    args = ["evaluate", str(manifest), "--workers", "1", "--table", str(table), "-o", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "| face.count | 1 | 1 |" in text and "background.uniformity" in text
    figures = json.loads(out.read_text())["real"]
    assert figures["photos"] == 2
    face = next(c for c in figures["checks"] if c["group"] == "face.count")
    # from "reject everything" to the loosest finite cut-off (no face always rejects: score inf)
    assert face["roc"][0] == [None, 0.0, 1.0] and face["roc"][-1][1:] == [0.0, 0.0]
    assert table.is_file() and Path(str(table) + ".schema.json").is_file()
    # The second run re-judges the saved table (the photos are gone).
    for png in (tmp_path / "img").iterdir():
        png.unlink()
    assert main([*args[:-2], "-o", str(tmp_path / "out.csv")]) == 0
    assert "face.count" in (tmp_path / "out.csv").read_text()
    toml = tmp_path / "t.toml"
    assert main(["tune", str(manifest), "--table", str(table), "--eer", "-o", str(toml)]) == 0
    assert photocheck.load_profile(toml).name == "icao-tuned"
    assert main(["evaluate", str(tmp_path / "missing.csv")]) == 2
