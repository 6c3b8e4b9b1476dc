"""Pages of the statistics: the dashboard, the big screen, the reports; open data is public."""

from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("stats/", views.dashboard_page, name="dashboard"),
    path("stats/screen/", views.screen, name="screen"),
    path("stats/screen/data/", views.screen_data, name="screen_data"),
    path("stats/reports/", views.reports, name="reports"),
    path("stats/reports/<str:kind>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("stats/reports/<str:kind>.pdf", views.report_pdf_view, name="report_pdf"),
    path("open-data/", views.open_data_page, name="open_data"),
    path("open-data/cases.csv", views.open_data_csv_view, name="open_data_csv"),
]
