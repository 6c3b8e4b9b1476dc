"""Pages of the assessment: findings, the daily bulletin, one's record, the rankings,
third-party assessment rounds and signed commitments."""

from django.urls import URLPattern, URLResolver, path

from assessment import views, views_rounds

app_name = "assessment"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/photos/<int:photo>/", views.finding_photo, name="finding_photo"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("mine/", views.mine, name="mine"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking/close/", views.month_close_view, name="month_close"),
    path("ranking/export.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("titles/propose/", views.titles_propose_view, name="titles_propose"),
    path("titles/<int:pk>/decide/", views.title_decide_view, name="title_decide"),
    path("rounds/", views_rounds.round_list, name="rounds"),
    path("rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round"),
    path("rounds/<int:pk>/invite/", views_rounds.round_invite_view, name="round_invite"),
    path("rounds/<int:pk>/close/", views_rounds.round_close_view, name="round_close"),
    path("rounds/<int:pk>/results.xlsx", views_rounds.round_xlsx, name="round_xlsx"),
    path("rounds/<int:pk>/counters/<int:counter>/", views_rounds.sheet_view, name="sheet"),
    path("commitments/", views_rounds.commitment_list, name="commitments"),
    path("commitments/<int:pk>/sign/", views_rounds.commitment_sign_view, name="commitment_sign"),
]
