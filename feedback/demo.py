"""Demo feedback: products with reviews (some verified, one with a brand reply), featured
testimonials on the home page, ideas in every status with votes, and a running NPS survey.
Idempotent: what exists is left alone."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model

from hub.demo import register_seeder

from . import services
from .models import Idea, IdeaCategory, Product, Review, Survey, Testimonial, VerifiedCustomer

PRODUCTS = [
    ("Ridge 2 Tent", "Tents", "A two-person, three-season tent that pitches in four minutes.", (34, 97, 74), "post"),
    ("Summit 45 Backpack", "Packs", "A 45-litre pack with a frame that breathes on long climbs.", (180, 83, 9), "post"),
    ("Ember Camp Stove", "Cooking", "A canister stove that boils a litre in three minutes, even in wind.", (185, 28, 28), "post"),
    ("Drift Down Sleeping Bag", "Sleeping", "Rated to −5 °C and packs to the size of a loaf of bread.", (67, 56, 202), "pre"),
]  # fmt: skip
REVIEWS = [
    # (username, product index, rating, title, body)
    ("ana", 0, 5, "Pitched it in the rain in four minutes", "Took it up the **Serra da Estrela** in a storm: bone dry inside.\n\n- Colour-coded poles\n- Two doors, so no climbing over each other"),
    ("ben", 0, 4, "Great tent, tight for two tall people", "Light and sturdy. At 1.90 m my feet touch the end, so tall hikers should look at the three-person version."),
    ("chen", 0, 5, "Our go-to tent for three seasons", "Forty nights in and the seams are like new."),
    ("dara", 1, 3, "Comfortable, but the hip pockets are small", "The frame is excellent on long climbs. I wish the hip-belt pockets fitted a phone."),
    ("ana", 1, 5, "Carries 15 kg like 10", "The best pack I have owned. The back panel really breathes."),
    ("chen", 2, 4, "Fast boil, a little loud", "Boils a litre in about three minutes. It roars, but it works in wind."),
    ("ben", 2, 2, "Igniter failed after a month", "The stove is fine but the piezo igniter stopped working. Carry matches."),
    ("dara", 3, 4, "Warm down to freezing", "Slept well at −3 °C. Waiting for a moderator, as this product is pre-moderated."),
]  # fmt: skip
VERIFIED = ["ana", "chen"]
IDEA_CATEGORIES = ["Tents", "Packs", "Cooking", "Community"]
IDEAS = [
    # (author, title, description, category, status, note, voters)
    ("ana", "A footprint that fits the Ridge 2 exactly", "The generic footprint sticks out and collects rain.", "Tents", Idea.SHIPPED, "Shipped in March: the Ridge 2 footprint is in the shop.", ["ben", "chen", "dara"]),
    ("ben", "Hip-belt pockets big enough for a phone", "Most phones no longer fit the hip pockets.", "Packs", Idea.IN_PROGRESS, "The design team is testing two sizes on the Summit 55 prototype.", ["ana", "dara"]),
    ("chen", "A repair kit for stove igniters", "Sell spare piezo igniters so stoves last longer.", "Cooking", Idea.PLANNED, "Planned for the autumn range.", ["ben"]),
    ("dara", "Group hikes for beginners each month", "Monthly easy hikes led by experienced members.", "Community", Idea.UNDER_REVIEW, "We are asking local guides whether they can lead them.", ["ana", "ben", "chen"]),
    ("ana", "Recycled-fabric version of every tent", "Make the whole tent range from recycled nylon.", "Tents", Idea.OPEN, "", ["chen"]),
    ("ben", "Heated sleeping bag with a battery", "A USB-heated liner for winter nights.", "Community", Idea.DECLINED, "Batteries fail in the cold, and the weight defeats the purpose. Try the Drift liner instead.", []),
]  # fmt: skip
NPS_ANSWERS = [("ana", 10, "The community makes the gear better."), ("ben", 8, ""), ("chen", 9, "Fast replies to my questions."), ("dara", 6, "Delivery took two weeks.")]  # fmt: skip


def _product_image(title: str, colour):
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    from io import BytesIO

    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.new("RGB", (800, 800), colour).save(buffer, format="PNG")
    image = Image(title=title)
    image.file.save(f"{slugify(title)}.png", ImageFile(buffer, name=f"{slugify(title)}.png"))
    return image


def seed_feedback(log) -> None:
    User = get_user_model()
    members = {
        u.username: u
        for u in User.objects.filter(username__in=["ana", "ben", "chen", "dara", "editor"])
    }
    editor = members.get("editor")
    products = []
    for name, category, description, colour, moderation in PRODUCTS:
        slug = slugify(name)
        product = Product.objects.filter(slug=slug).first()
        if product is None:
            product = Product.objects.create(
                name=name,
                slug=slug,
                category=category,
                description=description,
                brand="Trailmark",
                sku=f"TM-{slug[:12].upper()}",
                moderation=moderation,
                image=_product_image(name, colour),
            )
            log(f"product {name}")
        products.append(product)
    for username in VERIFIED:
        if username in members:
            VerifiedCustomer.objects.get_or_create(email=members[username].email.lower())
    for username, index, rating, title, body in REVIEWS:
        member = members.get(username)
        if member is None or Review.objects.filter(product=products[index], author=member).exists():
            continue
        services.submit_review(products[index], by=member, rating=rating, title=title, body=body)
        log(f"review by {username} of {products[index].name}")
    first = Review.objects.filter(product=products[0], author=members.get("ben")).first()
    if first and not first.reply and editor:
        services.reply_to_review(
            first,
            text="Thanks Ben! The Ridge 3 comes in a long version for taller hikers this spring.",
            by=editor,
        )
    if not Testimonial.objects.exists() and editor:
        for review in Review.objects.filter(rating=5, status=Review.PUBLISHED).order_by("pk")[:2]:
            services.feature_review(review, by=editor)
        Testimonial.objects.create(
            quote="Trailmark listens. Half the gear I carry was improved by what this community asked for.",
            customer_name="Marta Oliveira",
            customer_title="Mountain guide, Porto",
            consent=True,
            consent_note="Agreed by e-mail to be quoted on the website",
            featured=True,
            sort_order=1,
            created_by=editor,
            featured_at=timezone.now(),
        )
        log("testimonials featured on the home page")
    categories = {}
    for name in IDEA_CATEGORIES:
        categories[name], _ = IdeaCategory.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
    for author, title, description, category, status, note, voters in IDEAS:
        if author not in members or Idea.objects.filter(title=title).exists():
            continue
        idea = Idea.objects.create(
            title=title,
            description=description,
            category=categories[category],
            author=members[author],
            created=timezone.now() - timedelta(days=len(voters) * 3),
        )
        services.IdeaVote.objects.create(idea=idea, user=members[author])
        for voter in voters:
            if voter in members:
                services.IdeaVote.objects.create(idea=idea, user=members[voter])
        idea.vote_count = idea.votes.count()
        idea.trending = services.trending_score(idea.vote_count, idea.created)
        idea.save(update_fields=["vote_count", "trending"])
        if status != Idea.OPEN and editor:
            services.set_idea_status(idea, status=status, note=note, by=editor)
        log(f"idea {title} ({status})")
    now = timezone.now()
    survey = Survey.objects.filter(title="How are we doing?").first()
    if survey is None:
        survey = Survey.objects.create(
            title="How are we doing?",
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=23),
        )
        log("NPS survey open for a month")
    for username, score, comment in NPS_ANSWERS:
        member = members.get(username)
        if member and not survey.responses.filter(user=member).exists():
            services.answer_survey(survey, by=member, score=score, comment=comment)


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
# After the demo members, stories and standing exist.
register_seeder("feedback", seed_feedback, order=40)
