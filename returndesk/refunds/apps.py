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

        # Offers: the answer's ``offer`` and ``offers``; the keep at request and the withdrawal of an
        # open offer as the return leaves its status, inside the returns' own transactions.
        from returndesk.refunds.offer_schemas import OFFER_EXTENSIONS
        from returndesk.refunds.offers import keep_at_request, offer_withdraw
        from returndesk.returns.hooks import return_kept_hook_register, return_offer_withdrawn_hook_register

        for extension in OFFER_EXTENSIONS:
            return_extension_register(extension)
        return_kept_hook_register(keep_at_request)
        return_offer_withdrawn_hook_register(offer_withdraw)
