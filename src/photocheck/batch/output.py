"""Stream batch results to a file (JSON Lines, CSV or Parquet), resume, and summarise.

This is the engine of ``photocheck batch``. Every result is written and flushed as soon as
it arrives, so a run that is killed loses at most the photo being written; running the same
command again reads the file, skips the photos already in it and appends the rest.

* ``.jsonl`` (or anything else): one JSON object per line, ``{"source", "status", "error",
  "verdict"}`` with the full verdict.
* ``.csv``: one row per photo with ``source, status, profile, failure_codes, error`` and one
  column per check of the profile holding its result code.
* ``.parquet`` (needs pyarrow): the CSV columns plus ``verdict`` (JSON text). Parquet
  cannot be appended to, so results stream to ``<out>.partial.jsonl`` and the Parquet file
  is written when the run ends (a killed run resumes from the journal).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from ..errors import PhotocheckError
from ..imaging.sources import Source, expand_sources
from ..rules.profile import Profile, load_profile
from .runner import BatchResult, validate_many

__all__ = ["Row", "open_sink", "run_batch", "summarise"]

_FIXED = ("source", "status", "profile", "failure_codes", "error")


@dataclass(frozen=True)
class Row:
    """What a summary needs from one written result.

    Attributes
    ----------
    source : str
        The photo's label.
    status : str
        ``"pass"``, ``"fail"`` or ``"error"``.
    codes : tuple of str
        The failure codes (fail and not_assessed results), or the error type for errors.
    """

    source: str
    status: str
    codes: tuple[str, ...] = ()


class Sink(Protocol):
    """Where results go: ``done`` holds what the file already had when opened."""

    done: dict[str, Row]

    def write(self, result: BatchResult) -> Row:
        """Write one result and flush it; return its summary row."""

    def close(self, complete: bool) -> None:
        """Close the file (``complete``: the run ended normally, not interrupted)."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failure_codes(result: BatchResult) -> tuple[str, ...]:
    if result.verdict is None:
        return (str(result.error).split(":", 1)[0],)
    return tuple(r.code for r in result.verdict.failures)


def _row_of(result: BatchResult) -> Row:
    return Row(result.source, result.status, _failure_codes(result))


def _truncate_partial_line(path: Path) -> bytes:
    """Return the file's complete lines, cutting off a last line a killed run left unfinished."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as handle:
            handle.truncate(end)
    return data[:end]


def _check_profile(path: Path, line: int, found: Any, profile: Profile) -> None:
    if found is not None and found != profile.name:
        raise PhotocheckError(
            f"{str(path)!r} line {line} holds results for profile {found!r}, not "
            f"{profile.name!r}: use another --out file (or the same --profile)"
        )


class JsonLinesSink:
    """One JSON object per line; appends to an existing file after reading what it holds."""

    def __init__(self, path: Path, profile: Profile) -> None:
        self.path, self.done = path, {}
        if path.exists():
            for number, line in enumerate(_truncate_partial_line(path).splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    source, status = record["source"], record["status"]
                    verdict = record.get("verdict") or {}
                except (ValueError, KeyError, TypeError, AttributeError):
                    raise PhotocheckError(
                        f"cannot resume: line {number} of {str(path)!r} is not a photocheck "
                        "batch result; choose another --out file"
                    ) from None
                _check_profile(path, number, verdict.get("profile"), profile)
                if record.get("error"):
                    codes: tuple[str, ...] = (str(record["error"]).split(":", 1)[0],)
                else:
                    codes = tuple(
                        r["code"] for r in verdict.get("results", []) if r["status"] in _FAILING
                    )
                self.done[source] = Row(source, status, codes)
        self.handle = path.open("a", encoding="utf-8")

    def write(self, result: BatchResult) -> Row:
        """Append one result as a JSON line and flush it."""
        # ASCII JSON: file names that are not valid UTF-8 (surrogate escapes) round-trip
        self.handle.write(json.dumps(result.to_dict()) + "\n")
        self.handle.flush()
        return _row_of(result)

    def close(self, complete: bool) -> None:
        """Close the file."""
        self.handle.close()


_FAILING = ("fail", "not_assessed")


def _flat(result: BatchResult, checks: Sequence[str]) -> dict[str, str]:
    verdict = result.verdict
    row = {
        "source": result.source,  # exact: it is the key a resumed run matches
        "status": result.status,
        "profile": verdict.profile if verdict is not None else "",
        "failure_codes": ";".join(_failure_codes(result)) if verdict is not None else "",
        "error": _one_line(result.error or ""),
    }
    for check in checks:
        row[check] = ""
    if verdict is not None:
        for r in verdict.results:
            row[r.check] = r.code
    return row


class CsvSink:
    """One flat row per photo; the header must match the profile's checks to resume."""

    def __init__(self, path: Path, profile: Profile) -> None:
        self.path, self.done = path, {}
        self.columns = [*_FIXED, *profile.checks]
        fresh = not path.exists() or path.stat().st_size == 0
        if not fresh:
            text = _truncate_partial_line(path).decode("utf-8", "surrogateescape")
            reader = csv.DictReader(io.StringIO(text))
            if reader.fieldnames != self.columns:
                raise PhotocheckError(
                    f"cannot resume: the columns of {str(path)!r} are not those of profile "
                    f"{profile.name!r}; choose another --out file"
                )
            for number, record in enumerate(reader, 2):
                _check_profile(path, number, record["profile"] or None, profile)
                codes = record["failure_codes"] or record["error"].split(":", 1)[0]
                self.done[record["source"]] = Row(
                    record["source"], record["status"], tuple(c for c in codes.split(";") if c)
                )
        self.handle = path.open("a", encoding="utf-8", errors="surrogateescape", newline="")
        self.writer = csv.DictWriter(self.handle, self.columns)
        if fresh:
            self.writer.writeheader()
            self.handle.flush()

    def write(self, result: BatchResult) -> Row:
        """Append one result as a CSV row and flush it."""
        self.writer.writerow(_flat(result, self.columns[len(_FIXED) :]))
        self.handle.flush()
        return _row_of(result)

    def close(self, complete: bool) -> None:
        """Close the file."""
        self.handle.close()


class ParquetSink:
    """Results stream to a JSON Lines journal; the Parquet file is written at the end."""

    def __init__(self, path: Path, profile: Profile) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise PhotocheckError(
                "writing Parquet needs pyarrow (pip install 'photocheck[parquet]'); "
                "or use a .jsonl or .csv --out file"
            ) from None
        self.path, self.profile = path, profile
        self.journal = JsonLinesSink(path.with_name(path.name + ".partial.jsonl"), profile)
        self.done = dict(self._read_parquet())
        self.done.update(self.journal.done)

    def _read_parquet(self) -> Iterable[tuple[str, Row]]:
        if not self.path.exists():
            return
        import pyarrow.parquet as pq

        table = pq.read_table(
            self.path, columns=["source", "status", "profile", "failure_codes", "error"]
        )
        for number, record in enumerate(table.to_pylist(), 1):
            _check_profile(self.path, number, record["profile"] or None, self.profile)
            codes = record["failure_codes"] or (record["error"] or "").split(":", 1)[0]
            yield (
                record["source"],
                Row(record["source"], record["status"], tuple(c for c in codes.split(";") if c)),
            )

    def write(self, result: BatchResult) -> Row:
        """Append one result to the journal and flush it."""
        return self.journal.write(result)

    def close(self, complete: bool) -> None:
        """Close the journal; when complete, merge it into the Parquet file and remove it."""
        self.journal.close(complete)
        if not complete:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for record in pq.read_table(self.path).to_pylist():
                rows[record["source"]] = record
        checks = list(self.profile.checks)
        with self.journal.path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                result = _result_from_record(record)
                flat: dict[str, Any] = _flat(result, checks)
                flat["verdict"] = json.dumps(record["verdict"]) if record["verdict"] else None
                rows[flat["source"]] = flat
        columns = [*_FIXED, *checks, "verdict"]
        table = pa.Table.from_pylist(
            [{c: _utf8(r.get(c)) for c in columns} for r in rows.values()],
            schema=pa.schema([(c, pa.string()) for c in columns]),
        )
        temporary = self.path.with_name(self.path.name + ".tmp")
        pq.write_table(table, temporary)
        os.replace(temporary, self.path)
        self.journal.path.unlink()


def _utf8(value: Any) -> Any:
    """Arrow strings must be valid UTF-8: replace the surrogate escapes of odd file names."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def _result_from_record(record: dict[str, Any]) -> BatchResult:
    """Rebuild enough of a BatchResult from a journal line to flatten it."""
    from ..rules.verdict import CheckResult, Verdict

    data = record.get("verdict")
    if not data:
        return BatchResult(-1, record["source"], None, record.get("error"))
    results = tuple(
        CheckResult(
            r["check"],
            r["status"],
            r["code"],
            r["message"],
            r.get("value"),
            r.get("limits") or {},
            r.get("details") or {},
        )
        for r in data["results"]
    )
    return BatchResult(-1, record["source"], Verdict(data["profile"], record["source"], results))


def open_sink(path: str | Path, profile: Profile) -> Sink:
    """Open a results file for appending, reading the results it already holds.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.parquet`` or anything else (JSON Lines).
    profile : Profile
        The profile of this run; a file holding another profile's results is refused.

    Returns
    -------
    Sink
        With ``done`` (source -> Row) and ``write(result)`` / ``close(complete)``.

    Raises
    ------
    PhotocheckError
        When the file holds something else, or Parquet is asked for without pyarrow.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvSink(path, profile)
    if suffix in (".parquet", ".pq"):
        return ParquetSink(path, profile)
    return JsonLinesSink(path, profile)


def summarise(rows: Iterable[Row], *, earlier: int = 0, top: int = 5) -> str:
    """Describe a batch in a few lines: counts by status and the most common failure codes.

    Parameters
    ----------
    rows : iterable of Row
        Every photo of the batch (this run's and earlier runs').
    earlier : int, optional
        How many of them came from an earlier run of the same batch.
    top : int, optional
        How many failure codes to list.

    Returns
    -------
    str
    """
    rows = list(rows)
    status = Counter(r.status for r in rows)
    text = (
        f"{len(rows)} photos: {status['pass']} passed, {status['fail']} failed, "
        f"{status['error']} could not be checked"
    )
    if earlier:
        text += f" ({earlier} from an earlier run)"
    text += "\n"
    failures = Counter(c for r in rows if r.status == "fail" for c in r.codes)
    if failures:
        text += "most common failures:\n"
        text += "".join(f"  {n:>7}  {code}\n" for code, n in failures.most_common(top))
    errors = Counter(c for r in rows if r.status == "error" for c in r.codes)
    if errors:
        text += "errors:\n" + "".join(f"  {n:>7}  {kind}\n" for kind, n in errors.most_common(top))
    return text


def _dask_executor(address: str) -> Executor:
    try:
        import distributed
    except ImportError:
        raise PhotocheckError("--dask needs dask (pip install 'photocheck[dask]')") from None
    client_class: Any = distributed.Client  # untyped
    try:
        client = client_class(address, timeout=30)
    except OSError as exc:
        raise PhotocheckError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    executor: Executor = client.get_executor()
    return executor


def run_batch(
    sources: Sequence[str],
    out: str | Path,
    *,
    profile: str | Path | Profile = "icao",
    workers: int | None = None,
    progress: bool | None = None,
    dask: str | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Check every photo under ``sources``, streaming results to ``out``; resume if it exists.

    Parameters
    ----------
    sources : sequence of str
        Paths, folders, globs or URLs (see :func:`photocheck.imaging.sources.expand_sources`).
    out : str or Path
        The results file (see the module docstring for the formats).
    profile : str, Path or Profile, optional
        The profile to judge against (default ``"icao"``).
    workers : int, optional
        Worker processes (default: the cores available; 1 runs in this process).
    progress : bool, optional
        Show a progress bar on standard error (default: when it is a terminal).
    dask : str, optional
        Address of a Dask scheduler (``tcp://host:8786``) to run the checks on instead.
    stdout : text stream, optional
        Where the summary goes (default ``sys.stdout``).

    Returns
    -------
    int
        0 when every photo passed, 1 when any failed, 2 when any could not be checked.
    """
    stdout = stdout or sys.stdout
    prof = load_profile(profile)
    sink = open_sink(out, prof)
    seen = set(sink.done)
    todo: list[Source] = []
    for source in expand_sources(list(sources)):
        if source.label not in seen:
            seen.add(source.label)
            todo.append(source)
    if not todo and not sink.done:
        sink.close(False)
        raise PhotocheckError("no photos found in " + ", ".join(repr(s) for s in sources))
    executor = _dask_executor(dask) if dask else None
    rows = dict(sink.done)
    complete = False
    try:
        results = validate_many(
            todo, prof, executor=executor, workers=workers, progress=progress, ordered=False
        )
        for result in results:
            rows[result.source] = sink.write(result)
        complete = True
    finally:
        sink.close(complete)
        client = getattr(executor, "_client", None)
        if client is not None:
            client.close()
    stdout.write(summarise(rows.values(), earlier=len(sink.done)))
    stdout.write(f"results: {out}\n")
    statuses = {r.status for r in rows.values()}
    return 2 if "error" in statuses else 1 if "fail" in statuses else 0
