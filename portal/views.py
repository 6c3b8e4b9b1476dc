"""Pages of the public site: home, browsing, search, guides, the power lists, kiosk and modes."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.models import ItemType
from catalog.pdf import guide_pdf_response
from catalog.search import (
    ItemFilter,
    bundle_form,
    bundle_get_published,
    bundles_published,
    catalog_figures,
    center_get,
    departments_with_counts,
    item_get_published,
    items_search,
    life_events_with_counts,
    power_lists,
)
from portal.context_processors import ELDER_COOKIE, KIOSK_COOKIE
from portal.forms import ItemSearchForm

MODE_COOKIE_AGE = 365 * 24 * 3600


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    return redirect("portal:home", center=center_get().slug)


@require_GET
def home(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    return render(
        request,
        "portal/home.html",
        {
            "center": the_center,
            "departments": departments_with_counts(center=the_center),
            "life_events": life_events_with_counts(center=the_center),
            "item_types": ItemType.choices,
            "figures": catalog_figures(center=the_center),
            "form": ItemSearchForm(center=the_center),
            "bundles": bundles_published(center=the_center),
        },
    )


@require_GET
def item_list(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    form = ItemSearchForm(request.GET, center=the_center)
    item_filter = form.item_filter() if form.is_valid() else ItemFilter()
    paginator = Paginator(
        items_search(center=the_center, item_filter=item_filter), settings.GOVHALL_ITEMS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "portal/item_list.html",
        {
            "center": the_center,
            "form": form,
            "page": page,
            "query_string": query_without_page.urlencode(),
            "searched": any(request.GET.get(key) for key in form.fields),
        },
    )


@require_GET
def item_detail(request: HttpRequest, center: str, code: str) -> HttpResponse:
    the_center = center_get(center)
    item = item_get_published(code=code, center=the_center)
    return render(request, "portal/item_detail.html", {"center": the_center, "item": item})


@require_GET
def bundle_detail(request: HttpRequest, center: str, code: str) -> HttpResponse:
    """The guide of a bundle (一件事): its items, the one form and the documents asked once."""
    the_center = center_get(center)
    bundle = bundle_get_published(code=code, center=the_center)
    return render(
        request,
        "portal/bundle_detail.html",
        {"center": the_center, "bundle": bundle, "form": bundle_form(bundle)},
    )


@require_GET
def item_guide_pdf(request: HttpRequest, center: str, code: str) -> HttpResponse:
    item = item_get_published(code=code, center=center_get(center))
    return guide_pdf_response(request, item, download=True)


@require_GET
def department_list(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    return render(
        request,
        "portal/department_list.html",
        {"center": the_center, "departments": departments_with_counts(center=the_center)},
    )


@require_GET
def lists(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    return render(
        request,
        "portal/lists.html",
        {
            "center": the_center,
            "sections": power_lists(center=the_center),
            "figures": catalog_figures(center=the_center),
        },
    )


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_GET
def kiosk_start(request: HttpRequest, center: str) -> HttpResponse:
    """Turn this browser into a kiosk (查询机) of the center: big targets, back home when idle."""
    the_center = center_get(center)
    response = HttpResponseRedirect(reverse("portal:home", kwargs={"center": the_center.slug}))
    response.set_cookie(KIOSK_COOKIE, "1", max_age=MODE_COOKIE_AGE, samesite="Lax", httponly=True)
    return response


@require_GET
def kiosk_stop(request: HttpRequest, center: str) -> HttpResponse:
    the_center = center_get(center)
    response = HttpResponseRedirect(reverse("portal:home", kwargs={"center": the_center.slug}))
    response.delete_cookie(KIOSK_COOKIE)
    return response


@require_GET
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch the elder-friendly mode (适老化) on or off for this browser.

    A link rather than a form: public pages then carry no CSRF token and can be cached, and the
    only thing a forged request could do is change how the site looks.
    """
    response = HttpResponseRedirect(_back(request, "/"))
    if request.GET.get("on") == "1":
        response.set_cookie(
            ELDER_COOKIE, "1", max_age=MODE_COOKIE_AGE, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Show the site in another language (a link, for the same reason as the elder mode)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404(_("This language is not offered."))
    response = HttpResponseRedirect(_back(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=MODE_COOKIE_AGE, samesite="Lax", httponly=True
    )
    return response
