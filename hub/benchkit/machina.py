"""django-machina beside the hub in the bench's throughput phase: a throwaway project.

Everything lives under ``bench-results/machina`` (git-ignored): a virtualenv of its own with
django-machina 1.3.1 and the Django it supports (4.2), a minimal project this module writes at run
time, and a database of its own on the bench's PostgreSQL server (the bench database's name plus
``_machina``). The seed has the hub's throughput forum's shape (community/bench.py): one category
(in machina, a category forum holding one forum), 200 topics of 5 posts and one topic of 50
posts. Its pages are served by gunicorn with 2 sync workers, like the hub's WSGI run.

Nothing in the hub imports this but the bench; it imports no machina code itself (machina runs in
its own interpreter).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

MACHINA_REQUIREMENT = "django-machina==1.3.1"
# machina 1.3 supports Django 3.2 to 4.2; 4.2 is the LTS.
DJANGO_REQUIREMENT = "Django>=4.2,<5.0"
REQUIREMENTS = [MACHINA_REQUIREMENT, DJANGO_REQUIREMENT, "gunicorn", "psycopg[binary]>=3.1"]
PACKAGE = "machina_bench"
TOPICS = 200
POSTS_EACH = 5
LONG_POSTS = 50
# The hub shows 20 posts and 30 topics a page (community/queries.py); machina is set the same.
POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 30
MEMBER = "bench-member"


def machina_database_url(bench_database_url: str) -> str:
    """The bench database's URL with ``_machina`` after the database name."""
    parts = urlsplit(bench_database_url)
    name = parts.path.lstrip("/") or "advocate_hub_bench"
    return parts._replace(path=f"/{name}_machina").geturl()


def database_settings(database_url: str) -> dict:
    """Django's DATABASES entry for a postgres:// URL (machina's venv has no dj-database-url)."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"machina's database must be PostgreSQL, not {parts.scheme or '?'}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
    }


def settings_source(database_url: str, secret_key: str) -> str:
    """A minimal production-like machina project's settings module (DEBUG off, cached template
    loaders, sessions in the database, the middleware machina documents)."""
    database = database_settings(database_url)
    return f'''"""Written by hub/benchkit/machina.py for the throughput bench; regenerated on every run."""

from machina import MACHINA_MAIN_STATIC_DIR, MACHINA_MAIN_TEMPLATE_DIR

DEBUG = False
SECRET_KEY = {secret_key!r}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "{PACKAGE}.urls"
WSGI_APPLICATION = "{PACKAGE}.wsgi.application"
SITE_ID = 1
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {{"default": {database!r}}}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mptt",
    "haystack",
    "widget_tweaks",
    "machina",
    "machina.apps.forum",
    "machina.apps.forum_conversation",
    "machina.apps.forum_conversation.forum_attachments",
    "machina.apps.forum_conversation.forum_polls",
    "machina.apps.forum_feeds",
    "machina.apps.forum_moderation",
    "machina.apps.forum_search",
    "machina.apps.forum_tracking",
    "machina.apps.forum_member",
    "machina.apps.forum_permission",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "machina.apps.forum_permission.middleware.ForumPermissionMiddleware",
]
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [MACHINA_MAIN_TEMPLATE_DIR],
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "machina.core.context_processors.metadata",
            ],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        }},
    }}
]
CACHES = {{
    "default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "machina_attachments": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}}
HAYSTACK_CONNECTIONS = {{"default": {{"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}}}
STATIC_URL = "/static/"
STATICFILES_DIRS = [MACHINA_MAIN_STATIC_DIR]
LOGIN_URL = "/login/"
MACHINA_TOPIC_POSTS_NUMBER_PER_PAGE = {POSTS_PER_PAGE}
MACHINA_FORUM_TOPICS_NUMBER_PER_PAGE = {TOPICS_PER_PAGE}
MACHINA_DEFAULT_AUTHENTICATED_USER_FORUM_PERMISSIONS = [
    "can_see_forum",
    "can_read_forum",
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_download_file",
]
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
    "root": {{"handlers": ["console"], "level": "WARNING"}},
}}
'''


URLS_SOURCE = '''"""Written by hub/benchkit/machina.py: the forum at /forum/."""

from django.urls import include, path

urlpatterns = [path("forum/", include("machina.urls"))]
'''

WSGI_SOURCE = f'''import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{PACKAGE}.settings")
application = get_wsgi_application()
'''

# Run with machina's interpreter (django.setup() done by `manage.py shell`-free bootstrap below):
# creates what is missing, then prints the URLs to load and a fresh member session as JSON.
SEED_SOURCE = f'''"""Written by hub/benchkit/machina.py: seed machina's bench forum (idempotent), print JSON."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{PACKAGE}.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from machina.apps.forum.models import Forum  # noqa: E402
from machina.apps.forum_conversation.models import Post, Topic  # noqa: E402
from machina.apps.forum_permission.models import ForumPermission, UserForumPermission  # noqa: E402

TOPICS, POSTS_EACH, LONG_POSTS = {TOPICS}, {POSTS_EACH}, {LONG_POSTS}
BODY = "A benchmark post with **some** Markdown and a [link](https://example.com)."
LONG_SUBJECT = "Throughput: a topic of 50 posts"
User = get_user_model()
authors = []
for n in range(1, 21):
    user, created = User.objects.get_or_create(username=f"bench-forum-{{n:04d}}")
    if created:
        user.set_password("bench12345")
        user.save()
    authors.append(user)
member, created = User.objects.get_or_create(username="{MEMBER}")
if created:
    member.set_password("bench12345")
    member.save()

# Anonymous visitors may see and read every forum (members get the settings' defaults).
for codename in ("can_see_forum", "can_read_forum"):
    permission = ForumPermission.objects.get(codename=codename)
    UserForumPermission.objects.get_or_create(
        permission=permission, forum=None, anonymous_user=True, defaults={{"has_perm": True}}
    )

category, _ = Forum.objects.get_or_create(
    name="Throughput bench", defaults={{"type": Forum.FORUM_CAT, "slug": "throughput-bench"}}
)
forum, _ = Forum.objects.get_or_create(
    name="Throughput forum",
    defaults={{"type": Forum.FORUM_POST, "slug": "throughput-forum", "parent": category}},
)


def add_topic(subject, posts, n):
    topic = Topic.objects.create(
        forum=forum, subject=subject, poster=authors[n % 20], type=Topic.TOPIC_POST,
        status=Topic.TOPIC_UNLOCKED, approved=True,
    )
    for number in range(posts):
        Post.objects.create(
            topic=topic, poster=authors[(n + number) % 20], subject=subject,
            content=BODY, approved=True,
        )
    return topic


long_topic = Topic.objects.filter(forum=forum, subject=LONG_SUBJECT).first()
if long_topic is None:
    for n in range(TOPICS):
        add_topic(f"Bench topic {{n}}", POSTS_EACH, n)
    long_topic = add_topic(LONG_SUBJECT, LONG_POSTS, TOPICS)

client = Client()
client.force_login(member)
topic_url = reverse(
    "forum_conversation:topic",
    kwargs={{"forum_slug": forum.slug, "forum_pk": forum.pk, "slug": long_topic.slug,
            "pk": long_topic.pk}},
)
json.dump(
    {{
        "category": reverse("forum:forum", kwargs={{"slug": forum.slug, "pk": forum.pk}}),
        "topic": topic_url,
        "index": reverse("forum:index"),
        "session_cookie": f"sessionid={{client.cookies['sessionid'].value}}",
        "topics": Topic.objects.filter(forum=forum).count(),
        "posts": Post.objects.filter(topic__forum=forum).count(),
    }},
    sys.stdout,
)
'''


def write_project(root: Path, database_url: str, secret_key: str) -> Path:
    """Write the project under ``root/project`` (every run: settings follow the database URL)."""
    project = root / "project"
    package = project / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(settings_source(database_url, secret_key))
    (package / "urls.py").write_text(URLS_SOURCE)
    (package / "wsgi.py").write_text(WSGI_SOURCE)
    (project / "seed.py").write_text(SEED_SOURCE)
    (project / "manage.py").write_text(
        "import os\nimport sys\n\n"
        f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{PACKAGE}.settings")\n'
        "from django.core.management import execute_from_command_line\n\n"
        "execute_from_command_line(sys.argv)\n"
    )
    return project


def venv_python(root: Path) -> Path:
    return root / "venv" / "bin" / "python"


def ensure_venv(root: Path, log) -> Path:
    """A virtualenv with machina in it (created and filled from PyPI on first use)."""
    python = venv_python(root)
    probe = [str(python), "-c", "import machina, gunicorn, psycopg, django"]
    found = python.exists() and subprocess.run(probe, capture_output=True)  # noqa: S603
    if found and found.returncode == 0:
        return python
    log(
        f"creating machina's virtualenv in {root / 'venv'} ({MACHINA_REQUIREMENT}, {DJANGO_REQUIREMENT})"
    )
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603  (machina's own virtualenv, fixed requirements)
        [str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
        check=True,
    )
    return python


def prepare(root: Path, database_url: str, secret_key: str, log) -> dict:
    """Venv, project, migrated and seeded database; returns the URLs to load and the member's
    session cookie (``{"category", "topic", "index", "session_cookie", "topics", "posts"}``)."""
    python = ensure_venv(root, log)
    project = write_project(root, database_url, secret_key)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"{PACKAGE}.settings",
        "PYTHONPATH": str(project),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603  (machina's interpreter, the project written above)
        [str(python), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=project,
        env=env,
        check=True,
    )
    seeded = subprocess.run(  # noqa: S603
        [str(python), "seed.py"], cwd=project, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def server_command(root: Path, port: int, workers: int = 2) -> tuple[list[str], Path]:
    """gunicorn with ``workers`` sync workers serving the machina project, and its directory."""
    project = root / "project"
    command = [
        str(venv_python(root)),
        "-m",
        "gunicorn",
        f"{PACKAGE}.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return command, project
