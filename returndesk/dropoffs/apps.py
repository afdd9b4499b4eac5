from django.apps import AppConfig


class DropoffsConfig(AppConfig):
    name = "returndesk.dropoffs"
    label = "dropoffs"

    def ready(self) -> None:
        from returndesk.dropoffs import schemas, selectors, services
        from returndesk.returns.domain import anomalies
        from returndesk.returns.extensions import AnswerRead, ReturnExtension, return_extension_register

        anomalies.register(
            services.OFFLINE_MISMATCH, title="An offline counter accepted the parcel with a code not valid then"
        )

        def dropoff(ret: object) -> dict[str, object] | None:
            receipt = selectors.return_current_receipt(ret)  # type: ignore[arg-type]
            return None if receipt is None else schemas.receipt_data(receipt)

        return_extension_register(
            ReturnExtension(
                name="dropoff",
                schema=schemas.ReceiptOut | None,
                resolve=dropoff,
                prefetch=(selectors.current_receipts_prefetch(),),
                answer_read=AnswerRead(
                    queries=(selectors.CURRENT_RECEIPTS_ROWS,),
                    seed=selectors.current_receipts_seed,
                    params=lambda ret: (ret.pk, True),
                ),
                # Only a handover writes a receipt, and it records the parcel.
                known_empty=lambda ret: not ret.parcel_recorded,
            )
        )
