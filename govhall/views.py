"""Project-level views: the health checks, which are also the framework floors of `make bench`."""

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from govhall.models import Heartbeat


def healthz(request: HttpRequest) -> JsonResponse:
    """A bare JSON answer that touches no database: the cheapest request Django can serve."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def healthz_write(request: HttpRequest) -> JsonResponse:
    """One bare insert: the floor for writes. Only on when GOVHALL_BENCH_ENDPOINTS is set."""
    if not settings.GOVHALL_BENCH_ENDPOINTS:
        raise Http404("not enabled")
    beat = Heartbeat.objects.create()
    return JsonResponse({"id": beat.pk}, status=201)


@require_GET
def healthz_read(request: HttpRequest) -> JsonResponse:
    """One row read by primary key through the ORM: the floor for database-backed reads.

    `?id=` names a heartbeat that `/healthz/write` made. Only on when GOVHALL_BENCH_ENDPOINTS is
    set, like the write floor.
    """
    if not settings.GOVHALL_BENCH_ENDPOINTS:
        raise Http404("not enabled")
    pk = request.GET.get("id", "")
    if not (pk.isascii() and pk.isdigit()) or not 0 < int(pk) < 2**63:
        return JsonResponse({"message": "Give ?id= the number of a heartbeat."}, status=422)
    beat = Heartbeat.objects.filter(pk=int(pk)).first()
    if beat is None:
        raise Http404("no such heartbeat")
    return JsonResponse({"id": beat.pk, "at": beat.at.isoformat()})
