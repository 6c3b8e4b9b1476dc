"""Pages of the hall: the counter workstation and tickets here, bookings and screens beside."""

from django.urls import include, path

app_name = "hall"
urlpatterns = [
    path("", include("hall.urls_booking")),
    path("", include("hall.urls_screens")),
]
