"""Problem details (RFC 9457): the one error body every machine-facing endpoint answers with.

    return problem(400, "invalid-signature", _("The signature does not match."))

The ``type`` is a URI under ``/problems/`` naming the kind of error, so a client can switch on it;
``title`` is the short, stable summary of that kind and ``detail`` this occurrence's explanation.
Extra members (``errors``, ``retry_after``…) go in ``extra``.
"""

from http import HTTPStatus

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int, kind: str, detail: str = "", *, title: str = "", **extra: object
) -> dict:
    body = {
        "type": f"/problems/{kind}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    return body


def problem(
    status: int,
    kind: str,
    detail: str = "",
    *,
    title: str = "",
    headers: dict | None = None,
    **extra: object,
) -> JsonResponse:
    """A ``JsonResponse`` carrying a problem-details body with its own media type."""
    return JsonResponse(
        problem_body(status, kind, detail, title=title, **extra),
        status=status,
        content_type=CONTENT_TYPE,
        headers=headers,
    )
