"""Pages of feedback: rating a case, the texted links, the comment form, rectifications, appeals."""

from django.urls import URLPattern, URLResolver, path

from feedback import views, views_stats

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<str:number>/", views.case_feedback, name="case"),
    path("r/<str:token>/", views.link, name="link"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("v/<str:token>/", views.view_link, name="view_link"),
    path("c/<slug:center>/comment/", views.comment, name="comment"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("appeals/new/<int:rectification_pk>/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("satisfaction/", views_stats.satisfaction, name="satisfaction"),
    path("figures/<slug:center>/", views_stats.public_figures, name="figures"),
]
