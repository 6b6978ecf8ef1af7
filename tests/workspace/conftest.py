"""Fixtures for the workspace: editors and moderators, and moderation sources and dashboard panels
registered for one test only (the feature apps' real ones live on their own branches)."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from hub import dashboard, moderation
from hub.errors import Refusal
from hub.moderation import ModerationAction, ModerationItem
from tests.factories import UserFactory, make_editor


@pytest.fixture
def editor(db):
    return make_editor("editor")  # Editors + Moderators, as seed_demo makes the demo editor


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


class FlagError(Refusal):
    """A test source's refusal, like an app's own error class."""


@dataclass
class FakeSource:
    """An in-memory moderation source: reported posts a moderator hides or dismisses."""

    key: str
    permission: str
    posts: dict = field(default_factory=dict)  # pk -> dict(title, body, author, reason)
    acted: list = field(default_factory=list)
    fail_with: Exception | None = None
    prior_flags: int | None = None
    suspended: bool | None = None

    def count(self) -> int:
        return len(self.posts)

    def items(self, limit: int) -> list[ModerationItem]:
        return [
            ModerationItem(
                source=self.key,
                pk=pk,
                kind="Forum post",
                title=post["title"],
                excerpt=post["body"],
                author=post["author"],
                reason=post["reason"],
                waiting_since=timezone.now() - timedelta(hours=2),
                reports=post.get("reports", 1),
                url=f"/forum/post/{pk}/",
                actions=[
                    ModerationAction("hide", "Hide post", destructive=True, needs_reason=True),
                    ModerationAction("dismiss", "Dismiss reports"),
                ],
                author_prior_flags=self.prior_flags,
                author_suspended=self.suspended,
            )
            for pk, post in sorted(self.posts.items())[:limit]
        ]

    def act(self, pk, action, *, by, reason):
        if self.fail_with is not None:
            raise self.fail_with
        if pk not in self.posts:
            raise FlagError("This post is no longer waiting.")
        post = self.posts.pop(pk)
        self.acted.append((pk, action, by.username, reason))
        return f"“{post['title']}” {'hidden' if action == 'hide' else 'kept'}."

    def register(self, label="Forum posts", order=10):
        moderation.register_moderation_source(
            self.key,
            label,
            count=self.count,
            items=self.items,
            act=self.act,
            permission=self.permission,
            order=order,
        )


@pytest.fixture
def register_source(monkeypatch):
    """register_source(key, permission, posts) -> FakeSource, unregistered after the test."""
    monkeypatch.setattr(moderation, "_sources", dict(moderation._sources))

    def make(key="tests.post", permission="workspace.access_moderation_queue", **kwargs):
        source = FakeSource(key=key, permission=permission, **kwargs)
        source.register()
        return source

    return make


TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def register_panel(monkeypatch, settings):
    """register_panel(key, label, context=...) for this test only (template from tests/)."""
    monkeypatch.setattr(dashboard, "_panels", dict(dashboard._panels))
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates

    def make(key, label, *, context, template="tests/nps_panel.html", permission=None):
        dashboard.register_dashboard_panel(
            key, label, template=template, context=context, permission=permission
        )

    return make
