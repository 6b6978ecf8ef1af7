"""``Idempotency-Key``: the same key with the same body gives the same answer, never twice the work.

The record and the work share one transaction. A second request with the key waits on the
first one's row (the unique constraint) and then finds its answer; if the first failed, its
record rolled back with it and the second does the work. The same key with a different body is
refused with 422. Answers are kept API_IDEMPOTENCY_HOURS (24 h) and then forgotten.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from .exceptions import Conflict
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
PURGE_EVERY = 3600  # seconds between two sweeps of the answers older than the window


class MissingIdempotencyKey(exceptions.ValidationError):
    pass


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(api_key, key: str, request, digest: str) -> IdempotencyRecord | None:
    """Insert the record (None when one exists); caller is inside a transaction."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                api_key=api_key,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=digest,
            )
    except IntegrityError:
        return None


def idempotent(request, perform, *, required: bool = True) -> Response:
    """Run ``perform()`` (which returns a Response, or raises to refuse) once per key; without
    a key (where it is optional) just run it."""
    key = request.headers.get(HEADER, "").strip()
    if not key and not required:
        with transaction.atomic():
            return perform()
    if not key:
        raise exceptions.ValidationError(
            {HEADER: [_("Send an Idempotency-Key header (a unique value, e.g. a UUID).")]}
        )
    if len(key) > MAX_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("The Idempotency-Key may be at most 255 characters.")]}
        )
    api_key = request.auth
    digest = fingerprint(request)
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    with transaction.atomic():
        record = _claim(api_key, key, request, digest)
        if record is None:
            earlier = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
            if earlier is not None and earlier.created < cutoff:
                earlier.delete()  # forgotten: the key may be used afresh
                earlier = None
                record = _claim(api_key, key, request, digest)
            if record is None:
                return _replay(earlier, digest)
        response = perform()
        record.status, record.body = response.status_code, response.data
        record.save(update_fields=["status", "body"])
    if cache.add("api:idempotency:purged", 1, PURGE_EVERY):
        from .services import purge_idempotency_records

        purge_idempotency_records()  # at most once an hour across the site
    return response


def _replay(earlier: IdempotencyRecord | None, digest: str) -> Response:
    if earlier is None or earlier.status == 0:
        raise Conflict(
            _("A request with this Idempotency-Key is still being processed. Try again shortly."),
            kind="idempotency-key-in-use",
        )
    if earlier.fingerprint != digest:
        raise Conflict(
            _(
                "This Idempotency-Key was used for a different request. Use a new key for a "
                "new request."
            ),
            kind="idempotency-key-reused",
            status_code=422,
        )
    return Response(earlier.body, status=earlier.status, headers={"Idempotent-Replayed": "true"})
