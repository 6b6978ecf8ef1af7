import pytest

from tests.factories import UserFactory, make_editor

from .factories import ProductFactory


@pytest.fixture
def product(db):
    return ProductFactory(name="Ridge 2 Tent", slug="ridge-2-tent")


@pytest.fixture
def other(db):
    return UserFactory(username="ben", display_name="Ben")


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
