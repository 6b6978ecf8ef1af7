"""French and Arabic: the language cookie switches the UI, and the catalogs are complete.

The catalogs live in locale/<lang>/LC_MESSAGES/; the compiled .mo files are committed, so these
tests need no gettext tools.
"""

import ast
import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["fr", "ar"]
NPLURALS = {"fr": 2, "ar": 6}
# One count per plural form, in msgstr[n] order (see the Plural-Forms header of each catalog).
PLURAL_SAMPLES = {"fr": [1, 2], "ar": [0, 1, 2, 3, 11, 100]}
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
    assert f'<a href="/stories/">{stories}</a>' in nav
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
