from django.apps import AppConfig


class RefundsConfig(AppConfig):
    name = "returndesk.refunds"
    label = "refunds"

    def ready(self) -> None:
        # The return's answer gains ``refunds`` (single-return answers) and ``refunded_total``.
        from returndesk.refunds.schemas import RETURN_EXTENSIONS
        from returndesk.returns.extensions import return_extension_register

        for extension in RETURN_EXTENSIONS:
            return_extension_register(extension)
