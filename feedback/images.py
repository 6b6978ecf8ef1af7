"""Review photos: check with Pillow that an upload really is a reasonable picture, then store a
re-encoded copy (EXIF, and so the camera's GPS position, is dropped; at most 1600 px a side)."""

import uuid
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
STORED_SIDE = 1600


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def validate_review_photo(upload) -> None:
    """Raise ValidationError unless ``upload`` is a JPEG/PNG/GIF/WebP of sane size and dimensions.
    The file's name and declared content type are ignored: Pillow reads the bytes."""
    max_bytes = _limit("FEEDBACK_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s; photos can be at most %(max)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(max_bytes),
            },
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
            _("%(name)s is not an image we can read. Upload JPEG, PNG, GIF or WebP photos.")
            % {"name": upload.name},
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload JPEG, PNG, GIF or WebP photos.")
            % {"format": image_format},
            code="bad_format",
        )
    largest = _limit("FEEDBACK_PHOTO_MAX_DIMENSION", 8000)
    smallest = _limit("FEEDBACK_PHOTO_MIN_DIMENSION", 200)
    if width > largest or height > largest:
        raise ValidationError(
            _("That photo is %(w)s×%(h)s pixels; photos can be at most %(max)s pixels on a side.")
            % {"w": width, "h": height, "max": largest},
            code="too_many_pixels",
        )
    if width < smallest or height < smallest:
        raise ValidationError(
            _("That photo is %(w)s×%(h)s pixels; photos need at least %(min)s pixels on a side.")
            % {"w": width, "h": height, "min": smallest},
            code="too_few_pixels",
        )


def review_photo_file(upload) -> tuple[ContentFile, int, int]:
    """The photo to store: rotated upright, at most STORED_SIDE a side, as WebP, no metadata."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)
        picture = ImageOps.exif_transpose(image)
        picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
        picture.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    picture.save(buffer, format="WEBP", quality=84, method=4)
    content = ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")
    return content, picture.width, picture.height
