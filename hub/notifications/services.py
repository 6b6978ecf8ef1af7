"""Every change to notifications: create (notify), read, preferences, unsubscribe, broadcast."""

import logging
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django_tasks import task

from hub import pagecache, realtime
from hub.i18n import current_language, languages_of, split_language

from . import tasks
from .kinds import DIGEST, EMAIL, OFF, get_kind
from .models import Broadcast, Notification, NotificationPreference, PendingEmail

logger = logging.getLogger(__name__)

ANNOUNCEMENT = "hub.announcement"
BATCH_SIZE = 1000


def channels_for(user_ids: list[int], kind: str) -> dict[int, str]:
    """Each user's channel for ``kind``: their preference, else the kind's default."""
    default = get_kind(kind).default_channel
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {uid: chosen.get(uid, default) for uid in user_ids}


def _user_ids(recipients) -> list[int]:
    if hasattr(recipients, "pk"):
        recipients = [recipients]
    ids = []
    for recipient in recipients:
        ids.append(recipient if isinstance(recipient, int) else recipient.pk)
    return list(dict.fromkeys(ids))  # once each, in order


def notify(
    recipients,
    kind: str,
    *,
    text: str | Callable[[], str],
    actor=None,
    target=None,
    url: str = "",
) -> list[Notification]:
    """Store a notification for each recipient who has not turned ``kind`` off, then push them.

    ``text`` is what the member reads: a function that returns it (``lambda: _("…") % {…}``)
    is called once per recipients' language, with that language active, so each member reads it
    in their own language whoever caused it; a plain string (an editor's announcement) is stored
    as it is. ``url`` is stored without a language prefix: each member follows it in theirs.

    The push and the e-mail are scheduled for after the surrounding transaction commits, so a
    rolled-back action never notifies anyone. The actor is never notified of their own action.
    """
    get_kind(kind)  # unknown kinds are a programming error, raised before anything is stored
    user_ids = _user_ids(recipients)
    if actor is not None:
        user_ids = [uid for uid in user_ids if uid != actor.pk]
    if not user_ids:
        return []
    channels = channels_for(user_ids, kind)
    wanted = [uid for uid in user_ids if channels[uid] != OFF]
    if not wanted:
        return []
    languages = _languages(wanted)
    texts = _texts_by_recipient(text, languages)
    if url.startswith("/"):
        url = split_language(url)[1]
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                kind=kind,
                actor=actor,
                target_type=target_type,
                target_id=str(target.pk) if target is not None else "",
                text=texts[uid][:280],
                url=url,
            )
            for uid in wanted
        ],
        batch_size=BATCH_SIZE,
    )
    if not notifications:
        return []
    emailed = [n for n in notifications if channels[n.recipient_id] == EMAIL]
    summarised = [n for n in notifications if channels[n.recipient_id] == DIGEST]
    if emailed or summarised:
        due = tasks.email_due()
        summary_due = _summary_due([n.recipient_id for n in summarised])
        PendingEmail.objects.bulk_create(
            [PendingEmail(notification=n, recipient_id=n.recipient_id, due_at=due) for n in emailed]
            + [
                PendingEmail(
                    notification=n,
                    recipient_id=n.recipient_id,
                    due_at=summary_due[n.recipient_id],
                    daily=True,
                )
                for n in summarised
            ],
            batch_size=BATCH_SIZE,
        )
    if emailed:
        # The daily summary needs no task: the worker's sweep sends it when it is due.
        email_user_ids = [n.recipient_id for n in emailed]
        transaction.on_commit(lambda: schedule_emails(email_user_ids))
    messages = []
    for n in notifications:
        with translation.override(languages[n.recipient_id]):  # the kind's label, in theirs
            payload = n.as_payload()
        messages.append(
            (
                realtime.user_group(n.recipient_id),
                {"type": "notification.created", "notification": payload},
            )
        )
    transaction.on_commit(lambda: realtime.send_to_groups(messages))
    bells_changed(wanted)
    return notifications


def bell_tag(user_id: int) -> str:
    """The page-cache tag of a member's notification bell: touched by every change to their
    notifications (new ones, read ones, rewritten texts), so the header's bell is kept until
    then (notifications_tags.notification_bell) instead of being counted on every page."""
    return f"bell:{user_id}"


def bells_changed(user_ids: Iterable[int]) -> None:
    pagecache.touch(*(bell_tag(uid) for uid in user_ids))


def _summary_due(user_ids: list[int]) -> dict[int, object]:
    """Each member's daily summary time: that of the summary already waiting, else a day on."""
    if not user_ids:
        return {}
    waiting = dict(
        PendingEmail.objects.filter(recipient_id__in=user_ids, sent_at__isnull=True, daily=True)
        .values("recipient_id")
        .annotate(due=Min("due_at"))
        .values_list("recipient_id", "due")
    )
    fresh = tasks.daily_due()
    return {uid: waiting.get(uid) or fresh for uid in user_ids}


def _languages(user_ids: list[int]) -> dict[int, str]:
    found = languages_of(user_ids)
    return {uid: found.get(uid) or current_language() for uid in user_ids}


def _texts_by_recipient(text, languages: dict[int, str]) -> dict[int, str]:
    """Each recipient's text: ``text()`` rendered once per language, or ``text`` as it is."""
    if not callable(text):
        return dict.fromkeys(languages, str(text))
    rendered = {}
    for language in set(languages.values()):
        with translation.override(language):
            rendered[language] = str(text())
    return {uid: rendered[language] for uid, language in languages.items()}


def schedule_emails(user_ids: Iterable[int]) -> None:
    """Start a digest window for each user whose pending e-mail is the first one waiting, or
    whose waiting e-mails are overdue (the send scheduled for them failed)."""
    user_ids = list(user_ids)
    waiting = {
        row["recipient_id"]: row
        for row in PendingEmail.objects.filter(
            recipient_id__in=user_ids, sent_at__isnull=True, daily=False
        )
        .values("recipient_id")
        .annotate(n=Count("pk"), oldest=Min("due_at"))
    }
    overdue = tasks.overdue_before()
    for uid in user_ids:
        row = waiting.get(uid)
        # Later notifications join the window the first one opened: one e-mail, a digest.
        if row is None or row["n"] <= 1 or row["oldest"] < overdue:
            tasks.enqueue_email(uid)


def _push_read_state(user) -> None:
    from .queries import unread_count

    count = unread_count(user)
    realtime.send_to_user(user.pk, {"type": "notification.read", "unread": count})


def mark_read(user, notification_ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; every open tab of theirs updates its count."""
    changed = (
        Notification.objects.for_user(user)
        .unread()
        .filter(pk__in=list(notification_ids))
        .update(read_at=timezone.now())
    )
    if changed:
        bells_changed([user.pk])
        transaction.on_commit(lambda: _push_read_state(user))
    return changed


def mark_all_read(user) -> int:
    changed = Notification.objects.for_user(user).unread().update(read_at=timezone.now())
    if changed:
        bells_changed([user.pk])
        transaction.on_commit(lambda: _push_read_state(user))
    return changed


def set_preferences(user, channels: dict[str, str]) -> None:
    """Save the user's channel per kind; a choice equal to the kind's default stores nothing."""
    defaults = [
        kind for kind, channel in channels.items() if channel == get_kind(kind).default_channel
    ]
    chosen = [
        NotificationPreference(user=user, kind=kind, channel=channel)
        for kind, channel in channels.items()
        if kind not in defaults
    ]
    # Two statements whatever the number of kinds: the page saves every kind at once.
    with transaction.atomic():
        NotificationPreference.objects.filter(user=user, kind__in=defaults).delete()
        NotificationPreference.objects.bulk_create(
            chosen,
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["channel"],
        )


def unsubscribe(user, kind: str | None) -> None:
    """Stop e-mail (immediate or daily summary) for one kind, or every kind when None;
    notifications stay on the site."""
    from .kinds import INAPP, all_kinds

    kinds = [get_kind(kind)] if kind else all_kinds()
    with transaction.atomic():
        for k in kinds:
            pref = NotificationPreference.objects.filter(user=user, kind=k.code).first()
            current = pref.channel if pref else k.default_channel
            if current in (EMAIL, DIGEST):
                NotificationPreference.objects.update_or_create(
                    user=user, kind=k.code, defaults={"channel": INAPP}
                )
        PendingEmail.objects.filter(
            Q(notification__kind=kind) if kind else Q(), recipient=user, sent_at__isnull=True
        ).delete()


def broadcast(*, text: str, url: str = "", by=None) -> Broadcast:
    """Record an announcement to every active member; a background job delivers it."""
    record = Broadcast.objects.create(text=text, url=url, sent_by=by)
    if realtime.layer_is_shared():
        transaction.on_commit(lambda: deliver_broadcast.enqueue(record.pk))
    else:
        # A worker process could store the notifications but not push them to this process's
        # sockets, so without a shared layer (no REDIS_URL) this process delivers them itself.
        transaction.on_commit(lambda: deliver_broadcast.call(record.pk))
    return record


@task()
def deliver_broadcast(broadcast_id: int) -> int:
    """The announcement job: notify every active member, in batches; returns how many."""
    record = Broadcast.objects.filter(pk=broadcast_id).first()
    if record is None:
        return 0
    User = get_user_model()
    ids = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            sent += len(
                notify(
                    ids[start : start + BATCH_SIZE], ANNOUNCEMENT, text=record.text, url=record.url
                )
            )
    Broadcast.objects.filter(pk=record.pk).update(recipient_count=sent)
    return sent
