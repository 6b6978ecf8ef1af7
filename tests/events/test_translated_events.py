"""A translated event is the same event in another language: one set of seats and RSVPs, its
questions in the reader's language, listed once."""

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import Locale

from events.models import RSVP, EventPage

from .factories import make_event

pytestmark = pytest.mark.django_db


def translate_to_hebrew(event, **fields):
    locale = Locale.objects.get_or_create(language_code="he")[0]
    copy = event.copy_for_translation(locale, copy_parents=True).specific
    for ancestor in copy.get_ancestors().filter(depth__gt=1).specific():
        if not ancestor.live:
            ancestor.save_revision().publish()
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return EventPage.objects.get(pk=copy.pk)


def test_the_hebrew_event_page_rsvps_to_the_english_event(member_client, event_index):
    event = make_event(event_index, title="Dawn hike", questions=[("Dietary needs?", False)])
    question = event.questions.get()
    question.label_he = "הגבלות תזונה?"
    question.save()
    hebrew = translate_to_hebrew(event, title="טיול זריחה")
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"

    html = member_client.get(hebrew.url).content.decode()

    assert "טיול זריחה" in html
    assert f'action="{reverse("events:rsvp", args=[event.pk])}"' in html
    assert "הגבלות תזונה?" in html
    member_client.post(reverse("events:rsvp", args=[event.pk]))
    assert RSVP.objects.filter(event=event).count() == 1
    assert not RSVP.objects.filter(event=hebrew).exists()


def test_the_event_index_lists_a_translated_event_once(client, event_index):
    event = make_event(event_index, title="Dawn hike")
    make_event(event_index, title="Repair cafe")
    translate_to_hebrew(event, title="טיול זריחה")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"

    html = client.get(event_index.url).content.decode()

    assert "טיול זריחה" in html
    assert ">Dawn hike<" not in html
    assert "Repair cafe" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(event_index.url).content.decode()
    assert "Dawn hike" in english
    assert "טיול זריחה" not in english


def test_an_rsvp_shows_at_once_on_the_translated_event_page(member_client, event_index, settings):
    from events import services
    from tests.factories import UserFactory

    event = make_event(event_index, title="Dawn hike", capacity=3)
    hebrew = translate_to_hebrew(event, title="טיול זריחה")
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"
    assert 'data-rsvp-state="open"' in member_client.get(hebrew.url).content.decode()

    # The seats are the English event's: its RSVPs touch its tag, which the Hebrew page (its
    # kept pieces, and its anonymous cached copy) depends on too.
    for name in ("m1", "m2", "m3"):
        services.register_rsvp(event, by=UserFactory(username=name))

    assert 'data-rsvp-state="full"' in member_client.get(hebrew.url).content.decode()
    assert f"page:{event.pk}" in hebrew.page_cache_tags()
