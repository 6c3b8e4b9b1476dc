"""Gunicorn's settings for govhall: `gunicorn -c deploy/gunicorn.conf.py`.

They read the same environment as govhall itself (deploy/govhall.env.example lists it).
"""

import os

from govhall.env import env_int, env_list, env_str

wsgi_app = "govhall.wsgi:application"

# nginx on the same machine proxies to this address; `unix:/run/govhall/gunicorn.sock` works too.
bind = [env_str("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: every request is short and database-bound, and the pages that render a PDF or a
# workbook hold one worker for a moment rather than stall an event loop. Two per core plus one
# keeps the cores busy while some workers wait on PostgreSQL.
worker_class = "sync"
workers = env_int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1)

# The slowest honest request (a year's report as a workbook, a long guide as PDF) takes a few
# seconds; a worker silent for longer than this is stuck and is replaced.
timeout = env_int("GUNICORN_TIMEOUT", 60)
# On restart or reload, requests in flight get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps its upstream connections open for a little while between requests.
keepalive = 5

# Workers are replaced now and then, at different moments, so that a slow leak in a library never
# builds up and never restarts every worker at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The heartbeat files of the workers live in memory: a disk under load would make them look stuck.
# (/dev/shm is the workers' own heartbeat, not a shared temporary file.)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# "-" is standard output, which systemd hands to the journal; a path writes a file that
# deploy/logrotate/govhall rotates (gunicorn reopens it on USR1).
accesslog = env_str("GUNICORN_ACCESS_LOG", "-")
errorlog = env_str("GUNICORN_ERROR_LOG", "-")
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
# The client as nginx saw it, the request, status, size, referrer, agent, and the time taken
# in milliseconds, which is what one looks for first in a slow afternoon.
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

# Only nginx on this machine may say the request came over https; behind a load balancer, list
# its addresses too. govhall reads the same variable to believe X-Forwarded-For (settings.py).
forwarded_allow_ips = ",".join(env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"]))
proc_name = "govhall-web"
# systemd starts, reloads (HUP) and stops the server; gunicorn's control socket would sit in the
# service user's home, one path for every gunicorn that user runs.
control_socket_disable = True
