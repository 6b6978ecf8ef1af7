"""Every admin page this project adds opens without a server error, with data present, for an
editor and for a moderator (a 403 for a moderator on an editor's page is fine; a 500 never is),
and for a superuser, who also reaches the pages neither group may open.

The pages are found, not listed by hand: every viewset and admin URL the project's own apps
register, every settings model, page type and moderation source they add, so a page added later
is opened here too. The data is the demo site plus whatever the demo does not make, and the test
checks that every model of the project has at least one row, so no listing is tested empty.
"""

import logging
import shutil
import tempfile
import traceback
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import get_resolver, reverse
from wagtail import hooks
from wagtail.admin.viewsets import viewsets
from wagtail.models import Site, get_page_models

from hub.accounts.models import User
from tests.factories import UserFactory

PROJECT_PACKAGES = ("hub", "community", "feedback", "events")


def _each(label: str, **arguments):
    """URL arguments for a few rows of ``label``: ``pk`` is the row's own, and each other
    argument is a function of the row (an RSVP's event...)."""

    def fill() -> list[dict]:
        return [
            {"pk": row.pk, **{name: get(row) for name, get in arguments.items()}}
            for row in _rows(label)
        ]

    return fill


# Admin URLs that the project adds with `register_admin_urls` and that take arguments: how to fill
# them. A new one must be added here (the test fails and says so) so that it is opened too.
HOOK_URL_ARGUMENTS = {
    "rewards_import_perk_codes": _each("rewards.Perk"),
    "community_review_post": _each("community.Flag"),
    "community_review_comment": _each("django_comments_xtd.XtdComment"),
    "feedback_survey_results": _each("feedback.Survey"),
    "events_attendees": _each("events.EventPage"),
    "events_message": _each("events.EventPage"),
    "events_series": _each("events.EventPage"),
    "shop_connection": _each("shop.Shop"),
    "shop_rotate_secret": _each("shop.Shop"),
    "shop_expire_secret": lambda: [
        {"pk": s.shop_id, "secret_pk": s.pk} for s in _rows("shop.ShopSecret")
    ],
    "events_promote": lambda: [{"pk": r.event_id, "rsvp_pk": r.pk} for r in _rows("events.RSVP")],
    "events_remove": lambda: [{"pk": r.event_id, "rsvp_pk": r.pk} for r in _rows("events.RSVP")],
}
# The admin pages of a model that must be opened for more than one of its rows: a flag on a forum
# post and one on a story comment are shown by different code, and so on.
VARIANTS = {
    "community.Flag": lambda qs: [qs.filter(post__isnull=False), qs.filter(comment__isnull=False)],
    "django_comments_xtd.XtdComment": lambda qs: [
        qs.filter(is_removed=True),
        qs.filter(level__gt=0),
        qs.filter(pk__in=apps.get_model("community.Flag").objects.values("comment")),
    ],
    "feedback.Review": lambda qs: [qs.filter(status=s) for s in ("pending", "published", "hidden")],
    "rewards.Referral": lambda qs: [qs.filter(state=s) for s in ("flagged", "qualified")],
    "events.RSVP": lambda qs: [qs.filter(status=s) for s in ("confirmed", "waitlisted")],
}


def _ours(thing) -> bool:
    return thing.__module__.split(".")[0] in PROJECT_PACKAGES


def _rows(label: str) -> list:
    """A few rows of the model to open its item pages with: the first, and one per variant."""
    model = apps.get_model(label)
    queryset = model._default_manager.order_by("pk")
    picked = [queryset.first()]
    for variant in VARIANTS.get(label, lambda qs: [])(queryset):
        picked.append(variant.first())
    return list(dict.fromkeys(row for row in picked if row is not None))


def _viewset_urls() -> list[str]:
    """Every URL of every viewset the project registers (listing, its export, add, edit, delete,
    history, usage, inspect...), the item pages for a few rows of the viewset's model."""
    get_resolver().url_patterns  # noqa: B018  (registers the viewsets, as the first request would)
    urls = []
    for viewset in viewsets.viewsets:
        if not _ours(type(viewset)):
            continue
        model = getattr(viewset, "model", None)
        for pattern in viewset.get_urlpatterns():
            name = f"{viewset.url_namespace}:{pattern.name}"
            arguments = list(pattern.pattern.converters)
            if not arguments:
                urls.append(reverse(name))
                if pattern.name == "index" and getattr(viewset, "list_export", None):
                    urls.append(reverse(name) + "?export=csv")
                continue
            assert arguments == ["pk"] and model is not None, f"{name}: fill {arguments} here"
            rows = _rows(model._meta.label)
            assert rows, f"no {model._meta.label} to open {name} with"
            urls += [reverse(name, kwargs={"pk": row.pk}) for row in rows]
    return urls


def _hook_urls() -> list[str]:
    """Every URL the project adds with `register_admin_urls` (reports, review pages, ...)."""
    urls = []
    for register in hooks.get_hooks("register_admin_urls"):
        if not _ours(register):
            continue
        for pattern in register():
            arguments = set(pattern.pattern.converters)
            if not arguments:
                urls.append(reverse(pattern.name))
                continue
            fill = HOOK_URL_ARGUMENTS.get(pattern.name)
            assert fill is not None, (
                f"the admin URL {pattern.name} takes {sorted(arguments)}: say in "
                "HOOK_URL_ARGUMENTS how to fill them, so that this test opens it"
            )
            filled = fill()
            assert filled, f"no data to open {pattern.name} with"
            urls += [reverse(pattern.name, kwargs=kwargs) for kwargs in filled]
    return urls


def _page_urls() -> list[str]:
    """Each page type of the project: its edit, history and add pages, and its parent's listing."""
    urls = []
    for model in get_page_models():
        if not _ours(model):
            continue
        page = model.objects.order_by("pk").first()
        assert page is not None, f"no {model.__name__} page to open"
        parent = page.get_parent()
        meta = model._meta
        urls += [
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            reverse("wagtailadmin_pages:history", args=[page.pk]),
            reverse("wagtailadmin_pages:add", args=[meta.app_label, meta.model_name, parent.pk]),
            reverse("wagtailadmin_explore", args=[parent.pk]),
            reverse("wagtailadmin_explore", args=[page.pk]),
        ]
    return urls


def _settings_urls() -> list[str]:
    from wagtail.contrib.settings.registry import registry

    site = Site.objects.get(is_default_site=True)
    return [
        reverse("wagtailsettings:edit", args=[m._meta.app_label, m._meta.model_name, site.pk])
        for m in registry
        if _ours(m)
    ]


def _queue_urls() -> list[str]:
    from hub.moderation import sources

    queue = reverse("moderation_queue")
    return [queue] + [f"{queue}?source={source.key}" for source in sources()]


def admin_urls() -> list[str]:
    """The dashboard (with every app's panel), the site history (every app's log entries), the
    members' admin pages (the project's own User model), and everything found above."""
    member = User.objects.filter(is_superuser=False).order_by("pk").first()
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:edit", args=[member.pk]),
    ]
    urls += _viewset_urls() + _hook_urls() + _page_urls() + _settings_urls() + _queue_urls()
    return list(dict.fromkeys(urls))


class _ErrorRecords(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _described(failure) -> str:
    """An exception or an error log record, in one line, with where it was raised."""
    if isinstance(failure, logging.LogRecord):
        message, failure = failure.getMessage(), (failure.exc_info or (None, None, None))[1]
        if failure is None:
            return message
        return f"{message}: {_described(failure)}"
    where = traceback.extract_tb(failure.__traceback__)[-1]
    return f"{type(failure).__name__}: {failure} ({where.filename}:{where.lineno})"


@pytest.mark.slow
class TestEveryAdminPageOpens(TestCase):
    """Seeds the demo site once for the class; each test rolls back to it."""

    @classmethod
    def setUpClass(cls):
        cls.media_root = tempfile.mkdtemp(prefix="admin-pages-media-")
        cls.addClassCleanup(shutil.rmtree, cls.media_root, ignore_errors=True)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        with override_settings(MEDIA_ROOT=cls.media_root):
            call_command("seed_demo", stdout=StringIO())
            from tests.admin_data import add_what_the_demo_lacks

            add_what_the_demo_lacks()
        cls.editor = User.objects.get(username="editor")
        cls.moderator = UserFactory(username="moderator-only")
        cls.moderator.groups.add(Group.objects.get(name="Moderators"))

    @pytest.fixture(autouse=True)
    def _isolated_media(self, settings):
        settings.MEDIA_ROOT = self.media_root

    def test_every_model_of_the_project_has_data(self):
        empty = [
            m._meta.label
            for m in apps.get_models()
            if _ours(m) and not m._meta.abstract and not m._default_manager.exists()
        ]
        assert empty == [], f"add a row of each in tests/admin_data.py: {', '.join(empty)}"

    def open_all(self, user, *, every_url_exists=False) -> list[str]:
        """Every admin page as ``user``: what failed, with the exception and where it was raised.

        A page that catches an error and shows a polite message instead (as the moderation queue
        does for a source that fails) still logs it: a logged error counts as a failure too.
        With ``every_url_exists``, a 404 fails as well: for a superuser it can only mean that a
        URL was filled with the wrong object, and the page behind it was never opened.
        """
        self.client.force_login(user)
        failures = []
        errors = _ErrorRecords()
        logging.getLogger().addHandler(errors)
        try:
            for url in admin_urls():
                errors.records.clear()
                try:
                    response = self.client.get(url)
                except Exception as error:  # the test client re-raises what the view raised
                    failures.append(f"{url}: {_described(error)}")
                    continue
                if response.status_code >= 500 or (
                    every_url_exists and response.status_code == 404
                ):
                    failures.append(f"{url}: {response.status_code}")
                failures += [f"{url}: logged {_described(r)}" for r in errors.records]
        finally:
            logging.getLogger().removeHandler(errors)
        return failures

    def assert_every_page_opens(self, user, **options):
        failures = self.open_all(user, **options)
        assert failures == [], "\n".join(failures)

    def test_every_admin_page_opens_for_an_administrator(self):
        self.assert_every_page_opens(User.objects.get(username="admin"), every_url_exists=True)

    def test_every_admin_page_opens_for_an_editor(self):
        self.assert_every_page_opens(self.editor)

    def test_every_admin_page_opens_for_a_moderator(self):
        self.assert_every_page_opens(self.moderator)
