"""Settings of the deployments the crash tests start: govhall's own, with the outside world (an
SMS gateway and a department's webhook receiver) on 127.0.0.1, claims that lapse within the test's
time, and a cache and queue of their own when they share a Redis with other runs."""

import os

from govhall.settings import *  # noqa: F403
from govhall.settings import CACHES, HUEY

DEPLOYMENT = os.environ["GOVHALL_CRASH_DEPLOYMENT"]
for _cache in CACHES.values():
    _cache["KEY_PREFIX"] = DEPLOYMENT
HUEY["name"] = DEPLOYMENT

GOVHALL_SMS_BACKEND = "tests.crash.gateway.HttpGateway"
GOVHALL_CRASH_GATEWAY_URL = os.environ.get("GOVHALL_CRASH_GATEWAY_URL", "")
GOVHALL_WEBHOOK_ALLOW_PRIVATE = True
GOVHALL_SMS_CLAIM_LEASE_SECONDS = int(os.environ["GOVHALL_CRASH_LEASE_SECONDS"])
GOVHALL_WEBHOOK_CLAIM_LEASE_SECONDS = GOVHALL_SMS_CLAIM_LEASE_SECONDS
