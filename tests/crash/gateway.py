"""An SMS gateway backend that posts each message to the crash tests' receiver, as an operator's
HTTP platform would be called."""

from __future__ import annotations

import requests
from django.conf import settings


class HttpGateway:
    def send(self, *, mobile: str, text: str) -> None:
        url: str = getattr(settings, "GOVHALL_CRASH_GATEWAY_URL", "")
        response = requests.post(url, json={"mobile": mobile, "text": text}, timeout=10)
        response.raise_for_status()
