"""API of appointments and special services."""

from ninja import Router

router = Router(tags=["appointments"])
