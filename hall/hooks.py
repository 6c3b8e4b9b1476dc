"""Hooks through which higher apps add to the hall's pages without the hall importing them.

`ticket_actions`: callables that, given the ticket being served at a counter, return an action
for the workstation as (label, URL), or None. The cases app registers "open a case" here.
"""

from collections.abc import Callable

from hall.models import Ticket

ticket_actions: list[Callable[[Ticket], tuple[str, str] | None]] = []
