"""Production profile: refuses to start without the secrets it needs, and turns on every HTTPS guard."""

import sys

from .base import *

DEBUG = env_bool("DEBUG", False)
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
DEMO_DATA_ALLOWED = False

_missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not os.environ.get(name)]
if _missing:
    # A clear line on stderr and exit status 1, not a traceback, for whoever starts the server.
    sys.exit(
        "Advocate Hub refuses to start: production settings need the environment variable(s) "
        + ", ".join(_missing)
        + ". See .env.example and the README's 'Configuration' section."
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    sys.exit(
        "Advocate Hub refuses to start: SECRET_KEY is too weak; use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = CSRF_TRUSTED_ORIGINS or [f"https://{host}" for host in ALLOWED_HOSTS]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
