from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import ThrottledAuthenticationForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("messages/", views.messages, name="messages"),
    path("messages/read-all/", views.messages_read_all, name="messages_read_all"),
    path("messages/<int:message_id>/open/", views.message_open, name="message_open"),
]
