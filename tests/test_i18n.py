"""The eight languages: how a request's language is chosen, the catalogs are complete, plural
forms follow Django's formulas, templates mark their text, and no English is left on a page.

The catalogs live in locale/<lang>/LC_MESSAGES/; the compiled .mo files are committed, so these
tests need no gettext tools.
"""

import ast
import gettext as gnu_gettext
import html.parser
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["fr", "ar", "ka", "af", "he", "hy", "fi"]
NPLURALS = {"fr": 2, "ar": 6, "ka": 2, "af": 2, "he": 4, "hy": 2, "fi": 2}
# One count per plural form, in msgstr[n] order (see the Plural-Forms header of each catalog).
PLURAL_SAMPLES = {
    "fr": [1, 2],
    "ar": [0, 1, 2, 3, 11, 100],
    "ka": [1, 2],
    "af": [1, 2],
    "he": [1, 2, 20, 5],
    "hy": [1, 2],
    "fi": [1, 2],
}
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request with a language cookie activates that language in this thread and leaves it
    active; put the default back so later tests' gettext() calls are not in Arabic."""
    yield
    translation.deactivate()


def catalog_path(lang: str, ext: str = "po") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES" / f"django.{ext}"


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"msgid", "msgid_plural", "msgstr": {index: text}, "flags"}."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                field = int(match[1])
                entry["msgstr"][field] = text
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = text
            else:
                field = keyword
                entry[field] = text
    return entries


def header(entries: list[dict]) -> dict[str, str]:
    (head,) = [e for e in entries if e["msgid"] == ""]
    fields = (line.partition(":") for line in head["msgstr"][0].splitlines())
    return {name.strip(): value.strip() for name, _, value in fields}


def messages(lang: str) -> list[dict]:
    return [e for e in parse_po(catalog_path(lang)) if e["msgid"] != ""]


def get_page(client, path: str, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


# --- Pages in each language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "direction", "skip_link", "stories"),
    [
        ("en", "ltr", "Skip to content", "Stories"),
        ("fr", "ltr", "Aller au contenu", "Histoires"),
        ("ar", "rtl", "الانتقال إلى المحتوى", "القصص"),
    ],
)
def test_home_page_follows_the_language_cookie(
    client, site_tree, lang, direction, skip_link, stories
):
    html = get_page(client, "/", lang)

    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f'<a class="skip-link" href="#main">{skip_link}</a>' in html
    nav = html[html.index('<nav id="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    # Links keep the reader's language: /fr/stories/ for a French reader, /stories/ in English.
    prefix = "" if lang == "en" else f"/{lang}"
    assert f'<a href="{prefix}/stories/">{stories}</a>' in nav
    # The footer's switcher shows the active language as selected.
    assert re.search(rf'<option value="{lang}" selected lang="{lang}">', html)


def test_arabic_home_page_has_no_english_chrome(client, site_tree):
    html = get_page(client, "/", "ar")

    for english in ("Skip to content", ">Sign in<", ">Join<", ">Language<", ">Change<"):
        assert english not in html
    for arabic in ("تسجيل الدخول", "انضم", "اللغة", "تغيير"):
        assert arabic in html


def test_login_page_in_french(client, site_tree):
    html = get_page(client, "/accounts/login/", "fr")

    assert '<html lang="fr" dir="ltr">' in html
    assert '<label for="id_login">Nom d’utilisateur ou e-mail</label>' in html
    assert "Username or e-mail" not in html


def test_login_page_in_arabic(client, site_tree):
    html = get_page(client, "/accounts/login/", "ar")

    assert '<html lang="ar" dir="rtl">' in html
    assert '<label for="id_login">اسم المستخدم أو البريد الإلكتروني</label>' in html


def test_language_switcher_sets_the_cookie(client, site_tree):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/").content.decode()


# --- The catalogs ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_header(lang):
    fields = header(parse_po(catalog_path(lang)))

    assert fields["Language"] == lang
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert f"nplurals={NPLURALS[lang]};" in fields["Plural-Forms"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    entries = messages(lang)

    assert len(entries) > 150
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        expected_forms = NPLURALS[lang] if entry["msgid_plural"] is not None else 1
        assert sorted(entry["msgstr"]) == list(range(expected_forms)), entry["msgid"]
        for text in entry["msgstr"].values():
            assert text.strip(), f"untranslated: {entry['msgid']!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_markup(lang):
    for entry in messages(lang):
        source = entry["msgid"] + (entry["msgid_plural"] or "")
        allowed = set(PLACEHOLDER.findall(source))
        for index, text in entry["msgstr"].items():
            used = set(PLACEHOLDER.findall(text))
            assert used <= allowed, (entry["msgid"], index)
            if entry["msgid_plural"] is None:
                assert used == allowed, entry["msgid"]
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(entry["msgid"]))
            assert text.count("%%") == entry["msgid"].count("%%"), entry["msgid"]
    # Plural forms may spell out small counts ("إشعاران"), but the open-ended ones show it.
    for entry in messages(lang):
        if entry["msgid_plural"] is not None:
            counter = set(PLACEHOLDER.findall(entry["msgid_plural"]))
            last = entry["msgstr"][NPLURALS[lang] - 1]
            assert counter <= set(PLACEHOLDER.findall(last)), entry["msgid"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(lang):
    """The committed .mo is up to date, and Django serves our strings (not a library's)."""
    mo_path = catalog_path(lang, "mo")
    assert mo_path.exists(), "run: manage.py compilemessages --ignore=.venv"
    with mo_path.open("rb") as mo_file:
        compiled = gnu_gettext.GNUTranslations(mo_file)

    with translation.override(lang):
        for entry in messages(lang):
            msgid, plural, context = entry["msgid"], entry["msgid_plural"], entry["msgctxt"]
            if plural is None and context is None:
                expected = entry["msgstr"][0]
                assert compiled.gettext(msgid) == expected, msgid
                assert translation.gettext(msgid) == expected, msgid
            elif plural is None:
                expected = entry["msgstr"][0]
                assert compiled.pgettext(context, msgid) == expected, msgid
                assert translation.pgettext(context, msgid) == expected, msgid
            else:
                for index, n in enumerate(PLURAL_SAMPLES[lang]):
                    expected = entry["msgstr"][index]
                    if context is None:
                        assert compiled.ngettext(msgid, plural, n) == expected, (msgid, n)
                        assert translation.ngettext(msgid, plural, n) == expected, (msgid, n)
                    else:
                        got = compiled.npgettext(context, msgid, plural, n)
                        assert got == expected, (msgid, n)
                        got = translation.npgettext(context, msgid, plural, n)
                        assert got == expected, (msgid, n)


def test_arabic_plural_forms():
    with translation.override("ar"):
        forms = [
            translation.ngettext("%(count)d new notification", "%(count)d new notifications", n)
            % {"count": n}
            for n in (1, 2, 5, 11, 100, 103)
        ]
    assert forms == [
        "إشعار جديد واحد",
        "إشعاران جديدان",
        "5 إشعارات جديدة",
        "11 إشعارًا جديدًا",
        "100 إشعار جديد",
        "103 إشعارات جديدة",
    ]


# --- Plural forms: Django's formula for each language ---------------------------------------

PLURAL_COUNTS = [0, 1, 2, 5, 11, 21, 100]


def django_plural_formula(lang: str):
    """The plural function Django's own catalog for ``lang`` declares."""
    import django

    path = Path(django.__file__).parent / "conf" / "locale" / lang / "LC_MESSAGES" / "django.po"
    fields = header(parse_po(path))
    expression = fields["Plural-Forms"].split("plural=", 1)[1].rstrip(";")
    return gnu_gettext.c2py(expression)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_pick_the_form_djangos_formula_gives(lang):
    formula = django_plural_formula(lang)
    fields = header(parse_po(catalog_path(lang)))
    ours = gnu_gettext.c2py(fields["Plural-Forms"].split("plural=", 1)[1].rstrip(";"))
    expected = [formula(n) for n in PLURAL_COUNTS]

    assert [ours(n) for n in PLURAL_COUNTS] == expected
    assert max(expected) < NPLURALS[lang]
    # What Django serves at run time (its catalogs merged with ours) picks that form of ours.
    plural_entries = [e for e in messages(lang) if e["msgid_plural"] and e["msgctxt"] is None]
    entry = next(e for e in plural_entries if "%(count)d" in e["msgid"])
    with translation.override(lang):
        for n, index in zip(PLURAL_COUNTS, expected, strict=True):
            if entry["msgstr"].get(index):
                got = translation.ngettext(entry["msgid"], entry["msgid_plural"], n)
                assert got == entry["msgstr"][index], (n, index)


def test_hebrew_has_four_plural_forms():
    formula = django_plural_formula("he")
    assert [formula(n) for n in (1, 2, 20, 100, 5, 11, 21)] == [0, 1, 2, 2, 3, 3, 3]


# --- Every template string is marked for translation ----------------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
TEMPLATE_CODE = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}"
    r"|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}",
    re.S,
)
LETTERS = re.compile(r"[^\W\d_]{2,}")
TRANSLATED_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label", "content"}
# Text that is the same in every language: symbols, product names, code, formats.
ALLOWED_TEXT = {
    "OK",
    "NPS",
    "CSV",
    "XLSX",
    "ICS",
    "QR",
    "API",
    "JSON",
    "URL",
    "Markdown",
    "Wagtail",
    "GMT",
    "ahk_",
    "whsec_",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "Standard Webhooks",
    "Authorization: Bearer",
    "Idempotency-Key",
    "HMAC-SHA256",
    "Bearer",
    "Content-Type",
    "application/json",
    "POST",
    "GET",
    "SVG",
    "PNG",
    "RSS",
    "Swagger UI",
    "Redoc",
    "OpenAPI",
    "Google",
    "Outlook",
    "page-home",
}
# Templates the check does not read, and why.
UNCHECKED_TEMPLATES = {
    # Chooses its tag name with {% if %} inside the "<…>", which no HTML parser can read.
    "allauth/elements/button.html": "template logic inside a tag",
}
# Meta tags whose content is not prose (theme colour, twitter card type, …).
MACHINE_META = {"theme-color", "twitter:card", "viewport", "og:type", "robots"}


class VisibleText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "svg"):
            self.skip += 1
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("name") or attributes.get("property")) in MACHINE_META:
            return
        for name, value in attrs:
            if name in TRANSLATED_ATTRIBUTES and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "svg") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.found.append(data)


def unmarked_text(source: str) -> list[str]:
    """Visible words in a template that no {% translate %} / {% blocktranslate %} covers."""
    parser = VisibleText()
    parser.feed(TEMPLATE_CODE.sub(" ", source))
    texts = []
    for text in parser.found:
        text = " ".join(text.split())
        for allowed in sorted(ALLOWED_TEXT, key=len, reverse=True):
            text = text.replace(allowed, " ")
        if LETTERS.search(text):
            texts.append(text.strip())
    return texts


def test_the_scanner_finds_unmarked_text():
    assert unmarked_text("<p>Hello there</p>") == ["Hello there"]
    assert unmarked_text('<img alt="A photo">') == ["A photo"]
    assert (
        unmarked_text(
            '<p>{% translate "Hello" %} {{ name }}</p><b title="{% translate "x" %}">·</b>'
        )
        == []
    )
    assert unmarked_text("<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>") == []


@pytest.mark.parametrize(
    "path",
    sorted(
        str(p.relative_to(TEMPLATES_DIR))
        for p in TEMPLATES_DIR.rglob("*.html")
        if str(p.relative_to(TEMPLATES_DIR)) not in UNCHECKED_TEMPLATES
    ),
)
def test_every_template_string_is_marked_for_translation(path):
    source = (TEMPLATES_DIR / path).read_text(encoding="utf-8")
    assert unmarked_text(source) == []


# --- No English left on the main pages, in each language ------------------------------------


@pytest.fixture
def main_pages(site_tree, member):
    """Every main page of the site, with something on it: {name: (path, signed in?)}."""
    from community.models import Category
    from events.models import EventIndexPage
    from hub.notifications.services import ANNOUNCEMENT, notify
    from hub.rewards.models import Perk
    from tests.community.factories import make_topic
    from tests.events.factories import make_event
    from tests.factories import make_story
    from tests.feedback.factories import ProductFactory, make_idea, make_review

    home, stories = site_tree
    story = make_story(stories, title="Ridge jacket?", author=member)
    category = Category.objects.create(slug="trails", name="Trails")
    topic = make_topic(category, member, title="Best trail", posts=2)
    product = ProductFactory(name="Ridge jacket", slug="ridge-jacket")
    make_review(product, member, title="Warm", body="Warm and light.")
    make_idea(member, title="Longer laces")
    events = EventIndexPage(title="Events", slug="events")
    home.add_child(instance=events)
    events.save_revision().publish()
    event = make_event(events, title="Trail day")
    Perk.objects.create(slug="discount", title="Discount", cost=100, shared_code="TRAIL15")
    notify(member, ANNOUNCEMENT, text="Trail day on Saturday", url="/events/")
    return {
        "home": ("/", False),
        "story": (story.url, False),
        "forum index": ("/community/", False),
        "topic": (topic.get_absolute_url(), False),
        "products": ("/products/", False),
        "product": (product.get_absolute_url(), False),
        "ideas": ("/ideas/", False),
        "events": (events.url, False),
        "event": (event.url, False),
        "leaderboard": ("/leaderboard/", True),
        "perks": ("/perks/", True),
        "points": ("/points/", True),
        "notifications": ("/notifications/", True),
        "sign-in": ("/accounts/login/", False),
    }


class PageText(VisibleText):
    """The text a reader sees (and hears: alt, title, aria-label), without the footer's
    language menu, which names each language in its own language on purpose."""

    def __init__(self):
        super().__init__()
        self.in_menu = 0

    def handle_starttag(self, tag, attrs):
        if tag == "select" and ("name", "language") in attrs:
            self.in_menu += 1
        if not self.in_menu:
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "select" and self.in_menu:
            self.in_menu -= 1
        super().handle_endtag(tag)

    def handle_data(self, data):
        if not self.in_menu:
            super().handle_data(data)


def english_interface_strings() -> set[str]:
    """The English msgids of the catalogs, as they would show untranslated (no placeholders),
    and those of the strings marked since the catalogs were last extracted."""
    return {
        entry["msgid"]
        for entry in messages("fr")
        if entry["msgid_plural"] is None
        and "%" not in entry["msgid"]
        and "<" not in entry["msgid"]
        and LETTERS.search(entry["msgid"])
        # A language's name and one-word symbols are the same in English and elsewhere.
        and entry["msgid"] not in {"English", "OK", settings.WAGTAIL_SITE_NAME}
    }


def english_left(page: str, lang: str, english: set[str]) -> list[str]:
    """The English msgids showing on ``page`` that ``lang``'s catalog does not translate (no
    entry, or an empty one). A translation equal to the English ("Menu" in French, "Status"
    in Afrikaans) is a translator's choice, not something left over."""
    parser = PageText()
    parser.feed(page)
    texts = [" ".join(text.split()) for text in parser.found]
    texts = [text for text in texts if text]
    translated = {
        entry["msgid"]
        for entry in messages(lang)
        if entry["msgctxt"] is None and entry["msgstr"].get(0, "").strip()
    }
    left = set()
    for msgid in english - translated:
        for text in texts:
            if text == msgid or (len(msgid.split()) >= 3 and msgid in text):
                left.add(msgid)
    return sorted(left)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_pages_have_no_english_interface_string_left(client, main_pages, member, lang):
    english = english_interface_strings()
    member.language = lang
    member.save(update_fields=["language"])
    found = {}
    for name, (path, signed_in) in main_pages.items():
        if signed_in:
            client.force_login(member)
        else:
            client.logout()
        html = get_page(client, f"/{lang}{path}", lang)
        assert f'<html lang="{lang}"' in html, name
        if left := english_left(html, lang, english):
            found[name] = left
    assert found == {}, f"untranslated interface strings in {lang}: {found}"


# --- How a request's language is chosen ------------------------------------------------------


def test_a_language_prefix_serves_that_language(client, site_tree):
    html = client.get("/he/").content.decode()
    assert '<html lang="he" dir="rtl">' in html
    # Its links stay in Hebrew, pages' own addresses included.
    assert 'href="/he/stories/"' in html
    assert client.get("/fi/community/").headers["Content-Language"] == "fi"


def test_unprefixed_addresses_follow_the_cookie_then_the_browser(client, site_tree):
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()
    assert '<html lang="ka"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ka,en;q=0.5").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hy"
    assert '<html lang="hy"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ka").content.decode()


def test_a_members_own_language_beats_the_cookie_but_not_the_address(member_client, member):
    member.language = "he"
    member.save(update_fields=["language"])
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert '<html lang="he" dir="rtl">' in member_client.get("/community/").content.decode()
    assert '<html lang="fi"' in member_client.get("/fi/community/").content.decode()


def test_every_existing_unprefixed_address_still_answers_in_english(client, site_tree):
    for path in ("/", "/community/", "/products/", "/ideas/", "/accounts/login/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="en"' in response.content.decode()


def test_admin_and_api_stay_unprefixed(client, site_tree):
    assert client.get("/he/admin/").status_code == 404
    assert client.get("/healthz").status_code == 200


def test_pages_carry_hreflang_alternates_for_every_language(client, site_tree):
    html = client.get("/community/").content.decode()

    for code in ["en", *LANGUAGES]:
        prefix = "" if code == "en" else f"/{code}"
        expected = (
            f'<link rel="alternate" hreflang="{code}" href="http://testserver{prefix}/community/">'
        )
        assert expected in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/community/">' in html
    # The same links from the Hebrew address.
    assert (
        'hreflang="ka" href="http://testserver/ka/community/"'
        in client.get("/he/community/").content.decode()
    )


def test_sitemap_carries_each_pages_alternates(client, site_tree):
    from tests.factories import make_story

    _, stories = site_tree
    story = make_story(stories, title="Packing light")

    body = client.get("/sitemap.xml").content.decode()

    path = story.url
    assert f'hreflang="he" href="http://localhost/he{path}"' in body
    assert f'hreflang="x-default" href="http://localhost{path}"' in body


def test_the_footer_menu_saves_a_members_language(member_client, member):
    response = member_client.post("/i18n/setlang/", {"language": "ka", "next": "/community/"})

    assert response.status_code == 302
    assert response["Location"] == "/ka/community/"
    member.refresh_from_db()
    assert member.language == "ka"
    # Without the cookie, on any unprefixed address, the member still reads Georgian.
    member_client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert '<html lang="ka"' in member_client.get("/community/").content.decode()


def test_the_footer_menu_names_each_language_in_its_own_language(client, site_tree):
    html = get_page(client, "/", "en")
    for code, autonym in [("he", "עברית"), ("ka", "ქართული"), ("hy", "հայերեն"), ("fi", "suomi")]:
        assert f'lang="{code}">{autonym}</option>' in html


def test_account_settings_change_a_members_language(member_client, member):
    response = member_client.post(
        "/accounts/profile/",
        {"display_name": "Ana", "bio": "", "language": "fi", "show_on_leaderboard": "on"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fi"


def test_signing_up_stores_the_language_of_the_request(client, site_tree):
    from hub.accounts.models import User

    response = client.post(
        "/he/accounts/signup/",
        {
            "email": "dana@example.com",
            "username": "dana",
            "password1": "a long pass phrase 91",
            "password2": "a long pass phrase 91",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="dana").language == "he"


# --- One date style ---------------------------------------------------------------------------


def test_dates_are_relative_when_recent_and_spelled_out_otherwise():
    import datetime

    from django.utils import timezone

    from hub.templatetags.hub_i18n import when

    now = timezone.now()
    with translation.override("en"):
        assert when(now - datetime.timedelta(minutes=5)) == "5\xa0minutes ago"
        assert when(now - datetime.timedelta(days=400)) == (
            __import__("django.utils.formats", fromlist=["x"]).date_format(
                timezone.localtime(now - datetime.timedelta(days=400)), "DATE_FORMAT"
            )
        )
    with translation.override("fr"):
        old = timezone.make_aware(datetime.datetime(2026, 5, 12, 9, 0))
        assert when(old) == "12 mai 2026"
        assert "/" not in when(old)


def test_the_points_page_spells_its_dates_out(member_client, member):
    import datetime

    from django.utils import timezone

    from hub.rewards.models import PointsEntry
    from hub.rewards.services import adjust

    adjust(member, 10, reason="Welcome", by=None)
    PointsEntry.objects.filter(user=member).update(
        created=timezone.make_aware(datetime.datetime(2026, 5, 12, 9, 0))
    )
    html = get_page(member_client, "/points/", "fr")
    assert "12 mai 2026" in html
    assert "12/05/2026" not in html


# --- The libraries' strings we translate ourselves -------------------------------------------


def test_make_messages_extracts_the_library_strings():
    """`make messages` must read hub/i18n/library_strings.py (none of its --ignore patterns
    matches it), and the module marks allauth's and Wagtail's exact msgids."""
    import fnmatch

    from hub.i18n import library_strings

    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    ignored = re.findall(r"--ignore='([^']+)'", makefile)
    assert ignored
    assert not any(fnmatch.fnmatch("hub/i18n/library_strings.py", pattern) for pattern in ignored)
    assert 100 < len(library_strings.ALLAUTH) + len(library_strings.WAGTAIL) < 600
    assert "Forgot your password?" in library_strings.ALLAUTH
    assert "Pages awaiting moderation" in library_strings.WAGTAIL or any(
        "moderation" in str(s) for s in library_strings.WAGTAIL
    )
