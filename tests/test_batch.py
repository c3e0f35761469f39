"""Batch validation: sources, executors, ordering, bounded window, streamed output, resume.

Images are generated from scikit-image's astronaut (public domain, NASA), shifted so that
each file gives different measurements.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from PIL import Image

import photocheck
from photocheck.batch.output import run_batch
from photocheck.batch.runner import BatchResult, iter_measurements, validate_many
from photocheck.cli.main import main
from photocheck.imaging.sources import RemoteFile, Source, SourceError, expand_sources, is_url

N_PHOTOS = 24


def _jpeg(shift: int) -> bytes:
    rgb = np.roll(skimage.data.astronaut(), 9 * shift, axis=1)[::2, ::2]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N_PHOTOS distinct JPEGs, half of them in a sub-folder, plus files a scan must skip."""
    root = tmp_path_factory.mktemp("photos")
    (root / "sub").mkdir()
    for i in range(N_PHOTOS):
        folder = root / "sub" if i % 2 else root
        (folder / f"p{i:02d}.jpg").write_bytes(_jpeg(i))
    (root / "notes.txt").write_text("not a photo")
    (root / ".hidden.jpg").write_bytes(_jpeg(0))
    return root


@pytest.fixture(scope="module")
def photo_paths(photo_dir: Path) -> list[str]:
    return sorted(str(p) for p in photo_dir.rglob("p*.jpg"))


def _corrupt_dir(root: Path, photo_paths: list[str]) -> list[str]:
    good = [Path(p) for p in photo_paths[:3]]
    for p in good:
        (root / p.name).write_bytes(p.read_bytes())
    data = good[0].read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (root / "empty.jpg").write_bytes(b"")
    (root / "text.png").write_text("hello")
    return ["empty.jpg", "text.png", "truncated.jpg"]


def _dicts(results: list[BatchResult]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in results]


# ------------------------------------------------------------------------------ sources
def test_folder_expansion_is_recursive_sorted_and_skips_non_images(
    photo_dir: Path, photo_paths: list[str]
) -> None:
    labels = [s.label for s in expand_sources(photo_dir)]
    assert sorted(labels) == photo_paths
    assert len(labels) == N_PHOTOS  # notes.txt and .hidden.jpg skipped
    assert labels[0] == str(photo_dir / "p00.jpg")
    assert labels[-1].startswith(str(photo_dir / "sub"))  # files before the sub-folder


def test_glob_list_bytes_and_files_expand_in_order(photo_dir: Path) -> None:
    data = _jpeg(1)
    named = open(photo_dir / "p02.jpg", "rb")  # noqa: SIM115 - consumed by the expansion
    sources = list(
        expand_sources([str(photo_dir / "sub" / "p0*.jpg"), data, io.BytesIO(data), named])
    )
    named.close()
    labels = [s.label for s in sources]
    assert labels[:5] == [str(photo_dir / "sub" / f"p{i:02d}.jpg") for i in (1, 3, 5, 7, 9)]
    assert labels[5:] == ["<bytes #5>", "<file #6>", str(photo_dir / "p02.jpg")]
    assert sources[5].payload == data and sources[6].payload == data
    assert sources[7].payload == (photo_dir / "p02.jpg").read_bytes()


def test_patterns_that_match_nothing_become_error_sources(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    sources = list(expand_sources([str(tmp_path / "*.jpeg"), str(tmp_path / "empty")]))
    assert [type(s.payload) for s in sources] == [SourceError, SourceError]
    assert "no files match" in sources[0].payload.message
    assert "no image files" in sources[1].payload.message


def test_single_inputs_are_not_iterated(photo_dir: Path) -> None:
    path = photo_dir / "p00.jpg"
    assert [s.label for s in expand_sources(path)] == [str(path)]
    assert [s.label for s in expand_sources(str(path))] == [str(path)]
    assert [s.label for s in expand_sources(b"abc")] == ["<bytes #0>"]
    array = np.zeros((4, 4, 3), np.uint8)
    assert [s.label for s in expand_sources(array)] == ["<array #0>"]


def test_is_url() -> None:
    assert is_url("s3://bucket/a.jpg") and is_url("memory://x") and is_url("file:///tmp/a")
    assert not is_url("/tmp/a.jpg") and not is_url("C://a.jpg") and not is_url("a.jpg")


def test_fsspec_memory_and_local_urls(photo_dir: Path) -> None:
    fsspec = pytest.importorskip("fsspec", reason="fsspec is an optional extra")
    memory = fsspec.filesystem("memory")
    for i in range(3):
        memory.pipe_file(f"/batchtest/in/m{i}.jpg", _jpeg(i))
    memory.pipe_file("/batchtest/in/readme.txt", b"x")
    try:
        by_glob = list(expand_sources("memory://batchtest/in/*.jpg"))
        by_folder = list(expand_sources("memory://batchtest/in"))
        assert [s.label for s in by_glob] == [f"memory:///batchtest/in/m{i}.jpg" for i in range(3)]
        assert [s.label for s in by_folder] == [s.label for s in by_glob]
        assert by_glob[2].payload == _jpeg(2)  # memory lives in this process: bytes travel
        local = list(expand_sources(f"file://{photo_dir}/sub/p01.jpg"))
        assert local == [Source(f"file://{photo_dir}/sub/p01.jpg", f"{photo_dir}/sub/p01.jpg")]
        results = list(
            validate_many(
                ["memory://batchtest/in/*.jpg", f"file://{photo_dir}/p00.jpg"], executor="serial"
            )
        )
        expected = photocheck.validate(_jpeg(0))
        assert [r.status for r in results] == [("pass" if expected.ok else "fail")] * 4
        assert results[0].verdict is not None and results[3].verdict is not None
        assert results[0].verdict.results == expected.results
        assert results[3].verdict.results == expected.results  # p00.jpg holds _jpeg(0) too
        missing = list(validate_many(["memory://batchtest/nothing/*.jpg"], executor="serial"))
        assert missing[0].status == "error" and "no files match" in str(missing[0].error)
    finally:
        memory.rm("/batchtest", recursive=True)


def test_remote_urls_are_opened_by_the_worker() -> None:
    pytest.importorskip("fsspec", reason="fsspec is an optional extra")
    url = "simplecache::https://example.invalid/a.jpg"
    (source,) = expand_sources(url)  # no request from the parent
    assert source == Source(url, RemoteFile(url))
    assert pickle.loads(pickle.dumps(source)) == source
    (result,) = validate_many([source], executor="serial")
    assert result.status == "error" and result.error is not None
    assert result.error.startswith("InvalidImageError: cannot read")


# ------------------------------------------------------------------------------ API
def test_serial_results_keep_order_and_identity(photo_paths: list[str]) -> None:
    data = Path(photo_paths[1]).read_bytes()
    inputs = [photo_paths[0], b"garbage", io.BytesIO(data), "/no/such/photo.jpg", photo_paths[2]]
    results = list(validate_many(inputs, "icao", executor="serial"))
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.source for r in results] == [
        photo_paths[0],
        "<bytes #1>",
        "<file #2>",
        "/no/such/photo.jpg",
        photo_paths[2],
    ]
    assert [r.status == "error" for r in results] == [False, True, False, True, False]
    assert results[1].error is not None and results[1].error.startswith("InvalidImageError")
    assert "no such file" in str(results[3].error)
    for r, path in [(results[0], photo_paths[0]), (results[2], photo_paths[1])]:
        assert r.verdict is not None and r.verdict.source == r.source
        assert r.verdict.results == photocheck.validate(path).results
    # the three photos differ, so identity mistakes would show
    assert len({json.dumps(r.to_dict()["verdict"]["geometry"]) for r in results[::2]}) == 3


class _KillsTheWorker:
    """Unpickling this ends the process at once, as a native crash or the OOM killer would."""

    def __reduce__(self) -> tuple[Any, ...]:
        return os._exit, (3,)


def test_processes_and_unordered_match_serial(photo_paths: list[str]) -> None:
    inputs: list[Any] = [*photo_paths[:6], b"\xff\xd8\xff truncated"]
    serial = list(validate_many(inputs, executor="serial"))
    crash = Source("<crash>", _KillsTheWorker())
    pooled = list(validate_many([*inputs[:4], crash, *inputs[4:]], workers=2, window=3))
    assert pooled[4].source == "<crash>" and str(pooled[4].error).startswith("WorkerCrashedError")
    del pooled[4]  # the other photos, in flight when the pool broke, are checked again
    assert [r.index for r in pooled] == [0, 1, 2, 3, 5, 6, 7]
    shifted = [*serial[:-1], dataclasses.replace(serial[-1], source="<bytes #7>")]
    assert _dicts(pooled) == _dicts(shifted)
    with ThreadPoolExecutor(2) as pool:
        unordered = list(validate_many(inputs, executor=pool, ordered=False))
    assert sorted(r.index for r in unordered) == list(range(len(inputs)))
    assert sorted(_dicts(unordered), key=lambda d: d["source"]) == sorted(
        _dicts(serial), key=lambda d: d["source"]
    )


class _CountingExecutor(Executor):
    """Runs tasks in one thread and records how many are submitted and not yet collected."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1)
        self.submitted = 0
        self.lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            self.submitted += 1
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait, cancel_futures=cancel_futures)


@pytest.mark.parametrize("ordered", [True, False])
def test_window_bounds_work_in_flight_and_input_is_consumed_lazily(ordered: bool) -> None:
    produced = 0

    def inputs() -> Any:
        nonlocal produced
        for i in range(60):
            produced += 1
            yield f"not an image {i}".encode()

    executor = _CountingExecutor()
    seen = 0
    for result in validate_many(inputs(), executor=executor, window=4, ordered=ordered):
        seen += 1
        assert result.status == "error"
        assert executor.submitted - seen <= 4
        assert produced - seen <= 4
    executor.shutdown()
    assert seen == 60 == executor.submitted


def test_closing_the_iterator_early_stops_submitting() -> None:
    executor = _CountingExecutor()
    results = validate_many((b"x" for _ in range(1000)), executor=executor, window=5)
    first = [next(results) for _ in range(3)]
    results.close()
    executor.shutdown()
    assert len(first) == 3 and executor.submitted <= 8


def test_bad_arguments_raise_before_any_work() -> None:
    with pytest.raises(photocheck.ProfileError):
        validate_many(["a.jpg"], "no-such-profile")
    with pytest.raises(ValueError, match="executor"):
        validate_many(["a.jpg"], executor="threads")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="workers"):
        validate_many(["a.jpg"], workers=0)
    with pytest.raises(photocheck.UnknownCheckError):
        iter_measurements(["a.jpg"], checks=["sharpnes"])


def test_iter_measurements_in_input_order(photo_paths: list[str]) -> None:
    inputs = [photo_paths[3], b"nope", photo_paths[4]]
    items = list(iter_measurements(inputs, checks=["sharpness", "face.count"], executor="serial"))
    assert [i[0] for i in items] == [photo_paths[3], "<bytes #1>", photo_paths[4]]
    assert items[1][1] is None and str(items[1][2]).startswith("InvalidImageError")
    for source, found, error in (items[0], items[2]):
        assert error is None and found is not None and found.source == source
        expected = photocheck.measure(source, checks=["sharpness", "face.count"])
        assert dict(found.by_check) == dict(expected.by_check)


def test_results_pickle(photo_paths: list[str]) -> None:
    (result,) = validate_many(photo_paths[:1], executor="serial")
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again.to_dict() == result.to_dict()


def test_progress_bar_shows_count(
    photo_paths: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    list(validate_many([b"a", b"b", b"c"], executor="serial", progress=True))
    assert "3/3" in capsys.readouterr().err
    list(validate_many([b"a", b"b", b"c"], executor="serial"))  # stderr is not a terminal
    assert capsys.readouterr().err == ""


def test_progress_bar_shows_by_default_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    list(validate_many([b"a", b"b"], executor="serial"))
    assert "2/2" in capsys.readouterr().err
    list(validate_many([b"a", b"b"], executor="serial", progress=False))
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------ CLI
def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_cli_batch_with_corrupt_files_finishes_and_reports_them(
    tmp_path: Path, photo_paths: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    bad = _corrupt_dir(tmp_path / "in", photo_paths)
    out = tmp_path / "results.jsonl"
    status = main(["batch", str(tmp_path / "in"), "--out", str(out), "--workers", "1"])
    assert status == 2
    rows = _lines(out)
    assert len(rows) == 6
    errors = sorted(Path(r["source"]).name for r in rows if r["status"] == "error")
    assert errors == bad
    assert all(r["verdict"] is not None for r in rows if r["status"] != "error")
    summary = capsys.readouterr().out
    assert "6 photos: " in summary and "3 could not be checked" in summary
    assert "InvalidImageError" in summary


def test_cli_resumes_after_sigkill_without_duplicates(tmp_path: Path, photo_dir: Path) -> None:
    out = tmp_path / "results.jsonl"
    command = [
        sys.executable,
        "-m",
        "photocheck.cli.main",
        "batch",
        str(photo_dir),
        "--out",
        str(out),
    ]
    process = subprocess.Popen(
        [*command, "--workers", "2"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.01)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        os.killpg(process.pid, signal.SIGKILL)  # the parent and its workers
    finally:
        process.wait(30)
        if process.stderr:
            process.stderr.close()
    written = out.read_bytes().count(b"\n")
    assert 3 <= written < N_PHOTOS, "the batch must be killed midway"
    status = main(["batch", str(photo_dir), "--out", str(out), "--workers", "1", "--no-progress"])
    assert status == 1  # every photo is checked, none passes the icao rules
    rows = _lines(out)
    sources = [r["source"] for r in rows]
    assert len(sources) == len(set(sources)) == N_PHOTOS
    assert set(sources) == {s.label for s in expand_sources(photo_dir)}
    assert all(r["status"] == "fail" and r["verdict"]["source"] == r["source"] for r in rows)


def test_resume_cuts_a_half_written_line(tmp_path: Path, photo_paths: list[str]) -> None:
    out = tmp_path / "r.jsonl"
    assert run_batch(photo_paths[:2], out, workers=1, stdout=io.StringIO()) == 1
    first = out.read_text()
    out.write_text(first + first.splitlines()[0][:40])  # a killed writer's last line
    summary = io.StringIO()
    assert run_batch(photo_paths[:3], out, workers=1, stdout=summary) == 1
    rows = _lines(out)
    assert [r["source"] for r in rows] == photo_paths[:3]
    assert "3 photos: 0 passed, 3 failed" in summary.getvalue()
    assert "(2 from an earlier run)" in summary.getvalue()


def test_resume_refuses_another_profile_or_foreign_file(
    tmp_path: Path, photo_paths: list[str]
) -> None:
    out = tmp_path / "r.jsonl"
    run_batch(photo_paths[:1], out, workers=1, stdout=io.StringIO())
    with pytest.raises(photocheck.PhotocheckError, match="profile 'icao'"):
        run_batch(photo_paths[:1], out, profile="cn-social-security", workers=1)
    foreign = tmp_path / "other.jsonl"
    foreign.write_text("hello\n")
    assert main(["batch", photo_paths[0], "--out", str(foreign)]) == 2


def test_csv_output_resumes(tmp_path: Path, photo_paths: list[str]) -> None:
    import csv

    out = tmp_path / "r.csv"
    assert run_batch([photo_paths[0], "/no/such.jpg"], out, workers=1, stdout=io.StringIO()) == 2
    assert run_batch(photo_paths[:2], out, workers=1, stdout=io.StringIO()) == 2
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["source"] for r in rows] == [photo_paths[0], "/no/such.jpg", photo_paths[1]]
    assert rows[1]["status"] == "error" and "no such file" in rows[1]["error"]
    verdict = photocheck.validate(photo_paths[1])
    assert rows[2]["failure_codes"].split(";") == [r.code for r in verdict.failures]
    assert rows[2]["sharpness"] == verdict["sharpness"].code


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_odd_file_names_resume_exactly(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = [b"caf\xe9  x.jpg", 't\u00e9l\u00e9, "quoted".jpg'.encode()]  # not UTF-8; comma
    for name in names:
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(b"not really a jpeg")
    out = tmp_path / f"r{suffix}"
    for _ in range(2):
        assert run_batch([str(folder)], out, workers=1, stdout=io.StringIO()) == 2
    text = out.read_bytes()
    assert text.count(b"\n") == (2 if suffix == ".jsonl" else 3)  # no duplicates
    sources = {s.label for s in expand_sources(folder)}
    assert len(sources) == 2


def test_parquet_output_resumes_from_its_journal(tmp_path: Path, photo_paths: list[str]) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is an optional extra")
    out = tmp_path / "r.parquet"
    journal = tmp_path / "r.parquet.partial.jsonl"
    run_batch(photo_paths[:1], tmp_path / "seed.jsonl", workers=1, stdout=io.StringIO())
    journal.write_text((tmp_path / "seed.jsonl").read_text())  # as a killed run leaves it
    assert run_batch(photo_paths[:2], out, workers=1, stdout=io.StringIO()) == 1
    assert not journal.exists()
    assert run_batch(photo_paths[:3], out, workers=1, stdout=io.StringIO()) == 1
    table = pq.read_table(out)
    assert table.column("source").to_pylist() == photo_paths[:3]
    verdicts = [json.loads(v) for v in table.column("verdict").to_pylist()]
    assert [v["source"] for v in verdicts] == photo_paths[:3]


def test_cli_reports_missing_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    out = tmp_path / "r.jsonl"
    assert main(["batch", str(tmp_path / "*.jpg"), "--out", str(out), "-j", "1"]) == 2
    assert _lines(out)[0]["error"].startswith("InvalidImageError: no files match")
    assert main(["batch", "x.jpg", "--out", str(out), "--workers", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


# ------------------------------------------------------------------------------ Dask
def test_dask_local_cluster_matches_local_results(photo_paths: list[str], tmp_path: Path) -> None:
    distributed = pytest.importorskip(
        "distributed", reason="dask[distributed] is an optional extra (photocheck[dask])"
    )
    inputs = [*photo_paths[:4], b"not an image"]
    local = _dicts(list(validate_many(inputs, executor="serial")))
    with (
        # Port 0: the scheduler and its HTTP server take free ports chosen by the OS (the
        # defaults, 8786 and 8787, may be taken on a shared machine).
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            scheduler_port=0,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = _dicts(list(validate_many(inputs, executor=client.get_executor())))
        via_client = list(iter_measurements(inputs[:2], executor=client))
        out = tmp_path / "r.jsonl"
        status = run_batch(
            photo_paths[:3], out, dask=cluster.scheduler_address, stdout=io.StringIO()
        )
        workers_used = {w.get("id") for w in client.run(lambda: {"id": os.getpid()}).values()}
    assert remote == local
    assert [s for s, _, _ in via_client] == photo_paths[:2]
    local_measured = list(iter_measurements(inputs[:2], executor="serial"))
    remote_measured = [m.to_dict() for _, m, _ in via_client if m is not None]
    assert len(remote_measured) == 2
    assert remote_measured == [m.to_dict() for _, m, _ in local_measured if m is not None]
    assert status == 1 and [r["source"] for r in _lines(out)] != []
    assert sorted(r["source"] for r in _lines(out)) == photo_paths[:3]
    assert len(workers_used) == 2
