"""Pages of feedback: rating a case, the texted rating link, rectifications."""

from django.urls import URLPattern, URLResolver, path

from feedback import views

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<str:number>/", views.case_feedback, name="case"),
    path("r/<str:token>/", views.link, name="link"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
]
