from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.common import sign_in

urlpatterns: list[URLPattern | URLResolver] = [
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("sign-out/", sign_in.sign_out_view, name="sign-out"),
    path("account/password/", sign_in.PasswordChange.as_view(), name="password-change"),
    path("account/password/changed/", sign_in.PasswordChangeDone.as_view(), name="password-change-done"),
    path("sign-in/forgot/", sign_in.PasswordReset.as_view(), name="password-reset"),
    path("sign-in/forgot/sent/", sign_in.PasswordResetDone.as_view(), name="password-reset-done"),
    path("sign-in/reset/<uidb64>/<token>/", sign_in.PasswordResetConfirm.as_view(), name="password-reset-confirm"),
    path("sign-in/reset/done/", sign_in.PasswordResetComplete.as_view(), name="password-reset-complete"),
]
