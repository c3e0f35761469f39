"""The ``photocheck`` command line: exit statuses, JSON output, listings and safe output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import photocheck
from photocheck.cli.main import main

ESC = "\x1b"


@pytest.fixture(scope="module")
def lenient(tmp_path_factory) -> Path:
    """A profile that only asks for exactly one face (independent of tuned thresholds)."""
    path = tmp_path_factory.mktemp("profiles") / "one-face.toml"
    path.write_text(
        'name = "one-face"\n[checks."face.count"]\nmin = 1\nmax = 1\n', encoding="utf-8"
    )
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str) -> None:
    assert err.startswith("photocheck: error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err


# --------------------------------------------------------------------------------------------
# Exit statuses


def test_exit_0_when_every_photo_passes(capsys, photo_files, lenient):
    status, out, err = run(capsys, "check", photo_files["portrait"], "--profile", lenient)
    assert status == 0, out + err
    assert "portrait.png: accepted (one-face)" in out
    assert "face.count" in out
    assert err == ""


def test_exit_1_when_a_photo_fails(capsys, photo_files, lenient):
    status, out, err = run(capsys, "check", photo_files["blank"], "--profile", lenient)
    assert status == 1
    assert "blank.png: REJECTED (one-face)" in out
    assert "FAIL" in out and "No face was found" in out
    assert err == ""


def test_exit_1_when_any_of_several_photos_fails(capsys, photo_files, lenient):
    status, out, _ = run(
        capsys, "check", photo_files["portrait"], photo_files["blank"], "-p", lenient
    )
    assert status == 1
    assert "portrait.png: accepted" in out and "blank.png: REJECTED" in out


def test_no_face_is_reported_once_and_json_keeps_every_check(capsys, photo_files):
    status, out, _ = run(capsys, "check", photo_files["blank"])  # default profile: icao
    assert status == 1
    verdict = photocheck.validate(photo_files["blank"], "icao")
    skipped = [r.check for r in verdict.results if r.status == "not_assessed"]
    assert len(skipped) > 20
    lines = out.splitlines()
    assert lines[0] == "blank.png: REJECTED (icao)"
    assert out.count("No face was found") == 1
    assert out.count("no face was found") == 1  # one n/a line instead of one per check
    (grouped,) = [line for line in lines if line.startswith("  n/a ")]
    assert f"{len(skipped)} checks" in grouped
    assert len(lines) == 1 + len(verdict.results) - len(skipped) + 1
    for result in verdict.results:
        if result.status != "not_assessed":
            assert f" {result.check} " in out
    status, out, _ = run(capsys, "check", photo_files["blank"], "--json")
    assert [r["check"] for r in json.loads(out)["results"]] == [r.check for r in verdict.results]


def test_a_single_check_not_assessed_keeps_its_own_line():
    from io import StringIO

    from photocheck.cli.main import _print_verdict

    data = {
        "source": "a.jpg", "profile": "p", "ok": False,
        "results": [
            {"check": "x.a", "status": "not_assessed", "message": "Could not check this (a): too dark."},
            {"check": "x.b", "status": "not_assessed", "message": "Could not check this (b): no face."},
            {"check": "x.c", "status": "not_assessed", "message": "Could not check this (c): no face."},
        ],
    }  # fmt: skip
    out = StringIO()
    _print_verdict(data, out)
    assert out.getvalue().splitlines()[1:] == [
        "  n/a  x.a                      Could not check this (a): too dark.",
        "  n/a  2 checks                 Not checked: no face (x.b, x.c)",
    ]


def test_failures_only_hides_the_passing_checks(capsys, photo_files):
    status, full, _ = run(capsys, "check", photo_files["portrait"])
    verdict = photocheck.validate(photo_files["portrait"], "icao")
    passing = [r.check for r in verdict.results if r.status == "pass"]
    assert passing and status == 1
    status, out, _ = run(capsys, "check", photo_files["portrait"], "--failures-only")
    assert status == 1
    assert out.splitlines()[0] == full.splitlines()[0]  # the headline stays
    assert not any(f" {check} " in out for check in passing)
    assert all(f" {r.check} " in out for r in verdict.results if r.status in ("fail", "warn"))
    status, out, _ = run(capsys, "check", photo_files["portrait"], "--failures-only", "--json")
    kept = json.loads(out)["results"]
    assert kept and all(r["status"] != "pass" for r in kept)


def test_check_takes_folders_and_globs(capsys, photo_files, lenient):
    folder = photo_files["portrait"].parent
    status, out, err = run(capsys, "check", folder, "-p", lenient)
    assert status == 1 and err == ""
    assert "blank.png: REJECTED" in out and "portrait.png: accepted" in out
    status, out, _ = run(capsys, "check", folder / "por*.png", "-p", lenient)
    assert status == 0 and out.startswith("portrait.png: accepted") and "blank.png" not in out


def test_a_glob_that_matches_nothing_exits_2(capsys, tmp_path):
    status, out, err = run(capsys, "check", tmp_path / "*.jpg")
    assert status == 2 and out == ""
    assert_one_line_error(err)
    assert "no files match" in err


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out == f"photocheck {photocheck.__version__}\n"


def test_help_documents_the_exit_statuses(capsys):
    for argv in (["--help"], ["check", "--help"]):
        status, out, _ = run(capsys, *argv)
        assert status == 0
        assert "exit status (check, batch, report, fix)" in out
        assert "1    any photo fails" in out and "141" in out


def test_report_exits_1_when_a_photo_fails(capsys, photo_files, lenient, tmp_path):
    target = tmp_path / "report.html"
    status, out, err = run(capsys, "report", photo_files["portrait"], "-o", target, "-p", lenient)
    assert (status, err) == (0, "") and target.exists()
    folder = photo_files["portrait"].parent
    status, out, err = run(capsys, "report", folder, "-o", target, "-p", lenient)
    assert (status, err) == (1, "")
    assert "1 passed, 1 failed" in out and target.exists()


def test_unknown_profile_exits_2_with_a_one_line_reason(capsys, photo_files):
    status, out, err = run(capsys, "check", photo_files["portrait"], "--profile", "icoa")
    assert status == 2
    assert out == ""
    assert_one_line_error(err)
    assert "'icoa'" in err and "Did you mean 'icao'" in err


def test_bad_profile_file_exits_2(capsys, photo_files, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[checks."face.count"]\nminimum = 1\n', encoding="utf-8")
    status, _, err = run(capsys, "check", photo_files["portrait"], "--profile", bad)
    assert status == 2
    assert_one_line_error(err)
    assert "'minimum'" in err


def test_missing_file_exits_2_with_a_one_line_reason(capsys, tmp_path):
    missing = tmp_path / "nope.jpg"
    status, out, err = run(capsys, "check", missing)
    assert status == 2
    assert out == ""
    assert_one_line_error(err)
    assert "nope.jpg" in err


def test_a_missing_file_does_not_stop_the_others(capsys, photo_files, lenient, tmp_path):
    status, out, err = run(
        capsys, "check", tmp_path / "nope.jpg", photo_files["portrait"], "-p", lenient
    )
    assert status == 2  # an input error outranks the passes
    assert "portrait.png: accepted" in out
    assert_one_line_error(err)


def test_a_file_that_is_not_an_image_exits_2(capsys, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a photo\n", encoding="utf-8")
    status, _, err = run(capsys, "check", text)
    assert status == 2
    assert_one_line_error(err)


@pytest.mark.parametrize("argv", [[], ["check"], ["frobnicate"], ["check", "x.jpg", "--bogus"]])
def test_usage_errors_exit_2(capsys, argv):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "usage:" in err


def test_help_exits_0(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "check" in out and "profiles" in out


# --------------------------------------------------------------------------------------------
# JSON


@pytest.mark.parametrize("profile", ["icao", "cn-social-security"])
def test_json_output_equals_verdict_to_dict(capsys, photo_files, profile):
    files = [photo_files["portrait"], photo_files["blank"]]
    status, out, err = run(capsys, "check", *files, "--profile", profile, "--json")
    lines = out.splitlines()
    assert len(lines) == 2, out
    verdicts = [photocheck.validate(f, profile) for f in files]
    for line, verdict in zip(lines, verdicts, strict=True):
        assert json.loads(line) == verdict.to_dict()
    assert status == (0 if all(v.ok for v in verdicts) else 1)
    assert err == ""


# --------------------------------------------------------------------------------------------
# Listings


def test_profiles_lists_every_shipped_profile(capsys):
    status, out, err = run(capsys, "profiles")
    assert status == 0 and err == ""
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(photocheck.available_profiles())


def test_checks_lists_every_registered_check(capsys):
    status, out, err = run(capsys, "checks")
    assert status == 0 and err == ""
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(photocheck.available_checks())


# --------------------------------------------------------------------------------------------
# Terminal safety


@pytest.fixture
def escape_named_photo(tmp_path, photo_files) -> Path:
    path = tmp_path / f"evil{ESC}[31m{ESC}]0;pwned{chr(7)}.png"
    path.write_bytes(photo_files["portrait"].read_bytes())
    return path


def test_escape_sequences_in_file_names_are_not_echoed_raw(capsys, escape_named_photo, lenient):
    status, out, err = run(capsys, "check", escape_named_photo, "-p", lenient)
    assert status == 0
    assert ESC not in out and chr(7) not in out and ESC not in err
    assert "evil" in out  # still named, with the control characters made visible
    assert "\\x1b" in out


def test_escape_sequences_in_missing_file_names_are_not_echoed_raw(capsys, tmp_path):
    status, out, err = run(capsys, "check", tmp_path / f"gone{ESC}[2J.jpg")
    assert status == 2
    assert ESC not in err and ESC not in out
    assert_one_line_error(err)


def test_escape_sequences_in_json_are_escaped(capsys, escape_named_photo, lenient):
    status, out, _ = run(capsys, "check", escape_named_photo, "-p", lenient, "--json")
    assert status == 0
    assert ESC not in out
    assert json.loads(out)["source"] == escape_named_photo.name


def test_escape_sequences_in_a_profile_error_are_not_echoed_raw(capsys, photo_files):
    status, _, err = run(capsys, "check", photo_files["portrait"], "-p", f"icao{ESC}[31m")
    assert status == 2
    assert ESC not in err
    assert_one_line_error(err)


# --------------------------------------------------------------------------------------------
# The installed entry point, in a real process


def test_installed_entry_point_runs(photo_files, lenient):
    script = Path(sys.executable).parent / ("photocheck.exe" if os.name == "nt" else "photocheck")
    assert script.exists(), f"the photocheck entry point is not installed beside {sys.executable}"
    files = [str(photo_files["portrait"]), str(photo_files["blank"])]
    done = subprocess.run(
        [str(script), "check", *files, "--profile", str(lenient), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["ok"] for r in results] == [True, False]
    assert results[0] == photocheck.validate(files[0], lenient).to_dict()


def test_a_closed_pipe_ends_quietly(photo_files):
    """``photocheck check ... | head -1``: no BrokenPipeError traceback, status 141."""
    script = Path(sys.executable).parent / ("photocheck.exe" if os.name == "nt" else "photocheck")
    folder = photo_files["portrait"].parent
    with subprocess.Popen(
        [str(script), "check", str(folder), str(folder), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away, as head does
        err = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert first.endswith(b"REJECTED (icao)\n")
    assert err == ""
    assert status == 141
