"""The site's search backend: Wagtail's database backend, fed words and never query syntax.

``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "hub.search"`` puts every search through it: the
site search, the forum search and every search box of the Wagtail admin. The database backend
(SQLite FTS5 on the embedded default, PostgreSQL full text in production) hands a term such as
``"unterminated``, ``javascript:`` or ``NEAR(a b)`` to the database's own query language, where
quotes, colons, stars and operators mean something and a stray one is a syntax error. Here a
search is the words it contains (letters and digits in any script), at most ``MAX_TERMS`` of
them: what a member typed is looked for, whatever characters surround it.

On PostgreSQL, text is indexed twice: with the text-search configuration of its language (a
page's locale; otherwise the site's default language), which stems words ("jackets" finds
"jacket", Finnish "takeissa" finds "takki"), and with ``simple``, which keeps every word as it
is written. A search uses the configuration of the reader's language where PostgreSQL has one
(``pg_ts_config``: english, french, finnish, arabic, armenian) or ``simple`` otherwise
(Georgian, Hebrew, Afrikaans), and always ``simple`` as well: a word in any script is found as
written, whatever the reader's language.
"""

import re
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value
from django.utils import translation
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


# PostgreSQL's text-search configuration per language code, where it has one.
TEXT_SEARCH_CONFIGS = {
    "en": "english",
    "fr": "french",
    "fi": "finnish",
    "ar": "arabic",
    "hy": "armenian",
    "he": "hebrew",
    "ka": "georgian",
    "af": "afrikaans",
}
SIMPLE = "simple"


@cache
def _installed_configs() -> frozenset[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        return frozenset(row[0] for row in cursor.fetchall())


def text_search_config(language: str | None) -> str:
    """The PostgreSQL configuration for ``language``: its own where installed, else simple."""
    name = TEXT_SEARCH_CONFIGS.get((language or "").split("-")[0])
    return name if name and name in _installed_configs() else SIMPLE


@cache
def _locale_codes() -> dict[int, str]:
    from wagtail.models import Locale

    return dict(Locale.objects.values_list("pk", "language_code"))


def language_of_object(obj) -> str:
    """The language ``obj`` is written in, as far as the site knows: a page's locale, else the
    site's default language."""
    locale_id = getattr(obj, "locale_id", None)
    if locale_id is not None:
        code = _locale_codes().get(locale_id)
        if code is None:
            _locale_codes.cache_clear()
            code = _locale_codes().get(locale_id)
        if code:
            return code
    return settings.LANGUAGE_CODE


@cache
def _postgres_classes():
    """Built once: SearchBackend() runs for every search, and each run installs the indexer into
    modelsearch's module, so a class built per call would subclass the previous call's (and its
    as_vector recurse once per search ever made, until Python's recursion limit)."""
    from modelsearch.backends.database.postgres import postgres

    class ObjectIndexer(postgres.ObjectIndexer):
        def as_vector(self, texts, for_autocomplete=False):
            if for_autocomplete:
                return super().as_vector(texts, for_autocomplete=True)
            texts = [(text.strip(), weight) for text, weight in texts]
            texts = [(text, weight) for text, weight in texts if text]
            if not texts:
                return postgres.EMPTY_VECTOR
            configs = dict.fromkeys([text_search_config(language_of_object(self.obj)), SIMPLE])
            return postgres.ADD(
                [
                    SearchVector(Value(text, output_field=TextField()), weight=weight, config=cfg)
                    for text, weight in texts
                    for cfg in configs
                ]
            )

    class QueryCompiler(postgres.PostgresSearchQueryCompiler):
        def build_tsquery(self, query, config=None):
            reader = text_search_config(translation.get_language())
            simple = self.build_tsquery_content(query, config=SIMPLE)
            if reader == SIMPLE or simple is None:
                return simple
            return self.build_tsquery_content(query, config=reader) | simple

    return postgres, ObjectIndexer, QueryCompiler


def SearchBackend(params):  # noqa: N802  (Wagtail looks the backend up by this name)
    backend = DatabaseSearchBackend(params)
    if connection.vendor == "postgresql":
        postgres, indexer_class, compiler_class = _postgres_classes()
        # PostgresIndex.add_items builds its indexers from this module-level name.
        postgres.ObjectIndexer = indexer_class
        backend.query_compiler_class = compiler_class
    search = backend._search

    def words_only(query_compiler_class, query, model_or_queryset, **kwargs):
        query = only_words(query)
        if query is None:
            return EmptySearchResults()
        return search(query_compiler_class, query, model_or_queryset, **kwargs)

    backend._search = words_only
    return backend
