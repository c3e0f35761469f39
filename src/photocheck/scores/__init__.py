"""Pure scoring functions: arrays in, numbers out, no thresholds.

Each function is usable on its own arrays; the checks in :mod:`photocheck.checks` call them
on regions of the photo (the aligned face, the background) and profiles hold the limits.
Functions that measure several things return a named tuple of them.
"""

from .background import BackgroundColour, Uniformity, background_colour, colour_class, uniformity
from .exposure import DynamicRange, LuminanceStats, dynamic_range, luminance_stats
from .sharpness import blur_effect

__all__ = [
    "BackgroundColour",
    "DynamicRange",
    "LuminanceStats",
    "Uniformity",
    "background_colour",
    "blur_effect",
    "colour_class",
    "dynamic_range",
    "luminance_stats",
    "uniformity",
]
