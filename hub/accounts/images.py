"""Avatar files: check that an upload really is a reasonable image, and make the square sizes we store."""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
THUMBNAIL_SIZE = 64


def validate_avatar_upload(upload) -> None:
    """Raise ValidationError unless ``upload`` is a JPEG/PNG/GIF/WebP of sane size and dimensions.

    The file's name and declared content type are ignored: Pillow reads the bytes.
    """
    max_bytes = settings.AVATAR_MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("That file is %(size)s; avatars can be at most %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
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
            _("That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG, GIF or WebP picture.")
            % {"format": image_format},
            code="bad_format",
        )
    largest, smallest = settings.AVATAR_MAX_DIMENSION, settings.AVATAR_MIN_DIMENSION
    if width > largest or height > largest:
        raise ValidationError(
            _("That image is %(w)s×%(h)s pixels; avatars can be at most %(max)s pixels on a side.")
            % {"w": width, "h": height, "max": largest},
            code="too_many_pixels",
        )
    if width < smallest or height < smallest:
        raise ValidationError(
            _("That image is %(w)s×%(h)s pixels; avatars need at least %(min)s pixels on a side.")
            % {"w": width, "h": height, "min": smallest},
            code="too_few_pixels",
        )


def square_avatar(upload, size: int) -> ContentFile:
    """A centred square crop of ``upload`` at ``size`` pixels, as WebP (EXIF rotation applied)."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)  # the first frame of an animated GIF or WebP
        picture = ImageOps.exif_transpose(image)
        picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
        square = ImageOps.fit(picture, (size, size), method=Image.Resampling.LANCZOS)
    buffer = BytesIO()
    square.save(buffer, format="WEBP", quality=86, method=4)
    return ContentFile(buffer.getvalue())
