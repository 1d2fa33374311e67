from django.contrib.auth import views as auth_views
from django.urls import path

from liveops.core import views
from liveops.core.permissions import login_only, public_view

urlpatterns = [
    path("login/", public_view(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("logout/", public_view(auth_views.LogoutView.as_view()), name="logout"),
    path("me/", views.account, name="account"),
    path(
        "password/",
        login_only(auth_views.PasswordChangeView.as_view(success_url="/accounts/me/")),
        name="password_change",
    ),
]
