from django.apps import AppConfig


class ReceivingConfig(AppConfig):
    name = "returndesk.receiving"
    label = "receiving"

    def ready(self) -> None:
        # The return's answer gains ``receiving``: what its latest receipt recorded, else null.
        from returndesk.receiving.schemas import RECEIVING_EXTENSION
        from returndesk.returns.extensions import return_extension_register

        return_extension_register(RECEIVING_EXTENSION)
