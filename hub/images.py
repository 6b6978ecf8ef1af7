"""Uploaded pictures (avatars, review photos, forum images): one way to check them, one way to
store them.

    AVATAR = ImageKind(
        "AVATAR",  # the limits: settings AVATAR_MAX_BYTES, AVATAR_MAX_DIMENSION, ...
        too_large=_("That file is %(size)s; avatars can be at most %(max)s."),
        ...
    )
    validate_image(upload, AVATAR)          # in the form: raises ValidationError with the message
    stored = reencode(upload, fit=1600)     # in the service: what to save

``validate_image`` reads the bytes with Pillow (the file's name and declared type are ignored)
and checks the size in bytes, the format (JPEG, PNG, GIF or WebP), each side and the pixel budget
(``IMAGE_MAX_PIXELS``) before anything is decoded. ``reencode`` keeps only the picture: upright
(the EXIF orientation applied), the first frame of an animation, scaled down or cropped, saved as
WebP under a generated name. EXIF, and with it the camera's GPS position, is not carried over,
nor the uploader's file name.
"""

import uuid
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
WEBP_QUALITY = 85


@dataclass(frozen=True)
class ImageKind:
    """One kind of upload: where its limits are set, and what the member is told when an upload
    breaks one. The limits are the settings ``<setting>_MAX_BYTES``, ``<setting>_MAX_DIMENSION``
    and ``<setting>_MIN_DIMENSION`` (pixels a side), and ``IMAGE_MAX_PIXELS`` for every kind.

    The messages may use %(name)s (the uploaded file's name) and: ``too_large`` %(size)s and
    %(max)s; ``bad_format`` %(format)s; ``too_big`` and ``too_small`` %(w)s, %(h)s, %(min)s and
    %(max)s. They are marked for translation where the kind is defined (gettext_lazy).
    """

    setting: str
    too_large: str
    unreadable: str
    bad_format: str
    too_big: str
    too_small: str

    def limit(self, name: str) -> int:
        return getattr(settings, f"{self.setting}_{name}")


@dataclass(frozen=True)
class StoredImage:
    content: ContentFile  # named "<random hex>.webp"
    width: int
    height: int


def validate_image(upload, kind: ImageKind) -> None:
    """Raise ValidationError unless ``upload`` is a JPEG, PNG, GIF or WebP within ``kind``'s limits."""
    name = getattr(upload, "name", "") or ""
    max_bytes = kind.limit("MAX_BYTES")
    if upload.size > max_bytes:
        raise ValidationError(
            kind.too_large
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:  # reads the header only: nothing is decoded yet
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(kind.unreadable % {"name": name}, code="not_an_image") from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            kind.bad_format % {"name": name, "format": image_format}, code="bad_format"
        )
    largest, smallest = kind.limit("MAX_DIMENSION"), kind.limit("MIN_DIMENSION")
    sides = {"name": name, "w": width, "h": height, "min": smallest, "max": largest}
    if width > largest or height > largest:
        raise ValidationError(kind.too_big % sides, code="too_many_pixels")
    if width < smallest or height < smallest:
        raise ValidationError(kind.too_small % sides, code="too_few_pixels")
    budget = settings.IMAGE_MAX_PIXELS
    if width * height > budget:
        raise ValidationError(
            _(
                "That image has %(pixels).1f million pixels; pictures can have at most "
                "%(max).1f million."
            )
            % {"pixels": width * height / 1e6, "max": budget / 1e6},
            code="too_many_pixels",
        )


def _reduction(size: tuple[int, int], target: int, *, square: bool) -> int:
    """The largest whole factor an image of ``size`` can shrink by and still cover ``target``
    (its shorter side for a square crop, its longer side otherwise)."""
    side = min(size) if square else max(size)
    return max(1, side // target)


def reencode(upload, *, fit: int | None = None, square: int | None = None) -> StoredImage:
    """The picture to store from an upload that passed ``validate_image``: upright, the first
    frame, shrunk to fit ``fit`` pixels a side (never enlarged) or cropped to a centred square of
    ``square`` pixels, as WebP with no metadata, under a generated file name.

    Memory stays near one decoded copy of the upload, whatever its size: a JPEG decodes straight
    at 1/2 to 1/8 of its size (``draft``), any other format is reduced by a whole factor as soon
    as it is decoded (``reduce``), and the turning, conversion and resampling then work on the
    small picture. (A 64-megapixel upload used to be held three or four times over.)"""
    target = fit or square
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)  # the first frame of an animated GIF or WebP
        if target:
            image.draft("RGB", (target, target))
        image.load()
        factor = _reduction(image.size, target, square=bool(square)) if target else 1
        # Either way a new image: the decoded upload is freed when the file closes.
        picture = image.reduce(factor) if factor > 1 else image.copy()
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation != 1:
        picture.getexif()[ExifTags.Base.Orientation] = orientation
        picture = ImageOps.exif_transpose(picture)
    picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    if square:
        picture = ImageOps.fit(picture, (square, square), method=Image.Resampling.LANCZOS)
    elif fit:
        picture.thumbnail((fit, fit), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    picture.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    content = ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")
    return StoredImage(content=content, width=picture.width, height=picture.height)
