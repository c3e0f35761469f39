"""Check many photos: worker processes or any executor (Dask), bounded memory, progress.

>>> from photocheck.batch.runner import validate_many
>>> for result in validate_many(["uploads/"], "icao"):  # doctest: +SKIP
...     print(result.source, result.status, result.error or "")

The default runs one worker process per core, each loading the face models once. Any
:class:`concurrent.futures.Executor` works instead, including a Dask ``distributed``
client's ``client.get_executor()``; ``workers=1`` (or ``executor="serial"``) runs in this
process. At most ``window`` photos are in flight at a time, so memory stays flat however
long the input is. A photo that cannot be read gives a result with an ``error``; it never
stops the batch.

With the default process pool (and with Dask), photos travel to workers as paths, URLs or
bytes, and results come back as pickled :class:`~photocheck.Verdict` /
:class:`~photocheck.Measurements`. Profiles are sent as data and rebuilt in the worker, so
a check registered by your own code must be registered there too: at the top level of your
script (workers re-import it) or in a module the worker imports. Workers start with the
``forkserver`` method (``spawn`` where that is missing), so scripts need the usual
``if __name__ == "__main__":`` guard around the batch call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from ..api import measure, validate
from ..imaging.sources import Source, expand_sources, is_single, is_url, open_payload
from ..rules.profile import Profile, load_profile
from ..rules.verdict import Measurements, Verdict

__all__ = ["BatchResult", "PhotoPair", "iter_measurements", "read_pairs", "validate_many"]

ExecutorArg = Executor | Literal["processes", "serial"] | None
BatchStatus = Literal["pass", "fail", "error"]
OnFailure = Callable[[tuple[Any, ...], BaseException], Any]


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one photo in a batch: a verdict, or the error that kept it from one.

    Attributes
    ----------
    index : int
        Position of the photo in the expanded input (0-based).
    source : str
        The photo's label: its path or URL, or ``"<bytes #i>"`` for anonymous data. The
        verdict's ``source`` is set to the same label.
    verdict : Verdict or None
        None when the photo could not be checked.
    error : str or None
        ``"ErrorType: message"`` when the photo could not be checked, else None.

    """

    index: int
    source: str
    verdict: Verdict | None = None
    error: str | None = None

    @property
    def status(self) -> BatchStatus:
        """``"pass"`` (accepted), ``"fail"`` (rejected) or ``"error"`` (not checked)."""
        if self.verdict is None:
            return "error"
        return "pass" if self.verdict.ok else "fail"

    @property
    def ok(self) -> bool:
        """Whether the photo was checked and accepted."""
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: source, status, error and the verdict's dict (or None)."""
        return {
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "verdict": None if self.verdict is None else self.verdict.to_dict(),
        }


@dataclass(frozen=True)
class PhotoPair:
    """A source payload: a new photo and the reference photo it is compared with.

    Attributes
    ----------
    photo, reference : Any
        Payloads as :class:`~photocheck.imaging.sources.Source` holds them (paths, bytes...).
    """

    photo: Any
    reference: Any


def read_pairs(path: str | Path) -> list[Source]:
    """Read a CSV of (photo, reference) pairs into batch sources.

    Parameters
    ----------
    path : str or Path
        A CSV file whose rows are ``photo,reference``; a first row ``photo,reference`` is a
        header. Relative paths are taken from the CSV's folder. Blank rows are skipped.

    Returns
    -------
    list of Source
        One per pair, labelled with the photo's path, its payload a :class:`PhotoPair`;
        pass them to :func:`validate_many` (each photo is judged with ``reference=`` its
        pair's reference).

    Raises
    ------
    PhotocheckError
        When the file cannot be read or a row does not have exactly two columns.
    """
    import csv

    from ..errors import PhotocheckError

    csv_path = Path(path)
    try:
        with csv_path.open(newline="", encoding="utf-8") as file:
            rows = [row for row in csv.reader(file) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as exc:
        raise PhotocheckError(f"cannot read the pairs file {str(path)!r}: {exc}") from None
    if rows and [cell.strip().lower() for cell in rows[0]] == ["photo", "reference"]:
        rows = rows[1:]
    sources = []
    for number, row in enumerate(rows, start=1):
        if len(row) != 2:
            raise PhotocheckError(
                f"{str(path)!r}, pair {number}: expected two columns (photo,reference), "
                f"got {len(row)}"
            )
        photo, reference = (str(csv_path.parent / cell.strip()) for cell in row)
        sources.append(Source(photo, PhotoPair(photo, reference)))
    return sources


# ----------------------------------------------------------------------------- worker side
_PROFILES: dict[str, Profile] = {}


def _profile_data(profile: Profile) -> tuple[str, str, dict[str, dict[str, Any]]]:
    """Profiles hold a mappingproxy (not picklable): send their data instead."""
    return profile.name, profile.description, {c: dict(r) for c, r in profile.rules.items()}


def _rebuild_profile(data: tuple[str, str, dict[str, dict[str, Any]]]) -> Profile:
    key = repr(data)
    profile = _PROFILES.get(key)
    if profile is None:
        if len(_PROFILES) > 16:
            _PROFILES.clear()
        profile = _PROFILES[key] = Profile(data[0], data[1], data[2])
    return profile


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _validate_task(
    index: int,
    source: Source,
    profile: tuple[str, str, dict[str, dict[str, Any]]],
    max_pixels: int,
    reference: Any = None,
) -> BatchResult:
    """Validate one photo; never raises (except on interpreter exit)."""
    try:
        photo = source.payload
        if isinstance(photo, PhotoPair):
            photo, reference = photo.photo, open_payload(photo.reference)
        verdict = validate(
            open_payload(photo), _rebuild_profile(profile), max_pixels=max_pixels,
            reference=reference,
        )  # fmt: skip
    except Exception as exc:  # one bad photo (or a bug on it) must not stop the batch
        return BatchResult(index, source.label, None, _describe(exc))
    return BatchResult(index, source.label, dataclasses.replace(verdict, source=source.label))


MeasureItem = tuple[str, Measurements | None, str | None]


def _measure_task(
    index: int, source: Source, checks: tuple[str, ...] | None, max_pixels: int
) -> tuple[int, str, Measurements | None, str | None]:
    """Measure one photo; never raises (except on interpreter exit)."""
    try:
        found = measure(open_payload(source.payload), checks=checks, max_pixels=max_pixels)
    except Exception as exc:
        return index, source.label, None, _describe(exc)
    return index, source.label, dataclasses.replace(found, source=source.label), None


def _init_worker() -> None:
    """Process-pool initializer: one OpenCV thread, no helper thread, models loaded.

    The pool runs one worker per core, so no core is idle for the helper thread of
    :func:`photocheck.vision.runtime.start`; it is turned off rather than left to the load
    average. Ctrl-C is left to the parent.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - a core dependency
        pass
    from ..errors import PhotocheckError
    from ..rules.registry import registered
    from ..vision.runtime import preload, use_helper

    use_helper(False)
    registered()  # import the built-in checks once
    with contextlib.suppress(PhotocheckError):  # reported per photo by the tasks instead
        preload()  # tasks run on this thread: its interpreters are the ones they use


# ----------------------------------------------------------------------------- executors
def default_workers() -> int:
    """Return the number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _process_context() -> Any:
    """Return the multiprocessing context of the default pool: forkserver, else spawn.

    Plain ``fork`` is avoided: a child forked after OpenCV started threads in this
    process can deadlock on their locks (seen here: ``cv2.setNumThreads`` hangs in the child).
    Like ``spawn``, ``forkserver`` re-imports the main script in each worker, so a script
    that calls :func:`validate_many` needs the ``if __name__ == "__main__":`` guard.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _executor_width(executor: Any) -> int | None:
    """How many tasks an executor runs at once, when it says."""
    width = getattr(executor, "_max_workers", None)
    if isinstance(width, int):
        return width
    client = getattr(executor, "_client", None)  # distributed.cfexecutor.ClientExecutor
    if client is not None:
        try:
            return int(sum(client.nthreads().values())) or None
        except Exception:
            return None
    return None


def _check_executor(executor: Any, workers: int | None) -> ExecutorArg:
    """Validate the ``executor`` and ``workers`` arguments; unwrap a distributed.Client."""
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if hasattr(executor, "get_executor") and not isinstance(executor, Executor):
        executor = executor.get_executor()  # a distributed.Client
    if executor is None or executor in ("processes", "serial") or isinstance(executor, Executor):
        return executor
    raise ValueError(
        f"executor must be a concurrent.futures.Executor, a distributed.Client, 'processes' "
        f"or 'serial'; got {executor!r}"
    )


def _run(
    fn: Callable[..., Any],
    tasks: Iterator[tuple[Any, ...]],
    *,
    executor: ExecutorArg,
    workers: int | None,
    ordered: bool,
    window: int | None,
    on_failure: OnFailure,
) -> Iterator[Any]:
    """Run ``fn(*task)`` for every task, keeping at most ``window`` in flight."""
    executor = _check_executor(executor, workers)
    if executor == "serial" or (executor is None and workers == 1):
        for task in tasks:
            yield fn(*task)
        return
    if isinstance(executor, Executor):
        size = workers or _executor_width(executor) or default_workers()
        dispatch = _Dispatch(fn, on_failure, executor, None)
    else:
        from concurrent.futures import ProcessPoolExecutor

        size = workers or default_workers()

        def make_pool() -> Executor:
            return ProcessPoolExecutor(size, _process_context(), initializer=_init_worker)

        dispatch = _Dispatch(fn, on_failure, make_pool(), make_pool)
    limit = window or max(8, 4 * size)
    try:
        if ordered:
            yield from _run_ordered(dispatch, tasks, limit)
        else:
            yield from _run_unordered(dispatch, tasks, limit)
    finally:
        dispatch.close()


class WorkerCrashedError(RuntimeError):
    """A worker process died (native crash, out of memory) checking this photo alone."""


class _Dispatch:
    """Submit tasks and collect results; replace an owned process pool when a worker dies.

    When a worker process dies, every task in flight fails with ``BrokenProcessPool``. Each
    of those is then retried once, alone in a new pool (the next is retried only when it is
    done), so only the photo that kills a worker on its own gets an error and the batch goes
    on.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        on_failure: OnFailure,
        pool: Executor,
        make_pool: Callable[[], Executor] | None,
    ) -> None:
        self.fn, self.on_failure, self.pool, self.make_pool = fn, on_failure, pool, make_pool

    def submit(self, task: tuple[Any, ...]) -> Future[Any]:
        try:
            try:
                return self.pool.submit(self.fn, *task)
            except BrokenExecutor:
                if self.make_pool is None:
                    raise
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self.make_pool()
                return self.pool.submit(self.fn, *task)
        except Exception as exc:  # a broken executor, an unpicklable payload: on this task
            failed: Future[Any] = Future()
            failed.set_exception(exc)
            return failed

    def collect(self, future: Future[Any], task: tuple[Any, ...]) -> Any:
        try:
            return future.result()
        except BrokenExecutor as exc:
            return self.on_failure(task, exc) if self.make_pool is None else self._retry(task)
        except Exception as exc:  # the executor failed (pickling, lost worker...), not the task
            return self.on_failure(task, exc)

    def _retry(self, task: tuple[Any, ...]) -> Any:
        try:
            return self.submit(task).result()
        except BrokenExecutor:
            pass
        except Exception as exc:
            return self.on_failure(task, exc)
        message = "a worker process died while checking this photo (a crash or out of memory)"
        return self.on_failure(task, WorkerCrashedError(message))

    def close(self) -> None:
        if self.make_pool is not None:  # ours: shut it down
            self.pool.shutdown(wait=True, cancel_futures=True)


def _run_ordered(
    dispatch: _Dispatch, tasks: Iterator[tuple[Any, ...]], limit: int
) -> Iterator[Any]:
    pending: deque[tuple[Future[Any], tuple[Any, ...]]] = deque()
    try:
        for task in tasks:
            pending.append((dispatch.submit(task), task))
            if len(pending) >= limit:
                yield dispatch.collect(*pending.popleft())
        while pending:
            yield dispatch.collect(*pending.popleft())
    finally:
        for future, _ in pending:
            future.cancel()


def _run_unordered(
    dispatch: _Dispatch, tasks: Iterator[tuple[Any, ...]], limit: int
) -> Iterator[Any]:
    pending: dict[Future[Any], tuple[Any, ...]] = {}
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                else:
                    pending[dispatch.submit(task)] = task
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f][0]):
                yield dispatch.collect(future, pending.pop(future))
    finally:
        for future in pending:
            future.cancel()


# ----------------------------------------------------------------------------- progress
def _in_notebook() -> bool:
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress_wanted(progress: bool | None, stream: TextIO) -> bool:
    if progress is not None:
        return progress
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or _in_notebook()


def _make_bar(total: int | None, stream: TextIO) -> Any:
    """Return a tqdm bar (a widget in a notebook, text on a terminal)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="photo", file=stream, dynamic_ncols=True, smoothing=0.1)


def _with_progress(
    results: Iterator[Any], total: int | None, progress: bool | None
) -> Iterator[Any]:
    stream = sys.stderr
    if not _progress_wanted(progress, stream):
        yield from results
        return
    bar = _make_bar(total, stream)
    try:
        for result in results:
            bar.update(1)
            yield result
    finally:
        bar.close()


def _known_total(photos: Any) -> int | None:
    """Return the number of photos when it is known without walking folders or globs."""
    items = [photos] if is_single(photos) else photos
    if not isinstance(items, Sized):  # a generator
        return None
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, str | os.PathLike):
            text = os.fsdecode(item)
            if is_url(text) or any(ch in text for ch in "*?[") or os.path.isdir(text):
                return None
    return len(items)


def _tasks(photos: Any, *extra: Any) -> Iterator[tuple[Any, ...]]:
    for index, source in enumerate(expand_sources(photos)):
        yield (index, source, *extra)


# ----------------------------------------------------------------------------- public API
def validate_many(
    photos: Any,
    profile: str | Path | Profile = "icao",
    *,
    executor: ExecutorArg = None,
    workers: int | None = None,
    progress: bool | None = None,
    ordered: bool = True,
    window: int | None = None,
    max_pixels: int | None = None,
    reference: Any = None,
) -> Iterator[BatchResult]:
    """Validate many photos, yielding one :class:`BatchResult` per photo.

    Parameters
    ----------
    photos : path, URL, glob, folder, bytes, file object, array, or an iterable of them
        Expanded by :func:`photocheck.imaging.sources.expand_sources` (folders recursively; URLs
        through fsspec). May be a generator: it is consumed as the batch advances.
    profile : str, Path or Profile, optional
        The profile every photo is judged against (default ``"icao"``). Loaded once here,
        so an unknown profile raises before any work starts.
    executor : Executor, distributed.Client, "processes" or "serial", optional
        Where the work runs. Default (None): a pool of ``workers`` processes, created for
        this call and shut down at its end, each loading the face models once. An executor
        you pass (e.g. ``client.get_executor()`` of Dask ``distributed``) is used as is and
        left running. ``"serial"`` runs in this process.
    workers : int, optional
        Size of the default pool (default: the cores available). ``workers=1`` with no
        executor runs in this process.
    progress : bool, optional
        Show a tqdm progress bar on standard error (a widget in a notebook). Default: only
        when standard error is a terminal or in a Jupyter notebook.
    ordered : bool, optional
        Yield results in input order (default). With False, results come as they finish,
        which keeps every worker busy when some photos are slow; ``result.index`` still
        says which input each belongs to.
    window : int, optional
        At most this many photos are submitted and not yet yielded (default 4 per worker,
        at least 8), which bounds memory on inputs of any length.
    max_pixels : int, optional
        Refuse images with more pixels than this (default: :data:`photocheck.DEFAULT_MAX_PIXELS`).
    reference : photo or FaceEncoding, optional
        One reference every photo is compared with (see :func:`photocheck.validate`); a
        stored encoding is cheapest. Sources from :func:`read_pairs` bring their own.

    Returns
    -------
    iterator of BatchResult
        One per photo; ``result.error`` is set, and ``result.verdict`` is None, when the photo
        could not be read or checked. Closing the iterator early cancels pending work.

    Raises
    ------
    ProfileError
        When the profile is unknown or invalid (raised by this call, before any work).

    Examples
    --------
    >>> import io, skimage.data
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.fromarray(skimage.data.astronaut()).save(buffer, format="PNG")
    >>> photos = [buffer.getvalue(), b"not an image"]
    >>> [(r.source, r.status) for r in validate_many(photos, executor="serial", progress=False)]
    [('<bytes #0>', 'fail'), ('<bytes #1>', 'error')]

    """
    from ..imaging.load import DEFAULT_MAX_PIXELS

    prof = load_profile(profile)
    executor = _check_executor(executor, workers)
    pixels = DEFAULT_MAX_PIXELS if max_pixels is None else max_pixels
    total = _known_total(photos) if progress is not False else None

    def failed(task: tuple[Any, ...], exc: BaseException) -> BatchResult:
        return BatchResult(task[0], task[1].label, None, _describe(exc))

    results = _run(
        _validate_task,
        _tasks(photos, _profile_data(prof), pixels, reference),
        executor=executor,
        workers=workers,
        ordered=ordered,
        window=window,
        on_failure=failed,
    )
    return _with_progress(results, total, progress)


def iter_measurements(
    photos: Any,
    *,
    checks: Iterable[str] | None = None,
    executor: ExecutorArg = None,
    workers: int | None = None,
    progress: bool | None = False,
    window: int | None = None,
    max_pixels: int | None = None,
) -> Iterator[MeasureItem]:
    """Measure many photos, yielding ``(source, measurements, error)`` in input order.

    The same machinery as :func:`validate_many` (worker processes or any executor, bounded
    window, photos that fail do not stop the batch), for :func:`photocheck.measure`.

    Parameters
    ----------
    photos : path, URL, glob, folder, bytes, file object, array, or an iterable of them
        As for :func:`validate_many`.
    checks : iterable of str, optional
        Check ids to measure (default: every registered check). Unknown ids raise here.
    executor, workers, window, max_pixels
        As for :func:`validate_many`.
    progress : bool, optional
        Show a progress bar (default False; None means "when standard error is a terminal").

    Returns
    -------
    iterator of tuple
        ``(source, Measurements, None)`` for a photo that was measured (its ``source`` is the
        photo's label) or ``(source, None, "ErrorType: message")`` for one that was not.

    Raises
    ------
    UnknownCheckError
        When a check id is not registered (raised by this call, before any work).

    """
    from ..imaging.load import DEFAULT_MAX_PIXELS
    from ..rules.registry import get_check

    names = None if checks is None else tuple(get_check(c).id for c in checks)
    executor = _check_executor(executor, workers)
    pixels = DEFAULT_MAX_PIXELS if max_pixels is None else max_pixels
    total = _known_total(photos) if progress is not False else None

    def failed(task: tuple[Any, ...], exc: BaseException) -> tuple[int, str, None, str]:
        return task[0], task[1].label, None, _describe(exc)

    results = _run(
        _measure_task,
        _tasks(photos, names, pixels),
        executor=executor,
        workers=workers,
        ordered=True,
        window=window,
        on_failure=failed,
    )
    return (
        (label, found, error) for _, label, found, error in _with_progress(results, total, progress)
    )
