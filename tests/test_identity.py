"""identity.same_person: the photo against a reference photo (issue 17).

Same-person inputs are variants of scikit-image's astronaut (public domain). skimage ships
no second person, so the different-person cases read two development photos in place; they
skip without ../shared/data/photos, and fail instead when CI=true.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import photocheck
import photocheck.checks
from conftest import PHOTOS_DIR, make_astronaut, make_blank, make_portrait, make_two_faces
from photocheck.cli.main import main
from photocheck.rules.profile import Profile
from photocheck.vision import identity
from photocheck.vision.identity import (
    FaceEncoding,
    InvalidEncodingError,
    NoSingleFaceError,
    encode_face,
    face_distance,
)

CHECK = "identity.same_person"
ONLY_IDENTITY = Profile("identity-only", "", {CHECK: {"max_distance": 0.6}})
# Two development photos of different people (face_recognition's and FRL's examples).
OTHER_PERSON = "frl_001.jpg"
SAME_PERSON = ("facerec_010.jpg", "facerec_011.jpg")  # Kit Harington, two photos


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(
        ".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1]


def _roll(rgb: np.ndarray, degrees: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(
        np.ascontiguousarray(rgb), matrix, (w, h), borderMode=cv2.BORDER_REPLICATE
    )


def _dev_photo(name: str) -> Path:
    path = PHOTOS_DIR / "img" / name
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must compare real photos, not found at {path}")
        pytest.skip(f"development photos not available ({path} is absent)")
    return path


@pytest.fixture(scope="module")
def astronaut_encoding() -> FaceEncoding:
    return encode_face(make_astronaut())


# --------------------------------------------------------------------------------------------
# The same person passes, a different one fails


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda a: _jpeg(a, 30), id="jpeg-q30"),
        pytest.param(lambda a: cv2.resize(np.ascontiguousarray(a), (256, 256), interpolation=cv2.INTER_AREA), id="half"),
        pytest.param(lambda a: a[20:470, 40:500], id="crop"),
        pytest.param(lambda a: np.clip(a.astype(np.float32) * 0.55, 0, 255).astype(np.uint8), id="darker"),
        pytest.param(lambda a: _roll(a, 10.0), id="roll-10"),
        pytest.param(lambda a: make_portrait(), id="portrait-crop"),
    ],
)  # fmt: skip
def test_variants_of_the_same_photo_are_the_same_person(variant, astronaut_encoding):
    photo = variant(make_astronaut())
    verdict = photocheck.validate(photo, ONLY_IDENTITY, reference=make_astronaut())
    result = verdict[CHECK]
    assert result.status == "pass", result
    assert result.code == f"{CHECK}.ok"
    assert 0.0 < result.value < 0.4
    assert result.value == pytest.approx(face_distance(encode_face(photo), astronaut_encoding))


def test_a_different_person_fails_with_its_code():
    other = _dev_photo(OTHER_PERSON)
    verdict = photocheck.validate(other, "icao", reference=make_astronaut())
    result = verdict[CHECK]
    assert result.status == "fail"
    assert result.code == f"{CHECK}.different_person"
    assert result.value > 0.6
    assert 0.6 in result.limits.values()
    assert not verdict.ok


def test_two_real_photos_of_one_person_match():
    first, second = (_dev_photo(name) for name in SAME_PERSON)
    result = photocheck.validate(first, ONLY_IDENTITY, reference=second)[CHECK]
    assert result.status == "pass", result
    assert result.value < 0.6


def test_a_stricter_profile_limit_rejects_what_the_default_accepts(astronaut_encoding):
    photo = _jpeg(_roll(make_astronaut(), 10.0), 30)
    distance = photocheck.validate(photo, ONLY_IDENTITY, reference=astronaut_encoding)[CHECK].value
    strict = ONLY_IDENTITY.with_rule(CHECK, max_distance=distance / 2)
    assert photocheck.validate(photo, strict, reference=astronaut_encoding)[CHECK].status == "fail"


# --------------------------------------------------------------------------------------------
# Encode once, compare many


def test_a_stored_encoding_gives_the_same_verdict_as_the_photo(astronaut_encoding):
    photo = make_portrait()
    with_photo = photocheck.validate(photo, "icao", reference=make_astronaut())
    with_encoding = photocheck.validate(photo, "icao", reference=astronaut_encoding)
    assert with_photo.to_dict() == with_encoding.to_dict()
    stored = json.loads(json.dumps(astronaut_encoding.tolist()))  # e.g. kept in a database
    again = photocheck.validate(photo, "icao", reference=FaceEncoding(stored))
    assert again.to_dict() == with_photo.to_dict()


def test_encodings_are_deterministic_and_models_load_once(astronaut_encoding):
    models = identity._models()
    again = encode_face(_png(make_astronaut()))
    assert identity._models()[1] is models[1]
    assert np.array_equal(again.vector, astronaut_encoding.vector)
    assert encode_face(astronaut_encoding) is astronaut_encoding
    assert face_distance(astronaut_encoding, astronaut_encoding) == 0.0
    assert not astronaut_encoding.vector.flags.writeable


def test_threads_encode_like_one_thread(astronaut_encoding):
    photos = [make_portrait(), _jpeg(make_astronaut(), 40)] * 3
    serial = [encode_face(p).vector for p in photos]
    found: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        found[i] = encode_face(photos[i]).vector

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(photos))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, vector in enumerate(serial):
        np.testing.assert_array_equal(found[i], vector)


# --------------------------------------------------------------------------------------------
# The reference's problems have their own codes; the caller's mistakes are typed errors


@pytest.mark.parametrize(
    ("reference", "code", "value"),
    [
        (b"not an image", "reference_unreadable", 0),
        ("/no/such/reference.jpg", "reference_unreadable", 0),
        (make_blank(), "reference_no_single_face", 0),
        (make_two_faces(), "reference_no_single_face", 2),
    ],
    ids=["garbage", "missing-file", "no-face", "two-faces"],
)
def test_reference_problems_have_codes(reference, code, value):
    # A profile that sets only max_distance still requires a usable reference.
    verdict = photocheck.validate(make_portrait(), ONLY_IDENTITY, reference=reference)
    result = verdict[CHECK]
    assert (result.status, result.code) == ("fail", f"{CHECK}.{code}")
    assert "reference photo" in result.message
    if value > 1:
        assert f"{value} faces" in result.message
    assert not verdict.ok


def test_a_photo_without_a_face_is_not_assessed(astronaut_encoding):
    result = photocheck.validate(make_blank(), ONLY_IDENTITY, reference=astronaut_encoding)[CHECK]
    assert result.status == "not_assessed"
    assert "no face" in result.message


def test_encode_face_raises_typed_errors():
    with pytest.raises(photocheck.InvalidImageError):
        encode_face(b"not an image")
    with pytest.raises(NoSingleFaceError) as none:
        encode_face(make_blank())
    assert none.value.faces == 0
    with pytest.raises(NoSingleFaceError) as two:
        encode_face(make_two_faces())
    assert two.value.faces == 2
    assert isinstance(two.value, photocheck.PhotocheckError)


def test_a_model_file_with_another_checksum_is_refused(monkeypatch):
    monkeypatch.setitem(identity._SHA256, identity._ENCODER, "0" * 64)
    with pytest.raises(photocheck.ModelNotFoundError, match="not the expected face model"):
        identity._model_path(identity._ENCODER)
    assert identity._model_path(identity._PREDICTOR).is_file()  # the other one still loads


@pytest.mark.parametrize("vector", [np.zeros(127), np.full(128, np.nan), "abc", [[1.0, 2.0]]])
def test_a_bad_stored_encoding_is_refused(vector):
    with pytest.raises(InvalidEncodingError):
        FaceEncoding(vector)


# --------------------------------------------------------------------------------------------
# Without a reference the check is not applied


def test_without_a_reference_the_check_is_absent():
    photo = make_portrait()
    verdict = photocheck.validate(photo, "icao")
    assert CHECK in photocheck.load_profile("icao").rules
    assert CHECK not in {r.check for r in verdict.results}
    measured = photocheck.measure(photo)
    assert CHECK not in measured.by_check
    assert CHECK not in {r.check for r in photocheck.judge(measured, "icao").results}


def test_measure_with_a_reference_records_the_distance(astronaut_encoding):
    measured = photocheck.measure(make_portrait(), checks=[CHECK], reference=astronaut_encoding)
    values = measured[CHECK].values
    assert values["reference_readable"] == 1 and values["reference_faces"] == 1
    assert 0.0 < values["distance"] < 0.6
    assert photocheck.judge(measured, "cn-social-security")[CHECK].status == "pass"


# --------------------------------------------------------------------------------------------
# Command line and batch


def test_check_command_compares_with_the_reference(tmp_path, capsys):
    new, old = tmp_path / "new.png", tmp_path / "old.png"
    new.write_bytes(_png(make_portrait()))
    old.write_bytes(_png(make_astronaut()))
    status = main(["check", str(new), "--reference", str(old), "--json"])
    verdict = json.loads(capsys.readouterr().out)
    result = next(r for r in verdict["results"] if r["check"] == CHECK)
    assert result["status"] == "pass"
    assert status == 1  # the busy backdrop still fails other checks
    main(["check", str(new), "--reference", str(tmp_path / "missing.png")])
    assert "reference photo could not be read" in capsys.readouterr().out


def test_batch_checks_pairs_from_a_csv(tmp_path, capsys):
    (tmp_path / "new.png").write_bytes(_png(make_portrait()))
    (tmp_path / "old.png").write_bytes(_png(make_astronaut()))
    (tmp_path / "blank.png").write_bytes(_png(make_blank()))
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("photo,reference\nnew.png,old.png\nold.png,blank.png\n")
    out = tmp_path / "results.jsonl"
    status = main(["batch", "--pairs", str(pairs), "--out", str(out), "-j", "1", "--no-progress"])
    assert status == 1
    rows = {Path(r["source"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    codes = {
        name: next(x["code"] for x in row["verdict"]["results"] if x["check"] == CHECK)
        for name, row in rows.items()
    }
    assert codes == {"new.png": f"{CHECK}.ok", "old.png": f"{CHECK}.reference_no_single_face"}
    assert main(["batch", "--out", str(out)]) == 2  # neither sources nor pairs
    capsys.readouterr()


def test_validate_many_compares_every_photo_with_one_reference(astronaut_encoding):
    from photocheck.batch.runner import validate_many

    photos = [_png(make_portrait()), _png(make_blank())]
    results = list(
        validate_many(photos, ONLY_IDENTITY, executor="serial", progress=False, reference=astronaut_encoding)
    )  # fmt: skip
    statuses = [r.verdict[CHECK].status for r in results if r.verdict is not None]
    assert statuses == ["pass", "not_assessed"]


# --------------------------------------------------------------------------------------------
# The dependency


def test_face_recognition_imports_and_encodes_like_photocheck():
    """``import face_recognition`` works (its models package needs pkg_resources) and its
    encoder, given photocheck's face box, gives photocheck's encoding."""
    code = r"""
import json, sys, warnings
import numpy as np, skimage.data
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pkg_resources announces its deprecation
    import face_recognition
from photocheck.vision import identity
from photocheck.vision.face import find_faces
rgb = np.ascontiguousarray(skimage.data.astronaut())
box = find_faces(rgb)[0].box
ours = identity.face_encoding(rgb, box)
w, h = box[2] - box[0], box[3] - box[1]
l, t, r, b = (round(v) for v in (box[0] + identity.HOG_BOX[0] * w, box[1] + identity.HOG_BOX[1] * h,
                                 box[2] + identity.HOG_BOX[2] * w, box[3] + identity.HOG_BOX[3] * h))
theirs = face_recognition.face_encodings(rgb, [(t, r, b, l)])[0]
print(json.dumps({"distance": identity.face_distance(ours, theirs),
                  "library": float(face_recognition.face_distance([theirs], ours.vector)[0])}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["distance"] < 1e-6
    assert report["library"] < 1e-6
