from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "returndesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from returndesk.accounts.auth import BUYER_SESSION_KEY

        def _forget_buyer(request: Any, **_kwargs: Any) -> None:
            # Django's own sign-ins (the admin's) keep the session's data: a buyer signed in by
            # link before must not stay signed in beside the user.
            if request is not None and hasattr(request, "session"):
                request.session.pop(BUYER_SESSION_KEY, None)

        user_logged_in.connect(_forget_buyer, weak=False, dispatch_uid="returndesk.accounts.forget_buyer")
