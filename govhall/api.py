"""The JSON API at /api/v1/: one NinjaAPI to which each app adds its router."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from govhall.errors import ConflictError


class ErrorOut(Schema):
    """Every error of the API: a message a person can act on, and details where there are some."""

    message: str
    detail: Any = None


class GovhallAPI(NinjaAPI):
    """The API, whose document declares for every operation the 422 that input checks may give.

    django-ninja answers malformed input with 422 on any operation but leaves it out of the
    OpenAPI document unless the operation lists it; clients and schemathesis read the document.
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "description": "Unprocessable input",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("422", error)
        return schema


api = GovhallAPI(
    title="govhall API",
    version="1",
    description=(
        "The service catalog, guides and working-day calendar of the government service center, "
        "for department systems, kiosks and displays."
    ),
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"message": "The request's parameters are not valid.", "detail": exc.errors},
        status=422,
    )


@api.exception_handler(ValidationError)
def _domain_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"message": " ".join(exc.messages)}, status=422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"message": str(exc) or "Not found."}, status=404)


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"message": exc.message}, status=409)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You may not do this."
    return api.create_response(request, {"message": message}, status=403)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


def register_routers() -> None:
    """Add the apps' routers; called once from the URLconf."""
    from accounts.api import router as accounts_router
    from assessment.api import router as assessment_router
    from cases.api import router as cases_router
    from catalog.api import router as catalog_router
    from feedback.api import router as feedback_router
    from hall.api import router as hall_router
    from hall.api_booking import router as booking_router
    from sharing.api import router as sharing_router
    from stats.api import router as stats_router
    from supervision.api import router as supervision_router
    from workdays.api import router as workdays_router
    from workorders.api import router as workorders_router

    api.add_router("/", catalog_router)
    api.add_router("/workdays", workdays_router)
    api.add_router("/", hall_router)
    api.add_router("/", booking_router)
    api.add_router("/", cases_router)
    api.add_router("/", supervision_router)
    api.add_router("/", accounts_router)
    api.add_router("/", sharing_router)
    api.add_router("/", workorders_router)
    api.add_router("/", feedback_router)
    api.add_router("/", assessment_router)
    api.add_router("/", stats_router)
