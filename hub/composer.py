"""The composer's helpers behind every text box members write in (forum, comments, reviews,
ideas): a picture pasted or dropped into the text is uploaded here, and the live preview is
rendered here through the same sanitiser as the page, @mentions linked (static/js/composer.js
calls both).

Members only, CSRF-protected, rate limited; answers are JSON. A feature app whose text renders
differently serves its own preview with ``preview_response``.
"""

import uuid
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hub.images import ImageKind, reencode, validate_image
from hub.mentions import render_with_mentions
from hub.ratelimit import Limit, RateLimited, check_rate

# The same words as a forum post's attached image (community.forms.FORUM_IMAGE).
COMPOSER_IMAGE = ImageKind(
    "COMPOSER_IMAGE",
    too_large=gettext_lazy("That file is %(size)s; images can be at most %(max)s."),
    unreadable=gettext_lazy(
        "That file is not an image we can read. Attach a JPEG, PNG, GIF or WebP picture."
    ),
    bad_format=gettext_lazy(
        "%(format)s images are not accepted. Attach a JPEG, PNG, GIF or WebP picture."
    ),
    too_big=gettext_lazy(
        "That image is %(w)s×%(h)s pixels; images need %(min)s to %(max)s pixels a side."
    ),
    too_small=gettext_lazy(
        "That image is %(w)s×%(h)s pixels; images need %(min)s to %(max)s pixels a side."
    ),
)
UPLOAD_LIMIT = Limit("composer.upload", per_hour=30, per_day=100, kind="action")
PREVIEW_LIMIT = Limit("composer.preview", per_hour=600, kind="action")
PREVIEW_MAX_CHARS = 20_000
ALT_MAX_CHARS = 80


def refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def members_only(view):
    """The view for signed-in members; anyone else gets a JSON 403 (not a sign-in page)."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return refused(_("Sign in to do this."), 403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def rate_limited(request, limit: Limit) -> JsonResponse | None:
    try:
        check_rate(request.user, limit)
    except RateLimited as limited:
        response = refused(limited.message, 429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return None


def _alt_text(name: str) -> str:
    """Words for the picture from its file name ("trail map.png" → "trail map"); what Markdown
    would read as syntax is left out."""
    stem = PurePath(name or "").stem.replace("_", " ").replace("-", " ")
    kept = "".join(c for c in stem if c not in "[]()<>*`\\!\n\r")
    return " ".join(kept.split())[:ALT_MAX_CHARS] or "image"


@require_POST
@members_only
def upload_image(request):
    """Store one picture (checked like every upload, re-encoded as WebP without metadata) and
    answer its address and the Markdown that shows it."""
    if limited := rate_limited(request, UPLOAD_LIMIT):
        return limited
    upload = request.FILES.get("image")
    if upload is None:
        return refused(_("Choose an image to upload."), 400)
    try:
        validate_image(upload, COMPOSER_IMAGE)
    except ValidationError as invalid:
        return refused(invalid.messages[0], 400)
    stored = reencode(upload, fit=settings.COMPOSER_IMAGE_STORED_SIDE)
    name = default_storage.save(
        f"composer/{request.user.pk}/{uuid.uuid4().hex}.webp", stored.content
    )
    url = default_storage.url(name)
    alt = _alt_text(upload.name)
    return JsonResponse(
        {
            "url": url,
            "alt": alt,
            "width": stored.width,
            "height": stored.height,
            "markdown": f"![{alt}]({url})",
        },
        status=201,
    )


def preview_response(request, render: Callable[[str], str]) -> JsonResponse:
    """The JSON answer of a preview endpoint: ``render`` (the page's own renderer) applied to the
    posted ``text``, after the member and the limits are checked."""
    if not request.user.is_authenticated:
        return refused(_("Sign in to do this."), 403)
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return refused(_("That text is too long to preview."), 400)
    if limited := rate_limited(request, PREVIEW_LIMIT):
        return limited
    return JsonResponse({"html": str(render(text)) if text.strip() else ""})


@require_POST
def preview(request):
    """The live preview of reviews, ideas and their comments: as the page shows them."""
    return preview_response(request, lambda text: render_with_mentions(text)[0])
