"""Demo forum: categories, topics and replies by the demo members with reactions and an accepted
answer, and comments on the brand's stories. Idempotent: what exists is left alone."""

from django.contrib.auth import get_user_model
from django.db import transaction

from hub.content.models import StoryPage
from hub.demo import register_seeder
from hub.rewards.models import Tier

from . import services
from .models import Category, Reaction, Topic

CATEGORIES = [
    (
        "announcements",
        "Announcements",
        "News from the team.",
        "#b45309",
        Category.DISCUSSION,
        Category.STAFF,
    ),
    (
        "questions",
        "Questions & answers",
        "Ask anything about our gear; the community answers.",
        "#0f766e",
        Category.QA,
        Category.EVERYONE,
    ),
    (
        "trail-stories",
        "Trail stories",
        "Where you went, what worked, what you would change.",
        "#4338ca",
        Category.DISCUSSION,
        Category.EVERYONE,
    ),
    (
        "product-lab",
        "Product lab",
        "Early looks at prototypes, for Insiders and above.",
        "#be185d",
        Category.DISCUSSION,
        Category.TIER,
    ),
]

THREADS = [
    (
        "announcements",
        "admin",
        "Welcome to the community forum",
        "Hello everyone! This is **your** space: ask, share and help each other.\n\n"
        "Be kind, stay on topic, and flag anything that needs a moderator.",
        [("ana", "Thank you! Happy to be here."), ("ben", "Great to finally have a forum.")],
    ),
    (
        "questions",
        "ben",
        "How do I re-waterproof the Ridge jacket?",
        "My Ridge jacket wets out after two seasons. Which wash-in product do you use, "
        "and do you tumble-dry it afterwards?",
        [
            (
                "chen",
                "Wash it with a technical cleaner first, then a wash-in DWR at 30 °C. "
                "Tumble-dry on low for 20 minutes: the heat re-activates the coating.",
            ),
            ("dara", "Seconding @chen: the low tumble-dry made the biggest difference for me."),
        ],
    ),
    (
        "trail-stories",
        "ana",
        "Three days on the coastal path with a 7 kg pack",
        "Packed light for the first time. The best decision: leaving the second fleece at home.\n\n"
        "```\nbase weight: 6.9 kg\nfood + water: 3.1 kg\n```",
        [
            ("dara", "Which tent did you bring?"),
            ("ana", "The Pika 1, pitched with trekking poles."),
        ],
    ),
]

COMMENTS = [
    ("chen", "This matches what we saw on the ridge last spring. Great write-up!"),
    ("dara", "Saving this for my next trip, thank you."),
]


def seed_community(log) -> None:
    User = get_user_model()
    members = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "ana", "ben", "chen", "dara", "editor"])
    }
    if not {"ana", "ben", "chen", "dara"} <= set(members):
        log("community: demo members missing; run the accounts seeder first")
        return
    insider = Tier.objects.filter(name="Insider").first()
    categories = {}
    for order, (slug, name, description, colour, kind, starters) in enumerate(CATEGORIES):
        category, created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "colour": colour,
                "order": order,
                "kind": kind,
                "who_may_start": starters
                if (starters != Category.TIER or insider)
                else Category.EVERYONE,
                "min_tier": insider if starters == Category.TIER else None,
            },
        )
        categories[slug] = category
        if created:
            log(f"forum category {name}")
    for slug, starter, title, body, replies in THREADS:
        if Topic.objects.filter(title=title).exists() or starter not in members:
            continue
        with transaction.atomic():
            topic = _topic(members[starter], categories[slug], title, body)
            posts = [_reply(members[name], topic, text) for name, text in replies]
        for post, reactor in zip(posts, ["dara", "ana"], strict=False):
            if post.author.username != reactor:
                services.react(post, Reaction.LIKE, by=members[reactor])
        if categories[slug].is_qa and posts:
            services.accept_answer(posts[0], by=members[starter])
            services.react(posts[0], "heart", by=members["ana"])
        log(f"forum topic {title}")
    _seed_flag(members, log)
    _seed_comments(members, log)


def _seed_flag(members, log) -> None:
    """One open flag, so the editors' flag queue shows how reviewing works."""
    from .models import Flag, Post

    post = Post.objects.filter(body__startswith="The Pika 1, pitched").first()
    if post is None or Flag.objects.filter(post=post).exists():
        return
    services.flag_post(
        post, by=members["dara"], reason=Flag.OTHER, note="Reads a bit like an advert?"
    )
    log("a flag waiting in the moderation queue")


def _topic(author, category, title, body):
    # Demo posts skip the posting limits: nobody is typing them right now.
    return services.create_topic(
        by=author, category=category, title=title, body=body, enforce_limits=False
    )


def _reply(author, topic, body):
    return services.create_reply(by=author, topic=topic, body=body, enforce_limits=False)


def _seed_comments(members, log) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django_comments_xtd.models import XtdComment

    from .models import Flag

    story = StoryPage.objects.live().order_by("-date").first()
    if story is None:
        return
    content_type = ContentType.objects.get_for_model(story)
    if XtdComment.objects.filter(content_type=content_type, object_pk=str(story.pk)).exists():
        return
    first = None
    for name, text in COMMENTS:
        comment = services.post_comment(
            by=members[name], target=story, body=text, parent=first, enforce_limits=False
        )
        first = first or comment
    services.post_comment(
        by=members["ana"],
        target=story,
        body="Agreed with @chen, the photos are **stunning**.",
        parent=first,
        enforce_limits=False,
    )
    services.react_comment(first, Reaction.LIKE, by=members["ben"])
    log(f"comments on “{story.title}”")
    # One flagged comment, so the moderation queue shows how story comments are reviewed.
    dara = XtdComment.objects.get(
        content_type=content_type, object_pk=str(story.pk), user=members["dara"]
    )
    services.flag_comment(
        dara, by=members["ben"], reason=Flag.OFF_TOPIC, note="Not about the story"
    )
    log("a flagged story comment waiting in the moderation queue")


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
# The forum categories in the demo's other languages: slug: {language: (name, description)}.
CATEGORY_TRANSLATIONS = {
    "announcements": {
        "ka": ("განცხადებები", "სიახლეები გუნდისგან."),
        "af": ("Aankondigings", "Nuus van die span."),
        "he": ("הודעות", "חדשות מהצוות."),
        "hy": ("Հայտարարություններ", "Նորություններ թիմից։"),
        "fi": ("Tiedotteet", "Uutisia tiimiltä."),
    },
    "questions": {
        "ka": ("კითხვები და პასუხები", "იკითხეთ ნებისმიერი რამ ჩვენი აღჭურვილობის შესახებ; საზოგადოება გიპასუხებთ."),
        "af": ("Vrae en antwoorde", "Vra enigiets oor ons toerusting; die gemeenskap antwoord."),
        "he": ("שאלות ותשובות", "שאלו כל דבר על הציוד שלנו; הקהילה עונה."),
        "hy": ("Հարցեր և պատասխաններ", "Հարցրեք ցանկացած բան մեր հանդերձանքի մասին․ համայնքը կպատասխանի։"),
        "fi": ("Kysymykset ja vastaukset", "Kysy mitä tahansa varusteistamme – yhteisö vastaa."),
    },
    "trail-stories": {
        "ka": ("ბილიკის ისტორიები", "სად იყავით, რა გამოგივიდათ, რას შეცვლიდით."),
        "af": ("Roetestories", "Waarheen jy gegaan het, wat gewerk het, wat jy sou verander."),
        "he": ("סיפורי שביל", "לאן הלכתם, מה עבד ומה הייתם משנים."),
        "hy": ("Արշավային պատմություններ", "Ուր գնացիք, ինչն ստացվեց, ինչը կփոխեիք։"),
        "fi": ("Retkitarinat", "Minne menit, mikä toimi ja mitä muuttaisit."),
    },
    "product-lab": {
        "ka": ("პროდუქტის ლაბორატორია", "პროტოტიპების პირველი ჩვენება ინსაიდერებისა და უფრო მაღალი დონის წევრებისთვის."),
        "af": ("Produklab", "Eerste blik op prototipes, vir Binnekring-lede en hoër."),
        "he": ("מעבדת המוצר", "הצצה מוקדמת לאבות טיפוס, למקורבים ומעלה."),
        "hy": ("Արտադրանքի լաբորատորիա", "Նախատիպերի առաջին դիտումներ՝ Ինսայդերների և ավելի բարձր մակարդակների համար։"),
        "fi": ("Tuotelaboratorio", "Ensikurkistuksia prototyyppeihin sisäpiiriläisille ja sitä ylemmille."),
    },
}  # fmt: skip


def seed_category_translations(log) -> None:
    """Fill the empty translations of the demo categories (an editor's own are kept)."""
    for category in Category.objects.filter(slug__in=list(CATEGORY_TRANSLATIONS)):
        changed = []
        for language, (name, description) in CATEGORY_TRANSLATIONS[category.slug].items():
            for field, value in (("name", name), ("description", description)):
                column = f"{field}_{language}"
                if not getattr(category, column):
                    setattr(category, column, value)
                    changed.append(column)
        if changed:
            category.save(update_fields=changed)
            log(f"translated forum category {category.slug}")


register_seeder("community", seed_community, order=50)
register_seeder("community translations", seed_category_translations, order=51)
