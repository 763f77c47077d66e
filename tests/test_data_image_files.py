"""One decoder for the user's image files (`dlbook.data.image_files`): the same drawing saved in
every way a camera, a drawing program or a converter saves it decodes to the same pixels, and a
file that cannot be decoded says why in one line (red team N013, N015, N017, N019, N021, N022)."""

import os

from dlbook.data.image_files import (
    ImageFileError,
    check_failures,
    decode_files,
    decode_image,
    probe_image,
    summary,
)
from dlbook.errors import DlbookError

import numpy as np
import pytest
from PIL import Image

DRAWING = np.full((28, 20), 255, np.uint8)
DRAWING[3:26, 4:8] = DRAWING[3:26, 12:16] = DRAWING[3:8, 4:16] = 25
"""Trousers, dark strokes on white (height 28, width 20): a drawing as a person makes one."""


def gray(path, **kwargs):
    return decode_image(path, "grayscale", **kwargs).pixels[..., 0].astype(int)


def test_a_16_bit_png_is_scaled_by_its_range_not_by_255(tmp_path):
    """N019: 16-bit values were divided by 255 (up to 257), a drawing became another class."""
    Image.fromarray(DRAWING).save(tmp_path / "8.png")
    Image.fromarray(DRAWING.astype(np.uint16) * 257).save(tmp_path / "16.png")
    assert Image.open(tmp_path / "16.png").mode == "I;16"
    decoded = decode_image(tmp_path / "16.png", "grayscale")
    np.testing.assert_array_equal(decoded.pixels[..., 0], DRAWING)
    assert decoded.notes == {"wide"}
    np.testing.assert_array_equal(gray(tmp_path / "8.png"), DRAWING)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_a_drawing_on_a_transparent_background_is_put_on_white(tmp_path, mode):
    """N017: the alpha was dropped and a transparent background became black, the strokes
    black on black: the image of nothing."""
    strokes = DRAWING < 128
    if mode == "RGBA":
        pixels = np.zeros((*DRAWING.shape, 4), np.uint8)
        pixels[..., 3] = strokes * 255  # black strokes, transparent elsewhere
        Image.fromarray(pixels, "RGBA").save(tmp_path / "drawing.png")
    elif mode == "LA":
        pixels = np.stack([np.zeros_like(DRAWING), strokes * np.uint8(255)], -1)
        Image.fromarray(pixels, "LA").save(tmp_path / "drawing.png")
    else:  # a palette whose entry 0 is transparent, as GIFs and small PNGs have
        index = Image.fromarray(strokes.astype(np.uint8))
        index.putpalette([0, 128, 0, 0, 0, 0])
        index.save(tmp_path / "drawing.png", transparency=0)
    decoded = decode_image(tmp_path / "drawing.png", "grayscale")
    assert "transparent" in decoded.notes
    np.testing.assert_array_equal(decoded.pixels[..., 0], np.where(strokes, 0, 255))


def test_jpeg_cmyk_progressive_webp_bmp_tiff_gif_and_a_misnamed_png_read_alike(tmp_path):
    rgb = np.stack([DRAWING, DRAWING // 2 + 100, 255 - DRAWING], -1)
    image = Image.fromarray(rgb)
    image.save(tmp_path / "plain.png")
    image.save(tmp_path / "photo.jpg", quality=95, subsampling=0)
    image.save(tmp_path / "progressive.jpg", quality=95, subsampling=0, progressive=True)
    image.convert("CMYK").save(tmp_path / "print.jpg", quality=95)
    image.save(tmp_path / "lossless.webp", lossless=True)
    image.save(tmp_path / "old.bmp")
    image.save(tmp_path / "scan.tiff")
    image.save(tmp_path / "misnamed.jpg", format="PNG")  # the content decides, not the name
    image.quantize(256).save(tmp_path / "palette.gif")
    exact = ("plain.png", "lossless.webp", "old.bmp", "scan.tiff", "misnamed.jpg")
    for name in os.listdir(tmp_path):
        pixels = decode_image(tmp_path / name, "rgb").pixels.astype(int)
        assert pixels.shape == (28, 20, 3), name
        error = np.abs(pixels - rgb)
        assert (error.max() == 0) if name in exact else (error.mean() < 8), name
    assert decode_image(tmp_path / "print.jpg", "rgb").notes == frozenset()


def test_colour_to_gray_uses_the_luma_and_gray_to_colour_repeats_it(tmp_path):
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 50
    Image.fromarray(rgb).save(tmp_path / "c.png")
    decoded = decode_image(tmp_path / "c.png", "grayscale")
    assert decoded.notes == {"converted_grayscale"}
    assert np.all(decoded.pixels == round(0.299 * 200 + 0.587 * 100 + 0.114 * 50))
    Image.fromarray(DRAWING).save(tmp_path / "g.png")
    colour = decode_image(tmp_path / "g.png", "rgb")
    assert colour.notes == {"converted_rgb"} and colour.pixels.shape == (28, 20, 3)
    assert np.all(colour.pixels == DRAWING[..., None])


def test_a_photo_is_turned_upright_by_its_exif_orientation(tmp_path):
    """A phone stores a portrait photo sideways with orientation 6 (turn 90 degrees clockwise)."""
    stored = np.zeros((10, 30), np.uint8)
    stored[:, :5] = 255  # a bright band on the left of the stored image
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(tmp_path / "portrait.png", exif=exif)
    assert probe_image(tmp_path / "portrait.png").size == (30, 10)
    decoded = decode_image(tmp_path / "portrait.png", "grayscale")
    assert decoded.notes == {"rotated"} and decoded.pixels.shape == (30, 10, 1)
    np.testing.assert_array_equal(decoded.pixels[..., 0], np.rot90(stored, k=-1))  # band on top


def test_an_animated_gif_gives_its_first_frame_and_says_so(tmp_path):
    frames = [Image.fromarray(np.full((8, 8), value, np.uint8)) for value in (10, 200, 90)]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    decoded = decode_image(tmp_path / "a.gif", "grayscale")
    assert "animated" in decoded.notes and np.all(decoded.pixels == 10)


def test_a_size_resizes_and_says_so(tmp_path):
    Image.fromarray(DRAWING).save(tmp_path / "d.png")
    decoded = decode_image(tmp_path / "d.png", "grayscale", size=(14, 10))
    assert decoded.pixels.shape == (14, 10, 1) and decoded.notes == {"resized"}
    big = Image.new("RGB", (1600, 1200), (10, 200, 30))
    big.save(tmp_path / "big.jpg", quality=95)
    small = decode_image(tmp_path / "big.jpg", "rgb", size=(32, 32))
    assert small.pixels.shape == (32, 32, 3)
    assert np.abs(small.pixels.astype(int) - (10, 200, 30)).max() <= 3


def unreadable_files(folder):
    """The files of the red team's cases, with the reason each must be given."""
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)).save(
        folder / "full.png")
    data = (folder / "full.png").read_bytes()
    (folder / "truncated.png").write_bytes(data[: len(data) // 2])
    (folder / "full.png").unlink()
    (folder / "doc.png").write_bytes(b"%PDF-1.4\n% a PDF named like an image\n")
    os.symlink("loop.png", folder / "loop.png")
    (folder / "folder.png").mkdir()
    return {"truncated.png": "damaged or cut short", "doc.png": "not an image file",
            "loop.png": "a link that leads nowhere", "folder.png": "a folder, not an image"}


def test_files_that_cannot_be_decoded_say_why(tmp_path):
    """N013, N021, N022: a truncated PNG, a symlink loop and a folder ended in tracebacks."""
    for name, reason in unreadable_files(tmp_path).items():
        with pytest.raises(ImageFileError, match=f"{name}: {reason}") as error:
            decode_image(tmp_path / name)
        assert isinstance(error.value, DlbookError) and "\n" not in str(error.value)


def test_an_image_over_the_decompression_bomb_limit_says_so(tmp_path, monkeypatch):
    """N015: Pillow's DecompressionBombError is neither OSError nor ValueError: a traceback."""
    Image.new("L", (100, 100)).save(tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 100x100 is over twice the limit
    with pytest.raises(ImageFileError, match="huge.png: more than 2,000 pixels, Pillow's limit "
                                             "against decompression bombs"):
        decode_image(tmp_path / "huge.png")


def test_many_files_are_decoded_the_failures_set_aside_and_counted(tmp_path):
    unreadable_files(tmp_path)
    for i in range(30):
        Image.fromarray(DRAWING).save(tmp_path / f"{i}.png")
    (tmp_path / "notes.txt").write_text("not an image, not a damaged one either")
    decoded = decode_files(sorted(tmp_path.iterdir()), "grayscale", size=(14, 10))
    assert len(decoded.images) == 30 and len(decoded.failed) == 4
    assert [path.name for path in decoded.not_images] == ["notes.txt"]
    with pytest.raises(DlbookError, match=r"4 of 34 image files cannot be decoded, more than "
                                          r"10% \(doc.png: not an image file"):
        check_failures(decoded, tmp_path)
    for i in range(6):
        Image.fromarray(DRAWING).save(tmp_path / f"more-{i}.png")
    decoded = decode_files(sorted(tmp_path.iterdir()), "grayscale", size=(14, 10))
    check_failures(decoded, tmp_path)  # 4 of 40, 10%: set aside
    line = "; ".join(summary(decoded, tmp_path))
    assert line.startswith("36 resized; skipped 4 that cannot be decoded (doc.png: not an image")
    assert line.endswith("skipped 1 file that is not an image (notes.txt)")
