"""The reference app's settings, from the environment like the C++ app's
(README: Settings): DATABASE_URL and DATABASE_PASSWORD_FILE mean the same
there and here."""
import os
import urllib.parse

from django.core.exceptions import ImproperlyConfigured


def database(url, password_file, conn_max_age):
    """Django's DATABASES entry for a postgres:// URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
        raise ImproperlyConfigured(f"DATABASE_URL: expected postgres://user@host[:port]/db, got {url!r}")
    password = urllib.parse.unquote(parts.password or "")
    if password_file:
        with open(password_file) as file:
            password = file.read().rstrip("\n")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": parts.hostname,
        "PORT": parts.port or 5432,
        "NAME": urllib.parse.unquote(parts.path.lstrip("/")),
        "USER": urllib.parse.unquote(parts.username or ""),
        "PASSWORD": password,
        # Persistent connections (None: never closed by Django): a request
        # reuses its worker's connection instead of opening one.
        "CONN_MAX_AGE": None if conn_max_age == "none" else int(conn_max_age),
    }


BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Nothing is signed (no sessions, no forms); Django only insists on a value.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "benchmark-reference-signs-nothing")
DEBUG = False
# nginx in front accepts only the C++ app's host names (deploy/nginx).
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")

# Only what one model and one view use: no admin, sessions or auth.
INSTALLED_APPS = ["counter"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "reference.urls"
WSGI_APPLICATION = "reference.wsgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

DATABASES = {"default": database(os.environ.get("DATABASE_URL") or "postgres://pageviews@db:5432/pageviews",
                                 os.environ.get("DATABASE_PASSWORD_FILE", ""),
                                 os.environ.get("DATABASE_CONN_MAX_AGE") or "none")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
