"""``photocheck.fix``: crop, scale, straighten, re-encode, replace the background; refusals.

Photos are built from ``skimage.data.astronaut()`` (public domain): the 512 x 512 original
(busy backdrop), the 400 x 600 head-and-shoulders portrait of conftest, and that portrait put
in front of a plain grey wall with its own person mask (a plain, non-white background).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import photocheck
from photocheck.cli.main import main
from photocheck.fixing import FixResult, fix
from photocheck.fixing.background import mask_doubt, replace_background, side_doubt
from photocheck.fixing.encode import encode
from photocheck.fixing.framing import FaceFrame, frame_rules, framing_values, place

CN = "cn-social-security"
IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def framing_passes(result: FixResult) -> list[str]:
    """Codes of the after-verdict's failing image.format and geometry.* checks."""
    assert result.after is not None
    return [
        r.code
        for r in result.after.results
        if (r.check == "image.format" or r.check.startswith("geometry.")) and not r.passed
    ]


@pytest.fixture(scope="module")
def grey_wall(portrait: np.ndarray) -> np.ndarray:
    """The portrait in front of a plain mid-grey wall (composited with its person mask)."""
    from photocheck.vision.segmentation import person_mask

    alpha = person_mask(portrait)[:, :, None]
    wall = np.full_like(portrait, 150)
    return np.rint(alpha * portrait + (1 - alpha) * wall).astype(np.uint8)


@pytest.fixture(scope="module")
def astronaut_cn(astronaut: np.ndarray) -> FixResult:
    return fix(astronaut, CN)


def test_cn_output_has_the_frame_the_file_window_and_passes_framing(astronaut_cn):
    result = astronaut_cn
    assert result.reason is None
    assert result.image is not None and result.image.shape == (441, 358, 3)
    assert result.format == "JPEG" and result.encoded is not None
    assert result.encoded[:2] == b"\xff\xd8"
    assert 14 <= len(result.encoded) / 1024 <= 40
    assert framing_passes(result) == []
    assert abs(result.after["pose.roll"].value) < 2.0
    codes = [a.code for a in result.actions]
    # the astronaut leans about 3 degrees and fills a 512 px square: every step is needed
    assert codes == ["fix.straightened", "fix.framed", "fix.encoded"]
    # framing values sit inside their windows, near the middle
    geo = result.after.geometry
    assert 162 + 5 <= geo["eye_midpoint"][0] <= 196 - 5
    assert 179 + 10 <= geo["face_width"] <= 255 - 10
    assert 7 + 2 <= geo["crown_y"] <= 21 - 2


def test_no_check_that_passed_before_fails_after(astronaut_cn):
    after = astronaut_cn.after
    assert after is not None
    regressed = [
        r.check for r in astronaut_cn.before.results if r.passed and not after[r.check].passed
    ]
    assert regressed == []


def test_fixing_a_fixed_photo_changes_nothing(astronaut_cn):
    again = fix(astronaut_cn.encoded, CN)
    assert again.actions == ()
    assert again.encoded == astronaut_cn.encoded
    # from the decoded pixels the file has to be written again, but nothing is moved
    pixels = fix(astronaut_cn.image, CN)
    assert [a.code for a in pixels.actions] == ["fix.encoded"]
    first, second = astronaut_cn.after.geometry, pixels.after.geometry
    assert np.allclose(first["eye_midpoint"], second["eye_midpoint"], atol=1.0)
    assert abs(first["crown_y"] - second["crown_y"]) <= 1.0


def test_icao_frame_keeps_the_photo_resolution_and_aspect(portrait):
    result = fix(portrait, "icao")
    assert result.reason is None and result.image is not None
    height, width = result.image.shape[:2]
    assert width >= 300 and height >= 400
    assert width / height == pytest.approx(0.75, abs=0.005)
    assert height <= portrait.shape[0]  # never upscaled past the photo's own resolution
    assert framing_passes(result) == []


def test_the_before_verdict_is_what_validate_says(astronaut):
    """No reference photo is given, so identity.same_person is left out, as validate does."""
    result = fix(astronaut, "icao")
    expected = photocheck.validate(astronaut, "icao")
    assert [(r.check, r.code) for r in result.before.results] == [
        (r.check, r.code) for r in expected.results
    ]


def test_head_near_an_edge_is_refused_with_a_retake_message(astronaut):
    result = fix(astronaut[:, 180:], CN)
    assert result.reason is not None
    assert result.reason.code == "fix.head_near_edge"
    assert "left edge" in result.reason.message and "retake" in result.reason.message
    assert result.image is None and result.encoded is None and result.after is None


def test_a_head_cut_by_the_top_edge_is_refused(astronaut):
    result = fix(astronaut[60:], CN)
    assert result.reason is not None and result.reason.code == "fix.head_cut"


def test_a_few_strands_at_the_top_edge_are_not_a_cut_head():
    """When the mask gives no crown (hair against a similar wall), the top row decides."""
    from types import SimpleNamespace

    from photocheck.fixing.api import _head_cut

    geo = {"crown_y": 40.0, "crown_method": "background", "face_width": 100.0,
           "eye_midpoint": (100.0, 150.0)}  # fmt: skip
    mask = np.zeros((300, 200), np.float32)
    mask[:, 98:104] = 0.9  # a bun's loose strands reach the edge above the face (6 of 101 px)
    assert not _head_cut(SimpleNamespace(person_mask=mask), geo)
    mask[:, 70:130] = 0.9  # the hair itself crosses the edge
    assert _head_cut(SimpleNamespace(person_mask=mask), geo)
    assert _head_cut(SimpleNamespace(person_mask=mask * 0), {**geo, "crown_y": 0.0})
    # a crown the person mask measured is below the edge by definition
    assert not _head_cut(SimpleNamespace(person_mask=mask), {**geo, "crown_method": "person_mask"})


def test_a_black_and_white_photo_is_refused_for_a_colour_profile(portrait):
    grey = np.repeat(np.dot(portrait, [0.299, 0.587, 0.114]).astype(np.uint8)[:, :, None], 3, 2)
    result = fix(grey, CN)
    assert result.before["image.format"].details["colour"] == "grey"
    assert result.reason is not None and result.reason.code == "fix.not_colour"
    assert "colour" in result.reason.message and result.image is None
    assert fix(portrait, CN).reason is None  # the same photo in colour is fixed


def test_no_face_is_refused(blank):
    result = fix(blank, CN)
    assert result.reason is not None and result.reason.code == "fix.no_face"
    assert result.before["face.count"].status == "fail"


def test_too_little_room_is_padded_only_when_the_background_is_replaced(grey_wall):
    tight = grey_wall[36:]  # hair 4 px below the top: too little room above it for icao
    without = fix(tight, "icao")
    assert without.reason is not None and without.reason.code == "fix.no_space_above"
    padded = fix(tight, "icao", background="white")
    assert padded.reason is None and padded.image is not None
    codes = [a.code for a in padded.actions]
    assert "fix.padded" in codes and "fix.background" in codes
    assert padded.image[:3].mean() > 250  # the added rows are the new white
    assert padded.after["background.colour"].value == "white"


def test_white_background_replaces_a_plain_grey_wall(grey_wall):
    before = photocheck.validate(grey_wall, CN)
    assert before["background.colour"].value != "white"
    result = fix(grey_wall, CN, background="white")
    assert result.reason is None
    assert result.after["background.colour"].status == "pass"
    assert result.after["background.colour"].value == "white"
    blue = fix(grey_wall, CN, background="blue")
    assert blue.after is not None and blue.after["background.colour"].value == "blue"


def test_background_replacement_is_refused_when_the_mask_is_unsure(grey_wall):
    # a second, smaller head cut by the photo's left edge beside the first one: the person
    # outline reaches the left edge above the eyes
    import cv2

    crowded = grey_wall.copy()
    small = cv2.resize(grey_wall[20:320, 40:360], (160, 150), interpolation=cv2.INTER_AREA)
    crowded[60:210, :80] = small[:, 80:]
    plain = fix(crowded, CN)
    assert plain.reason is None  # framing alone is fine
    result = fix(crowded, CN, background="white")
    assert result.reason is not None and result.reason.code == "fix.mask_touches_side"
    assert "left edge" in result.reason.message
    assert result.image is None


def _disc_mask(blur: float = 0.0) -> np.ndarray:
    import cv2

    mask = np.zeros((200, 160), np.float32)
    cv2.circle(mask, (80, 90), 45, 1.0, -1)
    mask[140:] = 1.0  # shoulders to the bottom edge
    return cv2.GaussianBlur(mask, (0, 0), blur) if blur else mask


def test_mask_doubt_accepts_a_sharp_outline_and_names_each_doubt():
    valid = np.ones((200, 160), bool)
    eyes, chin, face = (80.0, 85.0), (80.0, 130.0), 70.0
    assert mask_doubt(_disc_mask(1.0), valid, eyes, chin, face) is None
    blurred = mask_doubt(_disc_mask(12.0), valid, eyes, chin, face)
    assert blurred is not None and blurred.code == "fix.mask_blurred"
    top = _disc_mask(1.0)
    top[:5, 40:120] = 1.0
    assert mask_doubt(top, valid, eyes, chin, face).code == "fix.mask_touches_top"
    # the photo's sides: shoulders may meet them, nothing above the eye line may
    assert side_doubt(_disc_mask(1.0), eyes[1]) is None
    side = _disc_mask(1.0)
    side[20:60, :10] = 1.0
    assert side_doubt(side, eyes[1]).code == "fix.mask_touches_side"
    assert mask_doubt(np.zeros((200, 160), np.float32), valid, eyes, chin, face).code == (
        "fix.mask_misses_face"
    )


def test_replacement_leaves_no_rim_of_the_old_colour():
    # a soft edge over a blue wall: the pixels there mix dark hair and the blue
    mask = _disc_mask(3.0)
    hair = np.array([40.0, 30.0, 20.0])
    wall = np.array([60.0, 120.0, 200.0])  # a blue wall: off the line from hair to white
    rgb = np.rint(mask[:, :, None] * hair + (1 - mask[:, :, None]) * wall).astype(np.uint8)
    out = replace_background(rgb, mask, np.ones(mask.shape, bool), (255, 255, 255)).rgb
    ring = (mask > 0.05) & (mask < 0.5)
    naive = np.rint(mask[ring][:, None] * rgb[ring] + (1 - mask[ring][:, None]) * 255.0)

    def off_line(pixels: np.ndarray) -> float:
        """Mean distance from the hair-white line: a clean mix is on it, a blue rim is not."""
        direction = (255.0 - hair) / np.linalg.norm(255.0 - hair)
        rel = pixels - hair
        return float(np.linalg.norm(rel - (rel @ direction)[:, None] * direction, axis=1).mean())

    assert off_line(naive) > 10.0  # plain alpha compositing leaves the blue in the rim
    assert off_line(out[ring].astype(float)) < 0.25 * off_line(naive)
    assert (out[mask < 0.01] == 255).all()


def test_placement_puts_every_value_mid_range():
    profile = photocheck.load_profile(CN)
    face = FaceFrame(eye_x=500.0, eye_y=400.0, eye_distance=120.0, face_width=300.0,
                     crown_y=150.0, chin_y=640.0)  # fmt: skip
    best, _ = place(face, frame_rules(profile), 358, 441, IDENTITY, (1200, 1000))
    values = framing_values(face, best.scale, best.tx, best.ty, 358, 441)
    assert values["geometry.face_width:px"] == pytest.approx(217, abs=1.5)
    assert values["geometry.centring:px"] == pytest.approx(179, abs=1.5)
    assert values["geometry.top_margin:px"] == pytest.approx(14, abs=1.5)
    assert values["geometry.eye_line:px_from_bottom"] >= 207
    assert best.outside == () and best.margin > 0.9
    # the same face 40 px from the photo's left edge: the frame would need pixels there
    near = face._replace(eye_x=40.0)
    best, free = place(near, frame_rules(profile), 358, 441, IDENTITY, (1200, 1000))
    assert best.margin < 0 and "left" in free.outside


def test_placement_finds_the_narrow_fit_when_mid_range_does_not_fit():
    """Hair 12 px below the photo's top: mid-range (top margin 14 px) needs room above it."""
    profile = photocheck.load_profile(CN)
    rules = frame_rules(profile)
    face = FaceFrame(eye_x=500.0, eye_y=312.0, eye_distance=120.0, face_width=300.0,
                     crown_y=12.0, chin_y=602.0)  # fmt: skip
    best, free = place(face, rules, 358, 441, IDENTITY, (1200, 1000))
    assert "top" in free.outside  # the ideal frame would need rows above the photo
    assert best.outside == () and best.margin >= 0.0
    values = framing_values(face, best.scale, best.tx, best.ty, 358, 441)
    # every value passes by at least its declared noise; the frame starts inside the photo
    for rule in rules:
        value = float(values[f"{rule.check}:{rule.value}"])
        assert rule.low is None or value >= rule.low + rule.noise - 1e-6
        assert rule.high is None or value <= rule.high - rule.noise + 1e-6
    assert -best.ty / best.scale >= -0.75  # the frame's top row is inside the photo
    assert float(values["geometry.top_margin:px"]) < 14.0
    # hair 3 px below the top: a top margin of 8 px would need a face 800 px wide
    cut = face._replace(crown_y=3.0, eye_y=303.0, chin_y=593.0)
    best, free = place(cut, rules, 358, 441, IDENTITY, (1200, 1000))
    assert best.margin < 0.0 and "top" in free.outside


def test_placement_enlarges_no_more_than_the_rules_need():
    profile = photocheck.load_profile(CN)
    small = FaceFrame(eye_x=200.0, eye_y=160.0, eye_distance=60.0, face_width=130.0,
                      crown_y=60.0, chin_y=300.0)  # fmt: skip
    best, _ = place(small, frame_rules(profile), 358, 441, IDENTITY, (500, 400))
    width = float(framing_values(small, best.scale, best.tx, best.ty, 358, 441)
                  ["geometry.face_width:px"])  # fmt: skip
    # half-way between the lowest width with the noise (181.5 px) and mid-range (217 px)
    assert best.scale > 1.0 and width == pytest.approx((181.5 + 217.0) / 2, abs=0.5)


def test_a_tight_photo_is_straightened_only_as_far_as_its_frame_allows():
    """The bundled compliant photo leans 3 degrees; a full turn uncovers corners in cn's frame."""
    from pathlib import Path

    photo = Path(__file__).resolve().parents[1] / "examples" / "photos" / "compliant_icao.jpg"
    result = fix(photo, CN)
    assert result.reason is None and result.after is not None
    assert abs(result.before["pose.roll"].value) > 2.5
    turned = [a for a in result.actions if a.code == "fix.straightened"]
    assert len(turned) == 1 and "not the full" in turned[0].message
    assert abs(result.after["pose.roll"].value) < 2.0
    assert framing_passes(result) == []
    # without a background to pad with, nothing is padded: the frame's corners stay on the
    # photo (within the placement's sub-pixel slack), so its edges hold no black fill
    assert "fix.padded" not in [a.code for a in result.actions]
    image = result.image
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    # the darkest edge pixel is the dark shirt (about 89); a corner blended with a black
    # border read 62
    assert edges.max(axis=1).min() > 75
    # the roll left (under 2 degrees) is not turned again: fixing the output does nothing
    again = fix(result.encoded, CN)
    assert again.reason is None and again.actions == ()
    # icao's frame has room for the full turn
    full = fix(photo, "icao")
    assert full.reason is None and full.after is not None
    assert abs(full.after["pose.roll"].value) < 1.0


def test_encode_finds_the_highest_quality_inside_the_window(astronaut_cn):
    rule = photocheck.load_profile(CN).rules["image.format"]
    encoded = encode(astronaut_cn.image, rule)
    assert encoded.within and encoded.format == "JPEG" and encoded.quality is not None
    assert len(encoded.data) <= 0.95 * 40 * 1024
    higher = encode(astronaut_cn.image, {**rule, "min_jpeg_quality": encoded.quality + 1})
    assert len(higher.data) > 0.95 * 40 * 1024 or not higher.within


def test_verdict_flags_fixable_failures_and_says_the_frame_comes_first(astronaut_cn):
    before = astronaut_cn.before
    assert before["image.format"].code == "image.format.too_wide"
    assert before["image.format"].fixable
    assert before["geometry.face_width"].fixable
    assert "358 x 441 pixels (it is 512 x 512)" in before["geometry.face_width"].message
    assert "photocheck fix" in before["geometry.face_width"].message
    assert not before["mouth.closed"].fixable  # about the person: not fixable
    assert before.to_dict()["results"][0]["fixable"] is True
    passed = [r for r in astronaut_cn.after.results if r.passed]
    assert passed and not any(r.fixable for r in passed)


def test_typed_errors(astronaut):
    with pytest.raises(photocheck.ProfileError, match="names no background colour 'pink'"):
        fix(astronaut, CN, background="pink")
    with pytest.raises(photocheck.ProfileError, match="unknown profile"):
        fix(astronaut, "no-such-profile")
    with pytest.raises(photocheck.InvalidImageError):
        fix(b"not an image", CN)


def test_fix_is_exported_lazily():
    assert photocheck.fix is fix
    assert isinstance(photocheck.FixResult, type)


def test_cli_writes_the_fixed_photo_and_exits_by_the_after_verdict(tmp_path, portrait, capsys):
    src = tmp_path / "me.png"
    Image.fromarray(portrait).save(src)
    out = tmp_path / "out"
    status = main(["fix", str(src), "--profile", CN, "-o", str(out)])
    written = out / "me.jpg"
    assert written.is_file()
    with Image.open(io.BytesIO(written.read_bytes())) as im:
        assert im.size == (358, 441) and im.format == "JPEG"
    after = photocheck.validate(written, CN)
    assert status == (0 if after.ok else 1)
    text = capsys.readouterr().out
    assert "before:" in text and "fix.framed" in text and "after:" in text
    assert main(["fix", str(tmp_path / "missing.jpg"), "-p", CN, "-o", str(out)]) == 2
    assert main(["fix", str(src), "-p", CN, "-b", "pink", "-o", str(out)]) == 2


def test_before_after_draws_both_photos_and_the_actions(astronaut, astronaut_cn):
    from photocheck.visual.annotate import before_after

    drawn = before_after(astronaut, astronaut_cn, height=300)
    assert drawn.dtype == np.uint8 and drawn.ndim == 3
    # the photo (300 x 300) and the fixed photo (about 244 x 300) side by side, text below
    assert drawn.shape[1] >= 300 + 240 and drawn.shape[0] > 300
    refused = fix(astronaut[:, 180:], CN)
    assert before_after(astronaut[:, 180:], refused, height=200).shape[0] > 200


def test_fix_html_shows_before_after_and_escapes(tmp_path, astronaut, astronaut_cn):
    from dataclasses import replace

    from photocheck.visual.report import fix_html, write_fix_report

    hostile = replace(astronaut_cn, source="<script>x</script>")
    page = fix_html(hostile, astronaut, thumb_width=120)
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert "Before" in page and "After" in page and "fix.framed" in page
    assert page.count("data:image/jpeg;base64,") == 2
    out = tmp_path / "fix.html"
    write_fix_report([(astronaut_cn, astronaut)], out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
