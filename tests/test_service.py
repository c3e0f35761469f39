"""The web-service example (examples/service/app.py) with Starlette's test client."""

from __future__ import annotations

import base64
import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("starlette")
pytest.importorskip("multipart")
pytest.importorskip("httpx")


def _test_client_class() -> type:
    """Starlette's TestClient; Starlette 1.x warns that it prefers httpx2 over httpx."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient
    return TestClient


APP = Path(__file__).resolve().parents[1] / "examples" / "service" / "app.py"


@pytest.fixture(scope="module")
def service():
    spec = importlib.util.spec_from_file_location("photocheck_service_example", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client(service):
    with _test_client_class()(service.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def portrait_png(portrait: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(portrait).save(buffer, "PNG")
    return buffer.getvalue()


def test_check_returns_the_verdict_json(client, portrait_png):
    response = client.post(
        "/check?profile=cn-social-security", files={"photo": ("me.png", portrait_png, "image/png")}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["profile"] == "cn-social-security"
    size = next(r for r in data["results"] if r["check"] == "image.format")
    assert size["status"] == "fail" and size["fixable"] is True


def test_check_accepts_the_raw_body(client, portrait_png):
    response = client.post("/check", content=portrait_png, headers={"content-type": "image/png"})
    assert response.status_code == 200 and response.json()["profile"] == "icao"


def test_fix_returns_the_fixed_jpeg_and_both_verdicts(client, portrait_png):
    response = client.post(
        "/fix?profile=cn-social-security", files={"photo": ("me.png", portrait_png, "image/png")}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["reason"] is None
    assert [a["code"] for a in data["actions"]][-1] == "fix.encoded"
    jpeg = base64.b64decode(data["image_base64"])
    with Image.open(io.BytesIO(jpeg)) as im:
        assert im.format == "JPEG" and im.size == (358, 441)
    after = {r["check"]: r for r in data["after"]["results"]}
    assert after["image.format"]["status"] == "pass"
    raw = client.post(
        "/fix?profile=cn-social-security&as=jpeg",
        files={"photo": ("me.png", portrait_png, "image/png")},
    )
    assert raw.status_code == 200 and raw.headers["content-type"] == "image/jpeg"
    assert raw.content[:2] == b"\xff\xd8"


def test_a_refused_fix_says_why(client, portrait_png, portrait):
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(portrait[:, 170:])).save(buffer, "PNG")
    response = client.post(
        "/fix?profile=cn-social-security", files={"photo": ("edge.png", buffer.getvalue())}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["reason"]["code"].startswith("fix.") and data["image_base64"] is None


def test_bad_upload_gets_400_with_the_typed_error(client):
    response = client.post(
        "/check", files={"photo": ("x.jpg", b"not an image at all", "image/jpeg")}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidImageError"
    assert "not" in response.json()["message"].lower()


def test_unknown_profile_and_colour_get_400(client, portrait_png):
    files = {"photo": ("me.png", portrait_png, "image/png")}
    response = client.post("/check?profile=nope", files=files)
    assert response.status_code == 400 and response.json()["error"] == "ProfileError"
    response = client.post("/fix?profile=icao&background=pink", files=files)
    assert response.status_code == 400 and "pink" in response.json()["message"]


def test_missing_field_gets_400(client):
    response = client.post("/check", files={"other": ("x.png", b"abc", "image/png")})
    assert response.status_code == 400 and "photo" in response.json()["message"]


def test_oversized_upload_gets_413_before_it_is_read(client, service, monkeypatch):
    monkeypatch.setattr(service, "MAX_UPLOAD_BYTES", 1000)
    response = client.post("/check", files={"photo": ("big.png", b"\0" * 5000, "image/png")})
    assert response.status_code == 413 and response.json()["error"] == "UploadTooLarge"
