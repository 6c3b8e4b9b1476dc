"""Pages of electronic supervision."""

from django.urls import URLPattern, URLResolver, path

from supervision import views, views_reports

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("violations/", views.violation_list, name="violations"),
    path("violations/<int:pk>/", views.violation_detail, name="violation"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/act/", views.notice_act, name="notice_act"),
    path("compliance/", views_reports.compliance, name="compliance"),
    path("compliance.xlsx", views_reports.compliance_xlsx, name="compliance_xlsx"),
    path("efficiency/", views_reports.efficiency, name="efficiency"),
    path("efficiency.xlsx", views_reports.efficiency_xlsx, name="efficiency_xlsx"),
]
