"""One search for everything: the kinds of content each app offers, found and ranked together.

Each app registers a source from its ``AppConfig.ready()`` (hub never imports them): a kind code,
a label, ``results(words, viewer, partial=False)`` giving the search results of what ``viewer``
may see (Wagtail's search, so SQLite FTS5 or PostgreSQL full text, with its relevance score; with
``partial`` Wagtail's autocomplete, where the last word may be the start of one: "stov"), and ``hits(objects,
words)`` turning a page of them into :class:`Hit` in one or two queries. Hidden, deleted, pending
and restricted items are the source's to leave out: the site search shows what a source returns.

``/search/`` shows the best few of every kind in one list, ranked by score, with a filter per kind
(then paged); the header's box asks ``/search/suggest/`` as people type.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString, mark_safe

from .search import WORD, search_words

SNIPPET_LENGTH = 220
PER_KIND = 5  # of each kind on the "everything" list
SUGGESTIONS = 8


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    text: str = ""  # plain text to cut a snippet from
    when: datetime | None = None
    score: float = 0.0
    meta: str = ""  # e.g. a topic's category, a review's product
    label: str = field(default="", repr=False)


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # a lazy translation: "Forum topics"
    results: Callable  # (words, viewer, partial=False) -> Wagtail search results
    hits: Callable  # (objects, words) -> [Hit or None], in the objects' order (None: not shown)
    order: int = 100
    suggest: bool = True  # offered as people type (needs an AutocompleteField)


_sources: dict[str, Source] = {}


def register_source(
    kind: str, label, *, results: Callable, hits: Callable, order: int = 100, suggest=True
) -> None:
    _sources[kind] = Source(
        kind=kind, label=label, results=results, hits=hits, order=order, suggest=suggest
    )


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.kind))


def source(kind: str) -> Source | None:
    return _sources.get(kind)


def _scored(found, src: Source, words: str, limit: int) -> list[Hit]:
    objects = list(found.annotate_score("_score")[:limit])
    hits = []
    for obj, hit in zip(objects, src.hits(objects, words), strict=True):
        if hit is not None:
            hit.score = float(getattr(obj, "_score", 0) or 0)
            hit.kind, hit.label = src.kind, str(src.label)
            hits.append(hit)
    return hits


def search_everything(query: str, viewer, per_kind: int = PER_KIND) -> tuple[list[Hit], dict]:
    """The best ``per_kind`` hits of every kind, best first overall, and how many each kind has
    ({kind: count}); about two queries per kind whatever the data."""
    words = search_words(query)
    if not words:
        return [], {}
    merged, counts = [], {}
    for src in sources():
        found = src.results(words, viewer)
        counts[src.kind] = found.count()
        if counts[src.kind]:
            merged += _scored(found, src, words, per_kind)
    # Scores from different tables are close enough to rank by; ties keep the newer first.
    merged.sort(key=lambda hit: (-hit.score, -(hit.when.timestamp() if hit.when else 0)))
    return merged, counts


def search_kind(query: str, viewer, kind: str):
    """(the kind's search results, a function turning a page of them into hits)."""
    src = _sources[kind]
    words = search_words(query)
    found = src.results(words, viewer) if words else []

    def to_hits(objects) -> list[Hit]:
        hits = [hit for hit in src.hits(list(objects), words) if hit is not None]
        for hit in hits:
            hit.kind, hit.label = src.kind, str(src.label)
        return hits

    return found, to_hits


def suggestions(query: str, viewer) -> list[Hit]:
    """The best few titles starting with what was typed so far, across the kinds that offer
    suggestions: one query per kind."""
    words = search_words(query)
    if not words:
        return []
    hits = []
    for src in sources():
        if src.suggest:
            hits += _scored(src.results(words, viewer, partial=True), src, words, 3)
    hits.sort(key=lambda hit: -hit.score)
    return hits[:SUGGESTIONS]


# --- Highlighting --------------------------------------------------------------------------------
def _pattern(words: str) -> re.Pattern | None:
    terms = sorted({w.casefold() for w in WORD.findall(words)}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def highlight(text: str, words: str) -> SafeString:
    """``text`` escaped, with every searched word wrapped in ``<mark>``."""
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(html.escape(text))  # noqa: S308 (escaped just now)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def snippet(text: str, words: str, length: int = SNIPPET_LENGTH) -> str:
    """About ``length`` characters of ``text`` around the first searched word."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    start = max(0, (match.start() if match else 0) - length // 3)
    cut = text[start : start + length]
    return ("…" if start else "") + cut + ("…" if start + length < len(text) else "")
