"""Expand what a batch caller passes (paths, globs, folders, files, URLs) into photo sources.

A *source* is one photo to check: a label that identifies it in the results (the path or URL
as found, or ``"<bytes #3>"`` for anonymous data) and a payload that can be pickled and sent
to a worker process: a local path, the bytes of a file-like object, an array, or a
:class:`RemoteFile` that the worker opens itself with fsspec.

Expansion is lazy: a folder of a million photos is walked as the batch consumes it, and the
bytes of file-like objects are read only when their turn comes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "IMAGE_SUFFIXES",
    "RemoteFile",
    "Source",
    "SourceError",
    "expand_sources",
    "is_single",
    "is_url",
    "open_payload",
]

#: File name suffixes a folder scan picks up (case-insensitive). HEIC/AVIF are included so
#: that a batch reports them ("no decoder") rather than silently skipping them.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".bmp", ".gif", ".tif"}) | {
    ".tiff",
    ".heic",
    ".heif",
    ".avif",
}
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A photo behind an fsspec URL (``s3://``, ``gcs://``, ``http://``...), read by the worker.

    Attributes
    ----------
    url : str
        The full URL; the worker opens it with ``fsspec.open(url, "rb")``.

    """

    url: str


@dataclass(frozen=True, slots=True)
class SourceError:
    """A source that could not be expanded or read; the batch reports it as an error result.

    Attributes
    ----------
    message : str
        What went wrong, e.g. ``"no files match 'photos/*.jpeg'"``.

    """

    message: str


@dataclass(frozen=True, slots=True)
class Source:
    """One photo of a batch.

    Attributes
    ----------
    label : str
        How results name this photo: the path or URL, or ``"<bytes #i>"``, ``"<file #i>"``,
        ``"<array #i>"`` for anonymous inputs (``i`` is the position in the batch).
    payload : Any
        What the worker decodes: a local path (str), bytes, an array or PIL image, a
        :class:`RemoteFile` or a :class:`SourceError`.

    """

    label: str
    payload: Any


def is_url(text: str) -> bool:
    r"""Whether ``text`` looks like a URL (``scheme://...``) rather than a local path.

    Parameters
    ----------
    text : str
        A path or URL.

    Returns
    -------
    bool
        True for ``"s3://bucket/x.jpg"`` or ``"memory://x"``; False for ``"C:\\x.jpg"``.

    """
    scheme, sep, _ = text.partition("://")
    plain = scheme.replace("+", "").replace("-", "").replace(".", "").replace("::", "")
    return bool(sep) and len(scheme) > 1 and plain.isalnum()


def _has_glob(text: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in text)


def _is_image_name(name: str) -> bool:
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def _walk_folder(folder: str) -> Iterator[str]:
    """Yield image files under ``folder`` recursively, in sorted order, skipping hidden names."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk_folder(entry.path)
        elif _is_image_name(entry.name):
            yield entry.path


def _expand_path(text: str) -> Iterator[Source]:
    if _has_glob(text) and not os.path.exists(text):
        import glob

        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            yield Source(text, SourceError(f"no files match {text!r}"))
        for match in matches:
            if os.path.isdir(match):
                yield from (Source(p, p) for p in _walk_folder(match))
            else:
                yield Source(match, match)
    elif os.path.isdir(text):
        found = False
        for path in _walk_folder(text):
            found = True
            yield Source(path, path)
        if not found:
            yield Source(text, SourceError(f"no image files in the folder {text!r}"))
    else:
        yield Source(text, text)  # a missing file is reported by the worker


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _expand_url(url: str) -> Iterator[Source]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        yield Source(
            url,
            SourceError(f"{url!r}: reading URLs needs fsspec (pip install 'photocheck[fsspec]')"),
        )
        return
    scheme, _, rest = url.partition("://")
    if (
        scheme.lower() not in ("file", "local", "memory")
        and not _has_glob(rest)
        and _is_image_name(rest.rsplit("/", 1)[-1])
    ):  # one remote file: the worker opens it, the parent makes no request
        yield Source(url, RemoteFile(url))
        return
    try:
        fs, path = url_to_fs(url)
        if _has_glob(path):
            paths = sorted(p for p in fs.glob(path) if not fs.isdir(p))
            if not paths:
                yield Source(url, SourceError(f"no files match {url!r}"))
                return
            labels = [fs.unstrip_protocol(p) for p in paths]
        elif fs.isdir(path):
            paths = sorted(p for p in fs.find(path) if _is_image_name(p.rsplit("/", 1)[-1]))
            if not paths:
                yield Source(url, SourceError(f"no image files under {url!r}"))
                return
            labels = [fs.unstrip_protocol(p) for p in paths]
        else:
            paths, labels = [path], [url]
    except Exception as exc:  # fsspec raises many kinds (unknown protocol, network, auth...)
        yield Source(url, SourceError(f"{url!r}: {type(exc).__name__}: {exc}"))
        return
    protocols = _protocols(fs)
    for path, label in zip(paths, labels, strict=True):
        if "file" in protocols or "local" in protocols:
            yield Source(label, path)
        elif "memory" in protocols:  # lives in this process only: send the bytes
            try:
                yield Source(label, bytes(fs.cat_file(path)))
            except Exception as exc:
                yield Source(label, SourceError(f"{label!r}: {type(exc).__name__}: {exc}"))
        else:
            yield Source(label, RemoteFile(label))


def _expand_one(item: Any, index: int) -> Iterator[Source]:
    if isinstance(item, Source):
        yield item
    elif isinstance(item, str | os.PathLike):
        text = os.fspath(item)
        if not isinstance(text, str):  # a bytes path-like
            text = os.fsdecode(text)
        yield from (_expand_url(text) if is_url(text) else _expand_path(text))
    elif isinstance(item, bytes | bytearray | memoryview):
        yield Source(f"<bytes #{index}>", bytes(item))
    elif hasattr(item, "read"):
        name = getattr(item, "name", None)
        label = name if isinstance(name, str) else f"<file #{index}>"
        try:
            data = item.read()
        except (OSError, ValueError) as exc:
            yield Source(label, SourceError(f"cannot read from the file object {label!r}: {exc}"))
            return
        if isinstance(data, str):
            yield Source(
                label, SourceError(f"{label!r} was opened in text mode: open it with 'rb'")
            )
        else:
            yield Source(label, bytes(data))
    elif hasattr(item, "__array_interface__") or type(item).__module__.startswith("PIL."):
        yield Source(f"<array #{index}>" if hasattr(item, "shape") else f"<image #{index}>", item)
    else:  # let the decoder explain what it expected
        yield Source(f"<{type(item).__name__} #{index}>", item)


def is_single(photos: Any) -> bool:
    """Whether batch input is one input (a path, bytes, file, array...) rather than many."""
    single = (str, os.PathLike, bytes, bytearray, memoryview, Source)
    return (
        isinstance(photos, single)
        or hasattr(photos, "read")
        or hasattr(photos, "__array_interface__")
        or type(photos).__module__.startswith("PIL.")
    )


def expand_sources(photos: Any) -> Iterator[Source]:
    """Expand batch input into one :class:`Source` per photo, lazily.

    Parameters
    ----------
    photos : path, URL, glob, folder, bytes, file object, array, or an iterable of them
        Folders are walked recursively (hidden names skipped) for files whose suffix is in
        :data:`IMAGE_SUFFIXES`; globs expand with ``**`` support; URLs (``scheme://``) go
        through fsspec when it is installed. A single str, Path, bytes or file object is one
        input, not an iterable of inputs.

    Yields
    ------
    Source
        In input order (folder and glob matches sorted by name). A pattern that matches
        nothing, or an unreadable file object, yields a source whose payload is a
        :class:`SourceError`, so that the batch reports it instead of stopping.

    Examples
    --------
    >>> [s.label for s in expand_sources([b"...", b"..."])]
    ['<bytes #0>', '<bytes #1>']

    """
    items: Iterable[Any] = [photos] if is_single(photos) else photos
    count = 0
    for item in items:
        for source in _expand_one(item, count):
            count += 1
            yield source


def open_payload(payload: Any) -> Any:
    """Turn a source's payload into something :func:`photocheck.load_image` accepts.

    Parameters
    ----------
    payload : Any
        A :attr:`Source.payload`.

    Returns
    -------
    Any
        The payload itself, or the bytes behind a :class:`RemoteFile`.

    Raises
    ------
    InvalidImageError
        For a :class:`SourceError`, or when a remote file cannot be read.

    """
    from ..errors import InvalidImageError

    if isinstance(payload, SourceError):
        raise InvalidImageError(payload.message)
    if isinstance(payload, RemoteFile):
        try:
            import fsspec
        except ImportError:
            raise InvalidImageError(f"{payload.url!r}: reading URLs needs fsspec") from None
        try:
            with fsspec.open(payload.url, "rb") as handle:
                return handle.read()
        except Exception as exc:
            raise InvalidImageError(
                f"cannot read {payload.url!r}: {type(exc).__name__}: {exc}"
            ) from None
    if isinstance(payload, Path):
        return str(payload)
    return payload
