"""gunicorn settings for the HTTP service: ``gunicorn -c gunicorn.conf.py``.

Sized for the documented limits (``service.app.DEFAULTS``): the largest
batch request (100 documents, 1,000,000 characters in all) takes about
20-40 s on one core of a 2-core machine, so ``timeout`` leaves room for it.

- ``preload_app``: the model bundle is loaded once, in the master, before
  the workers fork; workers share its memory and the first request does not
  pay for loading it. A missing or bad bundle stops the start with one line.
- ``gthread`` workers with several threads: a slow client holds one thread,
  not a whole worker, so ``/healthz`` and other requests still get through.
  A public service still needs a buffering reverse proxy (nginx) in front,
  which reads slow request bodies before they reach gunicorn (README,
  "Security and limits").

Every value can be overridden on the command line (``-b 0.0.0.0:8000``,
``-w 4``) or with ``GUNICORN_CMD_ARGS``.
"""
import multiprocessing
import os

wsgi_app = "dangjian.service.app:create_app()"
bind = os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DANGJIAN_WORKERS", min(2, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = 4
preload_app = True
timeout = 120
graceful_timeout = 30
keepalive = 5
# Request line and headers stay small; the body limit is the app's (8 MiB).
limit_request_line = 8190
limit_request_fields = 100
