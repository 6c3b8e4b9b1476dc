"""Project-level views: the health check, which is also the framework floor of `make bench`."""

from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """A bare JSON answer that touches no database: the cheapest request Django can serve."""
    return JsonResponse({"status": "ok"})
