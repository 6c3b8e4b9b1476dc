"""Pages of bookings: booking, check-in, special services and the demo SMS outbox."""

from django.urls import URLPattern, path

from hall import views_booking

urlpatterns: list[URLPattern] = [
    path("c/<slug:center>/book/", views_booking.book_start, name="book"),
    path("c/<slug:center>/book/slot/", views_booking.book_form, name="book_form"),
    path("c/<slug:center>/book/<str:code>/", views_booking.booking_detail, name="booking"),
    path(
        "c/<slug:center>/book/<str:code>/cancel/",
        views_booking.booking_cancel,
        name="booking_cancel",
    ),
    path(
        "c/<slug:center>/book/<str:code>/reschedule/",
        views_booking.booking_reschedule,
        name="booking_reschedule",
    ),
    path("c/<slug:center>/check-in/", views_booking.check_in, name="check_in"),
    path("c/<slug:center>/special/", views_booking.special_request, name="special_request"),
    path("special/", views_booking.special_list, name="special_list"),
    path(
        "special/<int:pk>/<str:action>/",
        views_booking.special_action,
        name="special_action",
    ),
    path("sms-outbox/", views_booking.sms_outbox, name="sms_outbox"),
]
