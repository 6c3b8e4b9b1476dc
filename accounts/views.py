"""Pages of accounts: the site message box."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors import messages_for, unread_count
from accounts.services import message_mark_read, messages_mark_all_read


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def messages(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    paginator = Paginator(messages_for(user), settings.GOVHALL_ITEMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/messages.html", {"page": page, "unread": unread_count(user)})


@login_required
@require_POST
def message_open(request: HttpRequest, message_id: int) -> HttpResponseRedirect:
    message = message_mark_read(user=_user(request), message_id=message_id)
    # The service only stores site paths; checked again because this answer is a redirect.
    if message.link and url_has_allowed_host_and_scheme(
        message.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(message.link)
    return redirect("accounts:messages")


@login_required
@require_POST
def messages_read_all(request: HttpRequest) -> HttpResponseRedirect:
    messages_mark_all_read(user=_user(request))
    return redirect("accounts:messages")
