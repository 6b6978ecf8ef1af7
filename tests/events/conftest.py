import pytest

from tests import factories

from .factories import build_event_index, make_event


@pytest.fixture
def event_index(site_tree):
    home, _stories = site_tree
    return build_event_index(home)


@pytest.fixture
def event(event_index):
    return make_event(event_index)


@pytest.fixture
def make_members(db):
    def make(count, prefix="m"):
        return [factories.UserFactory(username=f"{prefix}{n}") for n in range(count)]

    return make
