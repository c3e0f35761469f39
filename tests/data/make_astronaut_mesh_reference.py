"""Write ``astronaut_mesh_mediapipe.npz``: MediaPipe's own 478-point mesh of the astronaut.

This must run OUTSIDE the project, in a scratch virtual environment that has the real
``mediapipe==0.10.21`` package (it pins numpy<2, so it cannot share photocheck's venv) and
scikit-image; photocheck itself never imports mediapipe::

    python3.11 -m venv /tmp/mpref
    /tmp/mpref/bin/pip install mediapipe==0.10.21 "scikit-image<0.25"
    /tmp/mpref/bin/python tests/data/make_astronaut_mesh_reference.py

It stores, for ``skimage.data.astronaut()`` (512 x 512, public domain NASA portrait):

* ``points`` (478, 3) float64: ``FaceMesh(static_image_mode=True, refine_landmarks=True,
  max_num_faces=1)`` landmarks in image pixels, ``(x * width, y * height, z * width)``;
* ``box`` (4,) ``(x0, y0, x1, y1)``, ``keypoints`` (6, 2) and ``score`` (): the short-range
  ``FaceDetection(model_selection=0)`` detection the mesh graph starts from, in image pixels.

``tests/vision/test_mesh.py`` compares photocheck's mesh with these points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).with_name("astronaut_mesh_mediapipe.npz")


def main() -> None:
    """Run MediaPipe on the astronaut and save its mesh and detection."""
    import mediapipe as mp
    import skimage.data

    if mp.__version__ != "0.10.21":
        raise SystemExit(f"needs mediapipe 0.10.21, found {mp.__version__}")
    rgb = np.ascontiguousarray(skimage.data.astronaut())
    height, width = rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as mesh:
        landmarks = mesh.process(rgb).multi_face_landmarks[0].landmark
    with mp.solutions.face_detection.FaceDetection(model_selection=0) as detector:
        detection = detector.process(rgb).detections[0]
    box = detection.location_data.relative_bounding_box
    np.savez(
        OUTPUT,
        points=np.array([[p.x * width, p.y * height, p.z * width] for p in landmarks]),
        box=np.array(
            [
                box.xmin * width,
                box.ymin * height,
                (box.xmin + box.width) * width,
                (box.ymin + box.height) * height,
            ]
        ),
        keypoints=np.array(
            [[k.x * width, k.y * height] for k in detection.location_data.relative_keypoints]
        ),
        score=np.float64(detection.score[0]),
    )
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
