"""Labelled synthetic variants of a photo: one generator shared by tests, docs and notebooks.

A *variant* degrades a (compliant) photo in one known way - blur, exposure, a tilted head, a
recoloured background, JPEG compression, a bad crop - at a chosen *severity*, and carries the
verdict each affected check is expected to give. Evaluation uses variants to complement small
labelled photo sets (see :func:`photocheck.evaluation.tuning.evaluate`).

Stable API (other modules register their own variants with the same decorator)
------------------------------------------------------------------------------
``register_variant(name, *, severities, expected, summary="", replace=False)``
    Decorator on ``fn(rgb, severity, rng) -> ndarray``. ``fn`` takes an RGB uint8 array
    (H, W, 3) that it must not modify, a severity (one of ``severities``, or any value the
    caller passes) and a :class:`numpy.random.Generator`, and returns a new RGB uint8 array
    (any size). It uses NumPy/OpenCV only and is deterministic for a given ``rng``. It may
    raise :class:`VariantNotApplicable` when the photo does not suit it (e.g. no plain
    background to recolour). ``expected`` is either a mapping ``{check_id: "pass"|"fail"}``
    that holds at every severity, or a callable ``severity -> mapping``; a check left out of
    the mapping has no expectation at that severity (the zone between clearly fine and
    clearly wrong). ``"fail"`` means the check must not pass (``fail``, ``warn`` is a pass;
    ``not_assessed`` counts as not passing), judged with the ``icao`` profile on a source
    photo that passes that check.
``available_variants() -> tuple[str, ...]``
    Names of the registered variants, including those of the photocheck modules listed in
    :data:`VARIANT_MODULES` (``photocheck.evaluation.synthetic_lighting``: shadows, hot spots,
    colour casts, red eyes, closed eyes, compression), imported on first use. A module of your
    own registers its variants when you import it.
``variant_info(name) -> VariantSpec``
    The registered spec (name, summary, severities, ``expected_for(severity)``).
``make_variant(rgb, name, severity, *, seed=0) -> Variant``
    One variant: ``Variant(name, severity, image, expected)``.
``iter_variants(rgb, names=None, severities=None, *, seed=0) -> Iterator[Variant]``
    Every registered variant (or the ones named) at its listed severities (or the ones
    given), skipping the variants that raise :class:`VariantNotApplicable`.
``expect(check, *, passes, fails)``
    Builds ``expected`` for a check and a numeric severity (pass zone, fail zone).
``to_linear(rgb)`` / ``to_srgb(linear)``
    sRGB uint8 <-> linear light, for variants that work in linear light.
``frame_portrait(rgb, geometry)``
    Crops a photo to ICAO framing: the bases of the crop variants.
``expectation_agreement(table, verdicts)``
    How often each check's verdict agrees with the variants' expectations, per variant and
    severity, over the bases that pass the check untouched.

Built-in variants (severity meaning; expected verdict)
-----------------------------------------------------
- ``blur.gaussian``: sigma in % of the image width; sharpness passes at <= 0.1, fails at >= 1.0.
- ``blur.motion``: streak length in % of the width; sharpness passes at <= 0.5, fails at >= 3.
- ``exposure.dark``: gain < 1 in linear light; exposure passes at >= 0.7 (half a stop),
  fails at <= 0.25 (two stops darker).
- ``exposure.bright``: gain > 1 in linear light; exposure passes at <= 1.4, fails at >= 4.
- ``rotation``: roll of the whole photo in degrees; pose.roll passes at |s| <= 2, fails at
  |s| >= 12.
- ``background.recolour``: a colour name of :data:`BACKGROUND_COLOURS`; background.colour
  passes for the colours the ``icao`` profile allows (white, light grey, blue), fails for the
  others. Needs a plain background (see :func:`plain_background_mask`).
- ``background.busy``: contrast (grey levels) of random bars painted over a plain
  background; background.uniformity passes at <= 3, fails at >= 40.
- ``jpeg``: JPEG quality of a round trip; sharpness passes at quality >= 30.
- ``crop.off_centre``: sideways shift as a share of the width; geometry.centring passes at
  |s| <= 0.02, fails at |s| >= 0.15.
- ``crop.too_tight``: zoom factor about the centre (same size out); geometry.face_width
  passes at <= 1.05, fails at >= 1.4.
- ``crop.too_loose``: padding factor with replicated edges (larger image out);
  geometry.face_width passes at <= 1.05, fails at >= 1.4.

Expectations are set from what the standard means (e.g. two stops of under-exposure is
not acceptable), not from what the checks happen to measure; between clearly fine and
clearly wrong no expectation is given. They assume a source photo that passes the check
concerned; the crop expectations also assume a photo framed the ICAO way (face about 60% of
the width, centred), as :func:`frame_portrait` prepares them (and
:func:`photocheck.evaluation.tuning.synthetic_set` with it).

Examples
--------
>>> import numpy as np
>>> from photocheck.evaluation.synthetic import make_variant
>>> rgb = np.full((400, 300, 3), 200, dtype=np.uint8)
>>> v = make_variant(rgb, "crop.too_loose", 2.0)
>>> v.image.shape, v.expected["geometry.face_width"]
((800, 600, 3), 'fail')

"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ..errors import PhotocheckError, suggest

if TYPE_CHECKING:
    from ..batch.table import MeasurementTable
    from .rejudge import TableVerdicts

__all__ = [
    "Variant",
    "VariantNotApplicable",
    "VariantSpec",
    "available_variants",
    "expect",
    "expectation_agreement",
    "frame_portrait",
    "iter_variants",
    "make_variant",
    "plain_background_mask",
    "register_variant",
    "to_linear",
    "to_srgb",
    "variant_info",
]

Expectation: TypeAlias = Literal["pass", "fail"]
RGB: TypeAlias = NDArray[np.uint8]
VariantFn: TypeAlias = Callable[[RGB, Any, np.random.Generator], RGB]
ExpectedArg: TypeAlias = Mapping[str, Expectation] | Callable[[Any], Mapping[str, Expectation]]


class VariantNotApplicable(PhotocheckError, ValueError):
    """The photo does not suit this variant (e.g. no plain background to recolour)."""


@dataclass(frozen=True)
class Variant:
    """One synthetic variant of a photo.

    Attributes
    ----------
    name : str
        The registered variant name, e.g. ``"blur.gaussian"``.
    severity : Any
        The severity it was made at.
    image : ndarray
        The new photo, RGB uint8 (H, W, 3).
    expected : Mapping[str, {"pass", "fail"}]
        The verdict each affected check should give (checks not named: no expectation).

    """

    name: str
    severity: Any
    image: RGB
    expected: Mapping[str, Expectation]

    @property
    def label(self) -> str:
        """A short label such as ``"blur.gaussian@1.5"``."""
        return f"{self.name}@{self.severity}"


@dataclass(frozen=True)
class VariantSpec:
    """A registered variant generator."""

    name: str
    fn: VariantFn
    severities: tuple[Any, ...]
    expected: ExpectedArg
    summary: str = ""

    def expected_for(self, severity: Any) -> dict[str, Expectation]:
        """Return the expected verdicts at ``severity`` (``{check_id: "pass"|"fail"}``)."""
        table = self.expected(severity) if callable(self.expected) else self.expected
        out = dict(table)
        for check, outcome in out.items():
            if outcome not in ("pass", "fail"):
                raise PhotocheckError(
                    f"variant {self.name!r}: expected outcome for {check!r} must be 'pass' or "
                    f"'fail', got {outcome!r}"
                )
        return out


_VARIANTS: dict[str, VariantSpec] = {}
_LOCK = threading.Lock()


def register_variant(
    name: str,
    *,
    severities: Sequence[Any],
    expected: ExpectedArg,
    summary: str = "",
    replace: bool = False,
) -> Callable[[VariantFn], VariantFn]:
    """Register a variant generator (a decorator).

    Parameters
    ----------
    name : str
        Variant name, dotted like check ids (``"lighting.shadow"``).
    severities : sequence
        The default severities :func:`iter_variants` produces, mildest first.
    expected : mapping or callable
        ``{check_id: "pass"|"fail"}`` for every severity, or ``fn(severity) -> mapping``.
    summary : str, optional
        One line saying what the variant does (default: the function's first doc line).
    replace : bool, optional
        Allow replacing a variant of the same name (default False raises).

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from photocheck.evaluation.synthetic import register_variant, make_variant
    >>> @register_variant("demo.invert", severities=[1], expected={}, replace=True)
    ... def invert(rgb, severity, rng):
    ...     return 255 - rgb
    >>> int(make_variant(np.zeros((8, 8, 3), np.uint8), "demo.invert", 1).image.max())
    255

    """
    if not severities:
        raise PhotocheckError(f"variant {name!r}: give at least one severity")

    def decorator(fn: VariantFn) -> VariantFn:
        doc = summary or (fn.__doc__ or "").strip().split("\n")[0]
        spec = VariantSpec(name, fn, tuple(severities), expected, doc)
        with _LOCK:
            if name in _VARIANTS and not replace:
                raise PhotocheckError(f"a variant named {name!r} is already registered")
            _VARIANTS[name] = spec
        return fn

    return decorator


# Modules of photocheck that register more variants with this generator; they are imported
# on first use of :func:`available_variants`, :func:`variant_info` or :func:`iter_variants`.
VARIANT_MODULES = ("photocheck.evaluation.synthetic_lighting",)
_FAMILIES_LOADED = False


def _load_families() -> None:
    global _FAMILIES_LOADED
    if _FAMILIES_LOADED:
        return
    _FAMILIES_LOADED = True
    import importlib

    for module in VARIANT_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a family not shipped in this build
            if exc.name != module:
                raise


def available_variants() -> tuple[str, ...]:
    """Return the names of the registered variants, those of this module first.

    Includes the variants of the other photocheck modules listed in :data:`VARIANT_MODULES`
    (lighting, colour and compression variants), imported on first use.
    """
    _load_families()
    return tuple(_VARIANTS)


def variant_info(name: str) -> VariantSpec:
    """Return the registered variant ``name``; unknown names suggest the closest ones."""
    if name not in _VARIANTS:
        _load_families()
    try:
        return _VARIANTS[name]
    except KeyError:
        raise PhotocheckError(
            f"unknown variant {name!r}.{suggest(name, _VARIANTS)} "
            f"Known variants: {', '.join(_VARIANTS)}"
        ) from None


def _as_rgb(rgb: Any) -> RGB:
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise PhotocheckError(
            f"a variant needs an RGB uint8 array (H, W, 3), got dtype {array.dtype} and shape "
            f"{array.shape}"
        )
    if min(array.shape[:2]) < 8:
        raise PhotocheckError(f"a variant needs an image at least 8 x 8 px, got {array.shape[:2]}")
    return array


def make_variant(rgb: Any, name: str, severity: Any, *, seed: int = 0) -> Variant:
    """Make one labelled variant of a photo.

    Parameters
    ----------
    rgb : ndarray
        The source photo, RGB uint8 (H, W, 3); it is not modified.
    name : str
        A registered variant (see :func:`available_variants`).
    severity : Any
        How strong the degradation is (see the table at the top of this module).
    seed : int, optional
        Seed of the random generator handed to the variant (default 0).

    Returns
    -------
    Variant

    Raises
    ------
    VariantNotApplicable
        When the photo does not suit the variant.
    PhotocheckError
        Unknown variant name or an input that is not an RGB uint8 array.

    """
    spec = variant_info(name)
    source = _as_rgb(rgb)
    image = np.ascontiguousarray(spec.fn(source, severity, np.random.default_rng(seed)))
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise PhotocheckError(
            f"variant {name!r} returned {image.dtype} {image.shape}, not RGB uint8"
        )
    return Variant(name, severity, image, MappingProxyType(spec.expected_for(severity)))


def iter_variants(
    rgb: Any,
    names: Iterable[str] | None = None,
    severities: Sequence[Any] | None = None,
    *,
    seed: int = 0,
) -> Iterator[Variant]:
    """Yield variants of a photo: every registered one (or those named) at each severity.

    Parameters
    ----------
    rgb : ndarray
        The source photo, RGB uint8; it is not modified.
    names : iterable of str, optional
        Variant names (default: all registered).
    severities : sequence, optional
        Severities to use for every variant named (default: each variant's own list).
    seed : int, optional
        Seed handed to every variant.

    Yields
    ------
    Variant
        Variants that raise :class:`VariantNotApplicable` are skipped.

    """
    for name in list(names) if names is not None else available_variants():
        spec = variant_info(name)
        for severity in severities if severities is not None else spec.severities:
            try:
                yield make_variant(rgb, name, severity, seed=seed)
            except VariantNotApplicable:
                break


# --- helpers ------------------------------------------------------------------------------


def to_linear(rgb: RGB) -> NDArray[np.float32]:
    """Convert sRGB uint8 to linear light in [0, 1] (the IEC 61966-2-1 transfer curve).

    Parameters
    ----------
    rgb : ndarray of uint8
        Any shape (usually H x W x 3).

    Returns
    -------
    ndarray of float32
        The same shape, linear light.

    Examples
    --------
    >>> import numpy as np
    >>> to_linear(np.array([0, 255], np.uint8)).tolist()
    [0.0, 1.0]
    """
    x = rgb.astype(np.float32) / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def to_srgb(linear: NDArray[np.floating[Any]]) -> RGB:
    """Convert linear light back to sRGB uint8 (clipped to [0, 1] first, then rounded).

    Parameters
    ----------
    linear : ndarray of float
        Linear light, nominally in [0, 1].

    Returns
    -------
    ndarray of uint8
        The same shape; ``to_srgb(to_linear(rgb))`` gives ``rgb`` back.
    """
    x = np.clip(linear, 0.0, 1.0)
    s = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    out: RGB = np.clip(np.rint(s * 255.0), 0, 255).astype(np.uint8)
    return out


def expect(
    check: str, *, passes: Callable[[float], bool], fails: Callable[[float], bool]
) -> Callable[[Any], Mapping[str, Expectation]]:
    """Build a variant's ``expected`` argument for one check with a numeric severity.

    Parameters
    ----------
    check : str
        The check id the variant is aimed at.
    passes, fails : callable
        ``severity -> bool`` (the severity converted with ``float``): where the check must
        pass, and where it must fail (``fails`` wins where both hold). Between the two the
        variant carries no expectation.

    Returns
    -------
    callable
        ``severity -> {check: "pass" | "fail"}`` (empty between the two zones).

    Examples
    --------
    >>> sharp = expect("sharpness", passes=lambda s: s <= 0.1, fails=lambda s: s >= 1.0)
    >>> sharp(0.1), sharp(0.5), sharp(2)
    ({'sharpness': 'pass'}, {}, {'sharpness': 'fail'})
    """

    def expected(severity: Any) -> Mapping[str, Expectation]:
        if fails(float(severity)):
            return {check: "fail"}
        if passes(float(severity)):
            return {check: "pass"}
        return {}

    return expected


def expectation_agreement(
    table: MeasurementTable, verdicts: TableVerdicts
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Count how often each check's verdict agrees with the variants' expectations.

    Every variant row of ``table`` (as :func:`photocheck.evaluation.tuning.synthetic_set`
    writes it: ``meta:base``, ``meta:variant``, ``meta:severity`` and one ``label:<check>``
    column per expectation) is compared with the check's verdict: ``"fail"`` agrees when the
    check does not pass (``fail`` or ``not_assessed``; ``warn`` passes), ``"pass"`` when it
    passes. Expectations assume a source photo that passes the check, so when the table holds
    the untouched bases (``meta:variant`` ``"none"``, from ``originals=True``) the variants of
    a base that the check rejects untouched are left out. Unreadable rows are left out.

    Parameters
    ----------
    table : MeasurementTable
        Measured variants, with their untouched bases or without.
    verdicts : TableVerdicts
        The table judged by a profile (:func:`photocheck.evaluation.rejudge.judge_table`).

    Returns
    -------
    dict
        ``(variant, severity, check) -> (rows that agree, rows)``, in order of first
        appearance; the agreement rate (0-1, higher is better) is their ratio.
    """
    n = len(table)
    meta = {
        name: np.array([str(table.value(name, i)) for i in range(n)], dtype=object)
        for name in ("meta:base", "meta:variant", "meta:severity")
    }
    readable = ~table.present["error"]
    untouched = readable & (meta["meta:variant"] == "none")
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for name in table.names:
        check = name.removeprefix("label:")
        if not name.startswith("label:") or check not in verdicts.checks:
            continue
        passed = verdicts.passed(check)
        rejected_bases = set(meta["meta:base"][untouched & ~passed])
        expected = np.array([str(table.value(name, i)) for i in range(n)], dtype=object)
        rows = readable & table.present[name] & ~untouched
        rows &= ~np.isin(meta["meta:base"], list(rejected_bases))
        agree = passed == (expected == "pass")
        keys = zip(meta["meta:variant"][rows], meta["meta:severity"][rows], strict=True)
        for key in dict.fromkeys(keys):
            group = rows & (meta["meta:variant"] == key[0]) & (meta["meta:severity"] == key[1])
            out[(str(key[0]), str(key[1]), check)] = (
                int((group & agree).sum()),
                int(group.sum()),
            )
    return out


def _edge_colour(rgb: RGB) -> tuple[int, int, int]:
    """Median colour of the top corners (where a portrait's background is)."""
    h, w = rgb.shape[:2]
    rows, cols = max(2, h // 12), max(2, w // 8)
    corners = np.concatenate([rgb[:rows, :cols].reshape(-1, 3), rgb[:rows, -cols:].reshape(-1, 3)])
    r, g, b = (int(v) for v in np.median(corners, axis=0))
    return r, g, b


def frame_portrait(
    rgb: RGB,
    geometry: Mapping[str, Any],
    *,
    face_width: tuple[float, float] = (0.56, 0.66),
    eye_line: tuple[float, float, float] = (0.34, 0.42, 0.48),
    width: int = 480,
    aspect: float = 0.75,
) -> RGB:
    """Crop a portrait to ICAO framing (face centred), then resize.

    The crop keeps the face centred and takes the smallest face share of ``face_width`` and
    the eye line of ``eye_line`` closest to its middle value that keep the crop inside the
    photo; what still falls outside is filled with the colour of the photo's top corners (the
    plain background of a compliant photo), not with smeared edge pixels. The crop variants
    expect a photo framed this way.

    Parameters
    ----------
    rgb : ndarray
        The photo, RGB uint8.
    geometry : mapping
        Its face geometry (``eye_midpoint`` and ``face_width`` in px, as in
        :attr:`photocheck.analysis.Analysis.geometry`).
    face_width : (float, float), optional
        Preferred and largest face width as a share of the output width (ICAO: 0.50-0.75).
    eye_line : (float, float, float), optional
        Lowest, preferred and highest eye line as a share of the height from the top
        (ICAO: 0.30-0.50).
    width : int, optional
        Output width in px.
    aspect : float, optional
        Output width / height.

    Returns
    -------
    ndarray
        ``(round(width / aspect), width, 3)`` uint8.
    """
    import cv2

    h, w = rgb.shape[:2]
    cx, cy = (float(v) for v in geometry["eye_midpoint"])
    low_e, want_e, high_e = eye_line
    best: tuple[float, float, float] | None = None
    for share in np.linspace(face_width[0], face_width[1], 11):
        crop_w = float(geometry["face_width"]) / float(share)
        crop_h = crop_w / aspect
        # eye-line shares that keep the crop inside the photo vertically
        lo, hi = max(low_e, (cy - (h - crop_h)) / crop_h), min(high_e, cy / crop_h)
        e = float(np.clip(want_e, lo, hi)) if lo <= hi else want_e
        inside = lo <= hi and cx - crop_w / 2 >= 0 and cx + crop_w / 2 <= w
        if best is None or inside:
            best = (crop_w, crop_h, e)
        if inside:
            break
    assert best is not None
    crop_w, crop_h, e = best
    x0, y0 = cx - crop_w / 2.0, cy - e * crop_h
    scale = width / crop_w
    out_h = round(width / aspect)
    matrix = np.array([[scale, 0.0, -x0 * scale], [0.0, scale, -y0 * scale]], dtype=np.float64)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fill = tuple(float(c) for c in _edge_colour(rgb))
    framed = cv2.warpAffine(
        rgb, matrix, (width, out_h), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
    return np.asarray(framed, dtype=np.uint8)


def plain_background_mask(rgb: Any, *, tolerance: float = 18.0) -> NDArray[np.bool_]:
    """Pixels close to the top-corner colour and connected to the top or side edges.

    A simple mask for plain backgrounds (not a segmentation): Lab distance to the median
    colour of the top corners below ``tolerance``, keeping the connected regions that touch
    the top, left or right edge.

    Parameters
    ----------
    rgb : ndarray
        RGB uint8 (H, W, 3).
    tolerance : float, optional
        Largest Lab distance (CIE76, OpenCV's 8-bit Lab scaled to L 0-100) to count as
        background.

    Returns
    -------
    ndarray of bool
        (H, W), True on the background.

    Raises
    ------
    VariantNotApplicable
        When the top corners are not plain (their colours spread too much).

    """
    import cv2

    image = _as_rgb(rgb)
    h, w = image.shape[:2]
    rows, cols = max(2, h // 12), max(2, w // 8)
    corners = np.concatenate(
        [image[:rows, :cols].reshape(-1, 3), image[:rows, -cols:].reshape(-1, 3)]
    )
    if corners.astype(np.float32).std(axis=0).max() > 14.0:
        raise VariantNotApplicable("the top corners are not a plain background")
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] *= 100.0 / 255.0
    edge = np.array([[_edge_colour(image)]], dtype=np.uint8)
    ref = cv2.cvtColor(edge, cv2.COLOR_RGB2LAB).astype(np.float32)[0, 0]
    ref[0] *= 100.0 / 255.0
    close = (np.sqrt(((lab - ref) ** 2).sum(axis=2)) < tolerance).astype(np.uint8)
    close = cv2.morphologyEx(close, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(close, connectivity=4)
    border = np.concatenate([labels[0], labels[:, 0], labels[:, -1]])
    keep = np.unique(border[border > 0])
    mask = np.isin(labels, keep) if count > 1 else np.zeros((h, w), bool)
    if mask.mean() < 0.05:
        raise VariantNotApplicable("too little plain background was found")
    return mask


# Background colours (sRGB) for the recolour variant, and whether the icao profile allows them.
BACKGROUND_COLOURS: Mapping[str, tuple[tuple[int, int, int], bool]] = MappingProxyType(
    {
        "white": ((246, 246, 244), True),
        "light_grey": ((205, 206, 208), True),
        "blue": ((67, 142, 219), True),
        "red": ((200, 30, 40), False),
        "green": ((60, 170, 80), False),
        "dark": ((40, 40, 45), False),
    }
)


# --- built-in variants ----------------------------------------------------------------------


@register_variant(
    "blur.gaussian",
    severities=(0.1, 0.4, 1.0, 1.5),
    expected=expect("sharpness", passes=lambda s: s <= 0.1, fails=lambda s: s >= 1.0),
)
def gaussian_blur(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Gaussian blur, sigma in % of the image width (out of focus)."""
    import cv2

    sigma = float(severity) / 100.0 * rgb.shape[1]
    if sigma <= 0:
        return rgb.copy()
    return np.asarray(
        cv2.GaussianBlur(rgb, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    )


@register_variant(
    "blur.motion",
    severities=(0.5, 1.5, 3.0, 6.0),
    expected=expect("sharpness", passes=lambda s: s <= 0.5, fails=lambda s: s >= 3.0),
)
def motion_blur(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Linear motion blur, streak length in % of the image width, random direction."""
    import cv2

    length = max(1, round(float(severity) / 100.0 * rgb.shape[1]))
    if length <= 1:
        return rgb.copy()
    size = length | 1
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    angle = float(rng.uniform(0.0, 180.0))
    rot = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), angle, 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, rot, (size, size), flags=cv2.INTER_LINEAR))
    kernel = kernel / kernel.sum()
    return np.asarray(cv2.filter2D(rgb, -1, kernel, borderType=cv2.BORDER_REFLECT))


def _gain(rgb: RGB, gain: float) -> RGB:
    return to_srgb(to_linear(rgb) * gain)


@register_variant(
    "exposure.dark",
    severities=(0.7, 0.4, 0.25, 0.12),
    expected=expect("exposure", passes=lambda s: s >= 0.7, fails=lambda s: s <= 0.25),
)
def exposure_dark(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Under-exposure: a gain below 1 in linear light (0.5 = one stop darker)."""
    return _gain(rgb, float(severity))


@register_variant(
    "exposure.bright",
    severities=(1.4, 2.0, 4.0, 6.0),
    expected=expect("exposure", passes=lambda s: s <= 1.4, fails=lambda s: s >= 4.0),
)
def exposure_bright(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Over-exposure: a gain above 1 in linear light (2 = one stop brighter), clipped."""
    return _gain(rgb, float(severity))


@register_variant(
    "rotation",
    severities=(2, 12, 20, -12),
    expected=expect("pose.roll", passes=lambda s: abs(s) <= 2, fails=lambda s: abs(s) >= 12),
)
def rotation(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Rotate the photo by ``severity`` degrees (head roll), edges replicated."""
    import cv2

    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), float(severity), 1.0)
    return np.asarray(
        cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    )


@register_variant(
    "background.recolour",
    severities=tuple(BACKGROUND_COLOURS),
    expected=lambda s: {"background.colour": "pass" if BACKGROUND_COLOURS[s][1] else "fail"},
)
def recolour_background(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Replace a plain background with another plain colour (name in BACKGROUND_COLOURS)."""
    import cv2

    if severity not in BACKGROUND_COLOURS:
        raise PhotocheckError(
            f"background colour {severity!r} unknown; use one of {', '.join(BACKGROUND_COLOURS)}"
        )
    mask = plain_background_mask(rgb).astype(np.float32)
    feather = max(1.0, rgb.shape[1] / 400.0)
    alpha = cv2.GaussianBlur(mask, (0, 0), feather)[..., None]
    # Keep the background's own gentle shading: scale the new colour by relative lightness.
    grey = rgb.astype(np.float32).mean(axis=2, keepdims=True)
    ref = max(float(np.mean(_edge_colour(rgb))), 1.0)
    shade = np.clip(grey / ref, 0.85, 1.15)
    colour = np.array(BACKGROUND_COLOURS[severity][0], np.float32) * shade
    blend = alpha * colour + (1.0 - alpha) * rgb.astype(np.float32)
    out: RGB = np.clip(np.rint(blend), 0, 255).astype(np.uint8)
    return out


def _clutter(shape: tuple[int, int], rng: np.random.Generator) -> NDArray[np.float32]:
    """Return a busy backdrop in [-1, 0]: darker random bars of a few sizes, hard edges."""
    import cv2

    h, w = shape
    canvas = np.zeros((h, w), np.float32)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = (
            x0 + int(rng.integers(w // 30 + 1, w // 4 + 2)),
            y0 + int(rng.integers(h // 30 + 1, h // 4 + 2)),
        )
        cv2.rectangle(canvas, (x0, y0), (x1, y1), float(rng.uniform(-1.0, -0.2)), -1)
    return canvas


@register_variant(
    "background.busy",
    severities=(3, 15, 40, 80),
    expected=expect("background.uniformity", passes=lambda s: s <= 3, fails=lambda s: s >= 40),
)
def busy_background(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Paint darker random bars over a plain background, up to ``severity`` grey levels."""
    import cv2

    mask = plain_background_mask(rgb).astype(np.float32)
    alpha = cv2.GaussianBlur(mask, (0, 0), max(1.0, rgb.shape[1] / 400.0))[..., None]
    clutter = _clutter(rgb.shape[:2], rng)[..., None] * float(severity)
    tint = rng.uniform(-0.3, 0.3, 3).astype(np.float32)  # coloured, not only grey, bars
    out = rgb.astype(np.float32) + alpha * clutter * (1.0 + tint)
    result: RGB = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return result


@register_variant(
    "jpeg",
    severities=(70, 30, 10, 3),
    expected=lambda s: {"sharpness": "pass"} if s >= 30 else {},
)
def jpeg(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """JPEG round trip at quality ``severity`` (1-100): blocking and ringing."""
    import cv2

    quality = int(np.clip(int(severity), 1, 100))
    ok, data = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes uint8 RGB
        raise PhotocheckError("JPEG encoding failed")
    decoded = np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8)
    return np.ascontiguousarray(decoded[..., ::-1])


@register_variant(
    "crop.off_centre",
    severities=(0.02, 0.15, 0.25, -0.15),
    expected=expect(
        "geometry.centring", passes=lambda s: abs(s) <= 0.02, fails=lambda s: abs(s) >= 0.15
    ),
)
def off_centre(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Move the subject sideways by ``severity`` x width (positive: to the right), same size.

    The frame is shifted and the uncovered side is filled by replicating the edge column,
    as if the camera had been pointed beside the person.
    """
    import cv2

    h, w = rgb.shape[:2]
    shift = float(severity) * w
    matrix = np.array([[1.0, 0.0, shift], [0.0, 1.0, 0.0]], dtype=np.float32)
    return np.asarray(
        cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    )


_FRAMING = expect("geometry.face_width", passes=lambda s: s <= 1.05, fails=lambda s: s >= 1.4)


@register_variant("crop.too_tight", severities=(1.05, 1.2, 1.4, 2.0), expected=_FRAMING)
def too_tight(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Zoom in by ``severity`` about the centre (crop 1/zoom of each side), same size."""
    import cv2

    zoom = max(1.0, float(severity))
    h, w = rgb.shape[:2]
    ch, cw = max(2, round(h / zoom)), max(2, round(w / zoom))
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    crop = rgb[y0 : y0 + ch, x0 : x0 + cw]
    return np.asarray(cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR))


@register_variant("crop.too_loose", severities=(1.05, 1.2, 1.4, 2.0), expected=_FRAMING)
def too_loose(rgb: RGB, severity: Any, rng: np.random.Generator) -> RGB:
    """Pad the photo to ``severity`` times its size with its edge colours (subject small).

    The output is larger than the input (the subject keeps its pixels), like a photo taken
    from further away with the same camera.
    """
    import cv2

    factor = max(1.0, float(severity))
    h, w = rgb.shape[:2]
    nh, nw = round(h * factor), round(w * factor)
    top, left = (nh - h) // 2, (nw - w) // 2
    return np.asarray(
        cv2.copyMakeBorder(rgb, top, nh - h - top, left, nw - w - left, cv2.BORDER_REPLICATE)
    )
