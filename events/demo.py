"""Demo events: an index, upcoming events (one nearly full with a waitlist, one online, one for
advocates only) and past ones with attendance. Idempotent: events are found again by slug."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.rich_text import RichText

from hub.content.models import HomePage
from hub.content_languages import DEMO_LANGUAGES, translate_page
from hub.demo import register_seeder

from .models import RSVP, EventHost, EventIndexPage, EventPage, EventQuestion

TZ = "Europe/London"

EVENTS = [
    # slug, title, days from now, hour, kind, format, capacity, max guests, tier, extra
    ("dawn-hike-box-hill", "Dawn hike on Box Hill", 5, 6, "event", "in_person", 10, 1, None,
     "Watch the sun come up over the North Downs, then coffee and pastries on us."),
    ("layering-masterclass-online", "Layering masterclass (online)", 9, 19, "workshop", "online",
     200, 0, None, "Our designers explain base, mid and shell layers, and answer your questions live."),
    ("ridge-3-preview-evening", "Ridge 3 preview evening", 16, 18, "event", "in_person", 30, 0,
     "Insider", "See the Ridge 3 tent before anyone else and tell the designers what you think."),
    ("repair-cafe-bristol", "Repair café: Bristol", 23, 11, "workshop", "in_person", 20, 2, None,
     "Bring a broken zip or a torn jacket; our repair team shows you how to fix it."),
    ("winter-camping-basics", "Winter camping basics", -20, 18, "workshop", "in_person", 25, 0,
     None, "Staying warm at minus ten: sleep systems, stoves and site selection."),
    ("leave-no-trace-clean-up", "Leave No Trace clean-up day", -45, 10, "event", "in_person", 40,
     2, None, "Forty volunteers, two valleys, one very full skip. Thank you, everyone."),
]  # fmt: skip


def _image(title: str, seed: int):
    from io import BytesIO

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    from hub.imagegen import landscape

    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
    return Image.objects.create(
        title=title, file=ImageFile(BytesIO(landscape(seed)), name=f"{name}.jpg")
    )


def _publish(page) -> None:
    page.save_revision().publish()


def seed_events(log) -> None:
    home = HomePage.objects.first()
    if home is None:
        return
    index = EventIndexPage.objects.first()
    if index is None:
        index = EventIndexPage(
            title="Events",
            slug="events",
            intro="<p>Meet the team and fellow members: trail days, workshops and previews.</p>",
        )
        home.add_child(instance=index)
        _publish(index)
        log("created event index")
    User = get_user_model()
    members = {
        u.username: u
        for u in User.objects.filter(username__in=["ana", "ben", "chen", "dara", "editor"])
    }
    from hub.rewards.models import Tier

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    existing = set(EventPage.objects.child_of(index).values_list("slug", flat=True))
    for slug, title, days, hour, kind, fmt, capacity, guests, tier, summary in EVENTS:
        if slug in existing:
            continue
        start = (now + datetime.timedelta(days=days)).replace(hour=hour)
        event = EventPage(
            image=_image(f"Event: {title}", 200 + len(existing) + days),
            title=title,
            slug=slug,
            kind=kind,
            summary=summary,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2 if fmt == "online" else 3),
            time_zone=TZ,
            format=fmt,
            venue_name="" if fmt == "online" else "Trailmark Studio",
            venue_address="" if fmt == "online" else "12 Harbour Road\nBristol BS1 5TY",
            online_url="https://meet.example.com/trailmark-layering" if fmt == "online" else "",
            capacity=capacity,
            max_guests=guests,
            min_tier=Tier.objects.filter(name=tier).first() if tier else None,
            feedback_url="https://example.com/survey/events" if days < 0 else "",
            description=[("paragraph", RichText(f"<p>{summary}</p><p>All levels welcome.</p>"))],
        )
        event.tags.add("workshops" if kind == "workshop" else "meetups")
        if fmt == "online":
            event.tags.add("online")
        host = members.get("chen")
        event.hosts.add(EventHost(user=host, role=EventHost.HOST))
        event.hosts.add(EventHost(name="Sam Okafor", role=EventHost.SPEAKER, bio="Lead designer."))
        if fmt == "in_person":
            event.questions.add(EventQuestion(label="Dietary needs", required=False))
        index.add_child(instance=event)
        _publish(event)
        _attendees(event, members, days)
        log(f"published event: {title}")


def _attendees(event: EventPage, members: dict, days: int) -> None:
    """RSVPs written directly (the demo's past events could not take RSVPs through the service)."""
    now = timezone.now()
    going = [members[n] for n in ("ana", "ben", "dara") if n in members]
    rows = []
    if event.slug == "dawn-hike-box-hill":
        # Nearly full: the demo members plus filler seats taken by guests; one on the waitlist.
        rows = [
            # ana and ben chose to be listed in "Who's going"; chen did not.
            RSVP(event=event, user=members["ana"], status=RSVP.CONFIRMED, guests=1,
                 confirmed_at=now, listed=True),
            RSVP(event=event, user=members["ben"], status=RSVP.CONFIRMED, guests=1,
                 confirmed_at=now, listed=True),
            RSVP(event=event, user=members["chen"], status=RSVP.CONFIRMED, guests=1,
                 confirmed_at=now),
        ]  # fmt: skip
        filler = _filler_members(4)
        rows += [
            RSVP(event=event, user=u, status=RSVP.CONFIRMED, guests=1, confirmed_at=now)
            for u in filler[:2]
        ]
        rows += [RSVP(event=event, user=u, status=RSVP.WAITLISTED, guests=0) for u in filler[2:]]
    elif days < 0:
        for user in going:
            signed_up = event.starts_at - datetime.timedelta(days=3)
            rows.append(
                RSVP(event=event, user=user, status=RSVP.CONFIRMED, confirmed_at=signed_up,
                     created=signed_up, queued_at=signed_up,
                     checked_in_at=event.starts_at + datetime.timedelta(minutes=5))
            )  # fmt: skip
    elif event.is_online:
        rows = [RSVP(event=event, user=members["ben"], status=RSVP.CONFIRMED, confirmed_at=now)]
    RSVP.objects.bulk_create(rows, ignore_conflicts=True)


def _filler_members(count: int) -> list:
    """A few quiet demo members who fill seats, so the demo's members meet a real waitlist."""
    User = get_user_model()
    users = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"hiker{n}",
            defaults={"email": f"hiker{n}@example.com", "display_name": f"Hiker {n}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
# After content (the home page) and rewards standing (tiers for advocate-only events).
# The event index and one event in the demo's other languages (English is the source).
INDEX_TRANSLATIONS = {
    "ka": (
        "ღონისძიებები",
        "გაიცანით გუნდი და სხვა წევრები: ლაშქრობის დღეები, ვორქშოპები და პრემიერები.",
    ),
    "af": ("Geleenthede", "Ontmoet die span en mede-lede: roetedae, werkswinkels en voorskoue."),
    "he": ("אירועים", "פגשו את הצוות ואת חברי הקהילה: ימי שטח, סדנאות והשקות מוקדמות."),
    "hy": (
        "Միջոցառումներ",
        "Ծանոթացեք թիմին և մյուս անդամներին․ արշավային օրեր, սեմինարներ և նախադիտումներ։",
    ),
    "fi": (
        "Tapahtumat",
        "Tapaa tiimi ja muut jäsenet: retkipäiviä, työpajoja ja ennakkoesittelyjä.",
    ),
}
TRANSLATED_EVENT = "dawn-hike-box-hill"
EVENT_TRANSLATIONS = {
    "ka": ("განთიადის ლაშქრობა ბოქს-ჰილზე", "უყურეთ, როგორ ამოდის მზე ნორთ-დაუნსზე, შემდეგ კი ყავა და ნამცხვრები ჩვენზეა.", "ყველა დონის მონაწილეს ველით."),
    "af": ("Dagbreekstap op Box Hill", "Kyk hoe die son oor die North Downs opkom, dan is koffie en gebak op ons.", "Almal is welkom, ongeag jou vlak."),
    "he": ("טיול זריחה בבוקס היל", "צפו בזריחה מעל הנורת' דאונס, ואחר כך קפה ומאפים על חשבוננו.", "כל הרמות מוזמנות."),
    "hy": ("Արշավ արշալույսին Բոքս Հիլում", "Դիտեք, թե ինչպես է արևը ծագում Նորթ Դաունսի վրա, իսկ հետո սուրճն ու թխվածքը մեզանից են։", "Սպասում ենք բոլոր մակարդակների մասնակիցներին։"),
    "fi": ("Aamunkoittovaellus Box Hillillä", "Katso auringonnousua North Downsin yllä – sen jälkeen kahvit ja leivonnaiset meidän piikkiimme.", "Kaikki tasot ovat tervetulleita."),
}  # fmt: skip


def seed_event_translations(log) -> None:
    """The event index and the dawn hike in the demo's other languages, as editors make them with
    wagtail-localize (RSVPs stay on the English event)."""
    index = EventIndexPage.objects.filter(locale__language_code="en").first()
    event = EventPage.objects.filter(locale__language_code="en", slug=TRANSLATED_EVENT).first()
    if index is None or event is None:
        return
    for language in DEMO_LANGUAGES:
        title, intro = INDEX_TRANSLATIONS[language]
        translate_page(index, language, title=title, intro=f"<p>{intro}</p>")
        title, summary, welcome = EVENT_TRANSLATIONS[language]
        _page, created = translate_page(
            event,
            language,
            title=title,
            summary=summary,
            description=[("paragraph", RichText(f"<p>{summary}</p><p>{welcome}</p>"))],
        )
        if created:
            log(f"translated the event index and {TRANSLATED_EVENT} into {language}")


register_seeder("events", seed_events, order=40)
# After the content's translations, so the translated home pages exist to hold them.
register_seeder("events translations", seed_event_translations, order=96)
