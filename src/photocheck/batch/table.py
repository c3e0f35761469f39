"""A table of raw measurements: one row per photo, one column per measured value.

Measure a labelled set once with :func:`measure_many`, save the table (Parquet or CSV),
and re-judge it as often as you like with :func:`photocheck.evaluation.rejudge.judge_table` - judging
never touches pixels.

Columns are ``source`` (where the photo came from), ``error`` (why a photo could not be
measured at all, else missing), one ``"check:value"`` column per measured value (the keys
of :meth:`photocheck.Measurements.flat`), ``"check:reason"`` when a check could not measure,
and any extra columns the caller adds (e.g. ``meta:variant``). Each column has a kind:
``float``, ``int``, ``bool``, ``str`` or ``json`` (anything else, stored as JSON text), and a
mask of which rows hold a value. A missing value (``None``) is different from NaN.

>>> from photocheck.batch.table import MeasurementTable
>>> t = MeasurementTable.from_records([{"source": "a", "sharpness:sharpness": 0.7},
...                                    {"source": "b", "error": "InvalidImageError: bad"}])
>>> t.kinds["sharpness:sharpness"], t.to_records()[1]["sharpness:sharpness"]
('float', None)
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ..errors import PhotocheckError
from ..rules.verdict import Measurements, Scalar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MeasurementTable", "cached_table", "measure_many", "read_table"]

Kind: TypeAlias = Literal["float", "int", "bool", "str", "json"]
_KINDS: tuple[Kind, ...] = ("float", "int", "bool", "str", "json")
_DTYPES: dict[str, Any] = {"float": np.float64, "int": np.int64, "bool": np.bool_}
SCHEMA_SUFFIX = ".schema.json"
NOT_MEASURED = "this check was not measured"


def _kind_of(values: Iterable[Any]) -> Kind:
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool | np.bool_):
            kinds.add("bool")
        elif isinstance(v, int | np.integer):
            kinds.add("int")
        elif isinstance(v, float | np.floating):
            kinds.add("float")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            kinds.add("json")
    if not kinds:
        return "float"
    if len(kinds) == 1:
        return kinds.pop()  # type: ignore[return-value]
    if kinds <= {"int", "float"}:
        return "float"
    return "json"


def _column(values: Sequence[Any], kind: Kind) -> tuple[NDArray[Any], NDArray[np.bool_]]:
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    if kind in _DTYPES:
        fill: Any = {"float": math.nan, "int": 0, "bool": False}[kind]
        data = np.array([fill if v is None else v for v in values], dtype=_DTYPES[kind])
    else:
        data = np.empty(len(values), dtype=object)
        data[:] = [None if v is None else v for v in values]
        if kind == "json":
            data[:] = [None if v is None else _plain(v) for v in values]
    return data, present


def _plain(value: Any) -> Any:
    """Return ``value`` JSON-ready (NumPy scalars and tuples become Python values)."""
    from ..rules.verdict import jsonable

    return jsonable(value)


@dataclass(frozen=True)
class MeasurementTable:
    """Raw measurements of many photos, column by column (see the module docstring).

    Attributes
    ----------
    columns : Mapping[str, ndarray]
        Column name -> values (float64, int64, bool or object arrays).
    present : Mapping[str, ndarray of bool]
        Column name -> which rows hold a value (False: missing / None).
    kinds : Mapping[str, str]
        Column name -> ``"float"``, ``"int"``, ``"bool"``, ``"str"`` or ``"json"``.

    """

    columns: Mapping[str, NDArray[Any]]
    present: Mapping[str, NDArray[np.bool_]]
    kinds: Mapping[str, Kind]

    def __post_init__(self) -> None:
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise PhotocheckError(f"table columns have different lengths: {sorted(lengths)}")
        if set(self.columns) != set(self.present) or set(self.columns) != set(self.kinds):
            raise PhotocheckError("table columns, masks and kinds must name the same columns")

    # --- construction ------------------------------------------------------------------

    @classmethod
    def from_records(
        cls, records: Sequence[Mapping[str, Any]], *, kinds: Mapping[str, Kind] | None = None
    ) -> MeasurementTable:
        """Build a table from dict rows (missing keys are missing values).

        Parameters
        ----------
        records : sequence of mapping
            One mapping per row.
        kinds : mapping, optional
            Column kinds to use instead of inferring them from the values.

        """
        names: dict[str, None] = {"source": None, "error": None}
        for row in records:
            names.update(dict.fromkeys(row))
        columns, present, out_kinds = {}, {}, {}
        for name in names:
            values = [row.get(name) for row in records]
            kind = (kinds or {}).get(name) or (
                "str" if name in ("source", "error") else _kind_of(values)
            )
            if kind not in _KINDS:
                raise PhotocheckError(f"column {name!r}: unknown kind {kind!r}")
            try:
                columns[name], present[name] = _column(values, kind)
            except (TypeError, ValueError) as exc:
                raise PhotocheckError(f"column {name!r} cannot hold {kind} values: {exc}") from None
            out_kinds[name] = kind
        return cls(columns, present, out_kinds)

    @classmethod
    def from_measurements(
        cls,
        items: Iterable[tuple[str, Measurements | None, str | None]],
        *,
        extra: Sequence[Mapping[str, Any]] | None = None,
    ) -> MeasurementTable:
        """Build a table from ``(source, Measurements or None, error or None)`` items.

        Checks measured on some photos but absent from another get the reason
        ``"this check was not measured"`` on that row, so judging treats them exactly as
        :func:`photocheck.judge` does. ``extra`` adds columns, one mapping per item.
        """
        rows: list[dict[str, Any]] = []
        measured: list[set[str] | None] = []
        checks: dict[str, None] = {}
        for source, measurements, error in items:
            row: dict[str, Any] = {"source": str(source), "error": error}
            if measurements is not None:
                row.update(measurements.flat())
                checks.update(dict.fromkeys(measurements.by_check))
                measured.append(set(measurements.by_check))
            else:
                measured.append(None)
            rows.append(row)
        for row, done in zip(rows, measured, strict=True):
            if done is None:
                continue
            for check in checks:
                if check not in done:
                    row[f"{check}:reason"] = NOT_MEASURED
        if extra is not None:
            if len(extra) != len(rows):
                raise PhotocheckError(f"extra has {len(extra)} rows, the table {len(rows)}")
            for row, more in zip(rows, extra, strict=True):
                row.update(more)
        return cls.from_records(rows)

    # --- access ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(self.columns)

    @property
    def checks(self) -> tuple[str, ...]:
        """Check ids that have at least one column."""
        seen: dict[str, None] = {}
        for name in self.columns:
            if ":" in name and not name.startswith("meta:"):
                seen[name.split(":", 1)[0]] = None
        return tuple(seen)

    @property
    def sources(self) -> list[str]:
        """The ``source`` column as a list."""
        return [str(s) for s in self.columns["source"]]

    def value(self, name: str, row: int) -> Scalar | Any:
        """Return one cell as a Python value (``None`` when missing)."""
        if not self.present[name][row]:
            return None
        v = self.columns[name][row]
        return v.item() if isinstance(v, np.generic) else v

    def numeric(self, name: str) -> NDArray[np.float64]:
        """Return a numeric column as float64, NaN where the value is missing.

        Raises
        ------
        PhotocheckError
            When the column holds text.
        """
        if self.kinds[name] not in _DTYPES:
            raise PhotocheckError(f"column {name!r} holds {self.kinds[name]} values, not numbers")
        return np.where(self.present[name], self.columns[name].astype(np.float64), np.nan)

    def equals(self, name: str, value: Any) -> NDArray[np.bool_]:
        """Return the rows where column ``name`` holds ``value`` (False where missing)."""
        if name not in self.columns:
            return np.zeros(len(self), dtype=bool)
        return self.present[name] & (self.columns[name] == value)

    def rows(self, mask: Any) -> MeasurementTable:
        """Return the rows selected by a boolean mask or an index array."""
        index = np.asarray(mask)
        return MeasurementTable(
            {n: c[index] for n, c in self.columns.items()},
            {n: p[index] for n, p in self.present.items()},
            dict(self.kinds),
        )

    @classmethod
    def concat(cls, tables: Sequence[MeasurementTable]) -> MeasurementTable:
        """Stack tables with possibly different columns (missing cells are missing)."""
        records = [r for t in tables for r in t.to_records()]
        kinds: dict[str, Kind] = {}
        for t in tables:
            for name, kind in t.kinds.items():
                kinds[name] = kind if kinds.get(name, kind) == kind else "json"
        return cls.from_records(records, kinds=kinds)

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Yield one dict per row; missing values are ``None`` (and left out: see below).

        Every column appears in every dict, with ``None`` where the value is missing.
        """
        names = list(self.columns)
        lists = {n: self.columns[n].tolist() for n in names}
        masks = {n: self.present[n].tolist() for n in names}
        for i in range(len(self)):
            yield {n: (lists[n][i] if masks[n][i] else None) for n in names}

    def to_records(self) -> list[dict[str, Any]]:
        """Return the table as plain dicts (one per row, Python values, ``None`` = missing)."""
        return list(self.iter_records())

    def measurements(self, row: int) -> Measurements:
        """Rebuild the :class:`~photocheck.Measurements` of one row (no geometry).

        Raises
        ------
        PhotocheckError
            When that photo could not be measured (its ``error`` is set).

        """
        from ..rules.verdict import Measurement

        if self.present["error"][row]:
            raise PhotocheckError(f"row {row} was not measured: {self.value('error', row)}")
        values: dict[str, dict[str, Any]] = {}
        reasons: dict[str, str] = {}
        for name in self.columns:
            if ":" not in name or name.startswith("meta:"):
                continue
            check, key = name.split(":", 1)
            values.setdefault(check, {})
            if not self.present[name][row]:
                continue
            if key == "reason":
                reasons[check] = str(self.value(name, row))
            else:
                values[check][key] = self.value(name, row)
        by_check = {
            c: Measurement(c, {} if c in reasons else v, reasons.get(c))
            for c, v in values.items()
            if reasons.get(c) != NOT_MEASURED
        }
        return Measurements(str(self.value("source", row)), by_check)

    # --- conversion and storage --------------------------------------------------------

    def to_pandas(self) -> pd.DataFrame:
        """Return a pandas DataFrame with nullable dtypes (``Int64``, ``boolean``, ``string``).

        Raises
        ------
        ImportError
            When pandas is not installed (``pip install photocheck[pandas]``).

        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_pandas() needs pandas: pip install 'photocheck[pandas]'; to_records() "
                "works without it"
            ) from exc
        data = {}
        for name, kind in self.kinds.items():
            values, mask = self.columns[name], self.present[name]
            if kind == "float":
                data[name] = pd.array(np.where(mask, values, np.nan), dtype="float64")
                if not mask.all():  # keep None apart from NaN with a masked array
                    data[name] = pd.arrays.FloatingArray(values.astype(np.float64), ~mask)
            elif kind == "int":
                data[name] = pd.arrays.IntegerArray(values.astype(np.int64), ~mask)
            elif kind == "bool":
                data[name] = pd.arrays.BooleanArray(values.astype(bool), ~mask)
            elif kind == "str":
                data[name] = pd.array(
                    [v if m else None for v, m in zip(values, mask, strict=True)], dtype="string"
                )
            else:
                data[name] = pd.Series(
                    [v if m else None for v, m in zip(values, mask, strict=True)], dtype=object
                )
        return pd.DataFrame(data)

    @classmethod
    def from_pandas(cls, frame: pd.DataFrame) -> MeasurementTable:
        """Build a table from a DataFrame made by :meth:`to_pandas` (or any similar one)."""
        import pandas as pd

        records = []
        names = [str(c) for c in frame.columns]
        kinds: dict[str, Kind] = {}
        for name in names:
            dtype = frame[name].dtype
            if pd.api.types.is_bool_dtype(dtype):
                kinds[name] = "bool"
            elif pd.api.types.is_integer_dtype(dtype):
                kinds[name] = "int"
            elif pd.api.types.is_float_dtype(dtype):
                kinds[name] = "float"
            elif pd.api.types.is_string_dtype(dtype) and name in ("source", "error"):
                kinds[name] = "str"
        for row in frame.itertuples(index=False, name=None):
            records.append(
                {
                    n: (None if v is pd.NA or v is None else v)
                    for n, v in zip(names, row, strict=True)
                }
            )
        return cls.from_records(records, kinds=kinds)

    def write(self, path: str | Path) -> Path:
        """Save the table as Parquet (``.parquet``, needs pyarrow) or CSV (anything else).

        CSV gets a sidecar ``<file>.schema.json`` with the column kinds, so that
        :func:`read_table` restores the same types; an empty CSV cell is a missing value and
        ``nan`` / ``inf`` are floats.

        Returns
        -------
        Path
            The file written.

        """
        path = Path(path)
        if path.suffix.lower() in (".parquet", ".pq"):
            self._write_parquet(path)
            return path
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.names)
            cells = {n: self._text_cells(n) for n in self.names}
            for i in range(len(self)):
                writer.writerow([cells[n][i] for n in self.names])
        schema = {"format": "photocheck.measurement-table", "version": 1, "kinds": dict(self.kinds)}
        Path(str(path) + SCHEMA_SUFFIX).write_text(json.dumps(schema, indent=1), encoding="utf-8")
        return path

    def _text_cells(self, name: str) -> list[str]:
        kind, values, mask = self.kinds[name], self.columns[name], self.present[name]
        out = []
        for v, m in zip(values.tolist(), mask.tolist(), strict=True):
            if not m:
                out.append("")
            elif kind == "float":
                out.append(repr(float(v)))
            elif kind == "bool":
                out.append("true" if v else "false")
            elif kind == "json":
                out.append(json.dumps(v))
            elif kind == "str" and (v == "" or v.startswith('"')):
                out.append(json.dumps(v))  # keep "" apart from missing
            else:
                out.append(str(v))
        return out

    def _write_parquet(self, path: Path) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Parquet needs pyarrow: pip install 'photocheck[parquet]', or save as .csv"
            ) from exc
        types = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
        arrays, fields = [], []
        for name, kind in self.kinds.items():
            mask = ~self.present[name]
            if kind == "json":
                texts = [
                    json.dumps(v) if m else None
                    for v, m in zip(
                        self.columns[name].tolist(), self.present[name].tolist(), strict=True
                    )
                ]
                arrays.append(pa.array(texts, type=pa.string()))
                fields.append(pa.field(name, pa.string(), metadata={"photocheck_kind": "json"}))
            elif kind == "str":
                values = [
                    v if m else None
                    for v, m in zip(
                        self.columns[name].tolist(), self.present[name].tolist(), strict=True
                    )
                ]
                arrays.append(pa.array(values, type=pa.string()))
                fields.append(pa.field(name, pa.string()))
            else:
                arrays.append(pa.array(self.columns[name], type=types[kind], mask=mask))
                fields.append(pa.field(name, types[kind]))
        schema = pa.schema(fields, metadata={"photocheck": "measurement-table/1"})
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)


def _parse_cell(text: str, kind: Kind) -> Any:
    if text == "":
        return None
    if kind == "float":
        return float(text)
    if kind == "int":
        return int(text)
    if kind == "bool":
        if text not in ("true", "false"):
            raise ValueError(f"not a bool: {text!r}")
        return text == "true"
    if kind == "json" or (kind == "str" and text.startswith('"')):
        return json.loads(text)
    return text


def read_table(path: str | Path) -> MeasurementTable:
    """Load a table saved by :meth:`MeasurementTable.write` (Parquet or CSV + schema).

    A CSV without its ``.schema.json`` sidecar is read with kinds inferred from the text.

    Raises
    ------
    PhotocheckError
        When the file cannot be read or does not match its schema.

    """
    path = Path(path)
    if not path.is_file():
        raise PhotocheckError(f"no measurement table at {str(path)!r}")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    sidecar = Path(str(path) + SCHEMA_SUFFIX)
    kinds: dict[str, Kind] | None = None
    if sidecar.is_file():
        kinds = json.loads(sidecar.read_text(encoding="utf-8"))["kinds"]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise PhotocheckError(f"{str(path)!r} is empty") from None
        rows = list(reader)
    if kinds is None:
        kinds = {n: _guess_kind([r[i] for r in rows if i < len(r)]) for i, n in enumerate(header)}
    records = []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise PhotocheckError(
                f"{str(path)!r} line {number}: {len(row)} cells, {len(header)} columns"
            )
        try:
            records.append(
                {n: _parse_cell(t, kinds.get(n, "str")) for n, t in zip(header, row, strict=True)}
            )
        except (ValueError, json.JSONDecodeError) as exc:
            raise PhotocheckError(f"{str(path)!r} line {number}: {exc}") from None
    return MeasurementTable.from_records(records, kinds={n: kinds.get(n, "str") for n in header})


def cached_table(
    path: str | Path | None, measure: Callable[[], MeasurementTable]
) -> MeasurementTable:
    """Read the table saved at ``path``, or measure it and save it there.

    Parameters
    ----------
    path : str, Path or None
        Where the table is kept (``.parquet`` or ``.csv``); None: measure, save nothing.
    measure : callable
        Returns the table when there is none at ``path`` yet (e.g. a :func:`measure_many`
        call).

    Returns
    -------
    MeasurementTable
        The saved table or the new one. A saved table is not checked against the photos:
        delete the file to measure again.
    """
    if path is not None and Path(path).is_file():
        return read_table(path)
    table = measure()
    if path is not None:
        table.write(path)
    return table


def _guess_kind(texts: Sequence[str]) -> Kind:
    filled = [t for t in texts if t != ""]
    for kind, parse in (("int", int), ("float", float)):
        try:
            for t in filled:
                parse(t)
        except ValueError:
            continue
        return kind  # type: ignore[return-value]
    if filled and all(t in ("true", "false") for t in filled):
        return "bool"
    return "str"


def _read_parquet(path: Path) -> MeasurementTable:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Parquet needs pyarrow: pip install 'photocheck[parquet]'") from exc
    table = pq.read_table(path)
    records: list[dict[str, Any]] = table.to_pylist()
    kinds: dict[str, Kind] = {}
    for field in table.schema:
        meta = field.metadata or {}
        if meta.get(b"photocheck_kind") == b"json":
            kinds[field.name] = "json"
            for r in records:
                if r[field.name] is not None:
                    r[field.name] = json.loads(r[field.name])
            continue
        t = str(field.type)
        kinds[field.name] = {"double": "float", "int64": "int", "bool": "bool"}.get(t, "str")  # type: ignore[assignment]
    return MeasurementTable.from_records(records, kinds=kinds)


def measure_many(
    photos: Iterable[Any],
    *,
    checks: Iterable[str] | None = None,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = False,
    extra: Sequence[Mapping[str, Any]] | None = None,
) -> MeasurementTable:
    """Measure many photos once and return their raw measurements as a table.

    Parameters
    ----------
    photos : iterable
        Paths, bytes, arrays... (anything :func:`photocheck.measure` takes). A photo that
        cannot be read gives a row with its ``error`` set; it does not stop the batch.
    checks : iterable of str, optional
        Check ids to measure (default: every registered check).
    executor, workers : optional
        Passed to :func:`photocheck.batch.runner.iter_measurements` (worker processes, Dask...).
        ``workers=1`` measures in this process.
    progress : bool, optional
        Show a progress bar.
    extra : sequence of mapping, optional
        Extra columns, one mapping per photo (e.g. ``{"meta:label": "busy"}``).

    Returns
    -------
    MeasurementTable
        One row per photo, in input order.

    """
    from .runner import iter_measurements

    check_list = list(checks) if checks is not None else None
    items = iter_measurements(
        photos, checks=check_list, executor=executor, workers=workers, progress=progress
    )
    return MeasurementTable.from_measurements(list(items), extra=extra)
