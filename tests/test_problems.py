"""Problem details (RFC 9457) bodies and media type."""

import json

from hub.problems import CONTENT_TYPE, problem


def test_problem_response_carries_the_problem_media_type_and_members():
    response = problem(409, "replayed", "This webhook id was already delivered.", webhook_id="m1")

    assert response.status_code == 409
    assert response["Content-Type"] == CONTENT_TYPE
    assert json.loads(response.content) == {
        "type": "/problems/replayed",
        "title": "Conflict",
        "status": 409,
        "detail": "This webhook id was already delivered.",
        "webhook_id": "m1",
    }


def test_problem_response_passes_headers_through():
    response = problem(429, "rate-limited", headers={"Retry-After": "30"})

    assert response["Retry-After"] == "30"
    assert "detail" not in json.loads(response.content)
