"""Demo advocate programme: badges first (so demo members earn them), then standing for members."""

import hashlib

from django.contrib.auth import get_user_model

from hub.demo import register_seeder

from .models import Badge, Perk, PerkCode, PointsEntry, Tier
from .services import RewardsError, adjust, award_badge, redeem_perk

BADGES = [
    ("Verified", "Confirmed their e-mail address.", "✉", "accounts.email.verified", 1),
    (
        "All about me",
        "Completed their profile with a name, a bio and an avatar.",
        "☺",
        "accounts.profile.completed",
        1,
    ),
    ("Founding member", "Was here from the very start.", "★", "", None),
]
BONUSES = [
    ("chen", 620, "Community guide since day one"),
    ("ana", 140, "Wrote the packing-light checklist with us"),
    ("ben", 60, "Tested the new stove on three trips"),
]


def seed_badges(log) -> None:
    for name, description, symbol, action, count in BADGES:
        _, created = Badge.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "symbol": symbol,
                "action": action,
                "count": count,
            },
        )
        if created:
            log(f"badge {name}")


# The tiers (made by migration 0002) and the demo badges in the demo's other languages:
# English name: {language: (name, description)}.
TIER_TRANSLATIONS = {
    "Member": {
        "ka": ("წევრი", "აქედან ყველა იწყებს."),
        "af": ("Lid", "Almal begin hier."),
        "he": ("חבר", "כולם מתחילים כאן."),
        "hy": ("Անդամ", "Բոլորը սկսում են այստեղից։"),
        "fi": ("Jäsen", "Kaikki aloittavat tästä."),
    },
    "Insider": {
        "ka": ("ინსაიდერი", "მუდმივი დამხმარეები: პირველები ხედავენ, რაზეც ვმუშაობთ."),
        "af": ("Binnekring", "Gereelde helpers: sien eerste waaraan ons werk."),
        "he": ("מקורב", "עוזרים קבועים: מציצים ראשונים במה שאנחנו עובדים עליו."),
        "hy": ("Ինսայդեր", "Մշտական օգնականներ՝ առաջինն են տեսնում, թե ինչի վրա ենք աշխատում։"),
        "fi": ("Sisäpiiriläinen", "Vakituiset auttajat: näkevät ensimmäisinä, mitä teemme."),
    },
    "Champion": {
        "ka": ("ჩემპიონი", "ადამიანები, ვისაც სხვები პირველ რიგში მიმართავენ."),
        "af": ("Kampioen", "Die mense na wie ander eerste draai."),
        "he": ("אלוף", "האנשים שאחרים פונים אליהם ראשונים."),
        "hy": ("Չեմպիոն", "Մարդիկ, ում առաջինն են դիմում մյուսները։"),
        "fi": ("Mestari", "Ihmiset, joiden puoleen muut kääntyvät ensimmäisenä."),
    },
    "Legend": {
        "ka": ("ლეგენდა", "ამ საზოგადოებას სახე მისცეს. გმადლობთ."),
        "af": ("Legende", "Het hierdie gemeenskap gevorm. Dankie."),
        "he": ("אגדה", "עיצבו את הקהילה הזאת. תודה."),
        "hy": ("Լեգենդ", "Ձևավորել են այս համայնքը։ Շնորհակալություն։"),
        "fi": ("Legenda", "Ovat muovanneet tämän yhteisön. Kiitos."),
    },
}
BADGE_TRANSLATIONS = {
    "Verified": {
        "ka": ("დადასტურებული", "დაადასტურა ელფოსტის მისამართი."),
        "af": ("Geverifieer", "Het hul e-posadres bevestig."),
        "he": ("מאומת", "אישר/ה את כתובת הדוא״ל."),
        "hy": ("Հաստատված", "Հաստատել է իր էլփոստի հասցեն։"),
        "fi": ("Vahvistettu", "Vahvisti sähköpostiosoitteensa."),
    },
    "All about me": {
        "ka": ("ჩემ შესახებ", "შეავსო პროფილი სახელით, ბიოგრაფიითა და ავატარით."),
        "af": ("Alles oor my", "Het hul profiel voltooi met 'n naam, 'n bio en 'n avatar."),
        "he": ("הכול עליי", "השלים/ה את הפרופיל עם שם, ביוגרפיה ותמונת פרופיל."),
        "hy": ("Ամեն ինչ իմ մասին", "Լրացրել է պրոֆիլը՝ անունով, կենսագրությամբ և ավատարով։"),
        "fi": ("Kaikki minusta", "Täydensi profiilinsa nimellä, esittelyllä ja profiilikuvalla."),
    },
    "Founding member": {
        "ka": ("დამფუძნებელი წევრი", "აქ იყო თავიდანვე."),
        "af": ("Stigterslid", "Was van die heel begin af hier."),
        "he": ("חבר מייסד", "היה/תה כאן מההתחלה."),
        "hy": ("Հիմնադիր անդամ", "Այստեղ էր հենց սկզբից։"),
        "fi": ("Perustajajäsen", "Oli mukana alusta asti."),
    },
}


def _translate_names(model, translations: dict, log) -> None:
    """Fill the empty translations of each row found by its English name (an editor's own
    translation is kept)."""
    rows = model.objects.filter(name_en__in=list(translations))
    for row in rows:
        changed = []
        for language, (name, description) in translations[row.name_en].items():
            for field, value in (("name", name), ("description", description)):
                column = f"{field}_{language}"
                if not getattr(row, column):
                    setattr(row, column, value)
                    changed.append(column)
        if changed:
            row.save(update_fields=changed)
            log(f"translated {model._meta.verbose_name} {row.name_en}")


def seed_name_translations(log) -> None:
    _translate_names(Tier, TIER_TRANSLATIONS, log)
    _translate_names(Badge, BADGE_TRANSLATIONS, log)  # Tier.save() drops the cached tiers


def seed_standing(log) -> None:
    User = get_user_model()
    editor = User.objects.filter(username="editor").first()
    founding = Badge.objects.get(name="Founding member")
    for username, points, reason in BONUSES:
        member = User.objects.filter(username=username).first()
        if (
            member is None
            or PointsEntry.objects.filter(user=member, kind=PointsEntry.ADJUSTMENT).exists()
        ):
            continue
        adjust(member, points, reason=reason, by=editor)
        award_badge(member, founding, by=editor, reason="Demo data")
        log(f"{points} points for {username}")


PERKS = [
    {
        "slug": "15-off-next-order",
        "title": "15% off your next order",
        "description": "Fifteen percent off anything in the shop, gear and clothing alike.",
        "cost": 100,
        "code_type": "shared",
        "shared_code": "ADVOCATE15",
        "instructions": "Enter the code at checkout. Valid once per order, on full-price items.",
    },
    {
        "slug": "ridge-3-preview",
        "title": "Early access: Ridge 3 preview",
        "description": "See the Ridge 3 tent before anyone else and tell the designers what you think.",
        "tier": "Insider",
        "code_type": "shared",
        "shared_code": "RIDGE3-INSIDER",
        "instructions": "Open trailmark.example/ridge-3 and enter the code to see the preview.",
    },
    {
        "slug": "enamel-mug",
        "title": "Limited-edition enamel mug",
        "description": "The camp mug with this year's trail map, made in a run of 25.",
        "cost": 300,
        "stock": 25,
        "code_type": "unique",
        "instructions": "Enter your code at checkout with any order (or on its own): the mug is free.",
        "codes": 25,
    },
    {
        "slug": "lunch-with-the-design-team",
        "title": "Lunch with the design team",
        "description": "Lunch at our studio with the people who design our gear. Three seats a year.",
        "cost": 500,
        "stock": 3,
        "tier": "Champion",
        "code_type": "shared",
        "shared_code": "DESIGN-LUNCH",
        "instructions": "Reply to your notification e-mail with this code and we will find a date.",
    },
]
DEMO_REDEMPTIONS = [("ana", "ridge-3-preview"), ("chen", "enamel-mug")]


def _demo_code(slug: str, number: int) -> str:
    digest = hashlib.sha256(f"{slug}:{number}".encode()).hexdigest()[:8].upper()
    return f"MUG-{digest[:4]}-{digest[4:]}"


def seed_perks(log) -> None:
    for spec in PERKS:
        spec = dict(spec)
        slug, tier, codes = spec.pop("slug"), spec.pop("tier", None), spec.pop("codes", 0)
        spec["min_tier"] = Tier.objects.filter(name=tier).first() if tier else None
        perk, created = Perk.objects.get_or_create(slug=slug, defaults=spec)
        if created:
            log(f"perk {perk.title}")
        if codes and not perk.codes.exists():
            PerkCode.objects.bulk_create(
                [PerkCode(perk=perk, code=_demo_code(slug, n)) for n in range(1, codes + 1)]
            )
            log(f"{codes} codes for {perk.title}")
    User = get_user_model()
    for username, slug in DEMO_REDEMPTIONS:
        member = User.objects.filter(username=username).first()
        perk = Perk.objects.filter(slug=slug).first()
        if member is None or perk is None or perk.redemptions.filter(user=member).exists():
            continue
        try:
            redeem_perk(perk, by=member)
        except RewardsError:
            continue
        log(f"{username} redeemed {perk.title}")


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
# Badges before the demo members exist, so completing their profiles earns one.
register_seeder("rewards badges", seed_badges, order=5)
register_seeder("rewards translations", seed_name_translations, order=6)
register_seeder("rewards standing", seed_standing, order=30)
# After the demo members have points, so two of them can have redeemed something.
register_seeder("rewards perks", seed_perks, order=35)
