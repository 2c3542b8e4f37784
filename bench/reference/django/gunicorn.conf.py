"""gunicorn's settings for the reference app, tuned as DECISIONS.md (the
Django reference entry) says; each can be changed from the environment to
measure again."""
import multiprocessing
import os


def setting(name, default):
    return os.environ.get(name) or default


bind = "0.0.0.0:8000"
# gunicorn's own advice: 2 x cores + 1.
workers = int(setting("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# Measured best of Debian's worker classes: gthread with 4 threads (sync,
# gthread with 2, 4 and 8 threads, gevent; DECISIONS.md, the Django
# reference entry).
worker_class = setting("GUNICORN_WORKER_CLASS", "gthread")
threads = int(setting("GUNICORN_THREADS", 4))
# gevent only: greenlets per worker.
worker_connections = int(setting("GUNICORN_WORKER_CONNECTIONS", 1000))
# Longer than nginx keeps an idle upstream connection (30 s,
# deploy/nginx/templates), so nginx closes first. The sync worker ignores it:
# it closes every connection after its response.
keepalive = 60
accesslog = None
