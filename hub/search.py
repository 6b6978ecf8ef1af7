"""The site's search backend: Wagtail's database backend, fed words and never query syntax.

``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "hub.search"`` puts every search through it: the
site search, the forum search and every search box of the Wagtail admin. The database backend
(SQLite FTS5 on the embedded default, PostgreSQL full text in production) hands a term such as
``"unterminated``, ``javascript:`` or ``NEAR(a b)`` to the database's own query language, where
quotes, colons, stars and operators mean something and a stray one is a syntax error. Here a
search is the words it contains (letters and digits in any script), at most ``MAX_TERMS`` of
them: what a member typed is looked for, whatever characters surround it.
"""

import re

from modelsearch.backends.base import EmptySearchResults
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12
MAX_TERM_LENGTH = 60


def search_words(text) -> str:
    """The words of ``text`` joined by spaces: ``'"C++" OR name:x'`` gives ``'C OR name x'``.
    Operators that survive as words (OR, AND, NOT) are harmless: the backends quote every word."""
    if not isinstance(text, str):
        return ""
    return " ".join(word[:MAX_TERM_LENGTH] for word in WORD.findall(text)[:MAX_TERMS])


def only_words(query):
    """``query`` (a string or a search-query tree) with every text reduced to its words; None
    when nothing is left to look for."""
    if query is None or isinstance(query, str):
        return search_words(query) or None
    if isinstance(query, MatchAll):
        return query
    if isinstance(query, (PlainText, Fuzzy, Phrase)):
        query.query_string = search_words(query.query_string)
        return query if query.query_string else None
    if isinstance(query, (And, Or)):
        kept = [q for q in (only_words(sub) for sub in query.subqueries) if q is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else type(query)(kept)
    if isinstance(query, (Not, Boost)):
        inner = only_words(query.subquery)
        if inner is None:
            return None
        query.subquery = inner
        return query
    return None  # a kind of query this site never builds: search for nothing rather than guess


def SearchBackend(params):  # noqa: N802  (Wagtail looks the backend up by this name)
    backend = DatabaseSearchBackend(params)
    search = backend._search

    def words_only(query_compiler_class, query, model_or_queryset, **kwargs):
        query = only_words(query)
        if query is None:
            return EmptySearchResults()
        return search(query_compiler_class, query, model_or_queryset, **kwargs)

    backend._search = words_only
    return backend
