"""A lost or unavailable database connection: a request that had not written runs again, the
others get 503 with Retry-After and the site's page; a real bug is still a 500."""

import pytest
from django.test import Client

from tests import dbfaults_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.dbfaults_urls")]


@pytest.fixture(autouse=True)
def _fresh_calls():
    dbfaults_urls.calls["flaky"] = 0


def test_a_page_whose_connection_dropped_is_served_on_a_fresh_one(client):
    response = client.get("/flaky/")

    assert response.status_code == 200 and response.content == b"fine"
    assert dbfaults_urls.calls["flaky"] == 2


def test_a_form_that_had_not_written_yet_is_retried(client):
    assert client.post("/lost-before-writing/").status_code == 200


def test_a_form_that_had_written_gets_503_with_retry_after(client, caplog):
    response = client.post("/wrote-then-lost/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert b"try again in a few seconds" in response.content
    assert "Database unavailable for POST /wrote-then-lost/" in caplog.text


def test_an_exhausted_connection_pool_answers_503_not_500(client):
    response = client.get("/pool-empty/")  # retried once, still empty

    assert response.status_code == 503 and response["Retry-After"]


def test_a_fault_outside_the_view_answers_503_too(monkeypatch):
    from hub.workspace import activity

    def lost(*args, **kwargs):
        from django.db import InterfaceError

        raise InterfaceError("connection already closed")

    monkeypatch.setattr(activity.ActivityMiddleware, "__call__", lost)
    response = Client(raise_request_exception=False).get("/flaky/")

    assert response.status_code == 503 and response["Retry-After"]


@pytest.mark.parametrize("path", ["/broken/", "/bad-query/", "/sqlite-query/"])
def test_a_bug_is_still_a_500(path):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
