"""Pages of the hall's screens: the hall display and its voice, counter screens, pads, the board."""

from django.urls import URLPattern, path

from hall import views_screens

urlpatterns: list[URLPattern] = [
    path("c/<slug:center>/display/", views_screens.display_screen, name="display_screen"),
    path("voice/<int:event_id>.wav", views_screens.call_voice, name="voice"),
    path(
        "counter-screen/<int:counter_id>/",
        views_screens.counter_screen,
        name="counter_screen",
    ),
    path(
        "counter-screen/<int:counter_id>/state/",
        views_screens.counter_screen_state,
        name="counter_screen_state",
    ),
    path(
        "counter-screen/<int:counter_id>/photo/",
        views_screens.counter_photo,
        name="counter_photo",
    ),
    path("pad/<int:counter_id>/", views_screens.pad, name="pad"),
    path("pad/<int:counter_id>/state/", views_screens.pad_state, name="pad_state"),
    path("pad/<int:counter_id>/rate/", views_screens.pad_rate_view, name="pad_rate"),
    path(
        "pad/<int:counter_id>/indicators/",
        views_screens.pad_indicators_view,
        name="pad_indicators",
    ),
    path("manager/", views_screens.manager, name="manager"),
    path("manager/board/", views_screens.manager_board_part, name="manager_board"),
]
