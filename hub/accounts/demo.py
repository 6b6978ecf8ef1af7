"""Demo users: admin (superuser), editor (Wagtail editor and moderator) and four members."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from hub.demo import DEMO_PASSWORD, register_seeder
from hub.imagegen import portrait

from . import services
from .models import User

MEMBERS = [
    (
        "ana",
        "Ana Souza",
        "Trail runner and weekend map-maker. Asks too many questions about fabrics.",
        True,
    ),
    ("ben", "Ben Okafor", "Dad of three, camp-cook, reviewer of every stove ever made.", True),
    (
        "chen",
        "Chen Wei",
        "Photographer chasing blue hours in the Alps. Community guide since day one.",
        True,
    ),
    ("dara", "Dara Byrne", "New here! Planning my first long-distance hike.", False),
]
# Members who read the hub in their own language: username, name, bio, language.
LANGUAGE_MEMBERS = [
    ("noa", "נועה לוי", "מטיילת בנגב ובגליל, אוספת מפות ישנות ותמיד שואלת על נעליים.", "he"),
    ("nino", "ნინო ბერიძე", "ვლაშქრობ კავკასიონზე და ვეძებ საუკეთესო კარავს სვანეთისთვის.", "ka"),
]


def _set_language(user: User, language: str) -> None:
    """Store the member's language where the model has the field (it comes with the interface
    languages work; until then the demo member simply has none)."""
    field_names = {field.name for field in User._meta.get_fields()}
    if "language" in field_names:
        User.objects.filter(pk=user.pk).update(language=language)


def _verified_email(user: User) -> None:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def seed_users(log) -> None:
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "email": "admin@example.com",
            "display_name": "Site Admin",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        _verified_email(admin)
        log("created superuser admin")

    editor, created = User.objects.get_or_create(
        username="editor",
        defaults={"email": "editor@example.com", "display_name": "Eli Editor", "is_staff": True},
    )
    if created:
        editor.set_password(DEMO_PASSWORD)
        editor.save()
        _verified_email(editor)
        # Wagtail's own migrations create these groups with admin access and page permissions.
        editor.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
        log("created editor (Editors + Moderators)")

    for index, (username, name, bio, with_avatar) in enumerate(MEMBERS):
        member, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if not created:
            continue
        member.set_password(DEMO_PASSWORD)
        member.save()
        _verified_email(member)
        avatar = SimpleUploadedFile(f"{username}.png", portrait(index + 1)) if with_avatar else None
        services.update_profile(member, display_name=name, bio=bio, avatar=avatar)
        log(f"created member {username}")

    for index, (username, name, bio, language) in enumerate(LANGUAGE_MEMBERS):
        member, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if not created:
            continue
        member.set_password(DEMO_PASSWORD)
        member.save()
        _verified_email(member)
        avatar = SimpleUploadedFile(f"{username}.png", portrait(len(MEMBERS) + index + 1))
        services.update_profile(member, display_name=name, bio=bio, avatar=avatar)
        _set_language(member, language)
        log(f"created member {username} ({language})")


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
register_seeder("accounts", seed_users, order=10)
