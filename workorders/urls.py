"""Pages of work orders: the public form and follow-up, the staff's list, entry and import."""

from django.urls import URLPattern, URLResolver, path

from workorders import views

app_name = "workorders"
urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:center>/new/", views.public_new, name="public_new"),
    path("c/<slug:center>/received/", views.public_done, name="public_done"),
    path("follow/", views.follow, name="follow"),
    path("", views.work_order_list, name="list"),
    path("new/", views.staff_new, name="new"),
    path("import/", views.import_file, name="import"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/identity/", views.identity, name="identity"),
]
