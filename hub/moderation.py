"""The moderation registry: every app that has something reported or waiting registers a source,
and the editors' one moderation queue in the Wagtail admin lists them all.

Apps register from AppConfig.ready(), so `hub` never imports a feature app:

    register_moderation_source(
        "community.post",
        _("Forum posts"),
        count=queries.flagged_post_count,      # () -> int: items waiting
        items=queries.flagged_post_items,      # (limit) -> list[ModerationItem], oldest first
        act=services.moderate_flagged_post,    # (pk, action, *, by, reason) -> str (message)
        permission="community.change_post",   # who may see and act on this source
        order=10,
    )

``act`` performs one of the item's ``actions`` through the app's own services (so the points,
notifications and Wagtail history entries follow) and returns a message for the editor; it raises
the app's error class (or ``PermissionDenied``) on refusal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ModerationAction:
    code: str  # "hide", "restore", "dismiss", "approve", "reject", "suspend"...
    label: str
    destructive: bool = False
    needs_reason: bool = False


@dataclass
class ModerationItem:
    source: str  # the key of the source that listed it
    pk: int
    kind: str  # "Forum post", "Review"... (translated)
    title: str  # plain text; templates escape it
    excerpt: str  # plain text, already shortened
    author: object | None  # a User, for the author's history and trust
    reason: str  # why it is here: the flag reasons, "waiting for approval"...
    waiting_since: datetime
    reports: int = 0
    url: str = ""  # where it is shown on the site
    admin_url: str = ""  # its own admin page, when it has one
    actions: list[ModerationAction] = field(default_factory=list)
    # What the source knows of the author's record, shown beside the item (None: it does not say).
    author_prior_flags: int | None = None  # their items hidden or upheld on report before this
    author_suspended: bool | None = None  # whether they are suspended from posting


@dataclass(frozen=True)
class ModerationSource:
    key: str
    label: str
    count: Callable[[], int]
    items: Callable[[int], list[ModerationItem]]
    act: Callable[..., str]
    permission: str
    order: int


_sources: dict[str, ModerationSource] = {}


def register_moderation_source(
    key: str, label, *, count, items, act, permission: str, order: int = 100
) -> None:
    """Add a source of items waiting for a moderator; registering a key again replaces it."""
    _sources[key] = ModerationSource(
        key=key, label=label, count=count, items=items, act=act, permission=permission, order=order
    )


def sources(user=None) -> list[ModerationSource]:
    """The registered sources in order; with ``user``, only those that user may moderate."""
    found = sorted(_sources.values(), key=lambda s: s.order)
    if user is not None:
        found = [s for s in found if user.has_perm(s.permission)]
    return found


def get_source(key: str) -> ModerationSource:
    try:
        return _sources[key]
    except KeyError:
        raise LookupError(f"moderation source {key!r} is not registered") from None
