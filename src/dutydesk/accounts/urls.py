from django.urls import path

from dutydesk.accounts import second_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="signin"),
    path("sign-out/", views.SignOutView.as_view(), name="signout"),
    path("sign-in/link/", views.email_link_request, name="signin-link"),
    path("sign-in/link/<str:token>/", views.email_link_use, name="signin-link-use"),
    path("sign-in/code/", second_factor.otp_verify, name="otp-verify"),
    path("sign-in/authenticator/", second_factor.otp_setup, name="otp-setup"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_set, name="language"),
]
