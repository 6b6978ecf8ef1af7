"""The one moderation queue: what every registered source has waiting, the authors' record, and
acting on an item through its source (then logging the decision in Wagtail's history)."""

import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from hub.errors import Refusal
from hub.moderation import ModerationItem, ModerationSource, get_source, sources
from hub.rewards import queries as rewards_queries
from hub.rewards.models import Balance

from .models import ModerationDecision

logger = logging.getLogger(__name__)

QUEUE_PERMISSION = "workspace.access_moderation_queue"
COUNT_CACHE_SECONDS = 30
ITEMS_PER_SOURCE = 25
# How far act() looks for the item in its source, to record its title and author.
LOOKUP_LIMIT = 200


class QueueError(Refusal):
    """A refused or failed moderation action, with a message for the moderator."""


def can_use_queue(user) -> bool:
    return user.is_active and user.has_perm(QUEUE_PERMISSION)


def queue_sources(user) -> list[ModerationSource]:
    """The sources this user may moderate (none without the queue permission)."""
    return sources(user) if can_use_queue(user) else []


def _count_key(key: str) -> str:
    return f"workspace:modcount:{key}"


def forget_count(key: str) -> None:
    """Count a source afresh: call after deciding on one of its items outside the queue (an
    item's own review page), so the menu and the queue do not show it waiting."""
    cache.delete(_count_key(key))


def source_count(source: ModerationSource) -> int:
    """How many items the source has waiting, cached for COUNT_CACHE_SECONDS."""
    value = cache.get(_count_key(source.key))
    if value is None:
        try:
            value = int(source.count())
        except Exception:  # one broken source must not take the admin menu down
            logger.exception("moderation source %s: count() failed", source.key)
            return 0
        cache.set(_count_key(source.key), value, COUNT_CACHE_SECONDS)
    return value


def pending_count(user) -> int:
    return sum(source_count(source) for source in queue_sources(user))


@dataclass
class AuthorRecord:
    user: object
    joined: object
    tier: object
    lifetime: int
    prior_decisions: int
    prior_flags: int | None
    suspended: bool


@dataclass
class SourceSection:
    source: ModerationSource
    count: int
    items: list[ModerationItem] = field(default_factory=list)
    error: str = ""

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))


def sections(user, only: str | None = None) -> list[SourceSection]:
    """What the user may moderate, per source, oldest first (``only``: one source's key)."""
    found = []
    for source in queue_sources(user):
        if only and source.key != only:
            continue
        section = SourceSection(source=source, count=source_count(source))
        try:
            section.items = list(source.items(ITEMS_PER_SOURCE))
        except Exception:
            logger.exception("moderation source %s: items() failed", source.key)
            section.error = _("This queue could not be loaded just now. Try again in a moment.")
        section.count = max(section.count, len(section.items))
        found.append(section)
    return found


def author_records(items: list[ModerationItem]) -> dict[int, AuthorRecord]:
    """Each author's standing and record: two queries however many items and authors."""
    authors = {item.author.pk: item.author for item in items if item.author is not None}
    if not authors:
        return {}
    lifetime = dict(Balance.objects.filter(user_id__in=authors).values_list("user_id", "lifetime"))
    decided = dict(
        ModerationDecision.objects.filter(author_id__in=authors)
        .values("author")
        .annotate(n=Count("id", filter=Q(destructive=True)))
        .values_list("author", "n")
    )
    records = {}
    for pk, author in authors.items():
        points = lifetime.get(pk, 0)
        records[pk] = AuthorRecord(
            user=author,
            joined=author.date_joined,
            tier=rewards_queries.tier_for(points),
            lifetime=points,
            prior_decisions=decided.get(pk, 0),
            prior_flags=None,
            suspended=not author.is_active,
        )
    for item in items:  # what a source knows of its own authors (hidden posts, suspensions)
        record = records.get(item.author.pk) if item.author is not None else None
        if record is None:
            continue
        if item.author_prior_flags is not None:
            record.prior_flags = max(record.prior_flags or 0, item.author_prior_flags)
        if item.author_suspended:
            record.suspended = True
    return records


def _find_item(source: ModerationSource, pk: int) -> ModerationItem | None:
    try:
        return next((i for i in source.items(LOOKUP_LIMIT) if str(i.pk) == str(pk)), None)
    except Exception:
        logger.exception("moderation source %s: items() failed", source.key)
        return None


def decide(*, by, source_key: str, pk: int, action: str, reason: str = "") -> str:
    """Perform ``action`` on item ``pk`` of a source, as ``by``; returns the source's message.

    The source's act() and the decision's log entry run in one transaction, so a refusal leaves
    nothing behind. Raises QueueError (a ``Refusal``) with a message fit for the moderator.
    """
    try:
        source = get_source(source_key)
    except LookupError:
        raise QueueError(_("That queue does not exist (any more).")) from None
    if not can_use_queue(by) or not by.has_perm(source.permission):
        raise QueueError(_("You do not have permission to moderate this queue."))
    reason = reason.strip()
    item = _find_item(source, pk)
    offered = None
    if item is not None:
        offered = next((a for a in item.actions if a.code == action), None)
        if offered is None:
            raise QueueError(_("That action is not available for this item."))
        if offered.needs_reason and not reason:
            raise QueueError(
                _("Say why you chose “%(action)s”: the reason is kept in the history.")
                % {"action": offered.label}
            )
    try:
        with transaction.atomic():
            message = source.act(pk, action, by=by, reason=reason)
            decision = ModerationDecision.objects.create(
                source=source.key,
                source_label=str(source.label)[:100],
                object_pk=str(pk),
                title=(item.title if item else "")[:255],
                action=action[:40],
                action_label=str(offered.label if offered else action)[:100],
                destructive=bool(offered and offered.destructive),
                reason=reason[:500],
                message=str(message or "")[:500],
                author=item.author if item else None,
                by=by,
            )
            log(
                instance=decision,
                action="workspace.moderation.decided",
                user=by,
                data={
                    "source": source.key,
                    "source_label": decision.source_label,
                    "item": str(pk),
                    "title": decision.title,
                    "action": action,
                    "action_label": decision.action_label,
                    "reason": reason,
                    "result": decision.message,
                },
            )
    except Refusal as refused:  # the source's own refusal, with a message for the moderator
        raise QueueError(refused.message or _("The action was refused.")) from None
    except PermissionDenied:
        raise QueueError(_("You do not have permission to do that.")) from None
    except ValidationError as error:
        raise QueueError(" ".join(error.messages)) from None
    except (DatabaseError, TypeError, AttributeError, KeyError) as error:
        # A programming or database error is not the moderator's to read.
        logger.exception("moderation source %s: act(%s, %s) failed", source.key, pk, action)
        raise QueueError(
            _("Something went wrong and nothing was changed. Please try again.")
        ) from error
    forget_count(source.key)
    return decision.message or _("Done.")
