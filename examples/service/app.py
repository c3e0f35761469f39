"""A small web service around photocheck: ``POST /check`` and ``POST /fix``.

Install and run (any ASGI server; uvicorn is not a photocheck dependency)::

    pip install 'photocheck[service]' uvicorn
    uvicorn app:app --app-dir examples/service

Send the photo as a multipart form field named ``photo`` (or as the raw request body with an
``image/*`` content type); choose the profile with ``?profile=NAME`` (default ``icao``)::

    curl -F photo=@me.jpg 'http://127.0.0.1:8000/check?profile=cn-social-security'
    curl -F photo=@me.jpg 'http://127.0.0.1:8000/fix?profile=cn-social-security&background=white'

``/check`` answers with the verdict JSON (``Verdict.to_dict()``: every check's status, code,
message, value, limits and ``fixable`` flag). ``/fix`` answers with the fix as JSON
(``FixResult.to_dict()``: actions, reason, verdicts before and after) plus the fixed file in
``image_base64`` (None when no fix was possible); ``?as=jpeg`` returns the fixed file itself,
with the verdict's outcome in the ``X-Photocheck-Ok`` header (422 with the JSON when no fix
was possible).

Uploads are bounded: a request body over ``MAX_UPLOAD_BYTES`` is refused with 413 before it
is read in full, and so is an image over ``MAX_PIXELS`` pixels (from its header). Bad uploads
get a 4xx answer with the typed error's message: ``{"error": "InvalidImageError", "message":
"..."}``.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import photocheck
from photocheck.errors import ImageTooLargeError, PhotocheckError, ProfileError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
FIELD = "photo"


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status)


async def _body(request: Request) -> bytes:
    """Read the request body, refusing more than MAX_UPLOAD_BYTES (declared or sent)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"the upload is {int(declared)} bytes; at most {MAX_UPLOAD_BYTES}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"the upload is over {MAX_UPLOAD_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _photo(request: Request) -> bytes:
    """The uploaded photo's bytes: the form field ``photo``, or the raw body."""
    body = await _body(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        if not body:
            raise HTTPException(400, f"send the photo as a form field named {FIELD!r}")
        return body

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async with Request(request.scope, replay).form(max_files=1, max_fields=8) as form:
        upload = form.get(FIELD)
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, f"send the photo as a form field named {FIELD!r}")
        return await upload.read()


def _options(request: Request) -> tuple[str, str | None]:
    return request.query_params.get("profile", "icao"), request.query_params.get("background")


async def check(request: Request) -> Response:
    """``POST /check``: the verdict of the uploaded photo."""
    data = await _photo(request)
    profile, _ = _options(request)
    verdict = await run_in_threadpool(photocheck.validate, data, profile, max_pixels=MAX_PIXELS)
    return JSONResponse(verdict.to_dict())


async def fix(request: Request) -> Response:
    """``POST /fix``: the fixed photo and its verdicts before and after."""
    data = await _photo(request)
    profile, background = _options(request)
    result = await run_in_threadpool(
        photocheck.fix, data, profile, background=background, max_pixels=MAX_PIXELS
    )
    payload = result.to_dict()
    if request.query_params.get("as") == "jpeg":
        if result.encoded is None:
            return JSONResponse(payload, status_code=422)
        media = "image/png" if result.format == "PNG" else "image/jpeg"
        headers = {"X-Photocheck-Ok": "true" if result.ok else "false"}
        return Response(result.encoded, media_type=media, headers=headers)
    encoded = result.encoded
    payload["image_base64"] = None if encoded is None else base64.b64encode(encoded).decode()
    return JSONResponse(payload)


async def _photocheck_error(request: Request, exc: Exception) -> Response:
    status = 413 if isinstance(exc, ImageTooLargeError) else 400
    if isinstance(exc, ProfileError):
        status = 400
    return _error(status, type(exc).__name__, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = "UploadTooLarge" if exc.status_code == 413 else "BadRequest"
    return _error(exc.status_code, kind, str(exc.detail))


app = Starlette(
    routes=[Route("/check", check, methods=["POST"]), Route("/fix", fix, methods=["POST"])],
    exception_handlers={PhotocheckError: _photocheck_error, HTTPException: _http_error},
)
