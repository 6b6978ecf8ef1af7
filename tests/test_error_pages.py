"""The 403, 404 and 500 pages wear the site's layout; the 500 page reads no database."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from hub.urls import handler500  # noqa: F401  (the site's own, as the tests check)
from hub.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


# The site's own addresses after these two, so the layout's links resolve.
urlpatterns = [path("forbidden/", forbidden), path("broken/", broken), *site_urlpatterns]


@pytest.mark.django_db
def test_the_404_page_has_the_site_header_and_footer(client, site_tree):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "We couldn’t find that page" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_the_403_page_has_the_site_header_and_footer(client, site_tree):
    response = client.get("/forbidden/")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "You cannot open this page" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_has_the_site_layout_without_touching_the_database():
    client = Client(raise_request_exception=False)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'href="/static/css/site.css"' in html or "site.css" in html
    assert "Something went wrong on our side" in html
    # Sessions and the member are read before the view runs; the error page itself adds nothing.
    assert not [q for q in queries.captured_queries if "content_brandsettings" in q["sql"]]


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_speaks_the_visitors_language():
    from django.utils import translation

    client = Client(raise_request_exception=False, headers={"accept-language": "fr"})

    with translation.override("en"):  # the thread's language afterwards, for the next tests
        response = client.get("/broken/")

    assert response.status_code == 500
    assert 'lang="fr"' in response.content.decode()


def test_the_500_page_renders_with_no_database_at_all(django_db_blocker):
    from django.utils import translation

    from hub.dbfaults import render_safe_page

    with django_db_blocker.block(), translation.override("en"):  # any query would raise here
        html = render_safe_page("500.html", "fallback")

    assert "Something went wrong on our side" in html and 'class="site-header"' in html


def test_a_broken_500_template_still_answers_a_plain_page(settings):
    from hub.dbfaults import render_safe_page

    html = render_safe_page("no-such-template.html", "Something went wrong")

    assert "<h1>Something went wrong</h1>" in html
