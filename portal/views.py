"""Pages of the public site."""

from django.http import HttpRequest, HttpResponse


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponse("govhall")
