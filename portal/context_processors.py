"""Template context shared by every page: the display modes a visitor switched on."""

from django.conf import settings
from django.http import HttpRequest

ELDER_COOKIE = "govhall_elder"
KIOSK_COOKIE = "govhall_kiosk"


def display_modes(request: HttpRequest) -> dict[str, object]:
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "kiosk_mode": request.COOKIES.get(KIOSK_COOKIE) == "1",
        "kiosk_idle_seconds": settings.GOVHALL_KIOSK_IDLE_SECONDS,
    }
