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

        # Transactions run through their gateways after the commit of the refund that made them;
        # each records the gateway it is refunded through. ``refund_expected_by`` and
        # ``refund_overdue`` join the answer; ``GET /returns?refund_status=`` reads the ledger.
        from returndesk.refunds import execution, services, supervision
        from returndesk.refunds.gateways.base import gateway_for
        from returndesk.returns.extensions import ReturnListFilter, return_list_filter_register

        services.on_transactions_created(execution.transactions_attempt)
        services.gateway_name_register(lambda payment_gateway: gateway_for(payment_gateway).name)
        for extension in supervision.SUPERVISION_EXTENSIONS:
            return_extension_register(extension)
        return_list_filter_register(ReturnListFilter("refund_status", supervision.returns_by_refund_status))

        # Offers: the answer's ``offer`` and ``offers``; the keep at request and the withdrawal of an
        # open offer as the return leaves its status, inside the returns' own transactions.
        from returndesk.refunds.offer_schemas import OFFER_EXTENSIONS
        from returndesk.refunds.offers import keep_at_request, offer_withdraw
        from returndesk.returns.hooks import return_kept_hook_register, return_offer_withdrawn_hook_register

        for extension in OFFER_EXTENSIONS:
            return_extension_register(extension)
        return_kept_hook_register(keep_at_request)
        return_offer_withdrawn_hook_register(offer_withdraw)
