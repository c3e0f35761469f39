"""The bundled frontal-face detector file is dlib's built-in detector, loaded faster."""

from __future__ import annotations

import cv2
import dlib
import numpy as np
import skimage.data

from photocheck.vision import dlib_faces as face


def test_bundled_detector_matches_dlibs_builtin_detector():
    bundled = face._frontal_detector()
    builtin = dlib.get_frontal_face_detector()
    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)
    images = [
        astronaut,
        cv2.resize(astronaut, (320, 320)),
        np.ascontiguousarray(astronaut[:, ::-1]),
    ]
    for image in images:
        ours = bundled.run(image, 0, -0.5)
        theirs = builtin.run(image, 0, -0.5)
        assert [str(r) for r in ours[0]] == [str(r) for r in theirs[0]]
        assert np.allclose(ours[1], theirs[1])
        assert len(ours[0]) >= 1


def test_missing_bundled_file_falls_back_to_builtin(monkeypatch, tmp_path):
    monkeypatch.setattr(face, "__file__", str(tmp_path / "face.py"))
    detector = face._frontal_detector()
    gray = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)
    assert len(detector(gray, 0)) == 1
