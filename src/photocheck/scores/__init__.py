"""Pure scoring functions: arrays in, numbers out, no thresholds.

Each function is usable on its own arrays; the checks in :mod:`photocheck.checks` call them
on regions of the photo (the aligned face, the background) and profiles hold the limits.
"""

from .background import background_colour, colour_class, uniformity
from .exposure import dynamic_range, luminance_stats
from .sharpness import blur_effect

__all__ = [
    "background_colour",
    "blur_effect",
    "colour_class",
    "dynamic_range",
    "luminance_stats",
    "uniformity",
]
