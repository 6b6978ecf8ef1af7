"""The header navigation: apps register the sections they provide, so only existing ones show."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from hub.i18n import localized_path


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str | Callable[[], str | None]
    order: int

    def resolve(self) -> str | None:
        if callable(self.url):
            return self.url()
        try:
            return reverse(self.url)
        except NoReverseMatch:
            return None


_items: dict[str, NavItem] = {}


def register_nav_item(key: str, label, url, *, order: int) -> None:
    """Add a top-level section from an AppConfig.ready().

    ``url`` is a URL name, or a callable returning the URL or None while the section has no page
    yet (a Wagtail index page editors have not published). Registering a key again replaces it.
    """
    _items[key] = NavItem(key=key, label=label, url=url, order=order)


def has_section(key: str) -> bool:
    """Whether an app registered the section ``key`` (the forum, the events…)."""
    return key in _items


def nav_items(current_path: str = "") -> list[dict]:
    items = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        url = item.resolve()
        if url:
            # A page's own URL has no language prefix: keep the reader in theirs (/he/stories/).
            url = localized_path(url, get_language())
            current = url != "/" and current_path.startswith(url)
            items.append({"key": item.key, "label": item.label, "url": url, "current": current})
    return items
