"""Hooks through which higher apps learn what happens to cases, or add to the case page, without
cases importing them.

`certificate_issued` is a list of callables `(case_certificate_id: int) -> None`. The certificate
registry (the sharing app) appends its callable once, from its `AppConfig.ready()`:

    from cases.hooks import certificate_issued
    certificate_issued.append(enter_into_registry)

The cases' services call every hook after the transaction that wrote a `CaseCertificate` commits,
with that record's id. A hook that fails is logged and does not stop the others, nor undo the
case's conclusion: a hook must therefore be safe to call again for the same record, and whoever
registers one should also sweep for records it missed (the registry does, every few minutes).

`case_panels` is a list of callables `(request, case) -> SafeString`: a panel of the higher app's
own, rendered by it, that the case page shows below the case's materials ("" for none). The page
calls them only after checking that the user may see the case. The certificate registry shows
there the certificates that provide the case's materials. A panel that fails is logged and left
out; the page still shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from cases.models import Case

logger = logging.getLogger(__name__)

certificate_issued: list[Callable[[int], None]] = []
case_panels: list[Callable[[HttpRequest, Case], SafeString]] = []


def certificate_issued_on_commit(case_certificate_id: int) -> None:
    """Call every `certificate_issued` hook once the current transaction commits."""
    transaction.on_commit(lambda: _notify(case_certificate_id))


def _notify(case_certificate_id: int) -> None:
    for hook in list(certificate_issued):
        try:
            hook(case_certificate_id)
        except Exception:
            logger.exception(
                "certificate_issued hook %r failed for certificate record %s",
                hook,
                case_certificate_id,
            )


def case_panels_render(request: HttpRequest, case: Case) -> list[SafeString]:
    """The higher apps' panels of the case page, those that have something to show."""
    panels = []
    for hook in list(case_panels):
        try:
            panel = hook(request, case)
        except Exception:
            logger.exception("case_panels hook %r failed for case %s", hook, case.number)
            continue
        if panel:
            panels.append(panel)
    return panels
