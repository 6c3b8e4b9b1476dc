"""Work of the hall's worker: queue alerts and the SMS outbox every minute (the outbox also as soon
as a message is queued), no-shows of bookings every hour, the visitors' personal data past
retention every night."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from catalog.models import Center
from hall.alerts import hall_alerts_check
from hall.retention import hall_anonymise_expired
from hall.services.booking import appointments_mark_no_shows
from hall.sms import sms_outbox_send


# Hourly rather than once at closing time: the crontab runs in Huey's clock (UTC by default), and
# marking only closed windows makes every run safe, whatever the hour and the slots' lengths.
@db_periodic_task(crontab(minute="5"))  # type: ignore[untyped-decorator]
def appointments_no_show_sweep() -> int:
    """Mark today's and earlier bookings that were never checked in as no-shows."""
    return appointments_mark_no_shows(day=timezone.localdate())


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def hall_alerts_sweep() -> None:
    """Check the queue alerts of every center."""
    for center in Center.objects.all():
        hall_alerts_check(center=center)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def sms_outbox_sweep() -> int:
    """Send the queued text messages that are due: new ones, retries and lapsed claims."""
    return sms_outbox_send()


@db_periodic_task(crontab(hour="3", minute="25"))  # type: ignore[untyped-decorator]
def hall_retention_task() -> int:
    """Once a day, at a quiet hour, after the cases' own: the hall's records past retention."""
    run = hall_anonymise_expired()
    return run.appointments + run.requests + run.tickets if run is not None else 0
