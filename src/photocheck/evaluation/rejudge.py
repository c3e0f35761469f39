"""Judge a whole table of measurements against a profile in one vectorised pass.

:func:`judge_table` applies a profile's limits column by column with NumPy, with exactly the
semantics of :func:`photocheck.rules.judging.judge_measurement` (a test compares the two on real
measurements): limits are applied in the check's order, the first limit whose value is
missing makes the check ``not_assessed``, the first limit violated by its declared noise or
more decides the failure code, ``severity = "warn"`` turns a failure into ``warn``, a value
closer to a limit than its noise (either side) that fails nothing else is ``warn`` with the
code ``<check>.borderline``, and a row whose photo could not be read is ``not_assessed``
everywhere.

It also gives each check a *normalised score* (:func:`check_scores`): a number that is above
1 exactly when the profile's active numeric limits reject the value (beyond a limit by the
limit's noise ``n`` or more; borderline values are accepted), built per limit as

- two-sided ``[lo, hi]``: ``|v - c| / (h + n)`` with ``c`` the centre and ``h`` the half-width;
- ``min`` only: ``1 + (lo - n - v) / s``; ``max`` only: ``1 + (v - hi - n) / s``
  (``s = |limit|``, or 1 when the limit is 0);

and the maximum over the check's limits (a value outside a categorical limit, or missing,
scores ``inf``). Moving the cut-off ``t`` away from 1 scales every limit of the check the same
way (:func:`limits_at`), which is what ROC curves and tuning sweep.

>>> import photocheck
>>> from photocheck.batch.table import MeasurementTable
>>> t = MeasurementTable.from_records([{"source": "a", "sharpness:sharpness": 0.7},
...                                    {"source": "b", "sharpness:sharpness": 0.2}])
>>> p = photocheck.Profile("demo", rules={"sharpness": {"min": 0.45}})
>>> judge_table(t, p).status_names("sharpness").tolist()
['pass', 'fail']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import api as _api  # noqa: F401 - registers the built-in checks profiles name
from ..batch.table import MeasurementTable
from ..checks.identity import REFERENCE_CHECKS, REFERENCE_RULES
from ..rules.profile import Profile, load_profile
from ..rules.registry import CheckSpec, OneOf, Range, get_check

__all__ = [
    "STATUS_NAMES",
    "CheckVerdicts",
    "TableVerdicts",
    "check_scores",
    "judge_table",
    "limits_at",
]

PASS, WARN, FAIL, NOT_ASSESSED = 0, 1, 2, 3
STATUS_NAMES = np.array(["pass", "warn", "fail", "not_assessed"], dtype=object)


@dataclass(frozen=True)
class CheckVerdicts:
    """One check's verdicts on every row.

    Attributes
    ----------
    check : str
        The check id.
    status : ndarray of int8
        0 pass, 1 warn, 2 fail, 3 not_assessed (see :data:`STATUS_NAMES`).
    code_index : ndarray of int8
        Each row's index into :attr:`codes`.
    codes : tuple of str
        The machine codes this check can give (as :attr:`photocheck.CheckResult.code`).
    """

    check: str
    status: NDArray[np.int8]
    code_index: NDArray[np.int8]
    codes: tuple[str, ...]

    @property
    def passed(self) -> NDArray[np.bool_]:
        """Rows where the check passed or warned."""
        return self.status <= WARN

    @property
    def code(self) -> NDArray[Any]:
        """Each row's machine code (an object array of str)."""
        return np.array(self.codes, dtype=object)[self.code_index]


@dataclass(frozen=True)
class TableVerdicts:
    """A profile's verdicts on every row of a table.

    Attributes
    ----------
    profile : str
        The profile's name.
    sources : ndarray
        The table's ``source`` column.
    checks : Mapping[str, CheckVerdicts]
        Per check of the profile, in the profile's order.
    """

    profile: str
    sources: NDArray[Any]
    checks: Mapping[str, CheckVerdicts]

    def __len__(self) -> int:
        return len(self.sources)

    @property
    def ok(self) -> NDArray[np.bool_]:
        """Rows accepted by the profile (every check passed or warned)."""
        out = np.ones(len(self.sources), dtype=bool)
        for verdicts in self.checks.values():
            out &= verdicts.passed
        return out

    def passed(self, check: str) -> NDArray[np.bool_]:
        """Rows where ``check`` passed or warned."""
        return self.checks[check].passed

    def status_names(self, check: str) -> NDArray[Any]:
        """Return the status of ``check`` on every row, as strings."""
        return STATUS_NAMES[self.checks[check].status]


def _column(table: MeasurementTable, name: str) -> tuple[NDArray[Any], NDArray[np.bool_], str]:
    if name in table.columns:
        return table.columns[name], table.present[name], table.kinds[name]
    n = len(table)
    return np.full(n, np.nan), np.zeros(n, dtype=bool), "float"


def _in_allowed(
    values: NDArray[Any],
    allowed: list[Any],
    kind: str | None = None,
    present: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Return ``value in allowed`` for every row (Python equality, as ``judge`` uses)."""
    if values.dtype != object:
        return np.isin(values, allowed)
    if kind == "str" and present is not None and allowed and all(type(a) is str for a in allowed):
        text = np.where(present, values, "").astype(str)
        return present & np.isin(text, np.array(allowed, dtype=str))
    return np.fromiter((v in allowed for v in values.tolist()), dtype=bool, count=len(values))


def _unassessed(table: MeasurementTable, check: str) -> NDArray[np.bool_]:
    out = table.present["error"].copy()
    reason = f"{check}:reason"
    if reason in table.columns:
        out |= table.present[reason]
    return out


def _range_masks(
    values: NDArray[Any], limit: Range, low: Any, high: Any
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Rows failing low, failing high and borderline, as ``range_judgement`` decides them.

    A side without an outcome never fails nor is borderline, and a value below ``low`` is
    not compared with ``high`` (as :func:`photocheck.rules.judging.range_judgement`).
    """
    noise = limit.noise
    none = np.zeros(len(values), dtype=bool)
    below, above, near = none, none, none
    with np.errstate(invalid="ignore"):
        low_side = values < low if low is not None else none
        high_side = ~low_side & (values > high) if high is not None else none
        inside = ~low_side & ~high_side
        if low is not None and limit.too_low is not None:
            below = low_side & (low - values >= noise)
            near = near | low_side & (low - values < noise) | inside & (values - low < noise)
        if high is not None and limit.too_high is not None:
            above = high_side & (values - high >= noise)
            near = near | high_side & (values - high < noise) | inside & (high - values < noise)
    return below, above, near


def judge_check(table: MeasurementTable, spec: CheckSpec, rule: Mapping[str, Any]) -> CheckVerdicts:
    """Judge one check on every row (see the module docstring for the semantics)."""
    n = len(table)
    status = np.full(n, PASS, dtype=np.int8)
    codes: dict[str, int] = {f"{spec.id}.ok": 0, f"{spec.id}.not_assessed": 1}
    code = np.zeros(n, dtype=np.int8)
    decided = _unassessed(table, spec.id)
    if not any(name.startswith(f"{spec.id}:") for name in table.columns):
        decided[:] = True  # the table was not measured with this check at all
    status[decided] = NOT_ASSESSED
    code[decided] = 1
    failing = WARN if rule.get("severity") == "warn" else FAIL
    borderline = np.zeros(n, dtype=bool)
    for limit in spec.limits:
        if not any(p in rule for p in limit.params):
            continue
        values, present, kind = _column(table, f"{spec.id}:{limit.value}")
        missing = ~decided & ~present
        status[missing] = NOT_ASSESSED
        code[missing] = 1
        decided |= missing
        open_rows = ~decided
        if not open_rows.any():
            break
        if isinstance(limit, Range):
            low = rule.get(limit.min_param) if limit.min_param else None
            high = rule.get(limit.max_param) if limit.max_param else None
            below, above, near = _range_masks(values, limit, low, high)
            below, above = below & open_rows, above & open_rows
            borderline |= near & open_rows
            for rows, outcome in ((below, limit.too_low), (above, limit.too_high)):
                if outcome is not None and rows.any():
                    status[rows] = failing
                    code[rows] = codes.setdefault(outcome.code, len(codes))
                    decided |= rows
        elif isinstance(limit, OneOf):
            bad = open_rows & ~_in_allowed(values, list(rule[limit.param]), kind, present)
            status[bad] = failing
            code[bad] = codes.setdefault(limit.outcome.code, len(codes))
            decided |= bad
    borderline &= ~decided
    if borderline.any():
        status[borderline] = WARN
        code[borderline] = codes.setdefault(f"{spec.id}.borderline", len(codes))
    return CheckVerdicts(spec.id, status, code, tuple(codes))


def judge_table(table: MeasurementTable, profile: str | Path | Profile = "icao") -> TableVerdicts:
    """Judge every row of a measurement table against a profile, vectorised.

    Parameters
    ----------
    table : MeasurementTable
        From :func:`photocheck.batch.table.measure_many` or :func:`photocheck.batch.table.read_table`.
    profile : str, Path or Profile, optional
        The profile (default ``"icao"``).

    Returns
    -------
    TableVerdicts
        Per check, each row's status and code; ``.ok`` is each row's overall verdict. A
        check the table has no column for is ``not_assessed`` on every row, as
        :func:`photocheck.judge` says for a check that was not measured, except a check that
        compares with a reference photo: like :func:`photocheck.judge`, it is left out when
        nothing was compared (no column).
    """
    prof = load_profile(profile)
    checks = {}
    for check, rule in prof.rules.items():
        if check in REFERENCE_CHECKS:
            if not any(name.startswith(f"{check}:") for name in table.columns):
                continue
            rule = {**REFERENCE_RULES[check], **rule}
        checks[check] = judge_check(table, get_check(check), rule)
    return TableVerdicts(prof.name, table.columns["source"], checks)


# --- normalised scores --------------------------------------------------------------------


_ABOVE_ONE = np.nextafter(1.0, 2.0)


def _scale(limit_value: float) -> float:
    return abs(float(limit_value)) or 1.0


def _range_sides(limit: Range, rule: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low = rule.get(limit.min_param) if limit.min_param and limit.too_low else None
    high = rule.get(limit.max_param) if limit.max_param and limit.too_high else None
    return low, high


def check_scores(
    table: MeasurementTable, check: str, rule: Mapping[str, Any]
) -> NDArray[np.float64]:
    """Normalised score of ``check`` on every row: above 1 exactly when the limits reject.

    A value is rejected when it is beyond a limit by the limit's ``noise`` or more (see the
    module docstring for the formulas).

    Rows that cannot be assessed (error, reason, missing value, a categorical value outside
    the allowed list) score ``inf``; a check with no active numeric limit scores 0
    elsewhere. A NaN value adds nothing (the limit lets it pass, as ``judge`` does).
    """
    spec = get_check(check)
    n = len(table)
    score = np.zeros(n)
    score[_unassessed(table, check)] = np.inf
    for limit in spec.limits:
        if not any(p in rule for p in limit.params):
            continue
        values, present, kind = _column(table, f"{check}:{limit.value}")
        score[~present] = np.inf
        if isinstance(limit, OneOf):
            score[present & ~_in_allowed(values, list(rule[limit.param]), kind, present)] = np.inf
            continue
        low, high = _range_sides(limit, rule)
        v = values.astype(np.float64)
        noise = limit.noise
        below, above, _ = _range_masks(
            v,
            limit,
            rule.get(limit.min_param) if limit.min_param else None,
            rule.get(limit.max_param) if limit.max_param else None,
        )
        if low is not None and high is not None:
            centre, half = (low + high) / 2.0, (high - low) / 2.0 + noise
            part = np.abs(v - centre) / half if half > 0 else np.where(v == centre, 0.0, np.inf)
        elif low is not None:
            part = 1.0 + (low - noise - v) / _scale(low)
        elif high is not None:
            part = 1.0 + (v - high - noise) / _scale(high)
        else:
            continue
        # A value beyond a limit by exactly its noise is rejected and scores 1 by the formula.
        part = np.where(below | above, np.maximum(part, _ABOVE_ONE), np.minimum(part, 1.0))
        score = np.where(present, np.fmax(score, part), score)
    return score


def limits_at(check: str, rule: Mapping[str, Any], t: float) -> dict[str, float]:
    """Return the numeric parameters of ``rule`` moved so that the score cut-off becomes ``t``.

    ``t = 1`` returns the current limits; ``t > 1`` widens every limit of the check (fewer
    rejections), ``t < 1`` narrows them. The limits' noise is kept: with the returned limits,
    :func:`check_scores` of the old limits above ``t`` is exactly what they reject.
    """
    spec = get_check(check)
    out: dict[str, float] = {}
    for limit in spec.limits:
        if not isinstance(limit, Range):
            continue
        low, high = _range_sides(limit, rule)
        if low is not None and high is not None:
            centre, noise = (low + high) / 2.0, limit.noise
            half = t * ((high - low) / 2.0 + noise) - noise
            out[limit.min_param] = centre - half  # type: ignore[index]
            out[limit.max_param] = centre + half  # type: ignore[index]
        elif low is not None:
            out[limit.min_param] = low - (t - 1.0) * _scale(low)  # type: ignore[index]
        elif high is not None:
            out[limit.max_param] = high + (t - 1.0) * _scale(high)  # type: ignore[index]
    return out
