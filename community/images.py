"""Images attached to posts: Pillow reads the bytes to check type, size and dimensions."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_BYTES = 5 * 1024 * 1024
MAX_DIMENSION = 8000
MIN_DIMENSION = 16


def validate_post_image(upload) -> None:
    """Raise ValidationError unless ``upload`` is a JPEG/PNG/GIF/WebP of sane size; the file's
    name and declared type are ignored."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("That file is %(size)s; images can be at most %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_BYTES)},
            code="file_too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("That file is not an image we can read. Attach a JPEG, PNG, GIF or WebP picture."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Attach a JPEG, PNG, GIF or WebP picture.")
            % {"format": image_format},
            code="bad_format",
        )
    if max(width, height) > MAX_DIMENSION or min(width, height) < MIN_DIMENSION:
        raise ValidationError(
            _("That image is %(w)s×%(h)s pixels; images need %(min)s to %(max)s pixels a side.")
            % {"w": width, "h": height, "min": MIN_DIMENSION, "max": MAX_DIMENSION},
            code="bad_dimensions",
        )
