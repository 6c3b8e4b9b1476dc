from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.root, name="root"),
    path("mode/elder/", views.elder_mode, name="elder_mode"),
    path("lang/<str:code>/", views.language, name="language"),
    path("c/<slug:center>/", views.home, name="home"),
    path("c/<slug:center>/items/", views.item_list, name="items"),
    path("c/<slug:center>/items/<str:code>/", views.item_detail, name="item"),
    path("c/<slug:center>/items/<str:code>/guide.pdf", views.item_guide_pdf, name="item_pdf"),
    path("c/<slug:center>/bundles/<slug:code>/", views.bundle_detail, name="bundle"),
    path("c/<slug:center>/departments/", views.department_list, name="departments"),
    path("c/<slug:center>/lists/", views.lists, name="lists"),
    path("c/<slug:center>/kiosk/", views.kiosk_start, name="kiosk"),
    path("c/<slug:center>/kiosk/exit/", views.kiosk_stop, name="kiosk_exit"),
]
