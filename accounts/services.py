"""Writes of the accounts app: the role groups and their permissions, the site message box, and
two-factor log-in."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Message, User
from accounts.roles import Role
from accounts.selectors import is_staff_account, two_factor_device
from audit.services import audit_record

# Apps whose rows a center administrator manages through the admin.
ADMINISTRATOR_APPS = ("catalog", "workdays", "hall")
# The settings that apps above the catalog keep per center, which the administrator also manages:
# rectification and work-order deadlines, certificate types, the inspection scale and the score
# weights. Their records (ratings, work orders, certificates, findings) stay out of the admin's
# reach: each has its own pages, scoped and masked.
ADMINISTRATOR_MODELS = (
    ("feedback", "feedbackpolicy"),
    ("workorders", "workorderpolicy"),
    ("sharing", "certificatetype"),
    ("assessment", "deductionrule"),
    ("assessment", "scoreweights"),
)


@transaction.atomic
def roles_ensure() -> None:
    """Create a group per role and give administrators the permissions of the catalog, the
    calendar, the hall and the other apps' settings."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    administrators = Group.objects.get(name=Role.ADMINISTRATOR.value)
    settings_models = Q()
    for app_label, model in ADMINISTRATOR_MODELS:
        settings_models |= Q(content_type__app_label=app_label, content_type__model=model)
    administrators.permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label__in=ADMINISTRATOR_APPS) | settings_models
        )
    )


def _require_site_path(link: str) -> None:
    # The message page redirects to the link: only a path on this site may be followed.
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValidationError(
            _("The link of a message must be a path on this site, such as /cases/….")
        )


def message_send(
    *, user: User, subject: str, body: str = "", link: str = "", kind: str = ""
) -> Message:
    """Put a message in the user's message box, within the caller's transaction.

    A subject longer than its column is shortened, never refused: a message must not undo the
    change it tells of. The whole text then becomes the body, unless a body was given.
    """
    text, subject = subject, " ".join(subject.split())
    limit = Message._meta.get_field("subject").max_length or 200
    if len(subject) > limit:
        body = body or text
        subject = subject[: limit - 1] + "…"
    _require_site_path(link)
    message = Message(
        user=user, subject=subject, body=body, link=link, kind=kind, created_at=timezone.now()
    )
    message.full_clean(exclude=["user"])
    message.save()
    return message


def message_mark_read(*, user: User, message_id: int) -> Message:
    """Mark one of the user's messages read; reading it again changes nothing.

    Another user's message is answered as missing, so its existence is not given away.
    """
    # A number beyond the column would overflow the database driver: no message has it.
    in_range = 0 < message_id < 2**63
    message = Message.objects.filter(pk=message_id, user=user).first() if in_range else None
    if message is None:
        raise Http404(_("You have no such message."))
    if message.read_at is None:
        now = timezone.now()
        # Conditional, so two tabs opening the message at once keep the first reading time.
        if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now):
            message.read_at = now
        else:
            message.refresh_from_db(fields=["read_at"])
    return message


def messages_mark_all_read(*, user: User) -> int:
    """Mark every unread message of the user read; return how many were."""
    return Message.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# The name of the one authenticator a user may have.
DEVICE_NAME = "authenticator"


@transaction.atomic
def two_factor_enrol_start(*, user: User) -> TOTPDevice:
    """Give a staff member a new, unconfirmed authenticator key to scan.

    A key scanned earlier but never confirmed is replaced. Two-factor log-in starts only when
    a first code confirms the key (`two_factor_confirm`), so a key lost while scanning locks
    nobody out.
    """
    if not is_staff_account(user):
        raise PermissionDenied(_("Two-factor log-in is for staff accounts."))
    if two_factor_device(user) is not None:
        raise ValidationError(
            _("Two-factor log-in is already on. Turn it off first to change the authenticator.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_verify(*, user: User, code: str, confirmed: bool = True) -> TOTPDevice | None:
    """The user's (confirmed, or just scanned) authenticator if the code is its current one;
    None if not, or if there is none.

    A code counts once: the device remembers the last step it accepted. The device's row is
    locked meanwhile, so two requests bringing the same code cannot both pass.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=confirmed)
        .order_by("-pk")
        .first()
    )
    code = "".join(code.split())
    if device is None or not code.isdigit() or len(code) != device.digits:
        return None
    return device if device.verify_token(code) else None


def _wrong_code() -> ValidationError:
    return ValidationError(
        _("That code is not right. Enter the 6 digits the authenticator shows now."),
        code="wrong_code",
    )


@transaction.atomic
def two_factor_confirm(*, user: User, code: str, ip: str = "") -> TOTPDevice:
    """Turn two-factor log-in on with the first code of the authenticator just scanned."""
    if not TOTPDevice.objects.filter(user=user, confirmed=False).exists():
        raise ValidationError(_("There is no authenticator to confirm: start again."))
    device = two_factor_verify(user=user, code=code, confirmed=False)
    if device is None:
        raise _wrong_code()
    TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
    device.confirmed = True
    audit_record(
        action="account.two_factor_on",
        actor=user,
        target_type="user",
        target_id=str(user.pk),
        ip=ip,
    )
    return device


@transaction.atomic
def two_factor_disable(*, user: User, password: str, code: str, ip: str = "") -> None:
    """Turn two-factor log-in off: the account's password and a current code, both."""
    if two_factor_device(user) is None:
        raise ValidationError(_("Two-factor log-in is not on."))
    if not user.check_password(password):
        raise ValidationError(_("The password is not right."))
    if two_factor_verify(user=user, code=code) is None:
        raise _wrong_code()
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        action="account.two_factor_off",
        actor=user,
        target_type="user",
        target_id=str(user.pk),
        ip=ip,
    )


@transaction.atomic
def two_factor_reset(*, user: User, administrator: User, ip: str = "") -> bool:
    """An administrator removes a user's authenticator (a phone lost): the user logs in with the
    password alone until they enrol again. Returns whether there was one."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        audit_record(
            action="account.two_factor_reset",
            actor=administrator,
            target_type="user",
            target_id=str(user.pk),
            data={"username": user.get_username()},
            ip=ip,
        )
    return bool(removed)
