"""Hooks through which higher apps add to the hall's pages and react to its events without the
hall importing them (DESIGN §4).

`ticket_actions`: callables that, given the ticket being served at a counter, return an action
for the workstation as (label, URL), or None. The cases app registers "open a case" here.

`pad_rated`: callables that `hall.services.tickets.pad_rate` calls with each new pad rating,
inside the transaction that stores it, so that what they write (feedback opens the
rectification of a bad rating) is committed with the rating or not at all: a rating is never
left without its rectification, and a refused second rating opens nothing. A hook that raises
refuses the rating. Register once, from the app's `AppConfig.ready`.

`counter_screen_titles`: callables that, given a counter and the staff member signed in at it (or
None), return short texts of honours to show on the counter's screen ("2026-11 优秀服务窗口");
the assessment app registers its approved titles here.
"""

from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser

from catalog.models import Counter
from hall.models import PadRating, Ticket

ticket_actions: list[Callable[[Ticket], tuple[str, str] | None]] = []
pad_rated: list[Callable[[PadRating], None]] = []
counter_screen_titles: list[Callable[[Counter, AbstractBaseUser | None], list[str]]] = []
