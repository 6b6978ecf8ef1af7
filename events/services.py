"""Every change to events and RSVPs: one function per intent, one transaction, then award/notify.
What staff do (remove, promote, check in, message attendees, repeat as a series) is written to
Wagtail's history under the acting user, with the action codes below.

Capacity is enforced under a row lock on the event (``SELECT ... FOR UPDATE`` of the
events_eventpage row): every RSVP, cancellation and promotion for one event runs one at a time,
so the confirmed seats never exceed the capacity and the waitlist keeps arrival order.
"""

import datetime
import functools

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from hub import pagecache
from hub.errors import Refusal
from hub.notifications.services import notify
from hub.ratelimit import Limit, check_rate
from hub.rewards.services import award
from hub.webhooks import payloads
from hub.webhooks.services import emit

from . import tasks
from .models import RSVP, CalendarFeed, EventPage, lock_event
from .queries import confirmed_seats, refusal, when_text

ATTENDED_ACTION = "events.attendance.checked_in"
KIND_PROMOTED = "events.rsvp.promoted"
KIND_REMOVED = "events.rsvp.removed"
KIND_RESCHEDULED = "events.event.rescheduled"
KIND_CANCELLED = "events.event.cancelled"
KIND_MESSAGE = "events.event.message"
# History (audit log) actions.
RSVP_REMOVED = "events.rsvp.removed"
RSVP_PROMOTED = "events.rsvp.promoted"
RSVP_CHECKED_IN = "events.rsvp.checked_in"
EVENT_MESSAGED = "events.event.messaged"
SERIES_CREATED = "events.event.series_created"

RSVP_LIMIT = Limit("events.rsvp", per_hour=60, per_day=300)


class EventsError(Refusal):
    """A refused event operation, with a message fit for the person who asked."""


def _shown_on_event_pages(func):
    """After ``func`` commits, drop the cached anonymous pages that show the event's seats: the
    event page, the event index and the home page's upcoming events (hub/pagecache.py)."""

    @functools.wraps(func)
    def wrapper(target, *args, **kwargs):
        result = func(target, *args, **kwargs)
        event_id = target.event_id if isinstance(target, RSVP) else target.pk
        pagecache.touch(f"page:{event_id}", "events")
        return result

    return wrapper


def _emit_rsvp(event_type: str, rsvp: RSVP, event: EventPage, **extra) -> None:
    """Tell integrations about an RSVP (confirmed, cancelled, checked in)."""
    emit(
        event_type,
        lambda: {
            "rsvp": {
                "id": rsvp.pk,
                "status": rsvp.status,
                "guests": rsvp.guests,
                "created": rsvp.created,
                "confirmed_at": rsvp.confirmed_at,
                "cancelled_at": rsvp.cancelled_at,
                "checked_in_at": rsvp.checked_in_at,
            },
            "event": {
                "id": event.pk,
                "title": event.title,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "url": payloads.absolute(event.url or ""),
            },
            "member": payloads.member(rsvp.user),
            **extra,
        },
    )


def _check_answers(event: EventPage, answers: dict) -> None:
    missing = [
        q.label
        for q in event.questions.all()
        if q.required and not answers.get(q.label, "").strip()
    ]
    if missing:
        raise EventsError(_("Please answer: %(questions)s") % {"questions": ", ".join(missing)})


@_shown_on_event_pages
def register_rsvp(
    event: EventPage, *, by, guests: int = 0, answers: dict | None = None, listed: bool = False
) -> RSVP:
    """RSVP ``by`` (with ``guests``) to ``event``: confirmed while the seats last, otherwise
    on the waitlist in arrival order. RSVPing again while going or waiting changes nothing."""
    answers = {str(k)[:200]: str(v)[:500] for k, v in (answers or {}).items()}
    guests = int(guests or 0)
    if guests < 0 or guests > event.max_guests:
        raise EventsError(
            _("You can bring up to %(count)d guests.") % {"count": event.max_guests}
            if event.max_guests
            else _("This event has no places for guests.")
        )
    _check_answers(event, answers)
    check_rate(by, RSVP_LIMIT)
    with transaction.atomic():
        locked = lock_event(event.pk)
        now = timezone.now()  # under the lock: the queue's order is the order seats were given
        reason = refusal(locked, by, now=now)
        if reason:
            raise EventsError(reason)
        rsvp = RSVP.objects.filter(event=locked, user=by).first()
        if rsvp is not None and rsvp.status != RSVP.CANCELLED:
            return rsvp
        seats = 1 + guests
        free = locked.capacity - confirmed_seats(locked.pk)
        queue_exists = RSVP.objects.filter(event=locked, status=RSVP.WAITLISTED).exists()
        # Under the strict policy nobody passes the waitlist; under "skip" the seats left free
        # are exactly those no waiting group fits, so a newcomer who fits may take them.
        confirm = seats <= free and not (queue_exists and locked.waitlist_policy == locked.STRICT)
        status = RSVP.CONFIRMED if confirm else RSVP.WAITLISTED
        if rsvp is None:
            rsvp = RSVP(event=locked, user=by, created=now)
        rsvp.status = status
        rsvp.guests = guests
        rsvp.answers = answers
        rsvp.listed = bool(listed)
        rsvp.queued_at = now
        rsvp.confirmed_at = now if confirm else None
        rsvp.cancelled_at = None
        rsvp.save()
        if confirm:
            _emit_rsvp("rsvp.confirmed", rsvp, locked, promoted=False)
    return rsvp


def _promote(event: EventPage) -> list[RSVP]:
    """Confirm the first waitlisted members who fit the free seats; caller holds the event lock."""
    if event.cancelled:
        return []
    free = event.capacity - confirmed_seats(event.pk)
    promoted = []
    now = timezone.now()
    for rsvp in RSVP.objects.filter(event=event, status=RSVP.WAITLISTED).order_by(
        "queued_at", "pk"
    ):
        if free <= 0:
            break
        if rsvp.seats > free:
            if event.waitlist_policy == event.STRICT:
                break
            continue  # "skip": this group keeps its place at the head for the next free seats
        rsvp.status = RSVP.CONFIRMED
        rsvp.confirmed_at = now
        rsvp.save(update_fields=["status", "confirmed_at"])
        free -= rsvp.seats
        promoted.append(rsvp)
        _emit_rsvp("rsvp.confirmed", rsvp, event, promoted=True)
    for rsvp in promoted:
        notify(
            rsvp.user,
            KIND_PROMOTED,
            text=lambda: (
                _("A seat freed up: you are going to %(event)s on %(when)s.")
                % {"event": event.title, "when": when_text(event)}
            ),
            target=rsvp,
            url=event.url or "",
        )
    return promoted


@_shown_on_event_pages
def cancel_rsvp(event: EventPage, *, by) -> RSVP:
    """Withdraw ``by``'s RSVP or leave the waitlist; freed seats go to the waitlist at once."""
    with transaction.atomic():
        locked = lock_event(event.pk)
        rsvp = RSVP.objects.filter(event=locked, user=by).exclude(status=RSVP.CANCELLED).first()
        if rsvp is None:
            raise EventsError(_("You have no RSVP for this event."))
        if locked.starts_at <= timezone.now() and rsvp.is_confirmed:
            raise EventsError(_("This event has started; your RSVP can no longer be changed."))
        was_confirmed = rsvp.is_confirmed
        previous = rsvp.status
        rsvp.status = RSVP.CANCELLED
        rsvp.cancelled_at = timezone.now()
        rsvp.save(update_fields=["status", "cancelled_at"])
        _emit_rsvp("rsvp.cancelled", rsvp, locked, previous_status=previous, by_organisers=False)
        if was_confirmed:
            _promote(locked)
    return rsvp


@_shown_on_event_pages
def change_guests(event: EventPage, *, by, guests: int) -> RSVP:
    """Bring more or fewer guests. Fewer frees seats for the waitlist at once; more is granted
    only from free seats (a waiting member's group size changes their request in place)."""
    guests = int(guests)
    if guests < 0 or guests > event.max_guests:
        raise EventsError(_("You can bring up to %(count)d guests.") % {"count": event.max_guests})
    with transaction.atomic():
        locked = lock_event(event.pk)
        rsvp = RSVP.objects.filter(event=locked, user=by).exclude(status=RSVP.CANCELLED).first()
        if rsvp is None:
            raise EventsError(_("You have no RSVP for this event."))
        if locked.starts_at <= timezone.now():
            raise EventsError(_("This event has started; your RSVP can no longer be changed."))
        if rsvp.is_confirmed and guests > rsvp.guests:
            free = locked.capacity - confirmed_seats(locked.pk)
            if guests - rsvp.guests > free:
                if free <= 0:
                    raise EventsError(_("No more seats are free."))
                raise EventsError(
                    ngettext(
                        "Only %(count)d more seat is free.",
                        "Only %(count)d more seats are free.",
                        free,
                    )
                    % {"count": free}
                )
        fewer = guests < rsvp.guests
        rsvp.guests = guests
        rsvp.save(update_fields=["guests"])
        if rsvp.is_confirmed and fewer:
            _promote(locked)
    return rsvp


@_shown_on_event_pages
def set_listed(event: EventPage, *, by, listed: bool) -> RSVP:
    """Show or hide the member in the event page's "Who's going" (their choice, off by default)."""
    rsvp = RSVP.objects.filter(event=event, user=by).exclude(status=RSVP.CANCELLED).first()
    if rsvp is None:
        raise EventsError(_("You have no RSVP for this event."))
    if rsvp.listed != bool(listed):
        rsvp.listed = bool(listed)
        rsvp.save(update_fields=["listed"])
    return rsvp


@_shown_on_event_pages
def leave_waitlist(event: EventPage, *, by) -> RSVP:
    rsvp = RSVP.objects.filter(event=event, user=by, status=RSVP.WAITLISTED).first()
    if rsvp is None:
        raise EventsError(_("You are not on the waitlist for this event."))
    return cancel_rsvp(event, by=by)


def _log_rsvp(rsvp: RSVP, event: EventPage, action: str, *, by, **data) -> None:
    """A history entry on the RSVP (who did what to whose seat), titled without extra queries."""
    member = rsvp.user.public_name
    log(
        instance=rsvp,
        action=action,
        user=by,
        title=f"{member} · {event.title}",
        data={"member": member, "event": event.title, **data},
    )


@_shown_on_event_pages
def remove_rsvp(rsvp: RSVP, *, by) -> RSVP:
    """An editor takes someone off the list (going or waiting); they are told, seats move on."""
    with transaction.atomic():
        locked = lock_event(rsvp.event_id)
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if rsvp.status == RSVP.CANCELLED:
            return rsvp
        was_confirmed = rsvp.is_confirmed
        previous = rsvp.status
        rsvp.status = RSVP.CANCELLED
        rsvp.cancelled_at = timezone.now()
        rsvp.save(update_fields=["status", "cancelled_at"])
        _emit_rsvp("rsvp.cancelled", rsvp, locked, previous_status=previous, by_organisers=True)
        _log_rsvp(
            rsvp, locked, RSVP_REMOVED, by=by, was="confirmed" if was_confirmed else "waiting"
        )
        notify(
            rsvp.user,
            KIND_REMOVED,
            text=lambda: (
                _("The organisers removed your RSVP to %(event)s.") % {"event": locked.title}
            ),
            actor=by,
            target=rsvp,
            url=locked.url or "",
        )
        if was_confirmed:
            _promote(locked)
    return rsvp


@_shown_on_event_pages
def promote_rsvp(rsvp: RSVP, *, by) -> RSVP:
    """An editor confirms one waitlisted member out of order; only if their seats are free."""
    with transaction.atomic():
        locked = lock_event(rsvp.event_id)
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if not rsvp.is_waitlisted:
            raise EventsError(_("Only someone on the waitlist can be moved up."))
        free = locked.capacity - confirmed_seats(locked.pk)
        if rsvp.seats > free:
            raise EventsError(
                _("Not enough free seats: %(free)d free, %(seats)d needed.")
                % {"free": max(free, 0), "seats": rsvp.seats}
            )
        rsvp.status = RSVP.CONFIRMED
        rsvp.confirmed_at = timezone.now()
        rsvp.save(update_fields=["status", "confirmed_at"])
        _emit_rsvp("rsvp.confirmed", rsvp, locked, promoted=True)
        _log_rsvp(rsvp, locked, RSVP_PROMOTED, by=by, seats=rsvp.seats)
        notify(
            rsvp.user,
            KIND_PROMOTED,
            text=lambda: (
                _("A seat freed up: you are going to %(event)s on %(when)s.")
                % {"event": locked.title, "when": when_text(locked)}
            ),
            actor=by,
            target=rsvp,
            url=locked.url or "",
        )
    return rsvp


def check_in(rsvp: RSVP, *, by) -> tuple[RSVP, bool]:
    """Mark a confirmed attendee as arrived; (rsvp, False) when they already were. Attending earns
    the member points once, whatever the number of scans."""
    if not rsvp.is_confirmed:
        raise EventsError(
            _("%(member)s is not on the list of people going.") % {"member": rsvp.user.public_name}
        )
    now = timezone.now()
    event = rsvp.event
    if not event.check_in_is_open(now):
        opens, closes = event.check_in_window()
        raise EventsError(
            _("Check-in is open from %(opens)s to %(closes)s.")
            % {
                "opens": date_format(timezone.localtime(opens), "DATETIME_FORMAT"),
                "closes": date_format(timezone.localtime(closes), "DATETIME_FORMAT"),
            }
        )
    with transaction.atomic():
        changed = RSVP.objects.filter(pk=rsvp.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=by
        )
        rsvp.refresh_from_db(fields=["checked_in_at", "checked_in_by"])
        if changed:
            _log_rsvp(rsvp, rsvp.event, RSVP_CHECKED_IN, by=by)
            award(rsvp.user, ATTENDED_ACTION, source=rsvp)
            _emit_rsvp("event.checked_in", rsvp, rsvp.event)
    return rsvp, bool(changed)


def message_attendees(event: EventPage, *, text: str, by, include_waitlist: bool = False) -> int:
    """Notify everyone going (and the waitlist if asked) of ``text``; returns how many."""
    statuses = [RSVP.CONFIRMED] + ([RSVP.WAITLISTED] if include_waitlist else [])
    user_ids = list(
        RSVP.objects.filter(event=event, status__in=statuses).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        sent = notify(
            user_ids,
            KIND_MESSAGE,
            text=f"{event.title}: {text}",
            actor=by,
            target=event,
            url=event.url or "",
        )
        log(
            instance=event,
            action=EVENT_MESSAGED,
            user=by,
            data={"text": text, "recipients": len(sent), "include_waitlist": include_waitlist},
        )
    return len(sent)


@_shown_on_event_pages
def sync_published_event(event: EventPage) -> None:
    """What publishing an event changes for the people who signed up: a new calendar SEQUENCE,
    reminders following a new time, word of a reschedule or cancellation, and the waitlist
    filling any seats a larger capacity added."""
    with transaction.atomic():
        locked = lock_event(event.pk)
        first = locked.announced_starts_at is None
        moved = not first and (
            locked.announced_starts_at != locked.starts_at
            or locked.announced_ends_at != locked.ends_at
        )
        newly_cancelled = locked.cancelled and not locked.announced_cancelled
        EventPage.objects.filter(pk=locked.pk).update(
            sequence=locked.sequence + (0 if first else 1),
            announced_starts_at=locked.starts_at,
            announced_ends_at=locked.ends_at,
            announced_cancelled=locked.cancelled,
        )
        people = list(RSVP.objects.active().filter(event=locked).values_list("user_id", flat=True))
        if newly_cancelled:
            notify(
                people,
                KIND_CANCELLED,
                text=lambda: (
                    _("%(event)s on %(when)s has been cancelled. We are sorry.")
                    % {"event": locked.title, "when": when_text(locked)}
                ),
                target=locked,
                url=locked.url or "",
            )
        elif moved and not locked.cancelled:
            notify(
                people,
                KIND_RESCHEDULED,
                text=lambda: (
                    _("%(event)s has moved: it now starts %(when)s.")
                    % {"event": locked.title, "when": when_text(locked)}
                ),
                target=locked,
                url=locked.url or "",
            )
        if not locked.cancelled:
            _promote(locked)
        if (first or moved) and not locked.cancelled:
            pk, start = locked.pk, locked.starts_at
            transaction.on_commit(lambda: tasks.schedule_event_messages(pk, start))


def calendar_feed(user, *, regenerate: bool = False) -> CalendarFeed:
    """The member's personal feed; regenerating gives it a new secret so old URLs stop working."""
    import secrets

    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if regenerate and not created:
        feed.token = secrets.token_urlsafe()
        feed.created = timezone.now()
        feed.save(update_fields=["token", "created"])
    return feed


def _shift(moment: datetime.datetime, zone, steps: int, interval: str) -> datetime.datetime:
    """``moment`` moved ``steps`` intervals on, keeping its wall-clock time in ``zone``."""
    local = timezone.localtime(moment, zone).replace(tzinfo=None)
    if interval == "weekly":
        local += datetime.timedelta(weeks=steps)
    elif interval == "fortnightly":
        local += datetime.timedelta(weeks=2 * steps)
    else:  # monthly: the same weekday in the same week of the month ("every 2nd Tuesday")
        week, weekday = (local.day - 1) // 7, local.weekday()
        month_index = local.month - 1 + steps
        year, month = local.year + month_index // 12, month_index % 12 + 1
        first = local.replace(year=year, month=month, day=1)
        offset = (weekday - first.weekday()) % 7
        day = 1 + offset + 7 * week
        if day > 28:  # a 5th week does not exist in every month: use the last such weekday
            import calendar

            last_day = calendar.monthrange(year, month)[1]
            while day > last_day:
                day -= 7
        local = first.replace(day=day)
    return local.replace(tzinfo=zone)


def generate_series(event: EventPage, *, count: int, interval: str, publish: bool, by) -> list:
    """Copy ``event`` ``count`` times at the interval (Wagtail's page copy: hosts, questions and
    tags come along, RSVPs do not), as drafts unless ``publish``."""
    zone = event.zone
    copies = []
    with transaction.atomic():
        for step in range(1, count + 1):
            starts = _shift(event.starts_at, zone, step, interval)
            duration = event.ends_at - event.starts_at
            opens = closes = None
            if event.rsvp_opens_at:
                opens = starts - (event.starts_at - event.rsvp_opens_at)
            if event.rsvp_closes_at:
                closes = starts - (event.starts_at - event.rsvp_closes_at)
            slug = f"{event.slug}-{timezone.localtime(starts, zone):%Y-%m-%d}"
            parent = event.get_parent()
            if parent.get_children().filter(slug=slug).exists():
                continue
            copy = event.copy(
                to=parent,
                update_attrs={
                    "slug": slug,
                    "starts_at": starts,
                    "ends_at": starts + duration,
                    "rsvp_opens_at": opens,
                    "rsvp_closes_at": closes,
                    "sequence": 0,
                    "announced_starts_at": None,
                    "announced_ends_at": None,
                    "announced_cancelled": False,
                    "cancelled": False,
                    "live": False,
                },
                keep_live=False,
                user=by,
                log_action="wagtail.copy",
            )
            copy = copy.specific
            if publish:
                copy.save_revision(user=by).publish(user=by)
            copies.append(copy)
        log(
            instance=event,
            action=SERIES_CREATED,
            user=by,
            data={
                "count": len(copies),
                "interval": interval,
                "published": publish,
                "sessions": [copy.pk for copy in copies],
            },
        )
    return copies
