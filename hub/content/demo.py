"""Demo brand content: the home page, the story index and a dozen stories with drawn images."""

import datetime

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from hub.accounts.models import User
from hub.demo import register_seeder
from hub.imagegen import landscape

from .models import BrandSettings, HomePage, StoryIndexPage, StoryPage

BRAND = "Trailmark"

STORIES = [
    (
        "How our community shaped the Ridge 2 backpack",
        "product,community",
        "Three hundred members tested prototypes on real trails. Here is what changed because of them.",
        "chen",
    ),
    (
        "A beginner's guide to packing light",
        "guides",
        "Carry less, enjoy more: the ten-item checklist our most experienced members swear by.",
        "ana",
    ),
    (
        "Announcing the Trailmark Advocates programme",
        "announcements,community",
        "Earn points for helping others, unlock early access and meet the team behind the gear.",
        None,
    ),
    (
        "1,000 miles on the Pacific Crest with Ana",
        "community,stories",
        "Ana wore out two pairs of shoes and one very loyal rain shell. She told us everything.",
        "ana",
    ),
    (
        "Repair, don't replace: our lifetime repair service",
        "sustainability,announcements",
        "Send us anything we made. We will fix it for free, for as long as you own it.",
        None,
    ),
    (
        "Five dawn hikes chosen by members",
        "guides,community",
        "Members voted for the sunrises worth setting an alarm for. The winners surprised us.",
        "ben",
    ),
    (
        "New recycled fabrics across the 2027 range",
        "product,sustainability",
        "Every shell and fleece now starts life as bottles and fishing nets. Performance stays the same.",
        None,
    ),
    (
        "Inside the test lab",
        "product,stories",
        "Rain towers, abrasion rigs and a freezer at minus forty: a morning with our test engineers.",
        "chen",
    ),
    (
        "The layering guide for winter",
        "guides",
        "Base, mid, shell: how to stay warm without overheating on the climb.",
        "ben",
    ),
    (
        "Community meetups are back",
        "announcements,community",
        "From Bristol to Boulder, members are hosting trail days again. Find one near you.",
        None,
    ),
    (
        "What we learned from 4,000 reviews",
        "community,product",
        "Your reviews changed three zips, two hip belts and one very unpopular colour.",
        "chen",
    ),
    (
        "Leave no trace: a field guide",
        "guides,sustainability",
        "Seven principles, explained by rangers and the members who volunteer with them.",
        "ana",
    ),
]

PARAGRAPHS = [
    "We build gear for people who would rather be outside, and the people who know best what that gear "
    "needs are the ones using it every weekend. That is why so much of what we make starts as a "
    "conversation in this community.",
    "Over the past season, members shared photos, field notes and honest reviews. Our designers read all "
    "of it. Some ideas were small, a longer zip pull for gloved hands; others changed a product entirely.",
    "None of this happens without the people who take the time to write, test and help each other. If "
    "you are new here, say hello in the community: someone has almost certainly asked your question "
    "before, and someone will be glad to answer it.",
]


def _image(title: str, seed: int):
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
    from io import BytesIO

    return Image.objects.create(
        title=title, file=ImageFile(BytesIO(landscape(seed)), name=f"{slug}.jpg")
    )


def _body(story_title: str, image, index: int):
    blocks = [
        ("paragraph", RichText(f"<p>{PARAGRAPHS[0]}</p>")),
        ("heading", {"text": "What we heard", "level": "h2"}),
        ("paragraph", RichText(f"<p>{PARAGRAPHS[1]}</p>")),
        (
            "quote",
            {
                "quote": "The best feedback comes from a wet, muddy trail at six in the morning.",
                "attribution": "Chen Wei, community guide",
            },
        ),
        ("image", {"image": image, "caption": story_title, "alt_text": ""}),
        ("heading", {"text": "What comes next", "level": "h2"}),
        ("paragraph", RichText(f"<p>{PARAGRAPHS[2]}</p>")),
    ]
    if index % 3 == 0:
        blocks.append(
            (
                "call_to_action",
                {
                    "text": "Join the community",
                    "page": None,
                    "url": "http://127.0.0.1:8000/accounts/signup/",
                    "style": "primary",
                },
            )
        )
    return blocks


def _publish(page) -> None:
    page.save_revision().publish()


def seed_content(log) -> None:
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        hero = _image("Hero: mountains at dawn", 100)
        home = HomePage(
            title=BRAND,
            slug="home",
            seo_title=f"{BRAND} community: stories, help and rewards",
            search_description="Where Trailmark's customers share stories, help each other and shape what we make next.",
            hero_title="Made better by the people who use it",
            hero_text="Share your trips, ask the community, review your gear and earn rewards for helping others.",
            hero_image=hero,
            hero_cta_text="Read the stories",
            body=[],
        )
        # Replace Wagtail's placeholder "Welcome" page as the site root.
        placeholder = (
            Page.objects.filter(depth=2, slug="home")
            .exclude(content_type__model="homepage")
            .first()
        )
        if placeholder:
            # Delete it before anything saves it again, so no background index update is queued
            # for a page that will be gone when the worker gets to it. (Its Site goes with it.)
            placeholder.delete()
            root = Page.get_first_root_node()
        root.add_child(instance=home)
        _publish(home)
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        site.root_page = home
        site.hostname, site.port, site.site_name = "localhost", 80, BRAND
        site.save()
        log("created home page")

    settings_obj = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    if not settings_obj.tagline:
        settings_obj.brand_name = BRAND
        settings_obj.tagline = "Gear for the people who would rather be outside"
        settings_obj.footer_text = (
            "Trailmark's community hub: stories from the team, help from fellow members, and "
            "rewards for everyone who makes it better."
        )
        settings_obj.contact_email = "community@example.com"
        settings_obj.save()

    index = StoryIndexPage.objects.first()
    if index is None:
        index = StoryIndexPage(
            title="Stories",
            slug="stories",
            intro="<p>Guides, announcements and adventures from the team and the community.</p>",
            search_description="Guides, announcements and member adventures from Trailmark.",
        )
        home.add_child(instance=index)
        _publish(index)
        log("created story index")
    if not home.hero_cta_page_id:
        home.hero_cta_page = index
        _publish_field(home)

    authors = {
        u.username: u for u in User.objects.filter(username__in=["ana", "ben", "chen", "editor"])
    }
    today = timezone.localdate()
    existing = set(StoryPage.objects.child_of(index).values_list("title", flat=True))
    for number, (title, tags, intro, author) in enumerate(STORIES):
        if title in existing:
            continue
        cover = _image(f"Cover: {title}", number + 1)
        story = StoryPage(
            title=title,
            date=today - datetime.timedelta(days=9 * number + 2),
            author=authors.get(author or "editor"),
            cover_image=cover,
            intro=intro,
            body=_body(title, cover, number),
        )
        story.tags.add(*tags.split(","))
        index.add_child(instance=story)
        _publish(story)
        log(f"published story: {title}")


def _publish_field(page) -> None:
    page.save_revision().publish()


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
register_seeder("content", seed_content, order=20)
