"""Thread safety and determinism: 8 threads give the serial results; one interpreter per thread."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import photocheck
from photocheck.analysis import Analysis
from photocheck.vision import runtime

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
import hostile_corpus as corpus

THREADS = 8
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "photos"


@pytest.fixture(scope="module")
def photos() -> dict[str, Any]:
    """Inputs that exercise every code path: faces, no face, tiny, rotated, files, arrays."""
    import skimage.data

    return {
        "portrait_png": corpus.png(),
        "portrait_jpeg": corpus.jpeg(),
        "portrait_array": corpus.portrait(),
        "rotated_png": corpus.oriented_png(6),
        "astronaut": skimage.data.astronaut(),
        "blank": np.full((400, 300, 3), 235, np.uint8),
        "tiny": np.zeros((10, 10, 3), np.uint8),
        "two_faces": np.hstack([corpus.portrait(), corpus.portrait()[:, ::-1]]),
    }


def _in_threads(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run the tasks on THREADS threads that all start at once; results in task order."""
    barrier = threading.Barrier(THREADS)

    def start(task: Callable[[], Any]) -> Any:
        return task()

    def gate(index: int) -> list[tuple[int, Any]]:
        barrier.wait()
        return [(i, start(tasks[i])) for i in range(index, len(tasks), THREADS)]

    with ThreadPoolExecutor(THREADS) as pool:
        chunks = list(pool.map(gate, range(THREADS)))
    results: list[Any] = [None] * len(tasks)
    for chunk in chunks:
        for i, value in chunk:
            results[i] = value
    return results


def test_validate_from_8_threads_equals_serial(photos: dict[str, Any]) -> None:
    names = list(photos)
    serial = {name: photocheck.validate(photos[name]).to_dict() for name in names}
    # Each photo is validated twice, by two different threads, all threads starting at once.
    tasks = [
        lambda name=name: (name, photocheck.validate(photos[name]).to_dict())
        for name in names + names[::-1]
    ]
    for name, got in _in_threads(tasks):
        assert got == serial[name], name
    assert any(r["status"] == "pass" for r in serial["portrait_png"]["results"])


def test_measure_is_deterministic(photos: dict[str, Any]) -> None:
    for name in ("portrait_jpeg", "astronaut"):
        first = photocheck.measure(photos[name]).to_dict()
        assert photocheck.measure(photos[name]).to_dict() == first, name


def test_helper_thread_gives_the_values_of_one_thread(
    photos: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # measure() computes the person mask on the helper thread, beside face detection;
    # without it (everything on the calling thread) every value is the same.
    names = ("portrait_jpeg", "astronaut", "rotated_png", "two_faces")
    runtime.use_helper(True)  # by default only when a core is idle
    try:
        beside = {name: photocheck.measure(photos[name]).to_dict() for name in names}
    finally:
        runtime.use_helper(None)
    monkeypatch.setattr(Analysis, "start_helper", lambda self: None)
    for name in names:
        assert photocheck.measure(photos[name]).to_dict() == beside[name], name
    measured = {m["check"] for m in beside["portrait_jpeg"]["measurements"] if m["values"]}
    assert {"background.uniformity", "accessory.headwear", "sharpness"} <= measured


def test_load_image_from_threads_keeps_warnings_contained() -> None:
    hostile = [
        corpus.jpeg_with_app1(corpus.jpeg(), b"Exif\0\0" + corpus.random_bytes(3000, 6)),
        corpus.gif_bomb_offset(),
        corpus.jpeg()[:5000],
        corpus.png(),
        b"\x89PNG\r\n\x1a\n" + corpus.random_bytes(500, 9),
    ]

    def load(data: bytes) -> str:
        try:
            return photocheck.load_image(data).format or "?"
        except photocheck.InvalidImageError as exc:
            return type(exc).__name__

    def other_library() -> str:
        for _ in range(50):
            warnings.warn("from another library", UserWarning, stacklevel=1)
        return "warned"

    serial = [load(d) for d in hostile]
    filters = list(warnings.filters)
    tasks: list[Callable[[], Any]] = [lambda d=d: load(d) for d in hostile * 6]
    tasks.insert(3, other_library)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = _in_threads(tasks)
    assert results.pop(3) == "warned"
    assert results == serial * 6
    # Pillow's warnings about the broken files are dropped; the other thread's 50 warnings
    # all arrive, whether or not they were raised while photocheck was decoding.
    assert [str(w.message) for w in caught] == ["from another library"] * 50
    assert warnings.filters == filters


def test_example_photos_from_8_threads_equal_serial() -> None:
    photos = sorted(EXAMPLES.glob("*.jpg"))
    assert len(photos) >= 5
    serial = {p.name: photocheck.validate(p).to_dict() for p in photos}
    tasks = [lambda p=p: (p.name, photocheck.validate(p).to_dict()) for p in photos + photos[::-1]]
    results = _in_threads(tasks)
    assert len(results) == 2 * len(photos)
    for name, got in results:
        assert got == serial[name], name
    statuses = {r["status"] for v in serial.values() for r in v["results"]}
    assert {"pass", "fail"} <= statuses


_FRESH_PROCESS = r"""
import collections, json, sys, threading
from pathlib import Path
import ai_edge_litert.interpreter as litert
import photocheck

created = collections.Counter()
real = litert.Interpreter

class Counting(real):
    def __init__(self, *args, model_path, **kwargs):
        created[(threading.current_thread().name, Path(model_path).stem)] += 1
        super().__init__(*args, model_path=model_path, **kwargs)

litert.Interpreter = Counting
photo = sys.argv[1]
barrier = threading.Barrier(8)
verdicts = [None] * 8

def work(i):
    barrier.wait()
    first = photocheck.validate(photo).to_dict()
    verdicts[i] = photocheck.validate(photo).to_dict()
    assert verdicts[i] == first

threads = [threading.Thread(target=work, args=(i,), name=f"t{i}") for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({
    "most_per_thread_and_model": max(created.values()),
    "threads_with_interpreters": sorted({thread for thread, _ in created}),
    "models": sorted({model for _, model in created}),
    "all_equal": all(v == verdicts[0] for v in verdicts),
    "verdict": verdicts[0],
    "checks": list(photocheck.available_checks()),
}))
"""


def test_fresh_process_one_interpreter_per_thread_and_agrees_with_this_one(
    tmp_path: Path,
) -> None:
    photo = tmp_path / "portrait.png"
    photo.write_bytes(corpus.png())
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(photo)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr == ""  # LiteRT's notice on the first interpreter is held back
    report = json.loads(proc.stdout)
    # Each of the 8 racing threads made its own interpreters, each model once despite two
    # validations per thread; so did photocheck's one helper thread (the person mask) if it
    # ran any of their masks.
    racing = {f"t{i}" for i in range(8)}
    threads = set(report["threads_with_interpreters"])
    assert racing <= threads
    assert len(threads - racing) <= 1
    assert all(t.startswith("photocheck-helper") for t in threads - racing)
    assert report["most_per_thread_and_model"] == 1
    assert {"face_detection_short_range", "face_landmark_attention_stage1"} <= set(report["models"])
    assert report["all_equal"]
    assert report["checks"] == list(photocheck.available_checks())
    # Deterministic across processes: the same verdict as in this process.
    assert report["verdict"] == photocheck.validate(photo).to_dict()
