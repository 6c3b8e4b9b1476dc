"""Periodic work of the registry: certificates that expire, case records the hook missed."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sharing.services import certificates_expire, certificates_issue_pending


# 16:05 in Huey's clock (UTC) is 00:05 in Beijing, just after a certificate's last day ends.
# A missed run hides nothing: verification counts a certificate past its day as expired anyway.
@db_periodic_task(crontab(hour="16", minute="5"))  # type: ignore[untyped-decorator]
def certificates_expire_daily() -> int:
    """Mark live certificates past their last valid day as expired (05)."""
    return certificates_expire(today=timezone.localdate())


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def certificates_issue_pending_sweep() -> int:
    """Enter the case certificate records whose on-commit hook did not run or failed."""
    return certificates_issue_pending()
