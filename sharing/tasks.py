"""Periodic work of the registry: certificates that expire, case records the hook missed,
webhook deliveries and the exchange feed."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sharing.exchange import exchange_export
from sharing.services import certificates_expire, certificates_issue_pending
from sharing.webhooks import webhook_deliveries_send, webhook_events_collect


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


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def webhooks_sweep() -> int:
    """Turn new events into deliveries and send those due (first tries and retries)."""
    webhook_events_collect()
    return webhook_deliveries_send()


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]
def exchange_export_sweep() -> dict[str, int]:
    """Export the exchange feed's new rows through the configured backend."""
    return exchange_export()
