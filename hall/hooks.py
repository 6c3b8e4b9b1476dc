"""Hooks through which higher apps add to the hall's pages and react to its events without the
hall importing them (DESIGN §4).

`ticket_actions`: callables that, given the ticket being served at a counter, return an action
for the workstation as (label, URL), or None. The cases app registers "open a case" here.

`pad_rated`: callables that `hall.services.tickets.pad_rate` calls with each new pad rating,
inside the transaction that stores it, so that what they write (feedback opens the
rectification of a bad rating) is committed with the rating or not at all: a rating is never
left without its rectification, and a refused second rating opens nothing. A hook that raises
refuses the rating. Register once, from the app's `AppConfig.ready`.
"""

from collections.abc import Callable

from hall.models import PadRating, Ticket

ticket_actions: list[Callable[[Ticket], tuple[str, str] | None]] = []
pad_rated: list[Callable[[PadRating], None]] = []
