"""Pages of the hall: tickets and the counter workstation here, bookings and screens beside."""

from django.urls import include, path

from hall import views

app_name = "hall"
urlpatterns = [
    path("c/<slug:center>/ticket/", views.take_ticket, name="take_ticket"),
    path("t/<str:key>/", views.ticket_page, name="ticket"),
    path("t/<str:key>/print/", views.ticket_print, name="ticket_print"),
    path("t/<str:key>/action/", views.ticket_action, name="ticket_action"),
    path("workstation/", views.workstation, name="workstation"),
    path("workstation/act/", views.workstation_act, name="workstation_act"),
    path("", include("hall.urls_booking")),
    path("", include("hall.urls_screens")),
]
