"""API of accounts: the signed-in user's site message box."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.params import P, PathEx
from ninja.security import django_auth
from pydantic import Field

from accounts.models import Message, User
from accounts.selectors import messages_for, unread_count
from accounts.services import message_mark_read
from govhall.api import ErrorOut

router = Router(tags=["messages"])

# 403: a session POST without its CSRF token.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MessageId = PathEx[int, P(ge=1, le=2**62)]


class MessageListQuery(Schema):
    page: int = Field(1, ge=1, le=100000)


class MessageOut(Schema):
    id: int
    subject: str
    body: str
    link: str = Field(description="A path on this site to the thing the message is about")
    kind: str = Field(description="Short code of the message's kind, such as case.status")
    created_at: dt.datetime
    read_at: dt.datetime | None


class MessageListOut(Schema):
    count: int
    unread: int = Field(description="How many of the user's messages are unread, over all pages")
    page: int
    pages: int
    results: list[MessageOut]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        subject=message.subject,
        body=message.body,
        link=message.link,
        kind=message.kind,
        created_at=message.created_at,
        read_at=message.read_at,
    )


@router.get(
    "/messages",
    response={200: MessageListOut, **ERRORS},
    auth=django_auth,
    summary="The signed-in user's messages, newest first, with the unread count",
)
def message_list(request: HttpRequest, filters: Query[MessageListQuery]) -> MessageListOut:
    user = _user(request)
    messages = messages_for(user)
    size: int = settings.GOVHALL_ITEMS_PER_PAGE
    count = messages.count()
    rows = messages[(filters.page - 1) * size : filters.page * size]
    return MessageListOut(
        count=count,
        unread=unread_count(user),
        page=filters.page,
        pages=max(1, math.ceil(count / size)),
        results=[message_out(message) for message in rows],
    )


@router.post(
    "/messages/{message_id}/read",
    response={200: MessageOut, **ERRORS},
    auth=django_auth,
    summary="Mark one of the signed-in user's messages read (another's answers 404)",
)
def message_read(request: HttpRequest, message_id: MessageId) -> MessageOut:
    return message_out(message_mark_read(user=_user(request), message_id=message_id))
