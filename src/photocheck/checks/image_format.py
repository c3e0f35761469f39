"""``image.format``: pixel size, aspect ratio, colour depth, file format, size and quality."""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import Analysis
from ..rules.registry import OneOf, Outcome, Range, register_check
from ..rules.verdict import Scalar


@register_check(
    "image.format",
    summary="Pixel size, aspect ratio, 24-bit colour, file format, file size and JPEG quality",
    passed="The image size and format are right.",
    retake="saved from the original, full-size photo",
    limits=[
        Range(
            "width", "min_width", "max_width",
            too_low=Outcome("image.format.too_narrow", "The photo is {value} px wide; it must be at least {min} px wide: `photocheck fix` can crop and scale it if the face has enough pixels."),
            too_high=Outcome("image.format.too_wide", "The photo is {value} px wide; it must be at most {max} px wide: `photocheck fix` can crop and scale it."),
        ),
        Range(
            "height", "min_height", "max_height",
            too_low=Outcome("image.format.too_short", "The photo is {value} px high; it must be at least {min} px high: `photocheck fix` can crop and scale it if the face has enough pixels."),
            too_high=Outcome("image.format.too_tall", "The photo is {value} px high; it must be at most {max} px high: `photocheck fix` can crop and scale it."),
        ),
        Range(
            "aspect", "min_aspect", "max_aspect",
            too_low=Outcome("image.format.aspect", "The photo's width/height ratio is {value:.3f}; it must be between {min} and {max}: crop it to the required shape (`photocheck fix` can)."),
            too_high=Outcome("image.format.aspect", "The photo's width/height ratio is {value:.3f}; it must be between {min} and {max}: crop it to the required shape (`photocheck fix` can)."),
        ),
        OneOf("colour", "allowed_colour", Outcome("image.format.not_colour", "Send a colour photo: this one is in black and white (grey).")),
        OneOf("format", "allowed_formats", Outcome("image.format.file_type", "The file is {value}; send it as {allowed} (`photocheck fix` can convert it).")),
        Range(
            "file_kb", "min_file_kb", "max_file_kb",
            too_low=Outcome("image.format.file_too_small", "The file is {value:.0f} KB; it must be at least {min} KB (save it at a higher quality; `photocheck fix` can)."),
            too_high=Outcome("image.format.file_too_large", "The file is {value:.0f} KB; it must be at most {max} KB (save it at a lower quality; `photocheck fix` can)."),
        ),
        Range(
            "jpeg_quality", "min_jpeg_quality", "max_jpeg_quality",
            too_low=Outcome("image.format.quality_too_low", "The JPEG quality is about {value:.0f}; it must be at least {min}."),
            too_high=Outcome("image.format.quality_too_high", "The JPEG quality is about {value:.0f}; it must be at most {max}."),
        ),
    ],
)  # fmt: skip
def image_format(analysis: Analysis) -> Mapping[str, Scalar]:
    """Measure the pixel size, colour and file properties of the photo."""
    import cv2

    image = analysis.image
    small, _ = analysis.small
    # A colour photo stored as RGB can still be grey: look at the channel differences
    # (mean over pixels of the largest difference between two channels, 0-255).
    red, green, blue = cv2.split(small)
    spread = cv2.max(
        cv2.absdiff(red, green), cv2.max(cv2.absdiff(green, blue), cv2.absdiff(red, blue))
    )
    chroma = float(cv2.mean(spread)[0])
    return {
        "width": image.width,
        "height": image.height,
        "aspect": image.width / image.height,
        "colour": "grey" if image.is_grey_mode or chroma < 2.0 else "colour",
        "format": image.format or "array",
        "file_kb": None if image.file_bytes is None else image.file_bytes / 1024.0,
        "jpeg_quality": image.jpeg_quality,
    }
