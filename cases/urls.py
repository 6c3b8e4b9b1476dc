"""Pages of cases."""

from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("query/", views.query, name="query"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("intake/", views.intake, name="intake"),
    path("new/", views.new_at_counter, name="new"),
    path("work/", views.work, name="work"),
    path("bundles/<slug:center>/<slug:code>/apply/", views.bundle_apply, name="bundle_apply"),
    path("bundles/<str:number>/", views.bundle_detail, name="bundle_detail"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
    path("<str:number>/materials/<int:pk>/", views.material, name="material"),
    path(
        "<str:number>/notices/correction/<int:pk>.pdf", views.correction_pdf, name="correction_pdf"
    ),
    path("<str:number>/notices/acceptance.pdf", views.acceptance_pdf, name="acceptance_pdf"),
    path("<str:number>/notices/decision.pdf", views.decision_notice_pdf, name="decision_pdf"),
]
