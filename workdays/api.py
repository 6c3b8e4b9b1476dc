"""API of the working-day calendar."""

from ninja import Router

router = Router(tags=["workdays"])
