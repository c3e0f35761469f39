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
from photocheck.authoring import OneOf, Outcome, Range, get_check
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


def _near_profiles(table: MeasurementTable) -> list[photocheck.Profile]:
    """Profiles whose every noisy numeric limit sits near one row's value.

    ``offset`` is in units of the limit's noise: 0.5 puts the row's value inside the
    borderline band on the failing side, -0.5 on the passing side, 1 and -1 exactly at the
    band's edges (fail, pass) and 2 clearly beyond. Each limit takes its value from another
    row, so one row mixes borderline, passing and failing limits of one check.
    """
    icao = photocheck.load_profile("icao")
    out = []
    for offset in (0.5, -0.5, 1.0, -1.0, 2.0):
        rules: dict[str, dict[str, object]] = {}
        for check, rule in icao.rules.items():
            new = dict(rule)
            for i, limit in enumerate(get_check(check).limits):
                column = f"{check}:{limit.value}"
                if not isinstance(limit, Range) or limit.noise == 0 or column not in table.columns:
                    continue
                values = table.columns[column].astype(float)
                rows = np.flatnonzero(table.present[column] & np.isfinite(values))
                if rows.size == 0:
                    continue
                value = float(values[rows[i % rows.size]])
                if limit.min_param is not None:
                    new[limit.min_param] = value + offset * limit.noise
                    if limit.max_param is not None:
                        new[limit.max_param] = value + 10 * limit.noise
                elif limit.max_param is not None:
                    new[limit.max_param] = value - offset * limit.noise
            rules[check] = new
        out.append(photocheck.Profile(f"near-{offset}", rules=rules))
    return out


def _assert_same_verdicts(table, measurements, profile) -> tuple[int, dict[str, int]]:
    """Compare judge_table with photocheck.judge row by row; return (compared, codes seen)."""
    verdicts = judge_table(table, profile)
    compared, seen = 0, {}
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
            ), (profile.name, row, result)
            kind = result.code.rsplit(".", 1)[1]
            seen[kind] = seen.get(kind, 0) + 1
            compared += 1
        assert bool(verdicts.ok[row]) == expected.ok
        # The row rebuilt from the table judges the same too.
        assert (
            photocheck.judge(table.measurements(row), profile).to_dict()["results"]
            == expected.to_dict()["results"]
        )
    return compared, seen


@pytest.mark.parametrize("index", range(5))
def test_vectorised_verdicts_equal_api_judge(measured, index):
    table, measurements = measured
    compared, _ = _assert_same_verdicts(table, measurements, _profiles()[index])
    assert compared > 50


def test_vectorised_borderline_verdicts_equal_api_judge(measured):
    """Limits placed within, at and beyond each limit's noise of real measured values."""
    table, measurements = measured
    seen: dict[str, int] = {}
    for profile in _near_profiles(table):
        compared, codes = _assert_same_verdicts(table, measurements, profile)
        assert compared > 50
        for kind, count in codes.items():
            seen[kind] = seen.get(kind, 0) + count
    assert seen.get("borderline", 0) > 20 and seen.get("ok", 0) > 20, seen
    failed = sum(n for k, n in seen.items() if k not in ("ok", "borderline", "not_assessed"))
    assert failed > 20, seen


@pytest.fixture
def noisy_check(temp_check):
    """A check with two noisy numeric limits and a categorical one."""
    low, high = (
        Outcome("test.noisy.a_low", "a {value} < {min}"),
        Outcome("test.noisy.a_high", "a high"),
    )
    temp_check(
        "test.noisy",
        summary="Two noisy values (test) and a class",
        passed="fine",
        retake="with care",
        limits=[
            Range("a", "min_a", "max_a", too_low=low, too_high=high, noise=0.25),
            Range("b", None, "max_b", too_high=Outcome("test.noisy.b_high", "b high"), noise=0.5),
            OneOf("c", "allowed", Outcome("test.noisy.c_other", "c is {value}")),
        ],
    )(lambda analysis: {})
    return {"min_a": 1.0, "max_a": 2.0, "max_b": 4.0, "allowed": ["x"]}


# a, b, c -> the code's last part (exact binary fractions: no rounding at the band edges)
NOISY_CASES = [
    (1.5, 1.0, "x", "ok"),
    (0.7, 1.0, "x", "a_low"),
    (0.75, 1.0, "x", "a_low"),  # beyond by exactly the noise
    (0.875, 1.0, "x", "borderline"),
    (1.0, 1.0, "x", "borderline"),  # at the limit
    (1.125, 1.0, "x", "borderline"),
    (1.25, 1.0, "x", "ok"),  # inside by exactly the noise
    (1.875, 1.0, "x", "borderline"),
    (2.125, 1.0, "x", "borderline"),
    (2.25, 1.0, "x", "a_high"),
    (math.nan, 1.0, "x", "ok"),
    (1.5, 4.25, "x", "borderline"),
    (1.0, 4.5, "x", "b_high"),  # a borderline, b clearly beyond: fails
    (2.5, 3.75, "x", "a_high"),  # a clearly beyond, b borderline: fails
    (1.0, 1.0, "y", "c_other"),  # a categorical limit has no noise
    (1.0, None, "x", "not_assessed"),  # a missing value after a borderline one
    (0.5, None, "x", "a_low"),  # a fails before b is looked at
]


@pytest.mark.parametrize("severity", [None, "warn"])
def test_borderline_cases_are_judged_alike_by_both_paths(noisy_check, severity):
    rule = dict(noisy_check) | ({"severity": severity} if severity else {})
    profile = photocheck.Profile("p", rules={"test.noisy": rule})
    records = [
        {"source": str(i), "test.noisy:a": a, "test.noisy:b": b, "test.noisy:c": c}
        for i, (a, b, c, _) in enumerate(NOISY_CASES)
    ]
    table = MeasurementTable.from_records(records)
    verdicts = judge_table(table, profile).checks["test.noisy"]
    for row, (*_, kind) in enumerate(NOISY_CASES):
        result = photocheck.judge(table.measurements(row), profile)["test.noisy"]
        status = {"ok": "pass", "borderline": "warn", "not_assessed": "not_assessed"}.get(
            kind, severity or "fail"
        )
        assert (result.status, result.code) == (status, f"test.noisy.{kind}"), NOISY_CASES[row]
        assert (verdicts.status[row], verdicts.code[row]) == (
            ["pass", "warn", "fail", "not_assessed"].index(status),
            result.code,
        )
        if kind == "borderline":
            assert result.message.startswith("This is close to the limit (two noisy values")
            assert result.message.endswith("a retake with care is safer.")
            # Every parameter of the check, whichever limit is borderline.
            assert result.limits == {"min_a": 1.0, "max_a": 2.0, "max_b": 4.0, "allowed": ["x"]}
    # The normalised score is above 1 exactly on the rows the limits reject, and limits_at
    # moves the limits so that judging at them rejects exactly the scores above the cut-off.
    scores = check_scores(table, "test.noisy", rule)
    rejected = np.array([k not in ("ok", "borderline") for *_, k in NOISY_CASES])
    assert np.array_equal(scores > 1.0, rejected)
    for t in (0.6, 1.5, 3.0):  # no case sits exactly on a moved band's edge
        moved = profile.with_rule("test.noisy", **limits_at("test.noisy", rule, t))
        codes = judge_table(table, moved).checks["test.noisy"].code
        accepted = np.isin(codes, ["test.noisy.ok", "test.noisy.borderline"])
        assert np.array_equal(~accepted, scores > t), t


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


def test_a_reference_check_without_a_reference_is_left_out_like_judge(measured):
    """identity.same_person needs a reference photo: with none measured it is not judged."""
    table, measurements = measured
    profile = photocheck.load_profile("icao")
    assert "identity.same_person" in profile.checks
    verdicts = judge_table(table, profile)
    assert "identity.same_person" not in verdicts.checks
    for row, m in enumerate(measurements):
        if m is not None:
            assert bool(verdicts.ok[row]) == photocheck.judge(m, profile).ok
    # With comparisons in the table, the check is judged, the reference rules included.
    rows = [
        {"source": "same", "identity.same_person:distance": 0.3,
         "identity.same_person:reference_readable": 1, "identity.same_person:reference_faces": 1},
        {"source": "other", "identity.same_person:distance": 0.9,
         "identity.same_person:reference_readable": 1, "identity.same_person:reference_faces": 1},
        {"source": "group", "identity.same_person:distance": math.nan,
         "identity.same_person:reference_readable": 1, "identity.same_person:reference_faces": 3},
    ]  # fmt: skip
    pairs = judge_table(MeasurementTable.from_records(rows), profile)
    check = pairs.checks["identity.same_person"]
    assert [check.codes[i] for i in check.code_index] == [
        "identity.same_person.ok",
        "identity.same_person.different_person",
        "identity.same_person.reference_no_single_face",
    ]


def test_scores_cross_one_exactly_where_the_profile_rejects(measured):
    table, _ = measured
    profile = photocheck.load_profile("icao")
    verdicts = judge_table(table, profile)
    for check, rule in profile.rules.items():
        if check not in verdicts.checks:  # identity.same_person: nothing compared
            continue
        scores = check_scores(table, check, rule)
        with np.errstate(invalid="ignore"):
            rejected = scores > 1.0
        # Rejected by the limits: failed, not assessed, or warned by a severity = "warn" rule
        # (a borderline warning is accepted by the limits).
        by_limits = ~np.isin(verdicts.checks[check].code, [f"{check}.ok", f"{check}.borderline"])
        assert np.array_equal(rejected, by_limits), check


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
                "pose.pitch:degrees": 0.0,  # icao bounds the signed pitch
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
    # Judging rejects only values below the limit by its noise or more (the borderline band).
    noise = get_check("sharpness").limits[0].noise
    profile = photocheck.Profile("t", rules={"sharpness": {"min": 0.55 + noise}})
    before = evaluate(table, None, profile)["sharpness"]
    assert before.frr > 0.2  # the starting limit rejects too many good photos
    tuned, report = tune(table, None, profile, target_frr=0.02)
    after = evaluate(table, None, tuned)["sharpness"]
    assert after.frr <= 0.02 and after.far > before.far
    assert report["sharpness"]["after"]["frr"] == pytest.approx(after.frr)
    new_min = tuned.rules["sharpness"]["min"]
    cut = new_min - noise
    assert (
        np.mean(good <= cut) <= 0.02 and np.mean(good <= cut - 0.02) < np.mean(good <= cut) + 1e-9
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
    assert "too few photos" in report["sharpness"]["skipped"]


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
