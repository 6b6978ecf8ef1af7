"""Browser tests: an editor signs in to the admin, reads the dashboard's figures and acts on
items in the moderation queue: a flagged referral, and a flagged forum post they hide."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.rewards import services
from hub.rewards.models import Referral
from tests.factories import UserFactory, build_site_tree, make_editor
from tests.workspace.factories import member_joined

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def test_editor_reads_the_dashboard_and_rejects_a_flagged_referral(live_server, page):
    build_site_tree()
    make_editor("editor")
    member_joined("ana", days_ago(90), active=(days_ago(1), days_ago(35)))
    member_joined("ben", days_ago(60), active=(days_ago(40),))
    host = UserFactory(username="host")
    services.referral_code_for(host)
    sock = UserFactory(username="sock", email="host+2@example.com")
    referral = services.record_referral(sock, code=host.referral_code)
    assert referral.state == Referral.FLAGGED

    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("demo12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    dashboard = page.get_by_role("region", name="Is the community building loyalty?")
    figure = dashboard.locator('[data-kpi="active_7"] .ws-stat__value')
    assert figure.inner_text() == "1"  # ana
    assert dashboard.locator('[data-kpi="churn"] .ws-stat__value').inner_text() == "50 %"
    assert dashboard.get_by_role("img", name="Active members per day").is_visible()
    dashboard.get_by_text("1 item waiting in the moderation queue").wait_for()

    page.get_by_role("link", name="Moderation (1)").click()
    page.wait_for_url(re.compile(r"/admin/moderation/$"))
    item = page.locator("article", has_text="host invited sock")
    assert item.get_by_text("Same e-mail address as the member who invited them").is_visible()
    item.get_by_role("button", name="Reject referral").click()
    # The reason is required: the browser keeps the form until one is given.
    assert page.url.endswith("/admin/moderation/")
    item.get_by_label("Reason (kept in the history)").fill("Same person, second address")
    item.get_by_role("button", name="Reject referral").click()

    page.get_by_text(re.compile("Referral rejected")).wait_for()
    page.get_by_text("Nothing is waiting. Well done!").wait_for()
    assert Referral.objects.get(pk=referral.pk).state == Referral.REJECTED

    page.goto(f"{live_server.url}/admin/moderation-log/")
    row = page.locator("tr", has_text="host invited sock")
    assert row.get_by_text("Same person, second address").is_visible()
    assert page.errors == []


def test_editor_hides_a_flagged_forum_post_from_the_moderation_queue(live_server, page):
    from community import services as forum
    from community.models import Post
    from tests.community.factories import make_category, make_topic

    build_site_tree()
    make_editor("editor")
    ana, ben, chen = (UserFactory(username=name) for name in ("ana", "ben", "chen"))
    topic = make_topic(make_category(), ana, title="Which stove for winter?")
    reply = Post.objects.create(
        topic=topic,
        number=2,
        author=ben,
        body="Buy cheap pills here",
        html="<p>Buy cheap pills here</p>",
    )
    forum.flag_post(reply, by=chen, reason="spam", note="an advert")

    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("demo12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    dashboard = page.get_by_role("region", name="Is the community building loyalty?")
    dashboard.get_by_text("1 item waiting in the moderation queue").wait_for()

    page.get_by_role("link", name="Moderation (1)").click()
    page.wait_for_url(re.compile(r"/admin/moderation/$"))
    item = page.locator("article", has_text="Buy cheap pills here")
    assert item.get_by_text("an advert").is_visible()
    item.get_by_label("Reason (kept in the history)").fill("Advertising")
    item.get_by_role("button", name="Hide").click()

    page.get_by_text("Nothing is waiting. Well done!").wait_for()
    reply.refresh_from_db()
    assert reply.hidden and reply.hidden_reason == "Advertising"
    page.context.clear_cookies()  # members (not moderators) no longer see the post
    page.goto(f"{live_server.url}{topic.get_absolute_url()}")
    page.get_by_text("Post number 1").wait_for()
    assert page.get_by_text("Buy cheap pills here").count() == 0
    assert page.errors == []
