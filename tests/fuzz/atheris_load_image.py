"""Coverage-guided fuzzing of ``photocheck.load_image`` with atheris (optional).

atheris is not a dependency of photocheck; see ``tests/fuzz/README.md``::

    uv run --with atheris python tests/fuzz/atheris_load_image.py --make-seeds /tmp/seeds
    uv run --with atheris python tests/fuzz/atheris_load_image.py /tmp/seeds -max_total_time=600

Any exception other than :class:`photocheck.InvalidImageError` (and its subclasses), any
malformed result, or a crash of a decoder is reported by libFuzzer with the input that
caused it (``crash-<sha1>`` in the working folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_PIXELS = 1 << 20


def _make_seeds(folder: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from seeds import seeds

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds().items():
        (out / name).write_bytes(data)
    print(f"wrote {len(seeds())} seeds to {out}")


def main() -> None:
    """Run libFuzzer on ``load_image`` (or write the seed corpus with ``--make-seeds DIR``)."""
    if len(sys.argv) == 3 and sys.argv[1] == "--make-seeds":
        _make_seeds(sys.argv[2])
        return

    import atheris

    with atheris.instrument_imports():
        import PIL.Image  # noqa: F401 - instrument Pillow's Python plugins too

        from photocheck.imaging.load import LoadedImage, load_image
    from photocheck.errors import InvalidImageError

    def test_one_input(data: bytes) -> None:
        try:
            image = load_image(data, max_pixels=MAX_PIXELS)
        except InvalidImageError as exc:
            if not str(exc):
                raise AssertionError("an error without a message") from None
            return
        assert isinstance(image, LoadedImage)
        rgb = image.rgb
        assert rgb.dtype.name == "uint8" and rgb.ndim == 3 and rgb.shape[2] == 3
        assert 1 <= rgb.shape[0] * rgb.shape[1] <= MAX_PIXELS
        assert not rgb.flags.writeable

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
