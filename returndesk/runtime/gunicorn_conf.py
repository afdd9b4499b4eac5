"""gunicorn's settings for returndesk: ``returndesk serve`` applies them, and production runs
``gunicorn -c python:returndesk.runtime.gunicorn_conf`` (README, Production). Options given on
the command line win over these.

Two workers of four threads each, as ``serve`` runs by default. A thread is held for as long as
its client takes to send a request, so a few slow clients can take every thread: in production
gunicorn listens on 127.0.0.1 only, behind a reverse proxy that buffers whole requests (nginx
does by default) before it passes them on.
"""

wsgi_app = "returndesk.wsgi:application"
bind = ["127.0.0.1:8000"]

worker_class = "gthread"
workers = 2
threads = 4
# A worker silent for this long is restarted; a request the database keeps waiting (a 20 s SQLite
# busy timeout, a lock) must finish well within it.
timeout = 60
graceful_timeout = 30

# gunicorn refuses what exceeds these with a bare 400 page of its own. The request line's limit is
# raised from gunicorn's 4094 to its maximum so that an over-long URL reaches returndesk, which
# answers it as problem details; 100 header fields of at most 8190 bytes each are gunicorn's
# defaults, stated here so that the limits are read in one place.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The proxy in front keeps the access log; errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = "warning"
