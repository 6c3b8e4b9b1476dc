"""API of the service catalog."""

from ninja import Router

router = Router(tags=["catalog"])
