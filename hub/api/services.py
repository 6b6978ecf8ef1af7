"""Every change to API keys: create (the secret is returned once), revoke, record use."""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from hub.errors import Refusal

from .models import ApiKey, IdempotencyRecord
from .scopes import is_scope

KEY_PREFIX = "ahk_"
PREFIX_CHARS = 8
LAST_USED_EVERY = 60  # seconds: the last use is written at most once a minute per key
_ALPHABET = string.ascii_letters + string.digits


class ApiKeyError(Refusal):
    """A refused change to an API key, with a message fit for the editor."""


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_key(raw_key: str) -> str | None:
    """The stored prefix of a presented key (``ahk_Ab12Cd34``), or None if it is not one of ours."""
    if not raw_key.startswith(KEY_PREFIX):
        return None
    prefix = raw_key[: len(KEY_PREFIX) + PREFIX_CHARS]
    if len(raw_key) <= len(prefix) + 1 or raw_key[len(prefix)] != "_":
        return None
    return prefix


def create_api_key(*, name: str, scopes, rate_per_minute: int | None = None, by) -> tuple:
    """Make a key; returns (ApiKey, the full key). The full key is never stored or shown again."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if not is_scope(s)]
    if unknown:
        raise ApiKeyError(_("Unknown scope: %(scope)s") % {"scope": ", ".join(unknown)})
    if not name.strip():
        raise ApiKeyError(_("Give the key a name that says who uses it."))
    for _attempt in range(5):
        prefix = KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_CHARS))
        raw = f"{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    name=name.strip(),
                    prefix=prefix,
                    digest=digest(raw),
                    scopes=scopes,
                    rate_per_minute=rate_per_minute or settings.API_DEFAULT_RATE_PER_MINUTE,
                    created_by=by,
                )
                if by is not None:
                    log(instance=key, action="wagtail.create", user=by, data={"scopes": scopes})
        except IntegrityError:  # the same 8-character prefix drawn twice: draw again
            continue
        return key, raw
    raise ApiKeyError(_("Could not make a key just now. Please try again."))


def revoke_api_key(key: ApiKey, *, by) -> bool:
    """Stop a key working at once; False when it already was revoked. Logged in its history."""
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        if changed:
            key.refresh_from_db(fields=["revoked_at", "revoked_by"])
            log(instance=key, action="api.key.revoked", user=by)
    return bool(changed)


def authenticate_key(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, or None (one indexed query)."""
    prefix = split_key(raw_key)
    if prefix is None:
        return None
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.digest, digest(raw_key)):
        return None
    if key.revoked_at is not None:
        return None
    return key


def record_use(key: ApiKey, *, now=None) -> bool:
    """Note that ``key`` was used, writing at most once a minute per key (the cache decides)."""
    if not cache.add(f"api:key-used:{key.pk}", 1, LAST_USED_EVERY):
        return False
    now = now or timezone.now()
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
    return True


def purge_idempotency_records(*, now=None) -> int:
    """Forget answers older than API_IDEMPOTENCY_HOURS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    return IdempotencyRecord.objects.filter(created__lt=cutoff).delete()[0]
