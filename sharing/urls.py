"""Pages of the registry: /verify/… for anyone, /certificates/… for holders and staff."""

from django.urls import path

from sharing import views, views_systems

app_name = "sharing"
urlpatterns = [
    path("verify/<str:identifier>/", views.verify, name="verify"),
    path("certificates/", views.mine, name="mine"),
    path("certificates/public-key.pem", views.public_key, name="public_key"),
    path("certificates/manage/", views.manage, name="manage"),
    path("certificates/systems/", views_systems.systems, name="systems"),
    path("certificates/manage/<str:identifier>/", views.manage_detail, name="manage_detail"),
    path("certificates/provide/<str:number>/", views.provide, name="provide"),
    path("certificates/<str:identifier>/certificate.pdf", views.pdf, name="pdf"),
    path("certificates/<str:identifier>/disclosure/", views.disclosure, name="disclosure"),
]
