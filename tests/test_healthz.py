"""/healthz for load balancers: 200 when every component answers, 200 "degraded" naming what did
not when only Redis's parts fail (the site still works), 503 when the database fails."""

import pytest
from django.db import OperationalError

from hub import views

pytestmark = pytest.mark.django_db


class BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_healthz_reports_every_component_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channel_layer": "ok",
        "cache": "ok",
    }


def test_healthz_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_healthz_is_degraded_naming_a_broken_channel_layer(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(views, "get_channel_layer", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200  # the site still serves: keep it in the load balancer
    payload = response.json()
    assert payload["status"] == "degraded"
    assert payload["channel_layer"] == "error: ConnectionError"
    assert payload["database"] == "ok"
    assert payload["cache"] == "ok"


def test_healthz_is_degraded_when_no_channel_layer_is_configured(client, monkeypatch):
    monkeypatch.setattr(views, "get_channel_layer", lambda *args, **kwargs: None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["channel_layer"] == "error: RuntimeError"


def test_healthz_is_degraded_naming_a_broken_cache(client, monkeypatch):
    def unreachable():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(views, "check_cache", unreachable)
    monkeypatch.setitem(views.CHECKS, "cache", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "channel_layer": "ok",
        "cache": "error: ConnectionError",
    }


def test_healthz_is_503_naming_a_broken_database(client, monkeypatch):
    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    payload = response.json()
    assert payload["status"] == "error"
    assert payload["database"] == "error: OperationalError"
    assert payload["channel_layer"] == "ok"


def test_healthz_does_not_leak_error_details(client, monkeypatch):
    monkeypatch.setattr(views, "connection", BrokenConnection())
    assert b"could not connect" not in client.get("/healthz").content


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
