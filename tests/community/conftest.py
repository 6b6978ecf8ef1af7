"""Forum fixtures: members, a moderator, a discussion and a Q&A category, a default site."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Site

from tests.community.factories import make_category
from tests.factories import UserFactory


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", display_name="Ana Souza")


@pytest.fixture
def ben(db):
    return UserFactory(username="ben", display_name="Ben Okafor")


@pytest.fixture
def chen(db):
    return UserFactory(username="chen", display_name="Chen Wei")


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod", display_name="Mo Derator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def site(db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def category(db):
    return make_category("trail-talk", name="Trail talk")


@pytest.fixture
def qa(db):
    from community.models import Category

    return make_category("questions", name="Questions", kind=Category.QA)


@pytest.fixture
def limits(site):
    """The site's posting limits, opened up so tests post freely unless they tighten them."""
    from community.models import CommunitySettings

    settings = CommunitySettings.for_site(site)
    settings.new_member_posts = 0
    settings.posts_per_hour = 1000
    settings.posts_per_day = 1000
    settings.save()
    return settings
