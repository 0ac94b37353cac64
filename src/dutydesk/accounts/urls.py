from django.urls import path

from dutydesk.accounts import second_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="signin"),
    path("logout/", views.SignOutView.as_view(), name="signout"),
    path("login/link/", views.email_link_request, name="signin-link"),
    path("login/link/<str:token>/", views.email_link_use, name="signin-link-use"),
    path("login/code/", second_factor.otp_verify, name="otp-verify"),
    path("login/authenticator/", second_factor.otp_setup, name="otp-setup"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_set, name="language"),
]
