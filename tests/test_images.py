"""hub.images: one check and one re-encoding for every picture members upload."""

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from hub.images import ImageKind, reencode, validate_image
from tests.factories import image_upload

KIND = ImageKind(
    "TEST_IMAGE",
    too_large="%(name)s is %(size)s; at most %(max)s.",
    unreadable="%(name)s is not a picture.",
    bad_format="No %(format)s, please.",
    too_big="%(w)s×%(h)s is more than %(max)s a side.",
    too_small="%(w)s×%(h)s is less than %(min)s a side.",
)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.TEST_IMAGE_MAX_BYTES = 100_000
    settings.TEST_IMAGE_MAX_DIMENSION = 400
    settings.TEST_IMAGE_MIN_DIMENSION = 50
    settings.IMAGE_MAX_PIXELS = 1_000_000
    return settings


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (image_upload("big.png", 401, 100), "401×100 is more than 400 a side."),
        (image_upload("small.png", 49, 100), "49×100 is less than 50 a side."),
        (image_upload("pic.bmp", 100, 100, fmt="BMP"), "No BMP, please."),
    ],
)
def test_each_limit_refuses_with_the_kind_s_own_message(upload, message):
    with pytest.raises(ValidationError) as refused:
        validate_image(upload, KIND)
    assert refused.value.messages == [message]


def test_bytes_that_are_not_a_picture_are_refused_whatever_the_name_says():
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.png", b"#!/bin/sh\n", content_type="image/png")
    with pytest.raises(ValidationError, match="cat.png is not a picture."):
        validate_image(fake, KIND)


def test_the_pixel_budget_holds_whatever_the_sides_allow(limits):
    limits.IMAGE_MAX_PIXELS = 300 * 300
    validate_image(image_upload("ok.png", 300, 300), KIND)
    with pytest.raises(ValidationError, match="0.1 million pixels; pictures can have at most"):
        validate_image(image_upload("wide.png", 400, 300), KIND)


def test_reencoding_fits_or_crops_to_a_webp_under_a_generated_name():
    fitted = reencode(image_upload("holiday.png", 400, 200), fit=100)
    assert (fitted.width, fitted.height) == (100, 50)
    assert fitted.content.name.endswith(".webp") and "holiday" not in fitted.content.name
    squared = reencode(image_upload("holiday.png", 400, 200), square=64)
    assert (squared.width, squared.height) == (64, 64)
    with Image.open(squared.content) as image:
        assert image.format == "WEBP"
    untouched = reencode(image_upload("small.png", 80, 60), fit=100)
    assert (untouched.width, untouched.height) == (80, 60)  # never enlarged
