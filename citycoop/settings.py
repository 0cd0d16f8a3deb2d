"""One settings file, driven by the environment.

Every setting a deployment may change is read here from a ``CITYCOOP_*`` variable through a
small typed helper. A malformed value stops the process at start with a message naming the
variable, rather than surfacing later as an odd behaviour.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """A whole number, refused outside [minimum, maximum] so that a negative count or a
    zero limit stops the start instead of quietly disabling what it configures."""
    if minimum is not None and maximum is not None:
        allowed = f"a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        allowed = f"a whole number of at least {minimum}"
    elif maximum is not None:
        allowed = f"a whole number of at most {maximum}"
    else:
        allowed = "a whole number"
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a whole number: use {allowed}."
        ) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name}={raw!r} is out of range: use {allowed}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name. Django would refuse an unknown one too, but later, with a
    traceback that does not say which variable held it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # ValueError: a malformed key such as an absolute path or "../x".
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a known time zone: use an IANA name such as UTC, "
            "Europe/Paris or Asia/Shanghai."
        ) from None
    return raw


# The names logging understands, in the order a user would choose among them; WARN, FATAL and
# NOTSET are accepted too (they are logging's own names) but not advertised.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_log_level(name: str, default: str) -> str:
    """A standard logging level name, in any case. An unknown one would otherwise surface as
    logging's "Unable to configure root logger" while Django sets up, naming no variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    level = raw.upper()
    if level not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a logging level: use one of {', '.join(LOG_LEVELS)}."
        )
    return level


def env_email_backend(name: str, default: str) -> str:
    """A dotted path to an email backend class, checked as far as is safe at this point.

    Django only imports the backend when the first email is sent, so a typo would otherwise
    surface days later in a daily command. The module is looked up (its parent packages are
    imported, the module itself is not: a backend module may read settings as it loads, which
    cannot work while the settings themselves are loading); the class name is not checked.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    allowed = ("use the dotted path of a backend class: Django's own are "
               "django.core.mail.backends.NAME.EmailBackend with NAME one of console, smtp, "
               "filebased, locmem, dummy")
    module_name = raw.rpartition(".")[0]
    if not module_name or not all(part.isidentifier() for part in raw.split(".")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not an email backend: {allowed}.")
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):  # a parent package is missing or is not a package
        found = False
    if not found:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: no module {module_name!r} can be imported; {allowed}."
        )
    return raw


def env_origins(name: str, default: list[str]) -> list[str]:
    """Origins as browsers send them. Django wants the scheme, and an origin without it is
    only reported by `check`, while every cross-site form post fails."""
    origins = env_list(name, default)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} holds {origin!r}: each origin must be https://host or http://host "
                "(with an optional port), separated by commas."
            )
    return origins


def env_hosts(name: str, default: list[str]) -> list[str]:
    """Host names. An address pasted in (https://host/) matches no request, so every page
    would answer 400 Bad Request with nothing in the log to say why."""
    hosts = env_list(name, default)
    for host in hosts:
        if "/" in host:
            raise ImproperlyConfigured(
                f"{name} holds {host!r}: use host names without scheme or path, such as "
                "citycoop.example.org or .example.org, separated by commas."
            )
    return hosts


def database_from_url(url: str, data_dir: Path) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into Django's dict."""
    parts = urlsplit(url)
    # The error messages quote the URL; they go to the console and the service's log, which
    # is no place for the database password.
    shown = url.replace(f":{parts.password}@", ":***@", 1) if parts.password else url
    if parts.scheme == "sqlite":
        # sqlite:///relative.db is taken inside the data folder; sqlite:////abs/path.db is absolute.
        raw_path = unquote(parts.path)
        if not raw_path or raw_path == "/":
            raise ImproperlyConfigured(
                f"CITYCOOP_DATABASE_URL={shown!r} names no database file: use "
                "sqlite:///file or sqlite:////absolute/file."
            )
        path = Path(raw_path[1:])
        if not path.is_absolute():
            path = data_dir / path
        return sqlite_database(path)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                f"CITYCOOP_DATABASE_URL={shown!r} names no database: use "
                "postgres://user:password@host:port/name."
            )
        try:
            # urlsplit reads the port only when asked, and raises a bare ValueError then.
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(
                f"CITYCOOP_DATABASE_URL={shown!r} has a port that is not a number from 0 to "
                "65535: use postgres://user:password@host:port/name."
            ) from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # A web app's queries are short: compiling them (JIT) costs more than it saves,
            # and a query spread over parallel workers takes every core from the other
            # requests. A common word's matches (200,000 titles) need their bitmap exact in
            # memory: with the 4 MB default it turns lossy and every row is re-checked.
            # Random reads priced as on an SSD or from memory (the default, 4, is for
            # spinning disks): the organisations around a pairing join 12,000 of a million
            # actions by key in 40 ms, where the default plan reads all of them (230 ms).
            "OPTIONS": {"options": "-c jit=off -c max_parallel_workers_per_gather=0"
                                   " -c work_mem=16MB -c random_page_cost=1.1"},
        }
    raise ImproperlyConfigured(
        f"CITYCOOP_DATABASE_URL={shown!r}: the scheme must be sqlite:// or postgres://."
    )


def sqlite_database(path: Path) -> dict:
    # WAL lets readers go on while one process writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue on busy_timeout instead of failing mid-way.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Kept open between requests (per server thread): a new connection runs the four
        # PRAGMAs and starts with an empty page cache, a third of a small API answer's time.
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        },
        "TEST": {"NAME": os.environ.get("CITYCOOP_TEST_SQLITE_NAME") or None},
    }


def load_or_create_secret_key(data_dir: Path) -> str:
    """Keep a generated key in the data folder so sessions survive a restart."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if len(key) < 32:
            raise ImproperlyConfigured(f"{key_file} holds a key shorter than 32 characters.")
        return key
    key = secrets.token_urlsafe(50)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


DATA_DIR = Path(env_str("CITYCOOP_DATA_DIR", str(Path.cwd() / "var"))).resolve()
if DATA_DIR.exists() and not DATA_DIR.is_dir():
    raise ImproperlyConfigured(f"CITYCOOP_DATA_DIR={DATA_DIR} exists and is not a folder.")
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as error:
    # Typically a folder the service's user may not write: say so rather than a traceback.
    raise ImproperlyConfigured(
        f"CITYCOOP_DATA_DIR={DATA_DIR} cannot be created ({error.strerror}): use a folder "
        "that citycoop may write."
    ) from None

DEBUG = env_bool("CITYCOOP_DEBUG", False)
SECRET_KEY = os.environ.get("CITYCOOP_SECRET_KEY") or load_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_hosts("CITYCOOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_origins("CITYCOOP_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": database_from_url(
        env_str("CITYCOOP_DATABASE_URL", "sqlite:///citycoop.sqlite3"), DATA_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "citycoop.common",
    "citycoop.accounts",
    "citycoop.registry",
    "citycoop.portfolio",
    "citycoop.events",
    "citycoop.matchmaking",
    "citycoop.reports",
    "citycoop.imports",
    "citycoop.search",
    "citycoop.opendata",
    "citycoop.practices",
    "citycoop.discussions",
    "citycoop.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "citycoop.common.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "citycoop.urls"
WSGI_APPLICATION = "citycoop.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "citycoop.discussions.context.unread_notifications",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("CITYCOOP_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded reports: a size limit here, and the readers check the type by content. At least
# 1 MB: 0 would refuse every upload with a message that blames the file.
CITYCOOP_UPLOAD_MAX_BYTES = env_int("CITYCOOP_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default, taken now

SESSION_COOKIE_HTTPONLY = True
# At least a second: with 0 or less the session cookie expires as it is set, and every
# sign-in seems to succeed and then signs the user out.
SESSION_COOKIE_AGE = env_int("CITYCOOP_SESSION_AGE", 60 * 60 * 12, minimum=1)
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Served over HTTPS (directly or behind a proxy that terminates TLS): cookies are sent over
# HTTPS only, plain HTTP is redirected, and browsers are told to use HTTPS from then on
# (HSTS). Off by default so that `make demo` works on http://127.0.0.1.
CITYCOOP_HTTPS = env_bool("CITYCOOP_HTTPS", False)
if CITYCOOP_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # 0 is Django's way to send no HSTS header; a negative age means nothing to browsers.
    SECURE_HSTS_SECONDS = env_int("CITYCOOP_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CITYCOOP_HSTS_SUBDOMAINS", True)
    # "preload" only allows a submission to the browsers' preload list; it submits nothing.
    SECURE_HSTS_PRELOAD = env_bool("CITYCOOP_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS and says so in X-Forwarded-Proto.
if env_bool("CITYCOOP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Deleted pairings and organisations can be restored for this many days (docs/audit.md).
# 0: not at all. At most a century: "now minus N days" leaves the calendar (OverflowError on
# the trash page and in purge-trash) from about 738,000 days.
CITYCOOP_TRASH_DAYS = env_int("CITYCOOP_TRASH_DAYS", 30, minimum=0, maximum=36500)

# How long an answer kept for the public may lag a write (citycoop/common/freshness.py):
# under a stream of writes the costly public pages are recomputed at most this often.
CITYCOOP_PUBLIC_LAG_SECONDS = env_int("CITYCOOP_PUBLIC_LAG_SECONDS", 10, minimum=0)
# Where the server's worker processes share their costly public answers
# (citycoop/common/shared_answers.py); empty: each process keeps its own.
CITYCOOP_SHARED_ANSWERS_DIR = env_str("CITYCOOP_SHARED_ANSWERS_DIR", str(DATA_DIR / "answers"))
# The folder is made when first written, and a failure to write there is only logged as a
# warning (sharing saves time, it is not needed): a file in its place would quietly turn
# sharing off for good, so refuse it here.
if CITYCOOP_SHARED_ANSWERS_DIR and Path(CITYCOOP_SHARED_ANSWERS_DIR).exists() and not Path(
        CITYCOOP_SHARED_ANSWERS_DIR).is_dir():
    raise ImproperlyConfigured(f"CITYCOOP_SHARED_ANSWERS_DIR={CITYCOOP_SHARED_ANSWERS_DIR} "
                               "exists and is not a folder: use a folder, or empty for none.")

# Failed sign-ins: see citycoop/accounts/login.py. Both at least 1: 0 attempts reads as "no
# limit" but locks a whole address out after one failure, and a 0-minute window forgets each
# failure at once, so that sign-in is never throttled.
CITYCOOP_LOGIN_ATTEMPTS = env_int("CITYCOOP_LOGIN_ATTEMPTS", 5, minimum=1)
CITYCOOP_LOGIN_WINDOW_MINUTES = env_int("CITYCOOP_LOGIN_WINDOW_MINUTES", 15, minimum=1)
CACHES = {
    # Per process. Room for the public API's pages (one entry per address) beside the public
    # home and map, so that the former do not push the costly latter out.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "OPTIONS": {"MAX_ENTRIES": 5000}},
    # Shared by the server's worker processes, so that a limit holds across them.
    "throttle": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(DATA_DIR / "throttle")},
}

EMAIL_BACKEND = env_email_backend("CITYCOOP_EMAIL_BACKEND",
                                  "django.core.mail.backends.console.EmailBackend")
# The site's public address, for links in emails sent where no web request gives it (the
# daily follow-up command); pages fall back on the address they were asked at.
CITYCOOP_SITE_URL = env_str("CITYCOOP_SITE_URL", "").strip().rstrip("/")
if CITYCOOP_SITE_URL and (urlsplit(CITYCOOP_SITE_URL).scheme not in {"http", "https"}
                          or not urlsplit(CITYCOOP_SITE_URL).netloc):
    raise ImproperlyConfigured(f"CITYCOOP_SITE_URL={CITYCOOP_SITE_URL!r} is not an http:// "
                               "or https:// address: use e.g. https://citycoop.example.org.")

# The licence stated in the open-data dump (README and LICENCE.txt); empty: CC BY 4.0.
CITYCOOP_OPENDATA_LICENCE = env_str("CITYCOOP_OPENDATA_LICENCE", "").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_log_level("CITYCOOP_LOG_LEVEL", "WARNING")},
}
