"""Where a form sends the member back to: the ``next`` it carried, when that is safe.

    return redirect_back(request, fallback=event.url)

``next`` comes from the page (a hidden field, or the query string), so anyone can put anything in
it: another site (an open redirect), ``javascript:``, or a plain word such as ``home``, which
``redirect()`` would try as a URL name and fail on with a 500. Only a path on this site is
followed (``/…``, checked with ``url_has_allowed_host_and_scheme``); anything else gives the
fallback.
"""

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(fallback)


def redirect_back(request, fallback="/") -> HttpResponseRedirect:
    """A redirect to the request's safe ``next``, else to ``fallback`` (a URL, a URL name or a
    model with ``get_absolute_url``)."""
    return HttpResponseRedirect(safe_next(request, fallback))


def action_done(request, to):
    """The answer to an action: a redirect for a plain form, and for the page's script
    (``X-Requested-With: fetch``, static/js/actions.js) the address as JSON, so the script opens
    it itself and the messages the action left show on that page, not on a fetch nobody sees."""
    url = resolve_url(to)
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"location": url})
    return HttpResponseRedirect(url)
