"""The per-photo context every check reads: derived arrays computed at most once.

An :class:`Analysis` wraps one decoded photo. Its properties (grey image, faces, landmarks,
geometry, the aligned face crop, the background region...) are computed on first use and
cached, so that twenty checks share one face detection and one colour conversion.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import NotAssessed
from .imaging.load import LoadedImage
from .imaging.resample import halve
from .vision import face as face_module

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .vision.identity import ReferenceInput
    from .vision.runtime import Started

__all__ = ["CANON", "Analysis"]

# A background region: a mask, or weights 0-1 (:attr:`Analysis.background_weight`).
_Region = TypeVar("_Region", "NDArray[np.bool_]", "NDArray[np.float32]")

# The aligned face crop: eyes level, inter-eye distance CANON["ied"] px, so that scores on
# it do not depend on the photo's size.
CANON = {"ied": 64.0, "width": 192, "height": 240, "eye_y": 96.0}
# Width (px) the reduced copy used for background statistics is halved towards.
SMALL_WIDTH = 200
# A second face at least this share of the main face's width makes the main face ambiguous.
_DOMINANT_FACE_RATIO = 1.5
# Crown (top of head) = brow line minus this many (chin - brow) distances, when neither the
# person mask nor a plain background shows the hair outline (the mesh's forehead point is
# the hairline, not the top of the hair).
_CROWN_FROM_BROWS = 0.95
# Person-mask pixels are dilated by this share of the face width before the background is
# taken outside them: the mask's soft edge and stray hair stay out of background statistics.
_MASK_MARGIN = 0.06
# Pixels the segmentation gives at least this probability of being the person are left out of
# the background as well: its soft edge around hair and hands.
_MASK_UNSURE = 0.1


class Analysis:
    """Everything derived from one photo, computed lazily and cached.

    Parameters
    ----------
    image : LoadedImage
        The decoded photo (see :func:`photocheck.imaging.load.load_image`).
    reference : photo or FaceEncoding, optional
        An earlier photo of the person (or its stored encoding) that identity checks compare
        with; None when there is none.
    """

    def __init__(self, image: LoadedImage, reference: ReferenceInput | None = None) -> None:
        self.image = image
        self.reference = reference
        # Properties the helper thread is computing (see start_helper), by name.
        self._helper_work: dict[str, Started[dict[str, Any]]] = {}

    def start_helper(self) -> None:
        """Begin :attr:`person_mask` and what needs no face on the helper thread.

        The person mask is needed by every check that reads the geometry (the crown) or the
        background, and costs about as much as face detection and the mesh: done beside
        them, on the helper thread (:func:`photocheck.vision.runtime.start`), it costs the
        caller no time when a second core is free. So do :attr:`small_person_mask`,
        :attr:`small_lab` and :attr:`small_fill` after it. The values are the same either way.
        """
        if self._helper_work or "person_mask" in self.__dict__:
            return
        from .imaging.colour import to_lab
        from .imaging.fill import fill_mask
        from .vision.runtime import start
        from .vision.segmentation import person_mask

        rgb, small = self.rgb, self.small[0]

        def masks() -> dict[str, Any]:
            mask = person_mask(rgb)
            return {"person_mask": mask, "small_person_mask": _shrink_mask(mask, small)}

        first = start(masks)
        second = start(lambda: {"small_lab": to_lab(small), "small_fill": fill_mask(small)})
        self._helper_work = dict.fromkeys(("person_mask", "small_person_mask"), first)
        self._helper_work.update(dict.fromkeys(("small_lab", "small_fill"), second))

    def _helped(self, name: str) -> Any:
        """Return the helper's value of the property ``name``, or None: compute it here.

        Waits for the value when the helper has begun computing it; when it has not, the
        helper will not, and None is returned.
        """
        work = self._helper_work.pop(name, None)
        done = None if work is None else work.take()
        return None if done is None else done[name]

    @property
    def rgb(self) -> NDArray[np.uint8]:
        """The photo, RGB uint8 (H, W, 3), read-only."""
        return self.image.rgb

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return self.image.width

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return self.image.height

    @cached_property
    def grey(self) -> NDArray[np.uint8]:
        """The photo in grey levels (H, W) uint8."""
        import cv2

        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)

    @cached_property
    def faces(self) -> list[face_module.Face]:
        """Every face found (detection confirmed by the mesh's presence gate), largest first."""
        return face_module.find_faces(self.rgb)

    @cached_property
    def face(self) -> face_module.Face | None:
        """The main face with its landmarks, or None when there is no clear main face."""
        faces = self.faces
        if not faces:
            return None
        main = faces[0]
        if len(faces) > 1 and main.width < _DOMINANT_FACE_RATIO * faces[1].width:
            return None
        return main

    def require_face(self) -> face_module.Face:
        """Return the main face, or raise :class:`NotAssessed` saying why there is none."""
        face = self.face
        if face is None:
            if not self.faces:
                raise NotAssessed("no face was found")
            raise NotAssessed("several faces of similar size were found")
        return face

    @cached_property
    def geometry(self) -> dict[str, Any]:
        """Named face geometry (see :func:`photocheck.vision.face.face_geometry`) plus the crown.

        Raises :class:`NotAssessed` when there is no main face.
        """
        face = self.require_face()
        geo = face_module.face_geometry(face)
        crown_y, method = self._crown(geo, face)
        geo["crown_y"] = crown_y
        geo["crown_method"] = method
        return geo

    def _crown(self, geo: dict[str, Any], face: face_module.Face) -> tuple[float, str]:
        """Top of the head including hair: from the person mask, else a plain background."""
        import numpy as np

        from .vision.geometry import crown_from_mask

        crown = crown_from_mask(self.person_mask, face.mesh)
        if crown is not None:
            return crown, "person_mask"

        brow_y, chin_y = geo["brow_y"], geo["chin"][1]
        estimate = brow_y - _CROWN_FROM_BROWS * (chin_y - brow_y)
        cx, half = geo["eye_midpoint"][0], 0.3 * geo["face_width"]
        left, right = max(0, int(cx - half)), min(self.width, int(cx + half) + 1)
        bottom = int(max(0.0, brow_y - 0.25 * (chin_y - brow_y)))
        if right - left < 4 or bottom < 2:
            return estimate, "landmarks"
        reference = self.background_reference
        if reference is None:
            return max(estimate, 0.0), "landmarks"
        # Every other column is enough to tell hair from background in a row.
        band = self.rgb[:bottom, left:right:2].astype(np.float32) - reference
        head_rows = (np.einsum("ijk,ijk->ij", band, band) > 40.0**2).mean(axis=1) > 0.25
        if head_rows[0]:
            return 0.0, "background"
        # The crown is the first row of a run of head rows that reaches the brow band.
        not_head = np.flatnonzero(~head_rows)
        crown = float(not_head[-1] + 1) if not_head.size else 0.0
        if abs(crown - estimate) > 0.6 * (chin_y - brow_y):
            return max(estimate, 0.0), "landmarks"
        return crown, "background"

    @cached_property
    def background_reference(self) -> NDArray[np.float32] | None:
        """Mean RGB of the top corners, or None when they are not plain enough to trust."""
        import numpy as np

        rows = max(2, self.height // 12)
        cols = max(2, self.width // 8)
        corners = np.concatenate(
            [self.rgb[:rows, :cols].reshape(-1, 3), self.rgb[:rows, -cols:].reshape(-1, 3)]
        ).astype(np.float32)
        if corners.std(axis=0).max() > 12.0:
            return None
        return corners.mean(axis=0)

    @cached_property
    def small(self) -> tuple[NDArray[np.uint8], float]:
        """The photo halved towards ``SMALL_WIDTH`` (150-300 px wide), and its scale."""
        from .imaging.resample import reduce_towards

        reduced, factor = reduce_towards(self.rgb, SMALL_WIDTH)
        return reduced, 1.0 / factor

    @cached_property
    def small_lab(self) -> NDArray[np.float32]:
        """:attr:`small` in CIELAB (L* 0-100, a*, b* centred on 0), float32."""
        from .imaging.colour import to_lab

        helped: NDArray[np.float32] | None = self._helped("small_lab")
        return to_lab(self.small[0]) if helped is None else helped

    @cached_property
    def small_fill(self) -> NDArray[np.bool_]:
        """Black fill around the photo on :attr:`small` (see :func:`.imaging.fill.fill_mask`)."""
        from .imaging.fill import fill_mask

        helped: NDArray[np.bool_] | None = self._helped("small_fill")
        return fill_mask(self.small[0]) if helped is None else helped

    @cached_property
    def person_mask(self) -> NDArray[np.float32]:
        """Probability that each pixel shows the person (H, W), from selfie segmentation."""
        from .vision.segmentation import person_mask

        helped: NDArray[np.float32] | None = self._helped("person_mask")
        return person_mask(self.rgb) if helped is None else helped

    @cached_property
    def small_person_mask(self) -> NDArray[np.float32]:
        """:attr:`person_mask` at the size of :attr:`small` (area averages), 0-1."""
        helped: NDArray[np.float32] | None = self._helped("small_person_mask")
        return _shrink_mask(self.person_mask, self.small[0]) if helped is None else helped

    @cached_property
    def background_mask(self) -> NDArray[np.bool_]:
        """Background pixels of :attr:`small`: all around the person, fill left out.

        The person mask (hair, ears, neck, shoulders and clothes included) is dilated by a
        margin and left out, with every pixel it gives even a small chance of being the
        person; so is black fill around the photo (letterbox bars, rotation corners; see
        :func:`photocheck.imaging.fill.fill_mask`) unless that would leave too little.
        Raises :class:`NotAssessed` when there is no face or too little background is visible.
        """
        import numpy as np

        mask = self._beside_person & (self.small_person_mask < _MASK_UNSURE)
        return self._without_fill(mask, np.count_nonzero)

    @cached_property
    def background_weight(self) -> NDArray[np.float32]:
        """How much each pixel of :attr:`small` counts as background, 0-1 (1 = surely background).

        The chance of background, ``1 -`` :attr:`small_person_mask`, outside the person mask
        dilated by a margin (as in :attr:`background_mask`); 0 on the dilated person and on
        black fill, which is left out unless that would leave too little. Unlike
        :attr:`background_mask` nothing is cut at a low chance of "person": the mirror-averaged
        mask is half sure wherever its two runs disagree (a second person or an object behind,
        a raised arm), and such an area counts in part instead of vanishing from the
        background. Raises :class:`NotAssessed` when there is no face or the weights sum to
        too little background.
        """
        import numpy as np

        chance = self.small_person_mask
        weight = np.where(self._beside_person, np.float32(1.0) - chance, np.float32(0.0))
        return self._without_fill(weight.astype(np.float32), np.sum)

    @cached_property
    def _beside_person(self) -> NDArray[np.bool_]:
        """Pixels of :attr:`small` outside the person mask dilated by ``_MASK_MARGIN`` face widths."""
        import cv2
        import numpy as np

        from .vision.geometry import MASK_PERSON

        geo = self.geometry
        _, scale = self.small
        margin = max(1, round(_MASK_MARGIN * geo["face_width"] * scale))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
        person = cv2.dilate((self.small_person_mask >= MASK_PERSON).astype(np.uint8), kernel) > 0
        beside: NDArray[np.bool_] = ~person
        return beside

    def _without_fill(self, region: _Region, amount: Callable[[_Region], Any]) -> _Region:
        """``region`` (a mask or weights) with fill left out unless too little would remain.

        ``amount`` measures how much background a region holds (pixels or summed weight).
        Raises :class:`NotAssessed` when too little remains even with the fill.
        """
        h, w = self.small[0].shape[:2]
        enough = max(50.0, 0.02 * h * w)
        without_fill: _Region = region * ~self.small_fill
        if amount(without_fill) >= enough:
            region = without_fill
        if amount(region) < enough:
            raise NotAssessed("too little background is visible around the head")
        return region

    @cached_property
    def canonical_face(self) -> dict[str, Any]:
        """The face aligned (eyes level) and scaled to a fixed inter-eye distance.

        Returns a dict with ``rgb`` (CANON height x width x 3), ``grey``, ``landmarks``
        (68 x 2 in crop coordinates), ``mesh`` (the face mesh's 478 points, x and y in crop
        coordinates), ``valid`` (bool mask of pixels inside the photo) and
        ``skin`` (bool mask of the inner face: jaw line and brows hull, valid pixels only)
        and ``bare_skin`` (``skin`` without the eyes, brows, nostrils and mouth).
        """
        import cv2
        import numpy as np

        geo = self.geometry
        face = self.require_face()
        scale = CANON["ied"] / max(geo["eye_distance"], 1e-6)
        mx, my = geo["eye_midpoint"]
        src = self.rgb
        # Reduce large photos by halving first so the affine warp does not alias.
        pre = 1.0
        offset = np.zeros(2)
        if scale < 0.5:
            margin = 2.5 * geo["eye_distance"]
            x0, x1 = max(0, int(mx - margin)), min(self.width, int(mx + margin) + 1)
            y0, y1 = max(0, int(my - margin)), min(self.height, int(my + 1.5 * margin) + 1)
            crop = src[y0:y1, x0:x1]
            factor = 1
            while scale * factor < 0.5 and min(crop.shape[:2]) >= 4:
                crop = halve(crop)
                factor *= 2
            src, pre = crop, 1.0 / factor
            mx, my = (mx - x0) * pre, (my - y0) * pre
            offset = np.array([x0, y0], dtype=np.float64)
        rest = scale / pre
        angle = geo["eye_line_angle"]
        matrix = cv2.getRotationMatrix2D((mx, my), angle, rest)
        matrix[0, 2] += CANON["width"] / 2 - mx
        matrix[1, 2] += CANON["eye_y"] - my
        size = (int(CANON["width"]), int(CANON["height"]))
        rgb = cv2.warpAffine(src, matrix, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
        valid = _inside_source(matrix, size, src.shape[:2])
        points = (face.landmarks - offset) * pre
        points = points @ matrix[:, :2].T + matrix[:, 2]
        mesh = ((face.mesh[:, :2] - offset) * pre) @ matrix[:, :2].T + matrix[:, 2]
        hull = cv2.convexHull(np.round(points[:27]).astype(np.int32))
        skin = np.zeros(size[::-1], dtype=np.uint8)
        cv2.fillConvexPoly(skin, hull, 255)
        features = np.zeros_like(skin)
        for part in (points[36:42], points[42:48], points[48:60], points[31:36]):
            cv2.fillConvexPoly(features, np.round(part).astype(np.int32), 255)
        for brow in (points[17:22], points[22:27]):
            cv2.polylines(features, [np.round(brow).astype(np.int32)], False, 255, 7)
        features = cv2.dilate(features, np.ones((7, 7), np.uint8))
        return {
            "rgb": rgb,
            "grey": cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY),
            "landmarks": points,
            "mesh": mesh,
            "valid": valid,
            "skin": (skin > 0) & valid,
            "bare_skin": (skin > 0) & (features == 0) & valid,
            "scale": scale,
        }

    @cached_property
    def cheeks(self) -> tuple[tuple[slice, slice], NDArray[np.bool_], NDArray[np.bool_]]:
        """The two cheek zones of :attr:`canonical_face`, on its skin.

        The zones are OFIQ's (see :func:`photocheck.scores.lighting.cheek_boxes`). Returns
        ``(box, left, right)``: the rows and columns of the aligned face holding both zones,
        and the image-left and image-right zones as masks of that box, ``skin`` pixels only
        (either may be empty). Raises :class:`NotAssessed` when there is no main face.
        """
        import numpy as np

        from .scores.lighting import cheek_boxes

        canon = self.canonical_face
        (lr, lc), (rr, rc) = cheek_boxes(canon["landmarks"], canon["grey"].shape)
        box = (
            slice(min(lr.start, rr.start), max(lr.stop, rr.stop)),
            slice(min(lc.start, rc.start), max(lc.stop, rc.stop)),
        )
        skin = canon["skin"][box]
        left, right = np.zeros_like(skin), np.zeros_like(skin)
        y0, x0 = box[0].start, box[1].start
        left[lr.start - y0 : lr.stop - y0, lc.start - x0 : lc.stop - x0] = True
        right[rr.start - y0 : rr.stop - y0, rc.start - x0 : rc.stop - x0] = True
        return box, left & skin, right & skin

    @cached_property
    def eye_openings(
        self,
    ) -> tuple[tuple[slice, slice], tuple[NDArray[np.bool_], NDArray[np.bool_]]]:
        """The eye openings of :attr:`canonical_face`.

        Returns ``(box, (right, left))``: the rows and columns of the aligned face around both
        eyes, and the subject's right (image left) and left eye openings (the polygons of
        landmarks 36-41 and 42-47) as masks of that box, pixels inside the photo only.
        Raises :class:`NotAssessed` when there is no main face.
        """
        import math

        import cv2
        import numpy as np

        canon = self.canonical_face
        height, width = canon["grey"].shape
        eyes = canon["landmarks"][36:48]
        # Plain Python on the twelve points: cheaper than NumPy reductions on a 12 x 2 array.
        xs, ys = zip(*eyes.tolist(), strict=True)
        x0 = min(width, max(0, math.floor(min(xs)) - 1))
        y0 = min(height, max(0, math.floor(min(ys)) - 1))
        x1 = min(width, max(0, math.ceil(max(xs)) + 2))
        y1 = min(height, max(0, math.ceil(max(ys)) + 2))
        box = (slice(y0, y1), slice(x0, x1))
        valid = canon["valid"][box]
        corners = np.round(eyes - [x0, y0]).astype(np.int32)
        openings = []
        for part in (corners[:6], corners[6:]):
            mask = np.zeros(valid.shape, dtype=np.uint8)
            cv2.fillPoly(mask, [part], 255)
            openings.append((mask > 0) & valid)
        return box, (openings[0], openings[1])


def _shrink_mask(mask: NDArray[np.float32], like: NDArray[np.uint8]) -> NDArray[np.float32]:
    """``mask`` averaged over the photo blocks the pixels of ``like`` (:attr:`Analysis.small`) cover.

    Halving drops an odd last row or column, so the reduced copy covers the top-left
    ``factor * (height, width)`` of the photo: the mask is cut to that before its blocks are
    averaged, or it would be stretched against the copy by up to ``factor - 1`` photo pixels
    at the right and bottom edges (to the other side in a mirror image).
    """
    import cv2

    height, width = like.shape[:2]
    factor = max(1, mask.shape[1] // width)
    covered = mask[: factor * height, : factor * width]
    shrunk: NDArray[np.float32] = cv2.resize(covered, (width, height), interpolation=cv2.INTER_AREA)
    return shrunk


def _inside_source(
    matrix: NDArray[np.float64], size: tuple[int, int], shape: tuple[int, ...]
) -> NDArray[np.bool_]:
    """Pixels of a ``size`` (width, height) warp by ``matrix`` whose source lies in ``shape``.

    The same mask as warping a source of ones with nearest-neighbour sampling; when the four
    corners of the warp come from inside the source, so does every pixel (the map is affine),
    and no warp is needed.
    """
    import cv2
    import numpy as np

    width, height = size
    inverse = cv2.invertAffineTransform(matrix)
    last_x, last_y = width - 1, height - 1
    corners = np.array([[0, 0, 1], [last_x, 0, 1], [0, last_y, 1], [last_x, last_y, 1]])
    xs, ys = (corners @ inverse.T).T
    if xs.min() >= 0 and ys.min() >= 0 and xs.max() <= shape[1] - 1 and ys.max() <= shape[0] - 1:
        return np.ones((height, width), dtype=bool)
    ones = np.full(shape[:2], 255, dtype=np.uint8)
    inside: NDArray[np.bool_] = (
        cv2.warpAffine(ones, matrix, size, flags=cv2.INTER_NEAREST, borderValue=0) > 0
    )
    return inside
