"""Browser test: a member flags a comment under a brand story; a moderator finds it in the one
moderation queue, opens its review page (the story, the conversation, the flags), hides it, and
the comment leaves the story for members while its author is told why."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import Site

from community import services
from community.models import CommunitySettings
from tests.factories import UserFactory, build_site_tree, make_story, session_cookie

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def new_page(browser, server, user=None):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(10_000)
    if user is not None:
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user)}
        context.add_cookies([{**cookie, "url": server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def test_a_moderator_hides_a_flagged_story_comment_from_the_queue(browser, asgi_live_server):
    from playwright.sync_api import expect

    server = asgi_live_server
    _home, index = build_site_tree()
    limits = CommunitySettings.for_site(Site.objects.get(is_default_site=True))
    limits.new_member_posts = 0
    limits.save()
    story = make_story(index, title="Three days on the ridge", cover=False)
    ana = UserFactory(username="ana", display_name="Ana Souza")
    ben = UserFactory(username="ben", display_name="Ben Okafor")
    moderator = UserFactory(username="mod", display_name="Mo Derator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    advert = services.post_comment(by=ben, target=story, body="Cheap boots at bootsbargain.example")

    # Ana answers ben's comment, then flags it, from the story page.
    member = new_page(browser, server, ana)
    member.goto(f"{server.url}{story.url}")
    comment = member.locator(f"#c{advert.pk}")
    comment.get_by_role("link", name="Reply", exact=True).click()
    expect(member.locator("[data-reply-banner]")).to_contain_text("Replying to: Ben Okafor")
    member.get_by_label("Your comment").fill("Please don't advertise here.")
    member.get_by_role("button", name="Post comment").click()
    expect(member.get_by_text("Your comment is posted.")).to_be_visible()
    member.locator(f"#c{advert.pk}").get_by_role("link", name="Flag").click()
    member.get_by_label("Spam or advertising").check()
    member.get_by_label("Anything to add?").fill("An advert for boots")
    member.get_by_role("button", name="Send to moderators").click()
    expect(member.get_by_text("Moderators will look at this comment.")).to_be_visible()

    # The moderator finds it in the queue and opens its review page.
    admin = new_page(browser, server, moderator)
    admin.goto(f"{server.url}/admin/moderation/")
    item = admin.locator("article", has_text="Cheap boots at bootsbargain.example")
    expect(item.get_by_text("Comment by Ben Okafor on “Three days on the ridge”")).to_be_visible()
    expect(item.get_by_text("An advert for boots")).to_be_visible()
    item.get_by_role("link", name="Open in the admin").click()
    admin.wait_for_url(re.compile(rf"/admin/community/review/comment/{advert.pk}/"))
    expect(admin.get_by_role("heading", name="Review story comment")).to_be_visible()
    story_section = admin.get_by_role("region", name="On the story")
    expect(story_section.get_by_role("link", name="Three days on the ridge")).to_be_visible()
    conversation = admin.get_by_role("region", name="The conversation")
    expect(conversation.get_by_text("Please don't advertise here.")).to_be_visible()
    expect(admin.get_by_role("region", name="Open flags")).to_contain_text("An advert for boots")
    on_site = admin.get_by_role("link", name="See it on the site")
    assert on_site.get_attribute("href") == f"{story.url}#c{advert.pk}"

    admin.get_by_label("Hide it (its points are reversed; the author is told why)").check()
    admin.get_by_label("Reason").fill("Advertising is not allowed here")
    admin.get_by_role("button", name="Record decision").click()
    admin.wait_for_url(re.compile(r"/admin/moderation/$"))
    expect(admin.get_by_text("Comment hidden; its points were reversed.")).to_be_visible()
    expect(admin.get_by_text("Nothing is waiting. Well done!")).to_be_visible()

    # Members no longer read it; the reply to it keeps its place.
    member.goto(f"{server.url}{story.url}")
    expect(member.get_by_text("Please don't advertise here.")).to_be_visible()
    expect(member.get_by_text("This comment was removed.")).to_be_visible()
    expect(member.get_by_text("Cheap boots at bootsbargain.example")).to_have_count(0)

    # Its author is told why.
    author = new_page(browser, server, ben)
    author.goto(f"{server.url}/notifications/")
    told = "A moderator hid your comment on “Three days on the ridge”: Advertising is not allowed"
    expect(author.get_by_role("main").get_by_role("link", name=told)).to_be_visible()
    assert member.errors == [] and admin.errors == [] and author.errors == []
    for page in (member, admin, author):
        page.context.close()
